package rest

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

// CSV export (issue: every v1 list as ?format=csv or Accept: text/csv):
// the same filters and sort as the JSON list, streamed page by page (100
// rows a page through the list's own cursor), so memory stays flat however
// many rows match. Columns are the JSON fields in their order; amounts
// print as they do in JSON (at the currency's scale); nested objects and
// arrays are JSON text in their cell; RFC 4180 quoting.

const csvPage = 100

// wantsCSV reports whether r asks for CSV.
func wantsCSV(r *http.Request) bool {
	if r.URL.Query().Get("format") == "csv" {
		return true
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		if mt, _, _ := mime.ParseMediaType(strings.TrimSpace(part)); mt == "text/csv" {
			return true
		}
	}
	return false
}

// serveCSV answers fn's data as CSV, walking every page of a list.
func serveCSV(w http.ResponseWriter, r *http.Request, fn endpoint) {
	q := r.URL.Query()
	q.Del("format")
	q.Set("limit", strconv.Itoa(csvPage))
	q.Del("page")
	integration := isIntegration(r)
	if integration {
		q.Set("per_page", strconv.Itoa(csvPage))
	}
	var cw *csv.Writer
	for page := 1; ; page++ {
		u := *r.URL
		u.RawQuery = q.Encode()
		pr := r.Clone(r.Context())
		pr.URL = &u
		res, err := fn(pr)
		if err != nil {
			if cw == nil {
				WriteError(w, r, err)
				return
			}
			// Headers are gone: end the body with what was written; the
			// missing rows show as a short file and the error is logged.
			cw.Flush()
			WriteError(nopWriter{}, r, err)
			return
		}
		// Seed 003's single objects are one row with a data_json column
		// holding the JSON data object whole.
		single := integration && res.page == nil && reflect.ValueOf(res.data).Kind() != reflect.Slice
		if cw == nil {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="export.csv"`)
			w.WriteHeader(http.StatusOK)
			cw = csv.NewWriter(w)
			if integration {
				// Seed 003: a UTF-8 BOM, so spreadsheets read the file as UTF-8.
				_, _ = io.WriteString(w, "\ufeff")
			}
			h := csvHeader(res.data)
			if single {
				h = append(h, "data_json")
			}
			_ = cw.Write(h)
		}
		for _, row := range csvRows(res.data) {
			if single {
				b, _ := json.Marshal(res.data)
				row = append(row, string(b))
			}
			_ = cw.Write(row)
		}
		cw.Flush()
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		switch p := res.page; {
		case p == nil:
			return
		case p.NextCursor != nil:
			q.Set("cursor", *p.NextCursor)
		case p.Page > 0 && p.Page < p.Pages:
			q.Set("page", strconv.Itoa(page+1))
		default:
			return
		}
	}
}

// nopWriter swallows an error answer that can no longer be sent.
type nopWriter struct{}

func (nopWriter) Header() http.Header         { return http.Header{} }
func (nopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (nopWriter) WriteHeader(int)             {}

// elem is the struct type of data's rows (data: a slice, or one value).
func elem(data any) (reflect.Value, reflect.Type) {
	v := reflect.ValueOf(data)
	t := v.Type()
	if t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return v, t
}

type column struct {
	name  string
	index []int
}

func columns(t reflect.Type) []column {
	var out []column
	if t.Kind() != reflect.Struct {
		return []column{{name: "value"}}
	}
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, column{name: name, index: f.Index})
	}
	return out
}

func csvHeader(data any) []string {
	_, t := elem(data)
	var h []string
	for _, c := range columns(t) {
		h = append(h, c.name)
	}
	return h
}

func csvRows(data any) [][]string {
	v, t := elem(data)
	cols := columns(t)
	var rows []reflect.Value
	if v.Kind() == reflect.Slice {
		for i := 0; i < v.Len(); i++ {
			rows = append(rows, v.Index(i))
		}
	} else {
		rows = append(rows, v)
	}
	out := make([][]string, 0, len(rows))
	for _, rv := range rows {
		for rv.Kind() == reflect.Pointer {
			if rv.IsNil() {
				break
			}
			rv = rv.Elem()
		}
		row := make([]string, len(cols))
		for i, c := range cols {
			if c.index == nil {
				row[i] = cell(rv)
				continue
			}
			if f, err := rv.FieldByIndexErr(c.index); err == nil {
				row[i] = cell(f)
			}
		}
		out = append(out, row)
	}
	return out
}

// cell prints one value as its JSON does, unquoted when it is a string.
func cell(v reflect.Value) string {
	if !v.IsValid() || ((v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface || v.Kind() == reflect.Map || v.Kind() == reflect.Slice) && v.IsNil()) {
		return ""
	}
	b, err := json.Marshal(v.Interface())
	if err != nil || string(b) == "null" {
		return ""
	}
	if b[0] == '"' {
		var s string
		if json.Unmarshal(b, &s) == nil {
			return s
		}
	}
	return string(b)
}
