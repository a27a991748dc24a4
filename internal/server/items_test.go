package server_test

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/taxcode"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

func TestItemsAndTaxCodes(t *testing.T) {
	e := tk.New(t)
	id := createItemREST(t, e, e.A)
	must(t, e.Do(e.A, "POST", "/api/v1/items", map[string]any{"code": "SVC-001", "name": "Installation Service", "type": "service", "unitPrice": 500}), 201, "service item")
	list := e.Do(e.A, "GET", "/api/v1/items?type=service", nil)
	if tk.Get(list.Body, "pagination", "total") != float64(1) || tk.Str(list.Body, "data", 0, "code") != "SVC-001" {
		t.Fatalf("item filter: %s", list.Raw)
	}
	if r := e.Do(e.A, "GET", "/api/v1/items?search=widget", nil); tk.Get(r.Body, "pagination", "total") != float64(1) {
		t.Fatalf("item search: %s", r.Raw)
	}
	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"code": "WDG-001", "name": "Dup"}, "code"},
		{map[string]any{"code": "X1", "name": "Neg", "unitPrice": -1}, "unitPrice"},
		{map[string]any{"code": "X2", "name": "Sub-cent", "unitPrice": 0.001}, "unitPrice"},
		{map[string]any{"code": "X3", "name": "Type", "type": "gadget"}, "type"},
		{map[string]any{"code": "X4", "name": "Tax", "taxCode": "VAT"}, "taxCode"},
		{map[string]any{"name": "No code"}, "code"},
		{map[string]any{"code": "X5"}, "name"},
	} {
		r := e.Do(e.A, "POST", "/api/v1/items", bad.body)
		if r.Status != 400 || tk.Str(r.Body, "error", "code") != "INVALID_ITEM_DATA" || !strings.Contains(string(r.Raw), `"field":"`+bad.field+`"`) {
			t.Errorf("%v: %d %s", bad.body, r.Status, r.Raw)
		}
	}
	up := e.MustGQL(e.A, `mutation($id: ID!) { updateItem(id: $id, input: {unitPrice: "27.50", active: false}) { unitPrice active } }`, map[string]any{"id": id})
	if tk.Str(up, "updateItem", "unitPrice") != "27.50" {
		t.Fatalf("updateItem: %v", up)
	}
	// An inactive item cannot go on a new document.
	c := createCustomerREST(t, e, e.A, map[string]any{"name": "C", "email": "c@x.co"})
	if r := e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": c["id"], "items": []map[string]any{{"itemId": id, "quantity": 1}}}); r.Status != 400 ||
		tk.Str(r.Body, "error", "details", 0, "field") != "items[0].itemId" {
		t.Fatalf("inactive item: %d %s", r.Status, r.Raw)
	}
}

func TestItemAndTaxCodeCrossTenant(t *testing.T) {
	e := tk.New(t)
	bItem := createItemREST(t, e, e.B)
	missing := string(pulid.New("item"))
	for _, q := range []string{
		`query($id: ID!) { item(id: $id) { id } }`,
		`mutation($id: ID!) { updateItem(id: $id, input: {name: "Hijacked"}) { id } }`,
		`query($id: ID!) { node(id: $id) { id } }`,
	} {
		got, want := e.GQL(e.A, q, map[string]any{"id": bItem}), e.GQL(e.A, q, map[string]any{"id": missing})
		if len(got.Errors) == 0 || len(want.Errors) == 0 || got.Errors[0].Code() != want.Errors[0].Code() ||
			strings.ReplaceAll(got.Errors[0].Message, bItem, "<id>") != strings.ReplaceAll(want.Errors[0].Message, missing, "<id>") {
			t.Errorf("%s: %s vs %s", q, got.Raw, want.Raw)
		}
	}
	if d := e.MustGQL(e.A, `{ items { totalCount } }`, nil); tk.Get(d, "items", "totalCount") != float64(0) {
		t.Errorf("A lists B's items: %v", d)
	}
	c := gqlCreateCustomer(t, e, e.A, map[string]any{"name": "A", "email": "a@a.co"})
	r := e.GQL(e.A, `mutation($in: CreateInvoiceInput!) { createInvoice(input: $in) { id } }`, map[string]any{"in": map[string]any{"customerId": c["id"],
		"items": []map[string]any{{"itemId": bItem, "quantity": "1"}}}})
	if len(r.Errors) == 0 || !strings.Contains(string(r.Raw), `"field":"items[0].itemId"`) {
		t.Errorf("B's item on A's invoice: %s", r.Raw)
	}
	// Tax codes are per company: B changing its SST rate does not touch A's.
	if _, err := e.Client.TaxCode.Update().Where(taxcode.CompanyID(pulid.ID(e.B.CompanyID)), taxcode.Code("SST")).
		SetRate(decimal.NewFromInt(8)).Save(e.SystemCtx()); err != nil {
		t.Fatal(err)
	}
	inv := e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": c["id"], "items": []map[string]any{{"description": "X", "quantity": 1, "unitPrice": 100, "taxCode": "SST"}}})
	if !strings.Contains(string(inv.Raw), `"taxRate":6`) || !strings.Contains(string(inv.Raw), `"totalTax":6.00`) {
		t.Fatalf("A's SST after B's change: %s", inv.Raw)
	}
	if d := e.MustGQL(e.A, `{ taxCodes { totalCount } }`, nil); tk.Get(d, "taxCodes", "totalCount") != float64(3) {
		t.Fatalf("A's tax codes: %v", d)
	}
}
