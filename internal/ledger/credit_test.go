package ledger_test

import (
	"strings"
	"sync"
	"testing"

	tk "github.com/bigledger/bigledger/internal/testkit"
)

func issuedFor(t *testing.T, e *tk.Env, tn tk.Tenant, cust, price, due string) string {
	t.Helper()
	r := e.Do(tn, "POST", "/api/v1/invoices", map[string]any{"customerId": cust, "invoiceDate": "2024-01-01", "dueDate": due,
		"items": []map[string]any{{"description": "Goods", "quantity": 1, "unitPrice": price}}})
	id := tk.Str(r.Body, "data", "id")
	if s := e.Do(tn, "POST", "/api/v1/invoices/"+id+"/send", nil); s.Status != 200 {
		t.Fatalf("issue: %s", s.Raw)
	}
	return id
}

func due(t *testing.T, e *tk.Env, id string) string {
	t.Helper()
	r := e.Do(e.A, "GET", "/api/v1/invoices/"+id, nil)
	raw := string(r.Raw)
	i := strings.Index(raw, `"amountDue":`)
	j := strings.IndexAny(raw[i+12:], ",}")
	return raw[i+12 : i+12+j]
}

// Seed 003 pay due: oldest due first, the rest kept as an advance.
func TestPayDueAllocatesOldestFirst(t *testing.T) {
	e := tk.New(t)
	c := e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Due Co", "email": "due@x.co"})
	cust := tk.Str(c.Body, "data", "id")
	i100 := issuedFor(t, e, e.A, cust, "100.00", "2024-01-10")
	i200 := issuedFor(t, e, e.A, cust, "200.00", "2024-01-05")
	i50 := issuedFor(t, e, e.A, cust, "50.00", "2024-02-01")
	r := e.Do(e.A, "POST", "/api/v1/integration/contacts/"+cust+"/payments", map[string]any{"amount": 260, "method": "cash", "paid_on": "2024-02-10", "note": "Counter"})
	if r.Status != 201 || tk.Get(r.Body, "data", "is_advance") != false || tk.Str(r.Body, "data", "payment_type") != "sell" {
		t.Fatalf("pay due: %d %s", r.Status, r.Raw)
	}
	if due(t, e, i200) != "0.00" || due(t, e, i100) != "40.00" || due(t, e, i50) != "50.00" {
		t.Fatalf("after 260: %s %s %s", due(t, e, i200), due(t, e, i100), due(t, e, i50))
	}
	r = e.Do(e.A, "POST", "/api/v1/integration/contacts/"+cust+"/payments", map[string]any{"amount": "200.00", "method": "cheque", "cheque_number": "000777"})
	if r.Status != 201 || tk.Get(r.Body, "data", "is_advance") != true || !strings.Contains(string(r.Raw), `"unapplied_amount":110.00`) {
		t.Fatalf("pay due with advance: %d %s", r.Status, r.Raw)
	}
	if due(t, e, i100) != "0.00" || due(t, e, i50) != "0.00" {
		t.Fatalf("after 200: %s %s", due(t, e, i100), due(t, e, i50))
	}
	list := e.Do(e.A, "GET", "/api/v1/integration/contacts/"+cust+"/payments", nil)
	if tk.Get(list.Body, "data", "summary", "count") != float64(2) || !strings.Contains(string(list.Raw), `"total_paid":460.00`) ||
		tk.Get(list.Body, "data", "summary", "methods_count") != float64(2) || tk.Str(list.Body, "data", "payments", 0, "cheque_number") != "000777" {
		t.Fatalf("contact payments: %s", list.Raw)
	}
	for _, bad := range []map[string]any{{"method": "cash"}, {"amount": 5}, {"amount": 5, "method": "gold"}, {"amount": 5, "method": "cash", "paid_on": "tomorrow"},
		{"amount": 5, "method": "cash", "due_payment_type": "purchase"}, {"amount": -5, "method": "cash"}} {
		if r := e.Do(e.A, "POST", "/api/v1/integration/contacts/"+cust+"/payments", bad); r.Status != 422 {
			t.Errorf("%v: %d %s", bad, r.Status, r.Raw)
		}
	}
	if r := e.Do(e.B, "POST", "/api/v1/integration/contacts/"+cust+"/payments", map[string]any{"amount": 5, "method": "cash"}); r.Status != 404 {
		t.Errorf("B pays A's contact: %d %s", r.Status, r.Raw)
	}
	verify(t, e, e.A)
}

