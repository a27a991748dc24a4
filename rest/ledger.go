package rest

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/account"
	"github.com/bigledger/bigledger/ent/journalentry"
	"github.com/bigledger/bigledger/ent/ledgerentry"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/ledger"
	"github.com/bigledger/bigledger/internal/store"
)

// accountV1 is the seed-004 Account object (snake_case, as documented).
type accountV1 struct {
	ID             pulid.ID  `json:"id"`
	Code           string    `json:"code"`
	Name           string    `json:"name"`
	Type           string    `json:"type"`
	Subtype        *string   `json:"subtype"`
	Currency       string    `json:"currency"`
	Balance        amount    `json:"balance"`
	NormalBalance  string    `json:"normal_balance"`
	Description    *string   `json:"description"`
	IsActive       bool      `json:"is_active"`
	IsReconcilable bool      `json:"is_reconcilable"`
	SystemRole     *string   `json:"system_role"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

func toAccountV1(a *ent.Account, balance decimal.Decimal) accountV1 {
	return accountV1{ID: a.ID, Code: a.Code, Name: a.Name, Type: string(a.Type), Subtype: a.Subtype, Currency: a.Currency,
		Balance: amount{balance, a.Currency}, NormalBalance: string(a.NormalBalance), Description: a.Description,
		IsActive: a.Active, IsReconcilable: a.Reconcilable, SystemRole: a.SystemRole, CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC()}
}

var accountList = listSpec{
	filters: map[string]filterField{
		"type": enumFilter("type", account.TypeValidator),
		"code": {key: "code", kind: kString}, "name": {key: "name", kind: kString},
	},
	sorts:       map[string]bool{"code": true, "name": true},
	passthrough: map[string]bool{"search": true, "status": true},
}

func (a *API) listAccounts(r *http.Request) (result, error) {
	q := r.URL.Query()
	// Seed 004 pages by number (page, limit; default 20). The chart of
	// accounts is small, so offset paging is fine here; cursor paging
	// works too, as on every other list.
	page, err := seed004Page(q, ledger.CodeInvalidAccount)
	if err != nil {
		return result{}, err
	}
	q.Del("page")
	p, err := parseList(q, accountList, ledger.CodeInvalidAccount)
	if err != nil {
		return result{}, err
	}
	where := &ent.AccountWhereInput{}
	if err := p.into(where); err != nil {
		return result{}, err
	}
	switch st := q.Get("status"); st {
	case "":
	case "active", "inactive":
		active := st == "active"
		where.Active = &active
	default:
		return result{}, validationFor(ledger.CodeInvalidAccount, "status", "Must be active or inactive")
	}
	order := &ent.AccountOrder{Field: ent.AccountOrderFieldCode, Direction: direction(false)}
	for _, s := range p.sort {
		f := ent.AccountOrderFieldCode
		if s.field == "name" {
			f = ent.AccountOrderFieldName
		}
		order = &ent.AccountOrder{Field: f, Direction: direction(s.desc)}
	}
	search := q.Get("search")
	balances, err := ledger.Balances(r.Context(), nil)
	if err != nil {
		return result{}, err
	}
	if page > 0 {
		// An empty filter is no predicate (ent answers ErrEmpty…), not a
		// failure: GET /api/v1/accounts?page=2 pages the whole chart.
		pred, err := where.P()
		if errors.Is(err, ent.ErrEmptyAccountWhereInput) {
			pred, err = nil, nil
		}
		if err != nil {
			return result{}, err
		}
		base := ledger.Accounts(r.Context(), search)
		if pred != nil {
			base = base.Where(pred)
		}
		col := account.FieldCode
		if order.Field == ent.AccountOrderFieldName {
			col = account.FieldName
		}
		by := ent.Asc(col, account.FieldID)
		if order.Direction == direction(true) {
			by = ent.Desc(col, account.FieldID)
		}
		list, m, err := numbered(r.Context(), pageNumber{page: page, limit: p.limit},
			func(ctx context.Context) (int, error) { return base.Clone().Aggregate(ent.Count()).Int(ctx) },
			func(ctx context.Context, offset, limit int) ([]*ent.Account, error) {
				return base.Order(by).Offset(offset).Limit(limit).All(ctx)
			})
		if err != nil {
			return result{}, err
		}
		data := make([]accountV1, len(list))
		for i, acc := range list {
			data[i] = toAccountV1(acc, balances[acc.ID])
		}
		return result{status: http.StatusOK, data: data, page: ptr(m.pagination())}, nil
	}
	conn, err := a.query().Accounts(p.ctx(r.Context()), p.after, &p.limit, nil, nil, order, where, &search, nil, nil, nil)
	if err != nil {
		return result{}, err
	}
	data := make([]accountV1, len(conn.Edges))
	for i, e := range conn.Edges {
		data[i] = toAccountV1(e.Node, balances[e.Node.ID])
	}
	return result{status: http.StatusOK, data: data, page: ptr(p.page(conn.PageInfo, conn.TotalCount))}, nil
}

type accountRequest struct {
	Code           *string                `json:"code"`
	Name           *string                `json:"name"`
	Type           *account.Type          `json:"type"`
	Subtype        *string                `json:"subtype"`
	Currency       *string                `json:"currency"`
	NormalBalance  *account.NormalBalance `json:"normal_balance"`
	OpeningBalance *decimalValue          `json:"opening_balance"`
	Description    *string                `json:"description"`
	IsReconcilable *bool                  `json:"is_reconcilable"`
}

func (a *API) createAccount(r *http.Request) (result, error) {
	var body accountRequest
	if _, err := decodeBody(r, &body, ledger.CodeInvalidAccount, "Account validation failed"); err != nil {
		return result{}, err
	}
	var d apperr.Details
	checkEnum(&d, "type", body.Type, account.TypeValidator)
	checkEnum(&d, "normal_balance", body.NormalBalance, account.NormalBalanceValidator)
	for f, v := range map[string]bool{"code": body.Code == nil, "name": body.Name == nil, "type": body.Type == nil} {
		if v {
			d.Add(f, "Required")
		}
	}
	if err := d.Err(ledger.CodeInvalidAccount, "Account validation failed"); err != nil {
		return result{}, err
	}
	acc, err := a.mutation().CreateAccount(r.Context(), ledger.AccountInput{Code: *body.Code, Name: *body.Name, Type: *body.Type,
		Subtype: body.Subtype, Currency: body.Currency, NormalBalance: body.NormalBalance, Description: body.Description,
		Reconcilable: body.IsReconcilable, OpeningBalance: body.OpeningBalance.ptr()})
	if err != nil {
		return result{}, err
	}
	bal, err := ledger.AccountBalance(r.Context(), acc.ID)
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusCreated, data: toAccountV1(acc, bal)}, nil
}

type journalLineRequest struct {
	AccountID   *pulid.ID     `json:"account_id"`
	Debit       *decimalValue `json:"debit"`
	Credit      *decimalValue `json:"credit"`
	Description *string       `json:"description"`
	CustomerID  *pulid.ID     `json:"customer_id"`
}

type journalEntryRequest struct {
	Date        *types.Date          `json:"date"`
	Reference   *string              `json:"reference"`
	Description *string              `json:"description"`
	Lines       []journalLineRequest `json:"lines"`
	Attachments []string             `json:"attachments"`
}

type accountRefV1 struct {
	ID   pulid.ID `json:"id"`
	Code string   `json:"code"`
	Name string   `json:"name"`
}

type journalLineV1 struct {
	ID          pulid.ID     `json:"id"`
	Account     accountRefV1 `json:"account"`
	Debit       amount       `json:"debit"`
	Credit      amount       `json:"credit"`
	Description *string      `json:"description"`
	CustomerID  *pulid.ID    `json:"customer_id"`
}

// journalEntryV1 is the seed-004 journal entry response.
type journalEntryV1 struct {
	ID          pulid.ID        `json:"id"`
	Number      string          `json:"number"`
	Date        types.Date      `json:"date"`
	Reference   *string         `json:"reference"`
	Description *string         `json:"description"`
	Status      string          `json:"status"`
	SourceType  string          `json:"source_type"`
	TotalDebit  amount          `json:"total_debit"`
	TotalCredit amount          `json:"total_credit"`
	IsBalanced  bool            `json:"is_balanced"`
	CreatedBy   *pulid.ID       `json:"created_by"`
	CreatedAt   time.Time       `json:"created_at"`
	Lines       []journalLineV1 `json:"lines"`
}

func journalEntryResult(r *http.Request, id pulid.ID, status int) (result, error) {
	je, err := store.Client(r.Context()).JournalEntry.Query().Where(journalentry.ID(id)).
		WithLines(func(q *ent.LedgerEntryQuery) { q.Order(ent.Asc(ledgerentry.FieldPosition)).WithAccount() }).Only(r.Context())
	if err != nil {
		return result{}, err
	}
	return result{status: status, data: toJournalEntryV1(je)}, nil
}

// toJournalEntryV1 renders an entry whose lines (with accounts) are loaded.
func toJournalEntryV1(je *ent.JournalEntry) journalEntryV1 {
	out := journalEntryV1{ID: je.ID, Number: je.EntryNumber, Date: je.Date, Reference: je.Reference, Description: je.Description,
		Status: string(je.Status), SourceType: string(je.SourceType), TotalDebit: amount{je.TotalDebit, "MYR"},
		TotalCredit: amount{je.TotalCredit, "MYR"}, IsBalanced: je.TotalDebit.Equal(je.TotalCredit), CreatedBy: je.CreatedByID,
		CreatedAt: je.CreatedAt.UTC(), Lines: []journalLineV1{}}
	for _, l := range je.Edges.Lines {
		acc := l.Edges.Account
		out.Lines = append(out.Lines, journalLineV1{ID: l.ID, Account: accountRefV1{ID: acc.ID, Code: acc.Code, Name: acc.Name},
			Debit: amount{l.Debit, l.Currency}, Credit: amount{l.Credit, l.Currency}, Description: l.Description, CustomerID: l.CustomerID})
	}
	return out
}

func (a *API) createJournalEntry(r *http.Request) (result, error) {
	var body journalEntryRequest
	if _, err := decodeBody(r, &body, ledger.CodeInvalidEntry, "Journal entry validation failed"); err != nil {
		return result{}, err
	}
	var d apperr.Details
	in := ledger.JournalEntryInput{Date: body.Date, Reference: body.Reference, Description: body.Description}
	for i, l := range body.Lines {
		if l.AccountID == nil {
			d.Add("lines["+itoa(i)+"].account_id", "Required")
			continue
		}
		in.Lines = append(in.Lines, ledger.JournalLineInput{AccountID: *l.AccountID, Debit: l.Debit.ptr(), Credit: l.Credit.ptr(),
			Description: l.Description, CustomerID: l.CustomerID})
	}
	if len(body.Attachments) > 0 {
		d.Add("attachments", "Attach files to journal entries is not supported yet")
	}
	if err := d.Err(ledger.CodeInvalidEntry, "Journal entry validation failed"); err != nil {
		return result{}, err
	}
	key := r.Header.Get("Idempotency-Key")
	je, err := a.mutation().CreateJournalEntry(r.Context(), in, &key)
	if err != nil {
		return result{}, err
	}
	return journalEntryResult(r, je.ID, http.StatusCreated)
}

// report serves seed 001 GET /v1/reports/balance-sheet and profit-loss,
// and /api/v1/reports/{type} for every report (from, to or asOf).
func (a *API) report(typ string) endpoint {
	return func(r *http.Request) (result, error) {
		q := r.URL.Query()
		var d apperr.Details
		parse := func(name string) *types.Date {
			s := q.Get(name)
			if s == "" {
				return nil
			}
			dt, err := types.ParseDate(s)
			if err != nil {
				d.Add(name, "Must be a date in YYYY-MM-DD form")
				return nil
			}
			return &dt
		}
		from, to := parse("from"), parse("to")
		if asOf := parse("asOf"); asOf != nil {
			to = asOf
		}
		if err := d.Err("VALIDATION_ERROR", "Invalid query parameters"); err != nil {
			return result{}, err
		}
		t := typ
		if t == "" {
			t = map[string]string{"balance-sheet": "balance_sheet", "profit-loss": "profit_loss", "trial-balance": "trial_balance",
				"ar-aging": "ar_aging", "financial": "financial_summary"}[r.PathValue("type")]
		}
		rep, err := ledger.Report(r.Context(), t, from, to)
		if err != nil {
			return result{}, err
		}
		return result{status: http.StatusOK, data: rep}, nil
	}
}

// financialSummary answers seed 002 GET /api/v2/reports/financial?year=&month=.
func (a *API) financialSummary(r *http.Request) (result, error) {
	q := r.URL.Query()
	var d apperr.Details
	year, month := 0, 0
	if s := q.Get("year"); s != "" {
		if n, err := strconv.Atoi(s); err != nil || n < 1900 || n > 9999 {
			d.Add("year", "Must be a year such as 2024")
		} else {
			year = n
		}
	}
	if s := q.Get("month"); s != "" {
		if n, err := strconv.Atoi(s); err != nil || n < 1 || n > 12 {
			d.Add("month", "Must be 1–12")
		} else if year == 0 {
			d.Add("month", "Requires year")
		} else {
			month = n
		}
	}
	if err := d.Err("VALIDATION_ERROR", "Invalid query parameters"); err != nil {
		return result{}, err
	}
	rep, err := ledger.FinancialSummary(r.Context(), year, month)
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, data: rep}, nil
}
