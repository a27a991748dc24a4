package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/bigledger/bigledger/ent/schema/pulid"
)

// Event is one entry of the append-only event log, written in the same
// transaction as the change it describes: it exists exactly when that
// change committed. Readers order events by (txid, seq) and only read
// below the oldest running transaction (see internal/events), so an event
// whose transaction commits late is never skipped.
type Event struct{ ent.Schema }

// Mixin of Event.
func (Event) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("evt"), TenantMixin{Ref: "events"}}
}

// Fields of Event.
func (Event) Fields() []ent.Field {
	return []ent.Field{
		field.String("type").NotEmpty().MaxLen(64).Immutable(),
		field.String("subject_id").GoType(pulid.ID("")).Immutable(),
		field.JSON("payload", map[string]any{}).Optional().Immutable(),
		// seq: a per-database sequence number (commit order may differ),
		// nextval('event_seq') in every INSERT (internal/events); the
		// sequence is created by a hand-written migration.
		field.Int64("seq").Optional().Immutable(),
		// txid: the writing transaction (xid8), set by the database.
		field.String("txid").Optional().Immutable().
			SchemaType(map[string]string{dialect.Postgres: "xid8"}).
			Annotations(entsql.DefaultExpr("pg_current_xact_id()")),
		field.Time("created_at").Default(time.Now).Immutable(),
		// actor_id is the user whose request wrote the event (null for
		// the server's own jobs: overdue notices, recurring invoices,
		// deliveries).
		field.String("actor_id").GoType(pulid.ID("")).Optional().Nillable().Immutable(),
	}
}

// Indexes of Event.
func (Event) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("txid", "seq"),
		index.Fields("company_id", "txid", "seq"),
		// A contact's activity: the events of it and of its documents.
		index.Fields("subject_id", "created_at"),
		// The overdue job emits invoice.overdue once per invoice, however
		// many instances run it.
		index.Fields("subject_id").Unique().
			Annotations(entsql.IndexWhere("((type)::text = 'invoice.overdue'::text)")).StorageKey("event_overdue_once"),
	}
}

// Annotations of Event: exposed through hand-written GraphQL types.
func (Event) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}

// WebhookEndpoint receives a company's events as signed HTTP POSTs.
type WebhookEndpoint struct{ ent.Schema }

// Mixin of WebhookEndpoint.
func (WebhookEndpoint) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("whk"), TimeMixin{}, TenantMixin{Ref: "webhook_endpoints"}}
}

// Fields of WebhookEndpoint.
func (WebhookEndpoint) Fields() []ent.Field {
	return []ent.Field{
		field.String("url").NotEmpty().MaxLen(2048),
		field.Strings("events"),
		field.String("description").Optional().MaxLen(500),
		field.String("secret").NotEmpty().Sensitive(),
		field.Bool("active").Default(true),
		field.Time("deleted_at").Optional().Nillable(),
	}
}

// Indexes of WebhookEndpoint.
func (WebhookEndpoint) Indexes() []ent.Index {
	return []ent.Index{index.Fields("company_id", "created_at")}
}

// Annotations of WebhookEndpoint: exposed through hand-written GraphQL types.
func (WebhookEndpoint) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}

// WebhookDelivery is one event owed to one endpoint: persisted before it
// is sent, retried with backoff until delivered or given up on.
type WebhookDelivery struct{ ent.Schema }

// Mixin of WebhookDelivery.
func (WebhookDelivery) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("whd"), TimeMixin{}, TenantMixin{Ref: "webhook_deliveries"}}
}

// Fields of WebhookDelivery.
func (WebhookDelivery) Fields() []ent.Field {
	return []ent.Field{
		field.String("endpoint_id").GoType(pulid.ID("")).Immutable(),
		field.String("event_id").GoType(pulid.ID("")).Immutable(),
		field.String("event_type").Immutable(),
		field.Enum("status").Values("pending", "succeeded", "failed").Default("pending"),
		field.Int("attempts").Default(0),
		field.Time("next_attempt_at").Default(time.Now),
		field.String("last_error").Optional().Nillable(),
		field.Int("response_code").Optional().Nillable(),
		field.Time("delivered_at").Optional().Nillable(),
	}
}

// Indexes of WebhookDelivery.
func (WebhookDelivery) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("endpoint_id", "event_id").Unique(),
		index.Fields("next_attempt_at").Annotations(entsql.IndexWhere("((status)::text = 'pending'::text)")),
		index.Fields("endpoint_id", "created_at"),
	}
}

// Annotations of WebhookDelivery.
func (WebhookDelivery) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}

// EventCursor is a durable reader position in the event log (the webhook
// dispatcher's), shared by every instance and advanced under a row lock.
type EventCursor struct{ ent.Schema }

// Fields of EventCursor.
func (EventCursor) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").NotEmpty().MaxLen(64).Immutable(),
		// txid is stored as text and compared as xid8.
		field.String("txid").Default("0"),
		field.Int64("seq").Default(0),
		field.Time("updated_at").Default(time.Now).UpdateDefault(time.Now),
	}
}

// Annotations of EventCursor.
func (EventCursor) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}
