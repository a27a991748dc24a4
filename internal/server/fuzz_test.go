package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/bigledger/bigledger/internal/ledger"
	tk "github.com/bigledger/bigledger/internal/testkit"
	"github.com/bigledger/bigledger/rest"
)

// Native Go fuzzing over both faces' decoders, against the real server and
// PostgreSQL. `make test` fuzzes each target for a bounded time and `make
// fuzz` for longer; plain `go test` replays the seed corpus below (bodies
// modelled on the seeds' own examples) and testdata/fuzz. Every input must
// answer below 500, carry no database-driver text, and leave the ledger's
// invariants (ledger.Verify) intact.

// driverText is what a leaked database or ORM error looks like.
var driverText = regexp.MustCompile(`pq: |SQLSTATE|sql: |ent: |violates|syntax error at|relation "|column "`)

// fuzzEnv is one environment per fuzzing process, with one of each
// document to aim {id} routes at.
type fuzzEnv struct {
	e   *tk.Env
	ids map[string]string // path segment before {id} → an id of that kind
}

// newFuzzEnv starts the environment a fuzz target's iterations share
// (one per fuzzing process: f's cleanup ends it).
func newFuzzEnv(f *testing.F) *fuzzEnv {
	e := tk.New(f)
	do := func(path string, body map[string]any, status int) string {
		r := e.Do(e.A, "POST", path, body)
		if r.Status != status {
			f.Fatalf("%s: %d %s", path, r.Status, r.Raw)
		}
		return tk.Str(r.Body, "data", "id")
	}
	cid := do("/api/v1/customers", map[string]any{"name": "Fuzz Co", "email": "f@x.co"}, 201)
	lines := []map[string]any{{"description": "x", "quantity": 2, "unitPrice": "50.00"}}
	inv := do("/api/v1/invoices", map[string]any{"customerId": cid, "items": lines}, 201)
	do("/api/v1/invoices/"+inv+"/send", map[string]any{}, 200)
	return &fuzzEnv{e: e, ids: map[string]string{
		"customers": cid, "contacts": cid, "invoices": inv,
		"quotes":       do("/api/v1/quotes", map[string]any{"customerId": cid, "items": lines}, 201),
		"sales-orders": do("/api/v1/sales-orders", map[string]any{"customerId": cid, "items": lines}, 201),
		"payments":     do("/api/v1/invoices/"+inv+"/payments", map[string]any{"amount": "10.00"}, 201),
		"items":        do("/api/v1/items", map[string]any{"code": "FZ", "name": "Fuzz", "unitPrice": 1}, 201),
	}}
}

// bodyRoutes are the routes that take a JSON body, {id} filled in.
func (f *fuzzEnv) bodyRoutes() [][2]string {
	var out [][2]string
	for _, rt := range rest.Routes() {
		if rt.Method == "GET" || rt.Method == "DELETE" {
			continue
		}
		path := rt.Path
		if i := strings.Index(path, "/{id}"); i >= 0 {
			seg := path[strings.LastIndex(path[:i], "/")+1 : i]
			id, ok := f.ids[seg]
			if !ok {
				id = f.ids["customers"]
			}
			path = strings.Replace(path, "{id}", id, 1)
		}
		if strings.Contains(path, "{") {
			continue
		}
		out = append(out, [2]string{rt.Method, path})
	}
	return out
}

// check asserts what every fuzzed answer must hold.
func (f *fuzzEnv) check(t *testing.T, what string, status int, raw []byte) {
	if status >= 500 {
		t.Fatalf("%s: %d %.500s", what, status, raw)
	}
	if m := driverText.Find(raw); m != nil {
		t.Fatalf("%s: driver text %q in the answer: %.500s", what, m, raw)
	}
	if bytes.Contains(raw, []byte(`"INTERNAL_ERROR"`)) {
		t.Fatalf("%s: INTERNAL_ERROR: %.500s", what, raw)
	}
	if err := ledger.Verify(f.e.Ctx(f.e.A)); err != nil {
		t.Fatalf("%s: ledger invariants broken: %v", what, err)
	}
}

