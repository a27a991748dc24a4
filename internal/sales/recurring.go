package sales

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	entsql "entgo.io/ent/dialect/sql"
	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/ent/invoice"
	"github.com/bigledger/bigledger/ent/recurringinvoice"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/numbering"
	"github.com/bigledger/bigledger/internal/store"
)

// Recurring invoices (seed 003 subscriptions): a template that issues an
// invoice every interval_count intervals. Periods are counted from the
// start date (a monthly template started on the 31st invoices on the last
// day of shorter months), and each period's invoice is made once: the
// template row is locked while its period is generated, and invoices
// carry (recurring_invoice_id, recurring_period) under a unique index.
// After downtime every missed period is generated, each dated its own
// period; periods that pass while a template is stopped are skipped.

// Codes of the recurring invoice workflows.
const (
	CodeInvalidRecurring  = "INVALID_RECURRING_INVOICE"
	CodeRecurringNotFound = "RECURRING_INVOICE_NOT_FOUND"
	recurringValidation   = "Recurring invoice validation failed"
)

// RecurringKind numbers recurring invoices (SUB-0001).
var RecurringKind = numbering.Kind{Name: "recurring_invoice", Prefix: "SUB"}

// RecurringNotFound is the error for a missing (or another company's) one.
func RecurringNotFound(id pulid.ID) error {
	return apperr.NotFound(CodeRecurringNotFound, fmt.Sprintf("Recurring invoice with ID '%s' not found", id))
}

// RecurringInput creates a recurring invoice.
type RecurringInput struct {
	CustomerID    pulid.ID
	Items         []LineInput
	Interval      recurringinvoice.Interval
	IntervalCount *int
	// StartDate is the first period (default: today).
	StartDate *types.Date
	// EndDate and MaxCount end the schedule (after that date; after that
	// many invoices); both nil: until stopped.
	EndDate                 *types.Date
	MaxCount                *int
	Reference, Notes, Terms *string
	// Issue (default true) issues each generated invoice; false leaves drafts.
	Issue *bool
	// AutoSend (default false) also emails each issued invoice to the
	// customer with its PDF (needs Issue).
	AutoSend *bool
}

// RecurringUpdate changes a recurring invoice; nil fields are kept, Items
// (non-nil) replaces the lines. Changes apply from the next period.
type RecurringUpdate struct {
	Items                   []LineInput
	Interval                *recurringinvoice.Interval
	IntervalCount           *int
	EndDate                 *types.Date
	ClearEndDate            bool
	MaxCount                *int
	ClearMaxCount           bool
	Reference, Notes, Terms *string
	Issue                   *bool
	AutoSend                *bool
}

