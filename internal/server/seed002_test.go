package server_test

import (
	"strings"
	"testing"

	"github.com/bigledger/bigledger/internal/ratelimit"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

// keysOf fails unless obj carries every documented key.
func keysOf(t *testing.T, what string, obj any, keys ...string) {
	t.Helper()
	m, ok := obj.(map[string]any)
	if !ok {
		t.Fatalf("%s: not an object: %v", what, obj)
	}
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("%s: documented field %q missing: %v", what, k, m)
		}
	}
}

// Seed 002 ("API Endpoints Reference"), every in-scope example in the
// document's order: each request body exactly as printed (numeric ids,
// which are examples, replaced by the ids the server gave), each
// documented response field checked, then the error responses and rate
// limit headers. Tickets, leads and users are out of scope (404).
func TestSeed002Verbatim(t *testing.T) {
	e := tk.New(t)

	// Customers › Create Customer.
	jane := v2data(t, e.Do(e.A, "POST", "/api/v2/customers", map[string]any{
		"account": "Jane Smith", "email": "jane@example.com", "phone": "1234567890", "address": "123 Business St",
		"city": "New York", "state": "NY", "zip": "10001", "country": "US"}), 201)
	keysOf(t, "created customer", jane, "id", "account", "email", "phone", "address", "city", "state", "zip", "country", "created_at", "updated_at")
	john := v2data(t, e.Do(e.A, "POST", "/api/v2/customers", map[string]any{"account": "John Doe", "email": "john@example.com", "phone": "1234567890"}), 201)
	// Customers › List All Customers (page, limit, search) and its response.
	r := e.Do(e.A, "GET", "/api/v2/customers?page=1&limit=20&search=john", nil)
	if r.Status != 200 || r.Body["success"] != true {
		t.Fatalf("list customers: %d %s", r.Status, r.Raw)
	}
	list := r.Body["data"].([]any)
	if len(list) != 1 || tk.Str(list[0], "account") != "John Doe" || tk.Str(list[0], "email") != "john@example.com" || tk.Str(list[0], "phone") != "1234567890" {
		t.Fatalf("list customers data: %s", r.Raw)
	}
	keysOf(t, "listed customer", list[0], "id", "account", "email", "phone", "created_at", "updated_at")
	keysOf(t, "list meta", r.Body["meta"], "current_page", "total_pages", "total_records")
	if tk.Get(r.Body, "meta", "current_page") != 1.0 || tk.Get(r.Body, "meta", "total_pages") != 1.0 || tk.Get(r.Body, "meta", "total_records") != 1.0 {
		t.Fatalf("meta: %v", r.Body["meta"])
	}
	// Get, Update, Delete Customer.
	janeID := tk.Str(jane, "id")
	v2data(t, e.Do(e.A, "GET", "/api/v2/customers/"+janeID, nil), 200)
	if u := v2data(t, e.Do(e.A, "PUT", "/api/v2/customers/"+janeID, map[string]any{"account": "Jane Smith", "email": "jane.smith@example.com"}), 200); u["email"] != "jane.smith@example.com" {
		t.Fatalf("update: %v", u)
	}
	v2data(t, e.Do(e.A, "DELETE", "/api/v2/customers/"+janeID, nil), 200)

	// Invoices › Create Invoice (customer_id 1 is John, the first listed).
	johnID := tk.Str(john, "id")
	inv := v2data(t, e.Do(e.A, "POST", "/api/v2/invoices", map[string]any{
		"customer_id": johnID, "date": "2024-01-15", "due_date": "2024-02-15",
		"items": []any{map[string]any{"description": "Web Development", "amount": 1500.00, "qty": 1}},
		"notes": "Payment due within 30 days"}), 201)
	// Invoices › List All Invoices (status, customer_id, date_from, date_to) and its response.
	r = e.Do(e.A, "GET", "/api/v2/invoices?status=Unpaid&customer_id="+johnID+"&date_from=2024-01-01&date_to=2024-01-31", nil)
	if r.Status != 200 || len(r.Body["data"].([]any)) != 1 {
		t.Fatalf("list invoices: %d %s", r.Status, r.Raw)
	}
	li := r.Body["data"].([]any)[0]
	keysOf(t, "listed invoice", li, "id", "invoice_number", "customer_id", "amount", "status", "due_date", "items")
	if tk.Str(li, "id") != tk.Str(inv, "id") || tk.Str(li, "invoice_number") != "INV-2024-0001" || tk.Str(li, "customer_id") != johnID ||
		tk.Get(li, "amount") != 1500.0 || tk.Str(li, "status") != "Unpaid" || tk.Str(li, "due_date") != "2024-02-15" {
		t.Fatalf("listed invoice: %v", li)
	}
	it := tk.Get(li, "items").([]any)[0]
	if tk.Str(it, "description") != "Web Development" || tk.Get(it, "amount") != 1500.0 || tk.Get(it, "qty") != 1.0 {
		t.Fatalf("invoice item: %v", it)
	}
	for _, status := range []string{"Paid", "Partially%20Paid"} {
		if r := e.Do(e.A, "GET", "/api/v2/invoices?status="+status, nil); r.Status != 200 || len(r.Body["data"].([]any)) != 0 {
			t.Fatalf("status=%s: %s", status, r.Raw)
		}
	}

	// Transactions › Record Transaction (account 1: the bank; category 1: sales).
	bank, sales := accountIDByCode(t, e, e.A, "1010"), accountIDByCode(t, e, e.A, "4000")
	tx := v2data(t, e.Do(e.A, "POST", "/api/v2/transactions", map[string]any{
		"type": "Income", "account_id": bank, "amount": 1500.00, "category_id": sales,
		"description": "Website Development Payment", "date": "2024-01-15"}), 201)
	keysOf(t, "transaction", tx, "type", "account_id", "amount", "category_id", "description", "date")
	// Transactions › List Transactions (type, account_id, date_from, date_to).
	r = e.Do(e.A, "GET", "/api/v2/transactions?type=Income&account_id="+bank+"&date_from=2024-01-01&date_to=2024-01-31", nil)
	if r.Status != 200 || len(r.Body["data"].([]any)) != 1 || tk.Str(r.Body["data"].([]any)[0], "id") != tk.Str(tx, "id") {
		t.Fatalf("list transactions: %d %s", r.Status, r.Raw)
	}

	// Products/Services › Create Product, List Products.
	prod := v2data(t, e.Do(e.A, "POST", "/api/v2/products", map[string]any{
		"name": "Web Hosting", "price": 99.99, "description": "Annual web hosting package", "type": "service", "tax_rate": 10}), 201)
	keysOf(t, "product", prod, "name", "price", "description", "type", "tax_rate")
	if r := e.Do(e.A, "GET", "/api/v2/products", nil); r.Status != 200 || len(r.Body["data"].([]any)) != 1 || tk.Str(r.Body["data"].([]any)[0], "name") != "Web Hosting" {
		t.Fatalf("list products: %s", r.Raw)
	}

	// Quotes › Create Quote (its valid_until, 2024-02-15, is past: the
	// quote is created and shows as Expired), List Quotes.
	qu := v2data(t, e.Do(e.A, "POST", "/api/v2/quotes", map[string]any{
		"customer_id": johnID, "date": "2024-01-15", "valid_until": "2024-02-15",
		"items": []any{map[string]any{"description": "Consulting Services", "amount": 2000.00, "qty": 1}}}), 201)
	if qu["amount"] != 2000.0 || qu["valid_until"] != "2024-02-15" || qu["status"] != "Expired" {
		t.Fatalf("quote: %v", qu)
	}
	if r := e.Do(e.A, "GET", "/api/v2/quotes", nil); r.Status != 200 || len(r.Body["data"].([]any)) != 1 {
		t.Fatalf("list quotes: %s", r.Raw)
	}

	// Reports › Financial Summary (year, month) and its response.
	r = e.Do(e.A, "GET", "/api/v2/reports/financial?year=2024&month=1", nil)
	if r.Status != 200 || r.Body["success"] != true {
		t.Fatalf("financial: %d %s", r.Status, r.Raw)
	}
	keysOf(t, "financial summary", r.Body["data"], "income", "expenses", "profit", "outstanding_invoices")
	// January 2024: the invoice's 1,500 sales and the 1,500 recorded income.
	if tk.Get(r.Body, "data", "income") != 3000.0 || tk.Get(r.Body, "data", "expenses") != 0.0 || tk.Get(r.Body, "data", "profit") != 3000.0 ||
		tk.Get(r.Body, "data", "outstanding_invoices") != 1500.0 {
		t.Fatalf("financial figures: %s", r.Raw)
	}

	// Webhook Notifications › Register Webhook.
	wh := e.Do(e.A, "POST", "/api/v2/webhooks", map[string]any{"url": "https://your-domain.com/webhook", "events": []string{"invoice.created", "payment.received"}})
	if wh.Status != 201 || wh.Body["success"] != true {
		t.Fatalf("webhook: %d %s", wh.Status, wh.Raw)
	}

	// Batch Operations › Batch Create Customers.
	b := v2data(t, e.Do(e.A, "POST", "/api/v2/batch/customers", map[string]any{"customers": []any{
		map[string]any{"account": "Customer 1", "email": "customer1@example.com"},
		map[string]any{"account": "Customer 2", "email": "customer2@example.com"}}}), 201)
	if b["created"] != 2.0 || len(b["results"].([]any)) != 2 {
		t.Fatalf("batch: %v", b)
	}

	// Error Responses › Validation Error: errors for email and amount, as
	// the document's example names them.
	r = e.Do(e.A, "POST", "/api/v2/customers", map[string]any{"account": "Bad", "email": "not-an-email"})
	v2err(t, r, 400, "email", "Invalid email format")
	if tk.Str(r.Body, "message") != "Validation failed" {
		t.Fatalf("validation message: %s", r.Raw)
	}
	v2err(t, e.Do(e.A, "POST", "/api/v2/transactions", map[string]any{"type": "Income", "account_id": bank, "amount": 0, "category_id": sales}),
		400, "amount", "Amount must be greater than 0")
	// Error Responses › Authentication Error.
	for _, tn := range []tk.Tenant{{}, {Key: "blk_wrong_wrong"}} {
		r := e.Do(tn, "GET", "/api/v2/invoices", nil)
		if r.Status != 401 || r.Body["success"] != false || tk.Str(r.Body, "message") != "Invalid API key or unauthorized access" {
			t.Fatalf("auth error: %d %s", r.Status, r.Raw)
		}
	}
	// Rate Limiting: 1000 requests per hour per key, the three headers on
	// every answer (the suite's servers run unmetered; this one is metered).
	re := rateEnv(t, ratelimit.Plan{Name: "default", PerHour: 1000})
	r = re.Do(re.A, "GET", "/api/v2/customers", nil)
	if headerInt(t, r, "X-RateLimit-Limit") != 1000 || headerInt(t, r, "X-RateLimit-Remaining") != 999 {
		t.Fatalf("rate headers: %v", r.Header)
	}
	for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} {
		if r.Header.Get(h) == "" {
			t.Errorf("%s missing", h)
		}
	}
	// Out of scope (tickets, leads, users): a v2 404, not a crash.
	for _, p := range []string{"/api/v2/tickets", "/api/v2/leads", "/api/v2/users"} {
		r := e.Do(e.A, "GET", p, nil)
		if r.Status != 404 || r.Body["success"] != false || !strings.Contains(tk.Str(r.Body, "message"), "No such endpoint") {
			t.Fatalf("%s: %d %s", p, r.Status, r.Raw)
		}
	}
}
