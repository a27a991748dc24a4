package rest

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"entgo.io/ent/dialect/sql"
	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/invoice"
	"github.com/bigledger/bigledger/ent/item"
	"github.com/bigledger/bigledger/ent/quote"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/sales"
)

// lineV2Request is seed 002's document line: description, amount (the
// unit price) and qty (default 1); product_id takes a product's name and
// price, tax_rate (percent) one of the company's tax codes by its rate.
type lineV2Request struct {
	Description *string       `json:"description"`
	Amount      *decimalValue `json:"amount"`
	Qty         *decimalValue `json:"qty"`
	ProductID   *pulid.ID     `json:"product_id"`
	TaxRate     *decimalValue `json:"tax_rate"`
}

// lineV2 is a document line as v2 shows it.
type lineV2 struct {
	Description string    `json:"description"`
	Amount      amount    `json:"amount"`
	Qty         number    `json:"qty"`
	Total       amount    `json:"total"`
	TaxRate     number    `json:"tax_rate"`
	Tax         amount    `json:"tax"`
	ProductID   *pulid.ID `json:"product_id"`
}

// v2DocumentNames are the domain's document fields by their v2 names.
var v2DocumentNames = map[string]string{
	"customerId": "customer_id", "invoiceDate": "date", "quoteDate": "date", "dueDate": "due_date",
	"validUntil": "valid_until", "unitPrice": "amount", "quantity": "qty", "itemId": "product_id", "taxCode": "tax_rate",
}

// v2Lines turns v2 lines into the domain's, naming a tax rate the company
// has no tax code for.
func v2Lines(ctx context.Context, in []lineV2Request, d *apperr.Details) ([]sales.LineInput, error) {
	if in == nil {
		return nil, nil
	}
	out := make([]sales.LineInput, len(in))
	for i, l := range in {
		out[i] = sales.LineInput{ItemID: l.ProductID, Description: l.Description, UnitPrice: l.Amount.ptr(), Quantity: decimal.NewFromInt(1)}
		if l.Qty != nil {
			out[i].Quantity = l.Qty.Decimal
		}
		if l.TaxRate == nil {
			continue
		}
		tc, err := sales.TaxCodeByRate(ctx, l.TaxRate.Decimal)
		if err != nil {
			return nil, err
		}
		if tc == nil {
			msg, err := noTaxRate(ctx, l.TaxRate.Decimal.String())
			if err != nil {
				return nil, err
			}
			d.Add(fmt.Sprintf("items[%d].tax_rate", i), "%s", msg)
			continue
		}
		out[i].TaxCode = &tc.Code
	}
	return out, nil
}

func noTaxRate(ctx context.Context, rate string) (string, error) {
	rates, err := sales.TaxRates(ctx)
	if err != nil {
		return "", err
	}
	names := make([]string, len(rates))
	for i, r := range rates {
		names[i] = r.String()
	}
	return fmt.Sprintf("No tax code has the rate %s%%; the company's rates are %s", rate, strings.Join(names, ", ")), nil
}

func toLineV2(desc string, itemID *pulid.ID, qty, price, total, rate, tax decimal.Decimal, cur string) lineV2 {
	return lineV2{Description: desc, ProductID: itemID, Qty: number{qty}, Amount: amount{price, cur},
		Total: amount{total, cur}, TaxRate: number{rate}, Tax: amount{tax, cur}}
}

// invoiceV2 is seed 002's invoice.
type invoiceV2 struct {
	ID            pulid.ID   `json:"id"`
	InvoiceNumber string     `json:"invoice_number"`
	CustomerID    pulid.ID   `json:"customer_id"`
	CustomerName  string     `json:"customer_name"`
	Date          types.Date `json:"date"`
	DueDate       types.Date `json:"due_date"`
	Currency      string     `json:"currency"`
	Subtotal      amount     `json:"subtotal"`
	Tax           amount     `json:"tax"`
	Amount        amount     `json:"amount"`
	AmountPaid    amount     `json:"amount_paid"`
	AmountDue     amount     `json:"amount_due"`
	// Status is Paid, Unpaid or Partially Paid (seed 002), or Draft or
	// Void for invoices made elsewhere; Overdue tells an unpaid invoice
	// past its due date.
	Status    string   `json:"status"`
	Overdue   bool     `json:"overdue"`
	Notes     *string  `json:"notes"`
	Items     []lineV2 `json:"items"`
	CreatedAt string   `json:"created_at"`
}

