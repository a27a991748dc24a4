// Package numbering hands out gapless per-company document numbers
// (CUST-0001, INV-2024-0001, …). A number comes from a counter row that is
// upserted and incremented inside the creating transaction: the row lock
// serializes concurrent creators of the same kind, and a rollback returns
// the number, so only committed documents consume one. (A sequence cannot
// do this: rolled-back nextval calls leave gaps.)
package numbering

import (
	"context"
	"fmt"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/tenant"
)

// Kind is a kind of numbered document.
type Kind struct {
	// Name is the counter's key.
	Name string
	// Prefix starts the printed number ("CUST").
	Prefix string
	// Yearly restarts numbering each year and prints the year.
	Yearly bool
}

// Kinds of numbered documents.
var (
	Customer = Kind{Name: "customer", Prefix: "CUST"}
)

// Next allocates the next number of kind for the acting company. c must be
// a transactional client: the counter row stays locked until it commits.
func Next(ctx context.Context, c *ent.Client, kind Kind, year int) (string, error) {
	cid, ok := tenant.CompanyID(ctx)
	if !ok {
		return "", fmt.Errorf("numbering: no company in context")
	}
	if !kind.Yearly {
		year = 0
	}
	rows, err := c.QueryContext(ctx, TakeSQL("$1", "$2", "$3", "$4"),
		string(pulid.New("ctr")), string(cid), kind.Name, year)
	if err != nil {
		return "", fmt.Errorf("numbering: %w", err)
	}
	defer rows.Close()
	var n int64
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return "", fmt.Errorf("numbering: %w", err)
		}
		return "", fmt.Errorf("numbering: no row returned")
	}
	if err := rows.Scan(&n); err != nil {
		return "", fmt.Errorf("numbering: %w", err)
	}
	if err := rows.Close(); err != nil {
		return "", fmt.Errorf("numbering: %w", err)
	}
	return Format(kind, year, n), nil
}

// NextBlock allocates n consecutive numbers of kind at once (one counter
// update however many), for a batch that creates n documents in one
// transaction. Like Next, the block is returned if the transaction rolls
// back.
func NextBlock(ctx context.Context, c *ent.Client, kind Kind, year, n int) ([]string, error) {
	if n <= 0 {
		return nil, nil
	}
	cid, ok := tenant.CompanyID(ctx)
	if !ok {
		return nil, fmt.Errorf("numbering: no company in context")
	}
	if !kind.Yearly {
		year = 0
	}
	rows, err := c.QueryContext(ctx, `INSERT INTO document_counters (id, company_id, kind, year, last_value)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (company_id, kind, year)
		DO UPDATE SET last_value = document_counters.last_value + $5
		RETURNING last_value`, string(pulid.New("ctr")), string(cid), kind.Name, year, n)
	if err != nil {
		return nil, fmt.Errorf("numbering: %w", err)
	}
	defer rows.Close()
	var last int64
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("numbering: %w", err)
		}
		return nil, fmt.Errorf("numbering: no row returned")
	}
	if err := rows.Scan(&last); err != nil {
		return nil, fmt.Errorf("numbering: %w", err)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("numbering: %w", err)
	}
	out := make([]string, n)
	for i := range out {
		out[i] = Format(kind, year, last-int64(n)+1+int64(i))
	}
	return out, nil
}

// Format prints a document number.
func Format(kind Kind, year int, n int64) string {
	if kind.Yearly {
		return fmt.Sprintf("%s-%04d-%04d", kind.Prefix, year, n)
	}
	return fmt.Sprintf("%s-%04d", kind.Prefix, n)
}

// TakeSQL is the statement that takes a counter's next value, given SQL
// expressions (placeholders) for a new row id, the company, the kind's
// name and the year (0 for kinds that are not yearly): the row is created
// at 1 or incremented, RETURNING last_value, and stays locked until
// COMMIT. Next runs it alone; a workflow that must take its numbers as its
// last statement can embed it in a CTE (see ledger's numberPayment).
func TakeSQL(id, company, kind, year string) string {
	return `INSERT INTO document_counters (id, company_id, kind, year, last_value)
		VALUES (` + id + `, ` + company + `, ` + kind + `, ` + year + `, 1)
		ON CONFLICT (company_id, kind, year)
		DO UPDATE SET last_value = document_counters.last_value + 1
		RETURNING last_value`
}

// FormatSQL is Format as a SQL expression over a year and a counter value
// expression, for statements that number rows in SQL. A test holds the
// two to the same output.
func FormatSQL(kind Kind, year, value string) string {
	n := "lpad((" + value + ")::text, greatest(4, length((" + value + ")::text)), '0')"
	if kind.Yearly {
		return "('" + kind.Prefix + "-' || (" + year + ")::int || '-' || " + n + ")"
	}
	return "('" + kind.Prefix + "-' || " + n + ")"
}
