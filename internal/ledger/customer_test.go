package ledger_test

import (
	"strings"
	"testing"

	tk "github.com/bigledger/bigledger/internal/testkit"
)

func TestCustomerOpeningBalanceAndLedger(t *testing.T) {
	e := tk.New(t)
	c := e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Ledger Co", "email": "l@x.co"})
	cust := tk.Str(c.Body, "data", "id")
	ob := e.MustGQL(e.A, `mutation($c: ID!) { setCustomerOpeningBalance(customerId: $c, amount: "500.00", date: "2024-01-01") { openingBalance currentBalance } }`, map[string]any{"c": cust})
	if tk.Str(ob, "setCustomerOpeningBalance", "currentBalance") != "500.00" {
		t.Fatalf("opening balance: %v", ob)
	}
	// Changing it reverses and re-posts.
	ob = e.MustGQL(e.A, `mutation($c: ID!) { setCustomerOpeningBalance(customerId: $c, amount: "300.00", date: "2024-01-01") { openingBalance currentBalance } }`, map[string]any{"c": cust})
	if tk.Str(ob, "setCustomerOpeningBalance", "currentBalance") != "300.00" || tk.Str(ob, "setCustomerOpeningBalance", "openingBalance") != "300.00" {
		t.Fatalf("changed opening balance: %v", ob)
	}
	r := e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": cust, "invoiceDate": "2024-02-01", "items": []map[string]any{{"description": "X", "quantity": 1, "unitPrice": 200}}})
	inv := tk.Str(r.Body, "data", "id")
	e.Do(e.A, "POST", "/api/v1/invoices/"+inv+"/send", nil)
	e.Do(e.A, "POST", "/api/v1/invoices/"+inv+"/payments", map[string]any{"amount": 150, "paymentDate": "2024-02-10"})

	bal := e.Do(e.A, "GET", "/api/v1/integration/contacts/"+cust+"/balance", nil)
	if !strings.Contains(string(bal.Raw), `"due":350.00`) || tk.Str(bal.Body, "data", "due_formatted") != "MYR 350.00" {
		t.Fatalf("balance: %s", bal.Raw)
	}
	obr := e.Do(e.A, "GET", "/api/v1/integration/contacts/"+cust+"/opening-balance", nil)
	if tk.Get(obr.Body, "data", "has_opening_balance") != true || !strings.Contains(string(obr.Raw), `"final_total":300.00`) {
		t.Fatalf("opening balance lookup: %s", obr.Raw)
	}
	led := e.Do(e.A, "GET", "/api/v1/integration/contacts/"+cust+"/ledger?start_date=2024-01-15&end_date=2024-12-31&format=format_2", nil)
	raw := string(led.Raw)
	for _, want := range []string{`"beginning_balance":300.00`, `"total_invoice":200.00`, `"total_paid":150.00`, `"balance_due":350.00`,
		`"balance":"MYR 500.00"`, `"type":"Sell"`, `"type":"Payment"`, `"final_total":200.00`, `"total_due":50.00`, `"all_total_invoice":500.00`} {
		if !strings.Contains(raw, want) {
			t.Errorf("ledger lacks %s: %s", want, raw)
		}
	}
	if q := e.Do(e.A, "GET", "/api/v1/integration/contacts/"+cust+"/ledger?q=payment", nil); len(tk.Get(q.Body, "data", "lines").([]any)) != 1 {
		t.Errorf("ledger q: %s", q.Raw)
	}
	g := e.MustGQL(e.A, `query($c: ID!) { customer(id: $c) { ledger { openingBalance closingBalance totalInvoiced totalPaid ledgerDiscount lines { sourceType debit credit runningBalance } } } }`, map[string]any{"c": cust})
	if tk.Str(g, "customer", "ledger", "closingBalance") != "350.00" || len(tk.Get(g, "customer", "ledger", "lines").([]any)) != 5 ||
		tk.Str(g, "customer", "ledger", "totalInvoiced") != "500.00" || tk.Str(g, "customer", "ledger", "totalPaid") != "150.00" {
		t.Fatalf("GraphQL ledger: %v", g)
	}
	for _, q := range []string{"start_date=2024-01-01", "start_date=2024-13-01&end_date=2024-12-31", "start_date=2024-05-01&end_date=2024-01-01", "q=x", "format=format_9"} {
		if r := e.Do(e.A, "GET", "/api/v1/integration/contacts/"+cust+"/ledger?"+q, nil); r.Status != 422 {
			t.Errorf("%s: %d %s", q, r.Status, r.Raw)
		}
	}
	if g := e.GQL(e.A, `mutation($c: ID!) { setCustomerOpeningBalance(customerId: $c, amount: "-5") { id } }`, map[string]any{"c": cust}); len(g.Errors) == 0 {
		t.Fatalf("negative opening balance accepted")
	}
	// Another company sees none of it; a customer with ledger history stays.
	if r := e.Do(e.B, "GET", "/api/v1/integration/contacts/"+cust+"/ledger", nil); r.Status != 404 {
		t.Fatalf("B reads A's ledger: %d", r.Status)
	}
	if g := e.GQL(e.B, `mutation($c: ID!) { setCustomerOpeningBalance(customerId: $c, amount: "1") { id } }`, map[string]any{"c": cust}); len(g.Errors) == 0 || g.Errors[0].Code() != "CUSTOMER_NOT_FOUND" {
		t.Fatalf("B sets A's opening balance: %s", g.Raw)
	}
	if r := e.Do(e.A, "DELETE", "/api/v1/customers/"+cust, nil); r.Status != 409 {
		t.Fatalf("delete a customer with history: %d %s", r.Status, r.Raw)
	}
	verify(t, e, e.A)
}
