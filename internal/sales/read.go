package sales

import (
	"context"
	"strings"

	"entgo.io/ent/dialect/sql"
	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/ent/invoice"
	"github.com/bigledger/bigledger/ent/invoiceitem"
	"github.com/bigledger/bigledger/ent/predicate"
	"github.com/bigledger/bigledger/ent/quote"
	"github.com/bigledger/bigledger/ent/quoteitem"
	"github.com/bigledger/bigledger/ent/salesorder"
	"github.com/bigledger/bigledger/ent/salesorderitem"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/ent/taxcode"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/store"
)

// InvoiceFilter holds the invoice list filters ent's WhereInput cannot
// express: free-text search and the derived overdue state.
type InvoiceFilter struct {
	Search  string
	Overdue *bool
	// State is seed 004's invoice state (InvoiceStates).
	State            string
	CustomerID       *pulid.ID
	DateFrom, DateTo *types.Date
	DueFrom, DueTo   *types.Date
}

// InvoiceStates are seed 004's invoice states (GraphQL InvoiceStatusFilter):
// the four statuses, and UNPAID (issued, not void, something due),
// PARTIAL (part of it paid) and OVERDUE (unpaid past its due date).
var InvoiceStates = []string{"DRAFT", "SENT", "PAID", "VOID", "UNPAID", "PARTIAL", "OVERDUE"}

// InvoiceState is the predicate of one of InvoiceStates.
func InvoiceState(state string) (predicate.Invoice, error) {
	switch state {
	case "DRAFT", "SENT", "PAID", "VOID":
		return invoice.StatusEQ(invoice.Status(strings.ToLower(state))), nil
	case "UNPAID":
		return invoice.And(invoice.StatusEQ(invoice.StatusSent), invoice.AmountDueGT(decimal.Zero)), nil
	case "PARTIAL":
		return invoice.And(invoice.StatusEQ(invoice.StatusSent), invoice.PaymentStatusEQ(invoice.PaymentStatusPartial)), nil
	case "OVERDUE":
		return predicate.Invoice(OverdueFilter(true)), nil
	}
	return nil, apperr.Validation("VALIDATION_ERROR", "Invalid filter", apperr.Detail{Field: "status",
		Message: "Must be one of " + strings.Join(InvoiceStates, ", ")})
}

// Invoices starts an invoice query for the acting company with f applied.
func Invoices(ctx context.Context, f InvoiceFilter) (*ent.InvoiceQuery, error) {
	q := store.Client(ctx).Invoice.Query()
	if f.Search != "" {
		q = q.Where(SearchInvoices(f.Search))
	}
	if f.Overdue != nil {
		q = q.Where(OverdueFilter(*f.Overdue))
	}
	if f.State != "" {
		p, err := InvoiceState(f.State)
		if err != nil {
			return nil, err
		}
		q = q.Where(p)
	}
	if f.CustomerID != nil {
		q = q.Where(invoice.CustomerID(*f.CustomerID))
	}
	if f.DateFrom != nil {
		q = q.Where(invoice.InvoiceDateGTE(*f.DateFrom))
	}
	if f.DateTo != nil {
		q = q.Where(invoice.InvoiceDateLTE(*f.DateTo))
	}
	if f.DueFrom != nil {
		q = q.Where(invoice.DueDateGTE(*f.DueFrom))
	}
	if f.DueTo != nil {
		q = q.Where(invoice.DueDateLTE(*f.DueTo))
	}
	return q, nil
}

// GetInvoice loads one invoice, with extra loading applied by eager.
func GetInvoice(ctx context.Context, id pulid.ID, eager func(*ent.InvoiceQuery) (*ent.InvoiceQuery, error)) (*ent.Invoice, error) {
	return getOne[*ent.Invoice](ctx, store.Client(ctx).Invoice.Query().Where(invoice.ID(id)), eager, InvoiceNotFound(id))
}

// OrderLines orders eager-loaded invoice lines by position.
func OrderLines(q *ent.InvoiceItemQuery) { q.Order(ent.Asc(invoiceitem.FieldPosition)) }

// WithDetails eager-loads what an invoice's REST form shows: customer,
// lines and the sales order it bills (for its quote). Applied to a list
// it costs three extra statements in all.
func WithDetails(q *ent.InvoiceQuery) *ent.InvoiceQuery {
	return q.WithCustomer().WithItems(OrderLines).WithSalesOrder()
}

// GetItem loads one item.
func GetItem(ctx context.Context, id pulid.ID) (*ent.Item, error) {
	it, err := store.Client(ctx).Item.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, ItemNotFound(id)
	}
	return it, err
}

