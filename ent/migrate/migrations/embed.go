// Package migrations embeds the versioned SQL migrations generated from the
// ent schema (see internal/dbmigrate). Files are applied in name order.
package migrations

import "embed"

// FS holds the *.sql migration files.
//
//go:embed *.sql
var FS embed.FS
