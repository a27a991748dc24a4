package rest

import (
	"net/http"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/quote"
	"github.com/bigledger/bigledger/ent/salesorder"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/sales"
)

// lineOf renders any document line (they share LineMixin's fields).
func lineOf(id pulid.ID, itemID *pulid.ID, code *string, desc string, qty, price, disc, discAmt, lineTotal decimal.Decimal,
	tax *string, rate, taxAmt decimal.Decimal, notes *string, cur string) lineV1 {
	return lineV1{ID: id, ItemID: itemID, ItemCode: code, Description: desc, Quantity: number{qty},
		UnitPrice: amount{price, cur}, DiscountPercent: number{disc}, DiscountAmount: amount{discAmt, cur},
		LineTotal: amount{lineTotal, cur}, TaxCode: tax, TaxRate: number{rate}, TaxAmount: amount{taxAmt, cur}, Notes: notes}
}

func summaryOf(c *ent.Customer) *customerSummaryV1 {
	if c == nil {
		return nil
	}
	return &customerSummaryV1{ID: c.ID, Name: c.Name, Email: c.Email}
}

// quoteV1 is the seed-000 Quote object.
type quoteV1 struct {
	ID                 pulid.ID           `json:"id"`
	QuoteNumber        string             `json:"quoteNumber"`
	CustomerID         pulid.ID           `json:"customerId"`
	Customer           *customerSummaryV1 `json:"customer"`
	QuoteDate          types.Date         `json:"quoteDate"`
	ValidUntil         types.Date         `json:"validUntil"`
	Status             string             `json:"status"`
	Currency           string             `json:"currency"`
	ExchangeRate       number             `json:"exchangeRate"`
	Reference          *string            `json:"reference"`
	Title              *string            `json:"title"`
	Description        *string            `json:"description"`
	Notes              *string            `json:"notes"`
	Terms              *string            `json:"terms"`
	Items              []lineV1           `json:"items"`
	Subtotal           amount             `json:"subtotal"`
	TotalDiscount      amount             `json:"totalDiscount"`
	TotalTax           amount             `json:"totalTax"`
	ShippingCost       amount             `json:"shippingCost"`
	Total              amount             `json:"total"`
	BillingAddress     *types.Address     `json:"billingAddress"`
	ShippingAddress    *types.Address     `json:"shippingAddress"`
	SentAt             *time.Time         `json:"sentAt"`
	SendCount          int                `json:"sendCount"`
	LastSend           *map[string]any    `json:"lastSend"`
	AcceptedAt         *time.Time         `json:"acceptedAt"`
	AcceptedBy         *string            `json:"acceptedBy"`
	RejectedAt         *time.Time         `json:"rejectedAt"`
	RejectionReason    *string            `json:"rejectionReason"`
	ConvertedToOrderAt *time.Time         `json:"convertedToOrderAt"`
	SalesOrderID       *pulid.ID          `json:"salesOrderId"`
	Attachments        []attachmentV1     `json:"attachments"`
	CreatedBy          *pulid.ID          `json:"createdBy"`
	CreatedAt          time.Time          `json:"createdAt"`
	UpdatedAt          time.Time          `json:"updatedAt"`
}

