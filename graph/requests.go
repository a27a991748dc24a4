package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// persistedQueries is gqlgen's automatic-persisted-query extension with
// every refusal coded (gqlgen leaves a hash mismatch, a bad extension and
// an unknown version without a code, which read as internal errors).
type persistedQueries struct {
	extension.AutomaticPersistedQuery
}

func (p persistedQueries) MutateOperationParameters(ctx context.Context, raw *graphql.RawParams) *gqlerror.Error {
	err := p.AutomaticPersistedQuery.MutateOperationParameters(ctx, raw)
	if err == nil {
		return nil
	}
	if err.Extensions == nil || err.Extensions["code"] == nil {
		code := "PERSISTED_QUERY_INVALID"
		if err.Message == "provided APQ hash does not match query" {
			code = "PERSISTED_QUERY_HASH_MISMATCH"
			err.Message = "extensions.persistedQuery.sha256Hash is not the SHA-256 of the query"
		}
		err.Extensions = map[string]any{"code": code}
	}
	return err
}

// strictVariables holds variables to the GraphQL specification's input
// coercion, which gqlparser relaxes: a String variable must be a JSON
// string (gqlparser takes 123), an Int or a Float a JSON number
// (gqlparser takes "30"), a Boolean true or false. Custom scalars decide
// for themselves.
func strictVariables(schema *ast.Schema, op *ast.OperationDefinition, vars map[string]any) *gqlerror.Error {
	for _, def := range op.VariableDefinitions {
		v, ok := vars[def.Variable]
		if !ok {
			continue
		}
		if path, want, bad := strictValue(schema, def.Type, v, def.Variable); bad {
			return inputError(path, "Must be "+want)
		}
	}
	return nil
}

func strictValue(schema *ast.Schema, t *ast.Type, v any, path string) (string, string, bool) {
	if v == nil {
		return "", "", false
	}
	if t.Elem != nil {
		if list, ok := v.([]any); ok {
			for i, e := range list {
				if p, w, bad := strictValue(schema, t.Elem, e, fmt.Sprintf("%s[%d]", path, i)); bad {
					return p, w, bad
				}
			}
			return "", "", false
		}
		// A single value stands for a list of one.
		return strictValue(schema, t.Elem, v, path)
	}
	def := schema.Types[t.NamedType]
	if def == nil {
		return "", "", false
	}
	switch def.Kind {
	case ast.InputObject:
		obj, ok := v.(map[string]any)
		if !ok {
			return "", "", false // gqlparser refuses it with its own message
		}
		for _, f := range def.Fields {
			if fv, ok := obj[f.Name]; ok {
				if p, w, bad := strictValue(schema, f.Type, fv, path+"."+f.Name); bad {
					return p, w, bad
				}
			}
		}
	case ast.Scalar:
		var want string
		var ok bool
		switch t.NamedType {
		case "String":
			want = "a string"
			_, ok = v.(string)
		case "Int":
			want = "an integer"
			ok = isNumber(v)
		case "Float":
			want = "a number"
			ok = isNumber(v)
		case "Boolean":
			want = "true or false"
			_, ok = v.(bool)
		default:
			return "", "", false
		}
		if !ok {
			return path, want, true
		}
	}
	return "", "", false
}

func isNumber(v any) bool {
	if _, ok := v.(json.Number); ok {
		return true
	}
	switch reflect.ValueOf(v).Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	}
	return false
}
