package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/account"
	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/ent/journalentry"
	"github.com/bigledger/bigledger/ent/ledgerentry"
	"github.com/bigledger/bigledger/ent/predicate"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/events"
	"github.com/bigledger/bigledger/internal/money"
	"github.com/bigledger/bigledger/internal/numbering"
	"github.com/bigledger/bigledger/internal/tenant"
)

// EntryKind numbers journal entries JE-YYYY-NNNN per company and year.
var EntryKind = numbering.Kind{Name: "journal_entry", Prefix: "JE", Yearly: true}

// Error codes of the ledger.
const (
	CodeUnbalanced      = "UNBALANCED_ENTRY"
	CodeInvalidEntry    = "INVALID_JOURNAL_ENTRY"
	CodeEntryNotFound   = "JOURNAL_ENTRY_NOT_FOUND"
	CodeAlreadyReversed = "ALREADY_REVERSED"
)

// Line is one debit or credit of an entry, in the base currency.
type Line struct {
	AccountID   pulid.ID
	Debit       decimal.Decimal
	Credit      decimal.Decimal
	CustomerID  *pulid.ID
	Description string
	// Currency, OriginalAmount and ExchangeRate record the document amount
	// the line came from (defaults: base currency, the line amount, 1).
	Currency       string
	OriginalAmount decimal.Decimal
	ExchangeRate   decimal.Decimal
}

// Entry is a journal entry to post.
type Entry struct {
	Date        types.Date
	Reference   string
	Description string
	Source      journalentry.SourceType
	SourceID    *pulid.ID
	ReversalOf  *pulid.ID
	Lines       []Line
	// Unnumbered posts the entry with its id as a provisional number and
	// emits no event: the caller numbers it as the transaction's last
	// statement (see numberPayment) and emits journal_entry.posted then.
	Unnumbered bool
}

