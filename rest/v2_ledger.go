package rest

import (
	"context"
	"net/http"
	"strings"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/ledgerentry"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/ledger"
)

// transactionV2 is seed 002's transaction: one ledger line on a cash or
// bank account, with the entry that posted it.
type transactionV2 struct {
	ID pulid.ID `json:"id"`
	// Type is Income (money in) or Expense (money out).
	Type        string   `json:"type"`
	AccountID   pulid.ID `json:"account_id"`
	AccountName string   `json:"account_name"`
	// CategoryID is the other side of a two-line entry (the income or
	// expense account, receivables for a payment); null when the entry
	// splits over several accounts.
	CategoryID     *pulid.ID  `json:"category_id"`
	CategoryName   *string    `json:"category_name"`
	Amount         amount     `json:"amount"`
	Description    *string    `json:"description"`
	Date           types.Date `json:"date"`
	JournalEntryID pulid.ID   `json:"journal_entry_id"`
	EntryNumber    string     `json:"entry_number"`
	// Source is what posted it: payment, manual, invoice_void, …
	Source    string    `json:"source"`
	SourceID  *pulid.ID `json:"source_id"`
	CreatedAt string    `json:"created_at"`
}

func toTransactionV2(l *ent.LedgerEntry) transactionV2 {
	out := transactionV2{ID: l.ID, Type: "Income", AccountID: l.AccountID, Amount: amount{l.Debit, l.Currency},
		Description: l.Description, Date: l.Date, JournalEntryID: l.JournalEntryID, CreatedAt: v2Timestamp(l.CreatedAt)}
	if l.Debit.IsZero() {
		out.Type, out.Amount = "Expense", amount{l.Credit, l.Currency}
	}
	if a := l.Edges.Account; a != nil {
		out.AccountName = a.Name
	}
	if je := l.Edges.JournalEntry; je != nil {
		out.EntryNumber, out.Source, out.SourceID = je.EntryNumber, string(je.SourceType), je.SourceID
		if out.Description == nil {
			out.Description = je.Description
		}
		if len(je.Edges.Lines) == 2 {
			for _, other := range je.Edges.Lines {
				if other.ID != l.ID {
					id := other.AccountID
					out.CategoryID = &id
					if a := other.Edges.Account; a != nil {
						out.CategoryName = &a.Name
					}
				}
			}
		}
	}
	return out
}

// transactionV2Request is seed 002's Record Transaction body.
type transactionV2Request struct {
	Type        *string       `json:"type"`
	AccountID   *pulid.ID     `json:"account_id"`
	Amount      *decimalValue `json:"amount"`
	CategoryID  *pulid.ID     `json:"category_id"`
	Description *string       `json:"description"`
	Reference   *string       `json:"reference"`
	Date        *types.Date   `json:"date"`
}

func (a *API) listTransactionsV2(r *http.Request) (result, error) {
	q := r.URL.Query()
	var d apperr.Details
	p := v2Filters(q, &d, "type", "account_id", "date_from", "date_to")
	f := ledger.TransactionFilter{From: v2DateParam(q, "date_from", &d), To: v2DateParam(q, "date_to", &d),
		AccountID: v2IDParam(q, "account_id", "acc", &d)}
	if f.From != nil && f.To != nil && f.To.Time().Before(f.From.Time()) {
		d.Add("date_to", "Must be on or after date_from")
	}
	if s := q.Get("type"); s != "" {
		switch t := strings.ToLower(s); t {
		case ledger.TransactionIncome, ledger.TransactionExpense:
			f.Type = t
		default:
			d.Add("type", "Must be Income or Expense")
		}
	}
	sortDetails(d)
	if err := d.Err(ledger.CodeInvalidTransaction, "Invalid query parameters"); err != nil {
		return result{}, err
	}
	base, err := ledger.Transactions(r.Context(), f)
	if err != nil {
		return result{}, err
	}
	rows, m, err := numbered(r.Context(), p, func(ctx context.Context) (int, error) { return base.Clone().Aggregate(ent.Count()).Int(ctx) }, func(ctx context.Context, offset, limit int) ([]*ent.LedgerEntry, error) {
		return ledger.WithTransactionDetails(base.Order(ent.Desc(ledgerentry.FieldDate), ent.Desc(ledgerentry.FieldID))).
			Offset(offset).Limit(limit).All(ctx)
	})
	if err != nil {
		return result{}, err
	}
	data := make([]transactionV2, len(rows))
	for i, l := range rows {
		data[i] = toTransactionV2(l)
	}
	return v2List(data, m), nil
}

// recordTransactionV2 answers POST /api/v2/transactions: a manual journal
// entry between the money account and the category, shown as its line
// on the money account.
func (a *API) recordTransactionV2(r *http.Request) (result, error) {
	var body transactionV2Request
	if _, err := decodeBody(r, &body, ledger.CodeInvalidTransaction, "Validation failed"); err != nil {
		return result{}, err
	}
	in := ledger.TransactionInput{AccountID: body.AccountID, CategoryID: body.CategoryID, Amount: body.Amount.ptr(),
		Description: body.Description, Reference: body.Reference, Date: body.Date}
	if body.Type != nil {
		in.Type = *body.Type
	}
	line, err := ledger.RecordTransaction(r.Context(), in, r.Header.Get("Idempotency-Key"))
	if err != nil {
		return result{}, v2Names(err, map[string]string{"idempotencyKey": "Idempotency-Key"})
	}
	got, err := ledger.GetTransaction(r.Context(), line.ID)
	if err != nil {
		return result{}, err
	}
	return v2One(http.StatusCreated, toTransactionV2(got), "Transaction recorded"), nil
}
