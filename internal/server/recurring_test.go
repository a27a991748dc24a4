package server_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/recurringinvoice"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/crm"
	"github.com/bigledger/bigledger/internal/sales"
	tk "github.com/bigledger/bigledger/internal/testkit"
	"github.com/bigledger/bigledger/internal/testkit/pdftext"
)

func monthsAgo(t *testing.T, n int) types.Date {
	return types.DateOf(todayKL(t).Time().AddDate(0, -n, 0))
}

func runRecurring(t *testing.T, e *tk.Env) int {
	t.Helper()
	n, err := sales.RunRecurring(context.Background(), e.Client, e.DB)
	if err != nil {
		t.Fatalf("run recurring: %v", err)
	}
	return n
}

// A recurring invoice makes each period's invoice once, dated its
// period and issued (posted), catches up after downtime, and stops after
// maxCount; seed 003 reads it as a subscription.
func TestRecurringInvoices(t *testing.T) {
	e := tk.New(t)
	cust := contact003(t, e, e.A, map[string]any{"type": "customer", "name": "Subscriber", "email": "sub@example.com"})
	cid := tk.Str(cust, "id")
	start := monthsAgo(t, 2)
	rec := must(t, e.Do(e.A, "POST", "/api/v1/recurring-invoices", map[string]any{"customerId": cid, "interval": "month", "startDate": start.String(),
		"maxCount": 4, "reference": "Retainer", "items": []any{map[string]any{"description": "Support", "quantity": 1, "unitPrice": "1500.00"}}}), 201, "create")
	id := tk.Str(rec, "id")
	if rec["status"] != "active" || rec["nextRunDate"] != start.String() || tk.Str(rec, "subscriptionNumber") != "SUB-0001" || rec["generatedCount"] != 0.0 {
		t.Fatalf("created: %v", rec)
	}
	// Downtime: three periods are due (two months ago, last month, today).
	if n := runRecurring(t, e); n != 3 {
		t.Fatalf("catch-up made %d invoices, want 3", n)
	}
	if n := runRecurring(t, e); n != 0 {
		t.Fatalf("a second run made %d more", n)
	}
	var rows []struct {
		date, status string
		total        string
	}
	q, err := e.DB.Query(`SELECT recurring_period::text, status, round(total, 2)::text FROM invoices WHERE recurring_invoice_id = $1 ORDER BY recurring_period`, id)
	if err != nil {
		t.Fatal(err)
	}
	for q.Next() {
		var r struct{ date, status, total string }
		_ = q.Scan(&r.date, &r.status, &r.total)
		rows = append(rows, struct{ date, status, total string }{r.date, r.status, r.total})
	}
	q.Close()
	if len(rows) != 3 || rows[0].date != start.String() || rows[2].date != todayKL(t).String() || rows[0].status != "sent" || rows[0].total != "1500.00" {
		t.Fatalf("generated: %v", rows)
	}
	verifyLedger(t, e)
	if b := mustBody(t, e.Do(e.A, "GET", contactsPath+"/"+cid+"/balance", nil), 200, "balance"); tk.Get(b, "data", "due") != 4500.0 {
		t.Fatalf("balance after three invoices: %v", b)
	}
	got := must(t, e.Do(e.A, "GET", "/api/v1/recurring-invoices/"+id, nil), 200, "get")
	if got["generatedCount"] != 3.0 || got["nextRunDate"] != types.DateOf(start.Time().AddDate(0, 3, 0)).String() {
		t.Fatalf("after catch-up: %v", got)
	}

	// Seed 003: the subscription, its generated invoices, stop and resume.
	sub := mustBody(t, e.Do(e.A, "GET", "/api/v1/integration/subscriptions/"+id, nil), 200, "subscription")["data"].(map[string]any)
	if sub["generated_invoice_count"] != 3.0 || len(sub["generated_invoices"].([]any)) != 3 || sub["is_stopped"] != false ||
		sub["recur_interval_type"] != "months" || sub["contact_name"] != "Subscriber" || sub["upcoming_invoice_date"] == nil || sub["invoice_no"] == nil {
		t.Fatalf("subscription row: %v", sub)
	}
	list := mustBody(t, e.Do(e.A, "GET", contactsPath+"/"+cid+"/subscriptions", nil), 200, "contact subscriptions")
	if tk.Get(list, "meta", "total") != 1.0 || tk.Str(list, "data", 0, "id") != id {
		t.Fatalf("contact subscriptions: %v", list)
	}
	if r := mustBody(t, e.Do(e.A, "GET", "/api/v1/integration/subscriptions?q=SUB-0001", nil), 200, "search"); tk.Get(r, "meta", "total") != 1.0 {
		t.Fatalf("search by number: %v", r)
	}
	stopped := mustBody(t, e.Do(e.A, "POST", "/api/v1/integration/subscriptions/"+id+"/toggle-recurring", nil), 200, "stop")["data"].(map[string]any)
	if stopped["is_stopped"] != true || stopped["recur_stopped_on"] == nil || stopped["upcoming_invoice_date"] != nil {
		t.Fatalf("stopped: %v", stopped)
	}
	resumed := mustBody(t, e.Do(e.A, "POST", "/api/v1/integration/subscriptions/"+id+"/toggle-recurring", nil), 200, "resume")["data"].(map[string]any)
	if resumed["is_stopped"] != false || resumed["recur_stopped_on"] != nil {
		t.Fatalf("resumed: %v", resumed)
	}

	// maxCount ends the schedule.
	must(t, e.Do(e.A, "PATCH", "/api/v1/recurring-invoices/"+id, map[string]any{"maxCount": 3}), 200, "lower maxCount")
	if r := e.Do(e.A, "PATCH", "/api/v1/recurring-invoices/"+id, map[string]any{"maxCount": 2}); r.Status != 400 || tk.Str(r.Body, "error", "details", 0, "field") != "maxCount" {
		t.Fatalf("maxCount under generated: %d %s", r.Status, r.Raw)
	}

	// Another company sees none of it.
	for _, p := range []string{"/api/v1/recurring-invoices/" + id, "/api/v1/integration/subscriptions/" + id, contactsPath + "/" + cid + "/subscriptions"} {
		if r := e.Do(e.B, "GET", p, nil); r.Status != 404 {
			t.Errorf("B GET %s: %d", p, r.Status)
		}
	}
	if r := e.Do(e.B, "POST", "/api/v1/integration/subscriptions/"+id+"/toggle-recurring", nil); r.Status != 404 {
		t.Fatalf("B toggles A's: %d", r.Status)
	}
	if r := e.Do(e.B, "POST", "/api/v1/recurring-invoices", map[string]any{"customerId": cid, "interval": "month",
		"items": []any{map[string]any{"description": "X", "quantity": 1, "unitPrice": 1}}}); r.Status != 400 || tk.Str(r.Body, "error", "details", 0, "field") != "customerId" {
		t.Fatalf("B bills A's customer: %d %s", r.Status, r.Raw)
	}
	if r := mustBody(t, e.Do(e.B, "GET", "/api/v1/integration/subscriptions", nil), 200, "B list"); tk.Get(r, "meta", "total") != 0.0 {
		t.Fatalf("B lists A's subscriptions: %v", r)
	}
}

