package server_test

import (
	"fmt"
	"testing"

	tk "github.com/bigledger/bigledger/internal/testkit"
)

// Listing customers with their contacts and group costs a fixed number of
// SQL statements, whatever the page size, in GraphQL and in REST.
func TestCustomerListStatementCountIsFixed(t *testing.T) {
	e := tk.New(t)
	e.SeedCustomers(e.A, 60, 3, 2)
	const q = `query($n: Int) { customers(first: $n) { totalCount edges { node { id name group { id name } contacts { id name } } } } }`
	e.MustGQL(e.A, q, map[string]any{"n": 1}) // warm-up: records the key's lastUsedAt
	gql := func(n int) int64 {
		return e.CountQueries(func() {
			d := e.MustGQL(e.A, q, map[string]any{"n": n})
			edges := tk.Get(d, "customers", "edges").([]any)
			if len(edges) != n || len(tk.Get(edges[n-1], "node", "contacts").([]any)) != 2 || tk.Str(edges[n-1], "node", "group", "name") == "" {
				t.Fatalf("page of %d incomplete: %v", n, edges[n-1])
			}
		})
	}
	g10, g50 := gql(10), gql(50)
	if g10 != g50 || g50 > 8 {
		t.Fatalf("GraphQL statements: %d for 10 rows, %d for 50", g10, g50)
	}
	rest := func(n int) int64 {
		return e.CountQueries(func() {
			r := e.Do(e.A, "GET", fmt.Sprintf("/api/v1/customers?limit=%d", n), nil)
			if r.Status != 200 || len(r.Body["data"].([]any)) != n || len(tk.Get(r.Body, "data", n-1, "contacts").([]any)) != 2 {
				t.Fatalf("REST page of %d: %s", n, r.Raw)
			}
		})
	}
	r10, r50 := rest(10), rest(50)
	if r10 != r50 || r50 > 8 {
		t.Fatalf("REST statements: %d for 10 rows, %d for 50", r10, r50)
	}
	t.Logf("statements per page: GraphQL %d, REST %d", g50, r50)
}
