package schema

import (
	"context"
	"fmt"

	"entgo.io/ent"

	gen "github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/tenant"
)

// EdgeNotFoundError reports an edge set to an id that does not exist in the
// acting company (it may exist in another one; we do not say).
type EdgeNotFoundError struct {
	Edge string
	ID   pulid.ID
}

func (e *EdgeNotFoundError) Error() string {
	return fmt.Sprintf("%s %q not found", e.Edge, e.ID)
}

type visibility interface {
	Visible(ctx context.Context, id pulid.ID) (bool, error)
}

// guardEdges refuses a create or update that points an edge at a row the
// acting company cannot see: a contact for another company's customer, a
// customer in another company's group. The check runs through the
// mutation's own (transactional) client, so privacy rules apply.
func guardEdges(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		if tenant.IsSystem(ctx) {
			return next.Mutate(ctx, m)
		}
		cm, ok := m.(interface{ Client() *gen.Client })
		if !ok {
			return nil, fmt.Errorf("tenant: %T has no client", m)
		}
		// Asserted rather than called directly so the schema still compiles
		// before the generated client (which defines Visible) exists.
		vis, ok := any(cm.Client()).(visibility)
		if !ok {
			return nil, fmt.Errorf("tenant: generated client lacks Visible; run make generate")
		}
		for _, name := range m.AddedEdges() {
			if name == "company" {
				continue
			}
			for _, v := range m.AddedIDs(name) {
				id, ok := v.(pulid.ID)
				if !ok || tenant.KnownVisible(ctx, string(id)) {
					continue
				}
				visible, err := vis.Visible(ctx, id)
				if err != nil {
					return nil, err
				}
				if !visible {
					return nil, &EdgeNotFoundError{Edge: name, ID: id}
				}
				tenant.MarkVisible(ctx, string(id))
			}
		}
		return next.Mutate(ctx, m)
	})
}
