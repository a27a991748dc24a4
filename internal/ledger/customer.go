package ledger

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/ent/journalentry"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/money"
	"github.com/bigledger/bigledger/internal/store"
)

// SetCustomerOpeningBalance records what a customer owed before the
// company started using BigLedger: Dr Accounts Receivable (the customer) /
// Cr Opening Balance Equity. Changing it reverses the previous posting and
// posts the new amount; nothing posted is edited.
func SetCustomerOpeningBalance(ctx context.Context, customerID pulid.ID, amount decimal.Decimal, date *types.Date) (*ent.Customer, error) {
	if amount.IsNegative() || !amount.Equal(amount.Truncate(2)) || len(amount.Truncate(0).String()) > money.MaxIntegerDigits {
		return nil, apperr.Validation("INVALID_CUSTOMER_DATA", "Customer validation failed",
			apperr.Detail{Field: "openingBalance", Message: "Must be zero or greater, with at most 2 decimal places"})
	}
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.Customer, error) {
		cu, err := c.Customer.Query().Where(customer.ID(customerID)).Only(ctx)
		if ent.IsNotFound(err) {
			return nil, apperr.NotFound("CUSTOMER_NOT_FOUND", fmt.Sprintf("Customer with ID '%s' not found", customerID))
		}
		if err != nil {
			return nil, err
		}
		d, err := paymentDate(ctx, c, date)
		if err != nil {
			return nil, err
		}
		prev, err := c.JournalEntry.Query().Where(journalentry.SourceID(customerID), journalentry.SourceTypeEQ(journalentry.SourceTypeOpeningBalance),
			journalentry.StatusEQ(journalentry.StatusPosted)).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, je := range prev {
			if _, err := Reverse(ctx, c, je.ID, d, journalentry.SourceTypeReversal, &customerID, "Opening balance changed"); err != nil {
				return nil, err
			}
		}
		if amount.IsPositive() {
			accts, err := SystemAccounts(ctx, c)
			if err != nil {
				return nil, err
			}
			cid := customerID
			if _, err := Post(ctx, c, Entry{Date: d, Reference: cu.CustomerNumber, Description: "Opening balance of " + cu.Name,
				Source: journalentry.SourceTypeOpeningBalance, SourceID: &cid, Lines: []Line{
					{AccountID: accts[RoleAccountsReceivable].ID, Debit: amount, CustomerID: &cid},
					{AccountID: accts[RoleOpeningBalanceEquity].ID, Credit: amount},
				}}); err != nil {
				return nil, err
			}
		}
		cu, err = c.Customer.Query().Where(customer.ID(customerID)).Only(ctx)
		if err != nil {
			return nil, err
		}
		return c.Customer.UpdateOne(cu).SetOpeningBalance(amount).Save(ctx)
	})
}

// LedgerLine is one movement on a customer's account.
type LedgerLine struct {
	Date           types.Date `json:"date"`
	EntryNumber    string     `json:"entryNumber"`
	SourceType     string     `json:"sourceType"`
	Reference      *string    `json:"reference"`
	Description    *string    `json:"description"`
	Debit          Amount     `json:"debit"`
	Credit         Amount     `json:"credit"`
	RunningBalance Amount     `json:"runningBalance"`
}

// CustomerLedgerReport is a customer's receivable movements in a period
// with the seed-003 summary block.
type CustomerLedgerReport struct {
	CustomerID     pulid.ID    `json:"customerId"`
	From           *types.Date `json:"from"`
	To             *types.Date `json:"to"`
	OpeningBalance Amount      `json:"openingBalance"`
	TotalDebit     Amount      `json:"totalDebit"`
	TotalCredit    Amount      `json:"totalCredit"`
	ClosingBalance Amount      `json:"closingBalance"`
	// The seed-003 summary of the period: what was invoiced (incl. opening
	// balances), paid, and discounted, net of voids and reversals.
	TotalInvoiced  Amount       `json:"totalInvoiced"`
	TotalPaid      Amount       `json:"totalPaid"`
	LedgerDiscount Amount       `json:"ledgerDiscount"`
	Lines          []LedgerLine `json:"lines"`
}

