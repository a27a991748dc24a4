// Package gqlcost bounds what one GraphQL document may cost, in two steps:
//
//   - CheckDocument runs on the parsed document before validation and
//     refuses documents whose size alone is the attack: fragment spreads
//     that expand exponentially, thousands of duplicated fields or
//     aliases, deep nesting. It counts with one memoised pass per fragment,
//     so a document of 2³⁰ expanded fields is refused in microseconds.
//   - Cost runs on the validated operation with its variables and prices
//     what the operation can make the server load: every object costs 1,
//     and a list costs the most rows it can hold times (1 + its
//     children's cost) (a connection's first/last or its default page, a plain list
//     its cap). A nested invoices(first:100) inside customers(first:100)
//     costs 100 × 100 × …, not 2.
package gqlcost

import (
	"fmt"
	"math"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// Limits are the document budget checked before validation.
type Limits struct {
	// MaxFields bounds the fields of the document with every fragment
	// spread expanded where it is used (each operation, and each fragment
	// on its own).
	MaxFields int
	// MaxAliases bounds the aliased fields, expanded the same way.
	MaxAliases int
	// MaxDepth bounds selection-set nesting, fragments expanded.
	MaxDepth int
	// MaxIntrospection bounds __schema and __type fields (introspection
	// answers are large: one full __schema is a few thousand objects).
	MaxIntrospection int
}

// Error is a document or operation over budget.
type Error struct {
	// Code is QUERY_TOO_LARGE (document budget) or
	// COMPLEXITY_LIMIT_EXCEEDED (cost).
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// counts is what one selection set adds up to, fragments expanded.
type counts struct {
	fields, aliases, depth, introspection int
}

func (c *counts) add(o counts, cap int) {
	c.fields = satAdd(c.fields, o.fields, cap)
	c.aliases = satAdd(c.aliases, o.aliases, cap)
	c.introspection = satAdd(c.introspection, o.introspection, cap)
	c.depth = max(c.depth, o.depth)
}

type docCheck struct {
	frags map[string]*ast.FragmentDefinition
	memo  map[string]counts
	// visiting marks fragments on the current expansion path: a spread
	// cycle is a validation error, counted here as empty so validation
	// reports it.
	visiting map[string]bool
	cap      int
}

// CheckDocument returns an *Error when doc exceeds the limits. It reads
// only the document (no schema), so it can run before validation.
func CheckDocument(doc *ast.QueryDocument, l Limits) error {
	cap := max(l.MaxFields, l.MaxAliases, l.MaxDepth, l.MaxIntrospection) + 1
	d := &docCheck{frags: map[string]*ast.FragmentDefinition{}, memo: map[string]counts{}, visiting: map[string]bool{}, cap: cap}
	for _, f := range doc.Fragments {
		d.frags[f.Name] = f
	}
	var total counts
	for _, op := range doc.Operations {
		total.add(d.set(op.SelectionSet), cap)
	}
	for _, f := range doc.Fragments {
		// An unused fragment is still validated: it is bounded too.
		c := d.fragment(f.Name)
		total.depth = max(total.depth, c.depth)
		if c.fields > total.fields {
			total.fields = c.fields
		}
		total.aliases = max(total.aliases, c.aliases)
		total.introspection = max(total.introspection, c.introspection)
	}
	switch {
	case l.MaxFields > 0 && total.fields > l.MaxFields:
		return tooLarge("fields (fragment spreads expanded)", l.MaxFields)
	case l.MaxAliases > 0 && total.aliases > l.MaxAliases:
		return tooLarge("aliased fields", l.MaxAliases)
	case l.MaxDepth > 0 && total.depth > l.MaxDepth:
		return tooLarge("levels of nesting", l.MaxDepth)
	case l.MaxIntrospection > 0 && total.introspection > l.MaxIntrospection:
		return tooLarge("__schema/__type fields", l.MaxIntrospection)
	}
	return nil
}

func tooLarge(what string, limit int) error {
	return &Error{Code: "QUERY_TOO_LARGE", Message: fmt.Sprintf("The document exceeds %d %s", limit, what)}
}

func (d *docCheck) set(ss ast.SelectionSet) counts {
	var c counts
	for _, s := range ss {
		switch s := s.(type) {
		case *ast.Field:
			c.fields = satAdd(c.fields, 1, d.cap)
			if s.Alias != "" && s.Alias != s.Name {
				c.aliases = satAdd(c.aliases, 1, d.cap)
			}
			if s.Name == "__schema" || s.Name == "__type" {
				c.introspection = satAdd(c.introspection, 1, d.cap)
			}
			sub := d.set(s.SelectionSet)
			if len(s.SelectionSet) > 0 {
				sub.depth = satAdd(sub.depth, 1, d.cap)
			}
			c.add(sub, d.cap)
		case *ast.InlineFragment:
			c.add(d.set(s.SelectionSet), d.cap)
		case *ast.FragmentSpread:
			c.add(d.fragment(s.Name), d.cap)
		}
	}
	return c
}

func (d *docCheck) fragment(name string) counts {
	if c, ok := d.memo[name]; ok {
		return c
	}
	f := d.frags[name]
	if f == nil || d.visiting[name] {
		return counts{}
	}
	d.visiting[name] = true
	c := d.set(f.SelectionSet)
	delete(d.visiting, name)
	d.memo[name] = c
	return c
}

// Model prices a validated operation.
type Model struct {
	// DefaultPage is a connection's size when neither first nor last is
	// given.
	DefaultPage int
	// ListCap is the size of a plain list field ("Type.field") that has
	// no first/ids argument; DefaultListCap when absent.
	ListCap        map[string]int
	DefaultListCap int
	// FieldCost overrides a field's own cost ("Query.reports": the work
	// behind it, not the object it returns).
	FieldCost map[string]int
	// Schema resolves field types.
	Schema *ast.Schema
}

// Cost prices op with vars. It saturates at math.MaxInt32.
func (m *Model) Cost(op *ast.OperationDefinition, vars map[string]any) int {
	return m.set(op.SelectionSet, vars, 0)
}

const costCap = math.MaxInt32

func (m *Model) set(ss ast.SelectionSet, vars map[string]any, page int) int {
	total := 0
	for _, s := range ss {
		var c int
		switch s := s.(type) {
		case *ast.Field:
			c = m.field(s, vars, page)
		case *ast.InlineFragment:
			c = m.set(s.SelectionSet, vars, page)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				c = m.set(s.Definition.SelectionSet, vars, page)
			}
		}
		total = satAdd(total, c, costCap)
	}
	return total
}

func (m *Model) field(f *ast.Field, vars map[string]any, page int) int {
	def := f.Definition
	if def == nil || f.ObjectDefinition == nil {
		return 0
	}
	key := f.ObjectDefinition.Name + "." + f.Name
	named := def.Type.Name()
	t := m.Schema.Types[named]
	composite := t != nil && (t.Kind == ast.Object || t.Kind == ast.Interface || t.Kind == ast.Union)
	own := 0
	if composite {
		own = 1
	}
	if v, ok := m.FieldCost[key]; ok {
		own = v
	}
	// Introspection is priced by its own field (__schema, __type): its
	// lists are the schema's, not data.
	if !composite || strings.HasPrefix(f.Name, "__") || strings.HasPrefix(f.ObjectDefinition.Name, "__") {
		return own
	}
	if def.Type.Elem == nil {
		childPage := 0
		if strings.HasSuffix(named, "Connection") {
			childPage = m.pageOf(f.ArgumentMap(vars))
		}
		return satAdd(own, m.set(f.SelectionSet, vars, childPage), costCap)
	}
	// A list of objects: each element is an object of its own.
	n := page
	if page == 0 || (f.Name != "edges" && f.Name != "nodes") {
		n = m.listSize(key, f.ArgumentMap(vars))
	}
	return satAdd(own, satMul(n, satAdd(1, m.set(f.SelectionSet, vars, 0), costCap)), costCap)
}

func (m *Model) pageOf(args map[string]any) int {
	// limit is seed 004's page size (page/limit paging).
	for _, k := range []string{"first", "last", "limit"} {
		if v, ok := intArg(args[k]); ok {
			return max(v, 0)
		}
	}
	return m.DefaultPage
}

func (m *Model) listSize(key string, args map[string]any) int {
	if ids, ok := args["ids"].([]any); ok {
		return len(ids)
	}
	if v, ok := intArg(args["first"]); ok {
		return max(v, 0)
	}
	if v, ok := m.ListCap[key]; ok {
		return v
	}
	return m.DefaultListCap
}

func intArg(v any) (int, bool) {
	switch v := v.(type) {
	case int:
		return v, true
	case int32:
		return int(v), true
	case int64:
		return int(min(v, costCap)), true
	case float64:
		return int(min(v, costCap)), true
	}
	return 0, false
}

func satAdd(a, b, cap int) int {
	if a >= cap-b {
		return cap
	}
	return a + b
}

func satMul(a, b int) int {
	if a == 0 || b == 0 {
		return 0
	}
	if a > costCap/b {
		return costCap
	}
	return a * b
}
