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

	// raw is the undecoded payload: the hub decodes it only for an event
	// some subscriber receives.
	raw []byte
}

// ErrSlowConsumer ends a subscription whose consumer fell too far behind;
// it can resume from its last event id without losing anything.
var ErrSlowConsumer = errors.New("subscriber too slow: resubscribe with the last event id to resume")

// Sub is one live subscription of a company's events.
type Sub struct {
	company pulid.ID
	types   map[string]bool
	limit   int
	// Start is the hub position when the subscription began: every event
	// after it is delivered live; a replay covers what came before.
	Start Position

	// drain runs (in a goroutine of its own) when an event arrives while
	// no drain is running, and returns once the queue is empty: an idle
	// subscriber holds neither a goroutine nor a buffer (a parked goroutine
	// and a fixed 512-slot channel each were about 8 of the 45 KiB a quiet
	// subscription cost above its websocket).
	drain   func()
	mu      sync.Mutex
	running bool
	q       []*Record
	err     error
	done    bool
}

// push queues r for s; false when s is too far behind (or ended).
func (s *Sub) push(r *Record) bool {
	s.mu.Lock()
	if s.done || len(s.q) >= s.limit {
		s.mu.Unlock()
		return false
	}
	s.q = append(s.q, r)
	start := !s.running
	s.running = true
	s.mu.Unlock()
	if start {
		go s.drain()
	}
	return true
}

// take is the drain's next event (shared, read-only). With the queue
// empty it answers ended when the subscription is over, or else marks the
// drain stopped: the next push starts another.
func (s *Sub) take() (r *Record, ended bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.q) > 0 {
		r = s.q[0]
		s.q[0] = nil
		if s.q = s.q[1:]; len(s.q) == 0 {
			s.q = nil
		}
		return r, false
	}
	if s.done {
		return nil, true // running stays set: no drain starts after the last
	}
	s.running = false
	return nil, false
}

// Err is why the subscription ended (nil when unsubscribed).
func (s *Sub) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// end stops s: what is queued is still drained, then the drain sees the
// end (a slow consumer resumes after the last event it received).
func (s *Sub) end(err error) {
	s.mu.Lock()
	if s.done {
		s.mu.Unlock()
		return
	}
	s.done, s.err = true, err
	start := !s.running
	s.running = true
	s.mu.Unlock()
	if start {
		go s.drain()
	}
}

