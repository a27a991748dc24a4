package server_test

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/sales"
	"github.com/bigledger/bigledger/internal/store"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

// seedInvoiceBody is the seed 000 create-invoice request.
func seedInvoiceBody(customerID, itemID string) map[string]any {
	return map[string]any{
		"customerId": customerID, "invoiceDate": "2024-01-15", "dueDate": "2024-02-14",
		"reference": "SO-2024-0001", "purchaseOrder": "PO-ABC-123",
		"items":        []map[string]any{{"itemId": itemID, "quantity": 100, "unitPrice": 25.00, "discountPercent": 5.0, "taxCode": "SST"}},
		"shippingCost": 50.00, "notes": "Thank you for your business!", "terms": "Payment due within 30 days",
	}
}

func createItemREST(t *testing.T, e *tk.Env, tn tk.Tenant) string {
	t.Helper()
	r := e.Do(tn, "POST", "/api/v1/items", map[string]any{"code": "WDG-001", "name": "Premium Widget", "unitPrice": 25.00, "taxCode": "SST", "type": "product"})
	if r.Status != 201 || tk.Str(r.Body, "data", "taxCode") != "SST" || !strings.Contains(string(r.Raw), `"unitPrice":25.00`) {
		t.Fatalf("create item: %d %s", r.Status, r.Raw)
	}
	return tk.Str(r.Body, "data", "id")
}

