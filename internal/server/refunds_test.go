package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/internal/ledger"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

// restErr checks a REST error's status, code and the field it names.
func restErr(t *testing.T, r tk.Response, status int, code, field string) {
	t.Helper()
	if r.Status != status || tk.Str(r.Body, "error", "code") != code ||
		(field != "" && tk.Str(r.Body, "error", "details", 0, "field") != field) {
		t.Fatalf("want %d %s on %q, got %d %s", status, code, field, r.Status, r.Raw)
	}
}

// paidInvoice creates, sends and pays (all of) an invoice of price over
// REST; it answers the invoice and payment ids.
func paidInvoice(t *testing.T, e *tk.Env, tn tk.Tenant, cust string, price float64, method string) (string, string) {
	t.Helper()
	inv := tk.Str(must(t, e.Do(tn, "POST", "/api/v1/invoices", map[string]any{"customerId": cust,
		"items": []any{map[string]any{"description": "Work", "quantity": 1, "unitPrice": price}}}), 201, "invoice"), "id")
	must(t, e.Do(tn, "POST", "/api/v1/invoices/"+inv+"/send", map[string]any{"to": []string{"ap@example.com"}}), 200, "send")
	pay := tk.Str(must(t, e.Do(tn, "POST", "/api/v1/invoices/"+inv+"/payments", map[string]any{"amount": price, "paymentMethod": method}), 201, "pay"), "id")
	return inv, pay
}

func verifyLedger(t *testing.T, e *tk.Env) {
	t.Helper()
	for _, tn := range []tk.Tenant{e.A, e.B} {
		if err := ledger.Verify(e.Ctx(tn)); err != nil {
			t.Fatalf("ledger: %v", err)
		}
	}
}

