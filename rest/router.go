package rest

import (
	"net/http"
	"slices"

	"github.com/bigledger/bigledger/ent/attachment"
	"strings"

	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/input"
	"github.com/bigledger/bigledger/internal/reqid"
)

type route struct {
	method, path, scope string
	handler             func(*API) endpoint
}

// Route is one documented REST route: method, path pattern (with {id}
// style wildcards) and the scopes it requires (comma-separated).
type Route struct{ Method, Path, Scopes string }

// Routes lists every route of the facade, in table order.
func Routes() []Route {
	out := make([]Route, len(routes))
	for i, rt := range routes {
		out[i] = Route{rt.method, rt.path, rt.scope}
	}
	return out
}

// routes is the v1 surface: seed 000 customers/contacts, seed 003 groups.
var routes = []route{
	{"GET", "/api/v1/api-keys", auth.ScopeKeysAdmin, func(a *API) endpoint { return a.listAPIKeys }},
	{"POST", "/api/v1/api-keys", auth.ScopeKeysAdmin, func(a *API) endpoint { return a.createAPIKey }},
	{"DELETE", "/api/v1/api-keys/{id}", auth.ScopeKeysAdmin, func(a *API) endpoint { return a.revokeAPIKey }},
	{"GET", "/api/v1/customers", "customers:read", func(a *API) endpoint { return a.listCustomers }},
	{"POST", "/api/v1/customers", "customers:write", func(a *API) endpoint { return a.createCustomer }},
	{"GET", "/api/v1/customers/{id}", "customers:read", func(a *API) endpoint { return a.getCustomer }},
	{"PUT", "/api/v1/customers/{id}", "customers:write", func(a *API) endpoint { return a.updateCustomer }},
	{"PATCH", "/api/v1/customers/{id}", "customers:write", func(a *API) endpoint { return a.updateCustomer }},
	{"DELETE", "/api/v1/customers/{id}", "customers:write", func(a *API) endpoint { return a.deleteCustomer }},
	{"GET", "/api/v1/customers/{id}/contacts", "customers:read", func(a *API) endpoint { return a.listContacts }},
	{"GET", "/api/v1/customers/{id}/summary", "customers:read,invoices:read", func(a *API) endpoint { return a.customerSummary }},
	{"POST", "/api/v1/customers/{id}/contacts", "customers:write", func(a *API) endpoint { return a.createContact }},
	{"GET", "/api/v1/integration/customer-groups", "customers:read", func(a *API) endpoint { return a.listGroups }},
	{"POST", "/api/v1/integration/customer-groups", "customers:write", func(a *API) endpoint { return a.createGroup }},
	{"GET", "/api/v1/integration/customer-groups/{id}", "customers:read", func(a *API) endpoint { return a.getGroup }},
	{"PATCH", "/api/v1/integration/customer-groups/{id}", "customers:write", func(a *API) endpoint { return a.updateGroup }},
	{"PUT", "/api/v1/integration/customer-groups/{id}", "customers:write", func(a *API) endpoint { return a.updateGroup }},
	{"DELETE", "/api/v1/integration/customer-groups/{id}", "customers:write", func(a *API) endpoint { return a.deleteGroup }},
	{"GET", "/api/v1/items", "items:read", func(a *API) endpoint { return a.listItems }},
	{"POST", "/api/v1/items", "items:write", func(a *API) endpoint { return a.createItem }},
	{"GET", "/api/v1/invoices", "invoices:read", func(a *API) endpoint { return a.listInvoices }},
	{"POST", "/api/v1/invoices", "invoices:write", func(a *API) endpoint { return a.createInvoice }},
	{"GET", "/api/v1/invoices/{id}", "invoices:read", func(a *API) endpoint { return a.getInvoice }},
	{"PUT", "/api/v1/invoices/{id}", "invoices:write", func(a *API) endpoint { return a.updateInvoice }},
	{"POST", "/api/v1/invoices/{id}/send", "invoices:write", func(a *API) endpoint { return a.sendInvoice }},
	{"POST", "/api/v1/invoices/{id}/void", "invoices:write", func(a *API) endpoint { return a.voidInvoice }},
	{"GET", "/api/v1/quotes", "quotes:read", func(a *API) endpoint { return a.listQuotes }},
	{"POST", "/api/v1/quotes", "quotes:write", func(a *API) endpoint { return a.createQuote }},
	{"GET", "/api/v1/quotes/{id}", "quotes:read", func(a *API) endpoint { return a.getQuote }},
	{"PUT", "/api/v1/quotes/{id}", "quotes:write", func(a *API) endpoint { return a.updateQuote }},
	{"POST", "/api/v1/quotes/{id}/send", "quotes:write", func(a *API) endpoint { return a.sendQuote }},
	{"POST", "/api/v1/quotes/{id}/accept", "quotes:write", func(a *API) endpoint { return a.acceptQuote }},
	{"POST", "/api/v1/quotes/{id}/reject", "quotes:write", func(a *API) endpoint { return a.rejectQuote }},
	{"POST", "/api/v1/quotes/{id}/convert-to-order", "quotes:write,sales_orders:write", func(a *API) endpoint { return a.convertQuote }},
	{"GET", "/api/v1/sales-orders", "sales_orders:read", func(a *API) endpoint { return a.listOrders }},
	{"POST", "/api/v1/sales-orders", "sales_orders:write", func(a *API) endpoint { return a.createOrder }},
	{"GET", "/api/v1/sales-orders/{id}", "sales_orders:read", func(a *API) endpoint { return a.getOrder }},
	{"PUT", "/api/v1/sales-orders/{id}", "sales_orders:write", func(a *API) endpoint { return a.updateOrder }},
	{"PATCH", "/api/v1/sales-orders/{id}/status", "sales_orders:write", func(a *API) endpoint { return a.updateOrderStatus }},
	{"POST", "/api/v1/sales-orders/{id}/convert-to-invoice", "sales_orders:write,invoices:write", func(a *API) endpoint { return a.convertOrder }},
	{"GET", "/api/v1/quotes/{id}/attachments", "quotes:read", func(a *API) endpoint { return a.listAttachments(attachment.DocumentTypeQuote) }},
	{"POST", "/api/v1/quotes/{id}/attachments", "quotes:write", func(a *API) endpoint { return a.uploadAttachment(attachment.DocumentTypeQuote) }},
	{"GET", "/api/v1/sales-orders/{id}/attachments", "sales_orders:read", func(a *API) endpoint { return a.listAttachments(attachment.DocumentTypeSalesOrder) }},
	{"POST", "/api/v1/sales-orders/{id}/attachments", "sales_orders:write", func(a *API) endpoint { return a.uploadAttachment(attachment.DocumentTypeSalesOrder) }},
	{"GET", "/api/v1/invoices/{id}/attachments", "invoices:read", func(a *API) endpoint { return a.listAttachments(attachment.DocumentTypeInvoice) }},
	{"POST", "/api/v1/invoices/{id}/attachments", "invoices:write", func(a *API) endpoint { return a.uploadAttachment(attachment.DocumentTypeInvoice) }},
	{"POST", "/api/v1/invoices/{id}/payments", "payments:write,invoices:write", func(a *API) endpoint { return a.recordPayment }},
	{"GET", "/api/v1/invoices/{id}/payments", "payments:read", func(a *API) endpoint { return a.listInvoicePayments }},
	// Seed 001's path for the same operation.
	{"POST", "/v1/invoices/{id}/payment", "payments:write,invoices:write", func(a *API) endpoint { return a.recordPayment }},
	{"GET", "/api/v1/payments/{id}", "payments:read", func(a *API) endpoint { return a.getPayment }},
	{"POST", "/api/v1/payments/{id}/void", "payments:write,invoices:write", func(a *API) endpoint { return a.voidPayment }},
	{"POST", "/api/v1/integration/contacts/{id}/payments", "payments:write,invoices:write", func(a *API) endpoint { return a.payDue }},
	{"GET", "/api/v1/integration/contacts/{id}/payments", "payments:read", func(a *API) endpoint { return a.listContactPayments }},
	{"GET", "/api/v1/integration/contacts/{id}/balance", "customers:read", func(a *API) endpoint { return a.contactBalance }},
	{"GET", "/api/v1/integration/contacts/{id}/opening-balance", "customers:read,ledger:read", func(a *API) endpoint { return a.contactOpeningBalance }},
	{"GET", "/api/v1/integration/contacts/{id}/ledger", "customers:read,ledger:read", func(a *API) endpoint { return a.contactLedger }},
	{"GET", "/api/v1/integration/contacts/{id}/ledger-discounts", "customers:read,ledger:read", func(a *API) endpoint { return a.listDiscounts }},
	{"GET", "/api/v1/integration/ledger-discounts", "ledger:read", func(a *API) endpoint { return a.listDiscounts }},
	{"POST", "/api/v1/integration/ledger-discounts", "ledger:write", func(a *API) endpoint { return a.createDiscount }},
	{"GET", "/api/v1/integration/ledger-discounts/{id}", "ledger:read", func(a *API) endpoint { return a.getDiscount }},
	{"PATCH", "/api/v1/integration/ledger-discounts/{id}", "ledger:write", func(a *API) endpoint { return a.updateDiscount }},
	{"PUT", "/api/v1/integration/ledger-discounts/{id}", "ledger:write", func(a *API) endpoint { return a.updateDiscount }},
	{"DELETE", "/api/v1/integration/ledger-discounts/{id}", "ledger:write", func(a *API) endpoint { return a.deleteDiscount }},
	// Seed 004's routes answer its generic error codes.
	{"GET", "/api/v1/accounts", "ledger:read", func(a *API) endpoint { return seed004Codes(a.listAccounts) }},
	{"POST", "/api/v1/accounts", "ledger:write", func(a *API) endpoint { return seed004Codes(a.createAccount) }},
	{"POST", "/api/v1/journal-entries", "ledger:write", func(a *API) endpoint { return seed004Codes(a.createJournalEntry) }},
	{"GET", "/v1/reports/balance-sheet", "ledger:read", func(a *API) endpoint { return a.report("balance_sheet") }},
	{"GET", "/v1/reports/profit-loss", "ledger:read", func(a *API) endpoint { return a.report("profit_loss") }},
	{"GET", "/api/v1/reports/{type}", "ledger:read", func(a *API) endpoint { return a.report("") }},
	{"GET", "/api/v2/reports/financial", "ledger:read", func(a *API) endpoint { return a.financialSummary }},
	// Webhooks: seed 001's subscribe path, seed 002's v2 path, and the rest.
	{"POST", "/api/v1/webhooks/subscribe", "webhooks:write", func(a *API) endpoint { return a.createWebhook }},
	{"POST", "/api/v1/webhooks", "webhooks:write", func(a *API) endpoint { return a.createWebhook }},
	{"POST", "/api/v2/webhooks", "webhooks:write", func(a *API) endpoint { return a.createWebhook }},
	{"GET", "/api/v1/webhooks", "webhooks:read", func(a *API) endpoint { return a.listWebhooks }},
	{"GET", "/api/v2/webhooks", "webhooks:read", func(a *API) endpoint { return a.listWebhooks }},
	{"GET", "/api/v1/webhooks/{id}", "webhooks:read", func(a *API) endpoint { return a.getWebhook }},
	{"GET", "/api/v2/webhooks/{id}", "webhooks:read", func(a *API) endpoint { return a.getWebhook }},
	{"DELETE", "/api/v1/webhooks/{id}", "webhooks:write", func(a *API) endpoint { return a.deleteWebhook }},
	{"DELETE", "/api/v2/webhooks/{id}", "webhooks:write", func(a *API) endpoint { return a.deleteWebhook }},
	{"GET", "/api/v1/webhooks/{id}/deliveries", "webhooks:read", func(a *API) endpoint { return a.listDeliveries }},
	{"GET", "/api/v2/webhooks/{id}/deliveries", "webhooks:read", func(a *API) endpoint { return a.listDeliveries }},
	{"GET", "/api/v1/events", "", func(a *API) endpoint { return a.listEvents }},
	// The document kind decides the scope: checked in the handler.
	{"GET", "/api/v1/attachments/{id}", "", func(a *API) endpoint { return a.getAttachment }},
	{"DELETE", "/api/v1/attachments/{id}", "", func(a *API) endpoint { return a.deleteAttachment }},
}

// Handler routes /api/v1. Authentication happens before it (the server's
// middleware); each route checks its scope. Unknown paths and methods
// answer in the envelope too.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	methods := map[string][]string{}
	for _, rt := range routes {
		mux.Handle(rt.method+" "+rt.path, requireScope(rt.scope, serve(rt.handler(a))))
		methods[rt.path] = append(methods[rt.path], rt.method)
	}
	for path, ms := range methods {
		allow := strings.Join(ms, ", ")
		notAllowed := func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			WriteError(w, r, &apperr.Error{Kind: apperr.KindInvalidState, Code: "METHOD_NOT_ALLOWED",
				Message: r.Method + " is not allowed here; use " + allow, Status: http.StatusMethodNotAllowed})
		}
		// One pattern per other method: a method-less pattern would clash
		// with a sibling such as GET /webhooks/{id} next to POST /webhooks/subscribe.
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			if !slices.Contains(ms, m) {
				mux.HandleFunc(m+" "+path, notAllowed)
			}
		}
	}
	mux.HandleFunc("GET /api/v1/attachments/{id}/content", a.downloadAttachment)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, apperr.NotFound("NOT_FOUND", "No such endpoint: "+r.Method+" "+r.URL.Path))
	})
	return checkRequestText(mux)
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
