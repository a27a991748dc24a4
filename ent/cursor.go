package ent

// This file is hand-written (not generated): the pagination template is
// patched by entc.go to call checkCursors before a cursor reaches SQL.

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"time"

	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
)

// CursorError is a pagination cursor that does not fit the list it is
// passed to: not one this list produced for its current ordering, or
// tampered with. It is the client's mistake, reported on the argument
// that carried it ("after" or "before").
type CursorError struct {
	Arg    string
	Reason string
}

func (e *CursorError) Error() string { return "invalid cursor: " + e.Reason }

// InvalidInput marks the error as the client's (see apperr).
func (*CursorError) InvalidInput() {}

// InputField names the argument holding the bad cursor.
func (e *CursorError) InputField() string { return e.Arg }

// checkCursors verifies that after/before carry one value per order field
// (multi: a list; otherwise a single value), each of the field's type, so
// that the keyset predicate compares like with like. want holds one
// sample value per order field; a nil sample is not checked.
func checkCursors(after, before *Cursor, want []ent.Value, multi bool) error {
	for _, c := range [...]struct {
		arg    string
		cursor *Cursor
	}{{"after", after}, {"before", before}} {
		if c.cursor == nil {
			continue
		}
		if c.cursor.ID == "" {
			return &CursorError{Arg: c.arg, Reason: "it names no row"}
		}
		got := []any{c.cursor.Value}
		if multi {
			switch v := c.cursor.Value.(type) {
			case nil:
				got = nil
			case []any:
				got = v
			default:
				return &CursorError{Arg: c.arg, Reason: "it was not made for this list"}
			}
			if len(got) != len(want) {
				return &CursorError{Arg: c.arg, Reason: fmt.Sprintf("it was made for an ordering by %d fields, this list is ordered by %d", len(got), len(want))}
			}
		}
		for i, w := range want {
			if w == nil || i >= len(got) {
				continue
			}
			if !sameValueKind(got[i], w) {
				return &CursorError{Arg: c.arg, Reason: "it was made for another ordering of this list"}
			}
		}
	}
	return nil
}

var timeType = reflect.TypeOf(time.Time{})

// sameValueKind reports whether a value decoded from a cursor can stand
// for sample in a comparison: the same struct type (dates, decimals,
// times), or the same basic kind (an enum decodes as its string, an int
// as whatever width msgpack chose).
func sameValueKind(got, sample any) bool {
	if got == nil {
		return true // a NULL column value
	}
	gt, st := reflect.TypeOf(got), reflect.TypeOf(sample)
	if st.Kind() == reflect.Pointer {
		st = st.Elem()
	}
	switch st.Kind() {
	case reflect.Struct:
		return gt == st || (st == timeType && gt == timeType)
	case reflect.String:
		return gt.Kind() == reflect.String
	case reflect.Bool:
		return gt.Kind() == reflect.Bool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		switch gt.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			return true
		}
		return false
	case reflect.Float32, reflect.Float64:
		return gt.Kind() == reflect.Float32 || gt.Kind() == reflect.Float64
	}
	return gt == st
}

type skipCountKey struct{}

// SkipCount returns ctx in which Paginate does not count the rows of the
// list, whatever is selected: for callers that already know the total.
func SkipCount(ctx context.Context) context.Context {
	return context.WithValue(ctx, skipCountKey{}, true)
}

func countSkipped(ctx context.Context) bool {
	skip, _ := ctx.Value(skipCountKey{}).(bool)
	return skip
}

// CountInfo asks Paginate for a bounded count and reports how it went:
// rows are counted exactly up to Bound; past it the total is PostgreSQL's
// planner estimate and Estimated is set. A list page then never counts
// more than Bound+1 rows, however large the company.
type CountInfo struct {
	Bound     int
	Estimated bool
}

type countInfoKey struct{}

// WithBoundedCount returns ctx in which Paginate counts at most bound+1
// rows (see CountInfo), and the CountInfo it will fill in.
func WithBoundedCount(ctx context.Context, bound int) (context.Context, *CountInfo) {
	info := &CountInfo{Bound: bound}
	return context.WithValue(ctx, countInfoKey{}, info), info
}

// countRows is the patched pagination's count: exact (count) unless ctx
// asks for a bounded count, which runs on the query's own selector
// (filters and tenant predicates included).
func countRows(ctx context.Context, drv dialect.Driver, selector func() (*sql.Selector, error), count func(context.Context) (int, error)) (int, error) {
	info, _ := ctx.Value(countInfoKey{}).(*CountInfo)
	if info == nil || info.Bound <= 0 {
		return count(ctx)
	}
	sel, err := selector()
	if err != nil {
		return 0, err
	}
	sel.ClearOrder()
	sel.Select(sel.C("id"))
	inner := sel.Clone()
	sel.Limit(info.Bound + 1)
	// Not sel.As(…): the selector's deferred predicates would then name
	// the alias instead of the table.
	q, args := sel.Query()
	key := fmt.Sprint(q, args)
	if !bigLists.recent(key) {
		n, err := scanInt(ctx, drv, "SELECT COUNT(*) FROM ("+q+") AS bounded", args)
		if err != nil || n <= info.Bound {
			return n, err
		}
		bigLists.add(key)
	}
	// Past the bound: the planner's estimate of the unbounded query.
	q, args = inner.Query()
	rows := &sql.Rows{}
	if err := drv.Query(ctx, "EXPLAIN (FORMAT JSON) "+q, args, rows); err != nil {
		return 0, err
	}
	defer rows.Close()
	var plan []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	var raw []byte
	if rows.Next() {
		if err := rows.Scan(&raw); err != nil {
			return 0, err
		}
	}
	if err := json.Unmarshal(raw, &plan); err != nil {
		return 0, fmt.Errorf("count estimate: %w", err)
	}
	if len(plan) == 0 {
		return 0, fmt.Errorf("count estimate: EXPLAIN returned no plan")
	}
	info.Estimated = true
	return max(int(plan[0].Plan.Rows), info.Bound+1), rows.Err()
}

// bigLists remembers, for a minute, the lists (query and arguments, the
// tenant's included) whose bounded count passed the bound: their next
// first pages go straight to the estimate instead of counting Bound+1
// rows again (5–8 ms on a 100,000-invoice company, the REST list's whole
// cost). A list that shrinks below the bound shows an estimate, flagged
// as such, for at most that minute.
var bigLists = &recentSet{ttl: time.Minute, max: 10_000, at: map[string]time.Time{}}

type recentSet struct {
	mu  sync.Mutex
	ttl time.Duration
	max int
	at  map[string]time.Time
}

func (r *recentSet) recent(key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.at[key]
	if ok && time.Since(t) > r.ttl {
		delete(r.at, key)
		return false
	}
	return ok
}

func (r *recentSet) add(key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.at) >= r.max {
		clear(r.at)
	}
	r.at[key] = time.Now()
}

func scanInt(ctx context.Context, drv dialect.Driver, q string, args []any) (int, error) {
	rows := &sql.Rows{}
	if err := drv.Query(ctx, q, args, rows); err != nil {
		return 0, err
	}
	defer rows.Close()
	var n int
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, err
		}
	}
	return n, rows.Err()
}
