package ledger_test

import (
	"testing"

	"github.com/bigledger/bigledger/internal/ledger"
	"github.com/bigledger/bigledger/internal/store"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

// Every keyed ledger write answers a replay with the first request's
// resource and one effect, and refuses the key with another request.
func TestIdempotentLedgerWrites(t *testing.T) {
	e := tk.New(t)
	ctx := e.Ctx(e.A)
	c := e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Keyed", "email": "k@x.co"})
	cust := tk.Str(c.Body, "data", "id")
	issuedFor(t, e, e.A, cust, "300.00", "2024-01-10")
	accts, _ := ledger.SystemAccounts(ctx, store.Client(ctx))
	bank := string(accts[ledger.RoleBank].ID)
	rent := tk.Str(e.Do(e.A, "POST", "/api/v1/accounts", map[string]any{"code": "6100", "name": "Rent", "type": "expense"}).Body, "data", "id")

	type call struct {
		name, path    string
		body, another map[string]any
	}
	for _, w := range []call{
		{"journal entry", "/api/v1/journal-entries",
			map[string]any{"lines": []map[string]any{{"account_id": rent, "debit": 70}, {"account_id": bank, "credit": 70}}},
			map[string]any{"lines": []map[string]any{{"account_id": rent, "debit": 71}, {"account_id": bank, "credit": 71}}}},
		{"pay due", "/api/v1/integration/contacts/" + cust + "/payments",
			map[string]any{"amount": 100, "method": "cash"}, map[string]any{"amount": 101, "method": "cash"}},
		{"ledger discount", "/api/v1/integration/ledger-discounts",
			map[string]any{"contact_id": cust, "date": "2024-01-11", "amount": 10},
			map[string]any{"contact_id": cust, "date": "2024-01-11", "amount": 11}},
	} {
		first := e.Do(e.A, "POST", w.path, w.body, "Idempotency-Key", "key-"+w.name)
		again := e.Do(e.A, "POST", w.path, w.body, "Idempotency-Key", "key-"+w.name)
		if first.Status != 201 || again.Status/100 != 2 || tk.Str(first.Body, "data", "id") != tk.Str(again.Body, "data", "id") {
			t.Fatalf("%s replay: %d %s / %d %s", w.name, first.Status, first.Raw, again.Status, again.Raw)
		}
		if r := e.Do(e.A, "POST", w.path, w.another, "Idempotency-Key", "key-"+w.name); r.Status != 422 || tk.Str(r.Body, "error", "code") != "IDEMPOTENCY_KEY_REUSED" {
			t.Fatalf("%s key with another body: %d %s", w.name, r.Status, r.Raw)
		}
	}
	cl := store.Client(ctx)
	if n := cl.JournalEntry.Query().CountX(ctx); n != 4 { // invoice, entry, payment, discount
		t.Fatalf("%d journal entries, want 4", n)
	}
	if n := cl.LedgerDiscount.Query().CountX(ctx); n != 1 {
		t.Fatalf("%d discounts, want 1", n)
	}

	// GraphQL: createPayment, voidPayment and reverseJournalEntry replayed
	// within one document.
	g := e.MustGQL(e.A, `mutation($c: ID!) {
		a: createPayment(input: {customerId: $c, amount: "5.00"}, idempotencyKey: "cp-1") { id }
		b: createPayment(input: {customerId: $c, amount: "5.00"}, idempotencyKey: "cp-1") { id } }`, map[string]any{"c": cust})
	pay := tk.Str(g, "a", "id")
	if pay == "" || pay != tk.Str(g, "b", "id") {
		t.Fatalf("createPayment replay: %v", g)
	}
	g = e.MustGQL(e.A, `mutation($p: ID!) {
		a: voidPayment(id: $p, reason: "dup", idempotencyKey: "vp-1") { status }
		b: voidPayment(id: $p, reason: "dup", idempotencyKey: "vp-1") { status } }`, map[string]any{"p": pay})
	if tk.Str(g, "a", "status") != "void" || tk.Str(g, "b", "status") != "void" {
		t.Fatalf("voidPayment replay: %v", g)
	}
	je := e.Do(e.A, "POST", "/api/v1/journal-entries", map[string]any{"lines": []map[string]any{{"account_id": rent, "debit": 3}, {"account_id": bank, "credit": 3}}})
	g = e.MustGQL(e.A, `mutation($id: ID!) {
		a: reverseJournalEntry(id: $id, reason: "typo", idempotencyKey: "rj-1") { id }
		b: reverseJournalEntry(id: $id, reason: "typo", idempotencyKey: "rj-1") { id } }`, map[string]any{"id": tk.Str(je.Body, "data", "id")})
	if tk.Str(g, "a", "id") == "" || tk.Str(g, "a", "id") != tk.Str(g, "b", "id") {
		t.Fatalf("reverseJournalEntry replay: %v", g)
	}
	if r := e.GQL(e.A, `mutation($id: ID!) { reverseJournalEntry(id: $id, reason: "other", idempotencyKey: "rj-1") { id } }`, map[string]any{"id": tk.Str(je.Body, "data", "id")}); len(r.Errors) == 0 || r.Errors[0].Code() != "IDEMPOTENCY_KEY_REUSED" {
		t.Fatalf("reverse key with another reason: %+v", r)
	}
	verify(t, e, e.A)
}
