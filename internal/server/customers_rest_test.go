package server_test

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

func createCustomerREST(t *testing.T, e *tk.Env, tn tk.Tenant, body map[string]any) map[string]any {
	t.Helper()
	r := e.Do(tn, "POST", "/api/v1/customers", body)
	if r.Status != http.StatusCreated {
		t.Fatalf("create customer: status %d: %s", r.Status, r.Raw)
	}
	return r.Body["data"].(map[string]any)
}

func TestRESTCustomerLifecycle(t *testing.T) {
	e := tk.New(t)
	created := e.Do(e.A, "POST", "/api/v1/customers", map[string]any{
		"name": "New Customer Ltd", "type": "business", "email": "Contact@NewCustomer.com", "phone": "+60123456789",
		"website": "https://newcustomer.com", "taxNumber": "987654321098",
		"address":  map[string]any{"street": "789 Business Ave", "city": "Petaling Jaya", "state": "Selangor", "postalCode": "46000", "country": "MY"},
		"currency": "MYR", "paymentTerms": 30, "creditLimit": 25000.00,
		"tags": []string{"new", "small-business"}, "customFields": map[string]any{"industry": "Manufacturing"},
	})
	if created.Status != 201 {
		t.Fatalf("status %d: %s", created.Status, created.Raw)
	}
	c := created.Body["data"].(map[string]any)
	id := c["id"].(string)
	if _, err := pulid.ParseWithPrefix(id, "cust"); err != nil {
		t.Fatalf("id %q: %v", id, err)
	}
	if c["customerNumber"] != "CUST-0001" || c["email"] != "contact@newcustomer.com" || c["status"] != "active" {
		t.Fatalf("unexpected customer: %s", created.Raw)
	}
	// Money is a JSON number at the currency's scale, produced from the decimal.
	for _, want := range []string{`"creditLimit":25000.00`, `"currentBalance":0.00`, `"totalSales":0.00`} {
		if !strings.Contains(string(created.Raw), want) {
			t.Errorf("response lacks %s: %s", want, created.Raw)
		}
	}
	if created.Body["success"] != true || tk.Str(created.Body, "meta", "requestId") == "" || tk.Str(created.Body, "meta", "timestamp") == "" {
		t.Errorf("envelope incomplete: %s", created.Raw)
	}

	got := e.Do(e.A, "GET", "/api/v1/customers/"+id, nil)
	if got.Status != 200 || tk.Str(got.Body, "data", "address", "city") != "Petaling Jaya" {
		t.Fatalf("get: %d %s", got.Status, got.Raw)
	}

	// PUT is a partial update (seed 000 sends only changed fields).
	upd := e.Do(e.A, "PUT", "/api/v1/customers/"+id, map[string]any{
		"email": "newemail@acme.com", "phone": "+60987654321", "creditLimit": 75000.5, "status": "active", "tags": []string{"enterprise", "priority"},
	})
	if upd.Status != 200 {
		t.Fatalf("update: %d %s", upd.Status, upd.Raw)
	}
	if !strings.Contains(string(upd.Raw), `"creditLimit":75000.50`) || tk.Str(upd.Body, "data", "name") != "New Customer Ltd" ||
		tk.Get(upd.Body, "data", "tags", 1) != "priority" || tk.Str(upd.Body, "data", "taxNumber") != "987654321098" {
		t.Fatalf("update result: %s", upd.Raw)
	}
	// Clearing email is fine while phone remains; clearing both is not.
	if r := e.Do(e.A, "PUT", "/api/v1/customers/"+id, map[string]any{"email": nil}); r.Status != 200 || tk.Get(r.Body, "data", "email") != nil {
		t.Fatalf("clear email: %d %s", r.Status, r.Raw)
	}
	r := e.Do(e.A, "PUT", "/api/v1/customers/"+id, map[string]any{"phone": nil})
	if r.Status != 400 || tk.Str(r.Body, "error", "code") != "INVALID_CUSTOMER_DATA" || tk.Str(r.Body, "error", "details", 0, "field") != "email" {
		t.Fatalf("clearing the last contact method: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(e.A, "GET", "/api/v1/customers/"+id, nil); tk.Str(r.Body, "data", "phone") != "+60987654321" {
		t.Fatalf("refused update changed data: %s", r.Raw)
	}

	del := e.Do(e.A, "DELETE", "/api/v1/customers/"+id, nil)
	if del.Status != 200 {
		t.Fatalf("delete: %d %s", del.Status, del.Raw)
	}
	gone := e.Do(e.A, "GET", "/api/v1/customers/"+id, nil)
	if gone.Status != 404 || tk.Str(gone.Body, "error", "code") != "CUSTOMER_NOT_FOUND" {
		t.Fatalf("after delete: %d %s", gone.Status, gone.Raw)
	}
}

func TestRESTCustomerSeedErrorBodies(t *testing.T) {
	e := tk.New(t)
	// The seed 000 400 example, field for field.
	r := e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "X", "email": "not-an-email", "paymentTerms": 400})
	if r.Status != 400 {
		t.Fatalf("status %d", r.Status)
	}
	if tk.Str(r.Body, "error", "code") != "INVALID_CUSTOMER_DATA" || tk.Str(r.Body, "error", "message") != "Customer validation failed" {
		t.Fatalf("error: %s", r.Raw)
	}
	want := []string{"email:Email format is invalid", "paymentTerms:Payment terms must be between 0 and 365 days"}
	var got []string
	for _, d := range r.Body["error"].(map[string]any)["details"].([]any) {
		m := d.(map[string]any)
		got = append(got, m["field"].(string)+":"+m["message"].(string))
	}
	sort.Strings(got)
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("details %v, want %v", got, want)
	}
	// The seed 000 404 example.
	r = e.Do(e.A, "GET", "/api/v1/customers/cust_invalid", nil)
	if r.Status != 404 || tk.Str(r.Body, "error", "message") != "Customer with ID 'cust_invalid' not found" {
		t.Fatalf("404: %d %s", r.Status, r.Raw)
	}
}