func TestRESTInvoiceLifecycle(t *testing.T) {
	e := tk.New(t)
	c := createCustomerREST(t, e, e.A, map[string]any{"name": "Acme Corporation", "email": "billing@acme.com", "paymentTerms": 30,
		"address": map[string]any{"street": "123 Main Street", "city": "Kuala Lumpur", "state": "Selangor", "postalCode": "50000", "country": "MY"}})
	cid := c["id"].(string)
	itemID := createItemREST(t, e, e.A)

	r := e.Do(e.A, "POST", "/api/v1/invoices", seedInvoiceBody(cid, itemID))
	if r.Status != 201 {
		t.Fatalf("create invoice: %d %s", r.Status, r.Raw)
	}
	for _, want := range []string{`"invoiceNumber":"INV-2024-0001"`, `"subtotal":2375.00`, `"totalDiscount":125.00`, `"totalTax":142.50`,
		`"shippingCost":50.00`, `"total":2567.50`, `"amountPaid":0.00`, `"amountDue":2567.50`, `"paymentStatus":"unpaid"`, `"status":"draft"`,
		`"discountAmount":125.00`, `"lineTotal":2375.00`, `"taxRate":6`, `"taxAmount":142.50`, `"itemCode":"WDG-001"`, `"description":"Premium Widget"`,
		`"quantity":100`, `"exchangeRate":1`, `"einvoice":{"status":"pending"`} {
		if !strings.Contains(string(r.Raw), want) {
			t.Errorf("invoice lacks %s", want)
		}
	}
	inv := r.Body["data"].(map[string]any)
	id := inv["id"].(string)
	if tk.Str(inv, "customer", "name") != "Acme Corporation" || tk.Str(inv, "billingAddress", "city") != "Kuala Lumpur" {
		t.Fatalf("customer summary / address default: %s", r.Raw)
	}

	// Edit the draft: replace the lines, change shipping.
	r = e.Do(e.A, "PUT", "/api/v1/invoices/"+id, map[string]any{"shippingCost": 0, "items": []map[string]any{
		{"description": "Consulting", "quantity": "1.5", "unitPrice": "200.00", "taxCode": "SST10"},
		{"itemId": itemID, "quantity": 2},
	}})
	if r.Status != 200 {
		t.Fatalf("edit draft: %d %s", r.Status, r.Raw)
	}
	// 300.00 @10% = 30.00; 2 × 25.00 = 50.00 @6% = 3.00 → 353.00
	if !strings.Contains(string(r.Raw), `"total":383.00`) || !strings.Contains(string(r.Raw), `"subtotal":350.00`) {
		t.Fatalf("edited totals: %s", r.Raw)
	}

	// Send issues it: immutable from now on, counted in the customer's totals.
	r = e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/send", map[string]any{"to": []string{"billing@acme.com"}, "cc": []string{"accounts@acme.com"},
		"subject": "Invoice INV-2024-0001", "message": "Please find attached your invoice.", "attachPDF": true, "sendReminders": true})
	if r.Status != 200 || tk.Str(r.Body, "data", "status") != "sent" || tk.Get(r.Body, "data", "sendReminders") != true || tk.Str(r.Body, "data", "sentAt") == "" {
		t.Fatalf("send: %d %s", r.Status, r.Raw)
	}
	cust := e.Do(e.A, "GET", "/api/v1/customers/"+cid, nil)
	if !strings.Contains(string(cust.Raw), `"totalSales":383.00`) || tk.Str(cust.Body, "data", "lastSaleDate") != "2024-01-15" {
		t.Fatalf("customer totals after issue: %s", cust.Raw)
	}
	if r := e.Do(e.A, "PUT", "/api/v1/invoices/"+id, map[string]any{"notes": "changed"}); r.Status != 422 || tk.Str(r.Body, "error", "code") != "INVALID_STATE" {
		t.Fatalf("edit issued invoice: %d %s", r.Status, r.Raw)
	}
	// A customer with documents cannot be deleted.
	if r := e.Do(e.A, "DELETE", "/api/v1/customers/"+cid, nil); r.Status != 409 {
		t.Fatalf("delete customer with invoice: %d %s", r.Status, r.Raw)
	}
	// Re-sending is recorded again; it does not count the sale twice.
	if r := e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/send", map[string]any{"to": []string{"billing@acme.com"}}); r.Status != 200 {
		t.Fatalf("resend: %d %s", r.Status, r.Raw)
	}
	if cust := e.Do(e.A, "GET", "/api/v1/customers/"+cid, nil); !strings.Contains(string(cust.Raw), `"totalSales":383.00`) {
		t.Fatalf("resend counted twice: %s", cust.Raw)
	}

	if r := e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/void", map[string]any{"reason": "  "}); r.Status != 400 || tk.Str(r.Body, "error", "details", 0, "field") != "reason" {
		t.Fatalf("void without reason: %d %s", r.Status, r.Raw)
	}
	r = e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/void", map[string]any{"reason": "Issued to the wrong customer"})
	if r.Status != 200 || tk.Str(r.Body, "data", "status") != "void" || tk.Str(r.Body, "data", "voidReason") != "Issued to the wrong customer" ||
		!strings.Contains(string(r.Raw), `"amountDue":0.00`) {
		t.Fatalf("void: %d %s", r.Status, r.Raw)
	}
	cust = e.Do(e.A, "GET", "/api/v1/customers/"+cid, nil)
	if !strings.Contains(string(cust.Raw), `"totalSales":0.00`) || tk.Get(cust.Body, "data", "lastSaleDate") != nil {
		t.Fatalf("customer totals after void: %s", cust.Raw)
	}
	if r := e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/void", map[string]any{"reason": "again"}); r.Status != 422 {
		t.Errorf("void a void invoice: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/send", map[string]any{"to": []string{"a@b.co"}}); r.Status != 422 {
		t.Errorf("send a void invoice: %d %s", r.Status, r.Raw)
	}
	// A draft cannot be voided.
	d := e.Do(e.A, "POST", "/api/v1/invoices", seedInvoiceBody(cid, itemID))
	if r := e.Do(e.A, "POST", "/api/v1/invoices/"+tk.Str(d.Body, "data", "id")+"/void", map[string]any{"reason": "x"}); r.Status != 422 {
		t.Fatalf("void draft: %d %s", r.Status, r.Raw)
	}
	if tk.Str(d.Body, "data", "invoiceNumber") != "INV-2024-0002" {
		t.Fatalf("second number: %s", d.Raw)
	}
}

