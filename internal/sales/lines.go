package sales

import (
	"context"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/customergroup"
	"github.com/bigledger/bigledger/ent/item"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/taxcode"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/money"
)

// LineInput is one requested document line. A line naming ItemID takes
// the item's code, name, unit price and tax code unless given.
type LineInput struct {
	ItemID          *pulid.ID
	ItemCode        *string
	Description     *string
	Quantity        decimal.Decimal
	UnitPrice       *decimal.Decimal
	DiscountPercent *decimal.Decimal
	TaxCode         *string
	Notes           *string
}

// Line is a resolved, priced line ready to store.
type Line struct {
	ItemID          *pulid.ID
	ItemCode        *string
	Description     string
	Quantity        decimal.Decimal
	UnitPrice       decimal.Decimal
	DiscountPercent decimal.Decimal
	TaxCode         *string
	TaxRate         decimal.Decimal
	Notes           *string
	// SalesOrderItemID links an invoice line to the order line it bills.
	SalesOrderItemID *pulid.ID
	LineResult
}

// MaxLines bounds a document's lines.
const MaxLines = 500

// resolveLines validates inputs, applies item and customer-group defaults,
// looks up tax rates, and computes every line. All problems are reported
// at once, each naming its field (items[2].taxCode).
func resolveLines(ctx context.Context, c *ent.Client, cu *ent.Customer, currency string, in []LineInput, d *apperr.Details) ([]Line, error) {
	if len(in) == 0 {
		d.Add("items", "At least one line item is required")
		return nil, nil
	}
	if len(in) > MaxLines {
		d.Add("items", "At most %d line items", MaxLines)
		return nil, nil
	}
	// Load every referenced item and tax code with one query each.
	var itemIDs []pulid.ID
	codes := map[string]bool{}
	for _, l := range in {
		if l.ItemID != nil {
			itemIDs = append(itemIDs, *l.ItemID)
		}
		if l.TaxCode != nil {
			codes[strings.ToUpper(strings.TrimSpace(*l.TaxCode))] = true
		}
	}
	items := map[pulid.ID]*ent.Item{}
	if len(itemIDs) > 0 {
		found, err := c.Item.Query().Where(item.IDIn(itemIDs...)).WithTaxCode().All(ctx)
		if err != nil {
			return nil, err
		}
		for _, it := range found {
			items[it.ID] = it
		}
	}
	taxes := map[string]*ent.TaxCode{}
	if len(codes) > 0 {
		var list []string
		for k := range codes {
			list = append(list, k)
		}
		found, err := c.TaxCode.Query().Where(taxcode.CodeIn(list...)).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, tc := range found {
			taxes[tc.Code] = tc
		}
	}
	groupDiscount := decimal.Zero
	if cu.GroupID != nil {
		g, err := c.CustomerGroup.Get(ctx, *cu.GroupID)
		if err != nil && !ent.IsNotFound(err) {
			return nil, err
		}
		if g != nil && g.PriceCalculationType == customergroup.PriceCalculationTypePercentage {
			groupDiscount = g.Amount
		}
	}
	out := make([]Line, 0, len(in))
	for i, l := range in {
		f := func(name string) string { return fmt.Sprintf("items[%d].%s", i, name) }
		line := Line{ItemCode: trimmed(l.ItemCode), Notes: trimmed(l.Notes), Quantity: l.Quantity, DiscountPercent: groupDiscount}
		if l.Description != nil {
			line.Description = strings.TrimSpace(*l.Description)
		}
		var tc *ent.TaxCode
		if l.ItemID != nil {
			it, ok := items[*l.ItemID]
			if !ok {
				d.Add(f("itemId"), "Item %q not found", *l.ItemID)
				continue
			}
			if !it.Active {
				d.Add(f("itemId"), "Item %q is inactive", it.Code)
			}
			line.ItemID = &it.ID
			if line.ItemCode == nil {
				code := it.Code
				line.ItemCode = &code
			}
			if line.Description == "" {
				line.Description = it.Name
			}
			line.UnitPrice = it.UnitPrice
			tc = it.Edges.TaxCode
		}
		if l.UnitPrice != nil {
			line.UnitPrice = *l.UnitPrice
		} else if l.ItemID == nil {
			d.Add(f("unitPrice"), "Required when the line names no item")
		}
		if l.DiscountPercent != nil {
			line.DiscountPercent = *l.DiscountPercent
		}
		if l.TaxCode != nil {
			code := strings.ToUpper(strings.TrimSpace(*l.TaxCode))
			var ok bool
			if tc, ok = taxes[code]; !ok {
				d.Add(f("taxCode"), "Unknown tax code %q", code)
				continue
			}
		}
		if tc != nil {
			if !tc.Active {
				d.Add(f("taxCode"), "Tax code %q is inactive", tc.Code)
			}
			code := tc.Code
			line.TaxCode, line.TaxRate = &code, tc.Rate
		}
		if line.Description == "" {
			d.Add(f("description"), "Required when the line names no item")
		}
		if len([]rune(line.Description)) > 1000 {
			d.Add(f("description"), "Must be at most 1000 characters")
		}
		if !line.Quantity.IsPositive() {
			d.Add(f("quantity"), "Must be greater than zero")
		} else if !line.Quantity.Equal(line.Quantity.Truncate(4)) || len(line.Quantity.Truncate(0).String()) > 12 {
			d.Add(f("quantity"), "At most 12 digits and 4 decimal places")
		}
		if line.UnitPrice.IsNegative() {
			d.Add(f("unitPrice"), "Must be zero or greater")
		} else if money.CheckScale(line.UnitPrice, currency) != nil || len(line.UnitPrice.Truncate(0).String()) > 12 {
			d.Add(f("unitPrice"), "At most 12 digits and %d decimal places", money.Scale(currency))
		}
		if line.DiscountPercent.IsNegative() || line.DiscountPercent.GreaterThan(hundred) {
			d.Add(f("discountPercent"), "Must be between 0 and 100")
		} else if !line.DiscountPercent.Equal(line.DiscountPercent.Truncate(4)) {
			d.Add(f("discountPercent"), "At most 4 decimal places")
		}
		line.LineResult = ComputeLine(LineAmounts{
			Quantity: line.Quantity, UnitPrice: line.UnitPrice, DiscountPercent: line.DiscountPercent, TaxRate: line.TaxRate,
		}, currency)
		out = append(out, line)
	}
	return out, nil
}

func trimmed(p *string) *string {
	if p == nil {
		return nil
	}
	s := strings.TrimSpace(*p)
	if s == "" {
		return nil
	}
	return &s
}

func lineResults(lines []Line) []LineResult {
	out := make([]LineResult, len(lines))
	for i, l := range lines {
		out[i] = l.LineResult
	}
	return out
}
