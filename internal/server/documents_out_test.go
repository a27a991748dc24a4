package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/bigledger/bigledger/ent/schema/pulid"
	imail "github.com/bigledger/bigledger/internal/mail"
	tk "github.com/bigledger/bigledger/internal/testkit"
	"github.com/bigledger/bigledger/internal/testkit/pdftext"
)

// received is a delivered email taken apart.
type received struct {
	from, subject, messageID string
	rcpts                    []string
	header                   mail.Header
	text, html               string
	files                    map[string][]byte
}

func parseMail(t *testing.T, m imail.Received) received {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatalf("read message: %v", err)
	}
	dec := new(mime.WordDecoder)
	subj, _ := dec.DecodeHeader(msg.Header.Get("Subject"))
	out := received{from: m.From, rcpts: m.To, subject: subj, messageID: msg.Header.Get("Message-Id"), header: msg.Header, files: map[string][]byte{}}
	var walk func(ct, cte, disp string, body io.Reader)
	walk = func(ct, cte, disp string, body io.Reader) {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatalf("content type %q: %v", ct, err)
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatalf("multipart: %v", err)
				}
				walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p.Header.Get("Content-Disposition"), p)
			}
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		switch strings.ToLower(cte) {
		case "base64":
			b, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(b)), ""))
			if err != nil {
				t.Fatalf("base64 part: %v", err)
			}
		case "quoted-printable":
			b, _ = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(b)))
		}
		if _, dp, err := mime.ParseMediaType(disp); err == nil && dp["filename"] != "" {
			out.files[dp["filename"]] = b
			return
		}
		switch mt {
		case "text/plain":
			out.text = string(b)
		case "text/html":
			out.html = string(b)
		}
	}
	walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), "", msg.Body)
	return out
}

// goldenInvoice creates seed 000's invoice (2567.50) for a customer with a
// billing contact and returns the invoice and customer ids.
func goldenInvoice(t *testing.T, e *tk.Env, tn tk.Tenant) (string, string) {
	t.Helper()
	c := createCustomerREST(t, e, tn, map[string]any{"name": "Acme Corporation", "email": "office@acme.com", "paymentTerms": 30,
		"taxNumber": "C9876543210",
		"address":   map[string]any{"street": "123 Main Street", "city": "Kuala Lumpur", "state": "Selangor", "postalCode": "50000", "country": "MY"}})
	cid := c["id"].(string)
	if r := e.Do(tn, "POST", "/api/v1/customers/"+cid+"/contacts", map[string]any{"name": "Billing Desk", "email": "billing@acme.com", "isPrimary": true}); r.Status != 201 {
		t.Fatalf("contact: %d %s", r.Status, r.Raw)
	}
	itemID := createItemREST(t, e, tn)
	r := e.Do(tn, "POST", "/api/v1/invoices", seedInvoiceBody(cid, itemID))
	if r.Status != 201 {
		t.Fatalf("create invoice: %d %s", r.Status, r.Raw)
	}
	return tk.Str(r.Body, "data", "id"), cid
}

func eventsOf(t *testing.T, e *tk.Env, tn tk.Tenant, subject string) []string {
	t.Helper()
	// Read from the table: the events API shows only what is below the
	// cluster's oldest open snapshot, which another package's test on the
	// shared test cluster may hold back for a while.
	return queryStrings(t, e, `SELECT type FROM events WHERE company_id = $1 AND (subject_id = $2 OR payload->>'id' = $2)
		ORDER BY txid, seq`, tn.CompanyID, subject)
}

