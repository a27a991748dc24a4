package rest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/crm"
	"github.com/bigledger/bigledger/internal/money"
)

// Seed 003's contact directory (/api/v1/integration/contacts): a contact
// is a Customer of any party type; the directory's snake_case fields map
// onto the customer's (README "Seed 003 contacts").

// contactListItem is seed 003's ContactListItem.
type contactListItem struct {
	ID                   pulid.ID `json:"id"`
	Type                 string   `json:"type"`
	Name                 string   `json:"name"`
	SupplierBusinessName *string  `json:"supplier_business_name"`
	ContactID            *string  `json:"contact_id"`
	Email                *string  `json:"email"`
	Mobile               *string  `json:"mobile"`
	Landline             *string  `json:"landline"`
	City                 *string  `json:"city"`
	State                *string  `json:"state"`
	Country              *string  `json:"country"`
	TaxNumber            *string  `json:"tax_number"`
	ContactStatus        *string  `json:"contact_status"`
	CreditLimit          *amount  `json:"credit_limit"`
}

// contactDetail is seed 003's ContactDetail: the list item, the name and
// address parts, balance, pay terms, custom and export fields; with the
// fields its create accepts (contact_type, position, the extended
// address) and the customer's own (customer_number, currency,
// opening_balance) so a GET → PUT round trip loses nothing.
type contactDetail struct {
	contactListItem
	Prefix                     *string           `json:"prefix"`
	FirstName                  *string           `json:"first_name"`
	MiddleName                 *string           `json:"middle_name"`
	LastName                   *string           `json:"last_name"`
	AddressLine1               *string           `json:"address_line_1"`
	AddressLine2               *string           `json:"address_line_2"`
	ZipCode                    *string           `json:"zip_code"`
	ShippingAddress            *string           `json:"shipping_address"`
	AlternateNumber            *string           `json:"alternate_number"`
	Balance                    amount            `json:"balance"`
	PayTermNumber              *int              `json:"pay_term_number"`
	PayTermType                *string           `json:"pay_term_type"`
	Dob                        *types.Date       `json:"dob"`
	IsDefault                  bool              `json:"is_default"`
	CreatedBy                  *pulid.ID         `json:"created_by"`
	CustomerGroupID            *pulid.ID         `json:"customer_group_id"`
	CreatedAt                  time.Time         `json:"created_at"`
	UpdatedAt                  time.Time         `json:"updated_at"`
	CustomField1               *string           `json:"custom_field1"`
	CustomField2               *string           `json:"custom_field2"`
	CustomField3               *string           `json:"custom_field3"`
	CustomField4               *string           `json:"custom_field4"`
	CustomField5               *string           `json:"custom_field5"`
	CustomField6               *string           `json:"custom_field6"`
	CustomField7               *string           `json:"custom_field7"`
	CustomField8               *string           `json:"custom_field8"`
	CustomField9               *string           `json:"custom_field9"`
	CustomField10              *string           `json:"custom_field10"`
	CustomFieldLabels          map[string]string `json:"custom_field_labels"`
	ShippingCustomFieldDetails any               `json:"shipping_custom_field_details"`
	IsExport                   bool              `json:"is_export"`
	ExportCustomField1         *string           `json:"export_custom_field_1"`
	ExportCustomField2         *string           `json:"export_custom_field_2"`
	ExportCustomField3         *string           `json:"export_custom_field_3"`
	ExportCustomField4         *string           `json:"export_custom_field_4"`
	ExportCustomField5         *string           `json:"export_custom_field_5"`
	ExportCustomField6         *string           `json:"export_custom_field_6"`
	ContactType                string            `json:"contact_type"`
	Position                   *string           `json:"position"`
	LandMark                   *string           `json:"land_mark"`
	StreetName                 *string           `json:"street_name"`
	BuildingNumber             *string           `json:"building_number"`
	AdditionalNumber           *string           `json:"additional_number"`
	AssignedToUsers            []string          `json:"assigned_to_users"`
	CustomerNumber             string            `json:"customer_number"`
	Currency                   string            `json:"currency"`
	OpeningBalance             amount            `json:"opening_balance"`
}

