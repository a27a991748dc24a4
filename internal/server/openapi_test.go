package server_test

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"github.com/bigledger/bigledger/internal/testkit"
	"github.com/bigledger/bigledger/internal/webui"
	"github.com/bigledger/bigledger/rest"
)

// The document is served, is a valid OpenAPI 3.1 document, and describes
// exactly the routes the server answers: every route of the table is in
// it, every operation in it reaches a handler (not the router's 404 or
// 405), and its other methods are 405.
func TestOpenAPIMatchesRouter(t *testing.T) {
	e := testkit.New(t)
	res := e.Do(testkit.Tenant{}, "GET", "/openapi.json", nil)
	if res.Status != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("/openapi.json: %d %s", res.Status, res.Header.Get("Content-Type"))
	}
	if string(res.Raw) != string(rest.OpenAPIJSON()) {
		t.Fatalf("/openapi.json differs from rest.OpenAPIJSON()")
	}
	if res.Body["openapi"] != "3.1.0" {
		t.Fatalf("openapi = %v", res.Body["openapi"])
	}
	y := e.Do(testkit.Tenant{}, "GET", "/openapi.yaml", nil)
	var fromYAML map[string]any
	if err := yaml.Unmarshal(y.Raw, &fromYAML); err != nil || y.Status != 200 {
		t.Fatalf("/openapi.yaml: %d %v", y.Status, err)
	}
	if fromYAML["openapi"] != "3.1.0" || len(fromYAML["paths"].(map[string]any)) != len(res.Body["paths"].(map[string]any)) {
		t.Fatalf("the YAML document is not the JSON one")
	}

	doc, err := libopenapi.NewDocument(res.Raw)
	if err != nil {
		t.Fatal(err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, ve := range verrs {
			t.Errorf("document: %s: %s", ve.Message, ve.Reason)
			for _, se := range ve.SchemaValidationErrors {
				t.Errorf("  %s at %s", se.Reason, se.FieldPath)
			}
		}
	}

	documented := map[string]bool{}
	for _, r := range rest.DocumentedRoutes() {
		documented[r.Method+" "+r.Path] = true
	}
	for _, r := range rest.Routes() {
		if !documented[r.Method+" "+r.Path] {
			t.Errorf("%s %s is routed but not in the document", r.Method, r.Path)
		}
		if r.Summary == "" {
			t.Errorf("%s %s has no summary", r.Method, r.Path)
		}
	}
	ops := res.Body["paths"].(map[string]any)
	ids := map[string]bool{}
	for path, item := range ops {
		for method, op := range item.(map[string]any) {
			id, _ := op.(map[string]any)["operationId"].(string)
			if id == "" || ids[id] {
				t.Errorf("%s %s: operationId %q missing or repeated", method, path, id)
			}
			ids[id] = true
		}
	}

	wild := regexp.MustCompile(`\{[a-zA-Z_]+\}`)
	for _, r := range rest.DocumentedRoutes() {
		path := wild.ReplaceAllString(r.Path, "zz_missing")
		got := e.Do(e.A, r.Method, path, nil)
		if got.Status == 404 && strings.HasPrefix(testkit.Str(got.Body, "error", "message"), "No such endpoint") || got.Status == 405 {
			t.Errorf("%s %s is documented but not routed: %d %s", r.Method, r.Path, got.Status, got.Raw)
		}
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			if documented[m+" "+r.Path] || strings.HasPrefix(r.Path, "/healthz") || strings.HasPrefix(r.Path, "/readyz") ||
				!strings.HasPrefix(r.Path, "/api/") && !strings.HasPrefix(r.Path, "/v1/") {
				continue
			}
			if strings.HasSuffix(r.Path, "/attachments/{id}/content") || strings.HasSuffix(r.Path, "/stream") || r.Path == "/api/v1" || r.Path == "/v1" {
				continue
			}
			if got := e.Do(e.A, m, path, nil); got.Status != 405 {
				t.Errorf("%s %s is not documented, yet answers %d", m, r.Path, got.Status)
			}
		}
	}
}

// The playground and the reference page load nothing from another
// origin: every script and stylesheet is an embedded asset, served as
// the pinned package files (SHA256SUMS), gzipped or not.
func TestWebUIServedOffline(t *testing.T) {
	e := testkit.New(t)
	sums := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(webui.Manifest()), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("SHA256SUMS line %q", line)
		}
		sums[name] = sum
	}
	if len(sums) < 6 {
		t.Fatalf("manifest lists %d assets", len(sums))
	}
	ref := regexp.MustCompile(`(?:src|href)="([^"]+)"`)
	for _, page := range []string{"/playground", "/docs", "/"} {
		res, err := http.Get(e.Server.URL + page)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("%s: %d %s", page, res.StatusCode, res.Header.Get("Content-Type"))
		}
		refs := ref.FindAllStringSubmatch(string(body), -1)
		if len(refs) == 0 {
			t.Fatalf("%s loads no assets", page)
		}
		for _, m := range refs {
			if !strings.HasPrefix(m[1], webui.AssetPrefix) {
				t.Errorf("%s loads %s from outside the binary", page, m[1])
			}
		}
		if strings.Contains(string(body), "cdn.") || strings.Contains(string(body), "https://") {
			t.Errorf("%s names an external address", page)
		}
	}
	for name, want := range sums {
		for _, gz := range []bool{true, false} {
			req, _ := http.NewRequest("GET", e.Server.URL+webui.AssetPrefix+name, nil)
			if gz {
				req.Header.Set("Accept-Encoding", "gzip")
			} else {
				req.Header.Set("Accept-Encoding", "identity")
			}
			res, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			var rd io.Reader = res.Body
			if res.Header.Get("Content-Encoding") == "gzip" {
				if !gz {
					t.Errorf("%s: gzip sent to a client that did not accept it", name)
				}
				zr, err := gzip.NewReader(res.Body)
				if err != nil {
					t.Fatal(err)
				}
				rd = zr
			}
			b, _ := io.ReadAll(rd)
			res.Body.Close()
			sum := sha256.Sum256(b)
			if res.StatusCode != 200 || hex.EncodeToString(sum[:]) != want {
				t.Errorf("%s (gzip %v): %d, sha256 %x, want %s", name, gz, res.StatusCode, sum, want)
			}
		}
	}
	if res := e.Do(testkit.Tenant{}, "GET", webui.AssetPrefix+"../webui.go", nil); res.Status != 404 {
		t.Errorf("a path outside the assets answered %d", res.Status)
	}
	// The index links the documents.
	idx := e.Do(testkit.Tenant{}, "GET", "/api/v1", nil)
	links, _ := json.Marshal(testkit.Get(idx.Body, "data", "links"))
	if !strings.Contains(string(links), `"/openapi.json"`) || !strings.Contains(string(links), `"/docs"`) {
		t.Errorf("index links: %s", links)
	}
}
