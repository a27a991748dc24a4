package numbering_test

import (
	"strconv"
	"testing"

	"github.com/bigledger/bigledger/internal/numbering"
	"github.com/bigledger/bigledger/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// Numbers made in SQL (a workflow numbering rows as its last statement)
// are the same text as the ones Format makes, for every width.
func TestFormatSQLMatchesFormat(t *testing.T) {
	_, db := pgtest.Open(t)
	kinds := []numbering.Kind{numbering.Customer, {Name: "payment", Prefix: "PAY", Yearly: true}}
	for _, k := range kinds {
		for _, year := range []int{0, 2024, 2031} {
			if k.Yearly == (year == 0) {
				continue
			}
			for _, n := range []int64{1, 42, 999, 9999, 10000, 123456, 1234567890} {
				var got string
				q := "SELECT " + numbering.FormatSQL(k, strconv.Itoa(year), "$1::bigint")
				if err := db.QueryRow(q, n).Scan(&got); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				if want := numbering.Format(k, year, n); got != want {
					t.Fatalf("%s year %d value %d: SQL %q, Go %q", k.Name, year, n, got, want)
				}
			}
		}
	}
}
