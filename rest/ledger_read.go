package rest

import (
	"context"
	"errors"
	"net/http"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/journalentry"
	"github.com/bigledger/bigledger/ent/ledgerentry"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/ledger"
	"github.com/bigledger/bigledger/internal/store"
)

func entryNotFound(id pulid.ID) error {
	return apperr.NotFound(ledger.CodeEntryNotFound, "Journal entry with ID '"+string(id)+"' not found")
}

// getAccount answers GET /api/v1/accounts/{id} with its balance.
func (a *API) getAccount(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "acc", ledger.AccountNotFound)
	if err != nil {
		return result{}, err
	}
	acc, err := ledger.GetAccount(r.Context(), id)
	if err != nil {
		return result{}, err
	}
	return accountResult(r, acc)
}

// accountResult renders an account with its balance.
func accountResult(r *http.Request, acc *ent.Account) (result, error) {
	bal, err := ledger.AccountBalance(r.Context(), acc.ID)
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, data: toAccountV1(acc, bal)}, nil
}

// accountPatch is PATCH /api/v1/accounts/{id}'s body (seed 004 names).
// The type, currency and normal balance are fixed once created.
type accountPatch struct {
	Code           *string `json:"code"`
	Name           *string `json:"name"`
	Subtype        *string `json:"subtype"`
	Description    *string `json:"description"`
	IsActive       *bool   `json:"is_active"`
	IsReconcilable *bool   `json:"is_reconcilable"`
	Type           *string `json:"type"`
	Currency       *string `json:"currency"`
	NormalBalance  *string `json:"normal_balance"`
}

func (a *API) updateAccount(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "acc", ledger.AccountNotFound)
	if err != nil {
		return result{}, err
	}
	var body accountPatch
	f, err := decodeBody(r, &body, ledger.CodeInvalidAccount, "Account validation failed")
	if err != nil {
		return result{}, err
	}
	var d apperr.Details
	for _, k := range []string{"type", "currency", "normal_balance"} {
		if f.has(k) {
			d.Add(k, "Cannot change once the account exists: create another account")
		}
	}
	for _, k := range []string{"code", "name", "is_active", "is_reconcilable"} {
		if f.isNull(k) {
			d.Add(k, "Cannot be null")
		}
	}
	if err := d.Err(ledger.CodeInvalidAccount, "Account validation failed"); err != nil {
		return result{}, err
	}
	acc, err := a.mutation().UpdateAccount(r.Context(), id, ledger.AccountUpdate{Code: body.Code, Name: body.Name, Subtype: body.Subtype,
		Description: body.Description, Active: body.IsActive, Reconcilable: body.IsReconcilable})
	if err != nil {
		return result{}, err
	}
	return accountResult(r, acc)
}

func (a *API) deleteAccount(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "acc", ledger.AccountNotFound)
	if err != nil {
		return result{}, err
	}
	if _, err := a.mutation().DeleteAccount(r.Context(), id); err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, data: deletedV1{ID: id, Deleted: true}}, nil
}

var journalEntryList = listSpec{
	filters: map[string]filterField{
		"status":       enumFilter("status", journalentry.StatusValidator),
		"source_type":  enumFilter("sourceType", journalentry.SourceTypeValidator),
		"entry_number": {key: "entryNumber", kind: kString},
		"number":       {key: "entryNumber", kind: kString},
		"reference":    {key: "reference", kind: kString},
		"date":         {key: "date", kind: kDate},
	},
	aliases: map[string]string{"fromDate": "date[gte]", "toDate": "date[lte]", "from": "date[gte]", "to": "date[lte]"},
	sorts:   map[string]bool{"date": true, "number": true, "entry_number": true, "created_at": true, "createdAt": true},
	// page is seed 004's page number; account_id keeps the entries with a
	// line on that account.
	passthrough: map[string]bool{"page": true, "account_id": true},
}

// journalColumns are the order fields' columns (page mode orders in SQL).
var journalColumns = map[*ent.JournalEntryOrderField]string{
	ent.JournalEntryOrderFieldDate: journalentry.FieldDate, ent.JournalEntryOrderFieldEntryNumber: journalentry.FieldEntryNumber,
	ent.JournalEntryOrderFieldCreatedAt: journalentry.FieldCreatedAt,
}

var journalOrderFields = map[string]*ent.JournalEntryOrderField{
	"date": ent.JournalEntryOrderFieldDate, "number": ent.JournalEntryOrderFieldEntryNumber,
	"entry_number": ent.JournalEntryOrderFieldEntryNumber, "created_at": ent.JournalEntryOrderFieldCreatedAt,
	"createdAt": ent.JournalEntryOrderFieldCreatedAt,
}

