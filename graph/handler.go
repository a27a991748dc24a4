package graph

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/events"
	"github.com/bigledger/bigledger/internal/gqlws"
	"github.com/bigledger/bigledger/internal/input"
	"github.com/bigledger/bigledger/internal/reqcache"
)

// Page sizes for every Relay connection: a connection asked for without
// first/last returns DefaultPageSize items; more than MaxPageSize is refused.
const (
	DefaultPageSize = 50
	MaxPageSize     = 100
)

// Options configure the GraphQL handler.
type Options struct {
	// Development enables field suggestions in validation errors.
	Development bool
	// Websocket upgrades; its Implementation's origin list applies.
	Websocket gqlws.Gorilla
	// WebsocketInit authenticates connection_init.
	WebsocketInit transport.WebsocketInitFunc
	// Logger receives panics and internal errors.
	Logger *slog.Logger
	// Hub feeds subscriptions; DB reads the event log.
	Hub *events.Hub
	DB  *sql.DB
	// AllowPrivateWebhooks accepts loopback/private webhook URLs.
	AllowPrivateWebhooks bool
	// Resolver, when set, is used as is (shared with the REST facade).
	Resolver *Resolver
	// InitTimeout bounds the wait for connection_init (default 10s).
	InitTimeout time.Duration
	// Introspection answers __schema and __type (on in development; in
	// production only when enabled).
	Introspection bool
	// Budget bounds each document (zero fields: DefaultBudget).
	Budget Budget
	// ObserveOperation and ObserveError, when set, are told of every
	// operation (name, query|mutation|subscription) and every error's code.
	ObserveOperation func(name, typ string)
	ObserveError     func(code string)
}

// wsReadLimit bounds one websocket frame from a client.
var wsReadLimit int64 = 64 << 10

// NewHandler builds the production GraphQL handler: explicit transports,
// a query cache, bounded parsing and complexity, scope checks, page-size
// limits and an error presenter that never leaks internals.
func NewHandler(o Options) *handler.Server {
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	res := o.Resolver
	if res == nil {
		res = &Resolver{Hub: o.Hub, DB: o.DB, Log: log, AllowPrivateWebhooks: o.AllowPrivateWebhooks}
	}
	srv := handler.New(NewExecutableSchema(Config{Resolvers: res}))
	srv.AddTransport(transport.Websocket{
		Implementation:        o.Websocket,
		InitFunc:              o.WebsocketInit,
		InitTimeout:           cmp.Or(o.InitTimeout, 10*time.Second),
		KeepAlivePingInterval: 15 * time.Second,
		// No graphql-transport-ws "ping" messages: they cost a goroutine
		// and a ticker per connection, and gqlws already pings every socket
		// at the protocol level on a timer and drops a peer that stops
		// answering, whatever its subprotocol (TestDeadPeerIsDropped).
		// Legacy graphql-ws clients still get "ka".
		PingPongInterval: 0,
		PayloadReadLimit: &wsReadLimit,
	})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	queries := lru.New[*ast.QueryDocument](1000)
	srv.SetQueryCache(queries)
	if o.Introspection || o.Development {
		srv.Use(extension.Introspection{})
	}
	srv.Use(persistedQueries{extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)}})
	// After the persisted-query extension, which fills in the query text.
	budget := o.Budget.withDefaults()
	srv.Use(&budgetExtension{b: budget, cache: queries})
	srv.SetParserTokenLimit(budget.TokenLimit)
	srv.SetDisableSuggestion(!o.Development)
	srv.AroundOperations(freshCache)
	if o.ObserveOperation != nil {
		srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
			if op := graphql.GetOperationContext(ctx); op != nil && op.Operation != nil {
				o.ObserveOperation(op.Operation.Name, string(op.Operation.Operation))
			}
			return next(ctx)
		})
	}
	srv.AroundResponses(eventExtension)
	srv.AroundRootFields(requireScopes)
	// One field middleware, not two: it runs for every field of every
	// response, so each layer costs a closure per field.
	srv.AroundFields(guardField)
	srv.SetErrorPresenter(func(ctx context.Context, err error) *gqlerror.Error {
		gerr := present(ctx, err, log)
		if o.ObserveError != nil {
			code, _ := gerr.Extensions["code"].(string)
			o.ObserveError(code)
		}
		return gerr
	})
	srv.SetRecoverFunc(func(ctx context.Context, v any) error {
		log.ErrorContext(ctx, "graphql panic", "panic", v)
		return apperr.Internal(fmt.Errorf("panic: %v", v))
	})
	return srv
}

