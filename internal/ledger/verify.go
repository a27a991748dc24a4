package ledger

import (
	"context"
	"fmt"

	"github.com/bigledger/bigledger/internal/store"
)

// Verify checks the ledger invariants for the acting company and returns
// the first violation: every journal entry balances and its totals match
// its lines; debits equal credits overall; each customer's currentBalance
// equals its receivable lines. Tests run it after every operation; it is
// also cheap enough for an operator to run.
func Verify(ctx context.Context) error {
	c := store.Client(ctx)
	cid, err := baseCompany(ctx)
	if err != nil {
		return err
	}
	rows, err := c.QueryContext(ctx, `
		SELECT je.entry_number, COALESCE(SUM(l.debit),0)::text, COALESCE(SUM(l.credit),0)::text, je.total_debit::text, je.total_credit::text
		FROM journal_entries je LEFT JOIN ledger_entries l ON l.journal_entry_id = je.id
		WHERE je.company_id = $1
		GROUP BY je.id
		HAVING COALESCE(SUM(l.debit),0) <> COALESCE(SUM(l.credit),0)
		    OR COALESCE(SUM(l.debit),0) <> je.total_debit OR COALESCE(SUM(l.credit),0) <> je.total_credit
		    OR COUNT(l.id) < 2`, string(cid))
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		var num, debit, credit, totalDebit, totalCredit string
		_ = rows.Scan(&num, &debit, &credit, &totalDebit, &totalCredit)
		return fmt.Errorf("journal entry %s: lines debit %s credit %s, entry totals %s / %s", num, debit, credit, totalDebit, totalCredit)
	}
	rows.Close()
	rows, err = c.QueryContext(ctx, `
		SELECT cu.customer_number, cu.current_balance::text, COALESCE(SUM(l.debit - l.credit), 0)::text
		FROM customers cu
		LEFT JOIN ledger_entries l ON l.customer_id = cu.id
		     AND l.account_id = (SELECT id FROM accounts WHERE company_id = cu.company_id AND system_role = 'accounts_receivable')
		WHERE cu.company_id = $1
		GROUP BY cu.id
		HAVING cu.current_balance <> COALESCE(SUM(l.debit - l.credit), 0)`, string(cid))
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		var num, stored, lines string
		_ = rows.Scan(&num, &stored, &lines)
		return fmt.Errorf("customer %s: currentBalance %s but receivable lines sum to %s", num, stored, lines)
	}
	rows.Close()
	checks := []struct{ name, query string }{
		{"invoice paid/due", `
			SELECT i.invoice_number || ': paid ' || i.amount_paid || ', allocations ' || COALESCE(SUM(a.amount) FILTER (WHERE a.voided_at IS NULL), 0)
			       || ', due ' || i.amount_due || ', total ' || i.total || ', status ' || i.status || '/' || i.payment_status
			FROM invoices i LEFT JOIN payment_allocations a ON a.invoice_id = i.id
			WHERE i.company_id = $1
			GROUP BY i.id
			HAVING i.amount_paid <> COALESCE(SUM(a.amount) FILTER (WHERE a.voided_at IS NULL), 0)
			    OR i.amount_paid > i.total OR i.amount_paid < 0
			    OR (i.status <> 'void' AND i.amount_due <> i.total - i.amount_paid)
			    OR (i.status = 'paid') <> (i.status IN ('sent', 'paid') AND i.amount_due = 0 AND i.amount_paid > 0)
			    OR (i.payment_status = 'paid') <> (i.amount_paid = i.total AND i.amount_paid > 0)
			LIMIT 1`},
		{"payment unapplied", `
			SELECT p.payment_number || ': amount ' || p.amount || ', unapplied ' || p.unapplied_amount || ', refunded ' || p.refunded_amount
			       || ', allocated ' || COALESCE(SUM(a.amount) FILTER (WHERE a.voided_at IS NULL), 0)
			FROM payments p LEFT JOIN payment_allocations a ON a.payment_id = p.id
			WHERE p.company_id = $1 AND p.status IN ('completed', 'refunded')
			GROUP BY p.id
			HAVING p.unapplied_amount <> p.amount - p.refunded_amount - COALESCE(SUM(a.amount) FILTER (WHERE a.voided_at IS NULL), 0)
			    OR p.unapplied_amount < 0 OR p.refunded_amount < 0 OR p.refunded_amount > p.amount
			    OR (p.status = 'refunded') <> (p.refunded_amount = p.amount)
			LIMIT 1`},
		{"payment refunds", `
			SELECT p.payment_number || ': refunded ' || p.refunded_amount || ', refunds ' || COALESCE(SUM(r.amount), 0)
			FROM payments p LEFT JOIN refunds r ON r.payment_id = p.id
			WHERE p.company_id = $1
			GROUP BY p.id
			HAVING p.refunded_amount <> COALESCE(SUM(r.amount), 0) OR bool_or(r.amount <> r.from_credit + r.from_invoices OR r.company_id <> p.company_id)
			LIMIT 1`},
		{"refund takes back what it says", `
			SELECT r.id || ': from invoices ' || r.from_invoices || ', allocations ' || COALESCE(-SUM(a.amount), 0)
			FROM refunds r LEFT JOIN payment_allocations a ON a.refund_id = r.id
			WHERE r.company_id = $1
			GROUP BY r.id
			HAVING r.from_invoices <> COALESCE(-SUM(a.amount), 0)
			LIMIT 1`},
		{"void or failed payment holds nothing", `
			SELECT p.payment_number FROM payments p
			WHERE p.company_id = $1 AND p.status IN ('void', 'failed') AND (p.unapplied_amount <> 0 OR EXISTS (
			    SELECT 1 FROM payment_allocations a WHERE a.payment_id = p.id AND a.voided_at IS NULL))
			LIMIT 1`},
		{"allocation across companies", `
			SELECT a.id FROM payment_allocations a
			JOIN invoices i ON i.id = a.invoice_id JOIN payments p ON p.id = a.payment_id
			WHERE a.company_id = $1 AND (i.company_id <> a.company_id OR p.company_id <> a.company_id OR i.customer_id <> p.customer_id)
			LIMIT 1`},
		{"line across companies", `
			SELECT l.id FROM ledger_entries l JOIN accounts a ON a.id = l.account_id JOIN journal_entries j ON j.id = l.journal_entry_id
			WHERE l.company_id = $1 AND (a.company_id <> l.company_id OR j.company_id <> l.company_id)
			LIMIT 1`},
	}
	for _, ch := range checks {
		rows, err := c.QueryContext(ctx, ch.query, string(cid))
		if err != nil {
			return fmt.Errorf("%s: %w", ch.name, err)
		}
		if rows.Next() {
			var what string
			_ = rows.Scan(&what)
			rows.Close()
			return fmt.Errorf("%s: %s", ch.name, what)
		}
		rows.Close()
	}
	return nil
}
