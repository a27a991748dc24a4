// Package mail sends the company's email: an outbox of messages written
// in the transaction of the send that asks for them (EmailMessage), a
// worker that claims them with FOR UPDATE SKIP LOCKED, renders their PDF,
// hands them to SMTP with retries and backoff and records each reply, and
// the transports: SMTP (wneessen/go-mail: STARTTLS or TLS, auth) and the
// development mail sink (an in-process SMTP server from emersion/go-smtp
// that keeps what it receives under a folder).
package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Attachment is a file sent with a message.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// Message is one email as handed to a transport.
type Message struct {
	// ID is the Message-ID (without angle brackets), the same on every
	// attempt, so a receiving server can drop a repeated delivery.
	ID          string
	From        string
	FromName    string
	ReplyTo     string
	To, Cc, Bcc []string
	Subject     string
	Text, HTML  string
	Attachments []Attachment
	Date        time.Time
}

// Failure is a refused delivery: what the SMTP server answered.
type Failure struct {
	// Temporary failures (4xx, a connection that failed) are retried.
	Temporary bool
	Code      int
	Reply     string
	// Rejected lists the recipients the server refused (RCPT TO), when
	// the refusal named them.
	Rejected []string
}

func (f *Failure) Error() string { return f.Reply }

// Transport delivers a message; the error is a *Failure.
type Transport interface {
	Send(ctx context.Context, m *Message) error
}

// SMTP is a Transport to an SMTP server.
type SMTP struct {
	host string
	opts []gomail.Option
}

// authMechs are the ?auth= values: auto (default) picks the strongest the
// server offers, and over an unencrypted connection never a plain-text
// one; plain and login name the mechanism (go-mail still refuses them
// unencrypted except to localhost).
var authMechs = map[string]gomail.SMTPAuthType{"": gomail.SMTPAuthAutoDiscover, "auto": gomail.SMTPAuthAutoDiscover,
	"plain": gomail.SMTPAuthPlain, "login": gomail.SMTPAuthLogin, "cram-md5": gomail.SMTPAuthCramMD5, "scram-sha-256": gomail.SMTPAuthSCRAMSHA256}

// ParseSMTPURL reads BIGLEDGER_SMTP_URL: smtp://user:pass@host:587
// (STARTTLS when offered; ?tls=required insists, ?tls=none never tries)
// or smtps://user:pass@host:465 (TLS from the first byte); ?auth= picks
// the mechanism (authMechs).
func ParseSMTPURL(raw string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("BIGLEDGER_SMTP_URL: %w", err)
	}
	if u.Hostname() == "" {
		return nil, errors.New("BIGLEDGER_SMTP_URL: no host (smtp://user:pass@host:587)")
	}
	opts := []gomail.Option{gomail.WithTimeout(30 * time.Second)}
	port := 587
	switch u.Scheme {
	case "smtp":
		switch u.Query().Get("tls") {
		case "", "opportunistic":
			opts = append(opts, gomail.WithTLSPortPolicy(gomail.TLSOpportunistic))
		case "required":
			opts = append(opts, gomail.WithTLSPortPolicy(gomail.TLSMandatory))
		case "none":
			opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
		default:
			return nil, fmt.Errorf("BIGLEDGER_SMTP_URL: tls=%q: use opportunistic, required or none", u.Query().Get("tls"))
		}
	case "smtps":
		port = 465
		opts = append(opts, gomail.WithSSL())
	default:
		return nil, fmt.Errorf("BIGLEDGER_SMTP_URL: scheme %q: use smtp:// or smtps://", u.Scheme)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("BIGLEDGER_SMTP_URL: bad port %q", p)
		}
		port = n
	}
	opts = append(opts, gomail.WithPort(port))
	if u.User != nil && u.User.Username() != "" {
		pass, _ := u.User.Password()
		mech, ok := authMechs[strings.ToLower(u.Query().Get("auth"))]
		if !ok {
			return nil, fmt.Errorf("BIGLEDGER_SMTP_URL: auth=%q: use auto, plain, login, cram-md5 or scram-sha-256", u.Query().Get("auth"))
		}
		opts = append(opts, gomail.WithSMTPAuth(mech), gomail.WithUsername(u.User.Username()), gomail.WithPassword(pass))
	}
	if h := u.Query().Get("helo"); h != "" {
		opts = append(opts, gomail.WithHELO(h))
	}
	return &SMTP{host: u.Hostname(), opts: opts}, nil
}

// Build turns m into a MIME message: plain text with an HTML alternative
// and the attachments.
func Build(m *Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	var err error
	if m.FromName != "" {
		err = msg.FromFormat(m.FromName, m.From)
	} else {
		err = msg.From(m.From)
	}
	if err != nil {
		return nil, &Failure{Reply: "from address: " + err.Error()}
	}
	if m.ReplyTo != "" {
		if err := msg.ReplyTo(m.ReplyTo); err != nil {
			return nil, &Failure{Reply: "reply-to address: " + err.Error()}
		}
	}
	if err := msg.To(m.To...); err != nil {
		return nil, &Failure{Reply: "to: " + err.Error()}
	}
	if len(m.Cc) > 0 {
		if err := msg.Cc(m.Cc...); err != nil {
			return nil, &Failure{Reply: "cc: " + err.Error()}
		}
	}
	if len(m.Bcc) > 0 {
		if err := msg.Bcc(m.Bcc...); err != nil {
			return nil, &Failure{Reply: "bcc: " + err.Error()}
		}
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.ID)
	if !m.Date.IsZero() {
		msg.SetDateWithValue(m.Date)
	} else {
		msg.SetDate()
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	for _, a := range m.Attachments {
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(a.ContentType))); err != nil {
			return nil, &Failure{Reply: "attachment: " + err.Error()}
		}
	}
	return msg, nil
}

// Send delivers m over one SMTP session.
func (s *SMTP) Send(ctx context.Context, m *Message) error {
	msg, err := Build(m)
	if err != nil {
		return err
	}
	c, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return &Failure{Reply: err.Error()}
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return failure(err, m)
	}
	return nil
}

// failure classifies a go-mail error: SMTP 4xx and network trouble are
// temporary, 5xx permanent.
func failure(err error, m *Message) *Failure {
	f := &Failure{Reply: err.Error(), Temporary: true}
	var se *gomail.SendError
	if errors.As(err, &se) {
		f.Code = se.ErrorCode()
		f.Temporary = se.IsTemp() || (f.Code >= 400 && f.Code < 500)
		if f.Code >= 500 {
			f.Temporary = false
		}
		if se.Reason == gomail.ErrSMTPRcptTo {
			for _, r := range append(append(append([]string{}, m.To...), m.Cc...), m.Bcc...) {
				if strings.Contains(f.Reply, r) {
					f.Rejected = append(f.Rejected, r)
				}
			}
		}
		return f
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) {
		return f
	}
	return f
}
