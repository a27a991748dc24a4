package server_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bigledger/bigledger/ent/schema/pulid"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

const customerFields = `id customerNumber name type email phone currency paymentTerms creditLimit currentBalance totalSales status tags customFields
  address { street city country } group { id name amount } contacts { id name isPrimary }`

func gqlCreateCustomer(t *testing.T, e *tk.Env, tn tk.Tenant, input map[string]any) map[string]any {
	t.Helper()
	d := e.MustGQL(tn, `mutation($in: CreateCustomerInput!) { createCustomer(input: $in) { `+customerFields+` } }`, map[string]any{"in": input})
	return d["createCustomer"].(map[string]any)
}

func TestGraphQLCustomerMutationsAndQueries(t *testing.T) {
	e := tk.New(t)
	g := e.MustGQL(e.A, `mutation { createCustomerGroup(input: {name: "VIP", priceCalculationType: percentage, amount: "12.50"}) { id name amount priceCalculationType } }`, nil)["createCustomerGroup"].(map[string]any)
	if g["amount"] != "12.5" || g["priceCalculationType"] != "percentage" {
		t.Fatalf("group: %v", g)
	}
	c := gqlCreateCustomer(t, e, e.A, map[string]any{
		"name": "Acme Corporation", "email": "billing@acme.com", "creditLimit": 50000, "paymentTerms": 30,
		"address": map[string]any{"street": "123 Main Street", "city": "Kuala Lumpur", "country": "MY"},
		"tags":    []string{"enterprise"}, "customFields": map[string]any{"industry": "Technology"}, "groupID": g["id"],
	})
	if c["customerNumber"] != "CUST-0001" || c["creditLimit"] != "50000.00" || c["currentBalance"] != "0.00" ||
		tk.Str(c, "group", "name") != "VIP" || tk.Str(c, "address", "city") != "Kuala Lumpur" || tk.Str(c, "customFields", "industry") != "Technology" {
		t.Fatalf("created: %v", c)
	}
	id := c["id"].(string)
	ct := e.MustGQL(e.A, `mutation($in: CreateContactInput!) { createContact(input: $in) { id name isPrimary customer { id } } }`,
		map[string]any{"in": map[string]any{"customerID": id, "name": "Jane Doe", "email": "jane@acme.com", "isPrimary": true}})["createContact"].(map[string]any)
	if tk.Str(ct, "customer", "id") != id {
		t.Fatalf("contact: %v", ct)
	}
	upd := e.MustGQL(e.A, `mutation($id: ID!) { updateContact(id: $id, input: {title: "Accounts Manager", clearEmail: true, phone: "+60123456788"}) { title email phone } }`,
		map[string]any{"id": ct["id"]})["updateContact"].(map[string]any)
	if upd["title"] != "Accounts Manager" || upd["email"] != nil {
		t.Fatalf("update contact: %v", upd)
	}
	got := e.MustGQL(e.A, `query($id: ID!) { customer(id: $id) { `+customerFields+` } }`, map[string]any{"id": id})["customer"].(map[string]any)
	if tk.Str(got, "contacts", 0, "name") != "Jane Doe" || tk.Get(got, "contacts", 0, "isPrimary") != true {
		t.Fatalf("customer: %v", got)
	}
	upc := e.MustGQL(e.A, `mutation($id: ID!) { updateCustomer(id: $id, input: {creditLimit: "75000.5", appendTags: ["priority"], clearGroup: true}) { creditLimit tags group { id } } }`,
		map[string]any{"id": id})["updateCustomer"].(map[string]any)
	if upc["creditLimit"] != "75000.50" || tk.Get(upc, "tags", 1) != "priority" || upc["group"] != nil {
		t.Fatalf("update customer: %v", upc)
	}
	// node and nodes resolve every prefixed id.
	n := e.MustGQL(e.A, `query($ids: [ID!]!, $id: ID!) { node(id: $id) { id ... on Customer { name } } nodes(ids: $ids) { id __typename } }`,
		map[string]any{"id": id, "ids": []string{id, ct["id"].(string), g["id"].(string), e.A.CompanyID}})
	if tk.Str(n, "node", "name") != "Acme Corporation" {
		t.Fatalf("node: %v", n)
	}
	var types []string
	for _, x := range n["nodes"].([]any) {
		types = append(types, x.(map[string]any)["__typename"].(string))
	}
	if strings.Join(types, ",") != "Customer,Contact,CustomerGroup,Company" {
		t.Fatalf("nodes: %v", types)
	}
	// Deletes.
	if d := e.MustGQL(e.A, `mutation($id: ID!) { deleteContact(id: $id) { deletedId } }`, map[string]any{"id": ct["id"]}); tk.Str(d, "deleteContact", "deletedId") != ct["id"] {
		t.Fatalf("delete contact: %v", d)
	}
	if d := e.MustGQL(e.A, `mutation($id: ID!) { deleteCustomer(id: $id) { deletedId } }`, map[string]any{"id": id}); tk.Str(d, "deleteCustomer", "deletedId") != id {
		t.Fatalf("delete customer: %v", d)
	}
	if d := e.MustGQL(e.A, `mutation($id: ID!) { deleteCustomerGroup(id: $id) { deletedId } }`, map[string]any{"id": g["id"]}); tk.Str(d, "deleteCustomerGroup", "deletedId") != g["id"] {
		t.Fatalf("delete group: %v", d)
	}
	r := e.GQL(e.A, `query($id: ID!) { customer(id: $id) { id } }`, map[string]any{"id": id})
	if len(r.Errors) != 1 || r.Errors[0].Code() != "CUSTOMER_NOT_FOUND" {
		t.Fatalf("deleted customer: %s", r.Raw)
	}
}

