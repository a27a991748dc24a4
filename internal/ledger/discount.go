package ledger

import (
	"context"
	"fmt"
	"strings"

	entsql "entgo.io/ent/dialect/sql"
	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/ent/journalentry"
	"github.com/bigledger/bigledger/ent/ledgerdiscount"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/idem"
	"github.com/bigledger/bigledger/internal/store"
)

// Error codes of ledger discounts.
const (
	CodeInvalidDiscount  = "INVALID_LEDGER_DISCOUNT"
	CodeDiscountNotFound = "LEDGER_DISCOUNT_NOT_FOUND"
)

// DiscountNotFound is the error for a missing (or another company's) discount.
func DiscountNotFound(id pulid.ID) error {
	return apperr.NotFound(CodeDiscountNotFound, fmt.Sprintf("Ledger discount with ID '%s' not found", id))
}

// DiscountInput creates or replaces a ledger discount (seed 003).
type DiscountInput struct {
	CustomerID pulid.ID
	Date       types.Date
	Amount     decimal.Decimal
	Note       *string
}

func (in DiscountInput) validate() error {
	var d apperr.Details
	if !in.Amount.IsPositive() || !in.Amount.Equal(in.Amount.Truncate(2)) || len(in.Amount.Truncate(0).String()) > 14 {
		d.Add("amount", "Must be greater than zero, with at most 2 decimal places")
	}
	if in.Note != nil && len([]rune(*in.Note)) > 1000 {
		d.Add("note", "Must be at most 1000 characters")
	}
	return d.Err(CodeInvalidDiscount, "Ledger discount validation failed")
}

func postDiscount(ctx context.Context, c *ent.Client, cu *ent.Customer, in DiscountInput, id pulid.ID) (*ent.JournalEntry, error) {
	accts, err := SystemAccounts(ctx, c)
	if err != nil {
		return nil, err
	}
	cid := cu.ID
	desc := "Ledger discount for " + cu.Name
	if in.Note != nil && strings.TrimSpace(*in.Note) != "" {
		desc = strings.TrimSpace(*in.Note)
	}
	return Post(ctx, c, Entry{Date: in.Date, Reference: cu.CustomerNumber, Description: desc, Source: journalentry.SourceTypeLedgerDiscount, SourceID: &id,
		Lines: []Line{
			{AccountID: accts[RoleSalesDiscounts].ID, Debit: in.Amount},
			{AccountID: accts[RoleAccountsReceivable].ID, Credit: in.Amount, CustomerID: &cid},
		}})
}

// CreateLedgerDiscount grants a discount on a customer's ledger.
func CreateLedgerDiscount(ctx context.Context, in DiscountInput, key string) (*ent.LedgerDiscount, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	return idem.Run(ctx, discountKind, key, "ledger_discount", in, func(ctx context.Context, c *ent.Client) (*ent.LedgerDiscount, error) {
		cu, err := c.Customer.Query().Where(customer.ID(in.CustomerID)).Only(ctx)
		if ent.IsNotFound(err) {
			return nil, apperr.NotFound("CUSTOMER_NOT_FOUND", fmt.Sprintf("Customer with ID '%s' not found", in.CustomerID))
		}
		if err != nil {
			return nil, err
		}
		id := pulid.New("ldisc")
		je, err := postDiscount(ctx, c, cu, in, id)
		if err != nil {
			return nil, err
		}
		create := c.LedgerDiscount.Create().SetID(id).SetCustomerID(cu.ID).SetAmount(in.Amount).SetDate(in.Date).
			SetNillableNote(in.Note).SetJournalEntryID(je.ID)
		if p, ok := auth.FromContext(ctx); ok && p.UserID != "" {
			create.SetCreatedByID(p.UserID)
		}
		return create.Save(ctx)
	})
}

// changeDiscount locks an active discount and reverses its posting.
func changeDiscount(ctx context.Context, c *ent.Client, id pulid.ID, date types.Date) (*ent.LedgerDiscount, error) {
	ld, err := c.LedgerDiscount.Query().Where(ledgerdiscount.ID(id), ledgerdiscount.StatusEQ(ledgerdiscount.StatusActive)).ForUpdate().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, DiscountNotFound(id)
	}
	if err != nil {
		return nil, err
	}
	if ld.JournalEntryID != nil {
		if _, err := Reverse(ctx, c, *ld.JournalEntryID, date, journalentry.SourceTypeReversal, &ld.ID, "Ledger discount changed"); err != nil {
			return nil, err
		}
	}
	return ld, nil
}

