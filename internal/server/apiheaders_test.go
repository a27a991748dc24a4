package server_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/bigledger/bigledger/internal/server"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

// Seed 001's global response headers: Cache-Control: no-cache,
// X-Response-Time: <n>ms, X-Request-ID, and X-API-Version on REST and
// GraphQL answers, errors included.
func TestSeed001ResponseHeaders(t *testing.T) {
	e := tk.New(t)
	for _, c := range []struct{ method, path string }{
		{"GET", "/v1/customers"}, {"GET", "/api/v1/customers"}, {"GET", "/api/v1/customers/cust_missing"},
		{"GET", "/v1/auth/verify"}, {"POST", "/graphql"},
	} {
		var body any
		if c.path == "/graphql" {
			body = map[string]any{"query": "{ customers { totalCount } }"}
		}
		r := e.Do(e.A, c.method, c.path, body, "X-Request-ID", "req_client_123")
		h := r.Header
		if h.Get("Cache-Control") != "no-cache" || !regexp.MustCompile(`^\d+ms$`).MatchString(h.Get("X-Response-Time")) ||
			h.Get("X-API-Version") != server.APIVersions[0] {
			t.Errorf("%s %s (%d): %v", c.method, c.path, r.Status, h)
		}
	}
	// Not on the playground or health checks.
	if r := e.Do(tk.Tenant{}, "GET", "/healthz", nil); r.Header.Get("X-Response-Time") != "" {
		t.Errorf("healthz: %v", r.Header)
	}
}

// X-API-Version: the seed's date is accepted, anything else is refused
// with a code naming the header, before any work.
func TestAPIVersionHeader(t *testing.T) {
	e := tk.New(t)
	if r := e.Do(e.A, "GET", "/v1/customers", nil, "X-API-Version", "2024-01-15"); r.Status != 200 {
		t.Fatalf("supported version: %d %s", r.Status, r.Raw)
	}
	r := e.Do(e.A, "POST", "/v1/customers", map[string]any{"name": "Versioned", "email": "v@example.com"}, "X-API-Version", "2031-01-01")
	if r.Status != 400 || tk.Str(r.Body, "error", "code") != "UNSUPPORTED_API_VERSION" || tk.Str(r.Body, "error", "details", 0, "field") != "X-API-Version" ||
		!strings.Contains(tk.Str(r.Body, "error", "message"), "2024-01-15") {
		t.Fatalf("unknown version: %d %s", r.Status, r.Raw)
	}
	var n int
	if err := e.DB.QueryRow(`SELECT count(*) FROM customers WHERE name = 'Versioned'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("refused request wrote %d rows", n)
	}
	g := e.Do(e.A, "POST", "/graphql", map[string]any{"query": "{ customers { totalCount } }"}, "X-API-Version", "v2")
	if g.Status != 400 || !strings.Contains(string(g.Raw), "UNSUPPORTED_API_VERSION") {
		t.Fatalf("graphql: %d %s", g.Status, g.Raw)
	}
}

// Accept-Encoding: gzip compresses API answers (above 1 KiB); without it
// the answer is plain.
func TestGzipWhenAsked(t *testing.T) {
	e := tk.New(t)
	e.SeedCustomers(e.A, 30, 1, 1)
	get := func(enc string) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", e.Server.URL+"/v1/customers?limit=30", nil)
		req.Header.Set("Authorization", "Bearer "+e.A.Key)
		req.Header.Set("X-Company-Id", e.A.CompanyID)
		req.Header.Set("Accept-Encoding", enc)
		res, err := http.DefaultTransport.RoundTrip(req) // no transparent decompression
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, b
	}
	res, raw := get("gzip, deflate")
	if res.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("gzip asked: %v", res.Header)
	}
	zr, err := gzip.NewReader(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	res2, raw2 := get("identity")
	if res2.Header.Get("Content-Encoding") != "" || !strings.HasPrefix(string(raw2), `{"success":true`) {
		t.Fatalf("identity: %v %.80s", res2.Header, raw2)
	}
	if !strings.HasPrefix(string(plain), `{"success":true`) || len(raw) >= len(plain) {
		t.Fatalf("compressed %d bytes of %d: %.80s", len(raw), len(plain), plain)
	}
}
