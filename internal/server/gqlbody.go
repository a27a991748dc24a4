package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
)

// graphqlParams is the shape of a GraphQL-over-HTTP POST body.
type graphqlParams struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
	Extensions    map[string]any `json:"extensions"`
}

// checkGraphQLBody reads a GraphQL POST body before gqlgen does and
// answers the client's mistakes with a code: a body over the size limit
// is 413 PAYLOAD_TOO_LARGE, a JSON array (batching) 400
// BATCHING_NOT_SUPPORTED, anything that is not a JSON object of the
// request's shape 400 BAD_REQUEST. The body itself is never
// echoed or logged (it holds customer data). It returns false when it
// has answered.
func checkGraphQLBody(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodPost {
		return true
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		graphqlRefusal(w, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE",
			"Send the request as JSON: Content-Type: application/json with {\"query\": …, \"variables\": …}")
		return false
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			graphqlRefusal(w, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE",
				fmt.Sprintf("The request body is larger than %d bytes", mbe.Limit))
			return false
		}
		graphqlRefusal(w, http.StatusBadRequest, "BAD_REQUEST", "The request body could not be read")
		return false
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	switch {
	case len(trimmed) > 0 && trimmed[0] == '[':
		graphqlRefusal(w, http.StatusBadRequest, "BATCHING_NOT_SUPPORTED", "Send one operation per request: a JSON array of operations is not supported")
		return false
	case len(trimmed) == 0 || trimmed[0] != '{':
		graphqlRefusal(w, http.StatusBadRequest, "BAD_REQUEST", "The request body must be a JSON object with a query")
		return false
	}
	var p graphqlParams
	if err := json.Unmarshal(body, &p); err != nil {
		msg := "The request body is not valid JSON"
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			msg = fmt.Sprintf("%s must be %s", ute.Field, map[string]string{"query": "a string", "operationName": "a string", "variables": "an object", "extensions": "an object"}[ute.Field])
		}
		graphqlRefusal(w, http.StatusBadRequest, "BAD_REQUEST", msg)
		return false
	}
	if _, persisted := p.Extensions["persistedQuery"]; p.Query == "" && !persisted {
		graphqlRefusal(w, http.StatusBadRequest, "BAD_REQUEST", "The request body must carry a query (or a persisted-query hash in extensions.persistedQuery)")
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return true
}

// graphqlStatusWriter gives GraphQL-over-HTTP answers the statuses and
// shapes the specification recommends, which gqlgen does not: a request
// that failed before execution (parse, validation, variable coercion, a
// budget) answers 200 under application/json (gqlgen: 422), and under
// application/graphql-response+json carries no data entry (gqlgen:
// "data": null).
type graphqlStatusWriter struct {
	http.ResponseWriter
	held   bool
	status int
	buf    bytes.Buffer
	// force, when set, replaces the status (429 for a refused charge).
	force int
}

func (g *graphqlStatusWriter) WriteHeader(code int) {
	ct, _, _ := mime.ParseMediaType(g.Header().Get("Content-Type"))
	if g.force != 0 {
		code = g.force
	}
	switch {
	case code == http.StatusUnprocessableEntity && ct == "application/json":
		code = http.StatusOK
	case code >= 400 && ct == "application/graphql-response+json":
		g.held, g.status = true, code
		return
	}
	g.ResponseWriter.WriteHeader(code)
}

func (g *graphqlStatusWriter) Write(b []byte) (int, error) {
	if g.held {
		return g.buf.Write(b)
	}
	return g.ResponseWriter.Write(b)
}

// finish writes a held answer without its data entry.
func (g *graphqlStatusWriter) finish() {
	if !g.held {
		return
	}
	body := g.buf.Bytes()
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) == nil {
		if d, ok := m["data"]; ok && string(d) == "null" {
			delete(m, "data")
			if b, err := json.Marshal(m); err == nil {
				body = append(b, '\n')
			}
		}
	}
	g.Header().Del("Content-Length")
	g.ResponseWriter.WriteHeader(g.status)
	_, _ = g.ResponseWriter.Write(body)
}

func graphqlRefusal(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"errors": []map[string]any{{
		"message": message, "extensions": map[string]any{"code": code},
	}}})
}
