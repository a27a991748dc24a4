package sales

import (
	"testing"

	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func eq(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(d(want)) {
		t.Errorf("%s = %s, want %s", what, got.StringFixed(2), want)
	}
}

// The seed 000 sales order / invoice example, to the cent.
func TestSeedInvoiceTotals(t *testing.T) {
	l := ComputeLine(LineAmounts{Quantity: d("100"), UnitPrice: d("25.00"), DiscountPercent: d("5.0"), TaxRate: d("6.0")}, "MYR")
	eq(t, "discountAmount", l.DiscountAmount, "125.00")
	eq(t, "lineTotal", l.LineTotal, "2375.00")
	eq(t, "taxAmount", l.TaxAmount, "142.50")
	tot := ComputeTotals([]LineResult{l}, d("50.00"))
	eq(t, "subtotal", tot.Subtotal, "2375.00")
	eq(t, "totalDiscount", tot.TotalDiscount, "125.00")
	eq(t, "totalTax", tot.TotalTax, "142.50")
	eq(t, "shippingCost", tot.ShippingCost, "50.00")
	eq(t, "total", tot.Total, "2567.50")
}

// The seed 000 quote example, to the cent.
func TestSeedQuoteTotals(t *testing.T) {
	l := ComputeLine(LineAmounts{Quantity: d("1000"), UnitPrice: d("22.50"), DiscountPercent: d("10.0"), TaxRate: d("6.0")}, "MYR")
	tot := ComputeTotals([]LineResult{l}, decimal.Zero)
	eq(t, "subtotal", tot.Subtotal, "20250.00")
	eq(t, "totalDiscount", tot.TotalDiscount, "2250.00")
	eq(t, "totalTax", tot.TotalTax, "1215.00")
	eq(t, "total", tot.Total, "21465.00")
}

// Half-cent boundaries round half away from zero, at every step.
func TestHalfCentBoundaries(t *testing.T) {
	cases := []struct {
		qty, price, disc, rate         string
		discount, lineTotal, taxAmount string
	}{
		// 0.25 × 6% = 0.015 → 0.02
		{"1", "0.25", "0", "6", "0", "0.25", "0.02"},
		// 0.75 × 6% = 0.045 → 0.05
		{"1", "0.75", "0", "6", "0", "0.75", "0.05"},
		// 10.10 × 5% = 0.505 → 0.51 discount; 9.59 × 6% = 0.5754 → 0.58
		{"1", "10.10", "5", "6", "0.51", "9.59", "0.58"},
		// 0.33 × 1.5 = 0.495 → gross 0.50
		{"1.5", "0.33", "0", "0", "0", "0.50", "0"},
		// 0.01 × 50% = 0.005 → 0.01 (not banker's 0.00)
		{"1", "0.01", "50", "0", "0.01", "0", "0"},
		// 100% discount leaves nothing to tax
		{"3", "19.99", "100", "10", "59.97", "0", "0"},
		// 12.5% discount on 9.99: 1.24875 → 1.25
		{"1", "9.99", "12.5", "0", "1.25", "8.74", "0"},
	}
	for _, c := range cases {
		l := ComputeLine(LineAmounts{Quantity: d(c.qty), UnitPrice: d(c.price), DiscountPercent: d(c.disc), TaxRate: d(c.rate)}, "MYR")
		eq(t, c.qty+"×"+c.price+" discount", l.DiscountAmount, c.discount)
		eq(t, c.qty+"×"+c.price+" lineTotal", l.LineTotal, c.lineTotal)
		eq(t, c.qty+"×"+c.price+" tax", l.TaxAmount, c.taxAmount)
	}
}

// A document mixing SST 6%, SST10 10% and ZR 0% lines.
func TestMultiRateAndZeroRateDocument(t *testing.T) {
	lines := []LineResult{
		ComputeLine(LineAmounts{Quantity: d("2"), UnitPrice: d("100.00"), TaxRate: d("6")}, "MYR"),                            // 200.00, tax 12.00
		ComputeLine(LineAmounts{Quantity: d("1"), UnitPrice: d("333.33"), DiscountPercent: d("10"), TaxRate: d("10")}, "MYR"), // 333.33 - 33.33 = 300.00, tax 30.00
		ComputeLine(LineAmounts{Quantity: d("5"), UnitPrice: d("7.77"), TaxRate: d("0")}, "MYR"),                              // 38.85, tax 0
	}
	tot := ComputeTotals(lines, d("15.00"))
	eq(t, "subtotal", tot.Subtotal, "538.85")
	eq(t, "totalDiscount", tot.TotalDiscount, "33.33")
	eq(t, "totalTax", tot.TotalTax, "42.00")
	eq(t, "total", tot.Total, "595.85")
	if !lines[2].TaxAmount.IsZero() {
		t.Errorf("zero-rate line taxed: %s", lines[2].TaxAmount)
	}
}
