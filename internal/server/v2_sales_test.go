package server_test

import (
	"fmt"
	"strings"
	"testing"

	tk "github.com/bigledger/bigledger/internal/testkit"
)

// Seed 002 Invoices: Create Invoice with the document's body (its
// customer id replaced by a real one), issued on creation so it is
// Unpaid and posted; List All Invoices with each documented filter and
// the status moving Unpaid → Partially Paid → Paid as payments arrive.
func TestV2InvoicesSeed002(t *testing.T) {
	e := tk.New(t)
	cust := tk.Str(v2data(t, e.Do(e.A, "POST", "/api/v2/customers", map[string]any{"account": "John Doe", "email": "john@example.com", "phone": "1234567890"}), 201), "id")
	other := tk.Str(v2data(t, e.Do(e.A, "POST", "/api/v2/customers", map[string]any{"account": "Other", "email": "o@example.com"}), 201), "id")
	inv := v2data(t, e.Do(e.A, "POST", "/api/v2/invoices", map[string]any{
		"customer_id": cust, "date": "2024-01-15", "due_date": "2024-02-15",
		"items": []any{map[string]any{"description": "Web Development", "amount": 1500.00, "qty": 1}},
		"notes": "Payment due within 30 days"}), 201)
	want := map[string]any{"customer_id": cust, "amount": 1500.0, "status": "Unpaid", "due_date": "2024-02-15", "date": "2024-01-15",
		"notes": "Payment due within 30 days", "amount_due": 1500.0, "amount_paid": 0.0, "customer_name": "John Doe"}
	for k, v := range want {
		if inv[k] != v {
			t.Errorf("invoice %s = %v, want %v", k, inv[k], v)
		}
	}
	if tk.Str(inv, "invoice_number") != "INV-2024-0001" {
		t.Errorf("number %q", tk.Str(inv, "invoice_number"))
	}
	items := inv["items"].([]any)
	if len(items) != 1 || tk.Str(items[0], "description") != "Web Development" || tk.Get(items[0], "amount") != 1500.0 || tk.Get(items[0], "qty") != 1.0 {
		t.Fatalf("items: %v", items)
	}
	id := tk.Str(inv, "id")
	// Issued: posted to the ledger (v1 sees it sent, the customer owes it).
	if v1 := must(t, e.Do(e.A, "GET", "/api/v1/invoices/"+id, nil), 200, "v1 invoice"); tk.Str(v1, "status") != "sent" {
		t.Fatalf("v1 status %q", tk.Str(v1, "status"))
	}
	if c := v2data(t, e.Do(e.A, "GET", "/api/v2/customers/"+cust, nil), 200); c["balance"] != 1500.0 {
		t.Fatalf("balance after issue: %v", c["balance"])
	}
	// Amount times qty, with a tax rate, and qty's default of 1.
	inv2 := v2data(t, e.Do(e.A, "POST", "/api/v2/invoices", map[string]any{"customer_id": other, "date": "2024-03-10",
		"items": []any{map[string]any{"description": "Hours", "amount": 120.50, "qty": 3, "tax_rate": 6}, map[string]any{"description": "Setup", "amount": 99.99}}}), 201)
	if inv2["subtotal"] != 461.49 || inv2["tax"] != 21.69 || inv2["amount"] != 483.18 {
		t.Fatalf("totals: subtotal %v tax %v amount %v", inv2["subtotal"], inv2["tax"], inv2["amount"])
	}
	// Payments move the v2 status.
	if r := e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/payments", map[string]any{"amount": 500.00, "paymentDate": "2024-01-20", "paymentMethod": "bank_transfer"}); r.Status != 201 {
		t.Fatalf("pay: %d %s", r.Status, r.Raw)
	}
	if g := v2data(t, e.Do(e.A, "GET", "/api/v2/invoices/"+id, nil), 200); g["status"] != "Partially Paid" || g["amount_due"] != 1000.0 {
		t.Fatalf("after part payment: %v %v", g["status"], g["amount_due"])
	}
	listIDs := func(q string) []string {
		t.Helper()
		r := e.Do(e.A, "GET", "/api/v2/invoices"+q, nil)
		if r.Status != 200 {
			t.Fatalf("list %s: %d %s", q, r.Status, r.Raw)
		}
		var ids []string
		for _, x := range r.Body["data"].([]any) {
			ids = append(ids, tk.Str(x, "id"))
		}
		return ids
	}
	id2 := tk.Str(inv2, "id")
	for q, want := range map[string][]string{
		"":                                {id2, id},
		"?status=Partially%20Paid":        {id},
		"?status=Unpaid":                  {id2},
		"?status=Paid":                    nil,
		"?status=Unpaid,Partially%20Paid": {id2, id},
		"?status=partially_paid":          {id},
		"?customer_id=" + cust:            {id},
		"?date_from=2024-02-01":           {id2},
		"?date_to=2024-01-31":             {id},
		"?date_from=2024-01-15&date_to=2024-01-15": {id},
		"?page=2&limit=1":                          {id},
	} {
		got := listIDs(q)
		if len(got) != len(want) {
			t.Fatalf("list %q: %v, want %v", q, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("list %q: %v, want %v", q, got, want)
			}
		}
	}
	if r := e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/payments", map[string]any{"amount": 1000.00, "paymentDate": "2024-01-25", "paymentMethod": "cash"}); r.Status != 201 {
		t.Fatalf("pay rest: %d %s", r.Status, r.Raw)
	}
	if got := listIDs("?status=Paid"); len(got) != 1 || got[0] != id {
		t.Fatalf("paid filter: %v", got)
	}
	r := e.Do(e.A, "GET", "/api/v2/invoices?limit=1", nil)
	if m := r.Body["meta"].(map[string]any); m["total_records"] != 2.0 || m["total_pages"] != 2.0 {
		t.Fatalf("meta: %v", m)
	}

	// Bad input, named by the v2 field.
	v2err(t, e.Do(e.A, "GET", "/api/v2/invoices?status=Lost", nil), 400, "status", "not one of")
	v2err(t, e.Do(e.A, "GET", "/api/v2/invoices?date_from=15-01-2024", nil), 400, "date_from", "YYYY-MM-DD")
	v2err(t, e.Do(e.A, "GET", "/api/v2/invoices?date_from=2024-02-01&date_to=2024-01-01", nil), 400, "date_to", "on or after")
	v2err(t, e.Do(e.A, "GET", "/api/v2/invoices?customer_id=1", nil), 400, "customer_id", "id")
	v2err(t, e.Do(e.A, "GET", "/api/v2/invoices?page=0", nil), 400, "page", "")
	v2err(t, e.Do(e.A, "POST", "/api/v2/invoices", map[string]any{"customer_id": 1, "items": []any{map[string]any{"description": "X", "amount": 1}}}), 400, "customer_id", "")
	v2err(t, e.Do(e.A, "POST", "/api/v2/invoices", map[string]any{"items": []any{map[string]any{"description": "X", "amount": 1}}}), 400, "customer_id", "Required")
	v2err(t, e.Do(e.A, "POST", "/api/v2/invoices", map[string]any{"customer_id": cust}), 400, "items", "At least one")
	v2err(t, e.Do(e.A, "POST", "/api/v2/invoices", map[string]any{"customer_id": cust, "items": []any{map[string]any{"description": "X", "amount": -5}}}), 400, "items[0].amount", "")
	v2err(t, e.Do(e.A, "POST", "/api/v2/invoices", map[string]any{"customer_id": cust, "items": []any{map[string]any{"description": "X", "amount": 5, "qty": 0}}}), 400, "items[0].qty", "")
	v2err(t, e.Do(e.A, "POST", "/api/v2/invoices", map[string]any{"customer_id": cust, "items": []any{map[string]any{"description": "X", "amount": 5, "tax_rate": 7}}}), 400, "items[0].tax_rate", "6, 10")
	v2err(t, e.Do(e.A, "POST", "/api/v2/invoices", map[string]any{"customer_id": cust, "date": "2024-02-01", "due_date": "2024-01-01",
		"items": []any{map[string]any{"description": "X", "amount": 5}}}), 400, "due_date", "")
	v2err(t, e.Do(e.A, "POST", "/api/v2/invoices", map[string]any{"customer_id": cust, "date": "2024-13-01",
		"items": []any{map[string]any{"description": "X", "amount": 5}}}), 400, "date", "")

	// A customer with invoices cannot be deleted; nothing is lost.
	v2err(t, e.Do(e.A, "DELETE", "/api/v2/customers/"+cust, nil), 409, "", "")
	v2data(t, e.Do(e.A, "GET", "/api/v2/customers/"+cust, nil), 200)

	// Another company's customer and invoice are missing ones to B.
	v2err(t, e.Do(e.B, "GET", "/api/v2/invoices/"+id, nil), 404, "", "")
	v2err(t, e.Do(e.B, "POST", "/api/v2/invoices", map[string]any{"customer_id": cust, "items": []any{map[string]any{"description": "X", "amount": 5}}}), 400, "customer_id", "not found")
	if r := e.Do(e.B, "GET", "/api/v2/invoices?customer_id="+cust, nil); r.Status != 200 || len(r.Body["data"].([]any)) != 0 {
		t.Fatalf("B lists A's invoices: %s", r.Raw)
	}
	ro := e.NewTenant("Reader", "invoices:read")
	v2err(t, e.Do(ro, "POST", "/api/v2/invoices", map[string]any{"customer_id": cust}), 403, "", "")
}

