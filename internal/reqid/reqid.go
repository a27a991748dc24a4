// Package reqid carries the request id (X-Request-ID) through a context.
package reqid

import (
	"context"
	"net/http"
	"regexp"

	"github.com/bigledger/bigledger/ent/schema/pulid"
)

type key struct{}

var safe = regexp.MustCompile(`^[A-Za-z0-9._:\-]{1,128}$`)

// From returns the request id in ctx.
func From(ctx context.Context) string {
	s, _ := ctx.Value(key{}).(string)
	return s
}

// Middleware echoes a well-formed incoming X-Request-ID or generates one,
// sets it on the response and puts it in the request context.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if !safe.MatchString(id) {
			id = string(pulid.New("req"))
		}
		w.Header().Set("X-Request-ID", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), key{}, id)))
	})
}

// Access is what a request's access-log line reports beyond the request
// itself; handlers deep in the stack fill in what only they know.
type Access struct {
	// Route is the matched route pattern ("GET /api/v1/customers/{id}").
	Route string
	// Company and KeyPrefix name who made the request (never the secret).
	Company, KeyPrefix string
}

type accessKey struct{}

// WithAccess puts a fresh Access in ctx.
func WithAccess(ctx context.Context) (context.Context, *Access) {
	a := &Access{}
	return context.WithValue(ctx, accessKey{}, a), a
}

// AccessOf returns the request's Access, or nil.
func AccessOf(ctx context.Context) *Access {
	a, _ := ctx.Value(accessKey{}).(*Access)
	return a
}
