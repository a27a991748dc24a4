package ledger

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/invoice"
	"github.com/bigledger/bigledger/ent/journalentry"
	"github.com/bigledger/bigledger/ent/payment"
	"github.com/bigledger/bigledger/ent/paymentallocation"
	"github.com/bigledger/bigledger/ent/refund"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/events"
	"github.com/bigledger/bigledger/internal/idem"
	"github.com/bigledger/bigledger/internal/money"
	"github.com/bigledger/bigledger/internal/store"
	"github.com/bigledger/bigledger/internal/tenant"
)

// Error codes of refunds and failed payments.
const (
	CodeInvalidRefund  = "INVALID_REFUND_DATA"
	CodeRefundTooLarge = "REFUND_EXCEEDS_PAYMENT"
	refundMsg          = "Refund validation failed"
)

// RefundInput returns money of a payment to its customer.
type RefundInput struct {
	// Amount defaults to all that is still refundable.
	Amount     *decimal.Decimal
	RefundDate *types.Date
	// Method defaults to the payment's.
	Method    *refund.Method
	Reason    *string
	Reference *string
	// AccountID is the asset account the money leaves; default: the one
	// the payment was deposited to.
	AccountID *pulid.ID
}

func (in RefundInput) validate(d *apperr.Details) {
	if in.Amount != nil {
		checkAmount(d, "amount", *in.Amount)
	}
	if in.Method != nil && refund.MethodValidator(*in.Method) != nil {
		d.Add("method", "Must be one of cash, bank_transfer, cheque, card, online, other")
	}
	if in.Reason != nil && len([]rune(*in.Reason)) > 500 {
		d.Add("reason", "Must be at most 500 characters")
	}
	if in.Reference != nil && len([]rune(*in.Reference)) > 100 {
		d.Add("reference", "Must be at most 100 characters")
	}
}

var refundKind = idem.Kind[*ent.Refund]{
	Load: func(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Refund, error) {
		return c.Refund.Query().Where(refund.ID(id)).WithPayment().Only(ctx)
	},
	ID: func(r *ent.Refund) pulid.ID { return r.ID },
}

// RefundPayment returns money of a completed payment to its customer, in
// one transaction with the payment row locked (two refunds racing past
// what is refundable: the second is refused). The refund takes first what
// the payment holds unapplied (its credit), then what it paid on invoices,
// newest allocation first: each such invoice is locked, paid less and due
// more again (a paid invoice is open again). Posted Dr customer credits
// and/or Dr receivable (the customer) / Cr the account the money leaves.
// Partial refunds add up to at most the payment's amount; the payment is
// refunded when nothing is left. With an idempotency key a replay returns
// the original refund.
func RefundPayment(ctx context.Context, paymentID pulid.ID, in RefundInput, idempotencyKey string) (*ent.Refund, error) {
	var d apperr.Details
	in.validate(&d)
	if err := d.Err(CodeInvalidRefund, refundMsg); err != nil {
		return nil, err
	}
	r, err := idem.Run(ctx, refundKind, idempotencyKey, "refund_payment:"+string(paymentID), in, func(ctx context.Context, c *ent.Client) (*ent.Refund, error) {
		p, err := lockPayment(ctx, c, paymentID)
		if err != nil {
			return nil, err
		}
		tenant.MarkVisible(ctx, string(p.ID))
		switch p.Status {
		case payment.StatusVoid, payment.StatusFailed:
			return nil, apperr.InvalidState("INVALID_STATE", fmt.Sprintf("Payment %s is %s; there is nothing to refund", p.PaymentNumber, p.Status))
		case payment.StatusRefunded:
			return nil, apperr.InvalidState(CodeRefundTooLarge, fmt.Sprintf("Payment %s is already fully refunded", p.PaymentNumber),
				apperr.Detail{Field: "amount", Message: "Nothing is left to refund"})
		}
		refundable := p.Amount.Sub(p.RefundedAmount)
		amt := refundable
		if in.Amount != nil {
			amt = *in.Amount
		}
		if !amt.Equal(amt.Truncate(money.Scale(p.Currency))) {
			d.Add("amount", "Must have at most %d decimal places", money.Scale(p.Currency))
		}
		from := p.DepositAccountID
		if in.AccountID != nil {
			acct, err := depositAccount(ctx, c, in.AccountID, &d)
			if err != nil {
				return nil, err
			}
			if acct != nil {
				from = acct.ID
			}
		} else {
			tenant.MarkVisible(ctx, string(from))
		}
		date, err := paymentDate(ctx, c, in.RefundDate)
		if err != nil {
			return nil, err
		}
		if date.Time().Before(p.PaymentDate.Time()) {
			d.Add("refundDate", "Must be on or after the payment's date (%s)", p.PaymentDate)
		}
		if err := d.Err(CodeInvalidRefund, refundMsg); err != nil {
			return nil, err
		}
		if amt.GreaterThan(refundable) {
			return nil, apperr.InvalidState(CodeRefundTooLarge,
				fmt.Sprintf("Refund of %s exceeds the %s still refundable on payment %s", money.Format(amt, p.Currency), money.Format(refundable, p.Currency), p.PaymentNumber),
				apperr.Detail{Field: "amount", Message: "At most " + money.Format(refundable, p.Currency)})
		}
		fromCredit := decimal.Min(amt, p.UnappliedAmount)
		fromInvoices := amt.Sub(fromCredit)

		method := refund.Method(p.Method)
		if in.Method != nil {
			method = *in.Method
		}
		id := pulid.New("rfd")
		create := c.Refund.Create().SetID(id).SetPaymentID(p.ID).SetAmount(amt).SetFromCredit(fromCredit).SetFromInvoices(fromInvoices).
			SetRefundDate(date).SetMethod(method).SetNillableReason(trimmed(in.Reason)).SetNillableReference(trimmed(in.Reference)).SetAccountID(from)
		if pr, ok := auth.FromContext(ctx); ok && pr.UserID != "" {
			create.SetCreatedByID(pr.UserID)
		}
		r, err := create.Save(ctx)
		if err != nil {
			return nil, err
		}
		if fromInvoices.IsPositive() {
			if err := takeBackFromInvoices(ctx, c, p, r, fromInvoices); err != nil {
				return nil, err
			}
		}
		je, err := postRefund(ctx, c, p, r)
		if err != nil {
			return nil, err
		}
		p.UnappliedAmount = p.UnappliedAmount.Sub(fromCredit)
		p.RefundedAmount = p.RefundedAmount.Add(amt)
		upd := c.Payment.UpdateOne(p).SetUnappliedAmount(p.UnappliedAmount).SetRefundedAmount(p.RefundedAmount)
		if p.RefundedAmount.Equal(p.Amount) {
			upd.SetStatus(payment.StatusRefunded)
		}
		if p, err = upd.Save(ctx); err != nil {
			return nil, err
		}
		if r, err = c.Refund.UpdateOne(r).SetJournalEntryID(je.ID).Save(ctx); err != nil {
			return nil, err
		}
		r.Edges.Payment = p
		return r, events.Emit(ctx, events.PaymentRefunded, p.ID, events.RefundPayload(p, r))
	})
	if err != nil {
		return nil, err
	}
	r.Edges.Payment = store.Detach(r.Edges.Payment)
	return r, nil
}

