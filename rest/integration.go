package rest

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/bigledger/bigledger/ent/schema/types"
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
// 422 (Laravel's), and so is a business rule refusing the write (seed 003
// has no 409: "the contact still has transactions" is 422); a reused
// idempotency key stays 409, and everything else keeps the catalogue's.
func integrationStatus(ae *apperr.Error) int {
	if ae.Kind == apperr.KindValidation && ae.HTTPStatus() == http.StatusBadRequest {
		return http.StatusUnprocessableEntity
	}
	if ae.HTTPStatus() == http.StatusConflict && !strings.HasPrefix(ae.Code, "IDEMPOTENCY_") {
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

// laravelMeta is seed 003's paginator block.
type laravelMeta struct {
	CurrentPage int `json:"current_page"`
	LastPage    int `json:"last_page"`
	PerPage     int `json:"per_page"`
	Total       int `json:"total"`
}

// laravelPage is a page-numbered position: page (from 1) and per_page.
type laravelPage struct{ page, perPage int }

// parseLaravelPage reads page (default 1) and per_page (1–100, default
// def), recording a detail for each bad value.
func parseLaravelPage(d *apperr.Details, q url.Values, def int) laravelPage {
	p := laravelPage{page: 1, perPage: def}
	if s := q.Get("per_page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			d.Add("per_page", "The per page must be an integer between 1 and 100")
		} else {
			p.perPage = n
		}
	}
	if s := q.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1_000_000 {
			d.Add("page", "The page must be an integer of at least 1")
		} else {
			p.page = n
		}
	}
	return p
}

func (p laravelPage) offset() int { return (p.page - 1) * p.perPage }

func (p laravelPage) meta(total int) laravelMeta {
	last := (total + p.perPage - 1) / p.perPage
	if last < 1 {
		last = 1
	}
	return laravelMeta{CurrentPage: p.page, LastPage: last, PerPage: p.perPage, Total: total}
}

// result answers body as JSON; CSV walks data page by page (page.Page
// < page.Pages), so format=csv streams every matching row.
func (p laravelPage) result(data, body any, total int) result {
	m := p.meta(total)
	return result{status: http.StatusOK, data: data, body: body,
		page: &pagination{Page: m.CurrentPage, Pages: m.LastPage, Limit: m.PerPage, Total: total}}
}

// checkQ is seed 003's q: at least 2 characters when sent.
func checkQ(d *apperr.Details, q url.Values) string {
	if !q.Has("q") {
		return ""
	}
	s := strings.TrimSpace(q.Get("q"))
	if len([]rune(s)) < 2 {
		d.Add("q", "The q must be at least 2 characters")
	}
	return s
}

// checkFormat is seed 003's format: json (default) or csv.
func checkFormat(d *apperr.Details, q url.Values) {
	if f := q.Get("format"); f != "" && f != "json" && f != "csv" {
		d.Add("format", "The selected format is invalid: use json or csv")
	}
}

// pagination is the seed-001 pagination of a numbered page; on the
// integration API the answer's meta also carries seed 003's paginator
// (current_page, last_page, per_page, total), so clients of both read it.
func (p laravelPage) pagination(total int) *pagination {
	m := p.meta(total)
	return &pagination{Page: m.CurrentPage, Pages: m.LastPage, Limit: m.PerPage, Total: total, HasMore: m.CurrentPage < m.LastPage}
}

// dateRange is seed 003's start_date/end_date pair: both or neither,
// YYYY-MM-DD, in order.
func dateRange(d *apperr.Details, q url.Values) (from, to *types.Date) {
	for key, dst := range map[string]**types.Date{"start_date": &from, "end_date": &to} {
		if s := q.Get(key); s != "" {
			dt, err := types.ParseDate(s)
			if err != nil {
				d.Add(key, "Must be a date (YYYY-MM-DD)")
				continue
			}
			*dst = &dt
		}
	}
	switch {
	case q.Get("start_date") != "" && q.Get("end_date") == "":
		d.Add("end_date", "The end date is required with a start date")
	case q.Get("end_date") != "" && q.Get("start_date") == "":
		d.Add("start_date", "The start date is required with an end date")
	case from != nil && to != nil && to.Time().Before(from.Time()):
		d.Add("end_date", "Must be on or after the start date")
	}
	return from, to
}

// pageQuery is an ent query a numbered page reads.
type pageQuery[Q any, T any] interface {
	Clone() Q
	Count(context.Context) (int, error)
	Offset(int) Q
	Limit(int) Q
	All(context.Context) ([]T, error)
}

// fetchPage counts what q matches and reads page pg of it: two
// statements whatever the page.
func fetchPage[Q pageQuery[Q, T], T any](ctx context.Context, q Q, pg laravelPage) ([]T, int, error) {
	total, err := q.Clone().Count(ctx)
	if err != nil {
		return nil, 0, err
	}
	list, err := q.Offset(pg.offset()).Limit(pg.perPage).All(ctx)
	return list, total, err
}
