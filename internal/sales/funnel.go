package sales

import (
	"context"
	"database/sql"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/store"
	"github.com/bigledger/bigledger/internal/tenant"
)

// FunnelFilter narrows the funnel: quotes dated within [From, To] (either
// open), of one customer.
type FunnelFilter struct {
	From, To   *types.Date
	CustomerID *pulid.ID
}

// FunnelStage is one step of the funnel: how many of the period's quotes
// reached it and their value in the base currency, with the share of the
// previous stage (ConversionRate) and of all quotes (OverallRate), in
// percent with two decimals.
type FunnelStage struct {
	Stage          string          `json:"stage"`
	Count          int             `json:"count"`
	Value          decimal.Decimal `json:"value"`
	ConversionRate decimal.Decimal `json:"conversionRate"`
	OverallRate    decimal.Decimal `json:"overallRate"`
}

// Funnel is GET /api/v1/analytics/sales-funnel's answer.
type Funnel struct {
	DateFrom   *types.Date   `json:"dateFrom"`
	DateTo     *types.Date   `json:"dateTo"`
	CustomerID *pulid.ID     `json:"customerId"`
	Currency   string        `json:"currency"`
	Stages     []FunnelStage `json:"stages"`
	// Lost counts the quotes that left the funnel: rejected, or expired
	// unaccepted; Open those still draft or sent within their validity.
	Lost struct {
		Rejected int `json:"rejected"`
		Expired  int `json:"expired"`
	} `json:"lost"`
	Open int `json:"open"`
	// InvoicedAmount and PaidAmount are what the period's orders were
	// actually billed and paid (base currency; void invoices excluded).
	InvoicedAmount decimal.Decimal `json:"invoicedAmount"`
	PaidAmount     decimal.Decimal `json:"paidAmount"`
	// ConversionRate is quote-to-paid, in percent.
	ConversionRate decimal.Decimal `json:"conversionRate"`
}

