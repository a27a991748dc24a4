package events_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/events"
	"github.com/bigledger/bigledger/internal/pgtest"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// 32 writers commit events in an order unrelated to their sequence
// numbers (each holds its transaction open a random while after taking
// the number). The hub must deliver every event exactly once, in log
// order. A naive "seq > last" poller, run alongside, shows the hazard.
func TestHubSkipsNothingUnderConcurrentWriters(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true})
	const writers, perWriter = 32, 40
	total := writers * perWriter
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	got := make(chan events.Record, total*2)
	var resumes atomic.Int64
	go func() {
		// A consumer that falls more than the hub's buffer behind (a
		// starved goroutine on a loaded machine) is ended with
		// ErrSlowConsumer and resumes after the last event it saw, as a
		// client does: the test checks that nothing is lost across that.
		var after *events.Position
		for ctx.Err() == nil {
			err := e.Srv.Hub().Follow(ctx, pulid.ID(e.A.CompanyID), nil, after, func(r events.Record) error {
				pos := r.Pos
				after = &pos
				got <- r
				return nil
			})
			if !errors.Is(err, events.ErrSlowConsumer) {
				return
			}
			resumes.Add(1)
		}
	}()
	time.Sleep(100 * time.Millisecond)

	var naiveSeen atomic.Int64
	naiveDone := make(chan struct{})
	go func() { // the naive poller, for comparison only
		defer close(naiveDone)
		var last int64
		var n int64
		for ctx.Err() == nil {
			rows, err := e.DB.Query(`SELECT seq FROM events WHERE company_id = $1 AND seq > $2 ORDER BY seq`, e.A.CompanyID, last)
			if err != nil {
				return
			}
			for rows.Next() {
				_ = rows.Scan(&last)
				n++
			}
			rows.Close()
			naiveSeen.Store(n)
			time.Sleep(time.Millisecond)
		}
	}()

	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWriter; i++ {
				tx, err := e.DB.Begin()
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := tx.Exec(`INSERT INTO events (id, company_id, type, subject_id, payload, seq, created_at)
					VALUES ($1, $2, 'customer.updated', $3, '{}', nextval('event_seq'), now())`,
					string(pulid.New("evt")), e.A.CompanyID, fmt.Sprintf("cust_w%d_%d", w, i)); err != nil {
					t.Error(err)
					return
				}
				time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
				if err := tx.Commit(); err != nil {
					t.Error(err)
					return
				}
				e.Srv.Waker().Poke()
			}
		}()
	}
	wg.Wait()

	seen := map[pulid.ID]bool{}
	var prev events.Position
	// The hub delivers only below the cluster's transaction watermark, so a
	// long transaction anywhere in the shared test cluster delays it; a
	// lost event never arrives at all.
	deadline := time.After(60 * time.Second)
	for len(seen) < total {
		select {
		case r := <-got:
			if seen[r.ID] {
				t.Fatalf("event %s delivered twice", r.ID)
			}
			if !prev.Less(r.Pos) {
				t.Fatalf("out of order: %v after %v", r.Pos, prev)
			}
			prev = r.Pos
			seen[r.ID] = true
		case <-deadline:
			var holders string
			_ = e.DB.QueryRow(`SELECT COALESCE(string_agg(datname || ' ' || state || ' ' || (now() - xact_start)::text || ' ' || left(query, 80), '; '), 'none')
				FROM pg_stat_activity WHERE backend_xmin IS NOT NULL OR backend_xid IS NOT NULL`).Scan(&holders)
			t.Fatalf("hub delivered %d of %d committed events; open transactions in the cluster: %s", len(seen), total, holders)
		}
	}
	select {
	case r := <-got:
		t.Fatalf("extra delivery %v", r)
	case <-time.After(200 * time.Millisecond):
	}
	time.Sleep(50 * time.Millisecond)
	cancel()
	<-naiveDone
	t.Logf("hub: %d/%d events (%d resumes after ErrSlowConsumer); naive seq poller: %d/%d (it skips events whose numbers commit late)", len(seen), total, resumes.Load(), naiveSeen.Load(), total)
}

