package server

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"github.com/lib/pq"

	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/events"
	"github.com/bigledger/bigledger/internal/idem"
	"github.com/bigledger/bigledger/internal/mail"
	"github.com/bigledger/bigledger/internal/sales"
	"github.com/bigledger/bigledger/internal/webhooks"
)

// Start runs the instance's background work until ctx ends: the event hub
// (log reader and fan-out), the wake-up notifier, the webhook worker, the
// key-revocation watcher and the periodic jobs (invoice.overdue events,
// idempotency-key purge). Every piece is safe with several instances on
// one database.
func (s *Server) Start(ctx context.Context) {
	go s.waker.Run(ctx)
	go func() { _ = s.hub.Run(ctx) }()
	if !s.opt.NoWebhooks {
		go s.worker.Run(ctx)
	}
	if s.opt.Mail.Transport != nil {
		go s.mailer.Run(ctx)
	}
	go s.keys.run(ctx, s.db, s.opt.KeyCheck)
	go s.keyCache.Run(ctx, 10*time.Second)
	go s.jobs(ctx)
}

// Hub is the instance's event hub.
func (s *Server) Hub() *events.Hub { return s.hub }

// Waker is what the instance's commits poke.
func (s *Server) Waker() *events.Waker { return s.waker }

// Mailer is the instance's mail worker.
func (s *Server) Mailer() *mail.Worker { return s.mailer }

// Webhooks is the instance's webhook worker.
func (s *Server) Webhooks() *webhooks.Worker { return s.worker }

func (s *Server) jobs(ctx context.Context) {
	every := s.opt.JobInterval
	if every == 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	var lastPurge time.Time
	for {
		n, err := sales.EmitOverdue(ctx, s.db)
		s.metrics.ObserveJob("invoice_overdue", err)
		if err != nil && ctx.Err() == nil {
			s.log.Warn("jobs: invoice.overdue", "error", err)
		} else if n > 0 {
			s.waker.Poke()
		}
		n, err = sales.RunRecurring(ctx, s.client, s.db)
		s.metrics.ObserveJob("recurring_invoices", err)
		if err != nil && ctx.Err() == nil {
			s.log.Warn("jobs: recurring invoices", "error", err)
		}
		if n > 0 {
			s.log.Info("jobs: generated recurring invoices", "count", n)
			s.waker.Poke()
		}
		n, err = sales.RunReminders(ctx, s.client, s.db)
		s.metrics.ObserveJob("payment_reminders", err)
		if err != nil && ctx.Err() == nil {
			s.log.Warn("jobs: payment reminders", "error", err)
		}
		if n > 0 {
			s.log.Info("jobs: queued payment reminders", "count", n)
			s.mailer.Wake()
		}
		if time.Since(lastPurge) > time.Hour {
			n, err := idem.Purge(ctx, s.db, idem.Retention)
			s.metrics.ObserveJob("idempotency_purge", err)
			if err != nil && ctx.Err() == nil {
				s.log.Warn("jobs: idempotency purge", "error", err)
			} else if n > 0 {
				s.log.Info("jobs: purged idempotency keys", "count", n)
			}
			n, err = events.Purge(ctx, s.db, s.opt.EventRetention)
			s.metrics.ObserveJob("event_purge", err)
			if err != nil && ctx.Err() == nil {
				s.log.Warn("jobs: event purge", "error", err)
			} else if n > 0 {
				s.log.Info("jobs: purged events", "count", n)
			}
			lastPurge = time.Now()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// keyWatch closes live sockets whose API key has been revoked or has
// expired: one query per interval for every key with an open socket.
type keyWatch struct {
	mu    sync.Mutex
	conns map[pulid.ID]map[*int]context.CancelFunc
}

func newKeyWatch() *keyWatch { return &keyWatch{conns: map[pulid.ID]map[*int]context.CancelFunc{}} }

// watch returns ctx cancelled when key stops being valid (or ctx ends).
func (k *keyWatch) watch(ctx context.Context, key pulid.ID) context.Context {
	ctx, cancel := context.WithCancel(ctx)
	tok := new(int)
	k.mu.Lock()
	if k.conns[key] == nil {
		k.conns[key] = map[*int]context.CancelFunc{}
	}
	k.conns[key][tok] = cancel
	k.mu.Unlock()
	context.AfterFunc(ctx, func() {
		k.mu.Lock()
		delete(k.conns[key], tok)
		if len(k.conns[key]) == 0 {
			delete(k.conns, key)
		}
		k.mu.Unlock()
	})
	return ctx
}

func (k *keyWatch) run(ctx context.Context, db *sql.DB, every time.Duration) {
	if every == 0 {
		every = 2 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		k.mu.Lock()
		ids := make([]string, 0, len(k.conns))
		for id := range k.conns {
			ids = append(ids, string(id))
		}
		k.mu.Unlock()
		if len(ids) == 0 {
			continue
		}
		rows, err := db.QueryContext(ctx, `SELECT id FROM api_keys WHERE id = ANY($1)
			AND (revoked_at IS NOT NULL OR (expires_at IS NOT NULL AND expires_at <= now()))`, pq.Array(ids))
		if err != nil {
			continue
		}
		var dead []pulid.ID
		for rows.Next() {
			var id string
			if rows.Scan(&id) == nil {
				dead = append(dead, pulid.ID(id))
			}
		}
		rows.Close()
		k.mu.Lock()
		for _, id := range dead {
			for _, cancel := range k.conns[id] {
				cancel()
			}
		}
		k.mu.Unlock()
	}
}
