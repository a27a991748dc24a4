package ledger

import (
	"context"
	stdsql "database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/account"
	"github.com/bigledger/bigledger/ent/invoice"
	"github.com/bigledger/bigledger/ent/journalentry"
	"github.com/bigledger/bigledger/ent/payment"
	"github.com/bigledger/bigledger/ent/paymentallocation"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/events"
	"github.com/bigledger/bigledger/internal/idem"
	"github.com/bigledger/bigledger/internal/money"
	"github.com/bigledger/bigledger/internal/numbering"
	"github.com/bigledger/bigledger/internal/store"
	"github.com/bigledger/bigledger/internal/tenant"
)

// Error codes of the payment workflows.
const (
	CodeInvalidPayment    = "INVALID_PAYMENT_DATA"
	CodePaymentNotFound   = "PAYMENT_NOT_FOUND"
	CodeOverpayment       = "OVERPAYMENT"
	CodeInvoiceNotPayable = "INVOICE_NOT_PAYABLE"
	CodeCurrencyMismatch  = "CURRENCY_MISMATCH"
	paymentValidationMsg  = "Payment validation failed"
)

// PaymentKind numbers payments PAY-YYYY-NNNN per company and year.
var PaymentKind = numbering.Kind{Name: "payment", Prefix: "PAY", Yearly: true}

// PaymentNotFound is the error for a missing (or another company's) payment.
func PaymentNotFound(id pulid.ID) error {
	return apperr.NotFound(CodePaymentNotFound, fmt.Sprintf("Payment with ID '%s' not found", id))
}

// RecordPaymentInput pays one invoice (seed 000 Record Payment).
type RecordPaymentInput struct {
	Amount        decimal.Decimal
	PaymentDate   *types.Date
	PaymentMethod *payment.Method
	Currency      *string
	Reference     *string
	Notes         *string
	// AccountID is the deposit account; default: the Bank system account.
	AccountID     *pulid.ID
	MethodDetails map[string]any
}

func (in RecordPaymentInput) validate(d *apperr.Details) {
	checkAmount(d, "amount", in.Amount)
	if in.PaymentMethod != nil && payment.MethodValidator(*in.PaymentMethod) != nil {
		d.Add("paymentMethod", "Must be one of cash, bank_transfer, cheque, card, online, other")
	}
	if in.Reference != nil && len([]rune(*in.Reference)) > 100 {
		d.Add("reference", "Must be at most 100 characters")
	}
}

// depositAccount resolves the account money is deposited to: the given
// one (an active asset account of the company), else the Bank account.
func depositAccount(ctx context.Context, c *ent.Client, id *pulid.ID, d *apperr.Details) (*ent.Account, error) {
	if id == nil {
		accts, err := SystemAccounts(ctx, c)
		if err != nil {
			return nil, err
		}
		// The acting company's own (cached per company): the payment's
		// deposit-account edge needs no second check.
		tenant.MarkVisible(ctx, string(accts[RoleBank].ID))
		return accts[RoleBank], nil
	}
	a, err := c.Account.Query().Where(account.ID(*id)).Only(ctx)
	if err == nil {
		tenant.MarkVisible(ctx, string(a.ID))
	}
	switch {
	case ent.IsNotFound(err):
		d.Add("accountId", "Account %q not found", *id)
		return nil, nil
	case err != nil:
		return nil, err
	case a.Type != account.TypeAsset:
		d.Add("accountId", "Deposits go to an asset account; %s is %s", a.Code, a.Type)
	case !a.Active:
		d.Add("accountId", "Account %s is inactive", a.Code)
	}
	return a, nil
}

