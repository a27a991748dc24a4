package server

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/ratelimit"
)

// GraphQLCostPerRequest is how much GraphQL cost (gqlcost: one per object,
// lists multiplied by their page) one request of the hourly quota buys: an
// operation is charged max(1, ⌈cost/1000⌉) requests — a page of 20
// invoices with their lines is one request, 100 customers with every
// contact about fifty.
const GraphQLCostPerRequest = 1000

// planFor is the plan a principal's requests are metered by: its
// company's, else the server's defaults.
func (s *Server) planFor(p *auth.Principal) ratelimit.Plan {
	if p.Plan != "" {
		if pl, ok := ratelimit.Plans[p.Plan]; ok {
			return pl
		}
	}
	return s.opt.RateLimit
}

// admitRate charges one request to the caller's key, sets the
// X-RateLimit-* headers and answers the release to call when the request
// ends, or a 429 RATE_LIMIT_EXCEEDED (with Retry-After set on h).
func (s *Server) admitRate(ctx context.Context, h http.Header) (func(), error) {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return func() {}, nil
	}
	plan := s.planFor(p)
	d := s.limiter.Take(string(p.KeyID), plan, 1, time.Now())
	setRateHeaders(h, d)
	if !d.Allowed {
		return nil, rateError(h, d)
	}
	if plan.Concurrent > 0 {
		key := string(p.KeyID)
		return func() { s.limiter.Done(key) }, nil
	}
	return func() {}, nil
}

// chargeGraphQL charges a priced GraphQL operation's extra requests (the
// first was charged at admission) and refreshes the headers.
func (s *Server) chargeGraphQL(ctx context.Context, h http.Header, cost int) error {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return nil
	}
	units := max(1, int(math.Ceil(float64(cost)/GraphQLCostPerRequest)))
	if units <= 1 {
		return nil
	}
	d := s.limiter.Charge(string(p.KeyID), s.planFor(p), units-1, time.Now())
	setRateHeaders(h, d)
	if !d.Allowed {
		err := rateError(h, d)
		err.Message = fmt.Sprintf("%s (this operation costs %d, charged as %d requests: one per %d of cost)", err.Message, cost, units, GraphQLCostPerRequest)
		return err
	}
	return nil
}

func setRateHeaders(h http.Header, d ratelimit.Decision) {
	if !d.Metered {
		return
	}
	h.Set("X-RateLimit-Limit", strconv.Itoa(d.Limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(d.Remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(int64(math.Ceil(float64(d.Reset.UnixMilli())/1000)), 10))
}

func rateError(h http.Header, d ratelimit.Decision) *apperr.Error {
	secs := max(1, int(math.Ceil(d.RetryAfter.Seconds())))
	h.Set("Retry-After", strconv.Itoa(secs))
	var msg string
	switch d.Reason {
	case "burst":
		msg = "Too many requests per second for this API key"
	case "concurrent":
		msg = "Too many requests in progress for this API key"
	default:
		msg = fmt.Sprintf("Hourly request quota of %d for this API key used up", d.Limit)
	}
	return &apperr.Error{Kind: apperr.KindRateLimited, Code: "RATE_LIMIT_EXCEEDED",
		Message: fmt.Sprintf("%s; retry in %d s", msg, secs),
		Details: []apperr.Detail{{Field: "limit", Message: d.Reason}}}
}

type releaseKey struct{}

// admit authenticates r, charges its key's rate limit and takes one of its
// company's in-flight slots; release(ctx) gives back what was taken.
func (s *Server) admit(w http.ResponseWriter, r *http.Request) (context.Context, error) {
	ctx, err := s.authenticate(r)
	if err != nil {
		return nil, err
	}
	if p, ok := auth.FromContext(ctx); ok {
		ctx = ratelimit.WithPlan(ctx, s.planFor(p), s.opt.RateLimit)
	}
	rateDone, err := s.admitRate(ctx, w.Header())
	if err != nil {
		return nil, err
	}
	slotDone, err := s.inFlight.admit(ctx)
	if err != nil {
		rateDone()
		return nil, err
	}
	return context.WithValue(ctx, releaseKey{}, func() { slotDone(); rateDone() }), nil
}

func (s *Server) release(ctx context.Context) {
	if fn, ok := ctx.Value(releaseKey{}).(func()); ok {
		fn()
	}
}
