package sales

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"entgo.io/ent/dialect/sql"
	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/ent/invoice"
	"github.com/bigledger/bigledger/ent/invoiceitem"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/events"
	"github.com/bigledger/bigledger/internal/idem"
	"github.com/bigledger/bigledger/internal/ledger"
	"github.com/bigledger/bigledger/internal/numbering"
	"github.com/bigledger/bigledger/internal/store"
)

// Error codes of the invoice workflows.
const (
	CodeInvalidInvoice   = "INVALID_INVOICE_DATA"
	CodeInvoiceNotFound  = "INVOICE_NOT_FOUND"
	CodeInvalidState     = "INVALID_STATE"
	invoiceValidationMsg = "Invoice validation failed"
)

// InvoiceKind numbers invoices INV-YYYY-NNNN per company and year.
var InvoiceKind = numbering.Kind{Name: "invoice", Prefix: "INV", Yearly: true}

// InvoiceNotFound is the error for a missing (or another company's) invoice.
func InvoiceNotFound(id pulid.ID) error {
	return apperr.NotFound(CodeInvoiceNotFound, fmt.Sprintf("Invoice with ID '%s' not found", id))
}

// InvoiceInput creates a draft invoice (seed 000 Create Invoice).
type InvoiceInput struct {
	CustomerID      pulid.ID
	InvoiceDate     *types.Date
	DueDate         *types.Date
	Currency        *string
	ExchangeRate    *decimal.Decimal
	Reference       *string
	PurchaseOrder   *string
	Notes           *string
	Terms           *string
	BillingAddress  *types.Address
	ShippingAddress *types.Address
	ShippingCost    *decimal.Decimal
	Items           []LineInput
	// TermsDays, without DueDate, sets the due date that many days after
	// the invoice date instead of the customer's terms (seed 004
	// payment_terms "net_30").
	TermsDays *int
	// recurring marks an invoice generated for a recurring invoice's period.
	recurring *recurringMark
}

// InvoiceUpdate edits a draft: set fields change, Items (when non-nil)
// replaces every line.
type InvoiceUpdate struct {
	InvoiceDate     *types.Date
	DueDate         *types.Date
	ExchangeRate    *decimal.Decimal
	Reference       *string
	PurchaseOrder   *string
	Notes           *string
	Terms           *string
	BillingAddress  *types.Address
	ShippingAddress *types.Address
	ShippingCost    *decimal.Decimal
	Items           []LineInput
}

// SendInput is a send (seed 000 Send Invoice body): the email goes to To
// (default: the customer's primary contact's email, else the customer's),
// Cc and Bcc, with the subject and message given (default: the document
// type's template) and the PDF attached unless AttachPDF is false.
type SendInput struct {
	To            []string
	Cc            []string
	Bcc           []string
	Subject       *string
	Message       *string
	AttachPDF     *bool
	SendReminders *bool
}

// draftState is what an invoice draft will hold, validated as a whole.
type draftState struct {
	header
	invoiceDate, dueDate types.Date
}

func (s *draftState) validate(d *apperr.Details) {
	s.checkDue(d)
	s.header.validate(d)
}

func (s *draftState) checkDue(d *apperr.Details) {
	if s.dueDate.Time().Before(s.invoiceDate.Time()) {
		d.Add("dueDate", "Must be on or after the invoice date")
	}
}

func checkText(d *apperr.Details, field string, v *string, max int) {
	if v != nil && len([]rune(*v)) > max {
		d.Add(field, "Must be at most %d characters", max)
	}
}