// listJournalEntries answers GET /api/v1/journal-entries: newest first,
// with their lines, paged by seed 004's page/limit (meta{page, limit,
// total, pages}) or by cursor like every other list.
func (a *API) listJournalEntries(r *http.Request) (result, error) {
	q := r.URL.Query()
	page, err := seed004Page(q, ledger.CodeInvalidEntry)
	if err != nil {
		return result{}, err
	}
	p, err := parseList(q, journalEntryList, ledger.CodeInvalidEntry)
	if err != nil {
		return result{}, err
	}
	if page > 0 && p.after != nil {
		return result{}, validationFor(ledger.CodeInvalidEntry, "cursor", "Use page or cursor, not both")
	}
	where := &ent.JournalEntryWhereInput{}
	if err := p.into(where); err != nil {
		return result{}, err
	}
	if s := q.Get("account_id"); s != "" {
		where.AddPredicates(journalentry.HasLinesWith(ledgerentry.AccountID(pulid.ID(s))))
	}
	order := []*ent.JournalEntryOrder{{Field: ent.JournalEntryOrderFieldDate, Direction: direction(true)},
		{Field: ent.JournalEntryOrderFieldEntryNumber, Direction: direction(true)}}
	if len(p.sort) > 0 {
		order = order[:0]
		for _, s := range p.sort {
			order = append(order, &ent.JournalEntryOrder{Field: journalOrderFields[s.field], Direction: direction(s.desc)})
		}
	}
	var nodes []*ent.JournalEntry
	var pg pagination
	if page > 0 {
		pred, err := where.P()
		if errors.Is(err, ent.ErrEmptyJournalEntryWhereInput) {
			pred, err = nil, nil
		}
		if err != nil {
			return result{}, err
		}
		base := store.Client(r.Context()).JournalEntry.Query()
		if pred != nil {
			base = base.Where(pred)
		}
		qq := base.Clone()
		for _, o := range order {
			if o.Direction == direction(true) {
				qq = qq.Order(ent.Desc(journalColumns[o.Field]))
			} else {
				qq = qq.Order(ent.Asc(journalColumns[o.Field]))
			}
		}
		var m v2Meta
		nodes, m, err = numbered(r.Context(), pageNumber{page: page, limit: p.limit},
			func(ctx context.Context) (int, error) { return base.Aggregate(ent.Count()).Int(ctx) },
			func(ctx context.Context, offset, limit int) ([]*ent.JournalEntry, error) {
				return qq.Order(ent.Desc(journalentry.FieldID)).Offset(offset).Limit(limit).All(ctx)
			})
		if err != nil {
			return result{}, err
		}
		pg = m.pagination()
	} else {
		conn, err := a.query().JournalEntries(p.ctx(r.Context()), p.after, &p.limit, nil, nil, order, where)
		if err != nil {
			return result{}, err
		}
		for _, e := range conn.Edges {
			nodes = append(nodes, e.Node)
		}
		pg = p.page(conn.PageInfo, conn.TotalCount)
	}
	data, err := journalEntriesV1(r, nodes)
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, data: data, page: &pg}, nil
}

// journalEntriesV1 renders entries with their lines and accounts: two
// statements for the whole page.
func journalEntriesV1(r *http.Request, nodes []*ent.JournalEntry) ([]journalEntryV1, error) {
	out := make([]journalEntryV1, 0, len(nodes))
	if len(nodes) == 0 {
		return out, nil
	}
	ids := make([]pulid.ID, len(nodes))
	for i, n := range nodes {
		ids[i] = n.ID
	}
	lines, err := store.Client(r.Context()).LedgerEntry.Query().Where(ledgerentry.JournalEntryIDIn(ids...)).
		Order(ent.Asc(ledgerentry.FieldJournalEntryID), ent.Asc(ledgerentry.FieldPosition)).WithAccount().All(r.Context())
	if err != nil {
		return nil, err
	}
	byEntry := map[pulid.ID][]*ent.LedgerEntry{}
	for _, l := range lines {
		byEntry[l.JournalEntryID] = append(byEntry[l.JournalEntryID], l)
	}
	for _, n := range nodes {
		n.Edges.Lines = byEntry[n.ID]
		out = append(out, toJournalEntryV1(n))
	}
	return out, nil
}

func (a *API) getJournalEntry(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "je", entryNotFound)
	if err != nil {
		return result{}, err
	}
	if _, err := ledger.GetJournalEntry(r.Context(), id); err != nil {
		return result{}, err
	}
	return journalEntryResult(r, id, http.StatusOK)
}