// freshCache gives each query or mutation its own request cache (a
// websocket carries many operations). Subscriptions get none: a cached
// balance would go stale between events.
func freshCache(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if op := graphql.GetOperationContext(ctx); op != nil && op.Operation != nil && op.Operation.Operation == ast.Subscription {
		return next(context.WithValue(reqcache.Without(ctx), eventIDsKey{}, &eventIDs{}))
	}
	return next(reqcache.With(ctx))
}

// present renders any resolver error as {message, path, extensions:{code, details}}.
func present(ctx context.Context, err error, log *slog.Logger) *gqlerror.Error {
	gerr := graphql.DefaultErrorPresenter(ctx, err)
	var cause error = err
	if gerr.Err != nil {
		cause = gerr.Err
	}
	// gqlgen's own validation/parse errors already carry a code.
	if gerr.Extensions != nil && gerr.Extensions["code"] != nil && !isApp(cause) {
		return gerr
	}
	ae := apperr.From(cause)
	// A coded validation error raised while decoding an argument (an input
	// field resolver: CreateInvoiceInput.lines) keeps its code and details,
	// named under the argument (input.lines).
	if isApp(cause) && ae.Kind == apperr.KindValidation && len(ae.Details) > 0 && isArgumentError(ctx, gerr) {
		arg := string(gerr.Path[len(graphql.GetFieldContext(ctx).Path())].(ast.PathName))
		named := *ae
		named.Details = make([]apperr.Detail, len(ae.Details))
		for i, d := range ae.Details {
			d.Field = arg + "." + d.Field
			named.Details[i] = d
		}
		return withApp(gerr, &named)
	}
	// Errors raised while decoding arguments (a malformed id, a bad
	// Decimal or Date) are the client's: name the argument from the path.
	var ie interface{ InvalidInput() }
	if errors.As(cause, &ie) || isArgumentError(ctx, gerr) {
		field := "input"
		var named interface{ InputField() string }
		if errors.As(cause, &named) {
			field = named.InputField()
		}
		for i := len(gerr.Path) - 1; i >= 0 && !errors.As(cause, &named); i-- {
			if n, ok := gerr.Path[i].(ast.PathName); ok {
				field = string(n)
				break
			}
		}
		ae = apperr.Validation("VALIDATION_ERROR", "Invalid input", apperr.Detail{Field: field, Message: cause.Error()})
	}
	if ae.Kind == apperr.KindInternal {
		log.ErrorContext(ctx, "graphql internal error", "error", err, "path", gerr.Path.String())
	}
	return withApp(gerr, ae)
}

// isArgumentError reports whether gerr arose while decoding one of the
// current field's arguments (its path runs into an argument name): such a
// value came from the client, so however a scalar's decoder words its
// failure (entgql's cursor says "cannot decode cursor"), it is bad input.
func isArgumentError(ctx context.Context, gerr *gqlerror.Error) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return false
	}
	n := len(fc.Path())
	if len(gerr.Path) <= n {
		return false
	}
	name, ok := gerr.Path[n].(ast.PathName)
	return ok && fc.Field.Field != nil && fc.Field.Arguments.ForName(string(name)) != nil
}

func isApp(err error) bool {
	var ae *apperr.Error
	return errors.As(err, &ae)
}

func withApp(gerr *gqlerror.Error, ae *apperr.Error) *gqlerror.Error {
	gerr.Message = ae.Message
	if len(ae.Details) > 0 && ae.Kind == apperr.KindValidation && gerr.Extensions == nil {
		gerr.Message = ae.Error()[len(ae.Code)+2:]
	}
	ext := map[string]any{"code": ae.Code}
	if len(ae.Details) > 0 {
		ext["details"] = ae.Details
	}
	gerr.Extensions = ext
	return gerr
}

