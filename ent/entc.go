//go:build ignore

// entc.go generates the ent client, the GraphQL SDL in schema/ent.graphql
// and the Relay/WhereInput glue. Run through `make generate`.
package main

import (
	"log"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
)

func main() {
	ex, err := entgql.NewExtension(
		entgql.WithSchemaGenerator(),
		entgql.WithSchemaPath("schema/ent.graphql"),
		entgql.WithConfigPath("gqlgen.yml"),
		entgql.WithWhereInputs(true),
		entgql.WithNodeDescriptor(false),
	)
	if err != nil {
		log.Fatalf("creating entgql extension: %v", err)
	}
	templates := append(entgql.AllTemplates,
		gen.MustParse(gen.NewTemplate("pulid").ParseFiles("ent/template/pulid.tmpl")))
	cfg := &gen.Config{
		Target:    "ent",
		Package:   "github.com/bigledger/bigledger/ent",
		Templates: templates,
		Features: []gen.Feature{
			gen.FeaturePrivacy,
			gen.FeatureVersionedMigration,
			gen.FeatureExecQuery,
			gen.FeatureUpsert,
			gen.FeatureLock,
			gen.FeatureModifier,
			gen.FeatureIntercept,
		},
	}
	if err := entc.Generate("./ent/schema", cfg, entc.Extensions(ex)); err != nil {
		log.Fatalf("running ent codegen: %v", err)
	}
}