func TestGraphQLValidationErrors(t *testing.T) {
	e := tk.New(t)
	cases := []struct {
		name, query, code, field string
		vars                     map[string]any
	}{
		{"seed 000 example", `mutation { createCustomer(input: {name: "X", email: "bad", paymentTerms: 400}) { id } }`, "INVALID_CUSTOMER_DATA", "paymentTerms", nil},
		{"email or phone", `mutation { createCustomer(input: {name: "X"}) { id } }`, "INVALID_CUSTOMER_DATA", "email", nil},
		{"negative credit", `mutation { createCustomer(input: {name: "X", email: "a@b.co", creditLimit: "-5"}) { id } }`, "INVALID_CUSTOMER_DATA", "creditLimit", nil},
		{"contact name", `mutation($c: ID!) { createContact(input: {customerID: $c, name: ""}) { id } }`, "INVALID_CONTACT_DATA", "name", map[string]any{"c": nil}},
		{"group amount", `mutation { createCustomerGroup(input: {name: "G", amount: "101"}) { id } }`, "INVALID_CUSTOMER_GROUP_DATA", "amount", nil},
	}
	c := gqlCreateCustomer(t, e, e.A, map[string]any{"name": "Holder", "phone": "+60111111111"})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.vars != nil {
				tc.vars["c"] = c["id"]
			}
			r := e.GQL(e.A, tc.query, tc.vars)
			if len(r.Errors) == 0 || r.Errors[0].Code() != tc.code {
				t.Fatalf("want %s: %s", tc.code, r.Raw)
			}
			found := false
			for _, d := range r.Errors[0].Extensions["details"].([]any) {
				if d.(map[string]any)["field"] == tc.field {
					found = true
				}
			}
			if !found {
				t.Fatalf("no detail for %s: %s", tc.field, r.Raw)
			}
		})
	}
	// Scalars reject non-canonical decimals and malformed ids while decoding.
	for _, q := range []string{
		`mutation { createCustomer(input: {name: "X", email: "a@b.co", creditLimit: "1e9"}) { id } }`,
		`mutation { createCustomer(input: {name: "X", email: "a@b.co", creditLimit: "12,50"}) { id } }`,
		`query { customer(id: "cust_notaulid") { id } }`,
		`query { node(id: "42") { id } }`,
		`mutation { createCustomer(input: {name: "X", email: "a@b.co", dob: "1990-13-01"}) { id } }`,
	} {
		r := e.GQL(e.A, q, nil)
		if len(r.Errors) == 0 || r.Errors[0].Code() == "INTERNAL_ERROR" || r.Errors[0].Code() == "" {
			t.Errorf("%s: %s", q, r.Raw)
		}
	}
	r := e.GQL(e.A, `query { customer(id: "cust_notaulid") { id } }`, nil)
	if r.Errors[0].Code() != "VALIDATION_ERROR" {
		t.Errorf("malformed id: %s", r.Raw)
	}
	// A second primary contact names isPrimary.
	for i, want := range []bool{true, false} {
		r := e.GQL(e.A, `mutation($c: ID!) { createContact(input: {customerID: $c, name: "P", isPrimary: true}) { id } }`, map[string]any{"c": c["id"]})
		if (len(r.Errors) == 0) != want {
			t.Fatalf("primary #%d: %s", i+1, r.Raw)
		}
		if !want && r.Errors[0].Extensions["details"].([]any)[0].(map[string]any)["field"] != "isPrimary" {
			t.Fatalf("second primary: %s", r.Raw)
		}
	}
	// Errors never carry driver text.
	if strings.Contains(strings.ToLower(string(r.Raw)), "pq:") || strings.Contains(string(r.Raw), "SQLSTATE") {
		t.Fatalf("driver text leaked: %s", r.Raw)
	}
}

