package ledger

import (
	"context"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/journalentry"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/idem"
	"github.com/bigledger/bigledger/internal/store"
)

// JournalLineInput is one line of a manual entry.
type JournalLineInput struct {
	AccountID   pulid.ID
	Debit       *decimal.Decimal
	Credit      *decimal.Decimal
	Description *string
	CustomerID  *pulid.ID
}

// JournalEntryInput is a manual journal entry (seed 004 Create Journal Entry).
type JournalEntryInput struct {
	Date        *types.Date
	Reference   *string
	Description *string
	Lines       []JournalLineInput
}

// CreateJournalEntry posts a manual, balanced entry. A line naming a
// customer moves that customer's balance when it hits receivables.
func CreateJournalEntry(ctx context.Context, in JournalEntryInput, idempotencyKey string) (*ent.JournalEntry, error) {
	var d apperr.Details
	if in.Reference != nil && len([]rune(*in.Reference)) > 100 {
		d.Add("reference", "Must be at most 100 characters")
	}
	e := Entry{Source: journalentry.SourceTypeManual}
	for i, l := range in.Lines {
		line := Line{AccountID: l.AccountID, CustomerID: l.CustomerID}
		if l.Debit != nil {
			line.Debit = *l.Debit
		}
		if l.Credit != nil {
			line.Credit = *l.Credit
		}
		if l.Description != nil {
			if len([]rune(*l.Description)) > 500 {
				d.Add(fmt.Sprintf("lines[%d].description", i), "Must be at most 500 characters")
			}
			line.Description = strings.TrimSpace(*l.Description)
		}
		e.Lines = append(e.Lines, line)
	}
	if err := d.Err(CodeInvalidEntry, "Journal entry validation failed"); err != nil {
		return nil, err
	}
	if in.Reference != nil {
		e.Reference = strings.TrimSpace(*in.Reference)
	}
	if in.Description != nil {
		e.Description = strings.TrimSpace(*in.Description)
	}
	return idem.Run(ctx, journalKind, idempotencyKey, "journal_entry", in, func(ctx context.Context, c *ent.Client) (*ent.JournalEntry, error) {
		date, err := paymentDate(ctx, c, in.Date)
		if err != nil {
			return nil, err
		}
		e.Date = date
		accts, err := SystemAccounts(ctx, c)
		if err != nil {
			return nil, err
		}
		for i, l := range e.Lines {
			if l.CustomerID == nil {
				// Receivables are kept per customer: a line on the
				// receivable account must say whose.
				if l.AccountID == accts[RoleAccountsReceivable].ID {
					return nil, apperr.Validation(CodeInvalidEntry, "Journal entry validation failed",
						apperr.Detail{Field: fmt.Sprintf("lines[%d].customerId", i), Message: "Required on the accounts receivable account"})
				}
				continue
			}
			if ok, err := c.Customer.Query().Where(customerID(*l.CustomerID)).Exist(ctx); err != nil {
				return nil, err
			} else if !ok {
				return nil, apperr.Validation(CodeInvalidEntry, "Journal entry validation failed",
					apperr.Detail{Field: fmt.Sprintf("lines[%d].customerId", i), Message: fmt.Sprintf("Customer %q not found", *l.CustomerID)})
			}
		}
		return Post(ctx, c, e)
	})
}

// ReverseJournalEntry posts the reversal of a manual entry (entries made
// by documents are reversed through their documents: void the invoice or
// the payment).
func ReverseJournalEntry(ctx context.Context, id pulid.ID, date *types.Date, reason, idempotencyKey string) (*ent.JournalEntry, error) {
	return idem.Run(ctx, journalKind, idempotencyKey, "reverse:"+string(id), reason, func(ctx context.Context, c *ent.Client) (*ent.JournalEntry, error) {
		orig, err := c.JournalEntry.Get(ctx, id)
		if ent.IsNotFound(err) {
			return nil, apperr.NotFound(CodeEntryNotFound, fmt.Sprintf("Journal entry with ID '%s' not found", id))
		}
		if err != nil {
			return nil, err
		}
		if orig.SourceType != journalentry.SourceTypeManual {
			return nil, apperr.InvalidState("INVALID_STATE", fmt.Sprintf("Journal entry %s was posted by a %s; reverse it through that document", orig.EntryNumber, orig.SourceType))
		}
		d, err := paymentDate(ctx, c, date)
		if err != nil {
			return nil, err
		}
		return Reverse(ctx, c, id, d, journalentry.SourceTypeReversal, &id, strings.TrimSpace(reason))
	})
}

// GetJournalEntry loads one entry.
func GetJournalEntry(ctx context.Context, id pulid.ID) (*ent.JournalEntry, error) {
	je, err := store.Client(ctx).JournalEntry.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound(CodeEntryNotFound, fmt.Sprintf("Journal entry with ID '%s' not found", id))
	}
	return je, err
}
