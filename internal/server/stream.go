package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/bigledger/bigledger/graph"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/events"
	"github.com/bigledger/bigledger/internal/gqlws"
)

// The seed-001 stream: GET /v1/stream upgrades to a websocket; the client
// sends {"type":"auth","token","companyId"}, then {"type":"subscribe",
// "channels":[…], "filters":{channel:{field:[values]}}, "after":"evt_…"};
// events arrive as {"type":"event","channel","event","data","meta":
// {companyId,timestamp,eventId}}.

// streamChannelNames lists the stream's channel names, sorted.
func streamChannelNames() []string {
	names := make([]string, 0, len(streamChannels))
	for n := range streamChannels {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// streamChannels maps the seed's channel names to event types; every
// event type is also a channel of its own name.
var streamChannels = map[string][]string{
	"invoice.updates": {events.InvoiceCreated, events.InvoiceUpdated, events.InvoiceSent, events.InvoicePaid,
		events.InvoiceVoided, events.InvoiceOverdue},
	"payment.updates":  {events.PaymentReceived, events.PaymentVoided, events.PaymentRefunded, events.PaymentFailed},
	"customer.updates": {events.CustomerCreated, events.CustomerUpdated, events.CustomerCreditLimitExceeded},
	"quote.updates":    {events.QuoteSent, events.QuoteAccepted},
	"order.updates":    {events.OrderStatusChanged},
	"ledger.updates":   {events.AccountCreated, events.AccountUpdated, events.AccountDeleted, events.JournalEntryPosted},
}

// Channels the seed lists that this server does not produce.

const (
	streamAuthTimeout = 10 * time.Second
	streamPing        = 20 * time.Second
	streamReadLimit   = 64 << 10
	streamWriteWait   = 10 * time.Second
	streamQueue       = 256
)

type streamConn struct {
	s       *Server
	c       *websocket.Conn
	out     chan any
	ctx     context.Context
	cancel  context.CancelFunc
	p       *auth.Principal
	mu      sync.Mutex
	chans   map[string]map[string][]string // channel → filters
	follow  context.CancelFunc
	closeMu sync.Once
	// wrote is closed when the writer has stopped.
	wrote chan struct{}
	// addr is the peer's address (the auth-failure throttle's unit).
	addr string
}

func (s *Server) stream(w http.ResponseWriter, r *http.Request) {
	select {
	case <-s.closing:
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	default:
	}
	g := gqlws.Gorilla{AllowedOrigins: s.opt.AllowedOrigins}
	up := websocket.Upgrader{CheckOrigin: g.CheckOrigin, HandshakeTimeout: 10 * time.Second}
	clearDeadlines(w)
	c, err := up.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader answered
	}
	s.sockets.Add(1)
	defer s.sockets.Done()
	s.openSockets.Add(1)
	defer s.openSockets.Add(-1)
	c.SetReadLimit(streamReadLimit)
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	sc := &streamConn{s: s, c: c, out: make(chan any, streamQueue), ctx: ctx, cancel: cancel, chans: map[string]map[string][]string{}, wrote: make(chan struct{}), addr: remoteIP(r.RemoteAddr)}
	go func() {
		select {
		case <-s.closing:
			sc.closeWith(websocket.CloseGoingAway, "server shutting down")
		case <-ctx.Done():
		}
	}()
	go sc.writer()
	sc.readLoop()
	cancel()
}

func (sc *streamConn) closeWith(code int, reason string) {
	sc.closeMu.Do(func() {
		_ = sc.c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
		sc.cancel()
		_ = sc.c.Close()
	})
}

// send queues a message; a client that cannot keep up is disconnected
// (it resumes with "after": the last eventId it saw).
func (sc *streamConn) send(v any) bool {
	select {
	case sc.out <- v:
		return true
	case <-sc.ctx.Done():
		return false
	default:
		sc.closeWith(websocket.CloseTryAgainLater, "slow consumer: reconnect and resubscribe with after")
		return false
	}
}

func (sc *streamConn) writer() {
	defer close(sc.wrote)
	ping := time.NewTicker(streamPing)
	defer ping.Stop()
	for {
		select {
		case <-sc.ctx.Done():
			// A revoked key or a server shutdown ends the connection.
			sc.closeWith(websocket.CloseNormalClosure, "connection ended")
			return
		case v := <-sc.out:
			if cm, ok := v.(closeMsg); ok {
				sc.closeWith(cm.code, cm.reason)
				return
			}
			_ = sc.c.SetWriteDeadline(time.Now().Add(streamWriteWait))
			if err := sc.c.WriteJSON(v); err != nil {
				sc.closeWith(websocket.CloseAbnormalClosure, "write failed")
				return
			}
		case <-ping.C:
			if err := sc.c.WriteControl(websocket.PingMessage, nil, time.Now().Add(streamWriteWait)); err != nil {
				sc.closeWith(websocket.CloseAbnormalClosure, "ping failed")
				return
			}
		}
	}
}

// closeMsg, queued after a final message, closes the socket once that
// message is written.
type closeMsg struct {
	code   int
	reason string
}

// drain waits (briefly) for the writer to flush a fatal message.
func (sc *streamConn) drain() {
	select {
	case <-sc.wrote:
	case <-time.After(time.Second):
	}
}

// fatal sends an error message, then closes with code.
func (sc *streamConn) fatal(code int, errCode, msg string) {
	sc.send(sc.errorMsg(errCode, msg))
	select {
	case sc.out <- closeMsg{code: code, reason: msg}:
	default:
		sc.closeWith(code, msg)
	}
}

type streamMsg struct {
	Type      string                         `json:"type"`
	Token     string                         `json:"token"`
	CompanyID string                         `json:"companyId"`
	Channels  []string                       `json:"channels"`
	Filters   map[string]map[string][]string `json:"filters"`
	After     string                         `json:"after"`
}

func (sc *streamConn) errorMsg(code, msg string, details ...apperr.Detail) map[string]any {
	m := map[string]any{"type": "error", "code": code, "message": msg}
	if len(details) > 0 {
		m["details"] = details
	}
	return m
}

func (sc *streamConn) readLoop() {
	_ = sc.c.SetReadDeadline(time.Now().Add(streamAuthTimeout))
	sc.c.SetPongHandler(func(string) error {
		return sc.c.SetReadDeadline(time.Now().Add(3 * streamPing))
	})
	for {
		_, data, err := sc.c.ReadMessage()
		if err != nil {
			switch {
			case isTimeout(err) && sc.p == nil:
				sc.closeWith(4408, "authentication timeout")
			case isTimeout(err):
				sc.closeWith(websocket.CloseGoingAway, "no pong: peer unresponsive")
			}
			return
		}
		var m streamMsg
		if err := json.Unmarshal(data, &m); err != nil {
			sc.send(sc.errorMsg("INVALID_MESSAGE", "Messages are JSON objects with a type"))
			continue
		}
		switch {
		case m.Type == "auth":
			sc.auth(m)
		case sc.p == nil:
			sc.fatal(4401, "AUTHENTICATION_FAILED", "Send {\"type\":\"auth\",\"token\",\"companyId\"} first")
			sc.drain()
			return
		case m.Type == "subscribe":
			sc.subscribe(m)
		case m.Type == "unsubscribe":
			sc.mu.Lock()
			for _, ch := range m.Channels {
				delete(sc.chans, ch)
			}
			sc.mu.Unlock()
			sc.send(map[string]any{"type": "unsubscribed", "channels": m.Channels})
		case m.Type == "ping":
			sc.send(map[string]any{"type": "pong"})
		default:
			sc.send(sc.errorMsg("INVALID_MESSAGE", fmt.Sprintf("Unknown message type %q", m.Type)))
		}
	}
}

func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne) && ne.Timeout()
}

