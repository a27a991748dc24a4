package ledger_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bigledger/bigledger/ent/schema/types"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

func TestCustomerSummary(t *testing.T) {
	e := tk.New(t)
	today := types.DateOf(time.Now().In(mustLoc(t)))
	day := func(n int) string { return types.DateOf(today.Time().AddDate(0, 0, n)).String() }
	c := e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Summary Co", "email": "s@x.co", "creditLimit": 1000})
	cust := tk.Str(c.Body, "data", "id")
	mk := func(date, due string, lines ...map[string]any) string {
		r := e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": cust, "invoiceDate": date, "dueDate": due, "items": lines})
		id := tk.Str(r.Body, "data", "id")
		e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/send", nil)
		return id
	}
	widget := map[string]any{"description": "Widget", "quantity": 10, "unitPrice": 20}
	service := map[string]any{"description": "Service", "quantity": 1, "unitPrice": 450}
	a := mk(day(-150), day(-120), widget)                                                         // 200, paid late
	b := mk(day(-60), day(-30), widget, service)                                                  // 650, paid on time
	mk(day(-5), day(25), map[string]any{"description": "Widget", "quantity": 5, "unitPrice": 20}) // 100, open
	e.Do(e.A, "POST", "/api/v1/invoices/"+a+"/payments", map[string]any{"amount": 200, "paymentDate": day(-100)})
	e.Do(e.A, "POST", "/api/v1/invoices/"+b+"/payments", map[string]any{"amount": 650, "paymentDate": day(-40)})
	r := e.Do(e.A, "GET", "/api/v1/customers/"+cust+"/summary", nil)
	raw := string(r.Raw)
	for _, want := range []string{`"totalSales":950.00`, `"totalInvoices":3`, `"averageOrderValue":316.67`, `"currentBalance":100.00`,
		`"creditUtilization":10`, `"onTimePayments":1`, `"latePayments":1`, `"averagePaymentDays":35`, `"daysSinceLastOrder":5`, `"orderFrequency":"quarterly"`} {
		if !strings.Contains(raw, want) {
			t.Errorf("summary lacks %s: %s", want, raw)
		}
	}
	if tk.Str(r.Body, "data", "topProducts", 0, "description") != "Widget" || tk.Str(r.Body, "data", "topProducts", 1, "description") != "Service" ||
		!strings.Contains(raw, `"quantityOrdered":25`) || !strings.Contains(raw, `"salesGrowth":`) {
		t.Errorf("top products: %s", raw)
	}
	g := e.MustGQL(e.A, `query($c: ID!) { customerSummary(customerId: $c) }`, map[string]any{"c": cust})
	if tk.Get(g, "customerSummary", "summary", "totalInvoices") != float64(3) {
		t.Fatalf("GraphQL summary: %v", g)
	}
	if r := e.Do(e.B, "GET", "/api/v1/customers/"+cust+"/summary", nil); r.Status != 404 {
		t.Fatalf("B reads A's summary: %d", r.Status)
	}
}
