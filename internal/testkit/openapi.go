package testkit

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"github.com/bigledger/bigledger/rest"
)

// The OpenAPI document every REST answer in the tests is held to: Do
// validates each response to a documented route (status, content type,
// body schema) and fails the test on any difference, so the document
// cannot drift from what the handlers send.
var openAPI = sync.OnceValues(func() (validator.Validator, error) {
	doc, err := libopenapi.NewDocument(rest.OpenAPIJSON())
	if err != nil {
		return nil, err
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		return nil, fmt.Errorf("openapi validator: %v", errs)
	}
	return v, nil
})

type docPath struct {
	re      *regexp.Regexp
	wilds   int
	methods map[string]bool
}

var docPaths = sync.OnceValue(func() []docPath {
	byPath := map[string]*docPath{}
	var out []docPath
	wild := regexp.MustCompile(`\\\{[a-zA-Z_]+\\\}`)
	for _, r := range rest.DocumentedRoutes() {
		p := byPath[r.Path]
		if p == nil {
			p = &docPath{re: regexp.MustCompile("^" + wild.ReplaceAllString(regexp.QuoteMeta(r.Path), "[^/]+") + "$"),
				wilds: strings.Count(r.Path, "{"), methods: map[string]bool{}}
			byPath[r.Path] = p
		}
		p.methods[r.Method] = true
	}
	for _, p := range byPath {
		out = append(out, *p)
	}
	return out
})

// Documented reports whether method and path (no query) name an
// operation of the OpenAPI document. As in the router, the most specific
// matching path decides (/webhooks/subscribe before /webhooks/{id}).
func Documented(method, path string) bool {
	var best *docPath
	for i, p := range docPaths() {
		if p.re.MatchString(path) && (best == nil || p.wilds < best.wilds) {
			best = &docPaths()[i]
		}
	}
	return best != nil && best.methods[method]
}

// ValidateResponse checks one answer against the OpenAPI document; it
// returns nil for a route the document does not describe (unknown paths,
// other methods: their 404/405 answers are checked by their own tests).
func ValidateResponse(req *http.Request, status int, header http.Header, body []byte) error {
	if !Documented(req.Method, req.URL.Path) || header.Get("Upgrade") != "" {
		return nil
	}
	v, err := openAPI()
	if err != nil {
		return err
	}
	res := &http.Response{StatusCode: status, Header: header, Body: io.NopCloser(bytes.NewReader(body)), Request: req}
	if ok, errs := v.ValidateHttpResponse(req, res); !ok {
		var b strings.Builder
		for _, e := range errs {
			fmt.Fprintf(&b, "\n  - %s: %s", e.Message, e.Reason)
			for _, se := range e.SchemaValidationErrors {
				fmt.Fprintf(&b, "\n      %s at %s", se.Reason, se.FieldPath)
			}
		}
		return fmt.Errorf("%s %s answered %d, not as the OpenAPI document says:%s\n  body: %.600s", req.Method, req.URL.Path, status, b.String(), body)
	}
	return nil
}
