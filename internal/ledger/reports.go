package ledger

import (
	"context"
	"fmt"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent/account"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/money"
	"github.com/bigledger/bigledger/internal/store"
)

// Amount prints as a JSON number at two decimals (base-currency money).
type Amount struct{ decimal.Decimal }

// MarshalJSON implements json.Marshaler.
func (a Amount) MarshalJSON() ([]byte, error) { return []byte(a.StringFixed(2)), nil }

// ReportLine is one account on a report.
type ReportLine struct {
	AccountID string `json:"accountId"`
	Code      string `json:"code"`
	Name      string `json:"name"`
	Type      string `json:"type"`
	Debit     Amount `json:"debit"`
	Credit    Amount `json:"credit"`
	// Balance is on the account's normal side.
	Balance Amount `json:"balance"`
}

type accountTotals struct {
	ReportLine
	normal account.NormalBalance
}

// totals sums every account's lines dated in [from, to] (nil: open).
func totals(ctx context.Context, from, to *types.Date) ([]accountTotals, error) {
	cid, err := baseCompany(ctx)
	if err != nil {
		return nil, err
	}
	q := `SELECT a.id, a.code, a.name, a.type, a.normal_balance, COALESCE(SUM(l.debit),0)::text, COALESCE(SUM(l.credit),0)::text
		FROM accounts a LEFT JOIN ledger_entries l ON l.account_id = a.id`
	args := []any{string(cid)}
	if from != nil {
		args = append(args, from.String())
		q += fmt.Sprintf(" AND l.date >= $%d", len(args))
	}
	if to != nil {
		args = append(args, to.String())
		q += fmt.Sprintf(" AND l.date <= $%d", len(args))
	}
	q += ` WHERE a.company_id = $1 GROUP BY a.id ORDER BY a.code`
	rows, err := store.Client(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []accountTotals
	for rows.Next() {
		var t accountTotals
		var nb, dr, cr string
		if err := rows.Scan(&t.AccountID, &t.Code, &t.Name, &t.Type, &nb, &dr, &cr); err != nil {
			return nil, err
		}
		t.normal = account.NormalBalance(nb)
		t.Debit, t.Credit = Amount{decimal.RequireFromString(dr)}, Amount{decimal.RequireFromString(cr)}
		if t.normal == account.NormalBalanceDebit {
			t.Balance = Amount{t.Debit.Sub(t.Credit.Decimal)}
		} else {
			t.Balance = Amount{t.Credit.Sub(t.Debit.Decimal)}
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TrialBalance lists every account's debits and credits up to asOf; the
// two columns' totals are equal when the ledger is sound.
func TrialBalance(ctx context.Context, asOf *types.Date) (map[string]any, error) {
	ts, err := totals(ctx, nil, asOf)
	if err != nil {
		return nil, err
	}
	var lines []ReportLine
	var dr, cr decimal.Decimal
	for _, t := range ts {
		if t.Debit.IsZero() && t.Credit.IsZero() {
			continue
		}
		// A trial balance shows each account's net on one side.
		net := t.Debit.Sub(t.Credit.Decimal)
		l := t.ReportLine
		l.Debit, l.Credit = Amount{decimal.Max(net, decimal.Zero)}, Amount{decimal.Max(net.Neg(), decimal.Zero)}
		dr, cr = dr.Add(l.Debit.Decimal), cr.Add(l.Credit.Decimal)
		lines = append(lines, l)
	}
	return map[string]any{"type": "trial_balance", "asOf": dateOrNil(asOf), "lines": nonNilLines(lines),
		"totalDebit": Amount{dr}, "totalCredit": Amount{cr}, "isBalanced": dr.Equal(cr)}, nil
}

// signedIncome is an income or expense account's contribution to profit:
// income (and contra-income) adds its credit − debit, expense subtracts.
func signedIncome(t accountTotals) decimal.Decimal {
	return t.Credit.Sub(t.Debit.Decimal)
}

// ProfitAndLoss reports income and expenses between from and to.
func ProfitAndLoss(ctx context.Context, from, to *types.Date) (map[string]any, error) {
	ts, err := totals(ctx, from, to)
	if err != nil {
		return nil, err
	}
	var income, expenses []ReportLine
	var ti, te decimal.Decimal
	for _, t := range ts {
		switch account.Type(t.Type) {
		case account.TypeIncome:
			l := t.ReportLine
			l.Balance = Amount{signedIncome(t)}
			ti = ti.Add(l.Balance.Decimal)
			if !l.Balance.IsZero() {
				income = append(income, l)
			}
		case account.TypeExpense:
			l := t.ReportLine
			l.Balance = Amount{t.Debit.Sub(t.Credit.Decimal)}
			te = te.Add(l.Balance.Decimal)
			if !l.Balance.IsZero() {
				expenses = append(expenses, l)
			}
		}
	}
	return map[string]any{"type": "profit_loss", "from": dateOrNil(from), "to": dateOrNil(to),
		"income": nonNilLines(income), "expenses": nonNilLines(expenses),
		"totalIncome": Amount{ti}, "totalExpenses": Amount{te}, "netIncome": Amount{ti.Sub(te)}}, nil
}

// BalanceSheet reports assets, liabilities and equity at asOf. Profit not
// yet closed to retained earnings shows as current earnings, so assets
// always equal liabilities plus equity.
func BalanceSheet(ctx context.Context, asOf *types.Date) (map[string]any, error) {
	ts, err := totals(ctx, nil, asOf)
	if err != nil {
		return nil, err
	}
	sections := map[account.Type][]ReportLine{}
	sums := map[account.Type]decimal.Decimal{}
	earnings := decimal.Zero
	for _, t := range ts {
		typ := account.Type(t.Type)
		switch typ {
		case account.TypeIncome:
			earnings = earnings.Add(signedIncome(t))
			continue
		case account.TypeExpense:
			earnings = earnings.Sub(t.Debit.Sub(t.Credit.Decimal))
			continue
		}
		// Contra accounts (a debit-normal liability, say) count against
		// their section.
		bal := t.Balance.Decimal
		natural := naturalBalance(typ)
		if t.normal != natural {
			bal = bal.Neg()
		}
		sums[typ] = sums[typ].Add(bal)
		if !t.Balance.IsZero() {
			sections[typ] = append(sections[typ], t.ReportLine)
		}
	}
	equity := sums[account.TypeEquity].Add(earnings)
	return map[string]any{"type": "balance_sheet", "asOf": dateOrNil(asOf),
		"assets": nonNilLines(sections[account.TypeAsset]), "liabilities": nonNilLines(sections[account.TypeLiability]),
		"equity": nonNilLines(sections[account.TypeEquity]), "currentEarnings": Amount{earnings},
		"totalAssets": Amount{sums[account.TypeAsset]}, "totalLiabilities": Amount{sums[account.TypeLiability]}, "totalEquity": Amount{equity},
		"isBalanced": sums[account.TypeAsset].Equal(sums[account.TypeLiability].Add(equity))}, nil
}

// AgingBucket is one customer's (or the total) receivables by age.
// Current … Over90 hold open invoices by days past due; Unallocated holds
// the receivable movements tied to no invoice (opening balances, ledger
// discounts, manual adjustments); Total is the customer's balance on the
// receivables account at asOf, so the report always equals the ledger.
type AgingBucket struct {
	CustomerID   string `json:"customerId,omitempty"`
	CustomerName string `json:"customerName,omitempty"`
	Current      Amount `json:"current"`
	Days1To30    Amount `json:"days1To30"`
	Days31To60   Amount `json:"days31To60"`
	Days61To90   Amount `json:"days61To90"`
	Over90       Amount `json:"over90"`
	Unallocated  Amount `json:"unallocated"`
	Total        Amount `json:"total"`
}

func (b *AgingBucket) add(days int, amt decimal.Decimal) {
	target := &b.Over90
	switch {
	case days <= 0:
		target = &b.Current
	case days <= 30:
		target = &b.Days1To30
	case days <= 60:
		target = &b.Days31To60
	case days <= 90:
		target = &b.Days61To90
	}
	target.Decimal = target.Add(amt)
}

// ARAging buckets what each customer owes at asOf. Each customer's total is
// their balance on the receivables account from entries dated on or before
// asOf (the identity AR aging = receivables control account holds by
// construction, per customer and in total). Open invoices are aged by days
// past due: an invoice counts from its posting (and not after its void's)
// for its posted receivable, less the allocations of payments dated on or
// before asOf that were not voided by then. What remains of the balance is
// Unallocated.
func ARAging(ctx context.Context, asOf types.Date) (map[string]any, error) {
	return arAging(ctx, asOf, "")
}

// CustomerAging is one customer's ARAging bucket at asOf (zero when the
// customer owes nothing): the same statements narrowed to the customer.
func CustomerAging(ctx context.Context, asOf types.Date, customerID pulid.ID) (*AgingBucket, error) {
	rep, err := arAging(ctx, asOf, customerID)
	if err != nil {
		return nil, err
	}
	if list := rep["customers"].([]*AgingBucket); len(list) == 1 {
		return list[0], nil
	}
	return &AgingBucket{CustomerID: string(customerID)}, nil
}

func arAging(ctx context.Context, asOf types.Date, only pulid.ID) (map[string]any, error) {
	cid, err := baseCompany(ctx)
	if err != nil {
		return nil, err
	}
	c := store.Client(ctx)
	accts, err := SystemAccounts(ctx, c)
	if err != nil {
		return nil, err
	}
	ar, day := string(accts[RoleAccountsReceivable].ID), asOf.String()
	by := map[string]*AgingBucket{}
	bucket := func(cust string) *AgingBucket {
		b := by[cust]
		if b == nil {
			b = &AgingBucket{CustomerID: cust}
			by[cust] = b
		}
		return b
	}
	rows, err := c.QueryContext(ctx, `
		SELECT l.customer_id, cu.name, SUM(l.debit - l.credit)::text
		FROM ledger_entries l
		JOIN journal_entries j ON j.id = l.journal_entry_id
		JOIN customers cu ON cu.id = l.customer_id
		WHERE j.company_id = $1 AND l.account_id = $2 AND j.date <= $3 AND ($4 = '' OR l.customer_id = $4)
		GROUP BY l.customer_id, cu.name`, string(cid), ar, day, string(only))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var cust, name, bal string
		if err := rows.Scan(&cust, &name, &bal); err != nil {
			rows.Close()
			return nil, err
		}
		b := bucket(cust)
		b.CustomerName, b.Total.Decimal = name, decimal.RequireFromString(bal)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = c.QueryContext(ctx, `
		SELECT i.customer_id, i.due_date::text,
		       (posted.amount - COALESCE((
		          SELECT ROUND(SUM(a.amount) * i.exchange_rate, 2) FROM payment_allocations a JOIN payments p ON p.id = a.payment_id
		          WHERE a.invoice_id = i.id AND (a.voided_at IS NULL OR a.voided_at::date > $3)
		            AND COALESCE((SELECT r.refund_date FROM refunds r WHERE r.id = a.refund_id), p.payment_date) <= $3), 0))::text
		FROM invoices i
		CROSS JOIN LATERAL (
		    SELECT COALESCE(SUM(l.debit - l.credit), 0) AS amount, COUNT(*) FILTER (WHERE j.source_type = 'invoice_void') AS voided
		    FROM journal_entries j JOIN ledger_entries l ON l.journal_entry_id = j.id AND l.account_id = $2
		    WHERE j.company_id = $1 AND j.source_id = i.id AND j.source_type IN ('invoice', 'invoice_void') AND j.date <= $3) posted
		WHERE i.company_id = $1 AND i.status <> 'draft' AND i.invoice_date <= $3 AND posted.voided = 0
		  AND ($4 = '' OR i.customer_id = $4)`, string(cid), ar, day, string(only))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var cust, due, out string
		if err := rows.Scan(&cust, &due, &out); err != nil {
			return nil, err
		}
		amt := decimal.RequireFromString(out)
		if amt.IsZero() {
			continue
		}
		dd, err := types.ParseDate(due)
		if err != nil {
			return nil, err
		}
		bucket(cust).add(int(asOf.Time().Sub(dd.Time()).Hours()/24), amt)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	total := &AgingBucket{}
	list := make([]*AgingBucket, 0, len(by))
	for _, b := range by {
		aged := b.Current.Add(b.Days1To30.Decimal).Add(b.Days31To60.Decimal).Add(b.Days61To90.Decimal).Add(b.Over90.Decimal)
		b.Unallocated.Decimal = b.Total.Sub(aged)
		if b.Total.IsZero() && aged.IsZero() {
			continue
		}
		for _, p := range [][2]*Amount{{&total.Current, &b.Current}, {&total.Days1To30, &b.Days1To30}, {&total.Days31To60, &b.Days31To60},
			{&total.Days61To90, &b.Days61To90}, {&total.Over90, &b.Over90}, {&total.Unallocated, &b.Unallocated}, {&total.Total, &b.Total}} {
			p[0].Decimal = p[0].Add(p[1].Decimal)
		}
		list = append(list, b)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].CustomerName != list[j].CustomerName {
			return list[i].CustomerName < list[j].CustomerName
		}
		return list[i].CustomerID < list[j].CustomerID
	})
	return map[string]any{"type": "ar_aging", "asOf": asOf, "customers": list, "total": total}, nil
}

// Report runs a report by name (seed 004 reports(type, params)).
func Report(ctx context.Context, typ string, from, to *types.Date) (map[string]any, error) {
	asOf := to
	switch typ {
	case "trial_balance":
		return TrialBalance(ctx, asOf)
	case "balance_sheet":
		return BalanceSheet(ctx, asOf)
	case "profit_loss":
		return ProfitAndLoss(ctx, from, to)
	case "financial_summary":
		year, month := 0, 0
		if to != nil {
			year = to.Year
		}
		if from != nil && to != nil && from.Year == to.Year && from.Month == to.Month {
			month = int(from.Month)
		}
		return FinancialSummary(ctx, year, month)
	case "ar_aging":
		if asOf == nil {
			f, err := factsOf(ctx, store.Client(ctx))
			if err != nil {
				return nil, err
			}
			d := types.DateOf(Clock().In(f.loc))
			asOf = &d
		}
		return ARAging(ctx, *asOf)
	}
	return nil, apperr.Validation("VALIDATION_ERROR", "Unknown report", apperr.Detail{Field: "type",
		Message: "Must be trial_balance, balance_sheet, profit_loss, ar_aging or financial_summary"})
}

func dateOrNil(d *types.Date) any {
	if d == nil {
		return nil
	}
	return d.String()
}

func nonNilLines(l []ReportLine) []ReportLine {
	if l == nil {
		return []ReportLine{}
	}
	return l
}

// MarshalGQL prints the amount as the Decimal scalar does ("2567.50").
func (a Amount) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(a.StringFixed(2))) }

