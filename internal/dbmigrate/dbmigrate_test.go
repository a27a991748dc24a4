package dbmigrate_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/bigledger/bigledger/internal/dbmigrate"
	"github.com/bigledger/bigledger/internal/pgtest"
	"github.com/bigledger/bigledger/internal/schemadiff"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// The checked-in migrations produce exactly the ent schema: a diff between
// a migrated database and the schema is empty.
func TestMigrationsMatchEntSchema(t *testing.T) {
	_, db := pgtest.Open(t)
	stmts, err := schemadiff.Diff(context.Background(), db, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) > 0 {
		t.Fatalf("the ent schema and ent/migrate/migrations disagree; run `make migration NAME=…`:\n%s", strings.Join(stmts, "\n"))
	}
}

// Applying is idempotent, recorded, and Pending reflects it.
func TestApplyIsIdempotent(t *testing.T) {
	admin := pgtest.AdminDSN(t)
	ctx := context.Background()
	adb, err := sql.Open("postgres", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer adb.Close()
	name := "mig_" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "_"))
	if _, err := adb.Exec(`DROP DATABASE IF EXISTS ` + name); err != nil {
		t.Fatal(err)
	}
	if _, err := adb.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = adb.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`) })
	db, err := sql.Open("postgres", strings.Replace(admin, "/postgres?", "/"+name+"?", 1))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	files, err := dbmigrate.Files()
	if err != nil || len(files) == 0 {
		t.Fatalf("files: %v %v", files, err)
	}
	pending, err := dbmigrate.Pending(ctx, db)
	if err != nil || len(pending) != len(files) {
		t.Fatalf("pending before: %v %v", pending, err)
	}
	applied, err := dbmigrate.Apply(ctx, db)
	if err != nil || len(applied) != len(files) {
		t.Fatalf("first apply: %v %v", applied, err)
	}
	again, err := dbmigrate.Apply(ctx, db)
	if err != nil || len(again) != 0 {
		t.Fatalf("second apply: %v %v", again, err)
	}
	if pending, err := dbmigrate.Pending(ctx, db); err != nil || len(pending) != 0 {
		t.Fatalf("pending after: %v %v", pending, err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM bigledger_schema_migrations`).Scan(&n); err != nil || n != len(files) {
		t.Fatalf("recorded %d of %d (%v)", n, len(files), err)
	}
}
