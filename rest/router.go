package rest

import (
	"net/http"
	"regexp"
	"slices"

	"github.com/bigledger/bigledger/ent/attachment"
	"strings"

	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/bulk"
	"github.com/bigledger/bigledger/internal/input"
	"github.com/bigledger/bigledger/internal/reqid"
	"github.com/bigledger/bigledger/internal/sales"
)

type route struct {
	method, path, scope string
	handler             func(*API) endpoint
	doc                 doc
}

// Route is one documented REST route: method, path pattern (with {id}
// style wildcards) and the scopes it requires (comma-separated).
type Route struct{ Method, Path, Scopes, Summary string }

// Routes lists every route of the facade, in table order, the v1 twins
// last.
func Routes() []Route {
	out := make([]Route, len(allRoutes))
	for i, rt := range allRoutes {
		out[i] = Route{rt.method, rt.path, rt.scope, rt.doc.sum}
	}
	return out
}

// Request examples from the seeds (shown in the OpenAPI document).
const (
	exCustomer       = `{"name": "New Customer Ltd", "email": "contact@newcustomer.com", "phone": "+60123456789", "type": "business", "paymentTerms": 30}`
	exCustomerUpdate = `{"email": "newemail@acme.com", "phone": "+60987654321", "creditLimit": 75000.00, "status": "active", "tags": ["enterprise", "priority"]}`
	exContact        = `{"name": "Sarah Johnson", "email": "sarah@acme.com", "phone": "+60123456786", "title": "Finance Director", "isPrimary": false}`
	exOrder          = `{"customerId": "cust_123456789", "orderDate": "2024-01-15", "requiredDate": "2024-02-15", "reference": "PO-XYZ-456", "notes": "Standard delivery", "items": [{"itemId": "item_widget001", "quantity": 50, "unitPrice": 25.00, "discountPercent": 0, "taxCode": "SST"}, {"itemId": "item_service001", "description": "Installation Service", "quantity": 1, "unitPrice": 500.00, "taxCode": "SST"}], "shippingCost": 75.00}`
	exStatus         = `{"status": "confirmed", "notes": "Order confirmed by customer"}`
	exConvert        = `{"invoiceDate": "2024-01-16", "dueDate": "2024-02-15", "partialItems": [{"itemId": "soi_111", "quantity": 25}]}`
	exQuote          = `{"customerId": "cust_123456789", "quoteDate": "2024-01-10", "validUntil": "2024-02-10", "title": "Q1 2024 Widget Supply", "reference": "RFQ-2024-001", "items": [{"itemId": "item_widget001", "quantity": 1000, "unitPrice": 22.50, "discountPercent": 10.0, "taxCode": "SST"}]}`
	exSendQuote      = `{"to": ["billing@acme.com"], "cc": ["manager@acme.com"], "subject": "Quote QT-2024-0001 - Q1 2024 Widget Supply", "message": "Please find attached our quote for your widget requirements.", "attachPDF": true}`
	exInvoice        = `{"customerId": "cust_123456789", "invoiceDate": "2024-01-15", "dueDate": "2024-02-14", "reference": "SO-2024-0001", "purchaseOrder": "PO-ABC-123", "items": [{"itemId": "item_widget001", "quantity": 100, "unitPrice": 25.00, "discountPercent": 5.0, "taxCode": "SST"}], "notes": "Thank you for your business!", "terms": "Payment due within 30 days"}`
	exSendInvoice    = `{"to": ["billing@acme.com"], "cc": ["accounts@acme.com"], "subject": "Invoice INV-2024-0001", "message": "Please find attached your invoice.", "attachPDF": true, "sendReminders": true}`
	exPayment        = `{"amount": 2567.50, "paymentDate": "2024-01-20", "paymentMethod": "bank_transfer", "reference": "TXN-20240120-001", "notes": "Online banking transfer", "accountId": "acc_bank_main"}`
	exContact003     = `{"type": "customer", "name": "Acme Trading", "supplier_business_name": "Acme Trading Sdn Bhd", "mobile": "+60123456789", "email": "ops@acme.test", "contact_id": "CO0001", "tax_number": "TAX-001", "pay_term_number": 30, "pay_term_type": "days", "city": "Kuala Lumpur", "country": "Malaysia", "credit_limit": 5000, "opening_balance": 120.50, "custom_field1": "VIP"}`
	exRecurring      = `{"customerId": "cust_123456789", "interval": "month", "intervalCount": 1, "startDate": "2024-02-01", "maxCount": 12, "items": [{"description": "Support retainer", "quantity": 1, "unitPrice": 1500.00, "taxCode": "SST"}]}`
	exGroup          = `{"name": "Retail", "price_calculation_type": "percentage", "amount": 2.5}`
)

// laravelParams are seed 003's paging and format parameters.
var laravelParams = []param{
	{name: "page", typ: "integer", desc: "Page number (default 1)"},
	{name: "per_page", typ: "integer", desc: "Rows per page, 1–100 (default 20)"},
	{name: "format", enum: []string{"json", "csv"}, desc: "csv streams every matching row and ignores page and per_page"},
}

var reportParams = []param{
	{name: "from", typ: "date", desc: "Period start (profit and loss, financial summary)"},
	{name: "to", typ: "date", desc: "Period end / as-of date"},
	{name: "asOf", typ: "date", desc: "As-of date (balance sheet, trial balance, AR aging); wins over to"},
}

