package ledger_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/bigledger/bigledger/ent/journalentry"
	"github.com/bigledger/bigledger/ent/payment"
	"github.com/bigledger/bigledger/internal/ledger"
	"github.com/bigledger/bigledger/internal/store"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

// issued creates and issues an invoice of total over REST, returning its id.
func issued(t *testing.T, e *tk.Env, tn tk.Tenant, price string) (invoiceID, customerID string) {
	t.Helper()
	c := e.Do(tn, "POST", "/api/v1/customers", map[string]any{"name": "Payer " + price, "email": "p@x.co"})
	customerID = tk.Str(c.Body, "data", "id")
	r := e.Do(tn, "POST", "/api/v1/invoices", map[string]any{"customerId": customerID, "items": []map[string]any{{"description": "Goods", "quantity": 1, "unitPrice": price}}})
	invoiceID = tk.Str(r.Body, "data", "id")
	if s := e.Do(tn, "POST", "/api/v1/invoices/"+invoiceID+"/send", nil); s.Status != 200 {
		t.Fatalf("issue: %s", s.Raw)
	}
	return invoiceID, customerID
}

func verify(t *testing.T, e *tk.Env, tn tk.Tenant) {
	t.Helper()
	if err := ledger.Verify(e.Ctx(tn)); err != nil {
		t.Fatal(err)
	}
}

func TestRecordPaymentREST(t *testing.T) {
	e := tk.New(t)
	inv, cust := issued(t, e, e.A, "2567.50")
	r := e.Do(e.A, "POST", "/api/v1/invoices/"+inv+"/payments", map[string]any{"amount": 1000.00, "paymentDate": "2024-01-20",
		"paymentMethod": "bank_transfer", "reference": "TXN-20240120-001", "notes": "Online banking transfer"})
	if r.Status != 201 || !strings.Contains(string(r.Raw), `"amount":1000.00`) || tk.Str(r.Body, "data", "invoice", "paymentStatus") != "partial" ||
		!strings.Contains(string(r.Raw), `"amountDue":1567.50`) || !strings.HasPrefix(tk.Str(r.Body, "data", "paymentNumber"), "PAY-2024-") {
		t.Fatalf("partial payment: %d %s", r.Status, r.Raw)
	}
	verify(t, e, e.A)
	c := e.Do(e.A, "GET", "/api/v1/customers/"+cust, nil)
	if !strings.Contains(string(c.Raw), `"currentBalance":1567.50`) {
		t.Fatalf("balance after partial: %s", c.Raw)
	}
	// The seed 001 path pays the rest.
	r = e.Do(e.A, "POST", "/v1/invoices/"+inv+"/payment", map[string]any{"amount": "1567.50", "paymentMethod": "cheque", "methodDetails": map[string]any{"chequeNumber": "000123"}})
	if r.Status != 201 || tk.Str(r.Body, "data", "invoice", "status") != "paid" || tk.Str(r.Body, "data", "invoice", "paymentStatus") != "paid" {
		t.Fatalf("final payment: %d %s", r.Status, r.Raw)
	}
	got := e.Do(e.A, "GET", "/api/v1/invoices/"+inv, nil)
	if !strings.Contains(string(got.Raw), `"amountPaid":2567.50`) || !strings.Contains(string(got.Raw), `"amountDue":0.00`) || tk.Get(got.Body, "data", "lastPaymentDate") == nil {
		t.Fatalf("paid invoice: %s", got.Raw)
	}
	if c := e.Do(e.A, "GET", "/api/v1/customers/"+cust, nil); !strings.Contains(string(c.Raw), `"currentBalance":0.00`) {
		t.Fatalf("balance after paying in full: %s", c.Raw)
	}
	if r := e.Do(e.A, "POST", "/api/v1/invoices/"+inv+"/payments", map[string]any{"amount": 0.01}); r.Status != 422 || tk.Str(r.Body, "error", "code") != "OVERPAYMENT" {
		t.Fatalf("paying a paid invoice: %d %s", r.Status, r.Raw)
	}
	list := e.Do(e.A, "GET", "/api/v1/invoices/"+inv+"/payments", nil)
	if len(list.Body["data"].([]any)) != 2 {
		t.Fatalf("invoice payments: %s", list.Raw)
	}
	g := e.MustGQL(e.A, `query($id: ID!) { invoice(id: $id) { status payments { paymentNumber amount method } } }`, map[string]any{"id": inv})
	if tk.Str(g, "invoice", "payments", 1, "method") != "cheque" {
		t.Fatalf("GraphQL invoice.payments: %v", g)
	}
	verify(t, e, e.A)
}