func TestInvoiceSendEmailsThePDF(t *testing.T) {
	e := tk.New(t)
	if r := e.Do(e.A, "PATCH", "/v1/company", map[string]any{"email": "accounts@company-a.example", "taxNumber": "C1112223330",
		"address": map[string]any{"street": "1 Jalan Ampang", "city": "Kuala Lumpur", "postalCode": "50450", "country": "MY"}}); r.Status != 200 {
		t.Fatalf("company: %d %s", r.Status, r.Raw)
	}
	id, _ := goldenInvoice(t, e, e.A)
	// Seed 000's send body.
	r := e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/send", map[string]any{"to": []string{"billing@acme.com"}, "cc": []string{"accounts@acme.com"},
		"bcc": []string{"audit@company-a.example"}, "subject": "Invoice INV-2024-0001", "message": "Please find attached your invoice.", "attachPDF": true, "sendReminders": true})
	if r.Status != 200 {
		t.Fatalf("send: %d %s", r.Status, r.Raw)
	}
	inv := r.Body["data"].(map[string]any)
	if inv["status"] != "sent" || inv["sendCount"] != float64(1) || inv["sentAt"] == nil || tk.Str(inv, "lastSend", "deliveryStatus") != "queued" {
		t.Fatalf("after send: %s", r.Raw)
	}
	// Queued, not yet handed to SMTP: no invoice.sent yet.
	if got := strings.Join(eventsOf(t, e, e.A, id), ","); strings.Contains(got, "invoice.sent") {
		t.Fatalf("invoice.sent before delivery: %s", got)
	}
	msgs := e.DeliverMail()
	if len(msgs) != 1 {
		t.Fatalf("%d messages delivered, want 1", len(msgs))
	}
	m := parseMail(t, msgs[0])
	if strings.Join(m.rcpts, ",") != "billing@acme.com,accounts@acme.com,audit@company-a.example" {
		t.Errorf("RCPT TO: %v", m.rcpts)
	}
	if m.subject != "Invoice INV-2024-0001" || m.from != "accounts@company-a.example" || !strings.Contains(m.header.Get("To"), "billing@acme.com") ||
		!strings.Contains(m.header.Get("Cc"), "accounts@acme.com") || m.header.Get("Bcc") != "" {
		t.Errorf("headers: from %s subject %q to %q cc %q bcc %q", m.from, m.subject, m.header.Get("To"), m.header.Get("Cc"), m.header.Get("Bcc"))
	}
	if !strings.Contains(m.text, "Please find attached your invoice.") || !strings.Contains(m.text, "2567.50") || !strings.Contains(m.html, "<p>") {
		t.Errorf("body: text %q html %q", m.text, m.html)
	}
	pdf := m.files["INV-2024-0001.pdf"]
	if len(pdf) == 0 {
		t.Fatalf("no INV-2024-0001.pdf attached: %v", m.files)
	}
	text := pdftext.Text(t, pdf)
	for _, want := range []string{"INVOICE", "INV-2024-0001", "Acme Corporation", "123 Main Street", "C9876543210", "Company A", "C1112223330",
		"WDG-001", "Premium Widget", "100", "25.00", "5%", "SST", "142.50", "2,375.00", "Subtotal", "-125.00", "Shipping", "50.00",
		"2,567.50", "Amount due", "MYR 2,567.50", "Invoice date", "2024-01-15", "2024-02-14", "Thank you for your business!", "Payment due within 30 days"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	// The picture check: the golden invoice as PNG for a reviewer.
	dir := os.Getenv("BIGLEDGER_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", ".artifacts")
	}
	pdftext.PNG(t, pdf, filepath.Join(dir, "invoice-INV-2024-0001.png"), 80)
	if err := os.WriteFile(filepath.Join(dir, "invoice-INV-2024-0001.pdf"), pdf, 0o644); err != nil {
		t.Fatal(err)
	}

	// Delivered: lastSend, the deliveries list and the event say so.
	got := e.Do(e.A, "GET", "/api/v1/invoices/"+id, nil)
	if tk.Str(got.Body, "data", "lastSend", "deliveryStatus") != "sent" || tk.Str(got.Body, "data", "lastSend", "deliveredAt") == "" {
		t.Errorf("lastSend after delivery: %s", got.Raw)
	}
	dl := e.Do(e.A, "GET", "/api/v1/invoices/"+id+"/deliveries", nil)
	list, _ := dl.Body["data"].([]any)
	if dl.Status != 200 || len(list) != 1 {
		t.Fatalf("deliveries: %d %s", dl.Status, dl.Raw)
	}
	d0 := list[0].(map[string]any)
	rc := d0["recipients"].([]any)
	if d0["status"] != "sent" || d0["attempts"] != float64(1) || len(rc) != 3 || rc[2].(map[string]any)["kind"] != "bcc" || rc[0].(map[string]any)["status"] != "sent" {
		t.Errorf("delivery: %s", dl.Raw)
	}
	if evs := strings.Join(eventsOf(t, e, e.A, id), ","); strings.Count(evs, "invoice.sent") != 1 {
		t.Errorf("events of the invoice: %s", evs)
	}

	// A resend is a new email; a body-less send goes to the primary contact.
	r = e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/send", nil)
	if r.Status != 200 || r.Body["data"].(map[string]any)["sendCount"] != float64(2) {
		t.Fatalf("resend: %d %s", r.Status, r.Raw)
	}
	msgs = e.DeliverMail()
	if len(msgs) != 2 {
		t.Fatalf("%d messages after the resend", len(msgs))
	}
	m2 := parseMail(t, msgs[1])
	if strings.Join(m2.rcpts, ",") != "billing@acme.com" || m2.subject != "Invoice INV-2024-0001 from Company A" || m2.messageID == m.messageID {
		t.Errorf("resend: rcpts %v subject %q id %s", m2.rcpts, m2.subject, m2.messageID)
	}

	// The PDF route answers the same document with its number as name.
	p := e.Do(e.A, "GET", "/api/v1/invoices/"+id+"/pdf?download=1", nil)
	if p.Status != 200 || p.Header.Get("Content-Type") != "application/pdf" || p.Header.Get("Content-Disposition") != `attachment; filename="INV-2024-0001.pdf"` {
		t.Fatalf("pdf route: %d %v", p.Status, p.Header)
	}
	if !strings.Contains(pdftext.Text(t, p.Raw), "2,567.50") {
		t.Error("pdf route: no total")
	}
	if p := e.Do(e.A, "GET", "/v1/invoices/"+id+"/pdf", nil); p.Status != 200 || p.Header.Get("Content-Disposition") != `inline; filename="INV-2024-0001.pdf"` {
		t.Errorf("/v1 alias: %d %v", p.Status, p.Header)
	}
}

