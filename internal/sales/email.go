package sales

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/contact"
	"github.com/bigledger/bigledger/ent/customer"
	"github.com/bigledger/bigledger/ent/emailmessage"
	"github.com/bigledger/bigledger/ent/invoice"
	"github.com/bigledger/bigledger/ent/quote"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/events"
	"github.com/bigledger/bigledger/internal/ledger"
	"github.com/bigledger/bigledger/internal/mail"
	"github.com/bigledger/bigledger/internal/money"
	"github.com/bigledger/bigledger/internal/store"
)

// CodeNoRecipient refuses a send with nobody to send to.
const CodeNoRecipient = "NO_RECIPIENT"

// MaxRecipients bounds one email's to, cc and bcc together;
// MaxListedDeliveries how many emails a document lists (newest first).
const (
	MaxRecipients       = 50
	MaxListedDeliveries = 50
)

// CodeInvalidStatementSend refuses a statement send's body.
const CodeInvalidStatementSend = "INVALID_STATEMENT_SEND"

// Recipients returns the addresses a send with no "to" goes to: the
// customer's primary contact's email, else the customer's own.
func Recipients(ctx context.Context, c *ent.Client, customerID pulid.ID) ([]string, error) {
	cts, err := c.Contact.Query().Where(contact.CustomerID(customerID), contact.EmailNotNil(), contact.EmailNEQ("")).
		Order(ent.Desc(contact.FieldIsPrimary), ent.Asc(contact.FieldCreatedAt)).Limit(1).All(ctx)
	if err != nil {
		return nil, err
	}
	if len(cts) == 1 {
		return []string{*cts[0].Email}, nil
	}
	cu, err := c.Customer.Query().Where(customer.ID(customerID)).Only(ctx)
	if err != nil {
		return nil, err
	}
	if cu.Email != nil && *cu.Email != "" {
		return []string{*cu.Email}, nil
	}
	return nil, nil
}

// resolveTo fills an empty "to" from the customer, or refuses the send.
func resolveTo(ctx context.Context, c *ent.Client, customerID pulid.ID, to []string, code string) ([]string, error) {
	if len(to) > 0 {
		return to, nil
	}
	list, err := Recipients(ctx, c, customerID)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		var d apperr.Details
		d.Add("to", "The customer has no email address (on the customer or a contact): give to")
		return nil, d.Err(code, "Nobody to send to")
	}
	return list, nil
}

// Template values of a document email.
type emailValues struct {
	Company, Customer, Kind, Number, Currency, Total, AmountDue, Date, DueDate, Message string
}

// Tags replaces the template tags a subject or body may hold
// ({company_name}, {business_name}, {contact_name}, {customer_name},
// {document_number}, {invoice_number}, {quote_number}, {total},
// {amount_due}, {balance_due}, {due_date}, {date}, {currency}).
func Tags(s string, v map[string]string) string {
	for k, val := range v {
		s = strings.ReplaceAll(s, "{"+k+"}", val)
	}
	return s
}

func (v emailValues) tags() map[string]string {
	return map[string]string{"company_name": v.Company, "business_name": v.Company, "contact_name": v.Customer,
		"customer_name": v.Customer, "document_number": v.Number, "invoice_number": v.Number, "quote_number": v.Number,
		"total": v.Total, "amount_due": v.AmountDue, "balance_due": v.AmountDue, "due_date": v.DueDate, "date": v.Date,
		"currency": v.Currency}
}

// Default subjects and bodies per document type.
var (
	defaultSubject = map[string]string{
		"invoice":  "Invoice {document_number} from {company_name}",
		"quote":    "Quote {document_number} from {company_name}",
		"reminder": "Reminder: invoice {document_number} from {company_name} is due {due_date}",
		"overdue":  "Overdue: invoice {document_number} from {company_name} ({currency} {amount_due} due)",
	}
	defaultBody = map[string]string{
		"invoice": "Dear {customer_name},\n\nPlease find attached invoice {document_number} dated {date} for {currency} {total}. " +
			"The amount due is {currency} {amount_due}, payable by {due_date}.\n\n{message}Thank you for your business.\n{company_name}",
		"quote": "Dear {customer_name},\n\nPlease find attached our quote {document_number} for {currency} {total}, valid until {due_date}.\n\n" +
			"{message}Kind regards,\n{company_name}",
		"reminder": "Dear {customer_name},\n\nThis is a friendly reminder that invoice {document_number} for {currency} {total} is due on {due_date}. " +
			"The amount due is {currency} {amount_due}.\n\nIf you have already paid, please disregard this message.\n{company_name}",
		"overdue": "Dear {customer_name},\n\nInvoice {document_number} was due on {due_date} and {currency} {amount_due} is still outstanding. " +
			"Please arrange payment at your earliest convenience.\n\nIf you have already paid, please disregard this message.\n{company_name}",
	}
)