func toQuoteV1(q *ent.Quote, today types.Date) quoteV1 {
	cur := q.Currency
	out := quoteV1{ID: q.ID, QuoteNumber: q.QuoteNumber, CustomerID: q.CustomerID, Customer: summaryOf(q.Edges.Customer),
		QuoteDate: q.QuoteDate, ValidUntil: q.ValidUntil, Status: string(sales.QuoteStatus(q, today)), Currency: cur,
		ExchangeRate: number{q.ExchangeRate}, Reference: q.Reference, Title: q.Title, Description: q.Description,
		Notes: q.Notes, Terms: q.Terms, Items: []lineV1{},
		Subtotal: amount{q.Subtotal, cur}, TotalDiscount: amount{q.TotalDiscount, cur}, TotalTax: amount{q.TotalTax, cur},
		ShippingCost: amount{q.ShippingCost, cur}, Total: amount{q.Total, cur},
		BillingAddress: optAddress(q.BillingAddress), ShippingAddress: optAddress(q.ShippingAddress),
		SentAt: q.SentAt, SendCount: q.SendCount, LastSend: optMap(q.LastSend), AcceptedAt: q.AcceptedAt, AcceptedBy: q.AcceptedBy, RejectedAt: q.RejectedAt,
		RejectionReason: q.RejectionReason, ConvertedToOrderAt: q.ConvertedToOrderAt, SalesOrderID: q.SalesOrderID,
		Attachments: []attachmentV1{}, CreatedBy: q.CreatedByID, CreatedAt: q.CreatedAt.UTC(), UpdatedAt: q.UpdatedAt.UTC()}
	for _, l := range q.Edges.Items {
		out.Items = append(out.Items, lineOf(l.ID, l.ItemID, l.ItemCode, l.Description, l.Quantity, l.UnitPrice, l.DiscountPercent,
			l.DiscountAmount, l.LineTotal, l.TaxCode, l.TaxRate, l.TaxAmount, l.Notes, cur))
	}
	return out
}

type fulfillmentV1 struct {
	Status            string      `json:"status"`
	ShippedQuantity   number      `json:"shippedQuantity"`
	RemainingQuantity number      `json:"remainingQuantity"`
	ShippingMethod    *string     `json:"shippingMethod"`
	TrackingNumber    *string     `json:"trackingNumber"`
	EstimatedDelivery *types.Date `json:"estimatedDelivery"`
}

type orderLineV1 struct {
	lineV1
	ShippedQuantity  number `json:"shippedQuantity"`
	InvoicedQuantity number `json:"invoicedQuantity"`
}

// salesOrderV1 is the seed-000 Sales Order object.
type salesOrderV1 struct {
	ID               pulid.ID           `json:"id"`
	OrderNumber      string             `json:"orderNumber"`
	CustomerID       pulid.ID           `json:"customerId"`
	Customer         *customerSummaryV1 `json:"customer"`
	OrderDate        types.Date         `json:"orderDate"`
	RequiredDate     *types.Date        `json:"requiredDate"`
	PromisedDate     *types.Date        `json:"promisedDate"`
	Status           string             `json:"status"`
	Priority         string             `json:"priority"`
	Currency         string             `json:"currency"`
	ExchangeRate     number             `json:"exchangeRate"`
	Reference        *string            `json:"reference"`
	Notes            *string            `json:"notes"`
	Terms            *string            `json:"terms"`
	BillingAddress   *types.Address     `json:"billingAddress"`
	ShippingAddress  *types.Address     `json:"shippingAddress"`
	Items            []orderLineV1      `json:"items"`
	Subtotal         amount             `json:"subtotal"`
	TotalDiscount    amount             `json:"totalDiscount"`
	TotalTax         amount             `json:"totalTax"`
	ShippingCost     amount             `json:"shippingCost"`
	Total            amount             `json:"total"`
	Fulfillment      fulfillmentV1      `json:"fulfillment"`
	InvoiceStatus    string             `json:"invoiceStatus"`
	InvoicedQuantity number             `json:"invoicedQuantity"`
	QuoteID          *pulid.ID          `json:"quoteId"`
	// Invoices are the invoices made from this order, oldest first.
	Invoices      []orderInvoiceV1 `json:"invoices"`
	StatusHistory []map[string]any `json:"statusHistory"`
	Attachments   []attachmentV1   `json:"attachments"`
	CreatedBy     *pulid.ID        `json:"createdBy"`
	CreatedAt     time.Time        `json:"createdAt"`
	UpdatedAt     time.Time        `json:"updatedAt"`
}