// fieldText is a custom or extra field's value as the text seed 003
// shows (a string as it is, anything else as its JSON).
func fieldText(m map[string]any, key string) *string {
	v, ok := m[key]
	if !ok || v == nil {
		return nil
	}
	if s, ok := v.(string); ok {
		return &s
	}
	b, _ := json.Marshal(v)
	s := string(b)
	return &s
}

func toContactListItem(c *ent.Customer) contactListItem {
	code := c.ContactCode
	if code == nil {
		code = &c.CustomerNumber
	}
	status := string(c.Status)
	return contactListItem{
		ID: c.ID, Type: string(c.PartyType), Name: c.Name, SupplierBusinessName: c.SupplierBusinessName, ContactID: code,
		Email: c.Email, Mobile: c.Mobile, Landline: c.Landline,
		City: optText(c.Address.City), State: optText(c.Address.State), Country: optText(c.Address.Country),
		TaxNumber: c.TaxNumber, ContactStatus: &status, CreditLimit: &amount{c.CreditLimit, c.Currency},
	}
}

func toContactDetail(c *ent.Customer, labels map[string]string) contactDetail {
	cf, xf := c.CustomFields, c.ExtraFields
	n := crm.PayTermNumber(c)
	var unit *string
	if c.PayTermType != nil {
		u := string(*c.PayTermType)
		unit = &u
	}
	if labels == nil {
		labels = map[string]string{}
	}
	out := contactDetail{
		contactListItem: toContactListItem(c),
		Prefix:          c.Prefix, FirstName: c.FirstName, MiddleName: c.MiddleName, LastName: c.LastName,
		AddressLine1: optText(c.Address.Street), AddressLine2: optText(c.Address.Street2), ZipCode: optText(c.Address.PostalCode),
		ShippingAddress: optText(crm.AddressLine(c.ShippingAddress)), AlternateNumber: c.AlternateNumber,
		Balance: amount{c.CurrentBalance, c.Currency}, PayTermNumber: &n, PayTermType: unit, Dob: c.Dob,
		IsDefault: c.IsDefault, CreatedBy: c.CreatedByID, CustomerGroupID: c.GroupID,
		CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
		CustomField1: fieldText(cf, "custom_field1"), CustomField2: fieldText(cf, "custom_field2"),
		CustomField3: fieldText(cf, "custom_field3"), CustomField4: fieldText(cf, "custom_field4"),
		CustomField5: fieldText(cf, "custom_field5"), CustomField6: fieldText(cf, "custom_field6"),
		CustomField7: fieldText(cf, "custom_field7"), CustomField8: fieldText(cf, "custom_field8"),
		CustomField9: fieldText(cf, "custom_field9"), CustomField10: fieldText(cf, "custom_field10"),
		CustomFieldLabels:          labels,
		ShippingCustomFieldDetails: xf["shipping_custom_field_details"],
		IsExport:                   c.IsExport,
		ExportCustomField1:         fieldText(xf, "export_custom_field_1"), ExportCustomField2: fieldText(xf, "export_custom_field_2"),
		ExportCustomField3: fieldText(xf, "export_custom_field_3"), ExportCustomField4: fieldText(xf, "export_custom_field_4"),
		ExportCustomField5: fieldText(xf, "export_custom_field_5"), ExportCustomField6: fieldText(xf, "export_custom_field_6"),
		ContactType: string(c.Type),
		LandMark:    fieldText(xf, "land_mark"), StreetName: fieldText(xf, "street_name"),
		BuildingNumber: fieldText(xf, "building_number"), AdditionalNumber: fieldText(xf, "additional_number"),
		AssignedToUsers: []string{},
		CustomerNumber:  c.CustomerNumber, Currency: c.Currency, OpeningBalance: amount{c.OpeningBalance, c.Currency},
	}
	if users, ok := xf["assigned_to_users"].([]any); ok {
		for _, u := range users {
			if s, ok := u.(string); ok {
				out.AssignedToUsers = append(out.AssignedToUsers, s)
			}
		}
	}
	if c.Latitude != nil && c.Longitude != nil {
		p := c.Latitude.String() + "," + c.Longitude.String()
		out.Position = &p
	}
	return out
}

// addContactRequest is seed 003's Add contact / Update contact body.
type addContactRequest struct {
	Type                       *string         `json:"type"`
	Name                       *string         `json:"name"`
	Mobile                     *string         `json:"mobile"`
	SupplierBusinessName       *string         `json:"supplier_business_name"`
	Prefix                     *string         `json:"prefix"`
	FirstName                  *string         `json:"first_name"`
	MiddleName                 *string         `json:"middle_name"`
	LastName                   *string         `json:"last_name"`
	Email                      *string         `json:"email"`
	ContactID                  *string         `json:"contact_id"`
	TaxNumber                  *string         `json:"tax_number"`
	ContactType                *string         `json:"contact_type"`
	ContactStatus              *string         `json:"contact_status"`
	Dob                        *types.Date     `json:"dob"`
	PayTermNumber              *int            `json:"pay_term_number"`
	PayTermType                *string         `json:"pay_term_type"`
	Landline                   *string         `json:"landline"`
	AlternateNumber            *string         `json:"alternate_number"`
	City                       *string         `json:"city"`
	State                      *string         `json:"state"`
	Country                    *string         `json:"country"`
	AddressLine1               *string         `json:"address_line_1"`
	AddressLine2               *string         `json:"address_line_2"`
	ZipCode                    *string         `json:"zip_code"`
	ShippingAddress            *string         `json:"shipping_address"`
	Position                   *string         `json:"position"`
	LandMark                   *string         `json:"land_mark"`
	StreetName                 *string         `json:"street_name"`
	BuildingNumber             *string         `json:"building_number"`
	AdditionalNumber           *string         `json:"additional_number"`
	CustomerGroupID            *pulid.ID       `json:"customer_group_id"`
	CreditLimit                *decimalValue   `json:"credit_limit"`
	OpeningBalance             *decimalValue   `json:"opening_balance"`
	AssignedToUsers            []pulid.ID      `json:"assigned_to_users"`
	ShippingCustomFieldDetails json.RawMessage `json:"shipping_custom_field_details"`
	CustomField1               *string         `json:"custom_field1"`
	CustomField2               *string         `json:"custom_field2"`
	CustomField3               *string         `json:"custom_field3"`
	CustomField4               *string         `json:"custom_field4"`
	CustomField5               *string         `json:"custom_field5"`
	CustomField6               *string         `json:"custom_field6"`
	CustomField7               *string         `json:"custom_field7"`
	CustomField8               *string         `json:"custom_field8"`
	CustomField9               *string         `json:"custom_field9"`
	CustomField10              *string         `json:"custom_field10"`
	IsExport                   *bool           `json:"is_export"`
	ExportCustomField1         *string         `json:"export_custom_field_1"`
	ExportCustomField2         *string         `json:"export_custom_field_2"`
	ExportCustomField3         *string         `json:"export_custom_field_3"`
	ExportCustomField4         *string         `json:"export_custom_field_4"`
	ExportCustomField5         *string         `json:"export_custom_field_5"`
	ExportCustomField6         *string         `json:"export_custom_field_6"`
	Currency                   *string         `json:"currency"`
}

// contactReadOnly are ContactDetail's fields a client may send back
// unchanged (a GET → PUT round trip); they are ignored.
var contactReadOnly = []string{"id", "balance", "is_default", "created_by", "created_at", "updated_at",
	"custom_field_labels", "customer_number"}

// contactNames renames the customer workflow's fields to seed 003's.
var contactNames = map[string]string{
	"partyType": "type", "type": "contact_type", "status": "contact_status", "supplierBusinessName": "supplier_business_name",
	"contactCode": "contact_id", "taxNumber": "tax_number", "firstName": "first_name", "middleName": "middle_name",
	"lastName": "last_name", "alternateNumber": "alternate_number", "creditLimit": "credit_limit",
	"openingBalance": "opening_balance", "groupId": "customer_group_id", "latitude": "position", "longitude": "position",
	"paymentTerms": "pay_term_number", "payTermNumber": "pay_term_number", "payTermType": "pay_term_type",
	"phone": "mobile", "isExport": "is_export",
}

const contactCode = crm.CodeInvalidCustomer

// decodeContact reads a contact body, dropping the read-only fields a
// client echoes back from a GET.
func decodeContact(r *http.Request) (addContactRequest, fields, error) {
	var body addContactRequest
	raw, err := readBody(r, contactCode)
	if err != nil {
		return body, fields{}, err
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) == nil && m != nil {
		for _, k := range contactReadOnly {
			delete(m, k)
		}
		if len(m) == 0 {
			return body, fields{}, apperr.Validation(contactCode, "No valid fields to update")
		}
		raw, _ = json.Marshal(m)
	}
	f, err := decodeBytes(raw, &body, contactCode, customerValidationMessage)
	if err != nil {
		return body, f, err
	}
	var d apperr.Details
	checkEnum(&d, "type", (*customer.PartyType)(body.Type), customer.PartyTypeValidator)
	checkEnum(&d, "contact_type", (*customer.Type)(body.ContactType), customer.TypeValidator)
	checkEnum(&d, "contact_status", (*customer.Status)(body.ContactStatus), customer.StatusValidator)
	checkEnum(&d, "pay_term_type", (*customer.PayTermType)(body.PayTermType), customer.PayTermTypeValidator)
	if len(body.ShippingCustomFieldDetails) > 0 {
		var v any
		_ = json.Unmarshal(body.ShippingCustomFieldDetails, &v)
		switch v.(type) {
		case []any, map[string]any:
		default:
			d.Add("shipping_custom_field_details", "Must be an array or an object")
		}
	}
	return body, f, d.Err(contactCode, customerValidationMessage)
}

const customerValidationMessage = "Customer validation failed"

// position parses seed 003's "latitude,longitude" text.
func position(s string) (lat, lng decimal.Decimal, err error) {
	a, b, ok := strings.Cut(s, ",")
	if ok {
		if lat, err = money.Parse(strings.TrimSpace(a)); err == nil {
			lng, err = money.Parse(strings.TrimSpace(b))
		}
	}
	if !ok || err != nil {
		return lat, lng, validationFor(contactCode, "position", `Position must be "latitude,longitude", e.g. "3.139003,101.686855"`)
	}
	return lat, lng, nil
}

// fieldMaps are the request's custom and extra fields as map patches (a
// null removes the key); is_export false ignores the export fields.
func (b addContactRequest) fieldMaps(f fields) (custom, extra map[string]any) {
	custom, extra = map[string]any{}, map[string]any{}
	put := func(m map[string]any, key string, v *string) {
		switch {
		case v != nil:
			m[key] = *v
		case f.isNull(key):
			m[key] = nil
		}
	}
	for i, v := range []*string{b.CustomField1, b.CustomField2, b.CustomField3, b.CustomField4, b.CustomField5,
		b.CustomField6, b.CustomField7, b.CustomField8, b.CustomField9, b.CustomField10} {
		put(custom, fmt.Sprintf("custom_field%d", i+1), v)
	}
	for _, kv := range []struct {
		k string
		v *string
	}{{"land_mark", b.LandMark}, {"street_name", b.StreetName}, {"building_number", b.BuildingNumber}, {"additional_number", b.AdditionalNumber}} {
		put(extra, kv.k, kv.v)
	}
	if b.IsExport == nil || *b.IsExport {
		for i, v := range []*string{b.ExportCustomField1, b.ExportCustomField2, b.ExportCustomField3,
			b.ExportCustomField4, b.ExportCustomField5, b.ExportCustomField6} {
			put(extra, fmt.Sprintf("export_custom_field_%d", i+1), v)
		}
	}
	if len(b.ShippingCustomFieldDetails) > 0 {
		var v any
		_ = json.Unmarshal(b.ShippingCustomFieldDetails, &v)
		extra["shipping_custom_field_details"] = v
	} else if f.isNull("shipping_custom_field_details") {
		extra["shipping_custom_field_details"] = nil
	}
	if b.AssignedToUsers != nil {
		users := make([]any, len(b.AssignedToUsers))
		for i, u := range b.AssignedToUsers {
			users[i] = string(u)
		}
		extra["assigned_to_users"] = users
	} else if f.isNull("assigned_to_users") {
		extra["assigned_to_users"] = nil
	}
	return custom, extra
}

func withoutNil(m map[string]any) map[string]any {
	for k, v := range m {
		if v == nil {
			delete(m, k)
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

func (b addContactRequest) addressPatch() *crm.AddressPatch {
	if b.AddressLine1 == nil && b.AddressLine2 == nil && b.City == nil && b.State == nil && b.ZipCode == nil && b.Country == nil {
		return nil
	}
	return &crm.AddressPatch{Street: b.AddressLine1, Street2: b.AddressLine2, City: b.City, State: b.State, PostalCode: b.ZipCode, Country: b.Country}
}

// nullAsBlank is the value a null field patches an address part to.
func nullAsBlank(f fields, key string, v *string) *string {
	if v == nil && f.isNull(key) {
		s := ""
		return &s
	}
	return v
}

func (a *API) createParty(r *http.Request) (result, error) {
	b, f, err := decodeContact(r)
	if err != nil {
		return result{}, err
	}
	var d apperr.Details
	if b.Type == nil {
		d.Add("type", "The type field is required")
	}
	if b.Name == nil || strings.TrimSpace(*b.Name) == "" {
		d.Add("name", "The name field is required")
	}
	if err := d.Err(contactCode, customerValidationMessage); err != nil {
		return result{}, err
	}
	custom, extra := b.fieldMaps(f)
	in := ent.CreateCustomerInput{
		Name: *b.Name, PartyType: (*customer.PartyType)(b.Type), Type: (*customer.Type)(b.ContactType),
		Status: (*customer.Status)(b.ContactStatus), Email: b.Email, Mobile: b.Mobile, Landline: b.Landline,
		AlternateNumber: b.AlternateNumber, TaxNumber: b.TaxNumber, Prefix: b.Prefix, FirstName: b.FirstName,
		MiddleName: b.MiddleName, LastName: b.LastName, SupplierBusinessName: b.SupplierBusinessName, Dob: b.Dob,
		ContactCode: b.ContactID, PayTermType: (*customer.PayTermType)(b.PayTermType), IsExport: b.IsExport,
		GroupID: b.CustomerGroupID, CreditLimit: b.CreditLimit.ptr(), Currency: b.Currency,
		CustomFields: withoutNil(custom), ExtraFields: withoutNil(extra),
	}
	if ap := b.addressPatch(); ap != nil {
		addr := ap.Apply(types.Address{})
		in.Address = &addr
	}
	if b.ShippingAddress != nil && strings.TrimSpace(*b.ShippingAddress) != "" {
		in.ShippingAddress = &types.Address{Street: strings.TrimSpace(*b.ShippingAddress)}
	}
	if b.Position != nil && strings.TrimSpace(*b.Position) != "" {
		lat, lng, err := position(*b.Position)
		if err != nil {
			return result{}, err
		}
		in.Latitude, in.Longitude = &lat, &lng
	}
	if b.PayTermNumber != nil {
		days, err := crm.PayTermDays(*b.PayTermNumber, in.PayTermType)
		if err != nil {
			return result{}, v2Names(err, contactNames)
		}
		in.PaymentTerms = &days
	}
	if err := crm.CheckUsers(r.Context(), b.AssignedToUsers); err != nil {
		return result{}, err
	}
	c, err := crm.CreateParty(r.Context(), in, crm.PartyOptions{ReachOptional: true, OpeningBalance: b.OpeningBalance.ptr()})
	if err != nil {
		return result{}, v2Names(err, contactNames)
	}
	return a.contactAnswer(r, c, http.StatusCreated, "Contact added successfully")
}

func (a *API) updateParty(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "cust", crm.CustomerNotFound)
	if err != nil {
		return result{}, err
	}
	b, f, err := decodeContact(r)
	if err != nil {
		return result{}, err
	}
	if b.Name != nil && strings.TrimSpace(*b.Name) == "" || f.isNull("name") {
		return result{}, validationFor(contactCode, "name", "The name field is required")
	}
	if f.isNull("type") {
		return result{}, validationFor(contactCode, "type", "The type field is required")
	}
	if b.Mobile == nil && f.isNull("mobile") {
		// Seed 003: "the controller normalizes null to an empty string".
		b.Mobile = new(string)
	}
	custom, extra := b.fieldMaps(f)
	in := ent.UpdateCustomerInput{
		Name: b.Name, PartyType: (*customer.PartyType)(b.Type), Type: (*customer.Type)(b.ContactType),
		Status: (*customer.Status)(b.ContactStatus),
		Email:  b.Email, ClearEmail: f.isNull("email"),
		Landline: b.Landline, ClearLandline: f.isNull("landline"),
		AlternateNumber: b.AlternateNumber, ClearAlternateNumber: f.isNull("alternate_number"),
		TaxNumber: b.TaxNumber, ClearTaxNumber: f.isNull("tax_number"),
		Prefix: b.Prefix, ClearPrefix: f.isNull("prefix"),
		FirstName: b.FirstName, ClearFirstName: f.isNull("first_name"),
		MiddleName: b.MiddleName, ClearMiddleName: f.isNull("middle_name"),
		LastName: b.LastName, ClearLastName: f.isNull("last_name"),
		SupplierBusinessName: b.SupplierBusinessName, ClearSupplierBusinessName: f.isNull("supplier_business_name"),
		Dob: b.Dob, ClearDob: f.isNull("dob"),
		ContactCode: b.ContactID, ClearContactCode: f.isNull("contact_id"),
		PayTermType: (*customer.PayTermType)(b.PayTermType), ClearPayTermType: f.isNull("pay_term_type"),
		IsExport: b.IsExport, GroupID: b.CustomerGroupID, ClearGroup: f.isNull("customer_group_id"),
		CreditLimit: b.CreditLimit.ptr(), Currency: b.Currency,
	}
	if b.Mobile != nil && strings.TrimSpace(*b.Mobile) == "" {
		in.ClearMobile = true
	} else {
		in.Mobile = b.Mobile
	}
	patch := &crm.CustomerPatch{CustomFields: custom, ExtraFields: extra, ShippingText: nullAsBlank(f, "shipping_address", b.ShippingAddress),
		ReachOptional: true, PayTermNumber: b.PayTermNumber, OpeningBalance: b.OpeningBalance.ptr()}
	if len(custom) == 0 {
		patch.CustomFields = nil
	}
	if len(extra) == 0 {
		patch.ExtraFields = nil
	}
	if ap := b.addressPatch(); ap != nil || f.isNull("address_line_1") || f.isNull("address_line_2") || f.isNull("city") ||
		f.isNull("state") || f.isNull("zip_code") || f.isNull("country") {
		patch.Address = &crm.AddressPatch{Street: nullAsBlank(f, "address_line_1", b.AddressLine1), Street2: nullAsBlank(f, "address_line_2", b.AddressLine2),
			City: nullAsBlank(f, "city", b.City), State: nullAsBlank(f, "state", b.State),
			PostalCode: nullAsBlank(f, "zip_code", b.ZipCode), Country: nullAsBlank(f, "country", b.Country)}
	}
	if b.Position != nil && strings.TrimSpace(*b.Position) != "" {
		lat, lng, err := position(*b.Position)
		if err != nil {
			return result{}, err
		}
		in.Latitude, in.Longitude = &lat, &lng
	} else if f.isNull("position") || b.Position != nil {
		in.ClearLatitude, in.ClearLongitude = true, true
	}
	if err := crm.CheckUsers(r.Context(), b.AssignedToUsers); err != nil {
		return result{}, err
	}
	c, err := crm.PatchCustomer(r.Context(), id, in, patch)
	if err != nil {
		return result{}, v2Names(err, contactNames)
	}
	return a.contactAnswer(r, c, http.StatusOK, "Contact updated successfully")
}

// contactAnswer is seed 003's {message, data: ContactDetail}.
func (a *API) contactAnswer(r *http.Request, c *ent.Customer, status int, message string) (result, error) {
	labels, err := crm.ContactFieldLabels(r.Context())
	if err != nil {
		return result{}, err
	}
	d := toContactDetail(c, labels)
	return result{status: status, data: d, body: contactBody{Message: message, Data: d}}, nil
}

// contactBody is seed 003's answer around one contact.
type contactBody struct {
	Message string        `json:"message,omitempty"`
	Data    contactDetail `json:"data"`
}

func (a *API) getParty(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "cust", crm.CustomerNotFound)
	if err != nil {
		return result{}, err
	}
	c, err := crm.GetCustomer(r.Context(), id, nil)
	if err != nil {
		return result{}, err
	}
	return a.contactAnswer(r, c, http.StatusOK, "")
}

func (a *API) deleteParty(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "cust", crm.CustomerNotFound)
	if err != nil {
		return result{}, err
	}
	if _, err := crm.DeleteCustomer(r.Context(), id); err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, body: deletedBody{Message: "Contact deleted successfully", Data: idOnlyV1{ID: id}}}, nil
}

// deletedBody is seed 003's delete answer.
type deletedBody struct {
	Message string   `json:"message"`
	Data    idOnlyV1 `json:"data"`
}

// contactListBody is seed 003's paginated directory.
type contactListBody struct {
	Data []contactListItem `json:"data"`
	Meta laravelMeta       `json:"meta"`
}

func (a *API) listParties(r *http.Request) (result, error) {
	q := r.URL.Query()
	var d apperr.Details
	kind := q.Get("kind")
	switch {
	case !q.Has("kind") || kind == "":
		d.Add("kind", "The kind field is required")
	case kind != "customer" && kind != "supplier":
		d.Add("kind", "The selected kind is invalid: use customer or supplier")
	}
	search := checkQ(&d, q)
	checkFormat(&d, q)
	pg := parseLaravelPage(&d, q, 20)
	if err := d.Err(contactCode, customerValidationMessage); err != nil {
		return result{}, err
	}
	query := crm.Directory(r.Context(), crm.DirectoryFilter{Kind: kind, Search: search})
	rows, total, err := fetchPage(r.Context(), query, pg)
	if err != nil {
		return result{}, err
	}
	data := make([]contactListItem, len(rows))
	for i, c := range rows {
		data[i] = toContactListItem(c)
	}
	return pg.result(data, contactListBody{Data: data, Meta: pg.meta(total)}, total), nil
}

// contactMapRow is seed 003's ContactMapRow.
type contactMapRow struct {
	ID                   pulid.ID `json:"id"`
	Name                 string   `json:"name"`
	ContactID            *string  `json:"contact_id"`
	Type                 string   `json:"type"`
	SupplierBusinessName *string  `json:"supplier_business_name"`
	ShippingAddress      *string  `json:"shipping_address"`
	Latitude             number   `json:"latitude"`
	Longitude            number   `json:"longitude"`
}

type contactMapMeta struct {
	Kind  string `json:"kind"`
	Total int    `json:"total"`
}

// contactMapBody is seed 003's map answer.
type contactMapBody struct {
	Data []contactMapRow `json:"data"`
	Meta contactMapMeta  `json:"meta"`
}

// contactIDs reads contact_ids[] (or contact_ids, repeated or
// comma-separated); an id that is not a customer id is a detail.
func contactIDs(d *apperr.Details, q map[string][]string) []pulid.ID {
	var raw []string
	for _, k := range []string{"contact_ids[]", "contact_ids"} {
		for _, v := range q[k] {
			raw = append(raw, splitList(v)...)
		}
	}
	if raw == nil {
		return nil
	}
	ids := make([]pulid.ID, 0, len(raw))
	for i, s := range raw {
		id, err := pulid.ParseWithPrefix(s, "cust")
		if err != nil {
			d.Add(fmt.Sprintf("contact_ids.%d", i), "The selected contact id is invalid")
			continue
		}
		ids = append(ids, id)
	}
	return ids
}

func (a *API) contactMap(r *http.Request) (result, error) {
	q := r.URL.Query()
	var d apperr.Details
	kind := q.Get("kind")
	switch kind {
	case "":
		kind = "all"
	case "all", "customer", "supplier":
	default:
		d.Add("kind", "The selected kind is invalid: use all, customer or supplier")
	}
	ids := contactIDs(&d, q)
	checkFormat(&d, q)
	if err := d.Err(contactCode, customerValidationMessage); err != nil {
		return result{}, err
	}
	f := crm.DirectoryFilter{Kind: kind, IDs: ids, Located: true}
	if kind == "all" {
		f.Kind = ""
	}
	rows, err := crm.Directory(r.Context(), f).All(r.Context())
	if err != nil {
		return result{}, err
	}
	data := make([]contactMapRow, len(rows))
	for i, c := range rows {
		li := toContactListItem(c)
		data[i] = contactMapRow{ID: c.ID, Name: c.Name, ContactID: li.ContactID, Type: li.Type, SupplierBusinessName: c.SupplierBusinessName,
			ShippingAddress: optText(crm.AddressLine(c.ShippingAddress)), Latitude: number{*c.Latitude}, Longitude: number{*c.Longitude}}
	}
	return result{status: http.StatusOK, data: data, body: contactMapBody{Data: data, Meta: contactMapMeta{Kind: kind, Total: len(data)}}}, nil
}

