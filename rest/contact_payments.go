package rest

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/bigledger/bigledger/ent/payment"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/crm"
	"github.com/bigledger/bigledger/internal/ledger"
)

// payDueRequest is the seed-003 "pay due" body.
type payDueRequest struct {
	Amount                *decimalValue   `json:"amount"`
	Method                *payment.Method `json:"method"`
	PaidOn                *string         `json:"paid_on"`
	DuePaymentType        *string         `json:"due_payment_type"`
	IsReverse             *bool           `json:"is_reverse"`
	Note                  *string         `json:"note"`
	AccountID             *pulid.ID       `json:"account_id"`
	ChequeNumber          *string         `json:"cheque_number"`
	BankAccountNumber     *string         `json:"bank_account_number"`
	CardTransactionNumber *string         `json:"card_transaction_number"`
	CardHolderName        *string         `json:"card_holder_name"`
	CardType              *string         `json:"card_type"`
}

type payDueV1 struct {
	ID           pulid.ID   `json:"id"`
	ContactID    pulid.ID   `json:"contact_id"`
	PaymentRefNo string     `json:"payment_ref_no"`
	Amount       amount     `json:"amount"`
	Method       string     `json:"method"`
	PaidOn       types.Date `json:"paid_on"`
	IsAdvance    bool       `json:"is_advance"`
	PaymentType  string     `json:"payment_type"`
	Unapplied    amount     `json:"unapplied_amount"`
}

// payDue records a payment against a contact's due balance (seed 003).
func (a *API) payDue(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "cust", crm.CustomerNotFound)
	if err != nil {
		return result{}, err
	}
	var body payDueRequest
	if _, err := decodeBody(r, &body, ledger.CodeInvalidPayment, "Payment validation failed"); err != nil {
		return result{}, err
	}
	var d apperr.Details
	if body.Amount == nil {
		d.Add("amount", "Required")
	}
	if body.Method == nil {
		d.Add("method", "Required")
	}
	checkEnum(&d, "method", body.Method, payment.MethodValidator)
	if body.DuePaymentType != nil && *body.DuePaymentType != "sell" {
		d.Add("due_payment_type", "Only sell payments are supported")
	}
	if body.IsReverse != nil && *body.IsReverse {
		d.Add("is_reverse", "Reverse payments are not supported; void the payment instead")
	}
	var date *types.Date
	if body.PaidOn != nil {
		if dt, err := parsePaidOn(*body.PaidOn); err != nil {
			d.Add("paid_on", "Must be a date (Y-m-d), a Y-m-d H:i:s date-time or an ISO-8601 timestamp")
		} else {
			date = &dt
		}
	}
	if err := d.Err(ledger.CodeInvalidPayment, "Payment validation failed"); err != nil {
		return result{}, err
	}
	details := map[string]any{}
	for k, v := range map[string]*string{"chequeNumber": body.ChequeNumber, "bankAccountNumber": body.BankAccountNumber,
		"cardTransactionNumber": body.CardTransactionNumber, "cardHolderName": body.CardHolderName, "cardType": body.CardType} {
		if v != nil && strings.TrimSpace(*v) != "" {
			details[k] = strings.TrimSpace(*v)
		}
	}
	in := ledger.CustomerPaymentInput{CustomerID: id, RecordPaymentInput: ledger.RecordPaymentInput{
		Amount: body.Amount.Decimal, PaymentDate: date, PaymentMethod: body.Method, Notes: body.Note, AccountID: body.AccountID, MethodDetails: details}}
	key := r.Header.Get("Idempotency-Key")
	p, err := a.mutation().PayCustomerDue(r.Context(), in, &key)
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusCreated, message: "Payment recorded", data: payDueV1{ID: p.ID, ContactID: p.CustomerID,
		PaymentRefNo: p.PaymentNumber, Amount: amount{p.Amount, p.Currency}, Method: string(p.Method), PaidOn: p.PaymentDate,
		IsAdvance: p.UnappliedAmount.IsPositive(), PaymentType: "sell", Unapplied: amount{p.UnappliedAmount, p.Currency}}}, nil
}

type contactPaymentRowV1 struct {
	ID                    pulid.ID   `json:"id"`
	Amount                amount     `json:"amount"`
	IsReturn              bool       `json:"is_return"`
	Method                string     `json:"method"`
	MethodLabel           string     `json:"method_label"`
	PaidOn                types.Date `json:"paid_on"`
	PaymentRefNo          string     `json:"payment_ref_no"`
	InvoiceNo             *string    `json:"invoice_no"`
	Status                string     `json:"status"`
	Note                  *string    `json:"note"`
	ChequeNumber          any        `json:"cheque_number"`
	CardTransactionNumber any        `json:"card_transaction_number"`
	BankAccountNumber     any        `json:"bank_account_number"`
	ChildPayments         []any      `json:"child_payments"`
}

