package rest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/goccy/go-yaml"
)

// doc describes one route for the OpenAPI document. It sits in the route
// table beside the handler, and names the Go types the handler really
// decodes and encodes: the document's schemas are derived from them, and
// every response of the REST test suite is validated against the result.
type doc struct {
	sum  string // summary; the operationId derives from it
	desc string
	// in is the request body's type (a zero value); nil: no body.
	in any
	// out is the type of the answer's data (a zero value); nil: no data.
	out any
	// list: a cursor-paged list with these filters; data is an array of
	// out and the answer carries pagination.
	list *listSpec
	// arr: data is an array of out; page: the answer carries pagination.
	arr, page bool
	// params are the other query parameters.
	params []param
	// status is the success status (default 200).
	status int
	// upload: a multipart/form-data body with the file in `file`.
	upload bool
	// idem: the route honours an Idempotency-Key header.
	idem bool
	// example is a request body taken from the seeds (JSON text).
	example string
	// raw: the answer is the file itself (its own content type), not
	// the envelope; public: no credentials; ws: a websocket upgrade.
	raw, public, ws bool
	// envelope overrides the success body (a zero value of its type).
	envelope any
	// v2: the answer is seed 002's envelope (v2Envelope: data, and meta
	// when arr is set) and errors are v2ErrorBody.
	v2 bool
	// aliasOf names the route ("GET /api/v1/customers") whose twin at the
	// other v1 base path this is (withV1Twins).
	aliasOf string
}

// param is one query parameter.
type param struct {
	name, typ, desc string
	enum            []string
	required        bool
}

// otherRoutes are REST routes served outside the route table's handlers
// (the file download streams bytes; the index, health checks and the
// stream are the server's own). They are documented like the others.
var otherRoutes = []route{
	{"GET", "/api/v1/integration/contacts/import/template", "customers:read", nil, doc{sum: "Download the contact import template", raw: true,
		params: []param{{name: "format", enum: []string{"csv", "xlsx"}, desc: "csv (default, with a UTF-8 BOM) or xlsx"}},
		desc:   "The 27-column sheet POST /api/v1/integration/contacts/import reads: header row and one example row."}},
	{"GET", "/api/v1/invoices/{id}/pdf", "invoices:read", nil, doc{sum: "Download an invoice as PDF", raw: true,
		params: []param{{name: "download", desc: "1: Content-Disposition attachment (default inline)"}},
		desc:   "The invoice as PDF, named by its number: lines, totals as stored, payments received and the amount due; a void invoice prints as a void notice."}},
	{"GET", "/api/v1/quotes/{id}/pdf", "quotes:read", nil, doc{sum: "Download a quote as PDF", raw: true,
		params: []param{{name: "download", desc: "1: Content-Disposition attachment (default inline)"}}}},
	{"GET", "/api/v1/refunds/{id}/pdf", "payments:read", nil, doc{sum: "Download a refund's credit note as PDF", raw: true,
		params: []param{{name: "download", desc: "1: Content-Disposition attachment (default inline)"}},
		desc:   "The credit note of a refund (CN-<journal entry number>): the money returned, what it took back from each invoice (due again) and from the payment's unapplied credit."}},
	{"GET", "/api/v1/customers/{id}/statement.pdf", "customers:read,ledger:read", nil, doc{sum: "Download a customer statement as PDF", raw: true,
		params: []param{{name: "from", typ: "date", desc: "First day (required)"}, {name: "to", typ: "date", desc: "Last day (required)"}, {name: "download", desc: "1: attachment"}},
		desc:   "The customer's ledger for from..to: opening balance, every movement with its running balance, closing balance, the period's totals (equal to the customer ledger's) and the aging at to."}},
	{"GET", "/api/v1/attachments/{id}/content", "", nil, doc{sum: "Download an attachment's file", raw: true,
		desc: "The file itself with its content type and a Content-Disposition naming it; needs the scope of the attachment's document."}},
	{"GET", "/api/v1", "", nil, doc{sum: "API index", public: true, envelope: indexEnvelope{},
		desc: "What this server is and where its surfaces are (GraphQL, playground, stream, OpenAPI); no credentials needed."}},
	{"GET", "/v1", "", nil, doc{sum: "API index (seed base path)", public: true, envelope: indexEnvelope{}}},
	{"GET", "/healthz", "", nil, doc{sum: "Liveness", public: true, envelope: healthStatus{}, desc: "200 while the process is up."}},
	{"GET", "/readyz", "", nil, doc{sum: "Readiness", public: true, envelope: healthStatus{},
		desc: "200 when the database answers and every migration is applied, 503 otherwise."}},
	{"GET", "/v1/stream", "", nil, doc{sum: "Event stream (websocket)", ws: true,
		desc: "Seed 001's websocket stream: upgrade, then send {\"type\":\"subscribe\",\"channels\":[…]}; events arrive as JSON messages. Credentials as for every route (header, or the auth message)."}},
	{"GET", "/api/v1/stream", "", nil, doc{sum: "Event stream (websocket, /api/v1 path)", ws: true}},
}

