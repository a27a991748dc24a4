package sales

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/emailmessage"
	"github.com/bigledger/bigledger/ent/invoice"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/mail"
	"github.com/bigledger/bigledger/internal/store"
	"github.com/bigledger/bigledger/internal/tenant"
)

// DefaultReminderSchedule is when an invoice sent with sendReminders is
// reminded, in days from its due date: 3 days before, on the day, then 7,
// 14 and 30 days overdue. A company changes it with PATCH /v1/company
// reminderSchedule, and repeats reminders every N days after it with
// reminderRepeatDays.
var DefaultReminderSchedule = []int{-3, 0, 7, 14, 30}

// ReminderScheduleKey is the company setting holding its schedule.
const ReminderScheduleKey = "reminderSchedule"

// CheckReminderSchedule validates a schedule: at most 10 distinct days
// from -60 to 365, returned in order.
func CheckReminderSchedule(days []int) ([]int, error) {
	var d apperr.Details
	if len(days) > 10 {
		d.Add("reminderSchedule", "At most 10 reminder days")
	}
	out := slices.Clone(days)
	slices.Sort(out)
	for i, n := range out {
		if n < -60 || n > 365 {
			d.Add("reminderSchedule", "Reminder days run from -60 (before the due date) to 365 (after it); got %d", n)
		}
		if i > 0 && out[i-1] == n {
			d.Add("reminderSchedule", "Day %d is listed twice", n)
		}
	}
	return out, d.Err("VALIDATION_ERROR", "Invalid company data")
}

// ReminderSchedule is a company's schedule (the default when unset).
func ReminderSchedule(co *ent.Company) []int {
	if days, ok := co.Settings[ReminderScheduleKey].([]int); ok {
		return days
	}
	raw, ok := co.Settings[ReminderScheduleKey].([]any)
	if !ok {
		return DefaultReminderSchedule
	}
	out := make([]int, 0, len(raw))
	for _, v := range raw {
		if f, ok := v.(float64); ok {
			out = append(out, int(f))
		}
	}
	slices.Sort(out)
	return out
}

// ReminderRepeatKey is the company setting repeating reminders every N
// days after the schedule's last day, while the invoice stays unpaid.
const ReminderRepeatKey = "reminderRepeatDays"

// MaxReminderRepeat bounds the repeat interval; repeats stop 365 days
// after the due date.
const MaxReminderRepeat = 90

// CheckReminderRepeat validates the repeat interval (0: off).
func CheckReminderRepeat(n int) error {
	if n < 0 || n > MaxReminderRepeat {
		var d apperr.Details
		d.Add("reminderRepeatDays", "Repeat every 1 to %d days after the last reminder day, or 0 for no repeats; got %d", MaxReminderRepeat, n)
		return d.Err("VALIDATION_ERROR", "Invalid company data")
	}
	return nil
}

// ReminderRepeat is a company's repeat interval in days (0: none).
func ReminderRepeat(co *ent.Company) int {
	switch v := co.Settings[ReminderRepeatKey].(type) {
	case int:
		return v
	case float64:
		return int(v)
	}
	return 0
}

// reminderDays are the days from the due date a company's invoices are
// reminded on: its schedule, then every ReminderRepeat days after the
// last overdue day, up to a year past due.
func reminderDays(co *ent.Company) []int {
	days := slices.Clone(ReminderSchedule(co))
	if every := ReminderRepeat(co); every > 0 {
		from := 0
		if len(days) > 0 {
			from = max(days[len(days)-1], 0)
		}
		for d := from + every; d <= 365; d += every {
			days = append(days, d)
		}
	}
	return days
}

// stepName names a schedule day: before_due_3, due, overdue_7.
func stepName(day int) string {
	switch {
	case day < 0:
		return "before_due_" + strconv.Itoa(-day)
	case day == 0:
		return "due"
	}
	return "overdue_" + strconv.Itoa(day)
}

func addDays(d types.Date, n int) types.Date { return types.DateOf(d.Time().AddDate(0, 0, n)) }

// nextReminderOn is the first schedule day of inv on or after from (nil:
// none left).
func nextReminderOn(schedule []int, due, from types.Date) *types.Date {
	for _, day := range schedule {
		if at := addDays(due, day); !at.Time().Before(from.Time()) {
			return &at
		}
	}
	return nil
}

// scheduleReminders sets when the reminder job first looks at an invoice
// that was sent with reminders on (or clears it when they are off).
func scheduleReminders(ctx context.Context, c *ent.Client, inv *ent.Invoice, upd *ent.InvoiceUpdateOne, on bool) error {
	if !on {
		upd.ClearNextReminderOn()
		return nil
	}
	co, err := c.Company.Get(ctx, inv.CompanyID)
	if err != nil {
		return err
	}
	today, err := Today(ctx)
	if err != nil {
		return err
	}
	if next := nextReminderOn(reminderDays(co), inv.DueDate, today); next != nil {
		upd.SetNextReminderOn(*next)
	} else {
		upd.ClearNextReminderOn()
	}
	return nil
}

