package server_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	tk "github.com/bigledger/bigledger/internal/testkit"
)

// introspected is the served schema's root fields and input types, read
// through introspection.
type introspected struct {
	types map[string]map[string]any // name → __Type
}

const introspectionQuery = `{ __schema { types { name kind
	fields { name args { name type { ...T } } type { ...T } }
	inputFields { name type { ...T } } enumValues { name } possibleTypes { name } } } }
	fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`

func introspect(t *testing.T, e *tk.Env) introspected {
	t.Helper()
	d := e.MustGQL(e.A, introspectionQuery, nil)
	out := introspected{types: map[string]map[string]any{}}
	for _, ty := range tk.Get(d, "__schema", "types").([]any) {
		m := ty.(map[string]any)
		out.types[m["name"].(string)] = m
	}
	return out
}

// typeRef renders an introspected type reference in SDL (ID!, [Line!]).
func typeRef(v any) string {
	m, _ := v.(map[string]any)
	switch m["kind"] {
	case "NON_NULL":
		return typeRef(m["ofType"]) + "!"
	case "LIST":
		return "[" + typeRef(m["ofType"]) + "]"
	}
	s, _ := m["name"].(string)
	return s
}

func (in introspected) field(typ, name string) map[string]any {
	ty := in.types[typ]
	if ty == nil {
		return nil
	}
	for _, key := range []string{"fields", "inputFields"} {
		list, _ := ty[key].([]any)
		for _, f := range list {
			if f.(map[string]any)["name"] == name {
				return f.(map[string]any)
			}
		}
	}
	return nil
}

// compatible reports whether a value of the served type ours satisfies a
// client written for the seed's type seed: the same named type and list
// shape; ours may be non-null where the seed's is nullable (an output),
// or, for arguments (arg = true), nullable where the seed's is non-null
// but never the other way (a client may leave a nullable argument out).
func compatible(seed *ast.Type, ours string, arg bool) bool {
	want := seed.String()
	if ours == want {
		return true
	}
	if !arg {
		return strings.ReplaceAll(ours, "!", "") == strings.ReplaceAll(want, "!", "") && len(ours) > len(want)
	}
	return strings.ReplaceAll(ours, "!", "") == strings.ReplaceAll(want, "!", "") && len(ours) < len(want)
}

