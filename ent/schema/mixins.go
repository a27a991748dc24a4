package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"entgo.io/ent/schema/mixin"
	"github.com/shopspring/decimal"

	"entgo.io/ent/dialect"
)

// TimeMixin adds createdAt/updatedAt, both server-owned.
type TimeMixin struct{ mixin.Schema }

// Fields of the mixin.
func (TimeMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").
			Default(time.Now).
			Immutable().
			Annotations(entgql.OrderField("CREATED_AT"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Time("updated_at").
			Default(time.Now).
			UpdateDefault(time.Now).
			Annotations(entgql.OrderField("UPDATED_AT"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// money declares a numeric(20,4) amount, default zero, exposed as the
// Decimal scalar.
func money(name string, ann ...schema.Annotation) ent.Field {
	return field.Other(name, decimal.Decimal{}).
		SchemaType(map[string]string{dialect.Postgres: "numeric(20,4)"}).
		Default(decimal.Zero).
		Annotations(append(ann, entgql.Type("Decimal"))...)
}

// rate declares a numeric(12,6) rate or percentage, default zero, exposed
// as the Rate scalar.
func rate(name string, ann ...schema.Annotation) ent.Field {
	return field.Other(name, decimal.Decimal{}).
		SchemaType(map[string]string{dialect.Postgres: "numeric(12,6)"}).
		Default(decimal.Zero).
		Annotations(append(ann, entgql.Type("Rate"))...)
}

// serverOwned hides a field from the generated mutation inputs.
func serverOwned() schema.Annotation {
	return entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)
}

// orderIndexes indexes (company_id, field, id) for each order field a list
// offers, so a page in that order, and a cursor deep into it, is one index
// range. Fields that every payment or invoice rewrites (amountDue,
// currentBalance, totalSales, updatedAt) are left out on purpose: an index
// on them turns each of those writes into an update of every index of the
// row (see README, "Performance at a real company's size").
func orderIndexes(fields ...string) []ent.Index {
	out := make([]ent.Index, len(fields))
	for i, f := range fields {
		out[i] = index.Fields("company_id", f, "id")
	}
	return out
}
