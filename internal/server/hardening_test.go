package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/graph"
	"github.com/bigledger/bigledger/internal/crm"
	"github.com/bigledger/bigledger/internal/ledger"
	"github.com/bigledger/bigledger/internal/server"
	tk "github.com/bigledger/bigledger/internal/testkit"
	"github.com/bigledger/bigledger/rest"
)

// production starts an environment as `make run` serves in production:
// no development conveniences (introspection, suggestions).
func production(t *testing.T) *tk.Env {
	return tk.New(t, tk.Options{Server: func(o *server.Options) { o.Development = false }})
}

func fragmentBomb(n int) string {
	var b strings.Builder
	b.WriteString("query { ...F0 }\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on Query { customers(first: 1) { totalCount } }\n", n)
	return b.String()
}

func repeat(n int, f func(i int) string) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(f(i))
		b.WriteByte(' ')
	}
	return b.String()
}

// Each document of the adversarial pass is refused with a code before it
// costs anything: no SQL statement runs and the server allocates a few
// megabytes at most (the 2³⁰ fragment bomb kept a core busy for minutes,
// the nested invoices(first:100) grew the process by 2.3 GB).
func TestHostileDocumentsRefusedBeforeWork(t *testing.T) {
	e := production(t)
	e.MustGQL(e.A, `{ customers(first: 1) { totalCount } }`, nil) // the key is cached from here on
	nested := `{ customers(first: 100) { edges { node { invoices(first: 100) { edges { node { customer { invoices(first: 100) { edges { node { id total } } } } } } } } } } }`
	for _, c := range []struct{ name, doc, code string }{
		{"nested invoices(first:100) ×3", nested, "COMPLEXITY_LIMIT_EXCEEDED"},
		{"depth-4 nesting of the same", `{ customers(first: 100) { edges { node { invoices(first: 100) { edges { node { customer { invoices(first: 100) { edges { node { customer { invoices(first: 100) { edges { node { id } } } } } } } } } } } } } } }`, "COMPLEXITY_LIMIT_EXCEEDED"},
		{"group cycle without first, depth 3", `{ customerGroups(first: 1) { edges { node { customers { group { customers { group { customers { id name } } } } } } } } }`, "COMPLEXITY_LIMIT_EXCEEDED"},
		{"unpaginated lists at their cap", `{ customerGroups(first: 100) { edges { node { customers { contacts { id } } } } } }`, "COMPLEXITY_LIMIT_EXCEEDED"},
		{"fragment bomb 2^22", fragmentBomb(22), "QUERY_TOO_LARGE"},
		{"fragment bomb 2^30", fragmentBomb(30), "QUERY_TOO_LARGE"},
		{"19,000 duplicated fields", `{ customers(first: 1) { edges { node { ` + strings.Repeat("name ", 19000) + `} } } }`, "QUERY_TOO_LARGE"},
		{"1,000 aliases of __schema", "{" + repeat(1000, func(i int) string { return fmt.Sprintf("s%d: __schema { types { name fields { name } } }", i) }) + "}", "QUERY_TOO_LARGE"},
		{"1,000 aliases of a report", "{" + repeat(1000, func(i int) string { return fmt.Sprintf("r%d: reports(type: AR_AGING) { __typename }", i) }) + "}", "QUERY_TOO_LARGE"},
		{"11 reports", "{" + repeat(11, func(i int) string { return fmt.Sprintf("r%d: reports(type: AR_AGING) { __typename }", i) }) + "}", "COMPLEXITY_LIMIT_EXCEEDED"},
		{"30 levels", "{ customers(first: 1) { edges { node { " + strings.Repeat("group { customers { ", 15) + "id" + strings.Repeat(" } }", 15) + " } } } }", "QUERY_TOO_LARGE"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var r tk.GQLResponse
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			start := time.Now()
			n := e.CountQueries(func() { r = e.GQL(e.A, c.doc, nil) })
			elapsed := time.Since(start)
			runtime.ReadMemStats(&ms1)
			if len(r.Errors) != 1 || r.Errors[0].Code() != c.code || r.Data != nil {
				t.Fatalf("want one %s error and no data, got status %d: %.400s", c.code, r.Status, r.Raw)
			}
			if n != 0 {
				t.Errorf("%d SQL statements ran for a refused document", n)
			}
			// The whole round trip (client encoding and decoding included)
			// stays within a few MB; the documents above cost gigabytes.
			if alloc := ms1.TotalAlloc - ms0.TotalAlloc; alloc > 64<<20 {
				t.Errorf("refusing allocated %d MB", alloc>>20)
			}
			t.Logf("refused in %v: %s", elapsed, r.Errors[0].Message)
		})
	}
	// What a screen asks stays within budget: a full page of invoices
	// with their lines and payments, the customer list with contacts.
	e.MustGQL(e.A, `{ invoices(first: 100) { totalCount edges { node { id total items { quantity unitPrice } payments { amount } allocations { amount } customer { name } } } } }`, nil)
	e.MustGQL(e.A, `{ customers(first: 100) { edges { node { id name contacts { name email } invoices(first: 10) { edges { node { id total } } } } } } }`, nil)
	e.MustGQL(e.A, `query($n: Int) { customerGroups(first: $n) { edges { node { customers { id } } } } }`, map[string]any{"n": 100})
}

// Introspection answers only where it is enabled: development, or
// production with BIGLEDGER_GRAPHQL_INTROSPECTION=true.
func TestIntrospectionPolicy(t *testing.T) {
	q := `{ __schema { queryType { name } } }`
	e := production(t)
	r := e.GQL(e.A, q, nil)
	if len(r.Errors) == 0 || r.Data["__schema"] != nil {
		t.Fatalf("production answered introspection: %s", r.Raw)
	}
	on := tk.New(t, tk.Options{Server: func(o *server.Options) { o.Development = false; o.Introspection = true }})
	if d := on.MustGQL(on.A, q, nil); tk.Str(d, "__schema", "queryType", "name") != "Query" {
		t.Fatalf("introspection enabled: %v", d)
	}
	// The GraphiQL introspection query fits the document budget.
	on.MustGQL(on.A, graphiQLIntrospection, nil)
}

