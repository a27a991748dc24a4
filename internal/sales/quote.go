package sales

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/quote"
	"github.com/bigledger/bigledger/ent/quoteitem"
	"github.com/bigledger/bigledger/ent/salesorder"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/events"
	"github.com/bigledger/bigledger/internal/numbering"
	"github.com/bigledger/bigledger/internal/store"
)

// Error codes of the quote workflows (seed 000).
const (
	CodeInvalidQuote          = "INVALID_QUOTE_DATA"
	CodeQuoteNotFound         = "QUOTE_NOT_FOUND"
	CodeQuoteConversionFailed = "QUOTE_CONVERSION_FAILED"
	quoteValidationMsg        = "Quote validation failed"
)

// QuoteKind numbers quotes QT-YYYY-NNNN per company and year.
var QuoteKind = numbering.Kind{Name: "quote", Prefix: "QT", Yearly: true}

// QuoteNotFound is the error for a missing (or another company's) quote.
func QuoteNotFound(id pulid.ID) error {
	return apperr.NotFound(CodeQuoteNotFound, fmt.Sprintf("Quote with ID '%s' not found", id))
}

// QuoteInput creates a draft quote (seed 000 Create Quote).
type QuoteInput struct {
	CustomerID      pulid.ID
	QuoteDate       *types.Date
	ValidUntil      *types.Date
	Currency        *string
	ExchangeRate    *decimal.Decimal
	Reference       *string
	Title           *string
	Description     *string
	Notes           *string
	Terms           *string
	BillingAddress  *types.Address
	ShippingAddress *types.Address
	ShippingCost    *decimal.Decimal
	Items           []LineInput
}

// QuoteUpdate edits a draft quote; Items, when non-nil, replaces the lines.
type QuoteUpdate struct {
	ValidUntil      *types.Date
	ExchangeRate    *decimal.Decimal
	Reference       *string
	Title           *string
	Description     *string
	Notes           *string
	Terms           *string
	BillingAddress  *types.Address
	ShippingAddress *types.Address
	ShippingCost    *decimal.Decimal
	Items           []LineInput
}

// QuoteValidityDays is the default validity of a quote.
const QuoteValidityDays = 30

// QuoteStatus is the status the API shows: an open quote (draft, sent or
// accepted) whose validUntil has passed is expired.
func QuoteStatus(q *ent.Quote, today types.Date) quote.Status {
	switch q.Status {
	case quote.StatusDraft, quote.StatusSent, quote.StatusAccepted:
		if q.ValidUntil.Time().Before(today.Time()) {
			return quote.StatusExpired
		}
	}
	return q.Status
}

// CreateQuote stores a draft quote with its lines and number.
func CreateQuote(ctx context.Context, in QuoteInput) (*ent.Quote, error) {
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.Quote, error) {
		var d apperr.Details
		cu, err := documentCustomer(ctx, c, in.CustomerID, CodeInvalidQuote, quoteValidationMsg, in.Currency, &d)
		if err != nil {
			return nil, err
		}
		date, err := documentDate(ctx, in.QuoteDate)
		if err != nil {
			return nil, err
		}
		validUntil := types.DateOf(date.Time().AddDate(0, 0, QuoteValidityDays))
		if in.ValidUntil != nil {
			validUntil = *in.ValidUntil
		}
		if validUntil.Time().Before(date.Time()) {
			d.Add("validUntil", "Must be on or after the quote date")
		}
		checkText(&d, "title", in.Title, 200)
		h, err := newHeader(ctx, c, cu, in.ExchangeRate, in.ShippingCost, in.Reference, in.Items, &d)
		if err != nil {
			return nil, err
		}
		sortDetails(d)
		if err := d.Err(CodeInvalidQuote, quoteValidationMsg); err != nil {
			return nil, err
		}
		number, err := numbering.Next(ctx, c, QuoteKind, date.Year)
		if err != nil {
			return nil, err
		}
		billing, shipping := addresses(cu, in.BillingAddress, in.ShippingAddress)
		create := c.Quote.Create().SetCustomerID(cu.ID).SetQuoteNumber(number).
			SetQuoteDate(date).SetValidUntil(validUntil).SetCurrency(h.currency).
			SetNillableReference(trimmed(in.Reference)).SetNillableTitle(trimmed(in.Title)).
			SetNillableDescription(in.Description).SetNillableNotes(in.Notes).SetNillableTerms(in.Terms)
		setDocument(create.Mutation(), h, billing, shipping)
		if p, ok := auth.FromContext(ctx); ok && p.UserID != "" {
			create.SetCreatedByID(p.UserID)
		}
		q, err := create.Save(ctx)
		if err != nil {
			return nil, err
		}
		return q, saveQuoteLines(ctx, c, q.ID, h.lines)
	})
}

