package crm

import (
	"context"
	"fmt"
	"strings"

	"entgo.io/ent/dialect/sql"
	"github.com/lib/pq"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/contact"
	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/ent/invoice"
	"github.com/bigledger/bigledger/ent/ledgerentry"
	"github.com/bigledger/bigledger/ent/payment"
	"github.com/bigledger/bigledger/ent/quote"
	"github.com/bigledger/bigledger/ent/salesorder"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/events"
	"github.com/bigledger/bigledger/internal/numbering"
	"github.com/bigledger/bigledger/internal/store"
)

// Error codes of the customer workflows (seed 000).
const (
	CodeInvalidCustomer       = "INVALID_CUSTOMER_DATA"
	CodeCustomerNotFound      = "CUSTOMER_NOT_FOUND"
	CodeCustomerHasActivity   = "CUSTOMER_HAS_TRANSACTIONS"
	customerValidationMessage = "Customer validation failed"
)

// CustomerNotFound is the error for a missing (or another company's) customer.
func CustomerNotFound(id pulid.ID) error {
	return apperr.NotFound(CodeCustomerNotFound, fmt.Sprintf("Customer with ID '%s' not found", id))
}

// customerView is the effective state a customer write would leave, which
// is what validation judges (an update may clear email only if phone stays).
type customerView struct {
	name, email, phone, mobile, website, taxNumber, currency *string
	paymentTerms                                             *int
}

func normalizeCustomerCreate(in *ent.CreateCustomerInput, d *apperr.Details) {
	in.Name = strings.TrimSpace(in.Name)
	for _, p := range []**string{&in.Email, &in.Phone, &in.Mobile, &in.Landline, &in.AlternateNumber,
		&in.Website, &in.TaxNumber, &in.Prefix, &in.FirstName, &in.MiddleName, &in.LastName,
		&in.SupplierBusinessName, &in.Currency} {
		trimPtr(p)
	}
	if in.Email != nil {
		e := strings.ToLower(*in.Email)
		in.Email = &e
	}
	if in.Currency != nil {
		c := strings.ToUpper(*in.Currency)
		in.Currency = &c
	}
	in.Tags = normalizeTags(d, in.Tags)
}

func validateCustomer(d *apperr.Details, v customerView) {
	if v.name == nil || *v.name == "" {
		d.Add("name", "Name is required")
	}
	checkLen(d, "name", v.name, 200)
	if v.email == nil && v.phone == nil && v.mobile == nil {
		d.Add("email", "Email or phone is required")
	}
	checkEmail(d, "email", v.email)
	checkLen(d, "email", v.email, 254)
	checkPhone(d, "phone", v.phone)
	checkPhone(d, "mobile", v.mobile)
	checkURL(d, "website", v.website)
	checkLen(d, "website", v.website, 500)
	checkLen(d, "taxNumber", v.taxNumber, 64)
	checkCurrency(d, "currency", v.currency)
	if v.paymentTerms != nil && (*v.paymentTerms < 0 || *v.paymentTerms > 365) {
		d.Add("paymentTerms", "Payment terms must be between 0 and 365 days")
	}
}

// prepareCustomer normalizes and validates a new customer as every
// create path judges it (one customer or a batch).
func prepareCustomer(in *ent.CreateCustomerInput) error {
	var d apperr.Details
	normalizeCustomerCreate(in, &d)
	cur := "MYR"
	if in.Currency != nil {
		cur = *in.Currency
	}
	validateCustomer(&d, customerView{
		name: &in.Name, email: in.Email, phone: in.Phone, mobile: in.Mobile, website: in.Website,
		taxNumber: in.TaxNumber, currency: in.Currency, paymentTerms: in.PaymentTerms,
	})
	checkAmount(&d, "creditLimit", in.CreditLimit, cur, false)
	checkRange(&d, "latitude", in.Latitude, -90, 90)
	checkRange(&d, "longitude", in.Longitude, -180, 180)
	return d.Err(CodeInvalidCustomer, customerValidationMessage)
}

// newCustomer is the create builder of one prepared customer.
func newCustomer(ctx context.Context, c *ent.Client, in ent.CreateCustomerInput, number string) *ent.CustomerCreate {
	create := c.Customer.Create().SetInput(in).SetCustomerNumber(number)
	if p, ok := auth.FromContext(ctx); ok && p.UserID != "" {
		create.SetCreatedByID(p.UserID)
	}
	return create
}

// CreateCustomer validates the input, allocates the next CUST-NNNN number
// and creates the customer, all in one transaction.
func CreateCustomer(ctx context.Context, in ent.CreateCustomerInput) (*ent.Customer, error) {
	if err := prepareCustomer(&in); err != nil {
		return nil, err
	}
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.Customer, error) {
		number, err := numbering.Next(ctx, c, numbering.Customer, 0)
		if err != nil {
			return nil, err
		}
		cu, err := newCustomer(ctx, c, in, number).Save(ctx)
		if err != nil {
			return nil, customerError(err)
		}
		return cu, events.Emit(ctx, events.CustomerCreated, cu.ID, events.CustomerPayload(cu))
	})
}

