// Package graph holds the GraphQL resolvers (thin: decode, call one domain
// function or one ent query, return) and gqlgen's generated executor.
package graph

import (
	"database/sql"
	"log/slog"

	"github.com/bigledger/bigledger/internal/events"
)

//go:generate go tool gqlgen generate

// Resolver is the root resolver. The request's ent client travels in the
// context (store.Client); subscriptions follow the instance's event Hub.
type Resolver struct {
	Hub *events.Hub
	DB  *sql.DB
	Log *slog.Logger
	// AllowPrivateWebhooks accepts loopback/private webhook URLs
	// (development and tests only).
	AllowPrivateWebhooks bool
}
