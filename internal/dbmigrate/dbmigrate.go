// Package dbmigrate applies the checked-in SQL migrations and generates new
// ones from the ent schema.
//
// Applying: each file in ent/migrate/migrations runs once, in name order, in
// its own transaction, recorded in bigledger_schema_migrations. An advisory
// lock makes concurrent starts of several servers safe.
// New files are written by internal/schemadiff.
package dbmigrate

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/bigledger/bigledger/ent/migrate/migrations"
)

const lockKey = 7263511001 // arbitrary, stable advisory-lock key

// Files lists the embedded migration names in apply order.
func Files() ([]string, error) {
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	return names, nil
}

// Apply runs every pending migration and returns the names it applied.
func Apply(ctx context.Context, db *sql.DB) ([]string, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, lockKey); err != nil {
		return nil, fmt.Errorf("migrate: lock: %w", err)
	}
	defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, lockKey) }()
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS bigledger_schema_migrations (
		version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	done := map[string]bool{}
	rows, err := conn.QueryContext(ctx, `SELECT version FROM bigledger_schema_migrations`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return nil, err
		}
		done[v] = true
	}
	rows.Close()
	names, err := Files()
	if err != nil {
		return nil, err
	}
	var applied []string
	for _, name := range names {
		if done[name] {
			continue
		}
		body, err := fs.ReadFile(migrations.FS, name)
		if err != nil {
			return applied, err
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return applied, err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			_ = tx.Rollback()
			return applied, fmt.Errorf("migrate: %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO bigledger_schema_migrations (version) VALUES ($1)`, name); err != nil {
			_ = tx.Rollback()
			return applied, err
		}
		if err := tx.Commit(); err != nil {
			return applied, err
		}
		applied = append(applied, name)
	}
	return applied, nil
}

// Pending returns the migrations not yet applied (readiness checks).
func Pending(ctx context.Context, db *sql.DB) ([]string, error) {
	names, err := Files()
	if err != nil {
		return nil, err
	}
	done := map[string]bool{}
	rows, err := db.QueryContext(ctx, `SELECT version FROM bigledger_schema_migrations`)
	if err != nil {
		if strings.Contains(err.Error(), "does not exist") {
			return names, nil
		}
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		done[v] = true
	}
	var pending []string
	for _, n := range names {
		if !done[n] {
			pending = append(pending, n)
		}
	}
	return pending, rows.Err()
}
