package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/graph/model"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/crm"
	"github.com/bigledger/bigledger/internal/ledger"
	"github.com/bigledger/bigledger/internal/reqcache"
	"github.com/bigledger/bigledger/internal/sales"
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

// deliveries is Invoice.deliveries or Quote.deliveries for a whole list
// of documents at once (one statement per list).
func deliveries[N any, E any](ctx context.Context, obj *N, id pulid.ID, node func(E) *N, idOf func(*N) pulid.ID) ([]*ent.EmailMessage, error) {
	key, list := siblings(ctx, obj, node)
	byDoc, err := reqcache.Load(ctx, "documents.deliveries:"+key, func() (map[pulid.ID][]*ent.EmailMessage, error) {
		ids := make([]pulid.ID, len(list))
		for i, n := range list {
			ids[i] = idOf(n)
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
		return sales.DeliveriesOf(ctx, ids, sales.MaxListedDeliveries)
	})
	if err != nil {
		return nil, err
	}
	if ms, ok := byDoc[id]; ok {
		return ms, nil
	}
	return []*ent.EmailMessage{}, nil
}

func deleteResult(id pulid.ID, err error) (*model.DeleteResult, error) {
	if err != nil {
		return nil, err
	}
	return &model.DeleteResult{Success: true, DeletedID: id}, nil
}

// pageQuery is what numberedPage needs of an ent query.
type pageQuery[Q any] interface {
	Clone() Q
	Offset(int) Q
	Count(context.Context) (int, error)
}

// numberedPage runs a connection query as seed 004's numbered page when
// page or limit is given (guardField has checked them and refused mixing
// them with first/after/last/before): the page is an OFFSET, hasNextPage
// and hasPreviousPage say whether pages follow and precede, and
// totalCount is counted only when selected. Otherwise run pages by cursor
// as usual. q must carry every filter (run adds only the ordering).
func numberedPage[Q pageQuery[Q], C any](ctx context.Context, q Q, first, page, limit *int,
	run func(ctx context.Context, q Q, first *int) (C, error), info func(C) (*ent.PageInfo, *int)) (C, error) {
	if page == nil && limit == nil {
		return run(ctx, q, first)
	}
	size, n := DefaultPageLimit, 1
	if limit != nil {
		size = *limit
	}
	if page != nil {
		n = *page
	}
	counted := q.Clone()
	conn, err := run(ent.SkipCount(ctx), q.Offset((n-1)*size), &size)
	if err != nil {
		return conn, err
	}
	pi, total := info(conn)
	pi.HasPreviousPage = n > 1
	if selected(ctx, "totalCount") {
		if *total, err = counted.Count(ctx); err != nil {
			return conn, err
		}
	}
	return conn, nil
}

// selected reports whether the current field's selection asks for name.
func selected(ctx context.Context, name string) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return false
	}
	for _, f := range graphql.CollectFields(graphql.GetOperationContext(ctx), fc.Field.Selections, nil) {
		if f.Name == name {
			return true
		}
	}
	return false
}

// either is the one of a top-level argument and the same field of seed
// 004's filter that is given; both at once is refused.
func either(name string, arg, filter *string) (string, error) {
	switch {
	case arg != nil && filter != nil && *arg != *filter:
		return "", apperr.Validation("VALIDATION_ERROR", "Invalid filter",
			apperr.Detail{Field: "filter." + name, Message: "Given both as " + name + " and filter." + name + "; give one"})
	case filter != nil:
		return *filter, nil
	}
	return deref(arg), nil
}

// linesAsItems takes seed 004's lines as the invoice's items; both is
// refused.
func linesAsItems(in *sales.InvoiceInput, lines []*sales.LineInput) error {
	if lines == nil {
		return nil
	}
	if in.Items != nil {
		return apperr.Validation(sales.CodeInvalidInvoice, "Invoice validation failed",
			apperr.Detail{Field: "lines", Message: "Give items or lines, not both"})
	}
	in.Items = make([]sales.LineInput, 0, len(lines))
	for _, l := range lines {
		in.Items = append(in.Items, *l)
	}
	return nil
}

// paymentApplication is seed 004's answer of applyPayment.
func paymentApplication(a *ent.PaymentAllocation, err error) (*model.PaymentApplication, error) {
	if err != nil {
		return nil, err
	}
	return &model.PaymentApplication{ID: a.ID, Amount: a.Amount, AppliedAt: a.CreatedAt, Payment: a.Edges.Payment, Invoice: a.Edges.Invoice}, nil
}

// statementFields are the GraphQL names of sales.SendStatement's
// (seed-003) field names.
var statementFields = map[string]string{"to_email": "to", "email_body": "body", "start_date": "from", "end_date": "until", "ledger_format": "format"}

// noteInput is a GraphQL note input as the workflow's: an empty
// description clears it.
func noteInput(in model.CustomerNoteInput) crm.NoteInput {
	out := crm.NoteInput{Heading: in.Heading, Description: in.Description, IsPrivate: in.IsPrivate}
	if in.Description != nil && strings.TrimSpace(*in.Description) == "" {
		out.Description, out.ClearDescription = nil, true
	}
	return out
}

// companyPatch is a GraphQL company change as the workflow's: a template
// with neither subject nor body returns its kind to the default.
func companyPatch(in model.UpdateCompanyInput) crm.CompanyPatch {
	p := crm.CompanyPatch{Name: in.Name, Timezone: in.Timezone, Email: in.Email, Phone: in.Phone, TaxNumber: in.TaxNumber,
		Address: in.Address, ReminderRepeatDays: in.ReminderRepeatDays}
	if in.ReminderSchedule != nil {
		p.ReminderSchedule = &in.ReminderSchedule
	}
	if in.EmailTemplates != nil {
		p.EmailTemplates = map[string]*sales.EmailTemplate{}
		for _, t := range in.EmailTemplates {
			if t.Subject == nil && t.Body == nil {
				p.EmailTemplates[t.Kind] = nil
				continue
			}
			p.EmailTemplates[t.Kind] = &sales.EmailTemplate{Subject: deref(t.Subject), Body: deref(t.Body)}
		}
	}
	return p
}
