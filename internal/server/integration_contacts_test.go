package server_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/bigledger/bigledger/ent/schema/pulid"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

const contactsPath = "/api/v1/integration/contacts"

// contact003 creates a seed-003 contact and answers its data.
func contact003(t *testing.T, e *tk.Env, tn tk.Tenant, body map[string]any) map[string]any {
	t.Helper()
	r := mustBody(t, e.Do(tn, "POST", contactsPath, body), 201, "add contact")
	if tk.Str(r, "message") == "" {
		t.Fatalf("add contact without message: %v", r)
	}
	return r["data"].(map[string]any)
}

// The seed's Add contact fields all land and read back under the seed's
// names; a GET → PUT round trip of the detail changes nothing.
func TestContactDirectoryCreateReadRoundTrip(t *testing.T) {
	e := tk.New(t)
	body := map[string]any{
		"type": "both", "name": "Acme Trading", "supplier_business_name": "Acme Trading Sdn Bhd",
		"prefix": "Mr", "first_name": "Ali", "middle_name": "bin", "last_name": "Abu",
		"email": "ops@acme.test", "mobile": "+60 12-345 6789", "landline": "03-1234 5678", "alternate_number": "011-222 3333",
		"contact_id": "CO-0001", "tax_number": "TAX-001", "contact_type": "business", "contact_status": "active",
		"dob": "1980-02-29", "pay_term_number": 2, "pay_term_type": "months",
		"city": "Kuala Lumpur", "state": "WP", "country": "Malaysia", "address_line_1": "1 Jalan Ampang", "address_line_2": "Level 3",
		"zip_code": "50450", "shipping_address": "Lot 5, Port Klang", "position": "3.139003,101.686855",
		"land_mark": "Near KLCC", "street_name": "Jalan Ampang", "building_number": "1", "additional_number": "A",
		"credit_limit": 5000, "opening_balance": "120.50",
		"shipping_custom_field_details": map[string]any{"dock": "7"},
		"custom_field1":                 "VIP", "custom_field10": "ten",
		"is_export": true, "export_custom_field_1": "HS 8471", "export_custom_field_6": "six",
	}
	c := contact003(t, e, e.A, body)
	id := tk.Str(c, "id")
	want := map[string]any{
		"type": "both", "name": "Acme Trading", "supplier_business_name": "Acme Trading Sdn Bhd", "contact_id": "CO-0001",
		"email": "ops@acme.test", "mobile": "+60 12-345 6789", "landline": "03-1234 5678", "alternate_number": "011-222 3333",
		"city": "Kuala Lumpur", "state": "WP", "country": "Malaysia", "tax_number": "TAX-001", "contact_status": "active",
		"credit_limit": 5000.0, "prefix": "Mr", "first_name": "Ali", "middle_name": "bin", "last_name": "Abu",
		"address_line_1": "1 Jalan Ampang", "address_line_2": "Level 3", "zip_code": "50450", "shipping_address": "Lot 5, Port Klang",
		"balance": 120.5, "opening_balance": 120.5, "pay_term_number": 2.0, "pay_term_type": "months", "dob": "1980-02-29",
		"is_default": false, "custom_field1": "VIP", "custom_field2": nil, "custom_field10": "ten", "is_export": true,
		"export_custom_field_1": "HS 8471", "export_custom_field_6": "six", "contact_type": "business",
		"position": "3.139003,101.686855", "land_mark": "Near KLCC", "street_name": "Jalan Ampang", "building_number": "1",
		"additional_number": "A", "currency": "MYR",
	}
	for k, v := range want {
		if got, ok := c[k]; !ok || fmt.Sprint(got) != fmt.Sprint(v) {
			t.Errorf("%s = %v (present %v), want %v", k, got, ok, v)
		}
	}
	if tk.Str(c, "shipping_custom_field_details", "dock") != "7" || c["created_at"] == nil || c["custom_field_labels"] == nil {
		t.Errorf("details/created_at/labels: %v", c)
	}
	// The opening balance is posted: the contact's ledger shows it.
	ob := mustBody(t, e.Do(e.A, "GET", contactsPath+"/"+id+"/opening-balance", nil), 200, "opening balance")
	if tk.Get(ob, "data", "has_opening_balance") != true {
		t.Fatalf("opening balance not posted: %v", ob)
	}
	// Pay terms in months drive due dates in 30-day months.
	if r := mustBody(t, e.Do(e.A, "GET", "/api/v1/customers/"+id, nil), 200, "seed 000 view"); tk.Get(r, "data", "paymentTerms") != float64(60) || tk.Str(r, "data", "partyType") != "both" {
		t.Fatalf("seed-000 view of the contact: %v", r)
	}

	got := mustBody(t, e.Do(e.A, "GET", contactsPath+"/"+id, nil), 200, "get")["data"].(map[string]any)
	before, _ := json.Marshal(got)
	put := mustBody(t, e.Do(e.A, "PUT", contactsPath+"/"+id, got), 200, "put back")["data"].(map[string]any)
	delete(put, "updated_at")
	delete(got, "updated_at")
	after, _ := json.Marshal(put)
	var b1, a1 map[string]any
	_ = json.Unmarshal(before, &b1)
	_ = json.Unmarshal(after, &a1)
	delete(b1, "updated_at")
	if fmt.Sprint(b1) != fmt.Sprint(a1) {
		t.Fatalf("GET → PUT changed the contact:\n%s\n%s", before, after)
	}
	var postings int
	if err := e.DB.QueryRow(`SELECT count(*) FROM journal_entries WHERE source_id = $1`, id).Scan(&postings); err != nil || postings != 1 {
		t.Fatalf("the round trip reposted the opening balance: %d entries, %v", postings, err)
	}

	// Another company sees none of it, on every route.
	for _, m := range []struct{ method, path string }{{"GET", "/" + id}, {"PATCH", "/" + id}, {"PUT", "/" + id}, {"DELETE", "/" + id}} {
		var b any
		if m.method == "PATCH" || m.method == "PUT" {
			b = map[string]any{"name": "Stolen"}
		}
		r := e.Do(e.B, m.method, contactsPath+m.path, b)
		if r.Status != 404 || tk.Str(r.Body, "message") != "Not found" {
			t.Errorf("B %s %s: %d %s", m.method, m.path, r.Status, r.Raw)
		}
	}
	if r := mustBody(t, e.Do(e.B, "GET", contactsPath+"?kind=customer", nil), 200, "B list"); len(r["data"].([]any)) != 0 {
		t.Fatalf("B lists A's contact: %v", r)
	}
	if r := mustBody(t, e.Do(e.B, "GET", contactsPath+"/validate/mobile?mobile_number=0123456789", nil), 200, "B validate"); tk.Get(r, "data", "is_mobile_exists") != false {
		t.Fatalf("B sees A's mobile: %v", r)
	}
	// A contact with a balance cannot be deleted (it has transactions).
	if r := e.Do(e.A, "DELETE", contactsPath+"/"+id, nil); r.Status != 422 || tk.Str(r.Body, "error", "code") != "CUSTOMER_HAS_TRANSACTIONS" || tk.Str(r.Body, "message") == "" {
		t.Fatalf("delete with transactions: %d %s", r.Status, r.Raw)
	}
}

