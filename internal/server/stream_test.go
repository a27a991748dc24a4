package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bigledger/bigledger/internal/events"
	"github.com/bigledger/bigledger/internal/idem"
	"github.com/bigledger/bigledger/internal/ratelimit"
	"github.com/bigledger/bigledger/internal/sales"
	"github.com/bigledger/bigledger/internal/server"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

func streamAuth(t *testing.T, e *tk.Env, tn tk.Tenant, path string) *tk.WS {
	t.Helper()
	w, _, err := e.Dial(path, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	w.Send(map[string]any{"type": "auth", "token": tn.Key, "companyId": tn.CompanyID})
	if m := w.MustNext(wait); m["type"] != "authenticated" || m["companyId"] != tn.CompanyID {
		t.Fatalf("auth: %v", m)
	}
	return w
}

// The seed-001 stream: auth and subscribe messages, channels, per-channel
// filters, the documented message format, resume with after.
func TestSeed001Stream(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true})
	w := streamAuth(t, e, e.A, "/v1/stream")
	w.Send(map[string]any{"type": "subscribe", "channels": []string{"invoice.updates", "payment.received", "customer.created"},
		"filters": map[string]any{"invoice.updates": map[string]any{"status": []string{"sent"}}}})
	if m := w.MustNext(wait); m["type"] != "subscribed" {
		t.Fatalf("subscribe: %v", m)
	}
	cu := newCustomer(t, e, e.A, "Streamed")
	m := w.MustNext(wait)
	meta, _ := m["meta"].(map[string]any)
	if m["type"] != "event" || m["channel"] != "customer.created" || tk.Str(m, "data", "id") != string(cu.ID) ||
		meta["companyId"] != e.A.CompanyID || !strings.HasPrefix(fmt.Sprint(meta["eventId"]), "evt_") || meta["timestamp"] == nil {
		t.Fatalf("customer.created message: %v", m)
	}
	inv := newInvoice(t, e, e.A, cu, "99.00") // a draft: filtered out of invoice.updates
	issue(t, e, e.A, inv)                     // sent: passes the filter (updated + sent)
	var statuses []string
	for i := 0; i < 1; i++ {
		m := w.MustNext(wait)
		if m["channel"] != "invoice.updates" || tk.Str(m, "data", "status") != "sent" || tk.Str(m, "data", "invoiceNumber") != inv.InvoiceNumber {
			t.Fatalf("invoice.updates message: %v", m)
		}
		statuses = append(statuses, fmt.Sprint(m["event"]))
	}
	if strings.Join(statuses, ",") != "invoice.updated" {
		t.Fatalf("invoice events: %v", statuses)
	}
	p := pay(t, e, e.A, inv, "99.00")
	got := map[string]bool{}
	var lastID string
	for i := 0; i < 3; i++ { // payment.received, and invoice.updated + invoice.paid (status paid: filtered)
		m := w.Next(time.Second)
		if m == nil {
			break
		}
		got[fmt.Sprint(m["channel"], "/", m["event"])] = true
		lastID = fmt.Sprint(m["meta"].(map[string]any)["eventId"])
		if m["channel"] == "payment.received" && (tk.Str(m, "data", "id") != string(p.ID) || fmt.Sprint(tk.Get(m, "data", "amount")) != "99.00") {
			t.Fatalf("payment message: %v", m)
		}
	}
	if len(got) != 1 || !got["payment.received/payment.received"] {
		t.Fatalf("after payment: %v (paid invoices must be filtered out)", got)
	}
	w.Send(map[string]any{"type": "ping"})
	if m := w.MustNext(wait); m["type"] != "pong" {
		t.Fatalf("ping: %v", m)
	}

	// Resume on a new connection (the /api/v1 path) from the last event seen.
	w.Close()
	later := newCustomer(t, e, e.A, "While away")
	newCustomer(t, e, e.B, "Not yours")
	w2 := streamAuth(t, e, e.A, "/api/v1/stream")
	w2.Send(map[string]any{"type": "subscribe", "channels": []string{"customer.created"}, "after": lastID})
	if m := w2.MustNext(wait); m["type"] != "subscribed" {
		t.Fatalf("resubscribe: %v", m)
	}
	if m := w2.MustNext(wait); tk.Str(m, "data", "id") != string(later.ID) {
		t.Fatalf("resume: %v", m)
	}
	if m := w2.Next(300 * time.Millisecond); m != nil {
		t.Fatalf("extra: %v", m)
	}
}

