package sales

import (
	"context"
	"fmt"
	"time"

	"entgo.io/ent/dialect/sql"
	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/invoiceitem"
	"github.com/bigledger/bigledger/ent/salesorder"
	"github.com/bigledger/bigledger/ent/salesorderitem"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/events"
	"github.com/bigledger/bigledger/internal/numbering"
	"github.com/bigledger/bigledger/internal/store"
)

// Error codes of the sales-order workflows.
const (
	CodeInvalidOrder       = "INVALID_SALES_ORDER_DATA"
	CodeOrderNotFound      = "SALES_ORDER_NOT_FOUND"
	orderValidationMessage = "Sales order validation failed"
)

// OrderKind numbers sales orders SO-YYYY-NNNN per company and year.
var OrderKind = numbering.Kind{Name: "sales_order", Prefix: "SO", Yearly: true}

// OrderNotFound is the error for a missing (or another company's) order.
func OrderNotFound(id pulid.ID) error {
	return apperr.NotFound(CodeOrderNotFound, fmt.Sprintf("Sales order with ID '%s' not found", id))
}

// OrderInput creates a draft sales order (seed 000 Create Sales Order).
type OrderInput struct {
	CustomerID      pulid.ID
	OrderDate       *types.Date
	RequiredDate    *types.Date
	PromisedDate    *types.Date
	Priority        *salesorder.Priority
	Currency        *string
	ExchangeRate    *decimal.Decimal
	Reference       *string
	Notes           *string
	Terms           *string
	BillingAddress  *types.Address
	ShippingAddress *types.Address
	ShippingCost    *decimal.Decimal
	ShippingMethod  *string
	Items           []LineInput
}

// OrderUpdate edits a draft order; Items, when non-nil, replaces the lines.
type OrderUpdate struct {
	RequiredDate    *types.Date
	PromisedDate    *types.Date
	Priority        *salesorder.Priority
	ExchangeRate    *decimal.Decimal
	Reference       *string
	Notes           *string
	Terms           *string
	BillingAddress  *types.Address
	ShippingAddress *types.Address
	ShippingCost    *decimal.Decimal
	ShippingMethod  *string
	Items           []LineInput
}

// StatusChange moves an order along its lifecycle (seed 000 PATCH status),
// optionally updating fulfillment details.
type StatusChange struct {
	Status            salesorder.Status
	Notes             *string
	ShippingMethod    *string
	TrackingNumber    *string
	EstimatedDelivery *types.Date
}

// PartialItem bills part of one order line (seed 000 partialItems; the
// seed names the order line "itemId").
type PartialItem struct {
	ItemID   pulid.ID
	Quantity decimal.Decimal
}

// ConvertOrderInput turns (part of) an order into a draft invoice.
type ConvertOrderInput struct {
	InvoiceDate  *types.Date
	DueDate      *types.Date
	PartialItems []PartialItem
}

func historyEntry(status salesorder.Status, notes string) map[string]any {
	e := map[string]any{"status": string(status), "at": Clock().UTC().Format(time.RFC3339)}
	if notes != "" {
		e["notes"] = notes
	}
	return e
}

func saveOrderLines(ctx context.Context, c *ent.Client, orderID pulid.ID, lines []Line) error {
	builders := make([]*ent.SalesOrderItemCreate, len(lines))
	for i, l := range lines {
		b := c.SalesOrderItem.Create().SetSalesOrderID(orderID).SetPosition(i)
		setLine(b.Mutation(), l)
		builders[i] = b
	}
	return c.SalesOrderItem.CreateBulk(builders...).Exec(ctx)
}

func lockOrder(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.SalesOrder, error) {
	so, err := c.SalesOrder.Query().Where(salesorder.ID(id)).ForUpdate().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, OrderNotFound(id)
	}
	return so, err
}

func checkOrderDates(d *apperr.Details, order types.Date, required, promised *types.Date) {
	if required != nil && required.Time().Before(order.Time()) {
		d.Add("requiredDate", "Must be on or after the order date")
	}
	if promised != nil && promised.Time().Before(order.Time()) {
		d.Add("promisedDate", "Must be on or after the order date")
	}
}