// PATCH changes only what it names; nulls clear; the seed's update rules.
func TestContactDirectoryUpdateRules(t *testing.T) {
	e := tk.New(t)
	c := contact003(t, e, e.A, map[string]any{"type": "customer", "name": "Only Name"})
	id := tk.Str(c, "id")
	if c["mobile"] != nil || c["contact_id"] == nil || tk.Str(c, "contact_status") != "active" || tk.Str(c, "contact_type") != "business" {
		t.Fatalf("minimal contact: %v", c)
	}
	path := contactsPath + "/" + id
	u := mustBody(t, e.Do(e.A, "PATCH", path, map[string]any{"custom_field2": "two", "city": "Ipoh", "is_export": false, "export_custom_field_1": "ignored"}), 200, "patch")["data"].(map[string]any)
	if u["custom_field2"] != "two" || u["city"] != "Ipoh" || u["name"] != "Only Name" || u["export_custom_field_1"] != nil {
		t.Fatalf("patch: %v", u)
	}
	u = mustBody(t, e.Do(e.A, "PATCH", path, map[string]any{"custom_field2": nil, "city": nil, "mobile": nil, "pay_term_number": 45}), 200, "clear")["data"].(map[string]any)
	if u["custom_field2"] != nil || u["city"] != nil || u["mobile"] != nil || u["pay_term_number"] != float64(45) {
		t.Fatalf("clear: %v", u)
	}
	// An opening balance set later is posted, and changing it reposts.
	mustBody(t, e.Do(e.A, "PATCH", path, map[string]any{"opening_balance": 50}), 200, "opening balance")
	u = mustBody(t, e.Do(e.A, "PATCH", path, map[string]any{"opening_balance": "75.25"}), 200, "opening balance again")["data"].(map[string]any)
	if u["balance"] != 75.25 || u["opening_balance"] != 75.25 {
		t.Fatalf("opening balance: %v", u)
	}
	verifyLedger(t, e)

	other := contact003(t, e, e.A, map[string]any{"type": "supplier", "name": "Supplier Co", "contact_id": "SUP-1", "mobile": "0123456789", "tax_number": "T-9"})
	bad := []struct {
		method string
		body   any
		field  string
	}{
		{"POST", map[string]any{"name": "No type"}, "type"},
		{"POST", map[string]any{"type": "customer"}, "name"},
		{"POST", map[string]any{"type": "vendor", "name": "X"}, "type"},
		{"POST", map[string]any{"type": "customer", "name": "X", "contact_type": "person"}, "contact_type"},
		{"POST", map[string]any{"type": "customer", "name": "X", "contact_id": "SUP-1"}, "contact_id"},
		{"POST", map[string]any{"type": "customer", "name": "X", "contact_id": tk.Str(c, "contact_id")}, "contact_id"},
		{"POST", map[string]any{"type": "customer", "name": "X", "pay_term_type": "weeks"}, "pay_term_type"},
		{"POST", map[string]any{"type": "customer", "name": "X", "pay_term_number": 13, "pay_term_type": "months"}, "pay_term_number"},
		{"POST", map[string]any{"type": "customer", "name": "X", "position": "north"}, "position"},
		{"POST", map[string]any{"type": "customer", "name": "X", "position": "91,10"}, "position"},
		{"POST", map[string]any{"type": "customer", "name": "X", "credit_limit": -1}, "credit_limit"},
		{"POST", map[string]any{"type": "customer", "name": "X", "opening_balance": "1.001"}, "opening_balance"},
		{"POST", map[string]any{"type": "customer", "name": "X", "email": "nope"}, "email"},
		{"POST", map[string]any{"type": "customer", "name": "X", "dob": "1990-13-01"}, "dob"},
		{"POST", map[string]any{"type": "customer", "name": "X", "customer_group_id": "grp_01JD0000000000000000000000"}, "customer_group_id"},
		{"POST", map[string]any{"type": "customer", "name": "X", "assigned_to_users": []string{"user_01JD0000000000000000000000"}}, "assigned_to_users[0]"},
		{"POST", map[string]any{"type": "customer", "name": "X", "shipping_custom_field_details": "text"}, "shipping_custom_field_details"},
		{"POST", map[string]any{"type": "customer", "name": "X", "favourite_colour": "red"}, "favourite_colour"},
		{"PATCH", map[string]any{"contact_id": "SUP-1"}, "contact_id"},
		{"PATCH", map[string]any{"name": ""}, "name"},
		{"PATCH", map[string]any{"type": nil}, "type"},
		{"PATCH", map[string]any{"contact_status": "gone"}, "contact_status"},
	}
	for _, b := range bad {
		p := contactsPath
		if b.method == "PATCH" {
			p = path
		}
		r := e.Do(e.A, b.method, p, b.body)
		if r.Status != 422 || tk.Str(r.Body, "error", "details", 0, "field") != b.field || tk.Get(r.Body, "errors", b.field) == nil || tk.Str(r.Body, "message") == "" {
			t.Errorf("%s %v: want 422 on %s, got %d %s", b.method, b.body, b.field, r.Status, r.Raw)
		}
	}
	for _, empty := range []any{map[string]any{}, map[string]any{"id": id, "created_at": "2024-01-01T00:00:00Z"}} {
		if r := e.Do(e.A, "PATCH", path, empty); r.Status != 422 || tk.Str(r.Body, "message") != "No valid fields to update" {
			t.Errorf("empty patch %v: %d %s", empty, r.Status, r.Raw)
		}
	}
	// Nothing of a refused write is stored.
	if r := mustBody(t, e.Do(e.A, "GET", contactsPath+"?kind=customer&q=No+type", nil), 200, "after refusals"); len(r["data"].([]any)) != 0 {
		t.Fatalf("a refused contact was stored: %v", r)
	}
	// A contact without transactions deletes; the default contact does not.
	mustBody(t, e.Do(e.A, "DELETE", contactsPath+"/"+tk.Str(other, "id"), nil), 200, "delete")
	if r := e.Do(e.A, "GET", contactsPath+"/"+tk.Str(other, "id"), nil); r.Status != 404 {
		t.Fatalf("deleted contact: %d", r.Status)
	}
	dflt := contact003(t, e, e.A, map[string]any{"type": "customer", "name": "Walk-In Customer"})
	if _, err := e.DB.Exec(`UPDATE customers SET is_default = true WHERE id = $1`, tk.Str(dflt, "id")); err != nil {
		t.Fatal(err)
	}
	if r := e.Do(e.A, "DELETE", contactsPath+"/"+tk.Str(dflt, "id"), nil); r.Status != 422 || tk.Str(r.Body, "error", "code") != "CUSTOMER_IS_DEFAULT" {
		t.Fatalf("delete default: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(e.A, "GET", contactsPath+"/not-an-id", nil); r.Status != 404 || tk.Str(r.Body, "message") != "Not found" {
		t.Fatalf("malformed id: %d %s", r.Status, r.Raw)
	}
}

// Two writers racing to one contact code: exactly one gets it.
func TestContactCodeRace(t *testing.T) {
	e := tk.New(t)
	var wg sync.WaitGroup
	status := make([]int, 8)
	for i := range status {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := e.Do(e.A, "POST", contactsPath, map[string]any{"type": "customer", "name": fmt.Sprintf("Racer %d", i), "contact_id": "RACE-1"})
			status[i] = r.Status
			if r.Status != 201 && (r.Status != 422 || tk.Str(r.Body, "error", "details", 0, "field") != "contact_id") {
				t.Errorf("racer %d: %d %s", i, r.Status, r.Raw)
			}
		}(i)
	}
	wg.Wait()
	won := 0
	for _, s := range status {
		if s == 201 {
			won++
		}
	}
	if won != 1 {
		t.Fatalf("%d writers got the same contact code: %v", won, status)
	}
}

