package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/bulk"
	"github.com/bigledger/bigledger/internal/crm"
	"github.com/bigledger/bigledger/internal/idem"
)

// Seed 001's batch sizes.
const (
	bulkMaxCustomers      = 100
	bulkMaxInvoices       = 50
	bulkMaxJournalEntries = 100
	bulkMaxPayments       = 100
)

// bulkRequest is a bulk endpoint's body: {"operations": [{"operation":
// "create" | "update" | "delete", "id": …, "data": {…}}]}.
type bulkRequest struct {
	Operations []bulkOp `json:"operations"`
}

type bulkOp struct {
	Operation string  `json:"operation"`
	ID        *string `json:"id,omitempty"`
	// Data is kept as the client's text (never through float64: amounts
	// stay exact) and decoded by the operation's own handler.
	Data bulkData `json:"data,omitempty"`
}

// bulkData is an operation's data object, verbatim.
type bulkData struct{ json.RawMessage }

// UnmarshalJSON keeps the raw text and refuses anything but an object.
func (b *bulkData) UnmarshalJSON(raw []byte) error {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || t[0] != '{' {
		return fmt.Errorf("must be a JSON object")
	}
	b.RawMessage = append(b.RawMessage[:0], t...)
	return nil
}

// bulkKind is what one bulk endpoint may do: for each operation name, the
// REST endpoint that does it for one record (the very handler of the
// single-record route, so every field, rule and error is the same).
type bulkKind struct {
	name string
	max  int
	ops  map[string]endpoint
	// createMany, when set, runs a batch of nothing but creates in one
	// go (up to maxCreates of them) instead of one savepoint each.
	createMany func(r *http.Request, ops []bulk.Op, atomic bool, key string) (*bulk.Outcome, error)
	maxCreates int
	// pathOf names, for an operation, the path value the endpoint reads
	// ("id") and where it comes from: the operation's id, or a data key
	// moved out of the body (payments: data.invoiceId).
	pathFrom map[string]string
}

func (a *API) bulkCustomers() endpoint {
	return a.bulk(bulkKind{name: "customers", max: bulkMaxCustomers,
		ops:        map[string]endpoint{"create": a.createCustomer, "update": a.updateCustomer, "delete": a.deleteCustomer},
		createMany: a.bulkCreateCustomers, maxCreates: crm.MaxBatchCustomers})
}

// bulkCreateCustomers runs a bulk of customer creates through
// crm.CreateCustomers (one block of numbers, multi-row INSERTs): each
// operation's data is decoded as POST /api/v1/customers decodes its body
// and judged by the same rules, each failure reported at its index with
// field paths relative to the request (operations[3].data.email).
func (a *API) bulkCreateCustomers(r *http.Request, ops []bulk.Op, atomic bool, key string) (*bulk.Outcome, error) {
	out := &bulk.Outcome{Processed: len(ops), Atomic: atomic, Results: make([]bulk.Result, len(ops))}
	var failures apperr.Details
	fail := func(i int, err error) {
		ae := apperr.From(err)
		ie := &bulk.ItemError{Code: ae.Code, Message: ae.Message}
		for _, det := range ae.Details {
			det.Field = bulk.ItemPath(i, det.Field)
			ie.Details = append(ie.Details, det)
			failures = append(failures, apperr.Detail{Field: det.Field, Message: ie.Code + ": " + det.Message})
		}
		if len(ie.Details) == 0 {
			failures = append(failures, apperr.Detail{Field: bulk.ItemPath(i, ""), Message: ie.Code + ": " + ie.Message})
		}
		out.Results[i] = bulk.Result{Index: i, Error: ie}
		out.Failed++
	}
	var ins []ent.CreateCustomerInput
	var at []int
	for i, op := range ops {
		data := op.Data
		if len(data) == 0 {
			data = []byte("{}")
		}
		var body customerRequest
		_, err := decodeBytes(data, &body, crm.CodeInvalidCustomer, "Customer validation failed")
		if err == nil {
			err = body.enums()
		}
		if err != nil {
			fail(i, err)
			continue
		}
		ins, at = append(ins, body.create()), append(at, i)
	}
	if atomic && out.Failed > 0 {
		return nil, atomicFailed(out.Failed, len(ops), failures)
	}
	if len(ins) > 0 {
		made, err := crm.CreateCustomers(r.Context(), ins, atomic, key)
		if ae := apperr.From(err); ae != nil && ae.Code == crm.CodeBatchFailed {
			// customers[k].field of the valid inputs → operations[at[k]].data.field
			var d apperr.Details
			for _, det := range ae.Details {
				if m := batchField.FindStringSubmatch(det.Field); m != nil {
					k, _ := strconv.Atoi(m[1])
					det.Field = bulk.ItemPath(at[k], m[2])
				}
				d = append(d, apperr.Detail{Field: det.Field, Message: crm.CodeInvalidCustomer + ": " + det.Message})
			}
			return nil, atomicFailed(len(ins)-len(made), len(ops), d)
		}
		if err != nil {
			return nil, err
		}
		for k, m := range made {
			i := at[k]
			if m.Err != nil {
				fail(i, m.Err)
				continue
			}
			out.Results[i] = bulk.Result{Index: i, Success: true, Data: toCustomerV1(m.Customer)}
			out.Successful++
		}
	}
	return out, nil
}

var batchField = regexp.MustCompile(`^customers\[(\d+)\]\.(.*)$`)

