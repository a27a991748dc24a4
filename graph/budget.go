package graph

import (
	"context"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/gqlcost"
	"github.com/bigledger/bigledger/internal/input"
	"github.com/bigledger/bigledger/internal/sales"
	"github.com/bigledger/bigledger/internal/webhooks"
)

// Budget is what one GraphQL document may ask for. The zero value of a
// field takes its default (DefaultBudget).
type Budget struct {
	// MaxCost bounds an operation's price (gqlcost.Model): every object
	// costs 1 and a list multiplies its children by its page or cap.
	MaxCost int
	// Document limits checked before validation.
	MaxFields, MaxAliases, MaxDepth, MaxIntrospection int
	// TokenLimit bounds the parser.
	TokenLimit int
}

// DefaultBudget holds the defaults the README's limits table lists.
var DefaultBudget = Budget{
	MaxCost:          200000,
	MaxFields:        1000,
	MaxAliases:       100,
	MaxDepth:         15,
	MaxIntrospection: 5,
	TokenLimit:       20000,
}

func (b Budget) withDefaults() Budget {
	d := DefaultBudget
	pick := func(v, def int) int {
		if v > 0 {
			return v
		}
		return def
	}
	return Budget{
		MaxCost: pick(b.MaxCost, d.MaxCost), MaxFields: pick(b.MaxFields, d.MaxFields),
		MaxAliases: pick(b.MaxAliases, d.MaxAliases), MaxDepth: pick(b.MaxDepth, d.MaxDepth),
		MaxIntrospection: pick(b.MaxIntrospection, d.MaxIntrospection), TokenLimit: pick(b.TokenLimit, d.TokenLimit),
	}
}

// listCaps are the sizes of plain lists the SQL bounds per parent
// (ent.ListEdgeLimit) or the domain bounds, priced at that size.
func listCaps() map[string]int {
	return map[string]int{
		"Query.webhookEndpoints":     webhooks.MaxEndpoints,
		"Query.attachments":          sales.MaxAttachmentsPerDoc,
		"CustomerLedger.lines":       ent.ListEdgeLimit,
		"Invoice.payments":           ent.ListEdgeLimit,
		"Customer.contacts":          ent.ListEdgeLimit,
		"CustomerGroup.customers":    ent.ListEdgeLimit,
		"Invoice.items":              ent.ListEdgeLimit,
		"Invoice.allocations":        ent.ListEdgeLimit,
		"Payment.allocations":        ent.ListEdgeLimit,
		"JournalEntry.lines":         ent.ListEdgeLimit,
		"Quote.items":                ent.ListEdgeLimit,
		"SalesOrder.items":           ent.ListEdgeLimit,
		"SalesOrder.invoices":        ent.ListEdgeLimit,
		"WebhookEndpoint.deliveries": MaxPageSize,
		"Invoice.deliveries":         sales.MaxListedDeliveries,
		"Quote.deliveries":           sales.MaxListedDeliveries,
		"EmailDelivery.recipients":   sales.MaxRecipients,
		"EmailDelivery.to":           sales.MaxRecipients,
		"EmailDelivery.cc":           sales.MaxRecipients,
		"EmailDelivery.bcc":          sales.MaxRecipients,
		"RecurringInvoice.invoices":  sales.MaxListedRecurringInvoices,
		"CustomerNotePage.notes":     MaxPageSize,
		"CustomerNote.files":         sales.MaxAttachmentsPerDoc,
	}
}

// fieldCosts price fields by the work behind them rather than the object
// they return: a report aggregates a ledger, an account balance is a
// statement of its own, an introspection answer is thousands of objects.
var fieldCosts = map[string]int{
	// At most 10 reports per document.
	"Query.reports":         20000,
	"Query.customerSummary": 1000,
	"Customer.ledger":       1000,
	"Account.balance":       1,
	"Query.__schema":        1000,
	"Query.__type":          50,
}

// budgetExtension enforces a Budget: the document limits before
// validation (a fragment bomb costs microseconds, not minutes, to refuse)
// and the cost after it.
type budgetExtension struct {
	b     Budget
	cache graphql.Cache[*ast.QueryDocument]
	model *gqlcost.Model
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = (*budgetExtension)(nil)

func (*budgetExtension) ExtensionName() string { return "Budget" }

func (x *budgetExtension) Validate(es graphql.ExecutableSchema) error {
	x.model = &gqlcost.Model{
		DefaultPage: DefaultPageSize, DefaultListCap: ent.ListEdgeLimit,
		ListCap: listCaps(), FieldCost: fieldCosts, Schema: es.Schema(),
	}
	return nil
}

// MutateOperationParameters checks the document before gqlgen parses and
// validates it. A document gqlgen already holds in its query cache passed
// this check when it entered the cache.
func (x *budgetExtension) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if err := checkVariables(p.Variables); err != nil {
		return err
	}
	if p.Query == "" {
		return nil
	}
	if _, ok := x.cache.Get(ctx, p.Query); ok {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: p.Query}, x.b.TokenLimit)
	if err != nil {
		// gqlgen parses again and reports the syntax error itself.
		return nil
	}
	if err := gqlcost.CheckDocument(doc, gqlcost.Limits{
		MaxFields: x.b.MaxFields, MaxAliases: x.b.MaxAliases, MaxDepth: x.b.MaxDepth, MaxIntrospection: x.b.MaxIntrospection,
	}); err != nil {
		return budgetError(err.(*gqlcost.Error))
	}
	if err := checkDocumentStrings(doc); err != nil {
		return err
	}
	if x.model != nil {
		if q := declareSuppliedVariables(x.model.Schema, doc, p.Variables); q != "" {
			p.Query = q
		}
	}
	return nil
}

