package server_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/bigledger/bigledger/internal/ratelimit"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

// v2err checks a seed-002 error body: status, success false, message,
// and (when field is set) errors[field] containing want.
func v2err(t *testing.T, r tk.Response, status int, field, want string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	if r.Body["success"] != false || tk.Str(r.Body, "message") == "" || tk.Str(r.Body, "code") == "" {
		t.Fatalf("not a v2 error body: %s", r.Raw)
	}
	if _, v1 := r.Body["error"]; v1 {
		t.Fatalf("v2 answered the v1 error envelope: %s", r.Raw)
	}
	if field == "" {
		return
	}
	got, _ := tk.Get(r.Body, "errors", field).(string)
	if !strings.Contains(got, want) {
		t.Fatalf("errors[%s] = %q, want %q: %s", field, got, want, r.Raw)
	}
}

// v2data checks a seed-002 success body and answers its data.
func v2data(t *testing.T, r tk.Response, status int) map[string]any {
	t.Helper()
	if r.Status != status || r.Body["success"] != true {
		t.Fatalf("status %d (want %d): %s", r.Status, status, r.Raw)
	}
	d, ok := r.Body["data"].(map[string]any)
	if !ok {
		t.Fatalf("data is not an object: %s", r.Raw)
	}
	return d
}

// Seed 002 Customers, replayed as the document shows them: create with
// every documented field, get, list with page/limit/search and the meta
// block, update, delete; the validation and authentication error bodies.
func TestV2CustomersSeed002(t *testing.T) {
	e := tk.New(t)
	// Create Customer: the document's own body.
	c := v2data(t, e.Do(e.A, "POST", "/api/v2/customers", map[string]any{
		"account": "Jane Smith", "email": "jane@example.com", "phone": "1234567890", "address": "123 Business St",
		"city": "New York", "state": "NY", "zip": "10001", "country": "US"}), 201)
	for k, want := range map[string]string{"account": "Jane Smith", "email": "jane@example.com", "phone": "1234567890",
		"address": "123 Business St", "city": "New York", "state": "NY", "zip": "10001", "country": "US", "status": "active"} {
		if tk.Str(c, k) != want {
			t.Errorf("created %s = %q, want %q", k, tk.Str(c, k), want)
		}
	}
	id := tk.Str(c, "id")
	if !strings.HasPrefix(id, "cust_") || !strings.HasPrefix(tk.Str(c, "customer_number"), "CUST-") || tk.Str(c, "created_at") == "" || tk.Str(c, "updated_at") == "" {
		t.Fatalf("created: %v", c)
	}
	// The same customer is v1's too (one domain).
	if v1 := must(t, e.Do(e.A, "GET", "/api/v1/customers/"+id, nil), 200, "v1 get"); tk.Str(v1, "name") != "Jane Smith" || tk.Str(v1, "address", "postalCode") != "10001" {
		t.Fatalf("v1 view: %v", v1)
	}
	// Get Customer.
	if g := v2data(t, e.Do(e.A, "GET", "/api/v2/customers/"+id, nil), 200); tk.Str(g, "account") != "Jane Smith" || tk.Str(g, "zip") != "10001" {
		t.Fatalf("get: %v", g)
	}
	// Update Customer: partial; the address parts not sent are kept.
	u := v2data(t, e.Do(e.A, "PUT", "/api/v2/customers/"+id, map[string]any{"account": "Jane Smith Ltd", "city": "Boston", "phone": nil}), 200)
	if tk.Str(u, "account") != "Jane Smith Ltd" || tk.Str(u, "city") != "Boston" || tk.Str(u, "zip") != "10001" || tk.Str(u, "address") != "123 Business St" || u["phone"] != nil {
		t.Fatalf("update: %v", u)
	}
	// Clearing email too would leave neither: refused, named by field.
	v2err(t, e.Do(e.A, "PUT", "/api/v2/customers/"+id, map[string]any{"email": nil}), 400, "email", "Email or phone is required")
	v2err(t, e.Do(e.A, "PUT", "/api/v2/customers/"+id, map[string]any{"account": ""}), 400, "account", "required")

	// Validation Error body: errors{field: message}, message "Validation failed".
	r := e.Do(e.A, "POST", "/api/v2/customers", map[string]any{"account": "Bad", "email": "not-an-email"})
	v2err(t, r, 400, "email", "Invalid email format")
	if tk.Str(r.Body, "message") != "Validation failed" {
		t.Fatalf("validation message: %s", r.Raw)
	}
	v2err(t, e.Do(e.A, "POST", "/api/v2/customers", map[string]any{"email": "a@example.com"}), 400, "account", "required")
	v2err(t, e.Do(e.A, "POST", "/api/v2/customers", map[string]any{"account": "X", "email": "x@example.com", "zip": 10001}), 400, "zip", "")
	v2err(t, e.Do(e.A, "POST", "/api/v2/customers", map[string]any{"account": "X", "email": "x@example.com", "nickname": "x"}), 400, "nickname", "")
	v2err(t, e.Do(e.A, "POST", "/api/v2/customers", "not json"), 400, "body", "")
	// Authentication Error body.
	for _, key := range []string{"", "blk_nope_nope"} {
		r := e.Do(tk.Tenant{Key: key}, "GET", "/api/v2/customers", nil)
		if key == "" {
			r = e.Do(tk.Tenant{}, "GET", "/api/v2/customers", nil)
		}
		v2err(t, r, 401, "", "")
		if tk.Str(r.Body, "message") != "Invalid API key or unauthorized access" || len(r.Body) != 4 {
			t.Fatalf("auth error body: %s", r.Raw)
		}
	}
	// Not found, and an unknown v2 path, in the v2 shape.
	v2err(t, e.Do(e.A, "GET", "/api/v2/customers/cust_01HZZZZZZZZZZZZZZZZZZZZZZZ", nil), 404, "", "")
	v2err(t, e.Do(e.A, "GET", "/api/v2/nothing-here", nil), 404, "", "")

	// Delete Customer.
	if d := v2data(t, e.Do(e.A, "DELETE", "/api/v2/customers/"+id, nil), 200); d["deleted"] != true {
		t.Fatalf("delete: %v", d)
	}
	v2err(t, e.Do(e.A, "GET", "/api/v2/customers/"+id, nil), 404, "", "")
}