func TestSendRefusalsAndBadInput(t *testing.T) {
	e := tk.New(t)
	c := createCustomerREST(t, e, e.A, map[string]any{"name": "No Mail Ltd", "phone": "+60312345678"})
	itemID := createItemREST(t, e, e.A)
	r := e.Do(e.A, "POST", "/api/v1/invoices", seedInvoiceBody(c["id"].(string), itemID))
	id := tk.Str(r.Body, "data", "id")
	// Nobody to send to: refused, and the draft stays a draft.
	r = e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/send", nil)
	if r.Status != 400 || !strings.Contains(string(r.Raw), `"field":"to"`) {
		t.Fatalf("no recipient: %d %s", r.Status, r.Raw)
	}
	if g := e.Do(e.A, "GET", "/api/v1/invoices/"+id, nil); tk.Str(g.Body, "data", "status") != "draft" {
		t.Fatalf("refused send changed the invoice: %s", g.Raw)
	}
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"to": []string{"not-an-email"}}, "to[0]"},
		{map[string]any{"to": []string{"a@b.example"}, "cc": []string{"x@"}}, "cc[0]"},
		{map[string]any{"to": []string{"a@b.example"}, "bcc": []string{"Bob <bob@b.example>"}}, "bcc[0]"},
		{map[string]any{"to": []string{"a@b.example"}, "subject": strings.Repeat("s", 301)}, "subject"},
		{map[string]any{"to": manyAddresses(51)}, "to"},
	} {
		r := e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/send", c.body)
		if r.Status != 400 || !strings.Contains(string(r.Raw), `"field":"`+c.field+`"`) {
			t.Errorf("%v: %d %s", c.body, r.Status, r.Raw)
		}
	}
	if n := len(e.DeliverMail()); n != 0 {
		t.Errorf("%d emails from refused sends", n)
	}
	for q, field := range map[string]string{"": "from", "?from=2024-01-01": "to", "?from=2024-02-01&to=2024-01-01": "to", "?from=bad&to=2024-01-01": "from"} {
		r := e.Do(e.A, "GET", "/api/v1/customers/"+c["id"].(string)+"/statement.pdf"+q, nil)
		if r.Status != 400 || !strings.Contains(string(r.Raw), `"field":"`+field+`"`) {
			t.Errorf("statement %q: %d %s", q, r.Status, r.Raw)
		}
	}
}

func manyAddresses(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("r%d@example.com", i)
	}
	return out
}

func TestMailRetriesTemporaryFailuresAndRecordsPermanentOnes(t *testing.T) {
	e := tk.New(t)
	id, _ := goldenInvoice(t, e, e.A)
	// The server is down for two attempts (421), then takes the message.
	var mu sync.Mutex
	tries := 0
	e.Mail.SetFail(func(step, _ string) *smtp.SMTPError {
		if step != "mail" {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		tries++
		if tries <= 2 {
			return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Service not available, try later"}
		}
		return nil
	})
	if r := e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/send", nil); r.Status != 200 {
		t.Fatalf("send: %d %s", r.Status, r.Raw)
	}
	msgs := e.DeliverMail()
	if len(msgs) != 1 || tries != 3 {
		t.Fatalf("%d messages after %d tries; want 1 after 3", len(msgs), tries)
	}
	dl := e.Do(e.A, "GET", "/api/v1/invoices/"+id+"/deliveries", nil)
	d0 := dl.Body["data"].([]any)[0].(map[string]any)
	if d0["status"] != "sent" || d0["attempts"] != float64(3) {
		t.Errorf("after retries: %s", dl.Raw)
	}

	// A recipient the server refuses for good: failed, with its reply.
	e.Mail.SetFail(func(step, arg string) *smtp.SMTPError {
		if step == "rcpt" && arg == "gone@acme.com" {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
		}
		return nil
	})
	if r := e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/send", map[string]any{"to": []string{"gone@acme.com"}, "cc": []string{"billing@acme.com"}}); r.Status != 200 {
		t.Fatalf("send 2: %d %s", r.Status, r.Raw)
	}
	if n := len(e.DeliverMail()); n != 1 {
		t.Fatalf("a refused message was delivered (%d)", n)
	}
	dl = e.Do(e.A, "GET", "/api/v1/invoices/"+id+"/deliveries", nil)
	d0 = dl.Body["data"].([]any)[0].(map[string]any)
	rc := d0["recipients"].([]any)
	if d0["status"] != "failed" || d0["attempts"] != float64(1) || !strings.Contains(fmt.Sprint(d0["lastReply"]), "550") ||
		rc[0].(map[string]any)["status"] != "failed" || !strings.Contains(rc[0].(map[string]any)["reply"].(string), "No such user") {
		t.Errorf("permanent failure: %s", dl.Raw)
	}
	got := e.Do(e.A, "GET", "/api/v1/invoices/"+id, nil)
	if tk.Str(got.Body, "data", "lastSend", "deliveryStatus") != "failed" {
		t.Errorf("lastSend: %s", got.Raw)
	}
	if evs := strings.Join(eventsOf(t, e, e.A, id), ","); !strings.Contains(evs, "invoice.delivery_failed") || strings.Count(evs, "invoice.sent") != 1 {
		t.Errorf("events: %s", evs)
	}
}

