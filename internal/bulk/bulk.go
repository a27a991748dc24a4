// Package bulk runs a batch of operations (seed 001's bulk endpoints) in
// one transaction: each operation in a savepoint of its own, so one that
// fails is rolled back alone (the default) or makes the whole batch roll
// back (atomic). An Idempotency-Key makes a retried batch answer what the
// first one did without running again.
package bulk

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/idem"
	"github.com/bigledger/bigledger/internal/store"
	"github.com/bigledger/bigledger/internal/tenant"
)

// Op is one operation of a batch.
type Op struct {
	Operation string          `json:"operation"`
	ID        *string         `json:"id,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
}

// ItemError is a failed operation's error (the REST error body's shape;
// field paths are relative to the request: operations[3].data.email).
type ItemError struct {
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Details []apperr.Detail `json:"details,omitempty"`
}

// Result is one operation's outcome, in request order.
type Result struct {
	Index   int        `json:"index"`
	Success bool       `json:"success"`
	Data    any        `json:"data,omitempty"`
	Error   *ItemError `json:"error,omitempty"`
}

// Outcome is the batch's answer.
type Outcome struct {
	Processed  int      `json:"processed"`
	Successful int      `json:"successful"`
	Failed     int      `json:"failed"`
	Atomic     bool     `json:"atomic"`
	Results    []Result `json:"results"`
}

// Unwrap implements store.InTx's result constraint.
func (o *Outcome) Unwrap() *Outcome { return o }

// Handler runs one operation inside the batch's transaction (ctx carries
// it) and answers the resource it produced.
type Handler func(ctx context.Context, index int, op Op) (any, error)

// CodeAtomicFailed answers an atomic batch of which an operation failed:
// nothing was written.
const CodeAtomicFailed = "BULK_OPERATION_FAILED"

// Run validates the batch's size and runs every operation through h in one
// transaction, each in a savepoint. operation names the batch kind for
// idempotency ("bulk.customers"); max is the documented batch size.
func Run(ctx context.Context, operation string, ops []Op, max int, atomic bool, key string, h Handler) (*Outcome, error) {
	var d apperr.Details
	switch {
	case len(ops) == 0:
		d.Add("operations", "At least one operation is required")
	case len(ops) > max:
		d.Add("operations", "At most %d operations per request; split the batch", max)
	}
	if err := idem.Validate(key); err != nil {
		return nil, err
	}
	if err := d.Err("VALIDATION_ERROR", "Invalid bulk request"); err != nil {
		return nil, err
	}
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*Outcome, error) {
		if key != "" {
			_, replay, err := idem.Claim(ctx, c, key, operation, idem.Hash(map[string]any{"ops": ops, "atomic": atomic}))
			if err != nil {
				return nil, err
			}
			if replay {
				return stored(ctx, c, key)
			}
		}
		out := &Outcome{Atomic: atomic, Results: make([]Result, 0, len(ops))}
		var failures apperr.Details
		for i, op := range ops {
			res, err := one(ctx, c, i, op, h)
			out.Processed++
			if err != nil {
				ae := apperr.From(err)
				ie := &ItemError{Code: ae.Code, Message: ae.Message}
				for _, det := range ae.Details {
					det.Field = ItemPath(i, det.Field)
					ie.Details = append(ie.Details, det)
				}
				if ae.Kind == apperr.KindInternal {
					return nil, err
				}
				out.Failed++
				out.Results = append(out.Results, Result{Index: i, Error: ie})
				if len(ie.Details) == 0 {
					failures = append(failures, apperr.Detail{Field: fmt.Sprintf("operations[%d]", i), Message: ie.Code + ": " + ie.Message})
				}
				for _, det := range ie.Details {
					failures = append(failures, apperr.Detail{Field: det.Field, Message: ie.Code + ": " + det.Message})
				}
				continue
			}
			out.Successful++
			out.Results = append(out.Results, Result{Index: i, Success: true, Data: res})
		}
		if atomic && out.Failed > 0 {
			return nil, &apperr.Error{Kind: apperr.KindInvalidState, Code: CodeAtomicFailed,
				Message: fmt.Sprintf("%d of %d operations failed; the batch is atomic, so none was applied", out.Failed, out.Processed),
				Details: failures}
		}
		if key != "" {
			b, err := json.Marshal(out)
			if err != nil {
				return nil, err
			}
			cid, _ := tenant.CompanyID(ctx)
			if _, err := c.ExecContext(ctx, `UPDATE idempotency_keys SET resource_id = 'bulk', response = $3, updated_at = now() WHERE company_id = $1 AND key = $2`,
				string(cid), key, string(b)); err != nil {
				return nil, err
			}
		}
		return out, nil
	})
}

// one runs an operation in a savepoint: a failure (even a statement the
// database refused) rolls back only what the operation did.
func one(ctx context.Context, c *ent.Client, i int, op Op, h Handler) (any, error) {
	if _, err := c.ExecContext(ctx, "SAVEPOINT bulk_op"); err != nil {
		return nil, err
	}
	res, err := h(ctx, i, op)
	if err != nil {
		if _, rerr := c.ExecContext(ctx, "ROLLBACK TO SAVEPOINT bulk_op"); rerr != nil {
			return nil, rerr
		}
		return nil, err
	}
	_, err = c.ExecContext(ctx, "RELEASE SAVEPOINT bulk_op")
	return res, err
}

// ItemPath prefixes a field reported by an operation with its place in
// the request: "email" of operation 3 → "operations[3].data.email"; the
// operation's own keys ("id", "operation") stay at its level.
func ItemPath(i int, field string) string {
	base := fmt.Sprintf("operations[%d]", i)
	switch {
	case field == "":
		return base
	case field == "id" || field == "operation" || strings.HasPrefix(field, "data"):
		return base + "." + field
	}
	return base + ".data." + field
}

// stored answers a replayed batch with the first answer.
func stored(ctx context.Context, c *ent.Client, key string) (*Outcome, error) {
	cid, _ := tenant.CompanyID(ctx)
	rows, err := c.QueryContext(ctx, `SELECT response FROM idempotency_keys WHERE company_id = $1 AND key = $2`, string(cid), key)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var raw []byte
	if rows.Next() {
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
	}
	if len(raw) == 0 {
		return nil, apperr.InvalidState(idem.CodeKeyReused, "This Idempotency-Key was already used with a different request")
	}
	var out Outcome
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