// CreateSalesOrder stores a draft order with its lines and number.
func CreateSalesOrder(ctx context.Context, in OrderInput) (*ent.SalesOrder, error) {
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.SalesOrder, error) {
		var d apperr.Details
		cu, err := documentCustomer(ctx, c, in.CustomerID, CodeInvalidOrder, orderValidationMessage, in.Currency, &d)
		if err != nil {
			return nil, err
		}
		date, err := documentDate(ctx, in.OrderDate)
		if err != nil {
			return nil, err
		}
		checkOrderDates(&d, date, in.RequiredDate, in.PromisedDate)
		if in.Priority != nil && salesorder.PriorityValidator(*in.Priority) != nil {
			d.Add("priority", "Must be low, normal, high or urgent")
		}
		checkText(&d, "shippingMethod", in.ShippingMethod, 100)
		h, err := newHeader(ctx, c, cu, in.ExchangeRate, in.ShippingCost, in.Reference, in.Items, &d)
		if err != nil {
			return nil, err
		}
		sortDetails(d)
		if err := d.Err(CodeInvalidOrder, orderValidationMessage); err != nil {
			return nil, err
		}
		number, err := numbering.Next(ctx, c, OrderKind, date.Year)
		if err != nil {
			return nil, err
		}
		billing, shipping := addresses(cu, in.BillingAddress, in.ShippingAddress)
		create := c.SalesOrder.Create().SetCustomerID(cu.ID).SetOrderNumber(number).SetOrderDate(date).
			SetNillableRequiredDate(in.RequiredDate).SetNillablePromisedDate(in.PromisedDate).
			SetNillablePriority(in.Priority).SetCurrency(h.currency).
			SetNillableReference(trimmed(in.Reference)).SetNillableNotes(in.Notes).SetNillableTerms(in.Terms).
			SetNillableShippingMethod(trimmed(in.ShippingMethod)).
			SetStatusHistory([]map[string]any{historyEntry(salesorder.StatusDraft, "")})
		setDocument(create.Mutation(), h, billing, shipping)
		if p, ok := auth.FromContext(ctx); ok && p.UserID != "" {
			create.SetCreatedByID(p.UserID)
		}
		so, err := create.Save(ctx)
		if err != nil {
			return nil, err
		}
		return so, saveOrderLines(ctx, c, so.ID, h.lines)
	})
}

// UpdateSalesOrder edits a draft order.
func UpdateSalesOrder(ctx context.Context, id pulid.ID, in OrderUpdate) (*ent.SalesOrder, error) {
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.SalesOrder, error) {
		old, err := lockOrder(ctx, c, id)
		if err != nil {
			return nil, err
		}
		if old.Status != salesorder.StatusDraft {
			return nil, invalidState("Sales order %s is %s; only drafts can be edited", old.OrderNumber, old.Status)
		}
		cu, err := c.Customer.Get(ctx, old.CustomerID)
		if err != nil {
			return nil, err
		}
		var d apperr.Details
		checkOrderDates(&d, old.OrderDate, in.RequiredDate, in.PromisedDate)
		if in.Priority != nil && salesorder.PriorityValidator(*in.Priority) != nil {
			d.Add("priority", "Must be low, normal, high or urgent")
		}
		h := header{currency: old.Currency, exchangeRate: old.ExchangeRate, shipping: old.ShippingCost}
		if in.ExchangeRate != nil {
			h.exchangeRate = *in.ExchangeRate
		}
		if in.ShippingCost != nil {
			h.shipping = *in.ShippingCost
		}
		checkText(&d, "reference", in.Reference, 100)
		if err := h.retotal(ctx, c, cu, in.Items, func() ([]LineResult, error) {
			items, err := c.SalesOrderItem.Query().Where(salesorderitem.SalesOrderID(id)).All(ctx)
			var ds, ls, ts []decimal.Decimal
			for _, it := range items {
				ds, ls, ts = append(ds, it.DiscountAmount), append(ls, it.LineTotal), append(ts, it.TaxAmount)
			}
			return results(ds, ls, ts), err
		}, &d); err != nil {
			return nil, err
		}
		h.validate(&d)
		sortDetails(d)
		if err := d.Err(CodeInvalidOrder, orderValidationMessage); err != nil {
			return nil, err
		}
		upd := c.SalesOrder.UpdateOne(old).SetNillablePriority(in.Priority).SetExchangeRate(h.exchangeRate)
		setTotals(upd.Mutation(), h.totals)
		applyText(upd.Mutation(), docText{Reference: in.Reference, Notes: in.Notes, Terms: in.Terms,
			Billing: in.BillingAddress, Shipping: in.ShippingAddress})
		if in.RequiredDate != nil {
			upd.SetRequiredDate(*in.RequiredDate)
		}
		if in.PromisedDate != nil {
			upd.SetPromisedDate(*in.PromisedDate)
		}
		if in.ShippingMethod != nil {
			upd.SetNillableShippingMethod(trimmed(in.ShippingMethod))
		}
		so, err := upd.Save(ctx)
		if err != nil {
			return nil, err
		}
		if in.Items != nil {
			if _, err := c.SalesOrderItem.Delete().Where(salesorderitem.SalesOrderID(id)).Exec(ctx); err != nil {
				return nil, err
			}
			if err := saveOrderLines(ctx, c, id, h.lines); err != nil {
				return nil, err
			}
		}
		return so, nil
	})
}

