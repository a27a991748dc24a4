package mail

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Received is one message the sink accepted.
type Received struct {
	From string
	To   []string
	Data []byte
	At   time.Time
	// File is where the sink kept it ("" without a folder).
	File string
}

// Sink is a development (and test) SMTP server: it accepts every message
// and keeps it in memory and, with a folder, as an .eml file there. Fail,
// when set, decides an SMTP refusal per session step (tests use it to play
// a server that is down, slow or refusing).
type Sink struct {
	dir  string
	srv  *smtp.Server
	ln   net.Listener
	mu   sync.Mutex
	msgs []Received
	// Fail is asked before each MAIL FROM ("mail"), RCPT TO ("rcpt",
	// with the address) and DATA ("data"); a non-nil error is the
	// server's reply.
	Fail func(step, arg string) *smtp.SMTPError
	// Users, when set, makes the sink ask for AUTH PLAIN with one of
	// these user → password pairs before MAIL FROM.
	Users map[string]string
}

// StartSink listens on addr (":0" for any port) and keeps messages under
// dir ("" for memory only).
func StartSink(addr, dir string) (*Sink, error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, err
		}
	}
	s := &Sink{dir: dir}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: s}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = 30 << 20
	srv.MaxRecipients = 200
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s.srv, s.ln = srv, ln
	go func() { _ = srv.Serve(ln) }()
	return s, nil
}

// Addr is host:port the sink listens on.
func (s *Sink) Addr() string { return s.ln.Addr().String() }

// URL is the BIGLEDGER_SMTP_URL that reaches the sink.
func (s *Sink) URL() string { return "smtp://" + s.Addr() + "?tls=none" }

// Close stops the sink.
func (s *Sink) Close() error { return s.srv.Close() }

// Messages returns what the sink accepted, oldest first.
func (s *Sink) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

func (s *Sink) fail(step, arg string) error {
	s.mu.Lock()
	f := s.Fail
	s.mu.Unlock()
	if f == nil {
		return nil
	}
	if e := f(step, arg); e != nil {
		return e
	}
	return nil
}

// SetFail replaces Fail safely while the sink runs.
func (s *Sink) SetFail(f func(step, arg string) *smtp.SMTPError) {
	s.mu.Lock()
	s.Fail = f
	s.mu.Unlock()
}

type sinkSession struct {
	sink   *Sink
	from   string
	to     []string
	authed bool
}

// AuthMechanisms offers PLAIN when the sink has users.
func (ss *sinkSession) AuthMechanisms() []string {
	if ss.sink.users() == nil {
		return nil
	}
	return []string{sasl.Plain}
}

// Auth checks a PLAIN login against the sink's users.
func (ss *sinkSession) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if want, ok := ss.sink.users()[user]; !ok || want != pass {
			return smtp.ErrAuthFailed
		}
		ss.authed = true
		return nil
	}), nil
}

func (s *Sink) users() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Users
}

// SetUsers makes the sink require AUTH PLAIN with these users (nil: none).
func (s *Sink) SetUsers(users map[string]string) {
	s.mu.Lock()
	s.Users = users
	s.mu.Unlock()
}

func (ss *sinkSession) Reset()        { ss.from, ss.to = "", nil }
func (ss *sinkSession) Logout() error { return nil }

func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	if ss.sink.users() != nil && !ss.authed {
		return smtp.ErrAuthRequired
	}
	if err := ss.sink.fail("mail", from); err != nil {
		return err
	}
	ss.from = from
	return nil
}

func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.sink.fail("rcpt", to); err != nil {
		return err
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if err := ss.sink.fail("data", ""); err != nil {
		return err
	}
	m := Received{From: ss.from, To: ss.to, Data: b, At: time.Now().UTC()}
	s := ss.sink
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dir != "" {
		m.File = filepath.Join(s.dir, fmt.Sprintf("%s-%04d.eml", m.At.Format("20060102T150405.000000000"), len(s.msgs)))
		if err := os.WriteFile(m.File, b, 0o640); err != nil {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "cannot store the message"}
		}
	}
	s.msgs = append(s.msgs, m)
	return nil
}

// StoredMessage is one .eml file of a sink folder.
type StoredMessage struct {
	Name    string    `json:"name"`
	Subject string    `json:"subject"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	Date    time.Time `json:"date"`
	Size    int64     `json:"size"`
}

// ListStored lists the .eml files of dir, newest first, with their
// headers (what /dev/mail shows).
func ListStored(dir string) ([]StoredMessage, error) {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []StoredMessage
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".eml") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		h := headers(b)
		out = append(out, StoredMessage{Name: e.Name(), Subject: h["subject"], From: h["from"], To: h["to"], Date: info.ModTime().UTC(), Size: info.Size()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name > out[j].Name })
	return out, nil
}

// headers reads the unfolded top-level headers of a message, lower-cased
// names (encoded words left as sent).
func headers(b []byte) map[string]string {
	head, _, _ := bytes.Cut(b, []byte("\r\n\r\n"))
	out := map[string]string{}
	var last string
	for _, line := range strings.Split(string(head), "\r\n") {
		if line == "" {
			continue
		}
		if (line[0] == ' ' || line[0] == '\t') && last != "" {
			out[last] += " " + strings.TrimSpace(line)
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		last = strings.ToLower(strings.TrimSpace(k))
		if _, seen := out[last]; !seen {
			out[last] = strings.TrimSpace(v)
		}
	}
	return out
}
