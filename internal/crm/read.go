package crm

import (
	"context"
	"strings"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect/sql"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/contact"
	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/ent/customergroup"
	"github.com/bigledger/bigledger/ent/predicate"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/apperr"
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

// DirectoryFilter narrows seed 003's contact directory.
type DirectoryFilter struct {
	// Kind is customer (customer and both parties), supplier (supplier
	// and both) or "" (every party).
	Kind string
	// Search matches name, supplier business name, the phone numbers,
	// email, contact code and customer number.
	Search string
	// IDs, when set, keeps only these customers.
	IDs []pulid.ID
	// Located keeps active customers with both coordinates (the map).
	Located bool
}

// Directory starts the acting company's contact-directory query with f
// applied, ordered by name.
func Directory(ctx context.Context, f DirectoryFilter) *ent.CustomerQuery {
	q := store.Client(ctx).Customer.Query()
	switch f.Kind {
	case "customer":
		q = q.Where(customer.PartyTypeIn(customer.PartyTypeCustomer, customer.PartyTypeBoth))
	case "supplier":
		q = q.Where(customer.PartyTypeIn(customer.PartyTypeSupplier, customer.PartyTypeBoth))
	}
	if f.Search != "" {
		pattern := store.ContainsPattern(strings.TrimSpace(f.Search))
		q = q.Where(func(s *sql.Selector) {
			cols := []string{customer.FieldName, customer.FieldSupplierBusinessName, customer.FieldMobile, customer.FieldLandline,
				customer.FieldAlternateNumber, customer.FieldEmail, customer.FieldContactCode, customer.FieldCustomerNumber}
			ps := make([]*sql.Predicate, len(cols))
			for i, c := range cols {
				ps[i] = store.ILike(s.C(c), pattern)
			}
			s.Where(sql.Or(ps...))
		})
	}
	if f.IDs != nil {
		q = q.Where(customer.IDIn(f.IDs...))
	}
	if f.Located {
		q = q.Where(customer.StatusEQ(customer.StatusActive), customer.LatitudeNotNil(), customer.LongitudeNotNil())
	}
	return q.Order(ent.Asc(customer.FieldName), ent.Asc(customer.FieldID))
}

// digitsOnly keeps a phone number's digits.
func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mobileSuffix is how many trailing digits decide that two mobile numbers
// are the same line (+60 12-345 6789 and 012 345 6789 are).
const mobileSuffix = 9

// Duplicates is what a duplicate check found: the other customers' names.
type Duplicates struct{ Names []string }

// MobileDuplicates lists the customers (but except) whose mobile number
// ends with the same digits as mobile (the last nine; all of them when
// shorter), as the web contact form's duplicate check does.
func MobileDuplicates(ctx context.Context, mobile string, except *pulid.ID) (Duplicates, error) {
	d := digitsOnly(mobile)
	if len(d) > mobileSuffix {
		d = d[len(d)-mobileSuffix:]
	}
	if d == "" {
		return Duplicates{}, apperr.Validation(CodeInvalidCustomer, customerValidationMessage,
			apperr.Detail{Field: "mobile_number", Message: "The mobile number must contain digits"})
	}
	q := store.Client(ctx).Customer.Query().Where(customer.MobileNotNil(), func(s *sql.Selector) {
		s.Where(sql.P(func(b *sql.Builder) {
			b.WriteString("regexp_replace(").Ident(s.C(customer.FieldMobile)).WriteString(", '[^0-9]', '', 'g') LIKE ").Arg("%" + d)
		}))
	})
	return duplicates(ctx, q, except)
}

// TaxNumberDuplicates lists the customers (but except) with exactly this
// tax number.
func TaxNumberDuplicates(ctx context.Context, taxNumber string, except *pulid.ID) (Duplicates, error) {
	q := store.Client(ctx).Customer.Query().Where(customer.TaxNumber(strings.TrimSpace(taxNumber)))
	return duplicates(ctx, q, except)
}

func duplicates(ctx context.Context, q *ent.CustomerQuery, except *pulid.ID) (Duplicates, error) {
	if except != nil {
		ok, err := store.Client(ctx).Customer.Query().Where(customer.ID(*except)).Exist(ctx)
		if err != nil {
			return Duplicates{}, err
		}
		if !ok {
			return Duplicates{}, apperr.Validation(CodeInvalidCustomer, customerValidationMessage,
				apperr.Detail{Field: "contact_id", Message: "The selected contact id is invalid"})
		}
		q = q.Where(customer.IDNEQ(*except))
	}
	names, err := q.Order(ent.Asc(customer.FieldName), ent.Asc(customer.FieldID)).Limit(50).Select(customer.FieldName).Strings(ctx)
	if err != nil {
		return Duplicates{}, err
	}
	if names == nil {
		names = []string{}
	}
	return Duplicates{Names: names}, nil
}

// Groups starts the acting company's customer group query with pred (nil:
// all) in order (nil: by name), the id breaking ties.
func Groups(ctx context.Context, pred predicate.CustomerGroup, order *ent.CustomerGroupOrder) *ent.CustomerGroupQuery {
	q := store.Client(ctx).CustomerGroup.Query()
	if pred != nil {
		q = q.Where(pred)
	}
	col, desc := customergroup.FieldName, false
	if order != nil {
		desc = order.Direction == entgql.OrderDirectionDesc
		if order.Field == ent.CustomerGroupOrderFieldCreatedAt {
			col = customergroup.FieldCreatedAt
		}
	}
	if desc {
		return q.Order(ent.Desc(col), ent.Desc(customergroup.FieldID))
	}
	return q.Order(ent.Asc(col), ent.Asc(customergroup.FieldID))
}

// SellingContact loads a contact that can be sold to (a customer or a
// "both" contact): a supplier is refused with a validation error naming
// what it cannot have (sells, subscriptions).
func SellingContact(ctx context.Context, id pulid.ID, what string) (*ent.Customer, error) {
	cu, err := GetCustomer(ctx, id, nil)
	if err != nil {
		return nil, err
	}
	if cu.PartyType == customer.PartyTypeSupplier {
		return nil, apperr.Validation(CodeInvalidCustomer, "The contact is a supplier: "+what+" are kept for customer and both contacts",
			apperr.Detail{Field: "id", Message: "The contact is not a customer"})
	}
	return cu, nil
}