func TestRESTCustomerBadInput(t *testing.T) {
	e := tk.New(t)
	cases := []struct {
		name  string
		body  any
		field string
	}{
		{"missing name", map[string]any{"email": "a@b.co"}, "name"},
		{"blank name", map[string]any{"name": "   ", "email": "a@b.co"}, "name"},
		{"no contact method", map[string]any{"name": "A"}, "email"},
		{"negative credit limit", map[string]any{"name": "A", "email": "a@b.co", "creditLimit": -1}, "creditLimit"},
		{"sub-cent credit limit", map[string]any{"name": "A", "email": "a@b.co", "creditLimit": 10.005}, "creditLimit"},
		{"exponent credit limit", map[string]any{"name": "A", "email": "a@b.co", "creditLimit": "1e400"}, "creditLimit"},
		{"exponent number", map[string]any{"name": "A", "email": "a@b.co", "creditLimit": 1e21}, "creditLimit"},
		{"huge credit limit", map[string]any{"name": "A", "email": "a@b.co", "creditLimit": "123456789012345678"}, "creditLimit"},
		{"payment terms negative", map[string]any{"name": "A", "email": "a@b.co", "paymentTerms": -1}, "paymentTerms"},
		{"payment terms wrong type", map[string]any{"name": "A", "email": "a@b.co", "paymentTerms": "thirty"}, "paymentTerms"},
		{"bad status", map[string]any{"name": "A", "email": "a@b.co", "status": "deleted"}, "status"},
		{"bad type", map[string]any{"name": "A", "email": "a@b.co", "type": "robot"}, "type"},
		{"bad currency", map[string]any{"name": "A", "email": "a@b.co", "currency": "ringgit"}, "currency"},
		{"bad website", map[string]any{"name": "A", "email": "a@b.co", "website": "javascript:alert(1)"}, "website"},
		{"bad phone", map[string]any{"name": "A", "phone": "call me"}, "phone"},
		{"unknown field", map[string]any{"name": "A", "email": "a@b.co", "companyId": "comp_x"}, "companyId"},
		{"latitude out of range", map[string]any{"name": "A", "email": "a@b.co", "latitude": 91}, "latitude"},
		{"unknown group", map[string]any{"name": "A", "email": "a@b.co", "groupId": string(pulid.New("grp"))}, "groupId"},
		{"malformed group", map[string]any{"name": "A", "email": "a@b.co", "groupId": "grp_nope"}, "groupId"},
		{"bad dob", map[string]any{"name": "A", "email": "a@b.co", "dob": "31/12/1990"}, "dob"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(e.A, "POST", "/api/v1/customers", tc.body)
			if r.Status != 400 || tk.Str(r.Body, "error", "code") != "INVALID_CUSTOMER_DATA" {
				t.Fatalf("status %d: %s", r.Status, r.Raw)
			}
			found := false
			for _, d := range tk.Get(r.Body, "error", "details").([]any) {
				if d.(map[string]any)["field"] == tc.field {
					found = true
				}
			}
			if !found {
				t.Fatalf("no detail for %s: %s", tc.field, r.Raw)
			}
		})
	}
	for _, body := range []string{"", "[]", "{", `{"name":"A"} {"name":"B"}`, "null"} {
		r := e.Do(e.A, "POST", "/api/v1/customers", body)
		if r.Status != 400 {
			t.Errorf("body %q: status %d %s", body, r.Status, r.Raw)
		}
	}
	// Nothing above was stored, and no customer number was consumed.
	list := e.Do(e.A, "GET", "/api/v1/customers", nil)
	if n := tk.Get(list.Body, "pagination", "total"); n != float64(0) {
		t.Fatalf("bad input stored customers: total %v", n)
	}
	if c := createCustomerREST(t, e, e.A, map[string]any{"name": "First", "email": "f@x.co"}); c["customerNumber"] != "CUST-0001" {
		t.Fatalf("refused creations consumed numbers: got %v", c["customerNumber"])
	}
	// An oversized body is refused, not read.
	big := `{"name":"` + strings.Repeat("x", 2<<20) + `"}`
	if r := e.Do(e.A, "POST", "/api/v1/customers", big); r.Status != 413 || tk.Str(r.Body, "error", "code") != "PAYLOAD_TOO_LARGE" {
		t.Fatalf("oversized body: %d %s", r.Status, r.Raw)
	}
}

