package server_test

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bigledger/bigledger/internal/ratelimit"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

// listIDs answers the ids of a v1 list's data, failing on any other status.
func listIDs(t *testing.T, e *tk.Env, tn tk.Tenant, path string) []string {
	t.Helper()
	r := e.Do(tn, "GET", path, nil)
	if r.Status != 200 {
		t.Fatalf("GET %s: %d %s", path, r.Status, r.Raw)
	}
	var ids []string
	for _, x := range r.Body["data"].([]any) {
		ids = append(ids, tk.Str(x, "id"))
	}
	return ids
}

func sameIDs(got []string, want ...string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

// Seed 001 ("API Reference"), every example in the document's order: the
// base URL and common headers, the RESTful URLs, the standard response,
// error and pagination formats, every filtering and sorting example and
// every row of the operator table, the rate-limit headers, bulk create and
// update with the response format, the webhook subscription, the stream's
// auth/subscribe messages and message format, the quick reference's
// in-scope endpoints at /v1, and the global request/response headers.
func TestSeed001Verbatim(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true})

	// Base URLs + Common Headers: https://api.bigledger.com/v1 with
	// Content-Type, Authorization and X-Company-Id (e.Do sends all three).
	// RESTful URLs: the five customer routes.
	c := must(t, e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Acme Trading", "email": "billing@acme.com", "phone": "+60123456789"}), 201, "create")
	id := tk.Str(c, "id")
	if g := must(t, e.Do(e.A, "GET", "/api/v1/customers/"+id, nil), 200, "get"); tk.Str(g, "name") != "Acme Trading" {
		t.Fatalf("get: %v", g)
	}
	if u := must(t, e.Do(e.A, "PUT", "/api/v1/customers/"+id, map[string]any{"phone": "+60987654321"}), 200, "update"); tk.Str(u, "phone") != "+60987654321" {
		t.Fatalf("update: %v", u)
	}
	tmp := must(t, e.Do(e.A, "POST", "/v1/customers", map[string]any{"name": "Temporary", "email": "tmp@example.com"}), 201, "create at /v1")
	if r := e.Do(e.A, "DELETE", "/api/v1/customers/"+tk.Str(tmp, "id"), nil); r.Status != 200 {
		t.Fatalf("delete: %d %s", r.Status, r.Raw)
	}

	// Standard Response Format.
	r := e.Do(e.A, "GET", "/api/v1/customers/"+id, nil)
	keysOf(t, "response", r.Body, "success", "data", "meta")
	if _, err := time.Parse(time.RFC3339, tk.Str(r.Body, "meta", "timestamp")); err != nil || !strings.HasPrefix(tk.Str(r.Body, "meta", "requestId"), "req_") {
		t.Fatalf("meta: %v", r.Body["meta"])
	}
	// Error Response Format.
	r = e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Bad", "email": "not-an-email"})
	if r.Status != 400 || r.Body["success"] != false || tk.Str(r.Body, "error", "details", 0, "field") != "email" ||
		tk.Str(r.Body, "error", "details", 0, "message") != "Email format is invalid" || tk.Str(r.Body, "meta", "requestId") == "" || tk.Str(r.Body, "error", "code") == "" {
		t.Fatalf("error format: %d %s", r.Status, r.Raw)
	}

	// Pagination: limit=20 and the cursor it answers.
	e.SeedCustomers(e.A, 24, 0, 0)
	r = e.Do(e.A, "GET", "/api/v1/customers?limit=20", nil)
	if r.Status != 200 || tk.Get(r.Body, "pagination", "hasMore") != true || tk.Get(r.Body, "pagination", "limit") != 20.0 || tk.Get(r.Body, "pagination", "total") != 25.0 {
		t.Fatalf("page 1: %v", r.Body["pagination"])
	}
	next := tk.Str(r.Body, "pagination", "nextCursor")
	r = e.Do(e.A, "GET", "/api/v1/customers?limit=20&cursor="+url.QueryEscape(next), nil)
	if len(r.Body["data"].([]any)) != 5 || tk.Get(r.Body, "pagination", "hasMore") != false || tk.Get(r.Body, "pagination", "total") != 25.0 {
		t.Fatalf("page 2: %s", r.Raw)
	}

	// Filtering and Sorting, on invoices of two customers.
	globex := tk.Str(must(t, e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Globex", "email": "ap@globex.example"}), 201, "globex"), "id")
	newInv := func(cust, date, due string, price float64) string {
		t.Helper()
		inv := must(t, e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": cust, "invoiceDate": date, "dueDate": due,
			"items": []any{map[string]any{"description": "Work", "quantity": 1, "unitPrice": price}}}), 201, "invoice")
		return tk.Str(inv, "id")
	}
	acmeDraft := newInv(id, "2024-01-15", "2024-02-14", 1060)      // draft, January
	globexSent := newInv(globex, "2024-01-20", "2024-02-19", 2000) // sent, January
	acmeFeb := newInv(id, "2024-02-05", "2024-03-06", 6000)        // draft, February
	acmeVoid := newInv(id, "2024-01-25", "2024-02-24", 3000)       // cancelled (void)
	for _, inv := range []string{globexSent, acmeVoid} {
		must(t, e.Do(e.A, "POST", "/api/v1/invoices/"+inv+"/send", map[string]any{}), 200, "send")
	}
	must(t, e.Do(e.A, "POST", "/api/v1/invoices/"+acmeVoid+"/void", map[string]any{"reason": "Duplicate"}), 200, "void")
	for q, want := range map[string][]string{
		// Basic filtering
		"status=draft&customerName=acme": {acmeDraft, acmeFeb},
		// Date range filtering
		"fromDate=2024-01-01&toDate=2024-01-31&sort=invoiceDate:asc": {acmeDraft, globexSent, acmeVoid},
		// Sorting (descending)
		"sort=createdAt:desc": {acmeVoid, acmeFeb, globexSent, acmeDraft},
		// Multiple sort fields
		"sort=dueDate:asc,total:desc": {acmeDraft, globexSent, acmeVoid, acmeFeb},
		// Complex filtering with operators
		"total[gte]=1000&total[lte]=5000&status[ne]=cancelled&sort=total:asc": {acmeDraft, globexSent},
		// The operator table on invoices
		"status[ne]=cancelled&sort=total:asc":   {acmeDraft, globexSent, acmeFeb},
		"total[gt]=2000&sort=total:asc":         {acmeVoid, acmeFeb},
		"total[gte]=2000&sort=total:asc":        {globexSent, acmeVoid, acmeFeb},
		"total[lt]=2000":                        {acmeDraft},
		"total[lte]=2000&sort=total:asc":        {acmeDraft, globexSent},
		"status[in]=draft,sent&sort=total:asc":  {acmeDraft, globexSent, acmeFeb},
		"status[nin]=cancelled,void&sort=total": {acmeDraft, globexSent, acmeFeb},
		"status=cancelled":                      {acmeVoid},
	} {
		if got := listIDs(t, e, e.A, "/api/v1/invoices?"+q); !sameIDs(got, want...) {
			t.Errorf("invoices?%s: %v, want %v", q, got, want)
		}
	}
	// status[in]=draft,pending: pending is no invoice status — refused by name.
	r = e.Do(e.A, "GET", "/api/v1/invoices?status[in]=draft,pending", nil)
	if r.Status != 400 || tk.Str(r.Body, "error", "details", 0, "field") != "status[in]" || !strings.Contains(string(r.Raw), "pending") {
		t.Fatalf("status[in]=draft,pending: %d %s", r.Status, r.Raw)
	}
	// Search across multiple fields; the operator table on customers.
	for q, want := range map[string][]string{
		"search=acme&searchFields=name,email,phone": {id},
		"search=globex&searchFields=name":           {globex},
		"search=globex.example&searchFields=name":   nil,
		"status=active&name[contains]=acme":         {id},
		"name[startswith]=A":                        {id},
		"email[endswith]=.com&name[contains]=acme":  {id},
	} {
		if got := listIDs(t, e, e.A, "/api/v1/customers?"+q); !sameIDs(got, want...) {
			t.Errorf("customers?%s: %v, want %v", q, got, want)
		}
	}
	if r := e.Do(e.A, "GET", "/api/v1/customers?search=acme&searchFields=name,colour", nil); r.Status != 400 || tk.Str(r.Body, "error", "details", 0, "field") != "searchFields" {
		t.Fatalf("searchFields=colour: %d %s", r.Status, r.Raw)
	}

	// Bulk Create, Bulk Update, Bulk Response Format.
	r = e.Do(e.A, "POST", "/api/v1/bulk/customers", map[string]any{"operations": []any{
		map[string]any{"operation": "create", "data": map[string]any{"name": "Customer 1", "email": "customer1@example.com"}},
		map[string]any{"operation": "create", "data": map[string]any{"name": "Customer 2", "email": "customer2@example.com"}}}})
	created := tk.Get(r.Body, "data", "results").([]any)
	if r.Status != 200 || tk.Get(r.Body, "data", "processed") != 2.0 || tk.Get(r.Body, "data", "successful") != 2.0 || tk.Get(r.Body, "data", "failed") != 0.0 ||
		tk.Get(created[0], "index") != 0.0 || tk.Get(created[0], "success") != true || tk.Str(created[0], "data", "name") != "Customer 1" {
		t.Fatalf("bulk create: %d %s", r.Status, r.Raw)
	}
	r = e.Do(e.A, "POST", "/api/v1/bulk/customers", map[string]any{"operations": []any{
		map[string]any{"operation": "update", "id": tk.Str(created[0], "data", "id"), "data": map[string]any{"creditLimit": 15000}},
		map[string]any{"operation": "update", "id": tk.Str(created[1], "data", "id"), "data": map[string]any{"status": "inactive"}}}})
	if r.Status != 200 || tk.Get(r.Body, "data", "successful") != 2.0 || tk.Get(r.Body, "data", "results", 0, "data", "creditLimit") != 15000.0 ||
		tk.Str(r.Body, "data", "results", 1, "data", "status") != "inactive" {
		t.Fatalf("bulk update: %d %s", r.Status, r.Raw)
	}

	// Webhooks: subscribe (stock.updated is inventory, not produced here:
	// accepted and said so).
	r = e.Do(e.A, "POST", "/api/v1/webhooks/subscribe", map[string]any{"url": "https://your-app.com/webhooks", "events": []string{"invoice.created", "payment.received", "stock.updated"}})
	if r.Status != 201 || r.Body["success"] != true {
		t.Fatalf("webhook subscribe: %d %s", r.Status, r.Raw)
	}

	// WebSocket API: auth, subscribe with channels and filters, the
	// message format of invoice.created.
	w := streamAuth(t, e, e.A, "/v1/stream")
	w.Send(map[string]any{"type": "subscribe", "channels": []string{"invoice.created", "invoice.updates", "payment.received"},
		"filters": map[string]any{"invoice.updates": map[string]any{"status": []string{"draft", "sent"}}}})
	if m := w.MustNext(wait); m["type"] != "subscribed" {
		t.Fatalf("subscribe: %v", m)
	}
	streamed := newInv(globex, "2024-03-01", "2024-03-31", 1000)
	for {
		m := w.MustNext(wait)
		// An invoice created just before the subscription may still be on
		// its way (the stream starts at the commit watermark): wait for ours.
		if m["channel"] != "invoice.created" || tk.Str(m, "data", "id") != streamed {
			continue
		}
		keysOf(t, "stream message", m, "type", "channel", "data", "meta")
		keysOf(t, "stream data", m["data"], "id", "invoiceNumber", "customerId", "total", "status", "timestamp")
		keysOf(t, "stream meta", m["meta"], "companyId", "timestamp", "eventId")
		if m["type"] != "event" || tk.Str(m, "data", "id") != streamed || tk.Str(m, "data", "customerId") != globex || tk.Str(m, "data", "status") != "draft" ||
			fmt.Sprint(tk.Get(m, "data", "total")) != "1000.00" || tk.Str(m, "meta", "companyId") != e.A.CompanyID {
			t.Fatalf("invoice.created message: %v", m)
		}
		break
	}

	// Quick Reference, at the documents' /v1 base.
	for _, p := range []string{"/v1/auth/verify", "/v1/company", "/v1/customers", "/v1/customers/" + id, "/v1/invoices", "/v1/invoices/" + acmeDraft,
		"/v1/items", "/v1/accounts", "/v1/reports/balance-sheet", "/v1/reports/profit-loss"} {
		if r := e.Do(e.A, "GET", p, nil); r.Status != 200 || r.Body["success"] != true {
			t.Errorf("GET %s: %d %.200s", p, r.Status, r.Raw)
		}
	}
	if r := e.Do(e.A, "PUT", "/v1/invoices/"+acmeFeb, map[string]any{"notes": "Updated at /v1"}); r.Status != 200 {
		t.Fatalf("PUT /v1/invoices: %d %s", r.Status, r.Raw)
	}
	must(t, e.Do(e.A, "POST", "/v1/invoices/"+acmeFeb+"/send", map[string]any{}), 200, "send at /v1")
	if p := must(t, e.Do(e.A, "POST", "/v1/invoices/"+acmeFeb+"/payment", map[string]any{"amount": 6000.00, "paymentDate": "2024-02-10", "paymentMethod": "bank_transfer"}), 201, "payment at /v1"); p["amount"] != 6000.0 {
		t.Fatalf("payment: %v", p)
	}
	cash, sales := accountIDByCode(t, e, e.A, "1000"), accountIDByCode(t, e, e.A, "4000")
	je := e.Do(e.A, "POST", "/v1/journal-entries", map[string]any{"date": "2024-02-11", "description": "Cash sale", "lines": []any{
		map[string]any{"account_id": cash, "debit": 50}, map[string]any{"account_id": sales, "credit": 50}}})
	if je.Status != 201 {
		t.Fatalf("POST /v1/journal-entries: %d %s", je.Status, je.Raw)
	}
	for _, p := range []string{"/v1/stock", "/v1/stock-adjustments", "/v1/stock-transfers"} { // inventory: out of scope
		if r := e.Do(e.A, "GET", p, nil); r.Status != 404 || r.Body["success"] != false {
			t.Errorf("GET %s: %d", p, r.Status)
		}
	}

	// Global Request/Response Headers.
	r = e.Do(e.A, "GET", "/v1/customers/"+id, nil, "X-Request-ID", "my-trace-123", "X-API-Version", "2024-01-15", "User-Agent", "YourApp/1.0.0")
	if r.Status != 200 || r.Header.Get("X-Request-ID") != "my-trace-123" || r.Header.Get("Cache-Control") != "no-cache" ||
		!strings.HasSuffix(r.Header.Get("X-Response-Time"), "ms") || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("response headers: %d %v", r.Status, r.Header)
	}
	if r := e.Do(e.A, "GET", "/v1/customers", nil, "X-API-Version", "2023-01-01"); r.Status != 400 || tk.Str(r.Body, "error", "code") != "UNSUPPORTED_API_VERSION" {
		t.Fatalf("unknown version: %d %s", r.Status, r.Raw)
	}
	req, _ := http.NewRequest("GET", e.Server.URL+"/v1/customers?limit=50", nil)
	req.Header.Set("Authorization", "Bearer "+e.A.Key)
	req.Header.Set("X-Company-Id", e.A.CompanyID)
	req.Header.Set("Accept-Encoding", "gzip, deflate")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Accept-Encoding gzip: Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if b, _ := io.ReadAll(zr); json.Unmarshal(b, &body) != nil || body["success"] != true {
		t.Fatalf("gzip body does not decode")
	}

	// Rate Limiting: 1000 per hour by default, 10 per second burst; the headers.
	re := rateEnv(t, ratelimit.Plan{Name: "default", PerHour: 1000, PerSecond: 10})
	r = re.Do(re.A, "GET", "/v1/customers", nil)
	if headerInt(t, r, "X-RateLimit-Limit") != 1000 || headerInt(t, r, "X-RateLimit-Remaining") != 999 || headerInt(t, r, "X-RateLimit-Reset") < int(time.Now().Unix()) {
		t.Fatalf("rate headers: %v", r.Header)
	}
}