// Refunds (issue 13): partial and whole, over REST and GraphQL, taking
// back what paid an invoice (which is due again), idempotent, refused past
// the payment, with bad input named by field and another company's
// payment answered as missing; the ledger balances after each.
func TestRefundPayment(t *testing.T) {
	e := tk.New(t)
	cust := tk.Str(must(t, e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Refunded", "email": "r@example.com"}), 201, "customer"), "id")
	inv, pay := paidInvoice(t, e, e.A, cust, 100, "card")
	bank := accountIDByCode(t, e, e.A, "1010")
	bankBefore := fmt.Sprint(must(t, e.Do(e.A, "GET", "/api/v1/accounts/"+bank, nil), 200, "bank")["balance"])

	// 30 back: it comes off the invoice, which is open again.
	key := "refund-1-" + pay
	r := e.Do(e.A, "POST", "/api/v1/payments/"+pay+"/refunds", map[string]any{"amount": 30, "reason": "Damaged goods"}, "Idempotency-Key", key)
	rf := must(t, r, 201, "refund 30")
	if fmt.Sprint(rf["amount"]) != "30" || fmt.Sprint(rf["fromInvoices"]) != "30" || fmt.Sprint(rf["fromCredit"]) != "0" ||
		tk.Str(rf, "method") != "card" || tk.Str(rf, "reason") != "Damaged goods" || tk.Str(rf, "payment", "status") != "completed" ||
		fmt.Sprint(tk.Get(rf, "payment", "refundedAmount")) != "30" || tk.Str(rf, "accountId") != bank {
		t.Fatalf("refund: %s", r.Raw)
	}
	got := must(t, e.Do(e.A, "GET", "/api/v1/invoices/"+inv, nil), 200, "invoice")
	if tk.Str(got, "status") != "sent" || tk.Str(got, "paymentStatus") != "partial" || fmt.Sprint(got["amountDue"]) != "30" || fmt.Sprint(got["amountPaid"]) != "70" {
		t.Fatalf("invoice after refund: %v", got)
	}
	if c := must(t, e.Do(e.A, "GET", "/api/v1/customers/"+cust, nil), 200, "customer"); fmt.Sprint(c["currentBalance"]) != "30" {
		t.Fatalf("customer balance: %v", c["currentBalance"])
	}
	// The same key replays the same refund, once.
	again := must(t, e.Do(e.A, "POST", "/api/v1/payments/"+pay+"/refunds", map[string]any{"amount": 30, "reason": "Damaged goods"}, "Idempotency-Key", key), 201, "replay")
	if again["id"] != rf["id"] {
		t.Fatalf("replay made another refund: %v vs %v", again["id"], rf["id"])
	}
	// More than is left: refused, nothing written.
	restErr(t, e.Do(e.A, "POST", "/api/v1/payments/"+pay+"/refunds", map[string]any{"amount": 70.01}), 422, "REFUND_EXCEEDS_PAYMENT", "amount")

	// Bad input, each named.
	liability := accountIDByCode(t, e, e.A, "2100")
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"amount": -5}, "amount"},
		{map[string]any{"amount": 0}, "amount"},
		{map[string]any{"amount": 1.234}, "amount"},
		{map[string]any{"amount": "ten"}, "amount"},
		{map[string]any{"method": "bitcoin"}, "method"},
		{map[string]any{"refundDate": "2001-01-01"}, "refundDate"},
		{map[string]any{"refundDate": "2024-02-30"}, "refundDate"},
		{map[string]any{"accountId": liability}, "accountId"},
		{map[string]any{"accountId": "acc_nope"}, "accountId"},
		{map[string]any{"reason": string(make([]byte, 501))}, "reason"},
	} {
		r := e.Do(e.A, "POST", "/api/v1/payments/"+pay+"/refunds", c.body)
		if r.Status != 400 || tk.Str(r.Body, "error", "details", 0, "field") != c.field {
			t.Fatalf("%v: want 400 on %s, got %d %s", c.body, c.field, r.Status, r.Raw)
		}
	}
	// Company B: A's payment does not exist.
	restErr(t, e.Do(e.B, "POST", "/api/v1/payments/"+pay+"/refunds", map[string]any{"amount": 1}), 404, "PAYMENT_NOT_FOUND", "")
	restErr(t, e.Do(e.B, "GET", "/api/v1/payments/"+pay+"/refunds", nil), 404, "PAYMENT_NOT_FOUND", "")
	if g := e.GQL(e.B, `mutation($id: ID!) { refundPayment(id: $id) { id } }`, map[string]any{"id": pay}); len(g.Errors) == 0 || g.Errors[0].Code() != "PAYMENT_NOT_FOUND" {
		t.Fatalf("company B over GraphQL: %s", g.Raw)
	}

	// The rest over GraphQL, amount left out: all that is refundable.
	d := e.MustGQL(e.A, `mutation($id: ID!) { refundPayment(id: $id, input: {reason: "Cancelled"}) {
		amount fromInvoices fromCredit payment { status refundedAmount unappliedAmount refunds { amount } }
		allocations { amount invoice { id amountDue status paymentStatus } } } }`, map[string]any{"id": pay})
	g := tk.Get(d, "refundPayment")
	if tk.Str(g, "amount") != "70.00" || tk.Str(g, "fromInvoices") != "70.00" || tk.Str(g, "payment", "status") != "refunded" ||
		tk.Str(g, "payment", "refundedAmount") != "100.00" || len(tk.Get(g, "payment", "refunds").([]any)) != 2 ||
		tk.Str(g, "allocations", 0, "amount") != "-70.00" || tk.Str(g, "allocations", 0, "invoice", "amountDue") != "100.00" ||
		tk.Str(g, "allocations", 0, "invoice", "paymentStatus") != "unpaid" {
		t.Fatalf("graphql refund: %v", g)
	}
	restErr(t, e.Do(e.A, "POST", "/api/v1/payments/"+pay+"/refunds", map[string]any{}), 422, "REFUND_EXCEEDS_PAYMENT", "amount")
	restErr(t, e.Do(e.A, "POST", "/api/v1/payments/"+pay+"/void", map[string]any{"reason": "x"}), 422, "INVALID_STATE", "")
	restErr(t, e.Do(e.A, "POST", "/api/v1/payments/"+pay+"/fail", map[string]any{"reason": "x"}), 422, "INVALID_STATE", "")
	list := e.Do(e.A, "GET", "/api/v1/payments/"+pay+"/refunds", nil)
	if list.Status != 200 || len(list.Body["data"].([]any)) != 2 {
		t.Fatalf("refund list: %s", list.Raw)
	}
	// The money left the bank account it came into.
	before, _ := decimal.NewFromString(bankBefore)
	after, _ := decimal.NewFromString(fmt.Sprint(must(t, e.Do(e.A, "GET", "/api/v1/accounts/"+bank, nil), 200, "bank")["balance"]))
	if !before.Sub(after).Equal(decimal.NewFromInt(100)) {
		t.Fatalf("bank before %s after %s", before, after)
	}
	verifyLedger(t, e)

	// Money on account: the refund takes the unapplied credit first.
	p2 := tk.Get(e.MustGQL(e.A, `mutation($c: ID!) { createPayment(input: {customerId: $c, amount: "50"}) { id } }`, map[string]any{"c": cust}), "createPayment").(map[string]any)
	inv2 := tk.Str(must(t, e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": cust,
		"items": []any{map[string]any{"description": "More", "quantity": 1, "unitPrice": 20}}}), 201, "invoice 2"), "id")
	must(t, e.Do(e.A, "POST", "/api/v1/invoices/"+inv2+"/send", map[string]any{}), 200, "send 2")
	e.MustGQL(e.A, `mutation($p: ID!, $i: ID!) { applyPayment(paymentId: $p, invoiceId: $i) { amount } }`, map[string]any{"p": p2["id"], "i": inv2})
	split := must(t, e.Do(e.A, "POST", "/api/v1/payments/"+tk.Str(p2, "id")+"/refunds", map[string]any{"amount": 40}), 201, "split refund")
	if fmt.Sprint(split["fromCredit"]) != "30" || fmt.Sprint(split["fromInvoices"]) != "10" || fmt.Sprint(tk.Get(split, "payment", "unappliedAmount")) != "0" {
		t.Fatalf("split refund: %v", split)
	}
	if i2 := must(t, e.Do(e.A, "GET", "/api/v1/invoices/"+inv2, nil), 200, "invoice 2"); fmt.Sprint(i2["amountDue"]) != "10" {
		t.Fatalf("invoice 2 due: %v", i2["amountDue"])
	}
	verifyLedger(t, e)
}

