package sales

import (
	"context"
	"database/sql"

	"github.com/bigledger/bigledger/ent/schema/pulid"
)

// EmitOverdue writes one invoice.overdue event for every invoice that has
// become overdue in its company's timezone and has none yet. A partial
// unique index (one invoice.overdue per subject) makes it safe to run on
// every instance at once: a second writer's insert does nothing. It
// returns how many events it wrote.
//
// The selection is incremental: an invoice announced as overdue is marked
// (overdue_notified_at) in the statement that writes its event, and the
// job reads a partial index holding only sent, unannounced invoices, up to
// the latest "today" on Earth (UTC+14). With nothing new to announce a run
// reads an empty index range, whatever the number of overdue invoices.
func EmitOverdue(ctx context.Context, db *sql.DB) (int, error) {
	overdue := overdueSQL(func(c string) string { return "i." + c })
	rows, err := db.QueryContext(ctx, `SELECT i.id FROM invoices i
		WHERE i.status = 'sent' AND i.overdue_notified_at IS NULL
		AND i.due_date < (now() AT TIME ZONE 'Etc/GMT-14')::date AND `+overdue+`
		ORDER BY i.due_date LIMIT 1000`)
	if err != nil {
		return 0, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		// The condition is checked again: the invoice may have been paid
		// or voided since it was listed. The marker is set whether this
		// instance or another wrote the event.
		var wrote int
		err := db.QueryRowContext(ctx, `WITH ev AS (
				INSERT INTO events (id, company_id, type, subject_id, payload, seq, created_at)
				SELECT $1, i.company_id, 'invoice.overdue', i.id, jsonb_build_object(
					'id', i.id, 'invoiceNumber', i.invoice_number, 'customerId', i.customer_id, 'status', i.status,
					'paymentStatus', i.payment_status, 'currency', i.currency, 'invoiceDate', i.invoice_date::text,
					'dueDate', i.due_date::text, 'total', round(i.total, 2), 'amountPaid', round(i.amount_paid, 2),
					'amountDue', round(i.amount_due, 2), 'overdueBy', (now() AT TIME ZONE c.timezone)::date - i.due_date), nextval('event_seq'), now()
				FROM invoices i JOIN companies c ON c.id = i.company_id
				WHERE i.id = $2 AND `+overdue+`
				ON CONFLICT (subject_id) WHERE type = 'invoice.overdue' DO NOTHING
				RETURNING 1
			), mark AS (
				UPDATE invoices i SET overdue_notified_at = now()
				WHERE i.id = $2 AND i.overdue_notified_at IS NULL AND `+overdue+`
			)
			SELECT count(*) FROM ev`, string(pulid.New("evt")), id).Scan(&wrote)
		if err != nil {
			return n, err
		}
		n += wrote
	}
	return n, nil
}
