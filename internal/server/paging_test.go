package server_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/bigledger/bigledger/internal/benchdata"
	"github.com/bigledger/bigledger/internal/ledger"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

// smallSpec is the bench data set at test size: every list has ties on
// dates and amounts, and fits one page of 100.
var smallSpec = benchdata.Spec{Customers: 30, ContactsEach: 2, Groups: 4, Invoices: 60, LinesEach: 3,
	Payments: 25, Quotes: 20, Orders: 20, Items: 40, Seed: 7}

func loadBenchData(t *testing.T, e *tk.Env, tn tk.Tenant, spec benchdata.Spec) *benchdata.Stats {
	t.Helper()
	st, err := benchdata.Load(context.Background(), e.DB, tn.CompanyID, spec)
	if err != nil {
		t.Fatalf("load bench data: %v", err)
	}
	return st
}

// The bench data loader writes rows the API reads back as it would its
// own: totals, lines, payments and customer figures agree, the ledger's
// invariants hold, and new documents number after the loaded ones.
func TestBenchDataReadsBack(t *testing.T) {
	e := tk.New(t)
	st := loadBenchData(t, e, e.A, smallSpec)
	if err := ledger.Verify(e.Ctx(e.A)); err != nil {
		t.Fatalf("ledger invariants on loaded data: %v", err)
	}
	d := e.MustGQL(e.A, `{ customers(first: 1) { totalCount } invoices(first: 100, orderBy: [{field: INVOICE_NUMBER, direction: ASC}]) { totalCount edges { node {
		id invoiceNumber status total amountDue amountPaid customer { id } items { quantity unitPrice lineTotal taxAmount } payments { amount } } } } }`, nil)
	if n := tk.Get(d, "customers", "totalCount"); n != float64(smallSpec.Customers) {
		t.Fatalf("customers totalCount %v", n)
	}
	edges := tk.Get(d, "invoices", "edges").([]any)
	if len(edges) != smallSpec.Invoices || tk.Get(d, "invoices", "totalCount") != float64(smallSpec.Invoices) {
		t.Fatalf("invoices: %d edges", len(edges))
	}
	paid := 0
	for _, ed := range edges {
		n := tk.Get(ed, "node").(map[string]any)
		items := n["items"].([]any)
		if len(items) != smallSpec.LinesEach {
			t.Fatalf("%s has %d lines", n["invoiceNumber"], len(items))
		}
		var sum float64
		for _, it := range items {
			var lt, tax float64
			fmt.Sscan(tk.Str(it, "lineTotal"), &lt)
			fmt.Sscan(tk.Str(it, "taxAmount"), &tax)
			sum += lt + tax
		}
		var total float64
		fmt.Sscan(n["total"].(string), &total)
		if fmt.Sprintf("%.2f", sum) != fmt.Sprintf("%.2f", total) {
			t.Fatalf("%s: lines add to %.2f, total %s", n["invoiceNumber"], sum, n["total"])
		}
		if n["status"] == "paid" {
			paid++
			if n["amountDue"] != "0.00" || len(n["payments"].([]any)) != 1 || tk.Str(n["payments"], 0, "amount") != n["total"] {
				t.Fatalf("paid invoice %v", n)
			}
		}
	}
	if paid != st.Paid || paid != smallSpec.Payments {
		t.Fatalf("%d paid invoices, loader paid %d", paid, st.Paid)
	}
	// The API's own numbering continues after the loaded data.
	cu := e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "After load", "email": "after@example.com"})
	if cu.Status != 201 || tk.Str(cu.Body, "data", "customerNumber") != fmt.Sprintf("CUST-%04d", smallSpec.Customers+1) {
		t.Fatalf("new customer after load: %d %s", cu.Status, cu.Raw)
	}
	// B sees none of it.
	if n := tk.Get(e.MustGQL(e.B, `{ invoices(first: 1) { totalCount } }`, nil), "invoices", "totalCount"); n != float64(0) {
		t.Fatalf("B sees %v of A's invoices", n)
	}
}

// connectionSpec is a top-level connection with an orderBy argument, read
// from the schema by introspection so a new connection or order field is
// covered without touching this test.
type connectionSpec struct {
	name, orderType string
	list            bool
	fields          []string
}

func orderedConnections(t *testing.T, e *tk.Env) []connectionSpec {
	d := e.MustGQL(e.A, `{ __schema { queryType { fields { name type { kind name ofType { name } } args { name type { kind name ofType { kind name ofType { kind name ofType { name } } } } } } } } }`, nil)
	var out []connectionSpec
	for _, f := range tk.Get(d, "__schema", "queryType", "fields").([]any) {
		name := tk.Str(f, "name")
		typeName := tk.Str(f, "type", "ofType", "name")
		if !strings.HasSuffix(typeName, "Connection") {
			continue
		}
		for _, a := range tk.Get(f, "args").([]any) {
			if tk.Str(a, "name") != "orderBy" {
				continue
			}
			c := connectionSpec{name: name}
			ty := tk.Get(a, "type").(map[string]any)
			if ty["kind"] == "LIST" {
				c.list = true
				c.orderType = tk.Str(ty, "ofType", "ofType", "name")
			} else {
				c.orderType = tk.Str(ty, "name")
			}
			enum := e.MustGQL(e.A, `query($n: String!) { __type(name: $n) { enumValues { name } } }`, map[string]any{"n": c.orderType + "Field"})
			for _, v := range tk.Get(enum, "__type", "enumValues").([]any) {
				c.fields = append(c.fields, tk.Str(v, "name"))
			}
			out = append(out, c)
		}
	}
	return out
}