// indexEnvelope is the API index's answer (GET /api/v1).
type indexEnvelope struct {
	Success bool `json:"success"`
	Data    struct {
		Name           string            `json:"name"`
		Version        string            `json:"version"`
		Authentication string            `json:"authentication"`
		Links          map[string]string `json:"links"`
	} `json:"data"`
	Meta meta `json:"meta"`
}

// healthStatus is /healthz's and /readyz's answer.
type healthStatus struct {
	Status            string   `json:"status"`
	Database          string   `json:"database,omitempty"`
	PendingMigrations []string `json:"pendingMigrations,omitempty"`
}

// descriptions of query parameters that several lists share.
var paramDocs = map[string]string{
	"search":       "Free-text search over the list's text fields",
	"tags":         "Any of these tags (comma separated)",
	"status":       "Status (comma separated for any of several)",
	"overdue":      "true: only overdue invoices; false: none",
	"q":            "Search term (at least 2 characters)",
	"per_page":     "Page size (seed 003)",
	"format":       "csv answers the whole list as CSV (RFC 4180)",
	"page":         "Page number (1-based)",
	"searchFields": "Limit search to these fields (comma separated): name, email, phone, mobile, customerNumber, taxNumber",
	"customerName": "The customer's name contains this (case-insensitive)",
}

var kindTypes = map[kind]map[string]any{
	kString: {"type": "string"}, kEnum: {"type": "string"}, kDecimal: {"type": "string", "pattern": `^-?[0-9]+(\.[0-9]+)?$`},
	kTime: {"type": "string", "description": "ISO 8601 date or timestamp"}, kInt: {"type": "integer"},
	kBool: {"type": "boolean"}, kDate: {"type": "string", "format": "date"},
}

var (
	openAPIOnce sync.Once
	openAPIDoc  map[string]any
)

// OpenAPI returns the OpenAPI 3.1 document of every REST route, built
// from the route table and the Go types its handlers use.
func OpenAPI() map[string]any {
	openAPIOnce.Do(func() { openAPIDoc = buildOpenAPI(allRoutes, allOtherRoutes) })
	return openAPIDoc
}

// OpenAPIJSON is OpenAPI() as indented JSON.
func OpenAPIJSON() []byte {
	b, err := json.MarshalIndent(OpenAPI(), "", "  ")
	if err != nil {
		panic(err) // a map of plain values always marshals
	}
	return append(b, '\n')
}

// OpenAPIYAML is OpenAPI() as YAML.
func OpenAPIYAML() ([]byte, error) { return yaml.JSONToYAML(OpenAPIJSON()) }

