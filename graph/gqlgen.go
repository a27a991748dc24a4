//go:build ignore

// gqlgen.go runs gqlgen's generator (as `gqlgen generate` would, with
// gqlgen.yml) plus one plugin, so that a query's fields resolve in order on
// the request's goroutine. Run through `make generate`.
//
// gqlgen's executor runs every field that has a resolver or a method with
// a context in a goroutine of its own (beyond the first of an object), and
// marshals every list of objects with one goroutine per element. BigLedger's
// resolvers do not need that: ent loads a list's edges eagerly (field
// collection) and the resolvers that read more (Invoice.payments,
// deliveries, …) load for all of a list's siblings at once on their first
// call (graph/helpers.go), so the goroutines only cost a spawn, a stack and
// a wake-up each: one per element of every list, and one per further
// resolver field of every object.
//
// The plugin turns off field concurrency for every type except
// Subscription (whose root fields are streams), so several root fields of
// one query also run one after the other; the list marshaller is swapped
// for marshalSliceInOrder (graph/inorder.go) after generation. The rewrite
// stops generation when there is no call left to replace, and
// TestGeneratedExecutorResolvesInOrder fails if any per-field or
// per-element goroutine comes back (e.g. a gqlgen upgrade that no longer
// honours DisableConcurrency, or a stock `gqlgen generate`).
package main

import (
	"bytes"
	"fmt"
	"log"
	"os"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"
)

type inOrder struct{ objects int }

func (*inOrder) Name() string { return "inorder" }

// GenerateCode runs before gqlgen writes its executor (api.Generate calls
// the plugins' GenerateCode first), so the flag reaches the templates.
func (p *inOrder) GenerateCode(data *codegen.Data) error {
	for _, o := range data.Objects {
		if o.Definition == data.Schema.Subscription {
			continue
		}
		o.DisableConcurrency = true
		p.objects++
	}
	if p.objects == 0 {
		return fmt.Errorf("inorder: no objects to resolve in order")
	}
	return nil
}

const (
	generated      = "graph/generated.go"
	concurrentList = "graphql.MarshalSliceConcurrently("
	inOrderList    = "marshalSliceInOrder("
)

func main() {
	cfg, err := config.LoadConfigFromDefaultLocations()
	if err != nil {
		log.Fatal(err)
	}
	p := &inOrder{}
	if err := api.Generate(cfg, api.AddPlugin(p)); err != nil {
		log.Fatal(err)
	}
	src, err := os.ReadFile(generated)
	if err != nil {
		log.Fatal(err)
	}
	n := bytes.Count(src, []byte(concurrentList))
	if n == 0 {
		log.Fatalf("%s: no %s left to replace (did gqlgen change how it marshals lists?)", generated, concurrentList)
	}
	src = bytes.ReplaceAll(src, []byte(concurrentList), []byte(inOrderList))
	if err := os.WriteFile(generated, src, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("gqlgen: %d object types resolve in order, %d list marshallers replaced\n", p.objects, n)
}
