package rest

import (
	"net/http"
	"strings"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/invoice"
	"github.com/bigledger/bigledger/ent/schema/pulid"

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
	return result{status: http.StatusOK, data: contactBalanceV1{ContactID: cu.ID, Due: amount{cu.CurrentBalance, cu.Currency},
		DueFormatted: cu.Currency + " " + money.Format(cu.CurrentBalance, cu.Currency)}}, nil
}

// contactBalanceV1 is seed 003's balance answer.
type contactBalanceV1 struct {
	ContactID    pulid.ID `json:"contact_id"`
	Due          amount   `json:"due"`
	DueFormatted string   `json:"due_formatted"`
}

// openingBalanceV1 is seed 003's opening-balance answer.
type openingBalanceV1 struct {
	ContactID         pulid.ID                     `json:"contact_id"`
	HasOpeningBalance bool                         `json:"has_opening_balance"`
	Transaction       *openingBalanceTransactionV1 `json:"transaction"`
}

type openingBalanceTransactionV1 struct {
	ID              pulid.ID   `json:"id"`
	RefNo           string     `json:"ref_no"`
	FinalTotal      amount     `json:"final_total"`
	TransactionDate types.Date `json:"transaction_date"`
	DueFormatted    string     `json:"due_formatted"`
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
	data := openingBalanceV1{ContactID: id, HasOpeningBalance: err == nil}
	if err == nil {
		data.Transaction = &openingBalanceTransactionV1{ID: je.ID, RefNo: je.EntryNumber, FinalTotal: amount{je.TotalDebit, cu.Currency},
			TransactionDate: je.Date, DueFormatted: cu.Currency + " " + money.Format(je.TotalDebit, cu.Currency)}
	}
	return result{status: http.StatusOK, data: data}, nil
}

// seed003Types labels ledger rows the way the web ledger does.
var seed003Types = map[string]string{
	"invoice": "Sell", "invoice_void": "Sell void", "payment": "Payment", "payment_void": "Payment void",
	"opening_balance": "Opening balance", "ledger_discount": "Ledger discount", "manual": "Journal", "reversal": "Reversal",
}

type contactLedgerLineV1 struct {
	Date          types.Date `json:"date"`
	RefNo         string     `json:"ref_no"`
	Type          string     `json:"type"`
	EntryNumber   string     `json:"entry_number"`
	PaymentStatus *string    `json:"payment_status"`
	Debit         *amount    `json:"debit"`
	Credit        *amount    `json:"credit"`
	Balance       string     `json:"balance"`
	Note          *string    `json:"note"`
	// format_2 adds the invoice's own totals.
	FinalTotal *amount     `json:"final_total,omitempty"`
	TotalDue   *amount     `json:"total_due,omitempty"`
	TotalPaid  *amount     `json:"total_paid,omitempty"`
	DueDate    *types.Date `json:"due_date,omitempty"`
	InvoiceID  *pulid.ID   `json:"transaction_id,omitempty"`
}

