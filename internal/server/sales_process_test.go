package server_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/ledger"
	"github.com/bigledger/bigledger/internal/sales"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

func todayKL(t *testing.T) types.Date {
	return types.DateOf(sales.Clock().In(mustLoc(t, "Asia/Kuala_Lumpur")))
}

func plus(d types.Date, days int) string { return types.DateOf(d.Time().AddDate(0, 0, days)).String() }

func must(t *testing.T, r tk.Response, status int, what string) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, r.Status, status, r.Raw)
	}
	return r.Body["data"].(map[string]any)
}

// The seed 000 "Complete Sales Process" over REST, up to the payment step:
// customer → quote → send → accept → order → confirm → invoice → send.
func TestCompleteSalesProcessREST(t *testing.T) {
	e := tk.New(t)
	today := todayKL(t)
	year := today.Year
	cust := must(t, e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Tech Solutions Ltd", "email": "billing@techsolutions.com",
		"phone": "+60123456789", "paymentTerms": 30, "creditLimit": 50000.00}), 201, "create customer")
	q := must(t, e.Do(e.A, "POST", "/api/v1/quotes", map[string]any{"customerId": cust["id"], "quoteDate": today.String(), "validUntil": plus(today, 31),
		"title": "Q1 Software Licenses", "items": []map[string]any{{"description": "Enterprise Software License", "quantity": 10, "unitPrice": 1000.00, "discountPercent": 15.0, "taxCode": "SST"}}}),
		201, "create quote")
	qid := q["id"].(string)
	if q["quoteNumber"] != sprintfNum("QT", year, 1) || q["status"] != "draft" || tk.Str(q, "customer", "name") != "Tech Solutions Ltd" {
		t.Fatalf("quote: %v", q)
	}
	raw := string(e.Do(e.A, "GET", "/api/v1/quotes/"+qid, nil).Raw)
	for _, want := range []string{`"subtotal":8500.00`, `"totalDiscount":1500.00`, `"totalTax":510.00`, `"total":9010.00`, `"discountAmount":1500.00`} {
		if !strings.Contains(raw, want) {
			t.Errorf("quote lacks %s: %s", want, raw)
		}
	}
	sent := must(t, e.Do(e.A, "POST", "/api/v1/quotes/"+qid+"/send", map[string]any{"to": []string{"billing@techsolutions.com"},
		"subject": "Quote " + q["quoteNumber"].(string) + " - Q1 Software Licenses", "message": "Please review the attached quote.", "attachPDF": true}), 200, "send quote")
	if sent["status"] != "sent" || sent["sentAt"] == nil {
		t.Fatalf("sent quote: %v", sent)
	}
	acc := must(t, e.Do(e.A, "POST", "/api/v1/quotes/"+qid+"/accept", nil), 200, "accept quote")
	if acc["status"] != "accepted" || acc["acceptedAt"] == nil {
		t.Fatalf("accepted quote: %v", acc)
	}
	so := must(t, e.Do(e.A, "POST", "/api/v1/quotes/"+qid+"/convert-to-order", nil), 201, "convert quote")
	soid := so["id"].(string)
	// An accepted quote becomes a confirmed order, invoiceable at once.
	if so["orderNumber"] != sprintfNum("SO", year, 1) || so["status"] != "confirmed" || so["quoteId"] != qid || len(so["items"].([]any)) != 1 ||
		len(so["statusHistory"].([]any)) != 2 || tk.Str(so, "statusHistory", 1, "status") != "confirmed" {
		t.Fatalf("order: %v", so)
	}
	conv := must(t, e.Do(e.A, "GET", "/api/v1/quotes/"+qid, nil), 200, "quote after convert")
	if conv["status"] != "converted" || conv["salesOrderId"] != soid || conv["convertedToOrderAt"] == nil {
		t.Fatalf("converted quote: %v", conv)
	}
	if r := e.Do(e.A, "POST", "/api/v1/quotes/"+qid+"/convert-to-order", nil); r.Status != 422 || tk.Str(r.Body, "error", "code") != "QUOTE_CONVERSION_FAILED" {
		t.Fatalf("second conversion: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(e.A, "PATCH", "/api/v1/sales-orders/"+soid+"/status", map[string]any{"status": "confirmed"}); r.Status != 422 {
		t.Fatalf("confirming a confirmed order: %d %s", r.Status, r.Raw)
	}
	inv := must(t, e.Do(e.A, "POST", "/api/v1/sales-orders/"+soid+"/convert-to-invoice", map[string]any{"invoiceDate": today.String(), "dueDate": plus(today, 30)}), 201, "convert order")
	iid := inv["id"].(string)
	if inv["invoiceNumber"] != sprintfNum("INV", year, 1) || inv["reference"] != so["orderNumber"] || inv["status"] != "draft" {
		t.Fatalf("invoice: %v", inv)
	}
	sentInv := e.Do(e.A, "POST", "/api/v1/invoices/"+iid+"/send", map[string]any{"to": []string{"billing@techsolutions.com"}})
	if sentInv.Status != 200 || !strings.Contains(string(sentInv.Raw), `"total":9010.00`) || !strings.Contains(string(sentInv.Raw), `"amountDue":9010.00`) ||
		tk.Str(sentInv.Body, "data", "status") != "sent" {
		t.Fatalf("sent invoice: %s", sentInv.Raw)
	}
	order := must(t, e.Do(e.A, "GET", "/api/v1/sales-orders/"+soid, nil), 200, "order after invoicing")
	if order["invoiceStatus"] != "invoiced" || tk.Get(order, "items", 0, "invoicedQuantity") != float64(10) {
		t.Fatalf("order invoicing: %v", order)
	}
	c := e.Do(e.A, "GET", "/api/v1/customers/"+cust["id"].(string), nil)
	if !strings.Contains(string(c.Raw), `"totalSales":9010.00`) || tk.Str(c.Body, "data", "lastSaleDate") != today.String() ||
		!strings.Contains(string(c.Raw), `"currentBalance":9010.00`) {
		t.Fatalf("customer after the invoice: %s", c.Raw)
	}
	// 9. Record the payment: the invoice is paid, the ledger posted, the
	// customer's balance back to zero.
	pay := e.Do(e.A, "POST", "/api/v1/invoices/"+iid+"/payments", map[string]any{"amount": 9010.00, "paymentDate": today.String(),
		"paymentMethod": "bank_transfer", "reference": "TXN-001"}, "Idempotency-Key", "complete-process-payment")
	if pay.Status != 201 || tk.Str(pay.Body, "data", "invoice", "status") != "paid" {
		t.Fatalf("payment: %d %s", pay.Status, pay.Raw)
	}
	c = e.Do(e.A, "GET", "/api/v1/customers/"+cust["id"].(string), nil)
	if !strings.Contains(string(c.Raw), `"currentBalance":0.00`) {
		t.Fatalf("customer after payment: %s", c.Raw)
	}
	if err := ledger.Verify(e.Ctx(e.A)); err != nil {
		t.Fatal(err)
	}
}