// orderInvoiceV1 is one invoice of a sales order.
type orderInvoiceV1 struct {
	ID            pulid.ID   `json:"id"`
	InvoiceNumber string     `json:"invoiceNumber"`
	InvoiceDate   types.Date `json:"invoiceDate"`
	Status        string     `json:"status"`
	Total         amount     `json:"total"`
	AmountDue     amount     `json:"amountDue"`
}

func toOrderV1(o *ent.SalesOrder) salesOrderV1 {
	cur := o.Currency
	out := salesOrderV1{ID: o.ID, OrderNumber: o.OrderNumber, CustomerID: o.CustomerID, Customer: summaryOf(o.Edges.Customer),
		OrderDate: o.OrderDate, RequiredDate: o.RequiredDate, PromisedDate: o.PromisedDate, Status: string(o.Status),
		Priority: string(o.Priority), Currency: cur, ExchangeRate: number{o.ExchangeRate}, Reference: o.Reference,
		Notes: o.Notes, Terms: o.Terms, BillingAddress: optAddress(o.BillingAddress), ShippingAddress: optAddress(o.ShippingAddress),
		Items: []orderLineV1{}, Subtotal: amount{o.Subtotal, cur}, TotalDiscount: amount{o.TotalDiscount, cur},
		TotalTax: amount{o.TotalTax, cur}, ShippingCost: amount{o.ShippingCost, cur}, Total: amount{o.Total, cur},
		InvoiceStatus: string(o.InvoiceStatus), QuoteID: o.QuoteID, StatusHistory: o.StatusHistory, Attachments: []attachmentV1{},
		CreatedBy: o.CreatedByID, CreatedAt: o.CreatedAt.UTC(), UpdatedAt: o.UpdatedAt.UTC(), Invoices: []orderInvoiceV1{}}
	for _, inv := range o.Edges.Invoices {
		out.Invoices = append(out.Invoices, orderInvoiceV1{ID: inv.ID, InvoiceNumber: inv.InvoiceNumber, InvoiceDate: inv.InvoiceDate,
			Status: string(inv.Status), Total: amount{inv.Total, inv.Currency}, AmountDue: amount{inv.AmountDue, inv.Currency}})
	}
	var ordered, shipped, invoiced decimal.Decimal
	for _, l := range o.Edges.Items {
		ordered, shipped, invoiced = ordered.Add(l.Quantity), shipped.Add(l.ShippedQuantity), invoiced.Add(l.InvoicedQuantity)
		out.Items = append(out.Items, orderLineV1{
			lineV1: lineOf(l.ID, l.ItemID, l.ItemCode, l.Description, l.Quantity, l.UnitPrice, l.DiscountPercent,
				l.DiscountAmount, l.LineTotal, l.TaxCode, l.TaxRate, l.TaxAmount, l.Notes, cur),
			ShippedQuantity: number{l.ShippedQuantity}, InvoicedQuantity: number{l.InvoicedQuantity}})
	}
	out.InvoicedQuantity = number{invoiced}
	out.Fulfillment = fulfillmentV1{Status: string(o.FulfillmentStatus), ShippedQuantity: number{shipped},
		RemainingQuantity: number{ordered.Sub(shipped)}, ShippingMethod: o.ShippingMethod, TrackingNumber: o.TrackingNumber,
		EstimatedDelivery: o.EstimatedDelivery}
	if out.StatusHistory == nil {
		out.StatusHistory = []map[string]any{}
	}
	return out
}

// quoteRequest is the seed-000 create-quote body.
type quoteRequest struct {
	CustomerID      *pulid.ID      `json:"customerId"`
	QuoteDate       *types.Date    `json:"quoteDate"`
	ValidUntil      *types.Date    `json:"validUntil"`
	Currency        *string        `json:"currency"`
	ExchangeRate    *decimalValue  `json:"exchangeRate"`
	Reference       *string        `json:"reference"`
	Title           *string        `json:"title"`
	Description     *string        `json:"description"`
	Notes           *string        `json:"notes"`
	Terms           *string        `json:"terms"`
	BillingAddress  *types.Address `json:"billingAddress"`
	ShippingAddress *types.Address `json:"shippingAddress"`
	ShippingCost    *decimalValue  `json:"shippingCost"`
	Items           []lineRequest  `json:"items"`
}

