package sales

import (
	"context"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/invoice"
	"github.com/bigledger/bigledger/ent/invoiceitem"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/store"
)

// InvoiceFilter holds the invoice list filters ent's WhereInput cannot
// express: free-text search and the derived overdue state.
type InvoiceFilter struct {
	Search  string
	Overdue *bool
}

// Invoices starts an invoice query for the acting company with f applied.
func Invoices(ctx context.Context, f InvoiceFilter) *ent.InvoiceQuery {
	q := store.Client(ctx).Invoice.Query()
	if f.Search != "" {
		q = q.Where(SearchInvoices(f.Search))
	}
	if f.Overdue != nil {
		q = q.Where(OverdueFilter(*f.Overdue))
	}
	return q
}

// GetInvoice loads one invoice, with extra loading applied by eager.
func GetInvoice(ctx context.Context, id pulid.ID, eager func(*ent.InvoiceQuery) (*ent.InvoiceQuery, error)) (*ent.Invoice, error) {
	q := store.Client(ctx).Invoice.Query().Where(invoice.ID(id))
	if eager != nil {
		var err error
		if q, err = eager(q); err != nil {
			return nil, err
		}
	}
	inv, err := q.Only(ctx)
	if ent.IsNotFound(err) {
		return nil, InvoiceNotFound(id)
	}
	return inv, err
}

// OrderLines orders eager-loaded invoice lines by position.
func OrderLines(q *ent.InvoiceItemQuery) { q.Order(ent.Asc(invoiceitem.FieldPosition)) }

// WithDetails eager-loads what an invoice's REST form shows: customer and
// lines. Applied to a list it costs two extra statements in all.
func WithDetails(q *ent.InvoiceQuery) *ent.InvoiceQuery {
	return q.WithCustomer().WithItems(OrderLines)
}

// GetItem loads one item.
func GetItem(ctx context.Context, id pulid.ID) (*ent.Item, error) {
	it, err := store.Client(ctx).Item.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, ItemNotFound(id)
	}
	return it, err
}
