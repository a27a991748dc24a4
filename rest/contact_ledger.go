package rest

import (
	"net/http"

	"github.com/bigledger/bigledger/ent/journalentry"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/crm"
	"github.com/bigledger/bigledger/internal/ledger"
	"github.com/bigledger/bigledger/internal/money"
	"github.com/bigledger/bigledger/internal/store"
)

// contactBalance answers seed 003 GET /contacts/{id}/balance.
func (a *API) contactBalance(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "cust", crm.CustomerNotFound)
	if err != nil {
		return result{}, err
	}
	cu, err := crm.GetCustomer(r.Context(), id, nil)
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, data: map[string]any{"contact_id": cu.ID, "due": amount{cu.CurrentBalance, cu.Currency},
		"due_formatted": cu.Currency + " " + money.Format(cu.CurrentBalance, cu.Currency)}}, nil
}

// contactOpeningBalance answers seed 003 GET /contacts/{id}/opening-balance.
func (a *API) contactOpeningBalance(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "cust", crm.CustomerNotFound)
	if err != nil {
		return result{}, err
	}
	cu, err := crm.GetCustomer(r.Context(), id, nil)
	if err != nil {
		return result{}, err
	}
	je, err := store.Client(r.Context()).JournalEntry.Query().Where(journalentry.SourceID(id),
		journalentry.SourceTypeEQ(journalentry.SourceTypeOpeningBalance), journalentry.StatusEQ(journalentry.StatusPosted)).First(r.Context())
	data := map[string]any{"contact_id": id, "has_opening_balance": err == nil, "transaction": nil}
	if err == nil {
		data["transaction"] = map[string]any{"id": je.ID, "ref_no": je.EntryNumber, "final_total": amount{je.TotalDebit, cu.Currency},
			"transaction_date": je.Date, "due_formatted": cu.Currency + " " + money.Format(je.TotalDebit, cu.Currency)}
	}
	return result{status: http.StatusOK, data: data}, nil
}

// contactLedger answers seed 003 GET /contacts/{id}/ledger (start_date,
// end_date, both or neither).
func (a *API) contactLedger(r *http.Request) (result, error) {
	id, err := pathID(r, "id", "cust", crm.CustomerNotFound)
	if err != nil {
		return result{}, err
	}
	q := r.URL.Query()
	var from, to *types.Date
	var d apperr.Details
	for name, dst := range map[string]**types.Date{"start_date": &from, "end_date": &to} {
		if s := q.Get(name); s != "" {
			dt, err := types.ParseDate(s)
			if err != nil {
				d.Add(name, "Must be a date in Y-m-d form")
				continue
			}
			*dst = &dt
		}
	}
	if (from == nil) != (to == nil) && len(d) == 0 {
		d.Add("start_date", "start_date and end_date go together")
	}
	if f := q.Get("format"); f != "" && f != "format_1" {
		d.Add("format", "Only format_1 is supported")
	}
	if err := d.Err("VALIDATION_ERROR", "Invalid query parameters"); err != nil {
		return result{}, err
	}
	rep, err := ledger.CustomerLedger(r.Context(), id, from, to)
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, data: rep}, nil
}
