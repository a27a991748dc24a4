package rest

import (
	"net/http"

	"entgo.io/ent/dialect/sql"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/invoice"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/sales"
)

// customerSummaryV1 is the short customer block on documents.
type customerSummaryV1 struct {
	ID    pulid.ID `json:"id"`
	Name  string   `json:"name"`
	Email *string  `json:"email"`
}

// lineV1 is a seed-000 document line.
type lineV1 struct {
	ID              pulid.ID  `json:"id"`
	ItemID          *pulid.ID `json:"itemId"`
	ItemCode        *string   `json:"itemCode"`
	Description     string    `json:"description"`
	Quantity        number    `json:"quantity"`
	UnitPrice       amount    `json:"unitPrice"`
	DiscountPercent number    `json:"discountPercent"`
	DiscountAmount  amount    `json:"discountAmount"`
	LineTotal       amount    `json:"lineTotal"`
	TaxCode         *string   `json:"taxCode"`
	TaxRate         number    `json:"taxRate"`
	TaxAmount       amount    `json:"taxAmount"`
	Notes           *string   `json:"notes"`
}

type einvoiceV1 struct {
	Status         string     `json:"status"`
	SubmittedAt    *time.Time `json:"submittedAt"`
	AcceptedAt     *time.Time `json:"acceptedAt"`
	UUID           *string    `json:"uuid"`
	ValidationHash *string    `json:"validationHash"`
}

// invoiceV1 is the seed-000 Invoice object.
type invoiceV1 struct {
	ID            pulid.ID           `json:"id"`
	InvoiceNumber string             `json:"invoiceNumber"`
	CustomerID    pulid.ID           `json:"customerId"`
	Customer      *customerSummaryV1 `json:"customer"`
	// SalesOrderID is the order this invoice bills (convert-to-invoice),
	// QuoteID the quote that order came from; null when made directly.
	SalesOrderID    *pulid.ID      `json:"salesOrderId"`
	QuoteID         *pulid.ID      `json:"quoteId"`
	InvoiceDate     types.Date     `json:"invoiceDate"`
	DueDate         types.Date     `json:"dueDate"`
	Status          string         `json:"status"`
	Currency        string         `json:"currency"`
	ExchangeRate    number         `json:"exchangeRate"`
	Reference       *string        `json:"reference"`
	PurchaseOrder   *string        `json:"purchaseOrder"`
	Notes           *string        `json:"notes"`
	Terms           *string        `json:"terms"`
	Items           []lineV1       `json:"items"`
	Subtotal        amount         `json:"subtotal"`
	TotalDiscount   amount         `json:"totalDiscount"`
	TotalTax        amount         `json:"totalTax"`
	ShippingCost    amount         `json:"shippingCost"`
	Total           amount         `json:"total"`
	AmountPaid      amount         `json:"amountPaid"`
	AmountDue       amount         `json:"amountDue"`
	PaymentStatus   string         `json:"paymentStatus"`
	LastPaymentDate *types.Date    `json:"lastPaymentDate"`
	Overdue         bool           `json:"overdue"`
	OverdueBy       int            `json:"overdueBy"`
	BillingAddress  *types.Address `json:"billingAddress"`
	ShippingAddress *types.Address `json:"shippingAddress"`
	Attachments     []attachmentV1 `json:"attachments"`
	Einvoice        einvoiceV1     `json:"einvoice"`
	IssuedAt        *time.Time     `json:"issuedAt"`
	SentAt          *time.Time     `json:"sentAt"`
	SendReminders   bool           `json:"sendReminders"`
	// SendCount is how many times the invoice was emailed; LastSend the
	// last send (to, cc, subject, sentAt) and its email's progress
	// (messageId, deliveryStatus queued|sending|sent|failed, deliveredAt,
	// deliveryReply).
	SendCount      int             `json:"sendCount"`
	LastSend       *map[string]any `json:"lastSend"`
	ReminderCount  int             `json:"reminderCount"`
	LastReminderAt *time.Time      `json:"lastReminderAt"`
	VoidedAt       *time.Time      `json:"voidedAt"`
	VoidReason     *string         `json:"voidReason"`
	CreatedBy      *pulid.ID       `json:"createdBy"`
	CreatedAt      time.Time       `json:"createdAt"`
	UpdatedAt      time.Time       `json:"updatedAt"`
}

