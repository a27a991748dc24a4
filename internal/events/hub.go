package events

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/lib/pq"

	"github.com/bigledger/bigledger/ent/schema/pulid"
)

// Position is a place in the log: events are ordered by (Txid, Seq).
type Position struct {
	Txid uint64
	Seq  int64
}

// Less orders positions.
func (p Position) Less(q Position) bool {
	return p.Txid < q.Txid || (p.Txid == q.Txid && p.Seq < q.Seq)
}

// Record is one committed event.
type Record struct {
	ID        pulid.ID
	CompanyID pulid.ID
	Type      string
	SubjectID pulid.ID
	Payload   map[string]any
	Seq       int64
	Pos       Position
	CreatedAt time.Time
}

// ErrSlowConsumer ends a subscription whose consumer fell too far behind;
// it can resume from its last event id without losing anything.
var ErrSlowConsumer = errors.New("subscriber too slow: resubscribe with the last event id to resume")

// Sub is one live subscription of a company's events.
type Sub struct {
	company pulid.ID
	types   map[string]bool
	ch      chan *Record
	// Start is the hub position when the subscription began: every event
	// after it is delivered live; a replay covers what came before.
	Start Position

	mu   sync.Mutex
	err  error
	done bool
}

// C delivers the subscription's events (shared, read-only); it is closed
// when the subscription ends.
func (s *Sub) C() <-chan *Record { return s.ch }

// Err is why the subscription ended (nil when unsubscribed).
func (s *Sub) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *Sub) end(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return
	}
	s.done, s.err = true, err
	close(s.ch)
}

// HubOptions tune a Hub.
type HubOptions struct {
	// Buffer is each subscriber's queue length (default 512); a full
	// queue ends the subscription with ErrSlowConsumer.
	Buffer int
	// Poll is the periodic re-read interval (default 1s).
	Poll time.Duration
	Log  *slog.Logger
}

// Hub reads the event log in commit-safe order and fans events out to the
// subscribers of their company. One per server instance.
type Hub struct {
	db  *sql.DB
	dsn string
	opt HubOptions

	mu   sync.Mutex
	pos  Position
	subs map[pulid.ID]map[*Sub]struct{}

	wake    chan struct{}
	started chan struct{}
	reads   int64
}