// RecordPayment pays one issued invoice, in one transaction: the invoice
// row is locked, more than its amount due is refused (OVERPAYMENT, never
// silently accepted), the payment and its allocation are stored, the
// invoice's paid/due/status move, and Dr deposit / Cr receivable is posted.
// With an idempotency key, a replay returns the original payment.
func RecordPayment(ctx context.Context, invoiceID pulid.ID, in RecordPaymentInput, idempotencyKey string) (*ent.Payment, error) {
	var d apperr.Details
	in.validate(&d)
	if err := d.Err(CodeInvalidPayment, paymentValidationMsg); err != nil {
		return nil, err
	}
	return idem.Run(ctx, paymentKind, idempotencyKey, "record_payment:"+string(invoiceID), in, func(ctx context.Context, c *ent.Client) (*ent.Payment, error) {
		inv, err := c.Invoice.Query().Where(invoice.ID(invoiceID)).ForUpdate().Only(ctx)
		if ent.IsNotFound(err) {
			return nil, apperr.NotFound("INVOICE_NOT_FOUND", fmt.Sprintf("Invoice with ID '%s' not found", invoiceID))
		}
		if err != nil {
			return nil, err
		}
		// The invoice (read through the tenant filter) and its customer are
		// the acting company's: edges to them need no second check.
		tenant.MarkVisible(ctx, string(inv.ID))
		tenant.MarkVisible(ctx, string(inv.CustomerID))
		switch inv.Status {
		case invoice.StatusDraft:
			return nil, apperr.InvalidState(CodeInvoiceNotPayable, fmt.Sprintf("Invoice %s is a draft; issue it before recording payments", inv.InvoiceNumber))
		case invoice.StatusVoid:
			return nil, apperr.InvalidState(CodeInvoiceNotPayable, fmt.Sprintf("Invoice %s is void", inv.InvoiceNumber))
		}
		if in.Currency != nil && !strings.EqualFold(*in.Currency, inv.Currency) {
			return nil, apperr.InvalidState(CodeCurrencyMismatch, fmt.Sprintf("Invoice %s is in %s", inv.InvoiceNumber, inv.Currency),
				apperr.Detail{Field: "currency", Message: "Must be " + inv.Currency})
		}
		if err := money.CheckScale(in.Amount, inv.Currency); err != nil {
			d.Add("amount", "Must have at most %d decimal places", money.Scale(inv.Currency))
		}
		dep, err := depositAccount(ctx, c, in.AccountID, &d)
		if err != nil {
			return nil, err
		}
		if err := d.Err(CodeInvalidPayment, paymentValidationMsg); err != nil {
			return nil, err
		}
		if in.Amount.GreaterThan(inv.AmountDue) {
			return nil, apperr.InvalidState(CodeOverpayment,
				fmt.Sprintf("Payment of %s exceeds the %s due on invoice %s", money.Format(in.Amount, inv.Currency), money.Format(inv.AmountDue, inv.Currency), inv.InvoiceNumber),
				apperr.Detail{Field: "amount", Message: "At most " + money.Format(inv.AmountDue, inv.Currency)})
		}
		date, err := paymentDate(ctx, c, in.PaymentDate)
		if err != nil {
			return nil, err
		}
		// All of the payment goes to this invoice: it is stored with nothing
		// unapplied, so no second write of the payment row is needed.
		p, err := createPayment(ctx, c, inv.CustomerID, inv.Currency, inv.ExchangeRate, date, dep, in, in.Amount)
		if err != nil {
			return nil, err
		}
		alloc, err := applyToInvoice(ctx, c, p, inv, in.Amount, date)
		if err != nil {
			return nil, err
		}
		// A new payment's allocations are exactly this one: attach it (and
		// the invoice's new state) so the answer needs no read back.
		alloc.Edges.Invoice = inv
		p.Edges.Allocations = []*ent.PaymentAllocation{alloc}
		return p, postPayment(ctx, c, p, dep)
	})
}

func paymentDate(ctx context.Context, c *ent.Client, given *types.Date) (types.Date, error) {
	if given != nil {
		return *given, nil
	}
	f, err := factsOf(ctx, c)
	if err != nil {
		return types.Date{}, err
	}
	return types.DateOf(Clock().In(f.loc)), nil
}