// rootScopes maps each root field to the scopes (comma-separated) it
// requires. A root field missing here is refused: new operations must
// declare their scope.
var rootScopes = map[string]string{
	"customer":               "customers:read",
	"customers":              "customers:read",
	"contact":                "customers:read",
	"customerGroup":          "customers:read",
	"customerGroups":         "customers:read",
	"createCustomer":         "customers:write",
	"updateCustomer":         "customers:write",
	"deleteCustomer":         "customers:write",
	"createContact":          "customers:write",
	"updateContact":          "customers:write",
	"deleteContact":          "customers:write",
	"createCustomerGroup":    "customers:write",
	"updateCustomerGroup":    "customers:write",
	"deleteCustomerGroup":    "customers:write",
	"item":                   "items:read",
	"items":                  "items:read",
	"taxCodes":               "items:read",
	"createItem":             "items:write",
	"updateItem":             "items:write",
	"invoice":                "invoices:read",
	"invoices":               "invoices:read",
	"createInvoice":          "invoices:write",
	"recurringInvoice":       "invoices:read",
	"recurringInvoices":      "invoices:read",
	"createRecurringInvoice": "invoices:write",
	"updateRecurringInvoice": "invoices:write",
	"toggleRecurringInvoice": "invoices:write",
	"updateInvoice":          "invoices:write",
	"issueInvoice":           "invoices:write",
	"sendInvoice":            "invoices:write",
	"voidInvoice":            "invoices:write",
	"quote":                  "quotes:read",
	"quotes":                 "quotes:read",
	"createQuote":            "quotes:write",
	"updateQuote":            "quotes:write",
	"sendQuote":              "quotes:write",
	"sendCustomerStatement":  "customers:read,ledger:read",
	"customerNotes":          "customers:read",
	"company":                "",
	"updateCompany":          "keys:admin",
	"createCustomerNote":     "customers:write",
	"updateCustomerNote":     "customers:write",
	"deleteCustomerNote":     "customers:write",
	"acceptQuote":            "quotes:write",
	"rejectQuote":            "quotes:write",
	// Conversions write two kinds of document: both scopes are required.
	"convertQuoteToOrder":        "quotes:write,sales_orders:write",
	"salesOrder":                 "sales_orders:read",
	"salesOrders":                "sales_orders:read",
	"createSalesOrder":           "sales_orders:write",
	"updateSalesOrder":           "sales_orders:write",
	"updateSalesOrderStatus":     "sales_orders:write",
	"convertSalesOrderToInvoice": "sales_orders:write,invoices:write",
	"payment":                    "payments:read",
	"payments":                   "payments:read",
	"recordPayment":              "payments:write,invoices:write",
	"voidPayment":                "payments:write,invoices:write",
	"refundPayment":              "payments:write,invoices:write",
	"failPayment":                "payments:write,invoices:write",
	"createPayment":              "payments:write",
	"applyPayment":               "payments:write,invoices:write",
	"payCustomerDue":             "payments:write,invoices:write",
	"account":                    "ledger:read",
	"accounts":                   "ledger:read",
	"journalEntry":               "ledger:read",
	"journalEntries":             "ledger:read",
	"createAccount":              "ledger:write",
	"updateAccount":              "ledger:write",
	"deleteAccount":              "ledger:write",
	"createJournalEntry":         "ledger:write",
	"reverseJournalEntry":        "ledger:write",
	"reports":                    "ledger:read",
	"customerSummary":            "customers:read,invoices:read",
	"setCustomerOpeningBalance":  "ledger:write,customers:write",
	// events narrows its types to what the key may read.
	"events":                  "",
	"invoiceCreated":          "invoices:read",
	"invoiceUpdated":          "invoices:read",
	"paymentReceived":         "payments:read",
	"customerCreated":         "customers:read",
	"salesOrderStatusChanged": "sales_orders:read",
	"accountUpdated":          "ledger:read",
	"webhookEndpoints":        "webhooks:read",
	"apiKeys":                 "keys:admin",
	"createApiKey":            "keys:admin",
	"revokeApiKey":            "keys:admin",
	"webhookEndpoint":         "webhooks:read",
	"createWebhookEndpoint":   "webhooks:write",
	"deleteWebhookEndpoint":   "webhooks:write",
}

