package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
)

// RecurringInvoice is an invoice template issued on a schedule (seed 003
// "subscriptions"): every interval_count intervals from start_date, until
// max_count invoices or end_date, unless stopped. The generator makes the
// invoice of each period exactly once (invoices carry the template and
// period under a unique index).
type RecurringInvoice struct{ ent.Schema }

// Mixin of RecurringInvoice.
func (RecurringInvoice) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("rinv"), TimeMixin{}, TenantMixin{Ref: "recurring_invoices"}}
}

// Fields of RecurringInvoice.
func (RecurringInvoice) Fields() []ent.Field {
	return []ent.Field{
		field.String("customer_id").GoType(pulid.ID("")).Immutable(),
		field.String("subscription_number").NotEmpty().MaxLen(32).Immutable(),
		field.Enum("interval").Values("day", "week", "month", "year"),
		field.Int("interval_count").Range(1, 366).Default(1),
		dateField("start_date", false),
		// next_run_date is the next period to generate (nil once completed).
		dateField("next_run_date", true),
		dateField("end_date", true),
		field.Int("max_count").Optional().Nillable(),
		field.Int("generated_count").Default(0),
		field.Enum("status").Values("active", "stopped", "completed").Default("active"),
		field.Time("stopped_at").Optional().Nillable(),
		field.Time("last_generated_at").Optional().Nillable(),
		field.String("currency").MinLen(3).MaxLen(3),
		field.JSON("items", []types.LineTemplate{}),
		field.String("reference").Optional().Nillable().MaxLen(100),
		field.Text("notes").Optional().Nillable(),
		field.Text("terms").Optional().Nillable(),
		// issue: generated invoices are issued (posted) at once; false
		// leaves them as drafts to review.
		field.Bool("issue").Default(true),
		// auto_send: each issued invoice is also emailed to the customer
		// (its primary contact's email, else its own), with its PDF.
		field.Bool("auto_send").Default(false),
		field.String("created_by_id").GoType(pulid.ID("")).Optional().Nillable().Immutable(),
	}
}

// Indexes of RecurringInvoice.
func (RecurringInvoice) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("company_id", "subscription_number").Unique(),
		index.Fields("status", "next_run_date"),
		index.Fields("customer_id", "created_at"),
	}
}

// Annotations of RecurringInvoice: GraphQL has hand-written types.
func (RecurringInvoice) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
