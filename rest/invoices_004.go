package rest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/sales"
)

// POST /api/v1/invoices is described twice: seed 000 sends camelCase
// (customerId, invoiceDate, items[{itemId, unitPrice, discountPercent,
// taxCode}]) and seed 004 snake_case (customer_id, invoice_date, lines[
// {product_id, unit_price, tax_rate, discount_percentage}], payment_terms
// "net_30"). The path takes both, told apart by their keys: a key with an
// underscore is seed 004's, one with an upper-case letter seed 000's, and
// a body (or a line) using both is refused naming the first key of the
// other dialect. Keys without case (notes, currency, lines, quantity,
// description, reference) belong to both; seed 004's SDK example sends
// customerId with lines, so lines is also seed 000's name for items.
// Either way the answer is the seed-000 invoice (camelCase).

// invoice004Request is seed 004's Create Invoice body.
type invoice004Request struct {
	CustomerID   *pulid.ID        `json:"customer_id"`
	InvoiceDate  *types.Date      `json:"invoice_date"`
	DueDate      *types.Date      `json:"due_date"`
	Currency     *string          `json:"currency"`
	Reference    *string          `json:"reference"`
	Notes        *string          `json:"notes"`
	Terms        *string          `json:"terms"`
	PaymentTerms *string          `json:"payment_terms"`
	Lines        []line004Request `json:"lines"`
}

// line004Request is one of seed 004's invoice lines: tax_rate is a
// fraction (0.08 is 8 %), discount_percentage a percentage.
type line004Request struct {
	ProductID          *pulid.ID     `json:"product_id"`
	Description        *string       `json:"description"`
	Quantity           *decimalValue `json:"quantity"`
	UnitPrice          *decimalValue `json:"unit_price"`
	TaxRate            *decimalValue `json:"tax_rate"`
	DiscountPercentage *decimalValue `json:"discount_percentage"`
}

type dialect int

const (
	dialectNone dialect = iota
	dialect000
	dialect004
)

func dialectOf(key string) dialect {
	switch {
	case strings.Contains(key, "_"):
		return dialect004
	case strings.ToLower(key) != key:
		return dialect000
	}
	return dialectNone
}

// dialectOfObject answers an object's dialect, or the error naming the
// first key (in sorted order) that mixes in the other one. prefix is the
// keys' path (lines[2].).
func dialectOfObject(raw map[string]json.RawMessage, prefix string, want dialect) (dialect, error) {
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	got := want
	first := ""
	for _, k := range keys {
		d := dialectOf(k)
		if d == dialectNone {
			continue
		}
		if got == dialectNone {
			got, first = d, k
			continue
		}
		if d != got {
			other := "seed 004's snake_case"
			if got == dialect000 {
				other = "seed 000's camelCase"
			}
			why := "the rest of the body"
			if first != "" {
				why = prefix + first
			}
			return 0, apperr.Validation(sales.CodeInvalidInvoice, "Invoice validation failed", apperr.Detail{Field: prefix + k,
				Message: fmt.Sprintf("Mixes the two invoice dialects: %s is written in %s; send every key in one of them", why, other)})
		}
	}
	return got, nil
}

// invoiceDialect reads the body once (with readBody's checks) and tells
// which dialect it is in; the body is decoded from what it answers.
func invoiceDialect(r *http.Request) (dialect, []byte, error) {
	body, err := readBody(r, sales.CodeInvalidInvoice)
	if err != nil {
		return 0, nil, err
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return dialect000, body, nil // decodeBody reports what is wrong
	}
	d, err := dialectOfObject(top, "", dialectNone)
	if err != nil {
		return 0, nil, err
	}
	if raw, ok := top["lines"]; ok {
		var lines []map[string]json.RawMessage
		if json.Unmarshal(raw, &lines) == nil {
			for i, l := range lines {
				if d, err = dialectOfObject(l, "lines["+strconv.Itoa(i)+"].", d); err != nil {
					return 0, nil, err
				}
			}
		}
	}
	return d, body, nil
}