func pageIDs(t *testing.T, e *tk.Env, c connectionSpec, order map[string]any, first int, after string) (ids []string, next string, more bool) {
	t.Helper()
	argType := c.orderType
	var ord any = order
	if c.list {
		argType = "[" + c.orderType + "!]"
		ord = []any{order}
	}
	q := fmt.Sprintf(`query($first: Int, $after: Cursor, $o: %s) { %s(first: $first, after: $after, orderBy: $o) { pageInfo { hasNextPage endCursor } edges { node { id } } } }`, argType, c.name)
	vars := map[string]any{"first": first, "o": ord}
	if after != "" {
		vars["after"] = after
	}
	r := e.GQL(e.A, q, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("%s ordered by %v after %q: %s", c.name, order, after, r.Raw)
	}
	for _, ed := range tk.Get(r.Data, c.name, "edges").([]any) {
		ids = append(ids, tk.Str(ed, "node", "id"))
	}
	next, _ = tk.Get(r.Data, c.name, "pageInfo", "endCursor").(string)
	return ids, next, tk.Get(r.Data, c.name, "pageInfo", "hasNextPage") == true
}

// Every order field of every connection pages with cursors in both
// directions: walking pages of 7 yields exactly the rows of one large
// page, in the same order. (Date and Decimal fields used to answer
// INTERNAL_ERROR on the second page.)
func TestCursorsWorkForEveryOrderField(t *testing.T) {
	e := tk.New(t)
	loadBenchData(t, e, e.A, smallSpec)
	conns := orderedConnections(t, e)
	seen := map[string]bool{}
	for _, c := range conns {
		seen[c.name] = true
	}
	for _, want := range []string{"customers", "invoices", "quotes", "salesOrders", "payments", "accounts", "journalEntries", "items"} {
		if !seen[want] {
			t.Fatalf("connection %s not found by introspection (found %v)", want, conns)
		}
	}
	for _, c := range conns {
		for _, field := range c.fields {
			for _, dir := range []string{"ASC", "DESC"} {
				order := map[string]any{"field": field, "direction": dir}
				all, _, more := pageIDs(t, e, c, order, 100, "")
				if more || len(all) == 0 {
					t.Fatalf("%s: %d rows, more=%v: the test data must fill one page", c.name, len(all), more)
				}
				var walked []string
				after := ""
				for range 100 {
					ids, next, more := pageIDs(t, e, c, order, 7, after)
					walked = append(walked, ids...)
					if !more {
						break
					}
					after = next
				}
				if !slices.Equal(walked, all) {
					t.Fatalf("%s by %s %s: paging gave %d rows, one page %d (first difference at %d)", c.name, field, dir, len(walked), len(all), firstDiff(walked, all))
				}
			}
		}
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// A cursor that is malformed, tampered with or made for another ordering
// is the client's mistake: a validation error on the argument, not a 500.
func TestBadCursorsAreBadInput(t *testing.T) {
	e := tk.New(t)
	loadBenchData(t, e, e.A, smallSpec)
	d := e.MustGQL(e.A, `{ invoices(first: 2, orderBy: [{field: TOTAL, direction: DESC}]) { pageInfo { endCursor } edges { node { id } } } }`, nil)
	totalCursor := tk.Str(d, "invoices", "pageInfo", "endCursor")
	d = e.MustGQL(e.A, `{ invoices(first: 2, orderBy: [{field: INVOICE_DATE, direction: DESC}]) { pageInfo { endCursor } edges { node { id } } } }`, nil)
	dateCursor := tk.Str(d, "invoices", "pageInfo", "endCursor")
	d = e.MustGQL(e.A, `{ accounts(first: 2, orderBy: {field: CODE, direction: ASC}) { pageInfo { endCursor } edges { node { id } } } }`, nil)
	codeCursor := tk.Str(d, "accounts", "pageInfo", "endCursor")

	for _, tc := range []struct {
		name, query, cursor string
	}{
		{"garbage", `invoices(first: 2, after: $c)`, "not-a-cursor"},
		{"base64 of nothing useful", `invoices(first: 2, after: $c)`, "AAAA"},
		{"decimal cursor on a date order", `invoices(first: 2, after: $c, orderBy: [{field: INVOICE_DATE, direction: DESC}])`, totalCursor},
		{"date cursor on a decimal order", `invoices(first: 2, after: $c, orderBy: [{field: TOTAL, direction: DESC}])`, dateCursor},
		{"ordered cursor on the default order", `invoices(first: 2, after: $c)`, dateCursor},
		{"single-order cursor on a list order", `invoices(first: 2, after: $c, orderBy: [{field: TOTAL, direction: DESC}])`, codeCursor},
		{"before", `invoices(last: 2, before: $c, orderBy: [{field: INVOICE_DATE, direction: ASC}])`, totalCursor},
		{"string cursor on a date order", `quotes(first: 2, after: $c, orderBy: [{field: QUOTE_DATE, direction: ASC}])`, codeCursor},
	} {
		r := e.GQL(e.A, `query($c: Cursor) { `+tc.query+` { edges { node { id } } } }`, map[string]any{"c": tc.cursor})
		if len(r.Errors) == 0 {
			t.Fatalf("%s: accepted: %s", tc.name, r.Raw)
		}
		if code := r.Errors[0].Code(); code == "INTERNAL_ERROR" || code == "" {
			t.Fatalf("%s: answered %q: %s", tc.name, code, r.Raw)
		}
		if strings.Contains(string(r.Raw), "pq:") || strings.Contains(string(r.Raw), "sql:") {
			t.Fatalf("%s: driver text leaked: %s", tc.name, r.Raw)
		}
	}
	// A cursor only positions a list: B paging with A's cursor reads B's
	// rows (none of A's), in GraphQL and REST.
	e.SeedCustomers(e.B, 3, 0, 0)
	r := e.GQL(e.B, `query($c: Cursor) { invoices(first: 5, after: $c, orderBy: [{field: INVOICE_DATE, direction: DESC}]) { edges { node { id } } } }`, map[string]any{"c": dateCursor})
	if len(r.Errors) > 0 || len(tk.Get(r.Data, "invoices", "edges").([]any)) != 0 {
		t.Fatalf("B with A's cursor: %s", r.Raw)
	}
	d = e.MustGQL(e.A, `{ customers(first: 1, orderBy: [{field: NAME, direction: ASC}]) { pageInfo { endCursor } edges { node { id } } } }`, nil)
	rb := e.Do(e.B, "GET", "/api/v1/customers?limit=10&sort=name:asc&cursor="+url.QueryEscape(tk.Str(d, "customers", "pageInfo", "endCursor")), nil)
	if rb.Status != 200 || strings.Contains(string(rb.Raw), "Sdn Bhd") {
		t.Fatalf("B with A's REST cursor: %d %s", rb.Status, rb.Raw)
	}
	// REST: the same cursors as `cursor`, 400 naming the parameter.
	for _, c := range []string{"not-a-cursor", totalCursor, codeCursor} {
		r := e.Do(e.A, "GET", "/api/v1/invoices?limit=2&sort=invoiceDate:desc&cursor="+url.QueryEscape(c), nil)
		if r.Status != 400 || tk.Str(r.Body, "error", "details", 0, "field") != "cursor" {
			t.Fatalf("REST bad cursor %q: %d %s", c, r.Status, r.Raw)
		}
	}
}

// REST lists page with cursors under every sort they offer, in both
// directions, like GraphQL (the REST twin of the date-cursor crash).
func TestRESTCursorsWorkForEverySort(t *testing.T) {
	e := tk.New(t)
	loadBenchData(t, e, e.A, smallSpec)
	for path, sorts := range map[string][]string{
		"/api/v1/invoices":  {"invoiceDate", "dueDate", "total", "amountDue", "invoiceNumber", "createdAt"},
		"/api/v1/customers": {"name", "totalSales", "currentBalance", "customerNumber", "createdAt"},
		"/api/v1/quotes":    {"quoteDate", "validUntil", "total"},
	} {
		for _, s := range sorts {
			for _, dir := range []string{"asc", "desc"} {
				one := e.Do(e.A, "GET", fmt.Sprintf("%s?limit=100&sort=%s:%s", path, s, dir), nil)
				if one.Status != 200 {
					t.Fatalf("%s sort=%s:%s: %d %s", path, s, dir, one.Status, one.Raw)
				}
				var all, walked []string
				for _, row := range one.Body["data"].([]any) {
					all = append(all, tk.Str(row, "id"))
				}
				cursor := ""
				for range 100 {
					u := fmt.Sprintf("%s?limit=7&sort=%s:%s", path, s, dir)
					if cursor != "" {
						u += "&cursor=" + url.QueryEscape(cursor)
					}
					r := e.Do(e.A, "GET", u, nil)
					if r.Status != 200 {
						t.Fatalf("%s: %d %s", u, r.Status, r.Raw)
					}
					for _, row := range r.Body["data"].([]any) {
						walked = append(walked, tk.Str(row, "id"))
					}
					if tk.Get(r.Body, "pagination", "hasMore") != true {
						break
					}
					cursor = tk.Str(r.Body, "pagination", "nextCursor")
				}
				if len(all) == 0 || !slices.Equal(walked, all) {
					t.Fatalf("%s sort=%s:%s: paged %d rows, one page %d", path, s, dir, len(walked), len(all))
				}
			}
		}
	}
}
