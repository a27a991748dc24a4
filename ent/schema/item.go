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

// Item is something the company sells: a product or a service.
type Item struct{ ent.Schema }

// Mixin of Item.
func (Item) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("item"), TimeMixin{}, TenantMixin{Ref: "items"}}
}

// Fields of Item.
func (Item) Fields() []ent.Field {
	return []ent.Field{
		field.String("code").NotEmpty().MaxLen(64).Annotations(entgql.OrderField("CODE")),
		field.String("name").NotEmpty().MaxLen(200).Annotations(entgql.OrderField("NAME")),
		field.Text("description").Optional().Nillable(),
		field.Enum("type").Values("product", "service").Default("product"),
		money("unit_price"),
		field.String("tax_code_id").GoType(pulid.ID("")).Optional().Nillable(),
		field.Bool("active").Default(true),
	}
}

// Edges of Item.
func (Item) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("tax_code", TaxCode.Type).Field("tax_code_id").Unique(),
	}
}

// Indexes of Item.
func (Item) Indexes() []ent.Index {
	return []ent.Index{index.Fields("company_id", "code").Unique()}
}

// Annotations of Item.
func (Item) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
