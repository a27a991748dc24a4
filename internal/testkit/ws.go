package testkit

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Websocket subprotocols.
const (
	TransportWS = "graphql-transport-ws"
	LegacyWS    = "graphql-ws"
)

// WS is a test websocket client (GraphQL or the seed-001 stream).
type WS struct {
	e     *Env
	Conn  *websocket.Conn
	proto string
	// The received messages, at most maxQueued: a client that stops
	// reading stops reading the socket too, so the server sees it slow.
	// Allocated as messages arrive (an idle client holds none, which the
	// memory-per-subscriber benchmark relies on).
	mu     sync.Mutex
	queue  []map[string]any
	closed bool
	notify chan struct{} // a message arrived or the socket closed
	space  chan struct{} // a message was taken
	// Closed receives the close error when the server closes the socket.
	Closed chan error
}

// Dial opens a websocket to path with subprotocol proto (may be empty).
func (e *Env) Dial(path, proto string, header http.Header) (*WS, *http.Response, error) {
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	if proto != "" {
		d.Subprotocols = []string{proto}
	}
	url := "ws" + strings.TrimPrefix(e.Server.URL, "http") + path
	c, resp, err := d.Dial(url, header)
	if err != nil {
		return nil, resp, err
	}
	w := &WS{e: e, Conn: c, proto: proto, notify: make(chan struct{}, 1), space: make(chan struct{}, 1), Closed: make(chan error, 1)}
	go w.read()
	return w, resp, nil
}

func (w *WS) read() {
	for {
		_, data, err := w.Conn.ReadMessage()
		if err != nil {
			w.Closed <- err
			w.mu.Lock()
			w.closed = true
			w.mu.Unlock()
			signal(w.notify)
			return
		}
		at := time.Now()
		var m map[string]any
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			continue
		}
		// GraphQL keep-alives are answered or dropped; the seed-001
		// stream's pong is a reply the test waits for.
		switch t := m["type"]; {
		case w.proto == "":
		case t == "ping":
			if w.proto == TransportWS {
				_ = w.Conn.WriteJSON(map[string]any{"type": "pong"})
			}
			continue
		case t == "ka" || t == "pong":
			continue
		}
		m["_receivedAt"] = at
		w.mu.Lock()
		for len(w.queue) >= maxQueued {
			w.mu.Unlock()
			<-w.space
			w.mu.Lock()
		}
		w.queue = append(w.queue, m)
		w.mu.Unlock()
		signal(w.notify)
	}
}

const maxQueued = 4096

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// Send writes one JSON message.
func (w *WS) Send(v any) {
	w.e.T.Helper()
	if err := w.Conn.WriteJSON(v); err != nil {
		w.e.T.Fatalf("ws send: %v", err)
	}
}

// Next returns the next message, or nil after timeout or when closed.
func (w *WS) Next(timeout time.Duration) map[string]any {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		w.mu.Lock()
		if len(w.queue) > 0 {
			m := w.queue[0]
			w.queue[0] = nil
			w.queue = w.queue[1:]
			if len(w.queue) == 0 {
				w.queue = nil
			}
			w.mu.Unlock()
			signal(w.space)
			return m
		}
		closed := w.closed
		w.mu.Unlock()
		if closed {
			return nil
		}
		select {
		case <-w.notify:
		case <-timer.C:
			return nil
		}
	}
}

// MustNext is Next that fails the test on timeout.
func (w *WS) MustNext(timeout time.Duration) map[string]any {
	w.e.T.Helper()
	m := w.Next(timeout)
	if m == nil {
		w.e.T.Fatalf("ws: no message within %s", timeout)
	}
	return m
}

// Close closes the socket normally.
func (w *WS) Close() {
	_ = w.Conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
	_ = w.Conn.Close()
}

// GraphQLWS connects to /graphql with proto and authenticates as tn in
// connection_init; it fails the test unless the server acknowledges.
func (e *Env) GraphQLWS(tn Tenant, proto string) *WS {
	e.T.Helper()
	w, _, err := e.Dial("/graphql", proto, nil)
	if err != nil {
		e.T.Fatalf("dial: %v", err)
	}
	e.T.Cleanup(w.Close)
	w.Send(map[string]any{"type": "connection_init", "payload": map[string]any{
		"Authorization": "Bearer " + tn.Key, "X-Company-Id": tn.CompanyID}})
	if m := w.MustNext(5 * time.Second); m["type"] != "connection_ack" {
		e.T.Fatalf("connection_init: got %v", m)
	}
	return w
}

// Subscribe starts a subscription with id.
func (w *WS) Subscribe(id, query string, vars map[string]any) {
	w.e.T.Helper()
	t := "subscribe"
	if w.proto == LegacyWS {
		t = "start"
	}
	w.Send(map[string]any{"id": id, "type": t, "payload": map[string]any{"query": query, "variables": vars}})
}

// Result is one subscription delivery.
type Result struct {
	ID         string
	Data       map[string]any
	Errors     []any
	Extensions map[string]any
	Type       string
}

// NextResult returns the next subscription message (next/data, error or
// complete), or fails the test after timeout.
func (w *WS) NextResult(timeout time.Duration) Result {
	w.e.T.Helper()
	m := w.MustNext(timeout)
	r := Result{Type: m["type"].(string)}
	r.ID, _ = m["id"].(string)
	switch p := m["payload"].(type) {
	case map[string]any:
		r.Data, _ = p["data"].(map[string]any)
		r.Errors, _ = p["errors"].([]any)
		r.Extensions, _ = p["extensions"].(map[string]any)
	case []any:
		r.Errors = p
	}
	return r
}