func (f *fuzzEnv) post(method, path, contentType string, body []byte) (int, []byte, error) {
	req, err := http.NewRequest(method, f.e.Server.URL+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+f.e.A.Key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, raw, nil
}

// restSeeds are request bodies shaped like the seeds' examples.
var restSeeds = []string{
	`{"name":"Tech Solutions Ltd","email":"billing@techsolutions.com","phone":"+60312345678","taxNumber":"MY123456789","paymentTerms":30,"creditLimit":50000,"currency":"MYR","billingAddress":{"street":"123 Jalan Ampang","city":"Kuala Lumpur","state":"WP","postalCode":"50450","country":"MY"},"tags":["enterprise"]}`,
	`{"customerId":"CUST","items":[{"description":"Enterprise Software License","quantity":10,"unitPrice":1000.00,"discountPercent":15,"taxCode":"SST"}],"notes":"Q1"}`,
	`{"customer_id":"CUST","lines":[{"description":"Consulting","quantity":5,"unit_price":200,"tax_rate":6,"discount_percentage":0}],"payment_terms":"net_30"}`,
	`{"amount":9010.00,"paymentMethod":"bank_transfer","reference":"TRX-2024-001","paymentDate":"2024-01-20"}`,
	`{"name":"Wholesale","price_calculation_type":"percentage","amount":10}`,
	`{"amount":"50.00","method":"cash","paid_on":"2024-01-15 10:00:00","note":"Counter payment"}`,
	`{"code":"SKU-1","name":"Widget","unitPrice":"12.50","taxCode":"SST"}`,
	`{"url":"https://hooks.example.com/bl","events":["invoice.created","payment.received"]}`,
	`{"status":"confirmed","notes":"ok"}`,
	`{"to":["billing@techsolutions.com"],"cc":[],"message":"Please find attached"}`,
	`{"reason":"Duplicate"}`,
	`{"entryDate":"2024-01-31","description":"Accrual","lines":[{"accountCode":"5000","debit":"100.00"},{"accountCode":"2000","credit":"100.00"}]}`,
}

func FuzzRESTBodies(f *testing.F) {
	for i, s := range restSeeds {
		f.Add(uint8(i*7), []byte(s))
	}
	f.Add(uint8(3), []byte(`{"name":"a\u0000b"}`))
	f.Add(uint8(5), []byte(`{"amount":1e308}`))
	fe := newFuzzEnv(f)
	routes := fe.bodyRoutes()
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		rt := routes[int(route)%len(routes)]
		body = bytes.ReplaceAll(body, []byte("CUST"), []byte(fe.ids["customers"]))
		status, raw, err := fe.post(rt[0], rt[1], "application/json", body)
		if err != nil {
			t.Fatal(err)
		}
		fe.check(t, fmt.Sprintf("%s %s %q", rt[0], rt[1], body), status, raw)
	})
}

// gqlOps are mutations and queries whose input comes entirely from the
// fuzzed variables.
var gqlOps = []string{
	`mutation($in: CreateCustomerInput!) { createCustomer(input: $in) { id name currentBalance } }`,
	`mutation($id: ID!, $in: UpdateCustomerInput!) { updateCustomer(id: $id, input: $in) { id } }`,
	`mutation($in: CreateInvoiceInput!) { createInvoice(input: $in) { id total } }`,
	`mutation($id: ID!, $in: PaymentInput!) { recordPayment(invoiceId: $id, input: $in) { id amount } }`,
	`mutation($in: QuoteInput!) { createQuote(input: $in) { id total } }`,
	`mutation($in: CreateCustomerGroupInput!) { createCustomerGroup(input: $in) { id } }`,
	`mutation($in: CreateContactInput!) { createContact(input: $in) { id } }`,
	`mutation($in: CreateAccountInput!) { createAccount(input: $in) { id balance } }`,
	`query($s: String, $n: Int, $a: Cursor, $w: InvoiceWhereInput) { invoices(search: $s, first: $n, after: $a, where: $w) { totalCount edges { node { id } } } }`,
	`query($s: String, $t: [String!], $n: Int) { customers(search: $s, tags: $t, last: $n) { edges { cursor } } }`,
	`query($id: ID!) { node(id: $id) { id } }`,
	`query($type: ReportType!, $p: ReportParams) { reports(type: $type, params: $p) { __typename } }`,
}

func FuzzGraphQLVariables(f *testing.F) {
	for i, v := range []string{
		`{"in":{"name":"Tech Solutions Ltd","email":"billing@techsolutions.com","paymentTerms":30,"creditLimit":"50000.00","customFields":{"tier":"gold"}}}`,
		`{"id":"CUST","in":{"name":"Renamed","appendTags":["vip"]}}`,
		`{"in":{"customerId":"CUST","items":[{"description":"License","quantity":"10","unitPrice":"1000.00","discountPercent":"15","taxCode":"SST"}]}}`,
		`{"id":"INV","in":{"amount":"10.00","paymentMethod":"bank_transfer"}}`,
		`{"in":{"customerId":"CUST","title":"Q","items":[{"description":"x","quantity":"1","unitPrice":"1"}]}}`,
		`{"in":{"name":"G","priceCalculationType":"percentage","amount":"10"}}`,
		`{"in":{"customerID":"CUST","name":"Pat","email":"p@x.co"}}`,
		`{"in":{"code":"1999","name":"Petty cash","type":"asset","openingBalance":"100.00"}}`,
		`{"s":"INV-","n":5,"w":{"status":"sent"}}`,
		`{"s":"tech","t":["enterprise"],"n":3}`,
		`{"id":"INV"}`,
		`{"type":"ar_aging","p":{"asOf":"2024-12-31"}}`,
	} {
		f.Add(uint8(i), []byte(v))
	}
	f.Add(uint8(0), []byte(`{"in":{"name":123,"paymentTerms":"30"}}`))
	f.Add(uint8(8), []byte(`{"a":"garbage"}`))
	fe := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, op uint8, vars []byte) {
		q := gqlOps[int(op)%len(gqlOps)]
		vars = bytes.ReplaceAll(vars, []byte("CUST"), []byte(fe.ids["customers"]))
		vars = bytes.ReplaceAll(vars, []byte("INV"), []byte(fe.ids["invoices"]))
		qj, _ := json.Marshal(q)
		body := append(append(append([]byte(`{"query":`), qj...), `,"variables":`...), vars...)
		body = append(body, '}')
		status, raw, err := fe.post("POST", "/graphql", "application/json", body)
		if err != nil {
			t.Fatal(err)
		}
		fe.check(t, fmt.Sprintf("%s %q", q, vars), status, raw)
	})
}
