package server

import (
	"bufio"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/bigledger/bigledger/internal/reqid"
)

// recorder captures the status and size of an answer; it passes Hijack
// and Flush through (websockets, streaming).
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, http.ErrNotSupported
	}
	r.status = http.StatusSwitchingProtocols
	return h.Hijack()
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// accessLog writes one line per request at info level: request id,
// method, route pattern, path, status, bytes, duration, and the company
// and key prefix that made it (never the key's secret). A websocket's line
// is written when it closes.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ctx, a := reqid.WithAccess(r.Context())
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r.WithContext(ctx))
		route := a.Route
		if route == "" {
			route = r.Method + " " + r.URL.Path
		}
		// Metrics label by pattern only: an unmatched path (a 404, a probe)
		// would be a new series per path.
		label := a.Route
		if label == "" {
			label = "(unmatched)"
		}
		s.metrics.ObserveHTTP(label, r.Method, rec.status, time.Since(start))
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("requestId", reqid.From(r.Context())),
			slog.String("method", r.Method), slog.String("route", route), slog.String("path", r.URL.Path),
			slog.Int("status", rec.status), slog.Int64("bytes", rec.bytes),
			slog.Float64("durationMs", float64(time.Since(start).Microseconds())/1000),
			slog.String("companyId", a.Company), slog.String("keyPrefix", a.KeyPrefix))
	})
}
