package auth

import (
	"math"
	"sync"
	"time"
)

// Throttle slows down guessing: every failed authentication takes a token
// from its source address's bucket and from its key prefix's bucket; a
// bucket refills at Rate tokens per second up to Burst. While either
// bucket is empty, authentication from that address (or for that key) is
// refused before any key is looked up.
type Throttle struct {
	Burst float64
	Rate  float64

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// NewThrottle allows burst failures, then rate per second.
func NewThrottle(burst, rate float64) *Throttle {
	return &Throttle{Burst: burst, Rate: rate, buckets: map[string]*bucket{}}
}

// maxBuckets bounds the memory a flood of distinct sources can take: past
// it, buckets that have refilled are dropped.
const maxBuckets = 100000

func (t *Throttle) refill(b *bucket, now time.Time) {
	b.tokens = math.Min(t.Burst, b.tokens+now.Sub(b.last).Seconds()*t.Rate)
	b.last = now
}

// Wait returns how long the first empty bucket among keys needs before it
// allows an attempt again (0: allowed).
func (t *Throttle) Wait(keys ...string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	var wait time.Duration
	for _, k := range keys {
		b := t.buckets[k]
		if k == "" || b == nil {
			continue
		}
		t.refill(b, now)
		if b.tokens < 1 {
			wait = max(wait, time.Duration((1-b.tokens)/t.Rate*float64(time.Second)))
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
		for k, b := range t.buckets {
			if t.refill(b, now); b.tokens >= t.Burst {
				delete(t.buckets, k)
			}
		}
	}
	for _, k := range keys {
		if k == "" {
			continue
		}
		b := t.buckets[k]
		if b == nil {
			b = &bucket{tokens: t.Burst, last: now}
			t.buckets[k] = b
		}
		t.refill(b, now)
		b.tokens = math.Max(b.tokens-1, -t.Burst)
	}
}

// KeyPrefix is the public part of a presented key ("" when it has none),
// the unit the throttle counts guesses of one key's secret by.
func KeyPrefix(key string) string {
	p, _ := splitKey(key)
	return p
}
