package server_test

import (
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
