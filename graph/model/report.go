package model

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ReportType is a report's name as the ledger package knows it
// (trial_balance, …). GraphQL accepts seed 004's capitals (TRIAL_BALANCE)
// and the lower-case names of earlier releases, and answers capitals.
type ReportType string

// The reports.
const (
	ReportTrialBalance     ReportType = "trial_balance"
	ReportBalanceSheet     ReportType = "balance_sheet"
	ReportProfitLoss       ReportType = "profit_loss"
	ReportArAging          ReportType = "ar_aging"
	ReportFinancialSummary ReportType = "financial_summary"
)

var reportTypes = []ReportType{ReportTrialBalance, ReportBalanceSheet, ReportProfitLoss, ReportArAging, ReportFinancialSummary}

// UnmarshalGQL implements graphql.Unmarshaler.
func (t *ReportType) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("report type must be a string")
	}
	for _, r := range reportTypes {
		if s == string(r) || s == strings.ToUpper(string(r)) {
			*t = r
			return nil
		}
	}
	return fmt.Errorf("%q is not a ReportType", s)
}

// MarshalGQL implements graphql.Marshaler.
func (t ReportType) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(strings.ToUpper(string(t))))
}
