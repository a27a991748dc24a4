package server_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/graph"
	"github.com/bigledger/bigledger/internal/crm"
	"github.com/bigledger/bigledger/internal/ledger"
	"github.com/bigledger/bigledger/internal/sales"
	"github.com/bigledger/bigledger/internal/server"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

// Domain helpers: data made the way the API makes it, quickly.

func newCustomer(t testing.TB, e *tk.Env, tn tk.Tenant, name string) *ent.Customer {
	t.Helper()
	email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.com"
	cu, err := crm.CreateCustomer(e.Ctx(tn), ent.CreateCustomerInput{Name: name, Email: &email})
	if err != nil {
		t.Fatalf("create customer: %v", err)
	}
	return cu
}

func newInvoice(t testing.TB, e *tk.Env, tn tk.Tenant, cu *ent.Customer, price string) *ent.Invoice {
	t.Helper()
	desc := "Consulting"
	p := decimal.RequireFromString(price)
	inv, err := sales.CreateInvoice(e.Ctx(tn), sales.InvoiceInput{CustomerID: cu.ID,
		Items: []sales.LineInput{{Description: &desc, Quantity: decimal.NewFromInt(1), UnitPrice: &p}}})
	if err != nil {
		t.Fatalf("create invoice: %v", err)
	}
	return inv
}

func issue(t testing.TB, e *tk.Env, tn tk.Tenant, inv *ent.Invoice) {
	t.Helper()
	if _, err := sales.IssueInvoice(e.Ctx(tn), inv.ID, ""); err != nil {
		t.Fatalf("issue: %v", err)
	}
}

func pay(t testing.TB, e *tk.Env, tn tk.Tenant, inv *ent.Invoice, amount string) *ent.Payment {
	t.Helper()
	p, err := ledger.RecordPayment(e.Ctx(tn), inv.ID, ledger.RecordPaymentInput{Amount: decimal.RequireFromString(amount)}, "")
	if err != nil {
		t.Fatalf("pay: %v", err)
	}
	return p
}

const wait = 5 * time.Second

func TestSubscriptionsDeliverSelectedNestedFields(t *testing.T) {
	for _, proto := range []string{tk.TransportWS, tk.LegacyWS} {
		t.Run(proto, func(t *testing.T) {
			e := tk.New(t, tk.Options{Realtime: true})
			ws := e.GraphQLWS(e.A, proto)
			ws.Subscribe("inv", `subscription { invoiceCreated { id invoiceNumber status total customer { name } items { description quantity } } }`, nil)
			ws.Subscribe("pay", `subscription { paymentReceived { id paymentNumber amount customer { name } } }`, nil)
			time.Sleep(100 * time.Millisecond) // subscriptions registered

			cu := newCustomer(t, e, e.A, "Acme Trading")
			// Through the API, as a front end would.
			created := e.MustGQL(e.A, `mutation($in: CreateInvoiceInput!) { createInvoice(input: $in) { id } }`, map[string]any{"in": map[string]any{
				"customerId": cu.ID, "items": []map[string]any{{"description": "Widgets", "quantity": 3, "unitPrice": "12.50"}}}})
			invID := tk.Str(created, "createInvoice", "id")

			r := ws.NextResult(wait)
			if r.Type != "next" && r.Type != "data" || r.ID != "inv" {
				t.Fatalf("want invoiceCreated, got %+v", r)
			}
			got := r.Data["invoiceCreated"].(map[string]any)
			if got["id"] != invID || got["status"] != "DRAFT" && got["status"] != "draft" || tk.Str(got, "customer", "name") != "Acme Trading" {
				t.Fatalf("invoiceCreated payload: %v", got)
			}
			items := got["items"].([]any)
			if len(items) != 1 || items[0].(map[string]any)["description"] != "Widgets" || fmt.Sprint(got["total"]) != "37.50" {
				t.Fatalf("nested items/total: %v", got)
			}
			if id, _ := r.Extensions["eventId"].(string); !strings.HasPrefix(id, "evt_") {
				t.Fatalf("extensions.eventId: %v", r.Extensions)
			}

			inv, _ := sales.GetInvoice(e.Ctx(e.A), pulid.ID(invID), nil)
			issue(t, e, e.A, inv)
			p := e.MustGQL(e.A, `mutation($id: ID!, $in: RecordPaymentInput!) { recordPayment(invoiceId: $id, input: $in) { id } }`,
				map[string]any{"id": invID, "in": map[string]any{"amount": "10.00"}})
			r = ws.NextResult(wait)
			if r.ID != "pay" {
				t.Fatalf("want paymentReceived, got %+v", r)
			}
			got = r.Data["paymentReceived"].(map[string]any)
			if got["id"] != tk.Str(p, "recordPayment", "id") || fmt.Sprint(got["amount"]) != "10.00" || tk.Str(got, "customer", "name") != "Acme Trading" {
				t.Fatalf("paymentReceived payload: %v", got)
			}
			if r := ws.Next(300 * time.Millisecond); r != nil {
				t.Fatalf("unexpected extra message: %v", r)
			}
		})
	}
}

