package ledger_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/ledger"
	"github.com/bigledger/bigledger/internal/sales"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

// AR aging at past dates: an invoice counts from its date, ages by its due
// date, and is reduced by a payment only from the payment's date; an
// opening balance is unallocated; at every date the total is the
// receivables account of the trial balance at that date.
func TestARAgingAsOfPastDates(t *testing.T) {
	e := tk.New(t)
	ctx := e.Ctx(e.A)
	cu := e.SeedCustomers(e.A, 1, 0, 0)[0]
	d := func(s string) *types.Date {
		v, err := types.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	if _, err := ledger.SetCustomerOpeningBalance(ctx, cu.ID, decimal.RequireFromString("175.00"), d("2025-12-31")); err != nil {
		t.Fatal(err)
	}
	desc, price := "Work", decimal.RequireFromString("1000.00")
	inv, err := sales.CreateInvoice(ctx, sales.InvoiceInput{CustomerID: cu.ID, InvoiceDate: d("2026-01-10"), DueDate: d("2026-02-09"),
		Items: []sales.LineInput{{Description: &desc, Quantity: decimal.NewFromInt(1), UnitPrice: &price}}})
	if err != nil {
		t.Fatal(err)
	}
	if inv, err = sales.IssueInvoice(ctx, inv.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.RecordPayment(ctx, inv.ID, ledger.RecordPaymentInput{Amount: decimal.RequireFromString("400.00"), PaymentDate: d("2026-03-01")}, ""); err != nil {
		t.Fatal(err)
	}
	total := inv.Total.String()
	for _, c := range []struct {
		asOf                             string
		current, d1, d31, unalloc, total string
	}{
		{"2025-12-30", "0", "0", "0", "0", "0"},
		{"2026-01-05", "0", "0", "0", "175", "175"},
		{"2026-01-20", total, "0", "0", "175", ""},
		{"2026-02-20", "0", total, "0", "175", ""},
		{"2026-03-15", "0", "0", "", "175", ""},
	} {
		rep, err := ledger.ARAging(ctx, *d(c.asOf))
		if err != nil {
			t.Fatal(err)
		}
		got := rep["total"].(*ledger.AgingBucket)
		check := func(name string, v ledger.Amount, want string) {
			if want != "" && !v.Equal(decimal.RequireFromString(want)) {
				t.Errorf("%s %s: %s, want %s", c.asOf, name, v, want)
			}
		}
		check("current", got.Current, c.current)
		check("days1To30", got.Days1To30, c.d1)
		check("days31To60", got.Days31To60, c.d31)
		check("unallocated", got.Unallocated, c.unalloc)
		check("total", got.Total, c.total)
		// After the payment, 400.00 less is due, now 34 days late.
		if c.asOf == "2026-03-15" && !got.Days31To60.Equal(inv.Total.Sub(decimal.RequireFromString("400.00"))) {
			t.Errorf("%s days31To60: %s", c.asOf, got.Days31To60)
		}
		tb, err := ledger.TrialBalance(ctx, d(c.asOf))
		if err != nil {
			t.Fatal(err)
		}
		receivables := decimal.Zero
		for _, l := range tb["lines"].([]ledger.ReportLine) {
			if l.Code == "1100" {
				receivables = l.Debit.Sub(l.Credit.Decimal)
			}
		}
		if !got.Total.Equal(receivables) {
			t.Errorf("%s: aging total %s, receivables account %s", c.asOf, got.Total, receivables)
		}
		// Another company's report holds none of it.
		other, err := ledger.ARAging(e.Ctx(e.B), *d(c.asOf))
		if err != nil {
			t.Fatal(err)
		}
		if b := other["total"].(*ledger.AgingBucket); !b.Total.IsZero() || len(other["customers"].([]*ledger.AgingBucket)) != 0 {
			t.Errorf("%s: company B's aging shows %s over %d customers", c.asOf, b.Total, len(other["customers"].([]*ledger.AgingBucket)))
		}
	}
}