// A rolled-back transaction emits nothing.
func TestRolledBackChangeEmitsNothing(t *testing.T) {
	e := tk.New(t)
	ctx := e.Ctx(e.A)
	tx, err := e.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	txCtx := entTxContext(ctx, tx)
	if err := events.Emit(txCtx, events.CustomerCreated, "cust_x", map[string]any{"id": "cust_x"}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := e.DB.QueryRow(`SELECT count(*) FROM events`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("events after rollback: %d %v", n, err)
	}
	if err := events.Emit(ctx, events.CustomerCreated, "cust_x", nil); err == nil {
		t.Fatal("Emit outside a transaction must fail")
	}
	if err := events.Emit(txCtx, "customer.exploded", "cust_x", nil); err == nil {
		t.Fatal("unknown type accepted")
	}
}

func entTxContext(ctx context.Context, tx *ent.Tx) context.Context { return ent.NewTxContext(ctx, tx) }

// A consumer that falls behind its buffer is ended with ErrSlowConsumer,
// and resuming after the last event it received delivers every later event
// once, in order: being slow loses nothing.
func TestSlowConsumerResumesWithoutLoss(t *testing.T) {
	e := tk.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hub := events.NewHub(e.DB, e.DSN, events.HubOptions{Buffer: 4, Poll: 20 * time.Millisecond})
	go func() { _ = hub.Run(ctx) }()
	<-hub.Started()
	const total = 60
	var seen []events.Record
	var after *events.Position
	slowed, resumes := false, 0
	done := make(chan error, 1)
	go func() {
		for {
			err := hub.Follow(ctx, pulid.ID(e.A.CompanyID), nil, after, func(r events.Record) error {
				if !slowed {
					slowed = true
					time.Sleep(500 * time.Millisecond) // fall behind the buffer of 4
				}
				pos := r.Pos
				after = &pos
				seen = append(seen, r)
				if len(seen) == total {
					return errDone
				}
				return nil
			})
			if errors.Is(err, events.ErrSlowConsumer) {
				resumes++
				continue
			}
			done <- err
			return
		}
	}()
	time.Sleep(50 * time.Millisecond)
	for i := 0; i < total; i++ {
		if _, err := e.DB.Exec(`INSERT INTO events (id, company_id, type, subject_id, payload, seq, created_at)
			VALUES ($1, $2, 'customer.updated', $3, '{}', nextval('event_seq'), now())`, string(pulid.New("evt")), e.A.CompanyID, fmt.Sprint("cust_", i)); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case err := <-done:
		if !errors.Is(err, errDone) {
			t.Fatalf("follow ended: %v after %d events", err, len(seen))
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("%d of %d events after %d resumes", len(seen), total, resumes)
	}
	if resumes == 0 {
		t.Fatal("the consumer never fell behind: the test proves nothing")
	}
	ids := map[pulid.ID]bool{}
	for i, r := range seen {
		if ids[r.ID] || (i > 0 && !seen[i-1].Pos.Less(r.Pos)) {
			t.Fatalf("event %d (%s) repeated or out of order", i, r.ID)
		}
		ids[r.ID] = true
	}
	t.Logf("%d events, %d resumes", len(seen), resumes)
}

var errDone = errors.New("done")

// TestWatchDeliversBurstsInOrder: a watch's deliveries stop and restart
// with every burst of events (no goroutine waits between them); across the
// restarts each event arrives once, in log order, fn never runs twice at
// once, and cancelling reports the context's error and detaches the
// subscriber.
func TestWatchDeliversBurstsInOrder(t *testing.T) {
	e := tk.New(t)
	hctx, stopHub := context.WithCancel(context.Background())
	defer stopHub()
	hub := events.NewHub(e.DB, e.DSN, events.HubOptions{Poll: 10 * time.Millisecond})
	go func() { _ = hub.Run(hctx) }()
	<-hub.Started()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var seen []events.Record
	var inside atomic.Int32
	overlapped := false
	ended := make(chan error, 1)
	hub.Watch(ctx, pulid.ID(e.A.CompanyID), nil, nil, func(r events.Record) error {
		if inside.Add(1) > 1 {
			overlapped = true
		}
		defer inside.Add(-1)
		mu.Lock()
		seen = append(seen, r)
		mu.Unlock()
		return nil
	}, func(err error) { ended <- err })
	for deadline := time.Now().Add(5 * time.Second); hub.Subscribers() == 0 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	const bursts, per = 6, 25
	for b := 0; b < bursts; b++ {
		for i := 0; i < per; i++ {
			if _, err := e.DB.Exec(`INSERT INTO events (id, company_id, type, subject_id, payload, seq, created_at)
				VALUES ($1, $2, 'customer.updated', $3, '{}', nextval('event_seq'), now())`, string(pulid.New("evt")), e.A.CompanyID, fmt.Sprint("cust_", b, "_", i)); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(60 * time.Millisecond) // the queue drains, the drain stops
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		n := len(seen)
		mu.Unlock()
		if n >= bursts*per {
			break
		}
	}
	mu.Lock()
	got := append([]events.Record(nil), seen...)
	mu.Unlock()
	if len(got) != bursts*per {
		t.Fatalf("%d of %d events delivered", len(got), bursts*per)
	}
	ids := map[pulid.ID]bool{}
	for i, r := range got {
		if ids[r.ID] || (i > 0 && !got[i-1].Pos.Less(r.Pos)) {
			t.Fatalf("event %d (%s) repeated or out of order", i, r.ID)
		}
		ids[r.ID] = true
	}
	if overlapped {
		t.Fatal("fn ran twice at once")
	}
	cancel()
	select {
	case err := <-ended:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("watch ended with %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("cancelled watch never reported its end")
	}
	if n := hub.Subscribers(); n != 0 {
		t.Fatalf("%d subscribers still attached after the watch ended", n)
	}
}