func (sc *streamConn) auth(m streamMsg) {
	if sc.p != nil {
		sc.send(sc.errorMsg("INVALID_MESSAGE", "Already authenticated"))
		return
	}
	p, err := sc.s.checkKey(sc.ctx, sc.addr, strings.TrimPrefix(m.Token, "Bearer "), m.CompanyID)
	if err != nil {
		ae := apperr.From(err)
		sc.fatal(4401, ae.Code, ae.Message)
		return
	}
	// The stream is metered like a GraphQL websocket: it counts against
	// the key's open sockets and its authentication is charged one
	// request (each subscribe message another).
	kb := sc.s.keyBudget(string(p.KeyID))
	if !kb.OpenSocket() {
		sc.fatal(4429, "TOO_MANY_CONNECTIONS", fmt.Sprintf("At most %d open connections per API key", graph.MaxSocketsPerKey))
		return
	}
	context.AfterFunc(sc.ctx, kb.CloseSocket)
	if d := sc.s.limiter.Charge(string(p.KeyID), sc.s.planFor(p), 1, time.Now()); !d.Allowed {
		ae := rateError(http.Header{}, d)
		sc.fatal(4429, ae.Code, ae.Message)
		return
	}
	sc.p = p
	// A revoked or expired key closes the socket within the check interval.
	kctx := sc.s.keys.watch(sc.ctx, p.KeyID)
	go func() {
		<-kctx.Done()
		if sc.ctx.Err() == nil {
			sc.fatal(4401, "AUTHENTICATION_FAILED", "API key revoked or expired")
		}
	}()
	_ = sc.c.SetReadDeadline(time.Now().Add(3 * streamPing))
	sc.send(map[string]any{"type": "authenticated", "companyId": p.CompanyID})
}

