package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"

	"github.com/bigledger/bigledger/internal/pgtest"
	"github.com/bigledger/bigledger/internal/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// one opens the DSN with a pool of one connection, so every statement of
// the test runs in the same server session.
func one(t *testing.T, dsn string) (*sql.DB, *sql.Conn) {
	t.Helper()
	client, db, err := store.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	db.SetMaxOpenConns(1)
	c, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return db, c
}

func preparedCount(t *testing.T, c *sql.Conn, like string) int {
	t.Helper()
	var n int
	// No arguments: runs unprepared, so it never counts itself.
	if err := c.QueryRowContext(context.Background(), `SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '`+like+`'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A statement with arguments is prepared on its second use on a
// connection and reused after that; answers are the same either way
// (binary results for integers, JSON arguments as text).
func TestStatementCachePreparesOnSecondUse(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	_, c := one(t, dsn)
	ctx := context.Background()
	if _, err := c.ExecContext(ctx, `CREATE TABLE sc (id int PRIMARY KEY, doc jsonb, big bigint, name text)`); err != nil {
		t.Fatal(err)
	}
	const ins = `INSERT INTO sc (id, doc, big, name) VALUES ($1, $2, $3, $4)`
	for i := 1; i <= 4; i++ {
		if _, err := c.ExecContext(ctx, ins, i, json.RawMessage(`{"n":`+strings.Repeat("9", i)+`}`), int64(1)<<40+int64(i), "row"); err != nil {
			t.Fatalf("insert %d: %v", i, err)
		}
		if want := min(i-1, 1); preparedCount(t, c, "INSERT INTO sc%") != want {
			t.Fatalf("after %d inserts: %d prepared, want %d", i, preparedCount(t, c, "INSERT INTO sc%"), want)
		}
	}
	const sel = `SELECT doc::text, big, name FROM sc WHERE id = $1`
	for i := 1; i <= 4; i++ {
		var doc, name string
		var big int64
		if err := c.QueryRowContext(ctx, sel, i).Scan(&doc, &big, &name); err != nil {
			t.Fatalf("select %d: %v", i, err)
		}
		if doc != `{"n": `+strings.Repeat("9", i)+`}` || big != int64(1)<<40+int64(i) || name != "row" {
			t.Fatalf("select %d: %q %d %q", i, doc, big, name)
		}
	}
	if n := preparedCount(t, c, "SELECT doc::text%"); n != 1 {
		t.Fatalf("select prepared %d times, want once", n)
	}
}

// A schema change that alters a cached statement's result type fails that
// one execution (PostgreSQL refuses the stale plan); the statement is
// dropped and the next use prepares it afresh.
func TestStatementCacheRecoversFromStalePlan(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	_, c := one(t, dsn)
	ctx := context.Background()
	if _, err := c.ExecContext(ctx, `CREATE TABLE st (id int PRIMARY KEY, v int)`); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExecContext(ctx, `INSERT INTO st VALUES (1, 7)`); err != nil {
		t.Fatal(err)
	}
	const q = `SELECT v FROM st WHERE id = $1`
	var v int64
	for range 3 {
		if err := c.QueryRowContext(ctx, q, 1).Scan(&v); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.ExecContext(ctx, `ALTER TABLE st ALTER v TYPE bigint`); err != nil {
		t.Fatal(err)
	}
	_ = c.QueryRowContext(ctx, q, 1).Scan(&v) // may fail once: "cached plan must not change result type"
	if err := c.QueryRowContext(ctx, q, 1).Scan(&v); err != nil || v != 7 {
		t.Fatalf("after the schema change: %d, %v", v, err)
	}
}

// statement_cache_capacity=0 turns prepared statements off; the parameter
// never reaches the server; a bad value is refused.
func TestStatementCacheCapacityParameter(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	_, c := one(t, dsn+"&statement_cache_capacity=0")
	ctx := context.Background()
	var n int
	for range 3 {
		if err := c.QueryRowContext(ctx, `SELECT $1::int + 1`, 41).Scan(&n); err != nil || n != 42 {
			t.Fatalf("%d %v", n, err)
		}
	}
	if got := preparedCount(t, c, "SELECT $1::int%"); got != 0 {
		t.Fatalf("capacity 0 prepared %d statements", got)
	}
	for _, bad := range []string{"-1", "x"} {
		if _, _, err := store.Open(dsn + "&statement_cache_capacity=" + bad); err == nil || !strings.Contains(err.Error(), "statement_cache_capacity") {
			t.Fatalf("capacity %q: %v", bad, err)
		}
	}
}

// Prepared statements are planned for their own arguments each time: a
// generic plan misjudges one large tenant among small ones.
func TestStatementCachePlansPerExecution(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	_, c := one(t, dsn)
	var mode string
	if err := c.QueryRowContext(context.Background(), `SHOW plan_cache_mode`).Scan(&mode); err != nil || mode != "force_custom_plan" {
		t.Fatalf("plan_cache_mode %q, %v", mode, err)
	}
	_, c = one(t, dsn+"&plan_cache_mode=auto")
	if err := c.QueryRowContext(context.Background(), `SHOW plan_cache_mode`).Scan(&mode); err != nil || mode != "auto" {
		t.Fatalf("a DSN's own plan_cache_mode: %q, %v", mode, err)
	}
}