// ServeOpenAPI answers GET /openapi.json and /openapi.yaml.
func ServeOpenAPI(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, ".yaml") {
		b, err := OpenAPIYAML()
		if err != nil {
			http.Error(w, "cannot render the document", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
		_, _ = w.Write(b)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(OpenAPIJSON())
}

var pathParam = regexp.MustCompile(`\{([a-zA-Z_]+)\}`)

func buildOpenAPI(tables ...[]route) map[string]any {
	g := newSchemaGen()
	errEnv := g.of(reflect.TypeFor[envelopeError]())
	pag := g.of(reflect.TypeFor[pagination]())
	metaRef := g.of(reflect.TypeFor[meta]())
	paths := map[string]any{}
	ids := map[string]bool{}
	tags := map[string]bool{}
	for _, table := range tables {
		for _, rt := range table {
			p, _ := paths[rt.path].(map[string]any)
			if p == nil {
				p = map[string]any{}
				paths[rt.path] = p
			}
			op := operation(g, rt, errEnv, pag, metaRef, ids)
			for _, t := range op["tags"].([]any) {
				tags[t.(string)] = true
			}
			p[strings.ToLower(rt.method)] = op
		}
	}
	var tagList []any
	for _, t := range slices.Sorted(mapKeys(tags)) {
		desc, ok := tagDescriptions[t]
		if !ok {
			panic("rest: tag " + t + " has no description in tagDescriptions")
		}
		tagList = append(tagList, map[string]any{"name": t, "description": desc})
	}
	errResponses := map[string]any{}
	for _, r := range errorResponses {
		errResponses[r.name] = map[string]any{"description": r.desc,
			"content": map[string]any{"application/json": map[string]any{"schema": errEnv}}}
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "BigLedger REST API",
			"version": "1",
			"summary": "Sales & CRM with a double-entry ledger: customers, quotes, orders, invoices, payments, accounts.",
			"description": "Every REST family of the product (seed 000/001 `/api/v1` and `/v1`, the seed-003 integration API under " +
				"`/api/v1/integration`, the seed-004 accounting routes, `/api/v2`), generated from the server's route table and the Go types " +
				"its handlers encode, and held to the server by tests (every registered route is here; every REST test response validates " +
				"against this document). Authenticate with `Authorization: Bearer <API key>`; `X-Company-Id` is optional (the key's company acts). " +
				"Lists page with `limit` (1–100, default 50) and the opaque `cursor` from `pagination.nextCursor`; filters also take the " +
				"operators `field[eq|ne|gt|gte|lt|lte|in|nin|contains|startswith|endswith]=value`. GraphQL is served at `/graphql` " +
				"(schema by introspection, GraphiQL at `/playground`).",
			"license": map[string]any{"name": "Apache-2.0", "identifier": "Apache-2.0"},
		},
		"servers":  []any{map[string]any{"url": "/", "description": "The server that serves this document (make run prints its address)"}},
		"security": []any{map[string]any{"bearerAuth": []any{}}},
		"tags":     tagList,
		"paths":    paths,
		"components": map[string]any{
			"schemas":   g.components,
			"responses": errResponses,
			"securitySchemes": map[string]any{
				"bearerAuth": map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "blk_<prefix>_<secret>",
					"description": "An API key; its scopes decide what each route allows (x-scopes)."},
			},
			"parameters": map[string]any{
				"CompanyId": map[string]any{"name": "X-Company-Id", "in": "header", "required": false,
					"description": "The key's company (optional; another company's id is 401)", "schema": map[string]any{"type": "string"}},
				"IdempotencyKey": map[string]any{"name": "Idempotency-Key", "in": "header", "required": false,
					"description": "Replaying a request with the same key answers the first result and writes nothing", "schema": map[string]any{"type": "string", "maxLength": 255}},
			},
		},
	}
}

