// Command genmigration writes a new SQL migration into
// ent/migrate/migrations when the ent schema has changed. It replays the
// existing migrations on a throwaway PostgreSQL cluster (or on the empty
// database named by DEV_DATABASE_URL) and diffs. Usage: genmigration NAME
package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"

	_ "github.com/lib/pq"

	"github.com/bigledger/bigledger/internal/localpg"
	"github.com/bigledger/bigledger/internal/schemadiff"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "genmigration:", err)
		os.Exit(1)
	}
}

func run() error {
	name := "changes"
	if len(os.Args) > 1 {
		name = os.Args[1]
	}
	ctx := context.Background()
	dsn := os.Getenv("DEV_DATABASE_URL")
	if dsn == "" {
		dir, err := os.MkdirTemp("", "bigledger-devpg-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		c, err := localpg.Start(ctx, dir, localpg.Options{Ephemeral: true})
		if err != nil {
			return err
		}
		defer c.Stop()
		if err := c.CreateDatabase(ctx, "dev"); err != nil {
			return err
		}
		dsn = c.DSN("dev")
	}
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	return schemadiff.Generate(ctx, db, "ent/migrate/migrations", name)
}