func TestRESTCustomerListFiltersSortAndPagination(t *testing.T) {
	e := tk.New(t)
	mk := func(name, email, status, typ, currency, limit string, tags ...string) string {
		c := createCustomerREST(t, e, e.A, map[string]any{"name": name, "email": email, "status": status, "type": typ,
			"currency": currency, "creditLimit": limit, "tags": tags})
		return c["id"].(string)
	}
	acme := mk("Acme Corporation", "billing@acme.com", "active", "business", "MYR", "50000", "enterprise", "retail")
	beta := mk("Beta Trading", "ops@beta.my", "inactive", "business", "USD", "1000", "retail")
	cara := mk("Cara Lim", "cara@lim.me", "active", "individual", "MYR", "0")
	dyna := mk("Dyna Acme Works", "hello@dyna.io", "blocked", "business", "MYR", "25000.50", "enterprise")
	// Balances and sales are derived (the ledger moves them); set them the
	// way a posting would, to exercise the balance filters and sorts.
	sys := e.SystemCtx()
	for id, bal := range map[string]string{acme: "12500", beta: "0", cara: "300.25", dyna: "-50"} {
		if err := e.Client.Customer.UpdateOneID(pulid.ID(id)).SetCurrentBalance(decimal.RequireFromString(bal)).
			SetTotalSales(decimal.RequireFromString(bal).Abs().Mul(decimal.NewFromInt(10))).Exec(sys); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(r tk.Response) []string {
		var out []string
		for _, d := range r.Body["data"].([]any) {
			out = append(out, d.(map[string]any)["name"].(string))
		}
		return out
	}
	cases := []struct {
		query string
		want  []string
	}{
		{"status=active&sort=name", []string{"Acme Corporation", "Cara Lim"}},
		{"status=active,blocked&sort=name", []string{"Acme Corporation", "Cara Lim", "Dyna Acme Works"}},
		{"type=individual", []string{"Cara Lim"}},
		{"tags=enterprise&sort=name", []string{"Acme Corporation", "Dyna Acme Works"}},
		{"tags=retail,enterprise&sort=name", []string{"Acme Corporation", "Beta Trading", "Dyna Acme Works"}},
		{"currency=USD", []string{"Beta Trading"}},
		{"creditLimitMin=1000&creditLimitMax=25000.50&sort=name", []string{"Beta Trading", "Dyna Acme Works"}},
		{"balanceMin=0.01&sort=currentBalance&order=desc", []string{"Acme Corporation", "Cara Lim"}},
		{"balanceMax=0&sort=name", []string{"Beta Trading", "Dyna Acme Works"}},
		{"search=acme&sort=name", []string{"Acme Corporation", "Dyna Acme Works"}},
		{"search=LIM.ME", []string{"Cara Lim"}},
		{"search=CUST-0002", []string{"Beta Trading"}},
		{"search=100%25", nil},
		{"sort=totalSales&order=desc", []string{"Acme Corporation", "Cara Lim", "Dyna Acme Works", "Beta Trading"}},
		{"sort=name:desc", []string{"Dyna Acme Works", "Cara Lim", "Beta Trading", "Acme Corporation"}},
		{"name[contains]=acme&sort=name", []string{"Acme Corporation", "Dyna Acme Works"}},
		{"name[startswith]=Beta", []string{"Beta Trading"}},
		{"email[endswith]=.io", []string{"Dyna Acme Works"}},
		{"status[in]=inactive,blocked&sort=name", []string{"Beta Trading", "Dyna Acme Works"}},
		{"status[nin]=inactive,blocked&sort=name", []string{"Acme Corporation", "Cara Lim"}},
		{"status[ne]=active&sort=name", []string{"Beta Trading", "Dyna Acme Works"}},
		{"creditLimit[gt]=25000.50", []string{"Acme Corporation"}},
		{"createdAfter=2000-01-01&createdBefore=2000-12-31", nil},
		{"createdAfter=2000-01-01T00:00:00Z&sort=name&status=blocked", []string{"Dyna Acme Works"}},
	}
	for _, tc := range cases {
		r := e.Do(e.A, "GET", "/api/v1/customers?"+tc.query, nil)
		if r.Status != 200 {
			t.Errorf("%s: status %d %s", tc.query, r.Status, r.Raw)
			continue
		}
		if got := ids(r); strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s: got %v want %v", tc.query, got, tc.want)
		}
		if total := tk.Get(r.Body, "pagination", "total"); total != float64(len(tc.want)) {
			t.Errorf("%s: total %v want %d", tc.query, total, len(tc.want))
		}
	}
	for _, bad := range []string{"limit=0", "limit=101", "limit=abc", "cursor=garbage", "status=deleted", "sort=password",
		"order=sideways&sort=name", "creditLimitMin=lots", "createdAfter=yesterday", "bogus=1", "name[regex]=a", "creditLimit[contains]=1"} {
		r := e.Do(e.A, "GET", "/api/v1/customers?"+bad, nil)
		if r.Status != 400 || tk.Str(r.Body, "error", "details", 0, "field") == "" {
			t.Errorf("%s: want 400 naming the parameter, got %d %s", bad, r.Status, r.Raw)
		}
	}

	// Walk every page with limit=1: each customer exactly once, in order.
	var walked []string
	q := url.Values{"limit": {"1"}, "sort": {"name"}}
	for page := 0; page < 10; page++ {
		r := e.Do(e.A, "GET", "/api/v1/customers?"+q.Encode(), nil)
		if r.Status != 200 {
			t.Fatalf("page %d: %s", page, r.Raw)
		}
		walked = append(walked, ids(r)...)
		if tk.Get(r.Body, "pagination", "limit") != float64(1) || tk.Get(r.Body, "pagination", "total") != float64(4) {
			t.Fatalf("pagination block: %s", r.Raw)
		}
		if tk.Get(r.Body, "pagination", "hasMore") != true {
			if tk.Get(r.Body, "pagination", "nextCursor") != nil {
				t.Fatalf("last page has a cursor: %s", r.Raw)
			}
			break
		}
		q.Set("cursor", tk.Str(r.Body, "pagination", "nextCursor"))
	}
	if strings.Join(walked, "|") != "Acme Corporation|Beta Trading|Cara Lim|Dyna Acme Works" {
		t.Fatalf("walked %v", walked)
	}
}

