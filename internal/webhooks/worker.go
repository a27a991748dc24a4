package webhooks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lib/pq"

	"github.com/bigledger/bigledger/ent/schema/pulid"
)

// Headers sent with every delivery.
//
// X-BigLedger-Signature is seed 004's: "sha256=" + hex(HMAC-SHA256(secret,
// raw body)), which the document's verify_webhook checks; the body carries
// sentAt (this attempt's time) for refusing replays.
// X-BigLedger-Signature-Timestamped is "sha256=" + hex(HMAC-SHA256(secret,
// timestamp + "." + raw body)) with X-BigLedger-Timestamp, for receivers
// that want the time bound outside the body.
const (
	HeaderSignature            = "X-BigLedger-Signature"
	HeaderTimestampedSignature = "X-BigLedger-Signature-Timestamped"
	HeaderTimestamp            = "X-BigLedger-Timestamp"
	HeaderEventID              = "X-BigLedger-Event-Id"
	HeaderDelivery             = "X-BigLedger-Delivery-Id"
)

// SignBody returns seed 004's signature of body.
func SignBody(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// VerifyBody checks seed 004's signature of body in constant time.
func VerifyBody(secret, signature string, body []byte) bool {
	return hmac.Equal([]byte(SignBody(secret, body)), []byte(signature))
}

// Sign returns the timestamped signature of body sent at ts.
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a delivery's timestamped signature and that ts is within
// tolerance of now.
func Verify(secret, signature, timestamp string, body []byte, tolerance time.Duration, now time.Time) bool {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return false
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return false
	}
	return hmac.Equal([]byte(Sign(secret, ts, body)), []byte(signature))
}

// Options tune the worker.
type Options struct {
	// Backoff is the wait before retry n (1-based); default DefaultBackoff.
	Backoff func(n int) time.Duration
	// MaxAttempts before a delivery is marked failed (default 16, which
	// with DefaultBackoff spans about 30 hours).
	MaxAttempts int
	// Lease is how long a claimed delivery is hidden from other senders;
	// a sender that dies mid-send is retried after it (default 1 minute).
	Lease time.Duration
	// Timeout bounds one HTTP attempt (default 10s).
	Timeout time.Duration
	// Tick is how often the dispatcher and sender look for work (default 250ms).
	Tick time.Duration
	// AllowPrivate allows loopback/private targets (development, tests).
	AllowPrivate bool
	Log          *slog.Logger
}

// DefaultBackoff is 10s·2^(n-1), at most 6h, with ±20% jitter.
func DefaultBackoff(n int) time.Duration {
	d := 10 * time.Second << min(n-1, 20)
	d = min(d, 6*time.Hour)
	jitter := 0.8 + 0.4*rand.Float64()
	return time.Duration(float64(d) * jitter)
}

// Worker dispatches events to deliveries and sends them.
type Worker struct {
	db   *sql.DB
	opt  Options
	http *http.Client
	wake chan struct{}
}

// NewWorker returns a worker on db.
func NewWorker(db *sql.DB, o Options) *Worker {
	if o.Backoff == nil {
		o.Backoff = DefaultBackoff
	}
	if o.MaxAttempts == 0 {
		o.MaxAttempts = 16
	}
	if o.Lease == 0 {
		o.Lease = time.Minute
	}
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Tick == 0 {
		o.Tick = 250 * time.Millisecond
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	if !o.AllowPrivate {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || !publicIP(ip) {
				return errNonPublic
			}
			return nil
		}
	}
	tr := &http.Transport{DialContext: dialer.DialContext, MaxIdleConnsPerHost: 4, IdleConnTimeout: time.Minute,
		TLSHandshakeTimeout: 5 * time.Second, ResponseHeaderTimeout: o.Timeout}
	return &Worker{db: db, opt: o, wake: make(chan struct{}, 1),
		http: &http.Client{Transport: tr, Timeout: o.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}}
}

