package sales

import (
	"context"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/money"
)

// header is what every sales document carries besides its own dates.
type header struct {
	currency     string
	exchangeRate decimal.Decimal
	shipping     decimal.Decimal
	lines        []Line
	totals       Totals
}

func (h *header) validate(d *apperr.Details) {
	if !h.exchangeRate.IsPositive() {
		d.Add("exchangeRate", "Must be greater than zero")
	} else if !h.exchangeRate.Equal(h.exchangeRate.Truncate(6)) || h.exchangeRate.GreaterThan(decimal.NewFromInt(1000000)) {
		d.Add("exchangeRate", "At most 6 decimal places and below 1,000,000")
	}
	if h.shipping.IsNegative() {
		d.Add("shippingCost", "Must be zero or greater")
	} else if err := money.CheckScale(h.shipping, h.currency); err != nil {
		d.Add("shippingCost", "Must have at most %d decimal places", money.Scale(h.currency))
	}
	if len(h.totals.Total.Abs().Truncate(0).String()) > money.MaxIntegerDigits {
		d.Add("items", "Document total is too large")
	}
}

// documentCustomer loads the customer a new document is for; a missing
// (or another company's) customer is a validation error on customerId.
func documentCustomer(ctx context.Context, c *ent.Client, id pulid.ID, code, msg string, currency *string, d *apperr.Details) (*ent.Customer, error) {
	cu, err := c.Customer.Query().Where(customer.ID(id)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.Validation(code, msg, apperr.Detail{Field: "customerId", Message: fmt.Sprintf("Customer %q not found", id)})
	}
	if err != nil {
		return nil, err
	}
	if cu.Status == customer.StatusBlocked {
		d.Add("customerId", "Customer is blocked")
	}
	if currency != nil && !strings.EqualFold(*currency, cu.Currency) {
		d.Add("currency", "Must be the customer's currency (%s)", cu.Currency)
	}
	return cu, nil
}

// addresses returns the billing and shipping addresses a document takes:
// the given ones, else the customer's (falling back to its main address).
func addresses(cu *ent.Customer, billing, shipping *types.Address) (types.Address, types.Address) {
	b, s := cu.BillingAddress, cu.ShippingAddress
	if b.IsZero() {
		b = cu.Address
	}
	if s.IsZero() {
		s = cu.Address
	}
	if billing != nil {
		b = *billing
	}
	if shipping != nil {
		s = *shipping
	}
	return b, s
}

// documentSetter is what every document create/update builder shares.
type documentSetter interface {
	totalsSetter
	SetExchangeRate(decimal.Decimal)
	SetBillingAddress(types.Address)
	SetShippingAddress(types.Address)
}

// lineSetter is what every document-line mutation shares (LineMixin).
type lineSetter interface {
	SetItemID(pulid.ID)
	SetItemCode(string)
	SetDescription(string)
	SetQuantity(decimal.Decimal)
	SetUnitPrice(decimal.Decimal)
	SetDiscountPercent(decimal.Decimal)
	SetDiscountAmount(decimal.Decimal)
	SetLineTotal(decimal.Decimal)
	SetTaxCode(string)
	SetTaxRate(decimal.Decimal)
	SetTaxAmount(decimal.Decimal)
	SetNotes(string)
}

func setLine(m lineSetter, l Line) {
	if l.ItemID != nil {
		m.SetItemID(*l.ItemID)
	}
	if l.ItemCode != nil {
		m.SetItemCode(*l.ItemCode)
	}
	if l.TaxCode != nil {
		m.SetTaxCode(*l.TaxCode)
	}
	if l.Notes != nil {
		m.SetNotes(*l.Notes)
	}
	m.SetDescription(l.Description)
	m.SetQuantity(l.Quantity)
	m.SetUnitPrice(l.UnitPrice)
	m.SetDiscountPercent(l.DiscountPercent)
	m.SetDiscountAmount(l.DiscountAmount)
	m.SetLineTotal(l.LineTotal)
	m.SetTaxRate(l.TaxRate)
	m.SetTaxAmount(l.TaxAmount)
}

// docText holds a document's free-text fields and addresses as a request
// gives them (nil: leave alone).
type docText struct {
	Reference, Notes, Terms *string
	Billing, Shipping       *types.Address
}

// textSetter is what every document mutation shares for those fields.
type textSetter interface {
	SetReference(string)
	ClearReference()
	SetNotes(string)
	SetTerms(string)
	SetBillingAddress(types.Address)
	SetShippingAddress(types.Address)
}

// applyText sets the fields a request gave; a blank reference clears it.
func applyText(m textSetter, t docText) {
	if t.Reference != nil {
		if r := trimmed(t.Reference); r != nil {
			m.SetReference(*r)
		} else {
			m.ClearReference()
		}
	}
	if t.Notes != nil {
		m.SetNotes(*t.Notes)
	}
	if t.Terms != nil {
		m.SetTerms(*t.Terms)
	}
	if t.Billing != nil {
		m.SetBillingAddress(*t.Billing)
	}
	if t.Shipping != nil {
		m.SetShippingAddress(*t.Shipping)
	}
}

// retotal prices a draft being edited: new lines when the request gives
// them, else the stored ones re-totalled with the (maybe new) shipping.
func (h *header) retotal(ctx context.Context, c *ent.Client, cu *ent.Customer, items []LineInput,
	stored func() ([]LineResult, error), d *apperr.Details) error {
	if items != nil {
		lines, err := resolveLines(ctx, c, cu, h.currency, items, d)
		if err != nil {
			return err
		}
		h.lines = lines
		h.totals = ComputeTotals(lineResults(lines), h.shipping)
		return nil
	}
	rs, err := stored()
	if err != nil {
		return err
	}
	h.totals = ComputeTotals(rs, h.shipping)
	return nil
}

// results rebuilds line results from stored line amounts.
func results(discount, lineTotal, tax []decimal.Decimal) []LineResult {
	out := make([]LineResult, len(discount))
	for i := range discount {
		out[i] = LineResult{DiscountAmount: discount[i], LineTotal: lineTotal[i], TaxAmount: tax[i]}
	}
	return out
}

// newHeader prices a new document for cu: exchange rate (default 1) and
// shipping from the request, lines resolved and priced, header checks run.
// Problems go to d; only unexpected errors are returned.
func newHeader(ctx context.Context, c *ent.Client, cu *ent.Customer, rate, shipping *decimal.Decimal, reference *string, items []LineInput, d *apperr.Details) (header, error) {
	h := header{currency: cu.Currency, exchangeRate: decimal.NewFromInt(1)}
	if rate != nil {
		h.exchangeRate = *rate
	}
	if shipping != nil {
		h.shipping = *shipping
	}
	checkText(d, "reference", reference, 100)
	lines, err := resolveLines(ctx, c, cu, h.currency, items, d)
	if err != nil {
		return h, err
	}
	h.lines = lines
	h.totals = ComputeTotals(lineResults(lines), h.shipping)
	h.validate(d)
	return h, nil
}

// documentDate is the given date, else today in the company's timezone.
func documentDate(ctx context.Context, given *types.Date) (types.Date, error) {
	if given != nil {
		return *given, nil
	}
	return Today(ctx)
}
