package rest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/apperr"
	"github.com/bigledger/bigledger/internal/money"
)

// Page sizes for REST lists (DESIGN §3).
const (
	defaultLimit = 50
	maxLimit     = 100
)

type kind int

const (
	kString kind = iota
	kEnum
	kDecimal
	kTime
	kInt
	kBool
	kDate
)

// filterField describes one filterable attribute of a list: the base key
// of ent's WhereInput JSON ("creditLimit" → creditLimitGTE …) and its type.
type filterField struct {
	key   string
	kind  kind
	valid func(string) error // enum validator
	// values lists an enum's allowed values for its error message.
	values []string
}

// listSpec is what one list endpoint accepts.
type listSpec struct {
	filters map[string]filterField
	// aliases maps seed-specific parameters onto operator form, e.g.
	// "creditLimitMin" → "creditLimit[gte]".
	aliases map[string]string
	// sorts lists the sortable names.
	sorts map[string]bool
	// passthrough parameters the endpoint handles itself (search, tags).
	passthrough map[string]bool
}

type sortTerm struct {
	field string
	desc  bool
}

type listParams struct {
	limit int
	after *entgql.Cursor[pulid.ID]
	// total is the listing's row count, carried by the cursor from the
	// first page so later pages do not count again; estimated says it is
	// the planner's estimate (past countBound rows).
	total     *int
	estimated bool
	// exact asks the first page for an exact count whatever the size.
	exact bool
	count *ent.CountInfo
	where map[string]any
	sort  []sortTerm
}

// operator suffixes of ent's WhereInput fields, by seed-001 operator.
var opSuffix = map[string]string{
	"eq": "", "ne": "NEQ", "gt": "GT", "gte": "GTE", "lt": "LT", "lte": "LTE",
	"in": "In", "nin": "NotIn", "contains": "ContainsFold", "startswith": "HasPrefix", "endswith": "HasSuffix",
}

var opParam = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9_]*)\[([a-z]+)\]$`)

// parseList reads limit, cursor, sort/order and filters (plain `field=v`
// and seed-001 operator form `field[op]=v`) from q.
func parseList(q url.Values, spec listSpec, code string) (listParams, error) {
	p := listParams{limit: defaultLimit, where: map[string]any{}}
	var d apperr.Details
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			d.Add("limit", "Must be an integer between 1 and %d", maxLimit)
		} else {
			p.limit = n
		}
	}
	if s := q.Get("cursor"); s != "" {
		c, total, estimated, err := parseCursor(s)
		if err != nil {
			d.Add("cursor", "Invalid pagination cursor")
		} else {
			p.after, p.total, p.estimated = c, total, estimated
		}
	}
	switch q.Get("count") {
	case "", "estimate":
	case "exact":
		p.exact = true
	default:
		d.Add("count", "Must be exact or estimate")
	}
	p.sort = parseSort(q, spec, &d)
	for param, values := range q {
		switch param {
		case "limit", "cursor", "sort", "order", "count":
			continue
		}
		if spec.passthrough[param] {
			continue
		}
		name, op := param, "eq"
		if a, ok := spec.aliases[param]; ok {
			param = a
			name = a
		}
		if m := opParam.FindStringSubmatch(param); m != nil {
			name, op = m[1], m[2]
		}
		f, ok := spec.filters[name]
		if !ok {
			d.Add(param, "Unknown filter")
			continue
		}
		suffix, ok := opSuffix[op]
		if !ok {
			d.Add(param, "Unknown operator %q", op)
			continue
		}
		if f.kind != kString && (op == "contains" || op == "startswith" || op == "endswith") {
			d.Add(param, "Operator %q applies to text fields only", op)
			continue
		}
		if f.kind == kEnum && (op == "gt" || op == "gte" || op == "lt" || op == "lte") {
			d.Add(param, "Operator %q does not apply to %s", op, name)
			continue
		}
		raw := values[len(values)-1]
		if op == "in" || op == "nin" || (op == "eq" && f.kind == kEnum && strings.Contains(raw, ",")) {
			if op == "eq" {
				suffix = "In"
			}
			var list []any
			for _, part := range strings.Split(raw, ",") {
				v, err := parseValue(f, strings.TrimSpace(part))
				if err != nil {
					d.Add(param, "%s", err)
					continue
				}
				list = append(list, v)
			}
			p.where[f.key+suffix] = list
			continue
		}
		if f.kind == kDate {
			raw = monthEnd(raw, op)
		}
		v, err := parseValue(f, raw)
		if err != nil {
			d.Add(param, "%s", err)
			continue
		}
		p.where[f.key+suffix] = v
	}
	sortDetails(d)
	return p, d.Err(code, "Invalid query parameters")
}

var loneDate = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})$`)

// monthEnd reads a range bound past its month's end the way a client
// writing "YYYY-MM-31" for every month means it (seed 000's dashboard
// example): invoiceDateTo=2024-02-31 (lte) is through 2024-02-29, and
// so is gt; gte and lt move to the next month's first day. Days 29–31 of
// a month that lacks them only; an equality, or any other impossible
// date, stays invalid and is refused.
func monthEnd(s, op string) string {
	m := loneDate.FindStringSubmatch(s)
	if m == nil {
		return s
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	day, _ := strconv.Atoi(m[3])
	if mo < 1 || mo > 12 || day < 29 || day > 31 {
		return s
	}
	last := time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC)
	if day <= last.Day() {
		return s
	}
	switch op {
	case "lte", "gt":
		return last.Format("2006-01-02")
	case "gte", "lt":
		return last.AddDate(0, 0, 1).Format("2006-01-02")
	}
	return s
}

