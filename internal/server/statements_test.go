package server_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/bigledger/bigledger/internal/benchdata"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

func countMatching(stmts []string, substr string) int {
	n := 0
	for _, s := range stmts {
		if strings.Contains(s, substr) {
			n++
		}
	}
	return n
}

// The statements a request costs are pinned for the reads every screen
// makes: a point read is one statement (the key is remembered), the
// invoice screen four whatever its size, and a list counts only when
// totalCount is asked.
func TestStatementsPerRequest(t *testing.T) {
	e := tk.New(t)
	loadBenchData(t, e, e.A, smallSpec)
	d := e.MustGQL(e.A, `{ customers(first: 100) { edges { node { id invoices(first: 1) { edges { node { id } } } } } } }`, nil)
	// The customer with the most invoices, for the screen.
	var busy string
	most := -1
	for _, ed := range tk.Get(d, "customers", "edges").([]any) {
		id := tk.Str(ed, "node", "id")
		r := e.MustGQL(e.A, `query($id: ID!) { customer(id: $id) { invoices { totalCount } } }`, map[string]any{"id": id})
		if n := int(tk.Get(r, "customer", "invoices", "totalCount").(float64)); n > most {
			busy, most = id, n
		}
	}
	if most < 4 {
		t.Fatalf("test data: busiest customer has %d invoices", most)
	}

	point := e.CaptureQueries(func() {
		e.MustGQL(e.A, `query($id: ID!) { customer(id: $id) { id name email customerNumber creditLimit } }`, map[string]any{"id": busy})
	})
	if len(point) != 1 || countMatching(point, "api_keys") != 0 {
		t.Fatalf("customer(id) point read: %d statements: %v", len(point), point)
	}
	rest := e.CaptureQueries(func() {
		if r := e.Do(e.A, "GET", "/api/v1/customers/"+busy, nil); r.Status != 200 {
			t.Fatal(r.Status)
		}
	})
	if len(rest) > 3 || countMatching(rest, "api_keys") != 0 {
		t.Fatalf("REST customer read: %d statements: %v", len(rest), rest)
	}

	const screen = `query($id: ID!, $n: Int) { customer(id: $id) { id name currentBalance
		invoices(first: $n, orderBy: [{field: INVOICE_DATE, direction: DESC}]) { edges { node {
			id invoiceNumber total amountDue items { description lineTotal } payments { amount paymentDate } } } } } }`
	// The API key's lookup (once per key every 2 s, pinned by the point
	// read above) is not the screen's.
	screenCost := func(n int) []string {
		return withoutKeyLookup(e.CaptureQueries(func() {
			r := e.MustGQL(e.A, screen, map[string]any{"id": busy, "n": n})
			if got := len(tk.Get(r, "customer", "invoices", "edges").([]any)); got != min(n, most) {
				t.Fatalf("screen of %d: %d invoices", n, got)
			}
		}))
	}
	s2, s10 := screenCost(2), screenCost(10)
	if len(s2) != len(s10) || len(s10) > 4 {
		t.Fatalf("invoice screen: %d statements for 2 invoices, %d for 10: %v\n\n%v", len(s2), len(s10), s10, s2)
	}
	// The invoices load the columns asked for, not all of them, although
	// the screen asks for payments (a field the GraphQL schema adds).
	for _, q := range s10 {
		if strings.Contains(q, `FROM "invoices"`) && strings.Contains(q, "billing_address") {
			t.Fatalf("the screen's invoices statement selects every column: %s", q)
		}
	}

	list := func(q string) []string {
		return e.CaptureQueries(func() { e.MustGQL(e.A, q, nil) })
	}
	noTotal := list(`{ invoices(first: 20) { pageInfo { hasNextPage endCursor } edges { node { id invoiceNumber customer { name } } } } }`)
	if c := countMatching(noTotal, "COUNT("); c != 0 || len(noTotal) > 2 {
		t.Fatalf("list without totalCount: %d statements, %d counts: %v", len(noTotal), c, noTotal)
	}
	withTotal := list(`{ invoices(first: 20) { totalCount pageInfo { hasNextPage } edges { node { id invoiceNumber customer { name } } } } }`)
	if c := countMatching(withTotal, "COUNT("); c != 1 || len(withTotal) != len(noTotal)+1 {
		t.Fatalf("list with totalCount: %d statements, %d counts: %v", len(withTotal), c, withTotal)
	}
	t.Logf("statements: point %d, REST point %d, screen %d, list %d (+1 with totalCount)", len(point), len(rest), len(s10), len(noTotal))
}

