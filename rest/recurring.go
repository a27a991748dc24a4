package rest

import (
	"fmt"
	"net/http"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/recurringinvoice"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/crm"
	"github.com/bigledger/bigledger/internal/sales"
)

// Recurring invoices: POST/GET/PATCH /api/v1/recurring-invoices in the
// seed-000 shape, and seed 003's subscriptions (SubscriptionRow) over the
// same templates.

// recurringRequest is the create/update body of /api/v1/recurring-invoices.
type recurringRequest struct {
	CustomerID    *pulid.ID     `json:"customerId"`
	Items         []lineRequest `json:"items"`
	Interval      *string       `json:"interval"`
	IntervalCount *int          `json:"intervalCount"`
	StartDate     *types.Date   `json:"startDate"`
	EndDate       *types.Date   `json:"endDate"`
	MaxCount      *int          `json:"maxCount"`
	Reference     *string       `json:"reference"`
	Notes         *string       `json:"notes"`
	Terms         *string       `json:"terms"`
	Issue         *bool         `json:"issue"`
	// AutoSend emails each issued invoice to the customer (needs issue).
	AutoSend *bool `json:"autoSend"`
}

// recurringV1 is a recurring invoice in the seed-000 style.
type recurringV1 struct {
	ID                 pulid.ID             `json:"id"`
	SubscriptionNumber string               `json:"subscriptionNumber"`
	CustomerID         pulid.ID             `json:"customerId"`
	Status             string               `json:"status"`
	Interval           string               `json:"interval"`
	IntervalCount      int                  `json:"intervalCount"`
	StartDate          types.Date           `json:"startDate"`
	NextRunDate        *types.Date          `json:"nextRunDate"`
	EndDate            *types.Date          `json:"endDate"`
	MaxCount           *int                 `json:"maxCount"`
	GeneratedCount     int                  `json:"generatedCount"`
	Currency           string               `json:"currency"`
	Items              []types.LineTemplate `json:"items"`
	Reference          *string              `json:"reference"`
	Notes              *string              `json:"notes"`
	Terms              *string              `json:"terms"`
	Issue              bool                 `json:"issue"`
	AutoSend           bool                 `json:"autoSend"`
	StoppedAt          *time.Time           `json:"stoppedAt"`
	LastGeneratedAt    *time.Time           `json:"lastGeneratedAt"`
	CreatedAt          time.Time            `json:"createdAt"`
	UpdatedAt          time.Time            `json:"updatedAt"`
}

func toRecurringV1(r *ent.RecurringInvoice) recurringV1 {
	return recurringV1{ID: r.ID, SubscriptionNumber: r.SubscriptionNumber, CustomerID: r.CustomerID, Status: string(r.Status),
		Interval: string(r.Interval), IntervalCount: r.IntervalCount, StartDate: r.StartDate, NextRunDate: r.NextRunDate,
		EndDate: r.EndDate, MaxCount: r.MaxCount, GeneratedCount: r.GeneratedCount, Currency: r.Currency, Items: r.Items,
		Reference: r.Reference, Notes: r.Notes, Terms: r.Terms, Issue: r.Issue, AutoSend: r.AutoSend, StoppedAt: r.StoppedAt,
		LastGeneratedAt: r.LastGeneratedAt, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func (a *API) createRecurring(r *http.Request) (result, error) {
	var b recurringRequest
	_, err := decodeBody(r, &b, sales.CodeInvalidRecurring, "Recurring invoice validation failed")
	if err != nil {
		return result{}, err
	}
	var d apperr.Details
	if b.CustomerID == nil {
		d.Add("customerId", "Required")
	}
	items := toLineInputs(b.Items, &d)
	if err := d.Err(sales.CodeInvalidRecurring, "Recurring invoice validation failed"); err != nil {
		return result{}, err
	}
	in := sales.RecurringInput{CustomerID: *b.CustomerID, Items: items, IntervalCount: b.IntervalCount, StartDate: b.StartDate,
		EndDate: b.EndDate, MaxCount: b.MaxCount, Reference: b.Reference, Notes: b.Notes, Terms: b.Terms, Issue: b.Issue, AutoSend: b.AutoSend}
	if b.Interval != nil {
		in.Interval = recurringinvoice.Interval(*b.Interval)
	}
	rec, err := sales.CreateRecurring(r.Context(), in)
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusCreated, data: toRecurringV1(rec)}, nil
}

func (a *API) getRecurring(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "rinv", sales.RecurringNotFound)
	if err != nil {
		return result{}, err
	}
	rec, err := sales.GetRecurring(r.Context(), id)
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, data: toRecurringV1(rec)}, nil
}