func parseValue(f filterField, s string) (any, error) {
	switch f.kind {
	case kEnum:
		if f.valid != nil {
			if err := f.valid(s); err != nil {
				return nil, fmt.Errorf("%s", notOneOf(s, f.values))
			}
		}
		return s, nil
	case kDecimal:
		v, err := money.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("Must be a number")
		}
		return v.String(), nil
	case kTime:
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t, nil
		}
		if t, err := time.Parse("2006-01-02", s); err == nil {
			return t, nil
		}
		return nil, fmt.Errorf("Must be an ISO 8601 date or timestamp")
	case kDate:
		if _, err := time.Parse("2006-01-02", s); err != nil {
			return nil, fmt.Errorf("Must be a date in YYYY-MM-DD form")
		}
		return s, nil
	case kInt:
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("Must be an integer")
		}
		return n, nil
	case kBool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, fmt.Errorf("Must be true or false")
		}
		return b, nil
	default:
		return s, nil
	}
}

// parseSort accepts seed 000 (`sort=name&order=desc`) and seed 001
// (`sort=name:desc,createdAt:asc`) forms.
func parseSort(q url.Values, spec listSpec, d *apperr.Details) []sortTerm {
	s := q.Get("sort")
	if s == "" {
		if q.Get("order") != "" {
			d.Add("order", "Requires sort")
		}
		return nil
	}
	order := strings.ToLower(q.Get("order"))
	if order != "" && order != "asc" && order != "desc" {
		d.Add("order", "Must be asc or desc")
	}
	var terms []sortTerm
	for _, part := range strings.Split(s, ",") {
		name, dir, hasDir := strings.Cut(strings.TrimSpace(part), ":")
		if !hasDir {
			dir = order
		}
		dir = strings.ToLower(dir)
		if !spec.sorts[name] {
			d.Add("sort", "Cannot sort by %q", name)
			continue
		}
		if dir != "" && dir != "asc" && dir != "desc" {
			d.Add("sort", "Direction must be asc or desc")
			continue
		}
		terms = append(terms, sortTerm{field: name, desc: dir == "desc"})
	}
	return terms
}

// into decodes the collected filters into an ent WhereInput (whose JSON
// tags name every operator field).
func (p listParams) into(dst any) error {
	b, err := json.Marshal(p.where)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, dst)
}

func direction(desc bool) entgql.OrderDirection {
	if desc {
		return entgql.OrderDirectionDesc
	}
	return entgql.OrderDirectionAsc
}

// countBound is how many rows a list counts exactly; past it `total` is
// PostgreSQL's estimate and `totalEstimated` is true (`count=exact` asks
// for an exact count anyway).
const countBound = 10000

// REST cursors carry the listing's total: "t<total>.<entgql cursor>"
// ("e<total>." when it is an estimate). The total is counted once, on the
// page without a cursor, and repeated by every later page of that listing
// (a COUNT over a large company costs far more than a page). A bare
// entgql cursor is accepted too.
func cursorString(c *entgql.Cursor[pulid.ID], total int, estimated bool) *string {
	if c == nil {
		return nil
	}
	var b strings.Builder
	c.MarshalGQL(&b)
	s, err := strconv.Unquote(b.String())
	if err != nil {
		return nil
	}
	tag := "t"
	if estimated {
		tag = "e"
	}
	s = tag + strconv.Itoa(total) + "." + s
	return &s
}

func parseCursor(s string) (c *entgql.Cursor[pulid.ID], total *int, estimated bool, err error) {
	if len(s) > 0 && (s[0] == 't' || s[0] == 'e') {
		n, rest, ok := strings.Cut(s[1:], ".")
		v, err := strconv.Atoi(n)
		if !ok || err != nil || v < 0 {
			return nil, nil, false, fmt.Errorf("malformed cursor")
		}
		total, estimated, s = &v, s[0] == 'e', rest
	}
	c = &entgql.Cursor[pulid.ID]{}
	if err := c.UnmarshalGQL(s); err != nil {
		return nil, nil, false, err
	}
	return c, total, estimated, nil
}

// ctx is the context the list query runs in: no count when the cursor
// carried the total, a bounded count otherwise (exact with count=exact).
func (p *listParams) ctx(ctx context.Context) context.Context {
	switch {
	case p.total != nil:
		return ent.SkipCount(ctx)
	case p.exact:
		return ctx
	}
	ctx, p.count = ent.WithBoundedCount(ctx, countBound)
	return ctx
}

// page renders the pagination block of a cursor-paged list.
func (p *listParams) page(info entgql.PageInfo[pulid.ID], counted int) pagination {
	total, estimated := counted, p.count != nil && p.count.Estimated
	if p.total != nil {
		total, estimated = *p.total, p.estimated
	}
	pg := pagination{HasMore: info.HasNextPage, Limit: p.limit, Total: total, TotalEstimated: estimated}
	if pg.HasMore {
		pg.NextCursor = cursorString(info.EndCursor, total, estimated)
	}
	return pg
}
