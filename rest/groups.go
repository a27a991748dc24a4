package rest

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/customergroup"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/crm"
)

// customerGroupV1 is the seed-003 CustomerGroup object (snake_case, as the
// integration API documents it).
type customerGroupV1 struct {
	ID                    pulid.ID  `json:"id"`
	Name                  string    `json:"name"`
	PriceCalculationType  string    `json:"price_calculation_type"`
	Amount                number    `json:"amount"`
	SellingPriceGroupID   *string   `json:"selling_price_group_id"`
	SellingPriceGroupName *string   `json:"selling_price_group_name"`
	CreatedBy             *pulid.ID `json:"created_by"`
	CreatedAt             time.Time `json:"created_at"`
	UpdatedAt             time.Time `json:"updated_at"`
}

func toGroupV1(g *ent.CustomerGroup) customerGroupV1 {
	return customerGroupV1{
		ID: g.ID, Name: g.Name, PriceCalculationType: string(g.PriceCalculationType), Amount: number{g.Amount},
		SellingPriceGroupID: g.SellingPriceGroupID, SellingPriceGroupName: g.SellingPriceGroupName,
		CreatedBy: g.CreatedByID, CreatedAt: g.CreatedAt.UTC(), UpdatedAt: g.UpdatedAt.UTC(),
	}
}

// groupRequest is the seed-003 create/update body.
type groupRequest struct {
	Name                  *string                             `json:"name"`
	PriceCalculationType  *customergroup.PriceCalculationType `json:"price_calculation_type"`
	Amount                *decimalValue                       `json:"amount"`
	SellingPriceGroupID   *string                             `json:"selling_price_group_id"`
	SellingPriceGroupName *string                             `json:"selling_price_group_name"`
}

func (b groupRequest) check(f fields, create bool) error {
	var d apperr.Details
	checkEnum(&d, "price_calculation_type", b.PriceCalculationType, customergroup.PriceCalculationTypeValidator)
	if create && b.PriceCalculationType == nil {
		d.Add("price_calculation_type", "Required: percentage or selling_price_group")
	}
	if f.isNull("name") || (create && b.Name == nil) {
		d.Add("name", "Name is required")
	}
	if f.isNull("price_calculation_type") {
		d.Add("price_calculation_type", "Cannot be null")
	}
	return d.Err(crm.CodeInvalidGroup, "Customer group validation failed")
}

var groupList = listSpec{
	filters: map[string]filterField{
		"name":                   {key: "name", kind: kString},
		"price_calculation_type": enumFilter("priceCalculationType", customergroup.PriceCalculationTypeValidator),
		"created_at":             {key: "createdAt", kind: kTime},
	},
	sorts:       map[string]bool{"name": true, "created_at": true},
	passthrough: map[string]bool{"q": true, "per_page": true, "page": true, "format": true},
}

