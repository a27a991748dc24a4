package ledger_test

import (
	"errors"
	"fmt"
	"math/rand"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/invoice"
	"github.com/bigledger/bigledger/ent/journalentry"
	"github.com/bigledger/bigledger/ent/payment"
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
		"void payment", "account with opening balance", "manual entry (receivable adjustment)", "reverse a manual entry"} {
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
		switch rng.Intn(11) {
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
	}
}
