package mail

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/emailmessage"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/store"
	"github.com/bigledger/bigledger/internal/tenant"
)

// Request is one email to write to the outbox.
type Request struct {
	DocumentType emailmessage.DocumentType
	DocumentID   pulid.ID
	CustomerID   pulid.ID
	Purpose      emailmessage.Purpose
	// ReminderStep, when set, is unique per document: a second request
	// for the same step is refused by the database (ErrDuplicateStep).
	ReminderStep *string
	To, Cc, Bcc  []string
	Subject      string
	Text, HTML   string
	AttachPDF    bool
	Params       map[string]string
}

// MessageDomain is the right-hand side of every Message-ID.
const MessageDomain = "bigledger.mail"

// Enqueue writes r to the outbox with c (the caller's transaction): the
// email exists exactly when the send that asked for it commits.
func Enqueue(ctx context.Context, c *ent.Client, r Request) (*ent.EmailMessage, error) {
	id := pulid.New("eml")
	rcpts := make([]types.EmailRecipient, 0, len(r.To)+len(r.Cc)+len(r.Bcc))
	for _, l := range []struct {
		kind string
		list []string
	}{{"to", r.To}, {"cc", r.Cc}, {"bcc", r.Bcc}} {
		for _, a := range l.list {
			rcpts = append(rcpts, types.EmailRecipient{Address: a, Kind: l.kind, Status: "queued"})
		}
	}
	create := c.EmailMessage.Create().SetID(id).SetDocumentType(r.DocumentType).SetDocumentID(r.DocumentID).
		SetCustomerID(r.CustomerID).SetPurpose(r.Purpose).SetNillableReminderStep(r.ReminderStep).
		SetTo(r.To).SetCc(nonNil(r.Cc)).SetBcc(nonNil(r.Bcc)).SetSubject(r.Subject).SetBodyText(r.Text).SetBodyHTML(r.HTML).
		SetAttachPdf(r.AttachPDF).SetParams(r.Params).SetMessageID(string(id) + "@" + MessageDomain).
		SetRecipients(rcpts).SetNextAttemptAt(time.Now())
	if p, ok := auth.FromContext(ctx); ok && p.UserID != "" {
		create.SetCreatedByID(p.UserID)
	}
	return create.Save(ctx)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Renderer returns the attachment of a message (its document's PDF), in
// the message's company context.
type Renderer func(ctx context.Context, m *ent.EmailMessage) (*Attachment, error)

// Recorder is called in the transaction that records a delivery's
// outcome (status sent or failed): it updates the document and emits
// events.
type Recorder func(ctx context.Context, c *ent.Client, m *ent.EmailMessage) error

// Options tune the worker.
type Options struct {
	Transport Transport
	Render    Renderer
	Record    Recorder
	// From is the sender when the company has no email address; the
	// company's address is the sender otherwise (and always the reply-to).
	From string
	// Backoff is the wait before retry n (1-based); default 30s·2^(n-1)
	// up to 2h, ±20%.
	Backoff func(n int) time.Duration
	// MaxAttempts before a temporary failure is final (default 10).
	MaxAttempts int
	// Lease hides a claimed message from other workers (default 2 min).
	Lease time.Duration
	// Tick is how often the worker looks for work (default 1s).
	Tick time.Duration
	Log  *slog.Logger
}

// DefaultBackoff is 30s·2^(n-1), at most 2h, with ±20% jitter.
func DefaultBackoff(n int) time.Duration {
	d := min(30*time.Second<<min(n-1, 16), 2*time.Hour)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// Worker delivers the outbox.
type Worker struct {
	db     *sql.DB
	client *ent.Client
	opt    Options
	wake   chan struct{}
}

// NewWorker returns a worker on db.
func NewWorker(db *sql.DB, client *ent.Client, o Options) *Worker {
	if o.Backoff == nil {
		o.Backoff = DefaultBackoff
	}
	if o.MaxAttempts == 0 {
		o.MaxAttempts = 10
	}
	if o.Lease == 0 {
		o.Lease = 2 * time.Minute
	}
	if o.Tick == 0 {
		o.Tick = time.Second
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.From == "" {
		o.From = "no-reply@bigledger.localhost"
	}
	return &Worker{db: db, client: client, opt: o, wake: make(chan struct{}, 1)}
}

// Wake asks the worker to look for work now.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTicker(w.opt.Tick)
	defer t.Stop()
	for {
		if _, err := w.SendDue(ctx); err != nil && ctx.Err() == nil {
			w.opt.Log.Warn("mail: send", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.wake:
		}
	}
}

type claim struct {
	id, company pulid.ID
	attempt     int
}

// Interrupted is the reply recorded on a message whose worker stopped
// during its SMTP session.
const Interrupted = "interrupted during the SMTP session (the worker stopped): not retried, so the message goes out at most once; send the document again if it did not arrive"

// SendDue claims the messages that are due and delivers them; it returns
// how many it handled. Claims use FOR UPDATE SKIP LOCKED under a lease,
// so several workers never take the same message. A claim whose lease ran
// out is taken again only if its worker stopped before the SMTP session
// (smtp_started_at unset); one that stopped during it may have been
// delivered, and is recorded failed (Interrupted) instead: at most once
// per message.
func (w *Worker) SendDue(ctx context.Context) (int, error) {
	claims, err := w.claim(ctx, `
		UPDATE email_messages m SET status = 'sending', attempts = m.attempts + 1,
		       lease_until = now() + $1 * interval '1 millisecond', updated_at = now()
		WHERE m.id IN (
			SELECT id FROM email_messages
			WHERE status IN ('queued', 'sending') AND next_attempt_at <= now()
			  AND (lease_until IS NULL OR lease_until < now()) AND smtp_started_at IS NULL
			ORDER BY next_attempt_at LIMIT 20
			FOR UPDATE SKIP LOCKED)
		RETURNING m.id, m.company_id, m.attempts`, w.opt.Lease.Milliseconds())
	if err != nil {
		return 0, err
	}
	stale, err := w.claim(ctx, `
		UPDATE email_messages m SET lease_until = now() + $1 * interval '1 millisecond', updated_at = now()
		WHERE m.id IN (
			SELECT id FROM email_messages
			WHERE status = 'sending' AND lease_until < now() AND smtp_started_at IS NOT NULL
			LIMIT 20 FOR UPDATE SKIP LOCKED)
		RETURNING m.id, m.company_id, m.attempts`, w.opt.Lease.Milliseconds())
	if err != nil {
		return 0, err
	}
	for _, c := range claims {
		w.deliver(ctx, c)
	}
	for _, c := range stale {
		tctx := tenant.WithCompany(store.WithClient(ctx, w.client), c.company)
		m, err := w.client.EmailMessage.Get(tctx, c.id)
		if err == nil {
			err = w.finish(tctx, m, c.attempt, &Failure{Reply: Interrupted})
		}
		if err != nil {
			w.opt.Log.Warn("mail: record interrupted", "message", c.id, "error", err)
		}
	}
	return len(claims) + len(stale), nil
}

func (w *Worker) claim(ctx context.Context, query string, args ...any) ([]claim, error) {
	rows, err := w.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []claim
	for rows.Next() {
		var c claim
		if err := rows.Scan(&c.id, &c.company, &c.attempt); err != nil {
			return nil, err
		}
		list = append(list, c)
	}
	return list, rows.Err()
}

func (w *Worker) deliver(ctx context.Context, c claim) {
	tctx := tenant.WithCompany(store.WithClient(ctx, w.client), c.company)
	m, err := w.client.EmailMessage.Get(tctx, c.id)
	if err != nil {
		w.opt.Log.Warn("mail: load", "message", c.id, "error", err)
		return
	}
	msg, err := w.message(tctx, m)
	if err == nil {
		// From here the message may reach the server: mark it first.
		var res sql.Result
		res, err = w.db.ExecContext(ctx, `UPDATE email_messages SET smtp_started_at = now()
			WHERE id = $1 AND status = 'sending' AND attempts = $2`, string(c.id), c.attempt)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				return // another worker took it over after our lease
			}
			err = w.opt.Transport.Send(ctx, msg)
		}
	}
	if ctx.Err() != nil {
		return // shutting down: the lease expires and another try follows
	}
	var f *Failure
	if err != nil {
		var ok bool
		if f, ok = err.(*Failure); !ok {
			f = &Failure{Temporary: true, Reply: err.Error()}
		}
	}
	if err := w.finish(tctx, m, c.attempt, f); err != nil {
		w.opt.Log.Warn("mail: record", "message", c.id, "error", err)
	}
}

// message builds the email of m: sender from the company, the PDF when
// asked for.
func (w *Worker) message(ctx context.Context, m *ent.EmailMessage) (*Message, error) {
	co, err := w.client.Company.Get(ctx, m.CompanyID)
	if err != nil {
		return nil, err
	}
	msg := &Message{ID: m.MessageID, From: w.opt.From, FromName: co.Name, To: m.To, Cc: m.Cc, Bcc: m.Bcc,
		Subject: m.Subject, Text: m.BodyText, HTML: m.BodyHTML, Date: m.CreatedAt}
	if co.Email != nil && *co.Email != "" {
		msg.From, msg.ReplyTo = *co.Email, *co.Email
	}
	if m.AttachPdf && w.opt.Render != nil {
		a, err := w.opt.Render(ctx, m)
		if err != nil {
			return nil, fmt.Errorf("render attachment: %w", err)
		}
		if a != nil {
			msg.Attachments = append(msg.Attachments, *a)
		}
	}
	return msg, nil
}

// finish records the outcome of attempt n: sent, retried later, or
// failed (permanent refusal, or the last attempt).
func (w *Worker) finish(ctx context.Context, m *ent.EmailMessage, n int, f *Failure) error {
	_, err := store.InTx(ctx, func(ctx context.Context, c *ent.Client) (result, error) {
		cur, err := c.EmailMessage.Query().Where(emailmessage.ID(m.ID)).ForUpdate().Only(ctx)
		if err != nil {
			return result{}, err
		}
		if cur.Status != emailmessage.StatusSending || cur.Attempts != n {
			return result{}, nil // another worker took it over after our lease
		}
		upd := c.EmailMessage.UpdateOne(cur).ClearLeaseUntil().ClearSMTPStartedAt()
		rcpts := append([]types.EmailRecipient(nil), cur.Recipients...)
		switch {
		case f == nil:
			now := time.Now()
			for i := range rcpts {
				rcpts[i].Status, rcpts[i].Reply = "sent", "250 accepted"
			}
			upd.SetStatus(emailmessage.StatusSent).SetSentAt(now).SetLastReply("250 accepted")
		case f.Temporary && n < w.opt.MaxAttempts:
			upd.SetStatus(emailmessage.StatusQueued).SetNextAttemptAt(time.Now().Add(w.opt.Backoff(n))).SetLastReply(truncate(f.Reply))
		default:
			for i := range rcpts {
				rcpts[i].Status, rcpts[i].Reply = "failed", truncate(f.Reply)
				if len(f.Rejected) > 0 && !contains(f.Rejected, rcpts[i].Address) {
					rcpts[i].Reply = "not sent: another recipient was refused"
				}
			}
			upd.SetStatus(emailmessage.StatusFailed).SetLastReply(truncate(f.Reply))
		}
		out, err := upd.SetRecipients(rcpts).Save(ctx)
		if err != nil {
			return result{}, err
		}
		if out.Status != emailmessage.StatusQueued && w.opt.Record != nil {
			if err := w.opt.Record(ctx, c, out); err != nil {
				return result{}, err
			}
		}
		return result{}, nil
	})
	return err
}

type result struct{}

func (r result) Unwrap() result { return r }

func contains(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

func truncate(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 1000 {
		return s[:1000]
	}
	return s
}

// IsDuplicateStep reports whether err is the unique violation of a
// reminder step already written.
func IsDuplicateStep(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && pe.Code == "23505" && strings.Contains(pe.Constraint, "reminder_step")
}
