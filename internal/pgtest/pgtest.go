// Package pgtest gives tests real PostgreSQL databases. One cluster serves
// a whole `make test` run (the Makefile starts it and passes
// BIGLEDGER_TEST_PG); a plain `go test` starts a throwaway cluster per test
// binary instead. Each test gets a fresh database cloned from a template
// that has every migration applied, and dropped when the test ends. A test
// that cannot get PostgreSQL fails; nothing here ever skips.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/migrate/migrations"
	"github.com/bigledger/bigledger/internal/dbmigrate"
	"github.com/bigledger/bigledger/internal/localpg"
	"github.com/bigledger/bigledger/internal/store"
)

// EnvAdminDSN names the variable holding an admin DSN (to the "postgres"
// database) of a cluster tests may create databases on.
const EnvAdminDSN = "BIGLEDGER_TEST_PG"

var (
	once     sync.Once
	admin    string
	template string
	cluster  *localpg.Cluster
	tmpDir   string
	setupErr error
)

// Main runs a package's tests and stops a cluster this binary started.
// Use it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if cluster != nil {
		_ = cluster.Stop()
	}
	if tmpDir != "" {
		_ = os.RemoveAll(tmpDir)
	}
	os.Exit(code)
}

func setup() {
	ctx := context.Background()
	admin = os.Getenv(EnvAdminDSN)
	if admin == "" {
		dir, err := os.MkdirTemp("", "bigledger-pgtest-")
		if err != nil {
			setupErr = err
			return
		}
		tmpDir = dir
		c, err := localpg.Start(ctx, dir+"/pg", localpg.Options{Ephemeral: true})
		if err != nil {
			setupErr = fmt.Errorf("pgtest: cannot start PostgreSQL: %w", err)
			return
		}
		cluster = c
		admin = c.DSN("postgres")
	}
	template, setupErr = ensureTemplate(ctx, admin)
}

// AdminDSN returns the admin DSN, starting the cluster if needed.
func AdminDSN(t testing.TB) string {
	t.Helper()
	once.Do(setup)
	if setupErr != nil {
		t.Fatalf("pgtest: %v", setupErr)
	}
	return admin
}

// Cluster returns the cluster this binary started, or nil when the run
// shares one started by the Makefile.
func Cluster() *localpg.Cluster { return cluster }

// ensureTemplate creates (once per cluster and migration set) a database
// holding every migration, named after a hash of the migration files.
func ensureTemplate(ctx context.Context, adminDSN string) (string, error) {
	h := sha256.New()
	names, err := dbmigrate.Files()
	if err != nil {
		return "", err
	}
	for _, n := range names {
		b, _ := fs.ReadFile(migrations.FS, n)
		h.Write([]byte(n))
		h.Write(b)
	}
	name := "bl_tpl_" + hex.EncodeToString(h.Sum(nil))[:16]
	db, err := sql.Open("postgres", adminDSN)
	if err != nil {
		return "", err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return "", fmt.Errorf("connect to test cluster: %w", err)
	}
	defer conn.Close()
	// Serialize template creation across concurrently running packages.
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7263511002)`); err != nil {
		return "", err
	}
	defer func() { _, _ = conn.ExecContext(ctx, `SELECT pg_advisory_unlock(7263511002)`) }()
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_building"
	_, _ = conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+pq.QuoteIdentifier(building))
	if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(building)); err != nil {
		return "", err
	}
	tdb, err := sql.Open("postgres", withDB(adminDSN, building))
	if err != nil {
		return "", err
	}
	if _, err := dbmigrate.Apply(ctx, tdb); err != nil {
		tdb.Close()
		return "", fmt.Errorf("migrate template: %w", err)
	}
	tdb.Close()
	if _, err := conn.ExecContext(ctx, `ALTER DATABASE `+pq.QuoteIdentifier(building)+` RENAME TO `+pq.QuoteIdentifier(name)); err != nil {
		return "", err
	}
	return name, nil
}

// withDB swaps the database name in a postgres:// URL.
func withDB(dsn, name string) string {
	i := strings.LastIndex(dsn, "/")
	rest := ""
	if q := strings.IndexByte(dsn[i:], '?'); q >= 0 {
		rest = dsn[i+q:]
	}
	return dsn[:i+1] + name + rest
}

// NewDatabase creates a fresh migrated database and returns its DSN; the
// database is dropped when the test ends.
func NewDatabase(t testing.TB) string {
	t.Helper()
	adminDSN := AdminDSN(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "t_" + hex.EncodeToString(b)
	db, err := sql.Open("postgres", adminDSN)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer db.Close()
	stmt := `CREATE DATABASE ` + pq.QuoteIdentifier(name) + ` TEMPLATE ` + pq.QuoteIdentifier(template)
	for attempt := 0; ; attempt++ {
		_, err = db.Exec(stmt)
		// Two CREATE DATABASE … TEMPLATE at once can collide on the
		// template; it is transient.
		if err == nil || attempt > 50 || !strings.Contains(err.Error(), "being accessed by other users") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("postgres", adminDSN)
		if err != nil {
			return
		}
		defer db.Close()
		_, _ = db.Exec(`DROP DATABASE IF EXISTS ` + pq.QuoteIdentifier(name) + ` WITH (FORCE)`)
	})
	return withDB(adminDSN, name)
}

// Open returns an ent client and pool on a fresh database, closed at the
// end of the test.
func Open(t testing.TB) (*ent.Client, *sql.DB) {
	t.Helper()
	c, db, _ := OpenDSN(t)
	return c, db
}

// OpenDSN is Open that also returns the database's DSN.
func OpenDSN(t testing.TB) (*ent.Client, *sql.DB, string) {
	t.Helper()
	dsn := NewDatabase(t)
	client, db, err := store.Open(dsn)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() { client.Close() })
	return client, db, dsn
}