// The directory: kind, q, Laravel paging, CSV with a BOM.
func TestContactDirectoryList(t *testing.T) {
	e := tk.New(t)
	for i := 0; i < 25; i++ {
		typ := []string{"customer", "supplier", "both"}[i%3]
		contact003(t, e, e.A, map[string]any{"type": typ, "name": fmt.Sprintf("Party %02d", i), "mobile": fmt.Sprintf("01%08d", i)})
	}
	contact003(t, e, e.A, map[string]any{"type": "supplier", "name": "Zeta", "supplier_business_name": "Findme Holdings", "landline": "07-555"})
	contact003(t, e, e.B, map[string]any{"type": "customer", "name": "Party B"})

	r := mustBody(t, e.Do(e.A, "GET", contactsPath+"?kind=customer", nil), 200, "customers")
	// customer (9) + both (8) of the 25.
	if tk.Get(r, "meta", "total") != float64(17) || tk.Get(r, "meta", "per_page") != float64(20) || tk.Get(r, "meta", "last_page") != float64(1) ||
		len(r["data"].([]any)) != 17 || tk.Str(r, "data", 0, "name") != "Party 00" {
		t.Fatalf("kind=customer: %v", r["meta"])
	}
	for _, row := range r["data"].([]any) {
		if typ := row.(map[string]any)["type"]; typ == "supplier" {
			t.Fatalf("supplier in customer mode: %v", row)
		}
	}
	r = mustBody(t, e.Do(e.A, "GET", contactsPath+"?kind=supplier&per_page=5&page=2", nil), 200, "suppliers page 2")
	if tk.Get(r, "meta", "total") != float64(17) || tk.Get(r, "meta", "current_page") != float64(2) || tk.Get(r, "meta", "last_page") != float64(4) || len(r["data"].([]any)) != 5 {
		t.Fatalf("supplier page: %v", r["meta"])
	}
	for q, want := range map[string]int{"findme": 1, "07-555": 1, "0100000001": 1, "party": 16} {
		r := mustBody(t, e.Do(e.A, "GET", contactsPath+"?kind=supplier&q="+q, nil), 200, "q")
		if got := int(tk.Get(r, "meta", "total").(float64)); got != want {
			t.Errorf("q=%s: %d, want %d", q, got, want)
		}
	}
	for _, bad := range []struct{ query, field string }{
		{"", "kind"}, {"?kind=vendor", "kind"}, {"?kind=customer&q=a", "q"}, {"?kind=customer&per_page=101", "per_page"},
		{"?kind=customer&per_page=0", "per_page"}, {"?kind=customer&page=zero", "page"}, {"?kind=customer&format=xml", "format"},
	} {
		r := e.Do(e.A, "GET", contactsPath+bad.query, nil)
		if r.Status != 422 || tk.Get(r.Body, "errors", bad.field) == nil {
			t.Errorf("%s: %d %s", bad.query, r.Status, r.Raw)
		}
	}
	// CSV: every row, no paging, a UTF-8 BOM, the list's columns.
	req, _ := http.NewRequest("GET", e.Server.URL+contactsPath+"?kind=customer&format=csv&per_page=2", nil)
	req.Header.Set("Authorization", "Bearer "+e.A.Key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.HasPrefix(string(raw), "\ufeff") || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV without BOM: %q", raw[:min(len(raw), 40)])
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(raw), "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 18 || rows[0][0] != "id" || rows[0][4] != "contact_id" {
		t.Fatalf("CSV rows: %d %v %v", len(rows), rows[:1], err)
	}
	// One contact as CSV: one row with data_json holding the JSON object.
	id := rows[1][0]
	_, one := getCSV(t, e, contactsPath+"/"+id+"?format=csv", false)
	if len(one) != 2 || one[0][len(one[0])-1] != "data_json" {
		t.Fatalf("detail CSV: %v", one)
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(one[1][len(one[1])-1]), &obj); err != nil || obj["id"] != id {
		t.Fatalf("data_json: %v %v", one[1], err)
	}
}