// documentScopes maps a document id's prefix to the read scope
// attachments(documentId:) requires; any other prefix is refused.
var documentScopes = map[string]string{
	"quote": "quotes:read", "so": "sales_orders:read", "inv": "invoices:read",
}

func requireScopes(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	fc := graphql.GetRootFieldContext(ctx)
	name := fc.Field.Name
	if strings.HasPrefix(name, "__") {
		return next(ctx)
	}
	var err error
	switch name {
	case "node", "nodes":
		// Each node demands its own type's scope when it resolves
		// (requireNodeScope): the id's prefix is not trusted for it.
		if _, ok := auth.FromContext(ctx); !ok {
			err = apperr.Unauthenticated("Authentication required")
		}
	case "attachments":
		err = nodeScopes(ctx, fc)
	default:
		scopes, ok := rootScopes[name]
		if !ok {
			err = apperr.PermissionDenied(fmt.Sprintf("Operation %q has no scope mapping", name))
		}
		for _, scope := range strings.Split(scopes, ",") {
			if err == nil && scope != "" {
				err = auth.Require(ctx, scope)
			}
		}
	}
	if err != nil {
		graphql.AddError(ctx, &gqlerror.Error{Err: err, Path: ast.Path{ast.PathName(fc.Field.Alias)}})
		return graphql.Null
	}
	return next(ctx)
}

func nodeScopes(ctx context.Context, fc *graphql.RootFieldContext) error {
	if _, ok := auth.FromContext(ctx); !ok {
		return apperr.Unauthenticated("Authentication required")
	}
	args := fc.Field.ArgumentMap(graphql.GetOperationContext(ctx).Variables)
	id, _ := args["documentId"].(string)
	scope, ok := documentScopes[pulid.ID(id).Prefix()]
	if !ok {
		return apperr.Validation("VALIDATION_ERROR", "Invalid input",
			apperr.Detail{Field: "documentId", Message: "Must be the id of a quote, sales order or invoice"})
	}
	return auth.Require(ctx, scope)
}

// typeScopes maps object types to the read scope their fields need, so a
// nested edge (customer.invoices, invoice.customer) is no back door around
// the root-field scopes.
var typeScopes = map[string]string{
	"Customer": "customers:read", "CustomerConnection": "customers:read", "Contact": "customers:read",
	"CustomerGroup": "customers:read", "CustomerGroupConnection": "customers:read",
	"Item": "items:read", "ItemConnection": "items:read", "TaxCode": "items:read", "TaxCodeConnection": "items:read",
	"Invoice": "invoices:read", "InvoiceConnection": "invoices:read", "InvoiceItem": "invoices:read",
	"Quote": "quotes:read", "QuoteConnection": "quotes:read", "QuoteItem": "quotes:read",
	"SalesOrder": "sales_orders:read", "SalesOrderConnection": "sales_orders:read", "SalesOrderItem": "sales_orders:read",
	"Payment": "payments:read", "PaymentConnection": "payments:read", "PaymentAllocation": "payments:read",
	"Refund": "payments:read", "PaymentApplication": "payments:read",
	"Account": "ledger:read", "AccountConnection": "ledger:read", "JournalEntry": "ledger:read",
	"JournalEntryConnection": "ledger:read", "LedgerEntry": "ledger:read", "CustomerLedger": "ledger:read",
}