func setDocument(m documentSetter, h header, billing, shipping types.Address) {
	setTotals(m, h.totals)
	m.SetExchangeRate(h.exchangeRate)
	m.SetBillingAddress(billing)
	m.SetShippingAddress(shipping)
}

func saveQuoteLines(ctx context.Context, c *ent.Client, quoteID pulid.ID, lines []Line) error {
	builders := make([]*ent.QuoteItemCreate, len(lines))
	for i, l := range lines {
		b := c.QuoteItem.Create().SetQuoteID(quoteID).SetPosition(i)
		setLine(b.Mutation(), l)
		builders[i] = b
	}
	return c.QuoteItem.CreateBulk(builders...).Exec(ctx)
}

func lockQuote(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Quote, error) {
	q, err := c.Quote.Query().Where(quote.ID(id)).ForUpdate().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, QuoteNotFound(id)
	}
	return q, err
}

// UpdateQuote edits a draft quote.
func UpdateQuote(ctx context.Context, id pulid.ID, in QuoteUpdate) (*ent.Quote, error) {
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.Quote, error) {
		old, err := lockQuote(ctx, c, id)
		if err != nil {
			return nil, err
		}
		if old.Status != quote.StatusDraft {
			return nil, invalidState("Quote %s is %s; only drafts can be edited", old.QuoteNumber, old.Status)
		}
		cu, err := c.Customer.Get(ctx, old.CustomerID)
		if err != nil {
			return nil, err
		}
		var d apperr.Details
		h := header{currency: old.Currency, exchangeRate: old.ExchangeRate, shipping: old.ShippingCost}
		validUntil := old.ValidUntil
		if in.ValidUntil != nil {
			validUntil = *in.ValidUntil
		}
		if validUntil.Time().Before(old.QuoteDate.Time()) {
			d.Add("validUntil", "Must be on or after the quote date")
		}
		if in.ExchangeRate != nil {
			h.exchangeRate = *in.ExchangeRate
		}
		if in.ShippingCost != nil {
			h.shipping = *in.ShippingCost
		}
		checkText(&d, "reference", in.Reference, 100)
		checkText(&d, "title", in.Title, 200)
		if err := h.retotal(ctx, c, cu, in.Items, func() ([]LineResult, error) {
			items, err := c.QuoteItem.Query().Where(quoteitem.QuoteID(id)).All(ctx)
			var ds, ls, ts []decimal.Decimal
			for _, it := range items {
				ds, ls, ts = append(ds, it.DiscountAmount), append(ls, it.LineTotal), append(ts, it.TaxAmount)
			}
			return results(ds, ls, ts), err
		}, &d); err != nil {
			return nil, err
		}
		h.validate(&d)
		sortDetails(d)
		if err := d.Err(CodeInvalidQuote, quoteValidationMsg); err != nil {
			return nil, err
		}
		upd := c.Quote.UpdateOne(old).SetValidUntil(validUntil).SetExchangeRate(h.exchangeRate)
		setTotals(upd.Mutation(), h.totals)
		applyText(upd.Mutation(), docText{Reference: in.Reference, Notes: in.Notes, Terms: in.Terms,
			Billing: in.BillingAddress, Shipping: in.ShippingAddress})
		if in.Title != nil {
			upd.SetNillableTitle(trimmed(in.Title))
		}
		if in.Description != nil {
			upd.SetDescription(*in.Description)
		}
		q, err := upd.Save(ctx)
		if err != nil {
			return nil, err
		}
		if in.Items != nil {
			if _, err := c.QuoteItem.Delete().Where(quoteitem.QuoteID(id)).Exec(ctx); err != nil {
				return nil, err
			}
			if err := saveQuoteLines(ctx, c, id, h.lines); err != nil {
				return nil, err
			}
		}
		return q, nil
	})
}

