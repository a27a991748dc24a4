package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
)

// Customer is a party the company sells to (seed 000 Customer; seed 003
// ContactDetail maps onto it, with partyType for suppliers).
type Customer struct{ ent.Schema }

// Mixin of Customer.
func (Customer) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("cust"), TimeMixin{}, TenantMixin{Ref: "customers"}}
}

// Fields of Customer.
func (Customer) Fields() []ent.Field {
	optStr := func(name string, max int) ent.Field {
		return field.String(name).Optional().Nillable().MaxLen(max)
	}
	return []ent.Field{
		field.String("customer_number").Immutable().NotEmpty().MaxLen(32).
			Annotations(serverOwned(), entgql.OrderField("CUSTOMER_NUMBER")),
		field.String("name").NotEmpty().MaxLen(200).
			Annotations(entgql.OrderField("NAME")),
		field.Enum("type").Values("individual", "business").Default("business"),
		field.Enum("party_type").Values("customer", "supplier", "both").Default("customer"),
		optStr("email", 254),
		optStr("phone", 32),
		optStr("mobile", 32),
		optStr("landline", 32),
		optStr("alternate_number", 32),
		optStr("website", 500),
		optStr("tax_number", 64),
		optStr("prefix", 20),
		optStr("first_name", 100),
		optStr("middle_name", 100),
		optStr("last_name", 100),
		optStr("supplier_business_name", 200),
		field.Other("dob", types.Date{}).Optional().Nillable().
			SchemaType(map[string]string{dialect.Postgres: "date"}).
			Annotations(entgql.Type("Date")),
		field.JSON("address", types.Address{}).Optional(),
		field.JSON("billing_address", types.Address{}).Optional(),
		field.JSON("shipping_address", types.Address{}).Optional(),
		field.String("currency").Default("MYR").MinLen(3).MaxLen(3),
		field.Int("payment_terms").Default(30).Range(0, 365),
		money("credit_limit"),
		field.Enum("status").Values("active", "inactive", "blocked").Default("active"),
		field.Strings("tags").Optional().Default([]string{}),
		field.JSON("custom_fields", map[string]any{}).Optional().Annotations(entgql.Type("Map")),
		field.String("group_id").GoType(pulid.ID("")).Optional().Nillable(),
		field.Other("latitude", decimal.Decimal{}).Optional().Nillable().
			SchemaType(map[string]string{dialect.Postgres: "numeric(9,6)"}).
			Annotations(entgql.Type("Rate")),
		field.Other("longitude", decimal.Decimal{}).Optional().Nillable().
			SchemaType(map[string]string{dialect.Postgres: "numeric(9,6)"}).
			Annotations(entgql.Type("Rate")),
		field.Bool("is_default").Default(false).Annotations(serverOwned()),
		// Seed 003's contact fields: the business-facing contact code
		// (unique in the company; the customer number when unset), the
		// pay-term unit, the export switch, and the extended address,
		// export and shipping custom fields kept as one map.
		optStr("contact_code", 64),
		field.Enum("pay_term_type").Values("days", "months").Optional().Nillable(),
		field.Bool("is_export").Default(false),
		field.JSON("extra_fields", map[string]any{}).Optional().Annotations(entgql.Type("Map")),
		// Derived: maintained by the ledger in the transaction that moves them.
		money("opening_balance", serverOwned()),
		money("current_balance", serverOwned(), entgql.OrderField("CURRENT_BALANCE")),
		money("total_sales", serverOwned(), entgql.OrderField("TOTAL_SALES")),
		field.Other("last_sale_date", types.Date{}).Optional().Nillable().
			SchemaType(map[string]string{dialect.Postgres: "date"}).
			Annotations(serverOwned(), entgql.Type("Date")),
		field.String("created_by_id").GoType(pulid.ID("")).Optional().Nillable().Immutable().
			Annotations(serverOwned()),
	}
}

// Edges of Customer.
func (Customer) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("group", CustomerGroup.Type).Ref("customers").Field("group_id").Unique(),
		edge.To("contacts", Contact.Type).Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("created_by", User.Type).Field("created_by_id").Unique().Immutable().
			Annotations(entgql.Skip()),
		edge.To("invoices", Invoice.Type).Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("quotes", Quote.Type).Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("sales_orders", SalesOrder.Type).Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("payments", Payment.Type).Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Indexes of Customer.
func (Customer) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("company_id", "customer_number").Unique(),
		index.Fields("company_id", "contact_code").Unique(),
		index.Fields("company_id", "name", "id"),
		index.Fields("company_id", "created_at", "id"),
	}
}

// Annotations of Customer.
func (Customer) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(),
		entgql.MultiOrder(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