func TestTwoMailWorkersDeliverEachMessageOnce(t *testing.T) {
	e := tk.New(t)
	id, _ := goldenInvoice(t, e, e.A)
	const sends = 12
	for i := range sends {
		if r := e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/send", map[string]any{"to": []string{fmt.Sprintf("r%d@acme.com", i)}}); r.Status != 200 {
			t.Fatalf("send %d: %d %s", i, r.Status, r.Raw)
		}
	}
	// A second instance's worker on the same database.
	other := imail.NewWorker(e.DB, e.Client, imail.Options{Transport: mustTransport(t, e.Mail.URL())})
	var wg sync.WaitGroup
	for _, w := range []*imail.Worker{e.Srv.Mailer(), other, e.Srv.Mailer(), other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				if _, err := w.SendDue(context.Background()); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	msgs := e.Mail.Messages()
	seen := map[string]int{}
	for _, m := range msgs {
		seen[parseMail(t, m).messageID]++
	}
	if len(msgs) != sends || len(seen) != sends {
		t.Fatalf("%d messages, %d distinct ids; want %d of each", len(msgs), len(seen), sends)
	}
	var n int
	if err := e.DB.QueryRow(`SELECT count(*) FROM email_messages WHERE status = 'sent' AND attempts = 1`).Scan(&n); err != nil || n != sends {
		t.Errorf("%d sent on the first attempt (%v)", n, err)
	}
}

