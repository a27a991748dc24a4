package idem

import (
	"context"
	"database/sql"
	"time"

	"github.com/bigledger/bigledger/internal/store"
)

// Retention is how long a key is remembered: a replay within it returns
// the original result; after it the key is forgotten and may be reused.
const Retention = 7 * 24 * time.Hour

// Purge deletes keys older than retention across every company, in
// batches, and returns how many it deleted. Safe on several instances.
func Purge(ctx context.Context, db *sql.DB, retention time.Duration) (int64, error) {
	return store.DeleteInBatches(ctx, db, `DELETE FROM idempotency_keys WHERE id IN (
		SELECT id FROM idempotency_keys WHERE created_at < now() - $1 * interval '1 second'
		LIMIT 1000 FOR UPDATE SKIP LOCKED)`, int64(retention.Seconds()))
}