func TestGraphQLCustomerListing(t *testing.T) {
	e := tk.New(t)
	for i := 0; i < 60; i++ {
		tags := []string{"bulk"}
		if i%10 == 0 {
			tags = append(tags, "tenth")
		}
		gqlCreateCustomer(t, e, e.A, map[string]any{"name": fmt.Sprintf("Customer %02d", i), "email": fmt.Sprintf("c%02d@example.com", i), "tags": tags})
	}
	// No first/last: capped at 50, with a next page.
	d := e.MustGQL(e.A, `{ customers { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }`, nil)
	if n := len(tk.Get(d, "customers", "edges").([]any)); n != 50 {
		t.Fatalf("uncapped page: %d edges", n)
	}
	if tk.Get(d, "customers", "totalCount") != float64(60) || tk.Get(d, "customers", "pageInfo", "hasNextPage") != true {
		t.Fatalf("page info: %v", d)
	}
	after := tk.Str(d, "customers", "pageInfo", "endCursor")
	d = e.MustGQL(e.A, `query($a: Cursor) { customers(after: $a) { edges { node { id } } pageInfo { hasNextPage } } }`, map[string]any{"a": after})
	if n := len(tk.Get(d, "customers", "edges").([]any)); n != 10 || tk.Get(d, "customers", "pageInfo", "hasNextPage") != false {
		t.Fatalf("second page: %d %v", n, d)
	}
	for _, q := range []string{`{ customers(first: 101) { totalCount } }`, `{ customers(last: 500) { totalCount } }`, `{ customers(first: -1) { totalCount } }`} {
		r := e.GQL(e.A, q, nil)
		if len(r.Errors) == 0 || r.Errors[0].Code() != "VALIDATION_ERROR" {
			t.Errorf("%s: %s", q, r.Raw)
		}
	}
	d = e.MustGQL(e.A, `{ customers(first: 3, orderBy: [{field: NAME, direction: DESC}], where: {nameHasPrefix: "Customer 5"}) { edges { node { name } } } }`, nil)
	if tk.Str(d, "customers", "edges", 0, "node", "name") != "Customer 59" || tk.Str(d, "customers", "edges", 2, "node", "name") != "Customer 57" {
		t.Fatalf("order/where: %v", d)
	}
	d = e.MustGQL(e.A, `{ customers(search: "C42@EXAMPLE") { totalCount edges { node { name } } } }`, nil)
	if tk.Get(d, "customers", "totalCount") != float64(1) || tk.Str(d, "customers", "edges", 0, "node", "name") != "Customer 42" {
		t.Fatalf("search: %v", d)
	}
	d = e.MustGQL(e.A, `{ customers(tags: ["tenth"]) { totalCount } }`, nil)
	if tk.Get(d, "customers", "totalCount") != float64(6) {
		t.Fatalf("tags: %v", d)
	}
	d = e.MustGQL(e.A, `{ customerGroups { totalCount } }`, nil)
	if tk.Get(d, "customerGroups", "totalCount") != float64(0) {
		t.Fatalf("groups: %v", d)
	}
	// GET serves queries but never mutations.
	r := e.Do(e.A, "GET", "/graphql?query="+urlQuery(`mutation { deleteCustomer(id: "`+string(pulid.New("cust"))+`") { deletedId } }`), nil)
	if r.Status == 200 && !strings.Contains(string(r.Raw), "errors") {
		t.Fatalf("mutation over GET: %d %s", r.Status, r.Raw)
	}
	r = e.Do(e.A, "GET", "/graphql?query="+urlQuery(`{ customers(first: 1) { totalCount } }`), nil)
	if r.Status != 200 || !strings.Contains(string(r.Raw), `"totalCount":60`) {
		t.Fatalf("query over GET: %d %s", r.Status, r.Raw)
	}
}

func urlQuery(s string) string {
	return strings.NewReplacer(" ", "%20", "{", "%7B", "}", "%7D", `"`, "%22", "(", "%28", ")", "%29", ":", "%3A", "!", "%21", "$", "%24").Replace(s)
}
