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

// Quote is a sales quote (seed 000 Quote): draft → sent → accepted →
// converted, or rejected, or expired once validUntil has passed.
type Quote struct{ ent.Schema }

// Mixin of Quote.
func (Quote) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("quote"), TimeMixin{}, TenantMixin{Ref: "quotes"}, DocumentMixin{}}
}

// Fields of Quote.
func (Quote) Fields() []ent.Field {
	ro := serverOwned()
	return []ent.Field{
		field.String("quote_number").Immutable().NotEmpty().MaxLen(32).Annotations(ro, entgql.OrderField("QUOTE_NUMBER")),
		dateField("quote_date", false, ro, entgql.OrderField("QUOTE_DATE")),
		dateField("valid_until", false, ro, entgql.OrderField("VALID_UNTIL")),
		// The stored state; the API shows "expired" for an open quote past
		// validUntil (see sales.QuoteStatus).
		field.Enum("status").Values("draft", "sent", "accepted", "rejected", "expired", "converted").Default("draft").
			Annotations(ro, entgql.Skip(entgql.SkipType)),
		field.String("title").Optional().Nillable().MaxLen(200).Annotations(ro),
		field.Text("description").Optional().Nillable().Annotations(ro),
		field.Time("sent_at").Optional().Nillable().Annotations(ro),
		field.Int("send_count").Default(0).Annotations(ro),
		field.JSON("last_send", map[string]any{}).Optional().Annotations(ro, entgql.Type("Map")),
		field.Time("accepted_at").Optional().Nillable().Annotations(ro),
		field.String("accepted_by").Optional().Nillable().MaxLen(200).Annotations(ro),
		field.Time("rejected_at").Optional().Nillable().Annotations(ro),
		field.String("rejection_reason").Optional().Nillable().MaxLen(500).Annotations(ro),
		field.Time("converted_to_order_at").Optional().Nillable().Annotations(ro),
		// The order this quote was converted into (sales_orders.quote_id
		// holds the foreign key the other way).
		field.String("sales_order_id").GoType(pulid.ID("")).Optional().Nillable().
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput, entgql.SkipOrderField)),
	}
}

// Edges of Quote.
func (Quote) Edges() []ent.Edge {
	ro := entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)
	return []ent.Edge{
		edge.From("customer", Customer.Type).Ref("quotes").Field("customer_id").Unique().Required().Immutable(),
		edge.To("items", QuoteItem.Type).Annotations(ro),
	}
}

// Indexes of Quote.
func (Quote) Indexes() []ent.Index {
	return append([]ent.Index{
		index.Fields("company_id", "quote_number").Unique(),
		index.Fields("customer_id", "quote_date"),
	}, orderIndexes("quote_date", "valid_until", "total", "created_at")...)
}

// Annotations of Quote.
func (Quote) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.MultiOrder()}
}

// QuoteItem is one line of a quote.
type QuoteItem struct{ ent.Schema }

// Mixin of QuoteItem.
func (QuoteItem) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("qi"), TimeMixin{}, TenantMixin{Ref: "quote_items"}, LineMixin{}}
}

// Fields of QuoteItem.
func (QuoteItem) Fields() []ent.Field {
	return []ent.Field{field.String("quote_id").GoType(pulid.ID("")).Immutable()}
}

// Edges of QuoteItem.
func (QuoteItem) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("quote", Quote.Type).Ref("items").Field("quote_id").Unique().Required().Immutable(),
		edge.To("item", Item.Type).Field("item_id").Unique().Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Indexes of QuoteItem.
func (QuoteItem) Indexes() []ent.Index {
	return []ent.Index{index.Fields("quote_id", "position")}
}