// transitionQuote locks a quote, refuses it when expired or in a state
// not in from, and applies change.
func transitionQuote(ctx context.Context, id pulid.ID, verb string, from []quote.Status,
	change func(ctx context.Context, c *ent.Client, q *ent.Quote, upd *ent.QuoteUpdateOne) error) (*ent.Quote, error) {
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.Quote, error) {
		q, err := lockQuote(ctx, c, id)
		if err != nil {
			return nil, err
		}
		today, err := Today(ctx)
		if err != nil {
			return nil, err
		}
		st := QuoteStatus(q, today)
		allowed := false
		for _, s := range from {
			allowed = allowed || s == st
		}
		if !allowed {
			if st == quote.StatusExpired {
				return nil, apperr.InvalidState("QUOTE_EXPIRED", fmt.Sprintf("Quote %s expired on %s and cannot be %s", q.QuoteNumber, q.ValidUntil, verb))
			}
			return nil, invalidState("Quote %s is %s and cannot be %s", q.QuoteNumber, st, verb)
		}
		upd := c.Quote.UpdateOne(q)
		if err := change(ctx, c, q, upd); err != nil {
			return nil, err
		}
		out, err := upd.Save(ctx)
		if err != nil {
			return nil, err
		}
		if typ, ok := quoteEvents[verb]; ok {
			err = events.Emit(ctx, typ, out.ID, events.QuotePayload(out))
		}
		return out, err
	})
}

// quoteEvents names the event each quote transition emits.
var quoteEvents = map[string]string{"accepted": events.QuoteAccepted}

// SendQuote emails a quote (to its customer by default, as SendInvoice);
// a draft becomes sent. quote.sent fires when SMTP took the email.
func SendQuote(ctx context.Context, id pulid.ID, in SendInput) (*ent.Quote, error) {
	if err := validateSend(in, CodeInvalidQuote); err != nil {
		return nil, err
	}
	return transitionQuote(ctx, id, "sent", []quote.Status{quote.StatusDraft, quote.StatusSent},
		func(ctx context.Context, c *ent.Client, q *ent.Quote, upd *ent.QuoteUpdateOne) error {
			var err error
			if in.To, err = resolveTo(ctx, c, q.CustomerID, in.To, CodeInvalidQuote); err != nil {
				return err
			}
			msg, err := queueQuoteEmail(ctx, c, q, in)
			if err != nil {
				return err
			}
			now := Clock()
			upd.SetStatus(quote.StatusSent).SetSentAt(now).AddSendCount(1).SetLastSend(mergePayload(sendRecord(in, now), deliveryRecord(msg)))
			return nil
		})
}

// AcceptQuote records the customer's acceptance.
func AcceptQuote(ctx context.Context, id pulid.ID, acceptedBy *string) (*ent.Quote, error) {
	return transitionQuote(ctx, id, "accepted", []quote.Status{quote.StatusSent},
		func(_ context.Context, _ *ent.Client, q *ent.Quote, upd *ent.QuoteUpdateOne) error {
			upd.SetStatus(quote.StatusAccepted).SetAcceptedAt(Clock()).SetNillableAcceptedBy(trimmed(acceptedBy))
			return nil
		})
}

// RejectQuote records the customer's rejection.
func RejectQuote(ctx context.Context, id pulid.ID, reason *string) (*ent.Quote, error) {
	var d apperr.Details
	checkText(&d, "reason", reason, 500)
	if err := d.Err(CodeInvalidQuote, quoteValidationMsg); err != nil {
		return nil, err
	}
	return transitionQuote(ctx, id, "rejected", []quote.Status{quote.StatusDraft, quote.StatusSent},
		func(_ context.Context, _ *ent.Client, q *ent.Quote, upd *ent.QuoteUpdateOne) error {
			upd.SetStatus(quote.StatusRejected).SetRejectedAt(Clock()).SetNillableRejectionReason(trimmed(reason))
			return nil
		})
}