// UpdateCustomer applies a partial update. The customer row is locked so the
// email-or-phone rule is judged against the state the update replaces.
func UpdateCustomer(ctx context.Context, id pulid.ID, in ent.UpdateCustomerInput) (*ent.Customer, error) {
	return PatchCustomer(ctx, id, in, nil)
}

// AddressPatch changes parts of a customer's address and keeps the rest
// (v2 sends the address as flat fields: address, city, state, zip, country).
type AddressPatch struct{ Street, City, State, PostalCode, Country *string }

func (p AddressPatch) apply(a types.Address) types.Address {
	for _, f := range []struct {
		v   *string
		dst *string
	}{{p.Street, &a.Street}, {p.City, &a.City}, {p.State, &a.State}, {p.PostalCode, &a.PostalCode}, {p.Country, &a.Country}} {
		if f.v != nil {
			*f.dst = strings.TrimSpace(*f.v)
		}
	}
	return a
}

// PatchCustomer is UpdateCustomer with an address patch merged onto the
// stored address in the same transaction (nil: none).
func PatchCustomer(ctx context.Context, id pulid.ID, in ent.UpdateCustomerInput, addr *AddressPatch) (*ent.Customer, error) {
	var d apperr.Details
	if in.Name != nil {
		n := strings.TrimSpace(*in.Name)
		in.Name = &n
	}
	for _, p := range []**string{&in.Email, &in.Phone, &in.Mobile, &in.Landline, &in.AlternateNumber,
		&in.Website, &in.TaxNumber, &in.Prefix, &in.FirstName, &in.MiddleName, &in.LastName,
		&in.SupplierBusinessName, &in.Currency} {
		trimPtr(p)
	}
	if in.Email != nil {
		e := strings.ToLower(*in.Email)
		in.Email = &e
	}
	if in.Currency != nil {
		c := strings.ToUpper(*in.Currency)
		in.Currency = &c
	}
	in.Tags = normalizeTags(&d, in.Tags)
	in.AppendTags = normalizeTags(&d, in.AppendTags)
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.Customer, error) {
		old, err := c.Customer.Query().Where(customer.ID(id)).ForUpdate().Only(ctx)
		if ent.IsNotFound(err) {
			return nil, CustomerNotFound(id)
		}
		if err != nil {
			return nil, err
		}
		if addr != nil {
			a := addr.apply(old.Address)
			in.Address, in.ClearAddress = &a, false
		}
		pick := func(clear bool, nv, ov *string) *string {
			if clear {
				return nil
			}
			if nv != nil {
				return nv
			}
			return ov
		}
		name := &old.Name
		if in.Name != nil {
			name = in.Name
		}
		cur := old.Currency
		if in.Currency != nil {
			cur = *in.Currency
		}
		terms := &old.PaymentTerms
		if in.PaymentTerms != nil {
			terms = in.PaymentTerms
		}
		validateCustomer(&d, customerView{
			name:         name,
			email:        pick(in.ClearEmail, in.Email, old.Email),
			phone:        pick(in.ClearPhone, in.Phone, old.Phone),
			mobile:       pick(in.ClearMobile, in.Mobile, old.Mobile),
			website:      pick(in.ClearWebsite, in.Website, old.Website),
			taxNumber:    pick(in.ClearTaxNumber, in.TaxNumber, old.TaxNumber),
			currency:     &cur,
			paymentTerms: terms,
		})
		checkAmount(&d, "creditLimit", in.CreditLimit, cur, false)
		checkRange(&d, "latitude", in.Latitude, -90, 90)
		checkRange(&d, "longitude", in.Longitude, -180, 180)
		if in.Currency != nil && *in.Currency != old.Currency && (!old.CurrentBalance.IsZero() || !old.TotalSales.IsZero()) {
			d.Add("currency", "Currency cannot change once the customer has transactions")
		}
		if err := d.Err(CodeInvalidCustomer, customerValidationMessage); err != nil {
			return nil, err
		}
		// entgql v0.7.0's generated Mutate appends in.Tags instead of
		// in.AppendTags, so the append is applied here.
		appendTags := in.AppendTags
		in.AppendTags = nil
		upd := c.Customer.UpdateOne(old).SetInput(in)
		if len(appendTags) > 0 {
			upd.AppendTags(appendTags)
		}
		cu, err := upd.Save(ctx)
		if err != nil {
			return nil, customerError(err)
		}
		return cu, events.Emit(ctx, events.CustomerUpdated, cu.ID, events.CustomerPayload(cu))
	})
}