// takeBackFromInvoices releases amount of what p paid on invoices, newest
// allocation first, writing a negative allocation (naming r) per invoice.
func takeBackFromInvoices(ctx context.Context, c *ent.Client, p *ent.Payment, r *ent.Refund, amount decimal.Decimal) error {
	allocs, err := c.PaymentAllocation.Query().Where(paymentallocation.PaymentID(p.ID), paymentallocation.VoidedAtIsNil()).
		Order(ent.Asc(paymentallocation.FieldCreatedAt), ent.Asc(paymentallocation.FieldID)).All(ctx)
	if err != nil {
		return err
	}
	// What the payment still pays on each invoice, and the order of the
	// invoices by their newest allocation.
	net := map[pulid.ID]decimal.Decimal{}
	var order []pulid.ID
	for _, a := range allocs {
		net[a.InvoiceID] = net[a.InvoiceID].Add(a.Amount)
		order = slices.DeleteFunc(order, func(id pulid.ID) bool { return id == a.InvoiceID })
		order = append(order, a.InvoiceID)
	}
	slices.Reverse(order)
	type take struct {
		invoice pulid.ID
		amount  decimal.Decimal
	}
	var takes []take
	left := amount
	for _, id := range order {
		if !left.IsPositive() {
			break
		}
		if n := net[id]; n.IsPositive() {
			t := decimal.Min(left, n)
			takes = append(takes, take{id, t})
			left = left.Sub(t)
		}
	}
	if left.IsPositive() {
		return fmt.Errorf("refund %s: payment %s holds %s less on invoices than its figures say", r.ID, p.PaymentNumber, left)
	}
	// Invoices are locked in id order, the order every workflow takes.
	slices.SortFunc(takes, func(a, b take) int { return strings.Compare(string(a.invoice), string(b.invoice)) })
	for _, t := range takes {
		inv, err := c.Invoice.Query().Where(invoice.ID(t.invoice)).ForUpdate().Only(ctx)
		if err != nil {
			return err
		}
		if _, err := c.PaymentAllocation.Create().SetPaymentID(p.ID).SetInvoiceID(inv.ID).SetAmount(t.amount.Neg()).SetRefundID(r.ID).Save(ctx); err != nil {
			return err
		}
		paid := inv.AmountPaid.Sub(t.amount)
		due := inv.Total.Sub(paid)
		upd := c.Invoice.Update().Where(invoice.ID(inv.ID)).SetAmountPaid(paid).SetAmountDue(due).SetPaymentStatus(paymentStatus(paid, due))
		if inv.Status == invoice.StatusPaid {
			upd.SetStatus(invoice.StatusSent)
		}
		if err := upd.Exec(ctx); err != nil {
			return err
		}
		if err := invoiceChanged(ctx, inv, paid, due); err != nil {
			return err
		}
	}
	return nil
}