// createPayment then applyPayment, and the limits of applying.
func TestCreateAndApplyPayment(t *testing.T) {
	e := tk.New(t)
	c := e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Credit Co", "email": "cr@x.co"})
	cust := tk.Str(c.Body, "data", "id")
	inv1 := issuedFor(t, e, e.A, cust, "300.00", "2024-03-01")
	inv2 := issuedFor(t, e, e.A, cust, "300.00", "2024-03-02")
	p := e.MustGQL(e.A, `mutation($c: ID!) { createPayment(input: {customerId: $c, amount: "500.00", paymentMethod: bank_transfer}) { id unappliedAmount } }`, map[string]any{"c": cust})
	pay := tk.Str(p, "createPayment", "id")
	if tk.Str(p, "createPayment", "unappliedAmount") != "500.00" {
		t.Fatalf("createPayment: %v", p)
	}
	verify(t, e, e.A)
	// Two applications race for 500.00 of credit, 300.00 each: one wins whole.
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for _, inv := range []string{inv1, inv2} {
		wg.Add(1)
		go func(inv string) {
			defer wg.Done()
			r := e.GQL(e.A, `mutation($p: ID!, $i: ID!) { applyPayment(paymentId: $p, invoiceId: $i, amount: "300.00") { amount payment { unappliedAmount } invoice { amountDue } } }`, map[string]any{"p": pay, "i": inv})
			if len(r.Errors) == 0 {
				mu.Lock()
				ok++
				mu.Unlock()
			} else if r.Errors[0].Code() != "OVERPAYMENT" {
				t.Errorf("apply: %s", r.Raw)
			}
		}(inv)
	}
	wg.Wait()
	if ok != 1 {
		t.Fatalf("%d applications of 300 from 500 succeeded", ok)
	}
	// The default amount is what fits: the remaining 200.
	var other string
	if due(t, e, inv1) == "0.00" {
		other = inv2
	} else {
		other = inv1
	}
	r := e.MustGQL(e.A, `mutation($p: ID!, $i: ID!) { applyPayment(paymentId: $p, invoiceId: $i) { amount payment { unappliedAmount allocations { amount } } } }`, map[string]any{"p": pay, "i": other})
	if tk.Str(r, "applyPayment", "payment", "unappliedAmount") != "0.00" || due(t, e, other) != "100.00" {
		t.Fatalf("apply what fits: %v, due %s", r, due(t, e, other))
	}
	// The answer lists every allocation of the payment, not only this one.
	if allocs := tk.Get(r, "applyPayment", "payment", "allocations").([]any); len(allocs) != 2 {
		t.Fatalf("applyPayment answered %d allocations, the payment has 2: %v", len(allocs), r)
	}
	if g := e.GQL(e.A, `mutation($p: ID!, $i: ID!) { applyPayment(paymentId: $p, invoiceId: $i) { id } }`, map[string]any{"p": pay, "i": other}); len(g.Errors) == 0 {
		t.Fatalf("applying an exhausted payment: %s", g.Raw)
	}
	// Another customer's invoice is refused.
	c2 := e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Other Co", "email": "o@x.co"})
	foreignInv := issuedFor(t, e, e.A, tk.Str(c2.Body, "data", "id"), "10.00", "2024-03-01")
	p2 := e.MustGQL(e.A, `mutation($c: ID!) { createPayment(input: {customerId: $c, amount: "10.00"}) { id } }`, map[string]any{"c": cust})
	if g := e.GQL(e.A, `mutation($p: ID!, $i: ID!) { applyPayment(paymentId: $p, invoiceId: $i) { id } }`, map[string]any{"p": tk.Str(p2, "createPayment", "id"), "i": foreignInv}); len(g.Errors) == 0 {
		t.Fatalf("apply to another customer's invoice: %s", g.Raw)
	}
	verify(t, e, e.A)
	// Voiding the payment reverses the receipt and both applications.
	e.MustGQL(e.A, `mutation($p: ID!) { voidPayment(id: $p, reason: "Bounced") { status } }`, map[string]any{"p": pay})
	if due(t, e, inv1) != "300.00" || due(t, e, inv2) != "300.00" {
		t.Fatalf("after void: %s %s", due(t, e, inv1), due(t, e, inv2))
	}
	verify(t, e, e.A)
	if g := e.GQL(e.B, `mutation($c: ID!) { createPayment(input: {customerId: $c, amount: "1.00"}) { id } }`, map[string]any{"c": cust}); len(g.Errors) == 0 || g.Errors[0].Code() != "CUSTOMER_NOT_FOUND" {
		t.Fatalf("B pays into A's customer: %s", g.Raw)
	}
}
