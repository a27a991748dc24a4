package events

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"time"

	"github.com/bigledger/bigledger/ent/schema/pulid"
)

// Waker wakes event readers after a commit: the local ones at once, in
// memory, and other server instances through one pg_notify per burst of
// commits, sent outside every writing transaction.
type Waker struct {
	// ID names this instance in its notifications, so its own hub (woken
	// in memory already) can ignore them.
	ID       string
	db       *sql.DB
	log      *slog.Logger
	interval time.Duration

	mu    sync.Mutex
	local []func()
	kick  chan struct{}
}

// NewWaker returns a waker that notifies other instances through db at
// most once per interval (coalescing the commits in between).
func NewWaker(db *sql.DB, interval time.Duration, log *slog.Logger) *Waker {
	if log == nil {
		log = slog.Default()
	}
	return &Waker{ID: string(pulid.New("inst")), db: db, log: log, interval: interval, kick: make(chan struct{}, 1)}
}

// OnWake registers a local reader's wake-up function.
func (w *Waker) OnWake(f func()) {
	w.mu.Lock()
	w.local = append(w.local, f)
	w.mu.Unlock()
}

// Poke reports a commit that wrote events. Safe on a nil Waker.
func (w *Waker) Poke() {
	if w == nil {
		return
	}
	w.mu.Lock()
	local := w.local
	w.mu.Unlock()
	for _, f := range local {
		f()
	}
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Run sends the coalesced notifications until ctx ends.
func (w *Waker) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.kick:
		}
		// A NOTIFY-only transaction still writes a commit record; it need
		// not wait for the WAL flush (nothing durable depends on it: a lost
		// wake-up is covered by the readers' periodic re-read).
		if _, err := w.db.ExecContext(ctx, `SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, $2)`, Channel, w.ID); err != nil && ctx.Err() == nil {
			// Other instances still find the events on their periodic read.
			w.log.Warn("events: notify failed", "error", err)
		}
		if w.interval > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(w.interval):
			}
		}
	}
}