// PeriodAt is the k-th period (0: the start) of a schedule.
func PeriodAt(start types.Date, iv recurringinvoice.Interval, count, k int) types.Date {
	t := start.Time()
	switch iv {
	case recurringinvoice.IntervalDay:
		return types.DateOf(t.AddDate(0, 0, k*count))
	case recurringinvoice.IntervalWeek:
		return types.DateOf(t.AddDate(0, 0, 7*k*count))
	}
	months := k * count
	if iv == recurringinvoice.IntervalYear {
		months *= 12
	}
	first := time.Date(t.Year(), t.Month()+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return types.DateOf(time.Date(first.Year(), first.Month(), min(t.Day(), last), 0, 0, 0, 0, time.UTC))
}

// nextAfter is the first period of the schedule later than d.
func nextAfter(start types.Date, iv recurringinvoice.Interval, count int, d types.Date) types.Date {
	// Estimate the index, then step: periods are increasing.
	days := daysBetween(start, d)
	per := map[recurringinvoice.Interval]int{recurringinvoice.IntervalDay: 1, recurringinvoice.IntervalWeek: 7,
		recurringinvoice.IntervalMonth: 28, recurringinvoice.IntervalYear: 365}[iv] * count
	k := max(0, days/per-2)
	for {
		p := PeriodAt(start, iv, count, k)
		if p.Time().After(d.Time()) {
			return p
		}
		k++
	}
}

func checkSchedule(d *apperr.Details, iv *recurringinvoice.Interval, count *int, maxCount *int) {
	if iv != nil {
		if recurringinvoice.IntervalValidator(*iv) != nil {
			d.Add("interval", "Must be one of day, week, month, year")
		}
	}
	if count != nil && (*count < 1 || *count > 366) {
		d.Add("intervalCount", "Must be between 1 and 366")
	}
	if maxCount != nil && (*maxCount < 1 || *maxCount > 10000) {
		d.Add("maxCount", "Must be between 1 and 10000")
	}
}

func templates(items []LineInput) []types.LineTemplate {
	out := make([]types.LineTemplate, len(items))
	for i, it := range items {
		t := types.LineTemplate{Quantity: it.Quantity.String()}
		if it.ItemID != nil {
			t.ItemID = string(*it.ItemID)
		}
		if it.Description != nil {
			t.Description = *it.Description
		}
		if it.UnitPrice != nil {
			t.UnitPrice = it.UnitPrice.String()
		}
		if it.DiscountPercent != nil {
			t.DiscountPercent = it.DiscountPercent.String()
		}
		if it.TaxCode != nil {
			t.TaxCode = *it.TaxCode
		}
		if it.ItemCode != nil {
			t.ItemCode = *it.ItemCode
		}
		if it.Notes != nil {
			t.Notes = *it.Notes
		}
		out[i] = t
	}
	return out
}

// LineInputs are a template's lines as invoice line inputs.
func LineInputs(ts []types.LineTemplate) []LineInput {
	out := make([]LineInput, len(ts))
	for i, t := range ts {
		in := LineInput{Quantity: decimal.RequireFromString(t.Quantity)}
		if t.ItemID != "" {
			id := pulid.ID(t.ItemID)
			in.ItemID = &id
		}
		if t.Description != "" {
			s := t.Description
			in.Description = &s
		}
		for _, p := range []struct {
			s   string
			dst **decimal.Decimal
		}{{t.UnitPrice, &in.UnitPrice}, {t.DiscountPercent, &in.DiscountPercent}} {
			if p.s != "" {
				v := decimal.RequireFromString(p.s)
				*p.dst = &v
			}
		}
		for _, p := range []struct {
			s   string
			dst **string
		}{{t.TaxCode, &in.TaxCode}, {t.ItemCode, &in.ItemCode}, {t.Notes, &in.Notes}} {
			if p.s != "" {
				v := p.s
				*p.dst = &v
			}
		}
		out[i] = in
	}
	return out
}

// checkLines prices the lines as an invoice of the customer would, so a
// template that could not make an invoice is refused now, not at its
// first period.
func checkLines(ctx context.Context, c *ent.Client, cu *ent.Customer, items []LineInput, ref *string, d *apperr.Details) error {
	_, err := newHeader(ctx, c, cu, nil, nil, ref, items, d)
	return err
}

func recurringCustomer(ctx context.Context, c *ent.Client, id pulid.ID, d *apperr.Details) (*ent.Customer, error) {
	cu, err := c.Customer.Query().Where(customer.ID(id)).Only(ctx)
	if ent.IsNotFound(err) {
		d.Add("customerId", "Customer %q not found", id)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if cu.PartyType == customer.PartyTypeSupplier {
		d.Add("customerId", "A supplier contact cannot be invoiced")
	}
	if cu.Status == customer.StatusBlocked {
		d.Add("customerId", "Customer is blocked")
	}
	return cu, nil
}

// CreateRecurring validates and stores a recurring invoice; its first
// invoice is made by the generator on its start date (today's at once).
func CreateRecurring(ctx context.Context, in RecurringInput) (*ent.RecurringInvoice, error) {
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.RecurringInvoice, error) {
		var d apperr.Details
		iv := &in.Interval
		if in.Interval == "" {
			d.Add("interval", "Required: day, week, month or year")
			iv = nil
		}
		checkSchedule(&d, iv, in.IntervalCount, in.MaxCount)
		if len(in.Items) == 0 {
			d.Add("items", "At least one line is required")
		}
		checkText(&d, "reference", in.Reference, 100)
		cu, err := recurringCustomer(ctx, c, in.CustomerID, &d)
		if err != nil {
			return nil, err
		}
		if cu != nil && len(in.Items) > 0 {
			if err := checkLines(ctx, c, cu, in.Items, in.Reference, &d); err != nil {
				return nil, err
			}
		}
		start, err := documentDate(ctx, in.StartDate)
		if err != nil {
			return nil, err
		}
		if in.EndDate != nil && in.EndDate.Time().Before(start.Time()) {
			d.Add("endDate", "Must be on or after the start date")
		}
		checkAutoSend(&d, in.Issue, in.AutoSend, true, false)
		sortDetails(d)
		if err := d.Err(CodeInvalidRecurring, recurringValidation); err != nil {
			return nil, err
		}
		number, err := numbering.Next(ctx, c, RecurringKind, 0)
		if err != nil {
			return nil, err
		}
		count := 1
		if in.IntervalCount != nil {
			count = *in.IntervalCount
		}
		create := c.RecurringInvoice.Create().SetCustomerID(cu.ID).SetSubscriptionNumber(number).
			SetInterval(in.Interval).SetIntervalCount(count).SetStartDate(start).SetNextRunDate(start).
			SetNillableEndDate(in.EndDate).SetNillableMaxCount(in.MaxCount).SetCurrency(cu.Currency).
			SetItems(templates(in.Items)).SetNillableReference(trimmed(in.Reference)).SetNillableNotes(in.Notes).
			SetNillableTerms(in.Terms).SetNillableIssue(in.Issue).SetNillableAutoSend(in.AutoSend)
		if p, ok := auth.FromContext(ctx); ok && p.UserID != "" {
			create.SetCreatedByID(p.UserID)
		}
		return create.Save(ctx)
	})
}

