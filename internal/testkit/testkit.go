// Package testkit builds end-to-end test environments: a fresh database,
// the real HTTP server on a loopback port, and two companies (A and B) with
// API keys, plus helpers to call REST and GraphQL as either of them and to
// count the SQL statements a request costs.
package testkit

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/events"
	"github.com/bigledger/bigledger/internal/mail"
	"github.com/bigledger/bigledger/internal/pgtest"
	"github.com/bigledger/bigledger/internal/provision"
	"github.com/bigledger/bigledger/internal/server"
	"github.com/bigledger/bigledger/internal/store"
	"github.com/bigledger/bigledger/internal/tenant"
)

// Tenant is a company with a full-access API key.
type Tenant struct {
	Name      string
	CompanyID string
	Key       string
	UserID    string
}

// Env is one end-to-end test environment.
type Env struct {
	T      testing.TB
	Client *ent.Client
	DB     *sql.DB
	DSN    string
	Server *httptest.Server
	Srv    *server.Server
	A, B   Tenant
	// Mail is the environment's SMTP server: every email the server
	// sends arrives there over real SMTP (e.Srv.Mailer().SendDue, or the
	// running worker with Realtime).
	Mail *mail.Sink

	queries   atomic.Int64
	capturing atomic.Bool
	mu        sync.Mutex
	captured  []string
}

// Options adjust an environment.
type Options struct {
	AllowedOrigins []string
	// Realtime starts the event hub, webhook worker and jobs.
	Realtime bool
	// Server adjusts the server options (realtime tuning).
	Server func(*server.Options)
	// Plain drives ent without the statement counter (CountQueries and
	// CaptureQueries then see nothing): benchmarks measure the server as
	// it runs in production, not ent's debug formatting of every argument.
	Plain bool
}

// New starts an environment with companies A and B.
func New(t testing.TB, opts ...Options) *Env {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	_, db, dsn := pgtest.OpenDSN(t)
	e := &Env{T: t, DB: db, DSN: dsn}
	var drv dialect.Driver = entsql.OpenDB(dialect.Postgres, db)
	if !o.Plain {
		drv = dialect.DebugWithContext(drv, func(_ context.Context, v ...any) {
			e.queries.Add(1)
			if e.capturing.Load() {
				e.mu.Lock()
				e.captured = append(e.captured, fmt.Sprint(v...))
				e.mu.Unlock()
			}
		})
	}
	e.Client = ent.NewClient(ent.Driver(drv))
	so := server.Options{Development: true, AllowedOrigins: o.AllowedOrigins, DSN: dsn,
		KeyCheck: 200 * time.Millisecond}
	so.Webhooks.AllowPrivate = true
	so.Webhooks.Tick = 50 * time.Millisecond
	sink, err := mail.StartSink("127.0.0.1:0", "")
	if err != nil {
		t.Fatalf("mail sink: %v", err)
	}
	t.Cleanup(func() { _ = sink.Close() })
	e.Mail = sink
	transport, err := mail.ParseSMTPURL(sink.URL())
	if err != nil {
		t.Fatalf("mail transport: %v", err)
	}
	so.Mail = mail.Options{Transport: transport, Tick: 50 * time.Millisecond, Backoff: func(int) time.Duration { return 0 }}
	if o.Server != nil {
		o.Server(&so)
	}
	e.Srv = server.New(e.Client, db, so)
	e.Server = httptest.NewServer(e.Srv.Handler())
	bg, stop := context.WithCancel(context.Background())
	if o.Realtime {
		e.Srv.Start(bg)
		select {
		case <-e.Srv.Hub().Started():
		case <-time.After(10 * time.Second):
			t.Fatal("event hub did not start")
		}
	}
	t.Cleanup(func() {
		e.Srv.CloseWebsockets()
		e.Server.Close()
		stop()
	})
	e.A = e.NewTenant("Company A", "*")
	e.B = e.NewTenant("Company B", "*")
	return e
}

// NewTenant provisions a company with a key holding scopes.
func (e *Env) NewTenant(name string, scopes ...string) Tenant {
	e.T.Helper()
	p, err := provision.EnsureCompanyKey(context.Background(), e.Client, name, scopes)
	if err != nil {
		e.T.Fatalf("provision %s: %v", name, err)
	}
	return Tenant{Name: name, CompanyID: p.CompanyID, Key: p.APIKey, UserID: p.UserID}
}

// NewKeyFor issues another key of tn's company and user with scopes.
func (e *Env) NewKeyFor(tn Tenant, scopes ...string) string {
	e.T.Helper()
	ctx := tenant.WithCompany(context.Background(), pulid.ID(tn.CompanyID))
	key, _, err := auth.IssueKey(ctx, e.Client, pulid.ID(tn.UserID), "extra", scopes)
	if err != nil {
		e.T.Fatalf("issue key: %v", err)
	}
	return key
}

// Ctx returns a context acting as tenant tn, for calling domain functions.
func (e *Env) Ctx(tn Tenant) context.Context {
	ctx := events.WithWaker(store.WithClient(context.Background(), e.Client), e.Srv.Waker())
	return auth.WithPrincipal(ctx, &auth.Principal{
		CompanyID: pulid.ID(tn.CompanyID), UserID: pulid.ID(tn.UserID), Scopes: []string{"*"},
	})
}

