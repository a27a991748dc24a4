package graph

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
)

// declareSuppliedVariables declares, in each operation of doc, the
// variables it uses without declaring them but that the request does
// supply, with the type of the argument (or input field) they fill. Seed
// 004's own example "CreateAndSendInvoice" uses $invoiceId without
// declaring it; a client that sends invoiceId in variables gets what the
// example means instead of a validation error. Variables neither declared
// nor supplied are left to validation, which names them. It answers the
// rewritten document, or "" when nothing was missing.
func declareSuppliedVariables(schema *ast.Schema, doc *ast.QueryDocument, vars map[string]any) string {
	if schema == nil || len(vars) == 0 {
		return ""
	}
	changed := false
	for _, op := range doc.Operations {
		declared := map[string]bool{}
		for _, v := range op.VariableDefinitions {
			declared[v.Variable] = true
		}
		var root *ast.Definition
		switch op.Operation {
		case ast.Mutation:
			root = schema.Mutation
		case ast.Subscription:
			root = schema.Subscription
		default:
			root = schema.Query
		}
		w := varWalker{schema: schema, doc: doc, seen: map[string]bool{}, use: func(name string, t *ast.Type) {
			if _, given := vars[name]; !given || declared[name] || t == nil {
				return
			}
			declared[name] = true
			changed = true
			op.VariableDefinitions = append(op.VariableDefinitions, &ast.VariableDefinition{Variable: name, Type: t})
		}}
		w.selections(op.SelectionSet, root)
	}
	if !changed {
		return ""
	}
	var b strings.Builder
	formatter.NewFormatter(&b).FormatQueryDocument(doc)
	return b.String()
}

type varWalker struct {
	schema *ast.Schema
	doc    *ast.QueryDocument
	seen   map[string]bool // fragments walked
	use    func(name string, t *ast.Type)
}

func (w varWalker) selections(set ast.SelectionSet, parent *ast.Definition) {
	if parent == nil {
		return
	}
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			def := parent.Fields.ForName(s.Name)
			if def == nil {
				continue
			}
			for _, a := range s.Arguments {
				if ad := def.Arguments.ForName(a.Name); ad != nil {
					w.value(a.Value, ad.Type)
				}
			}
			w.selections(s.SelectionSet, w.schema.Types[def.Type.Name()])
		case *ast.InlineFragment:
			t := parent
			if s.TypeCondition != "" {
				t = w.schema.Types[s.TypeCondition]
			}
			w.selections(s.SelectionSet, t)
		case *ast.FragmentSpread:
			if w.seen[s.Name] {
				continue
			}
			w.seen[s.Name] = true
			if f := w.doc.Fragments.ForName(s.Name); f != nil {
				w.selections(f.SelectionSet, w.schema.Types[f.TypeCondition])
			}
		}
	}
}

func (w varWalker) value(v *ast.Value, t *ast.Type) {
	if v == nil || t == nil {
		return
	}
	switch v.Kind {
	case ast.Variable:
		w.use(v.Raw, t)
	case ast.ListValue:
		for _, c := range v.Children {
			w.value(c.Value, t.Elem)
		}
	case ast.ObjectValue:
		def := w.schema.Types[t.Name()]
		if def == nil {
			return
		}
		for _, c := range v.Children {
			if f := def.Fields.ForName(c.Name); f != nil {
				w.value(c.Value, f.Type)
			}
		}
	}
}
