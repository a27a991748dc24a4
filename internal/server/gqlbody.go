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
// request's shape 400 INVALID_REQUEST_BODY. The body itself is never
// echoed or logged (it holds customer data). It returns false when it
// has answered.
func checkGraphQLBody(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodPost {
		return true
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" && mt != "" {
		return true // gqlgen answers an unsupported media type itself
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			graphqlRefusal(w, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE",
				fmt.Sprintf("The request body is larger than %d bytes", mbe.Limit))
			return false
		}
		graphqlRefusal(w, http.StatusBadRequest, "INVALID_REQUEST_BODY", "The request body could not be read")
		return false
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	switch {
	case len(trimmed) > 0 && trimmed[0] == '[':
		graphqlRefusal(w, http.StatusBadRequest, "BATCHING_NOT_SUPPORTED", "Send one operation per request: a JSON array of operations is not supported")
		return false
	case len(trimmed) == 0 || trimmed[0] != '{':
		graphqlRefusal(w, http.StatusBadRequest, "INVALID_REQUEST_BODY", "The request body must be a JSON object with a query")
		return false
	}
	var p graphqlParams
	if err := json.Unmarshal(body, &p); err != nil {
		msg := "The request body is not valid JSON"
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			msg = fmt.Sprintf("%s must be %s", ute.Field, map[string]string{"query": "a string", "operationName": "a string", "variables": "an object", "extensions": "an object"}[ute.Field])
		}
		graphqlRefusal(w, http.StatusBadRequest, "INVALID_REQUEST_BODY", msg)
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return true
}

func graphqlRefusal(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"errors": []map[string]any{{
		"message": message, "extensions": map[string]any{"code": code},
	}}})
}