// orderRequest is the seed-000 create-sales-order body.
type orderRequest struct {
	CustomerID      *pulid.ID            `json:"customerId"`
	OrderDate       *types.Date          `json:"orderDate"`
	RequiredDate    *types.Date          `json:"requiredDate"`
	PromisedDate    *types.Date          `json:"promisedDate"`
	Priority        *salesorder.Priority `json:"priority"`
	Currency        *string              `json:"currency"`
	ExchangeRate    *decimalValue        `json:"exchangeRate"`
	Reference       *string              `json:"reference"`
	Notes           *string              `json:"notes"`
	Terms           *string              `json:"terms"`
	BillingAddress  *types.Address       `json:"billingAddress"`
	ShippingAddress *types.Address       `json:"shippingAddress"`
	ShippingCost    *decimalValue        `json:"shippingCost"`
	ShippingMethod  *string              `json:"shippingMethod"`
	Items           []lineRequest        `json:"items"`
}

func requireCustomer(id *pulid.ID, d *apperr.Details) pulid.ID {
	if id == nil {
		d.Add("customerId", "Required")
		return ""
	}
	return *id
}

var quoteList = listSpec{
	filters: map[string]filterField{
		"customerId": {key: "customerID", kind: kString},
		"quoteDate":  {key: "quoteDate", kind: kDate},
		"validUntil": {key: "validUntil", kind: kDate},
		"total":      {key: "total", kind: kDecimal},
		"createdAt":  {key: "createdAt", kind: kTime},
	},
	aliases: map[string]string{"quoteDateFrom": "quoteDate[gte]", "quoteDateTo": "quoteDate[lte]",
		"totalMin": "total[gte]", "totalMax": "total[lte]"},
	sorts:       map[string]bool{"quoteNumber": true, "quoteDate": true, "validUntil": true, "total": true, "createdAt": true},
	passthrough: map[string]bool{"search": true, "status": true},
}

var quoteOrderFields = map[string]*ent.QuoteOrderField{
	"quoteNumber": ent.QuoteOrderFieldQuoteNumber, "quoteDate": ent.QuoteOrderFieldQuoteDate,
	"validUntil": ent.QuoteOrderFieldValidUntil, "total": ent.QuoteOrderFieldTotal, "createdAt": ent.QuoteOrderFieldCreatedAt,
}

func (a *API) listQuotes(r *http.Request) (result, error) {
	q := r.URL.Query()
	p, err := parseList(q, quoteList, sales.CodeInvalidQuote)
	if err != nil {
		return result{}, err
	}
	where := &ent.QuoteWhereInput{}
	if err := p.into(where); err != nil {
		return result{}, err
	}
	if st := q.Get("status"); st != "" {
		var statuses []quote.Status
		for _, s := range splitList(st) {
			if quote.StatusValidator(quote.Status(s)) != nil {
				return result{}, validationFor(sales.CodeInvalidQuote, "status", notOneOf(s, enumValues[quote.Status]()))
			}
			statuses = append(statuses, quote.Status(s))
		}
		where.AddPredicates(sales.QuoteStatusFilter(statuses))
	}
	var order []*ent.QuoteOrder
	for _, s := range p.sort {
		order = append(order, &ent.QuoteOrder{Field: quoteOrderFields[s.field], Direction: direction(s.desc)})
	}
	search := q.Get("search")
	conn, err := a.query().Quotes(p.ctx(r.Context()), p.after, &p.limit, nil, nil, order, where, &search)
	if err != nil {
		return result{}, err
	}
	ids := make([]pulid.ID, len(conn.Edges))
	for i, e := range conn.Edges {
		ids[i] = e.Node.ID
	}
	quotes, err := sales.QuotesWithDetails(r.Context(), ids)
	if err != nil {
		return result{}, err
	}
	today, err := sales.Today(r.Context())
	if err != nil {
		return result{}, err
	}
	atts, err := sales.AttachmentsOf(r.Context(), ids...)
	if err != nil {
		return result{}, err
	}
	data := make([]quoteV1, len(quotes))
	for i, qu := range quotes {
		data[i] = toQuoteV1(qu, today)
		data[i].Attachments = attachmentsV1(atts[qu.ID])
	}
	return result{status: http.StatusOK, data: data, page: ptr(p.page(conn.PageInfo, conn.TotalCount))}, nil
}

