// Package idem makes money-moving requests idempotent: a client key, per
// company, claimed inside the request's own transaction. A concurrent
// request with the same key waits on the unique index until the first
// commits (then replays its result) or rolls back (then runs itself), so
// twenty replays produce one effect. Keys are kept at least 24 hours.
package idem

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/store"
	"github.com/bigledger/bigledger/internal/tenant"
)

// CodeKeyReused answers a key replayed with a different request.
const CodeKeyReused = "IDEMPOTENCY_KEY_REUSED"

// Hash fingerprints a request body (any JSON-encodable value).
func Hash(v any) string {
	b, _ := json.Marshal(v)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Validate checks a client-supplied key.
func Validate(key string) error {
	if len(key) > 255 || strings.TrimSpace(key) != key {
		return apperr.Validation("VALIDATION_ERROR", "Invalid idempotency key",
			apperr.Detail{Field: "idempotencyKey", Message: "At most 255 characters, no surrounding spaces"})
	}
	return nil
}

// Claim reserves key for operation within c's transaction. When the key
// was already used for the same operation and request, it returns the id
// of the resource that request produced (replay = true); for a different
// request it answers IDEMPOTENCY_KEY_REUSED (422).
func Claim(ctx context.Context, c *ent.Client, key, operation, hash string) (resourceID string, replay bool, err error) {
	cid, ok := tenant.CompanyID(ctx)
	if !ok {
		return "", false, fmt.Errorf("idem: no company in context")
	}
	rows, err := c.QueryContext(ctx, `
		INSERT INTO idempotency_keys (id, company_id, key, operation, request_hash, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, now(), now())
		ON CONFLICT (company_id, key) DO NOTHING
		RETURNING id`, string(pulid.New("idem")), string(cid), key, operation, hash)
	if err != nil {
		return "", false, err
	}
	claimed := rows.Next()
	rows.Close()
	if claimed {
		return "", false, nil
	}
	var op, h string
	var res *string
	rows, err = c.QueryContext(ctx, `SELECT operation, request_hash, resource_id FROM idempotency_keys WHERE company_id = $1 AND key = $2`, string(cid), key)
	if err != nil {
		return "", false, err
	}
	defer rows.Close()
	if !rows.Next() {
		return "", false, fmt.Errorf("idem: key %q vanished", key)
	}
	if err := rows.Scan(&op, &h, &res); err != nil {
		return "", false, err
	}
	if op != operation || h != hash || res == nil {
		return "", false, apperr.InvalidState(CodeKeyReused,
			"This Idempotency-Key was already used with a different request")
	}
	return *res, true, nil
}

// Complete records the resource a claimed key produced (same transaction).
func Complete(ctx context.Context, c *ent.Client, key, resourceID string) error {
	cid, _ := tenant.CompanyID(ctx)
	_, err := c.ExecContext(ctx, `UPDATE idempotency_keys SET resource_id = $3, updated_at = now() WHERE company_id = $1 AND key = $2`,
		string(cid), key, resourceID)
	return err
}

// Kind says how Run finds the resource a replayed request produced and
// names the one a first request produces.
type Kind[T any] struct {
	Load func(ctx context.Context, c *ent.Client, id pulid.ID) (T, error)
	ID   func(T) pulid.ID
}

// Run runs fn in one transaction under key (when key is not empty): the
// key is validated, claimed for operation and this request body, and
// completed with what fn produced. A replay of the same request loads and
// returns the first request's resource without running fn.
func Run[T interface{ Unwrap() T }](ctx context.Context, kind Kind[T], key, operation string, body any,
	fn func(ctx context.Context, c *ent.Client) (T, error)) (T, error) {
	var zero T
	if err := Validate(key); err != nil {
		return zero, err
	}
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (T, error) {
		if key != "" {
			id, replay, err := Claim(ctx, c, key, operation, Hash(body))
			if err != nil {
				return zero, err
			}
			if replay {
				return kind.Load(ctx, c, pulid.ID(id))
			}
		}
		out, err := fn(ctx, c)
		if err != nil {
			return zero, err
		}
		if key != "" {
			if err := Complete(ctx, c, key, string(kind.ID(out))); err != nil {
				return zero, err
			}
		}
		return out, nil
	})
}