// SalesFunnel follows the period's quotes (a cohort by quote date) through
// quoted → sent → accepted → ordered → invoiced → paid, in one statement.
// A quote is "invoiced" when its order has a non-void invoice and "paid"
// when every such invoice is paid.
func SalesFunnel(ctx context.Context, f FunnelFilter) (*Funnel, error) {
	cid, ok := tenant.CompanyID(ctx)
	if !ok {
		return nil, apperr.Unauthenticated("No company")
	}
	if f.From != nil && f.To != nil && f.To.Time().Before(f.From.Time()) {
		return nil, apperr.Validation("VALIDATION_ERROR", "Invalid query parameters", apperr.Detail{Field: "dateTo", Message: "Must not be before dateFrom"})
	}
	if f.CustomerID != nil {
		// Another company's customer is as unknown as a missing one.
		ok, err := store.Client(ctx).Customer.Query().Where(customer.ID(*f.CustomerID)).Exist(ctx)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, apperr.Validation("VALIDATION_ERROR", "Invalid query parameters", apperr.Detail{Field: "customerId", Message: "No such customer"})
		}
	}
	today, err := Today(ctx)
	if err != nil {
		return nil, err
	}
	c := store.Client(ctx)
	co, err := c.Company.Get(ctx, cid)
	if err != nil {
		return nil, err
	}
	var from, to, cust sql.NullString
	if f.From != nil {
		from = sql.NullString{String: f.From.String(), Valid: true}
	}
	if f.To != nil {
		to = sql.NullString{String: f.To.String(), Valid: true}
	}
	if f.CustomerID != nil {
		cust = sql.NullString{String: string(*f.CustomerID), Valid: true}
	}
	rows, err := c.QueryContext(ctx, `
		WITH q AS (
			SELECT q.status, q.sent_at, q.accepted_at, q.sales_order_id, q.valid_until,
				round(q.total * q.exchange_rate, 2) AS value
			FROM quotes q
			WHERE q.company_id = $1 AND ($2::date IS NULL OR q.quote_date >= $2::date)
				AND ($3::date IS NULL OR q.quote_date <= $3::date) AND ($4::text IS NULL OR q.customer_id = $4)
		), inv AS (
			SELECT i.sales_order_id, sum(round(i.total * i.exchange_rate, 2)) AS invoiced,
				sum(round(i.amount_paid * i.exchange_rate, 2)) AS paid, bool_and(i.status = 'paid') AS all_paid
			FROM invoices i
			WHERE i.company_id = $1 AND i.status <> 'void'
				AND i.sales_order_id IN (SELECT sales_order_id FROM q WHERE sales_order_id IS NOT NULL)
			GROUP BY i.sales_order_id
		), s AS (
			SELECT q.*, q.sent_at IS NOT NULL OR q.status IN ('sent', 'accepted', 'converted', 'rejected') AS sent,
				q.accepted_at IS NOT NULL OR q.status IN ('accepted', 'converted') AS accepted,
				q.sales_order_id IS NOT NULL AS ordered, inv.sales_order_id IS NOT NULL AS invoiced,
				coalesce(inv.all_paid, false) AS paid, inv.invoiced AS invoiced_amount, inv.paid AS paid_amount
			FROM q LEFT JOIN inv ON inv.sales_order_id = q.sales_order_id
		)
		SELECT count(*), coalesce(sum(value), 0)::text,
			count(*) FILTER (WHERE sent), coalesce(sum(value) FILTER (WHERE sent), 0)::text,
			count(*) FILTER (WHERE accepted), coalesce(sum(value) FILTER (WHERE accepted), 0)::text,
			count(*) FILTER (WHERE ordered), coalesce(sum(value) FILTER (WHERE ordered), 0)::text,
			count(*) FILTER (WHERE invoiced), coalesce(sum(value) FILTER (WHERE invoiced), 0)::text,
			count(*) FILTER (WHERE paid), coalesce(sum(value) FILTER (WHERE paid), 0)::text,
			count(*) FILTER (WHERE status = 'rejected'),
			count(*) FILTER (WHERE NOT accepted AND status IN ('draft', 'sent') AND valid_until < $5::date),
			count(*) FILTER (WHERE NOT accepted AND status IN ('draft', 'sent') AND valid_until >= $5::date),
			coalesce(sum(invoiced_amount), 0)::text, coalesce(sum(paid_amount), 0)::text
		FROM s`, string(cid), from, to, cust, today.String())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, rows.Err()
	}
	names := []string{"quoted", "sent", "accepted", "ordered", "invoiced", "paid"}
	counts := make([]int, len(names))
	values := make([]string, len(names))
	out := &Funnel{DateFrom: f.From, DateTo: f.To, CustomerID: f.CustomerID, Currency: co.BaseCurrency}
	var invoiced, paid string
	dest := []any{}
	for i := range names {
		dest = append(dest, &counts[i], &values[i])
	}
	dest = append(dest, &out.Lost.Rejected, &out.Lost.Expired, &out.Open, &invoiced, &paid)
	if err := rows.Scan(dest...); err != nil {
		return nil, err
	}
	rate := func(n, of int) decimal.Decimal {
		if of == 0 {
			return decimal.Zero
		}
		return decimal.NewFromInt(int64(n)).Mul(decimal.NewFromInt(100)).Div(decimal.NewFromInt(int64(of))).Round(2)
	}
	for i, name := range names {
		prev := counts[0]
		if i > 0 {
			prev = counts[i-1]
		}
		out.Stages = append(out.Stages, FunnelStage{Stage: name, Count: counts[i], Value: decimal.RequireFromString(values[i]),
			ConversionRate: rate(counts[i], prev), OverallRate: rate(counts[i], counts[0])})
	}
	out.InvoicedAmount, out.PaidAmount = decimal.RequireFromString(invoiced), decimal.RequireFromString(paid)
	out.ConversionRate = rate(counts[len(counts)-1], counts[0])
	return out, rows.Err()
}