func createPayment(ctx context.Context, c *ent.Client, customerID pulid.ID, currency string, rate decimal.Decimal,
	date types.Date, dep *ent.Account, in RecordPaymentInput, applied decimal.Decimal) (*ent.Payment, error) {
	// The payment number is taken last (numberPayment): until then the
	// payment carries its id, unique like a number.
	id := pulid.New("pay")
	// Microsecond precision, as stored: the answer built from this object
	// then equals what a later read shows.
	now := time.Now().Truncate(time.Microsecond)
	create := c.Payment.Create().SetID(id).SetCreatedAt(now).SetUpdatedAt(now).SetPaymentNumber(string(id)).SetCustomerID(customerID).SetAmount(in.Amount).
		SetUnappliedAmount(in.Amount.Sub(applied)).SetCurrency(currency).SetExchangeRate(rate).SetPaymentDate(date).
		SetNillableMethod(in.PaymentMethod).SetNillableReference(in.Reference).SetNillableNotes(in.Notes).
		SetDepositAccountID(dep.ID)
	if in.MethodDetails != nil {
		create.SetMethodDetails(in.MethodDetails)
	}
	if p, ok := auth.FromContext(ctx); ok && p.UserID != "" {
		create.SetCreatedByID(p.UserID)
	}
	return create.Save(ctx)
}

// allocate applies amount of p to a locked invoice, moves the invoice's
// paid, due, payment status and status, and lowers p's unapplied amount.
func allocate(ctx context.Context, c *ent.Client, p *ent.Payment, inv *ent.Invoice, amount decimal.Decimal, date types.Date) error {
	if _, err := applyToInvoice(ctx, c, p, inv, amount, date); err != nil {
		return err
	}
	p.UnappliedAmount = p.UnappliedAmount.Sub(amount)
	return c.Payment.Update().Where(payment.ID(p.ID)).SetUnappliedAmount(p.UnappliedAmount).Exec(ctx)
}

// applyToInvoice stores the allocation of amount of p to a locked invoice
// and moves the invoice's paid, due, payment status and status, in the
// database and on inv (so callers can render the result without reading
// it back).
func applyToInvoice(ctx context.Context, c *ent.Client, p *ent.Payment, inv *ent.Invoice, amount decimal.Decimal, date types.Date) (*ent.PaymentAllocation, error) {
	alloc, err := c.PaymentAllocation.Create().SetPaymentID(p.ID).SetInvoiceID(inv.ID).SetAmount(amount).Save(ctx)
	if err != nil {
		return nil, err
	}
	paid := inv.AmountPaid.Add(amount)
	due := inv.Total.Sub(paid)
	upd := c.Invoice.Update().Where(invoice.ID(inv.ID)).SetAmountPaid(paid).SetAmountDue(due).SetPaymentStatus(paymentStatus(paid, due))
	if inv.LastPaymentDate == nil || inv.LastPaymentDate.Time().Before(date.Time()) {
		upd.SetLastPaymentDate(date)
	}
	if due.IsZero() {
		upd.SetStatus(invoice.StatusPaid)
	}
	if err := upd.Exec(ctx); err != nil {
		return nil, err
	}
	if err := invoiceChanged(ctx, inv, paid, due); err != nil {
		return nil, err
	}
	inv.AmountPaid, inv.AmountDue, inv.PaymentStatus = paid, due, paymentStatus(paid, due)
	if inv.LastPaymentDate == nil || inv.LastPaymentDate.Time().Before(date.Time()) {
		d := date
		inv.LastPaymentDate = &d
	}
	if due.IsZero() {
		inv.Status = invoice.StatusPaid
	}
	return alloc, nil
}

// invoiceChanged emits invoice.updated (and invoice.paid when nothing is
// left due) for an invoice whose paid amount moved to paid.
func invoiceChanged(ctx context.Context, inv *ent.Invoice, paid, due decimal.Decimal) error {
	after := *inv
	after.AmountPaid, after.AmountDue, after.PaymentStatus = paid, due, paymentStatus(paid, due)
	switch {
	case due.IsZero():
		after.Status = invoice.StatusPaid
	case inv.Status == invoice.StatusPaid:
		after.Status = invoice.StatusSent
	}
	payload := events.InvoicePayload(&after)
	if err := events.Emit(ctx, events.InvoiceUpdated, inv.ID, payload); err != nil {
		return err
	}
	if due.IsZero() {
		return events.Emit(ctx, events.InvoicePaid, inv.ID, payload)
	}
	return nil
}

func paymentStatus(paid, due decimal.Decimal) invoice.PaymentStatus {
	switch {
	case due.IsZero():
		return invoice.PaymentStatusPaid
	case paid.IsPositive():
		return invoice.PaymentStatusPartial
	default:
		return invoice.PaymentStatusUnpaid
	}
}

