package rest

import (
	"net/http"
	"strconv"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/invoice"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/crm"
	"github.com/bigledger/bigledger/internal/sales"
)

// sellRow is seed 003's sell list row: an invoice of the contact.
// status is the sell's (draft, final, void), invoice_status ours;
// payment_status is paid, partial, due or overdue.
type sellRow struct {
	ID              pulid.ID   `json:"id"`
	InvoiceNo       string     `json:"invoice_no"`
	TransactionDate types.Date `json:"transaction_date"`
	DueDate         types.Date `json:"due_date"`
	Status          string     `json:"status"`
	InvoiceStatus   string     `json:"invoice_status"`
	PaymentStatus   string     `json:"payment_status"`
	FinalTotal      amount     `json:"final_total"`
	TotalPaid       amount     `json:"total_paid"`
	TotalRemaining  amount     `json:"total_remaining"`
	Currency        string     `json:"currency"`
	RefNo           *string    `json:"ref_no"`
	ContactID       pulid.ID   `json:"contact_id"`
	ContactName     string     `json:"contact_name"`
	ContactMobile   *string    `json:"contact_mobile"`
	IsDirectSale    bool       `json:"is_direct_sale"`
	SalesOrderID    *pulid.ID  `json:"sales_order_id"`
	Location        *string    `json:"location"`
	CreatedBy       *pulid.ID  `json:"created_by"`
	CreatedAt       time.Time  `json:"created_at"`
}

// sellListMeta is the paginator with the contact fixed by the path.
type sellListMeta struct {
	laravelMeta
	ContactID pulid.ID `json:"contact_id"`
}

type sellListBody struct {
	Data []sellRow    `json:"data"`
	Meta sellListMeta `json:"meta"`
}

// sellPaymentStatuses are the sell list's payment_status filters.
var sellPaymentStatuses = map[string]func(*ent.InvoiceQuery) *ent.InvoiceQuery{
	"paid": func(q *ent.InvoiceQuery) *ent.InvoiceQuery {
		return q.Where(invoice.PaymentStatusEQ(invoice.PaymentStatusPaid), invoice.StatusNEQ(invoice.StatusVoid))
	},
	"partial": func(q *ent.InvoiceQuery) *ent.InvoiceQuery {
		return q.Where(invoice.StatusEQ(invoice.StatusSent), invoice.PaymentStatusEQ(invoice.PaymentStatusPartial))
	},
	"due": func(q *ent.InvoiceQuery) *ent.InvoiceQuery {
		return q.Where(invoice.StatusEQ(invoice.StatusSent), invoice.PaymentStatusEQ(invoice.PaymentStatusUnpaid))
	},
	"overdue": func(q *ent.InvoiceQuery) *ent.InvoiceQuery { return q.Where(sales.OverdueFilter(true)) },
}

func (a *API) contactSells(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "cust", crm.CustomerNotFound)
	if err != nil {
		return result{}, err
	}
	cu, err := crm.SellingContact(r.Context(), id, "sells")
	if err != nil {
		return result{}, err
	}
	q := r.URL.Query()
	var d apperr.Details
	f := sales.InvoiceFilter{CustomerID: &id, Search: checkQ(&d, q)}
	for key, dst := range map[string]**types.Date{"start_date": &f.DateFrom, "end_date": &f.DateTo} {
		if s := q.Get(key); s != "" {
			dt, err := types.ParseDate(s)
			if err != nil {
				d.Add(key, "Must be a date (YYYY-MM-DD)")
				continue
			}
			*dst = &dt
		}
	}
	status := q.Get("payment_status")
	if _, ok := sellPaymentStatuses[status]; status != "" && !ok {
		d.Add("payment_status", "The selected payment status is invalid: use paid, partial, due or overdue")
	}
	bools := map[string]*bool{}
	for _, key := range []string{"only_shipments", "is_direct_sale"} {
		if s := q.Get(key); s != "" {
			b, err := strconv.ParseBool(s)
			if err != nil {
				d.Add(key, "Must be true or false (1 or 0)")
				continue
			}
			bools[key] = &b
		}
	}
	var createdBy *pulid.ID
	if s := q.Get("created_by"); s != "" {
		u, err := pulid.ParseWithPrefix(s, "user")
		if err != nil {
			d.Add("created_by", "The selected created by is invalid")
		}
		createdBy = &u
	}
	if s := q.Get("location_id"); s != "" && s != "1" {
		// A company has one business location (id 1) until locations exist.
		d.Add("location_id", "The selected location id is invalid: the business has one location, 1")
	}
	checkFormat(&d, q)
	pg := parseLaravelPage(&d, q, 20)
	if err := d.Err(contactCode, customerValidationMessage); err != nil {
		return result{}, err
	}
	query, err := sales.Invoices(r.Context(), f)
	if err != nil {
		return result{}, err
	}
	if status != "" {
		query = sellPaymentStatuses[status](query)
	}
	if b := bools["is_direct_sale"]; b != nil {
		if *b {
			query = query.Where(invoice.SalesOrderIDIsNil())
		} else {
			query = query.Where(invoice.SalesOrderIDNotNil())
		}
	}
	if b := bools["only_shipments"]; b != nil && *b {
		// Shipped sells: invoices of a sales order (the goods were delivered).
		query = query.Where(invoice.SalesOrderIDNotNil())
	}
	if createdBy != nil {
		query = query.Where(invoice.CreatedByID(*createdBy))
	}
	rows, total, err := fetchPage(r.Context(), query.Order(ent.Desc(invoice.FieldInvoiceDate), ent.Desc(invoice.FieldID)), pg)
	if err != nil {
		return result{}, err
	}
	today, err := sales.Today(r.Context())
	if err != nil {
		return result{}, err
	}
	data := make([]sellRow, len(rows))
	for i, inv := range rows {
		data[i] = toSellRow(inv, cu, today)
	}
	m := pg.meta(total)
	res := pg.result(data, sellListBody{Data: data, Meta: sellListMeta{laravelMeta: m, ContactID: id}}, total)
	return res, nil
}

func toSellRow(inv *ent.Invoice, cu *ent.Customer, today types.Date) sellRow {
	status := "final"
	switch inv.Status {
	case invoice.StatusDraft:
		status = "draft"
	case invoice.StatusVoid:
		status = "void"
	}
	pay := map[invoice.PaymentStatus]string{invoice.PaymentStatusPaid: "paid", invoice.PaymentStatusPartial: "partial", invoice.PaymentStatusUnpaid: "due"}[inv.PaymentStatus]
	if sales.IsOverdue(inv, today) {
		pay = "overdue"
	}
	return sellRow{
		ID: inv.ID, InvoiceNo: inv.InvoiceNumber, TransactionDate: inv.InvoiceDate, DueDate: inv.DueDate,
		Status: status, InvoiceStatus: string(inv.Status), PaymentStatus: pay,
		FinalTotal: amount{inv.Total, inv.Currency}, TotalPaid: amount{inv.AmountPaid, inv.Currency}, TotalRemaining: amount{inv.AmountDue, inv.Currency},
		Currency: inv.Currency, RefNo: inv.Reference, ContactID: cu.ID, ContactName: cu.Name, ContactMobile: cu.Mobile,
		IsDirectSale: inv.SalesOrderID == nil, SalesOrderID: inv.SalesOrderID, CreatedBy: inv.CreatedByID, CreatedAt: inv.CreatedAt.UTC(),
	}
}
