//go:build ignore

// entc.go generates the ent client, the GraphQL SDL in schema/ent.graphql
// and the Relay/WhereInput glue. Run through `make generate`.
package main

import (
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"
)

// customerInvoicesStatus gives Customer.invoices seed 004's status
// argument (invoices(status: UNPAID)); InvoiceStatusFilter is declared in
// schema/seed004.graphql and the field is resolved in graph/ (gqlgen.yml).
func customerInvoicesStatus(_ *gen.Graph, s *ast.Schema) error {
	t := s.Types["Customer"]
	if t == nil {
		return fmt.Errorf("schema hook: no Customer type")
	}
	f := t.Fields.ForName("invoices")
	if f == nil {
		return fmt.Errorf("schema hook: no Customer.invoices field")
	}
	f.Arguments = append(f.Arguments, &ast.ArgumentDefinition{
		Name:        "status",
		Description: "Seed 004's invoice state (UNPAID, OVERDUE, …), combined with where.",
		Type:        ast.NamedType("InvoiceStatusFilter", nil),
	})
	return nil
}

func main() {
	var gqlTemplates []*gen.Template
	for _, t := range entgql.AllTemplates {
		switch t.Name() {
		case "template/pagination.tmpl":
			t = patched(t.Name(), paginationPatches)
		case "template/collection.tmpl":
			t = patched(t.Name(), collectionPatches)
		case "template/edge.tmpl":
			t = patched(t.Name(), edgePatches)
		}
		gqlTemplates = append(gqlTemplates, t)
	}
	ex, err := entgql.NewExtension(
		entgql.WithTemplates(gqlTemplates...),
		entgql.WithSchemaGenerator(),
		entgql.WithSchemaPath("schema/ent.graphql"),
		entgql.WithConfigPath("gqlgen.yml"),
		entgql.WithWhereInputs(true),
		entgql.WithNodeDescriptor(false),
		entgql.WithSchemaHook(customerInvoicesStatus),
	)
	if err != nil {
		log.Fatalf("creating entgql extension: %v", err)
	}
	templates := []*gen.Template{
		gen.MustParse(gen.NewTemplate("pulid").ParseFiles("ent/template/pulid.tmpl")),
	}
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

// Two of entgql's templates are used with small, named patches applied to
// their text at generation time (not to the generated code), each of which
// must match exactly once, so an entgql upgrade that moves the text fails
// here instead of silently dropping the fix.
//
// count-when-asked: entgql runs SELECT COUNT(*) whenever `pageInfo` is
// selected, although pageInfo is computed from the page itself (LIMIT
// first+1); on a company with 100k invoices that count was the whole cost
// of a list page. Count only when `totalCount` is selected (or when edges
// are not selected at all, where pageInfo has nothing else to go on), and
// never when the caller already knows the total (SkipCount: REST carries
// the total of a listing in its cursor).
//
// cursor-check: a cursor is validated against the list's ordering before
// its values reach SQL, so a tampered or foreign cursor is bad input, not
// a driver error. It also bounds the first order field (field >= value
// after a cursor, ascending), which entgql's OR-expanded keyset predicate
// leaves out: with it the index scan starts at the cursor instead of
// filtering every row before it (a page 40,000 rows deep cost 40,000
// index entries).
//
// bounded-count: the count runs through countRows (ent/cursor.go), which
// is COUNT as before unless the context asks for a bounded count (REST:
// at most 10,001 rows, then the planner's estimate, flagged).
//
// id-direction-*: rows that tie on the order fields are ordered by id in
// the last field's direction (entgql: always ascending), so an ordering
// such as INVOICE_DATE DESC is one backward scan of (company_id,
// invoice_date, id) instead of an incremental sort.
var paginationPatches = []patch{
	{
		name: "count-when-asked",
		old:  "if hasCollectedField(ctx, totalCountField) || hasCollectedField(ctx, pageInfoField) {",
		new:  "if !countSkipped(ctx) && (hasCollectedField(ctx, totalCountField) || (ignoredEdges && hasCollectedField(ctx, pageInfoField))) {",
	},
	{
		name: "cursor-check",
		old: `func (p *{{ $pager }}) applyCursors(query *{{ $query }}, after, before *Cursor) (*{{ $query }}, error) {
	{{- if $multiOrder }}`,
		new: `func (p *{{ $pager }}) applyCursors(query *{{ $query }}, after, before *Cursor) (*{{ $query }}, error) {
	{{- if $multiOrder }}
		want := make([]ent.Value, len(p.order))
		for i, o := range p.order {
			want[i], _ = o.Field.Value(new({{ $name }}))
		}
		if err := checkCursors(after, before, want, true); err != nil {
			return nil, err
		}
		for _, c := range []*Cursor{after, before} {
			if c == nil || len(p.order) == 0 {
				continue
			}
			vs, _ := c.Value.([]any)
			if len(vs) == 0 || vs[0] == nil {
				continue
			}
			direction := p.order[0].Direction
			if p.reverse {
				direction = direction.Reverse()
			}
			column, v := p.order[0].Field.column, vs[0]
			if direction == entgql.OrderDirectionAsc {
				query = query.Where(func(s *sql.Selector) { s.Where(sql.GTE(s.C(column), v)) })
			} else {
				query = query.Where(func(s *sql.Selector) { s.Where(sql.LTE(s.C(column), v)) })
			}
		}`,
	},
	{
		name: "bounded-count",
		old: `			if conn.TotalCount, err = c.Count(ctx); err != nil {
				return nil, err
			}`,
		new: `			selector := func() (*sql.Selector, error) {
				if err := c.prepareQuery(ctx); err != nil {
					return nil, err
				}
				return c.sqlQuery(ctx), nil
			}
			if conn.TotalCount, err = countRows(ctx, c.driver, selector, c.Count); err != nil {
				return nil, err
			}`,
	},
	{
		name: "id-direction-method",
		old:  "func (p *{{ $pager }}) applyCursors(",
		new: `{{ if $multiOrder }}
// idDirection orders rows that tie on every order field by id, in the
// direction of the last order field, so (field DESC, id DESC) reads one
// index backwards instead of sorting.
func (p *{{ $pager }}) idDirection() OrderDirection {
	direction := entgql.OrderDirectionAsc
	if len(p.order) > 0 {
		direction = p.order[len(p.order)-1].Direction
	}
	if p.reverse {
		direction = direction.Reverse()
	}
	return direction
}
{{ end }}
func (p *{{ $pager }}) applyCursors(`,
	},
	{
		name: "id-direction-cursors",
		old: `		idDirection := entgql.OrderDirectionAsc
		if p.reverse {
			idDirection = entgql.OrderDirectionDesc
		}`,
		new: `		idDirection := p.idDirection()`,
	},
	{
		name: "id-direction-order",
		old: `		if !defaultOrdered {
			direction := entgql.OrderDirectionAsc
			if p.reverse {
				direction = direction.Reverse()
			}`,
		new: `		if !defaultOrdered {
			direction := p.idDirection()`,
	},
	{
		name: "id-direction-expr",
		old: `			direction := entgql.OrderDirectionAsc
			if p.reverse {
				direction = direction.Reverse()
			}
			b.Ident({{ $defaultOrder }}.Field.column).Pad().WriteString(string(direction))`,
		new: `			direction := p.idDirection()
			b.Ident({{ $defaultOrder }}.Field.column).Pad().WriteString(string(direction))`,
	},
	{
		name: "cursor-check-single",
		old:  "for _, predicate := range entgql.CursorsPredicate(after, before, {{ $defaultOrder }}.Field.column, p.order.Field.column, direction) {",
		new: `var want []ent.Value
		if p.order.Field.column != {{ $defaultOrder }}.Field.column {
			v, _ := p.order.Field.Value(new({{ $name }}))
			want = []ent.Value{v}
		}
		if err := checkCursors(after, before, want, false); err != nil {
			return nil, err
		}
		for _, predicate := range entgql.CursorsPredicate(after, before, {{ $defaultOrder }}.Field.column, p.order.Field.column, direction) {`,
	},
}

// collectionPatches: the same count-when-asked rule for nested connections
// loaded by field collection.
//
// list-cap: an edge that is a plain list (Customer.contacts,
// CustomerGroup.customers, Invoice.items, ...) is eager-loaded with at
// most ListEdgeLimit rows per parent, the first by id (creation order),
// instead of every row of every parent: the GraphQL cost model prices such
// a list at that cap, and the SQL now holds to the price.
var collectionPatches = []patch{
	{
		name: "list-cap",
		old: `						{{- else }}
							if err := query.collectField(ctx, {{ $oneNode }}, opCtx, field, path, mayAddCondition(satisfies, {{ nodeImplementorsVar $e.Type }})...); err != nil {
								return err
							}
						{{- end }}`,
		new: `						{{- else }}
							if err := query.collectField(ctx, {{ $oneNode }}, opCtx, field, path, mayAddCondition(satisfies, {{ nodeImplementorsVar $e.Type }})...); err != nil {
								return err
							}
							{{- if not $e.Unique }}
								if oneNode {
									query.Order(Asc("id")).Limit(ListEdgeLimit)
								} else {
									{{- $fk := print $node.Package "." $fc.Edge.ColumnConstant }}
									{{- if $e.M2M }}
										{{- $i := 0 }}{{ if $e.IsInverse }}{{ $i = 1 }}{{ end }}
										{{- $fk = print $node.Package "." $e.PKConstant "[" $i "]" }}
									{{- end }}
									query.modifiers = append(query.modifiers, entgql.LimitPerRow({{ $fk }}, ListEdgeLimit, sql.Expr("id")))
								}
							{{- end }}
						{{- end }}`,
	},
	{
		// resolver-columns: a field the GraphQL schema adds to an ent type
		// (Invoice.payments, Invoice.pdfUrl, ...) made entgql select every
		// column of the type, since its resolver might read any; a field
		// listed in resolverColumns (ent/resolver_columns.go) selects only
		// the columns its resolver reads.
		name: "resolver-columns",
		old: `				case "__typename":
				default:
					unknownSeen = true`,
		new: `				case "__typename":
				default:
					if cols, ok := resolverColumns["{{ $node.Name }}"][field.Name]; ok {
						for _, c := range cols {
							if _, ok := fieldSeen[c]; !ok {
								selectedFields = append(selectedFields, c)
								fieldSeen[c] = struct{}{}
							}
						}
					} else {
						unknownSeen = true
					}`,
	},
	{
		name: "count-when-asked",
		old:  "if hasCollectedField(ctx, append(path, totalCountField)...) || hasCollectedField(ctx, append(path, pageInfoField)...) {",
		new:  "if hasCollectedField(ctx, append(path, totalCountField)...) || (ignoredEdges && hasCollectedField(ctx, append(path, pageInfoField)...)) {",
	},
}

// edgePatches: the list-cap rule for a list edge resolved on its own (a
// node loaded without field collection, such as customerGroup(id)).
var edgePatches = []patch{
	{
		name: "list-cap",
		old:  "result, err = {{ $r }}.Query{{ $e.StructField }}().All(ctx)",
		new:  "result, err = {{ $r }}.Query{{ $e.StructField }}().Order(Asc(\"id\")).Limit(ListEdgeLimit).All(ctx)",
	},
}

type patch struct{ name, old, new string }

// patched parses entgql's template at path with the patches applied.
func patched(path string, patches []patch) *gen.Template {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "entgo.io/contrib").Output()
	if err != nil {
		log.Fatalf("locating entgo.io/contrib: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "entgql", path))
	if err != nil {
		log.Fatalf("reading entgql %s: %v", path, err)
	}
	text := string(b)
	for _, p := range patches {
		if n := strings.Count(text, p.old); n != 1 {
			log.Fatal(fmt.Errorf("entgql %s: patch %q matches %d times, want 1 (entgql changed? review the patch)", path, p.name, n))
		}
		text = strings.Replace(text, p.old, p.new, 1)
	}
	return gen.MustParse(gen.NewTemplate(path).Funcs(entgql.TemplateFuncs).Parse(text))
}