func atomicFailed(failed, total int, d apperr.Details) error {
	return &apperr.Error{Kind: apperr.KindInvalidState, Code: bulk.CodeAtomicFailed,
		Message: fmt.Sprintf("%d of %d operations failed; the batch is atomic, so none was applied", failed, total), Details: d}
}

func (a *API) bulkInvoices() endpoint {
	return a.bulk(bulkKind{name: "invoices", max: bulkMaxInvoices,
		ops: map[string]endpoint{"create": a.createInvoice, "update": a.updateInvoice}})
}

func (a *API) bulkJournalEntries() endpoint {
	return a.bulk(bulkKind{name: "journal-entries", max: bulkMaxJournalEntries,
		ops: map[string]endpoint{"create": seed004Codes(a.createJournalEntry)}})
}

func (a *API) bulkPayments() endpoint {
	return a.bulk(bulkKind{name: "payments", max: bulkMaxPayments,
		ops: map[string]endpoint{"create": a.recordPayment}, pathFrom: map[string]string{"create": "invoiceId"}})
}

// bulk answers POST /api/v1/bulk/{kind}: seed 001's request and response
// (processed, successful, failed, results[index, success, data | error]).
// Operations run in one transaction, each in its own savepoint: a failed
// one is reported and rolled back alone, or, with ?atomic=true, rolls the
// whole batch back (422 BULK_OPERATION_FAILED listing every failure).
func (a *API) bulk(k bulkKind) endpoint {
	return func(r *http.Request) (result, error) {
		atomic := false
		if s := r.URL.Query().Get("atomic"); s != "" {
			v, err := strconv.ParseBool(s)
			if err != nil {
				return result{}, validationFor("VALIDATION_ERROR", "atomic", "Must be true or false")
			}
			atomic = v
		}
		var body bulkRequest
		if _, err := decodeBody(r, &body, "VALIDATION_ERROR", "Invalid bulk request"); err != nil {
			return result{}, err
		}
		ops := make([]bulk.Op, len(body.Operations))
		creates := k.createMany != nil && len(ops) > 0
		for i, op := range body.Operations {
			ops[i] = bulk.Op{Operation: op.Operation, ID: op.ID, Data: op.Data.RawMessage}
			creates = creates && op.Operation == "create" && op.ID == nil
		}
		key := r.Header.Get("Idempotency-Key")
		if creates {
			if len(ops) > k.maxCreates {
				return result{}, validationFor("VALIDATION_ERROR", "operations", fmt.Sprintf("At most %d creates per request; split the batch", k.maxCreates))
			}
			if err := idem.Validate(key); err != nil {
				return result{}, err
			}
			out, err := k.createMany(r, ops, atomic, key)
			if err != nil {
				return result{}, err
			}
			return result{status: http.StatusOK, data: out}, nil
		}
		out, err := bulk.Run(r.Context(), "bulk."+k.name, ops, k.max, atomic, key,
			func(ctx context.Context, i int, op bulk.Op) (any, error) { return a.bulkOne(ctx, r, k, op) })
		if err != nil {
			return result{}, err
		}
		return result{status: http.StatusOK, data: out}, nil
	}
}

// bulkOne runs one operation through its single-record endpoint, on a
// copy of the bulk request carrying the operation's data as its body and
// the batch's transaction in its context.
func (a *API) bulkOne(ctx context.Context, r *http.Request, k bulkKind, op bulk.Op) (any, error) {
	fn, ok := k.ops[op.Operation]
	if !ok {
		names := make([]string, 0, len(k.ops))
		for _, n := range []string{"create", "update", "delete"} {
			if _, ok := k.ops[n]; ok {
				names = append(names, n)
			}
		}
		return nil, apperr.Validation("VALIDATION_ERROR", "Unknown operation", apperr.Detail{Field: "operation",
			Message: fmt.Sprintf("Must be one of %v for bulk %s", names, k.name)})
	}
	data := op.Data
	id := ""
	if op.ID != nil {
		id = *op.ID
	}
	if key, ok := k.pathFrom[op.Operation]; ok {
		var m map[string]json.RawMessage
		if len(data) > 0 {
			if err := json.Unmarshal(data, &m); err != nil {
				return nil, err
			}
		}
		raw, ok := m[key]
		if !ok || json.Unmarshal(raw, &id) != nil || id == "" {
			return nil, apperr.Validation("VALIDATION_ERROR", "Invalid bulk operation", apperr.Detail{Field: key, Message: "Required: the id the operation applies to"})
		}
		delete(m, key)
		if data, _ = json.Marshal(m); data == nil {
			data = []byte("{}")
		}
	}
	needsID := op.Operation != "create" || k.pathFrom[op.Operation] != ""
	if needsID && id == "" {
		return nil, apperr.Validation("VALIDATION_ERROR", "Invalid bulk operation", apperr.Detail{Field: "id", Message: "Required for " + op.Operation})
	}
	if !needsID && op.ID != nil {
		return nil, apperr.Validation("VALIDATION_ERROR", "Invalid bulk operation", apperr.Detail{Field: "id", Message: "A create takes no id"})
	}
	if len(data) == 0 {
		data = []byte("{}")
	}
	req := r.Clone(ctx)
	req.Body = io.NopCloser(bytes.NewReader(data))
	req.ContentLength = int64(len(data))
	req.Header = r.Header.Clone()
	req.Header.Del("Idempotency-Key") // the batch's key covers every operation
	req.Header.Set("Content-Type", "application/json")
	req.SetPathValue("id", id)
	if op.Operation == "delete" {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	res, err := fn(req)
	if err != nil {
		return nil, err
	}
	return res.data, nil
}