// ConvertQuoteToOrder turns an accepted quote into a draft sales order
// with the same lines, linking both ways. An expired quote answers 422
// QUOTE_CONVERSION_FAILED with the seed's details; converting twice, or a
// quote not accepted, is refused the same way.
func ConvertQuoteToOrder(ctx context.Context, id pulid.ID) (*ent.SalesOrder, error) {
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.SalesOrder, error) {
		q, err := lockQuote(ctx, c, id)
		if err != nil {
			return nil, err
		}
		today, err := Today(ctx)
		if err != nil {
			return nil, err
		}
		fail := func(msg string, data map[string]any) error {
			e := apperr.InvalidState(CodeQuoteConversionFailed, msg)
			e.Details = []apperr.Detail{{Data: data}}
			return e
		}
		switch st := QuoteStatus(q, today); st {
		case quote.StatusAccepted:
		case quote.StatusExpired:
			return nil, fail("Cannot convert expired quote to sales order",
				map[string]any{"quoteId": q.ID, "validUntil": q.ValidUntil.String(), "currentDate": today.String()})
		case quote.StatusConverted:
			return nil, fail("Quote has already been converted to a sales order",
				map[string]any{"quoteId": q.ID, "salesOrderId": q.SalesOrderID})
		default:
			return nil, fail(fmt.Sprintf("Only accepted quotes can be converted; this one is %s", st),
				map[string]any{"quoteId": q.ID, "status": string(st)})
		}
		items, err := c.QuoteItem.Query().Where(quoteitem.QuoteID(id)).Order(ent.Asc(quoteitem.FieldPosition)).All(ctx)
		if err != nil {
			return nil, err
		}
		number, err := numbering.Next(ctx, c, OrderKind, today.Year)
		if err != nil {
			return nil, err
		}
		create := c.SalesOrder.Create().SetCustomerID(q.CustomerID).SetOrderNumber(number).SetOrderDate(today).
			SetCurrency(q.Currency).SetExchangeRate(q.ExchangeRate).SetNillableReference(q.Reference).
			SetNillableNotes(q.Notes).SetNillableTerms(q.Terms).
			SetBillingAddress(q.BillingAddress).SetShippingAddress(q.ShippingAddress).SetQuoteID(q.ID).
			// The customer accepted the quote: the order it becomes is
			// agreed, so it starts confirmed and can be invoiced at once
			// (seed 000's complete sales process goes from convert to
			// invoice with no confirm step).
			SetStatus(salesorder.StatusConfirmed).
			SetStatusHistory([]map[string]any{historyEntry(salesorder.StatusDraft, "Created from quote "+q.QuoteNumber),
				historyEntry(salesorder.StatusConfirmed, "Quote "+q.QuoteNumber+" accepted by the customer")})
		setTotals(create.Mutation(), Totals{Subtotal: q.Subtotal, TotalDiscount: q.TotalDiscount, TotalTax: q.TotalTax, ShippingCost: q.ShippingCost, Total: q.Total})
		if p, ok := auth.FromContext(ctx); ok && p.UserID != "" {
			create.SetCreatedByID(p.UserID)
		}
		so, err := create.Save(ctx)
		if err != nil {
			return nil, err
		}
		lines := make([]Line, len(items))
		for i, it := range items {
			lines[i] = storedLine(it.ItemID, it.ItemCode, it.Description, it.Quantity, it.UnitPrice, it.DiscountPercent,
				it.TaxCode, it.TaxRate, it.Notes, LineResult{DiscountAmount: it.DiscountAmount, LineTotal: it.LineTotal, TaxAmount: it.TaxAmount})
		}
		if err := saveOrderLines(ctx, c, so.ID, lines); err != nil {
			return nil, err
		}
		if err := c.Quote.UpdateOne(q).SetStatus(quote.StatusConverted).SetConvertedToOrderAt(Clock()).SetSalesOrderID(so.ID).Exec(ctx); err != nil {
			return nil, err
		}
		return so, nil
	})
}

func storedLine(itemID *pulid.ID, code *string, desc string, qty, price, disc decimal.Decimal, tax *string, rate decimal.Decimal, notes *string, r LineResult) Line {
	return Line{ItemID: itemID, ItemCode: code, Description: desc, Quantity: qty, UnitPrice: price,
		DiscountPercent: disc, TaxCode: tax, TaxRate: rate, Notes: notes, LineResult: r}
}

func sendRecord(in SendInput, now time.Time) map[string]any {
	rec := map[string]any{"to": nonNil(in.To), "cc": nonNil(in.Cc), "bcc": nonNil(in.Bcc), "sentAt": now.UTC().Format(time.RFC3339)}
	if in.Subject != nil {
		rec["subject"] = *in.Subject
	}
	if in.Message != nil {
		rec["message"] = *in.Message
	}
	if in.AttachPDF != nil {
		rec["attachPDF"] = *in.AttachPDF
	}
	return rec
}

func validateSend(in SendInput, code string) error {
	var d apperr.Details
	for i, to := range in.To {
		if !validEmail(to) {
			d.Add(fmt.Sprintf("to[%d]", i), "Email format is invalid")
		}
	}
	for i, cc := range in.Cc {
		if !validEmail(cc) {
			d.Add(fmt.Sprintf("cc[%d]", i), "Email format is invalid")
		}
	}
	for i, bcc := range in.Bcc {
		if !validEmail(bcc) {
			d.Add(fmt.Sprintf("bcc[%d]", i), "Email format is invalid")
		}
	}
	if n := len(in.To) + len(in.Cc) + len(in.Bcc); n > MaxRecipients {
		d.Add("to", "At most %d recipients in all (to, cc and bcc); this send has %d", MaxRecipients, n)
	}
	checkText(&d, "subject", in.Subject, 300)
	checkText(&d, "message", in.Message, 10000)
	return d.Err(code, "Send validation failed")
}
