package rest

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/crm"
	"github.com/bigledger/bigledger/internal/documents"
	"github.com/bigledger/bigledger/internal/sales"
	"github.com/bigledger/bigledger/internal/store"
)

// writePDF answers a rendered document: inline by default (a browser
// shows it), ?download=1 for an attachment; the file is named by the
// document number.
func writePDF(w http.ResponseWriter, r *http.Request, f *documents.File) {
	disp := "inline"
	if v := r.URL.Query().Get("download"); v == "1" || v == "true" {
		disp = "attachment"
	}
	w.Header().Set("Content-Type", documents.ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Bytes)))
	w.Header().Set("Content-Disposition", disp+`; filename="`+sanitizeFilename(f.Name)+`"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = w.Write(f.Bytes)
}

// documentPDF answers GET …/{id}/pdf of a document whose ids carry
// prefix: render loads and prints it (another company's id answers like
// a missing one).
func documentPDF(w http.ResponseWriter, r *http.Request, prefix string, notFound func(pulid.ID) error,
	render func(context.Context, pulid.ID) (*documents.File, error)) {
	id, err := pathID(r, "id", prefix, notFound)
	if err == nil {
		var f *documents.File
		if f, err = render(r.Context(), id); err == nil {
			writePDF(w, r, f)
			return
		}
	}
	WriteError(w, r, err)
}

// invoicePDF answers GET …/invoices/{id}/pdf.
func (a *API) invoicePDF(w http.ResponseWriter, r *http.Request) {
	documentPDF(w, r, "inv", sales.InvoiceNotFound, documents.InvoicePDF)
}

// quotePDF answers GET …/quotes/{id}/pdf.
func (a *API) quotePDF(w http.ResponseWriter, r *http.Request) {
	documentPDF(w, r, "quote", sales.QuoteNotFound, documents.QuotePDF)
}

// creditNotePDF answers GET …/refunds/{id}/pdf.
func (a *API) creditNotePDF(w http.ResponseWriter, r *http.Request) {
	documentPDF(w, r, "rfd", documents.RefundNotFound, documents.CreditNotePDF)
}

// statementPDF answers GET …/customers/{id}/statement.pdf?from&to.
func (a *API) statementPDF(w http.ResponseWriter, r *http.Request) {
	f, err := func() (*documents.File, error) {
		id, err := pathID(r, "id", "cust", crm.CustomerNotFound)
		if err != nil {
			return nil, err
		}
		var d apperr.Details
		dates := map[string]*types.Date{}
		for _, k := range []string{"from", "to"} {
			if s := r.URL.Query().Get(k); s != "" {
				dt, err := types.ParseDate(s)
				if err != nil {
					d.Add(k, "%s must be a date (YYYY-MM-DD)", k)
					continue
				}
				dates[k] = &dt
			}
		}
		if err := d.Err("INVALID_STATEMENT_PERIOD", "Invalid statement period"); err != nil {
			return nil, err
		}
		from, to, err := documents.StatementPeriod(dates["from"], dates["to"], "from", "to")
		if err != nil {
			return nil, err
		}
		return documents.StatementPDF(r.Context(), id, from, to)
	}()
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writePDF(w, r, f)
}

// emailV1 is one email of a document: its recipients with what the
// SMTP server said, and the message's status.
type emailV1 struct {
	ID           pulid.ID          `json:"id"`
	DocumentType string            `json:"documentType"`
	DocumentID   pulid.ID          `json:"documentId"`
	Purpose      string            `json:"purpose"`
	ReminderStep *string           `json:"reminderStep"`
	Status       string            `json:"status" enum:"queued,sending,sent,failed"`
	Subject      string            `json:"subject"`
	To           []string          `json:"to"`
	Cc           []string          `json:"cc"`
	Bcc          []string          `json:"bcc"`
	AttachPDF    bool              `json:"attachPDF"`
	Recipients   []emailRcptV1     `json:"recipients"`
	Attempts     int               `json:"attempts"`
	LastReply    *string           `json:"lastReply"`
	NextAttempt  *time.Time        `json:"nextAttemptAt"`
	SentAt       *time.Time        `json:"sentAt"`
	CreatedAt    time.Time         `json:"createdAt"`
	Params       map[string]string `json:"params,omitempty"`
}

type emailRcptV1 struct {
	Address string `json:"address"`
	Kind    string `json:"kind" enum:"to,cc,bcc"`
	Status  string `json:"status" enum:"queued,sent,failed"`
	Reply   string `json:"reply,omitempty"`
}

func toEmailV1(m *ent.EmailMessage) emailV1 {
	out := emailV1{ID: m.ID, DocumentType: string(m.DocumentType), DocumentID: m.DocumentID, Purpose: string(m.Purpose),
		ReminderStep: m.ReminderStep, Status: string(m.Status), Subject: m.Subject, To: m.To, Cc: nonNilStrings(m.Cc),
		Bcc: nonNilStrings(m.Bcc), AttachPDF: m.AttachPdf, Attempts: m.Attempts, LastReply: m.LastReply,
		SentAt: m.SentAt, CreatedAt: m.CreatedAt, Params: m.Params, Recipients: []emailRcptV1{}}
	if m.Status == "queued" {
		t := m.NextAttemptAt
		out.NextAttempt = &t
	}
	for _, rc := range m.Recipients {
		out.Recipients = append(out.Recipients, emailRcptV1(rc))
	}
	return out
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func deliveriesOf(r *http.Request, id pulid.ID) (result, error) {
	list, err := sales.Deliveries(r.Context(), store.Client(r.Context()), id)
	if err != nil {
		return result{}, err
	}
	out := make([]emailV1, len(list))
	for i, m := range list {
		out[i] = toEmailV1(m)
	}
	return result{status: http.StatusOK, data: out}, nil
}

// invoiceDeliveries answers GET …/invoices/{id}/deliveries.
func (a *API) invoiceDeliveries(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "inv", sales.InvoiceNotFound)
	if err != nil {
		return result{}, err
	}
	if _, err := sales.GetInvoice(r.Context(), id, nil); err != nil {
		return result{}, err
	}
	return deliveriesOf(r, id)
}

// quoteDeliveries answers GET …/quotes/{id}/deliveries.
func (a *API) quoteDeliveries(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "quote", sales.QuoteNotFound)
	if err != nil {
		return result{}, err
	}
	if _, err := sales.GetQuote(r.Context(), id, nil); err != nil {
		return result{}, err
	}
	return deliveriesOf(r, id)
}

// ledgerSendRequest is seed 003's POST …/contacts/{id}/ledger/send body;
// to_email, cc and bcc take one address, a comma-separated list or an
// array.
type ledgerSendRequest struct {
	ToEmail      json.RawMessage `json:"to_email" swaggertype:"string"`
	Subject      string          `json:"subject"`
	EmailBody    string          `json:"email_body"`
	LedgerFormat string          `json:"ledger_format" enum:"format_1,format_2,format_3,format_4"`
	StartDate    string          `json:"start_date"`
	EndDate      string          `json:"end_date"`
	Cc           json.RawMessage `json:"cc" swaggertype:"string"`
	Bcc          json.RawMessage `json:"bcc" swaggertype:"string"`
	LocationID   *int            `json:"location_id"`
}

// messageBody is seed 003's { "message": … } answer.
type messageBody struct {
	Message string `json:"message"`
}

// emailList reads an address list sent as a string (comma or semicolon
// separated) or an array of strings.
func emailList(d *apperr.Details, field string, raw json.RawMessage) []string {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return splitList(strings.ReplaceAll(one, ";", ","))
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		var out []string
		for _, s := range many {
			out = append(out, splitList(strings.ReplaceAll(s, ";", ","))...)
		}
		return out
	}
	d.Add(field, "The %s must be an email address, a comma-separated list or an array of them.", field)
	return nil
}

// ledgerSend answers POST /api/v1/integration/contacts/{id}/ledger/send:
// the statement PDF of the period is emailed (queued now, delivered by
// the mail worker); 200 with the seed's message.
func (a *API) ledgerSend(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "cust", crm.CustomerNotFound)
	if err != nil {
		return result{}, err
	}
	if _, err := crm.GetCustomer(r.Context(), id, nil); err != nil {
		return result{}, err
	}
	var body ledgerSendRequest
	if _, err := decodeBody(r, &body, sales.CodeInvalidStatementSend, "The given data was invalid."); err != nil {
		return result{}, err
	}
	var d apperr.Details
	in := sales.StatementSend{To: emailList(&d, "to_email", body.ToEmail), Cc: emailList(&d, "cc", body.Cc),
		Bcc: emailList(&d, "bcc", body.Bcc), Subject: body.Subject, Body: body.EmailBody, Format: body.LedgerFormat}
	for _, p := range []struct {
		field, value string
		dst          **types.Date
	}{{"start_date", body.StartDate, &in.Start}, {"end_date", body.EndDate, &in.End}} {
		if p.value == "" {
			continue
		}
		dt, err := types.ParseDate(p.value)
		if err != nil {
			d.Add(p.field, "The %s does not match the format Y-m-d.", strings.ReplaceAll(p.field, "_", " "))
			continue
		}
		*p.dst = &dt
	}
	if body.LocationID != nil && *body.LocationID != 1 {
		d.Add("location_id", "The selected location id is invalid (a company has one location: 1).")
	}
	if err := d.Err(sales.CodeInvalidStatementSend, "The given data was invalid."); err != nil {
		return result{}, err
	}
	m, err := sales.SendStatement(r.Context(), id, in)
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, body: struct {
		Message string  `json:"message"`
		Data    emailV1 `json:"data"`
	}{Message: "Ledger email queued for " + strings.Join(m.To, ", "), Data: toEmailV1(m)}}, nil
}

// customerDeliveries answers GET …/customers/{id}/deliveries.
func (a *API) customerDeliveries(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "cust", crm.CustomerNotFound)
	if err != nil {
		return result{}, err
	}
	if _, err := crm.GetCustomer(r.Context(), id, nil); err != nil {
		return result{}, err
	}
	return deliveriesOf(r, id)
}

// optMap is a JSON object field that is null when empty.
func optMap(m map[string]any) *map[string]any {
	if len(m) == 0 {
		return nil
	}
	return &m
}