func lockRecurring(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.RecurringInvoice, error) {
	r, err := c.RecurringInvoice.Query().Where(recurringinvoice.ID(id)).ForUpdate().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, RecurringNotFound(id)
	}
	return r, err
}

// UpdateRecurring changes a recurring invoice under its row lock.
func UpdateRecurring(ctx context.Context, id pulid.ID, in RecurringUpdate) (*ent.RecurringInvoice, error) {
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.RecurringInvoice, error) {
		r, err := lockRecurring(ctx, c, id)
		if err != nil {
			return nil, err
		}
		var d apperr.Details
		checkSchedule(&d, in.Interval, in.IntervalCount, in.MaxCount)
		checkText(&d, "reference", in.Reference, 100)
		if in.Items != nil {
			if len(in.Items) == 0 {
				d.Add("items", "At least one line is required")
			} else {
				cu, err := recurringCustomer(ctx, c, r.CustomerID, &d)
				if err != nil {
					return nil, err
				}
				if cu != nil {
					if err := checkLines(ctx, c, cu, in.Items, in.Reference, &d); err != nil {
						return nil, err
					}
				}
			}
		}
		if in.EndDate != nil && in.EndDate.Time().Before(r.StartDate.Time()) {
			d.Add("endDate", "Must be on or after the start date")
		}
		if in.MaxCount != nil && *in.MaxCount < r.GeneratedCount {
			d.Add("maxCount", "%d invoices were already generated", r.GeneratedCount)
		}
		checkAutoSend(&d, in.Issue, in.AutoSend, r.Issue, r.AutoSend)
		sortDetails(d)
		if err := d.Err(CodeInvalidRecurring, recurringValidation); err != nil {
			return nil, err
		}
		upd := c.RecurringInvoice.UpdateOne(r).SetNillableIntervalCount(in.IntervalCount).
			SetNillableEndDate(in.EndDate).SetNillableMaxCount(in.MaxCount).SetNillableReference(trimmed(in.Reference)).
			SetNillableNotes(in.Notes).SetNillableTerms(in.Terms).SetNillableIssue(in.Issue).SetNillableAutoSend(in.AutoSend)
		if in.Interval != nil {
			upd.SetInterval(*in.Interval)
		}
		if in.ClearEndDate {
			upd.ClearEndDate()
		}
		if in.ClearMaxCount {
			upd.ClearMaxCount()
		}
		if in.Items != nil {
			upd.SetItems(templates(in.Items))
		}
		return upd.Save(ctx)
	})
}

// ToggleRecurring stops an active recurring invoice or resumes a stopped
// one (seed 003 toggle-recurring). Resuming skips the periods that passed
// while it was stopped: the next invoice is today's period or later.
func ToggleRecurring(ctx context.Context, id pulid.ID) (*ent.RecurringInvoice, error) {
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.RecurringInvoice, error) {
		r, err := lockRecurring(ctx, c, id)
		if err != nil {
			return nil, err
		}
		switch r.Status {
		case recurringinvoice.StatusCompleted:
			return nil, apperr.Conflict(CodeInvalidRecurring, fmt.Sprintf("Recurring invoice '%s' has completed its schedule", id))
		case recurringinvoice.StatusActive:
			return c.RecurringInvoice.UpdateOne(r).SetStatus(recurringinvoice.StatusStopped).SetStoppedAt(Clock()).Save(ctx)
		}
		today, err := Today(ctx)
		if err != nil {
			return nil, err
		}
		upd := c.RecurringInvoice.UpdateOne(r).SetStatus(recurringinvoice.StatusActive).ClearStoppedAt()
		if r.NextRunDate != nil && r.NextRunDate.Time().Before(today.Time()) {
			next := nextAfter(r.StartDate, r.Interval, r.IntervalCount, types.DateOf(today.Time().AddDate(0, 0, -1)))
			if r.EndDate != nil && next.Time().After(r.EndDate.Time()) {
				upd.SetStatus(recurringinvoice.StatusCompleted).ClearNextRunDate()
			} else {
				upd.SetNextRunDate(next)
			}
		}
		return upd.Save(ctx)
	})
}

