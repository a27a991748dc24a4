// Package benchdata loads a realistic company into a database at the size
// the performance work is judged on (10,000 customers, 20,000 contacts,
// 100,000 invoices with 300,000 lines, 50,000 payments, quotes, orders and
// the journal entries all of those post), in seconds rather than the hours
// the API would take.
//
// Rows are written with COPY into the tables of the ent schema
// (ent/migrate.Tables): every column the generator does not set is filled
// from the schema itself (its database default, NULL when nullable, else
// a zero of the column's type), so a new column does not break the loader.
// The data obeys the ledger's invariants (ledger.Verify passes): issued
// invoices post Dr receivable / Cr sales and tax, payments post Dr bank /
// Cr receivable, customer balances and invoice amounts agree with them,
// and document counters continue where the data stops.
package benchdata

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"entgo.io/ent/dialect"
	entschema "entgo.io/ent/dialect/sql/schema"
	"entgo.io/ent/schema/field"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent/migrate"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/numbering"
	"github.com/bigledger/bigledger/internal/sales"
)

// Spec is the size of the data set.
type Spec struct {
	Customers      int
	ContactsEach   int
	Groups         int
	Invoices       int
	LinesEach      int
	Payments       int // each pays one issued invoice in full
	Quotes, Orders int
	Items          int // products lines refer to (default 200)
	Seed           uint64
	// Today anchors the dates: invoices spread over the two years before.
	Today types.Date
}

// Full is the size the performance issue measures.
func Full() Spec {
	return Spec{Customers: 10000, ContactsEach: 2, Groups: 20, Invoices: 100000, LinesEach: 3,
		Payments: 50000, Quotes: 10000, Orders: 10000, Seed: 1}
}

// Stats counts what was written.
type Stats struct {
	Rows     map[string]int
	Issued   int // invoices not in draft
	Paid     int
	Duration time.Duration
}

type line struct {
	code, desc     string
	qty, price     decimal.Decimal
	discPct, rate  decimal.Decimal
	res            sales.LineResult
	taxCode, itemI string
}

type doc struct {
	id       pulid.ID
	customer int
	date     types.Date
	lines    []line
	totals   sales.Totals
	status   string
	number   string
	paidOn   types.Date // zero while unpaid
}

type account struct{ id string }