func quoteResult(r *http.Request, id pulid.ID, status int, message string) (result, error) {
	qs, err := sales.QuotesWithDetails(r.Context(), []pulid.ID{id})
	if err != nil {
		return result{}, err
	}
	if len(qs) == 0 {
		return result{}, sales.QuoteNotFound(id)
	}
	today, err := sales.Today(r.Context())
	if err != nil {
		return result{}, err
	}
	atts, err := sales.AttachmentsOf(r.Context(), id)
	if err != nil {
		return result{}, err
	}
	out := toQuoteV1(qs[0], today)
	out.Attachments = attachmentsV1(atts[id])
	return result{status: status, data: out, message: message}, nil
}

func (a *API) getQuote(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "quote", sales.QuoteNotFound)
	if err != nil {
		return result{}, err
	}
	return quoteResult(r, id, http.StatusOK, "")
}

func (a *API) createQuote(r *http.Request) (result, error) {
	var body quoteRequest
	if _, err := decodeBody(r, &body, sales.CodeInvalidQuote, "Quote validation failed"); err != nil {
		return result{}, err
	}
	var d apperr.Details
	in := sales.QuoteInput{CustomerID: requireCustomer(body.CustomerID, &d), QuoteDate: body.QuoteDate, ValidUntil: body.ValidUntil,
		Currency: body.Currency, ExchangeRate: body.ExchangeRate.ptr(), Reference: body.Reference, Title: body.Title,
		Description: body.Description, Notes: body.Notes, Terms: body.Terms, BillingAddress: body.BillingAddress,
		ShippingAddress: body.ShippingAddress, ShippingCost: body.ShippingCost.ptr(), Items: toLineInputs(body.Items, &d)}
	if err := d.Err(sales.CodeInvalidQuote, "Quote validation failed"); err != nil {
		return result{}, err
	}
	q, err := a.mutation().CreateQuote(r.Context(), in)
	if err != nil {
		return result{}, err
	}
	return quoteResult(r, q.ID, http.StatusCreated, "")
}

func (a *API) updateQuote(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "quote", sales.QuoteNotFound)
	if err != nil {
		return result{}, err
	}
	var body quoteRequest
	f, err := decodeBody(r, &body, sales.CodeInvalidQuote, "Quote validation failed")
	if err != nil {
		return result{}, err
	}
	var d apperr.Details
	for _, k := range []string{"customerId", "currency", "quoteDate"} {
		if f.has(k) {
			d.Add(k, "Cannot be changed on an existing quote")
		}
	}
	in := sales.QuoteUpdate{ValidUntil: body.ValidUntil, ExchangeRate: body.ExchangeRate.ptr(), Reference: body.Reference,
		Title: body.Title, Description: body.Description, Notes: body.Notes, Terms: body.Terms,
		BillingAddress: body.BillingAddress, ShippingAddress: body.ShippingAddress, ShippingCost: body.ShippingCost.ptr(),
		Items: toLineInputs(body.Items, &d)}
	if err := d.Err(sales.CodeInvalidQuote, "Quote validation failed"); err != nil {
		return result{}, err
	}
	if _, err := a.mutation().UpdateQuote(r.Context(), id, in); err != nil {
		return result{}, err
	}
	return quoteResult(r, id, http.StatusOK, "")
}

