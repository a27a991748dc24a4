package server_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	tk "github.com/bigledger/bigledger/internal/testkit"
	"github.com/bigledger/bigledger/rest"
)

// Seeds 000 and 001 give the v1 base URL as both …/api/v1 and …/v1: every
// v1 route answers at both, except where a route of the other base
// already answers the path (the /api/v1/reports/{type} wildcard keeps
// /api/v1/reports/balance-sheet). The integration API has its own base.
func TestEveryV1RouteAnswersAtBothBasePaths(t *testing.T) {
	routed := map[string]bool{}
	for _, r := range rest.Routes() {
		routed[r.Method+" "+r.Path] = true
	}
	kept := map[string]bool{"GET /api/v1/reports/balance-sheet": true, "GET /api/v1/reports/profit-loss": true}
	n := 0
	for _, r := range rest.Routes() {
		var twin string
		switch {
		case strings.HasPrefix(r.Path, "/api/v1/integration/"):
			if routed[r.Method+" /v1/integration/"+strings.TrimPrefix(r.Path, "/api/v1/integration/")] {
				t.Errorf("%s %s has a /v1 twin: the integration API has one base", r.Method, r.Path)
			}
			continue
		case strings.HasPrefix(r.Path, "/api/v1/"):
			twin = "/v1/" + strings.TrimPrefix(r.Path, "/api/v1/")
		case strings.HasPrefix(r.Path, "/v1/"):
			twin = "/api/v1/" + strings.TrimPrefix(r.Path, "/v1/")
		default:
			continue
		}
		n++
		if !routed[r.Method+" "+twin] && !kept[r.Method+" "+twin] {
			t.Errorf("%s %s has no twin at %s", r.Method, r.Path, twin)
		}
	}
	if n < 100 {
		t.Errorf("only %d v1 routes: the table lost its twins?", n)
	}
}

func TestV1BasePathsShareHandlersIdempotencyAndTenancy(t *testing.T) {
	e := tk.New(t)
	// Created under /v1, read under /api/v1: the same object and envelope.
	cust := must(t, e.Do(e.A, "POST", "/v1/customers", map[string]any{"name": "Twin Paths Ltd", "email": "billing@twin.test"}), 201, "create under /v1")
	cid := cust["id"].(string)
	a := e.Do(e.A, "GET", "/api/v1/customers/"+cid, nil)
	b := e.Do(e.A, "GET", "/v1/customers/"+cid, nil)
	if a.Status != 200 || b.Status != 200 || fmt.Sprint(a.Body["data"]) != fmt.Sprint(b.Body["data"]) {
		t.Fatalf("the two bases disagree: %d %s / %d %s", a.Status, a.Raw, b.Status, b.Raw)
	}
	if b.Header.Get("X-Request-ID") == "" || b.Body["success"] != true || b.Body["meta"] == nil {
		t.Fatalf("/v1 answer lacks the envelope: %s", b.Raw)
	}
	inv := must(t, e.Do(e.A, "POST", "/v1/invoices", map[string]any{"customerId": cid,
		"items": []map[string]any{{"description": "Consulting", "quantity": 1, "unitPrice": 300, "taxCode": "ZR"}}}), 201, "invoice under /v1")
	iid := inv["id"].(string)
	must(t, e.Do(e.A, "POST", "/api/v1/invoices/"+iid+"/send", map[string]any{"to": []string{"billing@twin.test"}}), 200, "send")

	// Seed 001's singular path now answers under /api/v1 too (it was 404).
	p1 := must(t, e.Do(e.A, "POST", "/api/v1/invoices/"+iid+"/payment", map[string]any{"amount": 100, "paymentMethod": "bank_transfer"}), 201, "POST /api/v1/invoices/{id}/payment")

	// One Idempotency-Key sent concurrently to the four paths of the
	// operation records one payment: the key belongs to the company, not to
	// a path.
	paths := []string{"/api/v1/invoices/" + iid + "/payments", "/v1/invoices/" + iid + "/payments",
		"/v1/invoices/" + iid + "/payment", "/api/v1/invoices/" + iid + "/payment"}
	ids := make([]string, 8)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := e.Do(e.A, "POST", paths[i%len(paths)], map[string]any{"amount": 50, "paymentMethod": "cash"}, "Idempotency-Key", "twin-paths-1")
			if r.Status != 201 {
				t.Errorf("%s: %d %s", paths[i%len(paths)], r.Status, r.Raw)
				return
			}
			ids[i] = tk.Str(r.Body, "data", "id")
		}(i)
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] || id == p1["id"] {
			t.Fatalf("one key, several payments: %v (first payment %v)", ids, p1["id"])
		}
	}
	got := must(t, e.Do(e.A, "GET", "/v1/invoices/"+iid, nil), 200, "invoice after payments")
	if !strings.Contains(fmt.Sprint(got["amountPaid"]), "150") || !strings.Contains(fmt.Sprint(got["amountDue"]), "150") {
		t.Fatalf("invoice after 100 + 50 (replayed 8×): paid %v due %v", got["amountPaid"], got["amountDue"])
	}
	list := e.Do(e.A, "GET", "/v1/invoices/"+iid+"/payments", nil)
	if list.Status != 200 || len(list.Body["data"].([]any)) != 2 {
		t.Fatalf("payments under /v1: %d %s", list.Status, list.Raw)
	}

	// The /v1 reports: the wildcard twin answers the other types; the
	// literal /api/v1 paths keep the wildcard route.
	for _, p := range []string{"/v1/reports/trial-balance", "/v1/reports/balance-sheet", "/api/v1/reports/balance-sheet", "/v1/reports/ar-aging"} {
		if r := e.Do(e.A, "GET", p, nil); r.Status != 200 {
			t.Errorf("%s: %d %s", p, r.Status, r.Raw)
		}
	}

	// Company B sees none of A's objects through either base, and its
	// writes there are refused the same way.
	for _, p := range []string{"/v1/customers/" + cid, "/api/v1/customers/" + cid, "/v1/invoices/" + iid, "/v1/invoices/" + iid + "/payments"} {
		if r := e.Do(e.B, "GET", p, nil); r.Status != 404 {
			t.Errorf("company B GET %s: %d %s", p, r.Status, r.Raw)
		}
	}
	if r := e.Do(e.B, "POST", "/api/v1/invoices/"+iid+"/payment", map[string]any{"amount": 1, "paymentMethod": "cash"}); r.Status != 404 {
		t.Errorf("company B paying A's invoice under /api/v1: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(e.B, "PUT", "/v1/customers/"+cid, map[string]any{"name": "Taken Over"}); r.Status != 404 {
		t.Errorf("company B updating A's customer under /v1: %d %s", r.Status, r.Raw)
	}
	if list := e.Do(e.B, "GET", "/v1/customers", nil); list.Status != 200 || strings.Contains(string(list.Raw), cid) {
		t.Errorf("company B's /v1 list: %d %s", list.Status, list.Raw)
	}
	// Bad input is refused the same at both bases.
	for _, p := range []string{"/v1/customers", "/api/v1/customers"} {
		if r := e.Do(e.A, "POST", p, map[string]any{"name": "", "email": "not-an-email"}); r.Status != 400 || tk.Str(r.Body, "error", "details", 0, "field") == "" {
			t.Errorf("POST %s with bad fields: %d %s", p, r.Status, r.Raw)
		}
	}
}
