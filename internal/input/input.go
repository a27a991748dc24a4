// Package input holds the checks every decoded request value passes on
// both faces (REST and GraphQL) before it reaches a domain function.
package input

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// NULMessage is the detail for a string carrying U+0000, which PostgreSQL
// text cannot store.
const NULMessage = "Must not contain the NUL character (U+0000)"

// FindNUL returns the path of the first string (or map key) inside v that
// holds U+0000, walking maps and slices as decoded from JSON; path names
// v itself. Map keys are visited in order, so the answer is stable.
func FindNUL(v any, path string) (string, bool) {
	switch v := v.(type) {
	case string:
		return path, strings.IndexByte(v, 0) >= 0
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if strings.IndexByte(k, 0) >= 0 {
				return p, true
			}
			if at, ok := FindNUL(v[k], p); ok {
				return at, true
			}
		}
	case []any:
		for i, e := range v {
			if at, ok := FindNUL(e, fmt.Sprintf("%s[%d]", path, i)); ok {
				return at, true
			}
		}
	}
	return "", false
}

// MaxFilterLength bounds every search or filter string a list accepts
// (search, q, a WhereInput's strings, a REST query parameter): a
// 50,000-character ILIKE pattern cost seconds per row scan.
const MaxFilterLength = 200

// FilterTooLong is the detail for a filter string over MaxFilterLength.
const FilterTooLong = "Must be at most 200 characters"

// TooLong reports whether s is longer than MaxFilterLength characters.
func TooLong(s string) bool {
	return len(s) > MaxFilterLength && utf8.RuneCountInString(s) > MaxFilterLength
}