// Page-number paging of seed 002 (page, limit default 20, meta
// current_page/total_pages/total_records): first, middle, last, past the
// end, bad page and limit, search.
func TestV2CustomersPaging(t *testing.T) {
	e := tk.New(t)
	e.SeedCustomers(e.A, 45, 0, 0)
	e.SeedCustomers(e.B, 3, 0, 0)
	list := func(q string) (ids []string, meta map[string]any) {
		t.Helper()
		r := e.Do(e.A, "GET", "/api/v2/customers"+q, nil)
		if r.Status != 200 || r.Body["success"] != true {
			t.Fatalf("list %s: %d %s", q, r.Status, r.Raw)
		}
		for _, c := range r.Body["data"].([]any) {
			ids = append(ids, tk.Str(c, "id"))
		}
		return ids, r.Body["meta"].(map[string]any)
	}
	metaIs := func(m map[string]any, page, pages, total, per int) {
		t.Helper()
		if m["current_page"] != float64(page) || m["total_pages"] != float64(pages) || m["total_records"] != float64(total) || m["per_page"] != float64(per) {
			t.Fatalf("meta %v, want page %d pages %d total %d per %d", m, page, pages, total, per)
		}
	}
	first, m := list("")
	metaIs(m, 1, 3, 45, 20)
	if len(first) != 20 {
		t.Fatalf("default page size: %d", len(first))
	}
	second, m := list("?page=2")
	metaIs(m, 2, 3, 45, 20)
	last, m := list("?page=3")
	metaIs(m, 3, 3, 45, 20)
	if len(second) != 20 || len(last) != 5 {
		t.Fatalf("pages: %d %d", len(second), len(last))
	}
	seen := map[string]bool{}
	for _, id := range append(append(first, second...), last...) {
		if seen[id] {
			t.Fatalf("%s on two pages", id)
		}
		seen[id] = true
	}
	if len(seen) != 45 {
		t.Fatalf("pages cover %d of 45 (B's customers must not show)", len(seen))
	}
	past, m := list("?page=9")
	metaIs(m, 9, 3, 45, 20)
	if len(past) != 0 {
		t.Fatalf("past the end: %v", past)
	}
	small, m := list("?page=4&limit=7")
	metaIs(m, 4, 7, 45, 7)
	if len(small) != 7 {
		t.Fatalf("limit 7: %d", len(small))
	}
	for _, q := range []string{"?page=0", "?page=-1", "?page=abc", "?page=1.5"} {
		v2err(t, e.Do(e.A, "GET", "/api/v2/customers"+q, nil), 400, "page", "positive integer")
	}
	for _, q := range []string{"?limit=0", "?limit=101", "?limit=x"} {
		v2err(t, e.Do(e.A, "GET", "/api/v2/customers"+q, nil), 400, "limit", "between 1 and 100")
	}
	v2err(t, e.Do(e.A, "GET", "/api/v2/customers?colour=red", nil), 400, "colour", "Unknown")
	v2data(t, e.Do(e.A, "POST", "/api/v2/customers", map[string]any{"account": "Zebra Findable", "email": "zebra@example.com"}), 201)
	found, m := list("?search=zebra")
	metaIs(m, 1, 1, 1, 20)
	if len(found) != 1 {
		t.Fatalf("search: %v", found)
	}
	if none, m := list("?search=" + "nobody-matches-this"); len(none) != 0 || m["total_pages"] != float64(0) {
		t.Fatalf("empty search: %v %v", none, m)
	}
}

