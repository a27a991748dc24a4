package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/internal/server"
	"github.com/bigledger/bigledger/internal/store"
	tk "github.com/bigledger/bigledger/internal/testkit"
	"github.com/bigledger/bigledger/internal/webhooks"
)

// receiver is a local webhook endpoint that checks every signature and
// answers failStatus to the first `fail` requests.
type receiver struct {
	*httptest.Server
	secret   atomic.Value
	fail     atomic.Int64
	attempts atomic.Int64
	mu       sync.Mutex
	ok       []map[string]any
	bad      []string
	raw      []signed
}

// signed is one delivery as a receiver saw it.
type signed struct{ Body, Signature, Secret string }

func newReceiver(t *testing.T, fail int) *receiver {
	rc := &receiver{}
	rc.fail.Store(int64(fail))
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.attempts.Add(1)
		secret, _ := rc.secret.Load().(string)
		rc.mu.Lock()
		rc.raw = append(rc.raw, signed{Body: string(body), Signature: r.Header.Get(webhooks.HeaderSignature), Secret: secret})
		rc.mu.Unlock()
		if !webhooks.VerifyBody(secret, r.Header.Get(webhooks.HeaderSignature), body) ||
			!webhooks.Verify(secret, r.Header.Get(webhooks.HeaderTimestampedSignature), r.Header.Get(webhooks.HeaderTimestamp), body, 5*time.Minute, time.Now()) {
			rc.mu.Lock()
			rc.bad = append(rc.bad, string(body))
			rc.mu.Unlock()
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		if rc.fail.Add(-1) >= 0 {
			http.Error(w, "try later", http.StatusServiceUnavailable)
			return
		}
		var m map[string]any
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.UseNumber()
		_ = dec.Decode(&m)
		rc.mu.Lock()
		rc.ok = append(rc.ok, m)
		rc.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) received() []map[string]any {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]map[string]any(nil), rc.ok...)
}

func (rc *receiver) waitFor(t *testing.T, n int, within time.Duration) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if got := rc.received(); len(got) >= n {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("receiver got %d deliveries (%d attempts), want %d", len(rc.received()), rc.attempts.Load(), n)
	return nil
}

func fastRetries(o *server.Options) {
	o.Webhooks.Backoff = func(int) time.Duration { return 100 * time.Millisecond }
}

func subscribeWebhook(t *testing.T, e *tk.Env, tn tk.Tenant, rc *receiver, events ...string) string {
	t.Helper()
	r := e.Do(tn, "POST", "/api/v1/webhooks/subscribe", map[string]any{"url": rc.URL + "/hook", "events": events})
	if r.Status != 201 || !strings.HasPrefix(tk.Str(r.Body, "data", "secret"), "whsec_") {
		t.Fatalf("subscribe: %d %s", r.Status, r.Raw)
	}
	rc.secret.Store(tk.Str(r.Body, "data", "secret"))
	return tk.Str(r.Body, "data", "id")
}

