package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/bigledger/bigledger/ent/schema/pulid"
)

// DocumentCounter holds the last number handed out for one kind of
// document (customer, quote, invoice, …) in one company and year. It is
// incremented under a row lock inside the creating transaction, so a number
// is consumed only when its document commits: no gaps, no duplicates.
type DocumentCounter struct{ ent.Schema }

// Mixin of DocumentCounter.
func (DocumentCounter) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("ctr"), TenantMixin{Ref: "document_counters"}}
}

// Fields of DocumentCounter.
func (DocumentCounter) Fields() []ent.Field {
	return []ent.Field{
		field.String("kind").NotEmpty().MaxLen(32).Immutable(),
		field.Int("year").Immutable(),
		field.Int64("last_value").Default(0),
	}
}

// Indexes of DocumentCounter.
func (DocumentCounter) Indexes() []ent.Index {
	return []ent.Index{index.Fields("company_id", "kind", "year").Unique()}
}

// Annotations of DocumentCounter: internal only.
func (DocumentCounter) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}