// Another company's customer answers exactly like a missing one, on
// every v2 customer route; scopes are enforced.
func TestV2CustomersTenancyAndScopes(t *testing.T) {
	e := tk.New(t)
	theirs := tk.Str(v2data(t, e.Do(e.B, "POST", "/api/v2/customers", map[string]any{"account": "B's", "email": "b@example.com"}), 201), "id")
	missing := "cust_01HZZZZZZZZZZZZZZZZZZZZZZZ"
	for _, m := range []string{"GET", "PUT", "DELETE"} {
		var body any
		if m == "PUT" {
			body = map[string]any{"account": "Taken over"}
		}
		a, b := e.Do(e.A, m, "/api/v2/customers/"+theirs, body), e.Do(e.A, m, "/api/v2/customers/"+missing, body)
		if a.Status != 404 || b.Status != 404 || tk.Str(a.Body, "code") != tk.Str(b.Body, "code") ||
			strings.Replace(tk.Str(a.Body, "message"), theirs, missing, 1) != tk.Str(b.Body, "message") {
			t.Fatalf("%s other tenant's: %d %s vs missing %d %s", m, a.Status, a.Raw, b.Status, b.Raw)
		}
	}
	if g := v2data(t, e.Do(e.B, "GET", "/api/v2/customers/"+theirs, nil), 200); tk.Str(g, "account") != "B's" {
		t.Fatalf("B's customer changed: %v", g)
	}
	ro := e.NewTenant("Reader", "customers:read")
	v2err(t, e.Do(ro, "POST", "/api/v2/customers", map[string]any{"account": "X", "email": "x@example.com"}), 403, "", "")
	v2err(t, e.Do(ro, "POST", "/api/v2/batch/customers", map[string]any{"customers": []any{map[string]any{"account": "X", "email": "x@example.com"}}}), 403, "", "")
	none := e.NewTenant("Nothing", "invoices:read")
	v2err(t, e.Do(none, "GET", "/api/v2/customers", nil), 403, "", "")
}

