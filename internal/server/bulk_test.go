package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/bigledger/bigledger/internal/ledger"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

func countCustomers(t *testing.T, e *tk.Env, like string) int {
	t.Helper()
	var n int
	if err := e.DB.QueryRow(`SELECT count(*) FROM customers WHERE name LIKE $1`, like).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Seed 001 bulk customers: the document's create and update bodies, the
// per-item response format, partial success by default, field paths of
// per-item errors, another company's ids refused per item, atomic mode
// rolls everything back, and an Idempotency-Key replays the first answer.
func TestBulkCustomers(t *testing.T) {
	e := tk.New(t)
	existing := must(t, e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Existing", "email": "ex@example.com"}), 201, "customer")
	theirs := must(t, e.Do(e.B, "POST", "/api/v1/customers", map[string]any{"name": "B's customer", "email": "b@example.com"}), 201, "customer")
	body := map[string]any{"operations": []map[string]any{
		{"operation": "create", "data": map[string]any{"name": "Customer 1", "email": "customer1@example.com"}},
		{"operation": "create", "data": map[string]any{"name": "Customer 2", "email": "customer2@example.com"}},
		{"operation": "update", "id": existing["id"], "data": map[string]any{"creditLimit": 15000}},
		{"operation": "create", "data": map[string]any{"name": "Bad email", "email": "not-an-email"}},
		{"operation": "update", "id": theirs["id"], "data": map[string]any{"status": "inactive"}},
		{"operation": "merge", "data": map[string]any{}},
	}}
	r := e.Do(e.A, "POST", "/api/v1/bulk/customers", body, "Idempotency-Key", "bulk-1")
	if r.Status != 200 || r.Body["success"] != true {
		t.Fatalf("%d %s", r.Status, r.Raw)
	}
	d := r.Body["data"].(map[string]any)
	if d["processed"] != float64(6) || d["successful"] != float64(3) || d["failed"] != float64(3) {
		t.Fatalf("counts: %s", r.Raw)
	}
	res := d["results"].([]any)
	if tk.Get(res, 0, "index") != float64(0) || tk.Get(res, 0, "success") != true || tk.Str(res, 0, "data", "name") != "Customer 1" ||
		!strings.HasPrefix(tk.Str(res, 0, "data", "id"), "cust_") {
		t.Errorf("created: %v", res[0])
	}
	if tk.Get(res, 2, "success") != true || tk.Get(res, 2, "data", "creditLimit") != float64(15000) {
		t.Errorf("updated: %v", res[2])
	}
	if tk.Get(res, 3, "success") != false || tk.Str(res, 3, "error", "code") != "INVALID_CUSTOMER_DATA" ||
		tk.Str(res, 3, "error", "details", 0, "field") != "operations[3].data.email" {
		t.Errorf("bad email: %v", res[3])
	}
	if tk.Str(res, 4, "error", "code") != "CUSTOMER_NOT_FOUND" {
		t.Errorf("another company's id: %v", res[4])
	}
	if tk.Str(res, 5, "error", "details", 0, "field") != "operations[5].operation" {
		t.Errorf("unknown operation: %v", res[5])
	}
	if countCustomers(t, e, "Customer %") != 2 || countCustomers(t, e, "Bad email") != 0 {
		t.Fatal("partial batch stored the wrong rows")
	}
	if b := e.Do(e.B, "GET", "/api/v1/customers/"+theirs["id"].(string), nil); tk.Str(b.Body, "data", "status") != "active" {
		t.Fatalf("B's customer changed: %s", b.Raw)
	}
	// Replay: the same answer, nothing created again; another body under
	// the key is refused.
	again := e.Do(e.A, "POST", "/api/v1/bulk/customers", body, "Idempotency-Key", "bulk-1")
	if again.Status != 200 || tk.Str(again.Body, "data", "results", 0, "data", "id") != tk.Str(res, 0, "data", "id") || countCustomers(t, e, "Customer %") != 2 {
		t.Fatalf("replay: %d %s", again.Status, again.Raw)
	}
	if r := e.Do(e.A, "POST", "/api/v1/bulk/customers", map[string]any{"operations": []map[string]any{{"operation": "create", "data": map[string]any{"name": "X", "email": "x@example.com"}}}},
		"Idempotency-Key", "bulk-1"); r.Status != 422 || tk.Str(r.Body, "error", "code") != "IDEMPOTENCY_KEY_REUSED" {
		t.Fatalf("key reused: %d %s", r.Status, r.Raw)
	}
	// Atomic: one failure rolls back every operation.
	atomic := map[string]any{"operations": []map[string]any{
		{"operation": "create", "data": map[string]any{"name": "Atomic 1", "email": "a1@example.com"}},
		{"operation": "create", "data": map[string]any{"name": "Atomic 2", "email": "bad"}},
	}}
	a := e.Do(e.A, "POST", "/api/v1/bulk/customers?atomic=true", atomic)
	if a.Status != 422 || tk.Str(a.Body, "error", "code") != "BULK_OPERATION_FAILED" || tk.Str(a.Body, "error", "details", 0, "field") != "operations[1].data.email" {
		t.Fatalf("atomic: %d %s", a.Status, a.Raw)
	}
	if countCustomers(t, e, "Atomic %") != 0 {
		t.Fatal("atomic batch left rows behind")
	}
	if ok := e.Do(e.A, "POST", "/v1/bulk/customers?atomic=true", map[string]any{"operations": atomic["operations"].([]map[string]any)[:1]}); ok.Status != 200 || countCustomers(t, e, "Atomic %") != 1 {
		t.Fatalf("atomic success: %d %s", ok.Status, ok.Raw)
	}
	// Bad batches.
	// All creates: up to 1,000 (the batch path); any other mix: the
	// seed's 100.
	many := make([]map[string]any, 1001)
	for i := range many {
		many[i] = map[string]any{"operation": "create", "data": map[string]any{"name": fmt.Sprintf("Many %d", i), "email": fmt.Sprintf("m%d@example.com", i)}}
	}
	mixed := append(append([]map[string]any{}, many[:100]...), map[string]any{"operation": "delete", "id": "cust_01HZZZZZZZZZZZZZZZZZZZZZZZ"})
	for _, bad := range []struct {
		path  string
		body  any
		field string
	}{
		{"/api/v1/bulk/customers", map[string]any{"operations": many}, "operations"},
		{"/api/v1/bulk/customers", map[string]any{"operations": mixed}, "operations"},
		{"/api/v1/bulk/customers", map[string]any{"operations": []any{map[string]any{"operation": "create", "data": 5}}}, "operations[0].data"},
		{"/api/v1/bulk/customers", map[string]any{"operations": []any{}}, "operations"},
		{"/api/v1/bulk/customers", map[string]any{"ops": []any{}}, "ops"},
		{"/api/v1/bulk/customers?atomic=maybe", map[string]any{"operations": many[:1]}, "atomic"},
	} {
		r := e.Do(e.A, "POST", bad.path, bad.body)
		if r.Status != 400 || tk.Str(r.Body, "error", "details", 0, "field") != bad.field {
			t.Errorf("%s %v: %d %.300s", bad.path, bad.field, r.Status, r.Raw)
		}
	}
	if countCustomers(t, e, "Many %") != 0 {
		t.Fatal("an oversized batch stored rows")
	}
	// Scope: a read-only key cannot bulk write.
	ro := tk.Tenant{CompanyID: e.A.CompanyID, Key: e.NewKeyFor(e.A, "customers:read")}
	if r := e.Do(ro, "POST", "/api/v1/bulk/customers", body); r.Status != 403 {
		t.Fatalf("read-only key: %d", r.Status)
	}
}

// Bulk payments and journal entries post to the ledger per item; a
// failing payment leaves the others paid; concurrent bulk payments on
// different invoices of one company keep the ledger balanced.
func TestBulkPaymentsAndJournalEntries(t *testing.T) {
	e := tk.New(t)
	cust := must(t, e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Payer", "email": "p@example.com"}), 201, "customer")
	var invoices []string
	for i := 0; i < 6; i++ {
		inv := must(t, e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": cust["id"],
			"items": []map[string]any{{"description": "Work", "quantity": 1, "unitPrice": 100.00}}}), 201, "invoice")
		must(t, e.Do(e.A, "POST", "/api/v1/invoices/"+inv["id"].(string)+"/send", map[string]any{"to": []string{"p@example.com"}}), 200, "send")
		invoices = append(invoices, inv["id"].(string))
	}
	pay := func(ids ...string) map[string]any {
		var ops []map[string]any
		for _, id := range ids {
			ops = append(ops, map[string]any{"operation": "create", "data": map[string]any{"invoiceId": id, "amount": 100.00, "paymentMethod": "bank_transfer"}})
		}
		return map[string]any{"operations": ops}
	}
	body := pay(invoices[0], invoices[1])
	body["operations"] = append(body["operations"].([]map[string]any),
		map[string]any{"operation": "create", "data": map[string]any{"invoiceId": invoices[2], "amount": -5, "paymentMethod": "bank_transfer"}},
		map[string]any{"operation": "create", "data": map[string]any{"amount": 5}})
	r := e.Do(e.A, "POST", "/api/v1/bulk/payments", body)
	if r.Status != 200 || tk.Get(r.Body, "data", "successful") != float64(2) || tk.Get(r.Body, "data", "failed") != float64(2) ||
		tk.Str(r.Body, "data", "results", 0, "data", "invoice", "status") != "paid" ||
		tk.Str(r.Body, "data", "results", 2, "error", "details", 0, "field") != "operations[2].data.amount" ||
		tk.Str(r.Body, "data", "results", 3, "error", "details", 0, "field") != "operations[3].data.invoiceId" {
		t.Fatalf("bulk payments: %d %s", r.Status, r.Raw)
	}
	if inv := e.Do(e.A, "GET", "/api/v1/invoices/"+invoices[2], nil); tk.Str(inv.Body, "data", "status") != "sent" {
		t.Fatalf("failed payment touched its invoice: %s", inv.Raw)
	}
	// Company B cannot pay A's invoices in bulk.
	if b := e.Do(e.B, "POST", "/api/v1/bulk/payments", pay(invoices[3])); tk.Str(b.Body, "data", "results", 0, "error", "code") != "INVOICE_NOT_FOUND" {
		t.Fatalf("B pays A's invoice: %s", b.Raw)
	}
	// Two concurrent batches on the remaining invoices.
	var wg sync.WaitGroup
	for _, ids := range [][]string{{invoices[3], invoices[4]}, {invoices[5], invoices[2]}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := e.Do(e.A, "POST", "/api/v1/bulk/payments?atomic=true", pay(ids...)); r.Status != 200 || tk.Get(r.Body, "data", "successful") != float64(2) {
				t.Errorf("concurrent batch: %d %s", r.Status, r.Raw)
			}
		}()
	}
	wg.Wait()
	for _, id := range invoices {
		if inv := e.Do(e.A, "GET", "/api/v1/invoices/"+id, nil); tk.Str(inv.Body, "data", "status") != "paid" {
			t.Errorf("invoice %s: %s", id, inv.Raw)
		}
	}
	// Journal entries.
	accts := e.Do(e.A, "POST", "/api/v1/accounts", map[string]any{"code": "6100", "name": "Rent", "type": "expense"})
	cash := e.Do(e.A, "POST", "/api/v1/accounts", map[string]any{"code": "1001", "name": "Petty", "type": "asset"})
	rent, petty := tk.Str(accts.Body, "data", "id"), tk.Str(cash.Body, "data", "id")
	je := e.Do(e.A, "POST", "/api/v1/bulk/journal-entries", map[string]any{"operations": []map[string]any{
		{"operation": "create", "data": map[string]any{"date": "2024-01-15", "lines": []map[string]any{{"account_id": rent, "debit": 10}, {"account_id": petty, "credit": 10}}}},
		{"operation": "create", "data": map[string]any{"lines": []map[string]any{{"account_id": rent, "debit": 10}, {"account_id": petty, "credit": 9}}}},
	}})
	if je.Status != 200 || tk.Get(je.Body, "data", "successful") != float64(1) || tk.Str(je.Body, "data", "results", 1, "error", "code") != "VALIDATION_ERROR" ||
		!strings.HasPrefix(tk.Str(je.Body, "data", "results", 1, "error", "details", 0, "field"), "operations[1].data.lines") {
		t.Fatalf("bulk journal entries: %s", je.Raw)
	}
	if err := ledger.Verify(e.Ctx(e.A)); err != nil {
		t.Fatal(err)
	}
}

