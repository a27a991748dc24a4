package ent

// This file is hand-written (not generated): the collection template is
// patched by entc.go ("list-cap") to load list edges through this bound.

// ListEdgeLimit is the most rows a plain-list edge (Customer.contacts,
// CustomerGroup.customers, Invoice.items, Payment.allocations, ...) loads
// per parent, the first by id. It equals the most lines a document may
// have (sales.MaxLines), so a document's lines are never cut; the GraphQL
// cost model prices every such list at this size.
const ListEdgeLimit = 500