// Load writes spec's data into companyID's books, which must exist with
// its chart of accounts and tax codes (provision.EnsureCompanyKey), in one
// transaction.
func Load(ctx context.Context, db *sql.DB, companyID string, spec Spec) (*Stats, error) {
	start := time.Now()
	if spec.Today.IsZero() {
		spec.Today = types.DateOf(time.Now().UTC())
	}
	if spec.Payments > spec.Invoices {
		return nil, fmt.Errorf("benchdata: more payments than invoices")
	}
	r := rand.New(rand.NewPCG(spec.Seed, 0x5eed))
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	l := &loader{ctx: ctx, tx: tx, company: companyID, stats: &Stats{Rows: map[string]int{}}}

	roles := map[string]string{}
	rows, err := tx.QueryContext(ctx, `SELECT system_role, id FROM accounts WHERE company_id = $1 AND system_role IS NOT NULL`, companyID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var role, id string
		if err := rows.Scan(&role, &id); err != nil {
			return nil, err
		}
		roles[role] = id
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	for _, role := range []string{"bank", "accounts_receivable", "sales", "tax_payable"} {
		if roles[role] == "" {
			return nil, fmt.Errorf("benchdata: company %s has no %s account (provision it first)", companyID, role)
		}
	}
	type taxCode struct {
		code string
		rate decimal.Decimal
	}
	var taxes []taxCode
	rows, err = tx.QueryContext(ctx, `SELECT code, rate::text FROM tax_codes WHERE company_id = $1 ORDER BY code`, companyID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var t taxCode
		var rate string
		if err := rows.Scan(&t.code, &rate); err != nil {
			return nil, err
		}
		t.rate = decimal.RequireFromString(rate)
		taxes = append(taxes, t)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if len(taxes) == 0 {
		taxes = []taxCode{{"SST", decimal.NewFromInt(6)}}
	}
	var userID string
	// Documents name their creator when the company has a user.
	err = tx.QueryRowContext(ctx, `SELECT id FROM users WHERE company_id = $1 ORDER BY created_at LIMIT 1`, companyID).Scan(&userID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}

	// Items: 200 products and services lines refer to.
	nItems := spec.Items
	if nItems <= 0 {
		nItems = 200
	}
	itemIDs := make([]string, nItems)
	itemPrice := make([]decimal.Decimal, nItems)
	if err := l.copy("items", nItems, func(i int, row map[string]any) {
		itemIDs[i] = string(pulid.New("item"))
		itemPrice[i] = decimal.New(int64(500+r.IntN(50000)), -2)
		row["id"], row["code"], row["name"] = itemIDs[i], fmt.Sprintf("ITEM-%04d", i+1), fmt.Sprintf("Item %d", i+1)
		row["unit_price"] = itemPrice[i]
		row["type"] = []string{"product", "service"}[i%2]
	}); err != nil {
		return nil, err
	}

	newLines := func(n int) []line {
		ls := make([]line, n)
		for k := range ls {
			it := r.IntN(nItems)
			tc := taxes[r.IntN(len(taxes))]
			ls[k] = line{code: fmt.Sprintf("ITEM-%04d", it+1), itemI: itemIDs[it], desc: fmt.Sprintf("Item %d", it+1),
				qty: decimal.NewFromInt(int64(1 + r.IntN(10))), price: itemPrice[it],
				discPct: decimal.NewFromInt(int64([]int{0, 0, 5, 10}[r.IntN(4)])), rate: tc.rate, taxCode: tc.code}
			ls[k].res = sales.ComputeLine(sales.LineAmounts{Quantity: ls[k].qty, UnitPrice: ls[k].price,
				DiscountPercent: ls[k].discPct, TaxRate: ls[k].rate}, "MYR")
		}
		return ls
	}
	totals := func(ls []line) sales.Totals {
		rs := make([]sales.LineResult, len(ls))
		for i := range ls {
			rs[i] = ls[i].res
		}
		return sales.ComputeTotals(rs, decimal.Zero)
	}
	dayBefore := func(days int) types.Date { return types.DateOf(spec.Today.Time().AddDate(0, 0, -days)) }

	// Invoices, numbered per year in date order like the API does.
	invs := make([]*doc, spec.Invoices)
	for i := range invs {
		ls := newLines(spec.LinesEach)
		invs[i] = &doc{id: pulid.New("inv"), customer: r.IntN(max(spec.Customers, 1)), date: dayBefore(r.IntN(730)),
			lines: ls, totals: totals(ls), status: "sent"}
		if r.IntN(20) == 0 {
			invs[i].status = "draft"
		}
	}
	sort.SliceStable(invs, func(a, b int) bool { return invs[a].date.Time().Before(invs[b].date.Time()) })
	counters := map[[2]any]int{}
	number := func(kind numbering.Kind, d types.Date) string {
		k := [2]any{kind.Name, d.Year}
		counters[k]++
		return numbering.Format(kind, d.Year, int64(counters[k]))
	}
	for _, inv := range invs {
		inv.number = number(sales.InvoiceKind, inv.date)
	}
	// Payments settle issued invoices in full, chosen at random.
	issued := make([]*doc, 0, len(invs))
	for _, inv := range invs {
		if inv.status != "draft" {
			issued = append(issued, inv)
		}
	}
	if spec.Payments > len(issued) {
		spec.Payments = len(issued)
	}
	r.Shuffle(len(issued), func(a, b int) { issued[a], issued[b] = issued[b], issued[a] })
	type payment struct {
		id     pulid.ID
		inv    *doc
		date   types.Date
		number string
	}
	pays := make([]*payment, spec.Payments)
	for i := range pays {
		inv := issued[i]
		d := types.DateOf(inv.date.Time().AddDate(0, 0, r.IntN(45)))
		if d.Time().After(spec.Today.Time()) {
			d = spec.Today
		}
		pays[i] = &payment{id: pulid.New("pay"), inv: inv, date: d}
		inv.status, inv.paidOn = "paid", d
	}
	sort.SliceStable(pays, func(a, b int) bool { return pays[a].date.Time().Before(pays[b].date.Time()) })
	for _, p := range pays {
		p.number = number(paymentKind, p.date)
	}

	// Customers with their derived figures.
	type custAgg struct {
		balance, sales decimal.Decimal
		last           types.Date
	}
	agg := make([]custAgg, spec.Customers)
	for _, inv := range invs {
		if inv.status == "draft" {
			continue
		}
		a := &agg[inv.customer]
		a.sales = a.sales.Add(inv.totals.Total)
		if inv.status != "paid" {
			a.balance = a.balance.Add(inv.totals.Total)
		}
		if inv.date.Time().After(a.last.Time()) {
			a.last = inv.date
		}
	}
	groupIDs := make([]string, spec.Groups)
	if err := l.copy("customer_groups", spec.Groups, func(i int, row map[string]any) {
		groupIDs[i] = string(pulid.New("grp"))
		row["id"], row["name"], row["amount"] = groupIDs[i], fmt.Sprintf("Group %02d", i+1), decimal.NewFromInt(int64(i%10))
	}); err != nil {
		return nil, err
	}
	custIDs := make([]string, spec.Customers)
	words := []string{"Trading", "Holdings", "Retail", "Logistics", "Foods", "Engineering", "Textiles", "Digital"}
	if err := l.copy("customers", spec.Customers, func(i int, row map[string]any) {
		custIDs[i] = string(pulid.New("cust"))
		row["id"], row["customer_number"] = custIDs[i], numbering.Format(numbering.Customer, 0, int64(i+1))
		row["name"] = fmt.Sprintf("Customer %05d %s Sdn Bhd", i+1, words[i%len(words)])
		row["type"] = "business"
		row["email"] = fmt.Sprintf("billing%05d@example.com", i+1)
		row["phone"] = fmt.Sprintf("+6012%07d", i)
		row["payment_terms"] = 30
		row["credit_limit"] = decimal.NewFromInt(int64(1000 * (1 + i%50)))
		row["current_balance"], row["total_sales"] = agg[i].balance, agg[i].sales
		if !agg[i].last.IsZero() {
			row["last_sale_date"] = agg[i].last
		}
		row["address"] = `{"street":"1 Jalan Ampang","city":"Kuala Lumpur","postalCode":"50450","country":"MY"}`
		if len(groupIDs) > 0 {
			row["group_id"] = groupIDs[i%len(groupIDs)]
		}
		if userID != "" {
			row["created_by_id"] = userID
		}
	}); err != nil {
		return nil, err
	}
	if err := l.copy("contacts", spec.Customers*spec.ContactsEach, func(i int, row map[string]any) {
		c := i / spec.ContactsEach
		row["id"], row["customer_id"] = string(pulid.New("contact")), custIDs[c]
		row["name"] = fmt.Sprintf("Contact %d of customer %d", i%spec.ContactsEach+1, c+1)
		row["email"] = fmt.Sprintf("person%d.%05d@example.com", i%spec.ContactsEach+1, c+1)
		row["is_primary"] = i%spec.ContactsEach == 0
		row["is_active"] = true
	}); err != nil {
		return nil, err
	}

	header := func(row map[string]any, d *doc) {
		row["id"], row["customer_id"] = string(d.id), custIDs[d.customer]
		row["subtotal"], row["total_discount"], row["total_tax"] = d.totals.Subtotal, d.totals.TotalDiscount, d.totals.TotalTax
		row["shipping_cost"], row["total"] = d.totals.ShippingCost, d.totals.Total
		row["exchange_rate"] = decimal.NewFromInt(1)
		if userID != "" {
			row["created_by_id"] = userID
		}
		at := d.date.Time().Add(9 * time.Hour)
		row["created_at"], row["updated_at"] = at, at
	}
	itemRow := func(row map[string]any, ls []line, i int, parentCol, parentID string) {
		k := i % len(ls)
		ln := ls[k]
		row["id"], row[parentCol], row["position"] = string(pulid.New(linePrefix[parentCol])), parentID, k+1
		row["item_id"], row["item_code"], row["description"] = ln.itemI, ln.code, ln.desc
		row["quantity"], row["unit_price"], row["discount_percent"], row["tax_rate"] = ln.qty, ln.price, ln.discPct, ln.rate
		row["discount_amount"], row["line_total"], row["tax_amount"], row["tax_code"] = ln.res.DiscountAmount, ln.res.LineTotal, ln.res.TaxAmount, ln.taxCode
	}

	if err := l.copy("invoices", len(invs), func(i int, row map[string]any) {
		inv := invs[i]
		header(row, inv)
		row["invoice_number"], row["invoice_date"] = inv.number, inv.date
		row["due_date"] = types.DateOf(inv.date.Time().AddDate(0, 0, 30))
		row["status"] = inv.status
		row["amount_paid"], row["amount_due"] = decimal.Zero, inv.totals.Total
		if inv.status != "draft" {
			at := inv.date.Time().Add(10 * time.Hour)
			row["issued_at"], row["sent_at"], row["send_count"] = at, at, 1
		}
		if !inv.paidOn.IsZero() {
			row["amount_paid"], row["amount_due"], row["payment_status"] = inv.totals.Total, decimal.Zero, "paid"
			row["last_payment_date"] = inv.paidOn
		}
	}); err != nil {
		return nil, err
	}
	if err := l.copy("invoice_items", len(invs)*spec.LinesEach, func(i int, row map[string]any) {
		inv := invs[i/spec.LinesEach]
		itemRow(row, inv.lines, i, "invoice_id", string(inv.id))
	}); err != nil {
		return nil, err
	}
	if err := l.copy("payments", len(pays), func(i int, row map[string]any) {
		p := pays[i]
		row["id"], row["payment_number"], row["customer_id"] = string(p.id), p.number, custIDs[p.inv.customer]
		row["amount"], row["unapplied_amount"], row["exchange_rate"] = p.inv.totals.Total, decimal.Zero, decimal.NewFromInt(1)
		row["payment_date"], row["deposit_account_id"] = p.date, roles["bank"]
		row["reference"] = fmt.Sprintf("TRX%08d", i+1)
		at := p.date.Time().Add(15 * time.Hour)
		row["created_at"], row["updated_at"] = at, at
		if userID != "" {
			row["created_by_id"] = userID
		}
	}); err != nil {
		return nil, err
	}
	if err := l.copy("payment_allocations", len(pays), func(i int, row map[string]any) {
		p := pays[i]
		row["id"], row["payment_id"], row["invoice_id"], row["amount"] = string(pulid.New("alloc")), string(p.id), string(p.inv.id), p.inv.totals.Total
	}); err != nil {
		return nil, err
	}

	// Journal entries, numbered per year in date order.
	type entry struct {
		id     pulid.ID
		date   types.Date
		source string
		srcID  pulid.ID
		ref    string
		lines  [][4]any // account, debit, credit, customer
		total  decimal.Decimal
	}
	var jes []*entry
	for _, inv := range invs {
		if inv.status == "draft" {
			continue
		}
		t := inv.totals
		e := &entry{id: pulid.New("je"), date: inv.date, source: "invoice", srcID: inv.id, ref: inv.number, total: t.Total,
			lines: [][4]any{{roles["accounts_receivable"], t.Total, decimal.Zero, custIDs[inv.customer]},
				{roles["sales"], decimal.Zero, t.Subtotal, nil}}}
		if t.TotalTax.IsPositive() {
			e.lines = append(e.lines, [4]any{roles["tax_payable"], decimal.Zero, t.TotalTax, nil})
		}
		jes = append(jes, e)
	}
	for _, p := range pays {
		amt := p.inv.totals.Total
		jes = append(jes, &entry{id: pulid.New("je"), date: p.date, source: "payment", srcID: p.id, ref: p.number, total: amt,
			lines: [][4]any{{roles["bank"], amt, decimal.Zero, nil}, {roles["accounts_receivable"], decimal.Zero, amt, custIDs[p.inv.customer]}}})
	}
	sort.SliceStable(jes, func(a, b int) bool { return jes[a].date.Time().Before(jes[b].date.Time()) })
	nLines := 0
	for _, e := range jes {
		nLines += len(e.lines)
	}
	if err := l.copy("journal_entries", len(jes), func(i int, row map[string]any) {
		e := jes[i]
		row["id"], row["entry_number"], row["date"] = string(e.id), number(entryKind, e.date), e.date
		row["source_type"], row["source_id"], row["reference"] = e.source, string(e.srcID), e.ref
		row["total_debit"], row["total_credit"] = e.total, e.total
		at := e.date.Time().Add(10 * time.Hour)
		row["created_at"], row["updated_at"] = at, at
	}); err != nil {
		return nil, err
	}
	je, pos := 0, 0
	if err := l.copy("ledger_entries", nLines, func(_ int, row map[string]any) {
		e := jes[je]
		ln := e.lines[pos]
		row["id"], row["journal_entry_id"], row["position"], row["date"] = string(pulid.New("jel")), string(e.id), pos+1, e.date
		row["account_id"], row["debit"], row["credit"] = ln[0], ln[1], ln[2]
		row["original_amount"], row["exchange_rate"] = ln[1].(decimal.Decimal).Add(ln[2].(decimal.Decimal)), decimal.NewFromInt(1)
		if ln[3] != nil {
			row["customer_id"] = ln[3]
		}
		if pos++; pos == len(e.lines) {
			je, pos = je+1, 0
		}
	}); err != nil {
		return nil, err
	}

	// Quotes and orders (draft/sent/accepted/rejected and draft…delivered),
	// which post nothing.
	for _, kind := range []struct {
		table, items, parent, prefix string
		n                            int
		num                          numbering.Kind
		statuses                     []string
		dateCol, endCol              string
	}{
		{"quotes", "quote_items", "quote_id", "quote", spec.Quotes, sales.QuoteKind, []string{"draft", "sent", "accepted", "rejected"}, "quote_date", "valid_until"},
		{"sales_orders", "sales_order_items", "sales_order_id", "so", spec.Orders, sales.OrderKind, []string{"draft", "confirmed", "shipped", "delivered"}, "order_date", "required_date"},
	} {
		docs := make([]*doc, kind.n)
		for i := range docs {
			ls := newLines(2)
			docs[i] = &doc{id: pulid.New(kind.prefix), customer: r.IntN(max(spec.Customers, 1)), date: dayBefore(r.IntN(365)),
				lines: ls, totals: totals(ls), status: kind.statuses[r.IntN(len(kind.statuses))]}
		}
		sort.SliceStable(docs, func(a, b int) bool { return docs[a].date.Time().Before(docs[b].date.Time()) })
		if err := l.copy(kind.table, len(docs), func(i int, row map[string]any) {
			d := docs[i]
			header(row, d)
			row[kind.num.Name+"_number"] = number(kind.num, d.date)
			if kind.table == "sales_orders" {
				row["order_number"] = row["sales_order_number"]
				delete(row, "sales_order_number")
			}
			row[kind.dateCol], row[kind.endCol] = d.date, types.DateOf(d.date.Time().AddDate(0, 0, 30))
			row["status"] = d.status
		}); err != nil {
			return nil, err
		}
		if err := l.copy(kind.items, len(docs)*2, func(i int, row map[string]any) {
			d := docs[i/2]
			itemRow(row, d.lines, i, kind.parent, string(d.id))
			if kind.items == "sales_order_items" {
				row["shipped_quantity"], row["invoiced_quantity"] = decimal.Zero, decimal.Zero
			}
		}); err != nil {
			return nil, err
		}
	}

	// Counters continue after the data, so the API numbers new documents
	// without colliding.
	counters[[2]any{numbering.Customer.Name, 0}] = spec.Customers
	for k, v := range counters {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO document_counters (id, company_id, kind, year, last_value) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (company_id, kind, year) DO UPDATE SET last_value = GREATEST(document_counters.last_value, EXCLUDED.last_value)`,
			string(pulid.New("ctr")), companyID, k[0], k[1], v); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	for _, t := range []string{"customers", "contacts", "invoices", "invoice_items", "payments", "payment_allocations",
		"journal_entries", "ledger_entries", "quotes", "quote_items", "sales_orders", "sales_order_items"} {
		if _, err := db.ExecContext(ctx, "ANALYZE "+t); err != nil {
			return nil, err
		}
	}
	l.stats.Issued, l.stats.Paid = len(issued), len(pays)
	l.stats.Duration = time.Since(start)
	return l.stats, nil
}

var (
	paymentKind = numbering.Kind{Name: "payment", Prefix: "PAY", Yearly: true}
	entryKind   = numbering.Kind{Name: "journal_entry", Prefix: "JE", Yearly: true}
	linePrefix  = map[string]string{"invoice_id": "invli", "quote_id": "qi", "sales_order_id": "soi"}
)

type loader struct {
	ctx     context.Context
	tx      *sql.Tx
	company string
	stats   *Stats
}

// copy COPYs n rows into table; fill sets the columns of row i. Columns
// fill leaves unset take the schema's database default, NULL, or a zero.
func (l *loader) copy(table string, n int, fill func(i int, row map[string]any)) error {
	if n == 0 {
		return nil
	}
	t := tableByName(table)
	if t == nil {
		return fmt.Errorf("benchdata: no table %q in the ent schema", table)
	}
	// Every column is written: what fill leaves unset takes the schema's
	// default, NULL, or a zero (see zero).
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = c.Name
	}
	row := map[string]any{}
	stmt, err := l.tx.PrepareContext(l.ctx, pq.CopyIn(table, cols...))
	if err != nil {
		return fmt.Errorf("benchdata: %s: %w", table, err)
	}
	defer stmt.Close()
	now := time.Now().UTC()
	vals := make([]any, len(cols))
	for i := 0; i < n; i++ {
		clear(row)
		fill(i, row)
		row["company_id"] = l.company
		for k, name := range cols {
			v, ok := row[name]
			if !ok {
				v = zero(t.Columns[k], now)
			}
			vals[k] = encode(v)
		}
		if _, err := stmt.ExecContext(l.ctx, vals...); err != nil {
			return fmt.Errorf("benchdata: %s row %d: %w", table, i, err)
		}
	}
	if _, err := stmt.ExecContext(l.ctx); err != nil {
		return fmt.Errorf("benchdata: %s: %w", table, err)
	}
	l.stats.Rows[table] += n
	return nil
}

func tableByName(name string) *entschema.Table {
	for _, t := range migrate.Tables {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// zero is the value of a column the generator did not set: the schema's
// default, NULL when nullable, else a zero of the column's type.
func zero(c *entschema.Column, now time.Time) any {
	if c.Default != nil {
		return c.Default
	}
	if c.Nullable {
		return nil
	}
	switch c.SchemaType[dialect.Postgres] {
	case "date":
		return now.Format("2006-01-02")
	case "":
	default:
		return "0" // numeric(…)
	}
	switch c.Type {
	case field.TypeTime:
		return now
	case field.TypeBool:
		return false
	case field.TypeJSON:
		return "null"
	case field.TypeString, field.TypeEnum, field.TypeUUID:
		return ""
	case field.TypeBytes:
		return []byte{}
	}
	return 0
}

// encode turns generator values into what COPY's text format takes.
func encode(v any) any {
	switch x := v.(type) {
	case decimal.Decimal:
		return x.String()
	case types.Date:
		return x.String()
	case json.RawMessage:
		return string(x)
	}
	return v
}
