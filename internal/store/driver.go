package store

import (
	"container/list"
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"

	"github.com/lib/pq"
)

// With binary_parameters=yes lib/pq sends every []byte argument in binary
// format, which is right for bytea but wrong for the JSON ent writes
// (jsonb's binary input wants a version byte: "unsupported jsonb version
// number"). ent passes JSON as json.RawMessage, so this connector wraps
// lib/pq and turns exactly those into text, keeping the one-round-trip
// protocol for everything else.
//
// It also keeps a per-connection cache of prepared statements (see
// stmtCache): capacity 0 turns it off.
type connector struct {
	c        driver.Connector
	capacity int
}

func newConnector(dsn string, capacity int) (driver.Connector, error) {
	c, err := pq.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return connector{c: c, capacity: capacity}, nil
}

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	cn, err := c.c.Connect(ctx)
	if err != nil {
		return nil, err
	}
	out := &conn{Conn: cn}
	if c.capacity > 0 {
		out.stmts = newStmtCache(c.capacity)
	}
	return out, nil
}

func (c connector) Driver() driver.Driver { return c.c.Driver() }

type conn struct {
	driver.Conn
	stmts *stmtCache // nil: every statement is parsed and planned anew
}

var (
	_ driver.NamedValueChecker  = (*conn)(nil)
	_ driver.QueryerContext     = (*conn)(nil)
	_ driver.ExecerContext      = (*conn)(nil)
	_ driver.ConnBeginTx        = (*conn)(nil)
	_ driver.ConnPrepareContext = (*conn)(nil)
	_ driver.Pinger             = (*conn)(nil)
	_ driver.SessionResetter    = (*conn)(nil)
	_ driver.Validator          = (*conn)(nil)
)

// CheckNamedValue converts json.RawMessage to string and leaves every
// other value to database/sql's default conversion.
func (c *conn) CheckNamedValue(nv *driver.NamedValue) error {
	if raw, ok := nv.Value.(json.RawMessage); ok {
		nv.Value = string(raw)
		return nil
	}
	return driver.ErrSkip
}

func (c *conn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	if st := c.prepared(ctx, q, args); st != nil {
		rows, err := st.(driver.StmtQueryContext).QueryContext(ctx, args)
		c.stmts.check(q, err)
		return rows, err
	}
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, q, args)
}

func (c *conn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	if st := c.prepared(ctx, q, args); st != nil {
		res, err := st.(driver.StmtExecContext).ExecContext(ctx, args)
		c.stmts.check(q, err)
		return res, err
	}
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, q, args)
}

// prepared returns the connection's prepared statement for q, preparing
// it on q's second use, or nil when q should run unprepared: the cache is
// off, q has no arguments (lib/pq then uses the simple protocol, which
// also allows several statements in one string), q is a COPY, or this is
// q's first use on the connection (a statement seen once, such as an id
// list of one-off length, would only cost a Parse round trip and a slot).
func (c *conn) prepared(ctx context.Context, q string, args []driver.NamedValue) driver.Stmt {
	if c.stmts == nil || len(args) == 0 {
		return nil
	}
	if st := c.stmts.get(q); st != nil {
		return st
	}
	if !c.stmts.seen(q) {
		return nil
	}
	st, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, q)
	if err != nil {
		// The unprepared path reports the same error (or succeeds when the
		// failure was the preparation's own, e.g. a cancelled context).
		return nil
	}
	if _, ok := st.(driver.StmtQueryContext); !ok {
		_ = st.Close()
		return nil
	}
	for _, old := range c.stmts.put(q, st) {
		_ = old.Close()
	}
	return st
}

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *conn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, q)
}

func (c *conn) Ping(ctx context.Context) error { return c.Conn.(driver.Pinger).Ping(ctx) }

func (c *conn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *conn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// stmtCache holds one connection's prepared statements, least recently
// used first out. A prepared statement is parsed and analysed once and
// its text is not sent again; it is still planned for each execution's
// arguments (Open sets plan_cache_mode=force_custom_plan: see
// statementCacheCapacity for why not PostgreSQL's generic plans).
// database/sql never uses a
// driver connection from two goroutines at once, so it needs no lock.
//
// A statement is prepared on its second use on the connection (seen
// keeps the texts used once, bounded like the cache). A statement whose
// execution reports that it no longer exists or that its cached plan is
// stale (a schema change under a running server) is dropped and prepared
// again on its next use.
type stmtCache struct {
	capacity int
	order    *list.List // of *stmtEntry, most recent first
	byQuery  map[string]*list.Element
	once     map[string]struct{}
}

type stmtEntry struct {
	query string
	stmt  driver.Stmt
}

func newStmtCache(capacity int) *stmtCache {
	return &stmtCache{capacity: capacity, order: list.New(), byQuery: map[string]*list.Element{}, once: map[string]struct{}{}}
}

func (s *stmtCache) get(q string) driver.Stmt {
	if el, ok := s.byQuery[q]; ok {
		s.order.MoveToFront(el)
		return el.Value.(*stmtEntry).stmt
	}
	return nil
}

// seen records q's use and reports whether it was used before.
func (s *stmtCache) seen(q string) bool {
	if _, ok := s.once[q]; ok {
		delete(s.once, q)
		return true
	}
	if len(s.once) >= s.capacity {
		clear(s.once)
	}
	s.once[q] = struct{}{}
	return false
}

// put caches st for q and returns the statements it evicted, for the
// caller to close.
func (s *stmtCache) put(q string, st driver.Stmt) []driver.Stmt {
	s.byQuery[q] = s.order.PushFront(&stmtEntry{query: q, stmt: st})
	var evicted []driver.Stmt
	for s.order.Len() > s.capacity {
		el := s.order.Back()
		e := s.order.Remove(el).(*stmtEntry)
		delete(s.byQuery, e.query)
		evicted = append(evicted, e.stmt)
	}
	return evicted
}

// check drops q's statement after an error saying the server no longer
// has it (26000 invalid_sql_statement_name) or that its plan went stale
// ("cached plan must not change result type", 0A000).
func (s *stmtCache) check(q string, err error) {
	var pe *pq.Error
	if err == nil || !errors.As(err, &pe) || (pe.Code != "26000" && pe.Code != "0A000") {
		return
	}
	if el, ok := s.byQuery[q]; ok {
		s.order.Remove(el)
		delete(s.byQuery, q)
	}
}
