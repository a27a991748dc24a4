package ledger

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/ent/invoice"
	"github.com/bigledger/bigledger/ent/journalentry"
	"github.com/bigledger/bigledger/ent/payment"
	"github.com/bigledger/bigledger/ent/paymentallocation"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/idem"
	"github.com/bigledger/bigledger/internal/money"
	"github.com/bigledger/bigledger/internal/store"
)

// CustomerPaymentInput receives money from a customer without naming an
// invoice (seed 004 createPayment, seed 003 pay due).
type CustomerPaymentInput struct {
	CustomerID pulid.ID
	RecordPaymentInput
}

// receive validates and stores a customer payment with nothing applied
// yet; the caller allocates and then posts.
func receive(ctx context.Context, c *ent.Client, in CustomerPaymentInput) (*ent.Payment, *ent.Account, error) {
	var d apperr.Details
	in.validate(&d)
	// Not locked here: Post locks the customer last, after any invoices,
	// the order every money workflow takes (payment → invoice → customer).
	cu, err := c.Customer.Query().Where(customer.ID(in.CustomerID)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil, apperr.NotFound("CUSTOMER_NOT_FOUND", fmt.Sprintf("Customer with ID '%s' not found", in.CustomerID))
	}
	if err != nil {
		return nil, nil, err
	}
	if in.Currency != nil && *in.Currency != cu.Currency {
		d.Add("currency", "Must be the customer's currency (%s)", cu.Currency)
	}
	if err := money.CheckScale(in.Amount, cu.Currency); err != nil {
		d.Add("amount", "Must have at most %d decimal places", money.Scale(cu.Currency))
	}
	dep, err := depositAccount(ctx, c, in.AccountID, &d)
	if err != nil {
		return nil, nil, err
	}
	if err := d.Err(CodeInvalidPayment, paymentValidationMsg); err != nil {
		return nil, nil, err
	}
	date, err := paymentDate(ctx, c, in.PaymentDate)
	if err != nil {
		return nil, nil, err
	}
	p, err := createPayment(ctx, c, cu.ID, cu.Currency, decimal.NewFromInt(1), date, dep, in.RecordPaymentInput, decimal.Zero)
	return p, dep, err
}

// The resources a replayed idempotency key returns.
var (
	paymentKind = idem.Kind[*ent.Payment]{
		Load: func(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Payment, error) {
			return c.Payment.Get(ctx, id)
		},
		ID: func(p *ent.Payment) pulid.ID { return p.ID },
	}
	allocationKind = idem.Kind[*ent.PaymentAllocation]{
		Load: func(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.PaymentAllocation, error) {
			return c.PaymentAllocation.Query().Where(paymentallocation.ID(id)).WithPayment().WithInvoice().Only(ctx)
		},
		ID: func(a *ent.PaymentAllocation) pulid.ID { return a.ID },
	}
	journalKind = idem.Kind[*ent.JournalEntry]{
		Load: func(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.JournalEntry, error) {
			return c.JournalEntry.Get(ctx, id)
		},
		ID: func(je *ent.JournalEntry) pulid.ID { return je.ID },
	}
	discountKind = idem.Kind[*ent.LedgerDiscount]{
		Load: func(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.LedgerDiscount, error) {
			return c.LedgerDiscount.Get(ctx, id)
		},
		ID: func(ld *ent.LedgerDiscount) pulid.ID { return ld.ID },
	}
)

// CreatePayment records money received on the customer's account, applied
// to nothing yet: Dr deposit / Cr customer credits.
func CreatePayment(ctx context.Context, in CustomerPaymentInput, key string) (*ent.Payment, error) {
	return idem.Run(ctx, paymentKind, key, "create_payment", in, func(ctx context.Context, c *ent.Client) (*ent.Payment, error) {
		p, dep, err := receive(ctx, c, in)
		if err != nil {
			return nil, err
		}
		return p, postPayment(ctx, c, p, dep)
	})
}

// PayDue records a payment against a customer's due balance (seed 003):
// it is applied to open invoices oldest due first, and what is left stays
// on the customer's account as credit (an advance).
func PayDue(ctx context.Context, in CustomerPaymentInput, key string) (*ent.Payment, error) {
	return idem.Run(ctx, paymentKind, key, "pay_due", in, func(ctx context.Context, c *ent.Client) (*ent.Payment, error) {
		p, dep, err := receive(ctx, c, in)
		if err != nil {
			return nil, err
		}
		open, err := c.Invoice.Query().
			Where(invoice.CustomerID(p.CustomerID), invoice.StatusEQ(invoice.StatusSent), invoice.AmountDueGT(decimal.Zero), invoice.Currency(p.Currency)).
			Order(ent.Asc(invoice.FieldDueDate), ent.Asc(invoice.FieldInvoiceDate), ent.Asc(invoice.FieldID)).ForUpdate().All(ctx)
		if err != nil {
			return nil, err
		}
		left := p.Amount
		for _, inv := range open {
			if !left.IsPositive() {
				break
			}
			amt := decimal.Min(left, inv.AmountDue)
			if err := allocate(ctx, c, p, inv, amt, p.PaymentDate); err != nil {
				return nil, err
			}
			left = left.Sub(amt)
		}
		return p, postPayment(ctx, c, p, dep)
	})
}