// CreateInvoice validates and stores a draft invoice with its lines, and
// allocates its number, in one transaction. Defaults: invoice date today
// (company timezone), due date invoice date + the customer's payment terms,
// currency and addresses from the customer.
func CreateInvoice(ctx context.Context, in InvoiceInput) (*ent.Invoice, error) {
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.Invoice, error) {
		cu, err := c.Customer.Query().Where(customer.ID(in.CustomerID)).Only(ctx)
		if ent.IsNotFound(err) {
			return nil, apperr.Validation(CodeInvalidInvoice, invoiceValidationMsg,
				apperr.Detail{Field: "customerId", Message: fmt.Sprintf("Customer %q not found", in.CustomerID)})
		}
		if err != nil {
			return nil, err
		}
		var d apperr.Details
		if cu.Status == customer.StatusBlocked {
			d.Add("customerId", "Customer is blocked")
		}
		if in.Currency != nil && !strings.EqualFold(*in.Currency, cu.Currency) {
			d.Add("currency", "Must be the customer's currency (%s)", cu.Currency)
		}
		var st draftState
		if st.invoiceDate, err = documentDate(ctx, in.InvoiceDate); err != nil {
			return nil, err
		}
		terms := cu.PaymentTerms
		if in.TermsDays != nil {
			terms = *in.TermsDays
		}
		st.dueDate = types.DateOf(st.invoiceDate.Time().AddDate(0, 0, terms))
		if in.DueDate != nil {
			st.dueDate = *in.DueDate
		}
		checkText(&d, "purchaseOrder", in.PurchaseOrder, 100)
		if st.header, err = newHeader(ctx, c, cu, in.ExchangeRate, in.ShippingCost, in.Reference, in.Items, &d); err != nil {
			return nil, err
		}
		st.checkDue(&d)
		sortDetails(d)
		if err := d.Err(CodeInvalidInvoice, invoiceValidationMsg); err != nil {
			return nil, err
		}
		number, err := numbering.Next(ctx, c, InvoiceKind, st.invoiceDate.Year)
		if err != nil {
			return nil, err
		}
		billing, shipping := cu.BillingAddress, cu.ShippingAddress
		if billing.IsZero() {
			billing = cu.Address
		}
		if shipping.IsZero() {
			shipping = cu.Address
		}
		if in.BillingAddress != nil {
			billing = *in.BillingAddress
		}
		if in.ShippingAddress != nil {
			shipping = *in.ShippingAddress
		}
		create := c.Invoice.Create().
			SetCustomerID(cu.ID).SetInvoiceNumber(number).
			SetInvoiceDate(st.invoiceDate).SetDueDate(st.dueDate).
			SetCurrency(st.currency).SetExchangeRate(st.exchangeRate).
			SetNillableReference(trimmed(in.Reference)).SetNillablePurchaseOrder(trimmed(in.PurchaseOrder)).
			SetNillableNotes(in.Notes).SetNillableTerms(in.Terms).
			SetBillingAddress(billing).SetShippingAddress(shipping).
			SetAmountDue(st.totals.Total)
		setTotals(create.Mutation(), st.totals)
		if p, ok := auth.FromContext(ctx); ok && p.UserID != "" {
			create.SetCreatedByID(p.UserID)
		}
		if in.recurring != nil {
			create.SetRecurringInvoiceID(in.recurring.id).SetRecurringPeriod(in.recurring.period)
		}
		inv, err := create.Save(ctx)
		if err != nil {
			return nil, err
		}
		if err := saveLines(ctx, c, inv.ID, st.lines); err != nil {
			return nil, err
		}
		return inv, events.Emit(ctx, events.InvoiceCreated, inv.ID, events.InvoicePayload(inv))
	})
}

// totalsSetter is what the invoice create and update builders share.
type totalsSetter interface {
	SetSubtotal(decimal.Decimal)
	SetTotalDiscount(decimal.Decimal)
	SetTotalTax(decimal.Decimal)
	SetShippingCost(decimal.Decimal)
	SetTotal(decimal.Decimal)
}

func setTotals(m totalsSetter, t Totals) {
	m.SetSubtotal(t.Subtotal)
	m.SetTotalDiscount(t.TotalDiscount)
	m.SetTotalTax(t.TotalTax)
	m.SetShippingCost(t.ShippingCost)
	m.SetTotal(t.Total)
}

func saveLines(ctx context.Context, c *ent.Client, invoiceID pulid.ID, lines []Line) error {
	builders := make([]*ent.InvoiceItemCreate, len(lines))
	for i, l := range lines {
		b := c.InvoiceItem.Create().SetInvoiceID(invoiceID).SetPosition(i)
		setLine(b.Mutation(), l)
		if l.SalesOrderItemID != nil {
			b.SetSalesOrderItemID(*l.SalesOrderItemID)
		}
		builders[i] = b
	}
	return c.InvoiceItem.CreateBulk(builders...).Exec(ctx)
}

// lockInvoice loads an invoice FOR UPDATE: its state transitions are
// serialized per invoice.
func lockInvoice(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Invoice, error) {
	inv, err := c.Invoice.Query().Where(invoice.ID(id)).ForUpdate().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, InvoiceNotFound(id)
	}
	return inv, err
}

