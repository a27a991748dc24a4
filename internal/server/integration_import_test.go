package server_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/bigledger/bigledger/internal/contactimport"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

// importRow is a template row with the given cells set (by column name).
func importRow(cells map[string]string) []string {
	row := make([]string, len(contactimport.Columns))
	for i, c := range contactimport.Columns {
		row[i] = cells[c.Name]
	}
	return row
}

func importCSV(rows ...[]string) []byte {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	header := make([]string, len(contactimport.Columns))
	for i, c := range contactimport.Columns {
		header[i] = c.Header
	}
	_ = w.Write(header)
	for _, r := range rows {
		_ = w.Write(r)
	}
	w.Flush()
	return buf.Bytes()
}

func postImport(t testing.TB, e *tk.Env, key, filename string, content []byte) tk.Response {
	t.Helper()
	return e.Upload(tk.Tenant{Key: key}, "POST", contactsPath+"/import", []tk.FormFile{{Field: "contacts_csv", Name: filename, ContentType: "application/octet-stream", Data: content}}, nil)
}

func TestContactImportCSV(t *testing.T) {
	e := tk.New(t)
	file := importCSV(
		importRow(map[string]string{"contact_type": "1", "prefix": "Mr", "first_name": "Ahmad", "last_name": "Ismail", "contact_id": "IMP-1",
			"opening_balance": "150.25", "pay_term": "2", "pay_term_period": "months", "credit_limit": "5000", "email": "Ahmad@Example.com",
			"mobile": "+60123456789", "city": "Kuala Lumpur", "country": "Malaysia", "address_line_1": "12 Jalan Ampang", "dob": "1985-04-12",
			"custom_field1": "VIP", "custom_field4": "four"}),
		importRow(map[string]string{"contact_type": "2", "business_name": "Supplies Sdn Bhd", "tax_number": "TX-9"}),
		importRow(map[string]string{"contact_type": "3", "first_name": "Both Ways"}),
		importRow(nil), // a blank row is skipped
	)
	r := postImport(t, e, e.A.Key, "contacts.csv", file)
	if r.Status != 201 || tk.Get(r.Body, "data", "imported") != float64(3) || tk.Str(r.Body, "message") == "" {
		t.Fatalf("import: %d %s", r.Status, r.Raw)
	}
	list := mustBody(t, e.Do(e.A, "GET", contactsPath+"?kind=customer&q=IMP-1", nil), 200, "imported")
	id := tk.Str(list, "data", 0, "id")
	c := mustBody(t, e.Do(e.A, "GET", contactsPath+"/"+id, nil), 200, "detail")["data"].(map[string]any)
	for k, v := range map[string]any{"name": "Mr Ahmad Ismail", "first_name": "Ahmad", "contact_id": "IMP-1", "email": "ahmad@example.com",
		"balance": 150.25, "pay_term_number": 2.0, "pay_term_type": "months", "credit_limit": 5000.0, "city": "Kuala Lumpur",
		"address_line_1": "12 Jalan Ampang", "dob": "1985-04-12", "custom_field1": "VIP", "custom_field4": "four", "type": "customer"} {
		if fmt.Sprint(c[k]) != fmt.Sprint(v) {
			t.Errorf("%s = %v, want %v", k, c[k], v)
		}
	}
	if r := mustBody(t, e.Do(e.A, "GET", contactsPath+"?kind=supplier", nil), 200, "suppliers"); tk.Get(r, "meta", "total") != float64(2) ||
		tk.Str(r, "data", 1, "name") != "Supplies Sdn Bhd" {
		t.Fatalf("suppliers: %v", r)
	}
	verifyLedger(t, e)
	// B's directory is untouched, and B may use the same codes.
	if r := mustBody(t, e.Do(e.B, "GET", contactsPath+"?kind=customer", nil), 200, "B"); tk.Get(r, "meta", "total") != float64(0) {
		t.Fatalf("B sees A's import: %v", r)
	}
	if r := postImport(t, e, e.B.Key, "b.csv", importCSV(importRow(map[string]string{"contact_type": "1", "first_name": "B", "contact_id": "IMP-1"}))); r.Status != 201 {
		t.Fatalf("B imports the same code: %d %s", r.Status, r.Raw)
	}

	// One bad row: nothing lands, and each problem names its row and column.
	before := companyCustomers(t, e, e.A)
	bad := importCSV(
		importRow(map[string]string{"contact_type": "1", "first_name": "Fine Row"}),
		importRow(map[string]string{"contact_type": "7", "first_name": "Bad Type"}),
		importRow(map[string]string{"contact_type": "1", "first_name": "Bad Email", "email": "nope"}),
		importRow(map[string]string{"contact_type": "1", "first_name": "Taken", "contact_id": "IMP-1"}),
		importRow(map[string]string{"contact_type": "1", "first_name": "Dup A", "contact_id": "DUP"}),
		importRow(map[string]string{"contact_type": "1", "first_name": "Dup B", "contact_id": "DUP"}),
		importRow(map[string]string{"contact_type": "1"}),
		importRow(map[string]string{"contact_type": "1", "first_name": "Bad Money", "opening_balance": "abc", "credit_limit": "1,000"}),
		importRow(map[string]string{"contact_type": "1", "first_name": "Bad Terms", "pay_term": "13", "pay_term_period": "months"}),
		importRow(map[string]string{"contact_type": "1", "first_name": "Bad Date", "dob": "12/04/1985"}),
		[]string{"1", "Short row"},
	)
	r = postImport(t, e, e.A.Key, "bad.csv", bad)
	if r.Status != 422 || tk.Str(r.Body, "error", "code") != "CONTACT_IMPORT_FAILED" {
		t.Fatalf("bad import: %d %s", r.Status, r.Raw)
	}
	for _, want := range []string{"rows.3.contact_type", "rows.4.email", "rows.5.contact_id", "rows.7.contact_id", "rows.8.first_name",
		"rows.9.opening_balance", "rows.9.credit_limit", "rows.10.pay_term", "rows.11.dob", "rows.12.columns"} {
		if tk.Get(r.Body, "errors", want) == nil {
			t.Errorf("no problem reported at %s: %s", want, r.Raw)
		}
	}
	if tk.Get(r.Body, "errors", "rows.2.first_name") != nil || tk.Get(r.Body, "errors", "rows.6.contact_id") != nil {
		t.Errorf("a good row was blamed: %s", r.Raw)
	}
	if after := companyCustomers(t, e, e.A); after != before {
		t.Fatalf("a refused import wrote %d contacts", after-before)
	}
	for _, f := range []struct {
		name    string
		content []byte
	}{
		{"contacts.xls", []byte("binary")}, {"contacts.pdf", []byte("%PDF")}, {"empty.csv", nil},
		{"header-only.csv", importCSV()}, {"broken.xlsx", []byte("PK not a zip")},
	} {
		if r := postImport(t, e, e.A.Key, f.name, f.content); r.Status != 422 || tk.Get(r.Body, "errors", "contacts_csv") == nil {
			t.Errorf("%s: %d %s", f.name, r.Status, r.Raw)
		}
	}
	if r := e.Do(e.A, "POST", contactsPath+"/import", map[string]any{"contacts_csv": "x"}); r.Status != 422 {
		t.Fatalf("JSON body: %d %s", r.Status, r.Raw)
	}
}

