package rest

import (
	"fmt"
	"path"
	"reflect"
	"strings"
	"sync"

	"github.com/bigledger/bigledger/graph"
)

// entTypes names the ent type of each package whose enums the REST face
// validates (the GraphQL enum is <type><field>, e.g. PaymentMethod).
var entTypes = map[string]string{
	"payment": "Payment", "customer": "Customer", "salesorder": "SalesOrder", "customergroup": "CustomerGroup",
	"item": "Item", "quote": "Quote", "invoice": "Invoice", "account": "Account",
}

var graphqlEnums = sync.OnceValue(func() map[string][]string {
	out := map[string][]string{}
	for name, def := range graph.NewExecutableSchema(graph.Config{}).Schema().Types {
		for _, v := range def.EnumValues {
			out[name] = append(out[name], v.Name)
		}
	}
	return out
})

// enumValues lists the values of the ent enum type T ("cash, bank_transfer,
// …"), read from the GraphQL schema both faces share.
func enumValues[T ~string]() []string {
	t := reflect.TypeOf((*T)(nil)).Elem()
	owner := entTypes[path.Base(t.PkgPath())]
	return graphqlEnums()[owner+t.Name()]
}

// notOneOf is the detail for an enum value outside its list.
func notOneOf(got string, values []string) string {
	if len(values) == 0 {
		return fmt.Sprintf("%q is not a valid value", got)
	}
	return fmt.Sprintf("%q is not a valid value: must be one of %s", got, strings.Join(values, ", "))
}

// enumFilter is a list filter over the ent enum T: a bad value's error
// lists the allowed ones.
func enumFilter[T ~string](key string, valid func(T) error) filterField {
	return filterField{key: key, kind: kEnum, valid: func(s string) error { return valid(T(s)) }, values: enumValues[T]()}
}