// summarize fills the period totals from the lines.
func (r *CustomerLedgerReport) summarize() {
	var inv, paid, disc decimal.Decimal
	for _, l := range r.Lines {
		switch l.SourceType {
		case "invoice", "opening_balance":
			inv = inv.Add(l.Debit.Decimal)
		case "invoice_void":
			inv = inv.Sub(l.Credit.Decimal)
		case "payment":
			paid = paid.Add(l.Credit.Decimal)
		case "payment_void":
			paid = paid.Sub(l.Debit.Decimal)
		case "ledger_discount":
			disc = disc.Add(l.Credit.Decimal)
		case "reversal":
			// A reversed charge (opening balance) or discount undoes it.
			inv = inv.Sub(l.Credit.Decimal)
			disc = disc.Sub(l.Debit.Decimal)
		}
	}
	r.TotalInvoiced, r.TotalPaid, r.LedgerDiscount = Amount{inv}, Amount{paid}, Amount{disc}
}

// CustomerLedger lists a customer's receivable lines between from and to
// (either open), oldest first, with a running balance that starts from
// everything before from.
func CustomerLedger(ctx context.Context, customerID pulid.ID, from, to *types.Date) (*CustomerLedgerReport, error) {
	c := store.Client(ctx)
	if ok, err := c.Customer.Query().Where(customer.ID(customerID)).Exist(ctx); err != nil {
		return nil, err
	} else if !ok {
		return nil, apperr.NotFound("CUSTOMER_NOT_FOUND", fmt.Sprintf("Customer with ID '%s' not found", customerID))
	}
	if from != nil && to != nil && to.Time().Before(from.Time()) {
		return nil, apperr.Validation("VALIDATION_ERROR", "Invalid period", apperr.Detail{Field: "to", Message: "Must be on or after from"})
	}
	accts, err := SystemAccounts(ctx, c)
	if err != nil {
		return nil, err
	}
	ar := string(accts[RoleAccountsReceivable].ID)
	out := &CustomerLedgerReport{CustomerID: customerID, From: from, To: to, Lines: []LedgerLine{}}
	if from != nil {
		rows, err := c.QueryContext(ctx, `SELECT COALESCE(SUM(debit - credit), 0)::text FROM ledger_entries WHERE customer_id = $1 AND account_id = $2 AND date < $3`,
			string(customerID), ar, from.String())
		if err != nil {
			return nil, err
		}
		if rows.Next() {
			var s string
			_ = rows.Scan(&s)
			out.OpeningBalance = Amount{decimal.RequireFromString(s)}
		}
		rows.Close()
	}
	q := `SELECT l.date::text, j.entry_number, j.source_type, j.reference, COALESCE(l.description, j.description), l.debit::text, l.credit::text
		FROM ledger_entries l JOIN journal_entries j ON j.id = l.journal_entry_id
		WHERE l.customer_id = $1 AND l.account_id = $2`
	args := []any{string(customerID), ar}
	if from != nil {
		args = append(args, from.String())
		q += fmt.Sprintf(" AND l.date >= $%d", len(args))
	}
	if to != nil {
		args = append(args, to.String())
		q += fmt.Sprintf(" AND l.date <= $%d", len(args))
	}
	q += ` ORDER BY l.date, j.entry_number, l.position`
	rows, err := c.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	run := out.OpeningBalance.Decimal
	var tdr, tcr decimal.Decimal
	for rows.Next() {
		var date, dr, cr string
		var l LedgerLine
		if err := rows.Scan(&date, &l.EntryNumber, &l.SourceType, &l.Reference, &l.Description, &dr, &cr); err != nil {
			return nil, err
		}
		if l.Date, err = types.ParseDate(date[:10]); err != nil {
			return nil, err
		}
		debit, credit := decimal.RequireFromString(dr), decimal.RequireFromString(cr)
		run = run.Add(debit).Sub(credit)
		tdr, tcr = tdr.Add(debit), tcr.Add(credit)
		l.Debit, l.Credit, l.RunningBalance = Amount{debit}, Amount{credit}, Amount{run}
		out.Lines = append(out.Lines, l)
	}
	out.TotalDebit, out.TotalCredit, out.ClosingBalance = Amount{tdr}, Amount{tcr}, Amount{run}
	out.summarize()
	return out, rows.Err()
}