func TestStreamRefusals(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true, AllowedOrigins: []string{"https://app.example"}})
	// Bad credentials: an error message, then close 4401.
	for name, msg := range map[string]map[string]any{
		"bad key":       {"type": "auth", "token": "blk_nope", "companyId": e.A.CompanyID},
		"wrong company": {"type": "auth", "token": e.A.Key, "companyId": e.B.CompanyID},
		"no auth first": {"type": "subscribe", "channels": []string{"customer.created"}},
	} {
		w, _, err := e.Dial("/v1/stream", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		w.Send(msg)
		if m := w.MustNext(wait); m["type"] != "error" || m["code"] != "AUTHENTICATION_FAILED" {
			t.Fatalf("%s: %v", name, m)
		}
		select {
		case err := <-w.Closed:
			if !strings.Contains(err.Error(), "4401") {
				t.Fatalf("%s: closed with %v", name, err)
			}
		case <-time.After(wait):
			t.Fatalf("%s: not closed", name)
		}
	}
	// A foreign Origin is refused at the upgrade.
	if _, res, err := e.Dial("/v1/stream", "", http.Header{"Origin": {"https://evil.example"}}); err == nil || res.StatusCode != 403 {
		t.Fatalf("foreign origin: %v", err)
	}
	// Bad subscriptions name the offending field; the connection stays usable.
	limited := e.NewTenant("Limited", "customers:read")
	w := streamAuth(t, e, limited, "/v1/stream")
	w.Send(map[string]any{"type": "subscribe", "channels": []string{"customer.created", "stock.changes", "nonsense", "payment.received"},
		"filters": map[string]any{"invoice.updates": map[string]any{"status": []string{"sent"}}}, "after": "evt_01HZZZZZZZZZZZZZZZZZZZZZZZ"})
	m := w.MustNext(wait)
	raw, _ := json.Marshal(m)
	for _, want := range []string{`"channels[2]"`, `"channels[3]"`, `"filters.invoice.updates"`, `"after"`, "INVALID_SUBSCRIPTION"} {
		if !strings.Contains(string(raw), want) {
			t.Fatalf("bad subscribe: %s lacks %s", raw, want)
		}
	}
	// A channel this server does not produce (seed 001's own example names
	// stock.changes) is ignored with a warning, not an error.
	if strings.Contains(string(raw), `"channels[1]"`) {
		t.Fatalf("stock.changes refused: %s", raw)
	}
	w.Send(map[string]any{"type": "subscribe", "channels": []string{"customer.created", "stock.changes"}})
	if m := w.MustNext(wait); m["type"] != "subscribed" || fmt.Sprint(m["ignored"]) != "[stock.changes]" || fmt.Sprint(m["channels"]) != "[customer.created]" {
		t.Fatalf("subscribe naming stock.changes: %v", m)
	}
	w.Send(map[string]any{"type": "subscribe", "channels": []string{"stock.changes"}})
	if m := w.MustNext(wait); m["type"] != "error" || !strings.Contains(fmt.Sprint(m), "not produced") {
		t.Fatalf("only stock.changes: %v", m)
	}
	w.Send(map[string]any{"type": "subscribe", "channels": []string{"customer.created"}})
	if m := w.MustNext(wait); m["type"] != "subscribed" {
		t.Fatalf("good subscribe after a bad one: %v", m)
	}
	w.Send("not an object")
	if m := w.MustNext(wait); m["code"] != "INVALID_MESSAGE" {
		t.Fatalf("garbage: %v", m)
	}
}