func (a *API) sendQuote(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "quote", sales.QuoteNotFound)
	if err != nil {
		return result{}, err
	}
	var body sendRequest
	if r.ContentLength != 0 {
		if _, err := decodeBody(r, &body, sales.CodeInvalidQuote, "Send validation failed"); err != nil {
			return result{}, err
		}
	}
	in := body.input()
	if _, err := a.mutation().SendQuote(r.Context(), id, &in); err != nil {
		return result{}, err
	}
	return quoteResult(r, id, http.StatusOK, "Quote sent")
}

type decisionRequest struct {
	AcceptedBy *string `json:"acceptedBy"`
	Reason     *string `json:"reason"`
}

func (a *API) acceptQuote(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "quote", sales.QuoteNotFound)
	if err != nil {
		return result{}, err
	}
	var body decisionRequest
	if r.ContentLength != 0 {
		if _, err := decodeBody(r, &body, sales.CodeInvalidQuote, "Quote validation failed"); err != nil {
			return result{}, err
		}
	}
	if _, err := a.mutation().AcceptQuote(r.Context(), id, body.AcceptedBy); err != nil {
		return result{}, err
	}
	return quoteResult(r, id, http.StatusOK, "Quote accepted")
}

func (a *API) rejectQuote(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "quote", sales.QuoteNotFound)
	if err != nil {
		return result{}, err
	}
	var body decisionRequest
	if r.ContentLength != 0 {
		if _, err := decodeBody(r, &body, sales.CodeInvalidQuote, "Quote validation failed"); err != nil {
			return result{}, err
		}
	}
	if _, err := a.mutation().RejectQuote(r.Context(), id, body.Reason); err != nil {
		return result{}, err
	}
	return quoteResult(r, id, http.StatusOK, "Quote rejected")
}

func (a *API) convertQuote(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "quote", sales.QuoteNotFound)
	if err != nil {
		return result{}, err
	}
	so, err := a.mutation().ConvertQuoteToOrder(r.Context(), id)
	if err != nil {
		return result{}, err
	}
	return orderResult(r, so.ID, http.StatusCreated, "Quote converted to sales order")
}

var orderList = listSpec{
	filters: map[string]filterField{
		"customerId":    {key: "customerID", kind: kString},
		"status":        enumFilter("status", salesorder.StatusValidator),
		"priority":      enumFilter("priority", salesorder.PriorityValidator),
		"orderDate":     {key: "orderDate", kind: kDate},
		"requiredDate":  {key: "requiredDate", kind: kDate},
		"total":         {key: "total", kind: kDecimal},
		"invoiceStatus": enumFilter("invoiceStatus", salesorder.InvoiceStatusValidator),
		"createdAt":     {key: "createdAt", kind: kTime},
	},
	aliases: map[string]string{"orderDateFrom": "orderDate[gte]", "orderDateTo": "orderDate[lte]",
		"requiredDateFrom": "requiredDate[gte]", "requiredDateTo": "requiredDate[lte]"},
	sorts:       map[string]bool{"orderNumber": true, "orderDate": true, "requiredDate": true, "total": true, "createdAt": true},
	passthrough: map[string]bool{"search": true},
}

var orderOrderFields = map[string]*ent.SalesOrderOrderField{
	"orderNumber": ent.SalesOrderOrderFieldOrderNumber, "orderDate": ent.SalesOrderOrderFieldOrderDate,
	"requiredDate": ent.SalesOrderOrderFieldRequiredDate, "total": ent.SalesOrderOrderFieldTotal, "createdAt": ent.SalesOrderOrderFieldCreatedAt,
}