// Several instances running the generator at once make each period once.
func TestRecurringConcurrentRuns(t *testing.T) {
	e := tk.New(t)
	cust := contact003(t, e, e.A, map[string]any{"type": "customer", "name": "Weekly"})
	id := tk.Str(must(t, e.Do(e.A, "POST", "/api/v1/recurring-invoices", map[string]any{"customerId": tk.Str(cust, "id"), "interval": "week",
		"startDate": monthsAgo(t, 6).String(), "items": []any{map[string]any{"description": "Box", "quantity": 2, "unitPrice": "12.35"}}}), 201, "create"), "id")
	var wg sync.WaitGroup
	total := make([]int, 4)
	for i := range total {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			n, err := sales.RunRecurring(context.Background(), e.Client, e.DB)
			if err != nil {
				t.Errorf("run %d: %v", i, err)
			}
			total[i] = n
		}(i)
	}
	wg.Wait()
	sum := 0
	for _, n := range total {
		sum += n
	}
	sum += runRecurring(t, e)
	var made, distinct int
	if err := e.DB.QueryRow(`SELECT count(*), count(DISTINCT recurring_period) FROM invoices WHERE recurring_invoice_id = $1`, id).Scan(&made, &distinct); err != nil {
		t.Fatal(err)
	}
	// Weekly over ~26 weeks: 27 or so periods up to today, each once.
	if made != distinct || made != sum || made < 26 || made > 28 {
		t.Fatalf("made %d invoices for %d periods (runs reported %d)", made, distinct, sum)
	}
	verifyLedger(t, e)
}

