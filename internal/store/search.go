package store

import (
	"strings"

	"entgo.io/ent/dialect/sql"
)

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// ContainsPattern is the ILIKE pattern matching term anywhere, with LIKE's
// own wildcards in term matched literally.
func ContainsPattern(term string) string {
	return "%" + likeEscaper.Replace(term) + "%"
}

// ILike is the predicate col ILIKE pattern.
func ILike(col, pattern string) *sql.Predicate {
	return sql.P(func(b *sql.Builder) { b.Ident(col).WriteString(" ILIKE ").Arg(pattern) })
}