// v2InvoiceStatuses are the v2 statuses and the predicate each selects.
var v2InvoiceStatuses = []struct {
	name string
	pred func(*sql.Selector) *sql.Predicate
}{
	{"Paid", func(s *sql.Selector) *sql.Predicate { return sql.EQ(s.C(invoice.FieldStatus), invoice.StatusPaid) }},
	{"Unpaid", func(s *sql.Selector) *sql.Predicate {
		return sql.And(sql.EQ(s.C(invoice.FieldStatus), invoice.StatusSent), sql.EQ(s.C(invoice.FieldPaymentStatus), invoice.PaymentStatusUnpaid))
	}},
	{"Partially Paid", func(s *sql.Selector) *sql.Predicate {
		return sql.And(sql.EQ(s.C(invoice.FieldStatus), invoice.StatusSent), sql.EQ(s.C(invoice.FieldPaymentStatus), invoice.PaymentStatusPartial))
	}},
	{"Draft", func(s *sql.Selector) *sql.Predicate { return sql.EQ(s.C(invoice.FieldStatus), invoice.StatusDraft) }},
	{"Void", func(s *sql.Selector) *sql.Predicate { return sql.EQ(s.C(invoice.FieldStatus), invoice.StatusVoid) }},
}

func v2InvoiceStatus(inv *ent.Invoice) string {
	switch {
	case inv.Status == invoice.StatusDraft:
		return "Draft"
	case inv.Status == invoice.StatusVoid:
		return "Void"
	case inv.Status == invoice.StatusPaid || inv.PaymentStatus == invoice.PaymentStatusPaid:
		return "Paid"
	case inv.PaymentStatus == invoice.PaymentStatusPartial:
		return "Partially Paid"
	}
	return "Unpaid"
}

func toInvoiceV2(inv *ent.Invoice, today types.Date) invoiceV2 {
	cur := inv.Currency
	out := invoiceV2{ID: inv.ID, InvoiceNumber: inv.InvoiceNumber, CustomerID: inv.CustomerID, Date: inv.InvoiceDate, DueDate: inv.DueDate,
		Currency: cur, Subtotal: amount{inv.Subtotal, cur}, Tax: amount{inv.TotalTax, cur}, Amount: amount{inv.Total, cur},
		AmountPaid: amount{inv.AmountPaid, cur}, AmountDue: amount{inv.AmountDue, cur}, Status: v2InvoiceStatus(inv),
		Overdue: sales.IsOverdue(inv, today), Notes: inv.Notes, Items: []lineV2{}, CreatedAt: v2Timestamp(inv.CreatedAt)}
	if c := inv.Edges.Customer; c != nil {
		out.CustomerName = c.Name
	}
	for _, l := range inv.Edges.Items {
		out.Items = append(out.Items, toLineV2(l.Description, l.ItemID, l.Quantity, l.UnitPrice, l.LineTotal, l.TaxRate, l.TaxAmount, cur))
	}
	return out
}

// invoiceV2Request is seed 002's Create Invoice body.
type invoiceV2Request struct {
	CustomerID *pulid.ID       `json:"customer_id"`
	Date       *types.Date     `json:"date"`
	DueDate    *types.Date     `json:"due_date"`
	Items      []lineV2Request `json:"items"`
	Notes      *string         `json:"notes"`
	Reference  *string         `json:"reference"`
}

