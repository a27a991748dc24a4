package server_test

import (
	"strings"
	"testing"

	"github.com/bigledger/bigledger/ent/schema/pulid"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

// POST /api/v1/invoices takes seed 004's snake_case body as well as seed
// 000's camelCase one (told apart by their keys), answers the seed-000
// invoice either way, and refuses a body mixing the two, naming the key.
func TestCreateInvoiceBothDialects(t *testing.T) {
	e := tk.New(t)
	// Seed 004's example: a USD customer, a product, an 8% tax (the
	// company's tax codes are SST 6, SST10 10 and ZR 0; 8% is added here).
	if _, err := e.DB.Exec(`INSERT INTO tax_codes (id, created_at, updated_at, code, name, rate, active, company_id) VALUES ($1, now(), now(), 'ST8', 'Sales tax 8%', 8, true, $2)`,
		string(pulid.New("tax")), e.A.CompanyID); err != nil {
		t.Fatal(err)
	}
	cust := tk.Str(must(t, e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Acme Corporation", "email": "accounts@acme.com", "currency": "USD"}), 201, "customer"), "id")
	prod := tk.Str(must(t, e.Do(e.A, "POST", "/api/v1/items", map[string]any{"code": "CONS", "name": "Consulting", "unitPrice": 200, "type": "service"}), 201, "item"), "id")
	inv := must(t, e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{
		"customer_id": cust, "invoice_date": "2024-01-15", "due_date": "2024-02-15", "currency": "USD",
		"lines":         []any{map[string]any{"product_id": prod, "description": "Consulting Services", "quantity": 10, "unit_price": 150.00, "tax_rate": 0.08, "discount_percentage": 10}},
		"payment_terms": "net_30", "notes": "Thank you for your business"}), 201, "seed 004 body")
	// 10 × 150 = 1,500 − 10% = 1,350; tax 8% = 108; total 1,458.
	for k, v := range map[string]any{"customerId": cust, "invoiceDate": "2024-01-15", "dueDate": "2024-02-15", "currency": "USD", "subtotal": 1350.0,
		"totalTax": 108.0, "total": 1458.0, "notes": "Thank you for your business", "status": "draft"} {
		if inv[k] != v {
			t.Errorf("seed 004 invoice %s = %v, want %v", k, inv[k], v)
		}
	}
	if tk.Str(inv, "items", 0, "itemId") != prod || tk.Get(inv, "items", 0, "taxRate") != 8.0 || tk.Str(inv, "items", 0, "taxCode") != "ST8" || tk.Get(inv, "items", 0, "discountPercent") != 10.0 {
		t.Fatalf("line: %v", tk.Get(inv, "items", 0))
	}
	// payment_terms without due_date sets the due date.
	net := must(t, e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customer_id": cust, "invoice_date": "2024-01-15", "payment_terms": "net_45",
		"lines": []any{map[string]any{"description": "x", "quantity": 1, "unit_price": 10}}}), 201, "net_45")
	if net["dueDate"] != "2024-02-29" {
		t.Fatalf("net_45 due date: %v", net["dueDate"])
	}
	// Seed 004's SDK example: customerId with lines and unitPrice.
	sdk := must(t, e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": cust, "lines": []any{map[string]any{"description": "Service", "quantity": 1, "unitPrice": 100.00}}}), 201, "SDK body")
	if sdk["total"] != 100.0 {
		t.Fatalf("SDK body: %v", sdk)
	}
	// Mixed dialects, bad seed-004 values: 400 naming the key.
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"customer_id": cust, "invoiceDate": "2024-01-15", "lines": []any{}}, "invoiceDate"},
		{map[string]any{"customer_id": cust, "lines": []any{map[string]any{"description": "x", "quantity": 1, "unitPrice": 1}}}, "lines[0].unitPrice"},
		{map[string]any{"customerId": cust, "items": []any{map[string]any{"description": "x", "quantity": 1, "unit_price": 1}}}, "items[0].unit_price"},
		{map[string]any{"customerId": cust, "items": []any{}, "lines": []any{}}, "lines"},
		{map[string]any{"customer_id": cust, "payment_terms": "whenever", "lines": []any{map[string]any{"description": "x", "quantity": 1, "unit_price": 1}}}, "payment_terms"},
		{map[string]any{"customer_id": cust, "lines": []any{map[string]any{"description": "x", "quantity": 1, "unit_price": 1, "tax_rate": 8}}}, "lines[0].tax_rate"},
		{map[string]any{"customer_id": cust, "lines": []any{map[string]any{"description": "x", "quantity": 1, "unit_price": 1, "tax_rate": 0.07}}}, "lines[0].tax_rate"},
		{map[string]any{"customer_id": cust, "lines": []any{map[string]any{"description": "x", "unit_price": 1}}}, "lines[0].quantity"},
		{map[string]any{"customer_id": cust, "lines": []any{map[string]any{"description": "x", "quantity": 1, "unit_price": -1}}}, "lines[0].unit_price"},
		{map[string]any{"lines": []any{map[string]any{"description": "x", "quantity": 1, "unit_price": 1}}, "due_date": "2024-01-01"}, "customer_id"},
	} {
		r := e.Do(e.A, "POST", "/api/v1/invoices", c.body)
		if r.Status != 400 || tk.Str(r.Body, "error", "details", 0, "field") != c.field {
			t.Errorf("%v: %d %.300s, want 400 on %s", c.body, r.Status, r.Raw, c.field)
		}
	}
	// The body checks of every route hold before the dialect is read: an
	// oversized body is 413, a non-JSON content type 400, in both dialects.
	big := `{"customer_id":"` + cust + `","notes":"` + strings.Repeat("x", 2<<20) + `","lines":[]}`
	if r := e.Do(e.A, "POST", "/api/v1/invoices", big); r.Status != 413 || tk.Str(r.Body, "error", "code") != "PAYLOAD_TOO_LARGE" {
		t.Errorf("oversized body: %d %.300s", r.Status, r.Raw)
	}
	for _, body := range []string{`{"customer_id":"` + cust + `","lines":[]}`, `{"customerId":"` + cust + `","items":[]}`} {
		if r := e.Do(e.A, "POST", "/api/v1/invoices", body, "Content-Type", "text/plain"); r.Status != 400 || !strings.Contains(tk.Str(r.Body, "error", "message"), "Content-Type: application/json") {
			t.Errorf("text/plain %s: %d %.300s", body, r.Status, r.Raw)
		}
	}
	// Another company's customer is not found in either dialect.
	if r := e.Do(e.B, "POST", "/api/v1/invoices", map[string]any{"customer_id": cust, "lines": []any{map[string]any{"description": "x", "quantity": 1, "unit_price": 1}}}); r.Status != 400 ||
		tk.Str(r.Body, "error", "details", 0, "field") != "customer_id" {
		t.Fatalf("B with A's customer: %d %s", r.Status, r.Raw)
	}
}
