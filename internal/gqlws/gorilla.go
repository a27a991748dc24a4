// Package gqlws adapts gorilla/websocket to gqlgen's websocket transport
// (gqlgen ships only a coder/websocket adapter). It enforces the origin
// allow-list at the upgrade, the transport's read limit and read deadlines,
// and serializes writes, which gorilla requires.
package gqlws

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gorilla/websocket"
)

// Gorilla implements transport.WebsocketImplementation.
type Gorilla struct {
	// AllowedOrigins lists origins (scheme://host[:port]) allowed to open
	// a socket from a browser; "*" allows any. Requests without an Origin
	// header (non-browser clients) are always allowed.
	AllowedOrigins []string
	// WriteTimeout bounds each frame write, so a stalled peer cannot
	// block its sender forever.
	WriteTimeout time.Duration
	// Closing, when done, ends every connection still open a grace
	// period later with 1001 (going away). Authenticated connections are
	// normally closed first by the transport (1000); this catches sockets
	// that never finished connection_init.
	Closing context.Context
	// PingInterval is how often a protocol-level ping is sent (default
	// 20s); a peer that answers none for three intervals is disconnected,
	// whichever GraphQL subprotocol it speaks (legacy graphql-ws has no
	// ping of its own).
	PingInterval time.Duration
}

var _ transport.WebsocketImplementation = Gorilla{}

// CheckOrigin applies the allow-list to an upgrade request.
func (g Gorilla) CheckOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	if slices.Contains(g.AllowedOrigins, "*") {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	o := strings.ToLower(u.Scheme + "://" + u.Host)
	for _, a := range g.AllowedOrigins {
		if strings.EqualFold(strings.TrimRight(a, "/"), o) {
			return true
		}
	}
	// Same-origin requests (playground served by this server) are fine.
	return strings.EqualFold(u.Host, r.Host)
}

// writeBuffers is shared by every socket: a buffer is held only while a
// message is being written.
var writeBuffers = &sync.Pool{}

// Accept upgrades the request.
func (g Gorilla) Accept(w http.ResponseWriter, r *http.Request, opts transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	up := websocket.Upgrader{
		CheckOrigin:      g.CheckOrigin,
		Subprotocols:     opts.Subprotocols,
		HandshakeTimeout: 10 * time.Second,
		// An idle subscriber holds no write buffer (pooled, taken per
		// message) and a small read buffer: clients send little.
		ReadBufferSize:  1024,
		WriteBufferSize: 4096,
		WriteBufferPool: writeBuffers,
	}
	conn, err := up.Upgrade(w, r, opts.ResponseHeader)
	if err != nil {
		return nil, err
	}
	wt := g.WriteTimeout
	if wt == 0 {
		wt = 10 * time.Second
	}
	cn := &conn_{c: conn, writeTimeout: wt, done: make(chan struct{})}
	cn.every = g.PingInterval
	if cn.every == 0 {
		cn.every = 20 * time.Second
	}
	cn.lastPong.Store(time.Now().UnixNano())
	conn.SetPongHandler(func(string) error {
		cn.lastPong.Store(time.Now().UnixNano())
		return nil
	})
	// A timer, not a goroutine, per socket.
	cn.pinger = time.AfterFunc(cn.every, cn.ping)
	if g.Closing != nil {
		// No goroutine per socket: a callback when the server closes.
		cn.stop = context.AfterFunc(g.Closing, func() {
			time.AfterFunc(time.Second, func() {
				select {
				case <-cn.done:
				default:
					_ = cn.WriteClose(websocket.CloseGoingAway, "server shutting down")
					_ = cn.Close()
				}
			})
		})
	}
	return cn, nil
}

type conn_ struct {
	c            *websocket.Conn
	writeTimeout time.Duration
	wmu          sync.Mutex
	done         chan struct{}
	doneOnce     sync.Once
	stop         func() bool
	every        time.Duration
	pinger       *time.Timer
	lastPong     atomic.Int64
}

// ping sends a protocol ping, or closes a peer silent for three intervals.
func (c *conn_) ping() {
	select {
	case <-c.done:
		return
	default:
	}
	if time.Since(time.Unix(0, c.lastPong.Load())) > 3*c.every {
		_ = c.WriteClose(websocket.CloseGoingAway, "no pong: peer unresponsive")
		_ = c.Close()
		return
	}
	if err := c.c.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.writeTimeout)); err != nil {
		_ = c.Close()
		return
	}
	c.pinger.Reset(c.every)
}

var (
	_ transport.WebsocketConn          = (*conn_)(nil)
	_ transport.WebsocketReadLimiter   = (*conn_)(nil)
	_ transport.WebsocketReadDeadliner = (*conn_)(nil)
)

func (c *conn_) Close() error {
	c.doneOnce.Do(func() {
		close(c.done)
		if c.stop != nil {
			c.stop()
		}
		if c.pinger != nil {
			c.pinger.Stop()
		}
	})
	return c.c.Close()
}

func (c *conn_) NextReader() (int, io.Reader, error) {
	t, r, err := c.c.NextReader()
	if err != nil {
		var ce *websocket.CloseError
		if errors.As(err, &ce) && (ce.Code == websocket.CloseNormalClosure || ce.Code == websocket.CloseNoStatusReceived) {
			return t, nil, transport.ErrWebsocketClosed
		}
		return t, nil, err
	}
	return t, r, nil
}

func (c *conn_) WriteJSON(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.c.SetWriteDeadline(time.Now().Add(c.writeTimeout))
	return c.c.WriteJSON(v)
}

func (c *conn_) WriteClose(code int, message string) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, message), time.Now().Add(time.Second))
}

func (c *conn_) Subprotocol() string { return c.c.Subprotocol() }

func (c *conn_) SetReadLimit(limit int64) { c.c.SetReadLimit(limit) }

func (c *conn_) SetReadDeadline(t time.Time) error { return c.c.SetReadDeadline(t) }