// Duplicate checks and the map.
func TestContactValidateAndMap(t *testing.T) {
	e := tk.New(t)
	a := contact003(t, e, e.A, map[string]any{"type": "customer", "name": "Mobile Owner", "mobile": "+60 12-345 6789", "tax_number": "TX-1", "position": "3.1,101.6", "shipping_address": "Port"})
	contact003(t, e, e.A, map[string]any{"type": "supplier", "name": "Far Supplier", "position": "1.5,103.7"})
	contact003(t, e, e.A, map[string]any{"type": "customer", "name": "Nowhere"})
	inactive := contact003(t, e, e.A, map[string]any{"type": "customer", "name": "Gone", "position": "2,100", "contact_status": "inactive"})

	r := mustBody(t, e.Do(e.A, "GET", contactsPath+"/validate/mobile?mobile_number=012-3456789", nil), 200, "mobile dup")
	if tk.Get(r, "data", "is_mobile_exists") != true || tk.Str(r, "data", "matching_contact_names", 0) != "Mobile Owner" || tk.Str(r, "data", "msg") == "" {
		t.Fatalf("mobile duplicate: %v", r)
	}
	r = mustBody(t, e.Do(e.A, "GET", contactsPath+"/validate/mobile?mobile_number=0123456789&contact_id="+tk.Str(a, "id"), nil), 200, "mobile self")
	if tk.Get(r, "data", "is_mobile_exists") != false || len(tk.Get(r, "data", "matching_contact_names").([]any)) != 0 {
		t.Fatalf("editing contact excluded: %v", r)
	}
	r = mustBody(t, e.Do(e.A, "POST", contactsPath+"/validate/tax-number", map[string]any{"tax_number": "TX-1"}), 200, "tax dup")
	if tk.Get(r, "data", "is_tax_number_exists") != true {
		t.Fatalf("tax duplicate: %v", r)
	}
	r = mustBody(t, e.Do(e.A, "GET", contactsPath+"/validate/tax-number?tax_number=TX-2", nil), 200, "tax free")
	if tk.Get(r, "data", "is_tax_number_exists") != false || tk.Str(r, "data", "msg") != "" {
		t.Fatalf("free tax number: %v", r)
	}
	for _, bad := range []struct{ path, field string }{
		{"/validate/mobile", "mobile_number"}, {"/validate/mobile?mobile_number=abc", "mobile_number"},
		{"/validate/tax-number", "tax_number"}, {"/validate/tax-number?tax_number=X&contact_id=nope", "contact_id"},
		{"/validate/tax-number?tax_number=X&contact_id=" + string(pulid.New("cust")), "contact_id"},
		{"/map?kind=vendor", "kind"}, {"/map?contact_ids[]=x", "contact_ids.0"},
	} {
		r := e.Do(e.A, "GET", contactsPath+bad.path, nil)
		if r.Status != 422 || tk.Get(r.Body, "errors", bad.field) == nil {
			t.Errorf("%s: %d %s", bad.path, r.Status, r.Raw)
		}
	}
	// Another company's contact id cannot be excluded (it does not exist there).
	if r := e.Do(e.B, "GET", contactsPath+"/validate/tax-number?tax_number=TX-1&contact_id="+tk.Str(a, "id"), nil); r.Status != 422 {
		t.Fatalf("B excludes A's contact: %d %s", r.Status, r.Raw)
	}

	m := mustBody(t, e.Do(e.A, "GET", contactsPath+"/map", nil), 200, "map")
	if tk.Get(m, "meta", "total") != float64(2) || tk.Str(m, "meta", "kind") != "all" {
		t.Fatalf("map: %v", m)
	}
	if row := m["data"].([]any)[1].(map[string]any); row["name"] != "Mobile Owner" || row["latitude"] != 3.1 || row["longitude"] != 101.6 || row["shipping_address"] != "Port" {
		t.Fatalf("map row: %v", row)
	}
	m = mustBody(t, e.Do(e.A, "GET", contactsPath+"/map?kind=customer", nil), 200, "map customers")
	if tk.Get(m, "meta", "total") != float64(1) {
		t.Fatalf("map customers: %v", m)
	}
	m = mustBody(t, e.Do(e.A, "GET", contactsPath+"/map?contact_ids[]="+tk.Str(inactive, "id")+"&contact_ids[]="+tk.Str(a, "id"), nil), 200, "map ids")
	if tk.Get(m, "meta", "total") != float64(1) {
		t.Fatalf("map by ids (inactive left out): %v", m)
	}
	if m := mustBody(t, e.Do(e.B, "GET", contactsPath+"/map", nil), 200, "B map"); tk.Get(m, "meta", "total") != float64(0) {
		t.Fatalf("B map: %v", m)
	}
}