func sprintfNum(prefix string, year, n int) string {
	return prefix + "-" + itoa4(year) + "-" + itoa4(n)
}

func itoa4(n int) string {
	s := "0000" + strconvItoa(n)
	return s[len(s)-4:]
}

func strconvItoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// The same process over GraphQL.
func TestCompleteSalesProcessGraphQL(t *testing.T) {
	e := tk.New(t)
	today := todayKL(t)
	c := gqlCreateCustomer(t, e, e.A, map[string]any{"name": "Tech Solutions Ltd", "email": "billing@techsolutions.com", "paymentTerms": 30})
	q := e.MustGQL(e.A, `mutation($in: QuoteInput!) { createQuote(input: $in) { id number status total items { lineTotal } } }`, map[string]any{"in": map[string]any{
		"customerId": c["id"], "title": "Q1 Software Licenses",
		"items": []map[string]any{{"description": "Enterprise Software License", "quantity": "10", "unitPrice": "1000.00", "discountPercent": "15", "taxCode": "SST"}}}})["createQuote"].(map[string]any)
	if q["total"] != "9010.00" || q["status"] != "draft" {
		t.Fatalf("createQuote: %v", q)
	}
	id := map[string]any{"id": q["id"]}
	if s := e.MustGQL(e.A, `mutation($id: ID!) { sendQuote(id: $id, input: {to: ["billing@techsolutions.com"]}) { status } }`, id); tk.Str(s, "sendQuote", "status") != "sent" {
		t.Fatalf("sendQuote: %v", s)
	}
	if a := e.MustGQL(e.A, `mutation($id: ID!) { acceptQuote(id: $id, acceptedBy: "Jane Doe") { status acceptedBy } }`, id); tk.Str(a, "acceptQuote", "acceptedBy") != "Jane Doe" {
		t.Fatalf("acceptQuote: %v", a)
	}
	so := e.MustGQL(e.A, `mutation($id: ID!) { convertQuoteToOrder(id: $id) { id number status total quote { id } items { id quantity } } }`, id)["convertQuoteToOrder"].(map[string]any)
	if so["total"] != "9010.00" || tk.Str(so, "quote", "id") != q["id"] {
		t.Fatalf("convertQuoteToOrder: %v", so)
	}
	if d := e.MustGQL(e.A, `query($id: ID!) { quote(id: $id) { status salesOrderID } }`, id); tk.Str(d, "quote", "status") != "converted" || tk.Str(d, "quote", "salesOrderID") != so["id"] {
		t.Fatalf("quote after conversion: %v", d)
	}
	if so["status"] != "confirmed" {
		t.Fatalf("order from an accepted quote: %v", so)
	}
	inv := e.MustGQL(e.A, `mutation($id: ID!, $d: Date) { convertSalesOrderToInvoice(id: $id, input: {invoiceDate: $d}) { id number total status reference } }`,
		map[string]any{"id": so["id"], "d": today.String()})["convertSalesOrderToInvoice"].(map[string]any)
	if inv["total"] != "9010.00" || inv["reference"] != so["number"] {
		t.Fatalf("convertSalesOrderToInvoice: %v", inv)
	}
	s := e.MustGQL(e.A, `mutation($id: ID!) { sendInvoice(id: $id, input: {to: ["billing@techsolutions.com"]}) { status amountDue customer { totalSales } } }`, map[string]any{"id": inv["id"]})
	if tk.Str(s, "sendInvoice", "status") != "sent" || tk.Str(s, "sendInvoice", "customer", "totalSales") != "9010.00" {
		t.Fatalf("sendInvoice: %v", s)
	}
	p := e.MustGQL(e.A, `mutation($id: ID!) { recordPayment(invoiceId: $id, input: {amount: "9010.00", paymentMethod: bank_transfer}, idempotencyKey: "gql-pay-1") { paymentNumber amount customer { currentBalance } } }`,
		map[string]any{"id": inv["id"]})
	if tk.Str(p, "recordPayment", "amount") != "9010.00" || tk.Str(p, "recordPayment", "customer", "currentBalance") != "0.00" {
		t.Fatalf("recordPayment: %v", p)
	}
	if d := e.MustGQL(e.A, `query($id: ID!) { invoice(id: $id) { status paymentStatus amountDue } }`, map[string]any{"id": inv["id"]}); tk.Str(d, "invoice", "status") != "paid" || tk.Str(d, "invoice", "amountDue") != "0.00" {
		t.Fatalf("invoice after payment: %v", d)
	}
	if err := ledger.Verify(e.Ctx(e.A)); err != nil {
		t.Fatal(err)
	}
	d := e.MustGQL(e.A, `query($id: ID!) { customer(id: $id) { quotes { totalCount } salesOrders { totalCount edges { node { invoiceStatus } } } invoices { totalCount } } }`, map[string]any{"id": c["id"]})
	if tk.Get(d, "customer", "quotes", "totalCount") != float64(1) || tk.Str(d, "customer", "salesOrders", "edges", 0, "node", "invoiceStatus") != "invoiced" ||
		tk.Get(d, "customer", "invoices", "totalCount") != float64(1) {
		t.Fatalf("customer documents: %v", d)
	}
	l := e.MustGQL(e.A, `{ quotes(search: "QT-") { totalCount } salesOrders(where: {status: confirmed}) { totalCount } }`, nil)
	if tk.Get(l, "quotes", "totalCount") != float64(1) || tk.Get(l, "salesOrders", "totalCount") != float64(1) {
		t.Fatalf("lists: %v", l)
	}
}

