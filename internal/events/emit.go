// Package events is BigLedger's event log: workflows Emit events inside
// their transaction (written in one INSERT just before COMMIT, so an event
// exists exactly when its change committed), and a Hub per server instance
// reads the log in commit-safe order and fans events out to subscribers.
//
// Ordering and the watermark: events are ordered by (txid, seq), where txid
// is the writing transaction's xid8. A reader only reads events whose txid
// is below the oldest transaction still running
// (pg_snapshot_xmin(pg_current_snapshot())): every transaction below that
// line has finished, so nothing can later appear behind the reader's
// position. A plain "seq > last" poller would skip events whose sequence
// number was taken by a transaction that committed later.
//
// Waking readers: NOTIFY inside the writing transaction serializes every
// committing writer on a cluster-wide lock. Instead the committing process
// wakes its own Hub in memory after COMMIT and a Waker sends one coalesced
// pg_notify per burst on its own connection for the other instances; a
// periodic re-read covers a lost notification or a crashed writer.
package events

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/tenant"
)

// Event types.
const (
	CustomerCreated = "customer.created"
	CustomerUpdated = "customer.updated"
	// CustomerCreditLimitExceeded fires when an issued invoice leaves its
	// customer's balance above a (positive) credit limit.
	CustomerCreditLimitExceeded = "customer.credit_limit_exceeded"
	QuoteSent                   = "quote.sent"
	QuoteAccepted               = "quote.accepted"
	OrderStatusChanged          = "order.status_changed"
	InvoiceCreated              = "invoice.created"
	InvoiceUpdated              = "invoice.updated"
	InvoiceSent                 = "invoice.sent"
	InvoicePaid                 = "invoice.paid"
	InvoiceVoided               = "invoice.voided"
	InvoiceOverdue              = "invoice.overdue"
	PaymentReceived             = "payment.received"
	PaymentVoided               = "payment.voided"
	PaymentRefunded             = "payment.refunded"
	PaymentFailed               = "payment.failed"
	AccountCreated              = "account.created"
	AccountUpdated              = "account.updated"
	AccountDeleted              = "account.deleted"
	JournalEntryPosted          = "journal_entry.posted"
	// Email outcomes: a reminder handed to SMTP, a document email the
	// SMTP server refused for good (or after every retry), a statement.
	InvoiceReminderSent     = "invoice.reminder_sent"
	InvoiceDeliveryFailed   = "invoice.delivery_failed"
	QuoteDeliveryFailed     = "quote.delivery_failed"
	CustomerStatementSent   = "customer.statement_sent"
	CustomerStatementFailed = "customer.statement_failed"
)

// Types lists every event type, in documentation order.
var Types = []string{
	CustomerCreated, CustomerUpdated, CustomerCreditLimitExceeded, QuoteSent, QuoteAccepted, OrderStatusChanged,
	InvoiceCreated, InvoiceUpdated, InvoiceSent, InvoicePaid, InvoiceVoided, InvoiceOverdue,
	PaymentReceived, PaymentVoided, PaymentRefunded, PaymentFailed, AccountCreated, AccountUpdated, AccountDeleted, JournalEntryPosted,
	InvoiceReminderSent, InvoiceDeliveryFailed, QuoteDeliveryFailed, CustomerStatementSent, CustomerStatementFailed,
}

// KnownType reports whether t is an event type.
// NotProduced lists the event types and stream channels the seeds name
// that this server does not produce (inventory, e-invoicing, asynchronous
// reports). Subscriptions that name them are accepted and the names
// ignored, with a warning: the seeds' own examples name them beside ones
// we do produce.
var NotProduced = map[string]bool{"stock.changes": true, "stock.updated": true, "einvoice.submitted": true, "report.generated": true}

// NotProducedWarning is the warning for ignored names.
func NotProducedWarning(names []string) string {
	return fmt.Sprintf("Ignored %s: not produced by this server", strings.Join(names, ", "))
}

func KnownType(t string) bool {
	for _, k := range Types {
		if k == t {
			return true
		}
	}
	return false
}

// Scope is the read scope a key needs to see events of type t.
func Scope(t string) string {
	switch {
	case strings.HasPrefix(t, "customer."):
		return "customers:read"
	case strings.HasPrefix(t, "quote."):
		return "quotes:read"
	case strings.HasPrefix(t, "order."):
		return "sales_orders:read"
	case strings.HasPrefix(t, "invoice."):
		return "invoices:read"
	case strings.HasPrefix(t, "payment."):
		return "payments:read"
	default:
		return "ledger:read"
	}
}

