package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/invoice"
	"github.com/bigledger/bigledger/ent/journalentry"
	"github.com/bigledger/bigledger/ent/payment"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/ledger"
	"github.com/bigledger/bigledger/internal/sales"
	"github.com/bigledger/bigledger/internal/store"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

// TestRandomOperationsKeepInvariants runs long random sequences of money
// operations across two companies and checks every invariant after each
// step: entries balance, receivables match customers, invoices match their
// allocations, payments their unapplied amounts, nothing crosses companies.
// Refusals are fine (overpaying, voiding a paid invoice); an internal error
// or a broken invariant fails the test with the seed to replay it.
func TestRandomOperationsKeepInvariants(t *testing.T) {
	e := tk.New(t)
	done := map[string]int{}
	for _, seed := range []int64{1, 2, 3} {
		rng := rand.New(rand.NewSource(seed))
		for _, tn := range []tk.Tenant{e.A, e.B} {
			runRandom(t, e, tn, rng, seed, 60, done)
		}
	}
	// The sequences must have exercised every operation, or they prove little.
	for _, op := range []string{"create+issue invoice", "record payment", "pay due", "create+apply payment", "void invoice",
		"void payment", "account with opening balance", "manual entry (receivable adjustment)", "reverse a manual entry", "refund a payment (in part or whole)", "payment failed"} {
		if done[op] == 0 {
			t.Errorf("no %q succeeded in any sequence", op)
		}
	}
	t.Logf("successful operations: %v", done)
}