func TestRecordPaymentRefusals(t *testing.T) {
	e := tk.New(t)
	inv, _ := issued(t, e, e.A, "100.00")
	bBank, err := ledger.SystemAccounts(e.Ctx(e.B), store.Client(e.Ctx(e.B)))
	if err != nil {
		t.Fatal(err)
	}
	aAccts, _ := ledger.SystemAccounts(e.Ctx(e.A), store.Client(e.Ctx(e.A)))
	pay := func(body map[string]any) tk.Response {
		return e.Do(e.A, "POST", "/api/v1/invoices/"+inv+"/payments", body)
	}
	for _, tc := range []struct {
		body        map[string]any
		status      int
		code, field string
	}{
		{map[string]any{"amount": 0}, 400, "INVALID_PAYMENT_DATA", "amount"},
		{map[string]any{"amount": -5}, 400, "INVALID_PAYMENT_DATA", "amount"},
		{map[string]any{"amount": 1.005}, 400, "INVALID_PAYMENT_DATA", "amount"},
		{map[string]any{"amount": "1e2"}, 400, "INVALID_PAYMENT_DATA", "amount"},
		{map[string]any{}, 400, "INVALID_PAYMENT_DATA", "amount"},
		{map[string]any{"amount": 10, "paymentMethod": "barter"}, 400, "INVALID_PAYMENT_DATA", "paymentMethod"},
		{map[string]any{"amount": 10, "accountId": string(bBank[ledger.RoleBank].ID)}, 400, "INVALID_PAYMENT_DATA", "accountId"},
		{map[string]any{"amount": 10, "accountId": string(aAccts[ledger.RoleSales].ID)}, 400, "INVALID_PAYMENT_DATA", "accountId"},
		{map[string]any{"amount": 10, "currency": "USD"}, 422, "CURRENCY_MISMATCH", "currency"},
		{map[string]any{"amount": 100.01}, 422, "OVERPAYMENT", "amount"},
	} {
		r := pay(tc.body)
		if r.Status != tc.status || tk.Str(r.Body, "error", "code") != tc.code || !strings.Contains(string(r.Raw), `"field":"`+tc.field+`"`) {
			t.Errorf("%v: %d %s", tc.body, r.Status, r.Raw)
		}
	}
	// Drafts and void invoices take no payments.
	c := e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "D", "email": "d@x.co"})
	draft := e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": tk.Str(c.Body, "data", "id"), "items": []map[string]any{{"description": "X", "quantity": 1, "unitPrice": 5}}})
	if r := e.Do(e.A, "POST", "/api/v1/invoices/"+tk.Str(draft.Body, "data", "id")+"/payments", map[string]any{"amount": 5}); r.Status != 422 || tk.Str(r.Body, "error", "code") != "INVOICE_NOT_PAYABLE" {
		t.Errorf("pay a draft: %d %s", r.Status, r.Raw)
	}
	voided, _ := issued(t, e, e.A, "7.00")
	e.Do(e.A, "POST", "/api/v1/invoices/"+voided+"/void", map[string]any{"reason": "x"})
	if r := e.Do(e.A, "POST", "/api/v1/invoices/"+voided+"/payments", map[string]any{"amount": 7}); r.Status != 422 || tk.Str(r.Body, "error", "code") != "INVOICE_NOT_PAYABLE" {
		t.Errorf("pay a void invoice: %d %s", r.Status, r.Raw)
	}
	// Another company's invoice answers like a missing one.
	bInv, _ := issued(t, e, e.B, "50.00")
	if r := e.Do(e.A, "POST", "/api/v1/invoices/"+bInv+"/payments", map[string]any{"amount": 1}); r.Status != 404 {
		t.Errorf("pay B's invoice: %d %s", r.Status, r.Raw)
	}
	if n := store.Client(e.Ctx(e.A)).Payment.Query().CountX(e.Ctx(e.A)); n != 0 {
		t.Fatalf("%d payments stored by refused requests", n)
	}
	// And a voided invoice cannot be voided while it has payments.
	paid, _ := issued(t, e, e.A, "10.00")
	e.Do(e.A, "POST", "/api/v1/invoices/"+paid+"/payments", map[string]any{"amount": 4})
	if r := e.Do(e.A, "POST", "/api/v1/invoices/"+paid+"/void", map[string]any{"reason": "x"}); r.Status != 422 {
		t.Errorf("void an invoice with payments: %d %s", r.Status, r.Raw)
	}
	verify(t, e, e.A)
	verify(t, e, e.B)
}