// The events query: the log in order, paged by event id, filtered by
// type, narrowed to what the key may read, never another company's.
func TestEventsQuery(t *testing.T) {
	e := tk.New(t)
	cu := newCustomer(t, e, e.A, "Logged")
	inv := newInvoice(t, e, e.A, cu, "10.00")
	issue(t, e, e.A, inv)
	newCustomer(t, e, e.B, "B's")
	q := `query($after: ID, $types: [String!], $first: Int) { events(after: $after, types: $types, first: $first) {
		edges { cursor node { id type subjectId sequence payload createdAt } } endCursor hasNextPage } }`
	all := e.MustGQL(e.A, q, nil)
	edges := tk.Get(all, "events", "edges").([]any)
	var types []string
	for _, ed := range edges {
		types = append(types, tk.Str(ed, "node", "type"))
	}
	want := "customer.created,invoice.created,journal_entry.posted,invoice.updated"
	if strings.Join(types, ",") != want {
		t.Fatalf("log: %v, want %s", types, want)
	}
	page := e.MustGQL(e.A, q, map[string]any{"first": 2})
	if tk.Get(page, "events", "hasNextPage") != true || len(tk.Get(page, "events", "edges").([]any)) != 2 {
		t.Fatalf("page: %v", page)
	}
	next := e.MustGQL(e.A, q, map[string]any{"first": 2, "after": tk.Str(page, "events", "endCursor")})
	if tk.Str(tk.Get(next, "events", "edges").([]any)[0], "node", "type") != "journal_entry.posted" {
		t.Fatalf("next page: %v", next)
	}
	onlyInv := e.MustGQL(e.A, q, map[string]any{"types": []string{"invoice.updated"}})
	if n := len(tk.Get(onlyInv, "events", "edges").([]any)); n != 1 {
		t.Fatalf("types filter: %d", n)
	}
	// B's log has only B's event; A's event id is unknown to B.
	b := e.MustGQL(e.B, q, nil)
	if n := len(tk.Get(b, "events", "edges").([]any)); n != 1 {
		t.Fatalf("B sees %d events", n)
	}
	if g := e.GQL(e.B, q, map[string]any{"after": tk.Str(page, "events", "endCursor")}); len(g.Errors) == 0 || !strings.Contains(g.Errors[0].Message, "Unknown event id") {
		t.Fatalf("B with A's cursor: %+v", g)
	}
	// A key that reads customers only sees customer events; naming others is refused.
	limited := e.NewTenant("Limited", "customers:read")
	newCustomer(t, e, limited, "Mine")
	newInvoice(t, e, limited, newCustomer(t, e, limited, "Mine too"), "5.00") // invoice events it may not read
	l := e.MustGQL(limited, q, nil)
	for _, ed := range tk.Get(l, "events", "edges").([]any) {
		if !strings.HasPrefix(tk.Str(ed, "node", "type"), "customer.") {
			t.Fatalf("limited key saw %v", ed)
		}
	}
	if g := e.GQL(limited, q, map[string]any{"types": []string{"invoice.created"}}); len(g.Errors) == 0 || g.Errors[0].Code() != "PERMISSION_DENIED" {
		t.Fatalf("limited naming invoices: %+v", g)
	}
	for _, bad := range []map[string]any{{"types": []string{"invoice.exploded"}}, {"first": 0}, {"first": 101}} {
		if g := e.GQL(e.A, q, bad); len(g.Errors) == 0 || g.Errors[0].Code() != "VALIDATION_ERROR" {
			t.Fatalf("%v: %+v", bad, g)
		}
	}
	for _, bad := range []string{"limit=0", "limit=101", "limit=x", "types=invoice.exploded", "after=evt_01HZZZZZZZZZZZZZZZZZZZZZZZ"} {
		if r := e.Do(e.A, "GET", "/api/v1/events?"+bad, nil); r.Status != 400 {
			t.Errorf("REST events %s: %d %s", bad, r.Status, r.Raw)
		}
	}
	// REST mirror.
	r := e.Do(e.A, "GET", "/api/v1/events?types=invoice.created,invoice.updated&limit=10", nil)
	if r.Status != 200 || len(tk.Get(r.Body, "data", "events").([]any)) != 2 || !strings.Contains(string(r.Raw), `"total":10.00`) {
		t.Fatalf("REST events: %d %s", r.Status, r.Raw)
	}
}