func TestQuoteLifecycleRules(t *testing.T) {
	e := tk.New(t)
	today := todayKL(t)
	c := createCustomerREST(t, e, e.A, map[string]any{"name": "Q Co", "email": "q@x.co"})
	mk := func(date, until string) string {
		r := e.Do(e.A, "POST", "/api/v1/quotes", map[string]any{"customerId": c["id"], "quoteDate": date, "validUntil": until,
			"items": []map[string]any{{"description": "X", "quantity": 1, "unitPrice": 10}}})
		return must(t, r, 201, "create quote")["id"].(string)
	}
	post := func(id, action string, body any) tk.Response {
		return e.Do(e.A, "POST", "/api/v1/quotes/"+id+"/"+action, body)
	}
	draft := mk(today.String(), plus(today, 10))
	if r := post(draft, "accept", nil); r.Status != 422 || tk.Str(r.Body, "error", "code") != "INVALID_STATE" {
		t.Fatalf("accept a draft: %d %s", r.Status, r.Raw)
	}
	if r := post(draft, "convert-to-order", nil); r.Status != 422 || tk.Str(r.Body, "error", "code") != "QUOTE_CONVERSION_FAILED" {
		t.Fatalf("convert a draft: %d %s", r.Status, r.Raw)
	}
	must(t, e.Do(e.A, "PUT", "/api/v1/quotes/"+draft, map[string]any{"title": "Edited", "items": []map[string]any{{"description": "Y", "quantity": 2, "unitPrice": 10}}}), 200, "edit draft")
	must(t, post(draft, "send", nil), 200, "send")
	if r := e.Do(e.A, "PUT", "/api/v1/quotes/"+draft, map[string]any{"title": "Too late"}); r.Status != 422 {
		t.Fatalf("edit a sent quote: %d %s", r.Status, r.Raw)
	}
	must(t, post(draft, "reject", map[string]any{"reason": "Too expensive"}), 200, "reject")
	if r := post(draft, "accept", nil); r.Status != 422 {
		t.Fatalf("accept a rejected quote: %d %s", r.Status, r.Raw)
	}
	// An expired quote: shown as expired, cannot be sent, converts with the seed's 422.
	expired := mk(plus(today, -40), plus(today, -10))
	got := must(t, e.Do(e.A, "GET", "/api/v1/quotes/"+expired, nil), 200, "get expired")
	if got["status"] != "expired" {
		t.Fatalf("expired status: %v", got["status"])
	}
	if r := post(expired, "send", nil); r.Status != 422 || tk.Str(r.Body, "error", "code") != "QUOTE_EXPIRED" {
		t.Fatalf("send expired: %d %s", r.Status, r.Raw)
	}
	// Accepted while valid, expired before conversion.
	late := mk(today.String(), plus(today, 1))
	must(t, post(late, "send", nil), 200, "send")
	must(t, post(late, "accept", nil), 200, "accept")
	real := sales.Clock
	sales.Clock = func() time.Time { return real().AddDate(0, 0, 3) }
	r := post(late, "convert-to-order", nil)
	sales.Clock = real
	if r.Status != 422 || tk.Str(r.Body, "error", "code") != "QUOTE_CONVERSION_FAILED" || tk.Str(r.Body, "error", "message") != "Cannot convert expired quote to sales order" {
		t.Fatalf("convert expired: %d %s", r.Status, r.Raw)
	}
	det := tk.Get(r.Body, "error", "details", 0).(map[string]any)
	if det["quoteId"] != late || det["validUntil"] != plus(today, 1) || det["currentDate"] != plus(today, 3) {
		t.Fatalf("seed details: %v", det)
	}
	list := func(q string) float64 {
		return tk.Get(e.Do(e.A, "GET", "/api/v1/quotes?"+q, nil).Body, "pagination", "total").(float64)
	}
	if n := list("status=expired"); n != 1 {
		t.Fatalf("status=expired: %v", n)
	}
	if n := list("status=accepted"); n != 1 {
		t.Fatalf("status=accepted: %v", n)
	}
	for _, bad := range []map[string]any{
		{"customerId": c["id"], "quoteDate": today.String(), "validUntil": plus(today, -1), "items": []map[string]any{{"description": "X", "quantity": 1, "unitPrice": 1}}},
		{"customerId": c["id"], "items": []map[string]any{}},
		{"customerId": c["id"], "items": []map[string]any{{"description": "X", "quantity": 1, "unitPrice": 1, "discountPercent": 150}}},
	} {
		if r := e.Do(e.A, "POST", "/api/v1/quotes", bad); r.Status != 400 || tk.Str(r.Body, "error", "code") != "INVALID_QUOTE_DATA" {
			t.Errorf("%v: %d %s", bad, r.Status, r.Raw)
		}
	}
}

