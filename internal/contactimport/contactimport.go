// Package contactimport reads seed 003's contact import sheet (CSV, TXT
// or XLSX in the 27-column template layout) row by row, so a file of any
// length is read in constant memory, and writes the template.
package contactimport

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/crm"
	"github.com/bigledger/bigledger/internal/money"
)

// Columns are the template's columns, in order: the header row's text
// and the name a problem in that column is reported under.
var Columns = []struct{ Header, Name string }{
	{"Contact type (1 = customer, 2 = supplier, 3 = both)", "contact_type"},
	{"Prefix", "prefix"},
	{"First name", "first_name"},
	{"Middle name", "middle_name"},
	{"Last name", "last_name"},
	{"Business name", "business_name"},
	{"Contact ID", "contact_id"},
	{"Tax number", "tax_number"},
	{"Opening balance", "opening_balance"},
	{"Pay term", "pay_term"},
	{"Pay term period (days or months)", "pay_term_period"},
	{"Credit limit", "credit_limit"},
	{"Email", "email"},
	{"Mobile", "mobile"},
	{"Alternate contact number", "alternate_contact_number"},
	{"Landline", "landline"},
	{"City", "city"},
	{"State", "state"},
	{"Country", "country"},
	{"Address line 1", "address_line_1"},
	{"Address line 2", "address_line_2"},
	{"Zip code", "zip_code"},
	{"Date of birth (YYYY-MM-DD)", "dob"},
	{"Custom field 1", "custom_field1"},
	{"Custom field 2", "custom_field2"},
	{"Custom field 3", "custom_field3"},
	{"Custom field 4", "custom_field4"},
}

// Example is the template's sample row.
var Example = []string{"1", "Mr", "Ahmad", "", "Ismail", "Ismail Trading", "CO0001", "TAX-0001", "150.00", "30", "days", "5000",
	"ahmad@example.com", "+60123456789", "", "03-12345678", "Kuala Lumpur", "WP Kuala Lumpur", "Malaysia", "12 Jalan Ampang", "",
	"50450", "1985-04-12", "", "", "", ""}

// MaxBytes is the largest file accepted (seed 003: 15360 KB).
const MaxBytes = 15360 << 10

// Reader yields a sheet's rows after the header: the row number (the
// header is row 1) and its cells; io.EOF at the end.
type Reader interface {
	Next() (row int, cells []string, err error)
	Close() error
}

// Open reads the file by its name's extension: .csv and .txt (comma-,
// semicolon- or tab-separated, a UTF-8 BOM allowed), .xlsx (the first
// sheet). The header row is skipped.
func Open(name string, f io.ReaderAt, size int64) (Reader, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".txt":
		return openCSV(io.NewSectionReader(f, 0, size))
	case ".xlsx":
		return openXLSX(io.NewSectionReader(f, 0, size))
	case ".xls":
		return nil, refuse("Excel 97–2003 (.xls) files cannot be read: save the sheet as .xlsx or .csv")
	}
	return nil, refuse("The contacts_csv file must be a csv, txt or xlsx file")
}

func refuse(msg string) error {
	return apperr.Validation(crm.CodeImportFailed, msg, apperr.Detail{Field: "contacts_csv", Message: msg})
}

type csvReader struct {
	r   *csv.Reader
	row int
}

func openCSV(r io.Reader) (Reader, error) {
	br := bufio.NewReader(r)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	head, _ := br.Peek(4096)
	line, _, _ := bytes.Cut(head, []byte("\n"))
	sep := ','
	for _, c := range []rune{'\t', ';'} {
		if bytes.Count(line, []byte(string(c))) > bytes.Count(line, []byte(string(sep))) {
			sep = c
		}
	}
	cr := csv.NewReader(br)
	cr.Comma = sep
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	out := &csvReader{r: cr}
	if _, _, err := out.Next(); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, refuse("The file is empty")
		}
		return nil, err
	}
	return out, nil
}

func (c *csvReader) Next() (int, []string, error) {
	rec, err := c.r.Read()
	c.row++
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return c.row, nil, apperr.Validation(crm.CodeImportFailed, "The file is not valid CSV",
				apperr.Detail{Field: fmt.Sprintf("rows.%d", pe.Line), Message: pe.Err.Error()})
		}
		return c.row, nil, err
	}
	return c.row, rec, nil
}

func (c *csvReader) Close() error { return nil }

type xlsxReader struct {
	f    *excelize.File
	rows *excelize.Rows
	row  int
}

func openXLSX(r io.Reader) (Reader, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, refuse("The file is not a readable .xlsx workbook")
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		_ = f.Close()
		return nil, refuse("The workbook has no sheet")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		_ = f.Close()
		return nil, refuse("The workbook's first sheet cannot be read")
	}
	out := &xlsxReader{f: f, rows: rows}
	if _, _, err := out.Next(); err != nil {
		_ = out.Close()
		if errors.Is(err, io.EOF) {
			return nil, refuse("The file is empty")
		}
		return nil, err
	}
	return out, nil
}

func (x *xlsxReader) Next() (int, []string, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return x.row, nil, err
		}
		return x.row, nil, io.EOF
	}
	x.row++
	cells, err := x.rows.Columns()
	// A workbook leaves out a row's trailing empty cells.
	for len(cells) < len(Columns) && err == nil {
		cells = append(cells, "")
	}
	return x.row, cells, err
}

func (x *xlsxReader) Close() error {
	_ = x.rows.Close()
	return x.f.Close()
}

