package auth

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Throttle slows down guessing: every failed authentication takes a token
// from its source address's bucket and from its key prefix's bucket (token
// buckets from golang.org/x/time/rate: Burst tokens, refilled at Rate per
// second). While either bucket is empty, authentication from that address
// (or for that key) is refused before any key is looked up.
type Throttle struct {
	Burst int
	Rate  rate.Limit

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

// NewThrottle allows burst failures, then perSecond.
func NewThrottle(burst int, perSecond float64) *Throttle {
	return &Throttle{Burst: burst, Rate: rate.Limit(perSecond), buckets: map[string]*rate.Limiter{}}
}

// maxBuckets bounds the memory a flood of distinct sources can take: past
// it, buckets that have refilled are dropped.
const maxBuckets = 100000

// Wait returns how long the first empty bucket among keys needs before it
// allows an attempt again (0: allowed).
func (t *Throttle) Wait(keys ...string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	var wait time.Duration
	for _, k := range keys {
		l := t.buckets[k]
		if k == "" || l == nil {
			continue
		}
		if tokens := l.TokensAt(now); tokens < 1 {
			wait = max(wait, time.Duration((1-tokens)/float64(t.Rate)*float64(time.Second)))
		}
	}
	return wait
}

// Fail records a failed attempt against each key.
func (t *Throttle) Fail(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	if len(t.buckets) >= maxBuckets {
		for k, l := range t.buckets {
			if l.TokensAt(now) >= float64(t.Burst) {
				delete(t.buckets, k)
			}
		}
	}
	for _, k := range keys {
		if k == "" {
			continue
		}
		l := t.buckets[k]
		if l == nil {
			l = rate.NewLimiter(t.Rate, t.Burst)
			t.buckets[k] = l
		}
		l.AllowN(now, 1)
	}
}

// KeyPrefix is the public part of a presented key ("" when it has none),
// the unit the throttle counts guesses of one key's secret by.
func KeyPrefix(key string) string {
	p, _ := splitKey(key)
	return p
}
