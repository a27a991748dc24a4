// Package ratelimit meters each API key against its company's plan: an
// hourly quota and a per-second burst (token buckets from
// golang.org/x/time/rate) and a bound on the key's requests in progress.
//
// The buckets live in the serving process: a request never waits on the
// database or another instance for its limit. With several serve processes
// behind one balancer each keeps its own buckets, so a key may make up to
// N times its quota across N processes; deployments divide the limit
// (BIGLEDGER_RATE_LIMIT) by their process count — the README says so.
package ratelimit

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Plan is one row of seed 004's rate-limit table. Zero PerHour means
// unlimited (and no headers); zero PerSecond or Concurrent, no bound of
// that kind.
type Plan struct {
	Name       string `json:"name"`
	PerHour    int    `json:"requestsPerHour"`
	PerSecond  int    `json:"burstPerSecond"`
	Concurrent int    `json:"concurrent"`
}

// Unlimited reports whether the plan meters nothing.
func (p Plan) Unlimited() bool { return p.PerHour <= 0 && p.PerSecond <= 0 && p.Concurrent <= 0 }

// Plans are seed 004's rows. Enterprise is unlimited ("Custom": set no
// bound rather than invent one).
var Plans = map[string]Plan{
	"free":         {Name: "free", PerHour: 1000, PerSecond: 10, Concurrent: 5},
	"starter":      {Name: "starter", PerHour: 10000, PerSecond: 50, Concurrent: 20},
	"professional": {Name: "professional", PerHour: 100000, PerSecond: 200, Concurrent: 100},
	"enterprise":   {Name: "enterprise"},
}

// PlanNames lists the plans in price order.
var PlanNames = []string{"free", "starter", "professional", "enterprise"}

// Lookup returns the named plan (case-insensitive).
func Lookup(name string) (Plan, error) {
	if p, ok := Plans[strings.ToLower(name)]; ok {
		return p, nil
	}
	return Plan{}, fmt.Errorf("unknown plan %q (known: %s)", name, strings.Join(PlanNames, ", "))
}

// Decision is what one charge found: the headers' values and, when refused,
// how long to wait.
type Decision struct {
	Allowed bool
	// Metered is false for an unlimited plan: no X-RateLimit-* headers.
	Metered   bool
	Limit     int
	Remaining int
	// Reset is when the hourly quota is full again.
	Reset time.Time
	// RetryAfter is set when refused.
	RetryAfter time.Duration
	// Reason names the bound that refused: "hourly", "burst" or
	// "concurrent".
	Reason string
}

// Limiter holds every key's buckets.
type Limiter struct {
	mu   sync.Mutex
	keys map[string]*bucket
}

type bucket struct {
	mu       sync.Mutex
	plan     Plan
	hour     *rate.Limiter
	sec      *rate.Limiter
	inFlight int
}

// New returns an empty limiter.
func New() *Limiter { return &Limiter{keys: map[string]*bucket{}} }

// maxKeys bounds memory: past it, buckets that are full again are dropped.
const maxKeys = 100000

func (l *Limiter) bucket(key string, p Plan, now time.Time) *bucket {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.keys[key]
	if b == nil {
		if len(l.keys) >= maxKeys {
			l.dropIdle(now)
		}
		b = &bucket{}
		l.keys[key] = b
	}
	b.mu.Lock()
	if b.plan != p {
		b.setPlan(p, now)
	}
	b.mu.Unlock()
	return b
}

func (l *Limiter) dropIdle(now time.Time) {
	for k, b := range l.keys {
		b.mu.Lock()
		idle := b.inFlight == 0 && (b.hour == nil || b.hour.TokensAt(now) >= float64(b.hour.Burst()))
		b.mu.Unlock()
		if idle {
			delete(l.keys, k)
		}
	}
}

// setPlan installs p's buckets, keeping what was spent when only the
// numbers change (a plan upgrade does not hand out a fresh quota twice).
func (b *bucket) setPlan(p Plan, now time.Time) {
	b.plan = p
	b.hour = resize(b.hour, rate.Limit(float64(p.PerHour)/3600), p.PerHour, now)
	b.sec = resize(b.sec, rate.Limit(p.PerSecond), p.PerSecond, now)
}

func resize(l *rate.Limiter, per rate.Limit, burst int, now time.Time) *rate.Limiter {
	if burst <= 0 {
		return nil
	}
	if l == nil {
		return rate.NewLimiter(per, burst)
	}
	l.SetLimitAt(now, per)
	l.SetBurstAt(now, burst)
	return l
}