// UnmarshalGQL accepts what the Decimal scalar accepts.
func (a *Amount) UnmarshalGQL(v any) error {
	d, err := money.UnmarshalDecimal(v)
	a.Decimal = d
	return err
}

// FinancialSummary is seed 002's summary for a year (and month): income,
// expenses and profit from the ledger, and what issued invoices still owe.
func FinancialSummary(ctx context.Context, year, month int) (map[string]any, error) {
	var from, to *types.Date
	if year != 0 {
		f := types.Date{Year: year, Month: 1, Day: 1}
		t := types.Date{Year: year, Month: 12, Day: 31}
		if month != 0 {
			f = types.Date{Year: year, Month: time.Month(month), Day: 1}
			t = types.DateOf(f.Time().AddDate(0, 1, -1))
		}
		from, to = &f, &t
	}
	pl, err := ProfitAndLoss(ctx, from, to)
	if err != nil {
		return nil, err
	}
	cid, err := baseCompany(ctx)
	if err != nil {
		return nil, err
	}
	q := `SELECT COALESCE(SUM(ROUND(amount_due * exchange_rate, 2)), 0)::text FROM invoices WHERE company_id = $1 AND status = 'sent'`
	args := []any{string(cid)}
	if to != nil {
		q += ` AND invoice_date <= $2`
		args = append(args, to.String())
	}
	rows, err := store.Client(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	outstanding := decimal.Zero
	if rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		outstanding = decimal.RequireFromString(s)
	}
	return map[string]any{"income": pl["totalIncome"], "expenses": pl["totalExpenses"], "profit": pl["netIncome"],
		"outstanding_invoices": Amount{outstanding}, "from": dateOrNil(from), "to": dateOrNil(to)}, rows.Err()
}