// A plain-list edge loads at most ent.ListEdgeLimit rows per parent, the
// first by id, in one statement for the whole page of parents.
func TestListEdgesCappedPerParent(t *testing.T) {
	e := tk.New(t)
	ctx := e.Ctx(e.A)
	var groups []*ent.CustomerGroup
	for _, name := range []string{"Big", "Small"} {
		g, err := crm.CreateCustomerGroup(ctx, ent.CreateCustomerGroupInput{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		groups = append(groups, g)
	}
	big, small := groups[0], groups[1]
	var first string
	for i := 0; i < ent.ListEdgeLimit+3; i++ {
		g := big.ID
		if i%200 == 199 {
			g = small.ID
		}
		email := fmt.Sprintf("c%04d@example.com", i)
		c, err := crm.CreateCustomer(ctx, ent.CreateCustomerInput{Name: fmt.Sprintf("C%04d", i), Email: &email, GroupID: &g})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = string(c.ID)
		}
	}
	var d map[string]any
	n := e.CountQueries(func() {
		d = e.MustGQL(e.A, `{ customerGroups(first: 10, orderBy: {field: NAME}) { edges { node { name customers { id } } } } }`, nil)
	})
	bigList := tk.Get(d, "customerGroups", "edges", 0, "node", "customers").([]any)
	smallList := tk.Get(d, "customerGroups", "edges", 1, "node", "customers").([]any)
	if len(bigList) != ent.ListEdgeLimit || len(smallList) != 2 {
		t.Fatalf("big group lists %d customers, small %d; want %d and 2", len(bigList), len(smallList), ent.ListEdgeLimit)
	}
	if tk.Str(bigList[0], "id") != first {
		t.Errorf("the cap keeps the first customers by id: got %v first", bigList[0])
	}
	if n > 3 {
		t.Errorf("%d statements for a page of groups with their customers", n)
	}
	one := e.MustGQL(e.A, `query($id: ID!) { customerGroup(id: $id) { customers { id } } }`, map[string]any{"id": string(big.ID)})
	if got := len(tk.Get(one, "customerGroup", "customers").([]any)); got != ent.ListEdgeLimit {
		t.Fatalf("customerGroup(id) lists %d customers, want %d", got, ent.ListEdgeLimit)
	}
}

const graphiQLIntrospection = `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}`

// nodeTables maps every Node type to its table, for the scope test.
var nodeTables = map[string]string{
	"Account": "accounts", "Attachment": "attachments", "Company": "companies", "Contact": "contacts",
	"Customer": "customers", "CustomerGroup": "customer_groups", "Invoice": "invoices", "InvoiceItem": "invoice_items",
	"Item": "items", "JournalEntry": "journal_entries", "LedgerEntry": "ledger_entries", "Payment": "payments",
	"PaymentAllocation": "payment_allocations", "Quote": "quotes", "QuoteItem": "quote_items", "SalesOrder": "sales_orders",
	"SalesOrderItem": "sales_order_items", "TaxCode": "tax_codes", "User": "users",
}

// nodeScope is the read scope each Node type's own query field demands.
var nodeScope = map[string]string{
	"Account": "ledger:read", "Attachment": "invoices:read", "Company": "", "Contact": "customers:read",
	"Customer": "customers:read", "CustomerGroup": "customers:read", "Invoice": "invoices:read", "InvoiceItem": "invoices:read",
	"Item": "items:read", "JournalEntry": "ledger:read", "LedgerEntry": "ledger:read", "Payment": "payments:read",
	"PaymentAllocation": "payments:read", "Quote": "quotes:read", "QuoteItem": "quotes:read", "SalesOrder": "sales_orders:read",
	"SalesOrderItem": "sales_orders:read", "TaxCode": "items:read", "User": "",
}

// scopeAllows: a key's scope grants need ("" needs nothing; write
// implies read).
func scopeAllows(scope, need string) bool {
	return need == "" || need == scope || strings.TrimSuffix(need, ":read")+":write" == scope
}

// node(id:) and nodes(ids:) demand, of every Node type, the scope its own
// query field demands, under every single-scope key (a customers:read key
// read payments, accounts and journal entries through node()).
func TestNodeScopesForEveryType(t *testing.T) {
	e := tk.New(t)
	// One of everything: a quote converted to an order, invoiced, paid,
	// with an attachment, a group and a contact.
	c := gqlCreateCustomer(t, e, e.A, map[string]any{"name": "Scoped Co", "email": "s@x.co"})
	e.MustGQL(e.A, `mutation($c: ID!) { createContact(input: {customerID: $c, name: "Pat"}) { id } createCustomerGroup(input: {name: "G"}) { id } createItem(input: {code: "W", name: "Widget", unitPrice: "5.00"}) { id } }`, map[string]any{"c": c["id"]})
	q := e.MustGQL(e.A, `mutation($in: QuoteInput!) { createQuote(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"customerId": c["id"], "items": []map[string]any{{"description": "X", "quantity": "1", "unitPrice": "100.00"}}}})
	qid := map[string]any{"id": tk.Get(q, "createQuote", "id")}
	e.MustGQL(e.A, `mutation($id: ID!) { sendQuote(id: $id, input: {to: ["s@x.co"]}) { status } }`, qid)
	e.MustGQL(e.A, `mutation($id: ID!) { acceptQuote(id: $id, acceptedBy: "Pat") { status } }`, qid)
	so := e.MustGQL(e.A, `mutation($id: ID!) { convertQuoteToOrder(id: $id) { id } }`, qid)
	soID := map[string]any{"id": tk.Get(so, "convertQuoteToOrder", "id")}
	inv := e.MustGQL(e.A, `mutation($id: ID!) { convertSalesOrderToInvoice(id: $id) { id } }`, soID)
	invID := tk.Str(inv, "convertSalesOrderToInvoice", "id")
	e.MustGQL(e.A, `mutation($id: ID!) { issueInvoice(id: $id) { status } }`, map[string]any{"id": invID})
	e.MustGQL(e.A, `mutation($id: ID!) { recordPayment(invoiceId: $id, input: {amount: "10.00", paymentMethod: bank_transfer}) { id } }`, map[string]any{"id": invID})
	if r := upload(t, e, e.A, "/api/v1/invoices/"+invID+"/attachments", "po.pdf", "application/pdf", []byte("%PDF-1.4\nx")); r.Status != 201 {
		t.Fatalf("upload: %d %s", r.Status, r.Raw)
	}
	ids := map[string]string{}
	for typ, table := range nodeTables {
		col := "company_id"
		if table == "companies" {
			col = "id"
		}
		var id string
		if err := e.DB.QueryRow(`SELECT id FROM `+table+` WHERE `+col+` = $1 ORDER BY id LIMIT 1`, e.A.CompanyID).Scan(&id); err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		ids[typ] = id
	}
	for _, scope := range []string{"customers:read", "items:read", "invoices:read", "quotes:read", "sales_orders:read", "payments:read", "ledger:read", "webhooks:read", "customers:write"} {
		key := tk.Tenant{Key: e.NewKeyFor(e.A, scope), CompanyID: e.A.CompanyID}
		all := make([]any, 0, len(ids))
		var types []string
		for typ, id := range ids {
			all = append(all, id)
			types = append(types, typ)
			allowed := scopeAllows(scope, nodeScope[typ])
			r := e.GQL(key, `query($id: ID!) { node(id: $id) { id __typename } }`, map[string]any{"id": id})
			got := tk.Str(r.Data, "node", "id") == id
			if got != allowed {
				t.Errorf("%s key, node(%s): read=%v, want %v (%s)", scope, typ, got, allowed, r.Raw)
			}
			if !allowed && (len(r.Errors) != 1 || r.Errors[0].Code() != "PERMISSION_DENIED") {
				t.Errorf("%s key, node(%s): want PERMISSION_DENIED, got %s", scope, typ, r.Raw)
			}
		}
		r := e.GQL(key, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": all})
		list, _ := tk.Get(r.Data, "nodes").([]any)
		if len(list) != len(all) {
			t.Fatalf("%s key, nodes: %s", scope, r.Raw)
		}
		denied := 0
		for i, typ := range types {
			allowed := scopeAllows(scope, nodeScope[typ])
			if got := list[i] != nil; got != allowed {
				t.Errorf("%s key, nodes[%d] (%s): read=%v, want %v", scope, i, typ, got, allowed)
			}
			if !allowed {
				denied++
			}
		}
		if len(r.Errors) != denied {
			t.Errorf("%s key, nodes: %d errors for %d refused nodes", scope, len(r.Errors), denied)
		}
	}
	// Ids of entities that are not Node types answer as not found.
	var keyID string
	if err := e.DB.QueryRow(`SELECT id FROM api_keys WHERE company_id = $1 LIMIT 1`, e.A.CompanyID).Scan(&keyID); err != nil {
		t.Fatal(err)
	}
	if r := e.GQL(e.A, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": keyID}); r.Data["node"] != nil || len(r.Errors) != 1 || r.Errors[0].Code() != "NOT_FOUND" {
		t.Errorf("node(api key): %s", r.Raw)
	}
}

// A search or filter string is bounded (a 50,000-character search took
// 4.4 s per request and starved every tenant): both faces refuse it as
// bad input naming the parameter, before any SQL.
func TestLongSearchRefused(t *testing.T) {
	e := tk.New(t)
	long := strings.Repeat("a", 50000)
	for _, path := range []string{"/api/v1/customers?limit=1&search=", "/api/v1/invoices?search=", "/api/v1/items?search=", "/api/v1/customers?name[contains]="} {
		var r tk.Response
		n := e.CountQueries(func() { r = e.Do(e.A, "GET", path+long, nil) })
		field := strings.TrimSuffix(path[strings.LastIndexAny(path, "?&")+1:], "=")
		if r.Status != 400 || tk.Str(r.Body, "error", "details", 0, "field") != field {
			t.Errorf("%s…: %d %.300s", path, r.Status, r.Raw)
		}
		if n > 1 {
			t.Errorf("%s…: %d statements", path, n)
		}
	}
	if r := e.Do(e.A, "GET", "/api/v1/customers?search="+strings.Repeat("é", 200), nil); r.Status != 200 {
		t.Errorf("200 characters refused: %d %s", r.Status, r.Raw)
	}
	for q, field := range map[string]string{
		`query($s: String) { customers(first: 1, search: $s) { totalCount } }`:                            "search",
		`query($s: String) { invoices(first: 1, where: {referenceContains: $s}) { totalCount } }`:         "where.referenceContains",
		`query($s: String) { customers(first: 1, where: {or: [{nameContainsFold: $s}]}) { totalCount } }`: "where.or[0].nameContainsFold",
	} {
		r := e.GQL(e.A, q, map[string]any{"s": long})
		if len(r.Errors) != 1 || r.Errors[0].Code() != "VALIDATION_ERROR" || tk.Str(r.Errors[0].Extensions, "details", 0, "field") != field {
			t.Errorf("%s: %.300s", q, r.Raw)
		}
	}
}

// A statement that outlives its request's time budget is cancelled in
// PostgreSQL (not merely abandoned), answers 503 REQUEST_TIMEOUT and
// writes nothing; meanwhile one company's burst of stuck requests holds at
// most its share of the pool, so another company's request answers while
// they are still stuck.
func TestSlowStatementsCancelledAndTenantsIsolated(t *testing.T) {
	e := tk.New(t, tk.Options{Server: func(o *server.Options) {
		o.RequestTimeout = 3 * time.Second
		o.InFlightPerCompany = 4
	}})
	loadBenchData(t, e, e.A, smallSpec)
	d := e.MustGQL(e.A, `{ invoices(first: 1, where: {status: sent}) { edges { node { id amountPaid } } } }`, nil)
	inv := tk.Str(d, "invoices", "edges", 0, "node", "id")
	paid := tk.Str(d, "invoices", "edges", 0, "node", "amountPaid")

	// Hold the invoice's row lock: every payment on it waits.
	tx, err := e.DB.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`SELECT 1 FROM invoices WHERE id = $1 FOR UPDATE`, inv); err != nil {
		t.Fatal(err)
	}
	const stuck = 12
	answers := make(chan tk.Response, stuck)
	for i := 0; i < stuck; i++ {
		go func() {
			answers <- e.Do(e.A, "POST", "/api/v1/invoices/"+inv+"/payments", map[string]any{"amount": "1.00"})
		}()
	}
	// Wait until A's requests are blocked in PostgreSQL.
	deadline := time.Now().Add(5 * time.Second)
	for {
		var waiting int
		_ = e.DB.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`).Scan(&waiting)
		if waiting >= 4 {
			if waiting > 4 {
				t.Errorf("%d of A's statements hold connections at once; the company's share is 4", waiting)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("A's payments never blocked (%d waiting)", waiting)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// B answers while all of A's requests are still stuck.
	if r := e.Do(e.B, "GET", "/api/v1/customers?limit=1", nil); r.Status != 200 {
		t.Fatalf("B's list: %d %s", r.Status, r.Raw)
	}
	if n := len(answers); n != 0 {
		t.Fatalf("%d of A's stuck requests answered before B's did", n)
	}
	for i := 0; i < stuck; i++ {
		r := <-answers
		if r.Status != 503 || tk.Str(r.Body, "error", "code") != "REQUEST_TIMEOUT" {
			t.Errorf("stuck payment: %d %s", r.Status, r.Raw)
		}
	}
	// Cancelled in PostgreSQL: nothing waits on the lock any more.
	var waiting int
	_ = e.DB.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`).Scan(&waiting)
	if waiting != 0 {
		t.Errorf("%d statements still wait after their requests timed out", waiting)
	}
	_ = tx.Rollback()
	after := e.MustGQL(e.A, `query($id: ID!) { invoice(id: $id) { amountPaid payments { id } } }`, map[string]any{"id": inv})
	if tk.Str(after, "invoice", "amountPaid") != paid {
		t.Errorf("a timed-out payment was written: amountPaid %s, was %s", tk.Str(after, "invoice", "amountPaid"), paid)
	}
}

// Client mistakes are coded client errors, never INTERNAL_ERROR, and no
// request body reaches a response or a log line.
func TestClientMistakesAreCoded(t *testing.T) {
	var logs bytes.Buffer
	var mu sync.Mutex
	e := tk.New(t, tk.Options{Server: func(o *server.Options) {
		o.Logger = slog.New(slog.NewJSONHandler(lockedWriter{&mu, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}})
	secret := "SECRET-CUSTOMER-DATA-" + strings.Repeat("x", 10)
	post := func(body string) (int, []byte) {
		req, _ := http.NewRequest("POST", e.Server.URL+"/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.A.Key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		return res.StatusCode, raw
	}
	code := func(raw []byte) string {
		var out struct {
			Errors []tk.GQLError `json:"errors"`
		}
		_ = json.Unmarshal(raw, &out)
		if len(out.Errors) == 0 {
			return ""
		}
		return out.Errors[0].Code()
	}
	for _, c := range []struct {
		name, body string
		status     int
		code       string
	}{
		{"batched", `[{"query":"{ __typename }","variables":{"s":"` + secret + `"}}]`, 400, "BATCHING_NOT_SUPPORTED"},
		{"malformed JSON", `{"query": "{ __typename }", "variables": {"s": "` + secret + `"`, 400, "BAD_REQUEST"},
		{"query not a string", `{"query": 1, "variables": {"s": "` + secret + `"}}`, 400, "BAD_REQUEST"},
		{"not an object", `"` + secret + `"`, 400, "BAD_REQUEST"},
		{"over the size limit", `{"query":"{ __typename }","variables":{"s":"` + secret + strings.Repeat("a", 2<<20) + `"}}`, 413, "PAYLOAD_TOO_LARGE"},
		{"persisted-query hash mismatch", `{"query":"{ __typename }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}`, 200, "PERSISTED_QUERY_HASH_MISMATCH"},
		{"persisted-query bad version", `{"query":"{ __typename }","extensions":{"persistedQuery":{"version":9,"sha256Hash":"abc"}}}`, 200, "PERSISTED_QUERY_INVALID"},
		{"persisted query unknown", `{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"0000000000000000000000000000000000000000000000000000000000000000"}}}`, 200, "PERSISTED_QUERY_NOT_FOUND"},
	} {
		status, raw := post(c.body)
		if status != c.status || code(raw) != c.code {
			t.Errorf("%s: %d %.300s, want %d %s", c.name, status, raw, c.status, c.code)
		}
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("%s: the answer echoes the request body", c.name)
		}
	}
	// Bad values in good requests: each names its field.
	for _, c := range []struct {
		q     string
		vars  map[string]any
		field string
	}{
		{`{ customers(after: "garbage") { totalCount } }`, nil, "after"},
		{`mutation($v: Map) { createCustomer(input: {name: "X", email: "x@y.z", customFields: $v}) { id } }`, map[string]any{"v": "str"}, "customFields"},
		{`mutation($v: Map) { createCustomer(input: {name: "X", email: "x@y.z", customFields: $v}) { id } }`, map[string]any{"v": 1}, "customFields"},
		{`mutation($v: Map) { createCustomer(input: {name: "X", email: "x@y.z", customFields: $v}) { id } }`, map[string]any{"v": []any{1, 2}}, "customFields"},
		// The GraphQL specification's input coercion: no String from a
		// number, no Int from a string.
		{`mutation($n: String!) { createCustomer(input: {name: $n, email: "x@y.z"}) { id } }`, map[string]any{"n": 123}, "n"},
		{`mutation($in: CreateCustomerInput!) { createCustomer(input: $in) { id } }`, map[string]any{"in": map[string]any{"name": "X", "email": "x@y.z", "paymentTerms": "30"}}, "in.paymentTerms"},
		{`mutation($in: CreateCustomerInput!) { createCustomer(input: $in) { id } }`, map[string]any{"in": map[string]any{"name": 123, "email": "x@y.z"}}, "in.name"},
	} {
		r := e.GQL(e.A, c.q, c.vars)
		if len(r.Errors) != 1 || r.Errors[0].Code() != "VALIDATION_ERROR" || tk.Str(r.Errors[0].Extensions, "details", 0, "field") != c.field {
			t.Errorf("%s %v: %.300s, want VALIDATION_ERROR on %s", c.q, c.vars, r.Raw, c.field)
		}
		if strings.Contains(string(r.Raw), "interface {}") || strings.Contains(string(r.Raw), "json.Number") {
			t.Errorf("%s: Go type names in the answer: %s", c.q, r.Raw)
		}
	}
	if r := e.Do(e.A, "POST", "/api/v1/customers", `{"name":"`+secret+strings.Repeat("a", 2<<20)+`"}`); r.Status != 413 || tk.Str(r.Body, "error", "code") != "PAYLOAD_TOO_LARGE" {
		t.Errorf("REST body over the limit: %d %.300s", r.Status, r.Raw)
	}
	mu.Lock()
	defer mu.Unlock()
	if bytes.Contains(logs.Bytes(), []byte(secret)) {
		t.Errorf("a request body reached the log:\n%.2000s", logs.String())
	}
	if bytes.Contains(logs.Bytes(), []byte(`"level":"ERROR"`)) {
		t.Errorf("client mistakes logged at ERROR:\n%.2000s", logs.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// nul is a string holding U+0000, which PostgreSQL text cannot store.
const nul = "bad\x00value"

// U+0000 in any string or id of any mutation input, in a variable or a
// literal, is a VALIDATION_ERROR naming the field, before any SQL.
func TestNULRefusedGraphQL(t *testing.T) {
	e := tk.New(t)
	schema := e.MustGQL(e.A, `{ __schema { mutationType { fields { name args { name type { ...T } } } }
		types { name kind inputFields { name type { ...T } } } } }
		fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`, nil)
	inputs := map[string][]any{}
	for _, ty := range tk.Get(schema, "__schema", "types").([]any) {
		if tk.Str(ty, "kind") == "INPUT_OBJECT" {
			inputs[tk.Str(ty, "name")] = tk.Get(ty, "inputFields").([]any)
		}
	}
	named := func(t any) (string, string) { // innermost kind and name
		for tk.Get(t, "ofType") != nil {
			t = tk.Get(t, "ofType")
		}
		return tk.Str(t, "kind"), tk.Str(t, "name")
	}
	// paths lists the string/id leaves of an input type, as nested values.
	var paths func(typ string, depth int) []map[string]any
	paths = func(typ string, depth int) []map[string]any {
		var out []map[string]any
		for _, f := range inputs[typ] {
			kind, name := named(tk.Get(f, "type"))
			fname := tk.Str(f, "name")
			switch {
			case kind == "SCALAR" && (name == "String" || name == "ID"):
				out = append(out, map[string]any{fname: nul})
			case kind == "INPUT_OBJECT" && depth < 2:
				for _, sub := range paths(name, depth+1) {
					out = append(out, map[string]any{fname: sub})
				}
			}
		}
		return out
	}
	leaf := func(v any, path string) string {
		for {
			m, ok := v.(map[string]any)
			if !ok {
				return path
			}
			for k, x := range m {
				path, v = path+"."+k, x
			}
		}
	}
	checked := 0
	for _, m := range tk.Get(schema, "__schema", "mutationType", "fields").([]any) {
		for _, a := range tk.Get(m, "args").([]any) {
			kind, name := named(tk.Get(a, "type"))
			var values []any
			switch {
			case kind == "SCALAR" && (name == "String" || name == "ID"):
				values = []any{nul}
			case kind == "INPUT_OBJECT":
				for _, p := range paths(name, 0) {
					values = append(values, p)
				}
			}
			for _, v := range values {
				arg := tk.Str(a, "name")
				q := fmt.Sprintf(`mutation($v: %s) { %s(%s: $v) { __typename } }`, typeString(tk.Get(a, "type")), tk.Str(m, "name"), arg)
				want := leaf(v, "v")
				var r tk.GQLResponse
				_, n := requestStatements(e, func() { r = e.GQL(e.A, q, map[string]any{"v": v}) })
				if len(r.Errors) != 1 || r.Errors[0].Code() != "VALIDATION_ERROR" || tk.Str(r.Errors[0].Extensions, "details", 0, "field") != want || n != 0 {
					t.Errorf("%s(%s) with NUL at %s: %d statements, %.300s", tk.Str(m, "name"), arg, want, n, r.Raw)
				}
				checked++
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d input fields checked", checked)
	}
	t.Logf("%d string and id fields of mutation inputs refuse NUL", checked)
	// A literal in the document, and an id argument of a query.
	r := e.GQL(e.A, `mutation { createCustomer(input: {name: "bad\u0000", email: "x@y.z"}) { id } }`, nil)
	if len(r.Errors) != 1 || tk.Str(r.Errors[0].Extensions, "details", 0, "field") != "input.name" {
		t.Errorf("literal NUL: %s", r.Raw)
	}
	r = e.GQL(e.A, `query($id: ID!) { invoice(id: $id) { id } }`, map[string]any{"id": "inv_01M8CPQW4VH0F48D57AFTW7RCQ\x00"})
	if len(r.Errors) != 1 || r.Errors[0].Code() != "VALIDATION_ERROR" {
		t.Errorf("id with a trailing NUL: %s", r.Raw)
	}
	r = e.GQL(e.A, `query($s: String) { customers(search: $s) { totalCount } }`, map[string]any{"s": "\x00"})
	if len(r.Errors) != 1 || r.Errors[0].Code() != "VALIDATION_ERROR" {
		t.Errorf("search NUL: %s", r.Raw)
	}
}

func typeString(t any) string {
	switch tk.Str(t, "kind") {
	case "NON_NULL":
		return typeString(tk.Get(t, "ofType")) + "!"
	case "LIST":
		return "[" + typeString(tk.Get(t, "ofType")) + "]"
	}
	return tk.Str(t, "name")
}

// The same on the REST face: every route that takes a body refuses NUL in
// it by field, every route with an id refuses an id ending in NUL, and no
// route answers 5xx.
func TestNULRefusedREST(t *testing.T) {
	e := tk.New(t)
	for _, rt := range rest.Routes() {
		path := strings.NewReplacer("{id}", "inv_01M8CPQW4VH0F48D57AFTW7RCQ%00", "{contactId}", "contact_01M8CPQW4VH0F48D57AFTW7RCQ%00").Replace(rt.Path)
		if path != rt.Path {
			r := e.Do(e.A, rt.Method, path, nil)
			named := tk.Str(r.Body, "error", "details", 0, "field") == "id" || tk.Get(r.Body, "errors", "id") != nil // v1, v2 bodies
			if r.Status != badInputStatus(rt.Path) || !named {
				t.Errorf("%s %s with a NUL id: %d %.200s", rt.Method, rt.Path, r.Status, r.Raw)
			}
		}
		if rt.Method == "GET" || rt.Method == "DELETE" || path != rt.Path {
			continue
		}
		r := e.Do(e.A, rt.Method, rt.Path, map[string]any{"name": nul, "description": "ok"})
		if r.Status >= 500 {
			t.Errorf("%s %s with NUL in the body: %d %.200s", rt.Method, rt.Path, r.Status, r.Raw)
		}
		if r.Status == 400 && strings.Contains(string(r.Raw), "Unknown field") {
			t.Errorf("%s %s: NUL not checked before the fields: %.300s", rt.Method, rt.Path, r.Raw)
		}
	}
	c := createCustomerREST(t, e, e.A, map[string]any{"name": "Nul Co", "email": "n@x.co"})
	for _, c := range []struct {
		method, path string
		body         map[string]any
		field        string
	}{
		{"POST", "/api/v1/customers", map[string]any{"name": nul, "email": "a@b.co"}, "name"},
		{"PATCH", "/api/v1/customers/" + c["id"].(string), map[string]any{"notes": nul}, "notes"},
		{"POST", "/api/v1/items", map[string]any{"code": nul, "name": "x", "unitPrice": 1}, "code"},
		{"POST", "/api/v1/invoices", map[string]any{"customerId": c["id"], "items": []map[string]any{{"description": nul, "quantity": 1, "unitPrice": 1}}}, "items[0].description"},
		{"POST", "/api/v1/invoices", map[string]any{"customerId": c["id"].(string) + "\x00", "items": []map[string]any{{"description": "x", "quantity": 1, "unitPrice": 1}}}, "customerId"},
		{"POST", "/api/v1/customers", map[string]any{"name": "x", "email": "a@b.co", "tags": []string{"ok", nul}}, "tags[1]"},
		{"POST", "/api/v2/customers", map[string]any{"account": nul, "email": "a@b.co"}, "account"},
		{"POST", "/api/v2/batch/customers", map[string]any{"customers": []any{map[string]any{"account": "ok", "email": "a@b.co"}, map[string]any{"account": nul}}}, "customers[1].account"},
		{"POST", "/api/v2/invoices", map[string]any{"customer_id": c["id"], "items": []map[string]any{{"description": nul, "amount": 1}}}, "items[0].description"},
	} {
		r := e.Do(e.A, c.method, c.path, c.body)
		field := tk.Str(r.Body, "error", "details", 0, "field")
		if m, ok := r.Body["errors"].(map[string]any); ok && len(m) == 1 { // a v2 body
			for k := range m {
				field = k
			}
		}
		if r.Status != 400 || field != c.field {
			t.Errorf("%s %s: %d %.300s, want 400 on %s", c.method, c.path, r.Status, r.Raw, c.field)
		}
	}
	if r := e.Do(e.A, "GET", "/api/v1/customers?search=%00", nil); r.Status != 400 || tk.Str(r.Body, "error", "details", 0, "field") != "search" {
		t.Errorf("search=%%00: %d %s", r.Status, r.Raw)
	}
}

// Loose input the adversarial pass found accepted is refused, by field.
func TestLooseInputRefused(t *testing.T) {
	e := tk.New(t)
	c := createCustomerREST(t, e, e.A, map[string]any{"name": "Strict Co", "email": "s@x.co"})
	cid := c["id"].(string)
	for _, k := range []struct {
		name, method, path string
		body               any
		field              string
	}{
		{"currency XXX", "POST", "/api/v1/customers", map[string]any{"name": "A", "email": "a@b.co", "currency": "XXX"}, "currency"},
		{"currency $$$", "POST", "/api/v1/customers", map[string]any{"name": "A", "email": "a@b.co", "currency": "$$$"}, "currency"},
		{"tags [null]", "POST", "/api/v1/customers", `{"name": "A", "email": "a@b.co", "tags": [null]}`, "tags"},
		{"negative group percentage", "POST", "/api/v1/integration/customer-groups", map[string]any{"name": "G", "price_calculation_type": "percentage", "amount": -50}, "amount"},
		{"paid_on with a trailing space", "POST", "/api/v1/integration/contacts/" + cid + "/payments", map[string]any{"amount": "1.00", "method": "cash", "paid_on": "2026-01-05 "}, "paid_on"},
		{"paid_on with a bad time", "POST", "/api/v1/integration/contacts/" + cid + "/payments", map[string]any{"amount": "1.00", "method": "cash", "paid_on": "2026-01-05T99:00"}, "paid_on"},
		{"date 0001-01-01", "POST", "/api/v1/invoices", map[string]any{"customerId": cid, "invoiceDate": "0001-01-01", "items": []map[string]any{{"description": "x", "quantity": 1, "unitPrice": 1}}}, "invoiceDate"},
		{"date 9999-12-31", "POST", "/api/v1/invoices", map[string]any{"customerId": cid, "dueDate": "9999-12-31", "items": []map[string]any{{"description": "x", "quantity": 1, "unitPrice": 1}}}, "dueDate"},
		{"amount of 16 digits", "POST", "/api/v1/invoices", map[string]any{"customerId": cid, "items": []map[string]any{{"description": "x", "quantity": 1, "unitPrice": 9999999999999999}}}, "items[0].unitPrice"},
		{"total over the maximum", "POST", "/api/v1/invoices", map[string]any{"customerId": cid, "items": []map[string]any{{"description": "x", "quantity": 1000, "unitPrice": "999999999999.00"}}}, "items"},
	} {
		r := e.Do(e.A, k.method, k.path, k.body)
		found := false
		for _, d := range tk.Get(r.Body, "error", "details").([]any) {
			found = found || tk.Str(d, "field") == k.field
		}
		if r.Status != badInputStatus(k.path) || !found {
			t.Errorf("%s: %d %.300s, want %d on %s", k.name, r.Status, r.Raw, badInputStatus(k.path), k.field)
		}
	}
	// What stays accepted: a real ISO code, a Y-m-d H:i:s paid_on, a
	// 12-digit amount.
	createCustomerREST(t, e, e.A, map[string]any{"name": "Yen Co", "email": "y@x.co", "currency": "JPY"})
	must(t, e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": cid, "items": []map[string]any{{"description": "x", "quantity": 1, "unitPrice": "999999999999.99"}}}), 201, "12-digit price")
	for _, g := range []struct {
		q     string
		vars  map[string]any
		field string
	}{
		{`mutation { createCustomer(input: {name: "A", email: "a@b.co", currency: "XXX"}) { id } }`, nil, "currency"},
		{`mutation { createAccount(input: {code: "1999", name: "X", type: asset, currency: "ABC"}) { id } }`, nil, "currency"},
		{`mutation($d: Date!) { createInvoice(input: {customerId: "` + cid + `", invoiceDate: $d, items: [{description: "x", quantity: "1", unitPrice: "1"}]}) { id } }`, map[string]any{"d": "9999-12-31"}, "invoiceDate"},
	} {
		r := e.GQL(e.A, g.q, g.vars)
		if len(r.Errors) != 1 || r.Errors[0].Code() == "INTERNAL_ERROR" || !strings.Contains(string(r.Raw), `"field":"`+g.field+`"`) {
			t.Errorf("%s: %.300s, want an error on %s", g.q, r.Raw, g.field)
		}
	}
}

// Subscriptions are websocket-only: over plain HTTP (which long-polled
// with no budget) they are refused with a code at once.
func TestSubscriptionOverHTTPRefused(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true})
	r := e.GQL(e.A, `subscription { invoiceCreated { id } }`, nil)
	if len(r.Errors) != 1 || r.Errors[0].Code() != "SUBSCRIPTION_NOT_SUPPORTED_OVER_HTTP" {
		t.Fatalf("subscription over POST: %d %s", r.Status, r.Raw)
	}
	g := e.Do(e.A, "GET", "/graphql?query="+url.QueryEscape(`subscription { invoiceCreated { id } }`), nil)
	if !strings.Contains(string(g.Raw), "SUBSCRIPTION_NOT_SUPPORTED_OVER_HTTP") {
		t.Fatalf("subscription over GET: %d %s", g.Status, g.Raw)
	}
}

// One API key holds at most MaxSocketsPerKey sockets and
// MaxSubscriptionsPerKey subscriptions across them (2,000 subscriptions
// over 40 sockets were accepted); another key is not affected.
func TestSocketAndSubscriptionBudgetsPerKey(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true})
	socks := make([]*tk.WS, graph.MaxSocketsPerKey)
	for i := range socks {
		socks[i] = e.GraphQLWS(e.A, tk.TransportWS)
	}
	c, _, err := websocket.DefaultDialer.Dial(wsURL(e), nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.WriteJSON(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + e.A.Key}})
	if acked, code := readUntilClose(t, c); acked || code != 4429 {
		t.Fatalf("socket %d of one key: acked=%v close=%d, want 4429", graph.MaxSocketsPerKey+1, acked, code)
	}
	e.GraphQLWS(e.B, tk.TransportWS) // B's key has its own budget
	// A closed socket gives its place back.
	socks[0].Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, _, err := websocket.DefaultDialer.Dial(wsURL(e), nil)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.WriteJSON(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + e.A.Key}})
		_, m, err := c.ReadMessage()
		c.Close()
		if err == nil && strings.Contains(string(m), "connection_ack") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a closed socket's place was not given back")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Subscriptions: 40 on each of 5 sockets fill the key's 200.
	per := graph.MaxSubscriptionsPerKey / 5
	for _, w := range socks[1:6] {
		for i := 0; i < per; i++ {
			w.Subscribe(fmt.Sprint("s", i), `subscription { invoiceCreated { id } }`, nil)
		}
	}
	// Every one of them is live once each receives the next invoice.
	cust := createCustomerREST(t, e, e.A, map[string]any{"name": "Sub Co", "email": "s@x.co"})
	must(t, e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": cust["id"], "items": []map[string]any{{"description": "x", "quantity": 1, "unitPrice": 1}}}), 201, "invoice")
	for _, w := range socks[1:6] {
		for i := 0; i < per; i++ {
			if r := w.NextResult(10 * time.Second); len(r.Errors) > 0 {
				t.Fatalf("subscription within budget refused: %v", r.Errors)
			}
		}
	}
	socks[6].Subscribe("over", `subscription { invoiceCreated { id } }`, nil)
	r := socks[6].NextResult(5 * time.Second)
	if r.ID != "over" || len(r.Errors) == 0 || !strings.Contains(fmt.Sprint(r.Errors), "TOO_MANY_SUBSCRIPTIONS") {
		t.Fatalf("subscription %d of one key: %+v", graph.MaxSubscriptionsPerKey+1, r)
	}
}

// Wrong keys from one address are answered at full speed only up to the
// burst; then that address is refused (429) before any key lookup, for
// REST, GraphQL and websockets alike.
func TestAuthFailuresThrottled(t *testing.T) {
	e := tk.New(t, tk.Options{Server: func(o *server.Options) { o.AuthFailureBurst = 10 }})
	bad := tk.Tenant{Key: "blk_aaaaaaaaaaaa_" + strings.Repeat("b", 40), CompanyID: e.A.CompanyID}
	for i := 0; i < 10; i++ {
		if r := e.Do(bad, "GET", "/api/v1/customers", nil); r.Status != 401 {
			t.Fatalf("guess %d: %d", i+1, r.Status)
		}
	}
	var r tk.Response
	n := e.CountQueries(func() { r = e.Do(bad, "GET", "/api/v1/customers", nil) })
	if r.Status != 429 || tk.Str(r.Body, "error", "code") != "TOO_MANY_AUTH_FAILURES" || n != 0 {
		t.Fatalf("guess 11: %d %s (%d statements)", r.Status, r.Raw, n)
	}
	if g := e.GQL(bad, `{ __typename }`, nil); g.Status != 429 || len(g.Errors) == 0 || g.Errors[0].Code() != "TOO_MANY_AUTH_FAILURES" {
		t.Fatalf("GraphQL while throttled: %d %s", g.Status, g.Raw)
	}
	c, _, err := websocket.DefaultDialer.Dial(wsURL(e), nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.WriteJSON(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + bad.Key}})
	if acked, code := readUntilClose(t, c); acked || code != 4429 {
		t.Fatalf("websocket while throttled: acked=%v close=%d", acked, code)
	}
}

// In production, webhook URLs that name a non-public host in any spelling
// are refused when they are created, with a field error.
func TestWebhookURLsRefusedAtCreation(t *testing.T) {
	e := tk.New(t, tk.Options{Server: func(o *server.Options) { o.Webhooks.AllowPrivate = false }})
	for _, u := range []string{
		"http://2130706433/", "http://127.1/", "http://0x7f.0.0.1/", "http://0177.0.0.1/", "https://localhost./", "https://a.localhost/",
		"http://100.64.0.1/", "http://10.1.2.3/", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://169.254.169.254/latest", "http://intranet/",
		"http://198.18.0.1/", "http://0.0.0.0/",
	} {
		r := e.Do(e.A, "POST", "/api/v1/webhooks/subscribe", map[string]any{"url": u, "events": []string{"invoice.created"}})
		if r.Status != 400 || tk.Str(r.Body, "error", "details", 0, "field") != "url" {
			t.Errorf("%s: %d %.200s", u, r.Status, r.Raw)
		}
	}
	if r := e.Do(e.A, "POST", "/api/v1/webhooks/subscribe", map[string]any{"url": "https://hooks.example.com/in", "events": []string{"invoice.created"}}); r.Status != 201 {
		t.Errorf("public URL: %d %s", r.Status, r.Raw)
	}
}

// The production HTTP server bounds every phase of a connection (a client
// that sends its headers slowly, or never reads its answer, is cut off),
// and websockets still live past those timeouts: they clear their
// deadlines when they upgrade.
func TestHTTPServerTimeoutsKeepWebsockets(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true})
	hs := server.NewHTTPServer(e.Srv.Handler())
	if hs.ReadHeaderTimeout == 0 || hs.ReadTimeout == 0 || hs.WriteTimeout == 0 || hs.IdleTimeout == 0 {
		t.Fatalf("timeouts: %+v", hs)
	}
	hs.ReadHeaderTimeout, hs.ReadTimeout, hs.WriteTimeout = 300*time.Millisecond, 500*time.Millisecond, 500*time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go hs.Serve(ln)
	t.Cleanup(func() { _ = hs.Close() })

	// Slow headers: the connection is closed after ReadHeaderTimeout.
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n"))
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadAll(c); err != nil {
		t.Fatalf("slow headers: connection not closed by the server: %v", err)
	}
	c.Close()

	// A subscription silent for 4× the read and write timeouts still
	// delivers.
	orig := e.Server.URL
	e.Server.URL = "http://" + ln.Addr().String()
	defer func() { e.Server.URL = orig }()
	w := e.GraphQLWS(e.A, tk.TransportWS)
	w.Subscribe("s", `subscription { invoiceCreated { id } }`, nil)
	time.Sleep(2 * time.Second)
	cust := createCustomerREST(t, e, e.A, map[string]any{"name": "Late Co", "email": "l@x.co"})
	inv := must(t, e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": cust["id"], "items": []map[string]any{{"description": "x", "quantity": 1, "unitPrice": 1}}}), 201, "invoice")
	r := w.NextResult(5 * time.Second)
	if tk.Str(r.Data, "invoiceCreated", "id") != inv["id"] {
		t.Fatalf("subscription after the timeouts: %+v", r)
	}
}

// Invoice.payments, a plain list resolved in one statement for a page of
// invoices, loads at most its cap per invoice (GraphQL uses
// ent.ListEdgeLimit); the REST listing of one invoice's payments is whole.
func TestInvoicePaymentsCappedPerInvoice(t *testing.T) {
	e := tk.New(t)
	c := createCustomerREST(t, e, e.A, map[string]any{"name": "Paid Co", "email": "p@x.co"})
	var invs []string
	for i := 0; i < 2; i++ {
		inv := must(t, e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": c["id"], "items": []map[string]any{{"description": "x", "quantity": 1, "unitPrice": 100}}}), 201, "invoice")
		must(t, e.Do(e.A, "POST", "/api/v1/invoices/"+inv["id"].(string)+"/send", map[string]any{}), 200, "send")
		invs = append(invs, inv["id"].(string))
	}
	var first []string
	for i := 0; i < 3; i++ {
		for _, inv := range invs {
			p := must(t, e.Do(e.A, "POST", "/api/v1/invoices/"+inv+"/payments", map[string]any{"amount": "1.00"}), 201, "payment")
			if inv == invs[0] && i < 2 {
				first = append(first, p["id"].(string))
			}
		}
	}
	ids := []pulid.ID{pulid.ID(invs[0]), pulid.ID(invs[1])}
	capped, err := ledger.PaymentsOfInvoices(e.Ctx(e.A), ids, 2)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := ledger.PaymentsOfInvoices(e.Ctx(e.A), ids, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if len(capped[id]) != 2 || len(whole[id]) != 3 {
			t.Fatalf("%s: capped %d, whole %d payments", id, len(capped[id]), len(whole[id]))
		}
	}
	if string(capped[ids[0]][0].ID) != first[0] || string(capped[ids[0]][1].ID) != first[1] {
		t.Errorf("the cap keeps the first payments made: %v, want %v", []pulid.ID{capped[ids[0]][0].ID, capped[ids[0]][1].ID}, first)
	}
	if r := e.Do(e.A, "GET", "/api/v1/invoices/"+invs[0]+"/payments", nil); len(tk.Get(r.Body, "data").([]any)) != 3 {
		t.Errorf("REST lists %v", r.Body["data"])
	}
}

// badInputStatus is the status bad input answers on path: 422 on seed
// 003's integration API (Laravel's), 400 everywhere else.
func badInputStatus(path string) int {
	if strings.HasPrefix(path, "/api/v1/integration/") {
		return 422
	}
	return 400
}
