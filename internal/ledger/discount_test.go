package ledger_test

import (
	"strings"
	"testing"

	"github.com/bigledger/bigledger/ent/journalentry"
	"github.com/bigledger/bigledger/internal/store"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

func TestLedgerDiscounts(t *testing.T) {
	e := tk.New(t)
	c := e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Disc Co", "email": "d@x.co"})
	cust := tk.Str(c.Body, "data", "id")
	issuedFor(t, e, e.A, cust, "500.00", "2024-03-01")
	r := e.Do(e.A, "POST", "/api/v1/integration/ledger-discounts", map[string]any{"contact_id": cust, "date": "2024-03-05", "amount": 20, "note": "Loyalty"})
	if r.Status != 201 || tk.Str(r.Body, "data", "sub_type") != "sell_discount" || tk.Str(r.Body, "data", "contact_name") != "Disc Co" {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	id := tk.Str(r.Body, "data", "id")
	balance := func() string {
		b := e.Do(e.A, "GET", "/api/v1/integration/contacts/"+cust+"/balance", nil)
		raw := string(b.Raw)
		i := strings.Index(raw, `"due":`)
		return raw[i+6 : i+6+strings.IndexAny(raw[i+6:], ",}")]
	}
	if balance() != "480.00" {
		t.Fatalf("balance after discount: %s", balance())
	}
	// Editing reverses and re-posts; nothing posted changes.
	if r := e.Do(e.A, "PATCH", "/api/v1/integration/ledger-discounts/"+id, map[string]any{"date": "2024-03-06", "amount": 35}); r.Status != 200 || !strings.Contains(string(r.Raw), `"amount":35.00`) {
		t.Fatalf("update: %d %s", r.Status, r.Raw)
	}
	if balance() != "465.00" {
		t.Fatalf("balance after edit: %s", balance())
	}
	ctx := e.Ctx(e.A)
	n := store.Client(ctx).JournalEntry.Query().Where(journalentry.SourceTypeEQ(journalentry.SourceTypeLedgerDiscount)).CountX(ctx)
	revs := store.Client(ctx).JournalEntry.Query().Where(journalentry.SourceTypeEQ(journalentry.SourceTypeReversal)).CountX(ctx)
	if n != 2 || revs != 1 {
		t.Fatalf("%d discount postings, %d reversals", n, revs)
	}
	list := e.Do(e.A, "GET", "/api/v1/integration/contacts/"+cust+"/ledger-discounts", nil)
	if len(list.Body["data"].([]any)) != 1 {
		t.Fatalf("list: %s", list.Raw)
	}
	for _, bad := range []map[string]any{{"contact_id": cust, "date": "2024-03-05"}, {"contact_id": cust, "date": "2024-03-05", "amount": -1},
		{"contact_id": cust, "amount": 5}, {"contact_id": cust, "date": "2024-03-05", "amount": 5, "sub_type": "purchase_discount"}} {
		if r := e.Do(e.A, "POST", "/api/v1/integration/ledger-discounts", bad); r.Status != 422 || len(r.Body["errors"].(map[string]any)) == 0 {
			t.Errorf("%v: %d %s", bad, r.Status, r.Raw)
		}
	}
	if r := e.Do(e.B, "GET", "/api/v1/integration/ledger-discounts/"+id, nil); r.Status != 404 {
		t.Fatalf("B reads A's discount: %d", r.Status)
	}
	if r := e.Do(e.B, "POST", "/api/v1/integration/ledger-discounts", map[string]any{"contact_id": cust, "date": "2024-03-05", "amount": 1}); r.Status != 404 {
		t.Fatalf("B discounts A's customer: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(e.A, "DELETE", "/api/v1/integration/ledger-discounts/"+id, nil); r.Status != 200 {
		t.Fatalf("delete: %d %s", r.Status, r.Raw)
	}
	if balance() != "500.00" {
		t.Fatalf("balance after delete: %s", balance())
	}
	if r := e.Do(e.A, "GET", "/api/v1/integration/ledger-discounts/"+id, nil); r.Status != 404 {
		t.Fatalf("deleted discount: %d", r.Status)
	}
	verify(t, e, e.A)
}