// routes is the REST surface: seed 000/001 v1, seed 003 integration,
// seed 004 accounting, seed 002 v2. Each row's doc feeds the OpenAPI
// document (GET /openapi.json).
var routes = []route{
	{"GET", "/api/v1/api-keys", auth.ScopeKeysAdmin, func(a *API) endpoint { return a.listAPIKeys }, doc{sum: "List API keys", out: apiKeyV1{}, arr: true,
		desc: "The company's keys (never their secrets), newest first."}},
	{"POST", "/api/v1/api-keys", auth.ScopeKeysAdmin, func(a *API) endpoint { return a.createAPIKey }, doc{sum: "Create an API key", in: apiKeyRequest{}, out: apiKeyV1{}, status: 201,
		desc: "The secret is in the answer once and never again; a key grants only scopes the calling key holds."}},
	{"DELETE", "/api/v1/api-keys/{id}", auth.ScopeKeysAdmin, func(a *API) endpoint { return a.revokeAPIKey }, doc{sum: "Revoke an API key", out: apiKeyV1{},
		desc: "Takes effect within the key check interval (2 s) on REST, GraphQL and open sockets."}},
	{"GET", "/v1/auth/verify", "", func(a *API) endpoint { return a.authVerify }, doc{sum: "Verify the API key", out: verifyV1{},
		desc: "Who the key is: its company, user, scopes, expiry and the rate limit it is metered by. Any valid key may call it."}},
	{"GET", "/v1/company", "", func(a *API) endpoint { return a.getCompany }, doc{sum: "Get the company", out: companyV1{},
		desc: "The company the key acts for, with its rate-limit plan. Any valid key may call it."}},
	{"PATCH", "/v1/company", auth.ScopeKeysAdmin, func(a *API) endpoint { return a.updateCompany }, doc{sum: "Update the company", in: companyRequest{}, out: companyV1{},
		example: `{"name": "Acme Trading Sdn Bhd", "timezone": "Asia/Kuala_Lumpur", "plan": "starter"}`,
		desc:    "Name, time zone and rate-limit plan (free, starter, professional, enterprise; null returns to the server's defaults). The base currency cannot change once the ledger exists. Needs an admin key (keys:admin)."}},
	{"PUT", "/v1/company/logo", auth.ScopeKeysAdmin, func(a *API) endpoint { return a.putCompanyLogo }, doc{sum: "Upload the company logo", upload: true, out: companyV1{},
		desc: "multipart/form-data with a PNG or JPEG (at most 1 MiB) in file: printed on the letterhead of every PDF."}},
	{"DELETE", "/v1/company/logo", auth.ScopeKeysAdmin, func(a *API) endpoint { return a.deleteCompanyLogo }, doc{sum: "Remove the company logo", out: companyV1{}}},
	{"GET", "/api/v1/customers/{id}/deliveries", "customers:read", func(a *API) endpoint { return a.customerDeliveries }, doc{sum: "List a customer's statement emails", out: emailV1{}, arr: true,
		desc: "The statements emailed to the customer (POST /api/v1/integration/contacts/{id}/ledger/send), newest first, with per-recipient status."}},
	{"POST", "/api/v1/bulk/customers", "customers:write", func(a *API) endpoint { return a.bulkCustomers() }, doc{sum: "Bulk customer operations", in: bulkRequest{}, out: bulk.Outcome{}, idem: true,
		example: `{"operations": [{"operation": "create", "data": {"name": "Customer 1", "email": "customer1@example.com"}}, {"operation": "update", "id": "cust_123", "data": {"creditLimit": 15000}}]}`,
		params:  []param{{name: "atomic", typ: "boolean", desc: "true: all or nothing (any failure rolls the batch back, 422 BULK_OPERATION_FAILED)"}},
		desc: "Up to 100 create, update or delete operations (up to 1,000 when all are creates: one batch, one multi-row INSERT), each exactly as its single-record route; " +
			"one result per operation (index, success, data or error with field paths such as operations[3].data.email)."}},
	{"POST", "/api/v1/bulk/invoices", "invoices:write", func(a *API) endpoint { return a.bulkInvoices() }, doc{sum: "Bulk invoice operations", in: bulkRequest{}, out: bulk.Outcome{}, idem: true,
		params: []param{{name: "atomic", typ: "boolean", desc: "true: all or nothing"}},
		desc:   "Up to 50 create or update (draft) operations, each as POST /api/v1/invoices or PUT /api/v1/invoices/{id}."}},
	{"POST", "/api/v1/bulk/journal-entries", "ledger:write", func(a *API) endpoint { return a.bulkJournalEntries() }, doc{sum: "Bulk journal entries", in: bulkRequest{}, out: bulk.Outcome{}, idem: true,
		params: []param{{name: "atomic", typ: "boolean", desc: "true: all or nothing"}},
		desc:   "Up to 100 create operations, each as POST /api/v1/journal-entries."}},
	{"POST", "/api/v1/bulk/payments", "payments:write,invoices:write", func(a *API) endpoint { return a.bulkPayments() }, doc{sum: "Bulk payments", in: bulkRequest{}, out: bulk.Outcome{}, idem: true,
		params: []param{{name: "atomic", typ: "boolean", desc: "true: all or nothing"}},
		desc:   "Up to 100 create operations, each as POST /api/v1/invoices/{invoiceId}/payments with data.invoiceId naming the invoice."}},
	{"GET", "/api/v1/customers", "customers:read", func(a *API) endpoint { return a.listCustomers }, doc{sum: "List customers", out: customerV1{}, list: &customerList}},
	{"POST", "/api/v1/customers", "customers:write", func(a *API) endpoint { return a.createCustomer }, doc{sum: "Create a customer", in: customerRequest{}, out: customerV1{}, status: 201, example: exCustomer,
		desc: "Required: name, and email or phone."}},
	{"GET", "/api/v1/customers/{id}", "customers:read", func(a *API) endpoint { return a.getCustomer }, doc{sum: "Get a customer", out: customerV1{}}},
	{"PUT", "/api/v1/customers/{id}", "customers:write", func(a *API) endpoint { return a.updateCustomer }, doc{sum: "Update a customer", in: customerRequest{}, out: customerV1{}, example: exCustomerUpdate,
		desc: "Partial: absent fields are kept, null clears."}},
	{"PATCH", "/api/v1/customers/{id}", "customers:write", func(a *API) endpoint { return a.updateCustomer }, doc{sum: "Update a customer", in: customerRequest{}, out: customerV1{}, example: exCustomerUpdate}},
	{"DELETE", "/api/v1/customers/{id}", "customers:write", func(a *API) endpoint { return a.deleteCustomer }, doc{sum: "Delete a customer", out: deletedV1{},
		desc: "Only a customer without documents: otherwise 409 CUSTOMER_HAS_TRANSACTIONS."}},
	{"GET", "/api/v1/customers/{id}/contacts", "customers:read", func(a *API) endpoint { return a.listContacts }, doc{sum: "List a customer's contacts", out: contactV1{}, arr: true, page: true}},
	{"GET", "/api/v1/analytics/sales-funnel", "quotes:read,sales_orders:read,invoices:read", func(a *API) endpoint { return a.salesFunnel }, doc{sum: "Sales funnel", out: funnelV1{},
		params: []param{{name: "dateFrom", typ: "date", desc: "Quotes dated on or after"}, {name: "dateTo", typ: "date", desc: "Quotes dated on or before"},
			{name: "customerId", typ: "string", desc: "One customer's quotes"}},
		desc: "The period's quotes followed through quoted → sent → accepted → ordered → invoiced → paid: each stage's count, value (base currency) and conversion rates in percent; quotes lost (rejected, expired) and still open; what their orders were invoiced and paid."}},
	{"GET", "/api/v1/customers/{id}/summary", "customers:read,invoices:read", func(a *API) endpoint { return a.customerSummary }, doc{sum: "Customer summary", out: sales.CustomerSummary{}}},
	{"POST", "/api/v1/customers/{id}/contacts", "customers:write", func(a *API) endpoint { return a.createContact }, doc{sum: "Add a contact", in: contactRequest{}, out: contactV1{}, status: 201, example: exContact}},
	{"GET", "/api/v1/integration/customer-groups", "customers:read", func(a *API) endpoint { return a.listGroups }, doc{sum: "List customer groups", out: customerGroupV1{}, list: &groupList}},
	{"POST", "/api/v1/integration/customer-groups", "customers:write", func(a *API) endpoint { return a.createGroup }, doc{sum: "Create a customer group", in: groupRequest{}, out: customerGroupV1{}, status: 201, example: exGroup}},
	{"GET", "/api/v1/integration/customer-groups/{id}", "customers:read", func(a *API) endpoint { return a.getGroup }, doc{sum: "Get a customer group", out: customerGroupV1{}}},
	{"PATCH", "/api/v1/integration/customer-groups/{id}", "customers:write", func(a *API) endpoint { return a.updateGroup }, doc{sum: "Update a customer group", in: groupRequest{}, out: customerGroupV1{}}},
	{"PUT", "/api/v1/integration/customer-groups/{id}", "customers:write", func(a *API) endpoint { return a.updateGroup }, doc{sum: "Update a customer group", in: groupRequest{}, out: customerGroupV1{}}},
	{"DELETE", "/api/v1/integration/customer-groups/{id}", "customers:write", func(a *API) endpoint { return a.deleteGroup }, doc{sum: "Delete a customer group", out: idOnlyV1{}}},
	{"GET", "/api/v1/items", "items:read", func(a *API) endpoint { return a.listItems }, doc{sum: "List items", out: itemV1{}, list: &itemList}},
	{"POST", "/api/v1/items", "items:write", func(a *API) endpoint { return a.createItem }, doc{sum: "Create an item", in: itemRequest{}, out: itemV1{}, status: 201}},
	{"GET", "/api/v1/invoices", "invoices:read", func(a *API) endpoint { return a.listInvoices }, doc{sum: "List invoices", out: invoiceV1{}, list: &invoiceList}},
	{"POST", "/api/v1/invoices", "invoices:write", func(a *API) endpoint { return a.createInvoice }, doc{sum: "Create an invoice", in: invoiceRequest{}, out: invoiceV1{}, status: 201, example: exInvoice,
		desc: "A draft; line math as seed 000 (discount, then tax, rounded half away from zero at the currency's scale). Also takes seed 004's snake_case body (customer_id, invoice_date, lines[{product_id, unit_price, tax_rate as a fraction, discount_percentage}], payment_terms net_N or due_on_receipt); mixing the two dialects is 400 naming the key. The answer is always this camelCase invoice."}},
	{"GET", "/api/v1/invoices/{id}", "invoices:read", func(a *API) endpoint { return a.getInvoice }, doc{sum: "Get an invoice", out: invoiceV1{}}},
	{"PUT", "/api/v1/invoices/{id}", "invoices:write", func(a *API) endpoint { return a.updateInvoice }, doc{sum: "Update a draft invoice", in: invoiceRequest{}, out: invoiceV1{}}},
	{"POST", "/api/v1/invoices/{id}/send", "invoices:write", func(a *API) endpoint { return a.sendInvoice }, doc{sum: "Send an invoice", in: sendRequest{}, out: invoiceV1{}, example: exSendInvoice,
		desc: "Emails the invoice: a draft is issued first (posted to the ledger); a sent invoice is sent again (a resend: sendCount + 1). " +
			"The body is optional: to defaults to the customer's primary contact's email, else the customer's (422 NO_RECIPIENT-style detail on to when neither has one); " +
			"subject and message default to the invoice template ({invoice_number}, {total}, {amount_due}, {due_date}, {customer_name}, {company_name} work in both); " +
			"the PDF is attached unless attachPDF is false; sendReminders turns on the reminder schedule. The email is queued in the same transaction and delivered " +
			"by the mail worker with retries: lastSend.deliveryStatus and GET …/deliveries show its progress, invoice.sent fires when SMTP accepted it."}},
	{"GET", "/api/v1/invoices/{id}/deliveries", "invoices:read", func(a *API) endpoint { return a.invoiceDeliveries }, doc{sum: "List an invoice's emails", out: emailV1{}, arr: true,
		desc: "Every email of the invoice (sends and reminders), newest first, with per-recipient status and the SMTP server's last reply."}},
	{"POST", "/api/v1/invoices/{id}/void", "invoices:write", func(a *API) endpoint { return a.voidInvoice }, doc{sum: "Void an invoice", in: voidRequest{}, out: invoiceV1{},
		desc: "Posts the exact reversal; refused while payments are applied."}},
	{"GET", "/api/v1/quotes", "quotes:read", func(a *API) endpoint { return a.listQuotes }, doc{sum: "List quotes", out: quoteV1{}, list: &quoteList}},
	{"POST", "/api/v1/quotes", "quotes:write", func(a *API) endpoint { return a.createQuote }, doc{sum: "Create a quote", in: quoteRequest{}, out: quoteV1{}, status: 201, example: exQuote}},
	{"GET", "/api/v1/quotes/{id}", "quotes:read", func(a *API) endpoint { return a.getQuote }, doc{sum: "Get a quote", out: quoteV1{}}},
	{"PUT", "/api/v1/quotes/{id}", "quotes:write", func(a *API) endpoint { return a.updateQuote }, doc{sum: "Update a draft quote", in: quoteRequest{}, out: quoteV1{}}},
	{"POST", "/api/v1/quotes/{id}/send", "quotes:write", func(a *API) endpoint { return a.sendQuote }, doc{sum: "Send a quote", in: sendRequest{}, out: quoteV1{}, example: exSendQuote,
		desc: "Emails the quote with its PDF (recipients and templates as for invoices); a draft becomes sent, a sent quote is sent again. quote.sent fires when SMTP accepted the email."}},
	{"GET", "/api/v1/quotes/{id}/deliveries", "quotes:read", func(a *API) endpoint { return a.quoteDeliveries }, doc{sum: "List a quote's emails", out: emailV1{}, arr: true}},
	{"POST", "/api/v1/quotes/{id}/accept", "quotes:write", func(a *API) endpoint { return a.acceptQuote }, doc{sum: "Accept a quote", in: decisionRequest{}, out: quoteV1{}}},
	{"POST", "/api/v1/quotes/{id}/reject", "quotes:write", func(a *API) endpoint { return a.rejectQuote }, doc{sum: "Reject a quote", in: decisionRequest{}, out: quoteV1{}}},
	{"POST", "/api/v1/quotes/{id}/convert-to-order", "quotes:write,sales_orders:write", func(a *API) endpoint { return a.convertQuote }, doc{sum: "Convert a quote to a sales order", out: salesOrderV1{}, status: 201,
		desc: "An accepted (or sent) quote becomes an order with its lines; an expired one is 422 QUOTE_CONVERSION_FAILED."}},
	{"GET", "/api/v1/sales-orders", "sales_orders:read", func(a *API) endpoint { return a.listOrders }, doc{sum: "List sales orders", out: salesOrderV1{}, list: &orderList}},
	{"POST", "/api/v1/sales-orders", "sales_orders:write", func(a *API) endpoint { return a.createOrder }, doc{sum: "Create a sales order", in: orderRequest{}, out: salesOrderV1{}, status: 201, example: exOrder}},
	{"GET", "/api/v1/sales-orders/{id}", "sales_orders:read", func(a *API) endpoint { return a.getOrder }, doc{sum: "Get a sales order", out: salesOrderV1{}}},
	{"PUT", "/api/v1/sales-orders/{id}", "sales_orders:write", func(a *API) endpoint { return a.updateOrder }, doc{sum: "Update a draft sales order", in: orderRequest{}, out: salesOrderV1{}}},
	{"PATCH", "/api/v1/sales-orders/{id}/status", "sales_orders:write", func(a *API) endpoint { return a.updateOrderStatus }, doc{sum: "Change a sales order's status", in: statusRequest{}, out: salesOrderV1{}, example: exStatus}},
	{"POST", "/api/v1/sales-orders/{id}/convert-to-invoice", "sales_orders:write,invoices:write", func(a *API) endpoint { return a.convertOrder }, doc{sum: "Convert a sales order to an invoice", in: convertOrderRequest{}, out: invoiceV1{}, status: 201, example: exConvert,
		desc: "All remaining quantities, or partialItems; a line is never invoiced beyond its quantity."}},
	{"GET", "/api/v1/quotes/{id}/attachments", "quotes:read", func(a *API) endpoint { return a.listAttachments(attachment.DocumentTypeQuote) }, doc{sum: "List a quote's attachments", out: attachmentV1{}, arr: true, page: true}},
	{"POST", "/api/v1/quotes/{id}/attachments", "quotes:write", func(a *API) endpoint { return a.uploadAttachment(attachment.DocumentTypeQuote) }, doc{sum: "Attach a file to a quote", upload: true, out: attachmentV1{}, status: 201}},
	{"GET", "/api/v1/sales-orders/{id}/attachments", "sales_orders:read", func(a *API) endpoint { return a.listAttachments(attachment.DocumentTypeSalesOrder) }, doc{sum: "List a sales order's attachments", out: attachmentV1{}, arr: true, page: true}},
	{"POST", "/api/v1/sales-orders/{id}/attachments", "sales_orders:write", func(a *API) endpoint { return a.uploadAttachment(attachment.DocumentTypeSalesOrder) }, doc{sum: "Attach a file to a sales order", upload: true, out: attachmentV1{}, status: 201}},
	{"GET", "/api/v1/invoices/{id}/attachments", "invoices:read", func(a *API) endpoint { return a.listAttachments(attachment.DocumentTypeInvoice) }, doc{sum: "List an invoice's attachments", out: attachmentV1{}, arr: true, page: true}},
	{"POST", "/api/v1/invoices/{id}/attachments", "invoices:write", func(a *API) endpoint { return a.uploadAttachment(attachment.DocumentTypeInvoice) }, doc{sum: "Attach a file to an invoice", upload: true, out: attachmentV1{}, status: 201}},
	{"POST", "/api/v1/invoices/{id}/payments", "payments:write,invoices:write", func(a *API) endpoint { return a.recordPayment }, doc{sum: "Record a payment", in: recordPaymentRequest{}, out: paymentV1{}, status: 201, idem: true, example: exPayment,
		desc: "Applies the amount to the invoice; any excess is the customer's credit. Posts Dr deposit account / Cr receivables."}},
	{"GET", "/api/v1/invoices/{id}/payments", "payments:read", func(a *API) endpoint { return a.listInvoicePayments }, doc{sum: "List an invoice's payments", out: paymentV1{}, arr: true, page: true}},
	// Seed 001's path for the same operation.
	{"POST", "/v1/invoices/{id}/payment", "payments:write,invoices:write", func(a *API) endpoint { return a.recordPayment }, doc{sum: "Record a payment", in: recordPaymentRequest{}, out: paymentV1{}, status: 201, idem: true, example: exPayment,
		desc: "Seed 001's path of POST /api/v1/invoices/{id}/payments."}},
	{"GET", "/api/v1/payments/{id}", "payments:read", func(a *API) endpoint { return a.getPayment }, doc{sum: "Get a payment", out: paymentV1{}}},
	{"POST", "/api/v1/payments/{id}/void", "payments:write,invoices:write", func(a *API) endpoint { return a.voidPayment }, doc{sum: "Void a payment", in: voidRequest{}, out: paymentV1{},
		desc: "Reverses its posting and un-applies its allocations."}},
	{"POST", "/api/v1/payments/{id}/refunds", "payments:write,invoices:write", func(a *API) endpoint { return a.refundPayment }, doc{sum: "Refund a payment", in: refundRequest{}, out: refundV1{}, status: 201, idem: true,
		desc: "Returns money of a payment to its customer (payment.refunded): first what it holds unapplied, then what it paid on invoices, newest first (those invoices are due again). amount defaults to everything still refundable; partial refunds add up to at most the payment's amount (422 REFUND_EXCEEDS_PAYMENT). Posted Dr customer credits / Dr receivable, Cr the account the money leaves (default: the deposit account)."}},
	{"GET", "/api/v1/payments/{id}/refunds", "payments:read", func(a *API) endpoint { return a.listRefunds }, doc{sum: "List a payment's refunds", out: refundV1{}, arr: true}},
	{"POST", "/api/v1/payments/{id}/fail", "payments:write,invoices:write", func(a *API) endpoint { return a.failPayment }, doc{sum: "Record a failed payment", in: voidRequest{}, out: paymentV1{}, idem: true,
		desc: "The payment never arrived: a returned cheque, a recalled transfer, a chargeback (payment.failed). Its allocations are released and its posting reversed; status failed with the reason. Refused once it has refunds."}},
	{"GET", "/api/v1/integration/contacts", "customers:read", func(a *API) endpoint { return a.listParties }, doc{sum: "List the contact directory", envelope: contactListBody{},
		params: append([]param{{name: "kind", required: true, enum: []string{"customer", "supplier"}, desc: "customer: customer and both contacts; supplier: supplier and both"},
			{name: "q", desc: "At least 2 characters: matches name, supplier business name, mobile, landline, alternate number, email and contact code"}}, laravelParams...),
		desc: "Seed 003: contacts are customers of every party type, by name; data and meta{current_page, last_page, per_page, total}. format=csv streams every matching row with a UTF-8 BOM."}},
	{"POST", "/api/v1/integration/contacts", "customers:write", func(a *API) endpoint { return a.createParty }, doc{sum: "Add a contact", in: addContactRequest{}, envelope: contactBody{}, status: 201, example: exContact003,
		desc: "Seed 003: type and name are required; contact_id (the contact code) is unique in the company; opening_balance is posted to the contact's ledger in the same transaction; position is \"latitude,longitude\"."}},
	{"POST", "/api/v1/integration/contacts/import", "customers:write", func(a *API) endpoint { return a.importContacts }, doc{sum: "Import contacts", upload: true, envelope: importBody{}, status: 201,
		desc: "Seed 003: multipart/form-data with the sheet in contacts_csv (csv, txt or xlsx, at most 15360 KB) in the template's 27 columns (GET …/contacts/import/template), header row skipped. All rows or none: a refused row answers 422 CONTACT_IMPORT_FAILED naming rows.<row>.<column> for each problem, and nothing is written. Opening balances are posted; contact ids must be new to the company and the file."}},
	{"GET", "/api/v1/integration/contacts/map", "customers:read", func(a *API) endpoint { return a.contactMap }, doc{sum: "Contacts on the map", envelope: contactMapBody{},
		params: []param{{name: "kind", enum: []string{"all", "customer", "supplier"}}, {name: "contact_ids[]", desc: "Only these contacts (repeat the parameter)"}, {name: "format", enum: []string{"json", "csv"}}},
		desc:   "Seed 003: active contacts with a position (latitude and longitude), not paginated."}},
	{"GET", "/api/v1/integration/contacts/validate/mobile", "customers:read", func(a *API) endpoint { return a.validateMobile }, doc{sum: "Check a mobile number for duplicates", envelope: mobileCheckBody{},
		params: []param{{name: "mobile_number", required: true}, {name: "contact_id", desc: "A contact to leave out (the one being edited)"}, {name: "format", enum: []string{"json", "csv"}}},
		desc:   "Seed 003: contacts whose mobile number ends with the same digits (the last nine, punctuation ignored)."}},
	{"POST", "/api/v1/integration/contacts/validate/mobile", "customers:read", func(a *API) endpoint { return a.validateMobile }, doc{sum: "Check a mobile number for duplicates (body)", in: validateRequest{}, envelope: mobileCheckBody{}}},
	{"GET", "/api/v1/integration/contacts/validate/tax-number", "customers:read", func(a *API) endpoint { return a.validateTaxNumber }, doc{sum: "Check a tax number for duplicates", envelope: taxNumberCheckBody{},
		params: []param{{name: "tax_number", required: true}, {name: "contact_id", desc: "A contact to leave out (the one being edited)"}, {name: "format", enum: []string{"json", "csv"}}},
		desc:   "Seed 003: contacts with exactly this tax number."}},
	{"POST", "/api/v1/integration/contacts/validate/tax-number", "customers:read", func(a *API) endpoint { return a.validateTaxNumber }, doc{sum: "Check a tax number for duplicates (body)", in: validateRequest{}, envelope: taxNumberCheckBody{}}},
	{"GET", "/api/v1/integration/contacts/{id}", "customers:read", func(a *API) endpoint { return a.getParty }, doc{sum: "Get a contact", envelope: contactBody{},
		params: []param{{name: "format", enum: []string{"json", "csv"}, desc: "csv: one row, with a data_json column holding the JSON data object"}}}},
	{"PATCH", "/api/v1/integration/contacts/{id}", "customers:write", func(a *API) endpoint { return a.updateParty }, doc{sum: "Update a contact", in: addContactRequest{}, envelope: contactBody{},
		desc: "Seed 003: every field optional; an empty body is 422 No valid fields to update; the read-only fields of a GET (id, balance, created_at, …) may be sent back and are ignored."}},
	{"PUT", "/api/v1/integration/contacts/{id}", "customers:write", func(a *API) endpoint { return a.updateParty }, doc{sum: "Update a contact (PUT)", in: addContactRequest{}, envelope: contactBody{}}},
	{"DELETE", "/api/v1/integration/contacts/{id}", "customers:write", func(a *API) endpoint { return a.deleteParty }, doc{sum: "Delete a contact", envelope: deletedBody{},
		desc: "Seed 003: refused (422) while the contact has transactions or is the company's default contact."}},
	{"GET", "/api/v1/integration/contacts/{id}/activities", "customers:read", func(a *API) endpoint { return a.contactActivities }, doc{sum: "A contact's activity", envelope: activityBody{},
		params: append([]param{{name: "q", desc: "At least 2 characters: matches the event name, its data, or the activity id"}}, laravelParams...),
		desc:   "Seed 003: the events of the contact and of its invoices, payments, quotes and sales orders, newest first; properties is the event's payload."}},
	{"GET", "/api/v1/integration/contacts/{id}/sells", "invoices:read", func(a *API) endpoint { return a.contactSells }, doc{sum: "A contact's sells", envelope: sellListBody{},
		params: append([]param{{name: "start_date", typ: "date"}, {name: "end_date", typ: "date"},
			{name: "payment_status", enum: []string{"paid", "partial", "due", "overdue"}}, {name: "is_direct_sale", typ: "boolean", desc: "true: invoices not made from a sales order"},
			{name: "only_shipments", typ: "boolean", desc: "true: invoices of a sales order"}, {name: "created_by", desc: "A user id"},
			{name: "location_id", desc: "The business location (a company has one: 1)"}, {name: "q", desc: "Invoice number, reference or purchase order"}}, laravelParams...),
		desc: "Seed 003: the contact's invoices as sell rows, newest first; 422 for a supplier contact."}},
	{"GET", "/api/v1/integration/contacts/{id}/documents-and-notes", "customers:read", func(a *API) endpoint { return a.listNotes }, doc{sum: "List a contact's documents and notes", envelope: noteListBody{},
		params: append([]param{{name: "q", desc: "At least 2 characters: matches heading, description or the note id"}}, laravelParams...),
		desc:   "Seed 003: newest first; private notes only for their author; media lists each file with its download url."}},
	{"POST", "/api/v1/integration/contacts/{id}/documents-and-notes", "customers:write", func(a *API) endpoint { return a.createNote }, doc{sum: "Add a document or note", in: noteRequest{}, envelope: noteBody{}, status: 201,
		desc: "Seed 003: JSON, or multipart/form-data with heading, description, is_private and up to 10 files as files[] (each at most 10 MiB; type sniffed, SHA-256 kept). The note and its files are written in one transaction."}},
	{"GET", "/api/v1/integration/contacts/{id}/documents-and-notes/{documentId}", "customers:read", func(a *API) endpoint { return a.getNote }, doc{sum: "Get a document or note", envelope: noteBody{},
		params: []param{{name: "format", enum: []string{"json", "csv"}}}}},
	{"PATCH", "/api/v1/integration/contacts/{id}/documents-and-notes/{documentId}", "customers:write", func(a *API) endpoint { return a.updateNote }, doc{sum: "Update a document or note", in: noteRequest{}, envelope: noteBody{},
		desc: "Seed 003: JSON or multipart; files[] are appended."}},
	{"PUT", "/api/v1/integration/contacts/{id}/documents-and-notes/{documentId}", "customers:write", func(a *API) endpoint { return a.updateNote }, doc{sum: "Update a document or note (PUT)", in: noteRequest{}, envelope: noteBody{}}},
	{"DELETE", "/api/v1/integration/contacts/{id}/documents-and-notes/{documentId}", "customers:write", func(a *API) endpoint { return a.deleteNote }, doc{sum: "Delete a document or note", envelope: deletedBody{},
		desc: "Seed 003: the note and its files."}},
	{"GET", "/api/v1/integration/contacts/{id}/subscriptions", "invoices:read", func(a *API) endpoint { return a.listSubscriptions }, doc{sum: "A contact's subscriptions", envelope: subscriptionListBody{},
		params: append([]param{{name: "start_date", typ: "date", desc: "With end_date: schedules starting in the range"}, {name: "end_date", typ: "date"},
			{name: "location_id", desc: "The business location (a company has one: 1)"}, {name: "q", desc: "Subscription number, customer name or a generated invoice's number"}}, laravelParams...),
		desc: "Seed 003: the contact's recurring invoices (create them with POST /api/v1/recurring-invoices or GraphQL createRecurringInvoice); 422 for a supplier contact."}},
	{"GET", "/api/v1/integration/subscriptions", "invoices:read", func(a *API) endpoint { return a.listSubscriptions }, doc{sum: "List subscriptions", envelope: subscriptionListBody{},
		params: append([]param{{name: "contact_id", desc: "One contact's"}, {name: "start_date", typ: "date"}, {name: "end_date", typ: "date"},
			{name: "location_id"}, {name: "q"}}, laravelParams...)}},
	{"GET", "/api/v1/integration/subscriptions/{id}", "invoices:read", func(a *API) endpoint { return a.getSubscription }, doc{sum: "Get a subscription", envelope: subscriptionBody{},
		params: []param{{name: "format", enum: []string{"json", "csv"}}}}},
	{"POST", "/api/v1/integration/subscriptions/{id}/toggle-recurring", "invoices:write", func(a *API) endpoint { return a.toggleSubscription }, doc{sum: "Stop or resume a subscription", envelope: subscriptionBody{},
		desc: "Seed 003: an active subscription stops (recur_stopped_on set); a stopped one resumes from today's period (the periods that passed while stopped are skipped); a completed one is 422."}},
	{"POST", "/api/v1/recurring-invoices", "invoices:write", func(a *API) endpoint { return a.createRecurring }, doc{sum: "Create a recurring invoice", in: recurringRequest{}, out: recurringV1{}, status: 201, example: exRecurring,
		desc: "An invoice issued every intervalCount intervals (day, week, month, year) from startDate (default today) until maxCount invoices or endDate, unless stopped. Each period's invoice is made once by the scheduler (every instance runs it; the template is locked per period and invoices carry the period under a unique index), dated its period, and issued (posted) unless issue is false. Missed periods after downtime are all made. Months keep the start day, or the month's last day."}},
	{"GET", "/api/v1/recurring-invoices", "invoices:read", func(a *API) endpoint { return a.listRecurring }, doc{sum: "List recurring invoices", out: recurringV1{}, arr: true, page: true,
		params: []param{{name: "customerId", desc: "One customer's"}, {name: "page", typ: "integer"}, {name: "per_page", typ: "integer"}}}},
	{"GET", "/api/v1/recurring-invoices/{id}", "invoices:read", func(a *API) endpoint { return a.getRecurring }, doc{sum: "Get a recurring invoice", out: recurringV1{}}},
	{"PATCH", "/api/v1/recurring-invoices/{id}", "invoices:write", func(a *API) endpoint { return a.updateRecurring }, doc{sum: "Update a recurring invoice", in: recurringRequest{}, out: recurringV1{},
		desc: "Changes apply from the next period; items replaces the lines; endDate/maxCount null clear them. customerId and startDate cannot change."}},
	{"POST", "/api/v1/integration/contacts/{id}/payments", "payments:write,invoices:write", func(a *API) endpoint { return a.payDue }, doc{sum: "Pay a contact's due invoices", in: payDueRequest{}, out: payDueV1{}, status: 201, idem: true,
		desc: "Seed 003: the amount is applied to the oldest open invoices first; the rest is an advance."}},
	{"GET", "/api/v1/integration/contacts/{id}/payments", "payments:read", func(a *API) endpoint { return a.listContactPayments }, doc{sum: "List a contact's payments", envelope: contactPaymentsBody{},
		params: append([]param{{name: "start_date", typ: "date", desc: "With end_date: payments dated in the range (the summary covers the range)"}, {name: "end_date", typ: "date"},
			{name: "q", desc: "At least 2 characters: payment number, reference, notes, method, id or a paid invoice's number (not applied to the summary)"}}, laravelParams...)}},
	{"GET", "/api/v1/integration/contacts/{id}/balance", "customers:read", func(a *API) endpoint { return a.contactBalance }, doc{sum: "A contact's balance due", out: contactBalanceV1{}}},
	{"GET", "/api/v1/integration/contacts/{id}/opening-balance", "customers:read,ledger:read", func(a *API) endpoint { return a.contactOpeningBalance }, doc{sum: "A contact's opening balance", out: openingBalanceV1{}}},
	{"GET", "/api/v1/integration/contacts/{id}/ledger", "customers:read,ledger:read", func(a *API) endpoint { return a.contactLedger }, doc{sum: "A contact's ledger", out: contactLedgerV1{},
		params: []param{{name: "start_date", typ: "date"}, {name: "end_date", typ: "date"}, {name: "format", enum: []string{"format_1", "format_2"}, desc: "format_2 adds each invoice's totals"}, {name: "q"}}}},
	{"POST", "/api/v1/integration/contacts/{id}/ledger/send", "customers:read,ledger:read", func(a *API) endpoint { return a.ledgerSend }, doc{sum: "Email a contact's ledger", in: ledgerSendRequest{}, envelope: messageBody{},
		desc: "Seed 003: emails the statement PDF of start_date..end_date (opening and closing balance, every ledger line, aging) to to_email (one address, a comma-separated list or an array) with cc and bcc; " +
			"{balance_due}, {contact_name} and {business_name} work in subject and email_body. The email is queued in this request and delivered by the mail worker (GET …/customers/{id}/deliveries)."}},
	{"GET", "/api/v1/integration/contacts/{id}/ledger-discounts", "customers:read,ledger:read", func(a *API) endpoint { return a.listDiscounts }, doc{sum: "List a contact's ledger discounts", out: ledgerDiscountV1{}, arr: true, page: true}},
	{"GET", "/api/v1/integration/ledger-discounts", "ledger:read", func(a *API) endpoint { return a.listDiscounts }, doc{sum: "List ledger discounts", out: ledgerDiscountV1{}, arr: true, page: true,
		params: []param{{name: "contact_id", desc: "Only this contact's"}}}},
	{"POST", "/api/v1/integration/ledger-discounts", "ledger:write", func(a *API) endpoint { return a.createDiscount }, doc{sum: "Create a ledger discount", in: discountRequest{}, out: ledgerDiscountV1{}, status: 201, idem: true,
		desc: "Posts Dr sales discounts / Cr receivables for the contact."}},
	{"GET", "/api/v1/integration/ledger-discounts/{id}", "ledger:read", func(a *API) endpoint { return a.getDiscount }, doc{sum: "Get a ledger discount", out: ledgerDiscountV1{}}},
	{"PATCH", "/api/v1/integration/ledger-discounts/{id}", "ledger:write", func(a *API) endpoint { return a.updateDiscount }, doc{sum: "Update a ledger discount", in: discountRequest{}, out: ledgerDiscountV1{}}},
	{"PUT", "/api/v1/integration/ledger-discounts/{id}", "ledger:write", func(a *API) endpoint { return a.updateDiscount }, doc{sum: "Update a ledger discount", in: discountRequest{}, out: ledgerDiscountV1{}}},
	{"DELETE", "/api/v1/integration/ledger-discounts/{id}", "ledger:write", func(a *API) endpoint { return a.deleteDiscount }, doc{sum: "Delete a ledger discount", out: idOnlyV1{}}},
	// Seed 004's routes answer its generic error codes.
	{"GET", "/api/v1/accounts", "ledger:read", func(a *API) endpoint { return seed004Codes(a.listAccounts) }, doc{sum: "List accounts", out: accountV1{}, list: &accountList,
		params: []param{{name: "page", typ: "integer", desc: "Seed 004's page number (with limit, default 20); pagination then carries page and pages"}}}},
	{"POST", "/api/v1/accounts", "ledger:write", func(a *API) endpoint { return seed004Codes(a.createAccount) }, doc{sum: "Create an account", in: accountRequest{}, out: accountV1{}, status: 201}},
	{"GET", "/api/v1/accounts/{id}", "ledger:read", func(a *API) endpoint { return seed004Codes(a.getAccount) }, doc{sum: "Get an account", out: accountV1{},
		desc: "The account with its balance on its normal side."}},
	{"PATCH", "/api/v1/accounts/{id}", "ledger:write", func(a *API) endpoint { return seed004Codes(a.updateAccount) }, doc{sum: "Update an account", in: accountPatch{}, out: accountV1{},
		example: `{"name": "Petty Cash (HQ)", "description": "Petty cash fund", "is_active": true}`,
		desc:    "Code, name, subtype, description, is_active, is_reconcilable. The type, currency and normal balance cannot change; system accounts cannot be deactivated."}},
	{"DELETE", "/api/v1/accounts/{id}", "ledger:write", func(a *API) endpoint { return seed004Codes(a.deleteAccount) }, doc{sum: "Delete an account", out: deletedV1{},
		desc: "Only an account never posted to and not a system account: otherwise 422 ACCOUNT_IN_USE (deactivate it instead)."}},
	{"GET", "/api/v1/journal-entries", "ledger:read", func(a *API) endpoint { return seed004Codes(a.listJournalEntries) }, doc{sum: "List journal entries", out: journalEntryV1{}, list: &journalEntryList,
		desc: "Newest first (date, then number), each with its lines. page (seed 004; default limit 20) pages by number, with meta and pagination carrying page, limit, total, pages; cursor pages as every list. Filters: status, source_type, entry_number, reference, date with operators, fromDate/toDate, account_id (entries with a line on that account)."}},
	{"GET", "/api/v1/journal-entries/{id}", "ledger:read", func(a *API) endpoint { return seed004Codes(a.getJournalEntry) }, doc{sum: "Get a journal entry", out: journalEntryV1{}}},
	{"POST", "/api/v1/journal-entries", "ledger:write", func(a *API) endpoint { return seed004Codes(a.createJournalEntry) }, doc{sum: "Post a journal entry", in: journalEntryRequest{}, out: journalEntryV1{}, status: 201,
		desc: "A manual entry: its lines must balance (debits = credits)."}},
	{"GET", "/v1/reports/balance-sheet", "ledger:read", func(a *API) endpoint { return a.report("balance_sheet") }, doc{sum: "Balance sheet", out: map[string]any{}, params: reportParams}},
	{"GET", "/v1/reports/profit-loss", "ledger:read", func(a *API) endpoint { return a.report("profit_loss") }, doc{sum: "Profit and loss", out: map[string]any{}, params: reportParams}},
	{"GET", "/api/v1/reports/{type}", "ledger:read", func(a *API) endpoint { return a.report("") }, doc{sum: "A financial report", out: map[string]any{}, params: reportParams,
		desc: "type: trial-balance, balance-sheet, profit-loss, ar-aging or financial."}},
	{"GET", "/api/v2/customers", "customers:read", func(a *API) endpoint { return a.listCustomersV2 }, doc{sum: "List customers", out: customerV2{}, arr: true, v2: true,
		params: v2PageParams(param{name: "search", desc: "Matches account name, email, phone or customer number"}),
		desc:   "Newest first, paged by number: meta{current_page, total_pages, total_records, per_page}. A page past the end is empty."}},
	{"POST", "/api/v2/customers", "customers:write", func(a *API) endpoint { return a.createCustomerV2 }, doc{sum: "Create a customer", in: customerV2Request{}, out: customerV2{}, status: 201, v2: true,
		example: `{"account": "Jane Smith", "email": "jane@example.com", "phone": "1234567890", "address": "123 Business St", "city": "New York", "state": "NY", "zip": "10001", "country": "US"}`,
		desc:    "Required: account, and email or phone. Errors name the v2 fields (errors{account, email, zip, …})."}},
	{"GET", "/api/v2/customers/{id}", "customers:read", func(a *API) endpoint { return a.getCustomerV2 }, doc{sum: "Get a customer", out: customerV2{}, v2: true}},
	{"PUT", "/api/v2/customers/{id}", "customers:write", func(a *API) endpoint { return a.updateCustomerV2 }, doc{sum: "Update a customer", in: customerV2Request{}, out: customerV2{}, v2: true,
		desc: "Partial: absent keys are kept; null clears email, phone or an address part."}},
	{"DELETE", "/api/v2/customers/{id}", "customers:write", func(a *API) endpoint { return a.deleteCustomerV2 }, doc{sum: "Delete a customer", out: deletedV1{}, v2: true,
		desc: "Only a customer without documents: otherwise 409 CUSTOMER_HAS_TRANSACTIONS."}},
	{"POST", "/api/v2/batch/customers", "customers:write", func(a *API) endpoint { return a.batchCustomersV2 }, doc{sum: "Batch create customers", in: batchCustomersV2Request{}, out: batchV2{}, v2: true, status: 201, idem: true,
		example: `{"customers": [{"account": "Customer 1", "email": "customer1@example.com"}, {"account": "Customer 2", "email": "customer2@example.com"}]}`,
		params:  []param{{name: "atomic", typ: "boolean", desc: "true: all or nothing (any invalid customer: 422 BATCH_FAILED, nothing written)"}},
		desc: "Up to 1,000 customers in one transaction, each judged as POST /api/v2/customers. Per item by default: the valid ones are created and each invalid one is reported at its index " +
			"with errors{field: message}; 201 when all were created, 207 when some were not, 422 when none was. An Idempotency-Key replays the first answer."}},
	{"GET", "/api/v2/invoices", "invoices:read", func(a *API) endpoint { return a.listInvoicesV2 }, doc{sum: "List invoices", out: invoiceV2{}, arr: true, v2: true,
		params: v2PageParams(param{name: "status", desc: "Paid, Unpaid, Partially Paid (also Draft, Void); comma separated for several"},
			param{name: "customer_id", desc: "One customer's invoices"}, param{name: "date_from", typ: "date", desc: "Invoice date on or after"},
			param{name: "date_to", typ: "date", desc: "Invoice date on or before"}),
		desc: "Newest invoice date first, each with its items; paged by number."}},
	{"POST", "/api/v2/invoices", "invoices:write", func(a *API) endpoint { return a.createInvoiceV2 }, doc{sum: "Create an invoice", in: invoiceV2Request{}, out: invoiceV2{}, status: 201, v2: true,
		example: `{"customer_id": "cust_01HZX3J5Q6M8N9P0R1S2T3V4W5", "date": "2024-01-15", "due_date": "2024-02-15", "items": [{"description": "Web Development", "amount": 1500.00, "qty": 1}], "notes": "Payment due within 30 days"}`,
		desc: "Created and issued in one transaction (posted to the ledger: Dr receivables / Cr sales, tax), so it starts Unpaid. An item's amount is its unit price; qty defaults to 1; " +
			"tax_rate picks the company's tax code with that rate; product_id takes a product's name and price."}},
	{"GET", "/api/v2/invoices/{id}", "invoices:read", func(a *API) endpoint { return a.getInvoiceV2 }, doc{sum: "Get an invoice", out: invoiceV2{}, v2: true}},
	{"GET", "/api/v2/quotes", "quotes:read", func(a *API) endpoint { return a.listQuotesV2 }, doc{sum: "List quotes", out: quoteV2{}, arr: true, v2: true,
		params: v2PageParams(param{name: "status", desc: "Draft, Sent, Accepted, Rejected, Expired, Converted; comma separated for several"},
			param{name: "customer_id", desc: "One customer's quotes"}),
		desc: "Newest quote date first, each with its items; paged by number."}},
	{"POST", "/api/v2/quotes", "quotes:write", func(a *API) endpoint { return a.createQuoteV2 }, doc{sum: "Create a quote", in: quoteV2Request{}, out: quoteV2{}, status: 201, v2: true,
		example: `{"customer_id": "cust_01HZX3J5Q6M8N9P0R1S2T3V4W5", "valid_until": "2024-02-15", "items": [{"description": "Consulting Services", "amount": 2000.00, "qty": 1}]}`,
		desc:    "A draft quote (send, accept and convert it through /api/v1/quotes/{id}/…); items as for invoices."}},
	{"GET", "/api/v2/quotes/{id}", "quotes:read", func(a *API) endpoint { return a.getQuoteV2 }, doc{sum: "Get a quote", out: quoteV2{}, v2: true}},
	{"GET", "/api/v2/products", "items:read", func(a *API) endpoint { return a.listProductsV2 }, doc{sum: "List products", out: productV2{}, arr: true, v2: true,
		params: v2PageParams(param{name: "search", desc: "Matches code or name"}, param{name: "type", enum: []string{"product", "service"}}),
		desc:   "The item catalogue, newest first; paged by number."}},
	{"POST", "/api/v2/products", "items:write", func(a *API) endpoint { return a.createProductV2 }, doc{sum: "Create a product", in: productV2Request{}, out: productV2{}, status: 201, v2: true,
		example: `{"name": "Web Hosting", "price": 99.99, "description": "Annual web hosting package", "type": "service", "tax_rate": 10}`,
		desc:    "tax_rate names one of the company's tax codes by its rate (SST 6, SST10 10, ZR 0 to start with); code is optional (ITEM-0001, … when left out)."}},
	{"GET", "/api/v2/transactions", "ledger:read", func(a *API) endpoint { return a.listTransactionsV2 }, doc{sum: "List transactions", out: transactionV2{}, arr: true, v2: true,
		params: v2PageParams(param{name: "type", enum: []string{"Income", "Expense"}, desc: "Income: money in (debits to the account); Expense: money out"},
			param{name: "account_id", desc: "One cash or bank account"}, param{name: "date_from", typ: "date"}, param{name: "date_to", typ: "date"}),
		desc: "Every ledger line on a cash or bank account (a reconcilable asset account), newest first: payments received, recorded transactions, voids. Paged by number."}},
	{"POST", "/api/v2/transactions", "ledger:write", func(a *API) endpoint { return a.recordTransactionV2 }, doc{sum: "Record a transaction", in: transactionV2Request{}, out: transactionV2{}, status: 201, v2: true, idem: true,
		example: `{"type": "Income", "account_id": "acc_01HZX3J5Q6M8N9P0R1S2T3V4W5", "amount": 1500.00, "category_id": "acc_01HZX3J5Q6M8N9P0R1S2T3V4W6", "description": "Website Development Payment", "date": "2024-01-15"}`,
		desc:    "Posts a balanced manual journal entry: Income is Dr account_id (cash or bank) / Cr category_id (an income account); Expense is Dr category_id (an expense account) / Cr account_id."}},
	{"GET", "/api/v2/reports/financial", "ledger:read", func(a *API) endpoint { return a.financialSummary }, doc{sum: "Financial summary", out: map[string]any{},
		params: []param{{name: "year", typ: "integer"}, {name: "month", typ: "integer", desc: "1–12 (with year)"}}}},
	// Webhooks: seed 001's subscribe path, seed 002's v2 path, and the rest.
	{"POST", "/api/v1/webhooks/subscribe", "webhooks:write", func(a *API) endpoint { return a.createWebhook }, doc{sum: "Subscribe a webhook", in: webhookRequest{}, out: webhookV1{}, status: 201,
		desc: "Deliveries are signed: X-BigLedger-Signature: sha256=<hex HMAC-SHA256 of the raw body>; the secret is in this answer only."}},
	{"POST", "/api/v1/webhooks", "webhooks:write", func(a *API) endpoint { return a.createWebhook }, doc{sum: "Create a webhook endpoint", in: webhookRequest{}, out: webhookV1{}, status: 201}},
	{"POST", "/api/v2/webhooks", "webhooks:write", func(a *API) endpoint { return a.createWebhook }, doc{sum: "Create a webhook endpoint", in: webhookRequest{}, out: webhookV1{}, status: 201}},
	{"GET", "/api/v1/webhooks", "webhooks:read", func(a *API) endpoint { return a.listWebhooks }, doc{sum: "List webhook endpoints", out: webhookV1{}, arr: true}},
	{"GET", "/api/v2/webhooks", "webhooks:read", func(a *API) endpoint { return a.listWebhooks }, doc{sum: "List webhook endpoints", out: webhookV1{}, arr: true}},
	{"GET", "/api/v1/webhooks/{id}", "webhooks:read", func(a *API) endpoint { return a.getWebhook }, doc{sum: "Get a webhook endpoint", out: webhookV1{}}},
	{"GET", "/api/v2/webhooks/{id}", "webhooks:read", func(a *API) endpoint { return a.getWebhook }, doc{sum: "Get a webhook endpoint", out: webhookV1{}}},
	{"DELETE", "/api/v1/webhooks/{id}", "webhooks:write", func(a *API) endpoint { return a.deleteWebhook }, doc{sum: "Delete a webhook endpoint", out: idOnlyV1{}}},
	{"DELETE", "/api/v2/webhooks/{id}", "webhooks:write", func(a *API) endpoint { return a.deleteWebhook }, doc{sum: "Delete a webhook endpoint", out: idOnlyV1{}}},
	{"GET", "/api/v1/webhooks/{id}/deliveries", "webhooks:read", func(a *API) endpoint { return a.listDeliveries }, doc{sum: "List a webhook's deliveries", out: deliveryV1{}, arr: true,
		params: []param{{name: "limit", typ: "integer", desc: "1–100, default 50"}}}},
	{"GET", "/api/v2/webhooks/{id}/deliveries", "webhooks:read", func(a *API) endpoint { return a.listDeliveries }, doc{sum: "List a webhook's deliveries", out: deliveryV1{}, arr: true,
		params: []param{{name: "limit", typ: "integer", desc: "1–100, default 50"}}}},
	{"GET", "/api/v1/events", "", func(a *API) endpoint { return a.listEvents }, doc{sum: "List events", out: eventsPageV1{},
		desc:   "The company's event log in commit order; only the types the key's scopes may read.",
		params: []param{{name: "after", desc: "An event id: the events after it"}, {name: "types", desc: "Event types, comma separated"}, {name: "limit", typ: "integer", desc: "1–100, default 50"}}}},
	// The document kind decides the scope: checked in the handler.
	{"GET", "/api/v1/attachments/{id}", "", func(a *API) endpoint { return a.getAttachment }, doc{sum: "Get an attachment", out: attachmentV1{},
		desc: "Needs the read scope of the attachment's document."}},
	{"DELETE", "/api/v1/attachments/{id}", "", func(a *API) endpoint { return a.deleteAttachment }, doc{sum: "Delete an attachment", out: deletedV1{},
		desc: "Needs the write scope of the attachment's document."}},
}

