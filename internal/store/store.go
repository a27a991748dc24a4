// Package store opens the database and runs domain workflows in one
// transaction: a workflow joins the caller's transaction when there is one
// and otherwise opens, commits or rolls back its own.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"entgo.io/ent/dialect"

	"github.com/bigledger/bigledger/ent"
	_ "github.com/bigledger/bigledger/ent/runtime" // privacy policies and hooks
	"github.com/bigledger/bigledger/internal/tenant"
)

// WithBinaryParameters adds binary_parameters=yes to a lib/pq URL (or
// key=value DSN): without it every parameterized query costs two round
// trips (prepare, execute).
func WithBinaryParameters(dsn string) string {
	return withParameter(dsn, "binary_parameters", "yes")
}

// withParameter sets a connection parameter the DSN does not set itself.
func withParameter(dsn, name, value string) string {
	if strings.Contains(dsn, name+"=") {
		return dsn
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return dsn
		}
		q := u.Query()
		q.Set(name, value)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return strings.TrimSpace(dsn) + " " + name + "=" + value
}

// DefaultStatementCache is how many prepared statements each pooled
// connection keeps (see stmtCache).
const DefaultStatementCache = 256

// With the cache on, connections plan each execution for its own
// arguments (plan_cache_mode=force_custom_plan, unless the DSN sets
// plan_cache_mode): a prepared statement keeps the parse, the analysis
// and the statement text off every execution, but PostgreSQL's generic
// plan, chosen after five executions when its estimate looks no worse,
// estimates "company_id = $n" as one tenant's average share of the table.
// For one large company among small ones that plan was wrong: the list
// page's customers-by-id lookup (id IN (…) AND company_id = $22) became a
// scan of the company's 10,000 customers, 10 ms instead of 0.1 ms.
//
// statementCacheCapacity reads and removes the DSN's
// statement_cache_capacity parameter (a URL DSN's query parameter; 0 turns
// prepared statements off, e.g. behind a transaction-pooling PgBouncer
// older than 1.21), which lib/pq would otherwise send to the server.
func statementCacheCapacity(dsn string) (string, int, error) {
	if !strings.Contains(dsn, "statement_cache_capacity=") {
		return dsn, DefaultStatementCache, nil
	}
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", 0, fmt.Errorf("statement_cache_capacity needs a postgres:// URL DSN")
	}
	q := u.Query()
	n, err := strconv.Atoi(q.Get("statement_cache_capacity"))
	if err != nil || n < 0 {
		return "", 0, fmt.Errorf("statement_cache_capacity must be a whole number ≥ 0, got %q", q.Get("statement_cache_capacity"))
	}
	q.Del("statement_cache_capacity")
	u.RawQuery = q.Encode()
	return u.String(), n, nil
}

// Open connects to PostgreSQL and returns the ent client and the raw pool.
func Open(dsn string) (*ent.Client, *sql.DB, error) {
	dsn, capacity, err := statementCacheCapacity(dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("open database: %w", err)
	}
	if capacity > 0 {
		dsn = withParameter(dsn, "plan_cache_mode", "force_custom_plan")
	}
	c, err := newConnector(WithBinaryParameters(dsn), capacity)
	if err != nil {
		return nil, nil, fmt.Errorf("open database: %w", err)
	}
	db := sql.OpenDB(c)
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	db.SetConnMaxIdleTime(5 * time.Minute)
	drv := entsql.OpenDB(dialect.Postgres, db)
	return ent.NewClient(ent.Driver(drv)), db, nil
}

type clientKey struct{}

// WithClient puts the root client in ctx; the server does this per request.
func WithClient(ctx context.Context, c *ent.Client) context.Context {
	return context.WithValue(ctx, clientKey{}, c)
}

// Client returns the client a read should use: the transaction's when one
// is open in ctx, else the root client.
func Client(ctx context.Context) *ent.Client {
	if tx := ent.TxFromContext(ctx); tx != nil {
		return tx.Client()
	}
	if c, ok := ctx.Value(clientKey{}).(*ent.Client); ok {
		return c
	}
	panic("store: no ent client in context")
}

// InTx runs fn in a transaction. If ctx already carries one, fn joins it
// and the caller commits; otherwise InTx opens one, commits when fn
// succeeds and rolls back when it fails or panics. Entities returned from a
// transaction InTx opened are unwrapped so their edges can be loaded after
// commit.
func InTx[T interface{ Unwrap() T }](ctx context.Context, fn func(ctx context.Context, c *ent.Client) (T, error)) (T, error) {
	var zero T
	if tx := ent.TxFromContext(ctx); tx != nil {
		return fn(ctx, tx.Client())
	}
	root, ok := ctx.Value(clientKey{}).(*ent.Client)
	if !ok {
		panic("store: no ent client in context")
	}
	tx, err := root.Tx(ctx)
	if err != nil {
		return zero, err
	}
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback()
		}
	}()
	txCtx := tenant.WithVisibilityCache(ent.NewTxContext(ctx, tx))
	v, err := fn(txCtx, tx.Client())
	if err != nil {
		return zero, err
	}
	if err := tx.Commit(); err != nil {
		return zero, err
	}
	committed = true
	return v.Unwrap(), nil
}

// Done is the result of a workflow that returns no entity.
type Done struct{}

// Unwrap implements the InTx result constraint.
func (d Done) Unwrap() Done { return d }

// Detach unwraps an entity loaded or created in a transaction that has
// committed, so its edges can still be loaded (an entity attached to a
// workflow's answer as an edge is not unwrapped by InTx). An entity of no
// transaction is returned as it is.
func Detach[T interface{ Unwrap() T }](v T) (out T) {
	defer func() {
		if recover() != nil { // ent: not a transactional entity
			out = v
		}
	}()
	return v.Unwrap()
}