// invoice.overdue comes from a periodic job that may run on every
// instance at once: one event per invoice, never more.
func TestOverdueJobEmitsOncePerInvoice(t *testing.T) {
	e := tk.New(t)
	cu := newCustomer(t, e, e.A, "Late Payer")
	inv := newInvoice(t, e, e.A, cu, "40.00")
	issue(t, e, e.A, inv)
	paidLate := newInvoice(t, e, e.A, cu, "5.00")
	issue(t, e, e.A, paidLate)
	pay(t, e, e.A, paidLate, "5.00")
	if _, err := e.DB.Exec(`UPDATE invoices SET due_date = current_date - 10 WHERE company_id = $1`, e.A.CompanyID); err != nil {
		t.Fatal(err)
	}
	done := make(chan int, 8)
	for i := 0; i < 8; i++ {
		go func() {
			n, err := sales.EmitOverdue(e.Ctx(e.A), e.DB)
			if err != nil {
				t.Error(err)
			}
			done <- n
		}()
	}
	total := 0
	for i := 0; i < 8; i++ {
		total += <-done
	}
	var n int
	var subject string
	_ = e.DB.QueryRow(`SELECT count(*), max(subject_id) FROM events WHERE type = $1`, events.InvoiceOverdue).Scan(&n, &subject)
	if total != 1 || n != 1 || subject != string(inv.ID) {
		t.Fatalf("overdue events: reported %d, stored %d (%s), want exactly one for %s", total, n, subject, inv.ID)
	}
	if k, _ := sales.EmitOverdue(e.Ctx(e.A), e.DB); k != 0 {
		t.Fatalf("second run emitted %d", k)
	}
	// The job is incremental: the announced invoice is marked, so the next
	// run's index range (sent, unannounced, due before the latest today)
	// is empty.
	var pending int
	var marked bool
	_ = e.DB.QueryRow(`SELECT count(*) FROM invoices WHERE status = 'sent' AND overdue_notified_at IS NULL AND due_date < (now() AT TIME ZONE 'Etc/GMT-14')::date`).Scan(&pending)
	_ = e.DB.QueryRow(`SELECT overdue_notified_at IS NOT NULL FROM invoices WHERE id = $1`, inv.ID).Scan(&marked)
	if pending != 0 || !marked {
		t.Fatalf("after the job: %d invoices left to look at, announced invoice marked=%v", pending, marked)
	}
	// Paid then unpaid again (payment voided): still announced only once.
	p := pay(t, e, e.A, inv, "40.00")
	if r := e.Do(e.A, "POST", "/api/v1/payments/"+string(p.ID)+"/void", map[string]any{"reason": "bounced"}); r.Status != 200 {
		t.Fatalf("void: %d %s", r.Status, r.Raw)
	}
	if k, _ := sales.EmitOverdue(e.Ctx(e.A), e.DB); k != 0 {
		t.Fatalf("run after a voided payment emitted %d", k)
	}
}

// Idempotency keys are forgotten after the retention period.
func TestIdempotencyKeysArePurged(t *testing.T) {
	e := tk.New(t)
	cu := newCustomer(t, e, e.A, "Keyed")
	inv := newInvoice(t, e, e.A, cu, "40.00")
	if r := e.Do(e.A, "POST", "/api/v1/invoices/"+string(inv.ID)+"/send", map[string]any{}, "Idempotency-Key", "old-key"); r.Status != 200 {
		t.Fatalf("send: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(e.A, "POST", "/api/v1/invoices/"+string(inv.ID)+"/send", map[string]any{}, "Idempotency-Key", "new-key"); r.Status != 200 {
		t.Fatalf("send: %d %s", r.Status, r.Raw)
	}
	if _, err := e.DB.Exec(`UPDATE idempotency_keys SET created_at = now() - interval '8 days' WHERE key = 'old-key'`); err != nil {
		t.Fatal(err)
	}
	n, err := idem.Purge(e.Ctx(e.A), e.DB, idem.Retention)
	if err != nil || n != 1 {
		t.Fatalf("purged %d (%v), want 1", n, err)
	}
	var left []string
	rows, _ := e.DB.Query(`SELECT key FROM idempotency_keys ORDER BY key`)
	for rows.Next() {
		var k string
		_ = rows.Scan(&k)
		left = append(left, k)
	}
	rows.Close()
	if strings.Join(left, ",") != "new-key" {
		t.Fatalf("keys left: %v", left)
	}
}

// Old events are purged, except what something still needs: events the
// webhook dispatcher has not passed, events with a pending delivery, and
// invoice.overdue markers.
func TestEventRetention(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true, Server: func(o *server.Options) {
		o.Webhooks.Backoff = func(int) time.Duration { return time.Hour }
	}})
	rc := newReceiver(t, 1_000_000) // never accepts: its delivery stays pending
	subscribeWebhook(t, e, e.A, rc, "invoice.created")
	cu := newCustomer(t, e, e.A, "Old")
	inv := newInvoice(t, e, e.A, cu, "10.00")
	for start := time.Now(); rc.attempts.Load() == 0 && time.Since(start) < 10*time.Second; {
		time.Sleep(20 * time.Millisecond)
	}
	var overdueID string
	if _, err := e.DB.Exec(`INSERT INTO events (id, company_id, type, subject_id, payload, seq, created_at)
		VALUES ('evt_overdue_old', $1, 'invoice.overdue', $2, '{}', nextval('event_seq'), now())`, e.A.CompanyID, inv.ID); err != nil {
		t.Fatal(err)
	}
	overdueID = "evt_overdue_old"
	// Wait until the dispatcher has passed everything, then age the log.
	time.Sleep(500 * time.Millisecond)
	if _, err := e.DB.Exec(`UPDATE events SET created_at = now() - interval '100 days'`); err != nil {
		t.Fatal(err)
	}
	fresh := newCustomer(t, e, e.A, "Fresh")
	n, err := events.Purge(e.Ctx(e.A), e.DB, 90*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := e.DB.Query(`SELECT type, subject_id FROM events ORDER BY txid, seq`)
	var left []string
	for rows.Next() {
		var typ, subject string
		_ = rows.Scan(&typ, &subject)
		left = append(left, typ+"/"+subject)
	}
	rows.Close()
	want := []string{"invoice.created/" + string(inv.ID), "invoice.overdue/" + string(inv.ID), "customer.created/" + string(fresh.ID)}
	if n != 1 || strings.Join(left, ",") != strings.Join(want, ",") {
		t.Fatalf("purged %d; left %v, want %v (overdue marker %s kept)", n, left, want, overdueID)
	}
}