// DeleteCustomer deletes a customer and its contacts, refusing when the
// customer has any document or financial activity (seed 000: "only if no
// transactions exist"). Each new document kind adds its table here.
func DeleteCustomer(ctx context.Context, id pulid.ID) (pulid.ID, error) {
	_, err := store.InTx(ctx, func(ctx context.Context, c *ent.Client) (store.Done, error) {
		cu, err := c.Customer.Query().Where(customer.ID(id)).ForUpdate().Only(ctx)
		if ent.IsNotFound(err) {
			return store.Done{}, CustomerNotFound(id)
		}
		if err != nil {
			return store.Done{}, err
		}
		hasDocs := false
		for _, exists := range []func(context.Context) (bool, error){
			c.Invoice.Query().Where(invoice.CustomerID(id)).Exist,
			c.Quote.Query().Where(quote.CustomerID(id)).Exist,
			c.SalesOrder.Query().Where(salesorder.CustomerID(id)).Exist,
			c.Payment.Query().Where(payment.CustomerID(id)).Exist,
			c.LedgerEntry.Query().Where(ledgerentry.CustomerID(id)).Exist,
		} {
			found, err := exists(ctx)
			if err != nil {
				return store.Done{}, err
			}
			hasDocs = hasDocs || found
		}
		if hasDocs || hasActivity(cu) {
			return store.Done{}, apperr.Conflict(CodeCustomerHasActivity,
				fmt.Sprintf("Customer '%s' has transactions and cannot be deleted; set its status to inactive instead", id))
		}
		if _, err := c.Contact.Delete().Where(contact.CustomerID(id)).Exec(ctx); err != nil {
			return store.Done{}, err
		}
		if err := c.Customer.DeleteOne(cu).Exec(ctx); err != nil {
			return store.Done{}, err
		}
		return store.Done{}, nil
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// hasActivity reports whether a customer carries financial history. The
// derived balance and sales totals move with every posted document, so
// any non-zero value means a transaction exists.
func hasActivity(cu *ent.Customer) bool {
	return !cu.CurrentBalance.IsZero() || !cu.TotalSales.IsZero() || !cu.OpeningBalance.IsZero() || cu.LastSaleDate != nil
}

// customerError turns ent's referential errors on customer writes into the
// customer catalogue's codes.
func customerError(err error) error {
	if err == nil {
		return nil
	}
	ae := apperr.From(err)
	if ae.Kind == apperr.KindValidation && ae.Code == "VALIDATION_ERROR" {
		ae = &apperr.Error{Kind: ae.Kind, Code: CodeInvalidCustomer, Message: customerValidationMessage, Details: ae.Details}
		for i := range ae.Details {
			if ae.Details[i].Field == "groupId" {
				ae.Details[i].Message = "Customer group not found"
			}
		}
	}
	return ae
}

// SearchCustomers narrows a customer query by a free-text term matched
// against name, email, phone and customer number (seed 000 `search`).
func SearchCustomers(term string) func(*sql.Selector) {
	f, _ := SearchCustomersIn(term, nil)
	return f
}

// SearchFields are the customer fields a search may be limited to (seed
// 001 searchFields=name,email,phone), by their API names.
var SearchFields = map[string][]string{
	"name": {customer.FieldName}, "email": {customer.FieldEmail}, "phone": {customer.FieldPhone, customer.FieldMobile},
	"mobile": {customer.FieldMobile}, "customerNumber": {customer.FieldCustomerNumber}, "taxNumber": {customer.FieldTaxNumber},
}

// SearchCustomersIn is SearchCustomers over the named fields only (nil:
// name, email, phone, mobile and customer number). An unknown field is an
// error naming it.
func SearchCustomersIn(term string, fields []string) (func(*sql.Selector), error) {
	term = strings.TrimSpace(term)
	cols := []string{customer.FieldName, customer.FieldEmail, customer.FieldPhone, customer.FieldMobile, customer.FieldCustomerNumber}
	if fields != nil {
		cols = nil
		for _, f := range fields {
			c, ok := SearchFields[f]
			if !ok {
				return nil, fmt.Errorf("cannot search %q; searchable: customerNumber, email, mobile, name, phone, taxNumber", f)
			}
			cols = append(cols, c...)
		}
	}
	return func(s *sql.Selector) {
		if term == "" {
			return
		}
		pattern := store.ContainsPattern(term)
		ps := make([]*sql.Predicate, len(cols))
		for i, c := range cols {
			ps[i] = store.ILike(s.C(c), pattern)
		}
		s.Where(sql.Or(ps...))
	}, nil
}

// WithAnyTag narrows a customer query to customers carrying any of tags.
func WithAnyTag(tags []string) func(*sql.Selector) {
	return func(s *sql.Selector) {
		if len(tags) == 0 {
			return
		}
		s.Where(sql.P(func(b *sql.Builder) {
			b.Ident(s.C(customer.FieldTags)).WriteString(" ?| ").Arg(pq.StringArray(tags)).WriteString("::text[]")
		}))
	}
}
