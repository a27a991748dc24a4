package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/input"
	"github.com/bigledger/bigledger/internal/money"
)

// decimalValue is a request amount: a JSON number or string in plain
// decimal notation, parsed exactly (never through float64).
type decimalValue struct{ decimal.Decimal }

// UnmarshalJSON implements json.Unmarshaler.
func (d *decimalValue) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	v, err := money.Parse(s)
	if err != nil {
		return err
	}
	d.Decimal = v
	return nil
}

func (d *decimalValue) ptr() *decimal.Decimal {
	if d == nil {
		return nil
	}
	return &d.Decimal
}

// fields records which keys a request body carried and which were null,
// so a partial update can tell "leave alone" from "clear".
type fields struct {
	present map[string]bool
	null    map[string]bool
}

func (f fields) has(k string) bool    { return f.present[k] }
func (f fields) isNull(k string) bool { return f.null[k] }

// decodeBody decodes a JSON object into dst (a pointer to a struct whose
// fields carry json tags) one key at a time, so every problem names its
// field: unknown keys, wrong types and bad values are each one detail.
func decodeBody(r *http.Request, dst any, code, message string) (fields, error) {
	body, err := readBody(r, code)
	if err != nil {
		return fields{present: map[string]bool{}, null: map[string]bool{}}, err
	}
	return decodeBytes(body, dst, code, message)
}

// readBody reads a JSON request body whole with the checks every route
// makes before decoding: the size bound (413 PAYLOAD_TOO_LARGE), a body
// present, and a JSON content type.
func readBody(r *http.Request, code string) ([]byte, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &apperr.Error{Kind: apperr.KindValidation, Code: "PAYLOAD_TOO_LARGE", Status: http.StatusRequestEntityTooLarge,
				Message: fmt.Sprintf("The request body is larger than %d bytes", mbe.Limit)}
		}
		return nil, apperr.Validation(code, "Could not read request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, apperr.Validation(code, "Request body must be a JSON object")
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, _ := mime.ParseMediaType(ct); mt != "application/json" && !strings.HasSuffix(mt, "+json") {
			return nil, apperr.Validation(code, fmt.Sprintf("Request body must be JSON: send Content-Type: application/json (got %s)", mt))
		}
	}
	return body, nil
}

// decodeBytes is decodeBody for a body already read (a bulk operation's
// data): the same key-by-key decoding and field-named problems.
func decodeBytes(body []byte, dst any, code, message string) (fields, error) {
	f := fields{present: map[string]bool{}, null: map[string]bool{}}
	if len(bytes.TrimSpace(body)) == 0 {
		return f, apperr.Validation(code, "Request body must be a JSON object")
	}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			return f, apperr.Validation(code, "Request body must be a JSON object, not "+ute.Value)
		}
		return f, apperr.Validation(code, "Request body is not valid JSON: "+err.Error())
	}
	if raw == nil {
		return f, apperr.Validation(code, "Request body must be a JSON object, not null")
	}
	if dec.More() {
		return f, apperr.Validation(code, "Request body must hold a single JSON object")
	}
	// PostgreSQL text cannot hold U+0000: refuse it here, named by its
	// path, for every field of every body (the escape is the only way a
	// JSON string can carry it).
	if bytes.Contains(body, []byte(`\u0000`)) {
		var v any
		if json.Unmarshal(body, &v) == nil {
			if at, ok := input.FindNUL(v, ""); ok {
				return f, apperr.Validation(code, message, apperr.Detail{Field: at, Message: input.NULMessage})
			}
		}
	}
	var d apperr.Details
	decodeObject(raw, reflect.ValueOf(dst).Elem(), "", &d, &f)
	sortDetails(d)
	return f, d.Err(code, message)
}

var unmarshalerType = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()

// decodeObject decodes raw key by key into the struct rv, recursing into
// nested objects and arrays of objects so every problem carries its full
// path (items[2].quantity). f, when non-nil, records top-level keys.
func decodeObject(raw map[string]json.RawMessage, rv reflect.Value, prefix string, d *apperr.Details, f *fields) {
	rt := rv.Type()
	byTag := map[string]int{}
	for i := 0; i < rt.NumField(); i++ {
		tag := strings.Split(rt.Field(i).Tag.Get("json"), ",")[0]
		if tag != "" && tag != "-" {
			byTag[tag] = i
		}
	}
	for k, v := range raw {
		path := prefix + k
		i, ok := byTag[k]
		if !ok {
			d.Add(path, "Unknown field")
			continue
		}
		isNull := bytes.Equal(bytes.TrimSpace(v), []byte("null"))
		if f != nil {
			f.present[k] = true
			if isNull {
				f.null[k] = true
			}
		}
		if isNull {
			continue
		}
		decodeValue(v, rv.Field(i), path, d)
	}
}

// decodeValue decodes one JSON value into fv, descending into plain
// structs and slices of them.
func decodeValue(v json.RawMessage, fv reflect.Value, path string, d *apperr.Details) {
	t := fv.Type()
	elem := t
	if t.Kind() == reflect.Pointer {
		elem = t.Elem()
	}
	switch {
	case elem.Kind() == reflect.Struct && !reflect.PointerTo(elem).Implements(unmarshalerType):
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(v, &obj); err != nil || obj == nil {
			d.Add(path, "Must be an object")
			return
		}
		target := fv
		if t.Kind() == reflect.Pointer {
			fv.Set(reflect.New(elem))
			target = fv.Elem()
		}
		decodeObject(obj, target, path+".", d, nil)
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct && !reflect.PointerTo(t.Elem()).Implements(unmarshalerType):
		var arr []json.RawMessage
		if err := json.Unmarshal(v, &arr); err != nil || arr == nil {
			d.Add(path, "Must be an array")
			return
		}
		out := reflect.MakeSlice(t, len(arr), len(arr))
		for i, item := range arr {
			decodeValue(item, out.Index(i), fmt.Sprintf("%s[%d]", path, i), d)
		}
		fv.Set(out)
	default:
		if err := json.Unmarshal(v, fv.Addr().Interface()); err != nil {
			d.Add(path, "%s", friendly(err, fv.Type()))
		}
	}
}

func friendly(err error, t reflect.Type) string {
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		return fmt.Sprintf("Must be %s", describe(t))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return "Invalid JSON value"
	}
	msg := err.Error()
	if len(msg) > 0 {
		return strings.ToUpper(msg[:1]) + msg[1:]
	}
	return "Invalid value"
}

func describe(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "an integer"
	case reflect.Slice:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a valid value"
}

func sortDetails(d apperr.Details) {
	for i := 1; i < len(d); i++ {
		for j := i; j > 0 && d[j].Field < d[j-1].Field; j-- {
			d[j], d[j-1] = d[j-1], d[j]
		}
	}
}
