package graph

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/events"
	"github.com/bigledger/bigledger/internal/sales"
)

// MaxSubscriptionsPerConnection caps the live subscriptions one websocket
// may hold at once.
const MaxSubscriptionsPerConnection = 50

// Per-key budgets: one API key may hold at most MaxSocketsPerKey GraphQL
// websockets and MaxSubscriptionsPerKey live subscriptions across them.
const (
	MaxSocketsPerKey       = 20
	MaxSubscriptionsPerKey = 200
)

// KeyBudget counts one API key's open sockets and live subscriptions.
type KeyBudget struct {
	mu      sync.Mutex
	sockets int
	subs    int
}

// OpenSocket takes one of the key's sockets; false when it has none left.
func (k *KeyBudget) OpenSocket() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.sockets >= MaxSocketsPerKey {
		return false
	}
	k.sockets++
	return true
}

// CloseSocket gives a socket back.
func (k *KeyBudget) CloseSocket() {
	k.mu.Lock()
	k.sockets--
	k.mu.Unlock()
}

type budgetKey struct{}

type budget struct {
	mu   sync.Mutex
	used int
	key  *KeyBudget
}

// WithSubscriptionBudget marks ctx as one websocket connection's: the
// subscriptions started under it count against MaxSubscriptionsPerConnection
// and, when key is set, against the key's MaxSubscriptionsPerKey.
func WithSubscriptionBudget(ctx context.Context, key *KeyBudget) context.Context {
	return context.WithValue(ctx, budgetKey{}, &budget{key: key})
}

// acquire takes a subscription slot; it names the bound that refused.
func (b *budget) acquire() (bool, string) {
	if b == nil {
		return true, ""
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used >= MaxSubscriptionsPerConnection {
		return false, fmt.Sprintf("At most %d subscriptions per connection", MaxSubscriptionsPerConnection)
	}
	if k := b.key; k != nil {
		k.mu.Lock()
		defer k.mu.Unlock()
		if k.subs >= MaxSubscriptionsPerKey {
			return false, fmt.Sprintf("At most %d subscriptions per API key across its connections", MaxSubscriptionsPerKey)
		}
		k.subs++
	}
	b.used++
	return true, ""
}

func (b *budget) release() {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.used--
	if k := b.key; k != nil {
		k.mu.Lock()
		k.subs--
		k.mu.Unlock()
	}
	b.mu.Unlock()
}

// Each subscription result carries its event's id in extensions
// ({"eventId": "evt_…"}). The subscription goroutine queues the id before
// it hands the object to gqlgen; the response middleware takes it off
// when that object's response is complete (one queue per operation, in
// order).
type eventIDs struct {
	mu  sync.Mutex
	ids []pulid.ID
}

type eventIDsKey struct{}

func (q *eventIDs) push(id pulid.ID) {
	q.mu.Lock()
	q.ids = append(q.ids, id)
	q.mu.Unlock()
}

func (q *eventIDs) pop() (pulid.ID, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.ids) == 0 {
		return "", false
	}
	id := q.ids[0]
	q.ids = q.ids[1:]
	return id, true
}

// eventExtension moves the queued event id into the response's extensions.
func eventExtension(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil {
		return nil
	}
	if q, ok := ctx.Value(eventIDsKey{}).(*eventIDs); ok {
		if id, ok := q.pop(); ok {
			if resp.Extensions == nil {
				resp.Extensions = map[string]any{}
			}
			resp.Extensions["eventId"] = id
		}
	}
	return resp
}

// readableTypes narrows types (all when empty) to what the caller may read.
func readableTypes(ctx context.Context, types []string) ([]string, error) {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return nil, apperr.Unauthenticated("Authentication required")
	}
	return events.Readable(p.Has, types)
}