// ApplyPayment applies unapplied money of a payment to an invoice of the
// same customer (seed 004 applyPayment). Amount defaults to what fits:
// the lesser of the unapplied amount and the invoice's amount due.
// Posts Dr customer credits / Cr receivable.
// The answer is the new allocation with its payment and invoice (both in
// their new state) attached.
func ApplyPayment(ctx context.Context, paymentID, invoiceID pulid.ID, amount *decimal.Decimal, key string) (*ent.PaymentAllocation, error) {
	body := map[string]any{"invoice": invoiceID, "amount": amount}
	a, err := idem.Run(ctx, allocationKind, key, "apply_payment:"+string(paymentID), body, func(ctx context.Context, c *ent.Client) (*ent.PaymentAllocation, error) {
		p, err := lockPayment(ctx, c, paymentID)
		if err != nil {
			return nil, err
		}
		if p.Status != payment.StatusCompleted {
			return nil, apperr.InvalidState("INVALID_STATE", fmt.Sprintf("Payment %s is %s", p.PaymentNumber, p.Status))
		}
		inv, err := c.Invoice.Query().Where(invoice.ID(invoiceID)).ForUpdate().Only(ctx)
		if ent.IsNotFound(err) {
			return nil, apperr.NotFound("INVOICE_NOT_FOUND", fmt.Sprintf("Invoice with ID '%s' not found", invoiceID))
		}
		if err != nil {
			return nil, err
		}
		switch {
		case inv.Status == invoice.StatusDraft || inv.Status == invoice.StatusVoid:
			return nil, apperr.InvalidState(CodeInvoiceNotPayable, fmt.Sprintf("Invoice %s is %s", inv.InvoiceNumber, inv.Status))
		case inv.CustomerID != p.CustomerID:
			return nil, apperr.Validation(CodeInvalidPayment, paymentValidationMsg, apperr.Detail{Field: "invoiceId", Message: "The invoice belongs to another customer"})
		case inv.Currency != p.Currency:
			return nil, apperr.InvalidState(CodeCurrencyMismatch, fmt.Sprintf("Invoice %s is in %s, the payment in %s", inv.InvoiceNumber, inv.Currency, p.Currency))
		}
		amt := decimal.Min(p.UnappliedAmount, inv.AmountDue)
		if amount != nil {
			amt = *amount
		}
		switch {
		case !amt.IsPositive():
			return nil, apperr.Validation(CodeInvalidPayment, paymentValidationMsg, apperr.Detail{Field: "amount", Message: "Nothing to apply"})
		case !amt.Equal(amt.Truncate(money.Scale(p.Currency))):
			return nil, apperr.Validation(CodeInvalidPayment, paymentValidationMsg, apperr.Detail{Field: "amount", Message: "Too many decimal places"})
		case amt.GreaterThan(p.UnappliedAmount):
			return nil, apperr.InvalidState(CodeOverpayment, fmt.Sprintf("Only %s of payment %s is unapplied", money.Format(p.UnappliedAmount, p.Currency), p.PaymentNumber),
				apperr.Detail{Field: "amount", Message: "At most " + money.Format(p.UnappliedAmount, p.Currency)})
		case amt.GreaterThan(inv.AmountDue):
			return nil, apperr.InvalidState(CodeOverpayment, fmt.Sprintf("Invoice %s has %s due", inv.InvoiceNumber, money.Format(inv.AmountDue, inv.Currency)),
				apperr.Detail{Field: "amount", Message: "At most " + money.Format(inv.AmountDue, inv.Currency)})
		}
		alloc, err := applyToInvoice(ctx, c, p, inv, amt, p.PaymentDate)
		if err != nil {
			return nil, err
		}
		p.UnappliedAmount = p.UnappliedAmount.Sub(amt)
		if err := c.Payment.Update().Where(payment.ID(p.ID)).SetUnappliedAmount(p.UnappliedAmount).Exec(ctx); err != nil {
			return nil, err
		}
		accts, err := SystemAccounts(ctx, c)
		if err != nil {
			return nil, err
		}
		base, err := baseCurrency(ctx, c)
		if err != nil {
			return nil, err
		}
		conv := money.Round(amt.Mul(p.ExchangeRate), base)
		cid := p.CustomerID
		date, err := paymentDate(ctx, c, nil)
		if err != nil {
			return nil, err
		}
		if _, err := Post(ctx, c, Entry{Date: date, Reference: p.PaymentNumber, Description: "Apply " + p.PaymentNumber + " to " + inv.InvoiceNumber,
			Source: journalentry.SourceTypePayment, SourceID: &p.ID, Lines: []Line{
				{AccountID: accts[RoleCustomerCredits].ID, Debit: conv, CustomerID: &cid, Currency: p.Currency, OriginalAmount: amt, ExchangeRate: p.ExchangeRate},
				{AccountID: accts[RoleAccountsReceivable].ID, Credit: conv, CustomerID: &cid, Currency: p.Currency, OriginalAmount: amt, ExchangeRate: p.ExchangeRate},
			}}); err != nil {
			return nil, err
		}
		alloc.Edges.Payment, alloc.Edges.Invoice = p, inv
		return alloc, nil
	})
	if err != nil {
		return nil, err
	}
	a.Edges.Payment, a.Edges.Invoice = store.Detach(a.Edges.Payment), store.Detach(a.Edges.Invoice)
	return a, nil
}