var netTerms = regexp.MustCompile(`^net_?(\d{1,3})$`)

// termsDays reads seed 004's payment_terms: net_30 (net30), or
// due_on_receipt.
func termsDays(s string) (int, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "due_on_receipt" || s == "immediate" {
		return 0, true
	}
	m := netTerms.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	n, _ := strconv.Atoi(m[1])
	return n, n <= 365
}

// invoice004Input turns a seed-004 body into the domain's input.
func (a *API) invoice004Input(r *http.Request, body []byte) (sales.InvoiceInput, error) {
	var b invoice004Request
	if _, err := decodeBytes(body, &b, sales.CodeInvalidInvoice, "Invoice validation failed"); err != nil {
		return sales.InvoiceInput{}, err
	}
	var d apperr.Details
	in := sales.InvoiceInput{InvoiceDate: b.InvoiceDate, DueDate: b.DueDate, Currency: b.Currency, Reference: b.Reference,
		Notes: b.Notes, Terms: b.Terms}
	if b.CustomerID == nil {
		d.Add("customer_id", "Required")
	} else {
		in.CustomerID = *b.CustomerID
	}
	if b.PaymentTerms != nil {
		n, ok := termsDays(*b.PaymentTerms)
		if !ok {
			d.Add("payment_terms", "Must be net_N (N days, 0–365, such as net_30) or due_on_receipt")
		} else {
			in.TermsDays = &n
			if in.Terms == nil {
				t := *b.PaymentTerms
				in.Terms = &t
			}
		}
	}
	hundred := decimal.NewFromInt(100)
	for i, l := range b.Lines {
		at := "lines[" + strconv.Itoa(i) + "]."
		li := sales.LineInput{ItemID: l.ProductID, Description: l.Description, UnitPrice: l.UnitPrice.ptr(), DiscountPercent: l.DiscountPercentage.ptr()}
		if l.Quantity == nil {
			d.Add(at+"quantity", "Required")
		} else {
			li.Quantity = l.Quantity.Decimal
		}
		if l.TaxRate != nil {
			rate := l.TaxRate.Decimal
			switch {
			case rate.IsNegative() || rate.GreaterThan(decimal.NewFromInt(1)):
				d.Add(at+"tax_rate", "A fraction between 0 and 1 (0.08 is 8%%)")
			default:
				tc, err := sales.TaxCodeByRate(r.Context(), rate.Mul(hundred))
				if err != nil {
					return in, err
				}
				if tc == nil {
					msg, err := noTaxRate(r.Context(), rate.Mul(hundred).String())
					if err != nil {
						return in, err
					}
					d.Add(at+"tax_rate", "%s (tax_rate is a fraction: 0.06 is 6%%)", msg)
				} else {
					li.TaxCode = &tc.Code
				}
			}
		}
		in.Items = append(in.Items, li)
	}
	sortDetails(d)
	return in, d.Err(sales.CodeInvalidInvoice, "Invoice validation failed")
}

// v004InvoiceNames are the domain's invoice fields by seed 004's names.
var v004InvoiceNames = map[string]string{
	"customerId": "customer_id", "invoiceDate": "invoice_date", "dueDate": "due_date", "items": "lines",
	"itemId": "product_id", "unitPrice": "unit_price", "discountPercent": "discount_percentage", "taxCode": "tax_rate",
}

// v004Names renames a domain error's fields for a seed-004 body
// (items[0].unitPrice → lines[0].unit_price).
func v004Names(err error) error {
	ae := apperr.From(err)
	if ae == nil || len(ae.Details) == 0 {
		return err
	}
	c := *ae
	c.Details = make([]apperr.Detail, len(ae.Details))
	for i, det := range ae.Details {
		f := det.Field
		if strings.HasPrefix(f, "items[") {
			f = "lines[" + strings.TrimPrefix(f, "items[")
		}
		det.Field = v2Name(f, v004InvoiceNames)
		c.Details[i] = det
	}
	return &c
}