func (a *API) listGroups(r *http.Request) (result, error) {
	q := r.URL.Query()
	if pp := q.Get("per_page"); pp != "" && q.Get("limit") == "" {
		q.Set("limit", pp)
	}
	if f := q.Get("format"); f != "" && f != "json" {
		return result{}, validationFor(crm.CodeInvalidGroup, "format", "Only json is supported")
	}
	p, err := parseList(q, groupList, crm.CodeInvalidGroup)
	if err != nil {
		return result{}, err
	}
	where := &ent.CustomerGroupWhereInput{}
	if err := p.into(where); err != nil {
		return result{}, err
	}
	if q.Has("q") {
		search, err := crm.SearchGroups(q.Get("q"))
		if err != nil {
			return result{}, err
		}
		where.AddPredicates(search)
	}
	var order *ent.CustomerGroupOrder
	if len(p.sort) > 1 {
		return result{}, validationFor(crm.CodeInvalidGroup, "sort", "Sort by one field only")
	}
	for _, s := range p.sort {
		f := ent.CustomerGroupOrderFieldName
		if s.field == "created_at" {
			f = ent.CustomerGroupOrderFieldCreatedAt
		}
		order = &ent.CustomerGroupOrder{Field: f, Direction: direction(s.desc)}
	}
	if !q.Has("cursor") {
		// Seed 003 pages by number (page, per_page; meta{current_page, …});
		// a cursor pages as every other v1 list does.
		var d apperr.Details
		pg := parseLaravelPage(&d, r.URL.Query(), 20)
		if err := d.Err(crm.CodeInvalidGroup, "Invalid query parameters"); err != nil {
			return result{}, err
		}
		pred, err := where.P()
		if errors.Is(err, ent.ErrEmptyCustomerGroupWhereInput) {
			pred, err = nil, nil
		}
		if err != nil {
			return result{}, err
		}
		query := crm.Groups(r.Context(), pred, order)
		list, total, err := fetchPage(r.Context(), query, pg)
		if err != nil {
			return result{}, err
		}
		data := make([]customerGroupV1, len(list))
		for i, g := range list {
			data[i] = toGroupV1(g)
		}
		return result{status: http.StatusOK, data: data, page: pg.pagination(total)}, nil
	}
	conn, err := a.query().CustomerGroups(p.ctx(r.Context()), p.after, &p.limit, nil, nil, order, where)
	if err != nil {
		return result{}, err
	}
	data := make([]customerGroupV1, len(conn.Edges))
	for i, e := range conn.Edges {
		data[i] = toGroupV1(e.Node)
	}
	pg := p.page(conn.PageInfo, conn.TotalCount)
	return result{status: http.StatusOK, data: data, page: &pg}, nil
}

func (a *API) getGroup(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "grp", crm.GroupNotFound)
	if err != nil {
		return result{}, err
	}
	g, err := a.query().CustomerGroup(r.Context(), id)
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, data: toGroupV1(g)}, nil
}

func (a *API) createGroup(r *http.Request) (result, error) {
	var body groupRequest
	f, err := decodeBody(r, &body, crm.CodeInvalidGroup, "Customer group validation failed")
	if err == nil {
		err = body.check(f, true)
	}
	if err != nil {
		return result{}, err
	}
	in := ent.CreateCustomerGroupInput{
		Name: *body.Name, PriceCalculationType: body.PriceCalculationType, Amount: body.Amount.ptr(),
		SellingPriceGroupID: body.SellingPriceGroupID, SellingPriceGroupName: body.SellingPriceGroupName,
	}
	g, err := a.mutation().CreateCustomerGroup(r.Context(), in)
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusCreated, data: toGroupV1(g), message: "Customer group created"}, nil
}

func (a *API) updateGroup(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "grp", crm.GroupNotFound)
	if err != nil {
		return result{}, err
	}
	var body groupRequest
	f, err := decodeBody(r, &body, crm.CodeInvalidGroup, "Customer group validation failed")
	if err == nil {
		err = body.check(f, false)
	}
	if err == nil && len(f.present) == 0 {
		err = apperr.Validation(crm.CodeInvalidGroup, "No valid fields to update")
	}
	if err != nil {
		return result{}, err
	}
	in := ent.UpdateCustomerGroupInput{
		Name: body.Name, PriceCalculationType: body.PriceCalculationType, Amount: body.Amount.ptr(),
		SellingPriceGroupID: body.SellingPriceGroupID, ClearSellingPriceGroupID: f.isNull("selling_price_group_id"),
		SellingPriceGroupName: body.SellingPriceGroupName, ClearSellingPriceGroupName: f.isNull("selling_price_group_name"),
	}
	if f.isNull("amount") {
		zero := decimalValue{}
		in.Amount = zero.ptr()
	}
	g, err := a.mutation().UpdateCustomerGroup(r.Context(), id, in)
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, data: toGroupV1(g), message: "Customer group updated"}, nil
}

func (a *API) deleteGroup(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "grp", crm.GroupNotFound)
	if err != nil {
		return result{}, err
	}
	if _, err := a.mutation().DeleteCustomerGroup(r.Context(), id); err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, data: idOnlyV1{ID: id}, message: fmt.Sprintf("Customer group %s deleted", id)}, nil
}
