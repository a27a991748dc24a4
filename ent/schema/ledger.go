package schema

import (
	"context"
	"fmt"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/bigledger/bigledger/ent/schema/pulid"
)

// Account is one account of a company's chart of accounts. Its balance is
// derived from its ledger lines, never stored: a row every posting updated
// would serialize a company's payments.
type Account struct{ ent.Schema }

// Mixin of Account.
func (Account) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("acc"), TimeMixin{}, TenantMixin{Ref: "accounts"}}
}

// Fields of Account.
func (Account) Fields() []ent.Field {
	return []ent.Field{
		field.String("code").NotEmpty().MaxLen(20).Annotations(entgql.OrderField("CODE")),
		field.String("name").NotEmpty().MaxLen(200).Annotations(entgql.OrderField("NAME")),
		field.Enum("type").Values("asset", "liability", "equity", "income", "expense"),
		field.String("subtype").Optional().Nillable().MaxLen(64),
		field.String("currency").Default("MYR").MinLen(3).MaxLen(3),
		field.Enum("normal_balance").Values("debit", "credit"),
		field.Text("description").Optional().Nillable(),
		field.Bool("active").Default(true),
		field.Bool("reconcilable").Default(false),
		field.String("system_role").Optional().Nillable().MaxLen(64).Immutable().Annotations(serverOwned()),
	}
}

// Indexes of Account.
func (Account) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("company_id", "code").Unique(),
		index.Fields("company_id", "system_role").Unique(),
	}
}

// Annotations of Account.
func (Account) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)}
}

// JournalEntry is a posted, balanced entry. It is never edited or
// deleted; a correction is a reversal, and an entry is reversed at most once.
type JournalEntry struct{ ent.Schema }

// Mixin of JournalEntry.
func (JournalEntry) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("je"), TimeMixin{}, TenantMixin{Ref: "journal_entries"}}
}

// Fields of JournalEntry.
func (JournalEntry) Fields() []ent.Field {
	ro := serverOwned()
	return []ent.Field{
		field.String("entry_number").Immutable().NotEmpty().MaxLen(32).Annotations(ro, entgql.OrderField("ENTRY_NUMBER")),
		dateField("date", false, ro, entgql.OrderField("DATE")),
		field.String("reference").Optional().Nillable().MaxLen(100).Immutable().Annotations(ro),
		field.Text("description").Optional().Nillable().Immutable().Annotations(ro),
		field.Enum("source_type").Values("invoice", "invoice_void", "payment", "payment_void", "refund", "opening_balance",
			"ledger_discount", "manual", "reversal").Immutable().Annotations(ro),
		field.String("source_id").GoType(pulid.ID("")).Optional().Nillable().Immutable().
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.Enum("status").Values("posted", "reversed").Default("posted").Annotations(ro),
		money("total_debit", ro),
		money("total_credit", ro),
		field.String("reversal_of_id").GoType(pulid.ID("")).Optional().Nillable().Immutable().Unique().
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.String("created_by_id").GoType(pulid.ID("")).Optional().Nillable().Immutable().
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput, entgql.SkipOrderField)),
	}
}

// Edges of JournalEntry.
func (JournalEntry) Edges() []ent.Edge {
	return []ent.Edge{edge.To("lines", LedgerEntry.Type).Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput))}
}

// Indexes of JournalEntry.
func (JournalEntry) Indexes() []ent.Index {
	return append([]ent.Index{
		index.Fields("company_id", "entry_number").Unique(),
		index.Fields("source_id"),
	}, orderIndexes("date", "created_at")...)
}

// Hooks of JournalEntry: posted entries are immutable; the only change an
// entry ever takes is being marked reversed, once.
func (JournalEntry) Hooks() []ent.Hook {
	return []ent.Hook{func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if m.Op().Is(ent.OpDelete) || m.Op().Is(ent.OpDeleteOne) {
				return nil, fmt.Errorf("ledger: journal entries are never deleted; post a reversal")
			}
			if m.Op().Is(ent.OpUpdate) || m.Op().Is(ent.OpUpdateOne) {
				for _, f := range m.Fields() {
					if f != "status" && f != "updated_at" {
						return nil, fmt.Errorf("ledger: posted journal entries are immutable (%s)", f)
					}
				}
			}
			return next.Mutate(ctx, m)
		})
	}}
}

