package rest

import (
	"net/http"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/refund"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/ledger"
	"github.com/bigledger/bigledger/internal/store"
)

// refundRequest is the body of POST /api/v1/payments/{id}/refunds.
type refundRequest struct {
	// Amount defaults to everything still refundable.
	Amount     *decimalValue  `json:"amount"`
	RefundDate *types.Date    `json:"refundDate"`
	Method     *refund.Method `json:"method"`
	Reason     *string        `json:"reason"`
	Reference  *string        `json:"reference"`
	// AccountID is the asset account the money leaves (default: the
	// payment's deposit account).
	AccountID *pulid.ID `json:"accountId"`
}

// refundV1 is a refund as the REST face shows it.
type refundV1 struct {
	ID             pulid.ID   `json:"id"`
	PaymentID      pulid.ID   `json:"paymentId"`
	Amount         amount     `json:"amount"`
	FromCredit     amount     `json:"fromCredit"`
	FromInvoices   amount     `json:"fromInvoices"`
	Currency       string     `json:"currency"`
	RefundDate     types.Date `json:"refundDate"`
	Method         string     `json:"method"`
	Reason         *string    `json:"reason"`
	Reference      *string    `json:"reference"`
	AccountID      pulid.ID   `json:"accountId"`
	JournalEntryID *pulid.ID  `json:"journalEntryId"`
	Payment        *paymentV1 `json:"payment,omitempty"`
	CreatedAt      time.Time  `json:"createdAt"`
}

func toRefundV1(r *ent.Refund, currency string) refundV1 {
	out := refundV1{ID: r.ID, PaymentID: r.PaymentID, Amount: amount{r.Amount, currency}, FromCredit: amount{r.FromCredit, currency},
		FromInvoices: amount{r.FromInvoices, currency}, Currency: currency, RefundDate: r.RefundDate, Method: string(r.Method),
		Reason: r.Reason, Reference: r.Reference, AccountID: r.AccountID, CreatedAt: r.CreatedAt.UTC()}
	if r.JournalEntryID != nil {
		id := pulid.ID(*r.JournalEntryID)
		out.JournalEntryID = &id
	}
	return out
}

func (a *API) refundPayment(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "pay", ledger.PaymentNotFound)
	if err != nil {
		return result{}, err
	}
	var body refundRequest
	if _, err := decodeBody(r, &body, ledger.CodeInvalidRefund, "Refund validation failed"); err != nil {
		return result{}, err
	}
	var d apperr.Details
	checkEnum(&d, "method", body.Method, refund.MethodValidator)
	if err := d.Err(ledger.CodeInvalidRefund, "Refund validation failed"); err != nil {
		return result{}, err
	}
	in := ledger.RefundInput{RefundDate: body.RefundDate, Method: body.Method, Reason: body.Reason, Reference: body.Reference, AccountID: body.AccountID}
	if body.Amount != nil {
		in.Amount = &body.Amount.Decimal
	}
	key := r.Header.Get("Idempotency-Key")
	rf, err := a.mutation().RefundPayment(r.Context(), id, &in, &key)
	if err != nil {
		return result{}, err
	}
	pay, err := paymentResult(r, rf.PaymentID, http.StatusCreated, "")
	if err != nil {
		return result{}, err
	}
	p := pay.data.(paymentV1)
	out := toRefundV1(rf, p.Currency)
	out.Payment = &p
	return result{status: http.StatusCreated, data: out, message: "Payment refunded"}, nil
}

func (a *API) listRefunds(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "pay", ledger.PaymentNotFound)
	if err != nil {
		return result{}, err
	}
	p, err := ledger.GetPayment(r.Context(), id)
	if err != nil {
		return result{}, err
	}
	list, err := ledger.PaymentRefunds(r.Context(), store.Client(r.Context()), id)
	if err != nil {
		return result{}, err
	}
	data := make([]refundV1, len(list))
	for i, rf := range list {
		data[i] = toRefundV1(rf, p.Currency)
	}
	return result{status: http.StatusOK, data: data}, nil
}

func (a *API) failPayment(r *http.Request) (result, error) {
	return a.unwindPayment(r, a.mutation().FailPayment, "Payment marked failed")
}
