package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
)

// EmailMessage is the outbox row of one email a document send, a reminder
// or a statement send writes in its own transaction; the mail worker
// claims it (FOR UPDATE SKIP LOCKED), renders the PDF, hands it to SMTP
// and records the reply. Its message_id is stable across retries.
type EmailMessage struct{ ent.Schema }

// Mixin of EmailMessage.
func (EmailMessage) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("eml"), TimeMixin{}, TenantMixin{Ref: "email_messages"}}
}

// Fields of EmailMessage.
func (EmailMessage) Fields() []ent.Field {
	return []ent.Field{
		// The document the email carries: an invoice, a quote, or a
		// customer's statement (document_id is then the customer's id).
		field.Enum("document_type").Values("invoice", "quote", "statement").Immutable(),
		field.String("document_id").GoType(pulid.ID("")).Immutable(),
		field.String("customer_id").GoType(pulid.ID("")).Immutable(),
		field.Enum("purpose").Values("send", "reminder", "statement").Immutable(),
		// reminder_step names a reminder of an invoice (before_due, due,
		// overdue_7, …): unique per invoice, so each is sent once.
		field.String("reminder_step").Optional().Nillable().Immutable(),
		field.Strings("to").Immutable(),
		field.Strings("cc").Optional().Immutable(),
		field.Strings("bcc").Optional().Immutable(),
		field.String("subject").MaxLen(300).Immutable(),
		field.Text("body_text").Immutable(),
		field.Text("body_html").Immutable(),
		field.Bool("attach_pdf").Default(true).Immutable(),
		// params of the attachment (a statement's from, to and format).
		field.JSON("params", map[string]string{}).Optional().Immutable(),
		field.String("message_id").Unique().Immutable(),
		field.Enum("status").Values("queued", "sending", "sent", "failed").Default("queued"),
		field.Int("attempts").Default(0),
		field.Time("next_attempt_at").Default(time.Now),
		field.Time("lease_until").Optional().Nillable(),
		// smtp_started_at is set (and committed) just before the SMTP
		// session of an attempt: a claim whose lease ran out with it set
		// may have been delivered, so it is not retried (at most once).
		field.Time("smtp_started_at").Optional().Nillable(),
		field.Text("last_reply").Optional().Nillable(),
		field.JSON("recipients", []types.EmailRecipient{}),
		field.Time("sent_at").Optional().Nillable(),
		field.String("created_by_id").GoType(pulid.ID("")).Optional().Nillable().Immutable(),
	}
}

// Indexes of EmailMessage.
func (EmailMessage) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("next_attempt_at").Annotations(entsql.IndexWhere("((status)::text = ANY (ARRAY['queued'::text, 'sending'::text]))")),
		index.Fields("document_id", "created_at"),
		index.Fields("document_id", "reminder_step").Unique(),
	}
}

// Annotations of EmailMessage: served by hand-written resolvers and routes.
func (EmailMessage) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