func TestWebhookDeliveriesAreSignedRetriedAndLogged(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true, Server: fastRetries})
	rc := newReceiver(t, 2)
	id := subscribeWebhook(t, e, e.A, rc, "invoice.created", "payment.received")

	cu := newCustomer(t, e, e.A, "Hooked Customer") // customer.created: not subscribed
	inv := newInvoice(t, e, e.A, cu, "150.00")
	got := rc.waitFor(t, 1, 10*time.Second)
	d := got[0]
	data, _ := d["data"].(map[string]any)
	invData, _ := data["invoice"].(map[string]any)
	if d["type"] != "invoice.created" || !strings.HasPrefix(d["id"].(string), "evt_") || d["timestamp"] == nil ||
		invData["id"] != string(inv.ID) || invData["total"] != json.Number("150.00") || invData["invoiceNumber"] != inv.InvoiceNumber {
		t.Fatalf("payload: %v", d)
	}
	if n := rc.attempts.Load(); n != 3 {
		t.Fatalf("attempts = %d, want 2 failures then success", n)
	}
	// The delivery log tells the story.
	// (The receiver answers before the worker records the answer.)
	var entry map[string]any
	for start := time.Now(); time.Since(start) < 5*time.Second; time.Sleep(20 * time.Millisecond) {
		r := e.Do(e.A, "GET", "/api/v1/webhooks/"+id+"/deliveries", nil)
		log, _ := tk.Get(r.Body, "data").([]any)
		if r.Status != 200 || len(log) != 1 {
			t.Fatalf("deliveries: %d %s", r.Status, r.Raw)
		}
		if entry = log[0].(map[string]any); entry["status"] == "succeeded" {
			break
		}
	}
	if entry["status"] != "succeeded" || entry["attempts"] != json.Number("3") && entry["attempts"] != float64(3) ||
		entry["responseCode"] != json.Number("204") && entry["responseCode"] != float64(204) || entry["eventType"] != "invoice.created" {
		t.Fatalf("delivery log: %v", entry)
	}
	// The same log over GraphQL.
	g := e.MustGQL(e.A, `query($id: ID!) { webhookEndpoint(id: $id) { url events deliveries { status attempts responseCode eventId lastError } } }`, map[string]any{"id": id})
	gd := tk.Get(g, "webhookEndpoint", "deliveries").([]any)[0].(map[string]any)
	if gd["status"] != "succeeded" || gd["lastError"] != "HTTP 503" || gd["eventId"] != d["id"] {
		t.Fatalf("graphql deliveries: %v", gd)
	}
	issue(t, e, e.A, inv)
	p := pay(t, e, e.A, inv, "50.00")
	got = rc.waitFor(t, 2, 10*time.Second)
	if got[1]["type"] != "payment.received" || tk.Str(got[1], "data", "payment", "id") != string(p.ID) {
		t.Fatalf("payment delivery: %v", got[1])
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(rc.received()); n != 2 {
		t.Fatalf("%d deliveries: unsubscribed types were sent", n)
	}
	if len(rc.bad) > 0 {
		t.Fatalf("bad signatures: %v", rc.bad)
	}
}

// A delivery whose first attempt failed is not lost when its server
// stops before the retry: another instance (or the restarted one) sends it.
func TestWebhookRetrySurvivesRestart(t *testing.T) {
	e := tk.New(t) // no background work: the instances below do it
	rc := newReceiver(t, 1_000_000)
	subscribeWebhook(t, e, e.A, rc, "*")
	first, stop := startInstanceStop(t, e, server.Options{Webhooks: webhooks.Options{AllowPrivate: true, Tick: 50 * time.Millisecond,
		Backoff: func(int) time.Duration { return 2 * time.Second }}})
	cu := newCustomer(t, first, e.A, "Restart Customer")
	deadline := time.Now().Add(10 * time.Second)
	for rc.attempts.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if rc.attempts.Load() == 0 {
		t.Fatal("no first attempt")
	}
	// The receiver answered 503; wait until the instance has recorded the
	// failure and scheduled the retry, so the process dies with a retry
	// pending rather than with the attempt in flight (whose lease of a
	// minute would outlast this test).
	var recorded bool
	for !recorded && time.Now().Before(deadline) {
		_ = e.DB.QueryRow(`SELECT count(*) = 1 FROM webhook_deliveries WHERE company_id = $1 AND status = 'pending' AND response_code = 503`,
			e.A.CompanyID).Scan(&recorded)
		if !recorded {
			time.Sleep(20 * time.Millisecond)
		}
	}
	if !recorded {
		t.Fatal("the failed first attempt was never recorded")
	}
	stop() // the process dies with the retry pending
	rc.fail.Store(0)
	startInstance(t, e, server.Options{Webhooks: webhooks.Options{AllowPrivate: true, Tick: 50 * time.Millisecond}})
	got := rc.waitFor(t, 1, 15*time.Second)
	if got[0]["type"] != "customer.created" || tk.Str(got[0], "data", "customer", "id") != string(cu.ID) {
		t.Fatalf("after restart: %v", got[0])
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(rc.received()); n != 1 {
		t.Fatalf("delivered %d times", n)
	}
}

// A rolled-back change writes no event and sends no webhook.
func TestRolledBackChangeSendsNoWebhook(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true, Server: fastRetries})
	rc := newReceiver(t, 0)
	subscribeWebhook(t, e, e.A, rc, "*")
	boom := errors.New("boom")
	_, err := store.InTx(e.Ctx(e.A), func(ctx context.Context, c *ent.Client) (*ent.Customer, error) {
		if _, err := crmCreateCtx(ctx, "Never committed"); err != nil {
			return nil, err
		}
		return nil, boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("want boom, got %v", err)
	}
	committed := newCustomer(t, e, e.A, "Committed")
	got := rc.waitFor(t, 1, 10*time.Second)
	time.Sleep(300 * time.Millisecond)
	if got = rc.received(); len(got) != 1 || tk.Str(got[0], "data", "customer", "id") != string(committed.ID) {
		t.Fatalf("deliveries: %v", got)
	}
	var n int
	_ = e.DB.QueryRow(`SELECT count(*) FROM events WHERE company_id = $1`, e.A.CompanyID).Scan(&n)
	if n != 1 {
		t.Fatalf("%d events, want only the committed one", n)
	}
}