// REST counts a listing once: the first page counts, later pages repeat
// the total their cursor carries; past 10,000 rows the first page counts
// no further and flags the total as an estimate (count=exact counts).
func TestRESTTotalsCountedOncePerListing(t *testing.T) {
	e := tk.New(t)
	loadBenchData(t, e, e.A, smallSpec)
	var next string
	first := e.CaptureQueries(func() {
		r := e.Do(e.A, "GET", "/api/v1/invoices?limit=7", nil)
		if r.Status != 200 || tk.Get(r.Body, "pagination", "total") != float64(smallSpec.Invoices) || tk.Get(r.Body, "pagination", "totalEstimated") != nil {
			t.Fatalf("first page: %d %s", r.Status, r.Raw)
		}
		next = tk.Str(r.Body, "pagination", "nextCursor")
	})
	if countMatching(first, "COUNT(") != 1 {
		t.Fatalf("first page counted %d times: %v", countMatching(first, "COUNT("), first)
	}
	// Rows added during the listing do not change the total it shows.
	e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Mid listing", "email": "mid@example.com"})
	later := e.CaptureQueries(func() {
		r := e.Do(e.A, "GET", "/api/v1/invoices?limit=7&cursor="+url.QueryEscape(next), nil)
		if r.Status != 200 || tk.Get(r.Body, "pagination", "total") != float64(smallSpec.Invoices) || !strings.HasPrefix(tk.Str(r.Body, "pagination", "nextCursor"), "t60.") {
			t.Fatalf("second page: %d %s", r.Status, r.Raw)
		}
	})
	if countMatching(later, "COUNT(") != 0 {
		t.Fatalf("second page counted: %v", later)
	}
	if r := e.Do(e.A, "GET", "/api/v1/invoices?count=maybe", nil); r.Status != 400 || tk.Str(r.Body, "error", "details", 0, "field") != "count" {
		t.Fatalf("count=maybe: %d %s", r.Status, r.Raw)
	}

	// Past the bound.
	big := benchdata.Spec{Customers: 10050, Groups: 1, Seed: 3}
	if _, err := benchdata.Load(e.Ctx(e.B), e.DB, e.B.CompanyID, big); err != nil {
		t.Fatal(err)
	}
	var est float64
	bounded := e.CaptureQueries(func() {
		r := e.Do(e.B, "GET", "/api/v1/customers?limit=5", nil)
		est, _ = tk.Get(r.Body, "pagination", "total").(float64)
		if r.Status != 200 || tk.Get(r.Body, "pagination", "totalEstimated") != true || est <= 10000 ||
			!strings.HasPrefix(tk.Str(r.Body, "pagination", "nextCursor"), "e") {
			t.Fatalf("large first page: %d %s", r.Status, r.Raw)
		}
	})
	if countMatching(bounded, "LIMIT 10001") != 1 || countMatching(bounded, "EXPLAIN") != 1 {
		t.Fatalf("large first page statements: %v", bounded)
	}
	if est < 9000 || est > 11000 {
		t.Fatalf("estimate %v for 10,050 customers", est)
	}
	// The next first page of the same list, within the minute, goes
	// straight to the estimate.
	again := e.CaptureQueries(func() {
		r := e.Do(e.B, "GET", "/api/v1/customers?limit=5", nil)
		if r.Status != 200 || tk.Get(r.Body, "pagination", "totalEstimated") != true || tk.Get(r.Body, "pagination", "total") != est {
			t.Fatalf("large first page again: %d %s", r.Status, r.Raw)
		}
	})
	if countMatching(again, "LIMIT 10001") != 0 || countMatching(again, "EXPLAIN") != 1 {
		t.Fatalf("large first page again, statements: %v", again)
	}
	// The bounded count runs through the tenant filter: A's first page
	// counts A's 31 customers, none of B's 10,050.
	if ra := e.Do(e.A, "GET", "/api/v1/customers?limit=5", nil); ra.Status != 200 ||
		tk.Get(ra.Body, "pagination", "total") != float64(smallSpec.Customers+1) || tk.Get(ra.Body, "pagination", "totalEstimated") != nil {
		t.Fatalf("A's customers beside B's 10,050: %d %s", ra.Status, ra.Raw)
	}
	r := e.Do(e.B, "GET", "/api/v1/customers?limit=5&count=exact", nil)
	if r.Status != 200 || tk.Get(r.Body, "pagination", "total") != float64(10050) || tk.Get(r.Body, "pagination", "totalEstimated") != nil {
		t.Fatalf("count=exact: %d %s", r.Status, r.Raw)
	}
	// A filter that narrows below the bound counts exactly.
	r = e.Do(e.B, "GET", "/api/v1/customers?limit=5&search="+url.QueryEscape("Customer 0100"), nil)
	if r.Status != 200 || tk.Get(r.Body, "pagination", "totalEstimated") != nil || fmt.Sprint(tk.Get(r.Body, "pagination", "total")) != "10" {
		t.Fatalf("filtered large list: %d %s", r.Status, r.Raw)
	}
}

