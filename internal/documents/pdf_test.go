package documents

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/testkit/pdftext"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func bigInvoice(n int) Document {
	doc := Document{Title: "INVOICE", Number: "INV-2026-0042", Currency: "MYR",
		Issuer:   Party{Name: "Syarikat Contoh Sdn Bhd", Address: types.Address{Street: "1 Jalan Ampang", City: "Kuala Lumpur", PostalCode: "50450", Country: "MY"}, TaxNumber: "C1234567890"},
		Customer: Party{Name: "Ёлка Trading Ωmega", Address: types.Address{Street: "Невский проспект 28", City: "Санкт-Петербург", Country: "RU"}},
		Meta:     [][2]string{{"Invoice date", "2026-12-01"}, {"Due date", "2026-12-31"}}, GeneratedAt: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	total := decimal.Zero
	for i := range n {
		amt := d("12.50").Mul(decimal.NewFromInt(int64(i + 1)))
		total = total.Add(amt)
		doc.Lines = append(doc.Lines, Line{Code: fmt.Sprintf("SKU-%04d", i+1), Description: fmt.Sprintf("Line %d widget", i+1),
			Quantity: decimal.NewFromInt(int64(i + 1)), UnitPrice: d("12.50"), LineTotal: amt})
	}
	doc.Totals = []Amount{{Label: "Subtotal", Amount: total}, {Label: "Tax", Amount: decimal.Zero}, {Label: "Total", Amount: total, Strong: true}}
	doc.Due = &Amount{Label: "Amount due", Amount: total}
	return doc
}

func TestLongInvoiceBreaksPagesWithHeadersAndTotalsLast(t *testing.T) {
	doc := bigInvoice(500)
	b, err := RenderDocument(doc)
	if err != nil {
		t.Fatal(err)
	}
	pages := pdftext.Pages(t, b)
	if pages < 5 {
		t.Fatalf("500 lines fit on %d pages: no page breaks", pages)
	}
	text := pdftext.Text(t, b)
	sheets := strings.Split(text, "\f")
	headers := 0
	for _, s := range sheets {
		if strings.Contains(s, "Unit price") && strings.Contains(s, "Amount") {
			headers++
		}
	}
	if headers < pages-1 {
		t.Errorf("table header on %d of %d pages", headers, pages)
	}
	// The total of 12.50·(1+…+500) = 1,565,625.00, on the last page only.
	last := ""
	for i := len(sheets) - 1; i >= 0; i-- {
		if strings.TrimSpace(sheets[i]) != "" {
			last = sheets[i]
			break
		}
	}
	if !strings.Contains(last, "1,565,625.00") || !strings.Contains(last, "Amount due") {
		t.Errorf("totals not on the last page:\n%s", last)
	}
	if !strings.Contains(text, fmt.Sprintf("Page %d of %d", pages, pages)) {
		t.Errorf("no 'Page %d of %d' footer", pages, pages)
	}
	for _, want := range []string{"Line 1 widget", "Line 250 widget", "Line 500 widget", "SKU-0500", "6,250.00"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	// Non-Latin names come back as text (embedded Unicode font with a
	// ToUnicode map), not as boxes.
	for _, want := range []string{"Ёлка Trading Ωmega", "Невский проспект 28", "Санкт-Петербург"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
}

func TestSameDocumentRendersSameBytes(t *testing.T) {
	a, err := RenderDocument(bigInvoice(3))
	if err != nil {
		t.Fatal(err)
	}
	b, err := RenderDocument(bigInvoice(3))
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Error("two renders of one document differ")
	}
}

func TestMoneyFormatFollowsCurrencyScale(t *testing.T) {
	for _, c := range []struct{ amt, cur, want string }{
		{"1234567.5", "MYR", "1,234,567.50"}, {"-1234.5", "USD", "-1,234.50"}, {"999", "MYR", "999.00"},
		{"1234.5", "JPY", "1,235"}, {"0", "MYR", "0.00"}, {"1234.5678", "KWD", "1,234.568"},
	} {
		if got := formatMoney(d(c.amt), c.cur); got != c.want {
			t.Errorf("formatMoney(%s, %s) = %s, want %s", c.amt, c.cur, got, c.want)
		}
	}
}

// BenchmarkRenderInvoice reports ms per page for a 500-line invoice, and
// its ratio to a one-page invoice rendered in the same run (the fixed
// cost of a document: fonts, letterhead).
func BenchmarkRenderInvoice(b *testing.B) {
	perPage := func(b *testing.B, lines int) float64 {
		doc := bigInvoice(lines)
		out, err := RenderDocument(doc)
		if err != nil {
			b.Fatal(err)
		}
		pages := pdftext.Pages(b, out)
		start := time.Now()
		const rounds = 5
		for range rounds {
			if _, err := RenderDocument(doc); err != nil {
				b.Fatal(err)
			}
		}
		return float64(time.Since(start).Milliseconds()) / rounds / float64(pages)
	}
	for b.Loop() {
		one := perPage(b, 10)
		many := perPage(b, 500)
		b.ReportMetric(many, "ms/page-500-lines")
		b.ReportMetric(one, "ms/page-1-page")
		if one > 0 {
			b.ReportMetric(many/one, "ratio-per-page")
		}
	}
}
