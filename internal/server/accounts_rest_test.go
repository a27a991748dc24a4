package server_test

import (
	"strconv"
	"strings"
	"testing"

	tk "github.com/bigledger/bigledger/internal/testkit"
)

// Seed 004's accounts and journal entries over REST (issue 10: GET
// /api/v1/accounts?page=2 once answered 500 "empty predicate"): page and
// limit with meta{page,limit,total,pages}, a page past the end empty, bad
// page and limit 400 naming the parameter; GET, PATCH and DELETE one
// account; journal entries listed and read; another company's ids 404.
func TestAccountsAndJournalEntriesREST(t *testing.T) {
	e := tk.New(t)
	var total int
	if err := e.DB.QueryRow(`SELECT count(*) FROM accounts WHERE company_id = $1`, e.A.CompanyID).Scan(&total); err != nil {
		t.Fatal(err)
	}
	pages := (total + 4) / 5
	seen := map[string]bool{}
	for page := 1; page <= pages+1; page++ {
		for _, base := range []string{"/api/v1", "/v1"} {
			r := e.Do(e.A, "GET", base+"/accounts?limit=5&page="+strconv.Itoa(page), nil)
			want := min(5, max(0, total-(page-1)*5))
			if r.Status != 200 || len(r.Body["data"].([]any)) != want || tk.Get(r.Body, "meta", "page") != float64(page) ||
				tk.Get(r.Body, "meta", "limit") != 5.0 || tk.Get(r.Body, "meta", "total") != float64(total) || tk.Get(r.Body, "meta", "pages") != float64(pages) {
				t.Fatalf("%s page %d: %d %s", base, page, r.Status, r.Raw)
			}
			for _, a := range r.Body["data"].([]any) {
				if base == "/api/v1" {
					if seen[tk.Str(a, "id")] {
						t.Fatalf("account %s on two pages", tk.Str(a, "id"))
					}
					seen[tk.Str(a, "id")] = true
				}
			}
		}
	}
	if len(seen) != total {
		t.Fatalf("pages covered %d of %d accounts", len(seen), total)
	}
	for _, q := range []string{"page=0", "page=x", "page=-1", "limit=0", "limit=101"} {
		if r := e.Do(e.A, "GET", "/api/v1/accounts?"+q, nil); r.Status != 400 || tk.Str(r.Body, "error", "details", 0, "field") != strings.SplitN(q, "=", 2)[0] {
			t.Errorf("?%s: %d %s", q, r.Status, r.Raw)
		}
	}

	// One account: read, rename, deactivate, delete an unused one.
	acc := must(t, e.Do(e.A, "POST", "/api/v1/accounts", map[string]any{"code": "6100", "name": "Rent", "type": "expense"}), 201, "create")
	id := tk.Str(acc, "id")
	if g := must(t, e.Do(e.A, "GET", "/v1/accounts/"+id, nil), 200, "get"); tk.Str(g, "name") != "Rent" || tk.Str(g, "normal_balance") != "debit" {
		t.Fatalf("get: %v", g)
	}
	if p := must(t, e.Do(e.A, "PATCH", "/api/v1/accounts/"+id, map[string]any{"name": "Office rent", "is_active": false}), 200, "patch"); tk.Str(p, "name") != "Office rent" || p["is_active"] != false || tk.Str(p, "code") != "6100" {
		t.Fatalf("patch: %v", p)
	}
	if r := e.Do(e.A, "PATCH", "/api/v1/accounts/"+id, map[string]any{"type": "asset"}); r.Status != 400 || tk.Str(r.Body, "error", "details", 0, "field") != "type" {
		t.Fatalf("type change: %d %s", r.Status, r.Raw)
	}
	// Another company: the same answers as a missing id.
	for _, m := range []string{"GET", "PATCH", "DELETE"} {
		theirs := e.Do(e.B, m, "/api/v1/accounts/"+id, map[string]any{"name": "Mine"})
		missing := e.Do(e.B, m, "/api/v1/accounts/acc_01M97959VC28YPWVFQFHHHB60A", map[string]any{"name": "Mine"})
		if theirs.Status != 404 || missing.Status != 404 || tk.Str(theirs.Body, "error", "code") != tk.Str(missing.Body, "error", "code") {
			t.Fatalf("%s as company B: %d %s / %d %s", m, theirs.Status, theirs.Raw, missing.Status, missing.Raw)
		}
	}
	if r := e.Do(e.A, "DELETE", "/api/v1/accounts/"+id, nil); r.Status != 200 {
		t.Fatalf("delete: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(e.A, "GET", "/api/v1/accounts/"+id, nil); r.Status != 404 {
		t.Fatalf("deleted account: %d", r.Status)
	}
	// A system account in use cannot be deleted.
	if r := e.Do(e.A, "DELETE", "/api/v1/accounts/"+accountIDByCode(t, e, e.A, "1100"), nil); r.Status < 400 || r.Status == 404 || r.Status >= 500 {
		t.Fatalf("delete a system account: %d %s", r.Status, r.Raw)
	}

	// Journal entries: posted, listed by page, read one.
	cash, sales := accountIDByCode(t, e, e.A, "1000"), accountIDByCode(t, e, e.A, "4000")
	var ids []string
	for i := range 3 {
		je := must(t, e.Do(e.A, "POST", "/api/v1/journal-entries", map[string]any{"date": "2024-02-1" + strconv.Itoa(i+1), "description": "Cash sale", "lines": []any{
			map[string]any{"account_id": cash, "debit": 10}, map[string]any{"account_id": sales, "credit": 10}}}), 201, "journal entry")
		ids = append(ids, tk.Str(je, "id"))
	}
	r := e.Do(e.A, "GET", "/api/v1/journal-entries?page=2&limit=2", nil)
	if r.Status != 200 || len(r.Body["data"].([]any)) != 1 || tk.Get(r.Body, "meta", "total") != 3.0 || tk.Get(r.Body, "meta", "pages") != 2.0 {
		t.Fatalf("journal entries page 2: %d %s", r.Status, r.Raw)
	}
	if g := must(t, e.Do(e.A, "GET", "/v1/journal-entries/"+ids[0], nil), 200, "journal entry"); len(g["lines"].([]any)) != 2 {
		t.Fatalf("journal entry: %v", g)
	}
	if r := e.Do(e.B, "GET", "/api/v1/journal-entries/"+ids[0], nil); r.Status != 404 {
		t.Fatalf("B reads A's entry: %d", r.Status)
	}
	if r := e.Do(e.B, "GET", "/api/v1/journal-entries", nil); r.Status != 200 || len(r.Body["data"].([]any)) != 0 {
		t.Fatalf("B lists A's entries: %s", r.Raw)
	}
}