func toInvoiceV1(inv *ent.Invoice, today types.Date) invoiceV1 {
	cur := inv.Currency
	out := invoiceV1{
		ID: inv.ID, InvoiceNumber: inv.InvoiceNumber, CustomerID: inv.CustomerID,
		InvoiceDate: inv.InvoiceDate, DueDate: inv.DueDate, Status: string(inv.Status), Currency: cur,
		ExchangeRate: number{inv.ExchangeRate}, Reference: inv.Reference, PurchaseOrder: inv.PurchaseOrder,
		Notes: inv.Notes, Terms: inv.Terms, Items: []lineV1{},
		Subtotal: amount{inv.Subtotal, cur}, TotalDiscount: amount{inv.TotalDiscount, cur}, TotalTax: amount{inv.TotalTax, cur},
		ShippingCost: amount{inv.ShippingCost, cur}, Total: amount{inv.Total, cur},
		AmountPaid: amount{inv.AmountPaid, cur}, AmountDue: amount{inv.AmountDue, cur},
		PaymentStatus: string(inv.PaymentStatus), LastPaymentDate: inv.LastPaymentDate,
		Overdue: sales.IsOverdue(inv, today), OverdueBy: sales.OverdueBy(inv, today),
		BillingAddress: optAddress(inv.BillingAddress), ShippingAddress: optAddress(inv.ShippingAddress),
		Attachments: []attachmentV1{},
		Einvoice: einvoiceV1{Status: string(inv.EinvoiceStatus), SubmittedAt: inv.EinvoiceSubmittedAt,
			AcceptedAt: inv.EinvoiceAcceptedAt, UUID: inv.EinvoiceUUID, ValidationHash: inv.EinvoiceValidationHash},
		IssuedAt: inv.IssuedAt, SentAt: inv.SentAt, SendReminders: inv.SendReminders,
		SendCount: inv.SendCount, LastSend: optMap(inv.LastSend), ReminderCount: inv.ReminderCount, LastReminderAt: inv.LastReminderAt,
		VoidedAt: inv.VoidedAt, VoidReason: inv.VoidReason, CreatedBy: inv.CreatedByID,
		CreatedAt: inv.CreatedAt.UTC(), UpdatedAt: inv.UpdatedAt.UTC(),
	}
	if c := inv.Edges.Customer; c != nil {
		out.Customer = &customerSummaryV1{ID: c.ID, Name: c.Name, Email: c.Email}
	}
	out.SalesOrderID = inv.SalesOrderID
	if so := inv.Edges.SalesOrder; so != nil {
		out.QuoteID = so.QuoteID
	}
	for _, l := range inv.Edges.Items {
		out.Items = append(out.Items, lineV1{
			ID: l.ID, ItemID: l.ItemID, ItemCode: l.ItemCode, Description: l.Description,
			Quantity: number{l.Quantity}, UnitPrice: amount{l.UnitPrice, cur}, DiscountPercent: number{l.DiscountPercent},
			DiscountAmount: amount{l.DiscountAmount, cur}, LineTotal: amount{l.LineTotal, cur},
			TaxCode: l.TaxCode, TaxRate: number{l.TaxRate}, TaxAmount: amount{l.TaxAmount, cur}, Notes: l.Notes,
		})
	}
	return out
}

// lineRequest is a seed-000 line in a request body.
type lineRequest struct {
	ItemID          *pulid.ID     `json:"itemId"`
	ItemCode        *string       `json:"itemCode"`
	Description     *string       `json:"description"`
	Quantity        *decimalValue `json:"quantity"`
	UnitPrice       *decimalValue `json:"unitPrice"`
	DiscountPercent *decimalValue `json:"discountPercent"`
	TaxCode         *string       `json:"taxCode"`
	Notes           *string       `json:"notes"`
}

func toLineInputs(in []lineRequest, d *apperr.Details) []sales.LineInput {
	if in == nil {
		return nil
	}
	out := make([]sales.LineInput, len(in))
	for i, l := range in {
		out[i] = sales.LineInput{ItemID: l.ItemID, ItemCode: l.ItemCode, Description: l.Description,
			UnitPrice: l.UnitPrice.ptr(), DiscountPercent: l.DiscountPercent.ptr(), TaxCode: l.TaxCode, Notes: l.Notes}
		if l.Quantity == nil {
			d.Add("items["+itoa(i)+"].quantity", "Required")
			continue
		}
		out[i].Quantity = l.Quantity.Decimal
	}
	return out
}