func TestSalesOrderLifecycleAndPartialInvoicing(t *testing.T) {
	e := tk.New(t)
	c := createCustomerREST(t, e, e.A, map[string]any{"name": "Order Co", "email": "o@x.co"})
	so := must(t, e.Do(e.A, "POST", "/api/v1/sales-orders", map[string]any{"customerId": c["id"], "requiredDate": "2099-02-15", "reference": "PO-XYZ-456",
		"priority": "high", "shippingCost": 75.00, "items": []map[string]any{
			{"description": "Widget", "quantity": 100, "unitPrice": 25.00, "discountPercent": 5, "taxCode": "SST"},
			{"description": "Installation Service", "quantity": 10, "unitPrice": 50.00, "taxCode": "SST"}}}), 201, "create order")
	id := so["id"].(string)
	line1, line2 := tk.Str(so, "items", 0, "id"), tk.Str(so, "items", 1, "id")
	status := func(st string) tk.Response {
		return e.Do(e.A, "PATCH", "/api/v1/sales-orders/"+id+"/status", map[string]any{"status": st})
	}
	convert := func(body any) tk.Response {
		return e.Do(e.A, "POST", "/api/v1/sales-orders/"+id+"/convert-to-invoice", body)
	}
	if r := convert(nil); r.Status != 422 {
		t.Fatalf("invoice a draft order: %d %s", r.Status, r.Raw)
	}
	for _, st := range []string{"shipped", "delivered", "draft"} {
		if r := status(st); r.Status != 422 {
			t.Errorf("draft → %s: %d %s", st, r.Status, r.Raw)
		}
	}
	if r := status("lost"); r.Status != 400 {
		t.Errorf("unknown status: %d %s", r.Status, r.Raw)
	}
	must(t, e.Do(e.A, "PUT", "/api/v1/sales-orders/"+id, map[string]any{"promisedDate": "2099-02-10"}), 200, "edit draft order")
	must(t, status("confirmed"), 200, "confirm")
	if r := e.Do(e.A, "PUT", "/api/v1/sales-orders/"+id, map[string]any{"notes": "x"}); r.Status != 422 {
		t.Fatalf("edit confirmed order: %d %s", r.Status, r.Raw)
	}
	// Partial: 25 of line 1, with the order's shipping.
	inv1 := must(t, convert(map[string]any{"partialItems": []map[string]any{{"itemId": line1, "quantity": 25}}}), 201, "partial invoice")
	if len(inv1["items"].([]any)) != 1 || tk.Get(inv1, "items", 0, "quantity") != float64(25) {
		t.Fatalf("partial invoice lines: %v", inv1["items"])
	}
	// 25 × 25.00 = 625.00 − 31.25 = 593.75, tax 35.63; + 75.00 shipping = 704.38
	if raw := string(e.Do(e.A, "GET", "/api/v1/invoices/"+inv1["id"].(string), nil).Raw); !strings.Contains(raw, `"total":704.38`) {
		t.Fatalf("partial invoice total: %s", raw)
	}
	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"partialItems": []map[string]any{{"itemId": line1, "quantity": 80}}}, "partialItems[0].quantity"},
		{map[string]any{"partialItems": []map[string]any{{"itemId": line1, "quantity": 40}, {"itemId": line1, "quantity": 40}}}, "partialItems[1].quantity"},
		{map[string]any{"partialItems": []map[string]any{{"itemId": line1, "quantity": 0}}}, "partialItems[0].quantity"},
		{map[string]any{"partialItems": []map[string]any{{"itemId": string(pulid.New("soi")), "quantity": 1}}}, "partialItems[0].itemId"},
		{map[string]any{"partialItems": []map[string]any{{"quantity": 1}}}, "partialItems[0].itemId"},
		{map[string]any{"partialItems": []map[string]any{{"salesOrderItemId": line1, "itemId": string(pulid.New("soi")), "quantity": 1}}}, "partialItems[0].itemId"},
		{map[string]any{"partialItems": []map[string]any{{"salesOrderItemId": line1, "quantity": 80}}}, "partialItems[0].quantity"},
	} {
		r := convert(bad.body)
		if r.Status != 400 || tk.Str(r.Body, "error", "details", 0, "field") != bad.field {
			t.Errorf("%v: %d %s", bad.body, r.Status, r.Raw)
		}
	}
	// The invoice links to its order; the order lists its invoices.
	if tk.Str(inv1, "salesOrderId") != id || inv1["quoteId"] != nil {
		t.Fatalf("invoice links: salesOrderId %v quoteId %v", inv1["salesOrderId"], inv1["quoteId"])
	}
	if o := must(t, e.Do(e.A, "GET", "/api/v1/sales-orders/"+id, nil), 200, "order"); len(o["invoices"].([]any)) != 1 ||
		tk.Str(o, "invoices", 0, "id") != tk.Str(inv1, "id") || tk.Get(o, "invoices", 0, "total") != 704.38 {
		t.Fatalf("order's invoices: %v", o["invoices"])
	}
	half := must(t, e.Do(e.A, "GET", "/api/v1/sales-orders/"+id, nil), 200, "order")
	if half["invoiceStatus"] != "partial" || tk.Get(half, "items", 0, "invoicedQuantity") != float64(25) {
		t.Fatalf("partial status: %v", half)
	}
	// The rest: 75 of line 1 and all of line 2, no second shipping charge.
	inv2 := must(t, convert(map[string]any{}), 201, "invoice the rest")
	if len(inv2["items"].([]any)) != 2 || tk.Get(inv2, "items", 0, "quantity") != float64(75) {
		t.Fatalf("rest invoice: %v", inv2["items"])
	}
	if raw := string(e.Do(e.A, "GET", "/api/v1/invoices/"+inv2["id"].(string), nil).Raw); !strings.Contains(raw, `"shippingCost":0.00`) {
		t.Fatalf("shipping charged twice: %s", raw)
	}
	if r := convert(nil); r.Status != 422 {
		t.Fatalf("invoice a fully invoiced order: %d %s", r.Status, r.Raw)
	}
	// Voiding an invoice gives its quantities back to the order.
	must(t, e.Do(e.A, "POST", "/api/v1/invoices/"+inv2["id"].(string)+"/send", nil), 200, "issue")
	must(t, e.Do(e.A, "POST", "/api/v1/invoices/"+inv2["id"].(string)+"/void", map[string]any{"reason": "wrong"}), 200, "void")
	back := must(t, e.Do(e.A, "GET", "/api/v1/sales-orders/"+id, nil), 200, "order after void")
	if back["invoiceStatus"] != "partial" || tk.Get(back, "items", 1, "invoicedQuantity") != float64(0) {
		t.Fatalf("after void: %v", back)
	}
	// salesOrderItemId names the order line as seed 000's itemId does.
	if re := must(t, convert(map[string]any{"partialItems": []map[string]any{{"salesOrderItemId": line2, "quantity": 10}}}), 201, "re-invoice"); tk.Get(re, "items", 0, "quantity") != 10.0 {
		t.Fatalf("re-invoice by salesOrderItemId: %v", re["items"])
	}
	if r := status("cancelled"); r.Status != 422 {
		t.Fatalf("cancel an invoiced order: %d %s", r.Status, r.Raw)
	}
	shipped := must(t, e.Do(e.A, "PATCH", "/api/v1/sales-orders/"+id+"/status", map[string]any{"status": "shipped", "trackingNumber": "TRK-1", "shippingMethod": "courier"}), 200, "ship")
	if tk.Str(shipped, "fulfillment", "status") != "shipped" || tk.Get(shipped, "fulfillment", "shippedQuantity") != float64(110) ||
		tk.Get(shipped, "fulfillment", "remainingQuantity") != float64(0) || tk.Str(shipped, "fulfillment", "trackingNumber") != "TRK-1" {
		t.Fatalf("shipped: %v", shipped["fulfillment"])
	}
	must(t, status("delivered"), 200, "deliver")
	if r := status("cancelled"); r.Status != 422 {
		t.Fatalf("cancel a delivered order: %d", r.Status)
	}
	// A draft can be cancelled.
	other := must(t, e.Do(e.A, "POST", "/api/v1/sales-orders", map[string]any{"customerId": c["id"], "items": []map[string]any{{"description": "X", "quantity": 1, "unitPrice": 1}}}), 201, "order 2")
	if r := e.Do(e.A, "PATCH", "/api/v1/sales-orders/"+other["id"].(string)+"/status", map[string]any{"status": "cancelled"}); r.Status != 200 {
		t.Fatalf("cancel draft: %d %s", r.Status, r.Raw)
	}
	// Filters.
	for q, want := range map[string]float64{"status=delivered": 1, "status=cancelled": 1, "priority=high": 1, "search=PO-XYZ": 1, "search=order%20co": 2, "orderDateFrom=2000-01-01": 2} {
		if n := tk.Get(e.Do(e.A, "GET", "/api/v1/sales-orders?"+q, nil).Body, "pagination", "total"); n != want {
			t.Errorf("%s: %v", q, n)
		}
	}
}

