package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/internal/apperr"
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
	f := fields{present: map[string]bool{}, null: map[string]bool{}}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return f, apperr.Validation(code, "Request body too large")
		}
		return f, apperr.Validation(code, "Could not read request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return f, apperr.Validation(code, "Request body must be a JSON object")
	}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return f, apperr.Validation(code, "Request body must be a JSON object")
	}
	if dec.More() {
		return f, apperr.Validation(code, "Request body must hold a single JSON object")
	}
	rv := reflect.ValueOf(dst).Elem()
	rt := rv.Type()
	byTag := map[string]int{}
	for i := 0; i < rt.NumField(); i++ {
		tag := strings.Split(rt.Field(i).Tag.Get("json"), ",")[0]
		if tag != "" && tag != "-" {
			byTag[tag] = i
		}
	}
	var d apperr.Details
	for k, v := range raw {
		i, ok := byTag[k]
		if !ok {
			d.Add(k, "Unknown field")
			continue
		}
		f.present[k] = true
		if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			f.null[k] = true
			continue
		}
		fv := rv.Field(i)
		if err := json.Unmarshal(v, fv.Addr().Interface()); err != nil {
			d.Add(k, "%s", friendly(err, fv.Type()))
		}
	}
	sortDetails(d)
	return f, d.Err(code, message)
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