// LoadInvoiceDetails loads the customers and lines of a page of invoices
// with two queries, whatever the page size.
func LoadInvoiceDetails(ctx context.Context, invoices []*ent.Invoice) error {
	if len(invoices) == 0 {
		return nil
	}
	c := store.Client(ctx)
	ids := make([]pulid.ID, len(invoices))
	custIDs := map[pulid.ID]bool{}
	byID := map[pulid.ID]*ent.Invoice{}
	for i, inv := range invoices {
		ids[i] = inv.ID
		custIDs[inv.CustomerID] = true
		byID[inv.ID] = inv
		inv.Edges.Items = []*ent.InvoiceItem{}
	}
	var cids []pulid.ID
	for id := range custIDs {
		cids = append(cids, id)
	}
	customers, err := c.Customer.Query().Where(customer.IDIn(cids...)).All(ctx)
	if err != nil {
		return err
	}
	byCustomer := map[pulid.ID]*ent.Customer{}
	for _, cu := range customers {
		byCustomer[cu.ID] = cu
	}
	q := c.InvoiceItem.Query().Where(invoiceitem.InvoiceIDIn(ids...))
	OrderLines(q)
	items, err := q.All(ctx)
	if err != nil {
		return err
	}
	for _, it := range items {
		inv := byID[it.InvoiceID]
		inv.Edges.Items = append(inv.Edges.Items, it)
	}
	for _, inv := range invoices {
		inv.Edges.Customer = byCustomer[inv.CustomerID]
	}
	// The orders they bill, for the quote each came from.
	var orderIDs []pulid.ID
	for _, inv := range invoices {
		if inv.SalesOrderID != nil {
			orderIDs = append(orderIDs, *inv.SalesOrderID)
		}
	}
	if len(orderIDs) == 0 {
		return nil
	}
	orders, err := c.SalesOrder.Query().Where(salesorder.IDIn(orderIDs...)).All(ctx)
	if err != nil {
		return err
	}
	byOrder := map[pulid.ID]*ent.SalesOrder{}
	for _, o := range orders {
		byOrder[o.ID] = o
	}
	for _, inv := range invoices {
		if inv.SalesOrderID != nil {
			inv.Edges.SalesOrder = byOrder[*inv.SalesOrderID]
		}
	}
	return nil
}

