package rest

import (
	"encoding/json"
	"path"
	"reflect"
	"strings"
	"time"
	"unicode"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
)

// schemaGen derives JSON Schemas (OpenAPI 3.1, JSON Schema 2020-12) from
// the Go types the handlers encode and decode, so the document describes
// what the code really sends: a field's JSON name comes from its tag,
// `omitempty` makes it optional, and a pointer without `omitempty` is
// nullable. Named struct types become components.
type schemaGen struct {
	components map[string]any
	names      map[nameKey]string
	// request marks request bodies: every field optional (partial
	// updates), no unknown keys (decodeBody refuses them).
	request bool
}

func newSchemaGen() *schemaGen {
	return &schemaGen{components: map[string]any{}, names: map[nameKey]string{}}
}

type nameKey struct {
	t       reflect.Type
	request bool
}

var (
	tTime     = reflect.TypeFor[time.Time]()
	tDate     = reflect.TypeFor[types.Date]()
	tID       = reflect.TypeFor[pulid.ID]()
	tAmount   = reflect.TypeFor[amount]()
	tNumber   = reflect.TypeFor[number]()
	tDecValue = reflect.TypeFor[decimalValue]()
	tDecimal  = reflect.TypeFor[decimal.Decimal]()
	tRaw      = reflect.TypeFor[json.RawMessage]()
)

// special answers the schemas of the types that marshal themselves.
func special(t reflect.Type) (map[string]any, bool) {
	switch t {
	case tTime:
		return map[string]any{"type": "string", "format": "date-time"}, true
	case tDate:
		// The zero date marshals as null.
		return map[string]any{"type": []any{"string", "null"}, "format": "date", "examples": []any{"2024-01-15"}}, true
	case tID:
		return map[string]any{"type": "string", "description": "Prefixed id (prefix_ULID)", "examples": []any{"cust_01JD8Y5Q2V7Z3M4N5P6R7S8T9V"}}, true
	case tAmount:
		return map[string]any{"type": "number", "description": "Money at the currency's scale (2567.50), written from an exact decimal"}, true
	case tNumber:
		return map[string]any{"type": "number"}, true
	case tDecValue:
		return map[string]any{"type": []any{"number", "string"}, "description": "A decimal: a JSON number or a string in plain notation (\"2567.50\")"}, true
	case tDecimal:
		return map[string]any{"type": "string", "pattern": `^-?[0-9]+(\.[0-9]+)?$`, "description": "An exact decimal as a string"}, true
	case tRaw:
		return map[string]any{}, true
	}
	if t.Implements(tMarshaler) && t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		// Another type that writes itself: its zero value's JSON tells
		// which kind of value it writes.
		b, err := reflect.Zero(t).Interface().(json.Marshaler).MarshalJSON()
		if err != nil {
			return map[string]any{}, true
		}
		switch {
		case len(b) > 0 && b[0] == '"':
			return map[string]any{"type": "string"}, true
		case len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9')):
			return map[string]any{"type": "number"}, true
		case string(b) == "true" || string(b) == "false":
			return map[string]any{"type": "boolean"}, true
		}
		return map[string]any{}, true
	}
	return nil, false
}

var tMarshaler = reflect.TypeFor[json.Marshaler]()

// componentName turns a Go type name into a component name: customerV1 →
// Customer, customerRequest → CustomerRequest.
func componentName(t reflect.Type) string {
	n := strings.TrimSuffix(t.Name(), "V1")
	if n == "" {
		return ""
	}
	r := []rune(n)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// of returns the schema of t (a $ref for a named struct).
func (g *schemaGen) of(t reflect.Type) map[string]any {
	if s, ok := special(t); ok {
		return s
	}
	switch t.Kind() {
	case reflect.Pointer:
		return nullable(g.of(t.Elem()))
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.of(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.of(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := componentName(t)
		if name == "" {
			return g.object(t)
		}
		// A type read in a request body and written in an answer gets two
		// components (the input allows no unknown keys, requires nothing).
		key := nameKey{t, g.request}
		if prev, ok := g.names[key]; ok {
			return ref(prev)
		}
		if g.request && !strings.HasSuffix(name, "Request") {
			name += "Input"
		}
		if g.components[name] != nil {
			// Another package's type of the same name: prefix the package.
			pkg := []rune(path.Base(t.PkgPath()))
			pkg[0] = unicode.ToUpper(pkg[0])
			name = string(pkg) + name
		}
		for n := 2; g.components[name] != nil; n++ {
			name = strings.TrimRight(name, "0123456789") + itoa(n)
		}
		g.names[key] = name
		g.components[name] = map[string]any{} // reserved while its fields are walked
		g.components[name] = g.object(t)
		return ref(name)
	}
	return map[string]any{}
}

func ref(name string) map[string]any {
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

// nullable lets s be null too.
func nullable(s map[string]any) map[string]any {
	if _, isRef := s["$ref"]; isRef || s["type"] == nil {
		if len(s) == 0 {
			return s
		}
		return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
	}
	out := map[string]any{}
	for k, v := range s {
		out[k] = v
	}
	switch tt := s["type"].(type) {
	case string:
		out["type"] = []any{tt, "null"}
	case []any:
		if !containsAny(tt, "null") {
			out["type"] = append(append([]any{}, tt...), "null")
		}
	}
	return out
}

func containsAny(list []any, v any) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// object is the schema of a struct's JSON object.
func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []any
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" {
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					walk(ft)
					continue
				}
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			omit := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
			var s map[string]any
			if omit && f.Type.Kind() == reflect.Pointer {
				// Absent when nil, so never null.
				s = g.of(f.Type.Elem())
			} else {
				s = g.of(f.Type)
			}
			if d := f.Tag.Get("doc"); d != "" {
				if _, isRef := s["$ref"]; !isRef {
					s = withDescription(s, d)
				}
			}
			props[name] = s
			if !omit && !g.request {
				required = append(required, name)
			}
		}
	}
	walk(t)
	out := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		out["required"] = required
	}
	if g.request {
		out["additionalProperties"] = false
	}
	return out
}

func withDescription(s map[string]any, d string) map[string]any {
	out := map[string]any{"description": d}
	for k, v := range s {
		out[k] = v
	}
	return out
}
