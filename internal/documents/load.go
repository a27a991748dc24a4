package documents

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/emailmessage"
	"github.com/bigledger/bigledger/ent/invoice"
	"github.com/bigledger/bigledger/ent/paymentallocation"
	"github.com/bigledger/bigledger/ent/quoteitem"
	"github.com/bigledger/bigledger/ent/refund"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/crm"
	"github.com/bigledger/bigledger/internal/ledger"
	"github.com/bigledger/bigledger/internal/mail"
	"github.com/bigledger/bigledger/internal/sales"
	"github.com/bigledger/bigledger/internal/store"
)

// File is a rendered document.
type File struct {
	// Name is the download name: the document number, ".pdf".
	Name  string
	Bytes []byte
	// Number is the document number (or the statement's period).
	Number string
}

// ContentType of every File.
const ContentType = "application/pdf"

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func fileName(s string) string { return unsafeName.ReplaceAllString(s, "_") + ".pdf" }

func issuer(ctx context.Context) (Party, []byte, *ent.Company, error) {
	co, err := crm.CurrentCompany(ctx)
	if err != nil {
		return Party{}, nil, nil, err
	}
	p := Party{Name: co.Name, Address: co.Address, TaxNumber: deref(co.TaxNumber), Email: deref(co.Email), Phone: deref(co.Phone)}
	var logo []byte
	if co.Logo != nil {
		logo = *co.Logo
	}
	return p, logo, co, nil
}

