package schema

import (
	"context"
	"fmt"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/privacy"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"entgo.io/ent/schema/mixin"

	"github.com/bigledger/bigledger/ent/intercept"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/tenant"
)

// TenantMixin makes an entity company-owned: a required, immutable
// company_id with a foreign key, a privacy policy that filters every query
// and mutation to the acting company, and a hook that stamps the company on
// create. Ref is the name of the back-edge on Company.
type TenantMixin struct {
	mixin.Schema
	Ref string
}

// Fields of the mixin.
func (TenantMixin) Fields() []ent.Field {
	return []ent.Field{
		field.String("company_id").
			GoType(pulid.ID("")).
			Immutable().
			Annotations(entgql.Skip()),
	}
}

// Edges of the mixin.
func (m TenantMixin) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("company", Company.Type).
			Ref(m.Ref).
			Field("company_id").
			Unique().
			Required().
			Immutable().
			Annotations(entgql.Skip()),
	}
}

// Indexes of the mixin.
func (TenantMixin) Indexes() []ent.Index {
	// (company_id, id): a company's rows in the default (id) order, so a
	// list page or a deep cursor is one index range, never a scan.
	return []ent.Index{index.Fields("company_id", "id")}
}

// Policy filters every read and write to the acting company.
func (TenantMixin) Policy() ent.Policy {
	rule := tenantRule{column: "company_id"}
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule},
		Mutation: privacy.MutationPolicy{rule},
	}
}

// Hooks stamp the company on create and refuse edges into other companies.
func (TenantMixin) Hooks() []ent.Hook {
	return []ent.Hook{stampCompany, guardEdges}
}

// tenantRule is a privacy rule that narrows queries and update/delete
// mutations with "column = acting company". With no company in the context
// (and not running as system) it denies: tenant data is never read or
// written without knowing whose it is.
type tenantRule struct{ column string }

type wherer interface {
	WhereP(...func(*sql.Selector))
}

func (r tenantRule) filter(ctx context.Context, v any) error {
	if tenant.IsSystem(ctx) {
		return privacy.Skip
	}
	cid, ok := tenant.CompanyID(ctx)
	if !ok {
		return privacy.Denyf("tenant: no company in context")
	}
	w, ok := v.(wherer)
	if !ok {
		return privacy.Denyf("tenant: %T cannot be filtered", v)
	}
	w.WhereP(sql.FieldEQ(r.column, string(cid)))
	return privacy.Skip
}

// EvalQuery implements privacy.QueryRule. Queries gain WhereP through the
// generated intercept package.
func (r tenantRule) EvalQuery(ctx context.Context, q ent.Query) error {
	if tenant.IsSystem(ctx) {
		return privacy.Skip
	}
	gq, err := intercept.NewQuery(q)
	if err != nil {
		return privacy.Denyf("tenant: %v", err)
	}
	return r.filter(ctx, gq)
}

// EvalMutation implements privacy.MutationRule.
func (r tenantRule) EvalMutation(ctx context.Context, m ent.Mutation) error {
	if m.Op().Is(ent.OpCreate) {
		if tenant.IsSystem(ctx) {
			return privacy.Skip
		}
		if _, ok := tenant.CompanyID(ctx); !ok {
			return privacy.Denyf("tenant: no company in context")
		}
		return privacy.Skip
	}
	return r.filter(ctx, m)
}

// stampCompany sets company_id on create from the acting company, and
// refuses an explicit company_id that differs from it.
func stampCompany(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		if !m.Op().Is(ent.OpCreate) {
			return next.Mutate(ctx, m)
		}
		cur, set := m.Field("company_id")
		cid, ok := tenant.CompanyID(ctx)
		switch {
		case ok && set && cur.(pulid.ID) != cid:
			return nil, fmt.Errorf("tenant: %s created for another company", m.Type())
		case ok && !set:
			if err := m.SetField("company_id", cid); err != nil {
				return nil, err
			}
		case !ok && !set:
			return nil, fmt.Errorf("tenant: %s created with no company", m.Type())
		}
		v, err := next.Mutate(ctx, m)
		// A row created in this transaction for the acting company is
		// visible to it: later edges to it need no check.
		if err == nil && ok {
			if im, isID := m.(interface{ ID() (pulid.ID, bool) }); isID {
				if id, exists := im.ID(); exists {
					tenant.MarkVisible(ctx, string(id))
				}
			}
		}
		return v, err
	})
}
