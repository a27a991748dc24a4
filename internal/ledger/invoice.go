package ledger

import (
	"context"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/journalentry"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/money"
)

// PostInvoice posts an issued invoice (DESIGN §5): Dr Accounts Receivable
// (the customer) / Cr Sales, Cr Shipping income, Cr Tax payable, in the
// base currency at the invoice's exchange rate. Each credit is converted
// and rounded on its own and the receivable is their sum, so the entry
// balances exactly. A zero-total invoice posts nothing.
func PostInvoice(ctx context.Context, c *ent.Client, inv *ent.Invoice) (*ent.JournalEntry, error) {
	if inv.Total.IsZero() {
		return nil, nil
	}
	accts, err := SystemAccounts(ctx, c)
	if err != nil {
		return nil, err
	}
	base, err := baseCurrency(ctx, c)
	if err != nil {
		return nil, err
	}
	conv := func(x decimal.Decimal) decimal.Decimal { return money.Round(x.Mul(inv.ExchangeRate), base) }
	credits := []struct {
		role string
		doc  decimal.Decimal
	}{{RoleSales, inv.Subtotal}, {RoleShippingIncome, inv.ShippingCost}, {RoleTaxPayable, inv.TotalTax}}
	e := Entry{Date: inv.InvoiceDate, Reference: inv.InvoiceNumber, Description: "Invoice " + inv.InvoiceNumber,
		Source: journalentry.SourceTypeInvoice, SourceID: &inv.ID}
	ar := decimal.Zero
	var lines []Line
	for _, cr := range credits {
		amt := conv(cr.doc)
		if amt.IsZero() {
			continue
		}
		ar = ar.Add(amt)
		lines = append(lines, Line{AccountID: accts[cr.role].ID, Credit: amt, Currency: inv.Currency, OriginalAmount: cr.doc, ExchangeRate: inv.ExchangeRate})
	}
	customerID := inv.CustomerID
	e.Lines = append([]Line{{AccountID: accts[RoleAccountsReceivable].ID, Debit: ar, CustomerID: &customerID,
		Currency: inv.Currency, OriginalAmount: inv.Total, ExchangeRate: inv.ExchangeRate}}, lines...)
	return Post(ctx, c, e)
}

// ReverseInvoice posts the exact reversal of an invoice's posting (void).
func ReverseInvoice(ctx context.Context, c *ent.Client, inv *ent.Invoice, date types.Date) (*ent.JournalEntry, error) {
	orig, err := c.JournalEntry.Query().Where(journalentry.SourceID(inv.ID), journalentry.SourceTypeEQ(journalentry.SourceTypeInvoice)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil // a zero-total invoice posted nothing
	}
	if err != nil {
		return nil, err
	}
	return Reverse(ctx, c, orig.ID, date, journalentry.SourceTypeInvoiceVoid, &inv.ID, "Void of invoice "+inv.InvoiceNumber)
}
