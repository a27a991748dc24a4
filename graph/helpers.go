package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/99designs/gqlgen/graphql"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/graph/model"
	"github.com/bigledger/bigledger/internal/ledger"
	"github.com/bigledger/bigledger/internal/reqcache"
)

func deleted(id pulid.ID, err error) (*model.DeletePayload, error) {
	if err != nil {
		return nil, err
	}
	return &model.DeletePayload{DeletedID: id}, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// toMap renders a JSON-tagged value as a Map scalar.
func toMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return m, d.Decode(&m)
}

// siblings finds the list obj was resolved in (the nearest enclosing
// connection's edges or plain list) so that a field resolved once per row
// can be loaded for every row in one statement. key identifies that list
// within the request; a lone object is its own list.
func siblings[N any, E any](ctx context.Context, obj *N, node func(E) *N) (string, []*N) {
	for fc := graphql.GetFieldContext(ctx); fc != nil; fc = fc.Parent {
		switch l := fc.Result.(type) {
		case []E:
			out := make([]*N, 0, len(l))
			for _, e := range l {
				if n := node(e); n != nil {
					out = append(out, n)
				}
			}
			return fmt.Sprintf("%p", l), out
		case []*N:
			return fmt.Sprintf("%p", l), l
		}
	}
	return fmt.Sprintf("%p", obj), []*N{obj}
}

// invoicePayments is Invoice.payments for a whole list of invoices at
// once (one statement per list, not per invoice).
func invoicePayments(ctx context.Context, obj *ent.Invoice) ([]*ent.Payment, error) {
	key, list := siblings(ctx, obj, func(e *ent.InvoiceEdge) *ent.Invoice { return e.Node })
	byInvoice, err := reqcache.Load(ctx, "invoice.payments:"+key, func() (map[pulid.ID][]*ent.Payment, error) {
		ids := make([]pulid.ID, len(list))
		for i, n := range list {
			ids[i] = n.ID
		}
		return ledger.PaymentsOfInvoices(ctx, ids, ent.ListEdgeLimit)
	})
	if err != nil {
		return nil, err
	}
	if ps, ok := byInvoice[obj.ID]; ok {
		return ps, nil
	}
	if !slices.Contains(list, obj) {
		// Not in the list found (should not happen): load it alone.
		return ledger.InvoicePayments(ctx, obj.ID)
	}
	return []*ent.Payment{}, nil
}
