package rest

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/payment"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/ledger"
	"github.com/bigledger/bigledger/internal/sales"
	"github.com/bigledger/bigledger/internal/store"
)

type allocationV1 struct {
	InvoiceID pulid.ID   `json:"invoiceId"`
	Amount    amount     `json:"amount"`
	VoidedAt  *time.Time `json:"voidedAt,omitempty"`
	// RefundID names the refund that took this amount back (negative).
	RefundID *pulid.ID `json:"refundId,omitempty"`
}

type invoicePaymentStateV1 struct {
	ID            pulid.ID `json:"id"`
	InvoiceNumber string   `json:"invoiceNumber"`
	Status        string   `json:"status"`
	AmountPaid    amount   `json:"amountPaid"`
	AmountDue     amount   `json:"amountDue"`
	PaymentStatus string   `json:"paymentStatus"`
}

// paymentV1 is a payment as the REST face shows it.
type paymentV1 struct {
	ID              pulid.ID               `json:"id"`
	PaymentNumber   string                 `json:"paymentNumber"`
	CustomerID      pulid.ID               `json:"customerId"`
	Amount          amount                 `json:"amount"`
	UnappliedAmount amount                 `json:"unappliedAmount"`
	Currency        string                 `json:"currency"`
	ExchangeRate    number                 `json:"exchangeRate"`
	PaymentDate     types.Date             `json:"paymentDate"`
	PaymentMethod   string                 `json:"paymentMethod"`
	Reference       *string                `json:"reference"`
	Notes           *string                `json:"notes"`
	AccountID       pulid.ID               `json:"accountId"`
	MethodDetails   map[string]any         `json:"methodDetails"`
	Status          string                 `json:"status"`
	VoidedAt        *time.Time             `json:"voidedAt"`
	VoidReason      *string                `json:"voidReason"`
	RefundedAmount  amount                 `json:"refundedAmount"`
	FailedAt        *time.Time             `json:"failedAt"`
	FailureReason   *string                `json:"failureReason"`
	Allocations     []allocationV1         `json:"allocations"`
	Invoice         *invoicePaymentStateV1 `json:"invoice,omitempty"`
	CreatedAt       time.Time              `json:"createdAt"`
}

func toPaymentV1(p *ent.Payment) paymentV1 {
	out := paymentV1{ID: p.ID, PaymentNumber: p.PaymentNumber, CustomerID: p.CustomerID, Amount: amount{p.Amount, p.Currency},
		UnappliedAmount: amount{p.UnappliedAmount, p.Currency}, Currency: p.Currency, ExchangeRate: number{p.ExchangeRate},
		PaymentDate: p.PaymentDate, PaymentMethod: string(p.Method), Reference: p.Reference, Notes: p.Notes,
		AccountID: p.DepositAccountID, MethodDetails: p.MethodDetails, Status: string(p.Status), VoidedAt: p.VoidedAt,
		VoidReason: p.VoidReason, RefundedAmount: amount{p.RefundedAmount, p.Currency}, FailedAt: p.FailedAt, FailureReason: p.FailureReason,
		Allocations: []allocationV1{}, CreatedAt: p.CreatedAt.UTC()}
	for _, a := range p.Edges.Allocations {
		out.Allocations = append(out.Allocations, allocationV1{InvoiceID: a.InvoiceID, Amount: amount{a.Amount, p.Currency}, VoidedAt: a.VoidedAt, RefundID: a.RefundID})
	}
	if out.MethodDetails == nil {
		out.MethodDetails = map[string]any{}
	}
	return out
}

// recordPaymentRequest is the seed-000 Record Payment body.
type recordPaymentRequest struct {
	Amount        *decimalValue   `json:"amount"`
	PaymentDate   *types.Date     `json:"paymentDate"`
	PaymentMethod *payment.Method `json:"paymentMethod"`
	Currency      *string         `json:"currency"`
	Reference     *string         `json:"reference"`
	Notes         *string         `json:"notes"`
	AccountID     *pulid.ID       `json:"accountId"`
	MethodDetails map[string]any  `json:"methodDetails"`
}

// paymentResult renders a payment with its allocations and, for a
// single-invoice payment, that invoice's new payment state.
func paymentResult(r *http.Request, id pulid.ID, status int, message string) (result, error) {
	p, err := store.Client(r.Context()).Payment.Query().Where(payment.ID(id)).WithAllocations().Only(r.Context())
	if ent.IsNotFound(err) {
		return result{}, ledger.PaymentNotFound(id)
	}
	if err != nil {
		return result{}, err
	}
	if len(p.Edges.Allocations) == 1 {
		inv, err := sales.GetInvoice(r.Context(), p.Edges.Allocations[0].InvoiceID, nil)
		if err != nil {
			return result{}, err
		}
		p.Edges.Allocations[0].Edges.Invoice = inv
	}
	return renderPayment(p, status, message), nil
}