// Periods keep the start day, or the month's last day.
func TestRecurringPeriods(t *testing.T) {
	start := types.Date{Year: 2024, Month: 1, Day: 31}
	want := []string{"2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"}
	for k, w := range want {
		if got := sales.PeriodAt(start, recurringinvoice.IntervalMonth, 1, k).String(); got != w {
			t.Errorf("period %d: %s, want %s", k, got, w)
		}
	}
	if got := sales.PeriodAt(types.Date{Year: 2024, Month: 2, Day: 29}, recurringinvoice.IntervalYear, 1, 1).String(); got != "2025-02-28" {
		t.Errorf("leap-day yearly: %s", got)
	}
	if got := sales.PeriodAt(start, recurringinvoice.IntervalWeek, 2, 3).String(); got != "2024-03-13" {
		t.Errorf("fortnightly: %s", got)
	}
}

// Bad input names its field and stores nothing.
func TestRecurringBadInput(t *testing.T) {
	e := tk.New(t)
	cust := tk.Str(contact003(t, e, e.A, map[string]any{"type": "customer", "name": "C"}), "id")
	sup := tk.Str(contact003(t, e, e.A, map[string]any{"type": "supplier", "name": "S"}), "id")
	line := []any{map[string]any{"description": "X", "quantity": 1, "unitPrice": 10}}
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"interval": "month", "items": line}, "customerId"},
		{map[string]any{"customerId": cust, "items": line}, "interval"},
		{map[string]any{"customerId": cust, "interval": "fortnight", "items": line}, "interval"},
		{map[string]any{"customerId": cust, "interval": "day", "intervalCount": 0, "items": line}, "intervalCount"},
		{map[string]any{"customerId": cust, "interval": "day", "maxCount": 0, "items": line}, "maxCount"},
		{map[string]any{"customerId": cust, "interval": "day"}, "items"},
		{map[string]any{"customerId": cust, "interval": "day", "items": []any{map[string]any{"description": "X", "unitPrice": 1}}}, "items[0].quantity"},
		{map[string]any{"customerId": cust, "interval": "day", "items": []any{map[string]any{"description": "X", "quantity": 1, "unitPrice": -5}}}, "items[0].unitPrice"},
		{map[string]any{"customerId": cust, "interval": "day", "startDate": "2024-05-01", "endDate": "2024-04-01", "items": line}, "endDate"},
		{map[string]any{"customerId": sup, "interval": "day", "items": line}, "customerId"},
		{map[string]any{"customerId": "cust_01JD0000000000000000000000", "interval": "day", "items": line}, "customerId"},
		{map[string]any{"customerId": cust, "interval": "day", "items": line, "colour": "red"}, "colour"},
	} {
		r := e.Do(e.A, "POST", "/api/v1/recurring-invoices", c.body)
		if r.Status != 400 || tk.Str(r.Body, "error", "code") == "" || tk.Str(r.Body, "error", "details", 0, "field") != c.field {
			t.Errorf("%v: want 400 on %s, got %d %s", c.body, c.field, r.Status, r.Raw)
		}
	}
	var n int
	if err := e.DB.QueryRow(`SELECT count(*) FROM recurring_invoices`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("refused recurring invoices stored: %d %v", n, err)
	}
	if r := e.Do(e.A, "GET", contactsPath+"/"+sup+"/subscriptions", nil); r.Status != 422 {
		t.Fatalf("supplier subscriptions: %d %s", r.Status, r.Raw)
	}
	for _, q := range []string{"?start_date=2024-01-01", "?start_date=2024-02-01&end_date=2024-01-01", "?q=a", "?location_id=9", "?contact_id=x"} {
		if r := e.Do(e.A, "GET", "/api/v1/integration/subscriptions"+q, nil); r.Status != 422 {
			t.Errorf("%s: %d %s", q, r.Status, r.Raw)
		}
	}
}

