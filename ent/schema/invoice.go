package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
)

// Invoice is a sales invoice (seed 000 Invoice). Drafts can be edited;
// issued invoices are immutable but for payment and void fields.
type Invoice struct{ ent.Schema }

// Mixin of Invoice.
func (Invoice) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("inv"), TimeMixin{}, TenantMixin{Ref: "invoices"}, DocumentMixin{}}
}

// Fields of Invoice.
func (Invoice) Fields() []ent.Field {
	ro := serverOwned()
	return []ent.Field{
		field.String("invoice_number").Immutable().NotEmpty().MaxLen(32).Annotations(ro, entgql.OrderField("INVOICE_NUMBER")),
		dateField("invoice_date", false, ro, entgql.OrderField("INVOICE_DATE")),
		dateField("due_date", false, ro, entgql.OrderField("DUE_DATE")),
		field.Enum("status").Values("draft", "sent", "paid", "void").Default("draft").Annotations(ro),
		field.String("purchase_order").Optional().Nillable().MaxLen(100).Annotations(ro),
		money("amount_paid", ro),
		money("amount_due", ro, entgql.OrderField("AMOUNT_DUE")),
		field.Enum("payment_status").Values("unpaid", "partial", "paid").Default("unpaid").Annotations(ro),
		dateField("last_payment_date", true, ro),
		field.Time("issued_at").Optional().Nillable().Annotations(ro),
		field.Time("sent_at").Optional().Nillable().Annotations(ro),
		field.Int("send_count").Default(0).Annotations(ro),
		field.JSON("last_send", map[string]any{}).Optional().Annotations(ro, entgql.Type("Map")),
		field.Bool("send_reminders").Default(false).Annotations(ro),
		// The payment reminders emailed for this invoice (the reminder job
		// sends each step of the schedule once).
		field.Int("reminder_count").Default(0).Annotations(ro),
		field.Time("last_reminder_at").Optional().Nillable().Annotations(ro),
		// next_reminder_on is the day the reminder job next looks at this
		// invoice (null: no reminder due); a partial index keeps the job's
		// selection to the invoices that have one.
		field.Other("next_reminder_on", types.Date{}).SchemaType(map[string]string{dialect.Postgres: "date"}).
			Optional().Nillable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("voided_at").Optional().Nillable().Annotations(ro),
		field.String("void_reason").Optional().Nillable().MaxLen(500).Annotations(ro),
		field.String("sales_order_id").GoType(pulid.ID("")).Optional().Nillable().Immutable().Annotations(ro),
		field.Enum("einvoice_status").Values("pending", "submitted", "accepted", "rejected").Default("pending").Annotations(ro),
		field.Time("einvoice_submitted_at").Optional().Nillable().Annotations(ro),
		field.Time("einvoice_accepted_at").Optional().Nillable().Annotations(ro),
		field.String("einvoice_uuid").Optional().Nillable().Annotations(ro),
		field.String("einvoice_validation_hash").Optional().Nillable().Annotations(ro),
		// overdue_notified_at is when the overdue job wrote this invoice's
		// invoice.overdue event: it keeps the job's selection incremental
		// (a partial index holds only sent invoices not yet notified).
		field.Time("overdue_notified_at").Optional().Nillable().
			Annotations(entgql.Skip(entgql.SkipAll)),
		// The recurring invoice and period this invoice was generated for
		// (unique together: one invoice per period).
		field.String("recurring_invoice_id").GoType(pulid.ID("")).Optional().Nillable().Immutable().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Other("recurring_period", types.Date{}).SchemaType(map[string]string{dialect.Postgres: "date"}).
			Optional().Nillable().Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of Invoice.
func (Invoice) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("customer", Customer.Type).Ref("invoices").Field("customer_id").Unique().Required().Immutable(),
		edge.To("items", InvoiceItem.Type).Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("allocations", PaymentAllocation.Type).Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.From("sales_order", SalesOrder.Type).Ref("invoices").Field("sales_order_id").Unique().Immutable().
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Indexes of Invoice.
func (Invoice) Indexes() []ent.Index {
	return append([]ent.Index{
		index.Fields("company_id", "invoice_number").Unique(),
		index.Fields("company_id", "status", "due_date"),
		index.Fields("customer_id", "invoice_date"),
		index.Fields("recurring_invoice_id", "recurring_period").Unique(),
		index.Fields("due_date").StorageKey("invoice_overdue_pending").
			Annotations(entsql.IndexWhere("((status)::text = 'sent'::text) AND (overdue_notified_at IS NULL)")),
		index.Fields("next_reminder_on").StorageKey("invoice_reminder_due").
			Annotations(entsql.IndexWhere("(next_reminder_on IS NOT NULL)")),
	}, orderIndexes("invoice_date", "due_date", "total", "created_at")...)
}

// Annotations of Invoice: written only through the sales workflows.
func (Invoice) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.MultiOrder()}
}

// InvoiceItem is one line of an invoice.
type InvoiceItem struct{ ent.Schema }

// Mixin of InvoiceItem.
func (InvoiceItem) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("invli"), TimeMixin{}, TenantMixin{Ref: "invoice_items"}, LineMixin{}}
}

// Fields of InvoiceItem.
func (InvoiceItem) Fields() []ent.Field {
	return []ent.Field{
		field.String("invoice_id").GoType(pulid.ID("")).Immutable(),
		field.String("sales_order_item_id").GoType(pulid.ID("")).Optional().Nillable().Immutable().
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput, entgql.SkipOrderField)),
	}
}

// Edges of InvoiceItem.
func (InvoiceItem) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("invoice", Invoice.Type).Ref("items").Field("invoice_id").Unique().Required().Immutable(),
		edge.To("item", Item.Type).Field("item_id").Unique().Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Indexes of InvoiceItem.
func (InvoiceItem) Indexes() []ent.Index {
	return []ent.Index{index.Fields("invoice_id", "position")}
}