func invalidState(format string, args ...any) error {
	return apperr.InvalidState(CodeInvalidState, fmt.Sprintf(format, args...))
}

// UpdateInvoice edits a draft. Issued invoices are immutable.
func UpdateInvoice(ctx context.Context, id pulid.ID, in InvoiceUpdate) (*ent.Invoice, error) {
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.Invoice, error) {
		old, err := lockInvoice(ctx, c, id)
		if err != nil {
			return nil, err
		}
		if old.Status != invoice.StatusDraft {
			return nil, invalidState("Invoice %s is %s; only drafts can be edited", old.InvoiceNumber, old.Status)
		}
		cu, err := c.Customer.Get(ctx, old.CustomerID)
		if err != nil {
			return nil, err
		}
		var d apperr.Details
		st := draftState{invoiceDate: old.InvoiceDate, dueDate: old.DueDate,
			header: header{currency: old.Currency, exchangeRate: old.ExchangeRate, shipping: old.ShippingCost}}
		if in.InvoiceDate != nil {
			if in.InvoiceDate.Year != old.InvoiceDate.Year {
				d.Add("invoiceDate", "Cannot move the invoice to another year: its number %s belongs to %d", old.InvoiceNumber, old.InvoiceDate.Year)
			}
			st.invoiceDate = *in.InvoiceDate
		}
		if in.DueDate != nil {
			st.dueDate = *in.DueDate
		}
		if in.ExchangeRate != nil {
			st.exchangeRate = *in.ExchangeRate
		}
		if in.ShippingCost != nil {
			st.shipping = *in.ShippingCost
		}
		for f, v := range map[string]*string{"reference": in.Reference, "purchaseOrder": in.PurchaseOrder} {
			checkText(&d, f, v, 100)
		}
		if err := st.retotal(ctx, c, cu, in.Items, func() ([]LineResult, error) {
			items, err := c.InvoiceItem.Query().Where(invoiceitem.InvoiceID(id)).All(ctx)
			var ds, ls, ts []decimal.Decimal
			for _, it := range items {
				ds, ls, ts = append(ds, it.DiscountAmount), append(ls, it.LineTotal), append(ts, it.TaxAmount)
			}
			return results(ds, ls, ts), err
		}, &d); err != nil {
			return nil, err
		}
		st.validate(&d)
		sortDetails(d)
		if err := d.Err(CodeInvalidInvoice, invoiceValidationMsg); err != nil {
			return nil, err
		}
		upd := c.Invoice.UpdateOne(old).
			SetInvoiceDate(st.invoiceDate).SetDueDate(st.dueDate).SetExchangeRate(st.exchangeRate).
			SetAmountDue(st.totals.Total)
		setTotals(upd.Mutation(), st.totals)
		applyText(upd.Mutation(), docText{Reference: in.Reference, Notes: in.Notes, Terms: in.Terms,
			Billing: in.BillingAddress, Shipping: in.ShippingAddress})
		if in.PurchaseOrder != nil {
			upd.SetNillablePurchaseOrder(trimmed(in.PurchaseOrder))
		}
		inv, err := upd.Save(ctx)
		if err != nil {
			return nil, err
		}
		if in.Items != nil {
			if _, err := c.InvoiceItem.Delete().Where(invoiceitem.InvoiceID(id)).Exec(ctx); err != nil {
				return nil, err
			}
			if err := saveLines(ctx, c, id, st.lines); err != nil {
				return nil, err
			}
		}
		return inv, events.Emit(ctx, events.InvoiceUpdated, inv.ID, events.InvoicePayload(inv))
	})
}

// IssueInvoice moves a draft to sent: it becomes immutable, is posted to
// the ledger (Dr receivable / Cr sales, shipping, tax) and counts in the
// customer's totalSales and lastSaleDate — all in one transaction. It
// emails nobody (SendInvoice does).
func IssueInvoice(ctx context.Context, id pulid.ID, idempotencyKey string) (*ent.Invoice, error) {
	return sendInvoice(ctx, id, SendInput{}, idempotencyKey, false)
}

// invoiceKind: a replayed invoice operation returns the invoice as it is now.
var invoiceKind = idem.Kind[*ent.Invoice]{
	Load: func(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Invoice, error) {
		return c.Invoice.Get(ctx, id)
	},
	ID: func(inv *ent.Invoice) pulid.ID { return inv.ID },
}

