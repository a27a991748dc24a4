// Package documents renders what a company sends its customers as PDF:
// quotes, invoices (with the payments received and what is still due),
// void notices and customer statements (the receivables ledger of a
// period with opening and closing balance and aging).
//
// The renderer is go-pdf/fpdf (codeberg.org/go-pdf/fpdf v0.12.0): pure Go,
// no browser or C library in the server, UTF-8 TrueType embedding with a
// ToUnicode map (so pdftotext and screen readers get the text back), and
// header/footer hooks for repeated table headers and "page n of m". maroto
// v2 sits on top of the same engine with a grid model we do not need;
// gopdf has no automatic page-break hooks. The fonts are the Go fonts
// (golang.org/x/image/font/gofont), which cover Latin, Greek and Cyrillic
// and are embedded from a module: no font file in the repository.
//
// Every amount printed is one the API computed and stored; the templates
// format, they never add up.
package documents

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // logo formats
	_ "image/png"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/shopspring/decimal"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/money"
)

// Party is the issuer or the customer as printed.
type Party struct {
	Name      string
	Address   types.Address
	TaxNumber string
	Email     string
	Phone     string
}

// Line is one document line as stored.
type Line struct {
	Code            string
	Description     string
	Quantity        decimal.Decimal
	UnitPrice       decimal.Decimal
	DiscountPercent decimal.Decimal
	TaxCode         string
	TaxAmount       decimal.Decimal
	LineTotal       decimal.Decimal
}

// Amount is one labelled total.
type Amount struct {
	Label  string
	Amount decimal.Decimal
	Strong bool
}

// Payment is one payment applied to an invoice.
type Payment struct {
	Date   types.Date
	Number string
	Method string
	Amount decimal.Decimal
}

// Document is a quote, an invoice or a void notice ready to print.
type Document struct {
	// Title is QUOTATION, INVOICE, …; Banner (VOID, PAID, DRAFT) is
	// stamped across the first page.
	Title    string
	Number   string
	Banner   string
	Issuer   Party
	Logo     []byte
	Customer Party
	// Meta is printed beside the customer: date, due date, reference, ….
	Meta     [][2]string
	Currency string
	Lines    []Line
	Totals   []Amount
	Payments []Payment
	// Due is printed last, large (amount due, or the quote's total).
	Due         *Amount
	Notes       string
	Terms       string
	GeneratedAt time.Time
}

// StatementLine is one ledger movement on a statement.
type StatementLine struct {
	Date        types.Date
	Number      string
	Type        string
	Description string
	Debit       decimal.Decimal
	Credit      decimal.Decimal
	Balance     decimal.Decimal
}

// Statement is a customer's account for a period.
type Statement struct {
	Issuer   Party
	Logo     []byte
	Customer Party
	From, To types.Date
	Currency string
	Opening  decimal.Decimal
	Closing  decimal.Decimal
	Lines    []StatementLine
	// Totals of the period (invoiced, paid, discounts, debits, credits).
	Totals []Amount
	// Aging of the closing balance at To, oldest last.
	Aging       []Amount
	GeneratedAt time.Time
}

const (
	pageW, marginL, marginR, marginT, marginB = 210.0, 15.0, 15.0, 15.0, 18.0
	contentW                                  = pageW - marginL - marginR
	family                                    = "Go"
)

type pdf struct {
	*fpdf.Fpdf
	currency string
}

func newPDF(title, number string, at time.Time) *pdf {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetMargins(marginL, marginT, marginR)
	f.SetAutoPageBreak(false, marginB)
	f.SetCatalogSort(true)
	f.AddUTF8FontFromBytes(family, "", goregular.TTF)
	f.AddUTF8FontFromBytes(family, "B", gobold.TTF)
	f.SetTitle(strings.TrimSpace(title+" "+number), true)
	f.SetCreator("BigLedger", true)
	f.SetProducer("BigLedger", true)
	// Fixed dates: the same document renders to the same bytes.
	f.SetCreationDate(at.UTC())
	f.SetModificationDate(at.UTC())
	f.AliasNbPages("{nb}")
	f.SetFooterFunc(func() {
		f.SetY(-12)
		f.SetFont(family, "", 8)
		f.SetTextColor(120, 120, 120)
		f.CellFormat(contentW/2, 5, strings.TrimSpace(title+" "+number), "", 0, "L", false, 0, "")
		f.CellFormat(contentW/2, 5, fmt.Sprintf("Page %d of {nb}", f.PageNo()), "", 0, "R", false, 0, "")
		f.SetTextColor(0, 0, 0)
	})
	return &pdf{Fpdf: f}
}

