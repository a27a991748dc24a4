package events

import (
	"context"
	"database/sql"
	"time"

	"github.com/bigledger/bigledger/internal/store"
)

// Purge deletes events older than retention, in batches, and returns how
// many it deleted. It keeps what something still needs: events the
// webhook dispatcher has not passed, events with a delivery still
// pending, and invoice.overdue events (they mark an invoice as notified).
// Safe on several instances.
func Purge(ctx context.Context, db *sql.DB, retention time.Duration) (int64, error) {
	return store.DeleteInBatches(ctx, db, `DELETE FROM events WHERE id IN (
		SELECT e.id FROM events e
		WHERE e.created_at < now() - $1 * interval '1 second' AND e.type <> 'invoice.overdue'
		AND EXISTS (SELECT 1 FROM event_cursors c WHERE c.id = 'webhooks' AND (e.txid, e.seq) <= (c.txid::xid8, c.seq))
		AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND d.status = 'pending')
		LIMIT 1000 FOR UPDATE SKIP LOCKED)`, int64(retention.Seconds()))
}