// mustBody is must for answers whose whole body matters (seed 003's
// {data, meta} and {message, data}).
func mustBody(t *testing.T, r tk.Response, status int, what string) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, r.Status, status, r.Raw)
	}
	return r.Body
}

// A contact's sells: its invoices in the sell row shape, with the
// seed's filters; a supplier has none to list.
func TestContactSells(t *testing.T) {
	e := tk.New(t)
	c := contact003(t, e, e.A, map[string]any{"type": "customer", "name": "Buyer"})
	cust := tk.Str(c, "id")
	paid, _ := paidInvoice(t, e, e.A, cust, 100, "cash")
	due := tk.Str(mustBody(t, e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": cust, "invoiceDate": "2024-01-10", "dueDate": "2024-01-20",
		"items": []any{map[string]any{"description": "Old work", "quantity": 1, "unitPrice": 40}}}), 201, "old invoice"), "data", "id")
	mustBody(t, e.Do(e.A, "POST", "/api/v1/invoices/"+due+"/send", map[string]any{"to": []string{"ap@example.com"}}), 200, "issue")
	path := contactsPath + "/" + cust + "/sells"
	r := mustBody(t, e.Do(e.A, "GET", path, nil), 200, "sells")
	if tk.Get(r, "meta", "total") != float64(2) || tk.Str(r, "meta", "contact_id") != cust || tk.Str(r, "data", 0, "id") != paid {
		t.Fatalf("sells: %v", r)
	}
	row := r["data"].([]any)[0].(map[string]any)
	if row["payment_status"] != "paid" || row["status"] != "final" || row["final_total"] != 100.0 || row["total_remaining"] != 0.0 || row["contact_name"] != "Buyer" || row["is_direct_sale"] != true {
		t.Fatalf("paid sell row: %v", row)
	}
	for query, want := range map[string]int{"payment_status=overdue": 1, "payment_status=paid": 1, "payment_status=due": 1, "payment_status=partial": 0,
		"start_date=2024-01-01&end_date=2024-01-31": 1, "is_direct_sale=false": 0, "per_page=1&page=2": 1} {
		r := mustBody(t, e.Do(e.A, "GET", path+"?"+query, nil), 200, query)
		if got := len(r["data"].([]any)); got != want {
			t.Errorf("%s: %d rows, want %d", query, got, want)
		}
	}
	if r := mustBody(t, e.Do(e.A, "GET", path+"?payment_status=overdue", nil), 200, "overdue"); tk.Str(r, "data", 0, "payment_status") != "overdue" {
		t.Fatalf("overdue row: %v", r)
	}
	for _, bad := range []struct{ query, field string }{{"payment_status=owing", "payment_status"}, {"start_date=yesterday", "start_date"},
		{"is_direct_sale=maybe", "is_direct_sale"}, {"location_id=7", "location_id"}, {"created_by=bob", "created_by"}, {"per_page=500", "per_page"}} {
		if r := e.Do(e.A, "GET", path+"?"+bad.query, nil); r.Status != 422 || tk.Get(r.Body, "errors", bad.field) == nil {
			t.Errorf("%s: %d %s", bad.query, r.Status, r.Raw)
		}
	}
	sup := contact003(t, e, e.A, map[string]any{"type": "supplier", "name": "Seller"})
	if r := e.Do(e.A, "GET", contactsPath+"/"+tk.Str(sup, "id")+"/sells", nil); r.Status != 422 {
		t.Fatalf("supplier sells: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(e.B, "GET", path, nil); r.Status != 404 || tk.Str(r.Body, "message") != "Not found" {
		t.Fatalf("B reads A's sells: %d %s", r.Status, r.Raw)
	}
	_, rows := getCSV(t, e, path+"?format=csv", false)
	if len(rows) != 3 || !strings.HasPrefix(rows[0][0], "\ufeff") {
		t.Fatalf("sells CSV: %v", rows)
	}
}