// v2Filters reads the parameters a v2 list shares: page and limit, and
// refuses any not in allowed.
func v2Filters(q url.Values, d *apperr.Details, allowed ...string) pageNumber {
	p := parsePageNumber(q, v2DefaultLimit, d)
	for k := range q {
		if k != "page" && k != "limit" && !contains(allowed, k) {
			d.Add(k, "Unknown parameter (page, limit, %s)", strings.Join(allowed, ", "))
		}
	}
	return p
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// v2DateParam reads an optional YYYY-MM-DD range bound (date_from is the
// start, date_to the end: a day past the month's end reads as in v1).
func v2DateParam(q url.Values, name string, d *apperr.Details) *types.Date {
	s := q.Get(name)
	if s == "" {
		return nil
	}
	if strings.HasSuffix(name, "_to") {
		s = monthEnd(s, "lte")
	} else {
		s = monthEnd(s, "gte")
	}
	v, err := types.ParseDate(s)
	if err != nil {
		d.Add(name, "Must be a date in YYYY-MM-DD form")
		return nil
	}
	return &v
}

// v2IDParam reads an optional id parameter of one kind ("cust").
func v2IDParam(q url.Values, name, prefix string, d *apperr.Details) *pulid.ID {
	s := q.Get(name)
	if s == "" {
		return nil
	}
	id, err := pulid.ParseWithPrefix(s, prefix)
	if err != nil {
		d.Add(name, "Must be an id such as %s_01HZ…", prefix)
		return nil
	}
	return &id
}

func (a *API) listInvoicesV2(r *http.Request) (result, error) {
	q := r.URL.Query()
	var d apperr.Details
	p := v2Filters(q, &d, "status", "customer_id", "date_from", "date_to")
	from, to := v2DateParam(q, "date_from", &d), v2DateParam(q, "date_to", &d)
	if from != nil && to != nil && to.Time().Before(from.Time()) {
		d.Add("date_to", "Must be on or after date_from")
	}
	cust := v2IDParam(q, "customer_id", "cust", &d)
	var statuses []func(*sql.Selector) *sql.Predicate
	if s := q.Get("status"); s != "" {
		for _, part := range splitList(s) {
			found := false
			for _, st := range v2InvoiceStatuses {
				if strings.EqualFold(strings.ReplaceAll(part, "_", " "), st.name) {
					statuses, found = append(statuses, st.pred), true
				}
			}
			if !found {
				d.Add("status", "%q is not one of Paid, Unpaid, Partially Paid, Draft, Void", part)
			}
		}
	}
	sortDetails(d)
	if err := d.Err(sales.CodeInvalidInvoice, "Invalid query parameters"); err != nil {
		return result{}, err
	}
	base, err := sales.Invoices(r.Context(), sales.InvoiceFilter{})
	if err != nil {
		return result{}, err
	}
	if cust != nil {
		base = base.Where(invoice.CustomerID(*cust))
	}
	if from != nil {
		base = base.Where(invoice.InvoiceDateGTE(*from))
	}
	if to != nil {
		base = base.Where(invoice.InvoiceDateLTE(*to))
	}
	if len(statuses) > 0 {
		base = base.Where(func(s *sql.Selector) {
			ps := make([]*sql.Predicate, len(statuses))
			for i, st := range statuses {
				ps[i] = st(s)
			}
			s.Where(sql.Or(ps...))
		})
	}
	rows, m, err := numbered(r.Context(), p, func(ctx context.Context) (int, error) { return base.Clone().Aggregate(ent.Count()).Int(ctx) }, func(ctx context.Context, offset, limit int) ([]*ent.Invoice, error) {
		list, err := base.Order(ent.Desc(invoice.FieldInvoiceDate), ent.Desc(invoice.FieldID)).Offset(offset).Limit(limit).All(ctx)
		if err != nil {
			return nil, err
		}
		return list, sales.LoadInvoiceDetails(ctx, list)
	})
	if err != nil {
		return result{}, err
	}
	today, err := sales.Today(r.Context())
	if err != nil {
		return result{}, err
	}
	data := make([]invoiceV2, len(rows))
	for i, inv := range rows {
		data[i] = toInvoiceV2(inv, today)
	}
	return v2List(data, m), nil
}

func (a *API) invoiceV2Result(r *http.Request, id pulid.ID, status int, message string) (result, error) {
	inv, err := sales.GetInvoice(r.Context(), id, func(q *ent.InvoiceQuery) (*ent.InvoiceQuery, error) {
		return q.WithCustomer().WithItems(sales.OrderLines), nil
	})
	if err != nil {
		return result{}, err
	}
	today, err := sales.Today(r.Context())
	if err != nil {
		return result{}, err
	}
	return v2One(status, toInvoiceV2(inv, today), message), nil
}

func (a *API) getInvoiceV2(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "inv", sales.InvoiceNotFound)
	if err != nil {
		return result{}, err
	}
	return a.invoiceV2Result(r, id, http.StatusOK, "")
}