type contactPaymentSummaryV1 struct {
	Count        int         `json:"count"`
	TotalPaid    amount      `json:"total_paid"`
	MethodsCount int         `json:"methods_count"`
	LatestPaidOn *types.Date `json:"latest_paid_on"`
}

// listContactPayments lists a contact's payments with the seed-003 summary.
func (a *API) listContactPayments(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "cust", crm.CustomerNotFound)
	if err != nil {
		return result{}, err
	}
	cu, err := crm.GetCustomer(r.Context(), id, nil)
	if err != nil {
		return result{}, err
	}
	q := r.URL.Query()
	var d apperr.Details
	f := ledger.PaymentFilter{CustomerID: id, Search: checkQ(&d, q)}
	f.From, f.To = dateRange(&d, q)
	checkFormat(&d, q)
	pg := parseLaravelPage(&d, q, 20)
	if err := d.Err(ledger.CodeInvalidPayment, "Invalid query parameters"); err != nil {
		return result{}, err
	}
	list, total, s, err := ledger.CustomerPayments(r.Context(), f, pg.offset(), pg.perPage)
	if err != nil {
		return result{}, err
	}
	rows := make([]contactPaymentRowV1, len(list))
	sum := contactPaymentSummaryV1{Count: s.Count, TotalPaid: amount{s.TotalPaid, cu.Currency}, MethodsCount: s.MethodsCount, LatestPaidOn: s.LatestPaidOn}
	for i, p := range list {
		row := contactPaymentRowV1{ID: p.ID, Amount: amount{p.Amount, p.Currency}, Method: string(p.Method),
			MethodLabel: strings.ReplaceAll(strings.ToUpper(string(p.Method)[:1])+string(p.Method)[1:], "_", " "),
			PaidOn:      p.PaymentDate, PaymentRefNo: p.PaymentNumber, Status: string(p.Status), Note: p.Notes,
			ChequeNumber: p.MethodDetails["chequeNumber"], CardTransactionNumber: p.MethodDetails["cardTransactionNumber"],
			BankAccountNumber: p.MethodDetails["bankAccountNumber"], ChildPayments: []any{}}
		for _, al := range p.Edges.Allocations {
			if al.Edges.Invoice != nil && al.VoidedAt == nil {
				n := al.Edges.Invoice.InvoiceNumber
				row.InvoiceNo = &n
				break
			}
		}
		rows[i] = row
	}
	data := contactPaymentsV1{ContactID: id, Payments: rows, Summary: sum,
		Balance: amount{cu.CurrentBalance, cu.Currency}, AsOf: time.Now().UTC().Format(time.RFC3339)}
	m := metaFor(r)
	meta := contactPaymentsMeta{Timestamp: m.Timestamp, RequestID: m.RequestID, laravelMeta: pg.meta(total), StartDate: f.From, EndDate: f.To}
	if f.Search != "" {
		meta.Q = &f.Search
	}
	// CSV streams the payment rows, page after page.
	return result{status: http.StatusOK, data: rows, page: pg.pagination(total),
		body: contactPaymentsBody{Success: true, Data: data, Meta: meta}}, nil
}

// contactPaymentsBody is seed 003's {data, meta} (with seed 001's success
// and meta timestamp beside them).
type contactPaymentsBody struct {
	Success bool                `json:"success"`
	Data    contactPaymentsV1   `json:"data"`
	Meta    contactPaymentsMeta `json:"meta"`
}

type contactPaymentsMeta struct {
	Timestamp string `json:"timestamp"`
	RequestID string `json:"requestId"`
	laravelMeta
	StartDate *types.Date `json:"start_date,omitempty"`
	EndDate   *types.Date `json:"end_date,omitempty"`
	Q         *string     `json:"q,omitempty"`
}

// contactPaymentsV1 is seed 003's payments answer.
type contactPaymentsV1 struct {
	ContactID pulid.ID                `json:"contact_id"`
	Payments  []contactPaymentRowV1   `json:"payments"`
	Summary   contactPaymentSummaryV1 `json:"summary"`
	Balance   amount                  `json:"balance"`
	AsOf      string                  `json:"as_of"`
}

// paidOnLayouts are the forms paid_on takes (seed 003: a date or
// date-time Laravel's date rule accepts), each matched whole: no trailing
// space, no malformed time part.
var paidOnLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04"}

// parsePaidOn reads paid_on as the calendar date it names (a timestamp's
// date in its own offset).
func parsePaidOn(s string) (types.Date, error) {
	if len(s) == 10 {
		return types.ParseDate(s)
	}
	for _, layout := range paidOnLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return types.ParseDate(t.Format("2006-01-02"))
		}
	}
	return types.Date{}, fmt.Errorf("invalid paid_on %q", s)
}
