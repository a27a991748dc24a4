package ledger_test

import (
	"strings"
	"sync"
	"testing"

	tk "github.com/bigledger/bigledger/internal/testkit"
)

// Concurrent pay-dues never apply more than is due; the rest is credit.
func TestConcurrentPayDue(t *testing.T) {
	e := tk.New(t)
	c := e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Race Due", "email": "rd@x.co"})
	cust := tk.Str(c.Body, "data", "id")
	i1 := issuedFor(t, e, e.A, cust, "100.00", "2024-01-10")
	i2 := issuedFor(t, e, e.A, cust, "150.00", "2024-01-20")
	var wg sync.WaitGroup
	var mu sync.Mutex
	advances := 0
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.Do(e.A, "POST", "/api/v1/integration/contacts/"+cust+"/payments", map[string]any{"amount": 100, "method": "cash"})
			if r.Status != 201 {
				t.Errorf("pay due: %d %s", r.Status, r.Raw)
				return
			}
			if tk.Get(r.Body, "data", "is_advance") == true {
				mu.Lock()
				advances++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if due(t, e, i1) != "0.00" || due(t, e, i2) != "0.00" {
		t.Fatalf("dues: %s %s", due(t, e, i1), due(t, e, i2))
	}
	// 500 paid, 250 due: 250 is credit; the balance sheet shows it as such.
	bs := e.Do(e.A, "GET", "/v1/reports/balance-sheet", nil)
	if !strings.Contains(string(bs.Raw), `"totalLiabilities":250.00`) || advances < 3 {
		t.Fatalf("credits: %d advances, %s", advances, bs.Raw)
	}
	verify(t, e, e.A)
}

// Racing deletes of one ledger discount reverse it once.
func TestConcurrentDiscountDelete(t *testing.T) {
	e := tk.New(t)
	c := e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Disc Race", "email": "dr@x.co"})
	cust := tk.Str(c.Body, "data", "id")
	issuedFor(t, e, e.A, cust, "90.00", "2024-01-10")
	r := e.Do(e.A, "POST", "/api/v1/integration/ledger-discounts", map[string]any{"contact_id": cust, "date": "2024-01-11", "amount": 10})
	id := tk.Str(r.Body, "data", "id")
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := e.Do(e.A, "DELETE", "/api/v1/integration/ledger-discounts/"+id, nil); r.Status == 200 {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if ok != 1 {
		t.Fatalf("%d deletes succeeded", ok)
	}
	verify(t, e, e.A)
}

func TestLedgerBadInputAndForeignWrites(t *testing.T) {
	e := tk.New(t)
	for _, q := range []string{
		`mutation { createAccount(input: {code: "bad code!", name: "X", type: asset}) { id } }`,
		`mutation { createAccount(input: {code: "7000", name: "", type: expense}) { id } }`,
		`mutation { createAccount(input: {code: "7001", name: "X", type: asset, openingBalance: "1.005"}) { id } }`,
		`mutation { createAccount(input: {code: "7002", name: "X", type: gadget}) { id } }`,
	} {
		if r := e.GQL(e.A, q, nil); len(r.Errors) == 0 {
			t.Errorf("accepted: %s", q)
		}
	}
	acc := e.MustGQL(e.A, `mutation { createAccount(input: {code: "7100", name: "Travel", type: expense}) { id } }`, nil)
	id := tk.Str(acc, "createAccount", "id")
	for _, q := range []string{
		`mutation($id: ID!) { updateAccount(id: $id, input: {name: " "}) { id } }`,
		`mutation($id: ID!) { updateAccount(id: $id, input: {code: "x y"}) { id } }`,
	} {
		if r := e.GQL(e.A, q, map[string]any{"id": id}); len(r.Errors) == 0 || r.Errors[0].Code() != "INVALID_ACCOUNT_DATA" {
			t.Errorf("%s: %s", q, r.Raw)
		}
	}
	if r := e.MustGQL(e.A, `mutation($id: ID!) { updateAccount(id: $id, input: {name: "Travel & meals", active: false}) { name active } }`, map[string]any{"id": id}); tk.Get(r, "updateAccount", "active") != false {
		t.Fatalf("update: %v", r)
	}
	// B can touch none of A's money rows.
	c := e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Mine", "email": "m@x.co"})
	cust := tk.Str(c.Body, "data", "id")
	inv := issuedFor(t, e, e.A, cust, "40.00", "2024-01-10")
	p := e.MustGQL(e.A, `mutation($c: ID!) { createPayment(input: {customerId: $c, amount: "40.00"}) { id } }`, map[string]any{"c": cust})
	pay := tk.Str(p, "createPayment", "id")
	je := e.Do(e.A, "POST", "/api/v1/journal-entries", map[string]any{"lines": []map[string]any{{"account_id": id, "debit": 1}, {"account_id": id, "credit": 1}}})
	if je.Status != 400 { // an inactive account takes no postings
		t.Fatalf("posting to an inactive account: %d %s", je.Status, je.Raw)
	}
	for _, q := range []struct {
		query string
		vars  map[string]any
	}{
		{`mutation($p: ID!, $i: ID!) { applyPayment(paymentId: $p, invoiceId: $i) { id } }`, map[string]any{"p": pay, "i": inv}},
		{`mutation($id: ID!) { updateAccount(id: $id, input: {name: "Hijacked"}) { id } }`, map[string]any{"id": id}},
		{`mutation($id: ID!) { deleteAccount(id: $id) { deletedId } }`, map[string]any{"id": id}},
		{`query($id: ID!) { payment(id: $id) { id } }`, map[string]any{"id": pay}},
		{`mutation($id: ID!) { recordPayment(invoiceId: $id, input: {amount: "1.00"}) { id } }`, map[string]any{"id": inv}},
	} {
		if r := e.GQL(e.B, q.query, q.vars); len(r.Errors) == 0 || !strings.HasSuffix(r.Errors[0].Code(), "NOT_FOUND") {
			t.Errorf("B: %s → %s", q.query, r.Raw)
		}
	}
	if due(t, e, inv) != "40.00" {
		t.Fatalf("A's invoice changed: %s", due(t, e, inv))
	}
	verify(t, e, e.A)
	verify(t, e, e.B)
}
