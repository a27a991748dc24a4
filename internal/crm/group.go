package crm

import (
	"context"
	"fmt"
	"strings"

	"entgo.io/ent/dialect/sql"
	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/customergroup"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/store"
)

// Error codes of the customer-group workflows.
const (
	CodeInvalidGroup  = "INVALID_CUSTOMER_GROUP_DATA"
	CodeGroupNotFound = "CUSTOMER_GROUP_NOT_FOUND"
	groupValidation   = "Customer group validation failed"
)

// GroupNotFound is the error for a missing (or another company's) group.
func GroupNotFound(id pulid.ID) error {
	return apperr.NotFound(CodeGroupNotFound, fmt.Sprintf("Customer group with ID '%s' not found", id))
}

// validateGroup judges the effective state of a group (seed 003): a
// percentage group's amount is 0–100; a selling-price-group group names its
// price group and stores amount zero.
func validateGroup(d *apperr.Details, name string, typ customergroup.PriceCalculationType, amount decimal.Decimal, spg *string) {
	if name == "" {
		d.Add("name", "Name is required")
	}
	if len([]rune(name)) > 200 {
		d.Add("name", "Must be at most 200 characters")
	}
	switch typ {
	case customergroup.PriceCalculationTypePercentage:
		// A discount percentage: a negative one would make every line of
		// the group's customers carry a negative discount, which invoicing
		// refuses.
		checkRange(d, "amount", &amount, 0, 100)
	case customergroup.PriceCalculationTypeSellingPriceGroup:
		if spg == nil {
			d.Add("sellingPriceGroupId", "Required when priceCalculationType is selling_price_group")
		}
		if !amount.IsZero() {
			d.Add("amount", "Must be zero when priceCalculationType is selling_price_group")
		}
	}
}

// CreateCustomerGroup creates a group; names are unique per company.
func CreateCustomerGroup(ctx context.Context, in ent.CreateCustomerGroupInput) (*ent.CustomerGroup, error) {
	in.Name = strings.TrimSpace(in.Name)
	trimPtr(&in.SellingPriceGroupID)
	trimPtr(&in.SellingPriceGroupName)
	typ := customergroup.PriceCalculationTypePercentage
	if in.PriceCalculationType != nil {
		typ = *in.PriceCalculationType
	}
	amount := decimal.Zero
	if in.Amount != nil {
		amount = *in.Amount
	}
	var d apperr.Details
	validateGroup(&d, in.Name, typ, amount, in.SellingPriceGroupID)
	if err := d.Err(CodeInvalidGroup, groupValidation); err != nil {
		return nil, err
	}
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.CustomerGroup, error) {
		create := c.CustomerGroup.Create().SetInput(in)
		if p, ok := auth.FromContext(ctx); ok && p.UserID != "" {
			create.SetCreatedByID(p.UserID)
		}
		g, err := create.Save(ctx)
		return g, groupError(err)
	})
}

// UpdateCustomerGroup applies a partial update, judged on the result.
func UpdateCustomerGroup(ctx context.Context, id pulid.ID, in ent.UpdateCustomerGroupInput) (*ent.CustomerGroup, error) {
	if in.Name != nil {
		n := strings.TrimSpace(*in.Name)
		in.Name = &n
	}
	trimPtr(&in.SellingPriceGroupID)
	trimPtr(&in.SellingPriceGroupName)
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.CustomerGroup, error) {
		old, err := c.CustomerGroup.Query().Where(customergroup.ID(id)).ForUpdate().Only(ctx)
		if ent.IsNotFound(err) {
			return nil, GroupNotFound(id)
		}
		if err != nil {
			return nil, err
		}
		name, typ, amount, spg := old.Name, old.PriceCalculationType, old.Amount, old.SellingPriceGroupID
		if in.Name != nil {
			name = *in.Name
		}
		if in.PriceCalculationType != nil {
			typ = *in.PriceCalculationType
		}
		if in.Amount != nil {
			amount = *in.Amount
		}
		if in.ClearSellingPriceGroupID {
			spg = nil
		}
		if in.SellingPriceGroupID != nil {
			spg = in.SellingPriceGroupID
		}
		var d apperr.Details
		validateGroup(&d, name, typ, amount, spg)
		if err := d.Err(CodeInvalidGroup, groupValidation); err != nil {
			return nil, err
		}
		g, err := c.CustomerGroup.UpdateOne(old).SetInput(in).Save(ctx)
		return g, groupError(err)
	})
}

// DeleteCustomerGroup deletes a group; its customers keep existing with no
// group (the foreign key sets NULL).
func DeleteCustomerGroup(ctx context.Context, id pulid.ID) (pulid.ID, error) {
	_, err := store.InTx(ctx, func(ctx context.Context, c *ent.Client) (store.Done, error) {
		err := c.CustomerGroup.DeleteOneID(id).Exec(ctx)
		if ent.IsNotFound(err) {
			return store.Done{}, GroupNotFound(id)
		}
		return store.Done{}, err
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

func groupError(err error) error {
	if err == nil {
		return nil
	}
	ae := apperr.From(err)
	if ae.Kind == apperr.KindConflict {
		return apperr.Validation(CodeInvalidGroup, groupValidation,
			apperr.Detail{Field: "name", Message: "A customer group with this name already exists"})
	}
	return ae
}

// SearchGroups narrows a group query to groups whose name or selling price
// group name contains term, or whose id is term. A term must have at least
// two characters.
func SearchGroups(term string) (func(*sql.Selector), error) {
	term = strings.TrimSpace(term)
	if len([]rune(term)) < 2 {
		return nil, apperr.Validation(CodeInvalidGroup, groupValidation, apperr.Detail{Field: "q", Message: "Must be at least 2 characters"})
	}
	pattern := store.ContainsPattern(term)
	return func(s *sql.Selector) {
		s.Where(sql.Or(
			store.ILike(s.C(customergroup.FieldName), pattern),
			store.ILike(s.C(customergroup.FieldSellingPriceGroupName), pattern),
			sql.EQ(s.C(customergroup.FieldID), term),
		))
	}, nil
}