// Seed 002 Batch Create Customers: the document's example, per-item
// results with a bad item named by index and field, atomic, the size
// bound, idempotency.
func TestV2BatchCustomers(t *testing.T) {
	e := tk.New(t)
	r := e.Do(e.A, "POST", "/api/v2/batch/customers", map[string]any{"customers": []any{
		map[string]any{"account": "Customer 1", "email": "customer1@example.com"},
		map[string]any{"account": "Customer 2", "email": "customer2@example.com"}}})
	d := v2data(t, r, 201)
	if d["created"] != float64(2) || d["failed"] != float64(0) {
		t.Fatalf("batch: %s", r.Raw)
	}
	nums := map[string]bool{}
	for i, res := range d["results"].([]any) {
		if tk.Get(res, "index") != float64(i) || tk.Get(res, "success") != true || tk.Str(res, "data", "account") != fmt.Sprintf("Customer %d", i+1) {
			t.Fatalf("result %d: %v", i, res)
		}
		nums[tk.Str(res, "data", "customer_number")] = true
	}
	if !nums["CUST-0001"] || !nums["CUST-0002"] {
		t.Fatalf("numbers: %v", nums)
	}

	// Per item: the bad one is named by index and field, the rest created.
	r = e.Do(e.A, "POST", "/api/v2/batch/customers", map[string]any{"customers": []any{
		map[string]any{"account": "Good 1", "email": "g1@example.com"},
		map[string]any{"account": "Bad", "email": "nope"},
		map[string]any{"email": "noname@example.com"},
		map[string]any{"account": "Good 2", "phone": "+60123456789"}}})
	if r.Status != 207 || r.Body["success"] != false {
		t.Fatalf("partial: %d %s", r.Status, r.Raw)
	}
	res := tk.Get(r.Body, "data", "results").([]any)
	if tk.Get(res[1], "success") != false || tk.Str(res[1], "errors", "email") != "Invalid email format" ||
		tk.Str(res[2], "errors", "account") == "" || tk.Get(res[3], "success") != true {
		t.Fatalf("per-item results: %s", r.Raw)
	}
	if tk.Str(res[3], "data", "customer_number") != "CUST-0004" {
		t.Fatalf("numbers stay gapless past failed items: %v", res[3])
	}
	// Atomic: one bad item, nothing written; the error names customers[i].field.
	before := companyCustomers(t, e, e.A)
	r = e.Do(e.A, "POST", "/api/v2/batch/customers?atomic=true", map[string]any{"customers": []any{
		map[string]any{"account": "Would be", "email": "w@example.com"},
		map[string]any{"account": "Bad", "email": "nope"}}})
	v2err(t, r, 422, "customers[1].email", "Invalid email format")
	if companyCustomers(t, e, e.A) != before {
		t.Fatal("an atomic batch with a bad item wrote customers")
	}
	// None valid (per item): 422 with the results.
	r = e.Do(e.A, "POST", "/api/v2/batch/customers", map[string]any{"customers": []any{map[string]any{"account": "Bad", "email": "nope"}}})
	if r.Status != 422 || tk.Get(r.Body, "data", "failed") != float64(1) {
		t.Fatalf("none valid: %d %s", r.Status, r.Raw)
	}
	// Bounds and shape.
	v2err(t, e.Do(e.A, "POST", "/api/v2/batch/customers", map[string]any{"customers": []any{}}), 400, "customers", "At least one")
	big := make([]any, 1001)
	for i := range big {
		big[i] = map[string]any{"account": "C", "email": "c@example.com"}
	}
	v2err(t, e.Do(e.A, "POST", "/api/v2/batch/customers", map[string]any{"customers": big}), 400, "customers", "At most 1000")
	v2err(t, e.Do(e.A, "POST", "/api/v2/batch/customers", map[string]any{"customers": "x"}), 400, "customers", "")
	v2err(t, e.Do(e.A, "POST", "/api/v2/batch/customers?atomic=maybe", map[string]any{"customers": []any{}}), 400, "atomic", "")

	// Idempotency: the retry answers the first result and writes nothing;
	// the same key with another body is refused.
	body := map[string]any{"customers": []any{map[string]any{"account": "Once", "email": "once@example.com"}, map[string]any{"account": "Bad", "email": "x"}}}
	first := e.Do(e.A, "POST", "/api/v2/batch/customers", body, "Idempotency-Key", "batch-1")
	n := companyCustomers(t, e, e.A)
	again := e.Do(e.A, "POST", "/api/v2/batch/customers", body, "Idempotency-Key", "batch-1")
	if first.Status != 207 || again.Status != 207 || tk.Str(tk.Get(first.Body, "data", "results").([]any)[0], "data", "id") != tk.Str(tk.Get(again.Body, "data", "results").([]any)[0], "data", "id") ||
		tk.Str(tk.Get(again.Body, "data", "results").([]any)[1], "errors", "email") != "Invalid email format" {
		t.Fatalf("replay: %s\n%s", first.Raw, again.Raw)
	}
	if companyCustomers(t, e, e.A) != n {
		t.Fatal("a replayed batch wrote customers")
	}
	v2err(t, e.Do(e.A, "POST", "/api/v2/batch/customers", map[string]any{"customers": []any{map[string]any{"account": "Other", "email": "o@example.com"}}},
		"Idempotency-Key", "batch-1"), 422, "", "")
	// B sees none of A's.
	if companyCustomers(t, e, e.B) != 0 {
		t.Fatal("B sees A's batch customers")
	}
}