// blank reports whether every cell is empty (a trailing empty row).
func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// Rows turns r into crm.ImportParties' row source; blank rows are skipped.
func Rows(r Reader) func() (crm.ImportRow, bool, error) {
	return func() (crm.ImportRow, bool, error) {
		for {
			n, cells, err := r.Next()
			if errors.Is(err, io.EOF) {
				return crm.ImportRow{}, false, nil
			}
			if err != nil {
				return crm.ImportRow{}, false, err
			}
			if blank(cells) {
				continue
			}
			return Parse(n, cells), true, nil
		}
	}
}

var partyTypes = map[string]customer.PartyType{"1": customer.PartyTypeCustomer, "2": customer.PartyTypeSupplier, "3": customer.PartyTypeBoth}

// Parse maps one row of the template onto a contact create.
func Parse(row int, cells []string) crm.ImportRow {
	out := crm.ImportRow{Row: row}
	problem := func(col, format string, args ...any) {
		out.Problems = append(out.Problems, apperr.Detail{Field: col, Message: fmt.Sprintf(format, args...)})
	}
	if len(cells) > len(Columns) {
		// Trailing empty cells past the template are harmless.
		if blank(cells[len(Columns):]) {
			cells = cells[:len(Columns)]
		}
	}
	if len(cells) != len(Columns) {
		problem("columns", "The row has %d columns; the template has %d", len(cells), len(Columns))
		return out
	}
	cell := func(i int) *string {
		if i >= len(cells) {
			return nil
		}
		s := strings.TrimSpace(cells[i])
		if s == "" {
			return nil
		}
		return &s
	}
	pt, ok := partyTypes[strings.TrimSpace(cells[0])]
	if !ok {
		problem("contact_type", "The contact type must be 1 (customer), 2 (supplier) or 3 (both), not %q", cells[0])
	}
	in := ent.CreateCustomerInput{PartyType: &pt, Prefix: cell(1), FirstName: cell(2), MiddleName: cell(3), LastName: cell(4),
		SupplierBusinessName: cell(5), ContactCode: cell(6), TaxNumber: cell(7), Email: cell(12), Mobile: cell(13),
		AlternateNumber: cell(14), Landline: cell(15)}
	var parts []string
	for _, p := range []*string{in.Prefix, in.FirstName, in.MiddleName, in.LastName} {
		if p != nil {
			parts = append(parts, *p)
		}
	}
	in.Name = strings.Join(parts, " ")
	if in.Name == "" && in.SupplierBusinessName != nil {
		in.Name = *in.SupplierBusinessName
	}
	if in.Name == "" {
		problem("first_name", "A first name or a business name is required")
	}
	if v := cell(8); v != nil {
		d, err := money.Parse(*v)
		if err != nil || d.IsNegative() {
			problem("opening_balance", "The opening balance must be a number of at least 0, not %q", *v)
		} else {
			out.OpeningBalance = &d
		}
	}
	var unit *customer.PayTermType
	if v := cell(10); v != nil {
		u := customer.PayTermType(strings.ToLower(*v))
		if customer.PayTermTypeValidator(u) != nil {
			problem("pay_term_period", "The pay term period must be days or months, not %q", *v)
		} else {
			unit = &u
			in.PayTermType = &u
		}
	}
	if v := cell(9); v != nil {
		var n int
		if _, err := fmt.Sscan(*v, &n); err != nil || fmt.Sprint(n) != *v {
			problem("pay_term", "The pay term must be a whole number, not %q", *v)
		} else if days, err := crm.PayTermDays(n, unit); err != nil {
			problem("pay_term", "%s", apperr.From(err).Details[0].Message)
		} else {
			in.PaymentTerms = &days
		}
	}
	if v := cell(11); v != nil {
		d, err := money.Parse(*v)
		if err != nil {
			problem("credit_limit", "The credit limit must be a number, not %q", *v)
		} else {
			in.CreditLimit = &d
		}
	}
	addr := types.Address{City: deref(cell(16)), State: deref(cell(17)), Country: deref(cell(18)), Street: deref(cell(19)),
		Street2: deref(cell(20)), PostalCode: deref(cell(21))}
	if !addr.IsZero() {
		in.Address = &addr
	}
	if v := cell(22); v != nil {
		d, err := types.ParseDate(*v)
		if err != nil {
			problem("dob", "The date of birth must be YYYY-MM-DD, not %q", *v)
		} else {
			in.Dob = &d
		}
	}
	custom := map[string]any{}
	for i := 0; i < 4; i++ {
		if v := cell(23 + i); v != nil {
			custom[fmt.Sprintf("custom_field%d", i+1)] = *v
		}
	}
	if len(custom) > 0 {
		in.CustomFields = custom
	}
	out.In = in
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// WriteTemplate writes the template (header and the example row) as CSV
// (with a UTF-8 BOM) or XLSX.
func WriteTemplate(w io.Writer, format string) error {
	header := make([]string, len(Columns))
	for i, c := range Columns {
		header[i] = c.Header
	}
	if format == "xlsx" {
		f := excelize.NewFile()
		defer f.Close()
		sheet := f.GetSheetName(0)
		for r, row := range [][]string{header, Example} {
			cells := make([]any, len(row))
			for i, v := range row {
				cells[i] = v
			}
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(sheet, cell, &cells); err != nil {
				return err
			}
		}
		return f.Write(w)
	}
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	_ = cw.Write(header)
	_ = cw.Write(Example)
	cw.Flush()
	return cw.Error()
}
