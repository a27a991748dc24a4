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

// SalesOrder is a confirmed intent to deliver (seed 000 Sales Order):
// draft → confirmed → shipped → delivered, or cancelled from draft or
// confirmed. It may be invoiced in parts; a line never beyond its quantity.
type SalesOrder struct{ ent.Schema }

// Mixin of SalesOrder.
func (SalesOrder) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("so"), TimeMixin{}, TenantMixin{Ref: "sales_orders"}, DocumentMixin{}}
}

// Fields of SalesOrder.
func (SalesOrder) Fields() []ent.Field {
	ro := serverOwned()
	return []ent.Field{
		field.String("order_number").Immutable().NotEmpty().MaxLen(32).Annotations(ro, entgql.OrderField("ORDER_NUMBER")),
		dateField("order_date", false, ro, entgql.OrderField("ORDER_DATE")),
		dateField("required_date", true, ro, entgql.OrderField("REQUIRED_DATE")),
		dateField("promised_date", true, ro),
		field.Enum("status").Values("draft", "confirmed", "shipped", "delivered", "cancelled").Default("draft").Annotations(ro),
		field.Enum("priority").Values("low", "normal", "high", "urgent").Default("normal").Annotations(ro),
		field.JSON("status_history", []map[string]any{}).Optional().Annotations(ro, entgql.Skip()),
		field.Enum("fulfillment_status").Values("pending", "partial", "shipped", "delivered", "cancelled").Default("pending").Annotations(ro),
		field.String("shipping_method").Optional().Nillable().MaxLen(100).Annotations(ro),
		field.String("tracking_number").Optional().Nillable().MaxLen(100).Annotations(ro),
		dateField("estimated_delivery", true, ro),
		field.Enum("invoice_status").Values("not_invoiced", "partial", "invoiced").Default("not_invoiced").Annotations(ro),
		field.String("quote_id").GoType(pulid.ID("")).Optional().Nillable().Immutable().Annotations(ro),
	}
}

// Edges of SalesOrder.
func (SalesOrder) Edges() []ent.Edge {
	ro := entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)
	return []ent.Edge{
		edge.From("customer", Customer.Type).Ref("sales_orders").Field("customer_id").Unique().Required().Immutable(),
		edge.To("items", SalesOrderItem.Type).Annotations(ro),
		edge.To("quote", Quote.Type).Field("quote_id").Unique().Immutable().Annotations(ro),
		edge.To("invoices", Invoice.Type).Annotations(ro),
	}
}

// Indexes of SalesOrder.
func (SalesOrder) Indexes() []ent.Index {
	return append([]ent.Index{
		index.Fields("company_id", "order_number").Unique(),
		index.Fields("customer_id", "order_date"),
	}, orderIndexes("order_date", "required_date", "total", "created_at")...)
}

// Annotations of SalesOrder.
func (SalesOrder) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.MultiOrder()}
}

// SalesOrderItem is one line of a sales order, with what has shipped and
// been invoiced of it.
type SalesOrderItem struct{ ent.Schema }

// Mixin of SalesOrderItem.
func (SalesOrderItem) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("soi"), TimeMixin{}, TenantMixin{Ref: "sales_order_items"}, LineMixin{}}
}

// Fields of SalesOrderItem.
func (SalesOrderItem) Fields() []ent.Field {
	ro := serverOwned()
	return []ent.Field{
		field.String("sales_order_id").GoType(pulid.ID("")).Immutable(),
		quantity("shipped_quantity", ro),
		quantity("invoiced_quantity", ro),
	}
}

// Edges of SalesOrderItem.
func (SalesOrderItem) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("sales_order", SalesOrder.Type).Ref("items").Field("sales_order_id").Unique().Required().Immutable(),
		edge.To("item", Item.Type).Field("item_id").Unique().Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Indexes of SalesOrderItem.
func (SalesOrderItem) Indexes() []ent.Index {
	return []ent.Index{index.Fields("sales_order_id", "position")}
}
