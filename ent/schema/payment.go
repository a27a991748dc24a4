package schema

import (
	"encoding/json"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/bigledger/bigledger/ent/schema/pulid"
)

// Payment is money received from a customer, deposited to an asset
// account and allocated to invoices.
type Payment struct{ ent.Schema }

// Mixin of Payment.
func (Payment) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("pay"), TimeMixin{}, TenantMixin{Ref: "payments"}}
}

// Fields of Payment.
func (Payment) Fields() []ent.Field {
	ro := serverOwned()
	skipIDs := entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput, entgql.SkipOrderField)
	return []ent.Field{
		field.String("payment_number").Immutable().NotEmpty().MaxLen(32).Annotations(ro, entgql.OrderField("PAYMENT_NUMBER")),
		field.String("customer_id").GoType(pulid.ID("")).Immutable(),
		money("amount", ro, entgql.OrderField("AMOUNT")),
		money("unapplied_amount", ro),
		field.String("currency").Default("MYR").Immutable().Annotations(ro),
		rate("exchange_rate", ro),
		dateField("payment_date", false, ro, entgql.OrderField("PAYMENT_DATE")),
		field.Enum("method").Values("cash", "bank_transfer", "cheque", "card", "online", "other").Default("bank_transfer").Annotations(ro),
		field.String("reference").Optional().Nillable().MaxLen(100).Immutable().Annotations(ro),
		field.Text("notes").Optional().Nillable().Annotations(ro),
		field.String("deposit_account_id").GoType(pulid.ID("")).Immutable(),
		field.JSON("method_details", map[string]any{}).Optional().Annotations(ro, entgql.Type("Map")),
		// refunded: all of it returned to the customer; failed: it never
		// arrived (a returned cheque, a charged-back card) and was reversed.
		field.Enum("status").Values("completed", "void", "refunded", "failed").Default("completed").Annotations(ro),
		field.Time("voided_at").Optional().Nillable().Annotations(ro),
		field.String("void_reason").Optional().Nillable().MaxLen(500).Annotations(ro),
		// refunded_amount is what refunds returned so far (at most amount).
		money("refunded_amount", ro),
		field.Time("failed_at").Optional().Nillable().Annotations(ro),
		field.String("failure_reason").Optional().Nillable().MaxLen(500).Annotations(ro),
		field.String("created_by_id").GoType(pulid.ID("")).Optional().Nillable().Immutable().Annotations(skipIDs),
	}
}

// Edges of Payment.
func (Payment) Edges() []ent.Edge {
	ro := entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)
	return []ent.Edge{
		edge.From("customer", Customer.Type).Ref("payments").Field("customer_id").Unique().Required().Immutable(),
		edge.To("deposit_account", Account.Type).Field("deposit_account_id").Unique().Required().Immutable().Annotations(ro),
		edge.To("allocations", PaymentAllocation.Type).Annotations(ro),
		edge.To("refunds", Refund.Type).Annotations(ro),
	}
}

// Indexes of Payment.
func (Payment) Indexes() []ent.Index {
	return append([]ent.Index{
		index.Fields("company_id", "payment_number").Unique(),
		index.Fields("customer_id", "payment_date"),
	}, orderIndexes("payment_date", "amount", "created_at")...)
}

// Annotations of Payment.
func (Payment) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.MultiOrder()}
}

// PaymentAllocation applies part of a payment to one invoice. Voiding the
// payment marks its allocations voided; none is ever deleted.
type PaymentAllocation struct{ ent.Schema }

// Mixin of PaymentAllocation.
func (PaymentAllocation) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("alloc"), TimeMixin{}, TenantMixin{Ref: "payment_allocations"}}
}

// Fields of PaymentAllocation.
func (PaymentAllocation) Fields() []ent.Field {
	ro := serverOwned()
	return []ent.Field{
		field.String("payment_id").GoType(pulid.ID("")).Immutable(),
		field.String("invoice_id").GoType(pulid.ID("")).Immutable(),
		// amount is negative on the row a refund writes when it takes back
		// money that paid this invoice (refund_id names that refund): the
		// sum of an invoice's live allocations is what it has been paid.
		money("amount", ro),
		field.Time("voided_at").Optional().Nillable().Annotations(ro),
		field.String("refund_id").GoType(pulid.ID("")).Optional().Nillable().Immutable().
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput, entgql.SkipOrderField)),
	}
}