func TestWebhookEndpointsAPI(t *testing.T) {
	e := tk.New(t, tk.Options{Server: func(o *server.Options) { o.Webhooks.AllowPrivate = false }})
	// Seed 002's v2 path and the GraphQL mutation create endpoints too.
	r := e.Do(e.A, "POST", "/api/v2/webhooks", map[string]any{"url": "https://hooks.example.com/bl", "events": []string{"invoice.created", "payment.received"}})
	if r.Status != 201 || tk.Str(r.Body, "data", "secret") == "" {
		t.Fatalf("v2 create: %d %s", r.Status, r.Raw)
	}
	id := tk.Str(r.Body, "data", "id")
	g := e.MustGQL(e.A, `mutation { createWebhookEndpoint(input: {url: "https://erp.example.com/in", events: ["*"], description: "ERP"}) { secret endpoint { id events active } } }`, nil)
	if !strings.HasPrefix(tk.Str(g, "createWebhookEndpoint", "secret"), "whsec_") || tk.Get(g, "createWebhookEndpoint", "endpoint", "events").([]any)[0] != "*" {
		t.Fatalf("graphql create: %v", g)
	}
	// The secret is never shown again.
	r = e.Do(e.A, "GET", "/api/v1/webhooks/"+id, nil)
	if r.Status != 200 || strings.Contains(string(r.Raw), "whsec_") || tk.Str(r.Body, "data", "url") != "https://hooks.example.com/bl" {
		t.Fatalf("get: %d %s", r.Status, r.Raw)
	}
	if r = e.Do(e.A, "GET", "/api/v1/webhooks", nil); len(tk.Get(r.Body, "data").([]any)) != 2 {
		t.Fatalf("list: %s", r.Raw)
	}

	for name, tc := range map[string]struct {
		body  map[string]any
		field string
	}{
		"missing url":    {map[string]any{"events": []string{"invoice.created"}}, "url"},
		"relative url":   {map[string]any{"url": "/hook", "events": []string{"invoice.created"}}, "url"},
		"ftp url":        {map[string]any{"url": "ftp://x.example/h", "events": []string{"invoice.created"}}, "url"},
		"credentials":    {map[string]any{"url": "https://u:p@x.example/h", "events": []string{"invoice.created"}}, "url"},
		"loopback":       {map[string]any{"url": "http://127.0.0.1:9/h", "events": []string{"invoice.created"}}, "url"},
		"private":        {map[string]any{"url": "http://10.1.2.3/h", "events": []string{"invoice.created"}}, "url"},
		"no events":      {map[string]any{"url": "https://x.example/h", "events": []string{}}, "events"},
		"unknown event":  {map[string]any{"url": "https://x.example/h", "events": []string{"invoice.created", "stock.levels"}}, "events[1]"},
		"only ignored":   {map[string]any{"url": "https://x.example/h", "events": []string{"stock.updated"}}, "events"},
		"long desc":      {map[string]any{"url": "https://x.example/h", "events": []string{"*"}, "description": strings.Repeat("d", 501)}, "description"},
		"events not arr": {map[string]any{"url": "https://x.example/h", "events": "invoice.created"}, "events"},
	} {
		r := e.Do(e.A, "POST", "/api/v1/webhooks/subscribe", tc.body)
		if r.Status != 400 && r.Status != 422 || !strings.Contains(string(r.Raw), `"field":"`+tc.field+`"`) {
			t.Errorf("%s: %d %s", name, r.Status, r.Raw)
		}
	}
	// The same rules over GraphQL, and bad page sizes for the delivery log.
	if g := e.GQL(e.A, `mutation { createWebhookEndpoint(input: {url: "http://10.0.0.1/h", events: ["nope"]}) { secret } }`, nil); len(g.Errors) == 0 ||
		!strings.Contains(string(g.Raw), `"field":"url"`) || !strings.Contains(string(g.Raw), `"field":"events[0]"`) {
		t.Fatalf("graphql bad input: %s", g.Raw)
	}
	for _, limit := range []string{"0", "101", "x"} {
		if r := e.Do(e.A, "GET", "/api/v1/webhooks/"+id+"/deliveries?limit="+limit, nil); r.Status != 400 || !strings.Contains(string(r.Raw), `"field":"limit"`) {
			t.Errorf("deliveries limit=%s: %d %s", limit, r.Status, r.Raw)
		}
	}
	if g := e.GQL(e.A, `query($id: ID!) { webhookEndpoint(id: $id) { deliveries(first: 0) { id } } }`, map[string]any{"id": id}); len(g.Errors) == 0 || g.Errors[0].Code() != "VALIDATION_ERROR" {
		t.Fatalf("deliveries(first: 0): %s", g.Raw)
	}
	if r = e.Do(e.A, "GET", "/api/v1/webhooks", nil); len(tk.Get(r.Body, "data").([]any)) != 2 {
		t.Fatalf("bad input stored something: %s", r.Raw)
	}
	// Seed 001's own example names stock.updated beside types this server
	// produces: it is accepted, the type ignored with a warning.
	r = e.Do(e.A, "POST", "/api/v1/webhooks/subscribe", map[string]any{"url": "https://x.example/h", "events": []string{"invoice.created", "payment.received", "stock.updated"}})
	if r.Status != 201 || fmt.Sprint(tk.Get(r.Body, "data", "events")) != "[invoice.created payment.received]" || !strings.Contains(fmt.Sprint(tk.Get(r.Body, "data", "warnings")), "stock.updated") {
		t.Fatalf("seed 001's webhook example: %d %s", r.Status, r.Raw)
	}
	if _, err := e.DB.Exec(`DELETE FROM webhook_endpoints WHERE id = $1`, tk.Str(r.Body, "data", "id")); err != nil {
		t.Fatal(err)
	}
	// GraphQL carries the same warnings (the domain function gives them).
	gw := e.MustGQL(e.A, `mutation { createWebhookEndpoint(input: {url: "https://y.example/h", events: ["invoice.created", "stock.changes"]}) { warnings endpoint { id events } } }`, nil)
	if fmt.Sprint(tk.Get(gw, "createWebhookEndpoint", "endpoint", "events")) != "[invoice.created]" || !strings.Contains(fmt.Sprint(tk.Get(gw, "createWebhookEndpoint", "warnings")), "stock.changes") {
		t.Fatalf("graphql warnings: %v", gw)
	}
	if _, err := e.DB.Exec(`DELETE FROM webhook_endpoints WHERE id = $1`, tk.Str(gw, "createWebhookEndpoint", "endpoint", "id")); err != nil {
		t.Fatal(err)
	}

	// Company B cannot see, read the log of, or delete A's endpoint: the
	// answers are those of an endpoint that does not exist.
	missing := "whk_01HZZZZZZZZZZZZZZZZZZZZZZZ"
	for _, path := range []string{"/api/v1/webhooks/", "/api/v2/webhooks/"} {
		for _, m := range []string{"GET", "DELETE"} {
			theirs, none := e.Do(e.B, m, path+id, nil), e.Do(e.B, m, path+missing, nil)
			code := func(r tk.Response) string { return tk.Str(r.Body, "error", "code") + tk.Str(r.Body, "code") } // v1 and v2 bodies
			if theirs.Status != 404 || none.Status != 404 || code(theirs) == "" || code(theirs) != code(none) {
				t.Fatalf("B %s %s: %d %s vs %d %s", m, path, theirs.Status, theirs.Raw, none.Status, none.Raw)
			}
		}
	}
	if r := e.Do(e.B, "GET", "/api/v1/webhooks/"+id+"/deliveries", nil); r.Status != 404 {
		t.Fatalf("B reads A's deliveries: %d", r.Status)
	}
	if r := e.Do(e.B, "GET", "/api/v1/webhooks", nil); len(tk.Get(r.Body, "data").([]any)) != 0 {
		t.Fatalf("B lists A's endpoints: %s", r.Raw)
	}
	if g := e.GQL(e.B, `query($id: ID!) { webhookEndpoint(id: $id) { id } }`, map[string]any{"id": id}); len(g.Errors) == 0 || g.Errors[0].Code() != "WEBHOOK_NOT_FOUND" {
		t.Fatalf("B graphql: %+v", g)
	}
	// Scopes: a key without webhooks:write cannot subscribe.
	ro := e.NewTenant("Read only", "customers:read")
	if r := e.Do(ro, "POST", "/api/v1/webhooks/subscribe", map[string]any{"url": "https://x.example/h", "events": []string{"*"}}); r.Status != 403 {
		t.Fatalf("scope: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(e.A, "DELETE", "/api/v1/webhooks/"+id, nil); r.Status != 200 {
		t.Fatalf("delete: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(e.A, "GET", "/api/v1/webhooks/"+id, nil); r.Status != 404 {
		t.Fatalf("deleted endpoint still readable: %d", r.Status)
	}
}

// A delivery that keeps failing is retried up to the limit, then marked
// failed with its last error; nothing is sent after.
func TestWebhookGivesUpAfterMaxAttempts(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true, Server: func(o *server.Options) {
		fastRetries(o)
		o.Webhooks.MaxAttempts = 3
	}})
	rc := newReceiver(t, 1_000_000)
	id := subscribeWebhook(t, e, e.A, rc, "customer.created")
	newCustomer(t, e, e.A, "Unlucky")
	var entry map[string]any
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(50 * time.Millisecond) {
		r := e.Do(e.A, "GET", "/api/v1/webhooks/"+id+"/deliveries", nil)
		if log, _ := tk.Get(r.Body, "data").([]any); len(log) == 1 {
			if entry = log[0].(map[string]any); entry["status"] == "failed" {
				break
			}
		}
	}
	if entry["status"] != "failed" || entry["lastError"] != "HTTP 503" || rc.attempts.Load() != 3 {
		t.Fatalf("after max attempts: %v (%d attempts)", entry, rc.attempts.Load())
	}
	time.Sleep(400 * time.Millisecond)
	if rc.attempts.Load() != 3 {
		t.Fatalf("sent again after giving up: %d", rc.attempts.Load())
	}
}

