package testkit

import (
	"fmt"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/internal/crm"
)

// SeedCustomers creates n customers for tn through the domain workflows,
// spread over groups customer groups, each with contactsEach contacts.
func (e *Env) SeedCustomers(tn Tenant, n, groups, contactsEach int) []*ent.Customer {
	e.T.Helper()
	ctx := e.Ctx(tn)
	var gs []*ent.CustomerGroup
	for i := 0; i < groups; i++ {
		g, err := crm.CreateCustomerGroup(ctx, ent.CreateCustomerGroupInput{Name: fmt.Sprintf("Group %d", i)})
		if err != nil {
			e.T.Fatal(err)
		}
		gs = append(gs, g)
	}
	out := make([]*ent.Customer, 0, n)
	for i := 0; i < n; i++ {
		email := fmt.Sprintf("customer%03d@example.com", i)
		in := ent.CreateCustomerInput{Name: fmt.Sprintf("Customer %03d", i), Email: &email}
		if len(gs) > 0 {
			in.GroupID = &gs[i%len(gs)].ID
		}
		c, err := crm.CreateCustomer(ctx, in)
		if err != nil {
			e.T.Fatal(err)
		}
		for j := 0; j < contactsEach; j++ {
			if _, err := crm.CreateContact(ctx, ent.CreateContactInput{CustomerID: c.ID, Name: fmt.Sprintf("Person %d", j)}); err != nil {
				e.T.Fatal(err)
			}
		}
		out = append(out, c)
	}
	return out
}