// Post validates and writes a balanced journal entry with its lines, and
// moves the receivable balance of every customer a receivable line names.
// c must be the caller's transactional client: the entry commits or rolls
// back with the business change that caused it.
func Post(ctx context.Context, c *ent.Client, e Entry) (*ent.JournalEntry, error) {
	var d apperr.Details
	if len(e.Lines) < 2 {
		d.Add("lines", "A journal entry needs at least two lines")
	}
	var debit, credit decimal.Decimal
	accountIDs := map[pulid.ID]bool{}
	for i, l := range e.Lines {
		f := func(n string) string { return fmt.Sprintf("lines[%d].%s", i, n) }
		switch {
		case l.Debit.IsNegative() || l.Credit.IsNegative():
			d.Add(f("amount"), "Debits and credits must be zero or greater")
		case l.Debit.IsPositive() == l.Credit.IsPositive():
			d.Add(f("amount"), "Each line carries either a debit or a credit")
		}
		for name, v := range map[string]decimal.Decimal{"debit": l.Debit, "credit": l.Credit} {
			if !v.Equal(v.Truncate(2)) || len(v.Truncate(0).String()) > money.MaxIntegerDigits {
				d.Add(f(name), "At most %d digits and 2 decimal places", money.MaxIntegerDigits)
			}
		}
		debit, credit = debit.Add(l.Debit), credit.Add(l.Credit)
		accountIDs[l.AccountID] = true
	}
	if err := d.Err(CodeInvalidEntry, "Journal entry validation failed"); err != nil {
		return nil, err
	}
	if !debit.Equal(credit) {
		return nil, apperr.Validation(CodeUnbalanced, "Journal entry does not balance",
			apperr.Detail{Field: "lines", Message: fmt.Sprintf("Debits %s ≠ credits %s", debit.StringFixed(2), credit.StringFixed(2))})
	}
	ids := make([]pulid.ID, 0, len(accountIDs))
	for id := range accountIDs {
		ids = append(ids, id)
	}
	accounts, err := postingAccounts(ctx, c, ids)
	if err != nil {
		return nil, err
	}
	byID := map[pulid.ID]*ent.Account{}
	for _, a := range accounts {
		byID[a.ID] = a
		// Loaded through the tenant filter: the lines' account edges
		// need no second check.
		tenant.MarkVisible(ctx, string(a.ID))
	}
	for i, l := range e.Lines {
		a, ok := byID[l.AccountID]
		switch {
		case !ok:
			d.Add(fmt.Sprintf("lines[%d].accountId", i), "Account %q not found", l.AccountID)
		case !a.Active:
			d.Add(fmt.Sprintf("lines[%d].accountId", i), "Account %s is inactive", a.Code)
		}
	}
	if err := d.Err(CodeInvalidEntry, "Journal entry validation failed"); err != nil {
		return nil, err
	}
	base, err := baseCurrency(ctx, c)
	if err != nil {
		return nil, err
	}
	id := pulid.New("je")
	number := string(id)
	if !e.Unnumbered {
		if number, err = numbering.Next(ctx, c, EntryKind, e.Date.Year); err != nil {
			return nil, err
		}
	}
	create := c.JournalEntry.Create().SetID(id).SetEntryNumber(number).SetDate(e.Date).SetSourceType(e.Source).
		SetNillableSourceID(e.SourceID).SetNillableReversalOfID(e.ReversalOf).
		SetTotalDebit(debit).SetTotalCredit(credit)
	if e.Reference != "" {
		create.SetReference(e.Reference)
	}
	if e.Description != "" {
		create.SetDescription(e.Description)
	}
	if p, ok := auth.FromContext(ctx); ok && p.UserID != "" {
		create.SetCreatedByID(p.UserID)
	}
	je, err := create.Save(ctx)
	if err != nil {
		return nil, err
	}
	builders := make([]*ent.LedgerEntryCreate, len(e.Lines))
	receivable := map[pulid.ID]decimal.Decimal{}
	for i, l := range e.Lines {
		cur, orig, rate := l.Currency, l.OriginalAmount, l.ExchangeRate
		if cur == "" {
			cur = base
		}
		if orig.IsZero() {
			orig = l.Debit.Add(l.Credit)
		}
		if rate.IsZero() {
			rate = decimal.NewFromInt(1)
		}
		b := c.LedgerEntry.Create().SetJournalEntryID(je.ID).SetAccountID(l.AccountID).SetNillableCustomerID(l.CustomerID).
			SetPosition(i).SetDate(e.Date).SetDebit(l.Debit).SetCredit(l.Credit).SetCurrency(cur).
			SetOriginalAmount(orig).SetExchangeRate(rate)
		if l.Description != "" {
			b.SetDescription(l.Description)
		}
		builders[i] = b
		if a := byID[l.AccountID]; l.CustomerID != nil && a.SystemRole != nil && *a.SystemRole == RoleAccountsReceivable {
			receivable[*l.CustomerID] = receivable[*l.CustomerID].Add(l.Debit).Sub(l.Credit)
		}
	}
	if err := c.LedgerEntry.CreateBulk(builders...).Exec(ctx); err != nil {
		return nil, err
	}
	if !e.Unnumbered {
		if err := events.Emit(ctx, events.JournalEntryPosted, je.ID, events.JournalEntryPayload(je, ids)); err != nil {
			return nil, err
		}
	}
	// Customers are locked in id order so two entries naming the same
	// customers cannot deadlock.
	cids := make([]pulid.ID, 0, len(receivable))
	for cid := range receivable {
		cids = append(cids, cid)
	}
	slices.Sort(cids)
	for _, cid := range cids {
		delta := receivable[cid]
		if delta.IsZero() {
			continue
		}
		if err := moveBalance(ctx, c, cid, delta); err != nil {
			return nil, err
		}
	}
	return je, nil
}

