package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"
	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
)

// quantity declares a numeric(20,4) quantity exposed as the Rate scalar
// (printed without trailing zeros).
func quantity(name string, ann ...schema.Annotation) ent.Field {
	return field.Other(name, decimal.Decimal{}).
		SchemaType(map[string]string{dialect.Postgres: "numeric(20,4)"}).
		Default(decimal.Zero).
		Annotations(append(ann, entgql.Type("Rate"))...)
}

// dateField declares a calendar-date column exposed as the Date scalar.
func dateField(name string, optional bool, ann ...schema.Annotation) ent.Field {
	f := field.Other(name, types.Date{}).
		SchemaType(map[string]string{dialect.Postgres: "date"}).
		Annotations(append(ann, entgql.Type("Date"))...)
	if optional {
		f = f.Optional().Nillable()
	}
	return f
}

// LineMixin holds the priced-line fields shared by quote, order and
// invoice lines (seed 000 items): what was sold and the line math results.
type LineMixin struct{ mixin.Schema }

// Fields of the mixin.
func (LineMixin) Fields() []ent.Field {
	ro := serverOwned()
	return []ent.Field{
		field.Int("position").Default(0).Annotations(ro),
		field.String("item_id").GoType(pulid.ID("")).Optional().Nillable().Annotations(ro),
		field.String("item_code").Optional().Nillable().MaxLen(64).Annotations(ro),
		field.String("description").Default("").MaxLen(1000).Annotations(ro),
		quantity("quantity", ro),
		money("unit_price", ro),
		rate("discount_percent", ro),
		money("discount_amount", ro),
		money("line_total", ro),
		field.String("tax_code").Optional().Nillable().MaxLen(32).Annotations(ro),
		rate("tax_rate", ro),
		money("tax_amount", ro),
		field.Text("notes").Optional().Nillable().Annotations(ro),
	}
}

// DocumentMixin holds what quotes, orders and invoices share: the
// customer, currency, addresses, free text and the document totals.
type DocumentMixin struct{ mixin.Schema }

// Fields of the mixin.
func (DocumentMixin) Fields() []ent.Field {
	ro := serverOwned()
	return []ent.Field{
		field.String("customer_id").GoType(pulid.ID("")).Immutable(),
		field.String("currency").Default("MYR").MinLen(3).MaxLen(3).Annotations(ro),
		field.Other("exchange_rate", decimal.Decimal{}).
			SchemaType(map[string]string{dialect.Postgres: "numeric(12,6)"}).
			Default(decimal.NewFromInt(1)).
			Annotations(ro, entgql.Type("Rate")),
		field.String("reference").Optional().Nillable().MaxLen(100).Annotations(ro),
		field.Text("notes").Optional().Nillable().Annotations(ro),
		field.Text("terms").Optional().Nillable().Annotations(ro),
		field.JSON("billing_address", types.Address{}).Optional().Annotations(ro),
		field.JSON("shipping_address", types.Address{}).Optional().Annotations(ro),
		money("subtotal", ro),
		money("total_discount", ro),
		money("total_tax", ro),
		money("shipping_cost", ro),
		money("total", ro, entgql.OrderField("TOTAL")),
		field.String("created_by_id").GoType(pulid.ID("")).Optional().Nillable().Immutable().
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput, entgql.SkipOrderField)),
	}
}