// GraphQL: create, read, update and toggle a recurring invoice; the
// generator makes its invoices as for REST ones.
func TestRecurringInvoicesGraphQL(t *testing.T) {
	e := tk.New(t)
	cust := newCustomer(t, e, e.A, "Graph Sub")
	start := monthsAgo(t, 1)
	d := e.MustGQL(e.A, `mutation($in: CreateRecurringInvoiceInput!) { createRecurringInvoice(input: $in) {
		id subscriptionNumber status interval intervalCount startDate nextRunDate maxCount issue items { description quantity unitPrice } } }`,
		map[string]any{"in": map[string]any{"customerId": cust.ID, "interval": "month", "startDate": start.String(), "maxCount": 2,
			"items": []any{map[string]any{"description": "Hosting", "quantity": "1", "unitPrice": "99.90"}}}})
	rec := d["createRecurringInvoice"].(map[string]any)
	id := rec["id"].(string)
	if rec["status"] != "active" || rec["interval"] != "month" || rec["nextRunDate"] != start.String() || tk.Str(rec, "items", 0, "unitPrice") != "99.9" {
		t.Fatalf("created: %v", rec)
	}
	if n := runRecurring(t, e); n != 2 {
		t.Fatalf("generated %d, want 2 (last month and today)", n)
	}
	got := e.MustGQL(e.A, `query($id: ID!) { recurringInvoice(id: $id) { status generatedCount nextRunDate lastGeneratedAt } }`, map[string]any{"id": id})["recurringInvoice"].(map[string]any)
	if got["status"] != "completed" || got["generatedCount"] != 2.0 || got["nextRunDate"] != nil || got["lastGeneratedAt"] == nil {
		t.Fatalf("after maxCount: %v", got)
	}
	if r := e.GQL(e.A, `mutation($id: ID!) { toggleRecurringInvoice(id: $id) { status } }`, map[string]any{"id": id}); len(r.Errors) != 1 || r.Errors[0].Code() != "INVALID_RECURRING_INVOICE" {
		t.Fatalf("toggle completed: %s", r.Raw)
	}
	second := e.MustGQL(e.A, `mutation($in: CreateRecurringInvoiceInput!) { createRecurringInvoice(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"customerId": cust.ID, "interval": "week", "startDate": plus(todayKL(t), 7),
			"items": []any{map[string]any{"description": "Weekly", "quantity": "2", "unitPrice": "5"}}}})["createRecurringInvoice"].(map[string]any)["id"].(string)
	upd := e.MustGQL(e.A, `mutation($id: ID!) { updateRecurringInvoice(id: $id, input: {intervalCount: 2, maxCount: 10, issue: false}) { intervalCount maxCount issue } }`,
		map[string]any{"id": second})["updateRecurringInvoice"].(map[string]any)
	if upd["intervalCount"] != 2.0 || upd["maxCount"] != 10.0 || upd["issue"] != false {
		t.Fatalf("update: %v", upd)
	}
	if s := e.MustGQL(e.A, `mutation($id: ID!) { toggleRecurringInvoice(id: $id) { status stoppedAt } }`, map[string]any{"id": second})["toggleRecurringInvoice"].(map[string]any); s["status"] != "stopped" || s["stoppedAt"] == nil {
		t.Fatalf("stop: %v", s)
	}
	list := e.MustGQL(e.A, `query($c: ID) { recurringInvoices(customerId: $c) { id } stopped: recurringInvoices(status: stopped) { id } }`, map[string]any{"c": cust.ID})
	if len(list["recurringInvoices"].([]any)) != 2 || len(list["stopped"].([]any)) != 1 {
		t.Fatalf("lists: %v", list)
	}
	// The customer and generated invoices of a list: a fixed number of
	// statements however many recurring invoices the page holds.
	edges := `{ recurringInvoices { subscriptionNumber customer { name } invoices { invoiceNumber recurringPeriod: invoiceDate } } }`
	var r1 map[string]any
	_, one := requestStatements(e, func() { r1 = e.MustGQL(e.A, edges, nil) })
	recs := r1["recurringInvoices"].([]any)
	var withInvoices map[string]any
	for _, x := range recs {
		if m := x.(map[string]any); len(m["invoices"].([]any)) > 0 {
			withInvoices = m
		}
		if tk.Str(x, "customer", "name") != "Graph Sub" {
			t.Fatalf("customer edge: %v", x)
		}
	}
	if withInvoices == nil || len(withInvoices["invoices"].([]any)) != 2 ||
		tk.Str(withInvoices, "invoices", 0, "recurringPeriod") <= tk.Str(withInvoices, "invoices", 1, "recurringPeriod") {
		t.Fatalf("invoices edge (newest period first): %v", recs)
	}
	for range 3 {
		e.MustGQL(e.A, `mutation($in: CreateRecurringInvoiceInput!) { createRecurringInvoice(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"customerId": newCustomer(t, e, e.A, "More "+pulid.New("x").String()).ID, "interval": "week", "startDate": plus(todayKL(t), 7),
				"items": []any{map[string]any{"description": "W", "quantity": "1", "unitPrice": "1"}}}})
	}
	if _, many := requestStatements(e, func() { e.MustGQL(e.A, edges, nil) }); many != one {
		t.Errorf("%d statements for 5 recurring invoices with edges, %d for 2: N+1", many, one)
	}
	// Bad input and other companies.
	for _, c := range []struct {
		q     string
		vars  map[string]any
		field string
	}{
		{`mutation { createRecurringInvoice(input: {customerId: "` + string(cust.ID) + `", interval: month, intervalCount: 0, items: [{description: "X", quantity: "1", unitPrice: "1"}]}) { id } }`, nil, "intervalCount"},
		{`mutation { createRecurringInvoice(input: {customerId: "` + string(cust.ID) + `", interval: month, items: []}) { id } }`, nil, "items"},
	} {
		r := e.GQL(e.A, c.q, c.vars)
		if len(r.Errors) == 0 || r.Errors[0].Code() != "INVALID_RECURRING_INVOICE" || !strings.Contains(string(r.Raw), c.field) {
			t.Errorf("%s: %s", c.q, r.Raw)
		}
	}
	if r := e.GQL(e.B, `query($id: ID!) { recurringInvoice(id: $id) { id } }`, map[string]any{"id": id}); len(r.Errors) != 1 || r.Errors[0].Code() != "RECURRING_INVOICE_NOT_FOUND" {
		t.Fatalf("B reads A's: %s", r.Raw)
	}
	if r := e.MustGQL(e.B, `{ recurringInvoices { id } }`, nil); len(r["recurringInvoices"].([]any)) != 0 {
		t.Fatalf("B lists A's: %v", r)
	}
}

