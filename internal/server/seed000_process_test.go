package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bigledger/bigledger/internal/ledger"
	"github.com/bigledger/bigledger/internal/sales"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

// setClock runs the server's sales and ledger clocks at the given Kuala
// Lumpur wall time until the test ends.
func setClock(t *testing.T, at string) {
	t.Helper()
	loc := mustLoc(t, "Asia/Kuala_Lumpur")
	ts, err := time.ParseInLocation("2006-01-02 15:04", at, loc)
	if err != nil {
		t.Fatal(err)
	}
	realSales, realLedger := sales.Clock, ledger.Clock
	sales.Clock = func() time.Time { return ts }
	ledger.Clock = func() time.Time { return ts }
	t.Cleanup(func() { sales.Clock, ledger.Clock = realSales, realLedger })
}

// Seed 000 "Complete Sales Process", verbatim: its eight steps with the
// document's own bodies and dates, in order, against the real server (the
// clock runs on the document's days: the quote on 2024-01-10, the invoice
// on 2024-01-15, the payment on 2024-01-20). No step is added: the order
// converted from the accepted quote is invoiceable as it comes.
func TestSeed000CompleteSalesProcessVerbatim(t *testing.T) {
	e := tk.New(t)
	setClock(t, "2024-01-10 09:00")
	// 1. Create customer
	customer := must(t, e.Do(e.A, "POST", "/api/v1/customers", map[string]any{
		"name": "Tech Solutions Ltd", "email": "billing@techsolutions.com", "phone": "+60123456789",
		"paymentTerms": 30, "creditLimit": 50000.00}), 201, "1. create customer")
	// 2. Create quote
	quote := must(t, e.Do(e.A, "POST", "/api/v1/quotes", map[string]any{
		"customerId": customer["id"], "quoteDate": "2024-01-10", "validUntil": "2024-02-10", "title": "Q1 Software Licenses",
		"items": []map[string]any{{"description": "Enterprise Software License", "quantity": 10, "unitPrice": 1000.00,
			"discountPercent": 15.0, "taxCode": "SST"}}}), 201, "2. create quote")
	if quote["quoteNumber"] != "QT-2024-0001" || quote["status"] != "draft" || quote["total"] != 9010.0 {
		t.Fatalf("quote: %v", quote)
	}
	// 3. Send quote to customer
	sent := must(t, e.Do(e.A, "POST", "/api/v1/quotes/"+quote["id"].(string)+"/send", map[string]any{
		"to": []string{customer["email"].(string)}, "subject": "Quote " + quote["quoteNumber"].(string) + " - Q1 Software Licenses",
		"message": "Please review the attached quote for your software requirements."}), 200, "3. send quote")
	if sent["status"] != "sent" {
		t.Fatalf("sent: %v", sent)
	}
	// 4. Accept quote
	if a := must(t, e.Do(e.A, "POST", "/api/v1/quotes/"+quote["id"].(string)+"/accept", nil), 200, "4. accept"); a["status"] != "accepted" {
		t.Fatalf("accepted: %v", a)
	}
	// 5. Convert to sales order
	salesOrder := must(t, e.Do(e.A, "POST", "/api/v1/quotes/"+quote["id"].(string)+"/convert-to-order", nil), 201, "5. convert to order")
	if salesOrder["status"] != "confirmed" || salesOrder["orderNumber"] != "SO-2024-0001" || salesOrder["total"] != 9010.0 || salesOrder["quoteId"] != quote["id"] {
		t.Fatalf("order: %v", salesOrder)
	}
	// 6. Convert to invoice
	setClock(t, "2024-01-15 10:30")
	invoice := must(t, e.Do(e.A, "POST", "/api/v1/sales-orders/"+salesOrder["id"].(string)+"/convert-to-invoice", map[string]any{
		"invoiceDate": "2024-01-15", "dueDate": "2024-02-14"}), 201, "6. convert to invoice")
	if invoice["invoiceNumber"] != "INV-2024-0001" || invoice["invoiceDate"] != "2024-01-15" || invoice["dueDate"] != "2024-02-14" ||
		invoice["total"] != 9010.0 || invoice["reference"] != "SO-2024-0001" {
		t.Fatalf("invoice: %v", invoice)
	}
	// The invoice links back to its order and the quote; the order lists it.
	if invoice["salesOrderId"] != salesOrder["id"] || invoice["quoteId"] != quote["id"] {
		t.Fatalf("invoice links: %v %v", invoice["salesOrderId"], invoice["quoteId"])
	}
	if so := must(t, e.Do(e.A, "GET", "/api/v1/sales-orders/"+salesOrder["id"].(string), nil), 200, "order"); tk.Str(so, "invoices", 0, "id") != invoice["id"] {
		t.Fatalf("order's invoices: %v", so["invoices"])
	}
	if l := e.Do(e.A, "GET", "/api/v1/invoices?customerId="+customer["id"].(string), nil); tk.Str(l.Body, "data", 0, "quoteId") != quote["id"] {
		t.Fatalf("listed invoice's quoteId: %s", l.Raw)
	}
	// 7. Send invoice
	sentInv := must(t, e.Do(e.A, "POST", "/api/v1/invoices/"+invoice["id"].(string)+"/send", map[string]any{
		"to": []string{customer["email"].(string)}, "subject": "Invoice " + invoice["invoiceNumber"].(string),
		"message": "Thank you for your order. Please find your invoice attached."}), 200, "7. send invoice")
	if sentInv["status"] != "sent" || sentInv["amountDue"] != 9010.0 {
		t.Fatalf("sent invoice: %v", sentInv)
	}
	// 8. Record payment (when received)
	setClock(t, "2024-01-20 11:00")
	pay := e.Do(e.A, "POST", "/api/v1/invoices/"+invoice["id"].(string)+"/payments", map[string]any{
		"amount": invoice["total"], "paymentDate": "2024-01-20", "paymentMethod": "bank_transfer", "reference": "TXN-20240120-001"})
	payment := must(t, pay, 201, "8. record payment")
	if !strings.Contains(string(pay.Raw), `"amount":9010.00`) || tk.Str(payment, "invoice", "status") != "paid" || payment["paymentDate"] != "2024-01-20" {
		t.Fatalf("payment: %s", pay.Raw)
	}
	// What the function returns, read back: all five documents agree.
	inv := must(t, e.Do(e.A, "GET", "/api/v1/invoices/"+invoice["id"].(string), nil), 200, "invoice after payment")
	if inv["status"] != "paid" || inv["amountDue"] != 0.0 || inv["amountPaid"] != 9010.0 {
		t.Fatalf("invoice after payment: %v", inv)
	}
	so := must(t, e.Do(e.A, "GET", "/api/v1/sales-orders/"+salesOrder["id"].(string), nil), 200, "order after invoicing")
	if so["invoiceStatus"] != "invoiced" {
		t.Fatalf("order: %v", so)
	}
	cust := e.Do(e.A, "GET", "/api/v1/customers/"+customer["id"].(string), nil)
	if !strings.Contains(string(cust.Raw), `"currentBalance":0.00`) || !strings.Contains(string(cust.Raw), `"totalSales":9010.00`) {
		t.Fatalf("customer: %s", cust.Raw)
	}
	if err := ledger.Verify(e.Ctx(e.A)); err != nil {
		t.Fatal(err)
	}
}
