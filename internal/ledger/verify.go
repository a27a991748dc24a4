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
	return rows.Err()
}