// RunReminders queues the payment reminders that are due on every
// instance's job tick: for each sent, unpaid invoice with reminders on
// whose next reminder day has come (in its company's timezone), the
// latest schedule step reached is emailed once — the outbox's unique
// (invoice, step) makes a second instance's or a restarted job's attempt
// a no-op — and the invoice records it (reminderCount, lastReminderAt).
// Steps missed while no instance ran are not sent late when a later step
// has come. A paid or void invoice is never reminded.
func RunReminders(ctx context.Context, client *ent.Client, db *sql.DB) (int, error) {
	// The furthest-ahead timezone's date (UTC+14): each invoice is then
	// checked against its own company's today.
	latest := types.DateOf(Clock().UTC().Add(14 * time.Hour))
	return eachDue(ctx, client, db, func(ctx context.Context, id pulid.ID) (int, error) {
		sent, err := RemindInvoice(ctx, id)
		if err != nil {
			return 0, fmt.Errorf("reminder for invoice %s: %w", id, err)
		}
		if sent {
			return 1, nil
		}
		return 0, nil
	}, `SELECT id, company_id FROM invoices
		WHERE next_reminder_on IS NOT NULL AND next_reminder_on <= $1
		ORDER BY next_reminder_on LIMIT 500`, latest.String())
}

// eachDue runs a periodic job: query selects (id, company_id) pairs of
// what is due, and do handles each in its company's context; it returns
// the sum of what do counted and the first error (the others still run).
func eachDue(ctx context.Context, client *ent.Client, db *sql.DB, do func(context.Context, pulid.ID) (int, error), query string, args ...any) (int, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	type due struct{ id, company pulid.ID }
	var list []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.company); err != nil {
			rows.Close()
			return 0, err
		}
		list = append(list, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	var firstErr error
	for _, d := range list {
		k, err := do(tenant.WithCompany(store.WithClient(ctx, client), d.company), d.id)
		n += k
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return n, firstErr
}

// RemindInvoice queues the reminder of one invoice if one is due today
// and reports whether it did.
func RemindInvoice(ctx context.Context, id pulid.ID) (bool, error) {
	out, err := store.InTx(ctx, func(ctx context.Context, c *ent.Client) (reminded, error) {
		inv, err := c.Invoice.Query().Where(invoice.ID(id)).ForUpdate().Only(ctx)
		if err != nil {
			return reminded{}, err
		}
		upd := c.Invoice.UpdateOne(inv)
		if inv.Status != invoice.StatusSent || !inv.SendReminders || !inv.AmountDue.IsPositive() {
			return reminded{}, upd.ClearNextReminderOn().Exec(ctx)
		}
		co, err := c.Company.Get(ctx, inv.CompanyID)
		if err != nil {
			return reminded{}, err
		}
		today, err := Today(ctx)
		if err != nil {
			return reminded{}, err
		}
		if inv.NextReminderOn == nil || inv.NextReminderOn.Time().After(today.Time()) {
			return reminded{}, nil // not yet in this company's timezone
		}
		schedule := reminderDays(co)
		step := -1
		for i, day := range schedule {
			if !addDays(inv.DueDate, day).Time().After(today.Time()) {
				step = i
			}
		}
		next := nextReminderOn(schedule, inv.DueDate, addDays(today, 1))
		if next != nil {
			upd.SetNextReminderOn(*next)
		} else {
			upd.ClearNextReminderOn()
		}
		if step < 0 {
			return reminded{}, upd.Exec(ctx)
		}
		name := stepName(schedule[step])
		done, err := c.EmailMessage.Query().Where(emailmessage.DocumentID(inv.ID), emailmessage.ReminderStepEQ(name)).Exist(ctx)
		if err != nil {
			return reminded{}, err
		}
		to := lastRecipients(inv)
		if len(to) == 0 {
			if to, err = Recipients(ctx, c, inv.CustomerID); err != nil {
				return reminded{}, err
			}
		}
		if done || len(to) == 0 {
			return reminded{}, upd.Exec(ctx)
		}
		cu, err := c.Customer.Get(ctx, inv.CustomerID)
		if err != nil {
			return reminded{}, err
		}
		kind := "reminder"
		if schedule[step] > 0 {
			kind = "overdue"
		}
		subj, text, htm := compose(co, kind, invoiceValues(co, cu, inv), nil, nil)
		if _, err := mail.Enqueue(ctx, c, mail.Request{DocumentType: emailmessage.DocumentTypeInvoice, DocumentID: inv.ID,
			CustomerID: inv.CustomerID, Purpose: emailmessage.PurposeReminder, ReminderStep: &name, To: to,
			Subject: subj, Text: text, HTML: htm, AttachPDF: true}); err != nil {
			return reminded{}, err
		}
		return reminded{true}, upd.AddReminderCount(1).SetLastReminderAt(Clock()).Exec(ctx)
	})
	if mail.IsDuplicateStep(err) {
		return false, nil // another instance queued this step first
	}
	return out.sent, err
}

type reminded struct{ sent bool }

func (r reminded) Unwrap() reminded { return r }

// lastRecipients are the "to" of the invoice's last send.
func lastRecipients(inv *ent.Invoice) []string {
	raw, _ := inv.LastSend["to"].([]any)
	var out []string
	for _, v := range raw {
		if s, ok := v.(string); ok && validEmail(s) {
			out = append(out, s)
		}
	}
	if out == nil {
		if s, ok := inv.LastSend["to"].([]string); ok {
			out = s
		}
	}
	return out
}
