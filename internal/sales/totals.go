package sales

import (
	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/internal/money"
)

var hundred = decimal.NewFromInt(100)

// LineAmounts are a line's inputs after defaults (item price, tax rate).
type LineAmounts struct {
	Quantity        decimal.Decimal
	UnitPrice       decimal.Decimal
	DiscountPercent decimal.Decimal
	TaxRate         decimal.Decimal
}

// LineResult is the computed money of one line.
type LineResult struct {
	Gross          decimal.Decimal
	DiscountAmount decimal.Decimal
	LineTotal      decimal.Decimal
	TaxAmount      decimal.Decimal
}

// Totals is the computed money of a document.
type Totals struct {
	Subtotal      decimal.Decimal
	TotalDiscount decimal.Decimal
	TotalTax      decimal.Decimal
	ShippingCost  decimal.Decimal
	Total         decimal.Decimal
}

// ComputeLine applies the line math in currency.
func ComputeLine(l LineAmounts, currency string) LineResult {
	gross := money.Round(l.Quantity.Mul(l.UnitPrice), currency)
	discount := money.Round(gross.Mul(l.DiscountPercent).Div(hundred), currency)
	lineTotal := gross.Sub(discount)
	tax := money.Round(lineTotal.Mul(l.TaxRate).Div(hundred), currency)
	return LineResult{Gross: gross, DiscountAmount: discount, LineTotal: lineTotal, TaxAmount: tax}
}

// ComputeTotals sums lines and adds shipping.
func ComputeTotals(lines []LineResult, shipping decimal.Decimal) Totals {
	t := Totals{ShippingCost: shipping}
	for _, l := range lines {
		t.Subtotal = t.Subtotal.Add(l.LineTotal)
		t.TotalDiscount = t.TotalDiscount.Add(l.DiscountAmount)
		t.TotalTax = t.TotalTax.Add(l.TaxAmount)
	}
	t.Total = t.Subtotal.Add(t.TotalTax).Add(shipping)
	return t
}