// allRoutes and allOtherRoutes are the tables with their v1 twins.
var allRoutes, allOtherRoutes = withV1Twins(routes, otherRoutes)

// v1Twin is the other base path of a v1 route: seeds 000 and 001 give
// the v1 API's base URL as both …/api/v1 and …/v1, so every /api/v1/x is
// also /v1/x and the reverse. The integration API (seed 003) has its own
// base, /api/v1/integration, and no twin.
func v1Twin(path string) (string, bool) {
	switch {
	case strings.HasPrefix(path, "/api/v1/integration/"):
		return "", false
	case strings.HasPrefix(path, "/api/v1/"):
		return "/v1/" + strings.TrimPrefix(path, "/api/v1/"), true
	case strings.HasPrefix(path, "/v1/"):
		return "/api/v1/" + strings.TrimPrefix(path, "/v1/"), true
	}
	return "", false
}

// withV1Twins returns the route table and the server's other routes, each
// followed by the twins of its v1 routes: the same handler, scope and
// documentation at the other base path. A twin is left out where a route
// of the tables already answers its method and path, a wildcard one
// included: /api/v1/reports/balance-sheet stays with /api/v1/reports/{type}
// rather than taking the /v1 route's handler, while /v1/reports/{type}
// joins the two literal /v1 reports.
func withV1Twins(table, others []route) ([]route, []route) {
	var taken []*regexp.Regexp
	for _, rt := range slices.Concat(table, others) {
		parts := pathParam.Split(rt.path, -1)
		for i := range parts {
			parts[i] = regexp.QuoteMeta(parts[i])
		}
		taken = append(taken, regexp.MustCompile("^"+rt.method+" "+strings.Join(parts, `[^/]+`)+"$"))
	}
	twins := func(in []route) []route {
		out := slices.Clone(in)
		for _, rt := range in {
			twin, ok := v1Twin(rt.path)
			if !ok || slices.ContainsFunc(taken, func(re *regexp.Regexp) bool { return re.MatchString(rt.method + " " + twin) }) {
				continue
			}
			tw := rt
			tw.path = twin
			tw.doc.aliasOf = rt.method + " " + rt.path
			out = append(out, tw)
		}
		return out
	}
	return twins(table), twins(others)
}