// orderTransitions lists, per target status, the statuses it may follow.
var orderTransitions = map[salesorder.Status][]salesorder.Status{
	salesorder.StatusConfirmed: {salesorder.StatusDraft},
	salesorder.StatusShipped:   {salesorder.StatusConfirmed},
	salesorder.StatusDelivered: {salesorder.StatusShipped},
	salesorder.StatusCancelled: {salesorder.StatusDraft, salesorder.StatusConfirmed},
}

// UpdateSalesOrderStatus applies one lifecycle step, records it in the
// order's history and moves fulfillment with it.
func UpdateSalesOrderStatus(ctx context.Context, id pulid.ID, in StatusChange) (*ent.SalesOrder, error) {
	var d apperr.Details
	if salesorder.StatusValidator(in.Status) != nil {
		d.Add("status", "Must be one of draft, confirmed, shipped, delivered, cancelled")
	}
	checkText(&d, "notes", in.Notes, 1000)
	checkText(&d, "trackingNumber", in.TrackingNumber, 100)
	checkText(&d, "shippingMethod", in.ShippingMethod, 100)
	if err := d.Err(CodeInvalidOrder, orderValidationMessage); err != nil {
		return nil, err
	}
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.SalesOrder, error) {
		so, err := lockOrder(ctx, c, id)
		if err != nil {
			return nil, err
		}
		allowed := false
		for _, from := range orderTransitions[in.Status] {
			allowed = allowed || so.Status == from
		}
		if !allowed {
			return nil, invalidState("Sales order %s is %s and cannot become %s", so.OrderNumber, so.Status, in.Status)
		}
		if in.Status == salesorder.StatusCancelled && so.InvoiceStatus != salesorder.InvoiceStatusNotInvoiced {
			return nil, invalidState("Sales order %s has invoices; void them before cancelling", so.OrderNumber)
		}
		notes := ""
		if in.Notes != nil {
			notes = *in.Notes
		}
		upd := c.SalesOrder.UpdateOne(so).SetStatus(in.Status).
			SetStatusHistory(append(so.StatusHistory, historyEntry(in.Status, notes))).
			SetNillableShippingMethod(trimmed(in.ShippingMethod)).SetNillableTrackingNumber(trimmed(in.TrackingNumber)).
			SetNillableEstimatedDelivery(in.EstimatedDelivery)
		switch in.Status {
		case salesorder.StatusShipped:
			upd.SetFulfillmentStatus(salesorder.FulfillmentStatusShipped)
			if _, err := c.SalesOrderItem.Update().Where(salesorderitem.SalesOrderID(id)).
				Modify(func(u *sql.UpdateBuilder) {
					u.Set(salesorderitem.FieldShippedQuantity, sql.Expr(salesorderitem.FieldQuantity))
				}).
				Save(ctx); err != nil {
				return nil, err
			}
		case salesorder.StatusDelivered:
			upd.SetFulfillmentStatus(salesorder.FulfillmentStatusDelivered)
		case salesorder.StatusCancelled:
			upd.SetFulfillmentStatus(salesorder.FulfillmentStatusCancelled)
		}
		out, err := upd.Save(ctx)
		if err != nil {
			return nil, err
		}
		return out, events.Emit(ctx, events.OrderStatusChanged, out.ID, events.OrderPayload(out, string(so.Status)))
	})
}

