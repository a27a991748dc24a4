package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/bigledger/bigledger/ent/schema/pulid"
)

// TaxCode is a named tax rate (SST 6%, SST10 10%, ZR 0%, …).
type TaxCode struct{ ent.Schema }

// Mixin of TaxCode.
func (TaxCode) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("tax"), TimeMixin{}, TenantMixin{Ref: "tax_codes"}}
}

// Fields of TaxCode.
func (TaxCode) Fields() []ent.Field {
	return []ent.Field{
		field.String("code").NotEmpty().MaxLen(32).Annotations(entgql.OrderField("CODE")),
		field.String("name").NotEmpty().MaxLen(200),
		rate("rate"),
		field.Bool("active").Default(true),
	}
}

// Indexes of TaxCode.
func (TaxCode) Indexes() []ent.Index {
	return []ent.Index{index.Fields("company_id", "code").Unique()}
}

// Annotations of TaxCode.
func (TaxCode) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(),
		entgql.QueryField(),
	}
}