// Wake makes the worker look for work now.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run dispatches and sends until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTicker(w.opt.Tick)
	defer t.Stop()
	for first := true; ; first = false {
		if !first {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			case <-w.wake:
			}
		}
		for {
			n, err := w.Dispatch(ctx)
			if err != nil && ctx.Err() == nil {
				w.opt.Log.Warn("webhooks: dispatch", "error", err)
			}
			if n < dispatchBatch {
				break
			}
		}
		for {
			n, err := w.SendDue(ctx)
			if err != nil && ctx.Err() == nil {
				w.opt.Log.Warn("webhooks: send", "error", err)
			}
			if n == 0 || ctx.Err() != nil {
				break
			}
		}
	}
}

const (
	cursorID      = "webhooks"
	dispatchBatch = 500
)

// Dispatch turns the next committed events into deliveries for the
// endpoints subscribed to them, advancing the shared cursor in the same
// transaction. It returns how many events it read.
func (w *Worker) Dispatch(ctx context.Context) (int, error) {
	// Look before locking: polling an idle log writes nothing.
	var pending bool
	err := w.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM events e, event_cursors c
		WHERE c.id = $1 AND (e.txid, e.seq) > (c.txid::xid8, c.seq) AND e.txid < pg_snapshot_xmin(pg_current_snapshot()))
		OR NOT EXISTS (SELECT 1 FROM event_cursors WHERE id = $1)`, cursorID).Scan(&pending)
	if err != nil || !pending {
		return 0, err
	}
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer func() { _ = tx.Rollback() }()
	// The cursor starts at the beginning of the log; an endpoint only
	// receives events from its own creation on.
	if _, err := tx.ExecContext(ctx, `INSERT INTO event_cursors (id, txid, seq, updated_at)
		VALUES ($1, '0', 0, now()) ON CONFLICT (id) DO NOTHING`, cursorID); err != nil {
		return 0, err
	}
	var txid string
	var seq int64
	if err := tx.QueryRowContext(ctx, `SELECT txid, seq FROM event_cursors WHERE id = $1 FOR UPDATE`, cursorID).Scan(&txid, &seq); err != nil {
		return 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT e.id, e.company_id, e.type, e.created_at, e.txid::text, e.seq FROM events e
		WHERE (e.txid, e.seq) > ($1::xid8, $2) AND e.txid < pg_snapshot_xmin(pg_current_snapshot())
		ORDER BY e.txid, e.seq LIMIT $3`, txid, seq, dispatchBatch)
	if err != nil {
		return 0, err
	}
	type ev struct {
		id, company, typ string
		at               time.Time
	}
	var evs []ev
	for rows.Next() {
		var e ev
		if err := rows.Scan(&e.id, &e.company, &e.typ, &e.at, &txid, &seq); err != nil {
			rows.Close()
			return 0, err
		}
		evs = append(evs, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(evs) == 0 {
		return 0, tx.Commit() // keeps a just-created cursor
	}
	companies := map[string]bool{}
	var ids []string
	for _, e := range evs {
		if !companies[e.company] {
			companies[e.company] = true
			ids = append(ids, e.company)
		}
	}
	type endpoint struct {
		id      string
		types   []string
		created time.Time
	}
	byCompany := map[string][]endpoint{}
	erows, err := tx.QueryContext(ctx, `SELECT id, company_id, events, created_at FROM webhook_endpoints
		WHERE active AND deleted_at IS NULL AND company_id = ANY($1)`, pq.Array(ids))
	if err != nil {
		return 0, err
	}
	for erows.Next() {
		var ep endpoint
		var company string
		var raw []byte
		if err := erows.Scan(&ep.id, &company, &raw, &ep.created); err != nil {
			erows.Close()
			return 0, err
		}
		if err := json.Unmarshal(raw, &ep.types); err != nil {
			erows.Close()
			return 0, err
		}
		byCompany[company] = append(byCompany[company], ep)
	}
	erows.Close()
	if err := erows.Err(); err != nil {
		return 0, err
	}
	var sb strings.Builder
	var args []any
	for _, e := range evs {
		for _, ep := range byCompany[e.company] {
			// An endpoint receives events from its creation on.
			if e.at.Before(ep.created) || !(contains(ep.types, "*") || contains(ep.types, e.typ)) {
				continue
			}
			if len(args) > 0 {
				sb.WriteByte(',')
			}
			n := len(args)
			fmt.Fprintf(&sb, "($%d,$%d,$%d,$%d,$%d,'pending',0,now(),now(),now())", n+1, n+2, n+3, n+4, n+5)
			args = append(args, string(pulid.New("whd")), e.company, ep.id, e.id, e.typ)
		}
	}
	if len(args) > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries
			(id, company_id, endpoint_id, event_id, event_type, status, attempts, next_attempt_at, created_at, updated_at)
			VALUES `+sb.String()+` ON CONFLICT (endpoint_id, event_id) DO NOTHING`, args...); err != nil {
			return 0, err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE event_cursors SET txid = $2, seq = $3, updated_at = now() WHERE id = $1`, cursorID, txid, seq); err != nil {
		return 0, err
	}
	return len(evs), tx.Commit()
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

type claimed struct {
	id, endpoint, event, company string
	attempts                     int
}

// SendDue claims due deliveries (FOR UPDATE SKIP LOCKED, leased) and
// sends them; it returns how many it attempted.
func (w *Worker) SendDue(ctx context.Context) (int, error) {
	rows, err := w.db.QueryContext(ctx, `UPDATE webhook_deliveries d
		SET next_attempt_at = now() + $1 * interval '1 millisecond', attempts = d.attempts + 1, updated_at = now()
		WHERE d.id IN (SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= now()
			ORDER BY next_attempt_at LIMIT 20 FOR UPDATE SKIP LOCKED)
		RETURNING d.id, d.endpoint_id, d.event_id, d.company_id, d.attempts`, w.opt.Lease.Milliseconds())
	if err != nil {
		return 0, err
	}
	var batch []claimed
	for rows.Next() {
		var c claimed
		if err := rows.Scan(&c.id, &c.endpoint, &c.event, &c.company, &c.attempts); err != nil {
			rows.Close()
			return 0, err
		}
		batch = append(batch, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	done := make(chan struct{}, len(batch))
	for _, c := range batch {
		go func() {
			defer func() { done <- struct{}{} }()
			w.send(ctx, c)
		}()
	}
	for range batch {
		<-done
	}
	return len(batch), nil
}

func (w *Worker) send(ctx context.Context, c claimed) {
	var url, secret string
	var active bool
	err := w.db.QueryRowContext(ctx, `SELECT url, secret, active AND deleted_at IS NULL FROM webhook_endpoints WHERE id = $1`, c.endpoint).
		Scan(&url, &secret, &active)
	if err != nil {
		w.opt.Log.Warn("webhooks: load endpoint", "delivery", c.id, "error", err)
		return // retried after the lease
	}
	if !active {
		w.finish(ctx, c, "failed", nil, "endpoint deleted")
		return
	}
	body, err := w.body(ctx, c)
	if err != nil {
		w.opt.Log.Warn("webhooks: load event", "delivery", c.id, "error", err)
		return
	}
	ts := time.Now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		w.finish(ctx, c, "failed", nil, "invalid URL")
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "BigLedger-Webhooks/1")
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, SignBody(secret, body))
	req.Header.Set(HeaderTimestampedSignature, Sign(secret, ts, body))
	req.Header.Set(HeaderEventID, c.event)
	req.Header.Set(HeaderDelivery, c.id)
	resp, err := w.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return // shutting down: the lease expires and another attempt follows
		}
		w.opt.Log.Info("webhooks: delivery failed", "delivery", c.id, "error", err)
		w.retry(ctx, c, nil, DeliveryError(err))
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	code := resp.StatusCode
	if code >= 200 && code < 300 {
		w.finish(ctx, c, "succeeded", &code, "")
		return
	}
	w.retry(ctx, c, &code, fmt.Sprintf("HTTP %d", code))
}