// postRefund posts Dr customer credits (from credit) and Dr receivable
// (from invoices), both naming the customer, / Cr the account the money
// leaves, at the payment's exchange rate.
func postRefund(ctx context.Context, c *ent.Client, p *ent.Payment, r *ent.Refund) (*ent.JournalEntry, error) {
	accts, err := SystemAccounts(ctx, c)
	if err != nil {
		return nil, err
	}
	base, err := baseCurrency(ctx, c)
	if err != nil {
		return nil, err
	}
	conv := func(x decimal.Decimal) decimal.Decimal { return money.Round(x.Mul(p.ExchangeRate), base) }
	cid := p.CustomerID
	credit, invoices := conv(r.FromCredit), conv(r.FromInvoices)
	e := Entry{Date: r.RefundDate, Reference: p.PaymentNumber, Description: "Refund of payment " + p.PaymentNumber,
		Source: journalentry.SourceTypeRefund, SourceID: &p.ID}
	if credit.IsPositive() {
		e.Lines = append(e.Lines, Line{AccountID: accts[RoleCustomerCredits].ID, Debit: credit, CustomerID: &cid,
			Currency: p.Currency, OriginalAmount: r.FromCredit, ExchangeRate: p.ExchangeRate})
	}
	if invoices.IsPositive() {
		e.Lines = append(e.Lines, Line{AccountID: accts[RoleAccountsReceivable].ID, Debit: invoices, CustomerID: &cid,
			Currency: p.Currency, OriginalAmount: r.FromInvoices, ExchangeRate: p.ExchangeRate})
	}
	e.Lines = append(e.Lines, Line{AccountID: r.AccountID, Credit: credit.Add(invoices),
		Currency: p.Currency, OriginalAmount: r.Amount, ExchangeRate: p.ExchangeRate})
	return Post(ctx, c, e)
}

func trimmed(s *string) *string {
	if s == nil {
		return nil
	}
	t := strings.TrimSpace(*s)
	if t == "" {
		return nil
	}
	return &t
}

// PaymentRefunds lists a payment's refunds, oldest first.
func PaymentRefunds(ctx context.Context, c *ent.Client, paymentID pulid.ID) ([]*ent.Refund, error) {
	return c.Refund.Query().Where(refund.PaymentID(paymentID)).Order(ent.Asc(refund.FieldCreatedAt), ent.Asc(refund.FieldID)).All(ctx)
}

// FailPayment records that a payment never arrived: a cheque returned
// unpaid, a bank transfer recalled, a card charged back. Like a void, its
// allocations are released (the invoices are due again) and every entry
// it posted is reversed exactly, on the day it failed; the payment keeps
// its number with status failed and the reason, and payment.failed is
// emitted. A payment that was refunded (in part) cannot fail: the refund
// already moved money.
func FailPayment(ctx context.Context, id pulid.ID, reason, idempotencyKey string) (*ent.Payment, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, apperr.Validation(CodeInvalidPayment, paymentValidationMsg, apperr.Detail{Field: "reason", Message: "A reason is required"})
	}
	if len([]rune(reason)) > 500 {
		return nil, apperr.Validation(CodeInvalidPayment, paymentValidationMsg, apperr.Detail{Field: "reason", Message: "Must be at most 500 characters"})
	}
	return idem.Run(ctx, paymentKind, idempotencyKey, "fail_payment:"+string(id), reason, func(ctx context.Context, c *ent.Client) (*ent.Payment, error) {
		p, err := unwindPayment(ctx, c, id, "failed", "Failed payment ")
		if err != nil {
			return nil, err
		}
		now := Clock()
		out, err := c.Payment.UpdateOne(p).SetStatus(payment.StatusFailed).SetFailedAt(now).SetFailureReason(reason).SetUnappliedAmount(decimal.Zero).Save(ctx)
		if err != nil {
			return nil, err
		}
		payload := events.PaymentPayload(out)
		payload["failureReason"] = reason
		payload["failedAt"] = now.UTC().Format(time.RFC3339)
		return out, events.Emit(ctx, events.PaymentFailed, out.ID, payload)
	})
}