// compose renders a subject and plain-text and HTML bodies from the
// company's template of kind (its own, else the default): a given subject
// wins over the template's, a given message fills its {message} (tags
// work in both).
func compose(co *ent.Company, kind string, v emailValues, subject, message *string) (string, string, string) {
	tags := v.tags()
	tags["message"] = ""
	if message != nil && strings.TrimSpace(*message) != "" {
		tags["message"] = strings.TrimSpace(Tags(*message, tags)) + "\n\n"
	}
	tpl := EmailTemplates(co)[kind]
	subj := tpl.Subject
	if subject != nil && strings.TrimSpace(*subject) != "" {
		subj = *subject
	}
	subj = strings.Join(strings.Fields(Tags(subj, tags)), " ")
	text := Tags(tpl.Body, tags)
	return subj, text, HTMLBody(text)
}

// EmailTemplate is the subject and plain-text body of one kind of email.
type EmailTemplate struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// EmailTemplatesKey is the company setting holding its own templates.
const EmailTemplatesKey = "emailTemplates"

// TemplateKinds are the kinds of email a company can word its own way.
var TemplateKinds = []string{"invoice", "quote", "reminder", "overdue"}

// EmailTemplates are a company's templates by kind: its own where it set
// them, the defaults elsewhere.
func EmailTemplates(co *ent.Company) map[string]EmailTemplate {
	out := make(map[string]EmailTemplate, len(TemplateKinds))
	for _, k := range TemplateKinds {
		out[k] = EmailTemplate{Subject: defaultSubject[k], Body: defaultBody[k]}
	}
	if co == nil {
		return out
	}
	own, _ := co.Settings[EmailTemplatesKey].(map[string]any)
	for k, v := range own {
		m, _ := v.(map[string]any)
		t := out[k]
		if s, ok := m["subject"].(string); ok && s != "" {
			t.Subject = s
		}
		if b, ok := m["body"].(string); ok && b != "" {
			t.Body = b
		}
		out[k] = t
	}
	return out
}

var tagRe = regexp.MustCompile(`\{([A-Za-z_]+)\}`)

// CheckEmailTemplates validates templates a company sets: known kinds, a
// subject of at most 300 characters, a body of at most 20000, and only
// the known tags. A nil template resets its kind to the default.
func CheckEmailTemplates(in map[string]*EmailTemplate) error {
	var d apperr.Details
	known := mergeTags(emailValues{}.tags())
	for kind, t := range in {
		field := "emailTemplates." + kind
		if !slices.Contains(TemplateKinds, kind) {
			d.Add(field, "Unknown template %q: use %s", kind, strings.Join(TemplateKinds, ", "))
			continue
		}
		if t == nil {
			continue
		}
		if strings.TrimSpace(t.Subject) == "" || len(t.Subject) > 300 {
			d.Add(field+".subject", "A subject of 1 to 300 characters is required")
		}
		if strings.TrimSpace(t.Body) == "" || len(t.Body) > 20000 {
			d.Add(field+".body", "A body of 1 to 20000 characters is required")
		}
		for _, part := range []struct{ name, text string }{{"subject", t.Subject}, {"body", t.Body}} {
			for _, m := range tagRe.FindAllStringSubmatch(part.text, -1) {
				if _, ok := known[m[1]]; !ok {
					d.Add(field+"."+part.name, "Unknown tag {%s}: the tags are %s", m[1], strings.Join(tagNames(known), ", "))
				}
			}
		}
	}
	return d.Err("VALIDATION_ERROR", "Invalid company data")
}

func tagNames(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, "{"+k+"}")
	}
	slices.Sort(out)
	return out
}

