package server

import (
	"context"
	"sync"
	"time"

	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/auth"
)

// Request budgets (the README's limits table).
const (
	// DefaultRequestTimeout bounds one HTTP request (not a websocket): its
	// context ends, which cancels the SQL statement it is running, so no
	// request holds a database connection longer.
	DefaultRequestTimeout = 30 * time.Second
	// DefaultInFlightPerCompany bounds the requests one company has in
	// progress at once: half the pool (32 connections), so one tenant's
	// burst of slow requests cannot take every connection from the others.
	DefaultInFlightPerCompany = 16
	// inFlightWait is how long a request over its company's bound waits
	// for a slot before it is refused with 429.
	inFlightWait = 10 * time.Second
	// AuthFailureRate is how fast a throttled address or key regains
	// attempts (one every 2 s).
	AuthFailureRate = 0.5
)

// inFlight counts each company's requests in progress.
type inFlight struct {
	limit int
	mu    sync.Mutex
	sems  map[string]chan struct{}
}

func newInFlight(limit int) *inFlight {
	return &inFlight{limit: limit, sems: map[string]chan struct{}{}}
}

func (f *inFlight) sem(company string) chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.sems[company]
	if s == nil {
		s = make(chan struct{}, f.limit)
		f.sems[company] = s
	}
	return s
}

// admit takes one of the company's slots, waiting up to inFlightWait; the
// returned func gives it back.
func (f *inFlight) admit(ctx context.Context) (func(), error) {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return func() {}, nil
	}
	s := f.sem(string(p.CompanyID))
	select {
	case s <- struct{}{}:
		return func() { <-s }, nil
	default:
	}
	t := time.NewTimer(inFlightWait)
	defer t.Stop()
	select {
	case s <- struct{}{}:
		return func() { <-s }, nil
	case <-t.C:
		return nil, &apperr.Error{Kind: apperr.KindRateLimited, Code: "TOO_MANY_CONCURRENT_REQUESTS",
			Message: "This company has too many requests in progress; retry when some have finished"}
	case <-ctx.Done():
		return nil, apperr.From(ctx.Err())
	}
}
