package sales

import (
	"context"
	"strings"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/ent/invoice"
	"github.com/bigledger/bigledger/ent/invoiceitem"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/taxcode"
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