// Payments take their gapless numbers as the transaction's last statement
// (the counter rows are locks held to COMMIT). Under 16 concurrent payers
// in one company the numbers still come out gapless and unique, each
// payment's journal entry names its payment number, and the events carry
// the final numbers, never the provisional ones.
func TestConcurrentPaymentsNumberedLate(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true})
	loadBenchData(t, e, e.A, smallSpec)
	d := e.MustGQL(e.A, `{ invoices(first: 16, where: {status: sent}) { edges { node { id } } } }`, nil)
	edges := tk.Get(d, "invoices", "edges").([]any)
	if len(edges) < 16 {
		t.Fatalf("only %d unpaid invoices", len(edges))
	}
	var prior int
	_ = e.DB.QueryRow(`SELECT count(*) FROM payments WHERE company_id = $1`, e.A.CompanyID).Scan(&prior)
	errs := make(chan error, 16)
	for _, ed := range edges {
		go func(id string) {
			r := e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/payments", map[string]any{"amount": "1.00", "paymentDate": "2031-03-01"})
			if r.Status != 201 {
				errs <- fmt.Errorf("%s: %d %s", id, r.Status, r.Raw)
				return
			}
			errs <- nil
		}(tk.Str(ed, "node", "id"))
	}
	for range edges {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	rows, err := e.DB.Query(`SELECT p.payment_number, j.entry_number, j.reference, j.description FROM payments p
		JOIN journal_entries j ON j.source_id = p.id AND j.source_type = 'payment'
		WHERE p.company_id = $1 AND p.payment_date = '2031-03-01' ORDER BY p.payment_number`, e.A.CompanyID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	i := 0
	jes := map[string]bool{}
	for rows.Next() {
		var pay, je, ref, desc string
		if err := rows.Scan(&pay, &je, &ref, &desc); err != nil {
			t.Fatal(err)
		}
		i++
		if pay != fmt.Sprintf("PAY-2031-%04d", i) || ref != pay || desc != "Payment "+pay || !strings.HasPrefix(je, "JE-2031-") {
			t.Fatalf("payment %d: %s, entry %s (%s, %s)", i, pay, je, ref, desc)
		}
		jes[je] = true
	}
	if i != 16 || len(jes) != 16 {
		t.Fatalf("%d payments, %d distinct entry numbers", i, len(jes))
	}
	for k := 1; k <= 16; k++ {
		if !jes[fmt.Sprintf("JE-2031-%04d", k)] {
			t.Fatalf("entry numbers not gapless: %v", jes)
		}
	}
	var provisional int
	_ = e.DB.QueryRow(`SELECT count(*) FROM events WHERE company_id = $1 AND type IN ('payment.received', 'journal_entry.posted')
		AND (payload->>'paymentNumber' LIKE 'pay_%' OR payload->>'number' LIKE 'je_%' OR payload->>'entryNumber' LIKE 'je_%')`, e.A.CompanyID).Scan(&provisional)
	var received int
	_ = e.DB.QueryRow(`SELECT count(*) FROM events WHERE company_id = $1 AND type = 'payment.received' AND payload->>'paymentNumber' LIKE 'PAY-2031-%'`, e.A.CompanyID).Scan(&received)
	if provisional != 0 || received != 16 {
		t.Fatalf("events: %d with provisional numbers, %d payment.received with final ones", provisional, received)
	}
}

// A recorded payment is answered from the workflow's own objects (no
// reads after the commit), exactly as a later GET shows it, and costs no
// statements outside its transaction.
func TestRecordPaymentAnswerMatchesRead(t *testing.T) {
	e := tk.New(t)
	loadBenchData(t, e, e.A, smallSpec)
	d := e.MustGQL(e.A, `{ invoices(first: 1, where: {status: sent}) { edges { node { id } } } }`, nil)
	inv := tk.Str(d, "invoices", "edges", 0, "node", "id")
	var created tk.Response
	stmts := e.CaptureQueries(func() {
		created = e.Do(e.A, "POST", "/api/v1/invoices/"+inv+"/payments", map[string]any{"amount": "10.00", "reference": "TRX-1"})
	})
	if created.Status != 201 {
		t.Fatalf("record: %d %s", created.Status, created.Raw)
	}
	if n := countMatching(stmts, "driver.Query") + countMatching(stmts, "driver.Exec"); n != 0 {
		t.Fatalf("%d statements outside the transaction: %v", n, stmts)
	}
	id := tk.Str(created.Body, "data", "id")
	got := e.Do(e.A, "GET", "/api/v1/payments/"+id, nil)
	a, _ := json.Marshal(created.Body["data"])
	b, _ := json.Marshal(got.Body["data"])
	if got.Status != 200 || string(a) != string(b) {
		t.Fatalf("create answered\n%s\nGET answers\n%s", a, b)
	}
	if tk.Str(created.Body, "data", "invoice", "id") != inv || !strings.HasPrefix(tk.Str(created.Body, "data", "paymentNumber"), "PAY-") {
		t.Fatalf("payment answer: %s", created.Raw)
	}
}

// A field the GraphQL schema adds to an ent type loads only the columns
// ent/resolver_columns.go lists for it: each resolver still answers from
// them when the query asks for nothing else.
func TestResolverColumns(t *testing.T) {
	e := tk.New(t)
	_, cust := goldenInvoice(t, e, e.A)
	paidInvoice(t, e, e.A, cust, 100, "cash")
	d := e.MustGQL(e.A, `{ invoices(first: 10) { edges { node { pdfUrl payments { amount } deliveries { id } } } }
		all: invoices(first: 10) { edges { node { id invoiceNumber amountPaid } } } }`, nil)
	edges, all := tk.Get(d, "invoices", "edges").([]any), tk.Get(d, "all", "edges").([]any)
	if len(edges) < 2 || len(edges) != len(all) {
		t.Fatalf("invoices: %v", d)
	}
	paid := 0
	for i, ed := range edges {
		number := tk.Str(all[i], "node", "invoiceNumber")
		if url := tk.Str(ed, "node", "pdfUrl"); number == "" || !strings.HasSuffix(url, "/"+number+".pdf") {
			t.Errorf("pdfUrl %q for %s", url, number)
		}
		if len(tk.Get(ed, "node", "payments").([]any)) > 0 {
			paid++
		}
		if p := tk.Str(all[i], "node", "amountPaid"); p != "0" && p != "0.00" && len(tk.Get(ed, "node", "payments").([]any)) == 0 {
			t.Errorf("%s has amountPaid %s and no payments", number, tk.Str(all[i], "node", "amountPaid"))
		}
	}
	if paid == 0 {
		t.Fatalf("no invoice answered its payments: %v", d)
	}
	q := e.Do(e.A, "POST", "/api/v1/quotes", map[string]any{"customerId": cust,
		"items": []map[string]any{{"description": "Consulting", "quantity": "1", "unitPrice": "10.00"}}})
	if q.Status != 201 {
		t.Fatalf("quote: %d %s", q.Status, q.Raw)
	}
	number := tk.Str(q.Body, "data", "quoteNumber")
	qd := e.MustGQL(e.A, `{ quotes(first: 5) { edges { node { pdfUrl deliveries { id } } } } }`, nil)
	if url := tk.Str(qd, "quotes", "edges", 0, "node", "pdfUrl"); number == "" || !strings.HasSuffix(url, "/"+number+".pdf") {
		t.Fatalf("quote pdfUrl %q for %q", url, number)
	}
}

func withoutKeyLookup(stmts []string) []string {
	out := stmts[:0:0]
	for _, s := range stmts {
		if !strings.Contains(s, "FROM api_keys") {
			out = append(out, s)
		}
	}
	return out
}
