package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/bigledger/bigledger/ent/schema/pulid"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

// b's rows seen through a's key must answer exactly like ids that do not
// exist anywhere: same status, same code. Nothing of b's may change.
func TestCrossTenantIsolation(t *testing.T) {
	e := tk.New(t)
	// Company B owns a group, a customer in it and a contact.
	bg := e.Do(e.B, "POST", "/api/v1/integration/customer-groups", map[string]any{"name": "B group", "price_calculation_type": "percentage", "amount": 5})
	bGroup := tk.Str(bg.Body, "data", "id")
	bc := createCustomerREST(t, e, e.B, map[string]any{"name": "B Secret Customer", "email": "secret@b.co", "groupId": bGroup})
	bCust := bc["id"].(string)
	bct := e.Do(e.B, "POST", "/api/v1/customers/"+bCust+"/contacts", map[string]any{"name": "B Person", "isPrimary": true})
	bContact := tk.Str(bct.Body, "data", "id")
	// Company A owns one customer of its own.
	ac := createCustomerREST(t, e, e.A, map[string]any{"name": "A Customer", "email": "a@a.co"})
	aCust := ac["id"].(string)

	missing := map[string]string{"cust": string(pulid.New("cust")), "grp": string(pulid.New("grp")), "contact": string(pulid.New("contact"))}

	restCases := []struct {
		method, path string
		body         any
		prefix       string
	}{
		{"GET", "/api/v1/customers/%s", nil, "cust"},
		{"PUT", "/api/v1/customers/%s", map[string]any{"name": "Hijacked"}, "cust"},
		{"PATCH", "/api/v1/customers/%s", map[string]any{"email": "x@evil.co"}, "cust"},
		{"DELETE", "/api/v1/customers/%s", nil, "cust"},
		{"GET", "/api/v1/customers/%s/contacts", nil, "cust"},
		{"POST", "/api/v1/customers/%s/contacts", map[string]any{"name": "Intruder"}, "cust"},
		{"GET", "/api/v1/integration/customer-groups/%s", nil, "grp"},
		{"PATCH", "/api/v1/integration/customer-groups/%s", map[string]any{"name": "Hijacked"}, "grp"},
		{"PUT", "/api/v1/integration/customer-groups/%s", map[string]any{"amount": 99}, "grp"},
		{"DELETE", "/api/v1/integration/customer-groups/%s", nil, "grp"},
	}
	foreign := map[string]string{"cust": bCust, "grp": bGroup}
	for _, tc := range restCases {
		want := e.Do(e.A, tc.method, sprintf(tc.path, missing[tc.prefix]), tc.body)
		got := e.Do(e.A, tc.method, sprintf(tc.path, foreign[tc.prefix]), tc.body)
		if got.Status != http.StatusNotFound || got.Status != want.Status ||
			tk.Str(got.Body, "error", "code") != tk.Str(want.Body, "error", "code") {
			t.Errorf("%s %s: foreign answered %d %s; missing answered %d %s", tc.method, tc.path, got.Status, got.Raw, want.Status, want.Raw)
		}
	}
	// Edges into B are refused like unknown ids.
	for name, body := range map[string]map[string]any{
		"create with B's group": {"name": "X", "email": "x@a.co", "groupId": bGroup},
	} {
		r := e.Do(e.A, "POST", "/api/v1/customers", body)
		m := e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "X", "email": "x@a.co", "groupId": missing["grp"]})
		if r.Status != 400 || r.Status != m.Status || tk.Str(r.Body, "error", "details", 0, "field") != "groupId" {
			t.Errorf("%s: %d %s (missing: %d %s)", name, r.Status, r.Raw, m.Status, m.Raw)
		}
	}
	if r := e.Do(e.A, "PUT", "/api/v1/customers/"+aCust, map[string]any{"groupId": bGroup}); r.Status != 400 || tk.Str(r.Body, "error", "details", 0, "field") != "groupId" {
		t.Errorf("update into B's group: %d %s", r.Status, r.Raw)
	}
	// Lists never show B's rows.
	if r := e.Do(e.A, "GET", "/api/v1/customers?search=Secret", nil); tk.Get(r.Body, "pagination", "total") != float64(0) {
		t.Errorf("A's list shows B: %s", r.Raw)
	}
	if r := e.Do(e.A, "GET", "/api/v1/integration/customer-groups", nil); tk.Get(r.Body, "pagination", "total") != float64(0) {
		t.Errorf("A's groups show B's: %s", r.Raw)
	}

	// GraphQL: reads and writes on B's ids answer like missing ids.
	gqlCases := []struct {
		name, query string
		prefix      string
	}{
		{"customer", `query($id: ID!) { customer(id: $id) { id name } }`, "cust"},
		{"contact", `query($id: ID!) { contact(id: $id) { id } }`, "contact"},
		{"customerGroup", `query($id: ID!) { customerGroup(id: $id) { id } }`, "grp"},
		{"node", `query($id: ID!) { node(id: $id) { id } }`, "cust"},
		{"updateCustomer", `mutation($id: ID!) { updateCustomer(id: $id, input: {name: "Hijacked"}) { id } }`, "cust"},
		{"deleteCustomer", `mutation($id: ID!) { deleteCustomer(id: $id) { deletedId } }`, "cust"},
		{"updateContact", `mutation($id: ID!) { updateContact(id: $id, input: {name: "Hijacked"}) { id } }`, "contact"},
		{"deleteContact", `mutation($id: ID!) { deleteContact(id: $id) { deletedId } }`, "contact"},
		{"updateCustomerGroup", `mutation($id: ID!) { updateCustomerGroup(id: $id, input: {name: "Hijacked"}) { id } }`, "grp"},
		{"deleteCustomerGroup", `mutation($id: ID!) { deleteCustomerGroup(id: $id) { deletedId } }`, "grp"},
		{"createContact on B's customer", `mutation($id: ID!) { createContact(input: {customerID: $id, name: "Intruder"}) { id } }`, "cust"},
		{"createCustomer in B's group", `mutation($id: ID!) { createCustomer(input: {name: "X", email: "x@a.co", groupID: $id}) { id } }`, "grp"},
		{"updateCustomer into B's group", `mutation($id: ID!) { updateCustomer(id: "` + aCust + `", input: {groupID: $id}) { id } }`, "grp"},
	}
	foreignAll := map[string]string{"cust": bCust, "grp": bGroup, "contact": bContact}
	for _, tc := range gqlCases {
		want := e.GQL(e.A, tc.query, map[string]any{"id": missing[tc.prefix]})
		got := e.GQL(e.A, tc.query, map[string]any{"id": foreignAll[tc.prefix]})
		if len(got.Errors) == 0 || len(want.Errors) == 0 || got.Errors[0].Code() != want.Errors[0].Code() ||
			strings.ReplaceAll(got.Errors[0].Message, foreignAll[tc.prefix], "<id>") != strings.ReplaceAll(want.Errors[0].Message, missing[tc.prefix], "<id>") {
			t.Errorf("%s: foreign %s; missing %s", tc.name, got.Raw, want.Raw)
		}
		if got.Errors[0].Code() == "INTERNAL_ERROR" {
			t.Errorf("%s: internal error %s", tc.name, got.Raw)
		}
	}
	n := e.MustGQL(e.A, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []string{aCust}})
	if len(n["nodes"].([]any)) != 1 {
		t.Errorf("nodes of own id: %v", n)
	}
	if r := e.GQL(e.A, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []string{aCust, bCust}}); len(r.Errors) == 0 {
		t.Errorf("nodes leaked B's customer: %s", r.Raw)
	}
	d := e.MustGQL(e.A, `{ customers { totalCount } customerGroups { totalCount } }`, nil)
	if tk.Get(d, "customers", "totalCount") != float64(1) || tk.Get(d, "customerGroups", "totalCount") != float64(0) {
		t.Errorf("A's connections include B's rows: %v", d)
	}
	// Company node: only one's own company resolves.
	if r := e.GQL(e.A, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": e.B.CompanyID}); len(r.Errors) == 0 {
		t.Errorf("company B visible to A: %s", r.Raw)
	}

	// B's data is untouched after all of the above.
	after := e.Do(e.B, "GET", "/api/v1/customers/"+bCust, nil)
	if after.Status != 200 || tk.Str(after.Body, "data", "name") != "B Secret Customer" || tk.Str(after.Body, "data", "email") != "secret@b.co" ||
		tk.Str(after.Body, "data", "groupId") != bGroup || len(tk.Get(after.Body, "data", "contacts").([]any)) != 1 {
		t.Fatalf("B's customer changed: %s", after.Raw)
	}
	grp := e.Do(e.B, "GET", "/api/v1/integration/customer-groups/"+bGroup, nil)
	if tk.Str(grp.Body, "data", "name") != "B group" {
		t.Fatalf("B's group changed: %s", grp.Raw)
	}
}

func sprintf(format, id string) string {
	out := []byte{}
	for i := 0; i < len(format); i++ {
		if format[i] == '%' && i+1 < len(format) && format[i+1] == 's' {
			out = append(out, id...)
			i++
			continue
		}
		out = append(out, format[i])
	}
	return string(out)
}