func TestRESTInvoiceDefaultsAndBadInput(t *testing.T) {
	e := tk.New(t)
	c := createCustomerREST(t, e, e.A, map[string]any{"name": "Terms Co", "email": "t@x.co", "paymentTerms": 45})
	cid := c["id"].(string)
	r := e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": cid, "invoiceDate": "2025-03-01",
		"items": []map[string]any{{"description": "Service", "quantity": 1, "unitPrice": 100, "taxCode": "zr"}}})
	if r.Status != 201 || tk.Str(r.Body, "data", "dueDate") != "2025-04-15" || tk.Str(r.Body, "data", "invoiceNumber") != "INV-2025-0001" ||
		tk.Str(r.Body, "data", "items", 0, "taxCode") != "ZR" {
		t.Fatalf("defaults: %d %s", r.Status, r.Raw)
	}
	bItem := createItemREST(t, e, e.B)
	line := func(kv ...any) map[string]any {
		m := map[string]any{"description": "X", "quantity": 1, "unitPrice": 10}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(m, kv[i].(string))
				continue
			}
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	body := func(items ...map[string]any) map[string]any {
		return map[string]any{"customerId": cid, "invoiceDate": "2025-01-01", "items": items}
	}
	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"no items", body(), "items"},
		{"negative quantity", body(line("quantity", -1)), "items[0].quantity"},
		{"zero quantity", body(line("quantity", 0)), "items[0].quantity"},
		{"discount over 100", body(line("discountPercent", 101)), "items[0].discountPercent"},
		{"negative discount", body(line("discountPercent", -5)), "items[0].discountPercent"},
		{"unknown tax code", body(line("taxCode", "VAT20")), "items[0].taxCode"},
		{"sub-cent price", body(line("unitPrice", 1.005)), "items[0].unitPrice"},
		{"negative price", body(line("unitPrice", -1)), "items[0].unitPrice"},
		{"exponent quantity", body(line("quantity", "1e2")), "items[0].quantity"},
		{"huge exponent price", body(line("unitPrice", "9e999999")), "items[0].unitPrice"},
		{"no price no item", body(line("unitPrice", nil)), "items[0].unitPrice"},
		{"no description no item", body(line("description", nil)), "items[0].description"},
		{"missing quantity", body(line("quantity", nil)), "items[0].quantity"},
		{"foreign item", body(line("itemId", bItem)), "items[0].itemId"},
		{"second line bad", body(line(), line("taxCode", "NOPE")), "items[1].taxCode"},
		{"due before invoice", map[string]any{"customerId": cid, "invoiceDate": "2025-01-10", "dueDate": "2025-01-09", "items": []any{line()}}, "dueDate"},
		{"bad date", map[string]any{"customerId": cid, "invoiceDate": "2025-02-30", "items": []any{line()}}, "invoiceDate"},
		{"other currency", map[string]any{"customerId": cid, "currency": "USD", "items": []any{line()}}, "currency"},
		{"negative shipping", map[string]any{"customerId": cid, "shippingCost": -1, "items": []any{line()}}, "shippingCost"},
		{"zero exchange rate", map[string]any{"customerId": cid, "exchangeRate": 0, "items": []any{line()}}, "exchangeRate"},
		{"no customer", map[string]any{"items": []any{line()}}, "customerId"},
		{"unknown customer", map[string]any{"customerId": string(pulid.New("cust")), "items": []any{line()}}, "customerId"},
		{"unknown field", map[string]any{"customerId": cid, "items": []any{line()}, "total": 5}, "total"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(e.A, "POST", "/api/v1/invoices", tc.body)
			if r.Status != 400 || tk.Str(r.Body, "error", "code") != "INVALID_INVOICE_DATA" {
				t.Fatalf("status %d: %s", r.Status, r.Raw)
			}
			found := false
			for _, d := range tk.Get(r.Body, "error", "details").([]any) {
				if d.(map[string]any)["field"] == tc.field {
					found = true
				}
			}
			if !found {
				t.Fatalf("no detail for %s: %s", tc.field, r.Raw)
			}
		})
	}
	// None of that consumed a number or stored an invoice.
	list := e.Do(e.A, "GET", "/api/v1/invoices", nil)
	if tk.Get(list.Body, "pagination", "total") != float64(1) {
		t.Fatalf("bad input stored invoices: %s", list.Raw)
	}
	r = e.Do(e.A, "POST", "/api/v1/invoices", body(line()))
	if tk.Str(r.Body, "data", "invoiceNumber") != "INV-2025-0002" {
		t.Fatalf("numbers consumed by refused creations: %s", r.Raw)
	}
}