// Concurrent conversions of one order never bill a line beyond its quantity.
func TestConcurrentPartialInvoicing(t *testing.T) {
	e := tk.New(t)
	c := createCustomerREST(t, e, e.A, map[string]any{"name": "Race Co", "email": "r@x.co"})
	so := must(t, e.Do(e.A, "POST", "/api/v1/sales-orders", map[string]any{"customerId": c["id"], "items": []map[string]any{{"description": "Widget", "quantity": 100, "unitPrice": 1}}}), 201, "order")
	id, line := so["id"].(string), tk.Str(so, "items", 0, "id")
	must(t, e.Do(e.A, "PATCH", "/api/v1/sales-orders/"+id+"/status", map[string]any{"status": "confirmed"}), 200, "confirm")
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, refused := 0, 0
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.Do(e.A, "POST", "/api/v1/sales-orders/"+id+"/convert-to-invoice", map[string]any{"partialItems": []map[string]any{{"itemId": line, "quantity": 30}}})
			mu.Lock()
			defer mu.Unlock()
			switch r.Status {
			case 201:
				ok++
			case 400:
				refused++
			default:
				t.Errorf("unexpected: %d %s", r.Status, r.Raw)
			}
		}()
	}
	wg.Wait()
	if ok != 3 || refused != 7 {
		t.Fatalf("%d conversions succeeded, %d refused; want 3 and 7", ok, refused)
	}
	order := must(t, e.Do(e.A, "GET", "/api/v1/sales-orders/"+id, nil), 200, "order")
	if tk.Get(order, "items", 0, "invoicedQuantity") != float64(90) {
		t.Fatalf("invoiced quantity: %v", tk.Get(order, "items", 0, "invoicedQuantity"))
	}
	invs := e.Do(e.A, "GET", "/api/v1/invoices?limit=100", nil)
	total := 0.0
	for _, inv := range invs.Body["data"].([]any) {
		total += tk.Get(inv, "items", 0, "quantity").(float64)
	}
	if total != 90 {
		t.Fatalf("invoice lines add up to %v, order says 90", total)
	}
}