// contactLedger answers seed 003 GET /contacts/{id}/ledger: start_date and
// end_date (both or neither), format_1 or format_2, q (≥ 2 characters)
// over reference, type and note.
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
	format := q.Get("format")
	if format == "" {
		format = "format_1"
	}
	if format != "format_1" && format != "format_2" {
		d.Add("format", "Must be format_1 or format_2")
	}
	term := strings.TrimSpace(q.Get("q"))
	if q.Has("q") && len([]rune(term)) < 2 {
		d.Add("q", "Must be at least 2 characters")
	}
	if err := d.Err("VALIDATION_ERROR", "Invalid query parameters"); err != nil {
		return result{}, err
	}
	rep, err := ledger.CustomerLedger(r.Context(), id, from, to)
	if err != nil {
		return result{}, err
	}
	all, err := ledger.CustomerLedger(r.Context(), id, nil, nil)
	if err != nil {
		return result{}, err
	}
	cu, err := crm.GetCustomer(r.Context(), id, nil)
	if err != nil {
		return result{}, err
	}
	invoices, err := store.Client(r.Context()).Invoice.Query().Where(invoice.CustomerID(id)).All(r.Context())
	if err != nil {
		return result{}, err
	}
	byNumber := map[string]*ent.Invoice{}
	for _, inv := range invoices {
		byNumber[inv.InvoiceNumber] = inv
	}
	cur := cu.Currency
	lines := []contactLedgerLineV1{}
	for _, l := range rep.Lines {
		ref := l.EntryNumber
		if l.Reference != nil && *l.Reference != "" {
			ref = *l.Reference
		}
		row := contactLedgerLineV1{Date: l.Date, RefNo: ref, Type: seed003Types[l.SourceType], EntryNumber: l.EntryNumber,
			Note: l.Description, Balance: cur + " " + money.Format(l.RunningBalance.Decimal, cur)}
		if l.Debit.IsPositive() {
			row.Debit = &amount{l.Debit.Decimal, cur}
		}
		if l.Credit.IsPositive() {
			row.Credit = &amount{l.Credit.Decimal, cur}
		}
		if inv := byNumber[ref]; inv != nil {
			st := string(inv.PaymentStatus)
			row.PaymentStatus, row.InvoiceID = &st, &inv.ID
			if format == "format_2" {
				row.FinalTotal, row.TotalDue, row.TotalPaid = &amount{inv.Total, cur}, &amount{inv.AmountDue, cur}, &amount{inv.AmountPaid, cur}
				row.DueDate = &inv.DueDate
			}
		}
		if term != "" {
			hay := strings.ToLower(row.RefNo + " " + row.Type + " " + row.EntryNumber)
			if row.Note != nil {
				hay += " " + strings.ToLower(*row.Note)
			}
			if !strings.Contains(hay, strings.ToLower(term)) {
				continue
			}
		}
		lines = append(lines, row)
	}
	summary := contactLedgerSummaryV1{StartDate: from, EndDate: to,
		BeginningBalance: amount{rep.OpeningBalance.Decimal, cur}, BalanceDue: amount{rep.ClosingBalance.Decimal, cur},
		TotalInvoice: amount{rep.TotalInvoiced.Decimal, cur}, TotalPaid: amount{rep.TotalPaid.Decimal, cur},
		LedgerDiscount:  amount{rep.LedgerDiscount.Decimal, cur},
		AllTotalInvoice: amount{all.TotalInvoiced.Decimal, cur}, AllInvoicePaid: amount{all.TotalPaid.Decimal, cur},
		AllLedgerDiscount: amount{all.LedgerDiscount.Decimal, cur}, AllBalanceDue: amount{all.ClosingBalance.Decimal, cur}}
	out := contactLedgerV1{ContactID: id, Lines: lines, Summary: summary, Format: format}
	if term != "" {
		out.Q = &term
	}
	return result{status: http.StatusOK, data: out}, nil
}

// contactLedgerV1 is seed 003's ledger answer.
type contactLedgerV1 struct {
	ContactID pulid.ID               `json:"contact_id"`
	Lines     []contactLedgerLineV1  `json:"lines"`
	Summary   contactLedgerSummaryV1 `json:"summary"`
	Format    string                 `json:"format"`
	Q         *string                `json:"q"`
}

type contactLedgerSummaryV1 struct {
	StartDate         *types.Date `json:"start_date"`
	EndDate           *types.Date `json:"end_date"`
	BeginningBalance  amount      `json:"beginning_balance"`
	BalanceDue        amount      `json:"balance_due"`
	TotalInvoice      amount      `json:"total_invoice"`
	TotalPaid         amount      `json:"total_paid"`
	LedgerDiscount    amount      `json:"ledger_discount"`
	AllTotalInvoice   amount      `json:"all_total_invoice"`
	AllInvoicePaid    amount      `json:"all_invoice_paid"`
	AllLedgerDiscount amount      `json:"all_ledger_discount"`
	AllBalanceDue     amount      `json:"all_balance_due"`
}
