package sales

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/ent/invoice"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/store"
)

// SummaryAmount prints as a JSON number at two decimals.
type SummaryAmount struct{ decimal.Decimal }

// MarshalJSON implements json.Marshaler.
func (a SummaryAmount) MarshalJSON() ([]byte, error) { return []byte(a.StringFixed(2)), nil }

// Quantity prints as a JSON number without trailing zeros.
type Quantity struct{ decimal.Decimal }

// MarshalJSON implements json.Marshaler.
func (q Quantity) MarshalJSON() ([]byte, error) { return []byte(q.String()), nil }

// CustomerSummary is seed 000's Customer Summary.
type CustomerSummary struct {
	CustomerID pulid.ID `json:"customerId"`
	Summary    struct {
		TotalSales        SummaryAmount `json:"totalSales"`
		TotalInvoices     int           `json:"totalInvoices"`
		AverageOrderValue SummaryAmount `json:"averageOrderValue"`
		CurrentBalance    SummaryAmount `json:"currentBalance"`
		CreditUtilization float64       `json:"creditUtilization"`
		PaymentHistory    struct {
			OnTimePayments     int `json:"onTimePayments"`
			LatePayments       int `json:"latePayments"`
			AveragePaymentDays int `json:"averagePaymentDays"`
		} `json:"paymentHistory"`
		LastOrderDate      *types.Date `json:"lastOrderDate"`
		DaysSinceLastOrder *int        `json:"daysSinceLastOrder"`
		OrderFrequency     string      `json:"orderFrequency"`
	} `json:"summary"`
	Trends struct {
		SalesGrowth            float64 `json:"salesGrowth"`
		OrderVolumeGrowth      float64 `json:"orderVolumeGrowth"`
		PaymentDaysImprovement float64 `json:"paymentDaysImprovement"`
	} `json:"trends"`
	TopProducts []TopProduct `json:"topProducts"`
}

// TopProduct is one of a customer's most bought items.
type TopProduct struct {
	ItemID          *pulid.ID     `json:"itemId"`
	ItemCode        *string       `json:"itemCode"`
	Description     string        `json:"description"`
	QuantityOrdered Quantity      `json:"quantityOrdered"`
	TotalValue      SummaryAmount `json:"totalValue"`
}

func pct(now, before decimal.Decimal) float64 {
	if before.IsZero() {
		return 0
	}
	f, _ := now.Sub(before).Div(before).Mul(decimal.NewFromInt(100)).Round(1).Float64()
	return f
}

// SummarizeCustomer computes seed 000's customer analytics from issued
// invoices: totals, payment punctuality, credit use, 90-day trends
// against the 90 days before, and the top five products.
func SummarizeCustomer(ctx context.Context, id pulid.ID) (*CustomerSummary, error) {
	c := store.Client(ctx)
	cu, err := c.Customer.Query().Where(customer.ID(id)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("CUSTOMER_NOT_FOUND", fmt.Sprintf("Customer with ID '%s' not found", id))
	}
	if err != nil {
		return nil, err
	}
	invs, err := c.Invoice.Query().Where(invoice.CustomerID(id), invoice.StatusIn(invoice.StatusSent, invoice.StatusPaid)).
		Order(ent.Asc(invoice.FieldInvoiceDate)).WithItems().All(ctx)
	if err != nil {
		return nil, err
	}
	today, err := Today(ctx)
	if err != nil {
		return nil, err
	}
	out := &CustomerSummary{CustomerID: id, TopProducts: []TopProduct{}}
	s := &out.Summary
	s.CurrentBalance = SummaryAmount{cu.CurrentBalance}
	if cu.CreditLimit.IsPositive() {
		s.CreditUtilization, _ = cu.CurrentBalance.Div(cu.CreditLimit).Mul(decimal.NewFromInt(100)).Round(1).Float64()
	}
	var total, recent, prior decimal.Decimal
	var recentN, priorN, paidDays, paidN, recentDays, recentPaid, priorDays, priorPaid int
	type key struct{ item, desc string }
	products := map[key]*TopProduct{}
	var order []key
	for _, inv := range invs {
		total = total.Add(inv.Total)
		age := daysBetween(inv.InvoiceDate, today)
		switch {
		case age < 90:
			recent, recentN = recent.Add(inv.Total), recentN+1
		case age < 180:
			prior, priorN = prior.Add(inv.Total), priorN+1
		}
		if inv.PaymentStatus == invoice.PaymentStatusPaid && inv.LastPaymentDate != nil {
			days := daysBetween(inv.InvoiceDate, *inv.LastPaymentDate)
			paidDays, paidN = paidDays+days, paidN+1
			if inv.LastPaymentDate.Time().After(inv.DueDate.Time()) {
				s.PaymentHistory.LatePayments++
			} else {
				s.PaymentHistory.OnTimePayments++
			}
			switch {
			case age < 90:
				recentDays, recentPaid = recentDays+days, recentPaid+1
			case age < 180:
				priorDays, priorPaid = priorDays+days, priorPaid+1
			}
		}
		for _, it := range inv.Edges.Items {
			k := key{desc: it.Description}
			if it.ItemID != nil {
				k = key{item: string(*it.ItemID)}
			}
			p := products[k]
			if p == nil {
				p = &TopProduct{ItemID: it.ItemID, ItemCode: it.ItemCode, Description: it.Description}
				products[k] = p
				order = append(order, k)
			}
			p.QuantityOrdered.Decimal = p.QuantityOrdered.Add(it.Quantity)
			p.TotalValue.Decimal = p.TotalValue.Add(it.LineTotal)
		}
	}
	s.TotalSales, s.TotalInvoices = SummaryAmount{total}, len(invs)
	if len(invs) > 0 {
		s.AverageOrderValue = SummaryAmount{total.Div(decimal.NewFromInt(int64(len(invs)))).Round(2)}
		last := invs[len(invs)-1].InvoiceDate
		days := daysBetween(last, today)
		s.LastOrderDate, s.DaysSinceLastOrder = &last, &days
	}
	if paidN > 0 {
		s.PaymentHistory.AveragePaymentDays = (paidDays + paidN/2) / paidN
	}
	s.OrderFrequency = "none"
	if n := len(invs); n == 1 {
		s.OrderFrequency = "once"
	} else if n > 1 {
		gap := daysBetween(invs[0].InvoiceDate, invs[n-1].InvoiceDate) / (n - 1)
		switch {
		case gap <= 10:
			s.OrderFrequency = "weekly"
		case gap <= 45:
			s.OrderFrequency = "monthly"
		case gap <= 120:
			s.OrderFrequency = "quarterly"
		default:
			s.OrderFrequency = "occasional"
		}
	}
	out.Trends.SalesGrowth = pct(recent, prior)
	out.Trends.OrderVolumeGrowth = pct(decimal.NewFromInt(int64(recentN)), decimal.NewFromInt(int64(priorN)))
	if recentPaid > 0 && priorPaid > 0 {
		out.Trends.PaymentDaysImprovement = float64(recentDays)/float64(recentPaid) - float64(priorDays)/float64(priorPaid)
	}
	for _, k := range order {
		out.TopProducts = append(out.TopProducts, *products[k])
	}
	sortTop(out.TopProducts)
	if len(out.TopProducts) > 5 {
		out.TopProducts = out.TopProducts[:5]
	}
	return out, nil
}

func sortTop(p []TopProduct) {
	for i := 1; i < len(p); i++ {
		for j := i; j > 0 && p[j].TotalValue.GreaterThan(p[j-1].TotalValue.Decimal); j-- {
			p[j], p[j-1] = p[j-1], p[j]
		}
	}
}