func (a *API) listOrders(r *http.Request) (result, error) {
	q := r.URL.Query()
	p, err := parseList(q, orderList, sales.CodeInvalidOrder)
	if err != nil {
		return result{}, err
	}
	where := &ent.SalesOrderWhereInput{}
	if err := p.into(where); err != nil {
		return result{}, err
	}
	var order []*ent.SalesOrderOrder
	for _, s := range p.sort {
		order = append(order, &ent.SalesOrderOrder{Field: orderOrderFields[s.field], Direction: direction(s.desc)})
	}
	search := q.Get("search")
	conn, err := a.query().SalesOrders(p.ctx(r.Context()), p.after, &p.limit, nil, nil, order, where, &search)
	if err != nil {
		return result{}, err
	}
	ids := make([]pulid.ID, len(conn.Edges))
	for i, e := range conn.Edges {
		ids[i] = e.Node.ID
	}
	orders, err := sales.OrdersWithDetails(r.Context(), ids)
	if err != nil {
		return result{}, err
	}
	atts, err := sales.AttachmentsOf(r.Context(), ids...)
	if err != nil {
		return result{}, err
	}
	data := make([]salesOrderV1, len(orders))
	for i, o := range orders {
		data[i] = toOrderV1(o)
		data[i].Attachments = attachmentsV1(atts[o.ID])
	}
	return result{status: http.StatusOK, data: data, page: ptr(p.page(conn.PageInfo, conn.TotalCount))}, nil
}

func orderResult(r *http.Request, id pulid.ID, status int, message string) (result, error) {
	os, err := sales.OrdersWithDetails(r.Context(), []pulid.ID{id})
	if err != nil {
		return result{}, err
	}
	if len(os) == 0 {
		return result{}, sales.OrderNotFound(id)
	}
	atts, err := sales.AttachmentsOf(r.Context(), id)
	if err != nil {
		return result{}, err
	}
	out := toOrderV1(os[0])
	out.Attachments = attachmentsV1(atts[id])
	return result{status: status, data: out, message: message}, nil
}

func (a *API) getOrder(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "so", sales.OrderNotFound)
	if err != nil {
		return result{}, err
	}
	return orderResult(r, id, http.StatusOK, "")
}

func (a *API) createOrder(r *http.Request) (result, error) {
	var body orderRequest
	if _, err := decodeBody(r, &body, sales.CodeInvalidOrder, "Sales order validation failed"); err != nil {
		return result{}, err
	}
	var d apperr.Details
	checkEnum(&d, "priority", body.Priority, salesorder.PriorityValidator)
	in := sales.OrderInput{CustomerID: requireCustomer(body.CustomerID, &d), OrderDate: body.OrderDate, RequiredDate: body.RequiredDate,
		PromisedDate: body.PromisedDate, Priority: body.Priority, Currency: body.Currency, ExchangeRate: body.ExchangeRate.ptr(),
		Reference: body.Reference, Notes: body.Notes, Terms: body.Terms, BillingAddress: body.BillingAddress,
		ShippingAddress: body.ShippingAddress, ShippingCost: body.ShippingCost.ptr(), ShippingMethod: body.ShippingMethod,
		Items: toLineInputs(body.Items, &d)}
	if err := d.Err(sales.CodeInvalidOrder, "Sales order validation failed"); err != nil {
		return result{}, err
	}
	so, err := a.mutation().CreateSalesOrder(r.Context(), in)
	if err != nil {
		return result{}, err
	}
	return orderResult(r, so.ID, http.StatusCreated, "")
}

func (a *API) updateOrder(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "so", sales.OrderNotFound)
	if err != nil {
		return result{}, err
	}
	var body orderRequest
	f, err := decodeBody(r, &body, sales.CodeInvalidOrder, "Sales order validation failed")
	if err != nil {
		return result{}, err
	}
	var d apperr.Details
	for _, k := range []string{"customerId", "currency", "orderDate"} {
		if f.has(k) {
			d.Add(k, "Cannot be changed on an existing sales order")
		}
	}
	checkEnum(&d, "priority", body.Priority, salesorder.PriorityValidator)
	in := sales.OrderUpdate{RequiredDate: body.RequiredDate, PromisedDate: body.PromisedDate, Priority: body.Priority,
		ExchangeRate: body.ExchangeRate.ptr(), Reference: body.Reference, Notes: body.Notes, Terms: body.Terms,
		BillingAddress: body.BillingAddress, ShippingAddress: body.ShippingAddress, ShippingCost: body.ShippingCost.ptr(),
		ShippingMethod: body.ShippingMethod, Items: toLineInputs(body.Items, &d)}
	if err := d.Err(sales.CodeInvalidOrder, "Sales order validation failed"); err != nil {
		return result{}, err
	}
	if _, err := a.mutation().UpdateSalesOrder(r.Context(), id, in); err != nil {
		return result{}, err
	}
	return orderResult(r, id, http.StatusOK, "")
}