// A subscriber of company A sees nothing of 1,000 changes in company B.
func TestSubscriptionsNeverCrossTenants(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true})
	ws := e.GraphQLWS(e.A, tk.TransportWS)
	ws.Subscribe("all", `subscription { events { id type subjectId } }`, nil)
	ws.Subscribe("cust", `subscription { customerCreated { id name } }`, nil)
	time.Sleep(100 * time.Millisecond)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 125; i++ {
				newCustomer(t, e, e.B, fmt.Sprintf("B customer %d %d", w, i))
			}
		}()
	}
	wg.Wait()
	var n int
	if err := e.DB.QueryRow(`SELECT count(*) FROM events WHERE company_id = $1`, e.B.CompanyID).Scan(&n); err != nil || n != 1000 {
		t.Fatalf("B wrote %d events (%v), want 1000", n, err)
	}
	mine := newCustomer(t, e, e.A, "A customer")
	// The first messages A gets are about A's own customer: nothing of B's came before.
	for i := 0; i < 2; i++ {
		r := ws.NextResult(wait)
		if r.ID == "all" && tk.Str(r.Data, "events", "subjectId") != string(mine.ID) ||
			r.ID == "cust" && tk.Str(r.Data, "customerCreated", "id") != string(mine.ID) {
			t.Fatalf("A received someone else's event: %+v", r)
		}
	}
	if m := ws.Next(500 * time.Millisecond); m != nil {
		t.Fatalf("unexpected message: %v", m)
	}
}

// A subscriber that misses 100 events while disconnected gets exactly
// those, in order, when it comes back with `after`, then live ones.
func TestSubscriptionResumesAfterLastEvent(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true})
	ws := e.GraphQLWS(e.A, tk.TransportWS)
	ws.Subscribe("c", `subscription { customerCreated { id customerNumber } }`, nil)
	time.Sleep(100 * time.Millisecond)
	newCustomer(t, e, e.A, "First")
	r := ws.NextResult(wait)
	last, _ := r.Extensions["eventId"].(string)
	if tk.Str(r.Data, "customerCreated", "customerNumber") != "CUST-0001" || last == "" {
		t.Fatalf("first delivery: %+v", r)
	}
	ws.Close()

	var missed []string
	for i := 0; i < 100; i++ {
		missed = append(missed, string(newCustomer(t, e, e.A, fmt.Sprintf("Missed %d", i)).ID))
		if i%10 == 0 {
			newCustomer(t, e, e.B, fmt.Sprintf("Other tenant %d", i)) // interleaved, never seen by A
		}
	}
	ws2 := e.GraphQLWS(e.A, tk.TransportWS)
	ws2.Subscribe("c", `subscription($after: ID) { customerCreated(after: $after) { id customerNumber } }`, map[string]any{"after": last})
	seen := map[string]bool{}
	for i, want := range missed {
		r := ws2.NextResult(wait)
		got := tk.Str(r.Data, "customerCreated", "id")
		if got != want {
			t.Fatalf("replay %d: got %s (%+v), want %s", i, got, r, want)
		}
		id, _ := r.Extensions["eventId"].(string)
		if seen[id] || id == last {
			t.Fatalf("event %s delivered twice", id)
		}
		var subject string
		if err := e.DB.QueryRow(`SELECT subject_id FROM events WHERE id = $1`, id).Scan(&subject); err != nil || subject != got {
			t.Fatalf("extensions.eventId %s is about %q, the delivery about %s", id, subject, got)
		}
		seen[id] = true
	}
	live := newCustomer(t, e, e.A, "Live")
	if r := ws2.NextResult(wait); tk.Str(r.Data, "customerCreated", "id") != string(live.ID) {
		t.Fatalf("live after replay: %+v", r)
	}
	if m := ws2.Next(300 * time.Millisecond); m != nil {
		t.Fatalf("unexpected message: %v", m)
	}
	// An unknown id, or another company's, is refused as unknown.
	bEvent := ""
	_ = e.DB.QueryRow(`SELECT id FROM events WHERE company_id = $1 LIMIT 1`, e.B.CompanyID).Scan(&bEvent)
	for i, after := range []string{bEvent, "evt_01HZZZZZZZZZZZZZZZZZZZZZZZ"} {
		id := fmt.Sprint("bad", i)
		ws2.Subscribe(id, `subscription($after: ID) { customerCreated(after: $after) { id } }`, map[string]any{"after": after})
		if errs := errorsFor(t, ws2, id); !strings.Contains(errs, "Unknown event id") {
			t.Fatalf("after=%s: %s", after, errs)
		}
	}
}