// createInvoiceV2 answers POST /api/v2/invoices: the invoice is created
// and issued (posted to the ledger) in one transaction, so it is Unpaid.
func (a *API) createInvoiceV2(r *http.Request) (result, error) {
	var body invoiceV2Request
	if _, err := decodeBody(r, &body, sales.CodeInvalidInvoice, "Validation failed"); err != nil {
		return result{}, err
	}
	var d apperr.Details
	items, err := v2Lines(r.Context(), body.Items, &d)
	if err != nil {
		return result{}, err
	}
	in := sales.InvoiceInput{InvoiceDate: body.Date, DueDate: body.DueDate, Notes: body.Notes, Reference: body.Reference, Items: items}
	if body.CustomerID == nil {
		d.Add("customer_id", "Required")
	} else {
		in.CustomerID = *body.CustomerID
	}
	if body.Items == nil {
		d.Add("items", "At least one line item is required")
	}
	sortDetails(d)
	if err := d.Err(sales.CodeInvalidInvoice, "Validation failed"); err != nil {
		return result{}, err
	}
	inv, err := sales.CreateAndIssueInvoice(r.Context(), in)
	if err != nil {
		return result{}, v2Names(err, v2DocumentNames)
	}
	return a.invoiceV2Result(r, inv.ID, http.StatusCreated, "Invoice created")
}

// quoteV2 is a quote as v2 shows it.
type quoteV2 struct {
	ID           pulid.ID   `json:"id"`
	QuoteNumber  string     `json:"quote_number"`
	CustomerID   pulid.ID   `json:"customer_id"`
	CustomerName string     `json:"customer_name"`
	Date         types.Date `json:"date"`
	ValidUntil   types.Date `json:"valid_until"`
	Currency     string     `json:"currency"`
	Subtotal     amount     `json:"subtotal"`
	Tax          amount     `json:"tax"`
	Amount       amount     `json:"amount"`
	// Status is Draft, Sent, Accepted, Rejected, Expired or Converted.
	Status    string   `json:"status"`
	Notes     *string  `json:"notes"`
	Items     []lineV2 `json:"items"`
	CreatedAt string   `json:"created_at"`
}