// invoiceRequest is the seed-000 create/update invoice body.
type invoiceRequest struct {
	CustomerID      *pulid.ID      `json:"customerId"`
	InvoiceDate     *types.Date    `json:"invoiceDate"`
	DueDate         *types.Date    `json:"dueDate"`
	Currency        *string        `json:"currency"`
	ExchangeRate    *decimalValue  `json:"exchangeRate"`
	Reference       *string        `json:"reference"`
	PurchaseOrder   *string        `json:"purchaseOrder"`
	Notes           *string        `json:"notes"`
	Terms           *string        `json:"terms"`
	BillingAddress  *types.Address `json:"billingAddress"`
	ShippingAddress *types.Address `json:"shippingAddress"`
	ShippingCost    *decimalValue  `json:"shippingCost"`
	Items           []lineRequest  `json:"items"`
	// Lines is items under seed 004's SDK name (customerId + lines).
	Lines []lineRequest `json:"lines"`
}

// itemsOrLines takes lines as items (seed 004's SDK name); both is 400.
func (b *invoiceRequest) itemsOrLines() error {
	if b.Lines == nil {
		return nil
	}
	if b.Items != nil {
		return validationFor(sales.CodeInvalidInvoice, "lines", "Send items or lines, not both")
	}
	b.Items, b.Lines = b.Lines, nil
	return nil
}

// sendRequest is the seed-000 send body.
type sendRequest struct {
	To            []string `json:"to"`
	Cc            []string `json:"cc"`
	Bcc           []string `json:"bcc"`
	Subject       *string  `json:"subject"`
	Message       *string  `json:"message"`
	AttachPDF     *bool    `json:"attachPDF"`
	SendReminders *bool    `json:"sendReminders"`
}

func (s sendRequest) input() sales.SendInput {
	return sales.SendInput{To: s.To, Cc: s.Cc, Bcc: s.Bcc, Subject: s.Subject, Message: s.Message, AttachPDF: s.AttachPDF, SendReminders: s.SendReminders}
}

var invoiceList = listSpec{
	filters: map[string]filterField{
		"customerId":    {key: "customerID", kind: kString},
		"status":        enumFilter("status", invoice.StatusValidator),
		"paymentStatus": enumFilter("paymentStatus", invoice.PaymentStatusValidator),
		"invoiceDate":   {key: "invoiceDate", kind: kDate},
		"dueDate":       {key: "dueDate", kind: kDate},
		"total":         {key: "total", kind: kDecimal},
		"amountDue":     {key: "amountDue", kind: kDecimal},
		"currency":      {key: "currency", kind: kString},
		"invoiceNumber": {key: "invoiceNumber", kind: kString},
		"reference":     {key: "reference", kind: kString},
		"createdAt":     {key: "createdAt", kind: kTime},
	},
	aliases: map[string]string{
		"invoiceDateFrom": "invoiceDate[gte]", "invoiceDateTo": "invoiceDate[lte]",
		"dueDateFrom": "dueDate[gte]", "dueDateTo": "dueDate[lte]",
		"totalMin": "total[gte]", "totalMax": "total[lte]",
		"fromDate": "invoiceDate[gte]", "toDate": "invoiceDate[lte]",
	},
	sorts:       map[string]bool{"invoiceNumber": true, "invoiceDate": true, "dueDate": true, "total": true, "amountDue": true, "createdAt": true, "updatedAt": true},
	passthrough: map[string]bool{"search": true, "overdue": true, "customerName": true},
}

var invoiceOrderFields = map[string]*ent.InvoiceOrderField{
	"invoiceNumber": ent.InvoiceOrderFieldInvoiceNumber, "invoiceDate": ent.InvoiceOrderFieldInvoiceDate,
	"dueDate": ent.InvoiceOrderFieldDueDate, "total": ent.InvoiceOrderFieldTotal, "amountDue": ent.InvoiceOrderFieldAmountDue,
	"createdAt": ent.InvoiceOrderFieldCreatedAt, "updatedAt": ent.InvoiceOrderFieldUpdatedAt,
}