// guardField checks the scope of the type a field reaches and bounds the
// page size of connection fields.
func guardField(ctx context.Context, next graphql.Resolver) (any, error) {
	// A client that went away stops the work its document still had.
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Definition == nil {
		return next(ctx)
	}
	name := fc.Field.Definition.Type.Name()
	if fc.Object != "Mutation" {
		if scope, ok := typeScopes[name]; ok {
			if err := auth.Require(ctx, scope); err != nil {
				return nil, err
			}
		}
	}
	if fc.Args != nil && strings.HasSuffix(name, "Connection") {
		if err := limitPageSize(fc); err != nil {
			return nil, err
		}
		if err := limitFilters(fc.Args); err != nil {
			return nil, err
		}
	}
	return next(ctx)
}

// limitPageSize gives every connection field a default page size and
// refuses pages above the cap: an entgql connection with neither first nor
// last would otherwise run without a SQL LIMIT.
func limitPageSize(fc *graphql.FieldContext) error {
	first, _ := fc.Args["first"].(*int)
	last, _ := fc.Args["last"].(*int)
	if page, limit := intArgPtr(fc.Args["page"]), intArgPtr(fc.Args["limit"]); page != nil || limit != nil {
		return checkPageMode(fc.Args, page, limit)
	}
	for name, v := range map[string]*int{"first": first, "last": last} {
		if v != nil && (*v < 0 || *v > MaxPageSize) {
			return apperr.Validation("VALIDATION_ERROR", "Invalid page size",
				apperr.Detail{Field: name, Message: fmt.Sprintf("Must be between 0 and %d", MaxPageSize)})
		}
	}
	if first == nil && last == nil {
		n := DefaultPageSize
		if before, ok := fc.Args["before"].(*entgql.Cursor[pulid.ID]); ok && before != nil {
			fc.Args["last"] = &n
		} else {
			fc.Args["first"] = &n
		}
	}
	return nil
}

// limitFilters refuses a search or filter string (search, tags, any
// string of a WhereInput) longer than input.MaxFilterLength, named by its
// path (where.nameContains).
func limitFilters(args map[string]any) error {
	var bad string
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		if bad != "" {
			return
		}
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem(), path)
			}
		case reflect.String:
			if input.TooLong(v.String()) {
				bad = path
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i))
			}
		case reflect.Struct:
			t := v.Type()
			for i := 0; i < t.NumField(); i++ {
				if f := t.Field(i); f.IsExported() {
					walk(v.Field(i), path+"."+strings.ToLower(f.Name[:1])+f.Name[1:])
				}
			}
		}
	}
	for _, k := range []string{"search", "tags", "where"} {
		if v, ok := args[k]; ok && v != nil {
			walk(reflect.ValueOf(v), k)
		}
	}
	if bad != "" {
		return apperr.Validation("VALIDATION_ERROR", "Invalid input", apperr.Detail{Field: bad, Message: input.FilterTooLong})
	}
	return nil
}

// The page size of seed 004's page/limit paging.
const (
	DefaultPageLimit = 20
	MaxPageLimit     = 100
)

func intArgPtr(v any) *int {
	p, _ := v.(*int)
	return p
}

// checkPageMode validates seed 004's page/limit arguments (page ≥ 1,
// limit 1–100, default 20), which cannot be mixed with the Relay ones.
func checkPageMode(args map[string]any, page, limit *int) error {
	for _, k := range []string{"first", "last", "after", "before"} {
		if v := reflect.ValueOf(args[k]); v.IsValid() && !v.IsNil() {
			name := "page"
			if page == nil {
				name = "limit"
			}
			return apperr.Validation("VALIDATION_ERROR", "Invalid paging",
				apperr.Detail{Field: name, Message: fmt.Sprintf("page/limit (numbered pages) cannot be combined with %s (cursor pages); use one or the other", k)})
		}
	}
	if page != nil && *page < 1 {
		return apperr.Validation("VALIDATION_ERROR", "Invalid paging", apperr.Detail{Field: "page", Message: "Must be 1 or more"})
	}
	if limit != nil && (*limit < 1 || *limit > MaxPageLimit) {
		return apperr.Validation("VALIDATION_ERROR", "Invalid paging", apperr.Detail{Field: "limit", Message: fmt.Sprintf("Must be between 1 and %d", MaxPageLimit)})
	}
	return nil
}