func titleWord(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func toQuoteV2(q *ent.Quote, today types.Date) quoteV2 {
	cur := q.Currency
	out := quoteV2{ID: q.ID, QuoteNumber: q.QuoteNumber, CustomerID: q.CustomerID, Date: q.QuoteDate, ValidUntil: q.ValidUntil,
		Currency: cur, Subtotal: amount{q.Subtotal, cur}, Tax: amount{q.TotalTax, cur}, Amount: amount{q.Total, cur},
		Status: titleWord(string(sales.QuoteStatus(q, today))), Notes: q.Notes, Items: []lineV2{}, CreatedAt: v2Timestamp(q.CreatedAt)}
	if c := q.Edges.Customer; c != nil {
		out.CustomerName = c.Name
	}
	for _, l := range q.Edges.Items {
		out.Items = append(out.Items, toLineV2(l.Description, l.ItemID, l.Quantity, l.UnitPrice, l.LineTotal, l.TaxRate, l.TaxAmount, cur))
	}
	return out
}

// quoteV2Request is seed 002's Create Quote body.
type quoteV2Request struct {
	CustomerID *pulid.ID       `json:"customer_id"`
	Date       *types.Date     `json:"date"`
	ValidUntil *types.Date     `json:"valid_until"`
	Items      []lineV2Request `json:"items"`
	Notes      *string         `json:"notes"`
	Title      *string         `json:"title"`
}

func (a *API) listQuotesV2(r *http.Request) (result, error) {
	q := r.URL.Query()
	var d apperr.Details
	p := v2Filters(q, &d, "status", "customer_id")
	cust := v2IDParam(q, "customer_id", "cust", &d)
	var statuses []quote.Status
	if s := q.Get("status"); s != "" {
		for _, part := range splitList(s) {
			st := quote.Status(strings.ToLower(part))
			if quote.StatusValidator(st) != nil {
				d.Add("status", "%q is not one of Draft, Sent, Accepted, Rejected, Expired, Converted", part)
				continue
			}
			statuses = append(statuses, st)
		}
	}
	sortDetails(d)
	if err := d.Err(sales.CodeInvalidQuote, "Invalid query parameters"); err != nil {
		return result{}, err
	}
	base := sales.Quotes(r.Context(), "")
	if cust != nil {
		base = base.Where(quote.CustomerID(*cust))
	}
	if len(statuses) > 0 {
		base = base.Where(sales.QuoteStatusFilter(statuses))
	}
	rows, m, err := numbered(r.Context(), p, func(ctx context.Context) (int, error) { return base.Clone().Aggregate(ent.Count()).Int(ctx) }, func(ctx context.Context, offset, limit int) ([]*ent.Quote, error) {
		ids, err := base.Order(ent.Desc(quote.FieldQuoteDate), ent.Desc(quote.FieldID)).Offset(offset).Limit(limit).IDs(ctx)
		if err != nil {
			return nil, err
		}
		return sales.QuotesWithDetails(ctx, ids)
	})
	if err != nil {
		return result{}, err
	}
	today, err := sales.Today(r.Context())
	if err != nil {
		return result{}, err
	}
	data := make([]quoteV2, len(rows))
	for i, qu := range rows {
		data[i] = toQuoteV2(qu, today)
	}
	return v2List(data, m), nil
}

func (a *API) quoteV2Result(r *http.Request, id pulid.ID, status int, message string) (result, error) {
	found, err := sales.QuotesWithDetails(r.Context(), []pulid.ID{id})
	if err != nil {
		return result{}, err
	}
	if len(found) == 0 {
		return result{}, sales.QuoteNotFound(id)
	}
	today, err := sales.Today(r.Context())
	if err != nil {
		return result{}, err
	}
	return v2One(status, toQuoteV2(found[0], today), message), nil
}

func (a *API) getQuoteV2(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "quote", sales.QuoteNotFound)
	if err != nil {
		return result{}, err
	}
	return a.quoteV2Result(r, id, http.StatusOK, "")
}

func (a *API) createQuoteV2(r *http.Request) (result, error) {
	var body quoteV2Request
	if _, err := decodeBody(r, &body, sales.CodeInvalidQuote, "Validation failed"); err != nil {
		return result{}, err
	}
	var d apperr.Details
	items, err := v2Lines(r.Context(), body.Items, &d)
	if err != nil {
		return result{}, err
	}
	in := sales.QuoteInput{QuoteDate: body.Date, ValidUntil: body.ValidUntil, Notes: body.Notes, Title: body.Title, Items: items}
	if body.CustomerID == nil {
		d.Add("customer_id", "Required")
	} else {
		in.CustomerID = *body.CustomerID
	}
	if body.Items == nil {
		d.Add("items", "At least one line item is required")
	}
	sortDetails(d)
	if err := d.Err(sales.CodeInvalidQuote, "Validation failed"); err != nil {
		return result{}, err
	}
	qu, err := a.mutation().CreateQuote(r.Context(), in)
	if err != nil {
		return result{}, v2Names(err, v2DocumentNames)
	}
	return a.quoteV2Result(r, qu.ID, http.StatusCreated, "Quote created")
}

// productV2 is seed 002's product or service (an item of the catalogue).
type productV2 struct {
	ID          pulid.ID `json:"id"`
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	Price       amount   `json:"price"`
	Description *string  `json:"description"`
	Type        string   `json:"type"`
	TaxRate     number   `json:"tax_rate"`
	Active      bool     `json:"active"`
	CreatedAt   string   `json:"created_at"`
}