// Every query, mutation and subscription field of seed 004's schema, and
// every argument of each, exists in the served introspection with a type
// a client written from the document can use (issue 13).
func TestSeed004SchemaIsServed(t *testing.T) {
	e := tk.New(t)
	raw, err := os.ReadFile("testdata/seed004/schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	doc, gerr := parser.ParseSchema(&ast.Source{Name: "seed004", Input: string(raw)})
	if gerr != nil {
		t.Fatal(gerr)
	}
	served := introspect(t, e)
	n := 0
	for _, def := range doc.Definitions {
		for _, f := range def.Fields {
			n++
			got := served.field(def.Name, f.Name)
			if got == nil {
				t.Errorf("%s.%s is not served", def.Name, f.Name)
				continue
			}
			if ours := typeRef(got["type"]); !compatible(f.Type, ours, false) {
				t.Errorf("%s.%s: the seed has %s, we serve %s", def.Name, f.Name, f.Type, ours)
			}
			for _, a := range f.Arguments {
				var ours string
				for _, ga := range got["args"].([]any) {
					if ga.(map[string]any)["name"] == a.Name {
						ours = typeRef(ga.(map[string]any)["type"])
					}
				}
				if ours == "" {
					t.Errorf("%s.%s(%s:) is not served", def.Name, f.Name, a.Name)
				} else if !compatible(a.Type, ours, true) {
					t.Errorf("%s.%s(%s:): the seed has %s, we serve %s", def.Name, f.Name, a.Name, a.Type, ours)
				}
				if served.types[a.Type.Name()] == nil {
					t.Errorf("type %s (%s.%s(%s:)) is not served", a.Type.Name(), def.Name, f.Name, a.Name)
				}
			}
			if served.types[f.Type.Name()] == nil {
				t.Errorf("type %s (%s.%s) is not served", f.Type.Name(), def.Name, f.Name)
			}
		}
	}
	if n != 18 {
		t.Fatalf("walked %d root fields of the seed's schema, want 18", n)
	}
	// The fields and values the document's examples and tables use.
	for _, tf := range [][2]string{{"Customer", "balance"}, {"Account", "isActive"}, {"Account", "isReconcilable"},
		{"Invoice", "number"}, {"Invoice", "date"}, {"Invoice", "dueDate"}, {"Invoice", "amountDue"}, {"Invoice", "sentAt"},
		{"CreateInvoiceInput", "lines"}, {"CreateInvoiceInput", "customerId"}, {"DeleteResult", "success"},
		{"PaymentApplication", "payment"}, {"PaymentApplication", "invoice"}, {"InvoiceFilter", "status"},
		{"CustomerFilter", "search"}, {"AccountFilter", "type"}} {
		if served.field(tf[0], tf[1]) == nil {
			t.Errorf("%s.%s is not served", tf[0], tf[1])
		}
	}
	for typ, vals := range map[string][]string{"ReportType": {"TRIAL_BALANCE", "BALANCE_SHEET", "PROFIT_LOSS", "AR_AGING"},
		"InvoiceStatusFilter": {"UNPAID", "PAID", "OVERDUE", "DRAFT"}} {
		have := map[string]bool{}
		for _, v := range served.types[typ]["enumValues"].([]any) {
			have[v.(map[string]any)["name"].(string)] = true
		}
		for _, v := range vals {
			if !have[v] {
				t.Errorf("%s has no %s", typ, v)
			}
		}
	}
	if served.types["Report"]["kind"] != "UNION" || len(served.types["Report"]["possibleTypes"].([]any)) != 5 {
		t.Errorf("Report: %v", served.types["Report"])
	}
	// Customer.invoices takes the example's status argument.
	var hasStatus bool
	for _, a := range served.field("Customer", "invoices")["args"].([]any) {
		hasStatus = hasStatus || a.(map[string]any)["name"] == "status"
	}
	if !hasStatus {
		t.Error("Customer.invoices(status:) is not served")
	}
}

func readOp(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/seed004/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The document's two example operations, as printed (issue 13).
func TestSeed004ExampleOperationsVerbatim(t *testing.T) {
	e := tk.New(t)
	cust := tk.Str(must(t, e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Acme Corporation", "email": "accounts@acme.com"}), 201, "customer"), "id")
	mk := func(price float64, send bool) string {
		id := tk.Str(must(t, e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": cust,
			"items": []any{map[string]any{"description": "Work", "quantity": 1, "unitPrice": price}}}), 201, "invoice"), "id")
		if send {
			must(t, e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/send", map[string]any{}), 200, "send")
		}
		return id
	}
	unpaid := mk(1500, true)
	partial := mk(400, true)
	must(t, e.Do(e.A, "POST", "/api/v1/invoices/"+partial+"/payments", map[string]any{"amount": 100}), 201, "partial payment")
	paid := mk(250, true)
	must(t, e.Do(e.A, "POST", "/api/v1/invoices/"+paid+"/payments", map[string]any{"amount": 250}), 201, "payment")
	mk(99, false) // a draft owes nothing

	// GetCustomerWithInvoices: balance, and only what is still unpaid.
	d := e.MustGQL(e.A, readOp(t, "get_customer_with_invoices.graphql"), map[string]any{"customerId": cust})
	c := tk.Get(d, "customer").(map[string]any)
	if c["id"] != cust || c["name"] != "Acme Corporation" || c["email"] != "accounts@acme.com" || c["balance"] != "1800.00" {
		t.Fatalf("customer: %v", c)
	}
	edges := tk.Get(c, "invoices", "edges").([]any)
	got := map[string]map[string]any{}
	for _, ed := range edges {
		n := tk.Get(ed, "node").(map[string]any)
		got[n["id"].(string)] = n
	}
	if len(got) != 2 || got[unpaid] == nil || got[partial] == nil {
		t.Fatalf("invoices(status: UNPAID): %v", edges)
	}
	u := got[unpaid]
	if !strings.HasPrefix(tk.Str(u, "number"), "INV-") || u["date"] == nil || u["dueDate"] == nil || u["total"] != "1500.00" ||
		u["amountDue"] != "1500.00" || u["status"] != "sent" || got[partial]["amountDue"] != "300.00" {
		t.Fatalf("invoice fields: %v", got)
	}
	if tk.Get(c, "invoices", "pageInfo", "hasNextPage") != false || tk.Str(c, "invoices", "pageInfo", "endCursor") == "" {
		t.Fatalf("pageInfo: %v", tk.Get(c, "invoices", "pageInfo"))
	}
	// Company B asks for A's customer: not found.
	if r := e.GQL(e.B, readOp(t, "get_customer_with_invoices.graphql"), map[string]any{"customerId": cust}); len(r.Errors) == 0 || r.Errors[0].Code() != "CUSTOMER_NOT_FOUND" {
		t.Fatalf("company B: %s", r.Raw)
	}

	// CreateAndSendInvoice uses $invoiceId without declaring it. Sent with
	// invoiceId in variables, it runs: the new invoice is created, the
	// named one sent. Left out, validation names the variable.
	draft := mk(75, false)
	op := readOp(t, "create_and_send_invoice.graphql")
	input := map[string]any{"customerId": cust, "lines": []any{map[string]any{"description": "Service", "quantity": 1, "unitPrice": "100.00"}}}
	d = e.MustGQL(e.A, op, map[string]any{"input": input, "invoiceId": draft})
	if tk.Str(d, "createInvoice", "total") != "100.00" || tk.Str(d, "createInvoice", "status") != "draft" || !strings.HasPrefix(tk.Str(d, "createInvoice", "number"), "INV-") ||
		tk.Str(d, "sendInvoice", "id") != draft || tk.Str(d, "sendInvoice", "status") != "sent" || tk.Str(d, "sendInvoice", "sentAt") == "" {
		t.Fatalf("CreateAndSendInvoice: %v", d)
	}
	r := e.GQL(e.A, op, map[string]any{"input": input})
	if len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Message, "invoiceId") || r.Data != nil {
		t.Fatalf("without invoiceId: %s", r.Raw)
	}
	// lines and items together: refused by field.
	both := map[string]any{"customerId": cust, "lines": input["lines"], "items": input["lines"]}
	if r := e.GQL(e.A, `mutation($input: CreateInvoiceInput!) { createInvoice(input: $input) { id } }`, map[string]any{"input": both}); len(r.Errors) == 0 || r.Errors[0].Code() != "INVALID_INVOICE_DATA" || !strings.Contains(string(r.Raw), `"field":"input.lines"`) {
		t.Fatalf("items and lines: %s", r.Raw)
	}
	if r := e.GQL(e.A, `mutation($input: CreateInvoiceInput!) { createInvoice(input: $input) { id } }`, map[string]any{"input": map[string]any{"customerId": cust}}); len(r.Errors) == 0 || r.Errors[0].Code() != "INVALID_INVOICE_DATA" {
		t.Fatalf("no lines: %s", r.Raw)
	}
}

// filter/page/limit on customers, invoices and accounts: numbered pages
// next to cursors, mixing refused, bad values named, tenants apart.
func TestSeed004NumberedPages(t *testing.T) {
	e := tk.New(t)
	var ids []string
	for i := range 7 {
		ids = append(ids, tk.Str(must(t, e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": fmt.Sprintf("Pager %d", i), "email": fmt.Sprintf("p%d@example.com", i)}), 201, "customer"), "id"))
	}
	must(t, e.Do(e.B, "POST", "/api/v1/customers", map[string]any{"name": "Pager B", "email": "pb@example.com"}), 201, "B customer")
	page := func(tn tk.Tenant, n, limit int) map[string]any {
		return tk.Get(e.MustGQL(tn, `query($p: Int, $l: Int) { customers(filter: {search: "Pager"}, page: $p, limit: $l) {
			totalCount pageInfo { hasNextPage hasPreviousPage } edges { node { id } } } }`, map[string]any{"p": n, "l": limit}), "customers").(map[string]any)
	}
	var seen []string
	for n := 1; n <= 3; n++ {
		p := page(e.A, n, 3)
		edges := p["edges"].([]any)
		for _, ed := range edges {
			seen = append(seen, tk.Str(ed, "node", "id"))
		}
		if p["totalCount"] != float64(7) || tk.Get(p, "pageInfo", "hasNextPage") != (n < 3) || tk.Get(p, "pageInfo", "hasPreviousPage") != (n > 1) {
			t.Fatalf("page %d: %v", n, p)
		}
	}
	if len(seen) != 7 || !sameIDs(seen, ids...) {
		t.Fatalf("pages hold %v, want %v", seen, ids)
	}
	if p := page(e.A, 4, 3); len(p["edges"].([]any)) != 0 {
		t.Fatalf("past the end: %v", p)
	}
	if p := page(e.B, 1, 20); p["totalCount"] != float64(1) {
		t.Fatalf("company B sees %v", p)
	}
	// limit alone: page 1 of 20 by default size.
	if d := e.MustGQL(e.A, `{ customers(limit: 2) { edges { node { id } } } }`, nil); len(tk.Get(d, "customers", "edges").([]any)) != 2 {
		t.Fatalf("limit alone: %v", d)
	}
	if d := e.MustGQL(e.A, `{ customers(page: 1) { edges { node { id } } } }`, nil); len(tk.Get(d, "customers", "edges").([]any)) != 7 {
		t.Fatalf("page alone (20 a page): %v", d)
	}
	for _, c := range []struct{ q, field string }{
		{`{ customers(page: 1, first: 2) { edges { cursor } } }`, "page"},
		{`{ invoices(limit: 5, last: 2) { edges { cursor } } }`, "limit"},
		{`{ accounts(page: 0) { edges { cursor } } }`, "page"},
		{`{ accounts(limit: 101) { edges { cursor } } }`, "limit"},
		{`{ customers(limit: 0) { edges { cursor } } }`, "limit"},
		{`{ customers(search: "a", filter: {search: "b"}) { edges { cursor } } }`, "filter.search"},
	} {
		r := e.GQL(e.A, c.q, nil)
		if len(r.Errors) == 0 || r.Errors[0].Code() != "VALIDATION_ERROR" || !strings.Contains(string(r.Raw), `"field":"`+c.field+`"`) {
			t.Fatalf("%s: want VALIDATION_ERROR on %s, got %s", c.q, c.field, r.Raw)
		}
	}

	// Invoices by seed 004's states.
	cust := ids[0]
	mk := func(price float64, send bool) string {
		id := tk.Str(must(t, e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": cust, "invoiceDate": "2025-01-10", "dueDate": "2025-02-10",
			"items": []any{map[string]any{"description": "Work", "quantity": 1, "unitPrice": price}}}), 201, "invoice"), "id")
		if send {
			must(t, e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/send", map[string]any{}), 200, "send")
		}
		return id
	}
	draft, sent, paid := mk(10, false), mk(20, true), mk(30, true)
	must(t, e.Do(e.A, "POST", "/api/v1/invoices/"+paid+"/payments", map[string]any{"amount": 30}), 201, "pay")
	for state, want := range map[string][]string{"DRAFT": {draft}, "UNPAID": {sent}, "OVERDUE": {sent}, "PAID": {paid}, "SENT": {sent}, "PARTIAL": nil, "VOID": nil} {
		d := e.MustGQL(e.A, `query($s: InvoiceStatusFilter, $c: ID) { invoices(filter: {status: $s, customerId: $c, dateFrom: "2025-01-01", dateTo: "2025-12-31"}, page: 1, limit: 10) { edges { node { id } } } }`,
			map[string]any{"s": state, "c": cust})
		var got []string
		for _, ed := range tk.Get(d, "invoices", "edges").([]any) {
			got = append(got, tk.Str(ed, "node", "id"))
		}
		if !sameIDs(got, want...) {
			t.Fatalf("invoices %s: %v, want %v", state, got, want)
		}
	}
	if d := e.MustGQL(e.B, `{ invoices(filter: {status: PAID}, page: 1) { totalCount } }`, nil); tk.Get(d, "invoices", "totalCount") != float64(0) {
		t.Fatalf("company B invoices: %v", d)
	}
	// Accounts: seed 004's type and status filter, by page.
	d := e.MustGQL(e.A, `{ accounts(filter: {type: asset, status: ACTIVE}, page: 1, limit: 2) { totalCount pageInfo { hasNextPage } edges { node { code type isActive isReconcilable } } } }`, nil)
	a := tk.Get(d, "accounts").(map[string]any)
	if len(a["edges"].([]any)) != 2 || a["totalCount"].(float64) < 3 || tk.Get(a, "pageInfo", "hasNextPage") != true ||
		tk.Str(a, "edges", 0, "node", "type") != "asset" || tk.Get(a, "edges", 0, "node", "isActive") != true {
		t.Fatalf("accounts: %v", a)
	}
	// A numbered page costs what a cursor page costs: no COUNT unless
	// totalCount is asked.
	plain := e.CountQueries(func() { e.MustGQL(e.A, `{ invoices(page: 2, limit: 2) { edges { node { id number } } } }`, nil) })
	counted := e.CountQueries(func() {
		e.MustGQL(e.A, `{ invoices(page: 2, limit: 2) { totalCount edges { node { id number } } } }`, nil)
	})
	if plain > 2 || counted != plain+1 {
		t.Fatalf("statements: %d without totalCount, %d with", plain, counted)
	}
}

// Seed 004's mutations and types: CreateAccountInput, UpdateAccountInput,
// DeleteResult, PaymentApplication, typed reports in both spellings.
func TestSeed004MutationsAndReports(t *testing.T) {
	e := tk.New(t)
	d := e.MustGQL(e.A, `mutation($in: CreateAccountInput!) { createAccount(input: $in) { id code isActive isReconcilable } }`,
		map[string]any{"in": map[string]any{"code": "1001", "name": "Petty Cash", "type": "asset", "subtype": "current_asset", "openingBalance": "1000.00", "description": "Petty cash fund"}})
	acc := tk.Str(d, "createAccount", "id")
	if tk.Get(d, "createAccount", "isActive") != true {
		t.Fatalf("createAccount: %v", d)
	}
	e.MustGQL(e.A, `mutation($id: ID!, $in: UpdateAccountInput!) { updateAccount(id: $id, input: $in) { name } }`, map[string]any{"id": acc, "in": map[string]any{"name": "Petty Cash Box"}})
	spare := tk.Str(e.MustGQL(e.A, `mutation { createAccount(input: {code: "6900", name: "Spare", type: expense}) { id } }`, nil), "createAccount", "id")
	if d := e.MustGQL(e.A, `mutation($id: ID!) { deleteAccount(id: $id) { success deletedId } }`, map[string]any{"id": spare}); tk.Get(d, "deleteAccount", "success") != true || tk.Str(d, "deleteAccount", "deletedId") != spare {
		t.Fatalf("deleteAccount: %v", d)
	}
	if r := e.GQL(e.B, `mutation($id: ID!) { deleteAccount(id: $id) { success } }`, map[string]any{"id": acc}); len(r.Errors) == 0 {
		t.Fatalf("company B deleted A's account: %s", r.Raw)
	}

	cust := tk.Str(must(t, e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Applied", "email": "ap@example.com"}), 201, "customer"), "id")
	inv := tk.Str(must(t, e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": cust,
		"items": []any{map[string]any{"description": "Work", "quantity": 1, "unitPrice": 80}}}), 201, "invoice"), "id")
	must(t, e.Do(e.A, "POST", "/api/v1/invoices/"+inv+"/send", map[string]any{}), 200, "send")
	pay := tk.Str(e.MustGQL(e.A, `mutation($in: CreatePaymentInput!) { createPayment(input: $in) { id } }`, map[string]any{"in": map[string]any{"customerId": cust, "amount": "100.00"}}), "createPayment", "id")
	d = e.MustGQL(e.A, `mutation($p: ID!, $i: ID!) { applyPayment(paymentId: $p, invoiceId: $i) { id amount appliedAt payment { id unappliedAmount } invoice { id amountDue status } } }`,
		map[string]any{"p": pay, "i": inv})
	app := tk.Get(d, "applyPayment").(map[string]any)
	if !strings.HasPrefix(tk.Str(app, "id"), "alloc_") || app["amount"] != "80.00" || tk.Str(app, "payment", "unappliedAmount") != "20.00" ||
		tk.Str(app, "invoice", "amountDue") != "0.00" || tk.Str(app, "invoice", "status") != "paid" || app["appliedAt"] == nil {
		t.Fatalf("applyPayment: %v", app)
	}

	for _, spelling := range []string{"TRIAL_BALANCE", "trial_balance"} {
		d := e.MustGQL(e.A, `query($t: ReportType!) { reports(type: $t) { __typename ... on TrialBalanceReport { isBalanced totalDebit totalCredit lines { code balance } } } }`, map[string]any{"t": spelling})
		r := tk.Get(d, "reports").(map[string]any)
		if r["__typename"] != "TrialBalanceReport" || r["isBalanced"] != true || r["totalDebit"] != r["totalCredit"] || len(r["lines"].([]any)) == 0 {
			t.Fatalf("%s: %v", spelling, r)
		}
	}
	d = e.MustGQL(e.A, `{
		bs: reports(type: BALANCE_SHEET) { ... on BalanceSheetReport { isBalanced totalAssets assets { code } } }
		pl: reports(type: PROFIT_LOSS, params: {from: "2000-01-01"}) { ... on ProfitLossReport { netIncome from income { code balance } } }
		ar: reports(type: AR_AGING) { ... on ArAgingReport { asOf total { current total } customers { customerId customerName total } } }
		fs: reports(type: FINANCIAL_SUMMARY) { ... on FinancialSummaryReport { income expenses profit outstandingInvoices } } }`, nil)
	if tk.Get(d, "bs", "isBalanced") != true || tk.Str(d, "pl", "netIncome") != "80.00" || tk.Str(d, "pl", "from") != "2000-01-01" ||
		tk.Str(d, "ar", "total", "total") != "0.00" || len(tk.Get(d, "ar", "customers").([]any)) != 0 || tk.Str(d, "fs", "income") != "80.00" {
		t.Fatalf("reports: %v", d)
	}
	if r := e.GQL(e.A, `{ reports(type: Trial_Balance) { __typename } }`, nil); len(r.Errors) == 0 {
		t.Fatalf("a third spelling was accepted: %s", r.Raw)
	}
}