// LoadItemTaxCodes loads the tax codes of a page of items with one query.
func LoadItemTaxCodes(ctx context.Context, items []*ent.Item) error {
	var ids []pulid.ID
	for _, it := range items {
		if it.TaxCodeID != nil {
			ids = append(ids, *it.TaxCodeID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	tcs, err := store.Client(ctx).TaxCode.Query().Where(taxcode.IDIn(ids...)).All(ctx)
	if err != nil {
		return err
	}
	byID := map[pulid.ID]*ent.TaxCode{}
	for _, tc := range tcs {
		byID[tc.ID] = tc
	}
	for _, it := range items {
		if it.TaxCodeID != nil {
			it.Edges.TaxCode = byID[*it.TaxCodeID]
		}
	}
	return nil
}

// TaxCodeByCode finds a tax code by its code (nil when there is none).
func TaxCodeByCode(ctx context.Context, code string) (*ent.TaxCode, error) {
	tc, err := store.Client(ctx).TaxCode.Query().Where(taxcode.Code(strings.ToUpper(strings.TrimSpace(code)))).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return tc, err
}

// Quotes starts a quote query; search matches number, reference and title.
func Quotes(ctx context.Context, search string) *ent.QuoteQuery {
	q := store.Client(ctx).Quote.Query()
	if s := strings.TrimSpace(search); s != "" {
		pattern := store.ContainsPattern(s)
		q = q.Where(func(sel *sql.Selector) {
			sel.Where(sql.Or(store.ILike(sel.C(quote.FieldQuoteNumber), pattern), store.ILike(sel.C(quote.FieldReference), pattern), store.ILike(sel.C(quote.FieldTitle), pattern)))
		})
	}
	return q
}

// GetQuote loads one quote, with extra loading applied by eager.
func GetQuote(ctx context.Context, id pulid.ID, eager func(*ent.QuoteQuery) (*ent.QuoteQuery, error)) (*ent.Quote, error) {
	return getOne[*ent.Quote](ctx, store.Client(ctx).Quote.Query().Where(quote.ID(id)), eager, QuoteNotFound(id))
}

// SalesOrders starts an order query; search matches number, reference and
// customer name (seed 000).
func SalesOrders(ctx context.Context, search string) *ent.SalesOrderQuery {
	q := store.Client(ctx).SalesOrder.Query()
	if s := strings.TrimSpace(search); s != "" {
		pattern := store.ContainsPattern(s)
		q = q.Where(func(sel *sql.Selector) {
			sel.Where(sql.Or(
				store.ILike(sel.C(salesorder.FieldOrderNumber), pattern),
				store.ILike(sel.C(salesorder.FieldReference), pattern),
				sql.P(func(b *sql.Builder) {
					b.WriteString("EXISTS (SELECT 1 FROM customers cu WHERE cu.id = ").Ident(sel.C(salesorder.FieldCustomerID)).
						WriteString(" AND cu.name ILIKE ").Arg(pattern).WriteString(")")
				}),
			))
		})
	}
	return q
}

// GetSalesOrder loads one order, with extra loading applied by eager.
func GetSalesOrder(ctx context.Context, id pulid.ID, eager func(*ent.SalesOrderQuery) (*ent.SalesOrderQuery, error)) (*ent.SalesOrder, error) {
	return getOne[*ent.SalesOrder](ctx, store.Client(ctx).SalesOrder.Query().Where(salesorder.ID(id)), eager, OrderNotFound(id))
}

// QuotesWithDetails loads quotes by id with customer and lines (three
// statements, whatever the count), in the order of ids.
func QuotesWithDetails(ctx context.Context, ids []pulid.ID) ([]*ent.Quote, error) {
	found, err := store.Client(ctx).Quote.Query().Where(quote.IDIn(ids...)).
		WithCustomer().WithItems(func(q *ent.QuoteItemQuery) { q.Order(ent.Asc(quoteitem.FieldPosition)) }).All(ctx)
	if err != nil {
		return nil, err
	}
	return inOrder(ids, found, func(q *ent.Quote) pulid.ID { return q.ID }), nil
}

// OrdersWithDetails loads sales orders by id with customer and lines.
func OrdersWithDetails(ctx context.Context, ids []pulid.ID) ([]*ent.SalesOrder, error) {
	found, err := store.Client(ctx).SalesOrder.Query().Where(salesorder.IDIn(ids...)).
		WithCustomer().WithItems(func(q *ent.SalesOrderItemQuery) { q.Order(ent.Asc(salesorderitem.FieldPosition)) }).
		WithInvoices(func(q *ent.InvoiceQuery) { q.Order(ent.Asc(invoice.FieldInvoiceDate), ent.Asc(invoice.FieldID)) }).All(ctx)
	if err != nil {
		return nil, err
	}
	return inOrder(ids, found, func(o *ent.SalesOrder) pulid.ID { return o.ID }), nil
}

func inOrder[T any](ids []pulid.ID, found []T, id func(T) pulid.ID) []T {
	byID := make(map[pulid.ID]T, len(found))
	for _, f := range found {
		byID[id(f)] = f
	}
	out := make([]T, 0, len(ids))
	for _, i := range ids {
		if f, ok := byID[i]; ok {
			out = append(out, f)
		}
	}
	return out
}

// QuoteStatusFilter narrows quotes to the given statuses as the API shows
// them: "expired" includes open quotes past validUntil (in each company's
// timezone), and the open statuses exclude them.
func QuoteStatusFilter(statuses []quote.Status) func(*sql.Selector) {
	return func(s *sql.Selector) {
		past := sql.P(func(b *sql.Builder) {
			b.Ident(s.C(quote.FieldValidUntil)).WriteString(" < (SELECT (now() AT TIME ZONE c.timezone)::date FROM companies c WHERE c.id = ").
				Ident(s.C(quote.FieldCompanyID)).WriteString(")")
		})
		open := []any{string(quote.StatusDraft), string(quote.StatusSent), string(quote.StatusAccepted)}
		var ors []*sql.Predicate
		for _, st := range statuses {
			switch st {
			case quote.StatusExpired:
				ors = append(ors, sql.Or(sql.EQ(s.C(quote.FieldStatus), string(st)), sql.And(sql.In(s.C(quote.FieldStatus), open...), past)))
			case quote.StatusDraft, quote.StatusSent, quote.StatusAccepted:
				ors = append(ors, sql.And(sql.EQ(s.C(quote.FieldStatus), string(st)), sql.Not(past)))
			default:
				ors = append(ors, sql.EQ(s.C(quote.FieldStatus), string(st)))
			}
		}
		s.Where(sql.Or(ors...))
	}
}

// getOne loads the one row q selects, after eager has added its loading;
// no row answers notFound.
func getOne[T any, Q interface {
	Only(context.Context) (T, error)
}](ctx context.Context, q Q, eager func(Q) (Q, error), notFound error) (T, error) {
	var zero T
	if eager != nil {
		var err error
		if q, err = eager(q); err != nil {
			return zero, err
		}
	}
	out, err := q.Only(ctx)
	if ent.IsNotFound(err) {
		return zero, notFound
	}
	return out, err
}

// TaxCodeByRate finds the company's tax code with rate percent (nil when
// there is none; the lowest code when several share it), for the APIs
// that name a tax by its rate (seed 002 tax_rate).
func TaxCodeByRate(ctx context.Context, rate decimal.Decimal) (*ent.TaxCode, error) {
	tc, err := store.Client(ctx).TaxCode.Query().Where(taxcode.Rate(rate)).Order(ent.Asc(taxcode.FieldCode)).First(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return tc, err
}

// TaxRates lists the company's tax rates, for an error that names them.
func TaxRates(ctx context.Context) ([]decimal.Decimal, error) {
	codes, err := store.Client(ctx).TaxCode.Query().Order(ent.Asc(taxcode.FieldRate)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]decimal.Decimal, 0, len(codes))
	for _, c := range codes {
		if len(out) == 0 || !out[len(out)-1].Equal(c.Rate) {
			out = append(out, c.Rate)
		}
	}
	return out, nil
}