// In production the sender itself refuses non-public addresses, whatever
// the URL said when it was stored (a name can later resolve to loopback).
func TestWebhookSenderRefusesPrivateAddresses(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true, Server: func(o *server.Options) {
		fastRetries(o)
		o.Webhooks.AllowPrivate = false
	}})
	rc := newReceiver(t, 0)
	if _, err := e.DB.Exec(`INSERT INTO webhook_endpoints (id, company_id, url, events, secret, active, created_at, updated_at)
		VALUES ('whk_rebound', $1, $2, '["*"]', 'whsec_x', true, now() - interval '1 minute', now())`, e.A.CompanyID, rc.URL+"/hook"); err != nil {
		t.Fatal(err)
	}
	newCustomer(t, e, e.A, "Rebound")
	var lastErr string
	for start := time.Now(); time.Since(start) < 10*time.Second && !strings.Contains(lastErr, "non-public"); time.Sleep(50 * time.Millisecond) {
		_ = e.DB.QueryRow(`SELECT coalesce(last_error, '') FROM webhook_deliveries WHERE endpoint_id = 'whk_rebound'`).Scan(&lastErr)
	}
	if !strings.Contains(lastErr, "non-public") || rc.attempts.Load() != 0 {
		t.Fatalf("last error %q, %d requests reached the private receiver", lastErr, rc.attempts.Load())
	}
}

