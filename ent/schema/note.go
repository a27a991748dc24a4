package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/bigledger/bigledger/ent/schema/pulid"
)

// Note is a document or note kept on a customer (seed 003 "documents and
// notes"): a heading, an optional body, private to its author or not;
// its files are attachments of document type note.
type Note struct{ ent.Schema }

// Mixin of Note.
func (Note) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("note"), TimeMixin{}, TenantMixin{Ref: "notes"}}
}

// Fields of Note.
func (Note) Fields() []ent.Field {
	return []ent.Field{
		field.String("customer_id").GoType(pulid.ID("")).Immutable(),
		field.String("heading").NotEmpty().MaxLen(255),
		field.Text("description").Optional().Nillable(),
		field.Bool("is_private").Default(false),
		field.String("created_by_id").GoType(pulid.ID("")).Optional().Nillable().Immutable(),
	}
}

// Indexes of Note.
func (Note) Indexes() []ent.Index {
	return []ent.Index{index.Fields("customer_id", "created_at")}
}

// Annotations of Note: served by the seed-003 REST routes only.
func (Note) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
