package events

import (
	"encoding/json"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/schema/pulid"
)

// Payloads are small snapshots of the subject at the time of the event:
// amounts as exact JSON numbers with two decimals, ids, numbers and
// statuses. Subscribers that need more re-read the subject.

func amount(d decimal.Decimal) json.Number { return json.Number(d.StringFixed(2)) }

// InvoicePayload snapshots an invoice.
func InvoicePayload(inv *ent.Invoice) map[string]any {
	p := map[string]any{
		"id": inv.ID, "invoiceNumber": inv.InvoiceNumber, "customerId": inv.CustomerID,
		"status": inv.Status, "paymentStatus": inv.PaymentStatus, "currency": inv.Currency,
		"invoiceDate": inv.InvoiceDate.String(), "dueDate": inv.DueDate.String(),
		"total": amount(inv.Total), "amountPaid": amount(inv.AmountPaid), "amountDue": amount(inv.AmountDue),
	}
	if inv.LastPaymentDate != nil {
		p["lastPaymentDate"] = inv.LastPaymentDate.String()
	}
	return p
}

// PaymentPayload snapshots a payment.
func PaymentPayload(p *ent.Payment) map[string]any {
	return map[string]any{
		"id": p.ID, "paymentNumber": p.PaymentNumber, "customerId": p.CustomerID, "status": p.Status,
		"amount": amount(p.Amount), "unappliedAmount": amount(p.UnappliedAmount), "currency": p.Currency,
		"paymentDate": p.PaymentDate.String(), "method": p.Method,
	}
}

// RefundPayload snapshots a payment just refunded, with the refund.
func RefundPayload(p *ent.Payment, r *ent.Refund) map[string]any {
	out := PaymentPayload(p)
	out["refundedAmount"] = amount(p.RefundedAmount)
	out["refund"] = map[string]any{
		"id": r.ID, "amount": amount(r.Amount), "fromCredit": amount(r.FromCredit), "fromInvoices": amount(r.FromInvoices),
		"refundDate": r.RefundDate.String(), "method": r.Method, "reason": r.Reason, "accountId": r.AccountID,
	}
	return out
}

// CustomerPayload snapshots a customer.
func CustomerPayload(c *ent.Customer) map[string]any {
	p := map[string]any{
		"id": c.ID, "customerNumber": c.CustomerNumber, "name": c.Name, "status": c.Status, "currency": c.Currency,
	}
	if c.Email != nil {
		p["email"] = *c.Email
	}
	return p
}

// QuotePayload snapshots a quote.
func QuotePayload(q *ent.Quote) map[string]any {
	return map[string]any{
		"id": q.ID, "quoteNumber": q.QuoteNumber, "customerId": q.CustomerID, "status": q.Status,
		"total": amount(q.Total), "currency": q.Currency,
	}
}

// OrderPayload snapshots a sales order; from is the previous status.
func OrderPayload(o *ent.SalesOrder, from string) map[string]any {
	p := map[string]any{
		"id": o.ID, "orderNumber": o.OrderNumber, "customerId": o.CustomerID, "status": o.Status,
		"invoiceStatus": o.InvoiceStatus, "total": amount(o.Total), "currency": o.Currency,
	}
	if from != "" {
		p["previousStatus"] = from
	}
	return p
}

// AccountPayload snapshots an account.
func AccountPayload(a *ent.Account) map[string]any {
	return map[string]any{"id": a.ID, "code": a.Code, "name": a.Name, "type": a.Type, "active": a.Active}
}

// JournalEntryPayload snapshots a posted entry and the accounts it moved.
func JournalEntryPayload(je *ent.JournalEntry, accounts []pulid.ID) map[string]any {
	p := map[string]any{
		"id": je.ID, "entryNumber": je.EntryNumber, "date": je.Date.String(), "sourceType": je.SourceType,
		"totalDebit": amount(je.TotalDebit), "totalCredit": amount(je.TotalCredit), "accountIds": accounts,
	}
	if je.SourceID != nil {
		p["sourceId"] = *je.SourceID
	}
	if je.ReversalOfID != nil {
		p["reversalOf"] = *je.ReversalOfID
	}
	return p
}
