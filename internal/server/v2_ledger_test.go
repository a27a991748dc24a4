package server_test

import (
	"fmt"
	"sync"
	"testing"

	tk "github.com/bigledger/bigledger/internal/testkit"
)

// accountIDByCode finds one of tn's accounts by its code.
func accountIDByCode(t *testing.T, e *tk.Env, tn tk.Tenant, code string) string {
	t.Helper()
	var id string
	if err := e.DB.QueryRow(`SELECT id FROM accounts WHERE company_id = $1 AND code = $2`, tn.CompanyID, code).Scan(&id); err != nil {
		t.Fatalf("account %s: %v", code, err)
	}
	return id
}

// Seed 002 Transactions: Record Transaction with the document's body (its
// ids replaced by real accounts), Income and Expense posting balanced
// entries, List Transactions with each documented filter, payments
// received showing as Income, and bad input named by field.
func TestV2TransactionsSeed002(t *testing.T) {
	e := tk.New(t)
	bank, cash, sales := accountIDByCode(t, e, e.A, "1010"), accountIDByCode(t, e, e.A, "1000"), accountIDByCode(t, e, e.A, "4000")
	rent := tk.Str(must(t, e.Do(e.A, "POST", "/api/v1/accounts", map[string]any{"code": "6100", "name": "Rent", "type": "expense"}), 201, "expense account"), "id")

	in := v2data(t, e.Do(e.A, "POST", "/api/v2/transactions", map[string]any{"type": "Income", "account_id": bank, "amount": 1500.00,
		"category_id": sales, "description": "Website Development Payment", "date": "2024-01-15"}), 201)
	for k, v := range map[string]any{"type": "Income", "account_id": bank, "amount": 1500.0, "category_id": sales, "description": "Website Development Payment",
		"date": "2024-01-15", "source": "manual", "account_name": "Bank", "category_name": "Sales"} {
		if in[k] != v {
			t.Errorf("income %s = %v, want %v", k, in[k], v)
		}
	}
	out := v2data(t, e.Do(e.A, "POST", "/api/v2/transactions", map[string]any{"type": "expense", "account_id": cash, "amount": "250.40",
		"category_id": rent, "description": "January rent", "date": "2024-01-31"}), 201)
	if out["type"] != "Expense" || out["amount"] != 250.4 || out["category_id"] != rent {
		t.Fatalf("expense: %v", out)
	}
	// The entries are balanced and move the balances.
	if b := must(t, e.Do(e.A, "GET", "/api/v1/accounts/"+bank, nil), 200, "bank"); b["balance"] != 1500.0 {
		t.Fatalf("bank balance %v", b["balance"])
	}
	if c := must(t, e.Do(e.A, "GET", "/api/v1/accounts/"+cash, nil), 200, "cash"); c["balance"] != -250.4 {
		t.Fatalf("cash balance %v", c["balance"])
	}
	var unbalanced int
	if err := e.DB.QueryRow(`SELECT count(*) FROM (SELECT journal_entry_id FROM ledger_entries WHERE company_id = $1 GROUP BY 1 HAVING sum(debit) <> sum(credit)) x`, e.A.CompanyID).Scan(&unbalanced); err != nil || unbalanced != 0 {
		t.Fatalf("unbalanced entries: %d %v", unbalanced, err)
	}
	// A payment received is Income on its deposit account, against receivables.
	cust := tk.Str(v2data(t, e.Do(e.A, "POST", "/api/v2/customers", map[string]any{"account": "Payer", "email": "p@example.com"}), 201), "id")
	inv := tk.Str(v2data(t, e.Do(e.A, "POST", "/api/v2/invoices", map[string]any{"customer_id": cust, "date": "2024-02-01",
		"items": []any{map[string]any{"description": "Work", "amount": 300}}}), 201), "id")
	if r := e.Do(e.A, "POST", "/api/v1/invoices/"+inv+"/payments", map[string]any{"amount": 300, "paymentDate": "2024-02-05", "paymentMethod": "bank_transfer", "accountId": bank}); r.Status != 201 {
		t.Fatalf("payment: %d %s", r.Status, r.Raw)
	}
	list := func(q string) []map[string]any {
		t.Helper()
		r := e.Do(e.A, "GET", "/api/v2/transactions"+q, nil)
		if r.Status != 200 {
			t.Fatalf("list %s: %d %s", q, r.Status, r.Raw)
		}
		var outs []map[string]any
		for _, x := range r.Body["data"].([]any) {
			outs = append(outs, x.(map[string]any))
		}
		return outs
	}
	all := list("")
	if len(all) != 3 || all[0]["source"] != "payment" || all[0]["type"] != "Income" || all[0]["amount"] != 300.0 ||
		all[0]["category_id"] != accountIDByCode(t, e, e.A, "1100") || all[1]["type"] != "Expense" || all[2]["type"] != "Income" {
		t.Fatalf("all: %v", all)
	}
	for q, n := range map[string]int{"?type=Income": 2, "?type=Expense": 1, "?account_id=" + cash: 1, "?account_id=" + bank: 2,
		"?date_from=2024-01-20": 2, "?date_to=2024-01-15": 1, "?date_from=2024-01-31&date_to=2024-01-31": 1, "?page=2&limit=2": 1, "?page=3&limit=2": 0} {
		if got := list(q); len(got) != n {
			t.Fatalf("list %s: %d rows, want %d: %v", q, len(got), n, got)
		}
	}
	// Bad input.
	good := map[string]any{"type": "Income", "account_id": bank, "amount": 10, "category_id": sales}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for kk, vv := range good {
			m[kk] = vv
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	for _, c := range []struct {
		body        map[string]any
		field, want string
	}{
		{with("amount", 0), "amount", "Amount must be greater than 0"},
		{with("amount", -5), "amount", "Amount must be greater than 0"},
		{with("amount", 1.005), "amount", "decimal places"},
		{with("amount", nil), "amount", "Required"},
		{with("type", "Transfer"), "type", "Income or Expense"},
		{with("type", nil), "type", "Required"},
		{with("account_id", sales), "account_id", "cash or bank"},
		{with("account_id", "acc_01HZZZZZZZZZZZZZZZZZZZZZZZ"), "account_id", "not found"},
		{with("account_id", 1), "account_id", ""},
		{with("category_id", rent), "category_id", "income account"},
		{with("category_id", nil), "category_id", "Required"},
		{with("date", "2024-02-30"), "date", ""},
	} {
		v2err(t, e.Do(e.A, "POST", "/api/v2/transactions", c.body), 400, c.field, c.want)
	}
	v2err(t, e.Do(e.A, "GET", "/api/v2/transactions?type=transfer", nil), 400, "type", "")
	v2err(t, e.Do(e.A, "GET", "/api/v2/transactions?account_id=bank", nil), 400, "account_id", "")
	// Idempotency: the retry posts nothing more.
	body := map[string]any{"type": "Income", "account_id": bank, "amount": 42, "category_id": sales}
	first := v2data(t, e.Do(e.A, "POST", "/api/v2/transactions", body, "Idempotency-Key", "tx-1"), 201)
	again := v2data(t, e.Do(e.A, "POST", "/api/v2/transactions", body, "Idempotency-Key", "tx-1"), 201)
	if first["id"] != again["id"] || len(list("?type=Income")) != 3 {
		t.Fatalf("replay: %v vs %v", first["id"], again["id"])
	}
	// Tenancy: B cannot post to or list A's accounts.
	v2err(t, e.Do(e.B, "POST", "/api/v2/transactions", good), 400, "account_id", "not found")
	if r := e.Do(e.B, "GET", "/api/v2/transactions", nil); len(r.Body["data"].([]any)) != 0 {
		t.Fatalf("B lists A's transactions: %s", r.Raw)
	}
	ro := e.NewTenant("Reader", "ledger:read")
	v2err(t, e.Do(ro, "POST", "/api/v2/transactions", good), 403, "", "")
}

// Concurrent transactions on one bank account all post, none lost: the
// account's balance is their sum.
func TestV2TransactionsConcurrent(t *testing.T) {
	e := tk.New(t)
	bank, sales := accountIDByCode(t, e, e.A, "1010"), accountIDByCode(t, e, e.A, "4000")
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.Do(e.A, "POST", "/api/v2/transactions", map[string]any{"type": "Income", "account_id": bank, "amount": fmt.Sprintf("%d.25", i+1), "category_id": sales})
			if r.Status != 201 {
				t.Errorf("tx %d: %d %s", i, r.Status, r.Raw)
			}
		}()
	}
	wg.Wait()
	// Σ (i + 0.25) for i = 1..16 = 136 + 4 = 140.
	if b := must(t, e.Do(e.A, "GET", "/api/v1/accounts/"+bank, nil), 200, "bank"); b["balance"] != 140.0 {
		t.Fatalf("bank balance %v, want 140.00", b["balance"])
	}
	if r := e.Do(e.A, "GET", "/api/v2/transactions?limit=100", nil); tk.Get(r.Body, "meta", "total_records") != 16.0 {
		t.Fatalf("listed: %v", tk.Get(r.Body, "meta"))
	}
}