// Annotations of JournalEntry.
func (JournalEntry) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.MultiOrder()}
}

// LedgerEntry is one line of a journal entry: a debit or a credit to one
// account, in the company's base currency, keeping the original amount.
type LedgerEntry struct{ ent.Schema }

// Mixin of LedgerEntry.
func (LedgerEntry) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("jel"), TimeMixin{}, TenantMixin{Ref: "ledger_entries"}}
}

// Fields of LedgerEntry.
func (LedgerEntry) Fields() []ent.Field {
	ro := serverOwned()
	return []ent.Field{
		field.String("journal_entry_id").GoType(pulid.ID("")).Immutable(),
		field.String("account_id").GoType(pulid.ID("")).Immutable(),
		field.String("customer_id").GoType(pulid.ID("")).Optional().Nillable().Immutable(),
		field.Int("position").Default(0).Immutable().Annotations(ro),
		dateField("date", false, ro),
		money("debit", ro),
		money("credit", ro),
		field.String("description").Optional().Nillable().MaxLen(500).Immutable().Annotations(ro),
		field.String("currency").Default("MYR").Immutable().Annotations(ro),
		money("original_amount", ro),
		rate("exchange_rate", ro),
	}
}

// Edges of LedgerEntry.
func (LedgerEntry) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("journal_entry", JournalEntry.Type).Ref("lines").Field("journal_entry_id").Unique().Required().Immutable(),
		edge.To("account", Account.Type).Field("account_id").Unique().Required().Immutable(),
		edge.To("customer", Customer.Type).Field("customer_id").Unique().Immutable(),
	}
}

// Indexes of LedgerEntry.
func (LedgerEntry) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("account_id", "date"),
		index.Fields("customer_id", "date"),
		index.Fields("journal_entry_id", "position"),
		// The v2 transaction list: a company's money lines, newest first.
		index.Fields("company_id", "date", "id"),
	}
}

// Hooks of LedgerEntry: lines are append-only.
func (LedgerEntry) Hooks() []ent.Hook {
	return []ent.Hook{func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if !m.Op().Is(ent.OpCreate) {
				return nil, fmt.Errorf("ledger: ledger lines are append-only")
			}
			return next.Mutate(ctx, m)
		})
	}}
}

// Annotations of LedgerEntry.
func (LedgerEntry) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)}
}

// LedgerDiscount is a discount granted on a customer's ledger (seed 003):
// Dr Sales discounts / Cr Accounts receivable. Editing or deleting one
// reverses its current posting (and re-posts); nothing posted is edited.
type LedgerDiscount struct{ ent.Schema }

// Mixin of LedgerDiscount.
func (LedgerDiscount) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("ldisc"), TimeMixin{}, TenantMixin{Ref: "ledger_discounts"}}
}

// Fields of LedgerDiscount.
func (LedgerDiscount) Fields() []ent.Field {
	ro := serverOwned()
	skipIDs := entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput, entgql.SkipOrderField)
	return []ent.Field{
		field.String("customer_id").GoType(pulid.ID("")).Immutable().Annotations(skipIDs),
		money("amount", ro),
		dateField("date", false, ro),
		field.Text("note").Optional().Nillable().Annotations(ro),
		field.Enum("sub_type").Values("sell_discount").Default("sell_discount").Annotations(ro),
		field.Enum("status").Values("active", "deleted").Default("active").Annotations(ro),
		field.String("journal_entry_id").GoType(pulid.ID("")).Optional().Nillable().Annotations(skipIDs),
		field.String("created_by_id").GoType(pulid.ID("")).Optional().Nillable().Immutable().Annotations(skipIDs),
	}
}

// Indexes of LedgerDiscount.
func (LedgerDiscount) Indexes() []ent.Index {
	return []ent.Index{index.Fields("customer_id", "date")}
}

// Annotations of LedgerDiscount: REST (seed 003) only for now.
func (LedgerDiscount) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}