func (p *pdf) money(d decimal.Decimal) string { return formatMoney(d, p.currency) }

// formatMoney prints d at the currency's scale with thousands separators
// (1,234.50; JPY 1,235).
func formatMoney(d decimal.Decimal, currency string) string {
	s := money.Format(d, currency)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

func addressLines(a types.Address) []string {
	var out []string
	for _, s := range []string{a.Street, a.Street2} {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	city := strings.TrimSpace(strings.Join(nonEmpty(a.PostalCode, a.City), " "))
	if l := strings.Join(nonEmpty(city, a.State), ", "); l != "" {
		out = append(out, l)
	}
	if a.Country != "" {
		out = append(out, a.Country)
	}
	return out
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// letterhead prints the issuer (with its logo) and the document title.
func (p *pdf) letterhead(issuer Party, logo []byte, title, number string) {
	y := p.GetY()
	x := marginL
	if len(logo) > 0 {
		if cfg, kind, err := image.DecodeConfig(bytes.NewReader(logo)); err == nil && cfg.Height > 0 {
			opt := fpdf.ImageOptions{ImageType: kind, ReadDpi: false}
			p.RegisterImageOptionsReader("logo", opt, bytes.NewReader(logo))
			h := 18.0
			w := min(h*float64(cfg.Width)/float64(cfg.Height), 50)
			p.ImageOptions("logo", marginL, y, w, 0, false, opt, 0, "")
			x = marginL + w + 4
		}
	}
	p.SetXY(x, y)
	p.SetFont(family, "B", 13)
	p.CellFormat(110, 6, issuer.Name, "", 2, "L", false, 0, "")
	p.SetFont(family, "", 8.5)
	lines := addressLines(issuer.Address)
	if issuer.TaxNumber != "" {
		lines = append(lines, "Tax no. "+issuer.TaxNumber)
	}
	if c := strings.Join(nonEmpty(issuer.Phone, issuer.Email), " · "); c != "" {
		lines = append(lines, c)
	}
	for _, l := range lines {
		p.SetX(x)
		p.CellFormat(110, 4, l, "", 2, "L", false, 0, "")
	}
	bottom := p.GetY()
	p.SetXY(pageW-marginR-70, y)
	p.SetFont(family, "B", 18)
	p.CellFormat(70, 9, title, "", 2, "R", false, 0, "")
	p.SetX(pageW - marginR - 70)
	p.SetFont(family, "", 11)
	p.CellFormat(70, 6, number, "", 2, "R", false, 0, "")
	p.SetY(max(bottom, p.GetY(), y+18) + 6)
}

// parties prints the customer block on the left and meta pairs on the right.
func (p *pdf) parties(label string, cu Party, meta [][2]string) {
	y := p.GetY()
	p.SetFont(family, "B", 8.5)
	p.SetTextColor(110, 110, 110)
	p.CellFormat(100, 5, label, "", 2, "L", false, 0, "")
	p.SetTextColor(0, 0, 0)
	p.SetFont(family, "B", 10.5)
	p.CellFormat(100, 5.5, cu.Name, "", 2, "L", false, 0, "")
	p.SetFont(family, "", 9)
	lines := addressLines(cu.Address)
	if cu.TaxNumber != "" {
		lines = append(lines, "Tax no. "+cu.TaxNumber)
	}
	if cu.Email != "" {
		lines = append(lines, cu.Email)
	}
	for _, l := range lines {
		p.CellFormat(100, 4.5, l, "", 2, "L", false, 0, "")
	}
	left := p.GetY()
	p.SetY(y)
	for _, m := range meta {
		p.SetX(pageW - marginR - 80)
		p.SetFont(family, "", 9)
		p.SetTextColor(110, 110, 110)
		p.CellFormat(35, 5, m[0], "", 0, "L", false, 0, "")
		p.SetTextColor(0, 0, 0)
		p.SetFont(family, "B", 9)
		p.CellFormat(45, 5, m[1], "", 2, "R", false, 0, "")
	}
	p.SetY(max(left, p.GetY()) + 6)
}

type column struct {
	title string
	w     float64
	align string
}

// table prints rows under a header that repeats on every page; cells of
// the first wrapping column wrap, the others are one line.
func (p *pdf) table(cols []column, rows [][]string, wrap int) {
	header := func() {
		p.SetFont(family, "B", 8.5)
		p.SetFillColor(238, 240, 243)
		for _, c := range cols {
			p.CellFormat(c.w, 7, c.title, "B", 0, c.align, true, 0, "")
		}
		p.Ln(7)
		p.SetFont(family, "", 8.5)
	}
	header()
	const lh = 4.6
	for _, row := range rows {
		lines := [][]string{}
		n := 1
		for i, c := range cols {
			var l []string
			if i == wrap {
				l = p.SplitText(row[i], c.w-2)
			}
			if len(l) == 0 {
				l = []string{row[i]}
			}
			n = max(n, len(l))
			lines = append(lines, l)
		}
		h := float64(n)*lh + 2
		if p.GetY()+h > 297-marginB-4 {
			p.AddPage()
			header()
		}
		y := p.GetY()
		x := marginL
		for i, c := range cols {
			p.SetXY(x, y+1)
			for _, l := range lines[i] {
				p.SetX(x)
				p.CellFormat(c.w, lh, l, "", 2, c.align, false, 0, "")
			}
			x += c.w
		}
		p.SetDrawColor(225, 228, 232)
		p.Line(marginL, y+h, marginL+contentW, y+h)
		p.SetDrawColor(0, 0, 0)
		p.SetY(y + h)
	}
}

// need starts a new page when h millimetres do not fit.
func (p *pdf) need(h float64) {
	if p.GetY()+h > 297-marginB-4 {
		p.AddPage()
	}
}

// totals prints labelled amounts right-aligned.
func (p *pdf) totals(list []Amount) {
	p.Ln(3)
	p.need(float64(len(list))*6 + 2)
	for _, t := range list {
		style := ""
		if t.Strong {
			style = "B"
		}
		p.SetX(pageW - marginR - 95)
		p.SetFont(family, style, 9.5)
		p.CellFormat(60, 6, t.Label, "", 0, "R", false, 0, "")
		p.CellFormat(35, 6, p.money(t.Amount), "", 1, "R", false, 0, "")
	}
}

func (p *pdf) paragraph(title, text string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	p.Ln(3)
	p.need(14)
	p.SetFont(family, "B", 9)
	p.CellFormat(contentW, 5, title, "", 1, "L", false, 0, "")
	p.SetFont(family, "", 9)
	p.MultiCell(contentW, 4.5, text, "", "L", false)
}

func (p *pdf) banner(text string) {
	if text == "" {
		return
	}
	y := p.GetY()
	p.SetFont(family, "B", 11)
	p.SetTextColor(180, 30, 30)
	p.SetDrawColor(180, 30, 30)
	w := p.GetStringWidth(text) + 10
	p.SetXY(pageW-marginR-w, marginT+26)
	p.CellFormat(w, 8, text, "1", 0, "C", false, 0, "")
	p.SetTextColor(0, 0, 0)
	p.SetDrawColor(0, 0, 0)
	p.SetY(y)
}

func (p *pdf) bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("render pdf: %w", err)
	}
	return buf.Bytes(), nil
}

func rate(d decimal.Decimal) string {
	if d.IsZero() {
		return ""
	}
	return d.String() + "%"
}

func qty(d decimal.Decimal) string { return d.String() }

// RenderDocument prints a quote, an invoice or a void notice.
func RenderDocument(d Document) ([]byte, error) {
	p := newPDF(d.Title, d.Number, d.GeneratedAt)
	p.currency = d.Currency
	p.AddPage()
	p.letterhead(d.Issuer, d.Logo, d.Title, d.Number)
	p.banner(d.Banner)
	p.parties("BILL TO", d.Customer, append(d.Meta, [2]string{"Currency", d.Currency}))
	cols := []column{{"#", 8, "L"}, {"Item", 62, "L"}, {"Qty", 16, "R"}, {"Unit price", 24, "R"},
		{"Disc.", 13, "R"}, {"Tax", 22, "R"}, {"Amount", 35, "R"}}
	rows := make([][]string, len(d.Lines))
	for i, l := range d.Lines {
		item := l.Description
		if l.Code != "" {
			item = l.Code + " · " + item
		}
		tax := p.money(l.TaxAmount)
		if l.TaxCode != "" {
			tax = l.TaxCode + " " + tax
		}
		rows[i] = []string{fmt.Sprint(i + 1), item, qty(l.Quantity), p.money(l.UnitPrice), rate(l.DiscountPercent), tax, p.money(l.LineTotal)}
	}
	p.table(cols, rows, 1)
	p.totals(d.Totals)
	if len(d.Payments) > 0 {
		p.Ln(4)
		p.need(20)
		p.SetFont(family, "B", 9)
		p.CellFormat(contentW, 6, "Payments received", "", 1, "L", false, 0, "")
		prow := make([][]string, len(d.Payments))
		for i, pm := range d.Payments {
			prow[i] = []string{pm.Date.String(), pm.Number, strings.ReplaceAll(pm.Method, "_", " "), p.money(pm.Amount)}
		}
		p.table([]column{{"Date", 30, "L"}, {"Payment", 50, "L"}, {"Method", 65, "L"}, {"Amount", 35, "R"}}, prow, -1)
	}
	if d.Due != nil {
		p.Ln(3)
		p.need(12)
		p.SetX(pageW - marginR - 95)
		p.SetFont(family, "B", 12)
		p.SetFillColor(238, 240, 243)
		p.CellFormat(60, 9, d.Due.Label, "", 0, "R", true, 0, "")
		p.CellFormat(35, 9, d.Currency+" "+p.money(d.Due.Amount), "", 1, "R", true, 0, "")
	}
	p.paragraph("Notes", d.Notes)
	p.paragraph("Terms", d.Terms)
	return p.bytes()
}

// RenderStatement prints a customer's statement of account.
func RenderStatement(s Statement) ([]byte, error) {
	number := s.From.String() + " to " + s.To.String()
	p := newPDF("STATEMENT", number, s.GeneratedAt)
	p.currency = s.Currency
	p.AddPage()
	p.letterhead(s.Issuer, s.Logo, "STATEMENT", number)
	p.parties("ACCOUNT OF", s.Customer, [][2]string{{"From", s.From.String()}, {"To", s.To.String()},
		{"Opening balance", p.money(s.Opening)}, {"Closing balance", p.money(s.Closing)}, {"Currency", s.Currency}})
	rows := [][]string{{s.From.String(), "", "Opening balance", "", "", p.money(s.Opening)}}
	for _, l := range s.Lines {
		desc := strings.ReplaceAll(l.Type, "_", " ")
		if l.Description != "" {
			desc += " · " + l.Description
		}
		rows = append(rows, []string{l.Date.String(), l.Number, desc, blankZero(p, l.Debit), blankZero(p, l.Credit), p.money(l.Balance)})
	}
	rows = append(rows, []string{s.To.String(), "", "Closing balance", "", "", p.money(s.Closing)})
	p.table([]column{{"Date", 22, "L"}, {"Number", 30, "L"}, {"Details", 56, "L"}, {"Debit", 24, "R"}, {"Credit", 24, "R"}, {"Balance", 24, "R"}}, rows, 2)
	p.totals(s.Totals)
	if len(s.Aging) > 0 {
		p.Ln(4)
		p.need(22)
		p.SetFont(family, "B", 9)
		p.CellFormat(contentW, 6, "Aging at "+s.To.String(), "", 1, "L", false, 0, "")
		w := contentW / float64(len(s.Aging))
		p.SetFont(family, "", 8.5)
		p.SetFillColor(238, 240, 243)
		for _, a := range s.Aging {
			p.CellFormat(w, 6, a.Label, "B", 0, "C", true, 0, "")
		}
		p.Ln(6)
		p.SetFont(family, "B", 9)
		for _, a := range s.Aging {
			p.CellFormat(w, 7, p.money(a.Amount), "", 0, "C", false, 0, "")
		}
		p.Ln(7)
	}
	p.SetFont(family, "B", 12)
	p.Ln(3)
	p.SetX(pageW - marginR - 95)
	p.SetFillColor(238, 240, 243)
	p.CellFormat(60, 9, "Balance due", "", 0, "R", true, 0, "")
	p.CellFormat(35, 9, s.Currency+" "+p.money(s.Closing), "", 1, "R", true, 0, "")
	return p.bytes()
}

func blankZero(p *pdf, d decimal.Decimal) string {
	if d.IsZero() {
		return ""
	}
	return p.money(d)
}
