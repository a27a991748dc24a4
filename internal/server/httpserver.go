package server

import (
	"net/http"
	"time"
)

// Connection budgets of the HTTP server (the README's limits table).
const (
	// ReadHeaderTimeout bounds a request's headers.
	ReadHeaderTimeout = 10 * time.Second
	// ReadTimeout bounds reading a whole request, body included.
	ReadTimeout = 60 * time.Second
	// WriteTimeout bounds the time from the end of the request headers to
	// the end of the answer: a client that never reads its answer is cut
	// off instead of holding the connection.
	WriteTimeout = 90 * time.Second
	// IdleTimeout bounds a kept-alive connection between requests.
	IdleTimeout = 120 * time.Second
)

// NewHTTPServer is the http.Server that serves h in production, with
// every timeout set. Websockets (GraphQL subscriptions, the seed-001
// stream) live past them: gorilla and gqlgen set their own deadlines on
// every read and write (TestHTTPServerTimeoutsKeepWebsockets), and the
// upgrade paths also clear the server's deadlines, so that holds for any
// transport that does not.
func NewHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
}

// clearDeadlines lifts the server's read and write deadlines from a
// connection about to become a websocket.
func clearDeadlines(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
}
