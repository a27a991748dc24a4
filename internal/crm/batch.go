package crm

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/events"
	"github.com/bigledger/bigledger/internal/idem"
	"github.com/bigledger/bigledger/internal/numbering"
	"github.com/bigledger/bigledger/internal/store"
	"github.com/bigledger/bigledger/internal/tenant"
)

// MaxBatchCustomers bounds one batch of new customers.
const MaxBatchCustomers = 1000

// CodeBatchFailed answers an all-or-nothing batch of which an input was
// invalid: nothing was written.
const CodeBatchFailed = "BATCH_FAILED"

// batchChunk is how many rows one INSERT carries: PostgreSQL takes at
// most 65,535 parameters per statement, one per column of each row (a
// batch of 1,000 is one INSERT).
var batchChunk = 65535 / len(customer.Columns)

// BatchCustomer is one input's outcome, in request order: the customer
// created, or the error that kept it out.
type BatchCustomer struct {
	Customer *ent.Customer
	Err      *apperr.Error
}

// BatchCustomers is a batch's outcome.
type BatchCustomers []BatchCustomer

// Unwrap implements store.InTx's result constraint.
func (b BatchCustomers) Unwrap() BatchCustomers {
	for i := range b {
		if b[i].Customer != nil {
			b[i].Customer = b[i].Customer.Unwrap()
		}
	}
	return b
}

// storedOutcome is what an idempotency key keeps of a batch: the id
// created for each input, or its error.
type storedOutcome struct {
	ID      pulid.ID        `json:"id,omitempty"`
	Kind    apperr.Kind     `json:"kind,omitempty"`
	Code    string          `json:"code,omitempty"`
	Message string          `json:"message,omitempty"`
	Details []apperr.Detail `json:"details,omitempty"`
}

// CreateCustomers creates up to MaxBatchCustomers customers in one
// transaction. Each input is judged exactly as CreateCustomer judges one;
// an invalid input is reported at its index and, unless atomic, the valid
// ones are created anyway (atomic: any invalid input writes nothing and
// answers 422 BATCH_FAILED naming every bad field as customers[i].field).
// The numbers are taken as one block (one counter update), the rows are
// written by multi-row INSERTs and the customer.created events by one, so
// a batch costs a handful of statements, not a few per customer. With an
// idempotency key, a retried batch answers what the first did (the
// customers as they are now) and writes nothing.
func CreateCustomers(ctx context.Context, ins []ent.CreateCustomerInput, atomic bool, idempotencyKey string) (BatchCustomers, error) {
	return createCustomers(ctx, ins, atomic, idempotencyKey, false)
}

