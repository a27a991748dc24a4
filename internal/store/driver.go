package store

import (
	"context"
	"database/sql/driver"
	"encoding/json"

	"github.com/lib/pq"
)

// With binary_parameters=yes lib/pq sends every []byte argument in binary
// format, which is right for bytea but wrong for the JSON ent writes
// (jsonb's binary input wants a version byte: "unsupported jsonb version
// number"). ent passes JSON as json.RawMessage, so this connector wraps
// lib/pq and turns exactly those into text, keeping the one-round-trip
// protocol for everything else.
type connector struct{ c driver.Connector }

func newConnector(dsn string) (driver.Connector, error) {
	c, err := pq.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return connector{c: c}, nil
}

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	cn, err := c.c.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &conn{Conn: cn}, nil
}

func (c connector) Driver() driver.Driver { return c.c.Driver() }

type conn struct{ driver.Conn }

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
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, q, args)
}

func (c *conn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, q, args)
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