// seedVerifyWebhook is seed 004's verify_webhook, verbatim.
const seedVerifyWebhook = `import hmac
import hashlib

def verify_webhook(payload, signature, secret):
    expected = hmac.new(
        secret.encode(),
        payload.encode(),
        hashlib.sha256
    ).hexdigest()
    
    return hmac.compare_digest(
        f"sha256={expected}",
        signature
    )
`

// Deliveries verify with the seed-004 document's own Python recipe: 20 real
// deliveries pass, a tampered body and a wrong secret fail. Each body
// carries sentAt, the attempt's time, under that signature.
func TestWebhookSignaturesVerifyWithSeedRecipe(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true})
	rc := newReceiver(t, 0)
	subscribeWebhook(t, e, e.A, rc, "invoice.created")
	cu := newCustomer(t, e, e.A, "Signed Customer")
	for i := 0; i < 20; i++ {
		newInvoice(t, e, e.A, cu, fmt.Sprintf("%d.00", 10+i))
	}
	got := rc.waitFor(t, 20, 20*time.Second)
	for _, d := range got {
		if _, err := time.Parse(time.RFC3339, fmt.Sprint(d["sentAt"])); err != nil {
			t.Fatalf("sentAt: %v in %v", d["sentAt"], d)
		}
	}
	rc.mu.Lock()
	cases := append([]signed(nil), rc.raw...)
	rc.mu.Unlock()
	bad := cases[0]
	bad.Body = strings.Replace(bad.Body, `"total":`, `"total": 1`, 1)
	wrong := cases[1]
	wrong.Secret = "whsec_not_the_secret"
	in, _ := json.Marshal(append(cases, bad, wrong))
	script := seedVerifyWebhook + `
import json, sys
for c in json.load(sys.stdin):
    print("ok" if verify_webhook(c["Body"], c["Signature"], c["Secret"]) else "refused")
`
	cmd := exec.Command("python3", "-c", script)
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, out)
	}
	lines := strings.Fields(string(out))
	if len(lines) != len(cases)+2 {
		t.Fatalf("python printed %q", out)
	}
	for i := range cases {
		if lines[i] != "ok" {
			t.Errorf("delivery %d does not verify with the seed's verify_webhook", i)
		}
	}
	if lines[len(cases)] != "refused" || lines[len(cases)+1] != "refused" {
		t.Errorf("tampered body / wrong secret: %v", lines[len(cases):])
	}
	if len(cases) < 20 {
		t.Fatalf("%d deliveries", len(cases))
	}
}

