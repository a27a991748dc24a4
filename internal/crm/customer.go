package crm

import (
	"context"
	"fmt"
	"strings"

	"entgo.io/ent/dialect/sql"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/attachment"
	"github.com/bigledger/bigledger/ent/contact"
	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/ent/invoice"
	"github.com/bigledger/bigledger/ent/ledgerentry"
	"github.com/bigledger/bigledger/ent/note"
	"github.com/bigledger/bigledger/ent/payment"
	"github.com/bigledger/bigledger/ent/quote"
	"github.com/bigledger/bigledger/ent/salesorder"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/events"
	"github.com/bigledger/bigledger/internal/ledger"
	"github.com/bigledger/bigledger/internal/numbering"
	"github.com/bigledger/bigledger/internal/store"
)

// Error codes of the customer workflows (seed 000).
const (
	CodeInvalidCustomer       = "INVALID_CUSTOMER_DATA"
	CodeCustomerNotFound      = "CUSTOMER_NOT_FOUND"
	CodeCustomerHasActivity   = "CUSTOMER_HAS_TRANSACTIONS"
	CodeCustomerIsDefault     = "CUSTOMER_IS_DEFAULT"
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
	// reachOptional drops the email-or-phone rule (seed 003 contacts need
	// only a name; a customer that has a way to reach it keeps one).
	reachOptional bool
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
	if !v.reachOptional && v.email == nil && v.phone == nil && v.mobile == nil {
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
	return prepareParty(in, false)
}

func prepareParty(in *ent.CreateCustomerInput, reachOptional bool) error {
	var d apperr.Details
	trimPtr(&in.ContactCode)
	checkLen(&d, "contactCode", in.ContactCode, 64)
	normalizeCustomerCreate(in, &d)
	cur := "MYR"
	if in.Currency != nil {
		cur = *in.Currency
	}
	validateCustomer(&d, customerView{
		name: &in.Name, email: in.Email, phone: in.Phone, mobile: in.Mobile, website: in.Website,
		taxNumber: in.TaxNumber, currency: in.Currency, paymentTerms: in.PaymentTerms, reachOptional: reachOptional,
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
	return CreateParty(ctx, in, PartyOptions{})
}

// checkCodeFree refuses a contact code another customer of the company
// already uses, as its contact code or its customer number.
func checkCodeFree(ctx context.Context, c *ent.Client, d *apperr.Details, code string, self pulid.ID) error {
	if code == "" {
		d.Add("contactCode", "The contact id must not be empty")
		return nil
	}
	taken, err := c.Customer.Query().Where(customer.IDNEQ(self),
		customer.Or(customer.ContactCode(code), customer.CustomerNumber(code))).Exist(ctx)
	if err != nil {
		return err
	}
	if taken {
		d.Add("contactCode", "The contact id has already been taken")
	}
	return nil
}

// PartyOptions are what a seed-003 contact create adds to a customer
// create: the relaxed reach rule and an opening balance posted in the
// same transaction.
type PartyOptions struct {
	ReachOptional  bool
	OpeningBalance *decimal.Decimal
}

// CreateParty creates a customer (any party type) the way seed 003's
// contact create does: contact code checked, the customer numbered, and
// an opening balance posted to its ledger, all in one transaction.
func CreateParty(ctx context.Context, in ent.CreateCustomerInput, opt PartyOptions) (*ent.Customer, error) {
	if err := prepareParty(&in, opt.ReachOptional); err != nil {
		return nil, err
	}
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.Customer, error) {
		if in.ContactCode != nil {
			var d apperr.Details
			if err := checkCodeFree(ctx, c, &d, *in.ContactCode, ""); err != nil {
				return nil, err
			}
			if err := d.Err(CodeInvalidCustomer, customerValidationMessage); err != nil {
				return nil, err
			}
		}
		number, err := numbering.Next(ctx, c, numbering.Customer, 0)
		if err != nil {
			return nil, err
		}
		cu, err := newCustomer(ctx, c, in, number).Save(ctx)
		if err != nil {
			return nil, customerError(err)
		}
		if err := events.Emit(ctx, events.CustomerCreated, cu.ID, events.CustomerPayload(cu)); err != nil {
			return nil, err
		}
		if opt.OpeningBalance != nil && !opt.OpeningBalance.IsZero() {
			return ledger.SetCustomerOpeningBalance(ctx, cu.ID, *opt.OpeningBalance, nil)
		}
		return cu, nil
	})
}

// UpdateCustomer applies a partial update. The customer row is locked so the
// email-or-phone rule is judged against the state the update replaces.
func UpdateCustomer(ctx context.Context, id pulid.ID, in ent.UpdateCustomerInput) (*ent.Customer, error) {
	return PatchCustomer(ctx, id, in, nil)
}

// AddressPatch changes parts of a customer's address and keeps the rest
// (v2 and seed 003 send the address as flat fields: address, city, state,
// zip, country).
type AddressPatch struct{ Street, Street2, City, State, PostalCode, Country *string }

func (p AddressPatch) Apply(a types.Address) types.Address {
	for _, f := range []struct {
		v   *string
		dst *string
	}{{p.Street, &a.Street}, {p.Street2, &a.Street2}, {p.City, &a.City}, {p.State, &a.State}, {p.PostalCode, &a.PostalCode}, {p.Country, &a.Country}} {
		if f.v != nil {
			*f.dst = strings.TrimSpace(*f.v)
		}
	}
	return a
}

// CustomerPatch is what a partial update merges onto the stored customer
// under its row lock, beside the fields it replaces: parts of the
// address, single keys of the custom and extra field maps (a nil value
// removes the key), and the shipping address as one line of text.
type CustomerPatch struct {
	Address      *AddressPatch
	CustomFields map[string]any
	ExtraFields  map[string]any
	// ShippingText replaces the shipping address with one line; the
	// line the address prints as (AddressLine) leaves it as it is, and
	// "" clears it, so a read-then-write round trip loses nothing.
	ShippingText *string
	// ReachOptional drops the email-or-phone rule unless the stored
	// customer satisfies it (seed 003 contacts need only a name).
	ReachOptional bool
	// PayTermNumber sets the payment terms in the customer's pay-term
	// unit (the update's payTermType, else the stored one).
	PayTermNumber *int
	// OpeningBalance, when it differs from the stored one, reposts the
	// opening balance in the same transaction.
	OpeningBalance *decimal.Decimal
}

// PayTermDays turns a pay term in its unit (days; months of 30 days)
// into the payment terms invoices fall due by, refusing what is out of
// range (0–365 days, 0–12 months).
func PayTermDays(n int, unit *customer.PayTermType) (int, error) {
	if unit != nil && *unit == customer.PayTermTypeMonths {
		if n < 0 || n > 12 {
			return 0, apperr.Validation(CodeInvalidCustomer, customerValidationMessage,
				apperr.Detail{Field: "payTermNumber", Message: "A pay term in months must be between 0 and 12"})
		}
		return n * 30, nil
	}
	if n < 0 || n > 365 {
		return 0, apperr.Validation(CodeInvalidCustomer, customerValidationMessage,
			apperr.Detail{Field: "payTermNumber", Message: "A pay term in days must be between 0 and 365"})
	}
	return n, nil
}

// PayTermNumber is a customer's payment terms in its pay-term unit.
func PayTermNumber(c *ent.Customer) int {
	if c.PayTermType != nil && *c.PayTermType == customer.PayTermTypeMonths {
		return c.PaymentTerms / 30
	}
	return c.PaymentTerms
}

// AddressLine prints an address on one line, its parts comma-separated.
func AddressLine(a types.Address) string {
	var parts []string
	for _, p := range []string{a.Street, a.Street2, a.City, a.State, a.PostalCode, a.Country} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

func mergeMap(old, patch map[string]any) map[string]any {
	out := make(map[string]any, len(old)+len(patch))
	for k, v := range old {
		out[k] = v
	}
	for k, v := range patch {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// PatchCustomer is UpdateCustomer with a CustomerPatch merged onto the
// stored customer in the same transaction (nil: none).
func PatchCustomer(ctx context.Context, id pulid.ID, in ent.UpdateCustomerInput, patch *CustomerPatch) (*ent.Customer, error) {
	var d apperr.Details
	if patch == nil {
		patch = &CustomerPatch{}
	}
	trimPtr(&in.ContactCode)
	checkLen(&d, "contactCode", in.ContactCode, 64)
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
		if patch.Address != nil {
			a := patch.Address.Apply(old.Address)
			in.Address, in.ClearAddress = &a, false
		}
		if patch.CustomFields != nil {
			in.CustomFields, in.ClearCustomFields = mergeMap(old.CustomFields, patch.CustomFields), false
		}
		if patch.ExtraFields != nil {
			in.ExtraFields, in.ClearExtraFields = mergeMap(old.ExtraFields, patch.ExtraFields), false
		}
		if t := patch.ShippingText; t != nil && strings.TrimSpace(*t) != AddressLine(old.ShippingAddress) {
			if line := strings.TrimSpace(*t); line == "" {
				in.ShippingAddress, in.ClearShippingAddress = nil, true
			} else {
				in.ShippingAddress, in.ClearShippingAddress = &types.Address{Street: line}, false
			}
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
		if patch.PayTermNumber != nil {
			unit := old.PayTermType
			if in.PayTermType != nil {
				unit = in.PayTermType
			} else if in.ClearPayTermType {
				unit = nil
			}
			days, err := PayTermDays(*patch.PayTermNumber, unit)
			if err != nil {
				return nil, err
			}
			in.PaymentTerms = &days
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
			name:          name,
			email:         pick(in.ClearEmail, in.Email, old.Email),
			phone:         pick(in.ClearPhone, in.Phone, old.Phone),
			mobile:        pick(in.ClearMobile, in.Mobile, old.Mobile),
			website:       pick(in.ClearWebsite, in.Website, old.Website),
			taxNumber:     pick(in.ClearTaxNumber, in.TaxNumber, old.TaxNumber),
			currency:      &cur,
			paymentTerms:  terms,
			reachOptional: patch.ReachOptional && old.Email == nil && old.Phone == nil && old.Mobile == nil,
		})
		checkAmount(&d, "creditLimit", in.CreditLimit, cur, false)
		checkRange(&d, "latitude", in.Latitude, -90, 90)
		checkRange(&d, "longitude", in.Longitude, -180, 180)
		if in.Currency != nil && *in.Currency != old.Currency && (!old.CurrentBalance.IsZero() || !old.TotalSales.IsZero()) {
			d.Add("currency", "Currency cannot change once the customer has transactions")
		}
		if in.ContactCode != nil && !in.ClearContactCode {
			if err := checkCodeFree(ctx, c, &d, *in.ContactCode, id); err != nil {
				return nil, err
			}
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
		if err := events.Emit(ctx, events.CustomerUpdated, cu.ID, events.CustomerPayload(cu)); err != nil {
			return nil, err
		}
		if ob := patch.OpeningBalance; ob != nil && !ob.Equal(old.OpeningBalance) {
			return ledger.SetCustomerOpeningBalance(ctx, cu.ID, *ob, nil)
		}
		return cu, nil
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
		if cu.IsDefault {
			return store.Done{}, apperr.Conflict(CodeCustomerIsDefault,
				fmt.Sprintf("Customer '%s' is the company's default customer and cannot be deleted", id))
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
		// Its documents and notes go with it, files included.
		noteIDs, err := c.Note.Query().Where(note.CustomerID(id)).IDs(ctx)
		if err != nil {
			return store.Done{}, err
		}
		if _, err := c.Attachment.Delete().Where(attachment.DocumentTypeEQ(attachment.DocumentTypeNote),
			attachment.DocumentIDIn(noteIDs...)).Exec(ctx); err != nil {
			return store.Done{}, err
		}
		if _, err := c.Note.Delete().Where(note.CustomerID(id)).Exec(ctx); err != nil {
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
	if ent.IsConstraintError(err) && strings.Contains(err.Error(), "contact_code") {
		// Two writers raced to the same contact code; the index decided.
		return apperr.Validation(CodeInvalidCustomer, customerValidationMessage,
			apperr.Detail{Field: "contactCode", Message: "The contact id has already been taken"})
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
