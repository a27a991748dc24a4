package rest

import (
	"net/http"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/item"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/sales"
)

// itemV1 is the seed-001 Item object.
type itemV1 struct {
	ID          pulid.ID  `json:"id"`
	Code        string    `json:"code"`
	Name        string    `json:"name"`
	Description *string   `json:"description"`
	Type        string    `json:"type"`
	UnitPrice   amount    `json:"unitPrice"`
	TaxCodeID   *pulid.ID `json:"taxCodeId"`
	TaxCode     *string   `json:"taxCode"`
	Active      bool      `json:"active"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

func toItemV1(it *ent.Item) itemV1 {
	out := itemV1{ID: it.ID, Code: it.Code, Name: it.Name, Description: it.Description, Type: string(it.Type),
		UnitPrice: amount{it.UnitPrice, "MYR"}, TaxCodeID: it.TaxCodeID, Active: it.Active,
		CreatedAt: it.CreatedAt.UTC(), UpdatedAt: it.UpdatedAt.UTC()}
	if tc := it.Edges.TaxCode; tc != nil {
		out.TaxCode = &tc.Code
	}
	return out
}

type itemRequest struct {
	Code        *string       `json:"code"`
	Name        *string       `json:"name"`
	Description *string       `json:"description"`
	Type        *item.Type    `json:"type"`
	UnitPrice   *decimalValue `json:"unitPrice"`
	TaxCode     *string       `json:"taxCode"`
	TaxCodeID   *pulid.ID     `json:"taxCodeId"`
	Active      *bool         `json:"active"`
}

var itemList = listSpec{
	filters: map[string]filterField{
		"code": {key: "code", kind: kString}, "name": {key: "name", kind: kString},
		"type":      enumFilter("type", item.TypeValidator),
		"unitPrice": {key: "unitPrice", kind: kDecimal}, "active": {key: "active", kind: kBool},
	},
	sorts:       map[string]bool{"code": true, "name": true, "createdAt": true},
	passthrough: map[string]bool{"search": true},
}

func (a *API) listItems(r *http.Request) (result, error) {
	q := r.URL.Query()
	p, err := parseList(q, itemList, sales.CodeInvalidItem)
	if err != nil {
		return result{}, err
	}
	where := &ent.ItemWhereInput{}
	if err := p.into(where); err != nil {
		return result{}, err
	}
	var order *ent.ItemOrder
	if len(p.sort) > 1 {
		return result{}, validationFor(sales.CodeInvalidItem, "sort", "Sort by one field only")
	}
	for _, s := range p.sort {
		f := map[string]*ent.ItemOrderField{"code": ent.ItemOrderFieldCode, "name": ent.ItemOrderFieldName, "createdAt": ent.ItemOrderFieldCreatedAt}[s.field]
		order = &ent.ItemOrder{Field: f, Direction: direction(s.desc)}
	}
	search := q.Get("search")
	conn, err := a.query().Items(p.ctx(r.Context()), p.after, &p.limit, nil, nil, order, where, &search)
	if err != nil {
		return result{}, err
	}
	nodes := make([]*ent.Item, len(conn.Edges))
	for i, e := range conn.Edges {
		nodes[i] = e.Node
	}
	if err := sales.LoadItemTaxCodes(r.Context(), nodes); err != nil {
		return result{}, err
	}
	data := make([]itemV1, len(nodes))
	for i, n := range nodes {
		data[i] = toItemV1(n)
	}
	pg := p.page(conn.PageInfo, conn.TotalCount)
	return result{status: http.StatusOK, data: data, page: &pg}, nil
}

func (a *API) createItem(r *http.Request) (result, error) {
	var body itemRequest
	if _, err := decodeBody(r, &body, sales.CodeInvalidItem, "Item validation failed"); err != nil {
		return result{}, err
	}
	var d apperr.Details
	checkEnum(&d, "type", body.Type, item.TypeValidator)
	if body.Code == nil {
		d.Add("code", "Required")
	}
	if body.Name == nil {
		d.Add("name", "Required")
	}
	in := ent.CreateItemInput{Description: body.Description, Type: body.Type, UnitPrice: body.UnitPrice.ptr(), Active: body.Active, TaxCodeID: body.TaxCodeID}
	if body.Code != nil {
		in.Code = *body.Code
	}
	if body.Name != nil {
		in.Name = *body.Name
	}
	if body.TaxCode != nil {
		tc, err := sales.TaxCodeByCode(r.Context(), *body.TaxCode)
		if err != nil {
			return result{}, err
		}
		if tc == nil {
			d.Add("taxCode", "Unknown tax code %q", *body.TaxCode)
		} else {
			in.TaxCodeID = &tc.ID
		}
	}
	if err := d.Err(sales.CodeInvalidItem, "Item validation failed"); err != nil {
		return result{}, err
	}
	it, err := a.mutation().CreateItem(r.Context(), in)
	if err != nil {
		return result{}, err
	}
	if err := sales.LoadItemTaxCodes(r.Context(), []*ent.Item{it}); err != nil {
		return result{}, err
	}
	return result{status: http.StatusCreated, data: toItemV1(it)}, nil
}