// SendInvoice emails an invoice: a draft is issued first; a sent invoice
// is re-sent (a new email, sendCount + 1); paid and void invoices cannot
// be sent. The email is written to the outbox in the same transaction and
// delivered by the mail worker, which fires invoice.sent when SMTP took it.
func SendInvoice(ctx context.Context, id pulid.ID, in SendInput, idempotencyKey string) (*ent.Invoice, error) {
	return sendInvoice(ctx, id, in, idempotencyKey, true)
}

func sendInvoice(ctx context.Context, id pulid.ID, in SendInput, idempotencyKey string, email bool) (*ent.Invoice, error) {
	if err := validateSend(in, CodeInvalidInvoice); err != nil {
		return nil, err
	}
	op := "send_invoice:"
	if !email {
		op = "issue_invoice:"
	}
	return idem.Run(ctx, invoiceKind, idempotencyKey, op+string(id), in, func(ctx context.Context, c *ent.Client) (*ent.Invoice, error) {
		inv, err := lockInvoice(ctx, c, id)
		if err != nil {
			return nil, err
		}
		if inv.Status == invoice.StatusVoid || inv.Status == invoice.StatusPaid {
			return nil, invalidState("Invoice %s is %s and cannot be sent", inv.InvoiceNumber, inv.Status)
		}
		now := Clock()
		upd := c.Invoice.UpdateOne(inv)
		if inv.Status == invoice.StatusDraft {
			cu, err := applySale(ctx, c, inv.CustomerID, inv.Total, inv.InvoiceDate)
			if err != nil {
				return nil, err
			}
			if _, err := ledger.PostInvoice(ctx, c, inv); err != nil {
				return nil, err
			}
			if err := checkCreditLimit(ctx, c, cu, inv); err != nil {
				return nil, err
			}
			upd.SetStatus(invoice.StatusSent).SetIssuedAt(now)
		}
		if !email {
			if inv.Status != invoice.StatusDraft {
				return nil, invalidState("Invoice %s is already issued", inv.InvoiceNumber)
			}
			out, err := upd.Save(ctx)
			if err != nil {
				return nil, err
			}
			return out, events.Emit(ctx, events.InvoiceUpdated, out.ID, events.InvoicePayload(out))
		}
		// Every send is one, with a body or without (seed 004's
		// sendInvoice(id) has none): an email, sentAt and the count.
		if in.To, err = resolveTo(ctx, c, inv.CustomerID, in.To, CodeInvalidInvoice); err != nil {
			return nil, err
		}
		msg, err := queueInvoiceEmail(ctx, c, inv, in)
		if err != nil {
			return nil, err
		}
		upd.SetSentAt(now).AddSendCount(1).SetLastSend(mergePayload(sendRecord(in, now), deliveryRecord(msg)))
		reminders := inv.SendReminders
		if in.SendReminders != nil {
			reminders = *in.SendReminders
			upd.SetSendReminders(reminders)
		}
		if err := scheduleReminders(ctx, c, inv, upd, reminders); err != nil {
			return nil, err
		}
		out, err := upd.Save(ctx)
		if err != nil {
			return nil, err
		}
		return out, events.Emit(ctx, events.InvoiceUpdated, out.ID, events.InvoicePayload(out))
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// applySale adds an issued invoice to its customer's totals (the customer
// row is locked: totals move in the transaction that issues).
func applySale(ctx context.Context, c *ent.Client, customerID pulid.ID, total decimal.Decimal, date types.Date) (*ent.Customer, error) {
	cu, err := c.Customer.Query().Where(customer.ID(customerID)).ForUpdate().Only(ctx)
	if err != nil {
		return nil, err
	}
	upd := c.Customer.UpdateOne(cu).SetTotalSales(cu.TotalSales.Add(total))
	if cu.LastSaleDate == nil || cu.LastSaleDate.Time().Before(date.Time()) {
		upd.SetLastSaleDate(date)
	}
	return cu, upd.Exec(ctx)
}

// checkCreditLimit emits customer.credit_limit_exceeded when the invoice
// just posted leaves its customer's balance above a positive credit limit
// (every such invoice, not only the first past it). cu is the customer as
// locked before the posting; a customer without a limit costs nothing.
func checkCreditLimit(ctx context.Context, c *ent.Client, cu *ent.Customer, inv *ent.Invoice) error {
	if !cu.CreditLimit.IsPositive() {
		return nil
	}
	after, err := c.Customer.Query().Where(customer.ID(cu.ID)).Only(ctx)
	if err != nil {
		return err
	}
	if !after.CurrentBalance.GreaterThan(after.CreditLimit) {
		return nil
	}
	p := events.CustomerPayload(after)
	p["creditLimit"] = json.Number(after.CreditLimit.StringFixed(2))
	p["currentBalance"] = json.Number(after.CurrentBalance.StringFixed(2))
	p["exceededBy"] = json.Number(after.CurrentBalance.Sub(after.CreditLimit).StringFixed(2))
	p["previousBalance"] = json.Number(cu.CurrentBalance.StringFixed(2))
	p["invoiceId"], p["invoiceNumber"] = inv.ID, inv.InvoiceNumber
	return events.Emit(ctx, events.CustomerCreditLimitExceeded, after.ID, p)
}

// VoidInvoice voids an issued, unpaid invoice with a reason: the exact
// reversal of its posting is posted and the customer's totals drop it.
func VoidInvoice(ctx context.Context, id pulid.ID, reason, idempotencyKey string) (*ent.Invoice, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, apperr.Validation(CodeInvalidInvoice, "Void validation failed", apperr.Detail{Field: "reason", Message: "A reason is required"})
	}
	if len([]rune(reason)) > 500 {
		return nil, apperr.Validation(CodeInvalidInvoice, "Void validation failed", apperr.Detail{Field: "reason", Message: "Must be at most 500 characters"})
	}
	return idem.Run(ctx, invoiceKind, idempotencyKey, "void_invoice:"+string(id), reason, func(ctx context.Context, c *ent.Client) (*ent.Invoice, error) {
		inv, err := lockInvoice(ctx, c, id)
		if err != nil {
			return nil, err
		}
		switch {
		case inv.Status == invoice.StatusDraft:
			return nil, invalidState("Invoice %s is a draft; only issued invoices can be voided", inv.InvoiceNumber)
		case inv.Status == invoice.StatusVoid:
			return nil, invalidState("Invoice %s is already void", inv.InvoiceNumber)
		case !inv.AmountPaid.IsZero():
			return nil, invalidState("Invoice %s has payments; void them first", inv.InvoiceNumber)
		}
		if err := releaseOrderQuantities(ctx, c, inv); err != nil {
			return nil, err
		}
		today, err := Today(ctx)
		if err != nil {
			return nil, err
		}
		if _, err := ledger.ReverseInvoice(ctx, c, inv, today); err != nil {
			return nil, err
		}
		cu, err := c.Customer.Query().Where(customer.ID(inv.CustomerID)).ForUpdate().Only(ctx)
		if err != nil {
			return nil, err
		}
		out, err := c.Invoice.UpdateOne(inv).
			SetStatus(invoice.StatusVoid).SetVoidedAt(Clock()).SetVoidReason(reason).
			SetAmountDue(decimal.Zero).Save(ctx)
		if err != nil {
			return nil, err
		}
		// lastSaleDate becomes the newest remaining issued invoice's date.
		last, err := c.Invoice.Query().
			Where(invoice.CustomerID(cu.ID), invoice.StatusIn(invoice.StatusSent, invoice.StatusPaid)).
			Order(ent.Desc(invoice.FieldInvoiceDate)).First(ctx)
		upd := c.Customer.UpdateOne(cu).SetTotalSales(cu.TotalSales.Sub(inv.Total))
		switch {
		case ent.IsNotFound(err):
			upd.ClearLastSaleDate()
		case err != nil:
			return nil, err
		default:
			upd.SetLastSaleDate(last.InvoiceDate)
		}
		if err := upd.Exec(ctx); err != nil {
			return nil, err
		}
		payload := events.InvoicePayload(out)
		if err := events.Emit(ctx, events.InvoiceUpdated, out.ID, payload); err != nil {
			return nil, err
		}
		return out, events.Emit(ctx, events.InvoiceVoided, out.ID, payload)
	})
}

// IsOverdue reports whether an invoice is overdue on date today: issued,
// not fully paid, due before today.
func IsOverdue(inv *ent.Invoice, today types.Date) bool {
	return inv.Status == invoice.StatusSent && inv.AmountDue.IsPositive() && inv.DueDate.Time().Before(today.Time())
}

// OverdueBy is how many days past due an overdue invoice is (0 otherwise).
func OverdueBy(inv *ent.Invoice, today types.Date) int {
	if !IsOverdue(inv, today) {
		return 0
	}
	return daysBetween(inv.DueDate, today)
}

// overdueSQL is IsOverdue in SQL, the one definition every query uses:
// issued, something due, due before the company's own today. col names a
// column of the invoice row.
func overdueSQL(col func(string) string) string {
	return "(" + col(invoice.FieldStatus) + " = 'sent' AND " + col(invoice.FieldAmountDue) + " > 0 AND " +
		col(invoice.FieldDueDate) + " < (SELECT (now() AT TIME ZONE c.timezone)::date FROM companies c WHERE c.id = " +
		col(invoice.FieldCompanyID) + "))"
}

// OverdueFilter narrows an invoice query to overdue (or not overdue)
// invoices, judged in SQL against each company's own "today".
func OverdueFilter(overdue bool) func(*sql.Selector) {
	return func(s *sql.Selector) {
		p := sql.ExprP(overdueSQL(s.C))
		if overdue {
			s.Where(p)
		} else {
			s.Where(sql.Not(p))
		}
	}
}

// SearchInvoices matches invoice number, reference or purchase order.
func SearchInvoices(term string) func(*sql.Selector) {
	term = strings.TrimSpace(term)
	return func(s *sql.Selector) {
		if term == "" {
			return
		}
		pattern := store.ContainsPattern(term)
		s.Where(sql.Or(
			store.ILike(s.C(invoice.FieldInvoiceNumber), pattern),
			store.ILike(s.C(invoice.FieldReference), pattern),
			store.ILike(s.C(invoice.FieldPurchaseOrder), pattern),
		))
	}
}

// CreateAndIssueInvoice creates an invoice and issues it (posts it to the
// ledger) in one transaction: seed 002's invoices have no draft stage, a
// created invoice is Unpaid. Either both happen or neither.
func CreateAndIssueInvoice(ctx context.Context, in InvoiceInput) (*ent.Invoice, error) {
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.Invoice, error) {
		inv, err := CreateInvoice(ctx, in)
		if err != nil {
			return nil, err
		}
		return IssueInvoice(ctx, inv.ID, "")
	})
}

