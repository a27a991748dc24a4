// Package schemadiff generates versioned migrations from the ent schema:
// the migration directory is replayed on an empty development database and
// diffed against the ent schema (atlas, through ent); any difference becomes
// a new file. No difference means no file, which is what the
// schema/migration consistency check relies on.
package schemadiff

import (
	"context"
	"database/sql"

	"ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"

	entmigrate "github.com/bigledger/bigledger/ent/migrate"
)

// Generate writes a new migration file named name into dir when the ent
// schema differs from what the directory's migrations produce. devDB must
// be an empty database; it is used to replay the directory.
func Generate(ctx context.Context, devDB *sql.DB, dir, name string) error {
	ld, err := migrate.NewLocalDir(dir)
	if err != nil {
		return err
	}
	m, err := schema.NewMigrate(entsql.OpenDB(dialect.Postgres, devDB),
		schema.WithDir(ld),
		schema.WithMigrationMode(schema.ModeReplay),
		schema.WithDialect(dialect.Postgres),
		schema.WithFormatter(migrate.DefaultFormatter),
		schema.WithDropColumn(true),
		schema.WithDropIndex(true),
	)
	if err != nil {
		return err
	}
	return m.NamedDiff(ctx, name, entmigrate.Tables...)
}

// Diff reports the statements that would bring db (already migrated) to
// the ent schema; empty means the migrations and the schema agree.
func Diff(ctx context.Context, db *sql.DB, scratchDir string) ([]string, error) {
	ld, err := migrate.NewLocalDir(scratchDir)
	if err != nil {
		return nil, err
	}
	m, err := schema.NewMigrate(entsql.OpenDB(dialect.Postgres, db),
		schema.WithDir(ld),
		schema.WithDialect(dialect.Postgres),
		schema.WithFormatter(migrate.DefaultFormatter),
		schema.WithDropColumn(true),
		schema.WithDropIndex(true),
	)
	if err != nil {
		return nil, err
	}
	if err := m.NamedDiff(ctx, "drift", entmigrate.Tables...); err != nil {
		return nil, err
	}
	files, err := ld.Files()
	if err != nil {
		return nil, err
	}
	var stmts []string
	for _, f := range files {
		stmts = append(stmts, string(f.Bytes()))
	}
	return stmts, nil
}