// The template downloads as CSV and XLSX, and an XLSX filled in from it
// imports (a tab-separated TXT too).
func TestContactImportTemplateAndXLSX(t *testing.T) {
	e := tk.New(t)
	get := func(path string) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", e.Server.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+e.A.Key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, b
	}
	res, body := get(contactsPath + "/import/template")
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
	if res.StatusCode != 200 || err != nil || len(rows) != 2 || len(rows[0]) != 27 || !strings.Contains(res.Header.Get("Content-Disposition"), ".csv") {
		t.Fatalf("CSV template: %d %v %v", res.StatusCode, rows, err)
	}
	// The template's own example row imports.
	if r := postImport(t, e, e.A.Key, "template.csv", body); r.Status != 201 || tk.Get(r.Body, "data", "imported") != float64(1) {
		t.Fatalf("template example: %d %s", r.Status, r.Raw)
	}
	res, body = get(contactsPath + "/import/template?format=xlsx")
	if res.StatusCode != 200 {
		t.Fatalf("XLSX template: %d %s", res.StatusCode, body)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sheet := f.GetSheetName(0)
	head, _ := f.GetRows(sheet)
	if len(head) != 2 || len(head[0]) != 27 {
		t.Fatalf("XLSX template rows: %v", head)
	}
	for i := 0; i < 3; i++ {
		row := importRow(map[string]string{"contact_type": "1", "first_name": fmt.Sprintf("Sheet %d", i), "contact_id": fmt.Sprintf("X-%d", i)})
		cells := make([]any, len(row))
		for j, v := range row {
			cells[j] = v
		}
		_ = f.SetSheetRow(sheet, fmt.Sprintf("A%d", i+2), &cells)
	}
	var xb bytes.Buffer
	_ = f.Write(&xb)
	if r := postImport(t, e, e.A.Key, "filled.xlsx", xb.Bytes()); r.Status != 201 || tk.Get(r.Body, "data", "imported") != float64(3) {
		t.Fatalf("XLSX import: %d %s", r.Status, r.Raw)
	}
	tsv := strings.Join([]string{strings.Repeat("h\t", 26) + "h", strings.Join(importRow(map[string]string{"contact_type": "2", "business_name": "Tabbed Co"}), "\t")}, "\n")
	if r := postImport(t, e, e.A.Key, "contacts.txt", []byte(tsv)); r.Status != 201 || tk.Get(r.Body, "data", "imported") != float64(1) {
		t.Fatalf("TXT import: %d %s", r.Status, r.Raw)
	}
	if res, _ := get(contactsPath + "/import/template?format=pdf"); res.StatusCode != 422 {
		t.Fatalf("bad template format: %d", res.StatusCode)
	}
}

