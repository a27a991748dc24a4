package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/salesorder"
	"github.com/bigledger/bigledger/internal/crm"
	"github.com/bigledger/bigledger/internal/ledger"
	"github.com/bigledger/bigledger/internal/sales"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

func eventTypes(t *testing.T, e *tk.Env, tn tk.Tenant) []string {
	t.Helper()
	return queryStrings(t, e, `SELECT type FROM events WHERE company_id = $1 ORDER BY txid, seq`, tn.CompanyID)
}

// queryStrings runs a one-column query and returns its values.
func queryStrings(t *testing.T, e *tk.Env, query string, args ...any) []string {
	t.Helper()
	rows, err := e.DB.Query(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Every workflow writes its events, in order, in its own transaction; and
// the per-object subscriptions (invoiceUpdated, salesOrderStatusChanged,
// accountUpdated) follow their object only.
func TestWorkflowsEmitTheirEvents(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true})
	ctx := e.Ctx(e.A)
	cu := newCustomer(t, e, e.A, "Lifecycle")
	name := "Lifecycle Sdn Bhd"
	if _, err := crm.UpdateCustomer(ctx, cu.ID, ent.UpdateCustomerInput{Name: &name}); err != nil {
		t.Fatal(err)
	}
	desc, price := "Service", decimal.RequireFromString("100")
	q, err := sales.CreateQuote(ctx, sales.QuoteInput{CustomerID: cu.ID, Items: []sales.LineInput{{Description: &desc, Quantity: decimal.NewFromInt(2), UnitPrice: &price}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sales.SendQuote(ctx, q.ID, sales.SendInput{}); err != nil {
		t.Fatal(err)
	}
	e.DeliverMail() // quote.sent: the email was handed to SMTP
	if _, err := sales.AcceptQuote(ctx, q.ID, nil); err != nil {
		t.Fatal(err)
	}
	so, err := sales.ConvertQuoteToOrder(ctx, q.ID)
	if err != nil {
		t.Fatal(err)
	}

	ws := e.GraphQLWS(e.A, tk.TransportWS)
	ws.Subscribe("so", `subscription($id: ID) { salesOrderStatusChanged(id: $id) { id status } }`, map[string]any{"id": so.ID})
	time.Sleep(100 * time.Millisecond)
	if _, err := sales.UpdateSalesOrderStatus(ctx, so.ID, sales.StatusChange{Status: salesorder.StatusShipped}); err != nil {
		t.Fatal(err)
	}
	if r := ws.NextResult(wait); tk.Str(r.Data, "salesOrderStatusChanged", "status") != "shipped" && tk.Str(r.Data, "salesOrderStatusChanged", "status") != "SHIPPED" {
		t.Fatalf("salesOrderStatusChanged: %+v", r)
	}
	inv, err := sales.ConvertSalesOrderToInvoice(ctx, so.ID, sales.ConvertOrderInput{})
	if err != nil {
		t.Fatal(err)
	}
	ws.Subscribe("inv", `subscription($id: ID!) { invoiceUpdated(id: $id) { status amountPaid amountDue } }`, map[string]any{"id": inv.ID})
	bank := bankAccount(t, e)
	ws.Subscribe("acct", `subscription($id: ID!) { accountUpdated(id: $id) { code name balance } }`, map[string]any{"id": bank.ID})
	time.Sleep(100 * time.Millisecond)
	var invStates, acct []string
	// Each delivery shows the object as it is when delivered; waiting for
	// each step's deliveries makes that the state the step left.
	expect := func(n int) {
		t.Helper()
		for k := 0; k < n; k++ {
			r := ws.NextResult(wait)
			switch r.ID {
			case "inv":
				d := r.Data["invoiceUpdated"].(map[string]any)
				invStates = append(invStates, fmt.Sprint(strings.ToLower(fmt.Sprint(d["status"])), "/", d["amountPaid"]))
			case "acct":
				d := r.Data["accountUpdated"].(map[string]any)
				acct = append(acct, fmt.Sprint(d["name"], "/", d["balance"]))
			default:
				t.Fatalf("unexpected %+v", r)
			}
		}
	}
	newInvoice(t, e, e.A, cu, "1.00") // another invoice: not followed by "inv"
	issue(t, e, e.A, inv)
	expect(1)
	p := pay(t, e, e.A, inv, "50.00")
	expect(2)
	if _, err := ledger.VoidPayment(ctx, p.ID, "bounced", ""); err != nil {
		t.Fatal(err)
	}
	expect(2)
	newName := "Operating bank"
	if _, err := ledger.UpdateAccount(ctx, bank.ID, ledger.AccountUpdate{Name: &newName}); err != nil {
		t.Fatal(err)
	}
	expect(1)
	pay(t, e, e.A, inv, inv.Total.String())
	expect(2)
	if m := ws.Next(300 * time.Millisecond); m != nil {
		t.Fatalf("unexpected: %v", m)
	}
	// issue → sent/0; payment → sent/50; void → sent/0; full payment → paid/total.
	wantInv := []string{"sent/0.00", "sent/50.00", "sent/0.00", "paid/" + inv.Total.StringFixed(2)}
	if strings.Join(invStates, ",") != strings.Join(wantInv, ",") {
		t.Fatalf("invoiceUpdated states %v, want %v", invStates, wantInv)
	}
	wantAcct := []string{"Bank/50.00", "Bank/0.00", "Operating bank/0.00", "Operating bank/" + inv.Total.StringFixed(2)}
	if strings.Join(acct, ",") != strings.Join(wantAcct, ",") {
		t.Fatalf("accountUpdated %v, want %v", acct, wantAcct)
	}
	inv2 := newInvoice(t, e, e.A, cu, "30.00")
	issue(t, e, e.A, inv2)
	if _, err := sales.VoidInvoice(ctx, inv2.ID, "duplicate", ""); err != nil {
		t.Fatal(err)
	}

	got := strings.Join(eventTypes(t, e, e.A), " ")
	for _, want := range []string{
		"customer.created customer.updated quote.sent quote.accepted order.status_changed invoice.created",
		"invoice.created journal_entry.posted invoice.updated invoice.updated journal_entry.posted", // issue (no email: no invoice.sent), then pay
		"invoice.updated journal_entry.posted payment.received",                                     // payment
		"invoice.updated journal_entry.posted payment.voided",                                       // void payment
		"account.updated", // rename
		"invoice.updated invoice.paid journal_entry.posted payment.received", // full payment
		"journal_entry.posted invoice.updated invoice.voided",                // void invoice
	} {
		if !strings.Contains(got, want) {
			t.Errorf("log lacks %q:\n%s", want, got)
		}
	}
}

func bankAccount(t *testing.T, e *tk.Env) *ent.Account {
	t.Helper()
	ctx := e.Ctx(e.A)
	accts, err := ledger.SystemAccounts(ctx, e.Client)
	if err != nil {
		t.Fatal(err)
	}
	return accts[ledger.RoleBank]
}