// SystemCtx returns a context that bypasses tenant filters (test setup only).
func (e *Env) SystemCtx() context.Context {
	return tenant.AsSystem(store.WithClient(context.Background(), e.Client))
}

// CountQueries runs fn and returns how many SQL statements it issued.
func (e *Env) CountQueries(fn func()) int64 {
	before := e.queries.Load()
	fn()
	return e.queries.Load() - before
}

// CaptureQueries runs fn and returns the SQL statements it issued, as
// ent's debug driver prints them (statement text and arguments).
func (e *Env) CaptureQueries(fn func()) []string {
	e.mu.Lock()
	e.captured = nil
	e.mu.Unlock()
	e.capturing.Store(true)
	fn()
	e.capturing.Store(false)
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.captured
}

// Response is a decoded HTTP answer.
type Response struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

// Do sends a request with tn's credentials (a zero Tenant sends none).
func (e *Env) Do(tn Tenant, method, path string, body any, headers ...string) Response {
	e.T.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			e.T.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, e.Server.URL+path, rd)
	if err != nil {
		e.T.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tn.Key != "" {
		req.Header.Set("Authorization", "Bearer "+tn.Key)
		if tn.CompanyID != "" {
			req.Header.Set("X-Company-Id", tn.CompanyID)
		}
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.T.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := Response{Status: res.StatusCode, Header: res.Header, Raw: raw}
	if err := ValidateResponse(req, res.StatusCode, res.Header, raw); err != nil {
		e.T.Errorf("%v", err)
	}
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &out.Body); err != nil {
			e.T.Fatalf("decode %s %s: %v\n%s", method, path, err, raw)
		}
	}
	return out
}

// FormFile is one file of a multipart/form-data request (no ContentType:
// the part has no Content-Type header).
type FormFile struct {
	Field, Name, ContentType string
	Data                     []byte
}

// Upload sends a multipart/form-data request with files and values.
func (e *Env) Upload(tn Tenant, method, path string, files []FormFile, values map[string]string) Response {
	e.T.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range values {
		_ = w.WriteField(k, v)
	}
	for _, f := range files {
		h := textproto.MIMEHeader{"Content-Disposition": {`form-data; name="` + f.Field + `"; filename="` + f.Name + `"`}}
		if f.ContentType != "" {
			h.Set("Content-Type", f.ContentType)
		}
		part, err := w.CreatePart(h)
		if err != nil {
			e.T.Fatal(err)
		}
		_, _ = part.Write(f.Data)
	}
	_ = w.Close()
	return e.Do(tn, method, path, buf.Bytes(), "Content-Type", w.FormDataContentType())
}

// GQLResponse is a decoded GraphQL answer.
type GQLResponse struct {
	Status int
	Data   map[string]any
	Errors []GQLError
	Raw    []byte
}

// GQLError is one GraphQL error.
type GQLError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code returns extensions.code.
func (g GQLError) Code() string { s, _ := g.Extensions["code"].(string); return s }

// GQL posts a GraphQL operation as tn.
func (e *Env) GQL(tn Tenant, query string, vars map[string]any) GQLResponse {
	e.T.Helper()
	r := e.Do(tn, "POST", "/graphql", map[string]any{"query": query, "variables": vars})
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []GQLError     `json:"errors"`
	}
	if err := json.Unmarshal(r.Raw, &out); err != nil {
		e.T.Fatalf("decode graphql: %v\n%s", err, r.Raw)
	}
	return GQLResponse{Status: r.Status, Data: out.Data, Errors: out.Errors, Raw: r.Raw}
}

// MustGQL posts an operation and fails the test on any error.
func (e *Env) MustGQL(tn Tenant, query string, vars map[string]any) map[string]any {
	e.T.Helper()
	r := e.GQL(tn, query, vars)
	if len(r.Errors) > 0 || r.Status != 200 {
		e.T.Fatalf("graphql errors (status %d): %s", r.Status, r.Raw)
	}
	return r.Data
}

// Get walks a decoded JSON value by keys and indexes: Get(v, "data", 0, "id").
func Get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// Str is Get as a string ("" when absent).
func Str(v any, path ...any) string {
	s, _ := Get(v, path...).(string)
	return s
}

// DeliverMail runs the mail worker until the outbox holds nothing queued
// or being sent (a running worker of the environment may take part), then
// returns the messages the sink holds.
func (e *Env) DeliverMail() []mail.Received {
	e.T.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := e.Srv.Mailer().SendDue(context.Background()); err != nil {
			e.T.Fatalf("deliver mail: %v", err)
		}
		var pending int
		if err := e.DB.QueryRow(`SELECT count(*) FROM email_messages WHERE status IN ('queued', 'sending')`).Scan(&pending); err != nil {
			e.T.Fatalf("deliver mail: %v", err)
		}
		if pending == 0 {
			return e.Mail.Messages()
		}
		if time.Now().After(deadline) {
			e.T.Fatalf("deliver mail: %d messages still pending", pending)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
