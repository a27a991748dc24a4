package server

import (
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzhttp"

	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/rest"
)

// APIVersions are the X-API-Version values (seed 001's date-based
// versioning) this server answers; the first is the current one, sent
// back on every API answer. A request without the header gets the
// current version.
var APIVersions = []string{"2024-01-15"}

// isAPIPath reports whether path is an API surface (REST families and
// GraphQL), whose answers carry the seed-001 response headers.
func isAPIPath(p string) bool {
	return p == "/graphql" || strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/v1/") || p == "/api/v1" ||
		p == "/openapi.json" || p == "/openapi.yaml"
}

// timed sets X-Response-Time ("150ms", seed 001) when the answer's
// headers go out.
type timed struct {
	http.ResponseWriter
	start time.Time
	done  bool
}

func (t *timed) stamp() {
	if !t.done {
		t.done = true
		ms := math.Ceil(float64(time.Since(t.start)) / float64(time.Millisecond))
		t.Header().Set("X-Response-Time", strconv.FormatFloat(ms, 'f', 0, 64)+"ms")
	}
}

func (t *timed) WriteHeader(code int) {
	t.stamp()
	t.ResponseWriter.WriteHeader(code)
}

func (t *timed) Write(b []byte) (int, error) {
	t.stamp()
	return t.ResponseWriter.Write(b)
}

func (t *timed) Flush() {
	t.stamp()
	if f, ok := t.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (t *timed) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// apiHeaders gives every API answer seed 001's global response headers:
// Cache-Control: no-cache (a handler may set its own), X-Response-Time,
// X-API-Version, and gzip (or zstd) compression when the client's
// Accept-Encoding asks for it. An X-API-Version the server does not serve
// is refused before anything runs. Websocket upgrades pass untouched.
func apiHeaders(next http.Handler) http.Handler {
	gz, err := gzhttp.NewWrapper(gzhttp.MinSize(1024))
	if err != nil {
		panic(err)
	}
	compressed := gz(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isAPIPath(r.URL.Path) || isUpgrade(r) {
			next.ServeHTTP(w, r)
			return
		}
		tw := &timed{ResponseWriter: w, start: time.Now()}
		h := tw.Header()
		h.Set("Cache-Control", "no-cache")
		h.Set("X-API-Version", APIVersions[0])
		if v := strings.TrimSpace(r.Header.Get("X-API-Version")); v != "" && !slices.Contains(APIVersions, v) {
			err := &apperr.Error{Kind: apperr.KindValidation, Code: "UNSUPPORTED_API_VERSION",
				Message: "X-API-Version " + strconv.Quote(v) + " is not served here; supported: " + strings.Join(APIVersions, ", ") + " (or omit the header for the current one)",
				Details: []apperr.Detail{{Field: "X-API-Version", Message: "supported: " + strings.Join(APIVersions, ", ")}}}
			if r.URL.Path == "/graphql" {
				graphqlRefusal(tw, http.StatusBadRequest, err.Code, err.Message)
			} else {
				rest.WriteError(tw, r, err)
			}
			return
		}
		compressed.ServeHTTP(tw, r)
	})
}
