package rest

import (
	"net/http"

	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/sales"
)

type funnelStageV1 struct {
	Stage string `json:"stage"`
	Count int    `json:"count"`
	// Value is the stage's quotes' total in the base currency.
	Value amount `json:"value"`
	// ConversionRate is the percentage of the previous stage that
	// reached this one; OverallRate the percentage of all quotes.
	ConversionRate number `json:"conversionRate"`
	OverallRate    number `json:"overallRate"`
}

type funnelLostV1 struct {
	Rejected int `json:"rejected"`
	Expired  int `json:"expired"`
}

// funnelV1 is GET /api/v1/analytics/sales-funnel's data.
type funnelV1 struct {
	DateFrom       *types.Date     `json:"dateFrom"`
	DateTo         *types.Date     `json:"dateTo"`
	CustomerID     *pulid.ID       `json:"customerId"`
	Currency       string          `json:"currency"`
	Stages         []funnelStageV1 `json:"stages"`
	Lost           funnelLostV1    `json:"lost"`
	Open           int             `json:"open"`
	InvoicedAmount amount          `json:"invoicedAmount"`
	PaidAmount     amount          `json:"paidAmount"`
	ConversionRate number          `json:"conversionRate"`
}

// salesFunnel answers GET /api/v1/analytics/sales-funnel?dateFrom&dateTo&customerId.
func (a *API) salesFunnel(r *http.Request) (result, error) {
	q := r.URL.Query()
	var d apperr.Details
	var f sales.FunnelFilter
	for _, name := range []string{"dateFrom", "dateTo"} {
		s := q.Get(name)
		if s == "" {
			continue
		}
		dt, err := types.ParseDate(s)
		if err != nil {
			d.Add(name, "Must be a date in YYYY-MM-DD form")
			continue
		}
		if name == "dateFrom" {
			f.From = &dt
		} else {
			f.To = &dt
		}
	}
	if s := q.Get("customerId"); s != "" {
		id := pulid.ID(s)
		f.CustomerID = &id
	}
	for k := range q {
		if k != "dateFrom" && k != "dateTo" && k != "customerId" {
			d.Add(k, "Unknown parameter: use dateFrom, dateTo, customerId")
		}
	}
	if err := d.Err("VALIDATION_ERROR", "Invalid query parameters"); err != nil {
		return result{}, err
	}
	fu, err := sales.SalesFunnel(r.Context(), f)
	if err != nil {
		return result{}, err
	}
	out := funnelV1{DateFrom: fu.DateFrom, DateTo: fu.DateTo, CustomerID: fu.CustomerID, Currency: fu.Currency,
		Lost: funnelLostV1{Rejected: fu.Lost.Rejected, Expired: fu.Lost.Expired}, Open: fu.Open,
		InvoicedAmount: amount{fu.InvoicedAmount, fu.Currency}, PaidAmount: amount{fu.PaidAmount, fu.Currency},
		ConversionRate: number{fu.ConversionRate}}
	for _, s := range fu.Stages {
		out.Stages = append(out.Stages, funnelStageV1{Stage: s.Stage, Count: s.Count, Value: amount{s.Value, fu.Currency},
			ConversionRate: number{s.ConversionRate}, OverallRate: number{s.OverallRate}})
	}
	return result{status: http.StatusOK, data: out}, nil
}