// Subscriptions need the read scope of what they deliver.
func TestSubscriptionScopes(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true})
	limited := e.NewTenant("Limited", "customers:read")
	ws := e.GraphQLWS(limited, tk.TransportWS)
	ws.Subscribe("p", `subscription { paymentReceived { id } }`, nil)
	if errs := errorsFor(t, ws, "p"); !strings.Contains(errs, "payments:read") {
		t.Fatalf("paymentReceived without payments:read: %s", errs)
	}
	ws.Subscribe("e", `subscription { events(types: ["payment.received"]) { id } }`, nil)
	if errs := errorsFor(t, ws, "e"); !strings.Contains(errs, "payments:read") {
		t.Fatalf("events of payments without the scope: %s", errs)
	}
	// Without types, events narrows to what the key may read: customers only.
	ws.Subscribe("ok", `subscription { events { type } }`, nil)
	time.Sleep(100 * time.Millisecond)
	cu := newCustomer(t, e, limited, "Visible")
	newInvoice(t, e, limited, cu, "10.00")
	for {
		r := ws.NextResult(wait)
		if r.ID != "ok" || r.Type == "complete" {
			continue
		}
		if tk.Str(r.Data, "events", "type") != "customer.created" {
			t.Fatalf("limited key got %+v", r)
		}
		break
	}
	if m := ws.Next(300 * time.Millisecond); m != nil {
		t.Fatalf("invoice event reached a key without invoices:read: %v", m)
	}
}

// Revoking a key closes the sockets opened with it within seconds.
func TestRevokedKeyClosesSockets(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true})
	ws := e.GraphQLWS(e.A, tk.TransportWS)
	ws.Subscribe("c", `subscription { customerCreated { id } }`, nil)
	st, _, err := e.Dial("/v1/stream", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	st.Send(map[string]any{"type": "auth", "token": e.A.Key, "companyId": e.A.CompanyID})
	if m := st.MustNext(wait); m["type"] != "authenticated" {
		t.Fatalf("stream auth: %v", m)
	}
	time.Sleep(100 * time.Millisecond)
	if _, err := e.DB.Exec(`UPDATE api_keys SET revoked_at = now() WHERE company_id = $1`, e.A.CompanyID); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for _, w := range []*tk.WS{ws, st} {
		select {
		case <-w.Closed:
		case <-time.After(5 * time.Second):
			t.Fatal("socket still open 5s after its key was revoked")
		}
	}
	t.Logf("sockets closed %s after revocation", time.Since(start).Round(time.Millisecond))
}

// errorsFor reads until subscription id reports errors and returns them.
func errorsFor(t *testing.T, ws *tk.WS, id string) string {
	t.Helper()
	for {
		r := ws.NextResult(wait)
		if r.ID != id || r.Type == "complete" {
			continue
		}
		if len(r.Errors) == 0 {
			t.Fatalf("subscription %s: want errors, got %+v", id, r)
		}
		return fmt.Sprint(r.Errors)
	}
}

