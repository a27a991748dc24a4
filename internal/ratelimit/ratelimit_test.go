package ratelimit

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)

// The hourly quota counts down, refuses past it with the wait for one
// request, and comes back as the hour refills it.
func TestHourlyQuotaRefusesAndRecovers(t *testing.T) {
	l := New()
	p := Plan{Name: "t", PerHour: 3600}
	for i := range 3600 {
		d := l.Take("k", p, 1, t0)
		if !d.Allowed || d.Remaining != 3599-i || d.Limit != 3600 {
			t.Fatalf("request %d: %+v", i, d)
		}
	}
	d := l.Take("k", p, 1, t0)
	if d.Allowed || d.Reason != "hourly" || d.RetryAfter != time.Second {
		t.Fatalf("past the quota: %+v", d)
	}
	if want := t0.Add(time.Hour); !d.Reset.Equal(want) {
		t.Fatalf("reset %v, want %v", d.Reset, want)
	}
	if d := l.Take("k", p, 1, t0.Add(time.Second)); !d.Allowed {
		t.Fatalf("a second later one request is back: %+v", d)
	}
	if d := l.Peek("k", p, t0.Add(2*time.Hour)); d.Remaining != 3600 || !d.Reset.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("after the hour the quota is full: %+v", d)
	}
}

// Keys are metered apart, and the burst bound refuses without spending the
// hourly quota.
func TestKeysIsolatedAndBurstDoesNotSpendQuota(t *testing.T) {
	l := New()
	p := Plan{Name: "t", PerHour: 100, PerSecond: 2}
	for range 2 {
		if d := l.Take("a", p, 1, t0); !d.Allowed {
			t.Fatal(d)
		}
	}
	d := l.Take("a", p, 1, t0)
	if d.Allowed || d.Reason != "burst" || d.RetryAfter != 500*time.Millisecond || d.Remaining != 98 {
		t.Fatalf("burst refusal: %+v", d)
	}
	if d := l.Take("b", p, 1, t0); !d.Allowed || d.Remaining != 99 {
		t.Fatalf("another key: %+v", d)
	}
	if d := l.Take("a", p, 1, t0.Add(500*time.Millisecond)); !d.Allowed || d.Remaining != 97 {
		t.Fatalf("after the wait: %+v", d)
	}
}

// Concurrency is bounded per key and freed by Done.
func TestConcurrentBound(t *testing.T) {
	l := New()
	p := Plans["free"]
	for range 5 {
		if d := l.Take("k", p, 1, t0); !d.Allowed {
			t.Fatal(d)
		}
	}
	if d := l.Take("k", p, 1, t0.Add(time.Second)); d.Allowed || d.Reason != "concurrent" {
		t.Fatalf("sixth in flight: %+v", d)
	}
	l.Done("k")
	if d := l.Take("k", p, 1, t0.Add(time.Second)); !d.Allowed {
		t.Fatalf("after one finished: %+v", d)
	}
}

// Charge spends several requests at once (a priced GraphQL operation) and
// refuses one bigger than what is left without spending anything.
func TestChargeIsAllOrNothing(t *testing.T) {
	l := New()
	p := Plan{Name: "t", PerHour: 10}
	if d := l.Charge("k", p, 7, t0); !d.Allowed || d.Remaining != 3 {
		t.Fatal(d)
	}
	if d := l.Charge("k", p, 4, t0); d.Allowed || d.Remaining != 3 {
		t.Fatalf("over what is left: %+v", d)
	}
	if d := l.Charge("k", p, 11, t0); d.Allowed {
		t.Fatalf("over the whole quota: %+v", d)
	}
	if d := l.Charge("k", p, 3, t0); !d.Allowed || d.Remaining != 0 {
		t.Fatal(d)
	}
}

// A plan change keeps what the key has spent, and an unlimited plan
// meters nothing.
func TestPlanChange(t *testing.T) {
	l := New()
	free, starter := Plans["free"], Plans["starter"]
	for range 10 {
		l.Take("k", free, 1, t0)
		l.Done("k")
	}
	if d := l.Peek("k", starter, t0); d.Limit != 10000 || d.Remaining != 990 {
		t.Fatalf("after upgrade: %+v", d)
	}
	if d := l.Take("k", Plans["enterprise"], 1, t0); !d.Allowed || d.Metered {
		t.Fatalf("enterprise: %+v", d)
	}
	if _, err := Lookup("gold"); err == nil {
		t.Fatal("unknown plan accepted")
	}
	if p, err := Lookup("Starter"); err != nil || p.PerHour != 10000 {
		t.Fatal(p, err)
	}
}

// BenchmarkTake is the limiter's own cost per request (one key, both
// buckets and the concurrency count).
func BenchmarkTake(b *testing.B) {
	l := New()
	p := Plan{Name: "b", PerHour: 1 << 30, PerSecond: 1 << 30, Concurrent: 1 << 20}
	now := time.Now()
	for i := 0; i < b.N; i++ {
		l.Take("k", p, 1, now)
		l.Done("k")
	}
}
