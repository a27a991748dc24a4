package graph

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

func inOrderCtx() context.Context {
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter,
		func(context.Context, any) error { return errors.New("internal system error") })
	return graphql.WithFieldContext(ctx, &graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Alias: "contacts"}}})
}

// Every element is marshalled once, in order, on the caller's goroutine,
// with its own index in the field context (what an element's path and
// errors carry).
func TestMarshalSliceInOrder(t *testing.T) {
	ctx := inOrderCtx()
	before := runtime.NumGoroutine()
	var seen []int
	out := marshalSliceInOrder(ctx, 5, 0, false, func(ctx context.Context, i int) graphql.Marshaler {
		if fc := graphql.GetFieldContext(ctx); fc == nil || fc.Index == nil || *fc.Index != i {
			t.Errorf("element %d: field context index %v", i, fc)
		}
		if n := runtime.NumGoroutine(); n > before {
			t.Errorf("element %d marshalled beside %d new goroutines", i, n-before)
		}
		seen = append(seen, i)
		return graphql.MarshalInt(i)
	})
	if marshalled(out) != "[0,1,2,3,4]" {
		t.Fatalf("marshalled %s, want [0,1,2,3,4]", marshalled(out))
	}
	if len(seen) != 5 {
		t.Fatalf("elements marshalled %v", seen)
	}
	if empty := marshalSliceInOrder(ctx, 0, 0, false, nil); len(empty) != 0 {
		t.Fatalf("empty list marshalled as %s", marshalled(empty))
	}
}

// A panic in one element answers null there, with an error on that
// element's path, and leaves its siblings intact, as gqlgen's own
// marshaller does.
func TestMarshalSliceInOrderPanicNullsOneElement(t *testing.T) {
	ctx := inOrderCtx()
	out := marshalSliceInOrder(ctx, 3, 0, false, func(ctx context.Context, i int) graphql.Marshaler {
		if i == 1 {
			panic("boom")
		}
		return graphql.MarshalInt(i)
	})
	if got := marshalled(out); got != "[0,null,2]" {
		t.Fatalf("marshalled %s, want [0,null,2]", got)
	}
	errs := graphql.GetErrors(ctx)
	if len(errs) != 1 || errs[0].Message != "internal system error" || pathOf(errs[0]) != "contacts.1" {
		t.Fatalf("errors %v, want one internal error at contacts.1", errs)
	}
}

func marshalled(a graphql.Array) string {
	var b strings.Builder
	a.MarshalGQL(&b)
	return b.String()
}

func pathOf(e *gqlerror.Error) string {
	var parts []string
	for _, p := range e.Path {
		parts = append(parts, fmt.Sprint(p))
	}
	return strings.Join(parts, ".")
}

// The generated executor keeps none of gqlgen's per-field or per-element
// goroutines outside subscriptions (graph/gqlgen.go): a regeneration with
// the stock command would bring them back and fail here.
func TestGeneratedExecutorResolvesInOrder(t *testing.T) {
	src, err := os.ReadFile("generated.go")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(src), "graphql.MarshalSliceConcurrently("); n != 0 {
		t.Errorf("generated.go marshals %d lists with a goroutine per element", n)
	}
	if n := strings.Count(string(src), "marshalSliceInOrder("); n == 0 {
		t.Errorf("generated.go does not use marshalSliceInOrder")
	}
	// Only Subscription fields may still be resolved concurrently.
	for _, chunk := range strings.Split(string(src), "\nfunc (ec *executionContext) _")[1:] {
		name, _, _ := strings.Cut(chunk, "(")
		if strings.Contains(chunk, "ResolveConcurrently(") && name != "Subscription" {
			t.Errorf("_%s resolves fields in goroutines", name)
		}
	}
}
