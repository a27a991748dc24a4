package gqlcost_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/bigledger/bigledger/internal/gqlcost"
)

var limits = gqlcost.Limits{MaxFields: 1000, MaxAliases: 100, MaxDepth: 15, MaxIntrospection: 5}

func parse(t testing.TB, q string) *ast.QueryDocument {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: q})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return doc
}

// fragmentBomb spreads each of n fragments' successor twice: 2^n fields.
func fragmentBomb(n int) string {
	var b strings.Builder
	b.WriteString("{ ...F0 }\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on Query { __typename }\n", n)
	return b.String()
}

func TestCheckDocument(t *testing.T) {
	dup := "{ customers(first: 1) { edges { node { " + strings.Repeat("name ", 19000) + "} } } }"
	var aliases strings.Builder
	aliases.WriteString("{")
	for i := 0; i < 150; i++ {
		fmt.Fprintf(&aliases, " a%d: __typename", i)
	}
	aliases.WriteString("}")
	deep := strings.Repeat("{ a ", 20) + strings.Repeat("}", 20)
	for _, c := range []struct {
		name, doc, want string
	}{
		{"fragment bomb 2^22", fragmentBomb(22), "fields"},
		{"fragment bomb 2^30", fragmentBomb(30), "fields"},
		{"unused fragment bomb", "{ __typename }\n" + fragmentBomb(40)[len("{ ...F0 }\n"):], "fields"},
		{"19,000 duplicated fields", dup, "fields"},
		{"150 aliases", aliases.String(), "aliased fields"},
		{"20 levels", deep, "levels"},
		{"6 introspection fields", "{ a: __type(name: \"A\") { name } b: __type(name: \"B\") { name } c: __type(name: \"C\") { name } d: __type(name: \"D\") { name } e: __type(name: \"E\") { name } f: __type(name: \"F\") { name } }", "__schema/__type"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := gqlcost.CheckDocument(parse(t, c.doc), limits)
			e, ok := err.(*gqlcost.Error)
			if !ok || e.Code != "QUERY_TOO_LARGE" || !strings.Contains(e.Message, c.want) {
				t.Fatalf("got %v, want QUERY_TOO_LARGE about %s", err, c.want)
			}
		})
	}
	for _, ok := range []string{
		fragmentBomb(9), // 512 fields
		"query { a: customers { id } b: customers { id } } fragment X on Customer { id name }",
		"{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }", // a cycle is validation's to report
	} {
		if err := gqlcost.CheckDocument(parse(t, ok), limits); err != nil {
			t.Errorf("%q refused: %v", ok[:min(len(ok), 40)], err)
		}
	}
}

const sdl = `
type Query { customers(first: Int, last: Int): CustomerConnection! customer(id: ID!): Customer reports(type: String!): String nodes(ids: [ID!]!): [Customer]! }
type CustomerConnection { edges: [CustomerEdge] pageInfo: PageInfo! totalCount: Int! }
type PageInfo { hasNextPage: Boolean! }
type CustomerEdge { node: Customer cursor: String! }
type Customer { id: ID! name: String! invoices(first: Int): InvoiceConnection! contacts: [Contact!] group: Group }
type Group { customers: [Customer!] }
type Contact { id: ID! }
type InvoiceConnection { edges: [InvoiceEdge] }
type InvoiceEdge { node: Invoice }
type Invoice { id: ID! customer: Customer! }
`

func TestCost(t *testing.T) {
	schema := gqlparser.MustLoadSchema(&ast.Source{Input: sdl})
	m := &gqlcost.Model{DefaultPage: 50, DefaultListCap: 500, ListCap: map[string]int{"Group.customers": 500},
		FieldCost: map[string]int{"Query.reports": 1000, "Query.__schema": 1000}, Schema: schema}
	cost := func(q string, vars map[string]any) int {
		doc, errs := gqlparser.LoadQuery(schema, q)
		if errs != nil {
			t.Fatalf("%s: %v", q, errs)
		}
		return m.Cost(doc.Operations[0], vars)
	}
	for _, c := range []struct {
		q    string
		vars map[string]any
		want int
	}{
		{`{ customer(id: "c") { id name } }`, nil, 1},
		// connection 1 + pageInfo 1 + edges (1 + 100 × (edge 1 + node 1)); scalars cost 0
		{`{ customers(first: 100) { totalCount pageInfo { hasNextPage } edges { cursor node { id } } } }`, nil, 1 + 1 + 1 + 100*2},
		{`query($n: Int) { customers(first: $n) { edges { node { id } } } }`, map[string]any{"n": int64(7)}, 1 + 1 + 7*2},
		// no first: the default page
		{`{ customers { edges { node { id } } } }`, nil, 1 + 1 + 50*2},
		// a plain list costs its cap
		{`{ customer(id: "c") { contacts { id } } }`, nil, 1 + 1 + 500},
		{`{ nodes(ids: ["a", "b", "c"]) { id } }`, nil, 1 + 3},
		{`{ a: reports(type: "x") b: reports(type: "y") }`, nil, 2000},
		// introspection costs its own price, whatever it lists
		{`{ __schema { types { name fields { name args { name } } } } }`, nil, 1000},
		// the nested document: 100 × 100 × 100 invoices
		{`{ customers(first: 100) { edges { node { invoices(first: 100) { edges { node { customer { invoices(first: 100) { edges { node { id } } } } } } } } } } }`, nil,
			2050402},
	} {
		if got := cost(c.q, c.vars); got != c.want {
			t.Errorf("%s: cost %d, want %d", c.q, got, c.want)
		}
	}
	// The cycle through an unpaginated list grows by 500 per level and
	// saturates instead of overflowing.
	q := `{ customer(id: "c") { group { customers { group { customers { group { customers { group { customers { group { customers { id } } } } } } } } } } } }`
	if got := cost(q, nil); got < 500*500*500 {
		t.Errorf("cycle cost %d, want it priced per level", got)
	}
}

func BenchmarkCheckFragmentBomb(b *testing.B) {
	doc := parse(b, fragmentBomb(30))
	for b.Loop() {
		if gqlcost.CheckDocument(doc, limits) == nil {
			b.Fatal("accepted")
		}
	}
}