func crmCreate(e *tk.Env, name, email string) (*ent.Customer, error) {
	return crm.CreateCustomer(e.Ctx(e.A), ent.CreateCustomerInput{Name: name, Email: &email})
}

func crmCreateCtx(ctx context.Context, name string) (*ent.Customer, error) {
	email := "rollback@example.com"
	return crm.CreateCustomer(ctx, ent.CreateCustomerInput{Name: name, Email: &email})
}

// One connection holds at most MaxSubscriptionsPerConnection subscriptions.
func TestSubscriptionCapPerConnection(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true})
	ws := e.GraphQLWS(e.A, tk.TransportWS)
	for i := 0; i < graph.MaxSubscriptionsPerConnection; i++ {
		ws.Subscribe(fmt.Sprint("s", i), `subscription { customerCreated { id } }`, nil)
	}
	ws.Subscribe("over", `subscription { customerCreated { id } }`, nil)
	// They start concurrently: exactly one of the 51 is refused.
	refused := ""
	for refused == "" {
		r := ws.NextResult(wait)
		if r.Type == "complete" {
			continue
		}
		if !strings.Contains(fmt.Sprint(r.Errors), "TOO_MANY_SUBSCRIPTIONS") {
			t.Fatalf("unexpected: %+v", r)
		}
		refused = r.ID
	}
	if m := ws.Next(300 * time.Millisecond); m != nil && m["type"] != "complete" {
		t.Fatalf("a second refusal or message: %v", m)
	}
	if refused == "s0" {
		ws.Send(map[string]any{"id": "s1", "type": "complete"})
	}
	// Closing one frees a slot.
	ws.Send(map[string]any{"id": "s0", "type": "complete"})
	time.Sleep(200 * time.Millisecond)
	ws.Subscribe("again", `subscription { customerCreated { id } }`, nil)
	newCustomer(t, e, e.A, "Counted")
	for seen := 0; seen < graph.MaxSubscriptionsPerConnection; {
		r := ws.NextResult(wait)
		if len(r.Errors) > 0 {
			t.Fatalf("after freeing a slot: %+v", r)
		}
		if r.Type == "next" {
			seen++
		}
	}
	// An oversized frame closes the connection.
	big := strings.Repeat("x", 70<<10)
	// (The server may reset the connection while this is still being written.)
	_ = ws.Conn.WriteJSON(map[string]any{"id": "big", "type": "subscribe", "payload": map[string]any{"query": `subscription { customerCreated { id } } # ` + big}})
	select {
	case <-ws.Closed:
	case <-time.After(wait):
		t.Fatal("a 70 KiB frame was accepted")
	}
}

// A subscriber that stops reading is dropped (SLOW_CONSUMER) instead of
// growing the server's memory; its slot in the hub is freed.
func TestSlowConsumerIsDropped(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true})
	ws := e.GraphQLWS(e.A, tk.TransportWS)
	ws.Subscribe("all", `subscription { events { id type payload } }`, nil)
	time.Sleep(100 * time.Millisecond)
	if n := e.Srv.Hub().Subscribers(); n != 1 {
		t.Fatalf("subscribers: %d", n)
	}
	if _, err := e.DB.Exec(`INSERT INTO events (id, company_id, type, subject_id, payload, seq, created_at)
		SELECT 'evt_slow' || g, $1, 'customer.updated', 'cust_x', jsonb_build_object('pad', repeat('p', 2000)), nextval('event_seq'), now()
		FROM generate_series(1, 20000) g`, e.A.CompanyID); err != nil {
		t.Fatal(err)
	}
	e.Srv.Waker().Poke()
	deadline := time.Now().Add(20 * time.Second)
	for e.Srv.Hub().Subscribers() != 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := e.Srv.Hub().Subscribers(); n != 0 {
		t.Fatalf("slow subscriber still attached (%d)", n)
	}
	// The client learns why, after the events it did receive, and can
	// resume from the last eventId it saw.
	delivered := 0
	for {
		m := ws.Next(5 * time.Second)
		if m == nil {
			t.Fatalf("no SLOW_CONSUMER error after %d deliveries", delivered)
		}
		if m["type"] == "next" {
			delivered++
			continue
		}
		if !strings.Contains(fmt.Sprint(m["payload"]), "SLOW_CONSUMER") {
			t.Fatalf("unexpected: %v", m)
		}
		break
	}
	if delivered == 0 || delivered >= 20000 {
		t.Fatalf("delivered %d before the drop", delivered)
	}
	t.Logf("dropped after %d of 20000 events", delivered)
}

