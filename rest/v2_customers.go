package rest

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/crm"
)

// customerV2 is seed 002's customer: the "account" shape with a flat
// address.
type customerV2 struct {
	ID             pulid.ID `json:"id"`
	CustomerNumber string   `json:"customer_number"`
	Account        string   `json:"account"`
	Email          *string  `json:"email"`
	Phone          *string  `json:"phone"`
	Address        *string  `json:"address"`
	City           *string  `json:"city"`
	State          *string  `json:"state"`
	Zip            *string  `json:"zip"`
	Country        *string  `json:"country"`
	Status         string   `json:"status"`
	Balance        amount   `json:"balance"`
	CreatedAt      string   `json:"created_at"`
	UpdatedAt      string   `json:"updated_at"`
}

func optText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func v2Timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func toCustomerV2(c *ent.Customer) customerV2 {
	return customerV2{
		ID: c.ID, CustomerNumber: c.CustomerNumber, Account: c.Name, Email: c.Email, Phone: c.Phone,
		Address: optText(c.Address.Street), City: optText(c.Address.City), State: optText(c.Address.State),
		Zip: optText(c.Address.PostalCode), Country: optText(c.Address.Country),
		Status: string(c.Status), Balance: amount{c.CurrentBalance, c.Currency},
		CreatedAt: v2Timestamp(c.CreatedAt), UpdatedAt: v2Timestamp(c.UpdatedAt),
	}
}

// customerV2Request is seed 002's Create Customer body (PUT takes the
// same keys; absent keys are kept, null clears email or phone).
type customerV2Request struct {
	Account *string `json:"account"`
	Email   *string `json:"email"`
	Phone   *string `json:"phone"`
	Address *string `json:"address"`
	City    *string `json:"city"`
	State   *string `json:"state"`
	Zip     *string `json:"zip"`
	Country *string `json:"country"`
}

// v2CustomerNames are the domain's customer fields by their v2 names.
var v2CustomerNames = map[string]string{
	"name": "account", "address.street": "address", "address.city": "city", "address.state": "state",
	"address.postalCode": "zip", "address.country": "country",
}

func (b customerV2Request) address() *types.Address {
	if b.Address == nil && b.City == nil && b.State == nil && b.Zip == nil && b.Country == nil {
		return nil
	}
	return &types.Address{Street: deref(b.Address), City: deref(b.City), State: deref(b.State),
		PostalCode: deref(b.Zip), Country: deref(b.Country)}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (b customerV2Request) create() ent.CreateCustomerInput {
	return ent.CreateCustomerInput{Name: deref(b.Account), Email: b.Email, Phone: b.Phone, Address: b.address()}
}

// v2CustomerCode is the code of every v2 customer validation error.
const v2CustomerCode = crm.CodeInvalidCustomer

func (a *API) listCustomersV2(r *http.Request) (result, error) {
	q := r.URL.Query()
	var d apperr.Details
	p := parsePageNumber(q, v2DefaultLimit, &d)
	for k := range q {
		switch k {
		case "page", "limit", "search":
		default:
			d.Add(k, "Unknown parameter (page, limit, search)")
		}
	}
	sortDetails(d)
	if err := d.Err(v2CustomerCode, "Invalid query parameters"); err != nil {
		return result{}, err
	}
	base := crm.Customers(r.Context(), crm.CustomerFilter{Search: q.Get("search")})
	rows, m, err := numbered(r.Context(), p, func(ctx context.Context) (int, error) { return base.Clone().Aggregate(ent.Count()).Int(ctx) },
		func(ctx context.Context, offset, limit int) ([]*ent.Customer, error) {
			return base.Order(ent.Desc(customer.FieldCreatedAt), ent.Desc(customer.FieldID)).Offset(offset).Limit(limit).All(ctx)
		})
	if err != nil {
		return result{}, err
	}
	data := make([]customerV2, len(rows))
	for i, c := range rows {
		data[i] = toCustomerV2(c)
	}
	return v2List(data, m), nil
}

func (a *API) getCustomerV2(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "cust", crm.CustomerNotFound)
	if err != nil {
		return result{}, err
	}
	c, err := crm.GetCustomer(r.Context(), id, nil)
	if err != nil {
		return result{}, err
	}
	return v2One(http.StatusOK, toCustomerV2(c), ""), nil
}

func (a *API) createCustomerV2(r *http.Request) (result, error) {
	var body customerV2Request
	if _, err := decodeBody(r, &body, v2CustomerCode, "Validation failed"); err != nil {
		return result{}, err
	}
	c, err := a.mutation().CreateCustomer(r.Context(), body.create())
	if err != nil {
		return result{}, v2Names(err, v2CustomerNames)
	}
	return v2One(http.StatusCreated, toCustomerV2(c), "Customer created"), nil
}

