package ledger_test

import (
	"strings"
	"testing"

	"github.com/bigledger/bigledger/internal/ledger"
	"github.com/bigledger/bigledger/internal/store"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

func TestAccountsAndManualJournalEntries(t *testing.T) {
	e := tk.New(t)
	// Seed 004: create an account with an opening balance.
	r := e.Do(e.A, "POST", "/api/v1/accounts", map[string]any{"code": "1001", "name": "Petty Cash", "type": "asset", "subtype": "current_asset",
		"opening_balance": 1000.00, "description": "Petty cash fund"})
	if r.Status != 201 || !strings.Contains(string(r.Raw), `"balance":1000.00`) || tk.Str(r.Body, "data", "normal_balance") != "debit" {
		t.Fatalf("create account: %d %s", r.Status, r.Raw)
	}
	petty := tk.Str(r.Body, "data", "id")
	rent := e.Do(e.A, "POST", "/api/v1/accounts", map[string]any{"code": "6100", "name": "Rent Expense", "type": "expense"})
	rentID := tk.Str(rent.Body, "data", "id")
	// Seed 004: the rent journal entry.
	je := e.Do(e.A, "POST", "/api/v1/journal-entries", map[string]any{"date": "2024-01-15", "reference": "JE-2024-001", "description": "Monthly rent payment",
		"lines": []map[string]any{
			{"account_id": rentID, "debit": 500.00, "credit": 0, "description": "Rent expense"},
			{"account_id": petty, "debit": 0, "credit": 500.00, "description": "Cash payment"}}})
	if je.Status != 201 || tk.Get(je.Body, "data", "is_balanced") != true || !strings.Contains(string(je.Raw), `"total_debit":500.00`) ||
		tk.Str(je.Body, "data", "lines", 0, "account", "code") != "6100" || !strings.HasPrefix(tk.Str(je.Body, "data", "number"), "JE-2024-") {
		t.Fatalf("journal entry: %d %s", je.Status, je.Raw)
	}
	paged := e.Do(e.A, "GET", "/api/v1/accounts?page=2&limit=5&type=asset", nil)
	if paged.Status != 200 || tk.Get(paged.Body, "pagination", "page") != float64(2) || tk.Get(paged.Body, "pagination", "total") != float64(4) ||
		len(paged.Body["data"].([]any)) != 0 {
		t.Fatalf("paged accounts: %s", paged.Raw)
	}
	if p1 := e.Do(e.A, "GET", "/api/v1/accounts?page=1&limit=3&status=active", nil); tk.Get(p1.Body, "pagination", "pages") != float64(4) || len(p1.Body["data"].([]any)) != 3 {
		t.Fatalf("page 1: %s", p1.Raw)
	}
	list := e.Do(e.A, "GET", "/api/v1/accounts?search=petty", nil)
	if !strings.Contains(string(list.Raw), `"balance":500.00`) {
		t.Fatalf("petty cash after rent: %s", list.Raw)
	}
	for _, bad := range []struct {
		body  map[string]any
		code  string
		field string
	}{
		// Seed 004's route: its generic code, the specific problem in the
		// message and details.
		{map[string]any{"lines": []map[string]any{{"account_id": rentID, "debit": 10}, {"account_id": petty, "credit": 9}}}, "VALIDATION_ERROR", "lines"},
		{map[string]any{"lines": []map[string]any{{"account_id": rentID, "debit": 10}}}, "VALIDATION_ERROR", "lines"},
		{map[string]any{"lines": []map[string]any{{"debit": 10}, {"account_id": petty, "credit": 10}}}, "VALIDATION_ERROR", "lines[0].account_id"},
		{map[string]any{"lines": []map[string]any{{"account_id": rentID, "debit": "1e3"}, {"account_id": petty, "credit": 1000}}}, "VALIDATION_ERROR", "lines[0].debit"},
	} {
		r := e.Do(e.A, "POST", "/api/v1/journal-entries", bad.body)
		if r.Status != 400 || tk.Str(r.Body, "error", "code") != bad.code || !strings.Contains(string(r.Raw), `"field":"`+bad.field+`"`) {
			t.Errorf("%v: %d %s", bad.body, r.Status, r.Raw)
		}
	}
	// A receivable line must name its customer.
	accts, _ := ledger.SystemAccounts(e.Ctx(e.A), store.Client(e.Ctx(e.A)))
	ar := string(accts[ledger.RoleAccountsReceivable].ID)
	if r := e.Do(e.A, "POST", "/api/v1/journal-entries", map[string]any{"lines": []map[string]any{{"account_id": ar, "debit": 5}, {"account_id": petty, "credit": 5}}}); r.Status != 400 {
		t.Errorf("AR line without customer: %d %s", r.Status, r.Raw)
	}
	// Reversal: once, manual entries only.
	jeID := tk.Str(je.Body, "data", "id")
	rev := e.MustGQL(e.A, `mutation($id: ID!) { reverseJournalEntry(id: $id, reason: "Wrong month") { number totalDebit isBalanced sourceType } }`, map[string]any{"id": jeID})
	if tk.Str(rev, "reverseJournalEntry", "sourceType") != "reversal" || tk.Get(rev, "reverseJournalEntry", "isBalanced") != true {
		t.Fatalf("reversal: %v", rev)
	}
	if g := e.GQL(e.A, `mutation($id: ID!) { reverseJournalEntry(id: $id) { id } }`, map[string]any{"id": jeID}); len(g.Errors) == 0 || g.Errors[0].Code() != ledger.CodeAlreadyReversed {
		t.Fatalf("second reversal: %s", g.Raw)
	}
	// GraphQL: accounts with balances cost one balance query per page.
	q := `{ accounts(first: 50, orderBy: {field: CODE}) { totalCount edges { node { code balance normalBalance } } } }`
	e.MustGQL(e.A, q, nil)
	n := e.CountQueries(func() {
		d := e.MustGQL(e.A, q, nil)
		if tk.Str(d, "accounts", "edges", 1, "node", "code") != "1001" || tk.Str(d, "accounts", "edges", 1, "node", "balance") != "1000.00" {
			t.Fatalf("accounts: %v", d)
		}
	})
	if n > 5 {
		t.Fatalf("accounts page cost %d statements", n)
	}
	// Deleting: refused for system accounts and accounts with entries.
	for _, id := range []string{ar, petty} {
		if g := e.GQL(e.A, `mutation($id: ID!) { deleteAccount(id: $id) { deletedId } }`, map[string]any{"id": id}); len(g.Errors) == 0 || g.Errors[0].Code() != ledger.CodeAccountInUse {
			t.Errorf("delete %s: %s", id, g.Raw)
		}
	}
	spare := e.MustGQL(e.A, `mutation { createAccount(input: {code: "6999", name: "Spare", type: expense}) { id } }`, nil)
	if d := e.MustGQL(e.A, `mutation($id: ID!) { deleteAccount(id: $id) { deletedId } }`, map[string]any{"id": tk.Str(spare, "createAccount", "id")}); tk.Str(d, "deleteAccount", "deletedId") == "" {
		t.Fatalf("delete unused: %v", d)
	}
	if r := e.Do(e.A, "POST", "/api/v1/accounts", map[string]any{"code": "6100", "name": "Dup", "type": "expense"}); r.Status != 400 || tk.Str(r.Body, "error", "details", 0, "field") != "code" {
		t.Fatalf("duplicate code: %d %s", r.Status, r.Raw)
	}
	// Another company's accounts are not there.
	if r := e.Do(e.B, "POST", "/api/v1/journal-entries", map[string]any{"lines": []map[string]any{{"account_id": rentID, "debit": 1}, {"account_id": petty, "credit": 1}}}); r.Status != 400 ||
		!strings.Contains(string(r.Raw), "accountId") {
		t.Fatalf("B posts to A's accounts: %d %s", r.Status, r.Raw)
	}
	if g := e.GQL(e.B, `query($id: ID!) { account(id: $id) { id } }`, map[string]any{"id": petty}); len(g.Errors) == 0 || g.Errors[0].Code() != ledger.CodeAccountNotFound {
		t.Fatalf("B reads A's account: %s", g.Raw)
	}
	if r := e.Do(e.B, "GET", "/api/v1/accounts?search=petty", nil); tk.Get(r.Body, "pagination", "total") != float64(0) {
		t.Fatalf("B lists A's accounts: %s", r.Raw)
	}
	verify(t, e, e.A)
	verify(t, e, e.B)
}