func (a *API) listInvoices(r *http.Request) (result, error) {
	q := r.URL.Query()
	// Seed 000 lists "overdue" and "cancelled" among statuses (overdue is
	// derived, cancelled is what this API calls void), and seed 001 uses
	// them with operators (status[ne]=cancelled): every equality and set
	// operator of status is answered here.
	var statusPreds []func(*sql.Selector)
	var overdue *bool
	var d apperr.Details
	for _, op := range []struct {
		key    string
		negate bool
	}{{"status", false}, {"status[eq]", false}, {"status[in]", false}, {"status[ne]", true}, {"status[nin]", true}} {
		v, ok := q[op.key]
		if !ok {
			continue
		}
		q.Del(op.key)
		pred, err := sales.InvoiceStatusFilter(splitList(v[len(v)-1]), op.negate)
		if err != nil {
			d.Add(op.key, "%s", err)
			continue
		}
		statusPreds = append(statusPreds, pred)
	}
	if name := q.Get("customerName"); name != "" {
		statusPreds = append(statusPreds, sales.InvoiceCustomerName(name))
	}
	if err := d.Err(sales.CodeInvalidInvoice, "Invalid query parameters"); err != nil {
		return result{}, err
	}
	if o := q.Get("overdue"); o != "" {
		v, err := parseValue(filterField{kind: kBool}, o)
		if err != nil {
			return result{}, validationFor(sales.CodeInvalidInvoice, "overdue", "Must be true or false")
		}
		b := v.(bool)
		overdue = &b
	}
	p, err := parseList(q, invoiceList, sales.CodeInvalidInvoice)
	if err != nil {
		return result{}, err
	}
	where := &ent.InvoiceWhereInput{}
	if err := p.into(where); err != nil {
		return result{}, err
	}
	for _, pred := range statusPreds {
		where.AddPredicates(pred)
	}
	var order []*ent.InvoiceOrder
	for _, s := range p.sort {
		order = append(order, &ent.InvoiceOrder{Field: invoiceOrderFields[s.field], Direction: direction(s.desc)})
	}
	search := q.Get("search")
	conn, err := a.query().Invoices(p.ctx(r.Context()), p.after, &p.limit, nil, nil, order, where, &search, overdue, nil, nil, nil)
	if err != nil {
		return result{}, err
	}
	nodes := make([]*ent.Invoice, len(conn.Edges))
	for i, e := range conn.Edges {
		nodes[i] = e.Node
	}
	if err := sales.LoadInvoiceDetails(r.Context(), nodes); err != nil {
		return result{}, err
	}
	today, err := sales.Today(r.Context())
	if err != nil {
		return result{}, err
	}
	atts, err := sales.AttachmentsOf(r.Context(), invoiceIDs(nodes)...)
	if err != nil {
		return result{}, err
	}
	data := make([]invoiceV1, len(nodes))
	for i, n := range nodes {
		data[i] = toInvoiceV1(n, today)
		data[i].Attachments = attachmentsV1(atts[n.ID])
	}
	pg := p.page(conn.PageInfo, conn.TotalCount)
	return result{status: http.StatusOK, data: data, page: &pg}, nil
}

// invoiceResult renders one invoice with its customer and lines.
func invoiceResult(r *http.Request, id pulid.ID, status int, message string) (result, error) {
	inv, err := sales.GetInvoice(r.Context(), id, func(q *ent.InvoiceQuery) (*ent.InvoiceQuery, error) {
		return sales.WithDetails(q), nil
	})
	if err != nil {
		return result{}, err
	}
	today, err := sales.Today(r.Context())
	if err != nil {
		return result{}, err
	}
	atts, err := sales.AttachmentsOf(r.Context(), id)
	if err != nil {
		return result{}, err
	}
	out := toInvoiceV1(inv, today)
	out.Attachments = attachmentsV1(atts[id])
	return result{status: status, data: out, message: message}, nil
}

func invoiceIDs(list []*ent.Invoice) []pulid.ID {
	ids := make([]pulid.ID, len(list))
	for i, inv := range list {
		ids[i] = inv.ID
	}
	return ids
}

func (a *API) getInvoice(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "inv", sales.InvoiceNotFound)
	if err != nil {
		return result{}, err
	}
	return invoiceResult(r, id, http.StatusOK, "")
}