// 50 concurrent payments of 60.00 against one invoice of 100.00: exactly
// one succeeds, the others are told OVERPAYMENT.
func TestConcurrentPaymentsNeverOverpay(t *testing.T) {
	e := tk.New(t)
	inv, _ := issued(t, e, e.A, "100.00")
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[string]int{}
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.Do(e.A, "POST", "/api/v1/invoices/"+inv+"/payments", map[string]any{"amount": "60.00"})
			mu.Lock()
			defer mu.Unlock()
			if r.Status == 201 {
				codes["ok"]++
			} else {
				codes[tk.Str(r.Body, "error", "code")]++
			}
		}()
	}
	wg.Wait()
	if codes["ok"] != 1 || codes["OVERPAYMENT"] != 49 {
		t.Fatalf("outcomes: %v", codes)
	}
	got := e.Do(e.A, "GET", "/api/v1/invoices/"+inv, nil)
	if !strings.Contains(string(got.Raw), `"amountPaid":60.00`) || !strings.Contains(string(got.Raw), `"amountDue":40.00`) {
		t.Fatalf("invoice after the race: %s", got.Raw)
	}
	verify(t, e, e.A)
}

// 20 concurrent replays of one Idempotency-Key make one payment, and all
// of them answer with it; the key with another body is refused.
func TestIdempotentPayments(t *testing.T) {
	e := tk.New(t)
	inv, _ := issued(t, e, e.A, "500.00")
	var wg sync.WaitGroup
	var mu sync.Mutex
	ids := map[string]int{}
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.Do(e.A, "POST", "/api/v1/invoices/"+inv+"/payments", map[string]any{"amount": "120.00", "reference": "TXN-1"}, "Idempotency-Key", "pay-once-123")
			mu.Lock()
			defer mu.Unlock()
			if r.Status != 201 {
				ids["error "+fmt.Sprint(r.Status)+" "+string(r.Raw)]++
				return
			}
			ids[tk.Str(r.Body, "data", "id")]++
		}()
	}
	wg.Wait()
	if len(ids) != 1 {
		t.Fatalf("replays answered with %v", ids)
	}
	ctx := e.Ctx(e.A)
	if n := store.Client(ctx).Payment.Query().CountX(ctx); n != 1 {
		t.Fatalf("%d payments for one key", n)
	}
	r := e.Do(e.A, "POST", "/api/v1/invoices/"+inv+"/payments", map[string]any{"amount": "121.00"}, "Idempotency-Key", "pay-once-123")
	if r.Status != 422 || tk.Str(r.Body, "error", "code") != "IDEMPOTENCY_KEY_REUSED" {
		t.Fatalf("key reused with another body: %d %s", r.Status, r.Raw)
	}
	// Keys are per company: B may use the same key.
	bInv, _ := issued(t, e, e.B, "500.00")
	if r := e.Do(e.B, "POST", "/api/v1/invoices/"+bInv+"/payments", map[string]any{"amount": "120.00", "reference": "TXN-1"}, "Idempotency-Key", "pay-once-123"); r.Status != 201 {
		t.Fatalf("same key in another company: %d %s", r.Status, r.Raw)
	}
	verify(t, e, e.A)
}