// ListStatuses are the invoice statuses the REST lists filter by: the
// stored ones, the derived overdue, and cancelled (seed 000's word for
// void).
var ListStatuses = []string{"draft", "sent", "paid", "void", "overdue", "cancelled"}

// InvoiceStatusFilter selects the invoices whose list status is one of
// statuses (negate: none of them). overdue is judged in SQL as
// OverdueFilter judges it; cancelled is void. An unknown status is an
// error naming it (the caller names the parameter).
func InvoiceStatusFilter(statuses []string, negate bool) (func(*sql.Selector), error) {
	var stored []any
	overdue := false
	for _, s := range statuses {
		switch s {
		case "overdue":
			overdue = true
		case "cancelled":
			stored = append(stored, string(invoice.StatusVoid))
		default:
			if invoice.StatusValidator(invoice.Status(s)) != nil {
				return nil, fmt.Errorf("%q is not a valid value: must be one of %s", s, strings.Join(ListStatuses, ", "))
			}
			stored = append(stored, s)
		}
	}
	return func(sel *sql.Selector) {
		var ps []*sql.Predicate
		if len(stored) > 0 {
			ps = append(ps, sql.In(sel.C(invoice.FieldStatus), stored...))
		}
		if overdue {
			ps = append(ps, sql.ExprP(overdueSQL(sel.C)))
		}
		p := sql.Or(ps...)
		if negate {
			p = sql.Not(p)
		}
		sel.Where(p)
	}, nil
}

// InvoiceCustomerName narrows an invoice query to customers whose name
// contains name, case-insensitively (seed 001 customerName=acme).
func InvoiceCustomerName(name string) func(*sql.Selector) {
	return func(s *sql.Selector) {
		t := sql.Table(customer.Table)
		s.Where(sql.In(s.C(invoice.FieldCustomerID),
			sql.Select(t.C(customer.FieldID)).From(t).Where(store.ILike(t.C(customer.FieldName), store.ContainsPattern(name)))))
	}
}