// MutateOperationContext prices the validated operation.
func (x *budgetExtension) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	if op.Operation == nil {
		return nil
	}
	if op.Operation.Operation == ast.Subscription && isPlainHTTP(ctx) {
		return &gqlerror.Error{Message: "Subscriptions are served over a websocket at /graphql (graphql-transport-ws or graphql-ws), not over plain HTTP",
			Extensions: map[string]any{"code": "SUBSCRIPTION_NOT_SUPPORTED_OVER_HTTP"}}
	}
	if err := strictVariables(x.model.Schema, op.Operation, op.Variables); err != nil {
		return err
	}
	cost := x.model.Cost(op.Operation, op.Variables)
	if cost > x.b.MaxCost {
		return budgetError(&gqlcost.Error{Code: "COMPLEXITY_LIMIT_EXCEEDED", Message: fmt.Sprintf(
			"The operation costs %d, over the limit of %d: every object costs 1 and a list multiplies what it holds by its page (first/last, default %d) or its cap (%d); ask for smaller pages or fewer nested lists",
			cost, x.b.MaxCost, DefaultPageSize, ent.ListEdgeLimit)})
	}
	if charge, ok := ctx.Value(rateChargeKey{}).(RateCharge); ok {
		if err := charge(ctx, cost); err != nil {
			ae := apperr.From(err)
			return &gqlerror.Error{Err: ae, Message: ae.Message, Extensions: map[string]any{"code": ae.Code}}
		}
	}
	return nil
}

func budgetError(e *gqlcost.Error) *gqlerror.Error {
	return &gqlerror.Error{Message: e.Message, Extensions: map[string]any{"code": e.Code}}
}

func init() {
	errcode.RegisterErrorType("SUBSCRIPTION_NOT_SUPPORTED_OVER_HTTP", errcode.KindProtocol)
	errcode.RegisterErrorType("QUERY_TOO_LARGE", errcode.KindProtocol)
	errcode.RegisterErrorType("COMPLEXITY_LIMIT_EXCEEDED", errcode.KindProtocol)
	errcode.RegisterErrorType("RATE_LIMIT_EXCEEDED", errcode.KindProtocol)
}

// inputError is a client mistake found before validation; the error
// presenter renders it as it renders every VALIDATION_ERROR.
func inputError(field, message string) *gqlerror.Error {
	ae := apperr.Validation("VALIDATION_ERROR", "Invalid input", apperr.Detail{Field: field, Message: message})
	return &gqlerror.Error{Err: ae, Message: ae.Error()}
}

// checkVariables refuses a NUL character anywhere in the variables, named
// by its path (input.name, ids[2]).
func checkVariables(vars map[string]any) *gqlerror.Error {
	if at, ok := input.FindNUL(vars, ""); ok {
		return inputError(at, input.NULMessage)
	}
	return nil
}

// checkDocumentStrings refuses a NUL character in a string literal of the
// document, named by its argument.
func checkDocumentStrings(doc *ast.QueryDocument) *gqlerror.Error {
	var bad string
	var value func(v *ast.Value, path string)
	value = func(v *ast.Value, path string) {
		if v == nil || bad != "" {
			return
		}
		if v.Kind == ast.StringValue || v.Kind == ast.BlockValue || v.Kind == ast.EnumValue {
			if strings.IndexByte(v.Raw, 0) >= 0 {
				bad = path
			}
			return
		}
		for i, c := range v.Children {
			p := path + "." + c.Name
			if v.Kind == ast.ListValue {
				p = fmt.Sprintf("%s[%d]", path, i)
			}
			value(c.Value, p)
		}
	}
	var set func(ss ast.SelectionSet)
	args := func(list ast.ArgumentList, dirs ast.DirectiveList) {
		for _, a := range list {
			value(a.Value, a.Name)
		}
		for _, d := range dirs {
			for _, a := range d.Arguments {
				value(a.Value, a.Name)
			}
		}
	}
	set = func(ss ast.SelectionSet) {
		for _, s := range ss {
			switch s := s.(type) {
			case *ast.Field:
				args(s.Arguments, s.Directives)
				set(s.SelectionSet)
			case *ast.InlineFragment:
				args(nil, s.Directives)
				set(s.SelectionSet)
			case *ast.FragmentSpread:
				args(nil, s.Directives)
			}
		}
	}
	for _, op := range doc.Operations {
		for _, v := range op.VariableDefinitions {
			value(v.DefaultValue, v.Variable)
		}
		set(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		set(f.SelectionSet)
	}
	if bad != "" {
		return inputError(bad, input.NULMessage)
	}
	return nil
}

type plainHTTPKey struct{}

// RateCharge charges a priced operation to the caller's rate limit (the
// server's, per API key); an error refuses the operation.
type RateCharge func(ctx context.Context, cost int) error

type rateChargeKey struct{}

// WithRateCharge makes operations run under ctx pay their cost through fn.
func WithRateCharge(ctx context.Context, fn RateCharge) context.Context {
	return context.WithValue(ctx, rateChargeKey{}, fn)
}

// WithPlainHTTP marks ctx as a GraphQL request over plain HTTP (GET or
// POST), where subscriptions are refused: they would hold the request open
// with no budget.
func WithPlainHTTP(ctx context.Context) context.Context {
	return context.WithValue(ctx, plainHTTPKey{}, true)
}

func isPlainHTTP(ctx context.Context) bool {
	v, _ := ctx.Value(plainHTTPKey{}).(bool)
	return v
}