// Take charges n requests to key under plan p. When allowed and p bounds
// concurrency, the caller must call Done(key) when the request ends.
func (l *Limiter) Take(key string, p Plan, n int, now time.Time) Decision {
	if p.Unlimited() {
		return Decision{Allowed: true}
	}
	b := l.bucket(key, p, now)
	b.mu.Lock()
	defer b.mu.Unlock()
	d := b.decision(now)
	if p.Concurrent > 0 && b.inFlight >= p.Concurrent {
		d.Reason, d.RetryAfter = "concurrent", time.Second
		return d
	}
	if !b.charge(now, n, &d) {
		return d
	}
	if p.Concurrent > 0 {
		b.inFlight++
	}
	d.Allowed = true
	return d
}

// Charge adds n more requests to a request already admitted (a GraphQL
// operation priced after parsing); it does not count toward concurrency.
func (l *Limiter) Charge(key string, p Plan, n int, now time.Time) Decision {
	if p.Unlimited() || n <= 0 {
		return Decision{Allowed: true, Metered: !p.Unlimited()}
	}
	b := l.bucket(key, p, now)
	b.mu.Lock()
	defer b.mu.Unlock()
	d := b.decision(now)
	if b.charge(now, n, &d) {
		d.Allowed = true
	}
	return d
}

// Peek reports key's state without charging.
func (l *Limiter) Peek(key string, p Plan, now time.Time) Decision {
	if p.Unlimited() {
		return Decision{Allowed: true}
	}
	b := l.bucket(key, p, now)
	b.mu.Lock()
	defer b.mu.Unlock()
	d := b.decision(now)
	d.Allowed = true
	return d
}

// Done ends one admitted request of key.
func (l *Limiter) Done(key string) {
	l.mu.Lock()
	b := l.keys[key]
	l.mu.Unlock()
	if b == nil {
		return
	}
	b.mu.Lock()
	if b.inFlight > 0 {
		b.inFlight--
	}
	b.mu.Unlock()
}

// charge takes n tokens from both buckets or from neither; d's numbers are
// updated either way.
func (b *bucket) charge(now time.Time, n int, d *Decision) bool {
	var taken []*rate.Reservation
	refuse := func(reason string, wait time.Duration) bool {
		for _, r := range taken {
			r.CancelAt(now)
		}
		d.Reason, d.RetryAfter = reason, wait
		*d = b.refreshed(now, *d)
		return false
	}
	for _, x := range []struct {
		l      *rate.Limiter
		reason string
	}{{b.hour, "hourly"}, {b.sec, "burst"}} {
		if x.l == nil {
			continue
		}
		if n > x.l.Burst() {
			return refuse(x.reason, time.Hour)
		}
		r := x.l.ReserveN(now, n)
		if wait := r.DelayFrom(now); wait > 0 {
			r.CancelAt(now)
			return refuse(x.reason, wait)
		}
		taken = append(taken, r)
	}
	*d = b.refreshed(now, *d)
	return true
}

func (b *bucket) refreshed(now time.Time, d Decision) Decision {
	n := b.decision(now)
	n.Reason, n.RetryAfter = d.Reason, d.RetryAfter
	return n
}

// decision reads the headers' numbers: the hourly bucket when there is
// one, else the per-second one.
func (b *bucket) decision(now time.Time) Decision {
	l := b.hour
	if l == nil {
		l = b.sec
	}
	if l == nil {
		return Decision{}
	}
	tokens := l.TokensAt(now)
	full := float64(l.Burst()) - tokens
	reset := now
	if full > 0 && l.Limit() > 0 {
		reset = now.Add(time.Duration(full / float64(l.Limit()) * float64(time.Second)))
	}
	return Decision{Metered: true, Limit: l.Burst(), Remaining: max(0, int(math.Floor(tokens))), Reset: reset}
}

type planKey struct{}

type plans struct{ current, def Plan }

// WithPlan records the plan a request is metered by and the server's
// default for companies without one (for /auth/verify and /company).
func WithPlan(ctx context.Context, current, def Plan) context.Context {
	return context.WithValue(ctx, planKey{}, plans{current, def})
}

// PlanFrom is the plan recorded by WithPlan.
func PlanFrom(ctx context.Context) Plan {
	p, _ := ctx.Value(planKey{}).(plans)
	return p.current
}

// DefaultFrom is the server's default plan recorded by WithPlan.
func DefaultFrom(ctx context.Context) Plan {
	p, _ := ctx.Value(planKey{}).(plans)
	return p.def
}
