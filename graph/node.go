package graph

import (
	"context"
	"reflect"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/attachment"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/store"
)

// openNodeTypes are Node types any authenticated key may read (its own
// company and users).
var openNodeTypes = map[string]bool{"Company": true, "User": true}

// nodeTypeName is the GraphQL type of an ent node (the ent type's name).
func nodeTypeName(n ent.Noder) string {
	t := reflect.TypeOf(n)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

// requireNodeScope demands of node(id:)/nodes(ids:) the read scope the
// node's own query field demands: a customers:read key reads no payment
// through node(). A type without a mapping is refused (fail closed), and
// the refusal is worded like a missing row, so it tells nothing of what
// the id names.
func requireNodeScope(ctx context.Context, n ent.Noder) error {
	name := nodeTypeName(n)
	if openNodeTypes[name] {
		return nil
	}
	scope, ok := typeScopes[name]
	if a, isAtt := n.(*ent.Attachment); isAtt {
		// An attachment is read with its document's scope (documentScopes,
		// as attachments(documentId:) demands).
		doc := a.DocumentID
		if doc == "" {
			// Field collection loaded only the columns asked for.
			s, err := store.Client(ctx).Attachment.Query().Where(attachment.ID(a.ID)).Select(attachment.FieldDocumentID).String(ctx)
			if err != nil {
				return err
			}
			doc = pulid.ID(s)
		}
		scope, ok = documentScopes[doc.Prefix()]
	}
	if !ok || scope == "" {
		return apperr.NotFound("NOT_FOUND", "Node not found")
	}
	return auth.Require(ctx, scope)
}

// authorizedNodes drops (to null, with an error at its index) every node
// the key may not read.
func authorizedNodes(ctx context.Context, nodes []ent.Noder) []ent.Noder {
	fc := graphql.GetFieldContext(ctx)
	for i, n := range nodes {
		if n == nil {
			continue
		}
		if err := requireNodeScope(ctx, n); err != nil {
			nodes[i] = nil
			var path ast.Path
			if fc != nil {
				path = append(fc.Path(), ast.PathIndex(i))
			}
			graphql.AddError(ctx, &gqlerror.Error{Err: err, Path: path})
		}
	}
	return nodes
}