// GenerateNext makes the invoice of a recurring invoice's next period if
// that period has come (company timezone), in one transaction with the
// template locked: the invoice is created (and issued, posting it), and
// the schedule advances. It answers nil when there was nothing to do (not
// due, stopped, completed, or another instance is generating it).
func GenerateNext(ctx context.Context, id pulid.ID) (*ent.Invoice, error) {
	g, err := store.InTx(ctx, func(ctx context.Context, c *ent.Client) (generated, error) {
		r, err := c.RecurringInvoice.Query().Where(recurringinvoice.ID(id)).
			ForUpdate(entsql.WithLockAction(entsql.SkipLocked)).Only(ctx)
		if ent.IsNotFound(err) {
			return generated{}, nil
		}
		if err != nil {
			return generated{}, err
		}
		today, err := Today(ctx)
		if err != nil {
			return generated{}, err
		}
		if r.Status != recurringinvoice.StatusActive || r.NextRunDate == nil || r.NextRunDate.Time().After(today.Time()) {
			return generated{}, nil
		}
		period := *r.NextRunDate
		inv, err := CreateInvoice(ctx, InvoiceInput{CustomerID: r.CustomerID, InvoiceDate: &period, Items: LineInputs(r.Items),
			Reference: r.Reference, Notes: r.Notes, Terms: r.Terms, recurring: &recurringMark{id: r.ID, period: period}})
		if err != nil {
			return generated{}, err
		}
		if r.Issue {
			// Auto-send emails the invoice to the customer as it is issued;
			// a customer with no address anywhere gets it issued only.
			var to []string
			if r.AutoSend {
				if to, err = Recipients(ctx, c, r.CustomerID); err != nil {
					return generated{}, err
				}
			}
			if len(to) > 0 {
				inv, err = SendInvoice(ctx, inv.ID, SendInput{To: to}, "")
			} else {
				inv, err = IssueInvoice(ctx, inv.ID, "")
			}
			if err != nil {
				return generated{}, err
			}
		}
		n := r.GeneratedCount + 1
		next := nextAfter(r.StartDate, r.Interval, r.IntervalCount, period)
		upd := c.RecurringInvoice.UpdateOne(r).SetGeneratedCount(n).SetLastGeneratedAt(Clock()).SetNextRunDate(next)
		if (r.MaxCount != nil && n >= *r.MaxCount) || (r.EndDate != nil && next.Time().After(r.EndDate.Time())) {
			upd.SetStatus(recurringinvoice.StatusCompleted).ClearNextRunDate()
		}
		if _, err := upd.Save(ctx); err != nil {
			return generated{}, err
		}
		return generated{inv}, nil
	})
	return g.inv, err
}

// generated is GenerateNext's answer: the invoice made, or none.
type generated struct{ inv *ent.Invoice }

func (g generated) Unwrap() generated {
	if g.inv != nil {
		g.inv = g.inv.Unwrap()
	}
	return g
}

// recurringMark is what CreateInvoice stamps on a generated invoice.
type recurringMark struct {
	id     pulid.ID
	period types.Date
}

// maxCatchUp bounds the periods one run generates for one template.
const maxCatchUp = 1000

// RunRecurring generates every due period of every company's active
// recurring invoices (the job every instance runs; the row lock and the
// unique period index make concurrent runs generate each period once).
// A template whose period fails is logged by the caller and retried on
// the next run; the others go on. It returns how many invoices it made.
func RunRecurring(ctx context.Context, client *ent.Client, db *sql.DB) (int, error) {
	return eachDue(ctx, client, db, func(ctx context.Context, id pulid.ID) (int, error) {
		n := 0
		for range maxCatchUp {
			inv, err := GenerateNext(ctx, id)
			if err != nil {
				return n, fmt.Errorf("recurring invoice %s: %w", id, err)
			}
			if inv == nil {
				break
			}
			n++
		}
		return n, nil
	}, `SELECT id, company_id FROM recurring_invoices
		WHERE status = 'active' AND next_run_date <= (now() AT TIME ZONE 'Etc/GMT-14')::date
		ORDER BY next_run_date LIMIT 500`)
}