// NewHub returns a hub reading through db, listening for wake-ups on a
// separate connection to dsn.
func NewHub(db *sql.DB, dsn string, o HubOptions) *Hub {
	if o.Buffer == 0 {
		o.Buffer = 512
	}
	if o.Poll == 0 {
		o.Poll = time.Second
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Hub{db: db, dsn: dsn, opt: o, subs: map[pulid.ID]map[*Sub]struct{}{},
		wake: make(chan struct{}, 1), started: make(chan struct{})}
}

// Wake makes the hub read the log now.
func (h *Hub) Wake() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Started is closed once the hub knows its starting position.
func (h *Hub) Started() <-chan struct{} { return h.started }

// Subscribe starts a live subscription to company's events of types (all
// when empty). Call Unsubscribe when done.
func (h *Hub) Subscribe(company pulid.ID, types []string) *Sub {
	<-h.started
	s := &Sub{company: company, ch: make(chan *Record, h.opt.Buffer)}
	if len(types) > 0 {
		s.types = map[string]bool{}
		for _, t := range types {
			s.types[t] = true
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	s.Start = h.pos
	m := h.subs[company]
	if m == nil {
		m = map[*Sub]struct{}{}
		h.subs[company] = m
	}
	m[s] = struct{}{}
	return s
}

// Unsubscribe ends s.
func (h *Hub) Unsubscribe(s *Sub) {
	h.mu.Lock()
	if m := h.subs[s.company]; m != nil {
		delete(m, s)
		if len(m) == 0 {
			delete(h.subs, s.company)
		}
	}
	h.mu.Unlock()
	s.end(nil)
}

// Subscribers counts live subscriptions.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, m := range h.subs {
		n += len(m)
	}
	return n
}

// Run reads and delivers until ctx ends. It starts at the current end of
// the log: earlier events are reached by replay (ReadAfter).
func (h *Hub) Run(ctx context.Context) error {
	var start Position
	for {
		xmin, err := Watermark(ctx, h.db)
		if err == nil {
			start = Position{Txid: xmin - 1, Seq: math.MaxInt64}
			break
		}
		h.opt.Log.Warn("events: hub cannot read the watermark", "error", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	h.mu.Lock()
	h.pos = start
	h.mu.Unlock()
	close(h.started)

	var notify <-chan *pq.Notification
	if h.dsn != "" {
		l := pq.NewListener(h.dsn, 100*time.Millisecond, 5*time.Second, func(ev pq.ListenerEventType, err error) {
			if err != nil && ctx.Err() == nil {
				h.opt.Log.Warn("events: listener", "event", ev, "error", err)
			}
		})
		defer l.Close()
		if err := l.Listen(Channel); err != nil {
			h.opt.Log.Warn("events: listen", "error", err)
		}
		notify = l.Notify
	}
	poll := time.NewTicker(h.opt.Poll)
	defer poll.Stop()
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	backoff := time.Duration(0)
	for {
		// A nil notification means the listener reconnected: notifications
		// may have been lost, and the read below finds their events.
		select {
		case <-ctx.Done():
			h.closeAll()
			return ctx.Err()
		case <-h.wake:
		case <-notify:
		case <-poll.C:
		case <-retry.C:
		}
		behind, err := h.read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				continue
			}
			h.opt.Log.Warn("events: read", "error", err)
			behind = true
		}
		// Committed events wait behind an older, still-running
		// transaction: look again soon, backing off while it runs.
		if behind {
			backoff = min(max(2*backoff, time.Millisecond), 100*time.Millisecond)
			retry.Reset(backoff)
		} else {
			backoff = 0
		}
	}
}

func (h *Hub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c, m := range h.subs {
		for s := range m {
			s.end(context.Canceled)
		}
		delete(h.subs, c)
	}
}

// read delivers every event below the watermark past the hub's position.
// It reports whether committed events are waiting above the watermark.
func (h *Hub) read(ctx context.Context) (bool, error) {
	xmin, err := Watermark(ctx, h.db)
	if err != nil {
		return false, err
	}
	for {
		h.mu.Lock()
		pos := h.pos
		h.mu.Unlock()
		recs, err := readRange(ctx, h.db, "", pos, xmin, 1000)
		if err != nil {
			return false, err
		}
		for i := range recs {
			h.deliver(&recs[i])
		}
		if len(recs) < 1000 {
			break
		}
	}
	var waiting bool
	err = h.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM events WHERE txid >= $1::text::xid8)`, strconv.FormatUint(xmin, 10)).Scan(&waiting)
	return waiting, err
}

func (h *Hub) deliver(r *Record) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.pos = r.Pos
	for s := range h.subs[r.CompanyID] {
		if s.types != nil && !s.types[r.Type] {
			continue
		}
		select {
		case s.ch <- r:
		default:
			delete(h.subs[r.CompanyID], s)
			s.end(ErrSlowConsumer)
		}
	}
}

// Watermark is the oldest transaction still running: every event with a
// smaller txid has committed or rolled back.
func Watermark(ctx context.Context, db *sql.DB) (uint64, error) {
	var s string
	if err := db.QueryRowContext(ctx, `SELECT pg_snapshot_xmin(pg_current_snapshot())::text`).Scan(&s); err != nil {
		return 0, err
	}
	return strconv.ParseUint(s, 10, 64)
}

// txid is read as text under another name: ORDER BY txid would otherwise
// sort by the text output column, not the xid8.
const recordColumns = `id, company_id, type, subject_id, payload, seq, txid::text AS txid_text, created_at`

// readRange returns up to limit events after pos with txid below xmin, in
// log order, of one company when company is set.
func readRange(ctx context.Context, db *sql.DB, company pulid.ID, pos Position, xmin uint64, limit int) ([]Record, error) {
	q := `SELECT ` + recordColumns + ` FROM events
		WHERE (txid, seq) > ($1::text::xid8, $2) AND txid < $3::text::xid8`
	args := []any{strconv.FormatUint(pos.Txid, 10), pos.Seq, strconv.FormatUint(xmin, 10)}
	if company != "" {
		q += ` AND company_id = $5`
		args = append(args, limit, string(company))
	} else {
		args = append(args, limit)
	}
	q += ` ORDER BY txid, seq LIMIT $4`
	return query(ctx, db, q, args...)
}

func query(ctx context.Context, db *sql.DB, q string, args ...any) ([]Record, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var r Record
		var payload []byte
		var txid string
		if err := rows.Scan(&r.ID, &r.CompanyID, &r.Type, &r.SubjectID, &payload, &r.Seq, &txid, &r.CreatedAt); err != nil {
			return nil, err
		}
		if r.Pos.Txid, err = strconv.ParseUint(txid, 10, 64); err != nil {
			return nil, fmt.Errorf("events: txid %q: %w", txid, err)
		}
		r.Pos.Seq = r.Seq
		if len(payload) > 0 {
			dec := json.NewDecoder(bytes.NewReader(payload))
			dec.UseNumber() // amounts stay exact
			if err := dec.Decode(&r.Payload); err != nil {
				return nil, err
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Follow delivers company's events of types to fn in log order: first
// those after `after` (when set) up to where the live subscription starts,
// read from the table, then live ones, without gap or repeat. It returns
// when ctx ends, fn fails, or the subscriber falls behind
// (ErrSlowConsumer).
func (h *Hub) Follow(ctx context.Context, company pulid.ID, types []string, after *Position, fn func(Record) error) error {
	select {
	case <-h.started:
	case <-ctx.Done():
		return ctx.Err()
	}
	sub := h.Subscribe(company, types)
	defer h.Unsubscribe(sub)
	var last Position
	if after != nil {
		last = *after
		for {
			recs, err := Page(ctx, h.db, company, last, &sub.Start, types, 500)
			if err != nil {
				return err
			}
			for _, r := range recs {
				if err := fn(r); err != nil {
					return err
				}
				last = r.Pos
			}
			if len(recs) < 500 {
				break
			}
		}
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case r, ok := <-sub.C():
			if !ok {
				if err := sub.Err(); err != nil {
					return err
				}
				return ctx.Err()
			}
			if after != nil && !last.Less(r.Pos) {
				continue
			}
			if err := fn(*r); err != nil {
				return err
			}
		}
	}
}