// tagDescriptions describe each tag (tagOf) on the reference page; a
// route under a new tag without one fails the spec build (and its test).
var tagDescriptions = map[string]string{
	"index":                         "The API index: links to the docs, the OpenAPI document and the version",
	"healthz":                       "Liveness: the process answers",
	"readyz":                        "Readiness: the database answers and migrations are applied",
	"accounts":                      "The chart of accounts of the double-entry ledger (seed 004)",
	"journal-entries":               "Posted journal entries: balanced debit and credit lines (seed 004)",
	"analytics":                     "Sales analytics: the quote-to-cash funnel (seed 000)",
	"api-keys":                      "The company's API keys: list, issue, revoke (scope keys:admin)",
	"auth":                          "Who the calling key is: company, user, scopes, expiry, rate limit",
	"company":                       "The company the key acts for and its rate-limit plan",
	"bulk":                          "Seed-001 bulk operations: many records per request, per-item results, atomic on request",
	"attachments":                   "Files attached to customers and documents",
	"customers":                     "Customers, their contacts and their sales totals (seeds 000 and 001)",
	"events":                        "The company's event log, resumable by cursor",
	"stream":                        "Live events over a websocket, resumable from a cursor",
	"invoices":                      "Invoices: draft, issue, pay, void; each posts to the ledger",
	"items":                         "The product and service catalogue",
	"payments":                      "Payments and their allocations to invoices",
	"refunds":                       "Refunds of payments and their credit notes",
	"quotes":                        "Quotes: send, accept, reject, convert to a sales order",
	"sales-orders":                  "Sales orders: confirm, fulfil, invoice",
	"reports":                       "Reports over the ledger and sales (aging, sales, balances)",
	"webhooks":                      "Webhook endpoints and their signed, retried deliveries",
	"integration: contacts":         "Seed-003 integration API: contacts (customers and suppliers)",
	"integration: customer-groups":  "Seed-003 integration API: customer groups",
	"integration: ledger-discounts": "Seed-003 integration API: ledger discounts",
	"integration: subscriptions":    "Seed-003 integration API: subscriptions (recurring invoices), listed, stopped and resumed",
	"recurring-invoices":            "Recurring invoices: an invoice issued on a schedule, each period once",
	"v2: reports":                   "API v2: reports",
	"v2: customers":                 "API v2 (seed 002): customers in the account shape, paged by number",
	"v2: batch":                     "API v2 (seed 002): many customers in one request, per-item results",
	"v2: invoices":                  "API v2 (seed 002): invoices, issued on creation, with Paid / Unpaid / Partially Paid status",
	"v2: quotes":                    "API v2 (seed 002): quotes",
	"v2: products":                  "API v2 (seed 002): products and services (the item catalogue)",
	"v2: transactions":              "API v2 (seed 002): money in and out of cash and bank accounts",
	"v2: webhooks":                  "API v2: webhook endpoints",
}

