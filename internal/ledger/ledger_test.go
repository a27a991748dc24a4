package ledger_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/ent/journalentry"
	"github.com/bigledger/bigledger/ent/ledgerentry"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/ledger"
	"github.com/bigledger/bigledger/internal/pgtest"
	"github.com/bigledger/bigledger/internal/sales"
	"github.com/bigledger/bigledger/internal/store"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func ptr[T any](v T) *T { return &v }

// seedInvoice issues the seed 000 invoice (2567.50) for a new customer.
func seedInvoice(t *testing.T, e *tk.Env, tn tk.Tenant, currency string, rate string) (*ent.Customer, *ent.Invoice) {
	t.Helper()
	ctx := e.Ctx(tn)
	cu := e.SeedCustomers(tn, 1, 0, 0)[0]
	if currency != "MYR" {
		cu = store.Client(ctx).Customer.UpdateOneID(cu.ID).SetCurrency(currency).SaveX(ctx)
	}
	in := sales.InvoiceInput{CustomerID: cu.ID, InvoiceDate: &types.Date{Year: 2024, Month: 1, Day: 15}, ShippingCost: ptr(d("50.00")),
		Items: []sales.LineInput{{Description: ptr("Premium Widget"), Quantity: d("100"), UnitPrice: ptr(d("25.00")), DiscountPercent: ptr(d("5")), TaxCode: ptr("SST")}}}
	if rate != "" {
		in.ExchangeRate = ptr(d(rate))
	}
	inv, err := sales.CreateInvoice(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if inv, err = sales.IssueInvoice(ctx, inv.ID, ""); err != nil {
		t.Fatal(err)
	}
	return cu, inv
}

func linesOf(t *testing.T, e *tk.Env, tn tk.Tenant, je *ent.JournalEntry) map[string][2]string {
	t.Helper()
	ctx := e.Ctx(tn)
	out := map[string][2]string{}
	for _, l := range store.Client(ctx).LedgerEntry.Query().Where(ledgerentry.JournalEntryID(je.ID)).WithAccount().AllX(ctx) {
		out[*l.Edges.Account.SystemRole] = [2]string{l.Debit.StringFixed(2), l.Credit.StringFixed(2)}
	}
	return out
}

func TestIssuingAnInvoicePostsIt(t *testing.T) {
	e := tk.New(t)
	ctx := e.Ctx(e.A)
	cu, inv := seedInvoice(t, e, e.A, "MYR", "")
	je := store.Client(ctx).JournalEntry.Query().Where(journalentry.SourceID(inv.ID)).OnlyX(ctx)
	if je.SourceType != journalentry.SourceTypeInvoice || !je.TotalDebit.Equal(d("2567.50")) || !strings.HasPrefix(je.EntryNumber, "JE-2024-") {
		t.Fatalf("entry: %+v", je)
	}
	want := map[string][2]string{
		ledger.RoleAccountsReceivable: {"2567.50", "0.00"},
		ledger.RoleSales:              {"0.00", "2375.00"},
		ledger.RoleShippingIncome:     {"0.00", "50.00"},
		ledger.RoleTaxPayable:         {"0.00", "142.50"},
	}
	got := linesOf(t, e, e.A, je)
	for role, w := range want {
		if got[role] != w {
			t.Errorf("%s: %v want %v", role, got[role], w)
		}
	}
	if bal := store.Client(ctx).Customer.GetX(ctx, cu.ID).CurrentBalance; !bal.Equal(d("2567.50")) {
		t.Fatalf("customer balance %s", bal)
	}
	if err := ledger.Verify(ctx); err != nil {
		t.Fatal(err)
	}
}

// A foreign-currency invoice posts in the base currency at its rate and
// keeps the original amounts; the entry still balances to the cent.
func TestForeignCurrencyPosting(t *testing.T) {
	e := tk.New(t)
	ctx := e.Ctx(e.A)
	_, inv := seedInvoice(t, e, e.A, "USD", "4.713")
	je := store.Client(ctx).JournalEntry.Query().Where(journalentry.SourceID(inv.ID)).OnlyX(ctx)
	// 2375.00 × 4.713 = 11193.375 → 11193.38; 50 × 4.713 = 235.65; 142.50 × 4.713 = 671.6025 → 671.60
	got := linesOf(t, e, e.A, je)
	if got[ledger.RoleSales][1] != "11193.38" || got[ledger.RoleShippingIncome][1] != "235.65" || got[ledger.RoleTaxPayable][1] != "671.60" ||
		got[ledger.RoleAccountsReceivable][0] != "12100.63" {
		t.Fatalf("converted lines: %v", got)
	}
	ar := store.Client(ctx).LedgerEntry.Query().Where(ledgerentry.JournalEntryID(je.ID), ledgerentry.DebitGT(decimal.Zero)).OnlyX(ctx)
	if ar.Currency != "USD" || !ar.OriginalAmount.Equal(d("2567.50")) || !ar.ExchangeRate.Equal(d("4.713")) {
		t.Fatalf("original amounts: %+v", ar)
	}
	if err := ledger.Verify(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestVoidPostsTheExactReversalOnce(t *testing.T) {
	e := tk.New(t)
	ctx := e.Ctx(e.A)
	cu, inv := seedInvoice(t, e, e.A, "MYR", "")
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); _, _ = sales.VoidInvoice(ctx, inv.ID, "Wrong customer", "") }()
	}
	wg.Wait()
	c := store.Client(ctx)
	orig := c.JournalEntry.Query().Where(journalentry.SourceID(inv.ID), journalentry.SourceTypeEQ(journalentry.SourceTypeInvoice)).OnlyX(ctx)
	revs := c.JournalEntry.Query().Where(journalentry.SourceID(inv.ID), journalentry.SourceTypeEQ(journalentry.SourceTypeInvoiceVoid)).AllX(ctx)
	if len(revs) != 1 || orig.Status != journalentry.StatusReversed || *revs[0].ReversalOfID != orig.ID {
		t.Fatalf("reversals: %d, original %s", len(revs), orig.Status)
	}
	o, r := linesOf(t, e, e.A, orig), linesOf(t, e, e.A, revs[0])
	for role, v := range o {
		if r[role] != [2]string{v[1], v[0]} {
			t.Errorf("%s: reversal %v of %v", role, r[role], v)
		}
	}
	if bal := c.Customer.Query().Where(customer.ID(cu.ID)).OnlyX(ctx).CurrentBalance; !bal.IsZero() {
		t.Fatalf("balance after void: %s", bal)
	}
	_, err := ledger.Reverse(ctx, c, orig.ID, types.Date{Year: 2024, Month: 2, Day: 1}, journalentry.SourceTypeReversal, nil, "")
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != ledger.CodeAlreadyReversed {
		t.Fatalf("second reversal: %v", err)
	}
	if err := ledger.Verify(ctx); err != nil {
		t.Fatal(err)
	}
}