// follow runs a subscription: it replays the company's events of types
// after `after`, then follows live ones; for each event that match
// accepts, load re-reads the subject as the subscriber (nil: skip it).
func follow[T any](r *Resolver, ctx context.Context, types []string, after *pulid.ID,
	match func(events.Record) bool, load func(context.Context, events.Record) (T, error)) (<-chan T, error) {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return nil, apperr.Unauthenticated("Authentication required")
	}
	if r.Hub == nil {
		return nil, apperr.Internal(errors.New("event hub not running"))
	}
	var from *events.Position
	if after != nil {
		pos, err := events.PositionOf(ctx, r.DB, p.CompanyID, string(*after), "after")
		if err != nil {
			return nil, err
		}
		from = &pos
	}
	b, _ := ctx.Value(budgetKey{}).(*budget)
	if ok, why := b.acquire(); !ok {
		return nil, &apperr.Error{Kind: apperr.KindRateLimited, Code: "TOO_MANY_SUBSCRIPTIONS", Message: why}
	}
	ids, _ := ctx.Value(eventIDsKey{}).(*eventIDs)
	ch := make(chan T)
	// Watch, not Follow in a goroutine: a quiet subscription holds no
	// goroutine of ours while it waits for events.
	r.Hub.Watch(ctx, p.CompanyID, types, from, func(rec events.Record) error {
		if match != nil && !match(rec) {
			return nil
		}
		v, err := sharedLoad(ctx, rec, load)
		// A database hiccup (restart, failover) is retried for a while
		// before the subscription gives up: the event is committed and
		// must be delivered.
		for attempt := 1; err != nil && !isNotFound(err) && attempt <= 20 && ctx.Err() == nil; attempt++ {
			time.Sleep(time.Duration(attempt) * 100 * time.Millisecond)
			v, err = sharedLoad(ctx, rec, load)
		}
		if err != nil {
			if isNotFound(err) {
				return nil // gone since: nothing to show
			}
			return err
		}
		if ids != nil {
			ids.push(rec.ID)
		}
		select {
		case ch <- v:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}, func(err error) {
		defer close(ch)
		defer b.release()
		switch {
		case ctx.Err() != nil:
		case errors.Is(err, events.ErrSlowConsumer):
			transport.AddSubscriptionError(ctx, &gqlerror.Error{Message: err.Error(),
				Extensions: map[string]any{"code": "SLOW_CONSUMER"}})
		case err != nil:
			if r.Log != nil {
				r.Log.ErrorContext(ctx, "subscription ended", "error", err)
			}
			transport.AddSubscriptionError(ctx, &gqlerror.Error{Message: "Subscription ended by a server error; resubscribe with the last event id",
				Extensions: map[string]any{"code": "INTERNAL_ERROR"}})
		}
	})
	return ch, nil
}

func isNotFound(err error) bool {
	var ae *apperr.Error
	return errors.As(err, &ae) && ae.Kind == apperr.KindNotFound
}

func subjectIs(id pulid.ID) func(events.Record) bool {
	return func(r events.Record) bool { return r.SubjectID == id }
}

func loadInvoice(ctx context.Context, rec events.Record) (*ent.Invoice, error) {
	return sales.GetInvoice(ctx, rec.SubjectID, func(q *ent.InvoiceQuery) (*ent.InvoiceQuery, error) { return q.CollectFields(ctx) })
}

// loads shares subject reads between the subscribers of one event: the
// subscriptions of a company that use the same document and variables
// see the same rows (the tenant filter is the company's, field scopes are
// checked per subscriber when the result is written), so one read serves
// them all instead of one per subscriber. Entries live a few seconds;
// failed reads are not kept.
type loads struct {
	mu    sync.Mutex
	calls map[string]*loadCall
	swept time.Time
}

type loadCall struct {
	done chan struct{}
	v    any
	err  error
	at   time.Time
}

const loadTTL = 5 * time.Second

var sharedLoads = &loads{calls: map[string]*loadCall{}}

func sharedLoad[T any](ctx context.Context, rec events.Record, load func(context.Context, events.Record) (T, error)) (T, error) {
	op := graphql.GetOperationContext(ctx)
	if op == nil {
		return load(ctx, rec)
	}
	key := fmt.Sprintf("%s\x00%s\x00%s\x00%v", rec.CompanyID, rec.ID, op.RawQuery, op.Variables)
	l := sharedLoads
	l.mu.Lock()
	now := time.Now()
	if now.Sub(l.swept) > loadTTL {
		for k, c := range l.calls {
			if now.Sub(c.at) > loadTTL {
				delete(l.calls, k)
			}
		}
		l.swept = now
	}
	c, ok := l.calls[key]
	if !ok {
		c = &loadCall{done: make(chan struct{}), at: now}
		l.calls[key] = c
	}
	l.mu.Unlock()
	if !ok {
		v, err := load(ctx, rec)
		c.v, c.err = v, err
		if err != nil {
			l.mu.Lock()
			delete(l.calls, key)
			l.mu.Unlock()
		}
		close(c.done)
		return v, err
	}
	select {
	case <-c.done:
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
	if c.err != nil {
		return load(ctx, rec) // the leader's read failed (its subscriber may have left): read for ourselves
	}
	return c.v.(T), nil
}
