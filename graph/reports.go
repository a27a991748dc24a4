package graph

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/graph/model"
	"github.com/bigledger/bigledger/internal/ledger"
)

// typedReport turns a ledger report (the map the REST face renders as
// it is) into the GraphQL Report union's member for its type.
func typedReport(m map[string]any, err error) (model.Report, error) {
	if err != nil {
		return nil, err
	}
	r := reportReader{m: m}
	var out model.Report
	switch m["type"] {
	case "trial_balance":
		out = &model.TrialBalanceReport{AsOf: r.date("asOf"), Lines: r.lines("lines"), TotalDebit: r.amount("totalDebit"),
			TotalCredit: r.amount("totalCredit"), IsBalanced: r.bool("isBalanced")}
	case "balance_sheet":
		out = &model.BalanceSheetReport{AsOf: r.date("asOf"), Assets: r.lines("assets"), Liabilities: r.lines("liabilities"),
			Equity: r.lines("equity"), CurrentEarnings: r.amount("currentEarnings"), TotalAssets: r.amount("totalAssets"),
			TotalLiabilities: r.amount("totalLiabilities"), TotalEquity: r.amount("totalEquity"), IsBalanced: r.bool("isBalanced")}
	case "profit_loss":
		out = &model.ProfitLossReport{From: r.date("from"), To: r.date("to"), Income: r.lines("income"), Expenses: r.lines("expenses"),
			TotalIncome: r.amount("totalIncome"), TotalExpenses: r.amount("totalExpenses"), NetIncome: r.amount("netIncome")}
	case "ar_aging":
		asOf, _ := m["asOf"].(types.Date)
		list, _ := m["customers"].([]*ledger.AgingBucket)
		total, _ := m["total"].(*ledger.AgingBucket)
		out = &model.ArAgingReport{AsOf: asOf, Customers: list, Total: total}
	default:
		if _, ok := m["outstanding_invoices"]; !ok {
			return nil, fmt.Errorf("report of unknown type %v", m["type"])
		}
		out = &model.FinancialSummaryReport{From: r.date("from"), To: r.date("to"), Income: r.amount("income"),
			Expenses: r.amount("expenses"), Profit: r.amount("profit"), OutstandingInvoices: r.amount("outstanding_invoices")}
	}
	return out, r.err
}

// reportReader reads a report map's values, remembering the first value
// of an unexpected kind (a programming error, reported as such).
type reportReader struct {
	m   map[string]any
	err error
}

func (r *reportReader) fail(key string) {
	if r.err == nil {
		r.err = fmt.Errorf("report: %s is %T", key, r.m[key])
	}
}

func (r *reportReader) date(key string) *types.Date {
	switch v := r.m[key].(type) {
	case nil:
		return nil
	case string:
		d, err := types.ParseDate(v)
		if err != nil {
			r.fail(key)
			return nil
		}
		return &d
	case types.Date:
		return &v
	case *types.Date:
		return v
	}
	r.fail(key)
	return nil
}

func (r *reportReader) amount(key string) decimal.Decimal {
	a, ok := r.m[key].(ledger.Amount)
	if !ok {
		r.fail(key)
	}
	return a.Decimal
}

func (r *reportReader) bool(key string) bool {
	b, ok := r.m[key].(bool)
	if !ok {
		r.fail(key)
	}
	return b
}

func (r *reportReader) lines(key string) []*ledger.ReportLine {
	l, ok := r.m[key].([]ledger.ReportLine)
	if !ok {
		r.fail(key)
	}
	out := make([]*ledger.ReportLine, len(l))
	for i := range l {
		out[i] = &l[i]
	}
	return out
}
