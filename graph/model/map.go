package model

import (
	"errors"

	"github.com/99designs/gqlgen/graphql"
)

// MarshalMap renders the Map scalar (a JSON object) as gqlgen's own does.
func MarshalMap(v map[string]any) graphql.Marshaler {
	if v == nil {
		return graphql.Null
	}
	return graphql.MarshalMap(v)
}

// UnmarshalMap reads the Map scalar: only a JSON object is one, and the
// error says so in the API's words (gqlgen's names Go types: "json.Number
// is not a map").
func UnmarshalMap(v any) (map[string]any, error) {
	if m, ok := v.(map[string]any); ok {
		return m, nil
	}
	return nil, errors.New("Must be a JSON object")
}