// A contact's activity: its own events and its documents', newest first.
func TestContactActivities(t *testing.T) {
	e := tk.New(t)
	c := contact003(t, e, e.A, map[string]any{"type": "customer", "name": "Active One"})
	cust := tk.Str(c, "id")
	mustBody(t, e.Do(e.A, "PATCH", contactsPath+"/"+cust, map[string]any{"city": "Penang"}), 200, "update")
	paidInvoice(t, e, e.A, cust, 10, "cash")
	other := contact003(t, e, e.A, map[string]any{"type": "customer", "name": "Someone Else"})
	paidInvoice(t, e, e.A, tk.Str(other, "id"), 5, "cash")

	path := contactsPath + "/" + cust + "/activities"
	r := mustBody(t, e.Do(e.A, "GET", path, nil), 200, "activities")
	acts := tk.Get(r, "data", "activities").([]any)
	if tk.Str(r, "data", "contact_id") != cust || len(acts) < 5 || int(tk.Get(r, "meta", "total").(float64)) != len(acts) {
		t.Fatalf("activities: %v", r)
	}
	events := map[string]bool{}
	for _, a := range acts {
		m := a.(map[string]any)
		events[m["event"].(string)] = true
		if id, _ := m["properties"].(map[string]any)["customerId"].(string); id != "" && id != cust {
			t.Fatalf("another contact's activity: %v", m)
		}
		if m["description"] == "" || m["log_name"] == "" {
			t.Fatalf("activity row: %v", m)
		}
		// Every one of these was a request of company A's user: its causer.
		if causer, _ := m["causer"].(map[string]any); causer["id"] != e.A.UserID || causer["name"] == "" {
			t.Fatalf("causer of %v: %v", m["event"], m["causer"])
		}
	}
	for _, want := range []string{"customer.created", "customer.updated", "invoice.created", "payment.received", "invoice.paid"} {
		if !events[want] {
			t.Errorf("missing %s in %v", want, events)
		}
	}
	if first := acts[0].(map[string]any); first["event"] == "customer.created" {
		t.Fatalf("not newest first: %v", first)
	}
	r = mustBody(t, e.Do(e.A, "GET", path+"?q=payment&per_page=1", nil), 200, "search")
	if len(tk.Get(r, "data", "activities").([]any)) != 1 || tk.Str(r, "meta", "q") != "payment" || tk.Get(r, "meta", "last_page").(float64) < 1 {
		t.Fatalf("search activities: %v", r)
	}
	if r := e.Do(e.A, "GET", path+"?q=x", nil); r.Status != 422 || tk.Get(r.Body, "errors", "q") == nil {
		t.Fatalf("1-char q: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(e.B, "GET", path, nil); r.Status != 404 {
		t.Fatalf("B reads A's activity: %d %s", r.Status, r.Raw)
	}
	_, rows := getCSV(t, e, path+"?format=csv", false)
	if len(rows) != len(acts)+1 {
		t.Fatalf("activities CSV: %d rows for %d activities", len(rows), len(acts))
	}
}

// Seed 003's other lists page by number with its paginator in meta
// (beside seed 001's pagination), and take its filters.
func TestIntegrationListsPageByNumber(t *testing.T) {
	e := tk.New(t)
	c := contact003(t, e, e.A, map[string]any{"type": "customer", "name": "Discounted"})
	cust := tk.Str(c, "id")
	paidInvoice(t, e, e.A, cust, 500, "cash")
	for i, day := range []string{"2024-01-05", "2024-02-05", "2024-03-05"} {
		mustBody(t, e.Do(e.A, "POST", "/api/v1/integration/ledger-discounts", map[string]any{"contact_id": cust, "date": day,
			"amount": 10 + i, "note": fmt.Sprintf("Loyalty %d", i)}), 201, "discount")
	}
	r := mustBody(t, e.Do(e.A, "GET", "/api/v1/integration/ledger-discounts?per_page=2", nil), 200, "discounts")
	if tk.Get(r, "meta", "current_page") != 1.0 || tk.Get(r, "meta", "last_page") != 2.0 || tk.Get(r, "meta", "per_page") != 2.0 ||
		tk.Get(r, "meta", "total") != 3.0 || len(r["data"].([]any)) != 2 || tk.Get(r, "pagination", "hasMore") != true {
		t.Fatalf("discount page: %s", e.Do(e.A, "GET", "/api/v1/integration/ledger-discounts?per_page=2", nil).Raw)
	}
	if r := mustBody(t, e.Do(e.A, "GET", "/api/v1/integration/ledger-discounts?per_page=2&page=2", nil), 200, "page 2"); len(r["data"].([]any)) != 1 {
		t.Fatalf("page 2: %v", r)
	}
	for query, want := range map[string]int{"start_date=2024-02-01&end_date=2024-03-31": 2, "q=loyalty 1": 1, "contact_id=" + cust: 3} {
		if r := mustBody(t, e.Do(e.A, "GET", "/api/v1/integration/ledger-discounts?"+strings.ReplaceAll(query, " ", "+"), nil), 200, query); tk.Get(r, "meta", "total") != float64(want) {
			t.Errorf("%s: %v, want %d", query, tk.Get(r, "meta", "total"), want)
		}
	}
	if r := mustBody(t, e.Do(e.A, "GET", contactsPath+"/"+cust+"/ledger-discounts?start_date=2024-01-01&end_date=2024-01-31", nil), 200, "contact's"); tk.Get(r, "meta", "total") != 1.0 {
		t.Fatalf("contact discounts by date: %v", r["meta"])
	}
	for _, bad := range []struct{ query, field string }{{"start_date=2024-01-01", "end_date"}, {"end_date=2024-01-01", "start_date"},
		{"start_date=2024-03-01&end_date=2024-01-01", "end_date"}, {"q=x", "q"}, {"per_page=0", "per_page"}, {"start_date=soon&end_date=2024-01-01", "start_date"}} {
		if r := e.Do(e.A, "GET", "/api/v1/integration/ledger-discounts?"+bad.query, nil); r.Status != 422 || tk.Get(r.Body, "errors", bad.field) == nil {
			t.Errorf("%s: %d %s", bad.query, r.Status, r.Raw)
		}
	}
	if r := mustBody(t, e.Do(e.B, "GET", "/api/v1/integration/ledger-discounts", nil), 200, "B"); tk.Get(r, "meta", "total") != 0.0 {
		t.Fatalf("B lists A's discounts: %v", r)
	}
	_, rows := getCSV(t, e, "/api/v1/integration/ledger-discounts?format=csv&per_page=1", false)
	if len(rows) != 4 || !strings.HasPrefix(rows[0][0], "\ufeff") {
		t.Fatalf("discounts CSV: %v", rows)
	}

	for i := 0; i < 3; i++ {
		mustBody(t, e.Do(e.A, "POST", "/api/v1/integration/customer-groups", map[string]any{"name": fmt.Sprintf("Group %d", i), "price_calculation_type": "percentage", "amount": i}), 201, "group")
	}
	g := mustBody(t, e.Do(e.A, "GET", "/api/v1/integration/customer-groups?per_page=2&page=2", nil), 200, "groups page 2")
	if tk.Get(g, "meta", "current_page") != 2.0 || tk.Get(g, "meta", "last_page") != 2.0 || tk.Get(g, "meta", "total") != 3.0 || tk.Str(g, "data", 0, "name") != "Group 2" {
		t.Fatalf("groups page 2: %v", g)
	}
	if r := e.Do(e.A, "GET", "/api/v1/integration/customer-groups?page=0", nil); r.Status != 422 || tk.Get(r.Body, "errors", "page") == nil {
		t.Fatalf("page 0: %d %s", r.Status, r.Raw)
	}
}

// A contact's payments: paged rows, a summary over the date range (not
// narrowed by q), the seed's filters.
func TestContactPaymentsList(t *testing.T) {
	e := tk.New(t)
	c := contact003(t, e, e.A, map[string]any{"type": "customer", "name": "Payer"})
	cust := tk.Str(c, "id")
	for i := 0; i < 3; i++ {
		paidInvoice(t, e, e.A, cust, float64(100+i), []string{"cash", "cheque", "card"}[i])
	}
	path := contactsPath + "/" + cust + "/payments"
	r := mustBody(t, e.Do(e.A, "GET", path+"?per_page=2", nil), 200, "payments")
	if tk.Get(r, "meta", "total") != 3.0 || tk.Get(r, "meta", "last_page") != 2.0 || len(tk.Get(r, "data", "payments").([]any)) != 2 ||
		tk.Get(r, "data", "summary", "count") != 3.0 || tk.Get(r, "data", "summary", "total_paid") != 303.0 || tk.Get(r, "data", "summary", "methods_count") != 3.0 {
		t.Fatalf("payments page: %v", r)
	}
	inv := tk.Str(r, "data", "payments", 0, "invoice_no")
	q := mustBody(t, e.Do(e.A, "GET", path+"?q="+inv, nil), 200, "by invoice number")
	if tk.Get(q, "meta", "total") != 1.0 || tk.Get(q, "data", "summary", "count") != 3.0 || tk.Str(q, "meta", "q") != inv {
		t.Fatalf("q narrows rows, not the summary: %v", q)
	}
	if r := mustBody(t, e.Do(e.A, "GET", path+"?start_date=2000-01-01&end_date=2000-12-31", nil), 200, "old range"); tk.Get(r, "meta", "total") != 0.0 || tk.Get(r, "data", "summary", "count") != 0.0 {
		t.Fatalf("empty range: %v", r)
	}
	for _, bad := range []struct{ query, field string }{{"start_date=2024-01-01", "end_date"}, {"q=z", "q"}, {"per_page=101", "per_page"}} {
		if r := e.Do(e.A, "GET", path+"?"+bad.query, nil); r.Status != 422 || tk.Get(r.Body, "errors", bad.field) == nil {
			t.Errorf("%s: %d %s", bad.query, r.Status, r.Raw)
		}
	}
	if r := e.Do(e.B, "GET", path, nil); r.Status != 404 {
		t.Fatalf("B reads A's payments: %d", r.Status)
	}
	_, rows := getCSV(t, e, path+"?format=csv&per_page=1", false)
	if len(rows) != 4 {
		t.Fatalf("payments CSV: %d rows", len(rows))
	}
}

// Concurrent opening-balance changes of one contact serialize on its row:
// one opening balance stays posted, the ledger balances, the balance is
// the last writer's.
func TestContactOpeningBalanceConcurrent(t *testing.T) {
	e := tk.New(t)
	c := contact003(t, e, e.A, map[string]any{"type": "customer", "name": "Racing Balance", "opening_balance": "5.00"})
	path := contactsPath + "/" + tk.Str(c, "id")
	var wg sync.WaitGroup
	for i := 1; i <= 6; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if r := e.Do(e.A, "PATCH", path, map[string]any{"opening_balance": fmt.Sprintf("%d.25", i*10)}); r.Status != 200 {
				t.Errorf("patch %d: %d %s", i, r.Status, r.Raw)
			}
		}(i)
	}
	wg.Wait()
	got := mustBody(t, e.Do(e.A, "GET", path, nil), 200, "after")["data"].(map[string]any)
	var posted int
	var amount string
	if err := e.DB.QueryRow(`SELECT count(*), coalesce(max(round(total_debit, 2))::text, '') FROM journal_entries
		WHERE source_id = $1 AND source_type = 'opening_balance' AND status = 'posted'`, tk.Str(c, "id")).Scan(&posted, &amount); err != nil {
		t.Fatal(err)
	}
	if posted != 1 || fmt.Sprintf("%.2f", got["opening_balance"]) != amount || got["balance"] != got["opening_balance"] {
		t.Fatalf("%d posted opening balances (%s) for a contact showing %v / %v", posted, amount, got["opening_balance"], got["balance"])
	}
	verifyLedger(t, e)
}