// Seed 002 Quotes and Products/Services: the documents' create bodies,
// the lists, and their bad input.
func TestV2QuotesAndProductsSeed002(t *testing.T) {
	e := tk.New(t)
	cust := tk.Str(v2data(t, e.Do(e.A, "POST", "/api/v2/customers", map[string]any{"account": "Quote Me", "email": "q@example.com"}), 201), "id")
	today := todayKL(t)
	valid := plus(today, 30)
	qu := v2data(t, e.Do(e.A, "POST", "/api/v2/quotes", map[string]any{"customer_id": cust, "valid_until": valid,
		"items": []any{map[string]any{"description": "Consulting Services", "amount": 2000.00, "qty": 1}}}), 201)
	if qu["status"] != "Draft" || qu["amount"] != 2000.0 || qu["valid_until"] != valid || qu["customer_id"] != cust || tk.Str(qu, "quote_number") == "" {
		t.Fatalf("quote: %v", qu)
	}
	if g := v2data(t, e.Do(e.A, "GET", "/api/v2/quotes/"+tk.Str(qu, "id"), nil), 200); g["amount"] != 2000.0 {
		t.Fatalf("get quote: %v", g)
	}
	if r := e.Do(e.A, "GET", "/api/v2/quotes", nil); r.Status != 200 || len(r.Body["data"].([]any)) != 1 || tk.Get(r.Body, "meta", "total_records") != 1.0 {
		t.Fatalf("list quotes: %s", r.Raw)
	}
	if r := e.Do(e.A, "GET", "/api/v2/quotes?status=sent", nil); len(r.Body["data"].([]any)) != 0 {
		t.Fatalf("quote status filter: %s", r.Raw)
	}
	v2err(t, e.Do(e.A, "GET", "/api/v2/quotes?status=maybe", nil), 400, "status", "")
	v2err(t, e.Do(e.A, "POST", "/api/v2/quotes", map[string]any{"customer_id": cust, "valid_until": "2000-01-01", "items": []any{map[string]any{"description": "X", "amount": 5}}}), 400, "valid_until", "")
	v2err(t, e.Do(e.A, "POST", "/api/v2/quotes", map[string]any{"customer_id": cust, "items": []any{map[string]any{"amount": 5}}}), 400, "items[0].description", "")
	v2err(t, e.Do(e.B, "GET", "/api/v2/quotes/"+tk.Str(qu, "id"), nil), 404, "", "")

	p := v2data(t, e.Do(e.A, "POST", "/api/v2/products", map[string]any{"name": "Web Hosting", "price": 99.99,
		"description": "Annual web hosting package", "type": "service", "tax_rate": 10}), 201)
	for k, v := range map[string]any{"name": "Web Hosting", "price": 99.99, "description": "Annual web hosting package", "type": "service", "tax_rate": 10.0, "code": "ITEM-0001"} {
		if p[k] != v {
			t.Errorf("product %s = %v, want %v", k, p[k], v)
		}
	}
	// The product on an invoice line takes its name, price and tax.
	inv := v2data(t, e.Do(e.A, "POST", "/api/v2/invoices", map[string]any{"customer_id": cust, "items": []any{map[string]any{"product_id": p["id"], "qty": 2}}}), 201)
	if inv["amount"] != 219.98 || tk.Str(inv["items"].([]any)[0], "description") != "Web Hosting" {
		t.Fatalf("invoice from product: %v", inv)
	}
	v2data(t, e.Do(e.A, "POST", "/api/v2/products", map[string]any{"name": "Widget", "price": 5, "code": "W-1"}), 201)
	if r := e.Do(e.A, "GET", "/api/v2/products?type=service", nil); len(r.Body["data"].([]any)) != 1 {
		t.Fatalf("type filter: %s", r.Raw)
	}
	if r := e.Do(e.A, "GET", "/api/v2/products?search=widg", nil); len(r.Body["data"].([]any)) != 1 || tk.Get(r.Body, "meta", "total_records") != 1.0 {
		t.Fatalf("search: %s", r.Raw)
	}
	v2err(t, e.Do(e.A, "POST", "/api/v2/products", map[string]any{"name": "X", "price": 1, "tax_rate": 12.5}), 400, "tax_rate", "No tax code")
	v2err(t, e.Do(e.A, "POST", "/api/v2/products", map[string]any{"name": "X", "price": -1}), 400, "price", "")
	v2err(t, e.Do(e.A, "POST", "/api/v2/products", map[string]any{"price": 1}), 400, "name", "")
	v2err(t, e.Do(e.A, "POST", "/api/v2/products", map[string]any{"name": "X", "price": 1, "type": "subscription"}), 400, "type", "")
	v2err(t, e.Do(e.A, "POST", "/api/v2/products", map[string]any{"name": "X", "price": "abc"}), 400, "price", "")
	if r := e.Do(e.B, "GET", "/api/v2/products", nil); len(r.Body["data"].([]any)) != 0 {
		t.Fatalf("B sees A's products: %s", r.Raw)
	}
	ro := e.NewTenant("Reader", "items:read")
	v2err(t, e.Do(ro, "POST", "/api/v2/products", map[string]any{"name": "X", "price": 1}), 403, "", "")
}