// Channel is the name the event log's NOTIFY wake-ups use.
const Channel = "bigledger_events"

type disabledKey struct{}

// WithoutEvents returns a context whose workflows emit nothing: only for
// measuring the write path without the event log (benchmarks).
func WithoutEvents(ctx context.Context) context.Context {
	return context.WithValue(ctx, disabledKey{}, true)
}

type inTxNotifyKey struct{}

// WithNotifyInTransaction makes transactions under ctx also NOTIFY inside
// the writing transaction: the design this package avoids, kept so the
// benchmark can measure what it costs.
func WithNotifyInTransaction(ctx context.Context) context.Context {
	return context.WithValue(ctx, inTxNotifyKey{}, true)
}

type wakerKey struct{}

// WithWaker makes transactions committed under ctx wake w.
func WithWaker(ctx context.Context, w *Waker) context.Context {
	return context.WithValue(ctx, wakerKey{}, w)
}

type pending struct {
	company pulid.ID
	typ     string
	subject pulid.ID
	payload map[string]any
	actor   *string
}

type batch struct {
	mu     sync.Mutex
	events []pending
}

// batches holds the events emitted in each open transaction.
var batches sync.Map // *ent.Tx → *batch

// Emit records an event of type typ about subject in the transaction in
// ctx, for the acting company. The row is written just before COMMIT; a
// rolled-back transaction writes nothing.
func Emit(ctx context.Context, typ string, subject pulid.ID, payload map[string]any) error {
	if ctx.Value(disabledKey{}) != nil {
		return nil
	}
	if !KnownType(typ) {
		return fmt.Errorf("events: unknown type %q", typ)
	}
	company, ok := tenant.CompanyID(ctx)
	if !ok || company == "" {
		return fmt.Errorf("events: %s emitted without an acting company", typ)
	}
	tx := ent.TxFromContext(ctx)
	if tx == nil {
		return fmt.Errorf("events: %s emitted outside a transaction", typ)
	}
	b := &batch{}
	if v, loaded := batches.LoadOrStore(tx, b); loaded {
		b = v.(*batch)
	} else {
		w, _ := ctx.Value(wakerKey{}).(*Waker)
		inTx := ctx.Value(inTxNotifyKey{}) != nil
		tx.OnCommit(func(next ent.Committer) ent.Committer {
			return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
				defer batches.Delete(tx)
				if err := b.flush(ctx, tx); err != nil {
					return err
				}
				if inTx {
					if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, '')`, Channel); err != nil {
						return err
					}
				}
				if err := next.Commit(ctx, tx); err != nil {
					return err
				}
				w.Poke()
				return nil
			})
		})
		tx.OnRollback(func(next ent.Rollbacker) ent.Rollbacker {
			return ent.RollbackFunc(func(ctx context.Context, tx *ent.Tx) error {
				batches.Delete(tx)
				return next.Rollback(ctx, tx)
			})
		})
	}
	b.mu.Lock()
	var actor *string
	if p, ok := auth.FromContext(ctx); ok && p.UserID != "" {
		id := string(p.UserID)
		actor = &id
	}
	b.events = append(b.events, pending{company: company, typ: typ, subject: subject, payload: payload, actor: actor})
	b.mu.Unlock()
	return nil
}

// flush writes the batch in one multi-row INSERT on the transaction.
func (b *batch) flush(ctx context.Context, tx *ent.Tx) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.events) == 0 {
		return nil
	}
	var sb strings.Builder
	sb.WriteString(`INSERT INTO events (id, company_id, type, subject_id, payload, actor_id, seq, created_at) VALUES `)
	args := make([]any, 0, 6*len(b.events))
	for i, e := range b.events {
		if i > 0 {
			sb.WriteByte(',')
		}
		n := len(args)
		fmt.Fprintf(&sb, "($%d,$%d,$%d,$%d,$%d,$%d,nextval('event_seq'),now())", n+1, n+2, n+3, n+4, n+5, n+6)
		p, err := json.Marshal(e.payload)
		if err != nil {
			return fmt.Errorf("events: payload of %s: %w", e.typ, err)
		}
		args = append(args, string(pulid.New("evt")), string(e.company), e.typ, string(e.subject), string(p), e.actor)
	}
	_, err := tx.ExecContext(ctx, sb.String(), args...)
	return err
}