// ConvertSalesOrderToInvoice bills an order, wholly or in part, as a draft
// invoice. The order row is locked, so concurrent conversions of one order
// serialize and a line can never be invoiced beyond its quantity. The
// order's shipping cost goes on its first invoice.
func ConvertSalesOrderToInvoice(ctx context.Context, id pulid.ID, in ConvertOrderInput) (*ent.Invoice, error) {
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.Invoice, error) {
		so, err := lockOrder(ctx, c, id)
		if err != nil {
			return nil, err
		}
		switch so.Status {
		case salesorder.StatusConfirmed, salesorder.StatusShipped, salesorder.StatusDelivered:
		default:
			return nil, invalidState("Sales order %s is %s; confirm it before invoicing", so.OrderNumber, so.Status)
		}
		items, err := c.SalesOrderItem.Query().Where(salesorderitem.SalesOrderID(id)).Order(ent.Asc(salesorderitem.FieldPosition)).All(ctx)
		if err != nil {
			return nil, err
		}
		byID := map[pulid.ID]*ent.SalesOrderItem{}
		for _, it := range items {
			byID[it.ID] = it
		}
		var d apperr.Details
		want := map[pulid.ID]decimal.Decimal{}
		if len(in.PartialItems) > 0 {
			for i, p := range in.PartialItems {
				f := func(n string) string { return fmt.Sprintf("partialItems[%d].%s", i, n) }
				it, ok := byID[p.ItemID]
				switch {
				case !ok:
					d.Add(f("itemId"), "Line %q is not on sales order %s", p.ItemID, so.OrderNumber)
					continue
				case !p.Quantity.IsPositive():
					d.Add(f("quantity"), "Must be greater than zero")
					continue
				case !p.Quantity.Equal(p.Quantity.Truncate(4)):
					d.Add(f("quantity"), "At most 4 decimal places")
					continue
				}
				want[it.ID] = want[it.ID].Add(p.Quantity)
				if remaining := it.Quantity.Sub(it.InvoicedQuantity); want[it.ID].GreaterThan(remaining) {
					d.Add(f("quantity"), "Only %s of %s remain to invoice on this line", remaining.String(), it.Quantity.String())
				}
			}
		} else {
			for _, it := range items {
				if r := it.Quantity.Sub(it.InvoicedQuantity); r.IsPositive() {
					want[it.ID] = r
				}
			}
			if len(want) == 0 {
				return nil, invalidState("Sales order %s is fully invoiced", so.OrderNumber)
			}
		}
		cu, err := c.Customer.Get(ctx, so.CustomerID)
		if err != nil {
			return nil, err
		}
		var date types.Date
		if in.InvoiceDate != nil {
			date = *in.InvoiceDate
		} else if date, err = Today(ctx); err != nil {
			return nil, err
		}
		due := types.DateOf(date.Time().AddDate(0, 0, cu.PaymentTerms))
		if in.DueDate != nil {
			due = *in.DueDate
		}
		if due.Time().Before(date.Time()) {
			d.Add("dueDate", "Must be on or after the invoice date")
		}
		sortDetails(d)
		if err := d.Err(CodeInvalidOrder, orderValidationMessage); err != nil {
			return nil, err
		}
		shipping := decimal.Zero
		if so.InvoiceStatus == salesorder.InvoiceStatusNotInvoiced {
			shipping = so.ShippingCost
		}
		var lines []Line
		for _, it := range items {
			q, ok := want[it.ID]
			if !ok {
				continue
			}
			lineID := it.ID
			l := storedLine(it.ItemID, it.ItemCode, it.Description, q, it.UnitPrice, it.DiscountPercent, it.TaxCode, it.TaxRate, it.Notes,
				ComputeLine(LineAmounts{Quantity: q, UnitPrice: it.UnitPrice, DiscountPercent: it.DiscountPercent, TaxRate: it.TaxRate}, so.Currency))
			l.SalesOrderItemID = &lineID
			lines = append(lines, l)
			if err := c.SalesOrderItem.UpdateOne(it).SetInvoicedQuantity(it.InvoicedQuantity.Add(q)).Exec(ctx); err != nil {
				return nil, err
			}
		}
		totals := ComputeTotals(lineResults(lines), shipping)
		number, err := numbering.Next(ctx, c, InvoiceKind, date.Year)
		if err != nil {
			return nil, err
		}
		ref := so.OrderNumber
		create := c.Invoice.Create().SetCustomerID(so.CustomerID).SetInvoiceNumber(number).
			SetInvoiceDate(date).SetDueDate(due).SetCurrency(so.Currency).SetExchangeRate(so.ExchangeRate).
			SetReference(ref).SetNillablePurchaseOrder(so.Reference).SetNillableNotes(so.Notes).SetNillableTerms(so.Terms).
			SetBillingAddress(so.BillingAddress).SetShippingAddress(so.ShippingAddress).
			SetSalesOrderID(so.ID).SetAmountDue(totals.Total)
		setTotals(create.Mutation(), totals)
		if p, ok := auth.FromContext(ctx); ok && p.UserID != "" {
			create.SetCreatedByID(p.UserID)
		}
		inv, err := create.Save(ctx)
		if err != nil {
			return nil, err
		}
		if err := saveLines(ctx, c, inv.ID, lines); err != nil {
			return nil, err
		}
		if err := refreshInvoiceStatus(ctx, c, so); err != nil {
			return nil, err
		}
		return inv, events.Emit(ctx, events.InvoiceCreated, inv.ID, events.InvoicePayload(inv))
	})
}

