// Package rest is the v1 REST facade: it reproduces the documented
// /api/v1 paths on top of the same domain functions the GraphQL resolvers
// call. Handlers decode a v1 request type, call one function, and encode a
// v1 response type in the seed-001 envelope; no business rule lives here.
package rest

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/reqid"
)

type meta struct {
	Timestamp string `json:"timestamp"`
	RequestID string `json:"requestId"`
	// Page, Limit, Total and Pages repeat a page-numbered list's position
	// where seed 004 shows it (meta{page,limit,total,pages}).
	Page  int  `json:"page,omitempty"`
	Limit int  `json:"limit,omitempty"`
	Total *int `json:"total,omitempty"`
	Pages *int `json:"pages,omitempty"`
	// CurrentPage, LastPage and PerPage are seed 003's paginator, on the
	// integration API's numbered pages (with total).
	CurrentPage int `json:"current_page,omitempty"`
	LastPage    int `json:"last_page,omitempty"`
	PerPage     int `json:"per_page,omitempty"`
}

type pagination struct {
	HasMore    bool    `json:"hasMore"`
	NextCursor *string `json:"nextCursor"`
	Limit      int     `json:"limit"`
	Total      int     `json:"total"`
	// TotalEstimated marks a total past the exact-count bound (10,000
	// rows): PostgreSQL's estimate, not a count.
	TotalEstimated bool `json:"totalEstimated,omitempty"`
	// Page and Pages are set by the lists that also page by number.
	Page  int `json:"page,omitempty"`
	Pages int `json:"pages,omitempty"`
}

type envelope struct {
	Success    bool        `json:"success"`
	Message    string      `json:"message,omitempty"`
	Data       any         `json:"data,omitempty"`
	Error      *errorBody  `json:"error,omitempty"`
	Pagination *pagination `json:"pagination,omitempty"`
	Meta       meta        `json:"meta"`
}

type errorBody struct {
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Details []apperr.Detail `json:"details,omitempty"`
	// RequestID and DocumentationURL are seed 004's (meta.requestId is
	// seed 001's and stays).
	RequestID        string `json:"request_id,omitempty"`
	DocumentationURL string `json:"documentation_url"`
}

// DocumentationBase is where each error code is explained (seed 004's
// documentation_url is this plus "#CODE").
const DocumentationBase = "https://docs.bigledger.com/api/errors"

func metaFor(r *http.Request) meta {
	return meta{Timestamp: time.Now().UTC().Format(time.RFC3339), RequestID: reqid.From(r.Context())}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writeData answers {success:true, data, meta}.
func writeData(w http.ResponseWriter, r *http.Request, status int, data any, message string) {
	writeJSON(w, status, envelope{Success: true, Data: data, Message: message, Meta: metaFor(r)})
}

// writeList answers {success:true, data:[…], pagination, meta}.
func writeList(w http.ResponseWriter, r *http.Request, data any, p pagination) {
	m := metaFor(r)
	if p.Page > 0 {
		m.Page, m.Limit, m.Total, m.Pages = p.Page, p.Limit, &p.Total, &p.Pages
		if isIntegration(r) {
			m.CurrentPage, m.LastPage, m.PerPage = p.Page, p.Pages, p.Limit
		}
	}
	writeJSON(w, http.StatusOK, envelope{Success: true, Data: data, Pagination: &p, Meta: m})
}

// WriteError answers {success:false, error:{code,message,details}, meta}
// with the status the catalogue assigns. Internal errors are logged, never shown.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	// REST passes the page cursor as `cursor`, not GraphQL's after/before.
	if ce := (*ent.CursorError)(nil); errors.As(err, &ce) {
		err = apperr.Validation("VALIDATION_ERROR", "Invalid query parameters",
			apperr.Detail{Field: "cursor", Message: "Invalid pagination cursor: " + ce.Reason})
	}
	ae := apperr.From(err)
	if ae.Kind == apperr.KindInternal {
		slog.ErrorContext(r.Context(), "rest internal error", "error", err, "path", r.URL.Path, "requestId", reqid.From(r.Context()))
	}
	if ae.Kind == apperr.KindRateLimited && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "1")
	}
	if isV2(r) {
		writeV2Error(w, r, ae)
		return
	}
	if isIntegration(r) {
		writeIntegrationError(w, r, ae)
		return
	}
	writeJSON(w, ae.HTTPStatus(), envelope{
		Success: false,
		Error: &errorBody{Code: ae.Code, Message: ae.Message, Details: ae.Details,
			RequestID: reqid.From(r.Context()), DocumentationURL: DocumentationBase + "#" + ae.Code},
		Meta: metaFor(r),
	})
}

// deletedV1 answers a delete: the id and deleted: true.
type deletedV1 struct {
	ID      pulid.ID `json:"id"`
	Deleted bool     `json:"deleted"`
}

// idOnlyV1 answers the deletes whose seeds show only the id.
type idOnlyV1 struct {
	ID pulid.ID `json:"id"`
}

// result is what an endpoint answers on success: a status, the data, an
// optional message, and pagination for lists.
type result struct {
	status  int
	data    any
	message string
	page    *pagination
	// body, when set, is the whole answer (the v2 family's envelopes).
	body any
}

// endpoint is one REST operation: decode, call, map. Errors are rendered
// by serve through the catalogue.
type endpoint func(r *http.Request) (result, error)

func serve(fn endpoint) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && !isV2(r) && wantsCSV(r) {
			serveCSV(w, r, fn)
			return
		}
		res, err := fn(r)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		if res.body != nil {
			writeJSON(w, res.status, res.body)
			return
		}
		if res.page != nil {
			writeList(w, r, res.data, *res.page)
			return
		}
		writeData(w, r, res.status, res.data, res.message)
	}
}
