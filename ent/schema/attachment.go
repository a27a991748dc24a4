package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/bigledger/bigledger/ent/schema/pulid"
)

// Attachment is a file attached to a sales document, stored in PostgreSQL
// with its size and SHA-256.
type Attachment struct{ ent.Schema }

// Mixin of Attachment.
func (Attachment) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("att"), TimeMixin{}, TenantMixin{Ref: "attachments"}}
}

// Fields of Attachment.
func (Attachment) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("document_type").Values("quote", "sales_order", "invoice", "note").Immutable(),
		field.String("document_id").GoType(pulid.ID("")).Immutable().
			Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.String("filename").NotEmpty().MaxLen(255).Immutable(),
		field.String("content_type").NotEmpty().MaxLen(255).Immutable(),
		field.Int64("size").Immutable(),
		field.String("sha256").MinLen(64).MaxLen(64).Immutable(),
		field.Bytes("content").Immutable().Sensitive().Annotations(entgql.Skip()),
		field.String("created_by_id").GoType(pulid.ID("")).Optional().Nillable().Immutable().
			Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
	}
}

// Indexes of Attachment.
func (Attachment) Indexes() []ent.Index {
	return []ent.Index{index.Fields("document_id")}
}

// Annotations of Attachment: read-only in GraphQL; uploads go through REST.
func (Attachment) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)}
}
