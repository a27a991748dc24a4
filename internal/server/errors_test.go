package server_test

import (
	"strings"
	"testing"

	tk "github.com/bigledger/bigledger/internal/testkit"
)

// REST errors carry seed 004's request_id and documentation_url beside
// seed 001's meta.requestId, all naming the same request.
func TestRESTErrorsCarryRequestIDAndDocs(t *testing.T) {
	e := tk.New(t)
	for _, c := range []struct {
		method, path string
		body         any
		code         string
	}{
		{"POST", "/api/v1/customers", map[string]any{"name": "X", "email": "not-an-email"}, "INVALID_CUSTOMER_DATA"},
		{"GET", "/api/v1/customers/cust_01M8CQM1VN6BDWHCDY6CRFMGDX", nil, "CUSTOMER_NOT_FOUND"},
		{"GET", "/api/v1/nowhere", nil, "NOT_FOUND"},
	} {
		r := e.Do(e.A, c.method, c.path, c.body)
		id := tk.Str(r.Body, "error", "request_id")
		if tk.Str(r.Body, "error", "code") != c.code || id == "" || id != tk.Str(r.Body, "meta", "requestId") ||
			tk.Str(r.Body, "error", "documentation_url") != "https://docs.bigledger.com/api/errors#"+c.code {
			t.Errorf("%s %s: %s", c.method, c.path, r.Raw)
		}
	}
}

// GET /api/v1 (the banner's REST URL) answers an index without credentials.
func TestAPIIndex(t *testing.T) {
	e := tk.New(t)
	for _, p := range []string{"/api/v1", "/api/v1/", "/v1/"} {
		r := e.Do(tk.Tenant{}, "GET", p, nil)
		if r.Status != 200 || tk.Str(r.Body, "data", "name") != "BigLedger" || tk.Str(r.Body, "data", "links", "graphql") != "/graphql" {
			t.Errorf("%s: %d %s", p, r.Status, r.Raw)
		}
	}
	if r := e.Do(tk.Tenant{}, "GET", "/api/v1/customers", nil); r.Status != 401 {
		t.Errorf("the index opened the API: %d", r.Status)
	}
}

// A REST body that is not JSON says why: the parser's own message, or the
// wrong Content-Type by name.
func TestRESTBodyNotJSONSaysWhy(t *testing.T) {
	e := tk.New(t)
	for _, c := range []struct {
		body, contentType, want string
	}{
		{`{"name": "A",`, "application/json", "Request body is not valid JSON: unexpected EOF"},
		{`{name: "A"}`, "application/json", "Request body is not valid JSON: invalid character 'n'"},
		{`["A"]`, "application/json", "Request body must be a JSON object, not array"},
		{`null`, "application/json", "Request body must be a JSON object, not null"},
		{`name=A`, "application/x-www-form-urlencoded", "send Content-Type: application/json (got application/x-www-form-urlencoded)"},
	} {
		r := e.Do(e.A, "POST", "/api/v1/customers", c.body, "Content-Type", c.contentType)
		if r.Status != 400 || !strings.Contains(tk.Str(r.Body, "error", "message"), c.want) {
			t.Errorf("%s (%s): %d %s", c.body, c.contentType, r.Status, r.Raw)
		}
	}
}

// An enum value outside its list is refused with the list, in bodies and
// in filters, on every enum the REST face takes.
func TestEnumErrorsListAllowedValues(t *testing.T) {
	e := tk.New(t)
	c := createCustomerREST(t, e, e.A, map[string]any{"name": "Enum Co", "email": "e@x.co"})
	inv := must(t, e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": c["id"], "items": []map[string]any{{"description": "x", "quantity": 1, "unitPrice": 1}}}), 201, "invoice")
	for _, k := range []struct {
		method, path string
		body         any
		want         string
	}{
		{"POST", "/api/v1/invoices/" + inv["id"].(string) + "/payments", map[string]any{"amount": "1.00", "paymentMethod": "bitcoin"}, "must be one of cash, bank_transfer, cheque, card, online, other"},
		{"POST", "/api/v1/customers", map[string]any{"name": "A", "email": "a@b.co", "type": "alien"}, "must be one of"},
		{"GET", "/api/v1/invoices?status=lost", nil, "must be one of draft, sent, paid, void"},
		{"GET", "/api/v1/sales-orders?priority=urgent-ish", nil, "must be one of"},
		{"GET", "/api/v1/quotes?status=lost", nil, "must be one of"},
		{"GET", "/api/v1/integration/customer-groups?price_calculation_type=x", nil, "must be one of"},
	} {
		r := e.Do(e.A, k.method, k.path, k.body)
		want := 400
		if strings.HasPrefix(k.path, "/api/v1/integration/") {
			want = 422 // seed 003's Laravel validation status
		}
		if r.Status != want || !strings.Contains(string(r.Raw), k.want) {
			t.Errorf("%s %s: %d %.300s", k.method, k.path, r.Status, r.Raw)
		}
	}
}

// Seed 004's routes (accounts, journal entries) answer its generic codes,
// with the field details kept; seed 000's routes keep their specific ones.
func TestSeed004ErrorCodes(t *testing.T) {
	e := tk.New(t)
	for _, c := range []struct {
		path  string
		body  map[string]any
		code  string
		field string
	}{
		{"/api/v1/accounts", map[string]any{"code": "", "name": "X", "type": "asset"}, "VALIDATION_ERROR", "code"},
		{"/api/v1/journal-entries", map[string]any{"lines": []map[string]any{}}, "VALIDATION_ERROR", ""},
		{"/api/v1/customers", map[string]any{"name": "X"}, "INVALID_CUSTOMER_DATA", ""},
	} {
		r := e.Do(e.A, "POST", c.path, c.body)
		if r.Status != 400 || tk.Str(r.Body, "error", "code") != c.code || (c.field != "" && tk.Str(r.Body, "error", "details", 0, "field") != c.field) {
			t.Errorf("%s: %d %s", c.path, r.Status, r.Raw)
		}
		if got := tk.Str(r.Body, "error", "documentation_url"); !strings.HasSuffix(got, "#"+c.code) {
			t.Errorf("%s: documentation_url %s", c.path, got)
		}
	}
}
