package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"github.com/bigledger/bigledger/ent/schema/pulid"
)

// APIKey is a secret that authenticates a user of one company. Only its
// public prefix and a SHA-256 hash of the secret are stored.
type APIKey struct{ ent.Schema }

// Mixin of APIKey.
func (APIKey) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("key"), TimeMixin{}, TenantMixin{Ref: "api_keys"}}
}

// Fields of APIKey.
func (APIKey) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").MaxLen(200).Default(""),
		field.String("prefix").Unique().Immutable().NotEmpty().MaxLen(32),
		field.Bytes("secret_hash").Sensitive().Immutable(),
		field.Strings("scopes"),
		field.String("user_id").GoType(pulid.ID("")).Immutable(),
		field.Time("last_used_at").Optional().Nillable(),
		field.Time("revoked_at").Optional().Nillable(),
		field.Time("expires_at").Optional().Nillable(),
	}
}

// Edges of APIKey.
func (APIKey) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("user", User.Type).Ref("api_keys").Field("user_id").Unique().Required().Immutable(),
	}
}

// Annotations of APIKey: not exposed through GraphQL.
func (APIKey) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}
