package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/bigledger/bigledger/ent/schema/pulid"
)

// CustomerGroup groups customers for pricing (seed 003 CustomerGroup).
type CustomerGroup struct{ ent.Schema }

// Mixin of CustomerGroup.
func (CustomerGroup) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("grp"), TimeMixin{}, TenantMixin{Ref: "customer_groups"}}
}

// Fields of CustomerGroup.
func (CustomerGroup) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(200).Annotations(entgql.OrderField("NAME")),
		field.Enum("price_calculation_type").Values("percentage", "selling_price_group").Default("percentage"),
		rate("amount"),
		field.String("selling_price_group_id").Optional().Nillable().MaxLen(64),
		field.String("selling_price_group_name").Optional().Nillable().MaxLen(200),
		field.String("created_by_id").GoType(pulid.ID("")).Optional().Nillable().Immutable().
			Annotations(serverOwned()),
	}
}

// Edges of CustomerGroup.
func (CustomerGroup) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("customers", Customer.Type).Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("created_by", User.Type).Field("created_by_id").Unique().Immutable().Annotations(entgql.Skip()),
	}
}

// Indexes of CustomerGroup.
func (CustomerGroup) Indexes() []ent.Index {
	return []ent.Index{index.Fields("company_id", "name").Unique()}
}

// Annotations of CustomerGroup.
func (CustomerGroup) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(),
		entgql.QueryField(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