// HTMLBody is the HTML alternative of a plain-text body.
func HTMLBody(text string) string {
	var b strings.Builder
	b.WriteString(`<!doctype html><html><body style="font-family:Helvetica,Arial,sans-serif;font-size:14px;line-height:1.5;color:#222">`)
	for _, p := range strings.Split(strings.TrimSpace(text), "\n\n") {
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(html.EscapeString(p), "\n", "<br>"))
		b.WriteString("</p>")
	}
	b.WriteString("</body></html>")
	return b.String()
}

func invoiceValues(co *ent.Company, cu *ent.Customer, inv *ent.Invoice) emailValues {
	return emailValues{Company: co.Name, Customer: cu.Name, Number: inv.InvoiceNumber, Currency: inv.Currency,
		Total: money.Format(inv.Total, inv.Currency), AmountDue: money.Format(inv.AmountDue, inv.Currency),
		Date: inv.InvoiceDate.String(), DueDate: inv.DueDate.String()}
}

// queueInvoiceEmail writes the email of an invoice send to the outbox.
func queueInvoiceEmail(ctx context.Context, c *ent.Client, inv *ent.Invoice, in SendInput) (*ent.EmailMessage, error) {
	co, cu, err := companyAndCustomer(ctx, c, inv.CompanyID, inv.CustomerID)
	if err != nil {
		return nil, err
	}
	subj, text, htm := compose(co, "invoice", invoiceValues(co, cu, inv), in.Subject, in.Message)
	return mail.Enqueue(ctx, c, mail.Request{DocumentType: emailmessage.DocumentTypeInvoice, DocumentID: inv.ID,
		CustomerID: inv.CustomerID, Purpose: emailmessage.PurposeSend, To: in.To, Cc: in.Cc, Bcc: in.Bcc,
		Subject: subj, Text: text, HTML: htm, AttachPDF: in.AttachPDF == nil || *in.AttachPDF})
}

// queueQuoteEmail writes the email of a quote send to the outbox.
func queueQuoteEmail(ctx context.Context, c *ent.Client, q *ent.Quote, in SendInput) (*ent.EmailMessage, error) {
	co, cu, err := companyAndCustomer(ctx, c, q.CompanyID, q.CustomerID)
	if err != nil {
		return nil, err
	}
	v := emailValues{Company: co.Name, Customer: cu.Name, Number: q.QuoteNumber, Currency: q.Currency,
		Total: money.Format(q.Total, q.Currency), AmountDue: money.Format(q.Total, q.Currency),
		Date: q.QuoteDate.String(), DueDate: q.ValidUntil.String()}
	subj, text, htm := compose(co, "quote", v, in.Subject, in.Message)
	return mail.Enqueue(ctx, c, mail.Request{DocumentType: emailmessage.DocumentTypeQuote, DocumentID: q.ID,
		CustomerID: q.CustomerID, Purpose: emailmessage.PurposeSend, To: in.To, Cc: in.Cc, Bcc: in.Bcc,
		Subject: subj, Text: text, HTML: htm, AttachPDF: in.AttachPDF == nil || *in.AttachPDF})
}

func companyAndCustomer(ctx context.Context, c *ent.Client, companyID, customerID pulid.ID) (*ent.Company, *ent.Customer, error) {
	co, err := c.Company.Get(ctx, companyID)
	if err != nil {
		return nil, nil, err
	}
	cu, err := c.Customer.Query().Where(customer.ID(customerID)).Only(ctx)
	return co, cu, err
}

// deliveryRecord is what a document's lastSend says about its email.
func deliveryRecord(m *ent.EmailMessage) map[string]any {
	rec := map[string]any{"messageId": m.ID, "deliveryStatus": string(m.Status)}
	if m.SentAt != nil {
		rec["deliveredAt"] = m.SentAt.UTC().Format(time.RFC3339)
	}
	if m.LastReply != nil {
		rec["deliveryReply"] = *m.LastReply
	}
	return rec
}