// createCustomers is CreateCustomers; reachOptional judges the inputs as
// seed-003 contacts (a name is enough).
func createCustomers(ctx context.Context, ins []ent.CreateCustomerInput, atomic bool, idempotencyKey string, reachOptional bool) (BatchCustomers, error) {
	var d apperr.Details
	switch {
	case len(ins) == 0:
		d.Add("customers", "At least one customer is required")
	case len(ins) > MaxBatchCustomers:
		d.Add("customers", "At most %d customers per request; split the batch", MaxBatchCustomers)
	}
	if err := d.Err("VALIDATION_ERROR", "Invalid batch"); err != nil {
		return nil, err
	}
	if err := idem.Validate(idempotencyKey); err != nil {
		return nil, err
	}
	hash := idem.Hash(map[string]any{"customers": ins, "atomic": atomic})
	out := make(BatchCustomers, len(ins))
	valid := 0
	var failures apperr.Details
	for i := range ins {
		if err := prepareParty(&ins[i], reachOptional); err != nil {
			ae := apperr.From(err)
			out[i].Err = ae
			for _, det := range ae.Details {
				failures.Add(fmt.Sprintf("customers[%d].%s", i, det.Field), "%s", det.Message)
			}
			continue
		}
		valid++
	}
	if atomic && valid < len(ins) {
		return nil, &apperr.Error{Kind: apperr.KindInvalidState, Code: CodeBatchFailed,
			Message: fmt.Sprintf("%d of %d customers are invalid; the batch is atomic, so none was created", len(ins)-valid, len(ins)),
			Details: failures}
	}
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (BatchCustomers, error) {
		if idempotencyKey != "" {
			_, replay, err := idem.Claim(ctx, c, idempotencyKey, "batch.customers", hash)
			if err != nil {
				return nil, err
			}
			if replay {
				return replayBatch(ctx, c, idempotencyKey)
			}
		}
		numbers, err := numbering.NextBlock(ctx, c, numbering.Customer, 0, valid)
		if err != nil {
			return nil, err
		}
		builders := make([]*ent.CustomerCreate, 0, valid)
		for i := range ins {
			if out[i].Err == nil {
				builders = append(builders, newCustomer(ctx, c, ins[i], numbers[len(builders)]))
			}
		}
		created := make([]*ent.Customer, 0, valid)
		for start := 0; start < len(builders); start += batchChunk {
			cs, err := c.Customer.CreateBulk(builders[start:min(start+batchChunk, len(builders))]...).Save(ctx)
			if err != nil {
				return nil, customerError(err)
			}
			created = append(created, cs...)
		}
		k := 0
		for i := range out {
			if out[i].Err != nil {
				continue
			}
			out[i].Customer = created[k]
			k++
			if err := events.Emit(ctx, events.CustomerCreated, out[i].Customer.ID, events.CustomerPayload(out[i].Customer)); err != nil {
				return nil, err
			}
		}
		if idempotencyKey != "" {
			if err := storeBatch(ctx, c, idempotencyKey, out); err != nil {
				return nil, err
			}
		}
		return out, nil
	})
}

func storeBatch(ctx context.Context, c *ent.Client, key string, out BatchCustomers) error {
	kept := make([]storedOutcome, len(out))
	for i, o := range out {
		if o.Customer != nil {
			kept[i].ID = o.Customer.ID
			continue
		}
		kept[i] = storedOutcome{Kind: o.Err.Kind, Code: o.Err.Code, Message: o.Err.Message, Details: o.Err.Details}
	}
	b, err := json.Marshal(kept)
	if err != nil {
		return err
	}
	cid, _ := tenant.CompanyID(ctx)
	_, err = c.ExecContext(ctx, `UPDATE idempotency_keys SET resource_id = 'batch', response = $3, updated_at = now() WHERE company_id = $1 AND key = $2`,
		string(cid), key, string(b))
	return err
}

// replayBatch answers a retried batch: the customers the first one
// created, as they are now, and its errors.
func replayBatch(ctx context.Context, c *ent.Client, key string) (BatchCustomers, error) {
	cid, _ := tenant.CompanyID(ctx)
	var raw []byte
	rows, err := c.QueryContext(ctx, `SELECT response FROM idempotency_keys WHERE company_id = $1 AND key = $2`, string(cid), key)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	var kept []storedOutcome
	if len(raw) == 0 || json.Unmarshal(raw, &kept) != nil {
		return nil, apperr.InvalidState(idem.CodeKeyReused, "This Idempotency-Key was already used with a different request")
	}
	var ids []pulid.ID
	for _, k := range kept {
		if k.ID != "" {
			ids = append(ids, k.ID)
		}
	}
	found, err := c.Customer.Query().Where(customer.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[pulid.ID]*ent.Customer, len(found))
	for _, cu := range found {
		byID[cu.ID] = cu
	}
	out := make(BatchCustomers, len(kept))
	for i, k := range kept {
		switch {
		case k.ID == "":
			out[i].Err = &apperr.Error{Kind: k.Kind, Code: k.Code, Message: k.Message, Details: k.Details}
		case byID[k.ID] != nil:
			out[i].Customer = byID[k.ID]
		default:
			out[i].Err = CustomerNotFound(k.ID).(*apperr.Error)
		}
	}
	return out, nil
}