func TestRESTDeleteRefusedWithTransactions(t *testing.T) {
	e := tk.New(t)
	c := createCustomerREST(t, e, e.A, map[string]any{"name": "Busy Ltd", "email": "a@busy.co"})
	id := pulid.ID(c["id"].(string))
	if err := e.Client.Customer.UpdateOneID(id).SetTotalSales(decimal.RequireFromString("10.00")).Exec(e.SystemCtx()); err != nil {
		t.Fatal(err)
	}
	r := e.Do(e.A, "DELETE", "/api/v1/customers/"+string(id), nil)
	if r.Status != 409 || tk.Str(r.Body, "error", "code") != "CUSTOMER_HAS_TRANSACTIONS" {
		t.Fatalf("delete with transactions: %d %s", r.Status, r.Raw)
	}
	if ok, _ := e.Client.Customer.Query().Where(customer.ID(id)).Exist(e.SystemCtx()); !ok {
		t.Fatal("customer deleted despite refusal")
	}
}

func TestRESTContacts(t *testing.T) {
	e := tk.New(t)
	c := createCustomerREST(t, e, e.A, map[string]any{"name": "Acme", "email": "a@acme.com"})
	base := "/api/v1/customers/" + c["id"].(string) + "/contacts"
	r := e.Do(e.A, "POST", base, map[string]any{"name": "Sarah Johnson", "email": "sarah@acme.com", "phone": "+60123456786", "title": "Finance Director", "isPrimary": true})
	if r.Status != 201 || tk.Str(r.Body, "data", "customerId") != c["id"] || tk.Get(r.Body, "data", "isActive") != true {
		t.Fatalf("create contact: %d %s", r.Status, r.Raw)
	}
	// A second primary is refused and names the field.
	r = e.Do(e.A, "POST", base, map[string]any{"name": "John", "isPrimary": true})
	if r.Status != 400 || tk.Str(r.Body, "error", "details", 0, "field") != "isPrimary" {
		t.Fatalf("second primary: %d %s", r.Status, r.Raw)
	}
	for _, bad := range []map[string]any{{"email": "x@y.co"}, {"name": "A", "email": "nope"}, {"name": "A", "isPrimary": "yes"}, {"name": "A", "extra": 1}} {
		if r := e.Do(e.A, "POST", base, bad); r.Status != 400 || tk.Str(r.Body, "error", "code") != "INVALID_CONTACT_DATA" {
			t.Errorf("%v: %d %s", bad, r.Status, r.Raw)
		}
	}
	if r := e.Do(e.A, "POST", base, map[string]any{"name": "John Smith", "mobile": "+60198765432", "department": "Procurement", "notes": "Prefers email"}); r.Status != 201 {
		t.Fatalf("second contact: %s", r.Raw)
	}
	list := e.Do(e.A, "GET", base, nil)
	if list.Status != 200 || len(list.Body["data"].([]any)) != 2 || tk.Str(list.Body, "data", 0, "name") != "Sarah Johnson" {
		t.Fatalf("list contacts: %s", list.Raw)
	}
	// The customer object embeds its contacts, as seed 000 shows.
	got := e.Do(e.A, "GET", "/api/v1/customers/"+c["id"].(string), nil)
	if len(tk.Get(got.Body, "data", "contacts").([]any)) != 2 {
		t.Fatalf("customer contacts: %s", got.Raw)
	}
	missing := "/api/v1/customers/" + string(pulid.New("cust")) + "/contacts"
	if r := e.Do(e.A, "GET", missing, nil); r.Status != 404 || tk.Str(r.Body, "error", "code") != "CUSTOMER_NOT_FOUND" {
		t.Fatalf("contacts of missing customer: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(e.A, "POST", missing, map[string]any{"name": "X"}); r.Status != 404 {
		t.Fatalf("contact for missing customer: %d %s", r.Status, r.Raw)
	}
}

func TestRESTCustomerGroups(t *testing.T) {
	e := tk.New(t)
	r := e.Do(e.A, "POST", "/api/v1/integration/customer-groups", map[string]any{"name": "Wholesale", "price_calculation_type": "percentage", "amount": 7.5})
	if r.Status != 201 || tk.Str(r.Body, "data", "price_calculation_type") != "percentage" || !strings.Contains(string(r.Raw), `"amount":7.5`) {
		t.Fatalf("create group: %d %s", r.Status, r.Raw)
	}
	id := tk.Str(r.Body, "data", "id")
	if !strings.HasPrefix(id, "grp_") || tk.Str(r.Body, "data", "created_by") == "" {
		t.Fatalf("group id/created_by: %s", r.Raw)
	}
	bad := []map[string]any{
		{"price_calculation_type": "percentage"},
		{"name": "X"},
		{"name": "X", "price_calculation_type": "fixed"},
		{"name": "X", "price_calculation_type": "selling_price_group"},
		{"name": "X", "price_calculation_type": "percentage", "amount": 150},
		{"name": "X", "price_calculation_type": "percentage", "amount": "1e3"},
		{"name": "Wholesale", "price_calculation_type": "percentage"},
	}
	for _, b := range bad {
		if r := e.Do(e.A, "POST", "/api/v1/integration/customer-groups", b); r.Status != 422 || tk.Str(r.Body, "error", "details", 0, "field") == "" || len(r.Body["errors"].(map[string]any)) == 0 {
			t.Errorf("%v: %d %s", b, r.Status, r.Raw)
		}
	}
	if r := e.Do(e.A, "POST", "/api/v1/integration/customer-groups", map[string]any{"name": "Partners", "price_calculation_type": "selling_price_group", "selling_price_group_id": "spg-1", "selling_price_group_name": "Partner prices"}); r.Status != 201 {
		t.Fatalf("selling price group: %s", r.Raw)
	}
	r = e.Do(e.A, "PATCH", "/api/v1/integration/customer-groups/"+id, map[string]any{"amount": 10})
	if r.Status != 200 || !strings.Contains(string(r.Raw), `"amount":10`) || tk.Str(r.Body, "data", "name") != "Wholesale" {
		t.Fatalf("patch: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(e.A, "PUT", "/api/v1/integration/customer-groups/"+id, map[string]any{}); r.Status != 422 || tk.Str(r.Body, "message") != "No valid fields to update" {
		t.Fatalf("empty patch: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(e.A, "PATCH", "/api/v1/integration/customer-groups/"+id, map[string]any{"price_calculation_type": "selling_price_group"}); r.Status != 422 {
		t.Fatalf("type change without price group: %d %s", r.Status, r.Raw)
	}
	list := e.Do(e.A, "GET", "/api/v1/integration/customer-groups?q=whole", nil)
	if list.Status != 200 || len(list.Body["data"].([]any)) != 1 {
		t.Fatalf("search groups: %s", list.Raw)
	}
	if r := e.Do(e.A, "GET", "/api/v1/integration/customer-groups?q=w", nil); r.Status != 422 || tk.Str(r.Body, "error", "details", 0, "field") != "q" || tk.Get(r.Body, "errors", "q") == nil {
		t.Fatalf("1-char q: %d %s", r.Status, r.Raw)
	}
	all := e.Do(e.A, "GET", "/api/v1/integration/customer-groups?per_page=1&sort=name", nil)
	if tk.Get(all.Body, "pagination", "total") != float64(2) || tk.Get(all.Body, "pagination", "hasMore") != true || tk.Str(all.Body, "data", 0, "name") != "Partners" {
		t.Fatalf("paged groups: %s", all.Raw)
	}
	// A customer in the group loses the group, not its existence, when the group goes.
	c := createCustomerREST(t, e, e.A, map[string]any{"name": "Member", "email": "m@x.co", "groupId": id})
	if c["groupId"] != id {
		t.Fatalf("customer group: %v", c["groupId"])
	}
	if r := e.Do(e.A, "DELETE", "/api/v1/integration/customer-groups/"+id, nil); r.Status != 200 || tk.Str(r.Body, "data", "id") != id {
		t.Fatalf("delete group: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(e.A, "GET", "/api/v1/customers/"+c["id"].(string), nil); r.Status != 200 || tk.Get(r.Body, "data", "groupId") != nil {
		t.Fatalf("member after group delete: %s", r.Raw)
	}
	if r := e.Do(e.A, "GET", "/api/v1/integration/customer-groups/"+id, nil); r.Status != 404 || tk.Str(r.Body, "error", "code") != "CUSTOMER_GROUP_NOT_FOUND" {
		t.Fatalf("deleted group: %d %s", r.Status, r.Raw)
	}
}

func TestRESTRequestIDAndUnknownRoutes(t *testing.T) {
	e := tk.New(t)
	r := e.Do(e.A, "GET", "/api/v1/customers", nil, "X-Request-ID", "trace-123")
	if r.Header.Get("X-Request-ID") != "trace-123" || tk.Str(r.Body, "meta", "requestId") != "trace-123" {
		t.Fatalf("request id not echoed: %v %s", r.Header, r.Raw)
	}
	r = e.Do(e.A, "GET", "/api/v1/customers", nil)
	if id := r.Header.Get("X-Request-ID"); !strings.HasPrefix(id, "req_") || tk.Str(r.Body, "meta", "requestId") != id {
		t.Fatalf("request id not generated: %q %s", id, r.Raw)
	}
	if r := e.Do(e.A, "GET", "/api/v1/nothing-here", nil); r.Status != 404 || tk.Str(r.Body, "error", "code") != "NOT_FOUND" {
		t.Fatalf("unknown route: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(e.A, "DELETE", "/api/v1/customers", nil); r.Status != 405 || r.Header.Get("Allow") == "" {
		t.Fatalf("wrong method: %d %s", r.Status, r.Raw)
	}
}