func runRandom(t *testing.T, e *tk.Env, tn tk.Tenant, rng *rand.Rand, seed int64, steps int, done map[string]int) {
	ctx := e.Ctx(tn)
	c := store.Client(ctx)
	customers := e.SeedCustomers(tn, 3, 0, 0)
	accts, err := ledger.SystemAccounts(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	money := func(max int) decimal.Decimal { return decimal.New(int64(rng.Intn(max*100)+1), -2) }
	pick := func(q []*ent.Invoice) *ent.Invoice {
		if len(q) == 0 {
			return nil
		}
		return q[rng.Intn(len(q))]
	}
	for step := 0; step < steps; step++ {
		cu := customers[rng.Intn(len(customers))]
		invs := c.Invoice.Query().AllX(ctx)
		var op string
		var err error
		switch rng.Intn(13) {
		case 0, 1:
			op = "create+issue invoice"
			lines := []sales.LineInput{}
			for i := 0; i < rng.Intn(3)+1; i++ {
				desc, price, disc := "L", money(500), decimal.NewFromInt(int64(rng.Intn(4)*5))
				tax := []string{"SST", "SST10", "ZR"}[rng.Intn(3)]
				lines = append(lines, sales.LineInput{Description: &desc, Quantity: decimal.NewFromInt(int64(rng.Intn(5) + 1)), UnitPrice: &price, DiscountPercent: &disc, TaxCode: &tax})
			}
			var inv *ent.Invoice
			if inv, err = sales.CreateInvoice(ctx, sales.InvoiceInput{CustomerID: cu.ID, Items: lines}); err == nil && rng.Intn(5) > 0 {
				_, err = sales.IssueInvoice(ctx, inv.ID, "")
			}
		case 2, 3:
			op = "record payment"
			if inv := pick(invs); inv != nil {
				amt := inv.AmountDue
				if rng.Intn(3) == 0 {
					amt = money(300)
				}
				_, err = ledger.RecordPayment(ctx, inv.ID, ledger.RecordPaymentInput{Amount: amt}, "")
			}
		case 4:
			op = "pay due"
			_, err = ledger.PayDue(ctx, ledger.CustomerPaymentInput{CustomerID: cu.ID, RecordPaymentInput: ledger.RecordPaymentInput{Amount: money(800)}}, "")
		case 5:
			op = "create+apply payment"
			var p *ent.Payment
			if p, err = ledger.CreatePayment(ctx, ledger.CustomerPaymentInput{CustomerID: cu.ID, RecordPaymentInput: ledger.RecordPaymentInput{Amount: money(400)}}, ""); err == nil {
				if inv := pick(c.Invoice.Query().Where(invoice.CustomerID(cu.ID)).AllX(ctx)); inv != nil {
					_, err = ledger.ApplyPayment(ctx, p.ID, inv.ID, nil, "")
				}
			}
		case 6:
			op = "void invoice"
			if inv := pick(invs); inv != nil {
				_, err = sales.VoidInvoice(ctx, inv.ID, "random", "")
			}
		case 7:
			op = "void payment"
			if ps := c.Payment.Query().Where(payment.StatusEQ(payment.StatusCompleted)).AllX(ctx); len(ps) > 0 {
				_, err = ledger.VoidPayment(ctx, ps[rng.Intn(len(ps))].ID, "random", "")
			}
		case 8:
			op = "account with opening balance"
			ob := money(1000)
			if rng.Intn(2) == 0 {
				ob = ob.Neg()
			}
			_, err = ledger.CreateAccount(ctx, ledger.AccountInput{Code: fmt.Sprintf("9%03d-%d", step, seed), Name: "Random", Type: "asset", OpeningBalance: &ob})
		case 9:
			op = "manual entry (receivable adjustment)"
			amt := money(200)
			cid := cu.ID
			_, err = ledger.CreateJournalEntry(ctx, ledger.JournalEntryInput{Lines: []ledger.JournalLineInput{
				{AccountID: accts[ledger.RoleAccountsReceivable].ID, Debit: &amt, CustomerID: &cid},
				{AccountID: accts[ledger.RoleSales].ID, Credit: &amt},
			}}, "")
		case 11:
			op = "refund a payment (in part or whole)"
			if ps := c.Payment.Query().Where(payment.StatusEQ(payment.StatusCompleted)).AllX(ctx); len(ps) > 0 {
				p := ps[rng.Intn(len(ps))]
				in := ledger.RefundInput{}
				if left := p.Amount.Sub(p.RefundedAmount); rng.Intn(2) == 0 && left.GreaterThan(decimal.NewFromInt(1)) {
					amt := left.Div(decimal.NewFromInt(int64(rng.Intn(3) + 2))).Round(2)
					in.Amount = &amt
				}
				_, err = ledger.RefundPayment(ctx, p.ID, in, "")
			}
		case 12:
			op = "payment failed"
			if ps := c.Payment.Query().Where(payment.StatusEQ(payment.StatusCompleted)).AllX(ctx); len(ps) > 0 {
				_, err = ledger.FailPayment(ctx, ps[rng.Intn(len(ps))].ID, "cheque returned", "")
			}
		case 10:
			op = "reverse a manual entry"
			if js := c.JournalEntry.Query().Where(journalentry.SourceTypeEQ(journalentry.SourceTypeManual)).AllX(ctx); len(js) > 0 {
				_, err = ledger.ReverseJournalEntry(ctx, js[rng.Intn(len(js))].ID, nil, "", "")
			}
		}
		var ae *apperr.Error
		if err == nil {
			done[op]++
		}
		if err != nil && (!errors.As(err, &ae) || ae.Kind == apperr.KindInternal) {
			t.Fatalf("seed %d step %d (%s, %s): unexpected error: %v", seed, step, tn.Name, op, err)
		}
		if err := ledger.Verify(ctx); err != nil {
			t.Fatalf("seed %d step %d (%s, %s): %v", seed, step, tn.Name, op, err)
		}
		if err := checkAging(ctx, e, tn); err != nil {
			t.Fatalf("seed %d step %d (%s, %s): AR aging: %v", seed, step, tn.Name, op, err)
		}
	}
}

// checkAging holds the AR-aging report to the ledger: per customer its
// total is the customer's receivable balance (maintained apart, on the
// customer row), in total it is the receivables account of the trial
// balance, the aged invoices are exactly what is due on them, and what is
// left unallocated is exactly the receivable movements tied to no invoice
// (opening balances, ledger discounts, manual entries and their reversals).
func checkAging(ctx context.Context, e *tk.Env, tn tk.Tenant) error {
	// Two days ahead: every entry of the run, whatever the company's zone.
	today := types.DateOf(time.Now().AddDate(0, 0, 2))
	rep, err := ledger.ARAging(ctx, today)
	if err != nil {
		return err
	}
	c := store.Client(ctx)
	sum := decimal.Zero
	for _, b := range rep["customers"].([]*ledger.AgingBucket) {
		cu, err := c.Customer.Get(ctx, pulid.ID(b.CustomerID))
		if err != nil {
			return err
		}
		if !b.Total.Equal(cu.CurrentBalance) {
			return fmt.Errorf("%s: aging total %s, customer balance %s", cu.Name, b.Total, cu.CurrentBalance)
		}
		aged := b.Current.Add(b.Days1To30.Decimal).Add(b.Days31To60.Decimal).Add(b.Days61To90.Decimal).Add(b.Over90.Decimal)
		var due, other string
		if err := e.DB.QueryRowContext(ctx, `SELECT COALESCE(SUM(amount_due), 0)::text FROM invoices WHERE customer_id = $1 AND status IN ('sent', 'paid')`, b.CustomerID).Scan(&due); err != nil {
			return err
		}
		if !aged.Equal(decimal.RequireFromString(due)) {
			return fmt.Errorf("%s: aged %s, invoices due %s", cu.Name, aged, due)
		}
		if err := e.DB.QueryRowContext(ctx, `
			SELECT COALESCE(SUM(l.debit - l.credit), 0)::text FROM ledger_entries l JOIN journal_entries j ON j.id = l.journal_entry_id
			JOIN accounts a ON a.id = l.account_id AND a.system_role = 'accounts_receivable'
			WHERE l.customer_id = $1 AND j.source_type IN ('opening_balance', 'ledger_discount', 'manual', 'reversal')`, b.CustomerID).Scan(&other); err != nil {
			return err
		}
		if !b.Unallocated.Equal(decimal.RequireFromString(other)) {
			return fmt.Errorf("%s: unallocated %s, receivable movements tied to no invoice %s", cu.Name, b.Unallocated, other)
		}
		sum = sum.Add(b.Total.Decimal)
	}
	total := rep["total"].(*ledger.AgingBucket)
	if !total.Total.Equal(sum) {
		return fmt.Errorf("total %s, customers sum to %s", total.Total, sum)
	}
	tb, err := ledger.TrialBalance(ctx, &today)
	if err != nil {
		return err
	}
	receivables := decimal.Zero
	for _, l := range tb["lines"].([]ledger.ReportLine) {
		if l.Code == "1100" {
			receivables = l.Debit.Sub(l.Credit.Decimal)
		}
	}
	if !receivables.Equal(total.Total.Decimal) {
		return fmt.Errorf("total %s, receivables account %s", total.Total, receivables)
	}
	return nil
}