// A peer that stops answering pings is disconnected, whatever
// subprotocol it speaks (legacy graphql-ws has no ping of its own).
func TestDeadPeerIsDropped(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true, Server: func(o *server.Options) { o.WebsocketPing = 100 * time.Millisecond }})
	for _, proto := range []string{tk.LegacyWS, tk.TransportWS} {
		d := websocket.Dialer{Subprotocols: []string{proto}}
		c, _, err := d.Dial("ws"+strings.TrimPrefix(e.Server.URL, "http")+"/graphql", nil)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.WriteJSON(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + e.A.Key, "X-Company-Id": e.A.CompanyID}})
		_ = c.WriteJSON(map[string]any{"id": "1", "type": map[string]string{tk.LegacyWS: "start", tk.TransportWS: "subscribe"}[proto],
			"payload": map[string]any{"query": `subscription { customerCreated { id } }`}})
		time.Sleep(100 * time.Millisecond)
		if n := e.Srv.Hub().Subscribers(); n != 1 {
			t.Fatalf("%s: %d subscribers", proto, n)
		}
		// The client reads nothing from here on, so it answers no ping.
		deadline := time.Now().Add(5 * time.Second)
		for e.Srv.Hub().Subscribers() != 0 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if n := e.Srv.Hub().Subscribers(); n != 0 {
			t.Fatalf("%s: silent peer still subscribed", proto)
		}
		c.Close()
	}
}

// Subscribers of one document share the subject read, yet each sees only
// what its key may read, and companies never share.
func TestSharedSubjectReadKeepsScopesAndTenants(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true})
	limited := tk.Tenant{Name: e.A.Name, CompanyID: e.A.CompanyID, UserID: e.A.UserID}
	// A second key of company A that reads customers only.
	limited.Key = e.NewKeyFor(e.A, "customers:read")
	q := `subscription { customerCreated { id name invoices { totalCount } } }`
	full, part, other := e.GraphQLWS(e.A, tk.TransportWS), e.GraphQLWS(limited, tk.TransportWS), e.GraphQLWS(e.B, tk.TransportWS)
	for _, ws := range []*tk.WS{full, part, other} {
		ws.Subscribe("c", q, nil)
	}
	time.Sleep(100 * time.Millisecond)
	cu := newCustomer(t, e, e.A, "Shared Read")
	f := full.NextResult(wait)
	if tk.Str(f.Data, "customerCreated", "id") != string(cu.ID) || len(f.Errors) != 0 || fmt.Sprint(tk.Get(f.Data, "customerCreated", "invoices", "totalCount")) != "0" {
		t.Fatalf("full key: %+v", f)
	}
	p := part.NextResult(wait)
	if tk.Str(p.Data, "customerCreated", "id") != string(cu.ID) && p.Data["customerCreated"] != nil || !strings.Contains(fmt.Sprint(p.Errors), "invoices:read") {
		t.Fatalf("customers-only key: %+v", p)
	}
	if m := other.Next(300 * time.Millisecond); m != nil {
		t.Fatalf("company B received A's customer: %v", m)
	}
}

// A socket that never sends connection_init is closed after the init timeout.
func TestWebsocketInitTimeout(t *testing.T) {
	e := tk.New(t, tk.Options{Server: func(o *server.Options) { o.WebsocketInitTimeout = 300 * time.Millisecond }})
	for _, proto := range []string{tk.TransportWS, tk.LegacyWS} {
		w, _, err := e.Dial("/graphql", proto, nil)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		select {
		case err := <-w.Closed:
			if proto == tk.TransportWS && !strings.Contains(err.Error(), "initialisation timeout") {
				t.Fatalf("%s: closed with %v, want an initialisation timeout", proto, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: still open without connection_init", proto)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("%s: closed after %s", proto, d)
		}
	}
}