func (a *API) updateRecurring(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "rinv", sales.RecurringNotFound)
	if err != nil {
		return result{}, err
	}
	var b recurringRequest
	f, err := decodeBody(r, &b, sales.CodeInvalidRecurring, "Recurring invoice validation failed")
	if err != nil {
		return result{}, err
	}
	var d apperr.Details
	if b.CustomerID != nil {
		d.Add("customerId", "The customer of a recurring invoice cannot change; create another")
	}
	if b.StartDate != nil {
		d.Add("startDate", "The start date cannot change once the schedule exists")
	}
	items := toLineInputs(b.Items, &d)
	if err := d.Err(sales.CodeInvalidRecurring, "Recurring invoice validation failed"); err != nil {
		return result{}, err
	}
	rec, err := sales.UpdateRecurring(r.Context(), id, sales.RecurringUpdate{Items: items, Interval: (*recurringinvoice.Interval)(b.Interval), IntervalCount: b.IntervalCount,
		EndDate: b.EndDate, ClearEndDate: f.isNull("endDate"), MaxCount: b.MaxCount, ClearMaxCount: f.isNull("maxCount"),
		Reference: b.Reference, Notes: b.Notes, Terms: b.Terms, Issue: b.Issue, AutoSend: b.AutoSend})
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, data: toRecurringV1(rec)}, nil
}

func (a *API) listRecurring(r *http.Request) (result, error) {
	q := r.URL.Query()
	var d apperr.Details
	pg := parseLaravelPage(&d, q, 20)
	f := sales.RecurringFilter{}
	if s := q.Get("customerId"); s != "" {
		id, err := pulid.ParseWithPrefix(s, "cust")
		if err != nil {
			d.Add("customerId", "Not a customer id")
		}
		f.CustomerID = &id
	}
	if err := d.Err(sales.CodeInvalidRecurring, "Invalid query parameters"); err != nil {
		return result{}, err
	}
	query := sales.Recurrings(r.Context(), f)
	list, total, err := fetchPage(r.Context(), query, pg)
	if err != nil {
		return result{}, err
	}
	data := make([]recurringV1, len(list))
	for i, rec := range list {
		data[i] = toRecurringV1(rec)
	}
	m := pg.meta(total)
	return result{status: http.StatusOK, data: data, page: &pagination{Page: m.CurrentPage, Pages: m.LastPage, Limit: m.PerPage, Total: total,
		HasMore: m.CurrentPage < m.LastPage}}, nil
}

// generatedV1 is one generated invoice of a subscription.
type generatedV1 struct {
	ID              pulid.ID   `json:"id"`
	InvoiceNo       string     `json:"invoice_no"`
	TransactionDate types.Date `json:"transaction_date"`
}

