package testkit

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The validator must refuse an answer that differs from the document:
// otherwise every REST test passes its responses unchecked.
func TestValidateResponseRefusesDrift(t *testing.T) {
	h := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	req := httptest.NewRequest("GET", "/api/v1/customers/cust_01JD8Y5Q2V7Z3M4N5P6R7S8T9V", nil)
	good := `{"success":false,"error":{"code":"CUSTOMER_NOT_FOUND","message":"x","documentation_url":"u"},"meta":{"timestamp":"t","requestId":"r"}}`
	if err := ValidateResponse(req, 404, h, []byte(good)); err != nil {
		t.Fatalf("a documented error answer was refused: %v", err)
	}
	for name, body := range map[string]string{
		"success answer without data":      `{"success":true,"meta":{"timestamp":"t","requestId":"r"}}`,
		"customer missing its fields":      `{"success":true,"data":{"id":"cust_1"},"meta":{"timestamp":"t","requestId":"r"}}`,
		"error without its code":           `{"success":false,"error":{"message":"x","documentation_url":"u"},"meta":{"timestamp":"t","requestId":"r"}}`,
		"a key the envelope does not have": `{"success":true,"data":null,"extra":1,"meta":{"timestamp":"t","requestId":"r"}}`,
	} {
		status := 200
		if strings.Contains(body, `"success":false`) {
			status = 404
		}
		if err := ValidateResponse(req, status, h, []byte(body)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// A success answer under a status the document does not give it is
	// drift too (it is read as an error answer).
	if err := ValidateResponse(req, 201, h, []byte(`{"success":true,"data":{},"meta":{"timestamp":"t","requestId":"r"}}`)); err == nil {
		t.Errorf("an undocumented success status was accepted")
	}
	if !Documented("POST", "/v1/invoices/inv_1/payment") || Documented("GET", "/v1/invoices/inv_1/payment") {
		t.Errorf("route matching is off")
	}
}