func (w *Worker) body(ctx context.Context, c claimed) ([]byte, error) {
	var typ, subject string
	var payload []byte
	var at time.Time
	err := w.db.QueryRowContext(ctx, `SELECT type, subject_id, payload, created_at FROM events WHERE id = $1`, c.event).
		Scan(&typ, &subject, &payload, &at)
	if err != nil {
		return nil, err
	}
	kind, _, _ := strings.Cut(typ, ".")
	if kind == "order" {
		kind = "salesOrder"
	} else if kind == "journal_entry" {
		kind = "journalEntry"
	}
	payload, err = seedNames(payload, typ, at)
	if err != nil {
		return nil, err
	}
	// The seed 004 payload: {id, type, timestamp, data: {<subject kind>: …}}.
	// sentAt is this attempt's time, inside what the body signature covers.
	return json.Marshal(struct {
		ID        string                     `json:"id"`
		Type      string                     `json:"type"`
		Timestamp time.Time                  `json:"timestamp"`
		SentAt    time.Time                  `json:"sentAt"`
		CompanyID string                     `json:"companyId"`
		Data      map[string]json.RawMessage `json:"data"`
	}{ID: c.event, Type: typ, Timestamp: at.UTC(), SentAt: time.Now().UTC().Truncate(time.Second), CompanyID: c.company, Data: map[string]json.RawMessage{kind: payload}})
}

