// Package reqcache memoizes per-request computations (the balances of a
// company's accounts, say) so a GraphQL list resolving one field per row
// costs one statement, not one per row.
package reqcache

import (
	"context"
	"sync"
)

type key struct{}

type cache struct {
	mu     sync.Mutex
	values map[string]*entry
}

type entry struct {
	once sync.Once
	v    any
	err  error
}

// With returns ctx carrying an empty cache; the server adds one per request.
func With(ctx context.Context) context.Context {
	return context.WithValue(ctx, key{}, &cache{values: map[string]*entry{}})
}

// Without returns ctx with no cache: every Load computes afresh.
func Without(ctx context.Context) context.Context {
	return context.WithValue(ctx, key{}, (*cache)(nil))
}

// Load returns the value for name, computing it once per request with fn.
// Without a cache in ctx it just calls fn.
func Load[T any](ctx context.Context, name string, fn func() (T, error)) (T, error) {
	c, ok := ctx.Value(key{}).(*cache)
	if !ok || c == nil {
		return fn()
	}
	c.mu.Lock()
	e, ok := c.values[name]
	if !ok {
		e = &entry{}
		c.values[name] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.v, e.err = fn() })
	if e.err != nil {
		var zero T
		return zero, e.err
	}
	return e.v.(T), nil
}
