package ent

// resolverColumns lists, per ent type, the GraphQL fields that the schema
// adds to it (resolved in graph/, not columns of its own) whose resolvers
// read only the listed columns of the object (besides its id, which is
// always selected). Field collection then loads only what the query asked
// for plus these columns; a field not listed here loads every column.
// Keep an entry in step with its resolver: a resolver reading a column
// not listed sees its zero value (TestResolverColumns pins these).
var resolverColumns = map[string]map[string][]string{
	"Invoice": {
		"payments":   nil, // graph.invoicePayments: by id
		"deliveries": nil, // graph.deliveries: by id
		"pdfUrl":     {"invoice_number"},
	},
	"Quote": {
		"deliveries": nil,
		"pdfUrl":     {"quote_number"},
	},
}
