// Package crm holds the customer-relationship workflows: customers, their
// contacts and customer groups. Each exported function is one workflow in
// one transaction; resolvers and REST handlers call these and nothing else
// writes these tables.
package crm