// Seed 004's webhook payload names its invoice's fields number,
// customer_id, total, amount_paid and paid_at: deliveries carry them next
// to ours (invoiceNumber, customerId, amountPaid), amounts exact, and the
// same snake_case twins on a payment.
func TestWebhookBodyHasSeed004Names(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true})
	rc := newReceiver(t, 0)
	subscribeWebhook(t, e, e.A, rc, "invoice.paid", "invoice.created", "payment.received")
	cu := newCustomer(t, e, e.A, "Named Customer")
	inv := newInvoice(t, e, e.A, cu, "1500.00")
	issue(t, e, e.A, inv)
	p := pay(t, e, e.A, inv, "1500.00")
	got := rc.waitFor(t, 3, 20*time.Second)
	byType := map[string]map[string]any{}
	for _, d := range got {
		byType[fmt.Sprint(d["type"])] = d
	}
	paid := tk.Get(byType["invoice.paid"], "data", "invoice")
	if tk.Str(paid, "number") != inv.InvoiceNumber || tk.Str(paid, "invoiceNumber") != inv.InvoiceNumber || tk.Str(paid, "id") != string(inv.ID) ||
		tk.Str(paid, "customer_id") != string(cu.ID) || tk.Str(paid, "customerId") != string(cu.ID) ||
		fmt.Sprint(tk.Get(paid, "total")) != "1500.00" || fmt.Sprint(tk.Get(paid, "amount_paid")) != "1500.00" || fmt.Sprint(tk.Get(paid, "amount_due")) != "0.00" {
		t.Fatalf("invoice.paid data: %v", paid)
	}
	if at, err := time.Parse(time.RFC3339, tk.Str(paid, "paid_at")); err != nil || time.Since(at) > time.Minute {
		t.Fatalf("paid_at: %v", tk.Get(paid, "paid_at"))
	}
	if created := tk.Get(byType["invoice.created"], "data", "invoice"); tk.Get(created, "paid_at") != nil || tk.Str(created, "number") != inv.InvoiceNumber {
		t.Fatalf("invoice.created data: %v", created)
	}
	pm := tk.Get(byType["payment.received"], "data", "payment")
	if tk.Str(pm, "number") != p.PaymentNumber || tk.Str(pm, "customer_id") != string(cu.ID) || tk.Str(pm, "payment_date") == "" || fmt.Sprint(tk.Get(pm, "amount")) != "1500.00" {
		t.Fatalf("payment.received data: %v", pm)
	}
	// Exact amounts in the raw body (never through a float).
	rc.mu.Lock()
	defer rc.mu.Unlock()
	found := false
	for _, r := range rc.raw {
		found = found || strings.Contains(r.Body, `"amount_paid":1500.00`)
	}
	if !found {
		t.Fatalf("no raw body with \"amount_paid\":1500.00")
	}
}

