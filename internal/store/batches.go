package store

import (
	"context"
	"database/sql"
)

// PurgeBatch is how many rows one DeleteInBatches statement removes.
const PurgeBatch = 1000

// DeleteInBatches runs del until it deletes fewer than PurgeBatch rows and
// returns the total. del must delete at most PurgeBatch rows per run
// (`DELETE … WHERE id IN (SELECT … LIMIT 1000 FOR UPDATE SKIP LOCKED)`),
// so a large purge never holds many locks or one long transaction, and
// several instances can purge at once.
func DeleteInBatches(ctx context.Context, db *sql.DB, del string, args ...any) (int64, error) {
	var total int64
	for {
		res, err := db.ExecContext(ctx, del, args...)
		if err != nil {
			return total, err
		}
		n, _ := res.RowsAffected()
		total += n
		if n < PurgeBatch {
			return total, nil
		}
	}
}