// envelopeError is the error answer's shape (WriteError writes an
// envelope with these fields set).
type envelopeError struct {
	Success bool      `json:"success"`
	Error   errorBody `json:"error"`
	Meta    meta      `json:"meta"`
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func operation(g *schemaGen, rt route, errEnv, pag, metaRef map[string]any, ids map[string]bool) map[string]any {
	d := rt.doc
	idFrom, desc := d.sum, d.desc
	if d.aliasOf != "" {
		// A twin keeps its original's summary; its id says which base it is at.
		if strings.HasPrefix(rt.path, "/api/") {
			idFrom += " via api v1"
		} else {
			idFrom += " via v1"
		}
		desc = strings.TrimSpace("The same operation as `" + d.aliasOf + "` (seeds 000 and 001 give both `/api/v1` and `/v1` as the base path).\n\n" + desc)
	}
	op := map[string]any{
		"summary":     d.sum,
		"operationId": operationID(idFrom, rt, ids),
		"tags":        []any{tagOf(rt.path)},
	}
	if d.aliasOf != "" {
		op["x-alias-of"] = d.aliasOf
	}
	if rt.scope != "" {
		desc = strings.TrimSpace(desc + "\n\nScopes: `" + strings.ReplaceAll(rt.scope, ",", "` and `") + "`.")
		op["x-scopes"] = strings.Split(rt.scope, ",")
	}
	if desc != "" {
		op["description"] = desc
	}
	op["x-family"] = familyOf(rt.path)
	var params []any
	for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
	}
	if !d.public {
		params = append(params, map[string]any{"$ref": "#/components/parameters/CompanyId"})
	}
	if d.idem {
		params = append(params, map[string]any{"$ref": "#/components/parameters/IdempotencyKey"})
	}
	params = append(params, queryParams(d)...)
	if len(params) > 0 {
		op["parameters"] = params
	}
	if d.public {
		op["security"] = []any{}
	}
	switch {
	case d.upload:
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"multipart/form-data": map[string]any{
			"schema": map[string]any{"type": "object", "required": []any{"file"},
				"properties": map[string]any{"file": map[string]any{"type": "string", "contentMediaType": "application/octet-stream"}}}}}}
	case d.in != nil:
		g.request = true
		s := g.of(reflect.TypeOf(d.in))
		g.request = false
		media := map[string]any{"schema": s}
		if d.example != "" {
			var ex any
			if err := json.Unmarshal([]byte(d.example), &ex); err != nil {
				panic(fmt.Sprintf("route %s %s: example is not JSON: %v", rt.method, rt.path, err))
			}
			media["example"] = ex
		}
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": media}}
	}
	status := d.status
	if status == 0 {
		status = http.StatusOK
	}
	responses := map[string]any{}
	v2 := strings.HasPrefix(rt.path, "/api/v2/")
	integration := strings.HasPrefix(rt.path, "/api/v1/integration/")
	if v2 {
		errEnv = g.of(reflect.TypeFor[v2ErrorBody]())
	}
	if integration {
		errEnv = g.of(reflect.TypeFor[integrationErrorBody]())
	}
	errResp := map[string]any{"description": "An error: the code, message and field details (see the error catalogue)",
		"content": map[string]any{"application/json": map[string]any{"schema": errEnv}}}
	switch {
	case d.ws:
		responses["101"] = map[string]any{"description": "Switching protocols: the websocket stream"}
		responses["400"] = map[string]any{"description": "Not a websocket upgrade request",
			"content": map[string]any{"text/plain": map[string]any{"schema": map[string]any{"type": "string"}}}}
	case d.raw:
		responses["200"] = map[string]any{"description": "The file", "content": map[string]any{"*/*": map[string]any{
			"schema": map[string]any{"type": "string", "contentMediaType": "application/octet-stream"}}}}
	case d.envelope != nil:
		s := g.of(reflect.TypeOf(d.envelope))
		content := map[string]any{"application/json": map[string]any{"schema": s}}
		if integration && rt.method == http.MethodGet {
			// Seed 003: every read also answers format=csv.
			content["text/csv"] = map[string]any{"schema": map[string]any{"type": "string"}}
		}
		responses[itoa(status)] = map[string]any{"description": http.StatusText(status), "content": content}
		if rt.path == "/readyz" {
			responses["503"] = responses["200"]
		}
	case d.v2:
		s := v2SuccessSchema(g, d)
		responses[itoa(status)] = map[string]any{"description": http.StatusText(status), "content": map[string]any{"application/json": map[string]any{"schema": s}}}
		if _, batch := d.out.(batchV2); batch {
			responses["207"] = map[string]any{"description": "Some customers were created, some were not (results say which and why)",
				"content": map[string]any{"application/json": map[string]any{"schema": s}}}
			responses["422"] = map[string]any{"description": "No customer was created (the results), or an atomic batch failed (the error)",
				"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"oneOf": []any{s, errEnv}}}}}
		}
	default:
		content := map[string]any{"application/json": map[string]any{"schema": successSchema(g, d, pag, metaRef)}}
		if rt.method == http.MethodGet && (d.list != nil || d.arr) {
			content["text/csv"] = map[string]any{"schema": map[string]any{"type": "string"}}
		}
		responses[itoa(status)] = map[string]any{"description": http.StatusText(status), "content": content}
	}
	for _, st := range errorStatuses(rt) {
		if integration {
			desc := errorResponses[st].desc
			if st == http.StatusBadRequest {
				st, desc = http.StatusUnprocessableEntity, "Validation failed (Laravel's shape: message, errors{field: [messages]}; error carries the code and details)"
			}
			responses[itoa(st)] = map[string]any{"description": desc,
				"content": map[string]any{"application/json": map[string]any{"schema": errEnv}}}
			continue
		}
		if v2 {
			responses[itoa(st)] = map[string]any{"description": errorResponses[st].desc,
				"content": map[string]any{"application/json": map[string]any{"schema": errEnv}}}
			continue
		}
		responses[itoa(st)] = map[string]any{"$ref": "#/components/responses/" + errorResponses[st].name}
	}
	responses["default"] = errResp
	op["responses"] = responses
	return op
}