// A customer group with a percentage gives its members that default discount.
func TestGroupDiscountDefaultsLineDiscount(t *testing.T) {
	e := tk.New(t)
	g := e.Do(e.A, "POST", "/api/v1/integration/customer-groups", map[string]any{"name": "Wholesale", "price_calculation_type": "percentage", "amount": 10})
	c := createCustomerREST(t, e, e.A, map[string]any{"name": "Member", "email": "m@x.co", "groupId": tk.Str(g.Body, "data", "id")})
	r := e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": c["id"], "items": []map[string]any{
		{"description": "A", "quantity": 1, "unitPrice": 100, "taxCode": "SST"},
		{"description": "B", "quantity": 1, "unitPrice": 100, "taxCode": "SST", "discountPercent": 0},
	}})
	if r.Status != 201 || !strings.Contains(string(r.Raw), `"discountAmount":10.00`) || !strings.Contains(string(r.Raw), `"total":201.40`) {
		t.Fatalf("group discount: %d %s", r.Status, r.Raw)
	}
}

func TestInvoiceOverdueAndListFilters(t *testing.T) {
	e := tk.New(t)
	c1 := createCustomerREST(t, e, e.A, map[string]any{"name": "Late Payer", "email": "late@x.co"})
	c2 := createCustomerREST(t, e, e.A, map[string]any{"name": "Prompt Payer", "email": "prompt@x.co"})
	today := types.DateOf(time.Now().In(mustLoc(t, "Asia/Kuala_Lumpur")))
	mk := func(cid string, date, due types.Date, price string, issue bool, ref string) string {
		r := e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": cid, "invoiceDate": date.String(), "dueDate": due.String(),
			"reference": ref, "items": []map[string]any{{"description": "X", "quantity": 1, "unitPrice": price}}})
		if r.Status != 201 {
			t.Fatalf("create: %s", r.Raw)
		}
		id := tk.Str(r.Body, "data", "id")
		if issue {
			if r := e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/send", nil); r.Status != 200 {
				t.Fatalf("issue: %s", r.Raw)
			}
		}
		return id
	}
	add := func(n int) types.Date { return types.DateOf(today.Time().AddDate(0, 0, n)) }
	late := mk(c1["id"].(string), add(-40), add(-10), "500.00", true, "REF-LATE")
	mk(c1["id"].(string), add(-5), add(25), "1500.00", true, "REF-CURRENT")
	mk(c2["id"].(string), add(-40), add(-10), "50.00", false, "REF-DRAFT-PAST-DUE")
	dueToday := mk(c2["id"].(string), add(-30), add(0), "2000.00", true, "REF-DUE-TODAY")

	r := e.Do(e.A, "GET", "/api/v1/invoices/"+late, nil)
	if tk.Get(r.Body, "data", "overdue") != true || tk.Get(r.Body, "data", "overdueBy") != float64(10) {
		t.Fatalf("late invoice: %s", r.Raw)
	}
	if r := e.Do(e.A, "GET", "/api/v1/invoices/"+dueToday, nil); tk.Get(r.Body, "data", "overdue") != false {
		t.Fatalf("an invoice due today is not overdue yet: %s", r.Raw)
	}
	refs := func(q string) []string {
		r := e.Do(e.A, "GET", "/api/v1/invoices?"+q, nil)
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", q, r.Status, r.Raw)
		}
		var out []string
		for _, d := range r.Body["data"].([]any) {
			out = append(out, d.(map[string]any)["reference"].(string))
		}
		sort.Strings(out)
		return out
	}
	cases := map[string]string{
		"overdue=true":              "REF-LATE",
		"status=overdue":            "REF-LATE",
		"overdue=false&status=sent": "REF-CURRENT,REF-DUE-TODAY",
		"status=draft":              "REF-DRAFT-PAST-DUE",
		"status=sent,draft&customerId=" + c2["id"].(string): "REF-DRAFT-PAST-DUE,REF-DUE-TODAY",
		"paymentStatus=unpaid&totalMin=1000":                "REF-CURRENT,REF-DUE-TODAY",
		"totalMax=500":                                      "REF-DRAFT-PAST-DUE,REF-LATE",
		"invoiceDateFrom=" + add(-6).String():               "REF-CURRENT",
		"dueDateTo=" + add(0).String():                      "REF-DRAFT-PAST-DUE,REF-DUE-TODAY,REF-LATE",
		"search=ref-late":                                   "REF-LATE",
		"search=INV-":                                       "REF-CURRENT,REF-DRAFT-PAST-DUE,REF-DUE-TODAY,REF-LATE",
		"status=cancelled":                                  "",
		"total[gte]=1500&sort=total:desc":                   "REF-CURRENT,REF-DUE-TODAY",
	}
	for q, want := range cases {
		if got := strings.Join(refs(q), ","); got != want {
			t.Errorf("%s: got %s want %s", q, got, want)
		}
	}
	for _, bad := range []string{"overdue=maybe", "status=unknown", "invoiceDateFrom=01/02/2024", "paymentStatus=some"} {
		if r := e.Do(e.A, "GET", "/api/v1/invoices?"+bad, nil); r.Status != 400 {
			t.Errorf("%s: %d %s", bad, r.Status, r.Raw)
		}
	}
	d := e.MustGQL(e.A, `{ invoices(overdue: true) { totalCount edges { node { reference overdue overdueBy } } } }`, nil)
	if tk.Get(d, "invoices", "totalCount") != float64(1) || tk.Get(d, "invoices", "edges", 0, "node", "overdueBy") != float64(10) {
		t.Fatalf("GraphQL overdue: %v", d)
	}
}