// autoSend emails each generated invoice as it is issued; a customer with
// no address gets it issued only; a draft template cannot auto-send.
func TestRecurringAutoSend(t *testing.T) {
	e := tk.New(t)
	cust := newCustomer(t, e, e.A, "Mailed Sub") // mailed.sub@example.com
	create := `mutation($in: CreateRecurringInvoiceInput!) { createRecurringInvoice(input: $in) { id autoSend issue } }`
	in := func(c any, extra map[string]any) map[string]any {
		m := map[string]any{"customerId": c, "interval": "month", "startDate": todayKL(t).String(), "maxCount": 1,
			"items": []any{map[string]any{"description": "Hosting", "quantity": "1", "unitPrice": "99.90"}}}
		for k, v := range extra {
			m[k] = v
		}
		return map[string]any{"in": m}
	}
	if d := e.MustGQL(e.A, create, in(cust.ID, map[string]any{"autoSend": true})); tk.Get(d, "createRecurringInvoice", "autoSend") != true {
		t.Fatalf("created: %v", d)
	}
	if r := e.GQL(e.A, create, in(cust.ID, map[string]any{"autoSend": true, "issue": false})); len(r.Errors) != 1 || !strings.Contains(string(r.Raw), `"autoSend"`) {
		t.Errorf("autoSend on drafts: %s", r.Raw)
	}
	phone := "+60312345678"
	silent, err := crm.CreateCustomer(e.Ctx(e.A), ent.CreateCustomerInput{Name: "No Mail Sub", Phone: &phone})
	if err != nil {
		t.Fatal(err)
	}
	e.MustGQL(e.A, create, in(silent.ID, map[string]any{"autoSend": true}))
	if n := runRecurring(t, e); n != 2 {
		t.Fatalf("generated %d", n)
	}
	msgs := e.DeliverMail()
	if len(msgs) != 1 || strings.Join(msgs[0].To, ",") != "mailed.sub@example.com" {
		t.Fatalf("emails: %d %v", len(msgs), msgs)
	}
	m := parseMail(t, msgs[0])
	var pdf []byte
	for name, b := range m.files {
		if strings.HasPrefix(name, "INV-") {
			pdf = b
		}
	}
	if !strings.Contains(pdftext.Text(t, pdf), "99.90") {
		t.Errorf("auto-sent invoice PDF: %v", len(pdf))
	}
	var sent, issued int
	_ = e.DB.QueryRow(`SELECT count(*) FILTER (WHERE send_count = 1), count(*) FILTER (WHERE status = 'sent') FROM invoices WHERE recurring_invoice_id IS NOT NULL`).Scan(&sent, &issued)
	if sent != 1 || issued != 2 {
		t.Errorf("%d sent, %d issued; want 1 and 2", sent, issued)
	}
}