// errorResponses are the error answers an operation lists by name
// (components.responses); any other status is the default response,
// the same envelope. Each comes from apperr's kinds (Error.HTTPStatus).
var errorResponses = map[int]struct{ name, desc string }{
	http.StatusBadRequest:      {"BadRequest", "The request is malformed or a field is invalid (VALIDATION_ERROR and its specific codes; error.details names each field)"},
	http.StatusUnauthorized:    {"Unauthorized", "No key, an unknown, revoked or expired key, or an X-Company-Id the key does not belong to"},
	http.StatusForbidden:       {"Forbidden", "The key lacks the scope this route needs (x-scopes)"},
	http.StatusNotFound:        {"NotFound", "No such object in the acting company (another company's ids are not found either)"},
	http.StatusTooManyRequests: {"TooManyRequests", "Too many failed authentications or concurrent requests for this key; Retry-After says when to retry"},
}

// errorStatuses are the error statuses a route can answer that the
// document names: 400 when it reads a body, query or path, 401 and 429
// when it needs a key, 403 when a scope, 404 when it names an object.
func errorStatuses(rt route) []int {
	d := rt.doc
	if d.ws {
		return nil
	}
	var out []int
	if d.in != nil || d.upload || d.list != nil || len(d.params) > 0 || strings.Contains(rt.path, "{") {
		out = append(out, http.StatusBadRequest)
	}
	if !d.public {
		out = append(out, http.StatusUnauthorized)
	}
	if rt.scope != "" {
		out = append(out, http.StatusForbidden)
	}
	if strings.Contains(rt.path, "{") {
		out = append(out, http.StatusNotFound)
	}
	if !d.public {
		out = append(out, http.StatusTooManyRequests)
	}
	return out
}

func successSchema(g *schemaGen, d doc, pag, metaRef map[string]any) map[string]any {
	props := map[string]any{
		"success": map[string]any{"const": true},
		"message": map[string]any{"type": "string"},
		"meta":    metaRef,
	}
	required := []any{"success", "meta"}
	if d.out != nil {
		data := g.of(reflect.TypeOf(d.out))
		if d.list != nil || d.arr {
			data = map[string]any{"type": "array", "items": data}
		}
		props["data"] = data
		required = append(required, "data")
	}
	if d.list != nil || d.page {
		props["pagination"] = pag
		required = append(required, "pagination")
	}
	return map[string]any{"type": "object", "required": required, "properties": props, "additionalProperties": false}
}

// v2SuccessSchema is seed 002's success envelope around d.out: data (an
// array for lists, with meta) and an optional message.
func v2SuccessSchema(g *schemaGen, d doc) map[string]any {
	props := map[string]any{
		"success": map[string]any{"type": "boolean"},
		"message": map[string]any{"type": "string"},
	}
	required := []any{"success", "data"}
	data := g.of(reflect.TypeOf(d.out))
	if d.arr {
		data = map[string]any{"type": "array", "items": data}
		props["meta"] = g.of(reflect.TypeFor[v2Meta]())
		required = append(required, "meta")
	}
	props["data"] = data
	return map[string]any{"type": "object", "required": required, "properties": props, "additionalProperties": false}
}

