package crm

import (
	"context"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/contact"
	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/ent/customergroup"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/store"
)

// CustomerFilter holds the list filters that ent's WhereInput cannot
// express: free-text search and tags.
type CustomerFilter struct {
	Search  string
	Tags    []string
	Status  *customer.Status
	GroupID *pulid.ID
	Type    *customer.Type
}

// Customers starts a customer query for the acting company with f applied.
func Customers(ctx context.Context, f CustomerFilter) *ent.CustomerQuery {
	q := store.Client(ctx).Customer.Query()
	if f.Search != "" {
		q = q.Where(SearchCustomers(f.Search))
	}
	if len(f.Tags) > 0 {
		q = q.Where(WithAnyTag(f.Tags))
	}
	if f.Status != nil {
		q = q.Where(customer.StatusEQ(*f.Status))
	}
	if f.GroupID != nil {
		q = q.Where(customer.GroupID(*f.GroupID))
	}
	if f.Type != nil {
		q = q.Where(customer.TypeEQ(*f.Type))
	}
	return q
}

// GetCustomer loads one customer; with eager set, the caller's extra
// loading (CollectFields, WithContacts) is applied through it.
func GetCustomer(ctx context.Context, id pulid.ID, eager func(*ent.CustomerQuery) (*ent.CustomerQuery, error)) (*ent.Customer, error) {
	q := store.Client(ctx).Customer.Query().Where(customer.ID(id))
	if eager != nil {
		var err error
		if q, err = eager(q); err != nil {
			return nil, err
		}
	}
	cu, err := q.Only(ctx)
	if ent.IsNotFound(err) {
		return nil, CustomerNotFound(id)
	}
	return cu, err
}

// GetContact loads one contact.
func GetContact(ctx context.Context, id pulid.ID) (*ent.Contact, error) {
	ct, err := store.Client(ctx).Contact.Query().Where(contact.ID(id)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, ContactNotFound(id)
	}
	return ct, err
}

// ContactsOf lists a customer's contacts, primary first. A missing (or
// another company's) customer is CUSTOMER_NOT_FOUND, not an empty list.
func ContactsOf(ctx context.Context, customerID pulid.ID) ([]*ent.Contact, error) {
	c := store.Client(ctx)
	ok, err := c.Customer.Query().Where(customer.ID(customerID)).Exist(ctx)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, CustomerNotFound(customerID)
	}
	q := c.Contact.Query().Where(contact.CustomerID(customerID))
	OrderContacts(q)
	return q.All(ctx)
}

// GetCustomerGroup loads one group.
func GetCustomerGroup(ctx context.Context, id pulid.ID) (*ent.CustomerGroup, error) {
	g, err := store.Client(ctx).CustomerGroup.Query().Where(customergroup.ID(id)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, GroupNotFound(id)
	}
	return g, err
}

// OrderContacts orders eager-loaded contacts: primary first, then by name.
func OrderContacts(q *ent.ContactQuery) {
	q.Order(ent.Desc(contact.FieldIsPrimary), ent.Asc(contact.FieldName), ent.Asc(contact.FieldID))
}

// LoadContacts loads the contacts of a page of customers with one query.
func LoadContacts(ctx context.Context, customers []*ent.Customer) error {
	if len(customers) == 0 {
		return nil
	}
	ids := make([]pulid.ID, len(customers))
	byID := make(map[pulid.ID]*ent.Customer, len(customers))
	for i, c := range customers {
		ids[i] = c.ID
		byID[c.ID] = c
		c.Edges.Contacts = []*ent.Contact{}
	}
	q := store.Client(ctx).Contact.Query().Where(contact.CustomerIDIn(ids...))
	OrderContacts(q)
	cts, err := q.All(ctx)
	if err != nil {
		return err
	}
	for _, ct := range cts {
		if c := byID[ct.CustomerID]; c != nil {
			c.Edges.Contacts = append(c.Edges.Contacts, ct)
		}
	}
	return nil
}