type statusRequest struct {
	Status            *salesorder.Status `json:"status"`
	Notes             *string            `json:"notes"`
	ShippingMethod    *string            `json:"shippingMethod"`
	TrackingNumber    *string            `json:"trackingNumber"`
	EstimatedDelivery *types.Date        `json:"estimatedDelivery"`
}

func (a *API) updateOrderStatus(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "so", sales.OrderNotFound)
	if err != nil {
		return result{}, err
	}
	var body statusRequest
	if _, err := decodeBody(r, &body, sales.CodeInvalidOrder, "Sales order validation failed"); err != nil {
		return result{}, err
	}
	if body.Status == nil {
		return result{}, validationFor(sales.CodeInvalidOrder, "status", "Required")
	}
	in := sales.StatusChange{Status: *body.Status, Notes: body.Notes, ShippingMethod: body.ShippingMethod,
		TrackingNumber: body.TrackingNumber, EstimatedDelivery: body.EstimatedDelivery}
	if _, err := a.mutation().UpdateSalesOrderStatus(r.Context(), id, in); err != nil {
		return result{}, err
	}
	return orderResult(r, id, http.StatusOK, "Sales order status updated")
}

// partialItemRequest names an order line: salesOrderItemId (soi_…), or
// seed 000's itemId, which is the same order-line id under the seed's name.
type partialItemRequest struct {
	SalesOrderItemID *pulid.ID     `json:"salesOrderItemId"`
	ItemID           *pulid.ID     `json:"itemId"`
	Quantity         *decimalValue `json:"quantity"`
}

type convertOrderRequest struct {
	InvoiceDate  *types.Date          `json:"invoiceDate"`
	DueDate      *types.Date          `json:"dueDate"`
	PartialItems []partialItemRequest `json:"partialItems"`
}

func (a *API) convertOrder(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "so", sales.OrderNotFound)
	if err != nil {
		return result{}, err
	}
	var body convertOrderRequest
	if r.ContentLength != 0 {
		if _, err := decodeBody(r, &body, sales.CodeInvalidOrder, "Sales order validation failed"); err != nil {
			return result{}, err
		}
	}
	var d apperr.Details
	in := sales.ConvertOrderInput{InvoiceDate: body.InvoiceDate, DueDate: body.DueDate}
	for i, p := range body.PartialItems {
		at := "partialItems[" + itoa(i) + "]."
		line := p.SalesOrderItemID
		switch {
		case line == nil && p.ItemID == nil:
			d.Add(at+"itemId", "Required: the order line's id (soi_…), as itemId or salesOrderItemId")
		case line == nil:
			line = p.ItemID
		case p.ItemID != nil && *p.ItemID != *line:
			d.Add(at+"itemId", "Names another order line than salesOrderItemId; send one of them")
		}
		if p.Quantity == nil {
			d.Add(at+"quantity", "Required")
		}
		if line != nil && p.Quantity != nil {
			in.PartialItems = append(in.PartialItems, sales.PartialItem{ItemID: *line, Quantity: p.Quantity.Decimal})
		}
	}
	if err := d.Err(sales.CodeInvalidOrder, "Sales order validation failed"); err != nil {
		return result{}, err
	}
	inv, err := a.mutation().ConvertSalesOrderToInvoice(r.Context(), id, &in)
	if err != nil {
		return result{}, err
	}
	return invoiceResult(r, inv.ID, http.StatusCreated, "Sales order converted to invoice")
}

func ptr[T any](v T) *T { return &v }