func mustLoc(t *testing.T, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestGraphQLInvoiceFlowAndSeed004Query(t *testing.T) {
	e := tk.New(t)
	c := gqlCreateCustomer(t, e, e.A, map[string]any{"name": "Acme", "email": "billing@acme.com"})
	item := e.MustGQL(e.A, `mutation { createItem(input: {code: "WDG-001", name: "Premium Widget", unitPrice: "25.00"}) { id code unitPrice } }`, nil)["createItem"].(map[string]any)
	inv := e.MustGQL(e.A, `mutation($in: CreateInvoiceInput!) { createInvoice(input: $in) { id number invoiceNumber date status total subtotal totalTax amountDue
		items { itemCode description quantity unitPrice discountPercent discountAmount lineTotal taxCode taxRate taxAmount } customer { name } } }`,
		map[string]any{"in": map[string]any{"customerId": c["id"], "invoiceDate": "2024-01-15", "dueDate": "2024-02-14", "shippingCost": "50.00",
			"items": []map[string]any{{"itemId": item["id"], "quantity": 100, "discountPercent": "5", "taxCode": "SST"}}}})["createInvoice"].(map[string]any)
	if inv["number"] != "INV-2024-0001" || inv["total"] != "2567.50" || inv["amountDue"] != "2567.50" || inv["date"] != "2024-01-15" ||
		tk.Str(inv, "items", 0, "lineTotal") != "2375.00" || tk.Str(inv, "items", 0, "taxRate") != "6" || tk.Str(inv, "items", 0, "quantity") != "100" {
		t.Fatalf("createInvoice: %v", inv)
	}
	id := inv["id"]
	up := e.MustGQL(e.A, `mutation($id: ID!) { updateInvoice(id: $id, input: {shippingCost: "0"}) { total } }`, map[string]any{"id": id})
	if tk.Str(up, "updateInvoice", "total") != "2517.50" {
		t.Fatalf("updateInvoice: %v", up)
	}
	s := e.MustGQL(e.A, `mutation($id: ID!) { sendInvoice(id: $id, input: {to: ["billing@acme.com"], sendReminders: true}) { status sendReminders lastSend } }`, map[string]any{"id": id})
	if tk.Str(s, "sendInvoice", "status") != "sent" || tk.Get(s, "sendInvoice", "lastSend", "to", 0) != "billing@acme.com" {
		t.Fatalf("sendInvoice: %v", s)
	}
	// The seed 004 example query.
	q := e.MustGQL(e.A, `query($id: ID!) { customer(id: $id) { invoices(first: 10) { edges { node { id number date dueDate total amountDue status } } pageInfo { hasNextPage endCursor } } } }`,
		map[string]any{"id": c["id"]})
	if tk.Str(q, "customer", "invoices", "edges", 0, "node", "number") != "INV-2024-0001" || tk.Str(q, "customer", "invoices", "edges", 0, "node", "status") != "sent" {
		t.Fatalf("seed 004 query: %v", q)
	}
	if r := e.GQL(e.A, `mutation($id: ID!) { updateInvoice(id: $id, input: {notes: "x"}) { id } }`, map[string]any{"id": id}); len(r.Errors) == 0 || r.Errors[0].Code() != "INVALID_STATE" {
		t.Fatalf("update issued: %s", r.Raw)
	}
	v := e.MustGQL(e.A, `mutation($id: ID!) { voidInvoice(id: $id, reason: "Duplicate") { status voidReason amountDue } }`, map[string]any{"id": id})
	if tk.Str(v, "voidInvoice", "status") != "void" || tk.Str(v, "voidInvoice", "amountDue") != "0.00" {
		t.Fatalf("voidInvoice: %v", v)
	}
	r := e.GQL(e.A, `mutation($in: CreateInvoiceInput!) { createInvoice(input: $in) { id } }`, map[string]any{"in": map[string]any{"customerId": c["id"],
		"items": []map[string]any{{"description": "x", "quantity": "1", "unitPrice": "1", "taxCode": "BAD"}}}})
	if len(r.Errors) == 0 || r.Errors[0].Code() != "INVALID_INVOICE_DATA" || !strings.Contains(string(r.Raw), `"field":"items[0].taxCode"`) {
		t.Fatalf("bad tax code: %s", r.Raw)
	}
	d := e.MustGQL(e.A, `{ taxCodes(orderBy: {field: CODE}) { edges { node { code rate } } } items { totalCount } }`, nil)
	if tk.Str(d, "taxCodes", "edges", 0, "node", "code") != "SST" || tk.Str(d, "taxCodes", "edges", 1, "node", "rate") != "10" || tk.Get(d, "items", "totalCount") != float64(1) {
		t.Fatalf("taxCodes/items: %v", d)
	}
}

// 50 concurrent invoice creations in each of two companies: gapless,
// duplicate-free numbers per company.
func TestConcurrentInvoiceNumbers(t *testing.T) {
	e := tk.New(t)
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	custs := map[string]*ent.Customer{}
	for _, tn := range []tk.Tenant{e.A, e.B} {
		custs[tn.CompanyID] = e.SeedCustomers(tn, 1, 0, 0)[0]
	}
	one := func(i int) []sales.LineInput {
		price, desc := decimalOf("10.00"), fmt.Sprintf("Line %d", i)
		return []sales.LineInput{{Description: &desc, Quantity: decimalOf("1"), UnitPrice: &price}}
	}
	for _, tn := range []tk.Tenant{e.A, e.B} {
		ctx := e.Ctx(tn)
		cu := custs[tn.CompanyID]
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				date := types.Date{Year: 2024, Month: 3, Day: 1}
				_, err := sales.CreateInvoice(ctx, sales.InvoiceInput{CustomerID: cu.ID, InvoiceDate: &date, Items: one(i)})
				errs <- err
			}(i)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, tn := range []tk.Tenant{e.A, e.B} {
		ctx := e.Ctx(tn)
		var nums []string
		for _, inv := range store.Client(ctx).Invoice.Query().AllX(ctx) {
			nums = append(nums, inv.InvoiceNumber)
		}
		sort.Strings(nums)
		if len(nums) != n {
			t.Fatalf("%s: %d invoices", tn.Name, len(nums))
		}
		for i, num := range nums {
			if want := fmt.Sprintf("INV-2024-%04d", i+1); num != want {
				t.Fatalf("%s: got %v", tn.Name, nums)
			}
		}
	}
	// A rolled-back creation gives its number back.
	ctx := e.Ctx(e.A)
	tx, err := e.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	date := types.Date{Year: 2024, Month: 3, Day: 2}
	inv, err := sales.CreateInvoice(ent.NewTxContext(ctx, tx), sales.InvoiceInput{CustomerID: custs[e.A.CompanyID].ID, InvoiceDate: &date, Items: one(0)})
	if err != nil || inv.InvoiceNumber != "INV-2024-0051" {
		t.Fatalf("in tx: %v %v", inv, err)
	}
	_ = tx.Rollback()
	inv, err = sales.CreateInvoice(ctx, sales.InvoiceInput{CustomerID: custs[e.A.CompanyID].ID, InvoiceDate: &date, Items: one(0)})
	if err != nil || inv.InvoiceNumber != "INV-2024-0051" {
		t.Fatalf("after rollback: %v %v", inv, err)
	}
}

// Concurrent sends of one draft count the sale once; concurrent voids of
// one invoice void it once.
func TestConcurrentIssueAndVoid(t *testing.T) {
	e := tk.New(t)
	ctx := e.Ctx(e.A)
	cu := e.SeedCustomers(e.A, 1, 0, 0)[0]
	price, desc := decimalOf("100.00"), "Thing"
	inv, err := sales.CreateInvoice(ctx, sales.InvoiceInput{CustomerID: cu.ID, Items: []sales.LineInput{{Description: &desc, Quantity: decimalOf("1"), UnitPrice: &price}}})
	if err != nil {
		t.Fatal(err)
	}
	run := func(n int, fn func() error) (ok int) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if fn() == nil {
					mu.Lock()
					ok++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		return ok
	}
	run(10, func() error { _, err := sales.IssueInvoice(ctx, inv.ID, ""); return err })
	got := store.Client(ctx).Customer.GetX(ctx, cu.ID)
	if !got.TotalSales.Equal(decimalOf("100")) {
		t.Fatalf("totalSales after 10 concurrent issues: %s", got.TotalSales)
	}
	if ok := run(10, func() error { _, err := sales.VoidInvoice(ctx, inv.ID, "dup", ""); return err }); ok != 1 {
		t.Fatalf("%d voids succeeded", ok)
	}
	got = store.Client(ctx).Customer.GetX(ctx, cu.ID)
	if !got.TotalSales.IsZero() {
		t.Fatalf("totalSales after void: %s", got.TotalSales)
	}
}

func TestInvoiceCrossTenant(t *testing.T) {
	e := tk.New(t)
	bc := createCustomerREST(t, e, e.B, map[string]any{"name": "B Cust", "email": "b@b.co"})
	bItem := createItemREST(t, e, e.B)
	bi := e.Do(e.B, "POST", "/api/v1/invoices", map[string]any{"customerId": bc["id"], "items": []map[string]any{{"itemId": bItem, "quantity": 1}}})
	bInv := tk.Str(bi.Body, "data", "id")
	missing := string(pulid.New("inv"))
	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/v1/invoices/%s", nil},
		{"PUT", "/api/v1/invoices/%s", map[string]any{"notes": "x"}},
		{"POST", "/api/v1/invoices/%s/send", map[string]any{}},
		{"POST", "/api/v1/invoices/%s/void", map[string]any{"reason": "x"}},
	} {
		got := e.Do(e.A, tc.method, sprintf(tc.path, bInv), tc.body)
		want := e.Do(e.A, tc.method, sprintf(tc.path, missing), tc.body)
		if got.Status != 404 || got.Status != want.Status || tk.Str(got.Body, "error", "code") != tk.Str(want.Body, "error", "code") {
			t.Errorf("%s %s: %d %s vs %d %s", tc.method, tc.path, got.Status, got.Raw, want.Status, want.Raw)
		}
	}
	// A's invoice cannot reference B's customer or item.
	ac := createCustomerREST(t, e, e.A, map[string]any{"name": "A Cust", "email": "a@a.co"})
	if r := e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": bc["id"], "items": []map[string]any{{"description": "x", "quantity": 1, "unitPrice": 1}}}); r.Status != 400 || tk.Str(r.Body, "error", "details", 0, "field") != "customerId" {
		t.Errorf("B's customer: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": ac["id"], "items": []map[string]any{{"itemId": bItem, "quantity": 1}}}); r.Status != 400 || tk.Str(r.Body, "error", "details", 0, "field") != "items[0].itemId" {
		t.Errorf("B's item: %d %s", r.Status, r.Raw)
	}
	for _, q := range []string{
		`query($id: ID!) { invoice(id: $id) { id } }`,
		`query($id: ID!) { node(id: $id) { id } }`,
		`mutation($id: ID!) { issueInvoice(id: $id) { id } }`,
		`mutation($id: ID!) { voidInvoice(id: $id, reason: "x") { id } }`,
	} {
		got, want := e.GQL(e.A, q, map[string]any{"id": bInv}), e.GQL(e.A, q, map[string]any{"id": missing})
		if len(got.Errors) == 0 || got.Errors[0].Code() != want.Errors[0].Code() {
			t.Errorf("%s: %s vs %s", q, got.Raw, want.Raw)
		}
	}
	if r := e.Do(e.A, "GET", "/api/v1/invoices", nil); tk.Get(r.Body, "pagination", "total") != float64(0) {
		t.Errorf("A sees B's invoices: %s", r.Raw)
	}
	if r := e.Do(e.B, "GET", "/api/v1/invoices/"+bInv, nil); tk.Str(r.Body, "data", "status") != "draft" || tk.Get(r.Body, "data", "notes") != nil {
		t.Errorf("B's invoice changed: %s", r.Raw)
	}
	// A key without invoice scope reads neither invoices nor customer.invoices.
	ro := e.NewTenant("Company A", "customers:read")
	if r := e.Do(ro, "GET", "/api/v1/invoices", nil); r.Status != 403 {
		t.Errorf("invoices without scope: %d", r.Status)
	}
	g := e.GQL(ro, `query($id: ID!) { customer(id: $id) { name invoices { totalCount } } }`, map[string]any{"id": ac["id"]})
	if len(g.Errors) == 0 || g.Errors[0].Code() != "PERMISSION_DENIED" {
		t.Errorf("customer.invoices without scope: %s", g.Raw)
	}
}

