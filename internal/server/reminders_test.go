package server_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	imail "github.com/bigledger/bigledger/internal/mail"
	"github.com/bigledger/bigledger/internal/sales"
	"github.com/bigledger/bigledger/internal/server"
	tk "github.com/bigledger/bigledger/internal/testkit"
	"github.com/bigledger/bigledger/internal/testkit/pdftext"
)

// at moves the sales clock to a Kuala Lumpur wall time for the rest of
// the test.
func at(t *testing.T, when string) {
	t.Helper()
	kl, _ := time.LoadLocation("Asia/Kuala_Lumpur")
	ts, err := time.ParseInLocation("2006-01-02 15:04", when, kl)
	if err != nil {
		t.Fatal(err)
	}
	real := sales.Clock
	sales.Clock = func() time.Time { return ts }
	t.Cleanup(func() { sales.Clock = real })
}

func runReminders(t *testing.T, e *tk.Env) int {
	t.Helper()
	n, err := sales.RunReminders(context.Background(), e.Client, e.DB)
	if err != nil {
		t.Fatalf("reminders: %v", err)
	}
	return n
}

func reminderSteps(t *testing.T, e *tk.Env, invoiceID string) string {
	t.Helper()
	return strings.Join(queryStrings(t, e, `SELECT reminder_step FROM email_messages
		WHERE document_id = $1 AND reminder_step IS NOT NULL ORDER BY created_at`, invoiceID), ",")
}

// Seed 000's sendReminders: each step of the schedule is emailed once,
// however many job runs and instances see it; steps missed while nothing
// ran are not sent late; a paid invoice is not reminded.
func TestPaymentRemindersFollowTheSchedule(t *testing.T) {
	e := tk.New(t)
	id, _ := goldenInvoice(t, e, e.A) // due 2024-02-14
	at(t, "2024-02-05 09:00")
	r := e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/send", map[string]any{"to": []string{"billing@acme.com"}, "sendReminders": true, "attachPDF": false})
	if r.Status != 200 || r.Body["data"].(map[string]any)["sendReminders"] != true {
		t.Fatalf("send: %d %s", r.Status, r.Raw)
	}
	e.DeliverMail()
	if n := runReminders(t, e); n != 0 {
		t.Fatalf("%d reminders nine days before the due date", n)
	}
	// Three days before: one reminder, whatever the number of runs.
	at(t, "2024-02-11 08:00")
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := runReminders(t, e)
			mu.Lock()
			total += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	if total != 1 || runReminders(t, e) != 0 {
		t.Fatalf("%d reminders from 4 concurrent runs (want 1), then more", total)
	}
	msgs := e.DeliverMail()
	m := parseMail(t, msgs[len(msgs)-1])
	if m.subject != "Reminder: invoice INV-2024-0001 from Company A is due 2024-02-14" || strings.Join(m.rcpts, ",") != "billing@acme.com" ||
		!strings.Contains(m.text, "2567.50") || len(m.files["INV-2024-0001.pdf"]) == 0 {
		t.Errorf("reminder: %q %v %q %v", m.subject, m.rcpts, m.text, len(m.files))
	}
	inv := e.Do(e.A, "GET", "/api/v1/invoices/"+id, nil).Body["data"].(map[string]any)
	if inv["reminderCount"] != float64(1) || inv["lastReminderAt"] == nil {
		t.Errorf("invoice after a reminder: %v %v", inv["reminderCount"], inv["lastReminderAt"])
	}
	if evs := strings.Join(eventsOf(t, e, e.A, id), ","); strings.Count(evs, "invoice.reminder_sent") != 1 {
		t.Errorf("events: %s", evs)
	}
	// On the due date, then 35 days late: the 7- and 14-day steps were
	// missed (no instance ran), only the latest step goes out.
	at(t, "2024-02-14 09:00")
	if n := runReminders(t, e); n != 1 {
		t.Fatalf("due-day reminders: %d", n)
	}
	at(t, "2024-03-20 09:00")
	if n := runReminders(t, e); n != 1 {
		t.Fatalf("overdue reminders: %d", n)
	}
	msgs = e.DeliverMail()
	subjects := map[string]bool{}
	for _, m := range msgs {
		subjects[parseMail(t, m).subject] = true
	}
	if !subjects["Overdue: invoice INV-2024-0001 from Company A (MYR 2567.50 due)"] || len(msgs) != 4 {
		t.Errorf("%d messages; subjects %v", len(msgs), subjects)
	}
	if got := reminderSteps(t, e, id); got != "before_due_3,due,overdue_30" {
		t.Errorf("steps sent: %s", got)
	}
	// The schedule is over: nothing more, and the job no longer looks.
	at(t, "2024-06-01 09:00")
	if n := runReminders(t, e); n != 0 {
		t.Errorf("%d reminders after the last step", n)
	}
	var pending int
	_ = e.DB.QueryRow(`SELECT count(*) FROM invoices WHERE id = $1 AND next_reminder_on IS NOT NULL`, id).Scan(&pending)
	if pending != 0 {
		t.Error("the invoice still waits for a reminder")
	}
}