// subscriptionRow is seed 003's SubscriptionRow.
type subscriptionRow struct {
	ID                    pulid.ID      `json:"id"`
	ContactID             pulid.ID      `json:"contact_id"`
	ContactName           *string       `json:"contact_name"`
	TransactionDate       time.Time     `json:"transaction_date"`
	InvoiceNo             *string       `json:"invoice_no"`
	SubscriptionNo        string        `json:"subscription_no"`
	LocationID            int           `json:"location_id"`
	LocationName          *string       `json:"location_name"`
	IsDirectSale          bool          `json:"is_direct_sale"`
	RecurStoppedOn        *time.Time    `json:"recur_stopped_on"`
	IsStopped             bool          `json:"is_stopped"`
	RecurInterval         int           `json:"recur_interval"`
	SubscriptionRepeatOn  *int          `json:"subscription_repeat_on"`
	RecurRepetitions      *int          `json:"recur_repetitions"`
	RecurIntervalType     string        `json:"recur_interval_type"`
	RecurIntervalLabel    string        `json:"recur_interval_label"`
	GeneratedInvoices     []generatedV1 `json:"generated_invoices"`
	GeneratedInvoiceCount int           `json:"generated_invoice_count"`
	LastGeneratedAt       *time.Time    `json:"last_generated_at"`
	UpcomingInvoiceDate   *types.Date   `json:"upcoming_invoice_date"`
	Status                string        `json:"status"`
	StartDate             types.Date    `json:"start_date"`
	EndDate               *types.Date   `json:"end_date"`
}

func intervalLabel(iv recurringinvoice.Interval, n int) string {
	if n == 1 {
		return map[recurringinvoice.Interval]string{"day": "Daily", "week": "Weekly", "month": "Monthly", "year": "Yearly"}[iv]
	}
	return fmt.Sprintf("Every %d %ss", n, iv)
}

func toSubscriptionRow(rec *ent.RecurringInvoice, cu *ent.Customer, invs []*ent.Invoice) subscriptionRow {
	out := subscriptionRow{ID: rec.ID, ContactID: rec.CustomerID, TransactionDate: rec.CreatedAt.UTC(), SubscriptionNo: rec.SubscriptionNumber,
		LocationID: 1, IsDirectSale: true, RecurStoppedOn: rec.StoppedAt, IsStopped: rec.Status == recurringinvoice.StatusStopped,
		RecurInterval: rec.IntervalCount, RecurRepetitions: rec.MaxCount, RecurIntervalType: string(rec.Interval) + "s",
		RecurIntervalLabel: intervalLabel(rec.Interval, rec.IntervalCount), GeneratedInvoices: []generatedV1{},
		GeneratedInvoiceCount: rec.GeneratedCount, LastGeneratedAt: rec.LastGeneratedAt, Status: string(rec.Status),
		StartDate: rec.StartDate, EndDate: rec.EndDate}
	if rec.Status == recurringinvoice.StatusActive {
		out.UpcomingInvoiceDate = rec.NextRunDate
	}
	if rec.Interval == recurringinvoice.IntervalMonth || rec.Interval == recurringinvoice.IntervalYear {
		day := rec.StartDate.Day
		out.SubscriptionRepeatOn = &day
	}
	if cu != nil {
		out.ContactName = &cu.Name
	}
	for _, inv := range invs {
		out.GeneratedInvoices = append(out.GeneratedInvoices, generatedV1{ID: inv.ID, InvoiceNo: inv.InvoiceNumber, TransactionDate: inv.InvoiceDate})
	}
	if len(invs) > 0 {
		out.InvoiceNo = &invs[0].InvoiceNumber
	}
	return out
}

// subscriptionRows maps a page of templates with two queries (customers,
// generated invoices) whatever its size.
func subscriptionRows(r *http.Request, list []*ent.RecurringInvoice) ([]subscriptionRow, error) {
	ids := make([]pulid.ID, len(list))
	custIDs := make([]pulid.ID, len(list))
	for i, rec := range list {
		ids[i], custIDs[i] = rec.ID, rec.CustomerID
	}
	invs, err := sales.GeneratedInvoices(r.Context(), ids...)
	if err != nil {
		return nil, err
	}
	custs, err := crm.Directory(r.Context(), crm.DirectoryFilter{IDs: custIDs}).All(r.Context())
	if err != nil {
		return nil, err
	}
	byID := map[pulid.ID]*ent.Customer{}
	for _, c := range custs {
		byID[c.ID] = c
	}
	out := make([]subscriptionRow, len(list))
	for i, rec := range list {
		out[i] = toSubscriptionRow(rec, byID[rec.CustomerID], invs[rec.ID])
	}
	return out, nil
}