// Reverse posts the exact reversal of an entry (debits and credits
// swapped) and marks the original reversed. An entry is reversed once:
// the original row is locked and checked.
func Reverse(ctx context.Context, c *ent.Client, id pulid.ID, date types.Date, source journalentry.SourceType, sourceID *pulid.ID, description string) (*ent.JournalEntry, error) {
	orig, err := c.JournalEntry.Query().Where(journalentry.ID(id)).ForUpdate().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound(CodeEntryNotFound, fmt.Sprintf("Journal entry with ID '%s' not found", id))
	}
	if err != nil {
		return nil, err
	}
	if orig.Status == journalentry.StatusReversed {
		return nil, apperr.InvalidState(CodeAlreadyReversed, fmt.Sprintf("Journal entry %s has already been reversed", orig.EntryNumber))
	}
	lines, err := c.LedgerEntry.Query().Where(ledgerentry.JournalEntryID(id)).Order(ent.Asc(ledgerentry.FieldPosition)).All(ctx)
	if err != nil {
		return nil, err
	}
	rev := Entry{Date: date, Reference: orig.EntryNumber, Description: description, Source: source, SourceID: sourceID, ReversalOf: &orig.ID}
	if rev.Description == "" {
		rev.Description = "Reversal of " + orig.EntryNumber
	}
	for _, l := range lines {
		rev.Lines = append(rev.Lines, Line{AccountID: l.AccountID, Debit: l.Credit, Credit: l.Debit, CustomerID: l.CustomerID,
			Currency: l.Currency, OriginalAmount: l.OriginalAmount, ExchangeRate: l.ExchangeRate})
	}
	out, err := Post(ctx, c, rev)
	if err != nil {
		return nil, err
	}
	if err := c.JournalEntry.UpdateOne(orig).SetStatus(journalentry.StatusReversed).Exec(ctx); err != nil {
		return nil, err
	}
	return out, nil
}

// baseCurrency is the acting company's base currency.
func baseCurrency(ctx context.Context, c *ent.Client) (string, error) {
	f, err := factsOf(ctx, c)
	return f.currency, err
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

func baseCompany(ctx context.Context) (pulid.ID, error) {
	cid, ok := tenant.CompanyID(ctx)
	if !ok {
		return "", fmt.Errorf("ledger: no company in context")
	}
	return cid, nil
}

func customerID(id pulid.ID) predicate.Customer { return customer.ID(id) }

// moveBalance adds delta to a customer's receivable balance in one
// statement (the row lock is the UPDATE's own), scoped to the acting
// company like every ent write.
func moveBalance(ctx context.Context, c *ent.Client, customerID pulid.ID, delta decimal.Decimal) error {
	cid, ok := tenant.CompanyID(ctx)
	if !ok {
		return fmt.Errorf("ledger: no acting company")
	}
	res, err := c.ExecContext(ctx, `UPDATE customers SET current_balance = current_balance + $1, updated_at = now()
		WHERE id = $2 AND company_id = $3`, delta.String(), string(customerID), string(cid))
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("ledger: customer %s balance not moved (%d rows): %w", customerID, n, err)
	}
	return nil
}

// postingAccounts loads the accounts an entry posts to. The company's
// system accounts (receivable, bank, sales, tax…; they can be neither
// deactivated nor deleted, nor lose their role) come from the per-company
// cache, so a payment or an invoice posting reads no account row; only
// other accounts are read, through the tenant filter.
func postingAccounts(ctx context.Context, c *ent.Client, ids []pulid.ID) ([]*ent.Account, error) {
	sys, err := SystemAccounts(ctx, c)
	if err != nil {
		return nil, err
	}
	cached := make(map[pulid.ID]*ent.Account, len(sys))
	for _, a := range sys {
		cached[a.ID] = a
	}
	out := make([]*ent.Account, 0, len(ids))
	var others []pulid.ID
	for _, id := range ids {
		if a, ok := cached[id]; ok {
			out = append(out, a)
		} else {
			others = append(others, id)
		}
	}
	if len(others) > 0 {
		more, err := c.Account.Query().Where(account.IDIn(others...)).All(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	return out, nil
}