// RecordDelivery is the mail worker's Recorder: in the transaction that
// records an email's outcome it updates the document's lastSend and emits
// the event — invoice.sent or quote.sent when the email was handed to
// SMTP, invoice.reminder_sent for a reminder, customer.statement_sent for
// a statement, *.delivery_failed when it could not be delivered.
func RecordDelivery(ctx context.Context, c *ent.Client, m *ent.EmailMessage) error {
	sent := m.Status == emailmessage.StatusSent
	payload := map[string]any{"emailId": m.ID, "documentType": string(m.DocumentType), "documentId": m.DocumentID,
		"purpose": string(m.Purpose), "status": string(m.Status), "to": m.To, "cc": m.Cc, "subject": m.Subject}
	if m.LastReply != nil {
		payload["reply"] = *m.LastReply
	}
	if m.ReminderStep != nil {
		payload["reminderStep"] = *m.ReminderStep
	}
	switch m.DocumentType {
	case emailmessage.DocumentTypeInvoice:
		inv, err := c.Invoice.Query().Where(invoice.ID(m.DocumentID)).ForUpdate().Only(ctx)
		if err != nil {
			return err
		}
		if m.Purpose == emailmessage.PurposeReminder {
			if !sent {
				return events.Emit(ctx, events.InvoiceDeliveryFailed, inv.ID, mergePayload(events.InvoicePayload(inv), payload))
			}
			return events.Emit(ctx, events.InvoiceReminderSent, inv.ID, mergePayload(events.InvoicePayload(inv), payload))
		}
		last := mergePayload(map[string]any{}, inv.LastSend)
		if last["messageId"] == nil || last["messageId"] == string(m.ID) {
			inv, err = c.Invoice.UpdateOne(inv).SetLastSend(mergePayload(last, deliveryRecord(m))).Save(ctx)
			if err != nil {
				return err
			}
		}
		typ := events.InvoiceSent
		if !sent {
			typ = events.InvoiceDeliveryFailed
		}
		return events.Emit(ctx, typ, inv.ID, mergePayload(events.InvoicePayload(inv), payload))
	case emailmessage.DocumentTypeQuote:
		q, err := c.Quote.Query().Where(quote.ID(m.DocumentID)).ForUpdate().Only(ctx)
		if err != nil {
			return err
		}
		last := mergePayload(map[string]any{}, q.LastSend)
		if last["messageId"] == nil || last["messageId"] == string(m.ID) {
			if q, err = c.Quote.UpdateOne(q).SetLastSend(mergePayload(last, deliveryRecord(m))).Save(ctx); err != nil {
				return err
			}
		}
		typ := events.QuoteSent
		if !sent {
			typ = events.QuoteDeliveryFailed
		}
		return events.Emit(ctx, typ, q.ID, mergePayload(events.QuotePayload(q), payload))
	default:
		typ := events.CustomerStatementSent
		if !sent {
			typ = events.CustomerStatementFailed
		}
		return events.Emit(ctx, typ, m.CustomerID, payload)
	}
}

func mergePayload(dst, src map[string]any) map[string]any {
	for k, v := range src {
		dst[k] = v
	}
	return dst
}

// Deliveries lists the emails of one of the acting company's documents
// (an invoice, a quote, or a customer's statements), newest first.
func Deliveries(ctx context.Context, c *ent.Client, documentID pulid.ID) ([]*ent.EmailMessage, error) {
	return c.EmailMessage.Query().Where(emailmessage.DocumentID(documentID)).
		Order(ent.Desc(emailmessage.FieldCreatedAt), ent.Desc(emailmessage.FieldID)).Limit(MaxListedDeliveries).All(ctx)
}

func init() {
	// Every default template names only known tags.
	for k, s := range defaultBody {
		if strings.Contains(Tags(s, mergeTags(emailValues{}.tags())), "{") {
			panic(fmt.Sprintf("sales: template %s has an unknown tag", k))
		}
	}
}

func mergeTags(m map[string]string) map[string]string {
	m["message"] = ""
	return m
}

// StatementSend emails a customer's statement (seed 003 ledger/send).
type StatementSend struct {
	To, Cc, Bcc []string
	Subject     string
	// Body may hold the template tags ({balance_due}, {contact_name}, …).
	Body       string
	Start, End *types.Date
	// Format is the seed's ledger_format (format_1 … format_4): all print
	// the same statement layout; it is kept on the email.
	Format string
}

// StatementFormats are the seed-003 ledger formats.
var StatementFormats = []string{"format_1", "format_2", "format_3", "format_4"}