func mustTransport(t *testing.T, url string) imail.Transport {
	t.Helper()
	tr, err := imail.ParseSMTPURL(url)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestQuoteSendAndPDF(t *testing.T) {
	e := tk.New(t)
	c := createCustomerREST(t, e, e.A, map[string]any{"name": "Акме Ltd", "email": "buyer@acme.com"})
	itemID := createItemREST(t, e, e.A)
	r := e.Do(e.A, "POST", "/api/v1/quotes", map[string]any{"customerId": c["id"], "quoteDate": "2026-12-01", "validUntil": "2027-01-31",
		"title": "Q1 Widget Supply", "items": []map[string]any{{"itemId": itemID, "quantity": 1000, "unitPrice": 22.50, "discountPercent": 10.0, "taxCode": "SST"}}})
	if r.Status != 201 {
		t.Fatalf("quote: %d %s", r.Status, r.Raw)
	}
	q := r.Body["data"].(map[string]any)
	id, number, total := q["id"].(string), q["quoteNumber"].(string), q["total"]
	r = e.Do(e.A, "POST", "/api/v1/quotes/"+id+"/send", map[string]any{"to": []string{"billing@acme.com"}, "cc": []string{"manager@acme.com"},
		"subject": "Quote {quote_number} - Q1 2024 Widget Supply", "message": "Please find attached our quote for your widget requirements.", "attachPDF": true})
	if r.Status != 200 || tk.Str(r.Body, "data", "status") != "sent" {
		t.Fatalf("send: %d %s", r.Status, r.Raw)
	}
	msgs := e.DeliverMail()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	m := parseMail(t, msgs[0])
	if m.subject != "Quote "+number+" - Q1 2024 Widget Supply" || strings.Join(m.rcpts, ",") != "billing@acme.com,manager@acme.com" {
		t.Errorf("subject %q rcpts %v", m.subject, m.rcpts)
	}
	text := pdftext.Text(t, m.files[number+".pdf"])
	for _, want := range []string{"QUOTATION", number, "Акме Ltd", "Q1 Widget Supply", "Valid until", "2027-01-31", "1000", "22.50", "10%", "20,250.00", "21,465.00"} {
		if !strings.Contains(text, want) {
			t.Errorf("quote PDF lacks %q (total %v)", want, total)
		}
	}
	// The owner gets the PDF and the email list from the quote's routes.
	if p := e.Do(e.A, "GET", "/api/v1/quotes/"+id+"/pdf", nil); p.Status != 200 || !strings.Contains(p.Header.Get("Content-Disposition"), number+".pdf") {
		t.Errorf("quote pdf route: %d %v", p.Status, p.Header)
	}
	if dl := e.Do(e.A, "GET", "/api/v1/quotes/"+id+"/deliveries", nil); dl.Status != 200 || len(dl.Body["data"].([]any)) != 1 {
		t.Errorf("quote deliveries: %d %s", dl.Status, dl.Raw)
	}
	if evs := strings.Join(eventsOf(t, e, e.A, id), ","); strings.Count(evs, "quote.sent") != 1 {
		t.Errorf("events: %s", evs)
	}
	// No attachment when attachPDF is false.
	e.Do(e.A, "POST", "/api/v1/quotes/"+id+"/send", map[string]any{"attachPDF": false})
	msgs = e.DeliverMail()
	if len(msgs) != 2 || len(parseMail(t, msgs[1]).files) != 0 || strings.Join(msgs[1].To, ",") != "buyer@acme.com" {
		t.Errorf("attachPDF false: %d messages", len(msgs))
	}
}

func TestStatementPDFAndLedgerSend(t *testing.T) {
	e := tk.New(t)
	id, cid := goldenInvoice(t, e, e.A)
	if r := e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/send", map[string]any{"attachPDF": false}); r.Status != 200 {
		t.Fatalf("issue: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/payments", map[string]any{"amount": 1000.00, "paymentDate": "2024-01-20", "paymentMethod": "bank_transfer", "reference": "TXN-1"}); r.Status != 201 {
		t.Fatalf("payment: %d %s", r.Status, r.Raw)
	}
	e.DeliverMail()
	// The statement's figures are the customer ledger's for the period.
	lg := e.Do(e.A, "GET", "/api/v1/integration/contacts/"+cid+"/ledger?start_date=2024-01-01&end_date=2024-03-31", nil)
	if lg.Status != 200 {
		t.Fatalf("ledger: %d %s", lg.Status, lg.Raw)
	}
	p := e.Do(e.A, "GET", "/api/v1/customers/"+cid+"/statement.pdf?from=2024-01-01&to=2024-03-31", nil)
	if p.Status != 200 || p.Header.Get("Content-Type") != "application/pdf" || !strings.Contains(p.Header.Get("Content-Disposition"), "statement-2024-01-01-2024-03-31.pdf") {
		t.Fatalf("statement: %d %v %s", p.Status, p.Header, p.Raw)
	}
	text := pdftext.Text(t, p.Raw)
	for _, want := range []string{"STATEMENT", "Acme Corporation", "Opening balance", "0.00", "INV-2024-0001", "2,567.50", "1,000.00",
		"Closing balance", "1,567.50", "Invoiced", "Paid", "Aging at 2024-03-31", "Over 90", "Balance due", "MYR 1,567.50"} {
		if !strings.Contains(text, want) {
			t.Errorf("statement lacks %q", want)
		}
	}
	summary := fmt.Sprint(lg.Body["data"].(map[string]any)["summary"])
	for _, v := range []string{"2567.5", "1000", "1567.5"} {
		if !strings.Contains(summary, v) {
			t.Errorf("ledger summary %s lacks %s: the test compares the wrong figures", summary, v)
		}
	}

	// Seed 003: email it.
	r := e.Do(e.A, "POST", "/api/v1/integration/contacts/"+cid+"/ledger/send", map[string]any{"to_email": "billing@acme.com, ap@acme.com",
		"subject": "Statement for {contact_name}", "email_body": "Dear {contact_name}, your balance due is {balance_due}.",
		"ledger_format": "format_1", "start_date": "2024-01-01", "end_date": "2024-03-31", "cc": []string{"boss@acme.com"}})
	if r.Status != 200 || !strings.Contains(fmt.Sprint(r.Body["message"]), "queued") {
		t.Fatalf("ledger/send: %d %s", r.Status, r.Raw)
	}
	msgs := e.DeliverMail()
	m := parseMail(t, msgs[len(msgs)-1])
	if m.subject != "Statement for Acme Corporation" || strings.Join(m.rcpts, ",") != "billing@acme.com,ap@acme.com,boss@acme.com" ||
		!strings.Contains(m.text, "your balance due is 1567.50.") {
		t.Errorf("statement email: %q %v %q", m.subject, m.rcpts, m.text)
	}
	if att := m.files["statement-2024-01-01-2024-03-31.pdf"]; !strings.Contains(pdftext.Text(t, att), "1,567.50") {
		t.Errorf("statement attachment: %v", len(att))
	}
	if evs := strings.Join(eventsOf(t, e, e.A, cid), ","); !strings.Contains(evs, "customer.statement_sent") {
		t.Errorf("events: %s", evs)
	}
	if dl := e.Do(e.A, "GET", "/api/v1/customers/"+cid+"/deliveries", nil); len(dl.Body["data"].([]any)) != 1 {
		t.Errorf("customer deliveries: %s", dl.Raw)
	}
	// Bad bodies name the seed's fields; nothing is queued.
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"subject": "s", "email_body": "b", "ledger_format": "format_1", "start_date": "2024-01-01", "end_date": "2024-01-31"}, "to_email"},
		{map[string]any{"to_email": "x@", "subject": "s", "email_body": "b", "ledger_format": "format_1", "start_date": "2024-01-01", "end_date": "2024-01-31"}, "to_email.0"},
		{map[string]any{"to_email": "a@b.example", "email_body": "b", "ledger_format": "format_1", "start_date": "2024-01-01", "end_date": "2024-01-31"}, "subject"},
		{map[string]any{"to_email": "a@b.example", "subject": "s", "ledger_format": "format_1", "start_date": "2024-01-01", "end_date": "2024-01-31"}, "email_body"},
		{map[string]any{"to_email": "a@b.example", "subject": "s", "email_body": "b", "ledger_format": "format_9", "start_date": "2024-01-01", "end_date": "2024-01-31"}, "ledger_format"},
		{map[string]any{"to_email": "a@b.example", "subject": "s", "email_body": "b", "ledger_format": "format_1", "end_date": "2024-01-31"}, "start_date"},
		{map[string]any{"to_email": "a@b.example", "subject": "s", "email_body": "b", "ledger_format": "format_1", "start_date": "2024-02-01", "end_date": "2024-01-31"}, "end_date"},
		{map[string]any{"to_email": "a@b.example", "subject": "s", "email_body": "b", "ledger_format": "format_1", "start_date": "01/02/2024", "end_date": "2024-01-31"}, "start_date"},
		{map[string]any{"to_email": 42, "subject": "s", "email_body": "b", "ledger_format": "format_1", "start_date": "2024-01-01", "end_date": "2024-01-31"}, "to_email"},
		{map[string]any{"to_email": "a@b.example", "subject": "s", "email_body": "b", "ledger_format": "format_1", "start_date": "2024-01-01", "end_date": "2024-01-31", "location_id": 7}, "location_id"},
	} {
		r := e.Do(e.A, "POST", "/api/v1/integration/contacts/"+cid+"/ledger/send", c.body)
		if r.Status != 422 || !strings.Contains(string(r.Raw), c.field) {
			t.Errorf("%v: %d %s", c.body, r.Status, r.Raw)
		}
	}
	if n := len(e.DeliverMail()); n != len(msgs) {
		t.Errorf("refused sends queued mail: %d → %d", len(msgs), n)
	}
}