func queryParams(d doc) []any {
	var out []any
	add := func(name string, schema map[string]any, desc string, required bool) {
		p := map[string]any{"name": name, "in": "query", "schema": schema}
		if desc != "" {
			p["description"] = desc
		}
		if required {
			p["required"] = true
		}
		out = append(out, p)
	}
	if l := d.list; l != nil {
		add("limit", map[string]any{"type": "integer", "minimum": 1, "maximum": maxLimit, "default": defaultLimit}, "Page size", false)
		add("cursor", map[string]any{"type": "string"}, "pagination.nextCursor of the previous page", false)
		add("count", map[string]any{"type": "string", "enum": []any{"estimate", "exact"}},
			"exact: count every matching row even past 10,000 (default: an estimate past that, flagged totalEstimated)", false)
		if len(l.sorts) > 0 {
			sorts := slices.Sorted(mapKeys(l.sorts))
			add("sort", map[string]any{"type": "string"}, "Sort fields, `field` or `field:asc|desc`, comma separated: "+strings.Join(sorts, ", "), false)
			add("order", map[string]any{"type": "string", "enum": []any{"asc", "desc"}}, "Direction for a sort given without one", false)
		}
		for _, name := range slices.Sorted(mapKeys(l.filters)) {
			f := l.filters[name]
			s := map[string]any{}
			for k, v := range kindTypes[f.kind] {
				s[k] = v
			}
			if len(f.values) > 0 {
				s["description"] = "One of " + strings.Join(f.values, ", ") + " (comma separated for any of several)"
			}
			add(name, s, "", false)
		}
		for _, alias := range slices.Sorted(mapKeys(l.aliases)) {
			add(alias, map[string]any{"type": "string"}, "Same as "+l.aliases[alias], false)
		}
		for _, name := range slices.Sorted(mapKeys(l.passthrough)) {
			if _, isFilter := l.filters[name]; isFilter || name == "format" {
				continue
			}
			add(name, map[string]any{"type": "string"}, paramDocs[name], false)
		}
	}
	for _, p := range d.params {
		s := map[string]any{"type": cmpOr(p.typ, "string")}
		if p.typ == "date" {
			s = map[string]any{"type": "string", "format": "date"}
		}
		if len(p.enum) > 0 {
			var e []any
			for _, v := range p.enum {
				e = append(e, v)
			}
			s["enum"] = e
		}
		add(p.name, s, cmpOr(p.desc, paramDocs[p.name]), p.required)
	}
	if d.list != nil || d.arr {
		add("format", map[string]any{"type": "string", "enum": []any{"json", "csv"}}, paramDocs["format"]+" (or send Accept: text/csv)", false)
	}
	return out
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// familyOf names the API family of a path (DESIGN.md "API families").
func familyOf(path string) string {
	switch {
	case strings.HasPrefix(path, "/api/v1/integration"):
		return "integration"
	case strings.HasPrefix(path, "/api/v2"):
		return "v2"
	case strings.HasPrefix(path, "/api/v1/accounts"), strings.HasPrefix(path, "/api/v1/journal-entries"):
		return "accounting"
	case strings.HasPrefix(path, "/api/v1"), strings.HasPrefix(path, "/v1"):
		return "v1"
	}
	return "operations"
}

// tagOf groups a route by its resource: the first path segment after the
// family's prefix.
func tagOf(path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	var rest []string
	for _, s := range segs {
		if s == "api" || s == "v1" || s == "v2" || s == "integration" {
			continue
		}
		rest = append(rest, s)
	}
	fam := familyOf(path)
	if len(rest) == 0 {
		return "index"
	}
	if fam == "integration" || fam == "v2" {
		return fam + ": " + rest[0]
	}
	return rest[0]
}

// operationID is the summary in lowerCamelCase ("List customers" →
// listCustomers), made unique by the method and the family where two
// routes share a summary (aliases).
func operationID(sum string, rt route, ids map[string]bool) string {
	var b strings.Builder
	for i, w := range strings.FieldsFunc(sum, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		lw := strings.ToLower(w)
		if lw == "a" || lw == "an" || lw == "the" || lw == "of" {
			continue
		}
		r := []rune(lw)
		if i > 0 || b.Len() > 0 {
			r[0] = unicode.ToUpper(r[0])
		}
		b.WriteString(string(r))
	}
	id := b.String()
	for _, suffix := range []string{"", strings.ToUpper(rt.method[:1]) + strings.ToLower(rt.method[1:]), familySuffix(rt.path)} {
		if suffix != "" && !strings.HasSuffix(id, suffix) {
			id += suffix
		}
		if !ids[id] {
			ids[id] = true
			return id
		}
	}
	base := id
	for n := 2; ; n++ {
		id = base + itoa(n)
		if !ids[id] {
			ids[id] = true
			return id
		}
	}
}

func familySuffix(path string) string {
	switch {
	case strings.HasPrefix(path, "/api/v2"):
		return "V2"
	case strings.HasPrefix(path, "/v1"):
		return "SeedPath"
	}
	return ""
}

// DocumentedRoute is one operation of the OpenAPI document.
type DocumentedRoute struct{ Method, Path string }

// DocumentedRoutes lists every operation the document describes, sorted.
func DocumentedRoutes() []DocumentedRoute {
	var out []DocumentedRoute
	for path, ops := range OpenAPI()["paths"].(map[string]any) {
		for m := range ops.(map[string]any) {
			out = append(out, DocumentedRoute{strings.ToUpper(m), path})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}