// refreshInvoiceStatus recomputes an order's invoice status from its lines.
func refreshInvoiceStatus(ctx context.Context, c *ent.Client, so *ent.SalesOrder) error {
	items, err := c.SalesOrderItem.Query().Where(salesorderitem.SalesOrderID(so.ID)).All(ctx)
	if err != nil {
		return err
	}
	any, all := false, true
	for _, it := range items {
		any = any || it.InvoicedQuantity.IsPositive()
		all = all && it.InvoicedQuantity.GreaterThanOrEqual(it.Quantity)
	}
	st := salesorder.InvoiceStatusNotInvoiced
	switch {
	case all && any:
		st = salesorder.InvoiceStatusInvoiced
	case any:
		st = salesorder.InvoiceStatusPartial
	}
	return c.SalesOrder.UpdateOneID(so.ID).SetInvoiceStatus(st).Exec(ctx)
}

// releaseOrderQuantities gives a voided invoice's quantities back to the
// order lines it billed, so they can be invoiced again.
func releaseOrderQuantities(ctx context.Context, c *ent.Client, inv *ent.Invoice) error {
	if inv.SalesOrderID == nil {
		return nil
	}
	so, err := lockOrder(ctx, c, *inv.SalesOrderID)
	if err != nil {
		return err
	}
	lines, err := c.InvoiceItem.Query().Where(invoiceitem.InvoiceID(inv.ID)).All(ctx)
	if err != nil {
		return err
	}
	for _, l := range lines {
		if l.SalesOrderItemID == nil {
			continue
		}
		it, err := c.SalesOrderItem.Get(ctx, *l.SalesOrderItemID)
		if err != nil {
			return err
		}
		left := decimal.Max(it.InvoicedQuantity.Sub(l.Quantity), decimal.Zero)
		if err := c.SalesOrderItem.UpdateOne(it).SetInvoicedQuantity(left).Exec(ctx); err != nil {
			return err
		}
	}
	return refreshInvoiceStatus(ctx, c, so)
}
