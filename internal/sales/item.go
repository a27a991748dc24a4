package sales

import (
	"context"
	"fmt"
	"strings"

	"entgo.io/ent/dialect/sql"
	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/item"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/numbering"
	"github.com/bigledger/bigledger/internal/store"
)

// Error codes of the item workflows.
const (
	CodeInvalidItem  = "INVALID_ITEM_DATA"
	CodeItemNotFound = "ITEM_NOT_FOUND"
	itemValidation   = "Item validation failed"
)

// ItemNotFound is the error for a missing (or another company's) item.
func ItemNotFound(id pulid.ID) error {
	return apperr.NotFound(CodeItemNotFound, fmt.Sprintf("Item with ID '%s' not found", id))
}

func validateItem(d *apperr.Details, code, name *string, price *decimal.Decimal) {
	if code != nil && *code == "" {
		d.Add("code", "Code is required")
	}
	checkText(d, "code", code, 64)
	if name != nil && *name == "" {
		d.Add("name", "Name is required")
	}
	checkText(d, "name", name, 200)
	if price != nil {
		if price.IsNegative() {
			d.Add("unitPrice", "Must be zero or greater")
		} else if !price.Equal(price.Truncate(2)) || len(price.Truncate(0).String()) > 12 {
			d.Add("unitPrice", "At most 12 digits and 2 decimal places")
		}
	}
}

// CreateItem creates a product or service; codes are unique per company.
func CreateItem(ctx context.Context, in ent.CreateItemInput) (*ent.Item, error) {
	in.Code, in.Name = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name)
	var d apperr.Details
	validateItem(&d, &in.Code, &in.Name, in.UnitPrice)
	if err := d.Err(CodeInvalidItem, itemValidation); err != nil {
		return nil, err
	}
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.Item, error) {
		it, err := c.Item.Create().SetInput(in).Save(ctx)
		return it, itemError(err)
	})
}

// UpdateItem applies a partial update to an item.
func UpdateItem(ctx context.Context, id pulid.ID, in ent.UpdateItemInput) (*ent.Item, error) {
	for _, p := range []**string{&in.Code, &in.Name} {
		if *p != nil {
			s := strings.TrimSpace(**p)
			*p = &s
		}
	}
	var d apperr.Details
	validateItem(&d, in.Code, in.Name, in.UnitPrice)
	if err := d.Err(CodeInvalidItem, itemValidation); err != nil {
		return nil, err
	}
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.Item, error) {
		old, err := c.Item.Query().Where(item.ID(id)).ForUpdate().Only(ctx)
		if ent.IsNotFound(err) {
			return nil, ItemNotFound(id)
		}
		if err != nil {
			return nil, err
		}
		it, err := c.Item.UpdateOne(old).SetInput(in).Save(ctx)
		return it, itemError(err)
	})
}

func itemError(err error) error {
	if err == nil {
		return nil
	}
	ae := apperr.From(err)
	switch {
	case ae.Kind == apperr.KindConflict:
		return apperr.Validation(CodeInvalidItem, itemValidation, apperr.Detail{Field: "code", Message: "An item with this code already exists"})
	case ae.Kind == apperr.KindValidation && ae.Code == "VALIDATION_ERROR":
		for i := range ae.Details {
			if ae.Details[i].Field == "taxCodeId" {
				ae.Details[i].Message = "Tax code not found"
			}
		}
		return &apperr.Error{Kind: ae.Kind, Code: CodeInvalidItem, Message: itemValidation, Details: ae.Details}
	}
	return ae
}

// Items starts an item query with a free-text search on code and name.
func Items(ctx context.Context, search string) *ent.ItemQuery {
	q := store.Client(ctx).Item.Query()
	if s := strings.TrimSpace(search); s != "" {
		pattern := store.ContainsPattern(s)
		q = q.Where(func(sel *sql.Selector) {
			sel.Where(sql.Or(store.ILike(sel.C(item.FieldCode), pattern), store.ILike(sel.C(item.FieldName), pattern)))
		})
	}
	return q
}

// ItemKind numbers the items created without a code (ITEM-0001, …).
var ItemKind = numbering.Kind{Name: "item", Prefix: "ITEM"}

// CreateItemNumbered is CreateItem for callers whose items have no code
// of their own (seed 002's products): an empty code takes the next
// ITEM-NNNN number in the same transaction.
func CreateItemNumbered(ctx context.Context, in ent.CreateItemInput) (*ent.Item, error) {
	if strings.TrimSpace(in.Code) != "" {
		return CreateItem(ctx, in)
	}
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.Item, error) {
		code, err := numbering.Next(ctx, c, ItemKind, 0)
		if err != nil {
			return nil, err
		}
		in.Code = code
		return CreateItem(ctx, in)
	})
}