// methodNotAllowed answers 405 naming the methods a path allows.
func methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		WriteError(w, r, &apperr.Error{Kind: apperr.KindInvalidState, Code: "METHOD_NOT_ALLOWED",
			Message: r.Method + " is not allowed here; use " + allow, Status: http.StatusMethodNotAllowed})
	}
}

// Handler routes /api/v1. Authentication happens before it (the server's
// middleware); each route checks its scope. Unknown paths and methods
// answer in the envelope too.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	methods := map[string][]string{}
	for _, rt := range allRoutes {
		mux.Handle(rt.method+" "+rt.path, requireScope(rt.scope, serve(rt.handler(a))))
		methods[rt.path] = append(methods[rt.path], rt.method)
	}
	for path, ms := range methods {
		notAllowed := methodNotAllowed(strings.Join(ms, ", "))
		// One pattern per other method: a method-less pattern would clash
		// with a sibling such as GET /webhooks/{id} next to POST /webhooks/subscribe.
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			if !slices.Contains(ms, m) {
				mux.HandleFunc(m+" "+path, notAllowed)
			}
		}
	}
	for _, rt := range allOtherRoutes {
		if strings.HasSuffix(rt.path, "/attachments/{id}/content") {
			mux.HandleFunc(rt.method+" "+rt.path, a.downloadAttachment)
		}
		if h := a.rawHandler(rt.path); h != nil {
			mux.Handle(rt.method+" "+rt.path, requireScope(rt.scope, h))
			for _, m := range []string{"POST", "PUT", "PATCH", "DELETE"} {
				mux.HandleFunc(m+" "+rt.path, methodNotAllowed("GET"))
			}
		}
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, apperr.NotFound("NOT_FOUND", "No such endpoint: "+r.Method+" "+r.URL.Path))
	})
	return checkRequestText(mux)
}

