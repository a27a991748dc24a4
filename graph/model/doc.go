// Package model holds gqlgen-generated GraphQL models that have no ent type.
package model
