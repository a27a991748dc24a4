package server_test

import (
	"strings"
	"testing"

	tk "github.com/bigledger/bigledger/internal/testkit"
)

// GET /api/v1/invoices/{id}/payments lists each payment with its
// allocations (issue 10: they came back []) and pages by a real limit.
func TestInvoicePaymentsShowAllocations(t *testing.T) {
	e := tk.New(t)
	cust := must(t, e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Payer", "email": "p@example.com"}), 201, "customer")
	inv := must(t, e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": cust["id"],
		"items": []map[string]any{{"description": "Work", "quantity": 1, "unitPrice": 100.00}}}), 201, "invoice")
	id := inv["id"].(string)
	must(t, e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/send", map[string]any{"to": []string{"p@example.com"}}), 200, "send")
	for _, amt := range []float64{30, 45} {
		must(t, e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/payments", map[string]any{"amount": amt, "paymentMethod": "bank_transfer"}), 201, "pay")
	}
	r := e.Do(e.A, "GET", "/api/v1/invoices/"+id+"/payments", nil)
	if r.Status != 200 || len(r.Body["data"].([]any)) != 2 || tk.Get(r.Body, "pagination", "limit") != float64(50) || tk.Get(r.Body, "pagination", "total") != float64(2) {
		t.Fatalf("%d %s", r.Status, r.Raw)
	}
	if tk.Str(r.Body, "data", 0, "allocations", 0, "invoiceId") != id || !strings.Contains(string(r.Raw), `"allocations":[{"invoiceId":"`+id+`","amount":30.00`) {
		t.Fatalf("allocations: %s", r.Raw)
	}
	one := e.Do(e.A, "GET", "/v1/invoices/"+id+"/payments?limit=1", nil)
	if len(one.Body["data"].([]any)) != 1 || tk.Get(one.Body, "pagination", "hasMore") != true || tk.Get(one.Body, "pagination", "limit") != float64(1) {
		t.Fatalf("limit=1: %s", one.Raw)
	}
	if bad := e.Do(e.A, "GET", "/api/v1/invoices/"+id+"/payments?limit=0", nil); bad.Status != 400 || tk.Str(bad.Body, "error", "details", 0, "field") != "limit" {
		t.Fatalf("limit=0: %d %s", bad.Status, bad.Raw)
	}
	if b := e.Do(e.B, "GET", "/api/v1/invoices/"+id+"/payments", nil); b.Status != 404 {
		t.Fatalf("company B: %d %s", b.Status, b.Raw)
	}
}