// BenchmarkContactImport imports 10,000 contacts from one CSV (ten per
// cent with an opening balance) and, in the same run, 10,000 single
// seed-003 creates of 100 (scaled): x_faster is the per-contact time of
// single creates over the import's; rows_per_s the import's rate.
func BenchmarkContactImport(b *testing.B) {
	e := tk.New(b, tk.Options{Plain: true})
	n := 0
	sheet := func(rows int) []byte {
		out := make([][]string, rows)
		for i := range out {
			n++
			cells := map[string]string{"contact_type": "1", "first_name": fmt.Sprintf("Imported %d", n), "contact_id": fmt.Sprintf("B-%d", n),
				"email": fmt.Sprintf("imp%d@example.com", n), "mobile": fmt.Sprintf("01%08d", n), "city": "Ipoh"}
			if i%10 == 0 {
				cells["opening_balance"] = "10.50"
			}
			out[i] = importRow(cells)
		}
		return importCSV(out...)
	}
	var imp, single time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		file := sheet(10000)
		t0 := time.Now()
		if r := postImport(b, e, e.A.Key, "bench.csv", file); r.Status != 201 {
			b.Fatalf("import: %d %s", r.Status, r.Raw[:min(len(r.Raw), 500)])
		}
		imp += time.Since(t0)
		t1 := time.Now()
		for j := 0; j < 100; j++ {
			n++
			if r := e.Do(e.A, "POST", contactsPath, map[string]any{"type": "customer", "name": fmt.Sprintf("Single %d", n), "contact_id": fmt.Sprintf("S-%d", n)}); r.Status != 201 {
				b.Fatalf("single: %d", r.Status)
			}
		}
		single += time.Since(t1) * 100
	}
	b.ReportMetric(float64(single)/float64(imp), "x_faster")
	b.ReportMetric(float64(10000*b.N)/imp.Seconds(), "rows_per_s")
}
