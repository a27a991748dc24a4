package server_test

import (
	"net/url"
	"strings"
	"testing"

	tk "github.com/bigledger/bigledger/internal/testkit"
)

// Seed 000 ("Sales & CRM APIs"), every example request in the document's
// order, against the real server at the document's own base URL (/v1) and
// at /api/v1: the bodies exactly as printed (the example ids item_widget001,
// item_service001, soi_111, acc_bank_main and cust_123456789 replaced by the
// ids the server gave), each documented object's fields checked, every
// documented query parameter of the three lists, the analytics, and the
// three error examples with their codes, messages and details. The
// complete sales process is TestSeed000CompleteSalesProcessVerbatim; the
// dashboard's month-end dates are also pinned by TestMonthEndRangeBounds.
func TestSeed000Verbatim(t *testing.T) {
	e := tk.New(t)
	setClock(t, "2024-01-10 09:00")
	v1 := func(p string) string { return "/v1" + p }

	// Items the examples name (item_widget001 "WDG-001", item_service001).
	widget := tk.Str(must(t, e.Do(e.A, "POST", "/api/v1/items", map[string]any{"code": "WDG-001", "name": "Premium Widget", "unitPrice": 25, "taxCode": "SST"}), 201, "widget"), "id")
	service := tk.Str(must(t, e.Do(e.A, "POST", "/api/v1/items", map[string]any{"code": "SVC-001", "name": "Installation Service", "type": "service", "unitPrice": 500}), 201, "service"), "id")

	// Create Customer: the Request Body as printed.
	full := e.Do(e.A, "POST", v1("/customers"), map[string]any{
		"name": "New Customer Ltd", "type": "business", "email": "contact@newcustomer.com", "phone": "+60123456789",
		"website": "https://newcustomer.com", "taxNumber": "987654321098",
		"address":  map[string]any{"street": "789 Business Ave", "city": "Petaling Jaya", "state": "Selangor", "postalCode": "46000", "country": "MY"},
		"currency": "MYR", "paymentTerms": 30, "creditLimit": 25000.00, "tags": []string{"new", "small-business"},
		"customFields": map[string]any{"industry": "Manufacturing", "referralSource": "Website"}})
	c := must(t, full, 201, "create customer (request body)")
	keysOf(t, "Customer Object", c, "id", "customerNumber", "name", "type", "email", "phone", "website", "taxNumber", "address",
		"billingAddress", "shippingAddress", "currency", "paymentTerms", "creditLimit", "currentBalance", "totalSales", "lastSaleDate",
		"status", "tags", "customFields", "contacts", "createdAt", "updatedAt")
	keysOf(t, "address", c["address"], "street", "city", "state", "postalCode", "country")
	if tk.Str(c, "customerNumber") != "CUST-0001" || tk.Str(c, "status") != "active" || tk.Str(c, "address", "city") != "Petaling Jaya" ||
		tk.Str(c, "customFields", "referralSource") != "Website" || tk.Str(c, "tags", 1) != "small-business" || !strings.HasPrefix(tk.Str(c, "id"), "cust_") ||
		!strings.Contains(string(full.Raw), `"creditLimit":25000.00`) || !strings.Contains(string(full.Raw), `"currentBalance":0.00`) {
		t.Fatalf("created customer: %s", full.Raw)
	}
	newCust := tk.Str(c, "id")
	// Create Customer: the curl example's body.
	curl := must(t, e.Do(e.A, "POST", v1("/customers"), map[string]any{
		"name": "New Customer Ltd", "email": "contact@newcustomer.com", "phone": "+60123456789", "type": "business", "paymentTerms": 30}), 201, "create customer (curl)")
	if tk.Str(curl, "customerNumber") != "CUST-0002" || tk.Get(curl, "paymentTerms") != 30.0 {
		t.Fatalf("curl customer: %v", curl)
	}
	// Required fields: name, and email or phone.
	if r := e.Do(e.A, "POST", v1("/customers"), map[string]any{"type": "business"}); r.Status != 400 || tk.Str(r.Body, "error", "code") != "INVALID_CUSTOMER_DATA" {
		t.Fatalf("no name: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(e.A, "POST", v1("/customers"), map[string]any{"name": "Nobody"}); r.Status != 400 || !strings.Contains(string(r.Raw), `"field":"email"`) {
		t.Fatalf("no contact method: %d %s", r.Status, r.Raw)
	}

	// The customer the rest of the document works with: Acme Corporation.
	acme := tk.Str(must(t, e.Do(e.A, "POST", v1("/customers"), map[string]any{
		"name": "Acme Corporation", "type": "business", "email": "billing@acme.com", "phone": "+60123456789", "creditLimit": 50000.00,
		"tags": []string{"enterprise", "retail"}, "currency": "MYR",
		"address":         map[string]any{"street": "123 Main Street", "street2": "Suite 100", "city": "Kuala Lumpur", "state": "Selangor", "postalCode": "50000", "country": "MY"},
		"shippingAddress": map[string]any{"street": "456 Warehouse Road", "city": "Shah Alam", "state": "Selangor", "postalCode": "40000", "country": "MY"}}), 201, "acme"), "id")

	// Get Customer.
	g := must(t, e.Do(e.A, "GET", v1("/customers/"+acme), nil), 200, "get customer")
	if tk.Str(g, "name") != "Acme Corporation" || tk.Str(g, "shippingAddress", "city") != "Shah Alam" || tk.Str(g, "address", "street2") != "Suite 100" {
		t.Fatalf("get customer: %v", g)
	}
	// Update Customer: the Request Body as printed.
	u := e.Do(e.A, "PUT", v1("/customers/"+acme), map[string]any{
		"email": "newemail@acme.com", "phone": "+60987654321", "creditLimit": 75000.00, "status": "active", "tags": []string{"enterprise", "priority"}})
	if must(t, u, 200, "update customer"); tk.Str(u.Body, "data", "email") != "newemail@acme.com" || tk.Str(u.Body, "data", "tags", 1) != "priority" ||
		!strings.Contains(string(u.Raw), `"creditLimit":75000.00`) || tk.Str(u.Body, "data", "name") != "Acme Corporation" {
		t.Fatalf("update: %s", u.Raw)
	}

	// Contacts API: Create Contact (the body as printed), List Contacts.
	ct := must(t, e.Do(e.A, "POST", v1("/customers/"+acme+"/contacts"), map[string]any{
		"name": "Sarah Johnson", "email": "sarah@acme.com", "phone": "+60123456786", "title": "Finance Director", "isPrimary": false}), 201, "create contact")
	keysOf(t, "Contact Object", ct, "id", "customerId", "name", "email", "phone", "mobile", "title", "department", "isPrimary", "isActive", "notes", "createdAt", "updatedAt")
	if tk.Str(ct, "customerId") != acme || tk.Get(ct, "isActive") != true || tk.Str(ct, "title") != "Finance Director" {
		t.Fatalf("contact: %v", ct)
	}
	cl := e.Do(e.A, "GET", v1("/customers/"+acme+"/contacts"), nil)
	if cl.Status != 200 || len(cl.Body["data"].([]any)) != 1 || tk.Str(cl.Body, "data", 0, "name") != "Sarah Johnson" {
		t.Fatalf("list contacts: %d %s", cl.Status, cl.Raw)
	}
	if g := must(t, e.Do(e.A, "GET", v1("/customers/"+acme), nil), 200, "customer with contacts"); tk.Str(g, "contacts", 0, "name") != "Sarah Johnson" {
		t.Fatalf("customer's contacts: %v", g["contacts"])
	}

	// Quotes API: Create Quote (the body as printed).
	qr := e.Do(e.A, "POST", v1("/quotes"), map[string]any{
		"customerId": acme, "quoteDate": "2024-01-10", "validUntil": "2024-02-10", "title": "Q1 2024 Widget Supply", "reference": "RFQ-2024-001",
		"items": []any{map[string]any{"itemId": widget, "quantity": 1000, "unitPrice": 22.50, "discountPercent": 10.0, "taxCode": "SST"}}})
	q := must(t, qr, 201, "create quote")
	keysOf(t, "Quote Object", q, "id", "quoteNumber", "customerId", "customer", "quoteDate", "validUntil", "status", "currency", "reference", "title",
		"description", "terms", "items", "subtotal", "totalDiscount", "totalTax", "total", "acceptedAt", "acceptedBy", "convertedToOrderAt",
		"salesOrderId", "attachments", "createdAt", "updatedAt")
	keysOf(t, "quote item", tk.Get(q, "items", 0), "id", "itemId", "description", "quantity", "unitPrice", "discountPercent", "discountAmount",
		"lineTotal", "taxCode", "taxRate", "taxAmount")
	// The Quote Object's own figures: 1000 × 22.50 less 10 % = 20,250.00, SST 6 % = 1,215.00.
	for _, want := range []string{`"quoteNumber":"QT-2024-0001"`, `"discountAmount":2250.00`, `"lineTotal":20250.00`, `"taxAmount":1215.00`,
		`"subtotal":20250.00`, `"totalDiscount":2250.00`, `"totalTax":1215.00`, `"total":21465.00`, `"acceptedAt":null`, `"salesOrderId":null`} {
		if !strings.Contains(string(qr.Raw), want) {
			t.Errorf("quote lacks %s: %s", want, qr.Raw)
		}
	}
	if tk.Get(q, "items", 0, "taxRate") != 6.0 || tk.Str(q, "customer", "name") != "Acme Corporation" || tk.Str(q, "status") != "draft" || !strings.HasPrefix(tk.Str(q, "id"), "quote_") {
		t.Fatalf("quote: %v", q)
	}
	quote := tk.Str(q, "id")
	// List Quotes.
	if ids := listIDs(t, e, e.A, v1("/quotes")); !sameIDs(ids, quote) {
		t.Fatalf("list quotes: %v", ids)
	}
	// Send Quote (the body as printed), Accept Quote, Convert Quote to Sales Order.
	sq := must(t, e.Do(e.A, "POST", v1("/quotes/"+quote+"/send"), map[string]any{
		"to": []string{"billing@acme.com"}, "cc": []string{"manager@acme.com"}, "subject": "Quote QT-2024-0001 - Q1 2024 Widget Supply",
		"message": "Please find attached our quote for your widget requirements.", "attachPDF": true}), 200, "send quote")
	if tk.Str(sq, "status") != "sent" {
		t.Fatalf("sent quote: %v", sq)
	}
	if a := must(t, e.Do(e.A, "POST", v1("/quotes/"+quote+"/accept"), nil), 200, "accept quote"); tk.Str(a, "status") != "accepted" || a["acceptedAt"] == nil {
		t.Fatalf("accepted quote: %v", a)
	}
	conv := must(t, e.Do(e.A, "POST", v1("/quotes/"+quote+"/convert-to-order"), nil), 201, "convert quote")
	if tk.Str(conv, "status") != "confirmed" || tk.Str(conv, "quoteId") != quote || tk.Get(conv, "total") != 21465.0 {
		t.Fatalf("converted order: %v", conv)
	}
	if q := must(t, e.Do(e.A, "GET", v1("/quotes/"+quote), nil), 200, "quote after"); tk.Str(q, "salesOrderId") != tk.Str(conv, "id") || q["convertedToOrderAt"] == nil {
		t.Fatalf("quote after conversion: %v", q)
	}

	// Sales Orders API: Create Sales Order (the body as printed).
	setClock(t, "2024-01-15 10:30")
	sor := e.Do(e.A, "POST", v1("/sales-orders"), map[string]any{
		"customerId": acme, "orderDate": "2024-01-15", "requiredDate": "2024-02-15", "reference": "PO-XYZ-456", "notes": "Standard delivery",
		"items": []any{
			map[string]any{"itemId": widget, "quantity": 50, "unitPrice": 25.00, "discountPercent": 0, "taxCode": "SST"},
			map[string]any{"itemId": service, "description": "Installation Service", "quantity": 1, "unitPrice": 500.00, "taxCode": "SST"}},
		"shippingCost": 75.00})
	so := must(t, sor, 201, "create sales order")
	keysOf(t, "Sales Order Object", so, "id", "orderNumber", "customerId", "customer", "orderDate", "requiredDate", "promisedDate", "status",
		"priority", "currency", "exchangeRate", "reference", "notes", "terms", "billingAddress", "shippingAddress", "items", "subtotal",
		"totalDiscount", "totalTax", "shippingCost", "total", "fulfillment", "attachments", "createdBy", "createdAt", "updatedAt")
	keysOf(t, "sales order item", tk.Get(so, "items", 0), "id", "itemId", "itemCode", "description", "quantity", "unitPrice", "discountPercent",
		"discountAmount", "lineTotal", "taxCode", "taxRate", "taxAmount", "notes")
	keysOf(t, "fulfillment", so["fulfillment"], "status", "shippedQuantity", "remainingQuantity", "shippingMethod", "trackingNumber", "estimatedDelivery")
	// 50 × 25 + 500 = 1,750.00; SST 6 % = 105.00; shipping 75.00; total 1,930.00.
	for _, want := range []string{`"orderNumber":"SO-2024-0002"`, `"subtotal":1750.00`, `"totalTax":105.00`, `"shippingCost":75.00`, `"total":1930.00`,
		`"itemCode":"WDG-001"`, `"status":"draft"`, `"priority":"normal"`} {
		if !strings.Contains(string(sor.Raw), want) {
			t.Errorf("sales order lacks %s: %s", want, sor.Raw)
		}
	}
	if tk.Str(so, "shippingAddress", "city") != "Shah Alam" || tk.Str(so, "billingAddress", "city") != "Kuala Lumpur" || tk.Str(so, "customer", "email") != "newemail@acme.com" {
		t.Fatalf("order addresses/customer: %v", so)
	}
	order := tk.Str(so, "id")
	// Update Sales Order Status (the body as printed).
	st := must(t, e.Do(e.A, "PATCH", v1("/sales-orders/"+order+"/status"), map[string]any{"status": "confirmed", "notes": "Order confirmed by customer"}), 200, "confirm order")
	if tk.Str(st, "status") != "confirmed" {
		t.Fatalf("status: %v", st)
	}
	// List Sales Orders: the example request.
	if ids := listIDs(t, e, e.A, v1("/sales-orders?status=confirmed&orderDateFrom=2024-01-01")); len(ids) != 2 {
		t.Fatalf("confirmed orders: %v", ids)
	}
	// Every documented list parameter.
	for q, want := range map[string]int{
		"customerId=" + acme: 2, "customerId=" + newCust: 0, "status=draft": 0, "priority=normal": 2, "priority=urgent": 0,
		"orderDateFrom=2024-01-12&orderDateTo=2024-01-31": 1, "orderDateTo=2024-01-11": 1, "requiredDateFrom=2024-02-01&requiredDateTo=2024-02-28": 1,
		"search=PO-XYZ": 1, "search=acme": 2, "search=SO-2024-0001": 1, "sort=orderDate&order=desc&limit=1": 1,
	} {
		if ids := listIDs(t, e, e.A, v1("/sales-orders?"+q)); len(ids) != want {
			t.Errorf("sales orders ?%s: %d, want %d", q, len(ids), want)
		}
	}
	if ids := listIDs(t, e, e.A, v1("/sales-orders?sort=orderDate&order=desc")); !sameIDs(ids, order, tk.Str(conv, "id")) {
		t.Errorf("orders by date desc: %v", ids)
	}

	// Convert Sales Order to Invoice (the body as printed; soi_111 is the order's widget line).
	line := tk.Str(so, "items", 0, "id")
	part := must(t, e.Do(e.A, "POST", v1("/sales-orders/"+order+"/convert-to-invoice"), map[string]any{
		"invoiceDate": "2024-01-16", "dueDate": "2024-02-15", "partialItems": []any{map[string]any{"itemId": line, "quantity": 25}}}), 201, "convert to invoice")
	if tk.Str(part, "invoiceDate") != "2024-01-16" || tk.Str(part, "dueDate") != "2024-02-15" || len(part["items"].([]any)) != 1 ||
		tk.Get(part, "items", 0, "quantity") != 25.0 || tk.Str(part, "salesOrderId") != order {
		t.Fatalf("partial invoice: %v", part)
	}
	if o := must(t, e.Do(e.A, "GET", v1("/sales-orders/"+order), nil), 200, "order after partial"); tk.Str(o, "invoices", 0, "id") != tk.Str(part, "id") {
		t.Fatalf("order's invoices: %v", o["invoices"])
	}

	// Invoices API: Create Invoice (the body as printed).
	ir := e.Do(e.A, "POST", v1("/invoices"), map[string]any{
		"customerId": acme, "invoiceDate": "2024-01-15", "dueDate": "2024-02-14", "reference": "SO-2024-0001", "purchaseOrder": "PO-ABC-123",
		"items": []any{map[string]any{"itemId": widget, "quantity": 100, "unitPrice": 25.00, "discountPercent": 5.0, "taxCode": "SST"}},
		"notes": "Thank you for your business!", "terms": "Payment due within 30 days"})
	inv := must(t, ir, 201, "create invoice")
	keysOf(t, "Invoice Object", inv, "id", "invoiceNumber", "customerId", "customer", "invoiceDate", "dueDate", "status", "currency", "exchangeRate",
		"reference", "purchaseOrder", "notes", "terms", "items", "subtotal", "totalDiscount", "totalTax", "shippingCost", "total", "amountPaid",
		"amountDue", "paymentStatus", "lastPaymentDate", "overdueBy", "billingAddress", "attachments", "einvoice", "createdAt", "updatedAt")
	keysOf(t, "invoice item", tk.Get(inv, "items", 0), "id", "itemId", "itemCode", "description", "quantity", "unitPrice", "discountPercent",
		"discountAmount", "lineTotal", "taxCode", "taxRate", "taxAmount")
	keysOf(t, "einvoice", inv["einvoice"], "status", "submittedAt", "acceptedAt", "uuid", "validationHash")
	// The Invoice Object's own figures (its 50.00 shipping aside): 100 × 25 less 5 % = 2,375.00, SST 142.50.
	for _, want := range []string{`"discountAmount":125.00`, `"lineTotal":2375.00`, `"taxAmount":142.50`, `"subtotal":2375.00`, `"totalDiscount":125.00`,
		`"totalTax":142.50`, `"total":2517.50`, `"amountPaid":0.00`, `"amountDue":2517.50`, `"paymentStatus":"unpaid"`, `"lastPaymentDate":null`,
		`"overdueBy":0`, `"itemCode":"WDG-001"`, `"purchaseOrder":"PO-ABC-123"`, `"status":"pending"`} {
		if !strings.Contains(string(ir.Raw), want) {
			t.Errorf("invoice lacks %s: %s", want, ir.Raw)
		}
	}
	if tk.Str(inv, "billingAddress", "street") != "123 Main Street" || tk.Str(inv, "status") != "draft" || tk.Get(inv, "exchangeRate") != 1.0 {
		t.Fatalf("invoice: %v", inv)
	}
	invoice := tk.Str(inv, "id")
	// Send Invoice (the body as printed).
	si := must(t, e.Do(e.A, "POST", v1("/invoices/"+invoice+"/send"), map[string]any{
		"to": []string{"billing@acme.com"}, "cc": []string{"accounts@acme.com"}, "subject": "Invoice " + tk.Str(inv, "invoiceNumber"),
		"message": "Please find attached your invoice.", "attachPDF": true, "sendReminders": true}), 200, "send invoice")
	if tk.Str(si, "status") != "sent" {
		t.Fatalf("sent invoice: %v", si)
	}
	// Record Payment (the body as printed, acc_bank_main being the bank account), half of it first.
	setClock(t, "2024-01-20 11:00")
	bank := accountIDByCode(t, e, e.A, "1010")
	pr := e.Do(e.A, "POST", v1("/invoices/"+invoice+"/payments"), map[string]any{
		"amount": 1000.00, "paymentDate": "2024-01-20", "paymentMethod": "bank_transfer", "reference": "TXN-20240120-001",
		"notes": "Online banking transfer", "accountId": bank})
	pay := must(t, pr, 201, "record payment")
	if tk.Str(pay, "invoice", "paymentStatus") != "partial" || !strings.Contains(string(pr.Raw), `"amount":1000.00`) || tk.Str(pay, "paymentMethod") != "bank_transfer" {
		t.Fatalf("payment: %s", pr.Raw)
	}
	if l := e.Do(e.A, "GET", v1("/invoices/"+invoice+"/payments"), nil); l.Status != 200 || tk.Str(l.Body, "data", 0, "reference") != "TXN-20240120-001" ||
		tk.Str(l.Body, "data", 0, "allocations", 0, "invoiceId") != invoice {
		t.Fatalf("invoice's payments: %d %s", l.Status, l.Raw)
	}
	// A second, overdue invoice and a cancelled one for the list filters.
	setClock(t, "2024-03-01 09:00")
	late := tk.Str(must(t, e.Do(e.A, "POST", v1("/invoices"), map[string]any{"customerId": newCust, "invoiceDate": "2024-01-05", "dueDate": "2024-02-04", "reference": "LATE-1",
		"items": []any{map[string]any{"description": "Consulting", "quantity": 2, "unitPrice": 400.00}}}), 201, "late invoice"), "id")
	must(t, e.Do(e.A, "POST", v1("/invoices/"+late+"/send"), map[string]any{}), 200, "send late")
	gone := tk.Str(must(t, e.Do(e.A, "POST", v1("/invoices"), map[string]any{"customerId": newCust, "invoiceDate": "2024-02-10", "dueDate": "2024-03-10",
		"items": []any{map[string]any{"description": "Mistake", "quantity": 1, "unitPrice": 10.00}}}), 201, "cancelled invoice"), "id")
	must(t, e.Do(e.A, "POST", v1("/invoices/"+gone+"/send"), map[string]any{}), 200, "send cancelled")
	must(t, e.Do(e.A, "POST", v1("/invoices/"+gone+"/void"), map[string]any{"reason": "Issued in error"}), 200, "void")
	partInv := tk.Str(part, "id")
	// List Invoices: every documented query parameter.
	for q, want := range map[string][]string{
		"customerId=" + newCust: {late, gone},
		"status=draft":          {partInv},
		"status=sent":           {invoice, late},
		"status=overdue":        {invoice, late},
		"status=cancelled":      {gone},
		"status=paid":           {},
		"paymentStatus=partial": {invoice},
		"paymentStatus=unpaid&customerId=" + newCust:          {late, gone}, // a cancelled invoice keeps its payment status (nothing was paid)
		"paymentStatus=unpaid&status[ne]=cancelled":           {late, partInv},
		"invoiceDateFrom=2024-01-15&invoiceDateTo=2024-01-31": {invoice, partInv},
		"dueDateFrom=2024-02-01&dueDateTo=2024-02-10":         {late},
		"overdue=true":  {invoice, late},
		"search=LATE-1": {late},
		"search=" + url.QueryEscape(tk.Str(inv, "invoiceNumber")): {invoice},
		"totalMin=800&totalMax=1000":                              {late},
		"totalMin=2517.50":                                        {invoice},
	} {
		got := listIDs(t, e, e.A, v1("/invoices?sort=invoiceDate:asc&"+q))
		var wantSorted []string
		for _, id := range []string{late, invoice, partInv, gone} { // invoice dates 01-05, 01-15, 01-16, 02-10
			for _, w := range want {
				if w == id {
					wantSorted = append(wantSorted, id)
				}
			}
		}
		if !sameIDs(got, wantSorted...) {
			t.Errorf("invoices ?%s: %v, want %v", q, got, wantSorted)
		}
	}
	// The overdue invoice says so (status keeps the stored state, sent;
	// overdue and overdueBy in days are derived), a cancelled one is void
	// with nothing due (README: status values).
	if li := must(t, e.Do(e.A, "GET", v1("/invoices/"+late), nil), 200, "late"); tk.Str(li, "status") != "sent" || li["overdue"] != true || tk.Get(li, "overdueBy") != 26.0 {
		t.Fatalf("overdue invoice: %v", li)
	}
	if gi := must(t, e.Do(e.A, "GET", v1("/invoices/"+gone), nil), 200, "void"); tk.Str(gi, "status") != "void" || tk.Get(gi, "amountDue") != 0.0 || tk.Str(gi, "voidReason") != "Issued in error" {
		t.Fatalf("cancelled invoice: %v", gi)
	}

	// List Customers: the example request (active, by total sales, 20 a page) and every documented parameter.
	r := e.Do(e.A, "GET", v1("/customers?status=active&sort=totalSales&order=desc&limit=20"), nil)
	if r.Status != 200 || tk.Str(r.Body, "data", 0, "id") != acme || tk.Get(r.Body, "pagination", "limit") != 20.0 || tk.Get(r.Body, "pagination", "total") != 3.0 ||
		tk.Get(r.Body, "pagination", "hasMore") != false {
		t.Fatalf("list customers: %d %s", r.Status, r.Raw)
	}
	keysOf(t, "listed customer", tk.Get(r.Body, "data", 0), "id", "customerNumber", "name", "email", "phone", "currentBalance", "totalSales", "status", "createdAt")
	keysOf(t, "pagination", r.Body["pagination"], "hasMore", "nextCursor", "limit", "total")
	curlCust := tk.Str(curl, "id")
	for q, want := range map[string][]string{
		"search=acme":                       {acme},
		"search=CUST-0002":                  {curlCust},
		"search=contact@newcustomer.com":    {newCust, curlCust},
		"status=inactive":                   {},
		"type=business":                     {newCust, curlCust, acme},
		"type=individual":                   {},
		"tags=retail,small-business":        {newCust},
		"tags=enterprise":                   {acme},
		"currency=MYR":                      {newCust, curlCust, acme},
		"creditLimitMin=50000":              {acme},
		"creditLimitMax=30000":              {newCust, curlCust},
		"balanceMin=800":                    {acme, newCust}, // 1,517.50 and 800.00 due
		"balanceMin=1000":                   {acme},
		"balanceMax=0":                      {curlCust},
		"createdAfter=2024-01-01T00:00:00Z": {newCust, curlCust, acme},
		"createdBefore=2024-01-01":          {},
		"sort=name&order=asc":               {acme, newCust, curlCust},
	} {
		got := listIDs(t, e, e.A, v1("/customers?"+q))
		if strings.HasPrefix(q, "sort=") {
			if got[0] != acme {
				t.Errorf("customers ?%s: %v", q, got)
			}
			continue
		}
		if len(got) != len(want) {
			t.Errorf("customers ?%s: %v, want %v", q, got, want)
			continue
		}
		for _, w := range want {
			found := false
			for _, g := range got {
				found = found || g == w
			}
			if !found {
				t.Errorf("customers ?%s: %v lacks %s", q, got, w)
			}
		}
	}
	for _, s := range []string{"name", "createdAt", "totalSales", "currentBalance"} {
		for _, o := range []string{"asc", "desc"} {
			if r := e.Do(e.A, "GET", v1("/customers?sort="+s+"&order="+o), nil); r.Status != 200 || len(r.Body["data"].([]any)) != 3 {
				t.Errorf("sort=%s&order=%s: %d %s", s, o, r.Status, r.Raw)
			}
		}
	}
	// Pagination cursor: limit 2 then the cursor.
	r = e.Do(e.A, "GET", v1("/customers?limit=2&sort=name&order=asc"), nil)
	if tk.Get(r.Body, "pagination", "hasMore") != true {
		t.Fatalf("page 1: %s", r.Raw)
	}
	if ids := listIDs(t, e, e.A, v1("/customers?limit=2&sort=name&order=asc&cursor="+url.QueryEscape(tk.Str(r.Body, "pagination", "nextCursor")))); len(ids) != 1 {
		t.Fatalf("page 2: %v", ids)
	}
	// limit: default 50, max 100.
	if r := e.Do(e.A, "GET", v1("/customers"), nil); tk.Get(r.Body, "pagination", "limit") != 50.0 {
		t.Fatalf("default limit: %v", r.Body["pagination"])
	}
	if r := e.Do(e.A, "GET", v1("/customers?limit=101"), nil); r.Status != 400 || !strings.Contains(string(r.Raw), `"field":"limit"`) {
		t.Fatalf("limit 101: %d %s", r.Status, r.Raw)
	}

	// Customer Summary: the documented response's fields.
	sum := must(t, e.Do(e.A, "GET", v1("/customers/"+acme+"/summary"), nil), 200, "summary")
	keysOf(t, "summary data", sum, "customerId", "summary", "trends", "topProducts")
	keysOf(t, "summary", sum["summary"], "totalSales", "totalInvoices", "averageOrderValue", "currentBalance", "creditUtilization", "paymentHistory",
		"lastOrderDate", "daysSinceLastOrder", "orderFrequency")
	keysOf(t, "paymentHistory", tk.Get(sum, "summary", "paymentHistory"), "onTimePayments", "latePayments", "averagePaymentDays")
	keysOf(t, "trends", sum["trends"], "salesGrowth", "orderVolumeGrowth", "paymentDaysImprovement")
	keysOf(t, "topProducts", tk.Get(sum, "topProducts", 0), "itemId", "itemCode", "description", "quantityOrdered", "totalValue")
	if tk.Str(sum, "customerId") != acme || tk.Get(sum, "summary", "totalInvoices") != 1.0 || tk.Str(sum, "topProducts", 0, "itemCode") != "WDG-001" {
		t.Fatalf("summary: %v", sum)
	}

	// Sales Funnel Analytics with each documented parameter.
	f := must(t, e.Do(e.A, "GET", v1("/analytics/sales-funnel?dateFrom=2024-01-01&dateTo=2024-12-31&customerId="+acme), nil), 200, "funnel")
	if tk.Str(f, "stages", 0, "stage") != "quoted" || tk.Get(f, "stages", 0, "count") != 1.0 || tk.Get(f, "stages", 2, "count") != 1.0 {
		t.Fatalf("funnel: %v", f)
	}
	if f := must(t, e.Do(e.A, "GET", v1("/analytics/sales-funnel?customerId="+newCust), nil), 200, "funnel other"); tk.Get(f, "stages", 0, "count") != 0.0 {
		t.Fatalf("funnel of a customer without quotes: %v", f)
	}

	// Delete Customer: only if no transactions exist.
	if r := e.Do(e.A, "DELETE", v1("/customers/"+acme), nil); r.Status != 409 && r.Status != 422 {
		t.Fatalf("delete customer with invoices: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(e.A, "DELETE", v1("/customers/"+curlCust), nil); r.Status != 200 {
		t.Fatalf("delete customer: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(e.A, "GET", "/api/v1/customers/"+curlCust, nil); r.Status != 404 {
		t.Fatalf("deleted customer: %d", r.Status)
	}

	// Error Handling: 400 Invalid Customer Data, both details.
	r = e.Do(e.A, "POST", v1("/customers"), map[string]any{"name": "Bad Data", "email": "not-an-email", "paymentTerms": 400})
	if r.Status != 400 || r.Body["success"] != false || tk.Str(r.Body, "error", "code") != "INVALID_CUSTOMER_DATA" || tk.Str(r.Body, "error", "message") != "Customer validation failed" {
		t.Fatalf("400: %d %s", r.Status, r.Raw)
	}
	details := map[string]string{}
	for _, d := range r.Body["error"].(map[string]any)["details"].([]any) {
		details[tk.Str(d, "field")] = tk.Str(d, "message")
	}
	if details["email"] != "Email format is invalid" || details["paymentTerms"] != "Payment terms must be between 0 and 365 days" {
		t.Fatalf("400 details: %v", details)
	}
	// 404 Customer Not Found, the document's id.
	r = e.Do(e.A, "GET", v1("/customers/cust_invalid"), nil)
	if r.Status != 404 || tk.Str(r.Body, "error", "code") != "CUSTOMER_NOT_FOUND" || tk.Str(r.Body, "error", "message") != "Customer with ID 'cust_invalid' not found" {
		t.Fatalf("404: %d %s", r.Status, r.Raw)
	}
	// 422 Cannot Convert Quote: a quote valid until 2024-01-05 converted on 2024-01-15.
	setClock(t, "2024-01-02 09:00")
	old := tk.Str(must(t, e.Do(e.A, "POST", v1("/quotes"), map[string]any{"customerId": acme, "quoteDate": "2024-01-02", "validUntil": "2024-01-05",
		"items": []any{map[string]any{"itemId": widget, "quantity": 1, "unitPrice": 22.50}}}), 201, "old quote"), "id")
	must(t, e.Do(e.A, "POST", v1("/quotes/"+old+"/send"), map[string]any{}), 200, "send old")
	setClock(t, "2024-01-15 09:00")
	r = e.Do(e.A, "POST", v1("/quotes/"+old+"/convert-to-order"), nil)
	if r.Status != 422 || tk.Str(r.Body, "error", "code") != "QUOTE_CONVERSION_FAILED" || tk.Str(r.Body, "error", "message") != "Cannot convert expired quote to sales order" ||
		tk.Str(r.Body, "error", "details", 0, "quoteId") != old || tk.Str(r.Body, "error", "details", 0, "validUntil") != "2024-01-05" ||
		tk.Str(r.Body, "error", "details", 0, "currentDate") != "2024-01-15" {
		t.Fatalf("422: %d %s", r.Status, r.Raw)
	}

	// Customer Analysis Dashboard: the twelve monthly requests as written
	// (end_date YYYY-MM-31 in every month), each 200.
	for m := 1; m <= 12; m++ {
		p := v1("/invoices?customerId=" + acme + "&invoiceDateFrom=2024-" + two(m) + "-01&invoiceDateTo=2024-" + two(m) + "-31&status=paid")
		if r := e.Do(e.A, "GET", p, nil); r.Status != 200 {
			t.Fatalf("dashboard month %d: %d %s", m, r.Status, r.Raw)
		}
	}

	// Every path above answers the same at /api/v1.
	if a, b := e.Do(e.A, "GET", "/api/v1/invoices/"+invoice, nil), e.Do(e.A, "GET", v1("/invoices/"+invoice), nil); a.Status != 200 || tk.Str(a.Body, "data", "total") != tk.Str(b.Body, "data", "total") {
		t.Fatalf("bases differ: %s vs %s", a.Raw, b.Raw)
	}
	// Another company sees none of it.
	for _, p := range []string{"/customers/" + acme, "/quotes/" + quote, "/sales-orders/" + order, "/invoices/" + invoice, "/customers/" + acme + "/summary"} {
		if r := e.Do(e.B, "GET", v1(p), nil); r.Status != 404 {
			t.Errorf("company B GET %s: %d", p, r.Status)
		}
	}
}

func two(m int) string {
	if m < 10 {
		return "0" + string(rune('0'+m))
	}
	return "1" + string(rune('0'+m-10))
}