// HubOptions tune a Hub.
type HubOptions struct {
	// Buffer is each subscriber's queue length (default 512); a full
	// queue ends the subscription with ErrSlowConsumer.
	Buffer int
	// Poll is the periodic re-read interval (default 1s).
	Poll time.Duration
	Log  *slog.Logger
	// Self is this instance's Waker ID: its own notifications are
	// ignored (the hub was woken in memory at commit).
	Self string
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

// subscribe starts a live subscription to company's events of types (all
// when empty), with its drain marked running: the caller drains first.
// Unsubscribe ends it.
func (h *Hub) subscribe(company pulid.ID, types []string, drain func()) *Sub {
	<-h.started
	s := &Sub{company: company, limit: h.opt.Buffer, drain: drain, running: true}
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

// Position is how far the hub has delivered.
func (h *Hub) Position() Position {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.pos
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
		case n := <-notify:
			if n != nil && h.opt.Self != "" && n.Extra == h.opt.Self {
				continue
			}
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
// One statement per batch: the watermark, whether anything waits above
// it, and the events below it, all from the statement's snapshot.
func (h *Hub) read(ctx context.Context) (bool, error) {
	for {
		h.mu.Lock()
		pos := h.pos
		h.mu.Unlock()
		recs, waiting, err := readBatch(ctx, h.db, pos, 1000)
		if err != nil {
			return false, err
		}
		for i := range recs {
			h.deliver(&recs[i])
		}
		if len(recs) < 1000 {
			return waiting, nil
		}
	}
}

func readBatch(ctx context.Context, db *sql.DB, pos Position, limit int) ([]Record, bool, error) {
	rows, err := db.QueryContext(ctx, `WITH w AS MATERIALIZED (
			SELECT s.xmin, EXISTS (SELECT 1 FROM events x WHERE x.txid >= s.xmin) AS waiting
			FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) s)
		SELECT w.waiting, e.id, e.company_id, e.type, e.subject_id, e.payload, e.seq, e.txid_text, e.created_at
		FROM w LEFT JOIN LATERAL (
			SELECT id, company_id, type, subject_id, payload, seq, txid::text AS txid_text, created_at, txid AS t
			FROM events WHERE (txid, seq) > ($1::text::xid8, $2) AND txid < w.xmin
			ORDER BY txid, seq LIMIT $3) e ON true
		ORDER BY e.t, e.seq`, strconv.FormatUint(pos.Txid, 10), pos.Seq, limit)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var out []Record
	var waiting bool
	for rows.Next() {
		var id, company, typ, subject, txid sql.NullString
		var payload []byte
		var seq sql.NullInt64
		var created sql.NullTime
		if err := rows.Scan(&waiting, &id, &company, &typ, &subject, &payload, &seq, &txid, &created); err != nil {
			return nil, false, err
		}
		if !id.Valid {
			continue // no events: the joined row is empty
		}
		r := Record{ID: pulid.ID(id.String), CompanyID: pulid.ID(company.String), Type: typ.String,
			SubjectID: pulid.ID(subject.String), Seq: seq.Int64, CreatedAt: created.Time}
		if r.Pos.Txid, err = strconv.ParseUint(txid.String, 10, 64); err != nil {
			return nil, false, fmt.Errorf("events: txid %q: %w", txid.String, err)
		}
		r.Pos.Seq = r.Seq
		r.raw = payload
		out = append(out, r)
	}
	return out, waiting, rows.Err()
}

func decodePayload(b []byte) (map[string]any, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // amounts stay exact
	return m, dec.Decode(&m)
}

func (h *Hub) deliver(r *Record) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.pos = r.Pos
	for s := range h.subs[r.CompanyID] {
		if s.types != nil && !s.types[r.Type] {
			continue
		}
		if r.raw != nil {
			p, err := decodePayload(r.raw)
			if err != nil {
				h.opt.Log.Error("events: undecodable payload", "event", r.ID, "error", err)
			}
			r.Payload, r.raw = p, nil
		}
		if !s.push(r) {
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
		if r.Payload, err = decodePayload(payload); err != nil {
			return nil, err
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
	ended := make(chan error, 1)
	h.Watch(ctx, company, types, after, fn, func(err error) { ended <- err })
	return <-ended
}

// Watch is Follow without waiting: it returns at once and calls done with
// Follow's answer when the subscription ends. fn runs in one goroutine at
// a time, in order, and only while events wait: between them, a watch
// holds no goroutine.
func (h *Hub) Watch(ctx context.Context, company pulid.ID, types []string, after *Position, fn func(Record) error, done func(error)) {
	w := &watch{h: h, ctx: ctx, fn: fn, done: done, dedupe: after != nil}
	if after != nil {
		w.last = *after
	}
	go w.start(company, types)
}

type watch struct {
	h      *Hub
	ctx    context.Context
	fn     func(Record) error
	done   func(error)
	sub    *Sub
	stop   func() bool
	dedupe bool
	last   Position
}

// start subscribes, replays what came before the subscription (live
// events queue meanwhile), then drains.
func (w *watch) start(company pulid.ID, types []string) {
	select {
	case <-w.h.started:
	case <-w.ctx.Done():
		w.done(w.ctx.Err())
		return
	}
	w.sub = w.h.subscribe(company, types, w.drain)
	w.stop = context.AfterFunc(w.ctx, func() { w.h.Unsubscribe(w.sub) })
	if w.dedupe {
		for {
			recs, err := Page(w.ctx, w.h.db, company, w.last, &w.sub.Start, types, 500)
			if err == nil {
				for _, r := range recs {
					if err = w.fn(r); err != nil {
						break
					}
					w.last = r.Pos
				}
			}
			if err != nil {
				w.finish(err)
				return
			}
			if len(recs) < 500 {
				break
			}
		}
	}
	w.drain()
}

// drain delivers the queued events; it returns when the queue is empty
// (the next event starts another) or the subscription is over.
func (w *watch) drain() {
	for {
		r, ended := w.sub.take()
		if ended {
			err := w.sub.Err()
			if err == nil {
				err = w.ctx.Err()
			}
			w.finish(err)
			return
		}
		if r == nil {
			return
		}
		if w.dedupe && !w.last.Less(r.Pos) {
			continue
		}
		if err := w.fn(*r); err != nil {
			w.finish(err)
			return
		}
	}
}

// finish ends the subscription and reports err; a drain that sees the end
// afterwards (the sub is done) does not start.
func (w *watch) finish(err error) {
	w.stop()
	w.h.Unsubscribe(w.sub)
	w.done(err)
}