// Seed 004's account.created and account.deleted fire when an account is
// added to or removed from the chart, and reach every channel: a webhook,
// a GraphQL events subscription and the stream's ledger.updates. A
// refused delete (a system account) fires nothing.
func TestAccountCreatedAndDeletedEvents(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true})
	rc := newReceiver(t, 0)
	subscribeWebhook(t, e, e.A, rc, "account.created", "account.deleted")
	ws := e.GraphQLWS(e.A, tk.TransportWS)
	ws.Subscribe("a", `subscription { events(types: ["account.created", "account.deleted"]) { type subjectId payload } }`, nil)
	st := streamAuth(t, e, e.A, "/v1/stream")
	st.Send(map[string]any{"type": "subscribe", "channels": []string{"ledger.updates"}})
	if m := st.MustNext(wait); m["type"] != "subscribed" {
		t.Fatalf("stream subscribe: %v", m)
	}
	time.Sleep(100 * time.Millisecond)
	acc := must(t, e.Do(e.A, "POST", "/api/v1/accounts", map[string]any{"code": "6200", "name": "Travel", "type": "expense"}), 201, "create")
	id := tk.Str(acc, "id")
	if r := e.Do(e.A, "DELETE", "/api/v1/accounts/"+accountIDByCode(t, e, e.A, "1100"), nil); r.Status < 400 {
		t.Fatalf("system account deleted: %d", r.Status)
	}
	must(t, e.Do(e.A, "DELETE", "/api/v1/accounts/"+id, nil), 200, "delete")

	// Deliveries run concurrently: their arrival order is not the log's.
	got := rc.waitFor(t, 2, 20*time.Second)
	byType := map[string]map[string]any{}
	for _, d := range got {
		byType[fmt.Sprint(d["type"])] = d
	}
	if len(got) != 2 || tk.Str(byType["account.created"], "data", "account", "code") != "6200" || tk.Str(byType["account.deleted"], "data", "account", "id") != id {
		t.Fatalf("webhook deliveries: %v", got)
	}
	var gql []string
	for len(gql) < 2 {
		r := ws.NextResult(wait)
		if r.ID != "a" || r.Type == "complete" {
			continue
		}
		if tk.Str(r.Data, "events", "subjectId") != id || tk.Str(r.Data, "events", "payload", "name") != "Travel" {
			t.Fatalf("subscription: %+v", r)
		}
		gql = append(gql, tk.Str(r.Data, "events", "type"))
	}
	if strings.Join(gql, ",") != "account.created,account.deleted" {
		t.Fatalf("subscription types: %v", gql)
	}
	var stream []string
	for len(stream) < 2 {
		m := st.MustNext(wait)
		if m["channel"] != "ledger.updates" || tk.Str(m, "data", "id") != id {
			t.Fatalf("stream: %v", m)
		}
		stream = append(stream, fmt.Sprint(m["event"]))
	}
	if strings.Join(stream, ",") != "account.created,account.deleted" {
		t.Fatalf("stream events: %v", stream)
	}
	// Another company hears nothing of it.
	var n int
	if err := e.DB.QueryRow(`SELECT count(*) FROM events WHERE company_id = $1 AND type LIKE 'account.%'`, e.B.CompanyID).Scan(&n); err != nil || n != 0 {
		t.Fatalf("company B events: %d %v", n, err)
	}
}

