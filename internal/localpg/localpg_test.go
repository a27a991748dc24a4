package localpg_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/lib/pq"

	"github.com/bigledger/bigledger/internal/localpg"
)

// A private cluster initializes, serves, survives a restart with its data,
// is found again by a second Start while running, and stops.
func TestClusterLifecycle(t *testing.T) {
	if _, err := localpg.FindBinDir(); err != nil {
		t.Fatalf("PostgreSQL binaries: %v", err)
	}
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "nested", "pg")
	c, err := localpg.Start(ctx, dir, localpg.Options{Ephemeral: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err != nil {
		t.Fatalf("not initialized: %v", err)
	}
	if err := c.CreateDatabase(ctx, "app"); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateDatabase(ctx, "app"); err != nil {
		t.Fatalf("creating an existing database should be a no-op: %v", err)
	}
	exec := func(q string) {
		db, err := sql.Open("postgres", c.DSN("app"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	exec(`CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)`)
	// A second Start on the same directory attaches to the running server.
	c2, err := localpg.Start(ctx, dir, localpg.Options{})
	if err != nil || c2.Port != c.Port {
		t.Fatalf("attach: %v (port %d vs %d)", err, c2.Port, c.Port)
	}
	if err := c2.Stop(); err != nil {
		t.Fatalf("stop by non-owner: %v", err)
	}
	if err := c.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("postgres", c.DSN("app"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	if err := db.QueryRow(`SELECT v FROM kept`).Scan(&v); err != nil || v != 42 {
		t.Fatalf("data after restart: %d %v", v, err)
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(); err == nil {
		t.Fatal("server still answering after Stop")
	}
}