// renderPayment renders a payment whose allocations (and, for a single
// allocation, its invoice) are loaded.
func renderPayment(p *ent.Payment, status int, message string) result {
	out := toPaymentV1(p)
	if len(p.Edges.Allocations) == 1 {
		if inv := p.Edges.Allocations[0].Edges.Invoice; inv != nil {
			out.Invoice = &invoicePaymentStateV1{ID: inv.ID, InvoiceNumber: inv.InvoiceNumber, Status: string(inv.Status),
				AmountPaid: amount{inv.AmountPaid, inv.Currency}, AmountDue: amount{inv.AmountDue, inv.Currency}, PaymentStatus: string(inv.PaymentStatus)}
		}
	}
	return result{status: status, data: out, message: message}
}

func (a *API) recordPayment(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "inv", sales.InvoiceNotFound)
	if err != nil {
		return result{}, err
	}
	var body recordPaymentRequest
	if _, err := decodeBody(r, &body, ledger.CodeInvalidPayment, "Payment validation failed"); err != nil {
		return result{}, err
	}
	var d apperr.Details
	checkEnum(&d, "paymentMethod", body.PaymentMethod, payment.MethodValidator)
	if body.Amount == nil {
		d.Add("amount", "Required")
	}
	if err := d.Err(ledger.CodeInvalidPayment, "Payment validation failed"); err != nil {
		return result{}, err
	}
	in := ledger.RecordPaymentInput{Amount: body.Amount.Decimal, PaymentDate: body.PaymentDate, PaymentMethod: body.PaymentMethod,
		Currency: body.Currency, Reference: body.Reference, Notes: body.Notes, AccountID: body.AccountID, MethodDetails: body.MethodDetails}
	key := r.Header.Get("Idempotency-Key")
	p, err := a.mutation().RecordPayment(r.Context(), id, in, &key)
	if err != nil {
		return result{}, err
	}
	// A payment just recorded comes back with its allocation and the
	// invoice's new state; a replayed one (idempotency key) is read.
	if len(p.Edges.Allocations) == 1 && p.Edges.Allocations[0].Edges.Invoice != nil {
		return renderPayment(p, http.StatusCreated, "Payment recorded"), nil
	}
	return paymentResult(r, p.ID, http.StatusCreated, "Payment recorded")
}

func (a *API) listInvoicePayments(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "inv", sales.InvoiceNotFound)
	if err != nil {
		return result{}, err
	}
	if _, err := sales.GetInvoice(r.Context(), id, nil); err != nil {
		return result{}, err
	}
	list, err := ledger.InvoicePayments(r.Context(), id)
	if err != nil {
		return result{}, err
	}
	limit := defaultLimit
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			return result{}, validationFor("VALIDATION_ERROR", "limit", fmt.Sprintf("Must be an integer between 1 and %d", maxLimit))
		}
		limit = n
	}
	shown := list[:min(limit, len(list))]
	data := make([]paymentV1, len(shown))
	for i, p := range shown {
		data[i] = toPaymentV1(p)
	}
	return result{status: http.StatusOK, data: data, page: &pagination{HasMore: len(list) > limit, Limit: limit, Total: len(list)}}, nil
}

func (a *API) getPayment(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "pay", ledger.PaymentNotFound)
	if err != nil {
		return result{}, err
	}
	return paymentResult(r, id, http.StatusOK, "")
}

func (a *API) voidPayment(r *http.Request) (result, error) {
	return a.unwindPayment(r, a.mutation().VoidPayment, "Payment voided")
}

// unwindPayment serves the payment actions that take a reason (void,
// fail): decode {"reason"}, call, answer the payment.
func (a *API) unwindPayment(r *http.Request, action func(ctx context.Context, id pulid.ID, reason string, key *string) (*ent.Payment, error), message string) (result, error) {
	id, err := pathID(r, "id", "pay", ledger.PaymentNotFound)
	if err != nil {
		return result{}, err
	}
	var body voidRequest
	if _, err := decodeBody(r, &body, ledger.CodeInvalidPayment, "Payment validation failed"); err != nil {
		return result{}, err
	}
	reason := ""
	if body.Reason != nil {
		reason = *body.Reason
	}
	key := r.Header.Get("Idempotency-Key")
	if _, err := action(r.Context(), id, reason, &key); err != nil {
		return result{}, err
	}
	return paymentResult(r, id, http.StatusOK, message)
}
