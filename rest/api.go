package rest

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/graph"
	"github.com/bigledger/bigledger/internal/apperr"
)

// API serves the v1 REST facade. It calls the GraphQL resolvers' methods,
// which call the domain functions, so both faces share one code path.
type API struct {
	resolver *graph.Resolver
}

// NewAPI returns the REST facade over res (nil: a resolver without live
// events).
func NewAPI(res *graph.Resolver) *API {
	if res == nil {
		res = &graph.Resolver{}
	}
	return &API{resolver: res}
}

func (a *API) query() graph.QueryResolver       { return a.resolver.Query() }
func (a *API) mutation() graph.MutationResolver { return a.resolver.Mutation() }

// pathID reads a path id. A malformed id, or one of another type, answers
// exactly like a missing one (seed 000: "Customer with ID 'cust_invalid'
// not found").
func pathID(r *http.Request, name, prefix string, notFound func(pulid.ID) error) (pulid.ID, error) {
	raw := r.PathValue(name)
	id, err := pulid.ParseWithPrefix(raw, prefix)
	if err != nil {
		return "", notFound(pulid.ID(raw))
	}
	return id, nil
}

// checkEnum records a detail when an enum value is not one of its kind's.
func checkEnum[T ~string](d *apperr.Details, field string, v *T, valid func(T) error) {
	if v != nil && valid(*v) != nil {
		d.Add(field, "%s", notOneOf(string(*v), enumValues[T]()))
	}
}

func validationFor(code, field, message string) error {
	return apperr.Validation(code, "Validation failed", apperr.Detail{Field: field, Message: message})
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }
