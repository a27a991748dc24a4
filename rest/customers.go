package rest

import (
	"net/http"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/crm"
	"github.com/bigledger/bigledger/internal/money"
	"github.com/bigledger/bigledger/internal/sales"
)

// amount prints a decimal as a JSON number at its currency's scale
// ("2567.50"), straight from the decimal, never through float64.
type amount struct {
	d   decimal.Decimal
	cur string
}

// MarshalJSON implements json.Marshaler.
func (a amount) MarshalJSON() ([]byte, error) { return []byte(money.Format(a.d, a.cur)), nil }

// number prints a rate or coordinate as a JSON number without trailing zeros.
type number struct{ d decimal.Decimal }

// MarshalJSON implements json.Marshaler.
func (n number) MarshalJSON() ([]byte, error) { return []byte(n.d.String()), nil }

func optNumber(d *decimal.Decimal) *number {
	if d == nil {
		return nil
	}
	return &number{*d}
}

func optAddress(a types.Address) *types.Address {
	if a.IsZero() {
		return nil
	}
	return &a
}

// customerV1 is the seed-000 Customer object.
type customerV1 struct {
	ID                   pulid.ID       `json:"id"`
	CustomerNumber       string         `json:"customerNumber"`
	Name                 string         `json:"name"`
	Type                 customer.Type  `json:"type"`
	PartyType            string         `json:"partyType"`
	Email                *string        `json:"email"`
	Phone                *string        `json:"phone"`
	Mobile               *string        `json:"mobile"`
	Landline             *string        `json:"landline,omitempty"`
	AlternateNumber      *string        `json:"alternateNumber,omitempty"`
	Website              *string        `json:"website"`
	TaxNumber            *string        `json:"taxNumber"`
	Prefix               *string        `json:"prefix,omitempty"`
	FirstName            *string        `json:"firstName,omitempty"`
	MiddleName           *string        `json:"middleName,omitempty"`
	LastName             *string        `json:"lastName,omitempty"`
	SupplierBusinessName *string        `json:"supplierBusinessName,omitempty"`
	Dob                  *types.Date    `json:"dob,omitempty"`
	Address              *types.Address `json:"address"`
	BillingAddress       *types.Address `json:"billingAddress"`
	ShippingAddress      *types.Address `json:"shippingAddress"`
	Currency             string         `json:"currency"`
	PaymentTerms         int            `json:"paymentTerms"`
	CreditLimit          amount         `json:"creditLimit"`
	OpeningBalance       amount         `json:"openingBalance"`
	CurrentBalance       amount         `json:"currentBalance"`
	TotalSales           amount         `json:"totalSales"`
	LastSaleDate         *types.Date    `json:"lastSaleDate"`
	Status               string         `json:"status"`
	Tags                 []string       `json:"tags"`
	CustomFields         map[string]any `json:"customFields"`
	GroupID              *pulid.ID      `json:"groupId"`
	Latitude             *number        `json:"latitude,omitempty"`
	Longitude            *number        `json:"longitude,omitempty"`
	Contacts             []contactV1    `json:"contacts"`
	CreatedBy            *pulid.ID      `json:"createdBy"`
	CreatedAt            time.Time      `json:"createdAt"`
	UpdatedAt            time.Time      `json:"updatedAt"`
}

func toCustomerV1(c *ent.Customer) customerV1 {
	tags := c.Tags
	if tags == nil {
		tags = []string{}
	}
	cf := c.CustomFields
	if cf == nil {
		cf = map[string]any{}
	}
	out := customerV1{
		ID: c.ID, CustomerNumber: c.CustomerNumber, Name: c.Name, Type: c.Type, PartyType: string(c.PartyType),
		Email: c.Email, Phone: c.Phone, Mobile: c.Mobile, Landline: c.Landline, AlternateNumber: c.AlternateNumber,
		Website: c.Website, TaxNumber: c.TaxNumber, Prefix: c.Prefix, FirstName: c.FirstName,
		MiddleName: c.MiddleName, LastName: c.LastName, SupplierBusinessName: c.SupplierBusinessName, Dob: c.Dob,
		Address: optAddress(c.Address), BillingAddress: optAddress(c.BillingAddress), ShippingAddress: optAddress(c.ShippingAddress),
		Currency: c.Currency, PaymentTerms: c.PaymentTerms,
		CreditLimit:    amount{c.CreditLimit, c.Currency},
		OpeningBalance: amount{c.OpeningBalance, c.Currency},
		CurrentBalance: amount{c.CurrentBalance, c.Currency},
		TotalSales:     amount{c.TotalSales, c.Currency},
		LastSaleDate:   c.LastSaleDate, Status: string(c.Status), Tags: tags, CustomFields: cf,
		GroupID: c.GroupID, Latitude: optNumber(c.Latitude), Longitude: optNumber(c.Longitude),
		CreatedBy: c.CreatedByID, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
		Contacts: []contactV1{},
	}
	for _, ct := range c.Edges.Contacts {
		out.Contacts = append(out.Contacts, toContactV1(ct))
	}
	return out
}

// customerRequest is the seed-000 create/update body.
type customerRequest struct {
	Name                 *string        `json:"name"`
	Type                 *customer.Type `json:"type"`
	PartyType            *string        `json:"partyType"`
	Email                *string        `json:"email"`
	Phone                *string        `json:"phone"`
	Mobile               *string        `json:"mobile"`
	Landline             *string        `json:"landline"`
	AlternateNumber      *string        `json:"alternateNumber"`
	Website              *string        `json:"website"`
	TaxNumber            *string        `json:"taxNumber"`
	Prefix               *string        `json:"prefix"`
	FirstName            *string        `json:"firstName"`
	MiddleName           *string        `json:"middleName"`
	LastName             *string        `json:"lastName"`
	SupplierBusinessName *string        `json:"supplierBusinessName"`
	Dob                  *types.Date    `json:"dob"`
	Address              *types.Address `json:"address"`
	BillingAddress       *types.Address `json:"billingAddress"`
	ShippingAddress      *types.Address `json:"shippingAddress"`
	Currency             *string        `json:"currency"`
	PaymentTerms         *int           `json:"paymentTerms"`
	CreditLimit          *decimalValue  `json:"creditLimit"`
	Status               *string        `json:"status"`
	Tags                 []string       `json:"tags"`
	CustomFields         map[string]any `json:"customFields"`
	GroupID              *pulid.ID      `json:"groupId"`
	Latitude             *decimalValue  `json:"latitude"`
	Longitude            *decimalValue  `json:"longitude"`
}

func (b customerRequest) enums() error {
	var d apperr.Details
	checkEnum(&d, "type", b.Type, customer.TypeValidator)
	checkEnum(&d, "partyType", (*customer.PartyType)(b.PartyType), customer.PartyTypeValidator)
	checkEnum(&d, "status", (*customer.Status)(b.Status), customer.StatusValidator)
	return d.Err(crm.CodeInvalidCustomer, "Customer validation failed")
}

func (b customerRequest) create() ent.CreateCustomerInput {
	in := ent.CreateCustomerInput{
		Type: b.Type, PartyType: (*customer.PartyType)(b.PartyType), Email: b.Email, Phone: b.Phone,
		Mobile: b.Mobile, Landline: b.Landline, AlternateNumber: b.AlternateNumber, Website: b.Website,
		TaxNumber: b.TaxNumber, Prefix: b.Prefix, FirstName: b.FirstName, MiddleName: b.MiddleName,
		LastName: b.LastName, SupplierBusinessName: b.SupplierBusinessName, Dob: b.Dob,
		Address: b.Address, BillingAddress: b.BillingAddress, ShippingAddress: b.ShippingAddress,
		Currency: b.Currency, PaymentTerms: b.PaymentTerms, CreditLimit: b.CreditLimit.ptr(),
		Status: (*customer.Status)(b.Status), Tags: b.Tags, CustomFields: b.CustomFields, GroupID: b.GroupID,
		Latitude: b.Latitude.ptr(), Longitude: b.Longitude.ptr(),
	}
	if b.Name != nil {
		in.Name = *b.Name
	}
	return in
}

func (b customerRequest) update(f fields) ent.UpdateCustomerInput {
	return ent.UpdateCustomerInput{
		Name: b.Name, Type: b.Type, PartyType: (*customer.PartyType)(b.PartyType),
		Email: b.Email, ClearEmail: f.isNull("email"),
		Phone: b.Phone, ClearPhone: f.isNull("phone"),
		Mobile: b.Mobile, ClearMobile: f.isNull("mobile"),
		Landline: b.Landline, ClearLandline: f.isNull("landline"),
		AlternateNumber: b.AlternateNumber, ClearAlternateNumber: f.isNull("alternateNumber"),
		Website: b.Website, ClearWebsite: f.isNull("website"),
		TaxNumber: b.TaxNumber, ClearTaxNumber: f.isNull("taxNumber"),
		Prefix: b.Prefix, ClearPrefix: f.isNull("prefix"),
		FirstName: b.FirstName, ClearFirstName: f.isNull("firstName"),
		MiddleName: b.MiddleName, ClearMiddleName: f.isNull("middleName"),
		LastName: b.LastName, ClearLastName: f.isNull("lastName"),
		SupplierBusinessName: b.SupplierBusinessName, ClearSupplierBusinessName: f.isNull("supplierBusinessName"),
		Dob: b.Dob, ClearDob: f.isNull("dob"),
		Address: b.Address, ClearAddress: f.isNull("address"),
		BillingAddress: b.BillingAddress, ClearBillingAddress: f.isNull("billingAddress"),
		ShippingAddress: b.ShippingAddress, ClearShippingAddress: f.isNull("shippingAddress"),
		Currency: b.Currency, PaymentTerms: b.PaymentTerms, CreditLimit: b.CreditLimit.ptr(),
		Status: (*customer.Status)(b.Status),
		Tags:   b.Tags, ClearTags: f.isNull("tags") || (f.has("tags") && b.Tags != nil && len(b.Tags) == 0),
		CustomFields: b.CustomFields, ClearCustomFields: f.isNull("customFields"),
		GroupID: b.GroupID, ClearGroup: f.isNull("groupId"),
		Latitude: b.Latitude.ptr(), ClearLatitude: f.isNull("latitude"),
		Longitude: b.Longitude.ptr(), ClearLongitude: f.isNull("longitude"),
	}
}

var customerList = listSpec{
	filters: map[string]filterField{
		"name":           {key: "name", kind: kString},
		"email":          {key: "email", kind: kString},
		"phone":          {key: "phone", kind: kString},
		"customerNumber": {key: "customerNumber", kind: kString},
		"status":         enumFilter("status", customer.StatusValidator),
		"type":           enumFilter("type", customer.TypeValidator),
		"partyType":      enumFilter("partyType", customer.PartyTypeValidator),
		"currency":       {key: "currency", kind: kString},
		"creditLimit":    {key: "creditLimit", kind: kDecimal},
		"currentBalance": {key: "currentBalance", kind: kDecimal},
		"totalSales":     {key: "totalSales", kind: kDecimal},
		"paymentTerms":   {key: "paymentTerms", kind: kInt},
		"createdAt":      {key: "createdAt", kind: kTime},
		"updatedAt":      {key: "updatedAt", kind: kTime},
		"groupId":        {key: "groupID", kind: kString},
	},
	aliases: map[string]string{
		"creditLimitMin": "creditLimit[gte]", "creditLimitMax": "creditLimit[lte]",
		"balanceMin": "currentBalance[gte]", "balanceMax": "currentBalance[lte]",
		"createdAfter": "createdAt[gt]", "createdBefore": "createdAt[lt]",
	},
	sorts:       map[string]bool{"name": true, "createdAt": true, "updatedAt": true, "totalSales": true, "currentBalance": true, "customerNumber": true},
	passthrough: map[string]bool{"search": true, "tags": true, "searchFields": true},
}

var customerOrderFields = map[string]*ent.CustomerOrderField{
	"name": ent.CustomerOrderFieldName, "createdAt": ent.CustomerOrderFieldCreatedAt,
	"updatedAt": ent.CustomerOrderFieldUpdatedAt, "totalSales": ent.CustomerOrderFieldTotalSales,
	"currentBalance": ent.CustomerOrderFieldCurrentBalance, "customerNumber": ent.CustomerOrderFieldCustomerNumber,
}

func (a *API) listCustomers(r *http.Request) (result, error) {
	q := r.URL.Query()
	p, err := parseList(q, customerList, crm.CodeInvalidCustomer)
	if err != nil {
		return result{}, err
	}
	where := &ent.CustomerWhereInput{}
	if err := p.into(where); err != nil {
		return result{}, err
	}
	var order []*ent.CustomerOrder
	for _, s := range p.sort {
		order = append(order, &ent.CustomerOrder{Field: customerOrderFields[s.field], Direction: direction(s.desc)})
	}
	var tags []string
	if t := q.Get("tags"); t != "" {
		tags = splitList(t)
	}
	search := q.Get("search")
	if sf, ok := q["searchFields"]; ok {
		pred, err := crm.SearchCustomersIn(search, splitList(sf[len(sf)-1]))
		if err != nil {
			return result{}, validationFor(crm.CodeInvalidCustomer, "searchFields", err.Error())
		}
		where.AddPredicates(pred)
		search = ""
	}
	conn, err := a.query().Customers(p.ctx(r.Context()), p.after, &p.limit, nil, nil, order, where, &search, tags, nil, nil, nil)
	if err != nil {
		return result{}, err
	}
	nodes := make([]*ent.Customer, len(conn.Edges))
	for i, e := range conn.Edges {
		nodes[i] = e.Node
	}
	if err := crm.LoadContacts(r.Context(), nodes); err != nil {
		return result{}, err
	}
	data := make([]customerV1, len(nodes))
	for i, n := range nodes {
		data[i] = toCustomerV1(n)
	}
	pg := p.page(conn.PageInfo, conn.TotalCount)
	return result{status: http.StatusOK, data: data, page: &pg}, nil
}

func (a *API) getCustomer(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "cust", crm.CustomerNotFound)
	if err != nil {
		return result{}, err
	}
	c, err := crm.GetCustomer(r.Context(), id, func(q *ent.CustomerQuery) (*ent.CustomerQuery, error) {
		return q.WithContacts(crm.OrderContacts), nil
	})
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, data: toCustomerV1(c)}, nil
}

func (a *API) createCustomer(r *http.Request) (result, error) {
	var body customerRequest
	_, err := decodeBody(r, &body, crm.CodeInvalidCustomer, "Customer validation failed")
	if err == nil {
		err = body.enums()
	}
	if err != nil {
		return result{}, err
	}
	c, err := a.mutation().CreateCustomer(r.Context(), body.create())
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusCreated, data: toCustomerV1(c)}, nil
}

func (a *API) updateCustomer(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "cust", crm.CustomerNotFound)
	if err != nil {
		return result{}, err
	}
	var body customerRequest
	f, err := decodeBody(r, &body, crm.CodeInvalidCustomer, "Customer validation failed")
	if err == nil {
		err = body.enums()
	}
	if err == nil && f.isNull("name") {
		err = validationFor(crm.CodeInvalidCustomer, "name", "Name is required")
	}
	if err != nil {
		return result{}, err
	}
	c, err := a.mutation().UpdateCustomer(r.Context(), id, body.update(f))
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, data: toCustomerV1(c)}, nil
}

func (a *API) deleteCustomer(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "cust", crm.CustomerNotFound)
	if err != nil {
		return result{}, err
	}
	if _, err := a.mutation().DeleteCustomer(r.Context(), id); err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, data: deletedV1{ID: id, Deleted: true}, message: "Customer deleted"}, nil
}

// customerSummary answers seed 000 GET /customers/{id}/summary.
func (a *API) customerSummary(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "cust", crm.CustomerNotFound)
	if err != nil {
		return result{}, err
	}
	s, err := sales.SummarizeCustomer(r.Context(), id)
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, data: s}, nil
}
