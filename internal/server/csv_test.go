package server_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	tk "github.com/bigledger/bigledger/internal/testkit"
)

func getCSV(t *testing.T, e *tk.Env, path string, accept bool) (*http.Response, [][]string) {
	t.Helper()
	req, _ := http.NewRequest("GET", e.Server.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+e.A.Key)
	if accept {
		req.Header.Set("Accept", "text/csv")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	rows, err := csv.NewReader(res.Body).ReadAll()
	if err != nil && res.StatusCode == 200 {
		t.Fatalf("%s: not RFC 4180 CSV: %v", path, err)
	}
	return res, rows
}

// The v1 lists export as CSV (?format=csv or Accept: text/csv): every row
// matching the filters, in the list's sort order, across pages, with
// quoting for commas, quotes and newlines, and amounts at currency scale.
func TestCSVExport(t *testing.T) {
	e := tk.New(t)
	e.SeedCustomers(e.A, 230, 2, 0)
	e.SeedCustomers(e.B, 3, 0, 0)
	createCustomerREST(t, e, e.A, map[string]any{"name": "Quote \"Q\", Comma & Co\nLtd", "email": "q@x.co", "creditLimit": "1234.5"})
	res, rows := getCSV(t, e, "/api/v1/customers?format=csv&sort=name&order=asc", false)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("status %d, type %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if len(rows) != 1+231 {
		t.Fatalf("%d rows, want a header and 231 customers", len(rows))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, want := range []string{"id", "customerNumber", "name", "email", "creditLimit"} {
		if _, ok := col[want]; !ok {
			t.Fatalf("no %s column in %v", want, rows[0])
		}
	}
	// The same rows, in the same order, as the JSON pages.
	var ids []string
	for cursor := ""; ; {
		r := e.Do(e.A, "GET", "/api/v1/customers?sort=name&order=asc&limit=100"+cursor, nil)
		for _, c := range tk.Get(r.Body, "data").([]any) {
			ids = append(ids, tk.Str(c, "id"))
		}
		next := tk.Str(r.Body, "pagination", "nextCursor")
		if next == "" {
			break
		}
		cursor = "&cursor=" + next
	}
	for i, row := range rows[1:] {
		if row[col["id"]] != ids[i] {
			t.Fatalf("row %d: %s, JSON list has %s", i, row[col["id"]], ids[i])
		}
		if strings.HasPrefix(row[col["name"]], "Quote") && (row[col["name"]] != "Quote \"Q\", Comma & Co\nLtd" || row[col["creditLimit"]] != "1234.50") {
			t.Errorf("quoting or scale: %q %q", row[col["name"]], row[col["creditLimit"]])
		}
	}
	// Filters apply; Accept: text/csv works too; B's customers never appear.
	_, filtered := getCSV(t, e, "/api/v1/customers?search=Quote", true)
	if len(filtered) != 2 {
		t.Fatalf("filtered export: %d rows", len(filtered))
	}
	// Bad input is still a JSON error.
	if res, _ := getCSV(t, e, "/api/v1/customers?format=csv&sort=nonsense", false); res.StatusCode != 400 {
		t.Fatalf("bad sort: %d", res.StatusCode)
	}
	// Every other v1 list exports.
	for _, p := range []string{"/api/v1/invoices", "/api/v1/quotes", "/api/v1/sales-orders", "/api/v1/items", "/api/v1/accounts", "/api/v1/integration/customer-groups", "/api/v1/events"} {
		res, rows := getCSV(t, e, p+"?format=csv", false)
		if res.StatusCode != 200 || len(rows) < 1 {
			t.Errorf("%s: %d, %d rows", p, res.StatusCode, len(rows))
		}
	}
}