// RecurringFilter narrows a recurring invoice list.
type RecurringFilter struct {
	CustomerID *pulid.ID
	// Search matches the subscription number, the customer's name or a
	// generated invoice's number.
	Search             string
	StartFrom, StartTo *types.Date
	Status             *recurringinvoice.Status
}

// Recurrings starts the acting company's recurring invoice query, newest first.
func Recurrings(ctx context.Context, f RecurringFilter) *ent.RecurringInvoiceQuery {
	q := store.Client(ctx).RecurringInvoice.Query()
	if f.CustomerID != nil {
		q = q.Where(recurringinvoice.CustomerID(*f.CustomerID))
	}
	if f.Status != nil {
		q = q.Where(recurringinvoice.StatusEQ(*f.Status))
	}
	if f.StartFrom != nil {
		q = q.Where(recurringinvoice.StartDateGTE(*f.StartFrom))
	}
	if f.StartTo != nil {
		q = q.Where(recurringinvoice.StartDateLTE(*f.StartTo))
	}
	if f.Search != "" {
		pattern := store.ContainsPattern(f.Search)
		q = q.Where(func(s *entsql.Selector) {
			s.Where(entsql.Or(
				store.ILike(s.C(recurringinvoice.FieldSubscriptionNumber), pattern),
				entsql.In(s.C(recurringinvoice.FieldCustomerID), entsql.Select(customer.FieldID).From(entsql.Table(customer.Table)).
					Where(store.ILike(customer.FieldName, pattern))),
				entsql.In(s.C(recurringinvoice.FieldID), entsql.Select(invoice.FieldRecurringInvoiceID).From(entsql.Table(invoice.Table)).
					Where(store.ILike(invoice.FieldInvoiceNumber, pattern))),
			))
		})
	}
	return q.Order(ent.Desc(recurringinvoice.FieldCreatedAt), ent.Desc(recurringinvoice.FieldID))
}

// GetRecurring loads one recurring invoice.
func GetRecurring(ctx context.Context, id pulid.ID) (*ent.RecurringInvoice, error) {
	r, err := store.Client(ctx).RecurringInvoice.Query().Where(recurringinvoice.ID(id)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, RecurringNotFound(id)
	}
	return r, err
}

// GeneratedInvoices lists the invoices generated for recurring invoices,
// by recurring invoice, oldest period first, with one query.
func GeneratedInvoices(ctx context.Context, ids ...pulid.ID) (map[pulid.ID][]*ent.Invoice, error) {
	out := map[pulid.ID][]*ent.Invoice{}
	if len(ids) == 0 {
		return out, nil
	}
	list, err := store.Client(ctx).Invoice.Query().Where(invoice.RecurringInvoiceIDIn(ids...)).
		Order(ent.Asc(invoice.FieldRecurringPeriod)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, inv := range list {
		out[*inv.RecurringInvoiceID] = append(out[*inv.RecurringInvoiceID], inv)
	}
	return out, nil
}

// RecurringCustomers loads the customers of a page of recurring invoices
// in one statement.
func RecurringCustomers(ctx context.Context, ids []pulid.ID) (map[pulid.ID]*ent.Customer, error) {
	list, err := store.Client(ctx).Customer.Query().Where(customer.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[pulid.ID]*ent.Customer, len(list))
	for _, cu := range list {
		out[cu.ID] = cu
	}
	return out, nil
}

// MaxListedRecurringInvoices is how many generated invoices a recurring
// invoice lists (newest period first).
const MaxListedRecurringInvoices = 100

// RecurringGenerated loads the invoices of a page of recurring invoices
// in one statement, newest period first, at most limit each.
func RecurringGenerated(ctx context.Context, ids []pulid.ID, limit int) (map[pulid.ID][]*ent.Invoice, error) {
	list, err := store.Client(ctx).Invoice.Query().Where(invoice.RecurringInvoiceIDIn(ids...)).
		Order(ent.Desc(invoice.FieldRecurringPeriod), ent.Desc(invoice.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[pulid.ID][]*ent.Invoice, len(ids))
	for _, inv := range list {
		if id := *inv.RecurringInvoiceID; len(out[id]) < limit {
			out[id] = append(out[id], inv)
		}
	}
	return out, nil
}

// checkAutoSend refuses auto-send on drafts: only issued invoices are
// emailed (issue and autoSend as they will be after the change).
func checkAutoSend(d *apperr.Details, issue, autoSend *bool, curIssue, curAutoSend bool) {
	if issue != nil {
		curIssue = *issue
	}
	if autoSend != nil {
		curAutoSend = *autoSend
	}
	if curAutoSend && !curIssue {
		d.Add("autoSend", "Only issued invoices are emailed: autoSend needs issue")
	}
}
