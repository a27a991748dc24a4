package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bigledger/bigledger/internal/ledger"
	"github.com/bigledger/bigledger/internal/sales"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

// GET /api/v1/analytics/sales-funnel (seed 000): the period's quotes
// through quoted → sent → accepted → ordered → invoiced → paid with counts,
// values and conversion rates; dateFrom/dateTo/customerId filters; another
// company's data never counted.
func TestSalesFunnel(t *testing.T) {
	e := tk.New(t)
	today := todayKL(t)
	cust := must(t, e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Funnel Co", "email": "f@example.com"}), 201, "customer")
	other := must(t, e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Other Co", "email": "o@example.com"}), 201, "customer")
	newQuote := func(customer map[string]any, date string, valid string) string {
		q := must(t, e.Do(e.A, "POST", "/api/v1/quotes", map[string]any{"customerId": customer["id"], "quoteDate": date, "validUntil": valid,
			"items": []map[string]any{{"description": "Service", "quantity": 1, "unitPrice": 100.00}}}), 201, "quote")
		return q["id"].(string)
	}
	post := func(path string, body any, status int) map[string]any {
		return must(t, e.Do(e.A, "POST", path, body), status, path)
	}
	send := map[string]any{"to": []string{"f@example.com"}}
	valid := plus(today, 30)

	newQuote(cust, today.String(), valid) // open draft
	q2 := newQuote(cust, today.String(), valid)
	post("/api/v1/quotes/"+q2+"/send", send, 200)
	post("/api/v1/quotes/"+q2+"/reject", map[string]any{"reason": "Too expensive"}, 200)
	q3 := newQuote(cust, today.String(), valid)
	post("/api/v1/quotes/"+q3+"/send", send, 200)
	post("/api/v1/quotes/"+q3+"/accept", nil, 200)
	so3 := post("/api/v1/quotes/"+q3+"/convert-to-order", nil, 201)
	inv := post("/api/v1/sales-orders/"+so3["id"].(string)+"/convert-to-invoice", map[string]any{}, 201)
	post("/api/v1/invoices/"+inv["id"].(string)+"/send", send, 200)
	post("/api/v1/invoices/"+inv["id"].(string)+"/payments", map[string]any{"amount": 100.00, "paymentMethod": "bank_transfer"}, 201)
	q4 := newQuote(cust, today.String(), valid)
	post("/api/v1/quotes/"+q4+"/send", send, 200)
	post("/api/v1/quotes/"+q4+"/accept", nil, 200)
	post("/api/v1/quotes/"+q4+"/convert-to-order", nil, 201)
	// A quote made 40 days ago, valid for 30: expired unaccepted.
	real := sales.Clock
	sales.Clock = func() time.Time { return real().AddDate(0, 0, -40) }
	newQuote(cust, plus(today, -40), plus(today, -10))
	sales.Clock = real
	newQuote(other, today.String(), valid) // another customer's open quote

	r := e.Do(e.A, "GET", "/api/v1/analytics/sales-funnel?customerId="+cust["id"].(string), nil)
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Raw)
	}
	want := []struct {
		stage      string
		count      float64
		conv, over float64
	}{
		{"quoted", 5, 100, 100}, {"sent", 3, 60, 60}, {"accepted", 2, 66.67, 40},
		{"ordered", 2, 100, 40}, {"invoiced", 1, 50, 20}, {"paid", 1, 100, 20},
	}
	for i, w := range want {
		st := tk.Get(r.Body, "data", "stages", i).(map[string]any)
		if st["stage"] != w.stage || st["count"] != w.count || st["conversionRate"] != w.conv || st["overallRate"] != w.over {
			t.Errorf("stage %d: %v, want %+v", i, st, w)
		}
	}
	raw := string(r.Raw)
	for _, s := range []string{`"stage":"quoted","count":5,"value":500.00,"conversionRate":100,"overallRate":100`,
		`"stage":"accepted","count":2,"value":200.00,"conversionRate":66.67,"overallRate":40`,
		`"stage":"invoiced","count":1,"value":100.00,"conversionRate":50,"overallRate":20`,
		`"lost":{"rejected":1,"expired":1}`, `"open":1`, `"invoicedAmount":100.00`, `"paidAmount":100.00`, `"paidAmount":100.00,"conversionRate":20}`, `"currency":"MYR"`} {
		if !strings.Contains(raw, s) {
			t.Errorf("funnel lacks %s: %s", s, raw)
		}
	}
	// The whole company, and a period that leaves out the old quote.
	all := e.Do(e.A, "GET", "/v1/analytics/sales-funnel", nil)
	if tk.Get(all.Body, "data", "stages", 0, "count") != float64(6) {
		t.Errorf("all customers: %s", all.Raw)
	}
	recent := e.Do(e.A, "GET", "/api/v1/analytics/sales-funnel?dateFrom="+plus(today, -5)+"&dateTo="+today.String()+"&customerId="+cust["id"].(string), nil)
	if tk.Get(recent.Body, "data", "stages", 0, "count") != float64(4) || tk.Get(recent.Body, "data", "lost", "expired") != float64(0) ||
		tk.Str(recent.Body, "data", "dateFrom") != plus(today, -5) {
		t.Errorf("recent: %s", recent.Raw)
	}
	// Company B: nothing of A's, and A's customer is not B's.
	b := e.Do(e.B, "GET", "/api/v1/analytics/sales-funnel", nil)
	if b.Status != 200 || tk.Get(b.Body, "data", "stages", 0, "count") != float64(0) || tk.Get(b.Body, "data", "stages", 1, "conversionRate") != float64(0) {
		t.Errorf("company B: %s", b.Raw)
	}
	for _, bad := range []struct{ query, field string }{
		{"customerId=" + cust["id"].(string), "customerId"}, // as company B
		{"dateFrom=2024-13-01", "dateFrom"},
		{"dateFrom=2024-02-01&dateTo=2024-01-01", "dateTo"},
		{"from=2024-01-01", "from"},
	} {
		r := e.Do(e.B, "GET", "/api/v1/analytics/sales-funnel?"+bad.query, nil)
		if r.Status != 400 || tk.Str(r.Body, "error", "details", 0, "field") != bad.field {
			t.Errorf("%s: %d %s", bad.query, r.Status, r.Raw)
		}
	}
	if err := ledger.Verify(e.Ctx(e.A)); err != nil {
		t.Fatal(err)
	}
}