// rawHandler is the handler of a raw GET route (a file, not the
// envelope) by its path's tail.
func (a *API) rawHandler(path string) http.HandlerFunc {
	for suffix, h := range map[string]http.HandlerFunc{
		"/contacts/import/template":     a.importTemplate,
		"/invoices/{id}/pdf":            a.invoicePDF,
		"/quotes/{id}/pdf":              a.quotePDF,
		"/refunds/{id}/pdf":             a.creditNotePDF,
		"/customers/{id}/statement.pdf": a.statementPDF,
	} {
		if strings.HasSuffix(path, suffix) {
			return h
		}
	}
	return nil
}

// checkRequestText refuses, before any route runs, a NUL character in the
// path or a query parameter, and a query parameter (search, q, a filter)
// longer than input.MaxFilterLength; the cursor is exempt from the length
// (it is ours, and checked on its own).
func checkRequestText(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var d apperr.Details
		if strings.IndexByte(r.URL.Path, 0) >= 0 {
			d.Add("id", "%s", input.NULMessage)
		}
		for k, vs := range r.URL.Query() {
			for _, v := range vs {
				switch {
				case strings.IndexByte(k, 0) >= 0 || strings.IndexByte(v, 0) >= 0:
					d.Add(strings.ReplaceAll(k, "\x00", ""), "%s", input.NULMessage)
				case k != "cursor" && input.TooLong(v):
					d.Add(k, "%s", input.FilterTooLong)
				}
			}
		}
		if len(d) > 0 {
			sortDetails(d)
			WriteError(w, r, d.Err("VALIDATION_ERROR", "Invalid request parameters"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// seed004Codes gives an endpoint seed 004's generic error codes: every
// validation error is VALIDATION_ERROR and every missing resource
// RESOURCE_NOT_FOUND (the message and field details are kept). Seed 000's
// routes keep their specific codes.
func seed004Codes(fn endpoint) endpoint {
	return func(r *http.Request) (result, error) {
		res, err := fn(r)
		if err == nil {
			return res, nil
		}
		ae := apperr.From(err)
		switch ae.Kind {
		case apperr.KindValidation:
			if ae.Code != "PAYLOAD_TOO_LARGE" {
				c := *ae
				c.Code, c.Status = "VALIDATION_ERROR", 0
				return res, &c
			}
		case apperr.KindNotFound:
			c := *ae
			c.Code, c.Status = "RESOURCE_NOT_FOUND", 0
			return res, &c
		}
		return res, err
	}
}

// requireScope checks the route's scopes (comma-separated: all required).
func requireScope(scopes string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a := reqid.AccessOf(r.Context()); a != nil {
			a.Route = r.Pattern
		}
		for _, scope := range strings.Split(scopes, ",") {
			if scope == "" {
				continue
			}
			if err := auth.Require(r.Context(), scope); err != nil {
				WriteError(w, r, err)
				return
			}
		}
		h(w, r)
	})
}
