package sales

import (
	"context"
	"sync"
	"time"

	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/store"
	"github.com/bigledger/bigledger/internal/tenant"
)

// Clock returns the current time; tests replace it to move "today".
var Clock = time.Now

type cachedLoc struct {
	loc *time.Location
	at  time.Time
}

var locCache sync.Map // company id → cachedLoc

// Location returns the acting company's timezone (cached for a minute, so
// a page of invoices does not re-read the company per row).
func Location(ctx context.Context) (*time.Location, error) {
	cid, ok := tenant.CompanyID(ctx)
	if !ok {
		return time.UTC, nil
	}
	if v, ok := locCache.Load(cid); ok && time.Since(v.(cachedLoc).at) < time.Minute {
		return v.(cachedLoc).loc, nil
	}
	co, err := store.Client(ctx).Company.Get(ctx, cid)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(co.Timezone)
	if err != nil {
		loc = time.UTC
	}
	locCache.Store(cid, cachedLoc{loc: loc, at: time.Now()})
	return loc, nil
}

// Today is the current date in the acting company's timezone.
func Today(ctx context.Context) (types.Date, error) {
	loc, err := Location(ctx)
	if err != nil {
		return types.Date{}, err
	}
	return types.DateOf(Clock().In(loc)), nil
}

// ForgetLocation drops a cached timezone (after a company update).
func ForgetLocation(id pulid.ID) { locCache.Delete(id) }

// daysBetween counts whole days from a to b.
func daysBetween(a, b types.Date) int {
	return int(b.Time().Sub(a.Time()).Hours() / 24)
}
