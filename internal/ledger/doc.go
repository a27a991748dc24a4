// Package ledger is the double-entry ledger: the chart of accounts, the one
// function that posts a balanced journal entry (Post), reversals, and the
// balances derived from the append-only lines. Every posting runs inside
// the transaction of the business change that causes it.
//
// Amounts are in the company's base currency; a line keeps the document's
// original amount and exchange rate beside them. Balances are never stored
// on an account row (one row every posting touched would serialize a
// company's writes): they are sums over ledger lines.
package ledger