// A bulk of nothing but creates runs as one batch (one block of numbers,
// multi-row INSERTs) with the same per-item answers: decode and
// validation failures at their index with field paths, amounts exact,
// numbers gapless, an Idempotency-Key replaying the first answer.
func TestBulkCustomersCreatesOnly(t *testing.T) {
	e := tk.New(t)
	ops := []map[string]any{
		{"operation": "create", "data": map[string]any{"name": "Only 1", "email": "o1@example.com", "creditLimit": json.Number("123456789012.57")}},
		{"operation": "create", "data": map[string]any{"name": "Only 2", "email": 5}},
		{"operation": "create", "data": map[string]any{"name": "Only 3", "email": "bad"}},
		{"operation": "create", "data": map[string]any{"name": "Only 4", "phone": "+60123456789", "paymentTerms": 30}},
	}
	r := e.Do(e.A, "POST", "/api/v1/bulk/customers", map[string]any{"operations": ops}, "Idempotency-Key", "creates-1")
	d, _ := r.Body["data"].(map[string]any)
	if r.Status != 200 || d["processed"] != 4.0 || d["successful"] != 2.0 || d["failed"] != 2.0 {
		t.Fatalf("%d %s", r.Status, r.Raw)
	}
	res := d["results"].([]any)
	if tk.Get(res, 0, "data", "creditLimit") != 123456789012.57 || !strings.Contains(string(r.Raw), `"creditLimit":123456789012.57`) {
		t.Fatalf("amount not exact: %s", r.Raw)
	}
	if tk.Str(res, 1, "error", "details", 0, "field") != "operations[1].data.email" || tk.Str(res, 2, "error", "details", 0, "field") != "operations[2].data.email" {
		t.Fatalf("failures: %v %v", res[1], res[2])
	}
	if tk.Str(res, 0, "data", "customerNumber") != "CUST-0001" || tk.Str(res, 3, "data", "customerNumber") != "CUST-0002" || tk.Get(res, 3, "data", "paymentTerms") != 30.0 {
		t.Fatalf("created: %v %v", res[0], res[3])
	}
	again := e.Do(e.A, "POST", "/api/v1/bulk/customers", map[string]any{"operations": ops}, "Idempotency-Key", "creates-1")
	if again.Status != 200 || tk.Str(again.Body, "data", "results", 3, "data", "id") != tk.Str(res, 3, "data", "id") || countCustomers(t, e, "Only %") != 2 {
		t.Fatalf("replay: %s", again.Raw)
	}
	// A create of another company's group is refused like a missing one.
	if r := e.Do(e.B, "POST", "/api/v1/bulk/customers", map[string]any{"operations": []map[string]any{{"operation": "create", "data": map[string]any{"name": "Nope", "email": "n@example.com", "groupId": "grp_01HZZZZZZZZZZZZZZZZZZZZZZZ"}}}}); r.Status == 200 && tk.Get(r.Body, "data", "successful") == 1.0 {
		t.Fatalf("unknown group accepted: %s", r.Raw)
	}
}