// Two refunds racing past what the payment holds: exactly one lands.
func TestRefundRace(t *testing.T) {
	e := tk.New(t)
	cust := tk.Str(must(t, e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Racer", "email": "race@example.com"}), 201, "customer"), "id")
	_, pay := paidInvoice(t, e, e.A, cust, 100, "bank_transfer")
	const n = 8
	var wg sync.WaitGroup
	statuses := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = e.Do(e.A, "POST", "/api/v1/payments/"+pay+"/refunds", map[string]any{"amount": 60}).Status
		}()
	}
	wg.Wait()
	ok := 0
	for _, s := range statuses {
		switch s {
		case 201:
			ok++
		case 422:
		default:
			t.Fatalf("statuses: %v", statuses)
		}
	}
	p := must(t, e.Do(e.A, "GET", "/api/v1/payments/"+pay, nil), 200, "payment")
	if ok != 1 || fmt.Sprint(p["refundedAmount"]) != "60" {
		t.Fatalf("%d refunds landed (%v), refunded %v", ok, statuses, p["refundedAmount"])
	}
	verifyLedger(t, e)
}

// A payment that never arrived (a returned cheque): its invoice is due
// again, its posting reversed, payment.failed fires; a failed payment
// cannot be refunded, voided or failed again; failing and refunding
// racing: one of them wins.
func TestFailPayment(t *testing.T) {
	e := tk.New(t)
	cust := tk.Str(must(t, e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Bouncer", "email": "b@example.com"}), 201, "customer"), "id")
	inv, pay := paidInvoice(t, e, e.A, cust, 250, "cheque")
	restErr(t, e.Do(e.A, "POST", "/api/v1/payments/"+pay+"/fail", map[string]any{}), 400, "INVALID_PAYMENT_DATA", "reason")
	restErr(t, e.Do(e.B, "POST", "/api/v1/payments/"+pay+"/fail", map[string]any{"reason": "Cheque returned"}), 404, "PAYMENT_NOT_FOUND", "")
	p := must(t, e.Do(e.A, "POST", "/api/v1/payments/"+pay+"/fail", map[string]any{"reason": "Cheque returned unpaid"}), 200, "fail")
	if tk.Str(p, "status") != "failed" || tk.Str(p, "failureReason") != "Cheque returned unpaid" || p["failedAt"] == nil || fmt.Sprint(p["unappliedAmount"]) != "0" {
		t.Fatalf("failed payment: %v", p)
	}
	got := must(t, e.Do(e.A, "GET", "/api/v1/invoices/"+inv, nil), 200, "invoice")
	if tk.Str(got, "status") != "sent" || fmt.Sprint(got["amountDue"]) != "250" || tk.Str(got, "paymentStatus") != "unpaid" {
		t.Fatalf("invoice after failure: %v", got)
	}
	if c := must(t, e.Do(e.A, "GET", "/api/v1/customers/"+cust, nil), 200, "customer"); fmt.Sprint(c["currentBalance"]) != "250" {
		t.Fatalf("customer balance: %v", c["currentBalance"])
	}
	restErr(t, e.Do(e.A, "POST", "/api/v1/payments/"+pay+"/fail", map[string]any{"reason": "again"}), 422, "INVALID_STATE", "")
	restErr(t, e.Do(e.A, "POST", "/api/v1/payments/"+pay+"/refunds", map[string]any{"amount": 1}), 422, "INVALID_STATE", "")
	restErr(t, e.Do(e.A, "POST", "/api/v1/payments/"+pay+"/void", map[string]any{"reason": "x"}), 422, "INVALID_STATE", "")
	if d := e.MustGQL(e.A, `query($id: ID!) { payment(id: $id) { status failureReason } }`, map[string]any{"id": pay}); tk.Str(d, "payment", "status") != "failed" {
		t.Fatalf("graphql: %v", d)
	}
	verifyLedger(t, e)

	// Fail and refund racing on one payment: whichever locks it first wins,
	// the other is refused.
	for i := range 5 {
		_, pay := paidInvoice(t, e, e.A, cust, 10, "cheque")
		var wg sync.WaitGroup
		var fail, refund int
		wg.Add(2)
		go func() {
			defer wg.Done()
			fail = e.Do(e.A, "POST", "/api/v1/payments/"+pay+"/fail", map[string]any{"reason": "Returned"}).Status
		}()
		go func() {
			defer wg.Done()
			refund = e.Do(e.A, "POST", "/api/v1/payments/"+pay+"/refunds", map[string]any{}).Status
		}()
		wg.Wait()
		if (fail == 200) == (refund == 201) || (fail != 200 && fail != 422) || (refund != 201 && refund != 422) {
			t.Fatalf("round %d: fail %d, refund %d", i, fail, refund)
		}
	}
	verifyLedger(t, e)
	// GraphQL failPayment.
	_, pay2 := paidInvoice(t, e, e.A, cust, 5, "cheque")
	if d := e.MustGQL(e.A, `mutation($id: ID!) { failPayment(id: $id, reason: "Chargeback") { status failureReason } }`, map[string]any{"id": pay2}); tk.Str(d, "failPayment", "status") != "failed" {
		t.Fatalf("failPayment: %v", d)
	}
	verifyLedger(t, e)
}

// payment.refunded and payment.failed reach webhooks, the GraphQL events
// subscription and the stream's payment.updates; company B hears nothing.
func TestPaymentRefundedAndFailedEvents(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true})
	rc := newReceiver(t, 0)
	subscribeWebhook(t, e, e.A, rc, "payment.refunded", "payment.failed")
	ws := e.GraphQLWS(e.A, tk.TransportWS)
	ws.Subscribe("p", `subscription { events(types: ["payment.refunded", "payment.failed"]) { type subjectId payload } }`, nil)
	bws := e.GraphQLWS(e.B, tk.TransportWS)
	bws.Subscribe("b", `subscription { events(types: ["payment.refunded", "payment.failed"]) { subjectId } }`, nil)
	st := streamAuth(t, e, e.A, "/v1/stream")
	st.Send(map[string]any{"type": "subscribe", "channels": []string{"payment.updates"}})
	if m := st.MustNext(wait); m["type"] != "subscribed" {
		t.Fatalf("stream subscribe: %v", m)
	}
	time.Sleep(100 * time.Millisecond)
	cust := tk.Str(must(t, e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Eventful", "email": "ev@example.com"}), 201, "customer"), "id")
	_, refunded := paidInvoice(t, e, e.A, cust, 80, "card")
	_, bounced := paidInvoice(t, e, e.A, cust, 40, "cheque")
	rf := must(t, e.Do(e.A, "POST", "/api/v1/payments/"+refunded+"/refunds", map[string]any{"amount": 25.5}), 201, "refund")
	must(t, e.Do(e.A, "POST", "/api/v1/payments/"+bounced+"/fail", map[string]any{"reason": "Cheque returned"}), 200, "fail")

	got := rc.waitFor(t, 2, 20*time.Second)
	byType := map[string]map[string]any{}
	for _, d := range got {
		byType[tk.Str(d, "type")] = d
	}
	r, f := byType["payment.refunded"], byType["payment.failed"]
	if tk.Str(r, "data", "payment", "id") != refunded || fmt.Sprint(tk.Get(r, "data", "payment", "refundedAmount")) != "25.50" ||
		fmt.Sprint(tk.Get(r, "data", "payment", "refunded_amount")) != "25.50" || tk.Str(r, "data", "payment", "refund", "id") != tk.Str(rf, "id") {
		t.Fatalf("payment.refunded delivery: %v", r)
	}
	if tk.Str(f, "data", "payment", "id") != bounced || tk.Str(f, "data", "payment", "status") != "failed" ||
		tk.Str(f, "data", "payment", "failure_reason") != "Cheque returned" {
		t.Fatalf("payment.failed delivery: %v", f)
	}
	seen := map[string]string{}
	for len(seen) < 2 {
		res := ws.NextResult(wait)
		if res.ID != "p" || res.Type == "complete" {
			continue
		}
		seen[tk.Str(res.Data, "events", "type")] = tk.Str(res.Data, "events", "subjectId")
	}
	if seen["payment.refunded"] != refunded || seen["payment.failed"] != bounced {
		t.Fatalf("subscription: %v", seen)
	}
	streamed := map[string]string{}
	for len(streamed) < 2 {
		m := st.MustNext(wait)
		if ev, _ := m["event"].(string); ev == "payment.refunded" || ev == "payment.failed" {
			streamed[ev] = tk.Str(m, "data", "id")
		}
	}
	if streamed["payment.refunded"] != refunded || streamed["payment.failed"] != bounced {
		t.Fatalf("stream: %v", streamed)
	}
	if m := bws.Next(500 * time.Millisecond); m != nil && m["type"] == "next" {
		t.Fatalf("company B received %v", m)
	}
}

// An unknown event type or stream channel is refused by position, and the
// refusal lists what exists (payment.refunded and payment.failed among it).
func TestUnknownEventTypesListTheKnownOnes(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true})
	r := e.GQL(e.A, `{ events(types: ["payment.refunded", "payment.bounced"]) { edges { node { id } } } }`, nil)
	if len(r.Errors) == 0 || !strings.Contains(string(r.Raw), `"field":"types[1]"`) || !strings.Contains(string(r.Raw), "payment.failed") {
		t.Fatalf("events: %s", r.Raw)
	}
	st := streamAuth(t, e, e.A, "/v1/stream")
	st.Send(map[string]any{"type": "subscribe", "channels": []string{"payment.updates", "payments.everything"}})
	m := st.MustNext(wait)
	if b, _ := json.Marshal(m); !strings.Contains(string(b), "channels[1]") || !strings.Contains(string(b), "payment.updates") || !strings.Contains(string(b), "payment.refunded") {
		t.Fatalf("stream: %s", b)
	}
}
