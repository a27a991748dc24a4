package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/privacy"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
)

// Company is the tenant: every other business row belongs to exactly one.
type Company struct{ ent.Schema }

// Mixin of Company.
func (Company) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("comp"), TimeMixin{}}
}

// Fields of Company.
func (Company) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(200),
		field.String("base_currency").Default("MYR").MaxLen(3).MinLen(3),
		field.String("timezone").Default("Asia/Kuala_Lumpur").MaxLen(64),
		field.JSON("settings", map[string]any{}).Optional().Annotations(entgql.Skip()),
		// plan is the company's rate-limit plan (seed 004: free, starter,
		// professional, enterprise); null: the server's defaults
		// (BIGLEDGER_RATE_LIMIT, BIGLEDGER_RATE_BURST).
		field.Enum("plan").Values("free", "starter", "professional", "enterprise").Optional().Nillable().Annotations(entgql.Skip()),
		// What its documents print and its emails come from: the sender
		// address and reply-to of every email, the letterhead of every PDF.
		field.String("email").Optional().Nillable().MaxLen(254).Annotations(entgql.Skip()),
		field.String("phone").Optional().Nillable().MaxLen(50).Annotations(entgql.Skip()),
		field.String("tax_number").Optional().Nillable().MaxLen(50).Annotations(entgql.Skip()),
		field.JSON("address", types.Address{}).Optional().Annotations(entgql.Skip()),
		// logo is the uploaded PNG or JPEG printed on the letterhead.
		field.Bytes("logo").Optional().Nillable().Annotations(entgql.Skip()),
		field.String("logo_content_type").Optional().Nillable().Annotations(entgql.Skip()),
		// link_key signs the company's short-lived document links (a PDF
		// a browser opens without the API key); made on first use.
		field.Bytes("link_key").Optional().Nillable().Sensitive().Annotations(entgql.Skip()),
	}
}

// Edges of Company: back-references for the tenant foreign keys.
func (Company) Edges() []ent.Edge {
	skip := entgql.Skip()
	return []ent.Edge{
		edge.To("users", User.Type).Annotations(skip),
		edge.To("api_keys", APIKey.Type).Annotations(skip),
		edge.To("customers", Customer.Type).Annotations(skip),
		edge.To("contacts", Contact.Type).Annotations(skip),
		edge.To("customer_groups", CustomerGroup.Type).Annotations(skip),
		edge.To("document_counters", DocumentCounter.Type).Annotations(skip),
		edge.To("tax_codes", TaxCode.Type).Annotations(skip),
		edge.To("items", Item.Type).Annotations(skip),
		edge.To("invoices", Invoice.Type).Annotations(skip),
		edge.To("invoice_items", InvoiceItem.Type).Annotations(skip),
		edge.To("quotes", Quote.Type).Annotations(skip),
		edge.To("quote_items", QuoteItem.Type).Annotations(skip),
		edge.To("sales_orders", SalesOrder.Type).Annotations(skip),
		edge.To("sales_order_items", SalesOrderItem.Type).Annotations(skip),
		edge.To("attachments", Attachment.Type).Annotations(skip),
		edge.To("notes", Note.Type).Annotations(skip),
		edge.To("email_messages", EmailMessage.Type).Annotations(skip),
		edge.To("recurring_invoices", RecurringInvoice.Type).Annotations(skip),
		edge.To("accounts", Account.Type).Annotations(skip),
		edge.To("journal_entries", JournalEntry.Type).Annotations(skip),
		edge.To("ledger_entries", LedgerEntry.Type).Annotations(skip),
		edge.To("payments", Payment.Type).Annotations(skip),
		edge.To("payment_allocations", PaymentAllocation.Type).Annotations(skip),
		edge.To("refunds", Refund.Type).Annotations(skip),
		edge.To("idempotency_keys", IdempotencyKey.Type).Annotations(skip),
		edge.To("ledger_discounts", LedgerDiscount.Type).Annotations(skip),
		edge.To("events", Event.Type).Annotations(skip),
		edge.To("webhook_endpoints", WebhookEndpoint.Type).Annotations(skip),
		edge.To("webhook_deliveries", WebhookDelivery.Type).Annotations(skip),
	}
}

// Policy: a company sees only itself.
func (Company) Policy() ent.Policy {
	rule := tenantRule{column: "id"}
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule},
		Mutation: privacy.MutationPolicy{companyCreateRule{}, rule},
	}
}

// Annotations of Company.
func (Company) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)}
}