// SendStatement writes the email of a customer's statement for
// Start..End to the outbox (the PDF is rendered when it is delivered) and
// returns it. Field names are seed 003's.
func SendStatement(ctx context.Context, customerID pulid.ID, in StatementSend) (*ent.EmailMessage, error) {
	var d apperr.Details
	if len(in.To) == 0 {
		d.Add("to_email", "The to email field is required.")
	}
	for _, l := range []struct {
		field string
		list  []string
	}{{"to_email", in.To}, {"cc", in.Cc}, {"bcc", in.Bcc}} {
		for i, a := range l.list {
			if !validEmail(a) {
				d.Add(fmt.Sprintf("%s.%d", l.field, i), "The %s must be a valid email address.", l.field)
			}
		}
	}
	if n := len(in.To) + len(in.Cc) + len(in.Bcc); n > MaxRecipients {
		d.Add("to_email", "At most %d recipients in all; this send has %d", MaxRecipients, n)
	}
	if strings.TrimSpace(in.Subject) == "" {
		d.Add("subject", "The subject field is required.")
	} else if len(in.Subject) > 300 {
		d.Add("subject", "The subject must not be greater than 300 characters.")
	}
	if strings.TrimSpace(in.Body) == "" {
		d.Add("email_body", "The email body field is required.")
	} else if len(in.Body) > 20000 {
		d.Add("email_body", "The email body must not be greater than 20000 characters.")
	}
	if !slices.Contains(StatementFormats, in.Format) {
		d.Add("ledger_format", "The selected ledger format is invalid: use format_1, format_2, format_3 or format_4.")
	}
	if in.Start == nil {
		d.Add("start_date", "The start date field is required.")
	}
	if in.End == nil {
		d.Add("end_date", "The end date field is required.")
	}
	if in.Start != nil && in.To != nil && in.End.Time().Before(in.Start.Time()) {
		d.Add("end_date", "The end date must be a date after or equal to start date.")
	}
	if err := d.Err(CodeInvalidStatementSend, "The given data was invalid."); err != nil {
		return nil, err
	}
	return store.InTx(ctx, func(ctx context.Context, c *ent.Client) (*ent.EmailMessage, error) {
		rep, err := ledger.CustomerLedger(ctx, customerID, in.Start, in.End)
		if err != nil {
			return nil, err
		}
		cu, err := c.Customer.Query().Where(customer.ID(customerID)).Only(ctx)
		if err != nil {
			return nil, err
		}
		co, err := c.Company.Get(ctx, cu.CompanyID)
		if err != nil {
			return nil, err
		}
		bal := money.Format(rep.ClosingBalance.Decimal, co.BaseCurrency)
		tags := map[string]string{"company_name": co.Name, "business_name": co.Name, "contact_name": cu.Name,
			"customer_name": cu.Name, "balance_due": bal, "amount_due": bal, "currency": co.BaseCurrency,
			"start_date": in.Start.String(), "end_date": in.End.String()}
		subj := strings.Join(strings.Fields(Tags(in.Subject, tags)), " ")
		text := Tags(in.Body, tags)
		return mail.Enqueue(ctx, c, mail.Request{DocumentType: emailmessage.DocumentTypeStatement, DocumentID: customerID,
			CustomerID: customerID, Purpose: emailmessage.PurposeStatement, To: in.To, Cc: in.Cc, Bcc: in.Bcc,
			Subject: subj, Text: text, HTML: HTMLBody(text), AttachPDF: true,
			Params: map[string]string{"from": in.Start.String(), "to": in.End.String(), "format": in.Format}})
	})
}

// DeliveriesOf lists the emails of several documents at once (one
// statement for a page of invoices or quotes), newest first, at most
// limit per document.
func DeliveriesOf(ctx context.Context, ids []pulid.ID, limit int) (map[pulid.ID][]*ent.EmailMessage, error) {
	list, err := store.Client(ctx).EmailMessage.Query().Where(emailmessage.DocumentIDIn(ids...)).
		Order(ent.Desc(emailmessage.FieldCreatedAt), ent.Desc(emailmessage.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[pulid.ID][]*ent.EmailMessage, len(ids))
	for _, m := range list {
		if len(out[m.DocumentID]) < limit {
			out[m.DocumentID] = append(out[m.DocumentID], m)
		}
	}
	return out, nil
}