// Seed 004's customer.credit_limit_exceeded: an issued invoice that leaves
// its customer's balance above the credit limit fires it (with the limit,
// the balance, by how much and the invoice), by webhook, subscription and
// the stream's customer.updates; invoices within the limit, drafts and
// customers without a limit fire nothing.
func TestCustomerCreditLimitExceededEvent(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true})
	rc := newReceiver(t, 0)
	subscribeWebhook(t, e, e.A, rc, "customer.credit_limit_exceeded")
	ws := e.GraphQLWS(e.A, tk.TransportWS)
	ws.Subscribe("c", `subscription { events(types: ["customer.credit_limit_exceeded"]) { subjectId payload } }`, nil)
	st := streamAuth(t, e, e.A, "/v1/stream")
	st.Send(map[string]any{"type": "subscribe", "channels": []string{"customer.credit_limit_exceeded"}})
	if m := st.MustNext(wait); m["type"] != "subscribed" {
		t.Fatalf("stream subscribe: %v", m)
	}
	time.Sleep(100 * time.Millisecond)
	limited := tk.Str(must(t, e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Limited", "email": "l@example.com", "creditLimit": 1000}), 201, "limited"), "id")
	free := tk.Str(must(t, e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "No limit", "email": "n@example.com"}), 201, "free"), "id")
	invoice := func(cust string, price float64, send bool) string {
		t.Helper()
		id := tk.Str(must(t, e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": cust,
			"items": []any{map[string]any{"description": "Work", "quantity": 1, "unitPrice": price}}}), 201, "invoice"), "id")
		if send {
			must(t, e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/send", map[string]any{}), 200, "send")
		}
		return id
	}
	invoice(limited, 600, true)            // 600 of 1,000
	invoice(limited, 5000, false)          // a draft owes nothing
	invoice(free, 90000, true)             // no limit
	over := invoice(limited, 600.50, true) // 1,200.50: past it
	got := rc.waitFor(t, 1, 20*time.Second)
	time.Sleep(300 * time.Millisecond)
	if got = rc.received(); len(got) != 1 {
		t.Fatalf("deliveries: %v", got)
	}
	c := tk.Get(got[0], "data", "customer")
	if tk.Str(c, "id") != limited || fmt.Sprint(tk.Get(c, "creditLimit")) != "1000.00" || fmt.Sprint(tk.Get(c, "currentBalance")) != "1200.50" ||
		fmt.Sprint(tk.Get(c, "exceededBy")) != "200.50" || fmt.Sprint(tk.Get(c, "previousBalance")) != "600.00" || tk.Str(c, "invoiceId") != over ||
		tk.Str(c, "credit_limit") != "1000.00" && fmt.Sprint(tk.Get(c, "credit_limit")) != "1000.00" {
		t.Fatalf("payload: %v", c)
	}
	for {
		r := ws.NextResult(wait)
		if r.ID != "c" || r.Type == "complete" {
			continue
		}
		if tk.Str(r.Data, "events", "subjectId") != limited || tk.Str(r.Data, "events", "payload", "invoiceId") != over {
			t.Fatalf("subscription: %+v", r)
		}
		break
	}
	if m := st.MustNext(wait); m["event"] != "customer.credit_limit_exceeded" || tk.Str(m, "data", "id") != limited {
		t.Fatalf("stream: %v", m)
	}
	// Company B's key hears nothing of A's customer.
	bws := e.GraphQLWS(e.B, tk.TransportWS)
	bws.Subscribe("b", `subscription { events(types: ["customer.credit_limit_exceeded"], after: null) { subjectId } }`, nil)
	time.Sleep(100 * time.Millisecond)
	invoice(limited, 10, true) // still over: fires again, for A only
	if m := st.MustNext(wait); m["event"] != "customer.credit_limit_exceeded" || fmt.Sprint(tk.Get(m, "data", "exceededBy")) != "210.50" {
		t.Fatalf("second excess: %v", m)
	}
	if m := bws.Next(500 * time.Millisecond); m != nil && m["type"] == "next" {
		t.Fatalf("company B received %v", m)
	}
	var n int
	if err := e.DB.QueryRow(`SELECT count(*) FROM events WHERE company_id = $1 AND type = 'customer.credit_limit_exceeded'`, e.B.CompanyID).Scan(&n); err != nil || n != 0 {
		t.Fatalf("company B events: %d %v", n, err)
	}
}