// Every v2 list costs a fixed number of SQL statements whatever the page
// size (items, customers and entry lines loaded per page, not per row).
func TestV2ListStatementCountIsFixed(t *testing.T) {
	e := tk.New(t)
	e.SeedCustomers(e.A, 30, 0, 0)
	cust := tk.Str(v2data(t, e.Do(e.A, "POST", "/api/v2/customers", map[string]any{"account": "Lists", "email": "l@example.com"}), 201), "id")
	for i := 0; i < 26; i++ {
		items := []any{map[string]any{"description": "A", "amount": 10, "tax_rate": 6}, map[string]any{"description": "B", "amount": 5, "qty": 2}}
		inv := tk.Str(v2data(t, e.Do(e.A, "POST", "/api/v2/invoices", map[string]any{"customer_id": cust, "items": items}), 201), "id")
		if r := e.Do(e.A, "POST", "/api/v1/invoices/"+inv+"/payments", map[string]any{"amount": 5, "paymentMethod": "cash"}); r.Status != 201 {
			t.Fatalf("pay: %d %s", r.Status, r.Raw)
		}
		v2data(t, e.Do(e.A, "POST", "/api/v2/quotes", map[string]any{"customer_id": cust, "items": items}), 201)
		v2data(t, e.Do(e.A, "POST", "/api/v2/products", map[string]any{"name": "P", "price": 1, "tax_rate": 10}), 201)
	}
	for _, path := range []string{"/api/v2/customers", "/api/v2/invoices", "/api/v2/quotes", "/api/v2/products", "/api/v2/transactions"} {
		// The fewer of two runs: a run may also pay for a cache refill (the
		// API key's every 2 s, the company's facts), not the list's cost.
		count := func(n int) []string {
			var best []string
			for range 2 {
				q := e.CaptureQueries(func() {
					r := e.Do(e.A, "GET", fmt.Sprintf("%s?limit=%d", path, n), nil)
					if r.Status != 200 || len(r.Body["data"].([]any)) != n {
						t.Fatalf("%s page of %d: %d %.300s", path, n, r.Status, r.Raw)
					}
				})
				if best == nil || len(q) < len(best) {
					best = q
				}
			}
			return best
		}
		q5, q25 := count(5), count(25)
		c5, c25 := len(q5), len(q25)
		if c5 != c25 || c25 > 9 {
			t.Fatalf("%s: %d statements for 5 rows, %d for 25:\n%s\n--\n%s", path, c5, c25, strings.Join(q5, "\n"), strings.Join(q25, "\n"))
		}
		t.Logf("%s: %d statements per page", path, c25)
	}
}