func TestQuoteAndOrderCrossTenant(t *testing.T) {
	e := tk.New(t)
	bc := createCustomerREST(t, e, e.B, map[string]any{"name": "B", "email": "b@b.co"})
	bq := must(t, e.Do(e.B, "POST", "/api/v1/quotes", map[string]any{"customerId": bc["id"], "items": []map[string]any{{"description": "X", "quantity": 1, "unitPrice": 1}}}), 201, "B quote")
	bso := must(t, e.Do(e.B, "POST", "/api/v1/sales-orders", map[string]any{"customerId": bc["id"], "items": []map[string]any{{"description": "X", "quantity": 5, "unitPrice": 1}}}), 201, "B order")
	must(t, e.Do(e.B, "PATCH", "/api/v1/sales-orders/"+bso["id"].(string)+"/status", map[string]any{"status": "confirmed"}), 200, "B confirm")
	mq, mso := string(pulid.New("quote")), string(pulid.New("so"))
	cases := []struct {
		method, path, foreign, missing string
		body                           any
	}{
		{"GET", "/api/v1/quotes/%s", bq["id"].(string), mq, nil},
		{"PUT", "/api/v1/quotes/%s", bq["id"].(string), mq, map[string]any{"title": "x"}},
		{"POST", "/api/v1/quotes/%s/send", bq["id"].(string), mq, map[string]any{}},
		{"POST", "/api/v1/quotes/%s/accept", bq["id"].(string), mq, map[string]any{}},
		{"POST", "/api/v1/quotes/%s/reject", bq["id"].(string), mq, map[string]any{}},
		{"POST", "/api/v1/quotes/%s/convert-to-order", bq["id"].(string), mq, nil},
		{"GET", "/api/v1/sales-orders/%s", bso["id"].(string), mso, nil},
		{"PUT", "/api/v1/sales-orders/%s", bso["id"].(string), mso, map[string]any{"notes": "x"}},
		{"PATCH", "/api/v1/sales-orders/%s/status", bso["id"].(string), mso, map[string]any{"status": "cancelled"}},
		{"POST", "/api/v1/sales-orders/%s/convert-to-invoice", bso["id"].(string), mso, map[string]any{}},
	}
	for _, tc := range cases {
		got, want := e.Do(e.A, tc.method, sprintf(tc.path, tc.foreign), tc.body), e.Do(e.A, tc.method, sprintf(tc.path, tc.missing), tc.body)
		if got.Status != 404 || got.Status != want.Status || tk.Str(got.Body, "error", "code") != tk.Str(want.Body, "error", "code") {
			t.Errorf("%s %s: %d %s vs %d %s", tc.method, tc.path, got.Status, got.Raw, want.Status, want.Raw)
		}
	}
	// A's order cannot bill B's order line.
	ac := createCustomerREST(t, e, e.A, map[string]any{"name": "A", "email": "a@a.co"})
	aso := must(t, e.Do(e.A, "POST", "/api/v1/sales-orders", map[string]any{"customerId": ac["id"], "items": []map[string]any{{"description": "X", "quantity": 5, "unitPrice": 1}}}), 201, "A order")
	must(t, e.Do(e.A, "PATCH", "/api/v1/sales-orders/"+aso["id"].(string)+"/status", map[string]any{"status": "confirmed"}), 200, "A confirm")
	r := e.Do(e.A, "POST", "/api/v1/sales-orders/"+aso["id"].(string)+"/convert-to-invoice", map[string]any{"partialItems": []map[string]any{{"itemId": tk.Str(bso, "items", 0, "id"), "quantity": 1}}})
	if r.Status != 400 || tk.Str(r.Body, "error", "details", 0, "field") != "partialItems[0].itemId" {
		t.Fatalf("B's line on A's order: %d %s", r.Status, r.Raw)
	}
	for _, q := range []string{`query($id: ID!) { quote(id: $id) { id } }`, `query($id: ID!) { salesOrder(id: $id) { id } }`} {
		if g := e.GQL(e.A, q, map[string]any{"id": bq["id"]}); len(g.Errors) == 0 {
			t.Errorf("%s leaked", q)
		}
	}
	if n := tk.Get(e.Do(e.A, "GET", "/api/v1/quotes", nil).Body, "pagination", "total"); n != float64(0) {
		t.Errorf("A lists B's quotes: %v", n)
	}
	if got := must(t, e.Do(e.B, "GET", "/api/v1/sales-orders/"+bso["id"].(string), nil), 200, "B order after"); got["status"] != "confirmed" || got["invoiceStatus"] != "not_invoiced" {
		t.Fatalf("B's order changed: %v", got)
	}
}