func TestInvoiceListStatementCountIsFixed(t *testing.T) {
	e := tk.New(t)
	ctx := e.Ctx(e.A)
	custs := e.SeedCustomers(e.A, 5, 0, 0)
	for i := 0; i < 60; i++ {
		p1, p2, d1, d2 := decimalOf("10.00"), decimalOf("2.50"), "A", "B"
		tax := "SST"
		if _, err := sales.CreateInvoice(ctx, sales.InvoiceInput{CustomerID: custs[i%5].ID, Items: []sales.LineInput{
			{Description: &d1, Quantity: decimalOf("1"), UnitPrice: &p1, TaxCode: &tax}, {Description: &d2, Quantity: decimalOf("3"), UnitPrice: &p2},
		}}); err != nil {
			t.Fatal(err)
		}
	}
	const q = `query($n: Int) { invoices(first: $n) { totalCount edges { node { id number total overdue customer { name } items { description lineTotal } } } } }`
	e.MustGQL(e.A, q, map[string]any{"n": 1})
	// The fewer of two runs: a run may also pay for a cache refill (the
	// API key's, every 2 s), which is not the list's cost.
	count := func(n int, fn func()) int64 { return min(e.CountQueries(fn), e.CountQueries(fn)) }
	g10 := count(10, func() { e.MustGQL(e.A, q, map[string]any{"n": 10}) })
	g50 := count(50, func() {
		d := e.MustGQL(e.A, q, map[string]any{"n": 50})
		if len(tk.Get(d, "invoices", "edges").([]any)) != 50 || len(tk.Get(d, "invoices", "edges", 49, "node", "items").([]any)) != 2 {
			t.Fatalf("page: %v", d)
		}
	})
	r10 := count(10, func() { e.Do(e.A, "GET", "/api/v1/invoices?limit=10", nil) })
	r50 := count(50, func() {
		r := e.Do(e.A, "GET", "/api/v1/invoices?limit=50", nil)
		if len(r.Body["data"].([]any)) != 50 || tk.Str(r.Body, "data", 49, "customer", "name") == "" || len(tk.Get(r.Body, "data", 49, "items").([]any)) != 2 {
			t.Fatalf("REST page: %s", r.Raw)
		}
	})
	if g10 != g50 || r10 != r50 || g50 > 6 || r50 > 6 {
		t.Fatalf("statements: GraphQL %d/%d, REST %d/%d (10/50 rows)", g10, g50, r10, r50)
	}
	t.Logf("statements per 50-invoice page: GraphQL %d, REST %d", g50, r50)
}