func TestVoidPayment(t *testing.T) {
	e := tk.New(t)
	inv, cust := issued(t, e, e.A, "300.00")
	r := e.Do(e.A, "POST", "/api/v1/invoices/"+inv+"/payments", map[string]any{"amount": "300.00"})
	pay := tk.Str(r.Body, "data", "id")
	if r := e.Do(e.A, "POST", "/api/v1/payments/"+pay+"/void", map[string]any{}); r.Status != 400 {
		t.Fatalf("void without reason: %d %s", r.Status, r.Raw)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := e.Do(e.A, "POST", "/api/v1/payments/"+pay+"/void", map[string]any{"reason": "Bounced cheque"}); r.Status == 200 {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if ok != 1 {
		t.Fatalf("%d voids succeeded", ok)
	}
	got := e.Do(e.A, "GET", "/api/v1/invoices/"+inv, nil)
	if tk.Str(got.Body, "data", "status") != "sent" || tk.Str(got.Body, "data", "paymentStatus") != "unpaid" || !strings.Contains(string(got.Raw), `"amountDue":300.00`) {
		t.Fatalf("invoice after payment void: %s", got.Raw)
	}
	if c := e.Do(e.A, "GET", "/api/v1/customers/"+cust, nil); !strings.Contains(string(c.Raw), `"currentBalance":300.00`) {
		t.Fatalf("balance after payment void: %s", c.Raw)
	}
	ctx := e.Ctx(e.A)
	p := store.Client(ctx).Payment.Query().Where(payment.IDEQ(pidOf(pay))).OnlyX(ctx)
	if p.Status != payment.StatusVoid {
		t.Fatalf("payment status %s", p.Status)
	}
	if n := store.Client(ctx).JournalEntry.Query().Where(journalentry.SourceTypeEQ(journalentry.SourceTypePaymentVoid)).CountX(ctx); n != 1 {
		t.Fatalf("%d payment reversals", n)
	}
	if r := e.Do(e.B, "POST", "/api/v1/payments/"+pay+"/void", map[string]any{"reason": "x"}); r.Status != 404 {
		t.Fatalf("B voids A's payment: %d", r.Status)
	}
	// The released invoice can be paid again.
	if r := e.Do(e.A, "POST", "/api/v1/invoices/"+inv+"/payments", map[string]any{"amount": "300.00"}); r.Status != 201 {
		t.Fatalf("pay again: %d %s", r.Status, r.Raw)
	}
	verify(t, e, e.A)
}

// Issuing and voiding invoices take idempotency keys too: replays answer
// with the invoice and post nothing twice.
func TestIdempotentIssueAndVoid(t *testing.T) {
	e := tk.New(t)
	c := e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Idem Co", "email": "i@x.co"})
	r := e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": tk.Str(c.Body, "data", "id"), "items": []map[string]any{{"description": "X", "quantity": 1, "unitPrice": 40}}})
	inv := tk.Str(r.Body, "data", "id")
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.Do(e.A, "POST", "/api/v1/invoices/"+inv+"/send", map[string]any{"to": []string{"i@x.co"}}, "Idempotency-Key", "issue-1")
			mu.Lock()
			statuses[r.Status]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if statuses[200] != 10 {
		t.Fatalf("issue replays: %v", statuses)
	}
	g := e.MustGQL(e.A, `mutation($id: ID!) { a: voidInvoice(id: $id, reason: "dup", idempotencyKey: "void-1") { status } b: voidInvoice(id: $id, reason: "dup", idempotencyKey: "void-1") { status } }`, map[string]any{"id": inv})
	if tk.Str(g, "a", "status") != "void" || tk.Str(g, "b", "status") != "void" {
		t.Fatalf("void replay: %v", g)
	}
	if r := e.GQL(e.A, `mutation($id: ID!) { voidInvoice(id: $id, reason: "other", idempotencyKey: "void-1") { status } }`, map[string]any{"id": inv}); len(r.Errors) == 0 || r.Errors[0].Code() != "IDEMPOTENCY_KEY_REUSED" {
		t.Fatalf("key reused: %s", r.Raw)
	}
	ctx := e.Ctx(e.A)
	if n := store.Client(ctx).JournalEntry.Query().CountX(ctx); n != 2 {
		t.Fatalf("%d journal entries; want the issue and its reversal", n)
	}
	verify(t, e, e.A)
}