func TestDocumentsOutCrossTenant(t *testing.T) {
	e := tk.New(t)
	id, cid := goldenInvoice(t, e, e.A)
	qr := e.Do(e.A, "POST", "/api/v1/quotes", map[string]any{"customerId": cid, "validUntil": "2099-01-31",
		"items": []map[string]any{{"description": "Thing", "quantity": 1, "unitPrice": 10}}})
	qid := tk.Str(qr.Body, "data", "id")
	missingInv, missingQt, missingCu := string(pulid.New("inv")), string(pulid.New("quote")), string(pulid.New("cust"))
	send := map[string]any{"to_email": "x@y.example", "subject": "s", "email_body": "b", "ledger_format": "format_1", "start_date": "2024-01-01", "end_date": "2024-01-31"}
	for _, c := range []struct{ method, path, missing string }{
		{"GET", "/api/v1/invoices/%s/pdf", missingInv}, {"GET", "/v1/invoices/%s/pdf", missingInv},
		{"GET", "/api/v1/invoices/%s/deliveries", missingInv}, {"POST", "/api/v1/invoices/%s/send", missingInv},
		{"GET", "/api/v1/quotes/%s/pdf", missingQt}, {"GET", "/api/v1/quotes/%s/deliveries", missingQt}, {"POST", "/api/v1/quotes/%s/send", missingQt},
		{"GET", "/api/v1/customers/%s/statement.pdf?from=2024-01-01&to=2024-12-31", missingCu}, {"GET", "/api/v1/customers/%s/deliveries", missingCu},
		{"POST", "/api/v1/integration/contacts/%s/ledger/send", missingCu},
	} {
		own := map[string]string{missingInv: id, missingQt: qid, missingCu: cid}[c.missing]
		var body any
		if c.method == "POST" {
			body = send
			if !strings.Contains(c.path, "ledger") {
				body = map[string]any{"to": []string{"x@y.example"}}
			}
		}
		theirs := e.Do(e.B, c.method, fmt.Sprintf(c.path, own), body)
		missing := e.Do(e.B, c.method, fmt.Sprintf(c.path, c.missing), body)
		strip := func(b []byte) string {
			return strings.NewReplacer(own, "ID", c.missing, "ID").Replace(string(reqIDPattern.ReplaceAll(b, nil)))
		}
		if c.method == "GET" {
			// The owner is answered: the 404s below are about the company.
			if mine := e.Do(e.A, c.method, fmt.Sprintf(c.path, own), nil); mine.Status != 200 {
				t.Errorf("owner %s %s: %d %s", c.method, c.path, mine.Status, mine.Raw)
			}
		}
		if theirs.Status != 404 || missing.Status != 404 || strip(theirs.Raw) != strip(missing.Raw) {
			t.Errorf("%s %s: theirs %d %s / missing %d %s", c.method, c.path, theirs.Status, theirs.Raw, missing.Status, missing.Raw)
		}
	}
	if n := len(e.DeliverMail()); n != 0 {
		t.Errorf("company B's requests sent %d emails", n)
	}
}

