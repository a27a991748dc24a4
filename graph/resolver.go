// Package graph holds the GraphQL resolvers (thin: decode, call one domain
// function or one ent query, return) and gqlgen's generated executor.
package graph

//go:generate go tool gqlgen generate

// Resolver is the root resolver. It holds no state: the request's ent
// client travels in the context (store.Client).
type Resolver struct{}