func (a *API) updateCustomerV2(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "cust", crm.CustomerNotFound)
	if err != nil {
		return result{}, err
	}
	var body customerV2Request
	f, err := decodeBody(r, &body, v2CustomerCode, "Validation failed")
	if err != nil {
		return result{}, err
	}
	if f.isNull("account") || (body.Account != nil && *body.Account == "") {
		return result{}, validationFor(v2CustomerCode, "account", "Name is required")
	}
	in := ent.UpdateCustomerInput{Name: body.Account, Email: body.Email, Phone: body.Phone,
		ClearEmail: f.isNull("email"), ClearPhone: f.isNull("phone")}
	var addr *crm.CustomerPatch
	if body.address() != nil || f.isNull("address") || f.isNull("city") || f.isNull("state") || f.isNull("zip") || f.isNull("country") {
		addr = &crm.CustomerPatch{Address: &crm.AddressPatch{Street: nullAsEmpty(f, "address", body.Address), City: nullAsEmpty(f, "city", body.City),
			State: nullAsEmpty(f, "state", body.State), PostalCode: nullAsEmpty(f, "zip", body.Zip), Country: nullAsEmpty(f, "country", body.Country)}}
	}
	c, err := crm.PatchCustomer(r.Context(), id, in, addr)
	if err != nil {
		return result{}, v2Names(err, v2CustomerNames)
	}
	return v2One(http.StatusOK, toCustomerV2(c), "Customer updated"), nil
}

// nullAsEmpty is a patch value: the given text, "" for an explicit null
// (clears that part), nil when the key was absent.
func nullAsEmpty(f fields, key string, v *string) *string {
	if f.isNull(key) {
		empty := ""
		return &empty
	}
	return v
}

func (a *API) deleteCustomerV2(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "cust", crm.CustomerNotFound)
	if err != nil {
		return result{}, err
	}
	if _, err := a.mutation().DeleteCustomer(r.Context(), id); err != nil {
		return result{}, err
	}
	return v2One(http.StatusOK, deletedV1{ID: id, Deleted: true}, "Customer deleted"), nil
}

// batchCustomersV2Request is seed 002's Batch Create Customers body.
type batchCustomersV2Request struct {
	Customers []customerV2Request `json:"customers"`
}

// batchItemV2 is one customer's outcome in a batch, in request order.
type batchItemV2 struct {
	Index   int               `json:"index"`
	Success bool              `json:"success"`
	Data    *customerV2       `json:"data,omitempty"`
	Code    string            `json:"code,omitempty"`
	Message string            `json:"message,omitempty"`
	Errors  map[string]string `json:"errors,omitempty"`
}

// batchV2 is a batch's answer.
type batchV2 struct {
	Total   int           `json:"total"`
	Created int           `json:"created"`
	Failed  int           `json:"failed"`
	Atomic  bool          `json:"atomic"`
	Results []batchItemV2 `json:"results"`
}

// batchCustomersV2 answers POST /api/v2/batch/customers: up to 1,000
// customers in one transaction, each judged as POST /api/v2/customers
// judges one. The document is silent on failures, so a batch is per item
// by default (the valid customers are created, each invalid one is
// reported at its index: 201 when all were created, 207 when some were
// not, 422 when none was); ?atomic=true is all or nothing (422
// BATCH_FAILED naming customers[i].field, nothing written).
func (a *API) batchCustomersV2(r *http.Request) (result, error) {
	atomic := false
	if s := r.URL.Query().Get("atomic"); s != "" {
		v, err := strconv.ParseBool(s)
		if err != nil {
			return result{}, validationFor("VALIDATION_ERROR", "atomic", "Must be true or false")
		}
		atomic = v
	}
	var body batchCustomersV2Request
	if _, err := decodeBody(r, &body, "VALIDATION_ERROR", "Validation failed"); err != nil {
		return result{}, err
	}
	ins := make([]ent.CreateCustomerInput, len(body.Customers))
	for i, c := range body.Customers {
		ins[i] = c.create()
	}
	out, err := crm.CreateCustomers(r.Context(), ins, atomic, r.Header.Get("Idempotency-Key"))
	if err != nil {
		return result{}, v2Names(err, v2CustomerNames)
	}
	res := batchV2{Total: len(out), Atomic: atomic, Results: make([]batchItemV2, len(out))}
	for i, o := range out {
		if o.Customer != nil {
			c := toCustomerV2(o.Customer)
			res.Results[i] = batchItemV2{Index: i, Success: true, Data: &c}
			res.Created++
			continue
		}
		ae := apperr.From(v2Names(o.Err, v2CustomerNames))
		res.Results[i] = batchItemV2{Index: i, Code: ae.Code, Message: ae.Message, Errors: v2Errors(ae.Details)}
		res.Failed++
	}
	status, msg := http.StatusCreated, strconv.Itoa(res.Created)+" customers created"
	switch {
	case res.Created == 0:
		status, msg = http.StatusUnprocessableEntity, "No customer was created"
	case res.Failed > 0:
		status, msg = http.StatusMultiStatus, strconv.Itoa(res.Created)+" customers created, "+strconv.Itoa(res.Failed)+" failed"
	}
	return result{status: status, body: v2Envelope{Success: res.Failed == 0, Message: msg, Data: res}}, nil
}
