package server_test

import (
	"strings"
	"testing"

	"github.com/bigledger/bigledger/ent/schema/pulid"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

func TestGraphQLGroupAndContactReads(t *testing.T) {
	e := tk.New(t)
	g := e.MustGQL(e.A, `mutation { createCustomerGroup(input: {name: "Retail", amount: 2.5}) { id } }`, nil)["createCustomerGroup"].(map[string]any)
	up := e.MustGQL(e.A, `mutation($id: ID!) { updateCustomerGroup(id: $id, input: {name: "Retail+", amount: "3"}) { name amount } }`, map[string]any{"id": g["id"]})
	if tk.Str(up, "updateCustomerGroup", "name") != "Retail+" || tk.Str(up, "updateCustomerGroup", "amount") != "3" {
		t.Fatalf("updateCustomerGroup: %v", up)
	}
	c := gqlCreateCustomer(t, e, e.A, map[string]any{"name": "Member", "phone": "+60122222222", "groupID": g["id"]})
	ct := e.MustGQL(e.A, `mutation($c: ID!) { createContact(input: {customerID: $c, name: "Ali"}) { id } }`, map[string]any{"c": c["id"]})["createContact"].(map[string]any)
	d := e.MustGQL(e.A, `query($g: ID!, $ct: ID!) {
		customerGroup(id: $g) { name customers { name } }
		contact(id: $ct) { name isActive customer { name group { name } } }
		customerGroups(where: {nameHasPrefix: "Ret"}) { totalCount edges { node { id } } }
	}`, map[string]any{"g": g["id"], "ct": ct["id"]})
	if tk.Str(d, "customerGroup", "customers", 0, "name") != "Member" || tk.Str(d, "contact", "customer", "group", "name") != "Retail+" ||
		tk.Get(d, "contact", "isActive") != true || tk.Get(d, "customerGroups", "totalCount") != float64(1) {
		t.Fatalf("reads: %v", d)
	}
	// Bad input on the update paths names its field.
	for _, q := range []string{
		`mutation($id: ID!) { updateContact(id: $id, input: {email: "nope"}) { id } }`,
		`mutation($id: ID!) { updateContact(id: $id, input: {name: ""}) { id } }`,
	} {
		r := e.GQL(e.A, q, map[string]any{"id": ct["id"]})
		if len(r.Errors) == 0 || r.Errors[0].Code() != "INVALID_CONTACT_DATA" {
			t.Errorf("%s: %s", q, r.Raw)
		}
	}
	for _, q := range []string{
		`mutation($id: ID!) { updateCustomerGroup(id: $id, input: {amount: "-101"}) { id } }`,
		`mutation($id: ID!) { updateCustomerGroup(id: $id, input: {priceCalculationType: selling_price_group}) { id } }`,
		`mutation($id: ID!) { updateCustomerGroup(id: $id, input: {name: "  "}) { id } }`,
	} {
		r := e.GQL(e.A, q, map[string]any{"id": g["id"]})
		if len(r.Errors) == 0 || r.Errors[0].Code() != "INVALID_CUSTOMER_GROUP_DATA" {
			t.Errorf("%s: %s", q, r.Raw)
		}
	}
	r := e.GQL(e.A, `mutation($id: ID!) { updateCustomer(id: $id, input: {paymentTerms: 366, website: "ftp://x"}) { id } }`, map[string]any{"id": c["id"]})
	if len(r.Errors) == 0 || len(r.Errors[0].Extensions["details"].([]any)) != 2 {
		t.Fatalf("updateCustomer bad input: %s", r.Raw)
	}
}

func TestHealthReadinessAndPlayground(t *testing.T) {
	e := tk.New(t)
	if r := e.Do(tk.Tenant{}, "GET", "/playground", nil); r.Status != 200 || !strings.Contains(string(r.Raw), "/graphql") {
		t.Fatalf("playground: %d", r.Status)
	}
	if r := e.Do(tk.Tenant{}, "GET", "/", nil); r.Status != 200 {
		t.Fatalf("root: %d", r.Status)
	}
	// An unapplied migration makes the instance not ready.
	if _, err := e.DB.Exec(`DELETE FROM bigledger_schema_migrations`); err != nil {
		t.Fatal(err)
	}
	if r := e.Do(tk.Tenant{}, "GET", "/readyz", nil); r.Status != 503 || r.Body["pendingMigrations"] == nil {
		t.Fatalf("readyz with pending migrations: %d %s", r.Status, r.Raw)
	}
	// A database that cannot be reached makes it not ready, but still alive.
	e.DB.Close()
	if r := e.Do(tk.Tenant{}, "GET", "/readyz", nil); r.Status != 503 {
		t.Fatalf("readyz without database: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(tk.Tenant{}, "GET", "/healthz", nil); r.Status != 200 {
		t.Fatalf("healthz: %d", r.Status)
	}
	// Requests that need the database fail cleanly, without internals.
	r := e.Do(e.A, "GET", "/api/v1/customers/"+string(pulid.New("cust")), nil)
	if r.Status != 500 || tk.Str(r.Body, "error", "code") != "INTERNAL_ERROR" || strings.Contains(string(r.Raw), "sql") {
		t.Fatalf("db down: %d %s", r.Status, r.Raw)
	}
}
