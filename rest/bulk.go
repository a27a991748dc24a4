package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/bulk"
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
	Operation string         `json:"operation"`
	ID        *string        `json:"id,omitempty"`
	Data      map[string]any `json:"data,omitempty"`
}

// bulkKind is what one bulk endpoint may do: for each operation name, the
// REST endpoint that does it for one record (the very handler of the
// single-record route, so every field, rule and error is the same).
type bulkKind struct {
	name string
	max  int
	ops  map[string]endpoint
	// pathOf names, for an operation, the path value the endpoint reads
	// ("id") and where it comes from: the operation's id, or a data key
	// moved out of the body (payments: data.invoiceId).
	pathFrom map[string]string
}

func (a *API) bulkCustomers() endpoint {
	return a.bulk(bulkKind{name: "customers", max: bulkMaxCustomers,
		ops: map[string]endpoint{"create": a.createCustomer, "update": a.updateCustomer, "delete": a.deleteCustomer}})
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
		for i, op := range body.Operations {
			var data json.RawMessage
			if op.Data != nil {
				b, err := json.Marshal(op.Data)
				if err != nil {
					return result{}, err
				}
				data = b
			}
			ops[i] = bulk.Op{Operation: op.Operation, ID: op.ID, Data: data}
		}
		out, err := bulk.Run(r.Context(), "bulk."+k.name, ops, k.max, atomic, r.Header.Get("Idempotency-Key"),
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