// Seed 000's dashboard asks every month for invoiceDateFrom=YYYY-MM-01 and
// invoiceDateTo=YYYY-MM-31: a range end past its month's end means the
// month's last day (2024-02-31 → through 2024-02-29; 2023-02-31 → 02-28),
// a range start past it the next month's first; an equality on such a day
// and a day past 31 stay 400.
func TestMonthEndRangeBounds(t *testing.T) {
	e := tk.New(t)
	cust := tk.Str(must(t, e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Dash", "email": "d@example.com"}), 201, "customer"), "id")
	ids := map[string]string{}
	for _, d := range []string{"2024-02-29", "2024-03-01", "2023-02-28", "2024-04-30"} {
		inv := must(t, e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": cust, "invoiceDate": d, "dueDate": "2024-12-31",
			"items": []any{map[string]any{"description": "x", "quantity": 1, "unitPrice": 10}}}), 201, "invoice")
		ids[d] = tk.Str(inv, "id")
	}
	for q, want := range map[string][]string{
		"invoiceDateFrom=2024-02-01&invoiceDateTo=2024-02-31":   {ids["2024-02-29"]},
		"invoiceDateFrom=2023-02-01&invoiceDateTo=2023-02-31":   {ids["2023-02-28"]},
		"invoiceDateFrom=2024-04-01&invoiceDateTo=2024-04-31":   {ids["2024-04-30"]},
		"invoiceDateFrom=2024-02-30&invoiceDateTo=2024-03-31":   {ids["2024-03-01"]},
		"invoiceDate[lt]=2024-02-30&invoiceDate[gt]=2023-02-29": {ids["2024-02-29"]},
	} {
		if got := listIDs(t, e, e.A, "/api/v1/invoices?"+q+"&sort=invoiceDate:asc"); !sameIDs(got, want...) {
			t.Errorf("%s: %v, want %v", q, got, want)
		}
	}
	for _, q := range []string{"invoiceDate=2024-02-30", "invoiceDateTo=2024-02-32", "invoiceDateTo=2024-13-31", "invoiceDateTo=2024-2-31"} {
		if r := e.Do(e.A, "GET", "/api/v1/invoices?"+q, nil); r.Status != 400 {
			t.Errorf("%s: %d %s", q, r.Status, r.Raw)
		}
	}
}
