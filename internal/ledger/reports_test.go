package ledger_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/ledger"
	"github.com/bigledger/bigledger/internal/store"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

func num(t *testing.T, v any) decimal.Decimal {
	t.Helper()
	b, _ := json.Marshal(v)
	d, err := decimal.NewFromString(strings.Trim(string(b), `"`))
	if err != nil {
		t.Fatalf("not a number: %s", b)
	}
	return d
}

// Reports agree with each other on generated data.
func TestReportsAgree(t *testing.T) {
	e := tk.New(t)
	ctx := e.Ctx(e.A)
	today := types.DateOf(time.Now().In(mustLoc(t)))
	day := func(n int) string { return types.DateOf(today.Time().AddDate(0, 0, n)).String() }
	c := e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Aging Co", "email": "ag@x.co"})
	cust := tk.Str(c.Body, "data", "id")
	mk := func(date, due, price string) string {
		r := e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": cust, "invoiceDate": date, "dueDate": due, "shippingCost": 10,
			"items": []map[string]any{{"description": "Goods", "quantity": 2, "unitPrice": price, "taxCode": "SST", "discountPercent": 5}}})
		id := tk.Str(r.Body, "data", "id")
		e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/send", nil)
		return id
	}
	mk(day(-100), day(-95), "100.00")         // over 90
	inv2 := mk(day(-50), day(-45), "250.00")  // 31–60
	mk(day(-10), day(20), "80.00")            // current
	voided := mk(day(-20), day(-5), "999.00") // voided below
	e.Do(e.A, "POST", "/api/v1/invoices/"+inv2+"/payments", map[string]any{"amount": 100, "paymentDate": day(-40)})
	e.Do(e.A, "POST", "/api/v1/invoices/"+voided+"/void", map[string]any{"reason": "error"})
	e.Do(e.A, "POST", "/api/v1/integration/contacts/"+cust+"/payments", map[string]any{"amount": 50, "method": "cash", "paid_on": day(-1)})
	e.Do(e.A, "POST", "/api/v1/accounts", map[string]any{"code": "1500", "name": "Equipment", "type": "asset", "opening_balance": 5000})
	rent := e.Do(e.A, "POST", "/api/v1/accounts", map[string]any{"code": "6100", "name": "Rent", "type": "expense"})
	accts, _ := ledger.SystemAccounts(ctx, store.Client(ctx))
	e.Do(e.A, "POST", "/api/v1/journal-entries", map[string]any{"date": day(-3), "lines": []map[string]any{
		{"account_id": tk.Str(rent.Body, "data", "id"), "debit": 700}, {"account_id": string(accts[ledger.RoleBank].ID), "credit": 700}}})
	if err := ledger.Verify(ctx); err != nil {
		t.Fatal(err)
	}

	tb := e.MustGQL(e.A, `{ reports(type: TRIAL_BALANCE) { __typename ... on TrialBalanceReport { isBalanced totalDebit lines { code } } } }`, nil)["reports"].(map[string]any)
	if tb["__typename"] != "TrialBalanceReport" || len(tb["lines"].([]any)) == 0 {
		t.Fatalf("trial balance: %v", tb)
	}
	if tb["isBalanced"] != true || num(t, tb["totalDebit"]).IsZero() {
		t.Fatalf("trial balance: %v", tb)
	}
	bs := e.Do(e.A, "GET", "/v1/reports/balance-sheet", nil)
	if bs.Status != 200 || tk.Get(bs.Body, "data", "isBalanced") != true {
		t.Fatalf("balance sheet: %d %s", bs.Status, bs.Raw)
	}
	pl := e.Do(e.A, "GET", "/v1/reports/profit-loss", nil)
	if !num(t, tk.Get(pl.Body, "data", "netIncome")).Equal(num(t, tk.Get(bs.Body, "data", "currentEarnings"))) {
		t.Fatalf("net income %v ≠ current earnings %v", tk.Get(pl.Body, "data", "netIncome"), tk.Get(bs.Body, "data", "currentEarnings"))
	}
	// Periods add up: P&L before a date plus after it is the whole.
	split := day(-30)
	before := e.Do(e.A, "GET", "/v1/reports/profit-loss?to="+types.DateOf(today.Time().AddDate(0, 0, -31)).String(), nil)
	after := e.Do(e.A, "GET", "/v1/reports/profit-loss?from="+split, nil)
	if !num(t, tk.Get(before.Body, "data", "netIncome")).Add(num(t, tk.Get(after.Body, "data", "netIncome"))).Equal(num(t, tk.Get(pl.Body, "data", "netIncome"))) {
		t.Fatalf("periods do not add up: %s + %s vs %s", before.Raw, after.Raw, pl.Raw)
	}
	// Aging total equals the receivable account, and buckets by age.
	aging := e.Do(e.A, "GET", "/api/v1/reports/ar-aging", nil)
	total := tk.Get(aging.Body, "data", "total").(map[string]any)
	bal, err := ledger.AccountBalance(ctx, accts[ledger.RoleAccountsReceivable].ID)
	if err != nil {
		t.Fatal(err)
	}
	if !num(t, total["total"]).Equal(bal) {
		t.Fatalf("aging total %v ≠ receivables %s: %s", total["total"], bal, aging.Raw)
	}
	// 100-line: 2×100 −5% = 190 + 11.40 tax + 10 = 211.40 → over 90 (the pay-due 50 went to it, oldest first)
	if !num(t, total["over90"]).Equal(decimal.RequireFromString("161.40")) || num(t, total["days31To60"]).IsZero() || num(t, total["current"]).IsZero() {
		t.Fatalf("buckets: %v", total)
	}
	// As of 42 days ago: the first two invoices, the 250 one not yet paid
	// down (211.40 + 513.50), later invoices not yet issued.
	past := e.Do(e.A, "GET", "/api/v1/reports/ar-aging?asOf="+day(-42), nil)
	if !num(t, tk.Get(past.Body, "data", "total", "total")).Equal(decimal.RequireFromString("724.90")) ||
		!num(t, tk.Get(past.Body, "data", "total", "days31To60")).Equal(decimal.RequireFromString("211.40")) {
		t.Fatalf("aging in the past: %s", past.Raw)
	}
	// Seed 002's financial summary agrees with the P&L and the open invoices.
	fin := e.Do(e.A, "GET", "/api/v2/reports/financial", nil)
	if !num(t, tk.Get(fin.Body, "data", "profit")).Equal(num(t, tk.Get(pl.Body, "data", "netIncome"))) ||
		!num(t, tk.Get(fin.Body, "data", "outstanding_invoices")).Equal(num(t, total["total"])) {
		t.Fatalf("financial summary: %s (P&L %s, aging %v)", fin.Raw, pl.Raw, total)
	}
	if r := e.Do(e.A, "GET", "/api/v2/reports/financial?year=2024&month=13", nil); r.Status != 400 {
		t.Fatalf("bad month: %d", r.Status)
	}
	if r := e.Do(e.A, "GET", "/api/v1/reports/cash-flow", nil); r.Status != 400 {
		t.Fatalf("unknown report: %d %s", r.Status, r.Raw)
	}
	// Another company's reports are its own.
	if r := e.Do(e.B, "GET", "/v1/reports/balance-sheet", nil); !num(t, tk.Get(r.Body, "data", "totalAssets")).IsZero() {
		t.Fatalf("B sees A's figures: %s", r.Raw)
	}
}

func mustLoc(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Kuala_Lumpur")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
