package testkit

import (
	"encoding/json"
	"net/http"
	"strings"
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
	msgs  chan map[string]any
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
	w := &WS{e: e, Conn: c, proto: proto, msgs: make(chan map[string]any, 4096), Closed: make(chan error, 1)}
	go w.read()
	return w, resp, nil
}

func (w *WS) read() {
	for {
		_, data, err := w.Conn.ReadMessage()
		if err != nil {
			w.Closed <- err
			close(w.msgs)
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
		w.msgs <- m
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
	select {
	case m, ok := <-w.msgs:
		if !ok {
			return nil
		}
		return m
	case <-time.After(timeout):
		return nil
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