// Edges of PaymentAllocation.
func (PaymentAllocation) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("payment", Payment.Type).Ref("allocations").Field("payment_id").Unique().Required().Immutable(),
		edge.From("invoice", Invoice.Type).Ref("allocations").Field("invoice_id").Unique().Required().Immutable(),
		edge.From("refund", Refund.Type).Ref("allocations").Field("refund_id").Unique().Immutable(),
	}
}

// Refund returns money of a payment to its customer: first what the
// payment still holds unapplied (its credit), then what it paid on
// invoices, newest allocation first, which re-opens those invoices. It is
// posted Dr customer credits / Dr receivable, Cr the account the money
// leaves (the payment's deposit account unless another is named).
type Refund struct{ ent.Schema }

// Mixin of Refund.
func (Refund) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("rfd"), TimeMixin{}, TenantMixin{Ref: "refunds"}}
}

// Fields of Refund.
func (Refund) Fields() []ent.Field {
	ro := serverOwned()
	skipIDs := entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput, entgql.SkipOrderField)
	return []ent.Field{
		field.String("payment_id").GoType(pulid.ID("")).Immutable(),
		money("amount", ro),
		// from_credit and from_invoices split amount: what came out of the
		// payment's unapplied credit, and what was taken back from invoices.
		money("from_credit", ro),
		money("from_invoices", ro),
		dateField("refund_date", false, ro),
		field.Enum("method").Values("cash", "bank_transfer", "cheque", "card", "online", "other").Default("bank_transfer").Annotations(ro),
		field.String("reason").Optional().Nillable().MaxLen(500).Immutable().Annotations(ro),
		field.String("reference").Optional().Nillable().MaxLen(100).Immutable().Annotations(ro),
		field.String("account_id").GoType(pulid.ID("")).Immutable(),
		field.String("journal_entry_id").GoType(pulid.ID("")).Optional().Nillable().Annotations(skipIDs),
		field.String("created_by_id").GoType(pulid.ID("")).Optional().Nillable().Immutable().Annotations(skipIDs),
	}
}

// Edges of Refund.
func (Refund) Edges() []ent.Edge {
	ro := entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)
	return []ent.Edge{
		edge.From("payment", Payment.Type).Ref("refunds").Field("payment_id").Unique().Required().Immutable(),
		edge.To("account", Account.Type).Field("account_id").Unique().Required().Immutable().Annotations(ro),
		edge.To("allocations", PaymentAllocation.Type).Annotations(ro),
	}
}

// Indexes of Refund.
func (Refund) Indexes() []ent.Index {
	return []ent.Index{index.Fields("payment_id")}
}

// Annotations of Refund.
func (Refund) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)}
}

// Indexes of PaymentAllocation.
func (PaymentAllocation) Indexes() []ent.Index {
	return []ent.Index{index.Fields("invoice_id"), index.Fields("payment_id")}
}

// Annotations of PaymentAllocation.
func (PaymentAllocation) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)}
}

// IdempotencyKey remembers a money-moving request by its client key, per
// company, so a replay returns the original result without a second effect.
type IdempotencyKey struct{ ent.Schema }

// Mixin of IdempotencyKey.
func (IdempotencyKey) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("idem"), TimeMixin{}, TenantMixin{Ref: "idempotency_keys"}}
}

// Fields of IdempotencyKey.
func (IdempotencyKey) Fields() []ent.Field {
	return []ent.Field{
		field.String("key").NotEmpty().MaxLen(255).Immutable(),
		field.String("operation").NotEmpty().MaxLen(64).Immutable(),
		field.String("request_hash").NotEmpty().MaxLen(64).Immutable(),
		field.String("resource_id").Optional().Nillable(),
		// response is the whole answer of a request that produced no single
		// resource (a bulk request), replayed as it was.
		field.JSON("response", json.RawMessage{}).Optional(),
	}
}

// Indexes of IdempotencyKey.
func (IdempotencyKey) Indexes() []ent.Index {
	return []ent.Index{index.Fields("company_id", "key").Unique(), index.Fields("created_at")}
}

// Annotations of IdempotencyKey: internal.
func (IdempotencyKey) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}