// reqIDPattern matches what differs between two error answers besides
// the id: the request id and the timestamp.
var reqIDPattern = regexp.MustCompile(`req_[0-9A-Z]+|"timestamp":"[^"]*"`)

// A page of invoices with their PDF links and emails costs a fixed number
// of statements, however long the page.
func TestDocumentFieldsOfAListAreBatched(t *testing.T) {
	e := tk.New(t)
	id, cid := goldenInvoice(t, e, e.A)
	e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/send", nil)
	e.DeliverMail()
	q := `{ invoices(first: 20) { edges { node { invoiceNumber pdfUrl deliveries { status recipients { address status } } } } } }`
	var d map[string]any
	e.MustGQL(e.A, q, nil) // the first link makes the company's link key
	count := func() ([]string, int) { return requestStatements(e, func() { d = e.MustGQL(e.A, q, nil) }) }
	_, one := count()
	if tk.Str(d, "invoices", "edges", 0, "node", "deliveries", 0, "status") != "sent" {
		t.Fatalf("deliveries: %v", d)
	}
	for range 4 {
		r := e.Do(e.A, "POST", "/api/v1/invoices", map[string]any{"customerId": cid, "items": []map[string]any{{"description": "Work", "quantity": 1, "unitPrice": 10}}})
		e.Do(e.A, "POST", "/api/v1/invoices/"+tk.Str(r.Body, "data", "id")+"/send", nil)
	}
	e.DeliverMail()
	if stmts, many := count(); many != one || len(tk.Get(d, "invoices", "edges").([]any)) != 5 {
		t.Errorf("%d statements for 5 invoices, %d for 1:\n%s", many, one, strings.Join(stmts, "\n"))
	}
}

// requestStatements are the SQL statements fn's requests ran, less the
// API key lookup (cached for a while, so present or not).
func requestStatements(e *tk.Env, fn func()) ([]string, int) {
	stmts := e.CaptureQueries(fn)
	n := 0
	for _, s := range stmts {
		if !strings.Contains(s, "FROM api_keys") {
			n++
		}
	}
	return stmts, n
}

// A worker that stopped mid-send: before the SMTP session its message is
// taken again; during it, it is recorded failed, never sent twice.
func TestMailWorkerStoppedMidSendIsAtMostOnce(t *testing.T) {
	e := tk.New(t)
	id, _ := goldenInvoice(t, e, e.A)
	for _, to := range []string{"before@acme.com", "during@acme.com"} {
		if r := e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/send", map[string]any{"to": []string{to}, "attachPDF": false}); r.Status != 200 {
			t.Fatalf("send: %d %s", r.Status, r.Raw)
		}
	}
	// Both claimed by a worker that then died: one before SMTP, one in it.
	if _, err := e.DB.Exec(`UPDATE email_messages SET status = 'sending', attempts = 1, lease_until = now() - interval '1 second',
		smtp_started_at = CASE WHEN "to" ? 'during@acme.com' THEN now() - interval '2 minutes' END`); err != nil {
		t.Fatal(err)
	}
	msgs := e.DeliverMail()
	if len(msgs) != 1 || strings.Join(msgs[0].To, ",") != "before@acme.com" {
		t.Fatalf("delivered %d: %v", len(msgs), msgs)
	}
	var status, reply string
	if err := e.DB.QueryRow(`SELECT status, last_reply FROM email_messages WHERE "to" ? 'during@acme.com'`).Scan(&status, &reply); err != nil {
		t.Fatal(err)
	}
	if status != "failed" || !strings.Contains(reply, "at most once") {
		t.Errorf("interrupted message: %s %q", status, reply)
	}
	if evs := strings.Join(eventsOf(t, e, e.A, id), ","); !strings.Contains(evs, "invoice.delivery_failed") || strings.Count(evs, "invoice.sent") != 1 {
		t.Errorf("events: %s", evs)
	}
}