// The stream is metered like a GraphQL websocket: authenticating charges
// the key one request and each subscribe message another (the same quota
// REST spends, with X-RateLimit-Remaining showing it); past the quota the
// auth is refused with RATE_LIMIT_EXCEEDED and close 4429, a subscribe
// with an error message on a socket that stays open. Another key is
// untouched.
func TestStreamRateLimited(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true, Server: func(o *server.Options) { o.RateLimit = ratelimit.Plan{Name: "default", PerHour: 4} }})
	w := streamAuth(t, e, e.A, "/v1/stream") // 1
	w.Send(map[string]any{"type": "subscribe", "channels": []string{"customer.created"}})
	if m := w.MustNext(wait); m["type"] != "subscribed" { // 2
		t.Fatalf("subscribe: %v", m)
	}
	if r := e.Do(e.A, "GET", "/v1/company", nil); r.Status != 200 || headerInt(t, r, "X-RateLimit-Remaining") != 1 { // 3
		t.Fatalf("REST after the stream: %d %v", r.Status, r.Header)
	}
	w.Send(map[string]any{"type": "subscribe", "channels": []string{"invoice.created"}})
	if m := w.MustNext(wait); m["type"] != "subscribed" { // 4: the last one
		t.Fatalf("second subscribe: %v", m)
	}
	w.Send(map[string]any{"type": "subscribe", "channels": []string{"payment.received"}})
	if m := w.MustNext(wait); m["type"] != "error" || m["code"] != "RATE_LIMIT_EXCEEDED" {
		t.Fatalf("subscribe past the quota: %v", m)
	}
	w.Send(map[string]any{"type": "ping"}) // the socket stays usable
	if m := w.MustNext(wait); m["type"] != "pong" {
		t.Fatalf("ping: %v", m)
	}
	w2, _, err := e.Dial("/v1/stream", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	w2.Send(map[string]any{"type": "auth", "token": e.A.Key, "companyId": e.A.CompanyID})
	if m := w2.MustNext(wait); m["type"] != "error" || m["code"] != "RATE_LIMIT_EXCEEDED" {
		t.Fatalf("auth past the quota: %v", m)
	}
	select {
	case err := <-w2.Closed:
		if !strings.Contains(err.Error(), "4429") {
			t.Fatalf("closed with %v", err)
		}
	case <-time.After(wait):
		t.Fatal("not closed")
	}
	streamAuth(t, e, e.B, "/v1/stream") // company B's key has its own quota
}