// Posted entries and lines cannot be edited or deleted by any path.
func TestLedgerIsAppendOnly(t *testing.T) {
	e := tk.New(t)
	ctx := e.Ctx(e.A)
	_, inv := seedInvoice(t, e, e.A, "MYR", "")
	c := store.Client(ctx)
	je := c.JournalEntry.Query().Where(journalentry.SourceID(inv.ID)).OnlyX(ctx)
	line := c.LedgerEntry.Query().Where(ledgerentry.JournalEntryID(je.ID)).FirstX(ctx)
	for name, err := range map[string]error{
		"delete entry":   c.JournalEntry.DeleteOneID(je.ID).Exec(ctx),
		"edit entry":     c.JournalEntry.UpdateOneID(je.ID).SetTotalDebit(d("1")).Exec(ctx),
		"delete line":    c.LedgerEntry.DeleteOneID(line.ID).Exec(ctx),
		"edit line":      c.LedgerEntry.UpdateOneID(line.ID).SetDebit(d("1")).Exec(ctx),
		"bulk edit line": func() error { _, err := c.LedgerEntry.Update().SetCredit(d("0")).Save(ctx); return err }(),
	} {
		if err == nil {
			t.Errorf("%s succeeded", name)
		}
	}
	if err := ledger.Verify(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestPostRefusesBadEntries(t *testing.T) {
	e := tk.New(t)
	ctxA, ctxB := e.Ctx(e.A), e.Ctx(e.B)
	cA, cB := store.Client(ctxA), store.Client(ctxB)
	accA, err := ledger.SystemAccounts(ctxA, cA)
	if err != nil {
		t.Fatal(err)
	}
	accB, err := ledger.SystemAccounts(ctxB, cB)
	if err != nil {
		t.Fatal(err)
	}
	cash, sales := accA[ledger.RoleCash].ID, accA[ledger.RoleSales].ID
	date := types.Date{Year: 2024, Month: 5, Day: 1}
	cases := map[string]struct {
		lines []ledger.Line
		code  string
	}{
		"unbalanced":       {[]ledger.Line{{AccountID: cash, Debit: d("10")}, {AccountID: sales, Credit: d("9.99")}}, ledger.CodeUnbalanced},
		"one line":         {[]ledger.Line{{AccountID: cash, Debit: d("10")}}, ledger.CodeInvalidEntry},
		"debit and credit": {[]ledger.Line{{AccountID: cash, Debit: d("10"), Credit: d("10")}, {AccountID: sales, Credit: d("0")}}, ledger.CodeInvalidEntry},
		"negative":         {[]ledger.Line{{AccountID: cash, Debit: d("-10")}, {AccountID: sales, Credit: d("-10")}}, ledger.CodeInvalidEntry},
		"sub-cent":         {[]ledger.Line{{AccountID: cash, Debit: d("10.001")}, {AccountID: sales, Credit: d("10.001")}}, ledger.CodeInvalidEntry},
		"foreign account":  {[]ledger.Line{{AccountID: cash, Debit: d("10")}, {AccountID: accB[ledger.RoleSales].ID, Credit: d("10")}}, ledger.CodeInvalidEntry},
	}
	for name, tc := range cases {
		tx, err := e.Client.Tx(ctxA)
		if err != nil {
			t.Fatal(err)
		}
		_, err = ledger.Post(ent.NewTxContext(ctxA, tx), tx.Client(), ledger.Entry{Date: date, Source: journalentry.SourceTypeManual, Lines: tc.lines})
		_ = tx.Rollback()
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Code != tc.code {
			t.Errorf("%s: %v, want %s", name, err, tc.code)
		}
	}
	if n := cA.JournalEntry.Query().CountX(ctxA); n != 0 {
		t.Fatalf("%d entries stored", n)
	}
}

func pidOf(s string) pulid.ID { return pulid.ID(s) }