// A refund prints as a credit note: what went back and from which invoice.
func TestRefundCreditNotePDF(t *testing.T) {
	e := tk.New(t)
	cust := createCustomerREST(t, e, e.A, map[string]any{"name": "Refunded Sdn Bhd", "email": "ap@refunded.example"})["id"].(string)
	inv, pay := paidInvoice(t, e, e.A, cust, 100, "bank_transfer")
	rf := must(t, e.Do(e.A, "POST", "/api/v1/payments/"+pay+"/refunds", map[string]any{"amount": 30, "reason": "Damaged goods"}), 201, "refund")
	rid := tk.Str(rf, "id")
	invNumber := tk.Str(e.Do(e.A, "GET", "/api/v1/invoices/"+inv, nil).Body, "data", "invoiceNumber")
	p := e.Do(e.A, "GET", "/api/v1/refunds/"+rid+"/pdf", nil)
	if p.Status != 200 || !strings.Contains(p.Header.Get("Content-Disposition"), `filename="CN-`) {
		t.Fatalf("credit note: %d %v %s", p.Status, p.Header, p.Raw)
	}
	text := pdftext.Text(t, p.Raw)
	for _, want := range []string{"CREDIT NOTE", "Refunded Sdn Bhd", invNumber, "due again", "Total refunded", "30.00", "Damaged goods", "Refunded to you", "MYR 30.00"} {
		if !strings.Contains(text, want) {
			t.Errorf("credit note lacks %q", want)
		}
	}
	d := e.MustGQL(e.A, `query($id: ID!) { node(id: $id) { ... on Refund { pdfUrl } } }`, map[string]any{"id": rid})
	if open := e.Do(tk.Tenant{}, "GET", tk.Str(d, "node", "pdfUrl"), nil); open.Status != 200 || !strings.Contains(pdftext.Text(t, open.Raw), "CREDIT NOTE") {
		t.Errorf("credit note link: %d", open.Status)
	}
	missing := e.Do(e.B, "GET", "/api/v1/refunds/"+string(pulid.New("rfd"))+"/pdf", nil)
	theirs := e.Do(e.B, "GET", "/api/v1/refunds/"+rid+"/pdf", nil)
	if theirs.Status != 404 || missing.Status != 404 || tk.Str(theirs.Body, "error", "code") != "REFUND_NOT_FOUND" {
		t.Errorf("company B: %d %s / %d", theirs.Status, theirs.Raw, missing.Status)
	}
}

// GraphQL's statement send: the same workflow, GraphQL field names.
func TestSendCustomerStatementGraphQL(t *testing.T) {
	e := tk.New(t)
	_, cid := goldenInvoice(t, e, e.A)
	m := `mutation($c: ID!, $in: SendStatementInput!) { sendCustomerStatement(customerId: $c, input: $in) {
		id documentType purpose status subject to recipients { address kind status } } }`
	in := map[string]any{"to": []string{"billing@acme.com"}, "bcc": []string{"audit@company-a.example"}, "subject": "Your statement, {contact_name}",
		"body": "Balance: {balance_due}", "from": "2024-01-01", "until": "2024-12-31"}
	d := e.MustGQL(e.A, m, map[string]any{"c": cid, "in": in})
	if tk.Str(d, "sendCustomerStatement", "status") != "queued" || tk.Str(d, "sendCustomerStatement", "subject") != "Your statement, Acme Corporation" ||
		tk.Str(d, "sendCustomerStatement", "recipients", 1, "kind") != "bcc" {
		t.Fatalf("queued: %v", d)
	}
	msgs := e.DeliverMail()
	if len(msgs) != 1 || len(parseMail(t, msgs[0]).files["statement-2024-01-01-2024-12-31.pdf"]) == 0 {
		t.Fatalf("delivered: %d", len(msgs))
	}
	bad := map[string]any{"to": []string{"x@"}, "subject": "", "body": "b", "from": "2024-02-01", "until": "2024-01-01", "format": "format_7"}
	r := e.GQL(e.A, m, map[string]any{"c": cid, "in": bad})
	for _, field := range []string{`"to.0"`, `"subject"`, `"until"`, `"format"`} {
		if !strings.Contains(string(r.Raw), field) {
			t.Errorf("bad input lacks %s: %s", field, r.Raw)
		}
	}
	if r := e.GQL(e.B, m, map[string]any{"c": cid, "in": in}); len(r.Errors) != 1 || r.Errors[0].Code() != "CUSTOMER_NOT_FOUND" {
		t.Errorf("company B: %s", r.Raw)
	}
	if n := len(e.DeliverMail()); n != 1 {
		t.Errorf("refused sends queued mail: %d", n)
	}
}
