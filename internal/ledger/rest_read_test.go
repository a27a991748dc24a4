package ledger_test

import (
	"fmt"
	"strings"
	"testing"

	tk "github.com/bigledger/bigledger/internal/testkit"
)

// Seed 004 accounting reads over REST: accounts GET/PATCH/DELETE by id and
// journal entries listed (page/limit with meta{page,limit,total,pages}, or
// cursor) and read one by one; another company's ids are not found.
func TestAccountingREST(t *testing.T) {
	e := tk.New(t)
	// Issue 10: GET /api/v1/accounts?page=2 without any filter answered 500
	// "empty predicate".
	for _, path := range []string{"/api/v1/accounts?page=2", "/v1/accounts?page=1", "/api/v1/accounts?page=1&limit=5"} {
		r := e.Do(e.A, "GET", path, nil)
		if r.Status != 200 || tk.Get(r.Body, "meta", "page") == nil || tk.Get(r.Body, "meta", "pages") == nil || tk.Get(r.Body, "meta", "total") == nil {
			t.Fatalf("%s: %d %s", path, r.Status, r.Raw)
		}
	}
	p2 := e.Do(e.A, "GET", "/api/v1/accounts?page=2&limit=5", nil)
	total := int(tk.Get(p2.Body, "meta", "total").(float64))
	if total < 6 || tk.Get(p2.Body, "meta", "limit") != float64(5) || int(tk.Get(p2.Body, "meta", "pages").(float64)) != (total+4)/5 ||
		len(p2.Body["data"].([]any)) != 5 {
		t.Fatalf("page 2 of the chart: %s", p2.Raw)
	}

	cash := e.Do(e.A, "POST", "/api/v1/accounts", map[string]any{"code": "1001", "name": "Petty Cash", "type": "asset", "opening_balance": 300})
	rent := e.Do(e.A, "POST", "/api/v1/accounts", map[string]any{"code": "6100", "name": "Rent Expense", "type": "expense"})
	spare := e.Do(e.A, "POST", "/api/v1/accounts", map[string]any{"code": "6900", "name": "Unused", "type": "expense"})
	cashID, rentID, spareID := tk.Str(cash.Body, "data", "id"), tk.Str(rent.Body, "data", "id"), tk.Str(spare.Body, "data", "id")

	g := e.Do(e.A, "GET", "/v1/accounts/"+cashID, nil)
	if g.Status != 200 || !strings.Contains(string(g.Raw), `"balance":300.00`) || tk.Str(g.Body, "data", "code") != "1001" {
		t.Fatalf("get account: %d %s", g.Status, g.Raw)
	}
	u := e.Do(e.A, "PATCH", "/api/v1/accounts/"+cashID, map[string]any{"name": "Petty Cash (HQ)", "is_reconcilable": true})
	if u.Status != 200 || tk.Str(u.Body, "data", "name") != "Petty Cash (HQ)" || tk.Get(u.Body, "data", "is_reconcilable") != true ||
		!strings.Contains(string(u.Raw), `"balance":300.00`) {
		t.Fatalf("patch account: %d %s", u.Status, u.Raw)
	}
	for _, bad := range []struct{ body, field string }{
		{`{"type": "liability"}`, "type"},
		{`{"currency": "USD"}`, "currency"},
		{`{"name": null}`, "name"},
		{`{"code": "has space"}`, "code"},
		{`{"code": "6100"}`, "code"},
		{`{"is_active": "yes"}`, "is_active"},
	} {
		r := e.Do(e.A, "PATCH", "/api/v1/accounts/"+cashID, bad.body)
		if r.Status != 400 || tk.Str(r.Body, "error", "code") != "VALIDATION_ERROR" || !strings.Contains(string(r.Raw), `"field":"`+bad.field+`"`) {
			t.Errorf("%s: %d %s", bad.body, r.Status, r.Raw)
		}
	}
	// Two entries; the list is newest first with lines, pages by number.
	for i, d := range []string{"2024-01-15", "2024-02-15", "2024-03-15"} {
		r := e.Do(e.A, "POST", "/api/v1/journal-entries", map[string]any{"date": d, "reference": fmt.Sprintf("RENT-%d", i+1), "description": "Rent",
			"lines": []map[string]any{{"account_id": rentID, "debit": 50}, {"account_id": cashID, "credit": 50}}})
		if r.Status != 201 {
			t.Fatal(r.Status, string(r.Raw))
		}
	}
	l := e.Do(e.A, "GET", "/api/v1/journal-entries?account_id="+rentID+"&page=1&limit=2", nil)
	if l.Status != 200 || tk.Get(l.Body, "meta", "total") != float64(3) || tk.Get(l.Body, "meta", "pages") != float64(2) ||
		tk.Str(l.Body, "data", 0, "reference") != "RENT-3" || tk.Str(l.Body, "data", 0, "lines", 0, "account", "code") != "6100" ||
		!strings.Contains(string(l.Raw), `"debit":50.00`) {
		t.Fatalf("list: %d %s", l.Status, l.Raw)
	}
	ranged := e.Do(e.A, "GET", "/v1/journal-entries?fromDate=2024-02-01&toDate=2024-02-29&source_type=manual", nil)
	if ranged.Status != 200 || len(ranged.Body["data"].([]any)) != 1 || tk.Str(ranged.Body, "data", 0, "date") != "2024-02-15" {
		t.Fatalf("date range: %s", ranged.Raw)
	}
	// Cursor paging walks the same entries.
	seen := 0
	path := "/api/v1/journal-entries?account_id=" + rentID + "&limit=1"
	for path != "" && seen < 10 {
		r := e.Do(e.A, "GET", path, nil)
		seen += len(r.Body["data"].([]any))
		path = ""
		if c := tk.Str(r.Body, "pagination", "nextCursor"); c != "" {
			path = "/api/v1/journal-entries?account_id=" + rentID + "&limit=1&cursor=" + c
		}
	}
	if seen != 3 {
		t.Fatalf("cursor paging saw %d entries", seen)
	}
	first := tk.Str(l.Body, "data", 0, "id")
	one := e.Do(e.A, "GET", "/api/v1/journal-entries/"+first, nil)
	if one.Status != 200 || tk.Str(one.Body, "data", "id") != first || len(one.Body["data"].(map[string]any)["lines"].([]any)) != 2 {
		t.Fatalf("one entry: %d %s", one.Status, one.Raw)
	}
	for _, bad := range []string{"page=0", "page=x", "status=draft", "date[gte]=2024-13-01", "sort=amount", "page=1&cursor=abc"} {
		if r := e.Do(e.A, "GET", "/api/v1/journal-entries?"+bad, nil); r.Status != 400 || tk.Str(r.Body, "error", "code") != "VALIDATION_ERROR" {
			t.Errorf("%s: %d %s", bad, r.Status, r.Raw)
		}
	}
	// A page of entries costs a fixed number of statements.
	n := e.CountQueries(func() { e.Do(e.A, "GET", "/api/v1/journal-entries?page=1&limit=50", nil) })
	if n > 5 {
		t.Errorf("a page of journal entries ran %d statements", n)
	}

	// Delete: the used account is refused, the unused one goes.
	if r := e.Do(e.A, "DELETE", "/api/v1/accounts/"+rentID, nil); r.Status != 422 || tk.Str(r.Body, "error", "code") != "ACCOUNT_IN_USE" {
		t.Fatalf("delete used: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(e.A, "DELETE", "/api/v1/accounts/"+spareID, nil); r.Status != 200 || tk.Get(r.Body, "data", "deleted") != true {
		t.Fatalf("delete unused: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(e.A, "GET", "/api/v1/accounts/"+spareID, nil); r.Status != 404 || tk.Str(r.Body, "error", "code") != "RESOURCE_NOT_FOUND" {
		t.Fatalf("deleted account: %d %s", r.Status, r.Raw)
	}

	// Company B sees none of it and cannot touch it.
	for _, c := range []struct{ method, path string }{
		{"GET", "/api/v1/accounts/" + cashID}, {"PATCH", "/api/v1/accounts/" + cashID}, {"DELETE", "/api/v1/accounts/" + cashID},
		{"GET", "/api/v1/journal-entries/" + first},
	} {
		var body any
		if c.method == "PATCH" {
			body = map[string]any{"name": "Stolen"}
		}
		if r := e.Do(e.B, c.method, c.path, body); r.Status != 404 {
			t.Errorf("B %s %s: %d %s", c.method, c.path, r.Status, r.Raw)
		}
	}
	if r := e.Do(e.B, "GET", "/api/v1/journal-entries?account_id="+rentID, nil); r.Status != 200 || len(r.Body["data"].([]any)) != 0 {
		t.Errorf("B lists A's entries: %s", r.Raw)
	}
	if r := e.Do(e.A, "GET", "/api/v1/accounts/"+cashID, nil); tk.Str(r.Body, "data", "name") != "Petty Cash (HQ)" {
		t.Errorf("B's patch landed: %s", r.Raw)
	}
}