func (w *Worker) retry(ctx context.Context, c claimed, code *int, msg string) {
	if c.attempts >= w.opt.MaxAttempts {
		w.finish(ctx, c, "failed", code, msg)
		return
	}
	next := w.opt.Backoff(c.attempts)
	_, err := w.db.ExecContext(ctx, `UPDATE webhook_deliveries SET next_attempt_at = now() + $2 * interval '1 millisecond',
		last_error = $3, response_code = $4, updated_at = now() WHERE id = $1 AND status = 'pending'`,
		c.id, next.Milliseconds(), truncate(msg), code)
	if err != nil && ctx.Err() == nil {
		w.opt.Log.Warn("webhooks: schedule retry", "delivery", c.id, "error", err)
	}
}

func (w *Worker) finish(ctx context.Context, c claimed, status string, code *int, msg string) {
	var lastErr any
	if msg != "" {
		lastErr = truncate(msg)
	}
	_, err := w.db.ExecContext(ctx, `UPDATE webhook_deliveries SET status = $2::text, response_code = $3, last_error = COALESCE($4::text, last_error),
		delivered_at = CASE WHEN $2::text = 'succeeded' THEN now() ELSE delivered_at END, updated_at = now()
		WHERE id = $1 AND status = 'pending'`, c.id, status, code, lastErr)
	if err != nil && ctx.Err() == nil {
		w.opt.Log.Warn("webhooks: finish", "delivery", c.id, "error", err)
	}
}

func truncate(s string) string {
	if len(s) > 500 {
		return s[:500]
	}
	return s
}

// seedNames adds seed 004's field names to an event's object next to ours:
// every camelCase field again in snake_case (customerId and customer_id,
// amountPaid and amount_paid), the document's own number as number
// (invoiceNumber, paymentNumber, …), and for invoices paid_at: the time of
// the invoice.paid event; on the other events of a paid invoice its last
// payment's date at midnight UTC; null while anything is due. Amounts
// stay exact JSON numbers.
func seedNames(payload []byte, typ string, at time.Time) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return payload, nil // not an object: sent as stored
	}
	out := make(map[string]any, 2*len(m)+2)
	for k, v := range m {
		out[k] = v
		if s := snake(k); s != k {
			if _, taken := m[s]; !taken {
				out[s] = v
			}
		}
		if strings.HasSuffix(k, "Number") && k != "taxNumber" {
			if _, taken := m["number"]; !taken {
				out["number"] = v
			}
		}
	}
	if strings.HasPrefix(typ, "invoice.") {
		last, _ := m["lastPaymentDate"].(string)
		switch {
		case typ == "invoice.paid":
			out["paid_at"] = at.UTC().Format(time.RFC3339)
		case m["paymentStatus"] == "paid" && last != "":
			out["paid_at"] = last + "T00:00:00Z"
		default:
			out["paid_at"] = nil
		}
	}
	return json.Marshal(out)
}

// snake spells a camelCase name in snake_case (customerId → customer_id).
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r + ('a' - 'A'))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
