package rest

import (
	"net/http"
	"strings"

	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/reqid"
)

// isIntegration reports whether r is on seed 003's integration API, whose
// answers follow its Laravel conventions.
func isIntegration(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/v1/integration/")
}

// integrationErrorBody is an error as seed 003 shows it (Laravel's
// {"message", "errors": {"field": ["…"]}}), with the shared error object
// beside it (code, details, request_id) for clients of the other faces.
type integrationErrorBody struct {
	Message string              `json:"message"`
	Errors  map[string][]string `json:"errors,omitempty"`
	Error   *errorBody          `json:"error"`
}

// integrationStatus is the status seed 003 gives an error: validation is
// 422 (Laravel's), everything else keeps the catalogue's.
func integrationStatus(ae *apperr.Error) int {
	if ae.Kind == apperr.KindValidation && ae.HTTPStatus() == http.StatusBadRequest {
		return http.StatusUnprocessableEntity
	}
	return ae.HTTPStatus()
}

func writeIntegrationError(w http.ResponseWriter, r *http.Request, ae *apperr.Error) {
	body := integrationErrorBody{Message: ae.Message, Error: &errorBody{Code: ae.Code, Message: ae.Message, Details: ae.Details,
		RequestID: reqid.From(r.Context()), DocumentationURL: DocumentationBase + "#" + ae.Code}}
	switch ae.Kind {
	case apperr.KindNotFound:
		body.Message = "Not found"
	case apperr.KindPermissionDenied:
		body.Message = "Unauthorized"
	case apperr.KindUnauthenticated:
		body.Message = "Unauthenticated."
	}
	for _, d := range ae.Details {
		if body.Errors == nil {
			body.Errors = map[string][]string{}
		}
		f := d.Field
		if f == "" {
			f = "body"
		}
		body.Errors[f] = append(body.Errors[f], d.Message)
	}
	if ae.Kind == apperr.KindValidation && len(ae.Details) > 0 {
		body.Message = ae.Details[0].Message
		if n := len(ae.Details) - 1; n > 0 {
			body.Message += " (and " + itoa(n) + " more error"
			if n > 1 {
				body.Message += "s"
			}
			body.Message += ")"
		}
	}
	writeJSON(w, integrationStatus(ae), body)
}