func (sc *streamConn) subscribe(m streamMsg) {
	if dec := sc.s.limiter.Charge(string(sc.p.KeyID), sc.s.planFor(sc.p), 1, time.Now()); !dec.Allowed {
		ae := rateError(http.Header{}, dec)
		sc.send(sc.errorMsg(ae.Code, ae.Message, ae.Details...))
		return
	}
	var d apperr.Details
	if len(m.Channels) == 0 {
		d.Add("channels", "Name at least one channel")
	}
	var ignored []string
	for i, ch := range m.Channels {
		types, ok := streamChannels[ch]
		switch {
		case events.NotProduced[ch]:
			ignored = append(ignored, ch)
			continue
		case !ok && !events.KnownType(ch):
			d.Add(fmt.Sprintf("channels[%d]", i), "Unknown channel %q (known: %s, or an event type: %s)", ch, strings.Join(streamChannelNames(), ", "), strings.Join(events.Types, ", "))
			continue
		case !ok:
			types = []string{ch}
		}
		for _, t := range types {
			if !sc.p.Has(events.Scope(t)) {
				d.Add(fmt.Sprintf("channels[%d]", i), "This API key lacks the %q scope", events.Scope(t))
				break
			}
		}
	}
	for ch := range m.Filters {
		if !slices.Contains(m.Channels, ch) {
			d.Add("filters."+ch, "Filters must name a channel of this subscribe message")
		}
	}
	var after *events.Position
	if m.After != "" {
		pos, err := events.PositionOf(sc.ctx, sc.s.db, sc.p.CompanyID, m.After, "after")
		if err != nil {
			ae := apperr.From(err)
			d = append(d, ae.Details...)
		} else {
			after = &pos
		}
	}
	if len(d) == 0 && len(ignored) == len(m.Channels) && len(ignored) > 0 {
		d.Add("channels", "%s; name at least one channel this server produces", events.NotProducedWarning(ignored))
	}
	if len(d) > 0 {
		sc.send(sc.errorMsg("INVALID_SUBSCRIPTION", "Subscription refused", d...))
		return
	}
	var live []string
	sc.mu.Lock()
	for _, ch := range m.Channels {
		if !events.NotProduced[ch] {
			sc.chans[ch] = m.Filters[ch]
			live = append(live, ch)
		}
	}
	restart := sc.follow == nil || after != nil
	sc.mu.Unlock()
	ack := map[string]any{"type": "subscribed", "channels": live}
	if len(ignored) > 0 {
		ack["ignored"], ack["warnings"] = ignored, []string{events.NotProducedWarning(ignored)}
	}
	sc.send(ack)
	if restart {
		sc.startFollow(after)
	}
}

// startFollow (re)starts the connection's single log follower, from
// after when set; channels and filters are applied per event.
func (sc *streamConn) startFollow(after *events.Position) {
	sc.mu.Lock()
	if sc.follow != nil {
		sc.follow()
	}
	ctx, cancel := context.WithCancel(sc.ctx)
	sc.follow = cancel
	sc.mu.Unlock()
	types, _ := events.Readable(sc.p.Has, nil) // every type the key may read
	go func() {
		err := sc.s.hub.Follow(ctx, sc.p.CompanyID, types, after, func(r events.Record) error {
			for _, ch := range sc.matching(r) {
				if !sc.send(streamEvent(ch, r)) {
					return context.Canceled
				}
			}
			return nil
		})
		if errors.Is(err, events.ErrSlowConsumer) {
			sc.closeWith(websocket.CloseTryAgainLater, "slow consumer: reconnect and resubscribe with after")
		}
	}()
}

func (sc *streamConn) matching(r events.Record) []string {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	var out []string
	for ch, filters := range sc.chans {
		types, ok := streamChannels[ch]
		if !ok {
			types = []string{ch}
		}
		if !slices.Contains(types, r.Type) || !passes(filters, r.Payload) {
			continue
		}
		out = append(out, ch)
	}
	slices.Sort(out)
	return out
}

// passes applies {field: [allowed values]} to an event's data.
func passes(filters map[string][]string, data map[string]any) bool {
	for field, allowed := range filters {
		v := fmt.Sprint(data[field])
		if data[field] == nil || !slices.Contains(allowed, v) {
			return false
		}
	}
	return true
}

func streamEvent(channel string, r events.Record) map[string]any {
	data := make(map[string]any, len(r.Payload)+1)
	for k, v := range r.Payload {
		data[k] = v
	}
	ts := r.CreatedAt.UTC().Format(time.RFC3339Nano)
	data["timestamp"] = ts
	return map[string]any{
		"type": "event", "channel": channel, "event": r.Type, "data": data,
		"meta": map[string]any{"companyId": r.CompanyID, "timestamp": ts, "eventId": r.ID, "sequence": r.Seq},
	}
}