// Concurrent batches and single creates of one company: every customer
// gets a distinct, gapless number.
func TestV2BatchCustomersConcurrentNumbers(t *testing.T) {
	e := tk.New(t)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			batch := make([]any, 25)
			for i := range batch {
				batch[i] = map[string]any{"account": fmt.Sprintf("W%d-%d", w, i), "email": "w@example.com"}
			}
			if r := e.Do(e.A, "POST", "/api/v2/batch/customers", map[string]any{"customers": batch}); r.Status != 201 {
				t.Errorf("batch: %d %s", r.Status, r.Raw)
			}
		}()
		go func() {
			defer wg.Done()
			if r := e.Do(e.A, "POST", "/api/v2/customers", map[string]any{"account": fmt.Sprintf("S%d", w), "email": "s@example.com"}); r.Status != 201 {
				t.Errorf("single: %d %s", r.Status, r.Raw)
			}
		}()
	}
	wg.Wait()
	var n, distinct, maxNum int
	if err := e.DB.QueryRow(`SELECT count(*), count(DISTINCT customer_number), max(substr(customer_number, 6)::int) FROM customers WHERE company_id = $1`, e.A.CompanyID).Scan(&n, &distinct, &maxNum); err != nil {
		t.Fatal(err)
	}
	if n != 104 || distinct != 104 || maxNum != 104 {
		t.Fatalf("customers %d, distinct numbers %d, highest %d (want 104 each)", n, distinct, maxNum)
	}
}

func companyCustomers(t *testing.T, e *tk.Env, tn tk.Tenant) int {
	t.Helper()
	var n int
	if err := e.DB.QueryRow(`SELECT count(*) FROM customers WHERE company_id = $1`, tn.CompanyID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Seed 002 Rate Limiting: v2 answers carry the X-RateLimit headers and
// share the key's quota with v1; past it the 429 is in the v2 shape.
func TestV2RateLimit(t *testing.T) {
	e := rateEnv(t, ratelimit.Plan{Name: "default", PerHour: 3})
	for i, path := range []string{"/api/v2/customers", "/api/v1/customers", "/api/v2/invoices"} {
		r := e.Do(e.A, "GET", path, nil)
		if r.Status != 200 || headerInt(t, r, "X-RateLimit-Limit") != 3 || headerInt(t, r, "X-RateLimit-Remaining") != 2-i || r.Header.Get("X-RateLimit-Reset") == "" {
			t.Fatalf("%s: %d %v", path, r.Status, r.Header)
		}
	}
	r := e.Do(e.A, "POST", "/api/v2/batch/customers", map[string]any{"customers": []any{map[string]any{"account": "Late", "email": "l@example.com"}}})
	v2err(t, r, 429, "", "")
	if tk.Str(r.Body, "code") != "RATE_LIMIT_EXCEEDED" || r.Header.Get("Retry-After") == "" {
		t.Fatalf("429: %s %v", r.Raw, r.Header)
	}
	if companyCustomers(t, e, e.A) != 0 {
		t.Fatal("a refused batch wrote customers")
	}
}