// toProductV2 prints prices at two decimals, as v1's items do.
func toProductV2(it *ent.Item) productV2 {
	const cur = "MYR"
	out := productV2{ID: it.ID, Code: it.Code, Name: it.Name, Price: amount{it.UnitPrice, cur}, Description: it.Description,
		Type: string(it.Type), Active: it.Active, CreatedAt: v2Timestamp(it.CreatedAt)}
	if tc := it.Edges.TaxCode; tc != nil {
		out.TaxRate = number{tc.Rate}
	}
	return out
}

// productV2Request is seed 002's Create Product body (code is optional:
// without one the product is numbered ITEM-0001, …).
type productV2Request struct {
	Name        *string       `json:"name"`
	Price       *decimalValue `json:"price"`
	Description *string       `json:"description"`
	Type        *item.Type    `json:"type"`
	TaxRate     *decimalValue `json:"tax_rate"`
	Code        *string       `json:"code"`
}

var v2ProductNames = map[string]string{"unitPrice": "price", "taxCodeId": "tax_rate"}

func (a *API) listProductsV2(r *http.Request) (result, error) {
	q := r.URL.Query()
	var d apperr.Details
	p := v2Filters(q, &d, "search", "type")
	var typ *item.Type
	if s := q.Get("type"); s != "" {
		t := item.Type(strings.ToLower(s))
		if item.TypeValidator(t) != nil {
			d.Add("type", "Must be product or service")
		}
		typ = &t
	}
	sortDetails(d)
	if err := d.Err(sales.CodeInvalidItem, "Invalid query parameters"); err != nil {
		return result{}, err
	}
	base := sales.Items(r.Context(), q.Get("search"))
	if typ != nil {
		base = base.Where(item.TypeEQ(*typ))
	}
	rows, m, err := numbered(r.Context(), p, func(ctx context.Context) (int, error) { return base.Clone().Aggregate(ent.Count()).Int(ctx) }, func(ctx context.Context, offset, limit int) ([]*ent.Item, error) {
		list, err := base.Order(ent.Desc(item.FieldID)).Offset(offset).Limit(limit).All(ctx)
		if err != nil {
			return nil, err
		}
		return list, sales.LoadItemTaxCodes(ctx, list)
	})
	if err != nil {
		return result{}, err
	}
	data := make([]productV2, len(rows))
	for i, it := range rows {
		data[i] = toProductV2(it)
	}
	return v2List(data, m), nil
}

func (a *API) createProductV2(r *http.Request) (result, error) {
	var body productV2Request
	if _, err := decodeBody(r, &body, sales.CodeInvalidItem, "Validation failed"); err != nil {
		return result{}, err
	}
	var d apperr.Details
	checkEnum(&d, "type", body.Type, item.TypeValidator)
	in := ent.CreateItemInput{Description: body.Description, Type: body.Type, UnitPrice: body.Price.ptr()}
	if body.Name == nil || strings.TrimSpace(*body.Name) == "" {
		d.Add("name", "Name is required")
	} else {
		in.Name = *body.Name
	}
	if body.Price == nil {
		d.Add("price", "Required")
	}
	if body.Code != nil {
		if strings.TrimSpace(*body.Code) == "" {
			d.Add("code", "Must not be empty (leave it out to number the product)")
		}
		in.Code = *body.Code
	}
	if body.TaxRate != nil {
		tc, err := sales.TaxCodeByRate(r.Context(), body.TaxRate.Decimal)
		if err != nil {
			return result{}, err
		}
		if tc == nil {
			msg, err := noTaxRate(r.Context(), body.TaxRate.Decimal.String())
			if err != nil {
				return result{}, err
			}
			d.Add("tax_rate", "%s", msg)
		} else {
			in.TaxCodeID = &tc.ID
		}
	}
	sortDetails(d)
	if err := d.Err(sales.CodeInvalidItem, "Validation failed"); err != nil {
		return result{}, err
	}
	it, err := sales.CreateItemNumbered(r.Context(), in)
	if err != nil {
		return result{}, v2Names(err, v2ProductNames)
	}
	if err := sales.LoadItemTaxCodes(r.Context(), []*ent.Item{it}); err != nil {
		return result{}, err
	}
	return v2One(http.StatusCreated, toProductV2(it), "Product created"), nil
}
