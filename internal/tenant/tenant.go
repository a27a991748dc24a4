// Package tenant carries the acting company through a request's context.
// The ent schema reads it to filter every query and mutation by company and
// to stamp company_id on create, so a resolver can never forget the filter.
package tenant

import (
	"context"
	"sync"

	"github.com/bigledger/bigledger/ent/schema/pulid"
)

type ctxKey struct{}

type systemKey struct{}

// WithCompany returns a context acting for the given company.
func WithCompany(ctx context.Context, companyID pulid.ID) context.Context {
	return context.WithValue(ctx, ctxKey{}, companyID)
}

// CompanyID returns the acting company, if any.
func CompanyID(ctx context.Context) (pulid.ID, bool) {
	id, ok := ctx.Value(ctxKey{}).(pulid.ID)
	return id, ok && id != ""
}

// AsSystem marks a context as acting outside any tenant: bootstrapping a
// company, looking up an API key before the company is known, migrations.
// Request-handling code never uses it.
func AsSystem(ctx context.Context) context.Context {
	return context.WithValue(ctx, systemKey{}, true)
}

// IsSystem reports whether ctx was marked by AsSystem.
func IsSystem(ctx context.Context) bool {
	v, _ := ctx.Value(systemKey{}).(bool)
	return v
}

type visibleKey struct{}

// WithVisibilityCache gives a transaction's context a set of ids already
// confirmed to belong to the acting company, so the edge guard checks each
// referenced row once per transaction instead of once per write. Only
// positive answers are remembered; company_id is immutable, so an answer
// cannot go stale within the transaction.
func WithVisibilityCache(ctx context.Context) context.Context {
	return context.WithValue(ctx, visibleKey{}, &sync.Map{})
}

// KnownVisible reports whether id was confirmed in this transaction.
func KnownVisible(ctx context.Context, id string) bool {
	m, ok := ctx.Value(visibleKey{}).(*sync.Map)
	if !ok {
		return false
	}
	_, ok = m.Load(id)
	return ok
}

// MarkVisible remembers that id belongs to the acting company.
func MarkVisible(ctx context.Context, id string) {
	if m, ok := ctx.Value(visibleKey{}).(*sync.Map); ok {
		m.Store(id, true)
	}
}