// UpdateLedgerDiscount replaces a discount's amount, date and note: the
// old posting is reversed and the new one posted, in one transaction.
func UpdateLedgerDiscount(ctx context.Context, id pulid.ID, date types.Date, amount decimal.Decimal, note *string) (*ent.LedgerDiscount, error) {
	in := DiscountInput{Date: date, Amount: amount, Note: note}
	if err := in.validate(); err != nil {
		return nil, err
	}
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.LedgerDiscount, error) {
		ld, err := changeDiscount(ctx, c, id, date)
		if err != nil {
			return nil, err
		}
		cu, err := c.Customer.Get(ctx, ld.CustomerID)
		if err != nil {
			return nil, err
		}
		in.CustomerID = cu.ID
		je, err := postDiscount(ctx, c, cu, in, ld.ID)
		if err != nil {
			return nil, err
		}
		upd := c.LedgerDiscount.UpdateOne(ld).SetAmount(amount).SetDate(date).SetJournalEntryID(je.ID)
		if note != nil {
			upd.SetNote(*note)
		}
		return upd.Save(ctx)
	})
}

// DeleteLedgerDiscount withdraws a discount by reversing its posting.
func DeleteLedgerDiscount(ctx context.Context, id pulid.ID) (pulid.ID, error) {
	_, err := store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.LedgerDiscount, error) {
		date, err := paymentDate(ctx, c, nil)
		if err != nil {
			return nil, err
		}
		ld, err := changeDiscount(ctx, c, id, date)
		if err != nil {
			return nil, err
		}
		return c.LedgerDiscount.UpdateOne(ld).SetStatus(ledgerdiscount.StatusDeleted).ClearJournalEntryID().Save(ctx)
	})
	return id, err
}

// LedgerDiscounts lists active discounts, optionally of one customer.
func LedgerDiscounts(ctx context.Context, customerID *pulid.ID) ([]*ent.LedgerDiscount, error) {
	return DiscountQuery(ctx, DiscountFilter{CustomerID: customerID}).All(ctx)
}

// DiscountFilter narrows a ledger discount list (seed 003).
type DiscountFilter struct {
	CustomerID *pulid.ID
	From, To   *types.Date
	// Search matches the note, the discount id or the customer's name.
	Search string
}

// DiscountQuery starts the active discounts query with f applied, newest first.
func DiscountQuery(ctx context.Context, f DiscountFilter) *ent.LedgerDiscountQuery {
	q := store.Client(ctx).LedgerDiscount.Query().Where(ledgerdiscount.StatusEQ(ledgerdiscount.StatusActive))
	if f.CustomerID != nil {
		q = q.Where(ledgerdiscount.CustomerID(*f.CustomerID))
	}
	if f.From != nil {
		q = q.Where(ledgerdiscount.DateGTE(*f.From))
	}
	if f.To != nil {
		q = q.Where(ledgerdiscount.DateLTE(*f.To))
	}
	if f.Search != "" {
		pattern := store.ContainsPattern(f.Search)
		q = q.Where(func(s *entsql.Selector) {
			s.Where(entsql.Or(store.ILike(s.C(ledgerdiscount.FieldNote), pattern), entsql.EQ(s.C(ledgerdiscount.FieldID), f.Search),
				entsql.In(s.C(ledgerdiscount.FieldCustomerID), entsql.Select(customer.FieldID).From(entsql.Table(customer.Table)).
					Where(store.ILike(customer.FieldName, pattern)))))
		})
	}
	return q.Order(ent.Desc(ledgerdiscount.FieldDate), ent.Desc(ledgerdiscount.FieldID))
}

// GetLedgerDiscount loads one active discount.
func GetLedgerDiscount(ctx context.Context, id pulid.ID) (*ent.LedgerDiscount, error) {
	ld, err := store.Client(ctx).LedgerDiscount.Query().Where(ledgerdiscount.ID(id), ledgerdiscount.StatusEQ(ledgerdiscount.StatusActive)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, DiscountNotFound(id)
	}
	return ld, err
}