// postPayment posts Dr deposit / Cr receivable (the customer) for the
// applied part, and Cr customer credits for any unapplied remainder.
func postPayment(ctx context.Context, c *ent.Client, p *ent.Payment, dep *ent.Account) error {
	accts, err := SystemAccounts(ctx, c)
	if err != nil {
		return err
	}
	base, err := baseCurrency(ctx, c)
	if err != nil {
		return err
	}
	conv := func(x decimal.Decimal) decimal.Decimal { return money.Round(x.Mul(p.ExchangeRate), base) }
	applied, unapplied := conv(p.Amount.Sub(p.UnappliedAmount)), conv(p.UnappliedAmount)
	customerID := p.CustomerID
	e := Entry{Date: p.PaymentDate, Source: journalentry.SourceTypePayment, SourceID: &p.ID, Unnumbered: true,
		Lines: []Line{{AccountID: dep.ID, Debit: applied.Add(unapplied), Currency: p.Currency, OriginalAmount: p.Amount, ExchangeRate: p.ExchangeRate}}}
	if applied.IsPositive() {
		e.Lines = append(e.Lines, Line{AccountID: accts[RoleAccountsReceivable].ID, Credit: applied, CustomerID: &customerID,
			Currency: p.Currency, OriginalAmount: p.Amount.Sub(p.UnappliedAmount), ExchangeRate: p.ExchangeRate})
	}
	if unapplied.IsPositive() {
		e.Lines = append(e.Lines, Line{AccountID: accts[RoleCustomerCredits].ID, Credit: unapplied, CustomerID: &customerID,
			Currency: p.Currency, OriginalAmount: p.UnappliedAmount, ExchangeRate: p.ExchangeRate})
	}
	je, err := Post(ctx, c, e)
	if err != nil {
		return err
	}
	if err := numberPayment(ctx, c, p, je); err != nil {
		return err
	}
	var accountIDs []pulid.ID
	for _, l := range e.Lines {
		if !slices.Contains(accountIDs, l.AccountID) {
			accountIDs = append(accountIDs, l.AccountID)
		}
	}
	if err := events.Emit(ctx, events.JournalEntryPosted, je.ID, events.JournalEntryPayload(je, accountIDs)); err != nil {
		return err
	}
	return events.Emit(ctx, events.PaymentReceived, p.ID, events.PaymentPayload(p))
}