type subscriptionMeta struct {
	laravelMeta
	ContactID  *pulid.ID   `json:"contact_id,omitempty"`
	LocationID *int        `json:"location_id,omitempty"`
	StartDate  *types.Date `json:"start_date,omitempty"`
	EndDate    *types.Date `json:"end_date,omitempty"`
	Q          *string     `json:"q,omitempty"`
}

type subscriptionListBody struct {
	Data []subscriptionRow `json:"data"`
	Meta subscriptionMeta  `json:"meta"`
}

type subscriptionBody struct {
	Data subscriptionRow `json:"data"`
}

// listSubscriptions answers seed 003 GET /subscriptions and
// /contacts/{id}/subscriptions.
func (a *API) listSubscriptions(r *http.Request) (result, error) {
	q := r.URL.Query()
	var d apperr.Details
	meta := subscriptionMeta{}
	var f sales.RecurringFilter
	if r.PathValue("id") != "" {
		id, err := pathID(r, "id", "cust", crm.CustomerNotFound)
		if err != nil {
			return result{}, err
		}
		if _, err := crm.SellingContact(r.Context(), id, "subscriptions"); err != nil {
			return result{}, err
		}
		f.CustomerID = &id
	} else if s := q.Get("contact_id"); s != "" {
		id, err := pulid.ParseWithPrefix(s, "cust")
		if err != nil {
			d.Add("contact_id", "The selected contact id is invalid")
		}
		f.CustomerID, meta.ContactID = &id, &id
	}
	f.Search = checkQ(&d, q)
	if f.Search != "" {
		meta.Q = &f.Search
	}
	f.StartFrom, f.StartTo = dateRange(&d, q)
	meta.StartDate, meta.EndDate = f.StartFrom, f.StartTo
	if s := q.Get("location_id"); s != "" {
		if s != "1" {
			d.Add("location_id", "The selected location id is invalid: the business has one location, 1")
		}
		one := 1
		meta.LocationID = &one
	}
	checkFormat(&d, q)
	pg := parseLaravelPage(&d, q, 20)
	if err := d.Err(contactCode, customerValidationMessage); err != nil {
		return result{}, err
	}
	query := sales.Recurrings(r.Context(), f)
	list, total, err := fetchPage(r.Context(), query, pg)
	if err != nil {
		return result{}, err
	}
	rows, err := subscriptionRows(r, list)
	if err != nil {
		return result{}, err
	}
	meta.laravelMeta = pg.meta(total)
	return pg.result(rows, subscriptionListBody{Data: rows, Meta: meta}, total), nil
}

func (a *API) subscriptionAnswer(r *http.Request, rec *ent.RecurringInvoice) (result, error) {
	rows, err := subscriptionRows(r, []*ent.RecurringInvoice{rec})
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, data: rows[0], body: subscriptionBody{Data: rows[0]}}, nil
}

func (a *API) getSubscription(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "rinv", sales.RecurringNotFound)
	if err != nil {
		return result{}, err
	}
	rec, err := sales.GetRecurring(r.Context(), id)
	if err != nil {
		return result{}, err
	}
	return a.subscriptionAnswer(r, rec)
}

func (a *API) toggleSubscription(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "rinv", sales.RecurringNotFound)
	if err != nil {
		return result{}, err
	}
	rec, err := sales.ToggleRecurring(r.Context(), id)
	if err != nil {
		return result{}, err
	}
	return a.subscriptionAnswer(r, rec)
}
