package rest

import (
	"net/http"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/crm"
	"github.com/bigledger/bigledger/internal/ledger"
	"github.com/bigledger/bigledger/internal/store"
)

// ledgerDiscountV1 is the seed-003 LedgerDiscountRow.
type ledgerDiscountV1 struct {
	ID              pulid.ID   `json:"id"`
	ContactID       pulid.ID   `json:"contact_id"`
	ContactName     string     `json:"contact_name"`
	ContactType     string     `json:"contact_type"`
	SubType         string     `json:"sub_type"`
	Amount          amount     `json:"amount"`
	Note            *string    `json:"note"`
	TransactionDate types.Date `json:"transaction_date"`
	CreatedBy       *pulid.ID  `json:"created_by"`
}

func discountRows(r *http.Request, list []*ent.LedgerDiscount) ([]ledgerDiscountV1, error) {
	ids := make([]pulid.ID, 0, len(list))
	for _, ld := range list {
		ids = append(ids, ld.CustomerID)
	}
	custs, err := store.Client(r.Context()).Customer.Query().Where(customer.IDIn(ids...)).All(r.Context())
	if err != nil {
		return nil, err
	}
	by := map[pulid.ID]*ent.Customer{}
	for _, c := range custs {
		by[c.ID] = c
	}
	out := make([]ledgerDiscountV1, 0, len(list))
	for _, ld := range list {
		row := ledgerDiscountV1{ID: ld.ID, ContactID: ld.CustomerID, SubType: string(ld.SubType), Amount: amount{ld.Amount, "MYR"},
			Note: ld.Note, TransactionDate: ld.Date, CreatedBy: ld.CreatedByID}
		if c := by[ld.CustomerID]; c != nil {
			row.ContactName, row.ContactType, row.Amount.cur = c.Name, string(c.PartyType), c.Currency
		}
		out = append(out, row)
	}
	return out, nil
}

type discountRequest struct {
	ContactID *pulid.ID     `json:"contact_id"`
	Date      *types.Date   `json:"date"`
	Amount    *decimalValue `json:"amount"`
	Note      *string       `json:"note"`
	SubType   *string       `json:"sub_type"`
}

func (b discountRequest) check(create bool) error {
	var d apperr.Details
	if create && b.ContactID == nil {
		d.Add("contact_id", "Required")
	}
	if b.Date == nil {
		d.Add("date", "Required")
	}
	if b.Amount == nil {
		d.Add("amount", "Required")
	}
	if b.SubType != nil && *b.SubType != "sell_discount" {
		d.Add("sub_type", "Only sell_discount is supported")
	}
	return d.Err(ledger.CodeInvalidDiscount, "Ledger discount validation failed")
}

func (a *API) discountResult(r *http.Request, ld *ent.LedgerDiscount, status int, msg string) (result, error) {
	rows, err := discountRows(r, []*ent.LedgerDiscount{ld})
	if err != nil {
		return result{}, err
	}
	return result{status: status, data: rows[0], message: msg}, nil
}

func (a *API) listDiscounts(r *http.Request) (result, error) {
	var cust *pulid.ID
	if pv := r.PathValue("id"); pv != "" {
		id, err := pathID(r, "id", "cust", crm.CustomerNotFound)
		if err != nil {
			return result{}, err
		}
		if _, err := crm.GetCustomer(r.Context(), id, nil); err != nil {
			return result{}, err
		}
		cust = &id
	} else if s := r.URL.Query().Get("contact_id"); s != "" {
		id, err := pulid.ParseWithPrefix(s, "cust")
		if err != nil {
			return result{}, crm.CustomerNotFound(pulid.ID(s))
		}
		if _, err := crm.GetCustomer(r.Context(), id, nil); err != nil {
			return result{}, err
		}
		cust = &id
	}
	q := r.URL.Query()
	var d apperr.Details
	f := ledger.DiscountFilter{CustomerID: cust, Search: checkQ(&d, q)}
	f.From, f.To = dateRange(&d, q)
	checkFormat(&d, q)
	pg := parseLaravelPage(&d, q, 20)
	if err := d.Err(ledger.CodeInvalidDiscount, "Invalid query parameters"); err != nil {
		return result{}, err
	}
	query := ledger.DiscountQuery(r.Context(), f)
	list, total, err := fetchPage(r.Context(), query, pg)
	if err != nil {
		return result{}, err
	}
	rows, err := discountRows(r, list)
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, data: rows, page: pg.pagination(total)}, nil
}

func (a *API) getDiscount(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "ldisc", ledger.DiscountNotFound)
	if err != nil {
		return result{}, err
	}
	ld, err := ledger.GetLedgerDiscount(r.Context(), id)
	if err != nil {
		return result{}, err
	}
	return a.discountResult(r, ld, http.StatusOK, "")
}

func (a *API) createDiscount(r *http.Request) (result, error) {
	var body discountRequest
	if _, err := decodeBody(r, &body, ledger.CodeInvalidDiscount, "Ledger discount validation failed"); err != nil {
		return result{}, err
	}
	if err := body.check(true); err != nil {
		return result{}, err
	}
	ld, err := ledger.CreateLedgerDiscount(r.Context(), ledger.DiscountInput{CustomerID: *body.ContactID, Date: *body.Date,
		Amount: body.Amount.Decimal, Note: body.Note}, r.Header.Get("Idempotency-Key"))
	if err != nil {
		return result{}, err
	}
	return a.discountResult(r, ld, http.StatusCreated, "Ledger discount created")
}

func (a *API) updateDiscount(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "ldisc", ledger.DiscountNotFound)
	if err != nil {
		return result{}, err
	}
	var body discountRequest
	f, err := decodeBody(r, &body, ledger.CodeInvalidDiscount, "Ledger discount validation failed")
	if err != nil {
		return result{}, err
	}
	if f.has("contact_id") {
		return result{}, validationFor(ledger.CodeInvalidDiscount, "contact_id", "Cannot be changed")
	}
	if err := body.check(false); err != nil {
		return result{}, err
	}
	ld, err := ledger.UpdateLedgerDiscount(r.Context(), id, *body.Date, body.Amount.Decimal, body.Note)
	if err != nil {
		return result{}, err
	}
	return a.discountResult(r, ld, http.StatusOK, "Ledger discount updated")
}

func (a *API) deleteDiscount(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "ldisc", ledger.DiscountNotFound)
	if err != nil {
		return result{}, err
	}
	if _, err := ledger.DeleteLedgerDiscount(r.Context(), id); err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, data: idOnlyV1{ID: id}, message: "Ledger discount deleted"}, nil
}
