package events

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/lib/pq"

	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/apperr"
)

// PositionOf returns where company's event id sits in the log. An id of
// another company answers exactly like an unknown one.
func PositionOf(ctx context.Context, db *sql.DB, company pulid.ID, id string, field string) (Position, error) {
	var txid string
	var p Position
	err := db.QueryRowContext(ctx, `SELECT txid::text, seq FROM events WHERE id = $1 AND company_id = $2`, id, string(company)).Scan(&txid, &p.Seq)
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.Validation("VALIDATION_ERROR", "Unknown event id",
			apperr.Detail{Field: field, Message: "No event " + id + " in this company"})
	}
	if err != nil {
		return p, err
	}
	p.Txid, err = strconv.ParseUint(txid, 10, 64)
	return p, err
}

// Page reads up to limit of company's events after `after` and not past
// upTo (nil: the current watermark), of the given types (all when empty),
// in log order.
func Page(ctx context.Context, db *sql.DB, company pulid.ID, after Position, upTo *Position, types []string, limit int) ([]Record, error) {
	q := `SELECT ` + recordColumns + ` FROM events WHERE company_id = $1 AND (txid, seq) > ($2::text::xid8, $3)`
	args := []any{string(company), strconv.FormatUint(after.Txid, 10), after.Seq}
	if upTo != nil {
		q += ` AND (txid, seq) <= ($4::text::xid8, $5)`
		args = append(args, strconv.FormatUint(upTo.Txid, 10), upTo.Seq)
	} else {
		q += ` AND txid < pg_snapshot_xmin(pg_current_snapshot())`
	}
	if len(types) > 0 {
		args = append(args, pq.Array(types))
		q += ` AND type = ANY($` + strconv.Itoa(len(args)) + `)`
	}
	args = append(args, limit)
	q += ` ORDER BY txid, seq LIMIT $` + strconv.Itoa(len(args))
	return query(ctx, db, q, args...)
}

// Readable returns the event types a key holding scopes (checked by has)
// may read: of types when some are named — an unknown one is invalid, one
// outside the key's scopes is refused — else every type it may read.
func Readable(has func(scope string) bool, types []string) ([]string, error) {
	var d apperr.Details
	for i, t := range types {
		if !KnownType(t) {
			d.Add(fmt.Sprintf("types[%d]", i), "Unknown event type %q (known: %s)", t, strings.Join(Types, ", "))
		}
	}
	if err := d.Err("VALIDATION_ERROR", "Invalid event types"); err != nil {
		return nil, err
	}
	if len(types) == 0 {
		var out []string
		for _, t := range Types {
			if has(Scope(t)) {
				out = append(out, t)
			}
		}
		return out, nil
	}
	for _, t := range types {
		if !has(Scope(t)) {
			return nil, apperr.PermissionDenied("This API key lacks the " + Scope(t) + " scope needed for " + t + " events")
		}
	}
	return types, nil
}

// List reads one page of company's log for a reader: up to first events
// after the event id `after` (from the start when empty), of types, below
// the watermark, and whether more follow.
func List(ctx context.Context, db *sql.DB, company pulid.ID, after string, types []string, first int) ([]Record, bool, error) {
	var from Position
	if after != "" {
		var err error
		if from, err = PositionOf(ctx, db, company, after, "after"); err != nil {
			return nil, false, err
		}
	}
	recs, err := Page(ctx, db, company, from, nil, types, first+1)
	if err != nil {
		return nil, false, err
	}
	if len(recs) > first {
		return recs[:first], true, nil
	}
	return recs, false, nil
}