func customerParty(cu *ent.Customer, billing types.Address) Party {
	if billing.IsZero() {
		billing = cu.BillingAddress
	}
	if billing.IsZero() {
		billing = cu.Address
	}
	return Party{Name: cu.Name, Address: billing, TaxNumber: deref(cu.TaxNumber), Email: deref(cu.Email)}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// generatedAt is the document's print time: its last change, so the same
// document renders to the same bytes.
func generatedAt(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }

// InvoicePDF renders one of the acting company's invoices: its lines and
// totals as stored, the payments applied to it and what is still due. A
// void invoice prints as a void notice. Another company's id answers like
// a missing one.
func InvoicePDF(ctx context.Context, id pulid.ID) (*File, error) {
	inv, err := sales.GetInvoice(ctx, id, func(q *ent.InvoiceQuery) (*ent.InvoiceQuery, error) {
		return q.WithCustomer().WithItems(sales.OrderLines), nil
	})
	if err != nil {
		return nil, err
	}
	is, logo, _, err := issuer(ctx)
	if err != nil {
		return nil, err
	}
	allocs, err := store.Client(ctx).PaymentAllocation.Query().
		Where(paymentallocation.InvoiceID(id), paymentallocation.VoidedAtIsNil()).
		WithPayment().Order(ent.Asc(paymentallocation.FieldCreatedAt)).All(ctx)
	if err != nil {
		return nil, err
	}
	d := Document{Title: "INVOICE", Number: inv.InvoiceNumber, Issuer: is, Logo: logo,
		Customer: customerParty(inv.Edges.Customer, inv.BillingAddress), Currency: inv.Currency,
		Notes: deref(inv.Notes), Terms: deref(inv.Terms), GeneratedAt: generatedAt(inv.UpdatedAt)}
	d.Meta = [][2]string{{"Invoice date", inv.InvoiceDate.String()}, {"Due date", inv.DueDate.String()}}
	if inv.Reference != nil {
		d.Meta = append(d.Meta, [2]string{"Reference", *inv.Reference})
	}
	if inv.PurchaseOrder != nil {
		d.Meta = append(d.Meta, [2]string{"Purchase order", *inv.PurchaseOrder})
	}
	switch inv.Status {
	case invoice.StatusVoid:
		d.Title, d.Banner = "VOID NOTICE", "VOID"
		reason := "This invoice was voided and is no longer payable."
		if inv.VoidReason != nil {
			reason += " Reason: " + *inv.VoidReason
		}
		d.Notes = reason + "\n" + d.Notes
	case invoice.StatusPaid:
		d.Banner = "PAID"
	case invoice.StatusDraft:
		d.Banner = "DRAFT"
	}
	for _, it := range inv.Edges.Items {
		d.Lines = append(d.Lines, Line{Code: deref(it.ItemCode), Description: it.Description, Quantity: it.Quantity,
			UnitPrice: it.UnitPrice, DiscountPercent: it.DiscountPercent, TaxCode: deref(it.TaxCode), TaxAmount: it.TaxAmount, LineTotal: it.LineTotal})
	}
	d.Totals = docTotals(inv.Subtotal, inv.TotalDiscount, inv.TotalTax, inv.ShippingCost, inv.Total)
	if inv.Status != invoice.StatusDraft {
		d.Totals = append(d.Totals, Amount{Label: "Amount paid", Amount: inv.AmountPaid})
	}
	for _, a := range allocs {
		pm := Payment{Amount: a.Amount}
		if p := a.Edges.Payment; p != nil {
			pm.Date, pm.Number, pm.Method = p.PaymentDate, p.PaymentNumber, string(p.Method)
		}
		if a.RefundID != nil {
			pm.Method = "refund"
		}
		d.Payments = append(d.Payments, pm)
	}
	if inv.Status != invoice.StatusVoid {
		d.Due = &Amount{Label: "Amount due", Amount: inv.AmountDue}
	}
	b, err := RenderDocument(d)
	if err != nil {
		return nil, err
	}
	return &File{Name: fileName(inv.InvoiceNumber), Bytes: b, Number: inv.InvoiceNumber}, nil
}

func docTotals(subtotal, discount, tax, shipping, total decimal.Decimal) []Amount {
	out := []Amount{{Label: "Subtotal", Amount: subtotal}}
	if !discount.IsZero() {
		out = append(out, Amount{Label: "Discount", Amount: discount.Neg()})
	}
	out = append(out, Amount{Label: "Tax", Amount: tax})
	if !shipping.IsZero() {
		out = append(out, Amount{Label: "Shipping", Amount: shipping})
	}
	return append(out, Amount{Label: "Total", Amount: total, Strong: true})
}

// QuotePDF renders one of the acting company's quotes.
func QuotePDF(ctx context.Context, id pulid.ID) (*File, error) {
	q, err := sales.GetQuote(ctx, id, func(q *ent.QuoteQuery) (*ent.QuoteQuery, error) {
		return q.WithCustomer().WithItems(func(iq *ent.QuoteItemQuery) { iq.Order(ent.Asc(quoteitem.FieldPosition)) }), nil
	})
	if err != nil {
		return nil, err
	}
	is, logo, _, err := issuer(ctx)
	if err != nil {
		return nil, err
	}
	today, err := sales.Today(ctx)
	if err != nil {
		return nil, err
	}
	d := Document{Title: "QUOTATION", Number: q.QuoteNumber, Issuer: is, Logo: logo,
		Customer: customerParty(q.Edges.Customer, q.BillingAddress), Currency: q.Currency,
		Notes: joinText(deref(q.Description), deref(q.Notes)), Terms: deref(q.Terms), GeneratedAt: generatedAt(q.UpdatedAt)}
	d.Meta = [][2]string{{"Quote date", q.QuoteDate.String()}, {"Valid until", q.ValidUntil.String()}}
	if q.Title != nil {
		d.Meta = append([][2]string{{"Subject", *q.Title}}, d.Meta...)
	}
	if q.Reference != nil {
		d.Meta = append(d.Meta, [2]string{"Reference", *q.Reference})
	}
	switch st := sales.QuoteStatus(q, today); st {
	case "draft", "expired", "rejected", "accepted", "converted":
		d.Banner = string(st)
		d.Banner = map[string]string{"draft": "DRAFT", "expired": "EXPIRED", "rejected": "REJECTED", "accepted": "ACCEPTED", "converted": "ACCEPTED"}[d.Banner]
	}
	for _, it := range q.Edges.Items {
		d.Lines = append(d.Lines, Line{Code: deref(it.ItemCode), Description: it.Description, Quantity: it.Quantity,
			UnitPrice: it.UnitPrice, DiscountPercent: it.DiscountPercent, TaxCode: deref(it.TaxCode), TaxAmount: it.TaxAmount, LineTotal: it.LineTotal})
	}
	d.Totals = docTotals(q.Subtotal, q.TotalDiscount, q.TotalTax, q.ShippingCost, q.Total)
	d.Due = &Amount{Label: "Quote total", Amount: q.Total}
	b, err := RenderDocument(d)
	if err != nil {
		return nil, err
	}
	return &File{Name: fileName(q.QuoteNumber), Bytes: b, Number: q.QuoteNumber}, nil
}

func joinText(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n\n" + b
}

// StatementPeriod checks a statement's dates: both required, from not
// after to, at most ten years.
func StatementPeriod(from, to *types.Date, fromField, toField string) (types.Date, types.Date, error) {
	var d apperr.Details
	if from == nil {
		d.Add(fromField, "%s is required (YYYY-MM-DD)", fromField)
	}
	if to == nil {
		d.Add(toField, "%s is required (YYYY-MM-DD)", toField)
	}
	if from != nil && to != nil {
		if to.Time().Before(from.Time()) {
			d.Add(toField, "%s must not be before %s", toField, fromField)
		} else if to.Time().Sub(from.Time()) > 3660*24*time.Hour {
			d.Add(toField, "A statement covers at most ten years")
		}
	}
	if err := d.Err("INVALID_STATEMENT_PERIOD", "Invalid statement period"); err != nil {
		return types.Date{}, types.Date{}, err
	}
	return *from, *to, nil
}

// BuildStatement builds a customer's statement for from..to: the same lines,
// balances and period totals as the customer ledger (ledger.CustomerLedger),
// and the aging of what is open at to (ledger.ARAging).
func BuildStatement(ctx context.Context, customerID pulid.ID, from, to types.Date) (*Statement, error) {
	rep, err := ledger.CustomerLedger(ctx, customerID, &from, &to)
	if err != nil {
		return nil, err
	}
	cu, err := store.Client(ctx).Customer.Get(ctx, customerID)
	if err != nil {
		return nil, err
	}
	is, logo, co, err := issuer(ctx)
	if err != nil {
		return nil, err
	}
	s := &Statement{Issuer: is, Logo: logo, Customer: customerParty(cu, types.Address{}), From: from, To: to,
		Currency: co.BaseCurrency, Opening: rep.OpeningBalance.Decimal, Closing: rep.ClosingBalance.Decimal,
		GeneratedAt: time.Date(to.Time().Year(), to.Time().Month(), to.Time().Day(), 0, 0, 0, 0, time.UTC)}
	for _, l := range rep.Lines {
		num := l.EntryNumber
		if l.Reference != nil && *l.Reference != "" {
			num = *l.Reference
		}
		s.Lines = append(s.Lines, StatementLine{Date: l.Date, Number: num, Type: l.SourceType, Description: deref(l.Description),
			Debit: l.Debit.Decimal, Credit: l.Credit.Decimal, Balance: l.RunningBalance.Decimal})
	}
	s.Totals = []Amount{{Label: "Invoiced", Amount: rep.TotalInvoiced.Decimal}, {Label: "Paid", Amount: rep.TotalPaid.Decimal},
		{Label: "Ledger discounts", Amount: rep.LedgerDiscount.Decimal}, {Label: "Total debits", Amount: rep.TotalDebit.Decimal},
		{Label: "Total credits", Amount: rep.TotalCredit.Decimal}, {Label: "Closing balance", Amount: rep.ClosingBalance.Decimal, Strong: true}}
	b, err := ledger.CustomerAging(ctx, to, customerID)
	if err != nil {
		return nil, err
	}
	s.Aging = []Amount{{Label: "Current", Amount: b.Current.Decimal}, {Label: "1–30 days", Amount: b.Days1To30.Decimal},
		{Label: "31–60 days", Amount: b.Days31To60.Decimal}, {Label: "61–90 days", Amount: b.Days61To90.Decimal},
		{Label: "Over 90", Amount: b.Over90.Decimal}, {Label: "Unallocated", Amount: b.Unallocated.Decimal}}
	return s, nil
}

// StatementPDF renders a customer's statement for from..to.
func StatementPDF(ctx context.Context, customerID pulid.ID, from, to types.Date) (*File, error) {
	s, err := BuildStatement(ctx, customerID, from, to)
	if err != nil {
		return nil, err
	}
	b, err := RenderStatement(*s)
	if err != nil {
		return nil, err
	}
	number := fmt.Sprintf("Statement %s %s..%s", s.Customer.Name, from, to)
	return &File{Name: fileName(fmt.Sprintf("statement-%s-%s", from, to)), Bytes: b, Number: number}, nil
}

// Attachment is the mail worker's Renderer: the PDF an outbox message
// carries, rendered in its company's context when it is delivered.
func Attachment(ctx context.Context, m *ent.EmailMessage) (*mail.Attachment, error) {
	var f *File
	var err error
	switch m.DocumentType {
	case emailmessage.DocumentTypeInvoice:
		f, err = InvoicePDF(ctx, m.DocumentID)
	case emailmessage.DocumentTypeQuote:
		f, err = QuotePDF(ctx, m.DocumentID)
	case emailmessage.DocumentTypeStatement:
		var from, to types.Date
		if from, err = types.ParseDate(m.Params["from"]); err == nil {
			if to, err = types.ParseDate(m.Params["to"]); err == nil {
				f, err = StatementPDF(ctx, m.CustomerID, from, to)
			}
		}
	default:
		return nil, fmt.Errorf("documents: no PDF for %s", m.DocumentType)
	}
	if err != nil {
		return nil, err
	}
	return &mail.Attachment{Name: f.Name, ContentType: ContentType, Data: f.Bytes}, nil
}

// CodeRefundNotFound answers a refund id the company does not have.
const CodeRefundNotFound = "REFUND_NOT_FOUND"

// RefundNotFound is the error for a missing (or another company's) refund.
func RefundNotFound(id pulid.ID) error {
	return apperr.NotFound(CodeRefundNotFound, fmt.Sprintf("Refund with ID '%s' not found", id))
}

// CreditNotePDF renders a refund as a credit note: the money returned to
// the customer, what it took back from each invoice (those are due
// again) and from the payment's unapplied credit.
func CreditNotePDF(ctx context.Context, id pulid.ID) (*File, error) {
	c := store.Client(ctx)
	rf, err := c.Refund.Query().Where(refund.ID(id)).WithPayment(func(q *ent.PaymentQuery) { q.WithCustomer() }).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, RefundNotFound(id)
	}
	if err != nil {
		return nil, err
	}
	is, logo, _, err := issuer(ctx)
	if err != nil {
		return nil, err
	}
	p := rf.Edges.Payment
	number := "CN-" + p.PaymentNumber
	if rf.JournalEntryID != nil {
		if je, err := c.JournalEntry.Get(ctx, *rf.JournalEntryID); err == nil {
			number = "CN-" + je.EntryNumber
		}
	}
	allocs, err := c.PaymentAllocation.Query().Where(paymentallocation.RefundID(rf.ID)).WithInvoice().
		Order(ent.Asc(paymentallocation.FieldCreatedAt)).All(ctx)
	if err != nil {
		return nil, err
	}
	d := Document{Title: "CREDIT NOTE", Number: number, Issuer: is, Logo: logo, Customer: customerParty(p.Edges.Customer, types.Address{}),
		Currency: p.Currency, Notes: deref(rf.Reason), GeneratedAt: generatedAt(rf.CreatedAt)}
	d.Meta = [][2]string{{"Refund date", rf.RefundDate.String()}, {"Payment", p.PaymentNumber}, {"Paid on", p.PaymentDate.String()},
		{"Method", strings.ReplaceAll(string(rf.Method), "_", " ")}}
	if rf.Reference != nil {
		d.Meta = append(d.Meta, [2]string{"Reference", *rf.Reference})
	}
	for _, a := range allocs {
		desc := "Taken back from an invoice: due again"
		code := ""
		if inv := a.Edges.Invoice; inv != nil {
			code = inv.InvoiceNumber
		}
		d.Lines = append(d.Lines, Line{Code: code, Description: desc, Quantity: decimal.NewFromInt(1), UnitPrice: a.Amount.Neg(), LineTotal: a.Amount.Neg()})
	}
	if rf.FromCredit.IsPositive() {
		d.Lines = append(d.Lines, Line{Description: "Unapplied credit of payment " + p.PaymentNumber, Quantity: decimal.NewFromInt(1),
			UnitPrice: rf.FromCredit, LineTotal: rf.FromCredit})
	}
	d.Totals = []Amount{{Label: "From invoices", Amount: rf.FromInvoices}, {Label: "From unapplied credit", Amount: rf.FromCredit},
		{Label: "Total refunded", Amount: rf.Amount, Strong: true}}
	d.Due = &Amount{Label: "Refunded to you", Amount: rf.Amount}
	b, err := RenderDocument(d)
	if err != nil {
		return nil, err
	}
	return &File{Name: fileName(number), Bytes: b, Number: number}, nil
}