// numberPayment gives a new payment and its journal entry their gapless
// numbers (PAY-YYYY-NNNN, JE-YYYY-NNNN) in one statement, the last of the
// workflow before its events: each counter row is a per-company lock held
// from here to COMMIT, so taking it last keeps one company's payments
// from queueing behind each other for the whole transaction. The entry's
// reference and description name the payment number, as before.
func numberPayment(ctx context.Context, c *ent.Client, p *ent.Payment, je *ent.JournalEntry) error {
	cid, ok := tenant.CompanyID(ctx)
	if !ok {
		return fmt.Errorf("ledger: no acting company")
	}
	payNumber := numbering.FormatSQL(PaymentKind, "$5", "pay.last_value")
	q := `WITH pay AS (` + numbering.TakeSQL("$1", "$3", "$4", "$5") + `),
		je AS (` + numbering.TakeSQL("$2", "$3", "$6", "$7") + `),
		up AS (
			UPDATE payments SET payment_number = ` + payNumber + ` FROM pay
			WHERE payments.id = $8 AND payments.company_id = $3 RETURNING payments.payment_number
		), uj AS (
			UPDATE journal_entries SET entry_number = ` + numbering.FormatSQL(EntryKind, "$7", "je.last_value") + `,
				reference = ` + payNumber + `, description = 'Payment ' || ` + payNumber + `
			FROM je, pay WHERE journal_entries.id = $9 AND journal_entries.company_id = $3 RETURNING journal_entries.entry_number
		)
		SELECT (SELECT payment_number FROM up), (SELECT entry_number FROM uj)`
	rows, err := c.QueryContext(ctx, q, string(pulid.New("ctr")), string(pulid.New("ctr")), string(cid),
		PaymentKind.Name, p.PaymentDate.Year, EntryKind.Name, je.Date.Year, string(p.ID), string(je.ID))
	if err != nil {
		return fmt.Errorf("numbering payment: %w", err)
	}
	defer rows.Close()
	var payNo, jeNo stdsql.NullString
	if rows.Next() {
		if err := rows.Scan(&payNo, &jeNo); err != nil {
			return err
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if !payNo.Valid || !jeNo.Valid {
		return fmt.Errorf("numbering payment %s: rows not found", p.ID)
	}
	p.PaymentNumber = payNo.String
	je.EntryNumber, je.Reference, je.Description = jeNo.String, &payNo.String, ptr("Payment "+payNo.String)
	return nil
}

func ptr[T any](v T) *T { return &v }

// VoidPayment voids a payment: its allocations are released from their
// invoices (locked), and the exact reversal of its posting is posted.
func VoidPayment(ctx context.Context, id pulid.ID, reason, idempotencyKey string) (*ent.Payment, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, apperr.Validation(CodeInvalidPayment, paymentValidationMsg, apperr.Detail{Field: "reason", Message: "A reason is required"})
	}
	return idem.Run(ctx, paymentKind, idempotencyKey, "void_payment:"+string(id), reason, func(ctx context.Context, c *ent.Client) (*ent.Payment, error) {
		p, err := unwindPayment(ctx, c, id, "voided", "Void of payment ")
		if err != nil {
			return nil, err
		}
		// A void payment holds nothing: its unapplied amount returns to zero
		// with the reversal of the credit it carried.
		out, err := c.Payment.UpdateOne(p).SetStatus(payment.StatusVoid).SetVoidedAt(Clock()).SetVoidReason(reason).SetUnappliedAmount(decimal.Zero).Save(ctx)
		if err != nil {
			return nil, err
		}
		return out, events.Emit(ctx, events.PaymentVoided, out.ID, events.PaymentPayload(out))
	})
}

// unwindPayment locks a completed payment, releases its allocations from
// their invoices (locked in invoice-id order) and reverses every entry it
// posted, dated today: what voiding and failing a payment share. verb
// names the outcome in refusals; description prefixes the reversals.
func unwindPayment(ctx context.Context, c *ent.Client, id pulid.ID, verb, description string) (*ent.Payment, error) {
	p, err := lockPayment(ctx, c, id)
	if err != nil {
		return nil, err
	}
	switch {
	case p.Status == payment.StatusVoid || p.Status == payment.StatusFailed:
		return nil, apperr.InvalidState("INVALID_STATE", fmt.Sprintf("Payment %s is already %s", p.PaymentNumber, p.Status))
	case p.RefundedAmount.IsPositive():
		return nil, apperr.InvalidState("INVALID_STATE", fmt.Sprintf("Payment %s has refunds of %s; a refunded payment cannot be %s",
			p.PaymentNumber, money.Format(p.RefundedAmount, p.Currency), verb))
	}
	allocs, err := c.PaymentAllocation.Query().Where(paymentallocation.PaymentID(id), paymentallocation.VoidedAtIsNil()).
		Order(ent.Asc(paymentallocation.FieldInvoiceID)).All(ctx)
	if err != nil {
		return nil, err
	}
	now := Clock()
	for _, a := range allocs {
		inv, err := c.Invoice.Query().Where(invoice.ID(a.InvoiceID)).ForUpdate().Only(ctx)
		if err != nil {
			return nil, err
		}
		paid := inv.AmountPaid.Sub(a.Amount)
		p.UnappliedAmount = p.UnappliedAmount.Add(a.Amount)
		due := inv.Total.Sub(paid)
		upd := c.Invoice.UpdateOne(inv).SetAmountPaid(paid).SetAmountDue(due).SetPaymentStatus(paymentStatus(paid, due))
		if inv.Status == invoice.StatusPaid {
			upd.SetStatus(invoice.StatusSent)
		}
		if err := upd.Exec(ctx); err != nil {
			return nil, err
		}
		if err := invoiceChanged(ctx, inv, paid, due); err != nil {
			return nil, err
		}
		if err := c.PaymentAllocation.UpdateOne(a).SetVoidedAt(now).Exec(ctx); err != nil {
			return nil, err
		}
	}
	// The receipt and every later application posted entries; each is
	// reversed exactly.
	entries, err := c.JournalEntry.Query().Where(journalentry.SourceID(id), journalentry.SourceTypeEQ(journalentry.SourceTypePayment),
		journalentry.StatusEQ(journalentry.StatusPosted)).Order(ent.Asc(journalentry.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	date, err := paymentDate(ctx, c, nil)
	if err != nil {
		return nil, err
	}
	for _, orig := range entries {
		if _, err := Reverse(ctx, c, orig.ID, date, journalentry.SourceTypePaymentVoid, &id, description+p.PaymentNumber); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// checkAmount records a detail on field unless amount is positive and
// within money.MaxIntegerDigits integer digits.
func checkAmount(d *apperr.Details, field string, amount decimal.Decimal) {
	if !amount.IsPositive() {
		d.Add(field, "Must be greater than zero")
	} else if len(amount.Truncate(0).String()) > money.MaxIntegerDigits {
		d.Add(field, "Too large")
	}
}

// lockPayment reads a payment of the acting company FOR UPDATE: the first
// lock every workflow on a payment takes (payment → invoice → customer).
func lockPayment(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Payment, error) {
	p, err := c.Payment.Query().Where(payment.ID(id)).ForUpdate().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, PaymentNotFound(id)
	}
	return p, err
}

// GetPayment loads one payment.
func GetPayment(ctx context.Context, id pulid.ID) (*ent.Payment, error) {
	p, err := store.Client(ctx).Payment.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, PaymentNotFound(id)
	}
	return p, err
}

// InvoicePayments lists the payments applied to an invoice, oldest first.
func InvoicePayments(ctx context.Context, invoiceID pulid.ID) ([]*ent.Payment, error) {
	m, err := PaymentsOfInvoices(ctx, []pulid.ID{invoiceID}, 0)
	if err != nil {
		return nil, err
	}
	list := m[invoiceID]
	if len(list) == 0 {
		return list, nil
	}
	// Each payment with all its allocations (one statement for the list):
	// a payment may also pay other invoices.
	ids := make([]pulid.ID, len(list))
	byID := make(map[pulid.ID]*ent.Payment, len(list))
	for i, p := range list {
		ids[i], byID[p.ID] = p.ID, p
		p.Edges.Allocations = []*ent.PaymentAllocation{}
	}
	allocs, err := store.Client(ctx).PaymentAllocation.Query().Where(paymentallocation.PaymentIDIn(ids...)).
		Order(ent.Asc(paymentallocation.FieldCreatedAt), ent.Asc(paymentallocation.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range allocs {
		p := byID[a.PaymentID]
		p.Edges.Allocations = append(p.Edges.Allocations, a)
	}
	return list, nil
}

// PaymentsOfInvoices lists the payments applied to each of the invoices
// (voided ones included, as InvoicePayments), oldest first, in one
// statement: a page of invoices with their payments costs one query, not
// one per invoice. perInvoice > 0 loads at most that many allocations per
// invoice (the first made), so a page of invoices with their payments
// costs a bounded number of rows however many payments each has.
func PaymentsOfInvoices(ctx context.Context, invoiceIDs []pulid.ID, perInvoice int) (map[pulid.ID][]*ent.Payment, error) {
	out := make(map[pulid.ID][]*ent.Payment, len(invoiceIDs))
	if len(invoiceIDs) == 0 {
		return out, nil
	}
	const invoiceCol = "allocated_invoice_id"
	ids := make([]any, len(invoiceIDs))
	for i, id := range invoiceIDs {
		ids[i] = string(id)
	}
	list, err := store.Client(ctx).Payment.Query().
		Where(func(s *sql.Selector) {
			t := sql.Table(paymentallocation.Table)
			s.Join(t).On(s.C(payment.FieldID), t.C(paymentallocation.FieldPaymentID))
			s.Where(sql.In(t.C(paymentallocation.FieldInvoiceID), ids...))
			if perInvoice > 0 {
				d := sql.Dialect(dialect.Postgres)
				at := d.Table(paymentallocation.Table)
				ranked := d.Select(at.C(paymentallocation.FieldID)).
					AppendSelectExprAs(sql.RowNumber().PartitionBy(at.C(paymentallocation.FieldInvoiceID)).OrderBy(at.C(paymentallocation.FieldID)), "rn").
					From(at).Where(sql.In(at.C(paymentallocation.FieldInvoiceID), ids...))
				first := d.Select("id").From(ranked.As("ranked")).Where(sql.LTE("rn", perInvoice))
				s.Where(sql.In(t.C(paymentallocation.FieldID), first))
			}
			s.AppendSelectAs(t.C(paymentallocation.FieldInvoiceID), invoiceCol)
		}).
		Order(ent.Asc(payment.FieldPaymentDate), ent.Asc(payment.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range list {
		v, err := p.Value(invoiceCol)
		if err != nil {
			return nil, err
		}
		var inv pulid.ID
		switch x := v.(type) {
		case string:
			inv = pulid.ID(x)
		case []byte:
			inv = pulid.ID(x)
		default:
			return nil, fmt.Errorf("payments of invoices: unexpected %T", v)
		}
		// A payment allocated twice to one invoice (an allocation voided
		// and made again) is listed once.
		if l := out[inv]; len(l) > 0 && l[len(l)-1].ID == p.ID {
			continue
		}
		out[inv] = append(out[inv], p)
	}
	return out, nil
}

// PaymentSummary is seed 003's summary of a customer's payments.
type PaymentSummary struct {
	Count        int
	TotalPaid    decimal.Decimal
	MethodsCount int
	LatestPaidOn *types.Date
}

// PaymentFilter narrows a customer's payment list (seed 003): a payment
// date range and a search over the payment number, reference, notes,
// method, id and the numbers of the invoices it paid.
type PaymentFilter struct {
	CustomerID pulid.ID
	From, To   *types.Date
	Search     string
}

// CustomerPayments pages a customer's completed payments, newest first,
// with their allocations' invoices, and summarizes every payment of the
// date range (the search does not narrow the summary, as seed 003 says).
func CustomerPayments(ctx context.Context, f PaymentFilter, offset, limit int) ([]*ent.Payment, int, PaymentSummary, error) {
	base := store.Client(ctx).Payment.Query().Where(payment.CustomerID(f.CustomerID), payment.StatusEQ(payment.StatusCompleted))
	if f.From != nil {
		base = base.Where(payment.PaymentDateGTE(*f.From))
	}
	if f.To != nil {
		base = base.Where(payment.PaymentDateLTE(*f.To))
	}
	all, err := base.Clone().Select(payment.FieldAmount, payment.FieldMethod, payment.FieldPaymentDate).All(ctx)
	if err != nil {
		return nil, 0, PaymentSummary{}, err
	}
	s := PaymentSummary{Count: len(all)}
	methods := map[payment.Method]bool{}
	for _, p := range all {
		s.TotalPaid = s.TotalPaid.Add(p.Amount)
		methods[p.Method] = true
		if s.LatestPaidOn == nil || s.LatestPaidOn.Time().Before(p.PaymentDate.Time()) {
			d := p.PaymentDate
			s.LatestPaidOn = &d
		}
	}
	s.MethodsCount = len(methods)
	q := base
	if f.Search != "" {
		pattern := store.ContainsPattern(f.Search)
		q = q.Where(func(sel *sql.Selector) {
			paid := sql.Select(paymentallocation.FieldPaymentID).From(sql.Table(paymentallocation.Table)).
				Where(sql.In(paymentallocation.FieldInvoiceID, sql.Select(invoice.FieldID).From(sql.Table(invoice.Table)).
					Where(store.ILike(invoice.FieldInvoiceNumber, pattern))))
			sel.Where(sql.Or(store.ILike(sel.C(payment.FieldPaymentNumber), pattern), store.ILike(sel.C(payment.FieldReference), pattern),
				store.ILike(sel.C(payment.FieldNotes), pattern), store.ILike(sel.C(payment.FieldMethod), pattern),
				sql.EQ(sel.C(payment.FieldID), f.Search), sql.In(sel.C(payment.FieldID), paid)))
		})
	}
	total := s.Count
	if f.Search != "" {
		if total, err = q.Clone().Count(ctx); err != nil {
			return nil, 0, PaymentSummary{}, err
		}
	}
	list, err := q.WithAllocations(func(q *ent.PaymentAllocationQuery) { q.WithInvoice() }).
		Order(ent.Desc(payment.FieldPaymentDate), ent.Desc(payment.FieldID)).Offset(offset).Limit(limit).All(ctx)
	if err != nil {
		return nil, 0, PaymentSummary{}, err
	}
	return list, total, s, nil
}