func (a *API) createInvoice(r *http.Request) (result, error) {
	dia, raw, err := invoiceDialect(r)
	if err != nil {
		return result{}, err
	}
	if dia == dialect004 {
		in, err := a.invoice004Input(r, raw)
		if err != nil {
			return result{}, err
		}
		inv, err := a.mutation().CreateInvoice(r.Context(), in)
		if err != nil {
			return result{}, v004Names(err)
		}
		return invoiceResult(r, inv.ID, http.StatusCreated, "")
	}
	var body invoiceRequest
	if _, err := decodeBytes(raw, &body, sales.CodeInvalidInvoice, "Invoice validation failed"); err != nil {
		return result{}, err
	}
	if err := body.itemsOrLines(); err != nil {
		return result{}, err
	}
	var d apperr.Details
	in := sales.InvoiceInput{
		InvoiceDate: body.InvoiceDate, DueDate: body.DueDate, Currency: body.Currency,
		ExchangeRate: body.ExchangeRate.ptr(), Reference: body.Reference, PurchaseOrder: body.PurchaseOrder,
		Notes: body.Notes, Terms: body.Terms, BillingAddress: body.BillingAddress, ShippingAddress: body.ShippingAddress,
		ShippingCost: body.ShippingCost.ptr(), Items: toLineInputs(body.Items, &d),
	}
	if body.CustomerID == nil {
		d.Add("customerId", "Required")
	} else {
		in.CustomerID = *body.CustomerID
	}
	if err := d.Err(sales.CodeInvalidInvoice, "Invoice validation failed"); err != nil {
		return result{}, err
	}
	inv, err := a.mutation().CreateInvoice(r.Context(), in)
	if err != nil {
		return result{}, err
	}
	return invoiceResult(r, inv.ID, http.StatusCreated, "")
}

func (a *API) updateInvoice(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "inv", sales.InvoiceNotFound)
	if err != nil {
		return result{}, err
	}
	var body invoiceRequest
	f, err := decodeBody(r, &body, sales.CodeInvalidInvoice, "Invoice validation failed")
	if err != nil {
		return result{}, err
	}
	if err := body.itemsOrLines(); err != nil {
		return result{}, err
	}
	var d apperr.Details
	for _, k := range []string{"customerId", "currency"} {
		if f.has(k) {
			d.Add(k, "Cannot be changed on an existing invoice")
		}
	}
	in := sales.InvoiceUpdate{
		InvoiceDate: body.InvoiceDate, DueDate: body.DueDate, ExchangeRate: body.ExchangeRate.ptr(),
		Reference: body.Reference, PurchaseOrder: body.PurchaseOrder, Notes: body.Notes, Terms: body.Terms,
		BillingAddress: body.BillingAddress, ShippingAddress: body.ShippingAddress,
		ShippingCost: body.ShippingCost.ptr(), Items: toLineInputs(body.Items, &d),
	}
	if f.has("items") && body.Items == nil {
		d.Add("items", "Cannot be null")
	}
	if err := d.Err(sales.CodeInvalidInvoice, "Invoice validation failed"); err != nil {
		return result{}, err
	}
	if _, err := a.mutation().UpdateInvoice(r.Context(), id, in); err != nil {
		return result{}, err
	}
	return invoiceResult(r, id, http.StatusOK, "")
}

func (a *API) sendInvoice(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "inv", sales.InvoiceNotFound)
	if err != nil {
		return result{}, err
	}
	var body sendRequest
	if r.ContentLength != 0 {
		if _, err := decodeBody(r, &body, sales.CodeInvalidInvoice, "Send validation failed"); err != nil {
			return result{}, err
		}
	}
	in := body.input()
	key := r.Header.Get("Idempotency-Key")
	if _, err := a.mutation().SendInvoice(r.Context(), id, &in, &key); err != nil {
		return result{}, err
	}
	return invoiceResult(r, id, http.StatusOK, "Invoice sent")
}

type voidRequest struct {
	Reason *string `json:"reason"`
}

func (a *API) voidInvoice(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "inv", sales.InvoiceNotFound)
	if err != nil {
		return result{}, err
	}
	var body voidRequest
	if _, err := decodeBody(r, &body, sales.CodeInvalidInvoice, "Void validation failed"); err != nil {
		return result{}, err
	}
	reason := ""
	if body.Reason != nil {
		reason = *body.Reason
	}
	key := r.Header.Get("Idempotency-Key")
	if _, err := a.mutation().VoidInvoice(r.Context(), id, reason, &key); err != nil {
		return result{}, err
	}
	return invoiceResult(r, id, http.StatusOK, "Invoice voided")
}