// mobileCheck and taxNumberCheck are seed 003's duplicate-check answers.
type mobileCheck struct {
	IsMobileExists       bool     `json:"is_mobile_exists"`
	Msg                  string   `json:"msg"`
	MatchingContactNames []string `json:"matching_contact_names"`
}

type taxNumberCheck struct {
	IsTaxNumberExists    bool     `json:"is_tax_number_exists"`
	Msg                  string   `json:"msg"`
	MatchingContactNames []string `json:"matching_contact_names"`
}

type mobileCheckBody struct {
	Data mobileCheck `json:"data"`
}

type taxNumberCheckBody struct {
	Data taxNumberCheck `json:"data"`
}

// validateRequest is the duplicate checks' parameters, read from the
// query string (GET) or a JSON body (POST).
type validateRequest struct {
	MobileNumber *string   `json:"mobile_number"`
	TaxNumber    *string   `json:"tax_number"`
	ContactID    *pulid.ID `json:"contact_id"`
	Format       *string   `json:"format"`
}

func readValidate(r *http.Request, required string) (validateRequest, error) {
	var v validateRequest
	q := r.URL.Query()
	if r.Method == http.MethodPost && r.ContentLength != 0 {
		if _, err := decodeBody(r, &v, contactCode, customerValidationMessage); err != nil {
			return v, err
		}
	}
	var d apperr.Details
	for key, dst := range map[string]**string{"mobile_number": &v.MobileNumber, "tax_number": &v.TaxNumber} {
		if *dst == nil && q.Has(key) {
			s := q.Get(key)
			*dst = &s
		}
	}
	if v.ContactID == nil && q.Get("contact_id") != "" {
		id := pulid.ID(q.Get("contact_id"))
		v.ContactID = &id
	}
	if v.ContactID != nil {
		if _, err := pulid.ParseWithPrefix(string(*v.ContactID), "cust"); err != nil {
			d.Add("contact_id", "The selected contact id is invalid")
		}
	}
	val := v.MobileNumber
	if required == "tax_number" {
		val = v.TaxNumber
	}
	if val == nil || strings.TrimSpace(*val) == "" {
		d.Add(required, "The %s field is required", strings.ReplaceAll(required, "_", " "))
	}
	checkFormat(&d, q)
	return v, d.Err(contactCode, customerValidationMessage)
}

// duplicateCheck answers a seed-003 validate route: the value of field
// is looked up by find among the company's other contacts, and answer
// shapes the route's data.
func duplicateCheck(r *http.Request, field, label string, find func(ctx context.Context, value string, except *pulid.ID) (crm.Duplicates, error),
	answer func(exists bool, names []string, msg string) any) (result, error) {
	v, err := readValidate(r, field)
	if err != nil {
		return result{}, err
	}
	value := v.MobileNumber
	if field == "tax_number" {
		value = v.TaxNumber
	}
	dup, err := find(r.Context(), *value, v.ContactID)
	if err != nil {
		return result{}, err
	}
	msg := ""
	if len(dup.Names) > 0 {
		msg = "The " + label + " already exists for: " + strings.Join(dup.Names, ", ")
	}
	data := answer(len(dup.Names) > 0, dup.Names, msg)
	return result{status: http.StatusOK, data: data, body: struct {
		Data any `json:"data"`
	}{data}}, nil
}

func (a *API) validateMobile(r *http.Request) (result, error) {
	return duplicateCheck(r, "mobile_number", "mobile number", crm.MobileDuplicates, func(exists bool, names []string, msg string) any {
		return mobileCheck{IsMobileExists: exists, MatchingContactNames: names, Msg: msg}
	})
}

func (a *API) validateTaxNumber(r *http.Request) (result, error) {
	return duplicateCheck(r, "tax_number", "tax number", crm.TaxNumberDuplicates, func(exists bool, names []string, msg string) any {
		return taxNumberCheck{IsTaxNumberExists: exists, MatchingContactNames: names, Msg: msg}
	})
}