func TestRemindersStopWhenPaidAndFollowTheCompanySchedule(t *testing.T) {
	e := tk.New(t)
	for _, bad := range []any{[]int{-61}, []int{1, 1}, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, []int{400}, "soon"} {
		r := e.Do(e.A, "PATCH", "/v1/company", map[string]any{"reminderSchedule": bad})
		if r.Status != 400 || !strings.Contains(string(r.Raw), `"field":"reminderSchedule"`) {
			t.Errorf("schedule %v: %d %s", bad, r.Status, r.Raw)
		}
	}
	r := e.Do(e.A, "PATCH", "/v1/company", map[string]any{"reminderSchedule": []int{10, 1}})
	if r.Status != 200 || !strings.Contains(string(r.Raw), `"reminderSchedule":[1,10]`) {
		t.Fatalf("schedule: %d %s", r.Status, r.Raw)
	}
	id, _ := goldenInvoice(t, e, e.A)
	at(t, "2024-02-10 09:00")
	e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/send", map[string]any{"sendReminders": true})
	e.DeliverMail()
	at(t, "2024-02-14 09:00") // the due date: not a step of this company's schedule
	if n := runReminders(t, e); n != 0 {
		t.Fatalf("%d reminders on a day off the schedule", n)
	}
	at(t, "2024-02-15 09:00")
	if n := runReminders(t, e); n != 1 {
		t.Fatalf("day +1: %d reminders", n)
	}
	// Paid in full: the 10-day step never goes out.
	if r := e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/payments", map[string]any{"amount": 2567.50, "paymentDate": "2024-02-16", "paymentMethod": "bank_transfer"}); r.Status != 201 {
		t.Fatalf("pay: %d %s", r.Status, r.Raw)
	}
	at(t, "2024-02-24 09:00")
	if n := runReminders(t, e); n != 0 {
		t.Errorf("%d reminders for a paid invoice", n)
	}
	if got := reminderSteps(t, e, id); got != "overdue_1" {
		t.Errorf("steps: %s", got)
	}
	if r := e.Do(e.A, "PATCH", "/v1/company", map[string]any{"reminderSchedule": nil}); !strings.Contains(string(r.Raw), `"reminderSchedule":[-3,0,7,14,30]`) {
		t.Errorf("reset schedule: %s", r.Raw)
	}
}

func logoPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 120, 40))
	for x := range 120 {
		for y := range 40 {
			img.Set(x, y, color.RGBA{R: uint8(x * 2), G: 90, B: 160, A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The letterhead: the company's logo, address and tax number on its PDFs;
// bad uploads are refused; a signed link opens the PDF without a key.
func TestCompanyLetterheadAndSignedLinks(t *testing.T) {
	e := tk.New(t)
	for _, c := range []struct {
		name string
		data []byte
	}{{"logo.txt", []byte("not an image")}, {"empty.png", nil}, {"big.png", bytes.Repeat([]byte{1}, 1<<20+10)}} {
		r := e.Upload(e.A, "PUT", "/v1/company/logo", []tk.FormFile{{Field: "file", Name: c.name, Data: c.data}}, nil)
		if r.Status != 400 || !strings.Contains(string(r.Raw), `"field":"file"`) {
			t.Errorf("logo %s: %d %s", c.name, r.Status, r.Raw)
		}
	}
	if r := e.Do(e.A, "PATCH", "/v1/company", map[string]any{"email": "not-mail"}); r.Status != 400 || !strings.Contains(string(r.Raw), `"field":"email"`) {
		t.Errorf("bad company email: %d %s", r.Status, r.Raw)
	}
	r := e.Upload(e.A, "PUT", "/v1/company/logo", []tk.FormFile{{Field: "file", Name: "logo.png", ContentType: "image/png", Data: logoPNG(t)}}, nil)
	if r.Status != 200 || !strings.Contains(string(r.Raw), `"hasLogo":true`) {
		t.Fatalf("logo: %d %s", r.Status, r.Raw)
	}
	id, cid := goldenInvoice(t, e, e.A)
	p := e.Do(e.A, "GET", "/api/v1/invoices/"+id+"/pdf", nil)
	if n := pdfImages(t, p.Raw); n != 1 {
		t.Errorf("%d images in the PDF, want the logo", n)
	}
	// GraphQL: a signed link a browser opens without credentials.
	d := e.MustGQL(e.A, `query($id: ID!, $c: ID!) { invoice(id: $id) { pdfUrl deliveries { id } }
		customer(id: $c) { statementPdfUrl(from: "2024-01-01", to: "2024-12-31") } }`, map[string]any{"id": id, "c": cid})
	url := tk.Str(d, "invoice", "pdfUrl")
	if !strings.HasPrefix(url, "/files/") || !strings.HasSuffix(url, "/INV-2024-0001.pdf") {
		t.Fatalf("pdfUrl: %s", url)
	}
	open := e.Do(tk.Tenant{}, "GET", url, nil)
	if open.Status != 200 || open.Header.Get("Content-Type") != "application/pdf" || !strings.Contains(pdftext.Text(t, open.Raw), "2,567.50") {
		t.Fatalf("open link: %d %v", open.Status, open.Header)
	}
	st := e.Do(tk.Tenant{}, "GET", tk.Str(d, "customer", "statementPdfUrl"), nil)
	if st.Status != 200 || !strings.Contains(pdftext.Text(t, st.Raw), "STATEMENT") {
		t.Errorf("statement link: %d", st.Status)
	}
	// A changed payload or signature, or company B's link to A's id, opens nothing.
	token := strings.Split(strings.TrimPrefix(url, "/files/"), "/")[0]
	payload, sig, _ := strings.Cut(token, ".")
	for _, bad := range []string{payload + "x." + sig, payload + "." + sig[:len(sig)-2] + "AA", payload, "garbage"} {
		if r := e.Do(tk.Tenant{}, "GET", "/files/"+bad+"/x.pdf", nil); r.Status != 404 {
			t.Errorf("tampered link %q: %d", bad, r.Status)
		}
	}
	if r := e.GQL(e.B, `query($id: ID!) { invoice(id: $id) { pdfUrl } }`, map[string]any{"id": id}); !strings.Contains(string(r.Raw), "NOT_FOUND") {
		t.Errorf("company B asked for A's pdfUrl: %s", r.Raw)
	}
}

func pdfImages(t *testing.T, pdf []byte) int {
	t.Helper()
	in := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfimages", "-list", in).Output()
	if err != nil {
		t.Fatalf("pdfimages: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return max(len(lines)-2, 0)
}

// make run's mail: the development sink keeps each message under its
// folder and /dev/mail lists them (development only).
func TestDevelopmentMailSink(t *testing.T) {
	dir := t.TempDir()
	sink, err := imail.StartSink("127.0.0.1:0", dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sink.Close() })
	e := tk.New(t, tk.Options{Server: func(o *server.Options) {
		o.Mail.Transport = mustTransport(t, sink.URL())
		o.MailDir = dir
	}})
	id, _ := goldenInvoice(t, e, e.A)
	if r := e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/send", nil); r.Status != 200 {
		t.Fatalf("send: %d %s", r.Status, r.Raw)
	}
	e.DeliverMail()
	list := e.Do(tk.Tenant{}, "GET", "/dev/mail", nil, "Accept", "application/json")
	items, _ := list.Body["data"].([]any)
	if list.Status != 200 || len(items) != 1 || !strings.Contains(tk.Str(items[0], "subject"), "INV-2024-0001") {
		t.Fatalf("/dev/mail: %d %s", list.Status, list.Raw)
	}
	name := tk.Str(items[0], "name")
	one := e.Do(tk.Tenant{}, "GET", "/dev/mail/"+name, nil)
	if one.Status != 200 || one.Header.Get("Content-Type") != "message/rfc822" || !bytes.Contains(one.Raw, []byte("INV-2024-0001.pdf")) {
		t.Errorf("/dev/mail/%s: %d %v", name, one.Status, one.Header)
	}
	if r := e.Do(tk.Tenant{}, "GET", "/dev/mail/..%2F..%2Fetc%2Fpasswd", nil); r.Status != 404 {
		t.Errorf("path escape: %d", r.Status)
	}
	html := e.Do(tk.Tenant{}, "GET", "/dev/mail", nil)
	if !strings.Contains(string(html.Raw), "Development mail sink") {
		t.Errorf("/dev/mail page: %s", html.Raw)
	}
	// A production server has no /dev/mail.
	prod := tk.New(t, tk.Options{Server: func(o *server.Options) { o.Development = false; o.MailDir = dir }})
	if r := prod.Do(tk.Tenant{}, "GET", "/dev/mail", nil); r.Status == 200 {
		t.Errorf("production /dev/mail: %d", r.Status)
	}
}

// A company words its emails its own way: per kind, with the tags.
func TestCompanyEmailTemplates(t *testing.T) {
	e := tk.New(t)
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"letter": map[string]any{"subject": "s", "body": "b"}}, "emailTemplates.letter"},
		{map[string]any{"invoice": map[string]any{"subject": "Invoice {invoice_no}", "body": "b"}}, "emailTemplates.invoice.subject"},
		{map[string]any{"invoice": map[string]any{"subject": "s", "body": "Pay {amount_owed}"}}, "emailTemplates.invoice.body"},
		{map[string]any{"quote": map[string]any{"subject": "", "body": "b"}}, "emailTemplates.quote.subject"},
		{map[string]any{"reminder": map[string]any{"subject": "s", "body": strings.Repeat("x", 20001)}}, "emailTemplates.reminder.body"},
	} {
		r := e.Do(e.A, "PATCH", "/v1/company", map[string]any{"emailTemplates": c.body})
		if r.Status != 400 || !strings.Contains(string(r.Raw), `"field":"`+c.field+`"`) {
			t.Errorf("%v: %d %s", c.body, r.Status, r.Raw)
		}
	}
	r := e.Do(e.A, "PATCH", "/v1/company", map[string]any{"emailTemplates": map[string]any{"invoice": map[string]any{
		"subject": "{company_name} bill {invoice_number}", "body": "Hello {customer_name},\n\n{message}{currency} {amount_due} by {due_date}.\n\nRegards"}}})
	if r.Status != 200 || tk.Str(r.Body, "data", "emailTemplates", "invoice", "subject") != "{company_name} bill {invoice_number}" ||
		!strings.HasPrefix(tk.Str(r.Body, "data", "emailTemplates", "quote", "subject"), "Quote {document_number}") {
		t.Fatalf("templates: %d %s", r.Status, r.Raw)
	}
	id, _ := goldenInvoice(t, e, e.A)
	e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/send", map[string]any{"message": "Thanks for the order."})
	msgs := e.DeliverMail()
	m := parseMail(t, msgs[0])
	if m.subject != "Company A bill INV-2024-0001" || !strings.Contains(m.text, "Hello Acme Corporation,") ||
		!strings.Contains(m.text, "Thanks for the order.") || !strings.Contains(m.text, "MYR 2567.50 by 2024-02-14.") {
		t.Errorf("templated email: %q %q", m.subject, m.text)
	}
	r = e.Do(e.A, "PATCH", "/v1/company", map[string]any{"emailTemplates": map[string]any{"invoice": nil}})
	if !strings.HasPrefix(tk.Str(r.Body, "data", "emailTemplates", "invoice", "subject"), "Invoice {document_number}") {
		t.Errorf("reset: %s", r.Raw)
	}
}

// "Every N days overdue": reminders repeat after the schedule's last day.
func TestRemindersRepeatEveryNDays(t *testing.T) {
	e := tk.New(t)
	for _, bad := range []any{-1, 91, "weekly"} {
		if r := e.Do(e.A, "PATCH", "/v1/company", map[string]any{"reminderRepeatDays": bad}); r.Status != 400 || !strings.Contains(string(r.Raw), `"field":"reminderRepeatDays"`) {
			t.Errorf("repeat %v: %d %s", bad, r.Status, r.Raw)
		}
	}
	r := e.Do(e.A, "PATCH", "/v1/company", map[string]any{"reminderSchedule": []int{0}, "reminderRepeatDays": 5})
	if r.Status != 200 || !strings.Contains(string(r.Raw), `"reminderRepeatDays":5`) {
		t.Fatalf("company: %d %s", r.Status, r.Raw)
	}
	id, _ := goldenInvoice(t, e, e.A)
	at(t, "2024-02-10 09:00")
	e.Do(e.A, "POST", "/api/v1/invoices/"+id+"/send", map[string]any{"sendReminders": true, "attachPDF": false})
	for _, c := range []struct {
		day  string
		want int
	}{{"2024-02-14", 1}, {"2024-02-15", 0}, {"2024-02-19", 1}, {"2024-02-22", 0}, {"2024-02-24", 1}, {"2024-02-24", 0}} {
		at(t, c.day+" 10:00")
		if n := runReminders(t, e); n != c.want {
			t.Errorf("%s: %d reminders, want %d", c.day, n, c.want)
		}
	}
	if got := reminderSteps(t, e, id); got != "due,overdue_5,overdue_10" {
		t.Errorf("steps: %s", got)
	}
	if r := e.Do(e.A, "PATCH", "/v1/company", map[string]any{"reminderRepeatDays": nil}); !strings.Contains(string(r.Raw), `"reminderRepeatDays":0`) {
		t.Errorf("reset: %s", r.Raw)
	}
}

// GraphQL reads and changes the same company settings as PATCH /v1/company.
func TestCompanyGraphQL(t *testing.T) {
	e := tk.New(t)
	q := `{ company { name email taxNumber address { city } hasLogo reminderSchedule reminderRepeatDays emailTemplates { kind subject } } }`
	d := e.MustGQL(e.A, q, nil)
	if tk.Str(d, "company", "name") != "Company A" || tk.Get(d, "company", "email") != nil || len(tk.Get(d, "company", "emailTemplates").([]any)) != 4 ||
		fmt.Sprint(tk.Get(d, "company", "reminderSchedule")) != "[-3 0 7 14 30]" {
		t.Fatalf("company: %v", d)
	}
	m := `mutation($in: UpdateCompanyInput!) { updateCompany(input: $in) { email taxNumber address { city } reminderSchedule reminderRepeatDays emailTemplates { kind subject body } } }`
	u := e.MustGQL(e.A, m, map[string]any{"in": map[string]any{"email": "ar@company-a.example", "taxNumber": "C123", "address": map[string]any{"city": "Ipoh"},
		"reminderSchedule": []int{7, 1}, "reminderRepeatDays": 3, "emailTemplates": []any{map[string]any{"kind": "quote", "subject": "Q {quote_number}", "body": "See attached."}}}})
	c := u["updateCompany"].(map[string]any)
	if c["email"] != "ar@company-a.example" || tk.Str(c, "address", "city") != "Ipoh" || fmt.Sprint(c["reminderSchedule"]) != "[1 7]" ||
		c["reminderRepeatDays"] != 3.0 || tk.Str(c, "emailTemplates", 1, "subject") != "Q {quote_number}" {
		t.Fatalf("updated: %v", c)
	}
	// REST sees the same settings.
	if r := e.Do(e.A, "GET", "/v1/company", nil); !strings.Contains(string(r.Raw), `"reminderSchedule":[1,7]`) || !strings.Contains(string(r.Raw), `"Q {quote_number}"`) {
		t.Errorf("REST: %s", r.Raw)
	}
	for _, c := range []struct {
		in    map[string]any
		field string
	}{
		{map[string]any{"email": "nope"}, "email"},
		{map[string]any{"reminderSchedule": []int{500}}, "reminderSchedule"},
		{map[string]any{"reminderRepeatDays": 100}, "reminderRepeatDays"},
		{map[string]any{"emailTemplates": []any{map[string]any{"kind": "invoice", "subject": "{nope}", "body": "b"}}}, "emailTemplates.invoice.subject"},
		{map[string]any{"timezone": "Mars/Olympus"}, "timezone"},
	} {
		r := e.GQL(e.A, m, map[string]any{"in": c.in})
		if len(r.Errors) != 1 || r.Errors[0].Code() != "VALIDATION_ERROR" || !strings.Contains(string(r.Raw), `"`+c.field+`"`) {
			t.Errorf("%v: %s", c.in, r.Raw)
		}
	}
	reader := tk.Tenant{Key: e.NewKeyFor(e.A, "customers:read"), CompanyID: e.A.CompanyID}
	if r := e.GQL(reader, m, map[string]any{"in": map[string]any{"email": "x@y.example"}}); len(r.Errors) != 1 || r.Errors[0].Code() != "PERMISSION_DENIED" {
		t.Errorf("a key without keys:admin: %s", r.Raw)
	}
	if b := e.MustGQL(e.B, `{ company { name email } }`, nil); tk.Str(b, "company", "name") != "Company B" || tk.Get(b, "company", "email") != nil {
		t.Errorf("company B sees: %v", b)
	}
}
