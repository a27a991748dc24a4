package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/bigledger/bigledger/ent/schema/pulid"
)

// Contact is a person at a customer (seed 000 Contact).
type Contact struct{ ent.Schema }

// Mixin of Contact.
func (Contact) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("contact"), TimeMixin{}, TenantMixin{Ref: "contacts"}}
}

// Fields of Contact.
func (Contact) Fields() []ent.Field {
	optStr := func(name string, max int) ent.Field {
		return field.String(name).Optional().Nillable().MaxLen(max)
	}
	return []ent.Field{
		field.String("customer_id").GoType(pulid.ID("")).Immutable(),
		field.String("name").NotEmpty().MaxLen(200).Annotations(entgql.OrderField("NAME")),
		optStr("email", 254),
		optStr("phone", 32),
		optStr("mobile", 32),
		optStr("title", 100),
		optStr("department", 100),
		field.Bool("is_primary").Default(false),
		field.Bool("is_active").Default(true),
		field.Text("notes").Optional().Nillable(),
	}
}

// Edges of Contact.
func (Contact) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("customer", Customer.Type).Ref("contacts").Field("customer_id").Unique().Required().Immutable(),
	}
}

// Indexes of Contact: the database itself keeps a customer to one primary.
func (Contact) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("customer_id").Unique().
			Annotations(entsql.IndexWhere("is_primary")).
			StorageKey("contact_one_primary_per_customer"),
		index.Fields("customer_id"),
	}
}

// Annotations of Contact.
func (Contact) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
