// Command benchcompare measures BigLedger at a real company's size and
// prints its throughput as ratios against baselines measured in the same
// run: `make bench-compare`.
//
// It starts a throwaway PostgreSQL cluster (or uses -admin), loads one
// company with 10,000 customers, 20,000 contacts, 100,000 invoices with
// 300,000 lines and 50,000 payments (internal/benchdata; -scale shrinks
// it), serves the API in-process on a loopback port, and runs each
// workload with the same closed-loop generator (-clients concurrent
// clients, each sending its next request when the last one answered) for
// -duration, in -rounds interleaved rounds; figures are medians of the
// rounds. pgbench runs on the same cluster as the floor: TPC-B for the
// write path and the point read's own SELECT for reads.
//
// The machine is shared by the generator, the server and PostgreSQL, so
// absolute figures move with load; read the ratios.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/ent/schema/types"
	"github.com/bigledger/bigledger/internal/benchdata"
	"github.com/bigledger/bigledger/internal/dbmigrate"
	"github.com/bigledger/bigledger/internal/events"
	"github.com/bigledger/bigledger/internal/idem"
	"github.com/bigledger/bigledger/internal/localpg"
	"github.com/bigledger/bigledger/internal/provision"
	"github.com/bigledger/bigledger/internal/sales"
	"github.com/bigledger/bigledger/internal/server"
	"github.com/bigledger/bigledger/internal/store"
)

var (
	adminDSN = flag.String("admin", "", "admin DSN of an existing cluster (default: start a throwaway one)")
	dbName   = flag.String("db", "bigledger_bench", "database to load (reused with -reuse when already loaded)")
	reuse    = flag.Bool("reuse", false, "keep and reuse a loaded database instead of loading afresh")
	scale    = flag.Float64("scale", 1, "fraction of the full data set to load")
	clients  = flag.Int("clients", 16, "concurrent clients per workload")
	duration = flag.Duration("duration", 4*time.Second, "time per workload per round")
	rounds   = flag.Int("rounds", 3, "interleaved rounds (figures are medians)")
	only     = flag.String("only", "", "comma-separated workload names to run (default all)")
	loadOnly = flag.Bool("load-only", false, "load the data set, print its DSN and key, and exit")
	cpuProf  = flag.String("cpuprofile", "", "write a CPU profile of the whole process (server and generator) during the rounds")
	dsnExtra = flag.String("server-dsn-params", "", "extra DSN parameters for the server's pool, e.g. statement_cache_capacity=0 or plan_cache_mode=auto (to compare)")
	peer     = flag.Bool("peer", true, "also measure PostGraphile 5 over the same database (installed from npm into a cache directory; skipped with a note when node/npm are missing)")
)

func main() {
	flag.Parse()
	server.TuneRuntime() // as bigledger serve does
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "benchcompare:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx := context.Background()
	admin := *adminDSN
	if admin == "" {
		dir, err := os.MkdirTemp("", "bigledger-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		c, err := localpg.Start(ctx, dir+"/pg", localpg.Options{Ephemeral: true})
		if err != nil {
			return err
		}
		defer c.Stop()
		admin = c.DSN("postgres")
	}
	dsn := regexp.MustCompile(`/postgres\?`).ReplaceAllString(admin, "/"+*dbName+"?")
	key, company, err := prepare(ctx, admin, dsn)
	if err != nil {
		return err
	}
	if *loadOnly {
		fmt.Printf("DATABASE_URL=%s\nAPI key: %s\ncompany: %s\n", dsn, key, company)
		return nil
	}
	serverDSN := dsn
	if *dsnExtra != "" {
		serverDSN += "&" + *dsnExtra
	}
	client, db, err := store.Open(serverDSN)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(32)
	// The server logs as bigledger serve does in production (one JSON access
	// line per request), into a file rather than over the figures.
	logPath := filepath.Join(os.TempDir(), "benchcompare-server.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logFile.Close()
	fmt.Println("server log:", logPath)
	srv := server.New(client, db, server.Options{DSN: dsn, Logger: slog.New(slog.NewJSONHandler(logFile, nil))})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()
	base := "http://" + ln.Addr().String()

	f, err := fixtures(ctx, client, db, company)
	if err != nil {
		return err
	}
	h := &harness{base: base, key: key, company: company, http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	work := workloads(h, f)
	if *peer {
		url, stop, err := startPostGraphile(dsn)
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchcompare: PostGraphile peer not measured:", err)
		} else {
			defer stop()
			work = append(work, peerWorkloads(h, f, url, company)...)
		}
	}
	if *only != "" {
		names := strings.Split(*only, ",")
		work = slices.DeleteFunc(work, func(w workload) bool { return !slices.Contains(names, w.name) })
	}
	// A first pass checks every request answers correctly and warms caches.
	for _, w := range work {
		if err := w.fn(0, 0); err != nil {
			return fmt.Errorf("%s: %w", w.name, err)
		}
	}
	jobs, err := measureJobs(ctx, db)
	if err != nil {
		return err
	}
	if *cpuProf != "" {
		pf, err := os.Create(*cpuProf)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	results := map[string][]result{}
	for r := 0; r < *rounds; r++ {
		for _, w := range work {
			res := h.closedLoop(w)
			results[w.name] = append(results[w.name], res)
			fmt.Printf("round %d  %-22s %8.1f req/s  p50 %7.2f ms  p99 %7.2f ms  errors %d\n",
				r+1, w.name, res.rps, ms(res.p50), ms(res.p99), res.errors)
		}
		for _, pb := range pgbenchRuns(admin, dsn, company) {
			tps, err := pb.run()
			if err != nil {
				return err
			}
			results[pb.name] = append(results[pb.name], result{rps: tps})
			fmt.Printf("round %d  %-22s %8.1f tps\n", r+1, pb.name, tps)
		}
	}
	med := func(name string) float64 {
		rs := results[name]
		if len(rs) == 0 {
			return 0
		}
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = r.rps
		}
		sort.Float64s(v)
		return v[len(v)/2]
	}
	medP50 := func(name string) time.Duration {
		rs := results[name]
		if len(rs) == 0 {
			return 0
		}
		v := make([]time.Duration, len(rs))
		for i, r := range rs {
			v[i] = r.p50
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	ratio := func(a, b string) string {
		if med(a) == 0 || med(b) == 0 {
			return "n/a"
		}
		return fmt.Sprintf("%.2fx", med(a)/med(b))
	}
	fmt.Println()
	fmt.Printf("medians of %d rounds, %d clients, %s each:\n", *rounds, *clients, *duration)
	for _, w := range work {
		fmt.Printf("  %-22s %8.1f req/s  p50 %7.2f ms\n", w.name, med(w.name), ms(medP50(w.name)))
	}
	for _, pb := range []string{"pgbench-point-select", "pgbench-tpcb"} {
		fmt.Printf("  %-22s %8.1f tps\n", pb, med(pb))
	}
	deep := "n/a"
	if p1, p2 := medP50("list-gql"), medP50("deep-page-gql"); p1 > 0 && p2 > 0 {
		deep = fmt.Sprintf("%.2fx", float64(p2)/float64(p1))
	}
	fmt.Println(jobs)
	fmt.Printf("\nRATIOS vs PostGraphile 5: point-read %s | invoice screen %s | invoices(first:20) %s | customers50 %s\n",
		ratio("point-gql", "postgraphile-point"), ratio("screen-gql", "postgraphile-screen"), ratio("list-gql", "postgraphile-list"), ratio("customers50-gql", "postgraphile-customers50"))
	fmt.Printf("RATIOS point-read gql/pgbench-select %s | point-read gql/rest %s | customer-full gql/rest %s | customers50 gql/rest %s | screen gql/rest %s | list20 gql/rest %s | deep-page p50/first-page p50 %s | recordPayment one company/pgbench-tpcb %s | recordPayment spread over %d companies/pgbench-tpcb %s | createInvoice/pgbench-tpcb %s\n",
		ratio("point-gql", "pgbench-point-select"), ratio("point-gql", "point-rest"), ratio("customer-full-gql", "customer-full-rest"),
		ratio("customers50-gql", "customers50-rest"), ratio("screen-gql", "screen-rest"), ratio("list-gql", "list-rest"), deep,
		ratio("recordPayment-rest", "pgbench-tpcb"), spreadCompanies, ratio("recordPayment-spread", "pgbench-tpcb"), ratio("createInvoice-rest", "pgbench-tpcb"))
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// prepare creates and loads the database unless -reuse finds it loaded,
// and returns a full-access key of the bench company.
func prepare(ctx context.Context, admin, dsn string) (key, company string, err error) {
	adb, err := sql.Open("postgres", admin)
	if err != nil {
		return "", "", err
	}
	defer adb.Close()
	var exists bool
	if err := adb.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, *dbName).Scan(&exists); err != nil {
		return "", "", err
	}
	if exists && !*reuse {
		if _, err := adb.ExecContext(ctx, `DROP DATABASE `+*dbName+` WITH (FORCE)`); err != nil {
			return "", "", err
		}
		exists = false
	}
	if !exists {
		if err := localpg.CreateDatabase(ctx, admin, *dbName, ""); err != nil {
			return "", "", err
		}
	}
	client, db, err := store.Open(dsn)
	if err != nil {
		return "", "", err
	}
	defer db.Close()
	if _, err := dbmigrate.Apply(ctx, db); err != nil {
		return "", "", err
	}
	p, err := provision.EnsureCompanyKey(ctx, client, "Bench Company", []string{"*"})
	if err != nil {
		return "", "", err
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM invoices WHERE company_id = $1`, p.CompanyID).Scan(&n); err != nil {
		return "", "", err
	}
	if n == 0 {
		spec := benchdata.Full()
		s := func(v int) int { return max(1, int(float64(v)**scale)) }
		spec.Customers, spec.Invoices, spec.Payments = s(spec.Customers), s(spec.Invoices), s(spec.Payments)
		spec.Quotes, spec.Orders = s(spec.Quotes), s(spec.Orders)
		fmt.Printf("loading %d customers, %d invoices, %d payments…\n", spec.Customers, spec.Invoices, spec.Payments)
		st, err := benchdata.Load(ctx, db, p.CompanyID, spec)
		if err != nil {
			return "", "", err
		}
		fmt.Printf("loaded in %s: %v\n", st.Duration.Round(time.Second), st.Rows)
		// A second, smaller company, so tenant filters matter in plans.
		other, err := provision.EnsureCompanyKey(ctx, client, "Other Company", []string{"*"})
		if err != nil {
			return "", "", err
		}
		small := benchdata.Spec{Customers: 500, ContactsEach: 2, Groups: 5, Invoices: 5000, LinesEach: 3, Payments: 2500, Quotes: 200, Orders: 200, Seed: 2}
		if _, err := benchdata.Load(ctx, db, other.CompanyID, small); err != nil {
			return "", "", err
		}
		// Companies the spread payment workload pays into, one per client.
		for i := 1; i <= spreadCompanies; i++ {
			sp, err := provision.EnsureCompanyKey(ctx, client, fmt.Sprintf("Spread %02d", i), []string{"*"})
			if err != nil {
				return "", "", err
			}
			tiny := benchdata.Spec{Customers: 50, ContactsEach: 1, Groups: 1, Invoices: 400, LinesEach: 2, Seed: uint64(10 + i), Items: 20}
			if _, err := benchdata.Load(ctx, db, sp.CompanyID, tiny); err != nil {
				return "", "", err
			}
		}
		if _, err := db.ExecContext(ctx, `VACUUM ANALYZE`); err != nil {
			return "", "", err
		}
	}
	return p.APIKey, p.CompanyID, nil
}

// spreadCompany is one of the companies the spread payment workload pays
// into (one per client), so no two clients share a company's counters.
type spreadCompany struct {
	key, company string
	unpaid       []string
}

const spreadCompanies = 16

// fix are ids the workloads read and write.
type fix struct {
	spread     []spreadCompany
	customers  []string
	unpaid     [][]string // per client: invoices it alone pays
	item       string
	deepCursor string
}

// ids runs a query of one text column.
func ids(ctx context.Context, db *sql.DB, q string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

const unpaidSQL = `SELECT id FROM invoices WHERE company_id = $1 AND status = 'sent' AND amount_due > 200 ORDER BY id LIMIT 4000`

func fixtures(ctx context.Context, client *ent.Client, db *sql.DB, company string) (*fix, error) {
	f := &fix{}
	var err error
	if f.customers, err = ids(ctx, db, `SELECT id FROM customers WHERE company_id = $1 ORDER BY customer_number LIMIT 5000`, company); err != nil {
		return nil, err
	}
	unpaid, err := ids(ctx, db, unpaidSQL, company)
	if err != nil {
		return nil, err
	}
	f.unpaid = make([][]string, *clients)
	for i, id := range unpaid {
		f.unpaid[i%*clients] = append(f.unpaid[i%*clients], id)
	}
	for i := 1; i <= spreadCompanies; i++ {
		p, err := provision.EnsureCompanyKey(ctx, client, fmt.Sprintf("Spread %02d", i), []string{"*"})
		if err != nil {
			return nil, err
		}
		sc := spreadCompany{key: p.APIKey, company: p.CompanyID}
		if sc.unpaid, err = ids(ctx, db, unpaidSQL, p.CompanyID); err != nil {
			return nil, err
		}
		if len(sc.unpaid) == 0 {
			return nil, fmt.Errorf("fixtures: spread company %d has no unpaid invoice", i)
		}
		f.spread = append(f.spread, sc)
	}
	if err := db.QueryRowContext(ctx, `SELECT id FROM items WHERE company_id = $1 LIMIT 1`, company).Scan(&f.item); err != nil {
		return nil, err
	}
	// The cursor of the row 40% deep in the default order (row 40,000 of
	// the full data set), for the deep-page workload.
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM invoices WHERE company_id = $1`, company).Scan(&n); err != nil {
		return nil, err
	}
	var deep string
	if err := db.QueryRowContext(ctx, `SELECT id FROM invoices WHERE company_id = $1 ORDER BY id OFFSET $2 LIMIT 1`, company, n*2/5).Scan(&deep); err != nil {
		return nil, err
	}
	var b strings.Builder
	ent.Cursor{ID: pulid.ID(deep)}.MarshalGQL(&b)
	f.deepCursor, _ = strconv.Unquote(b.String())
	if len(f.customers) == 0 || len(f.unpaid[0]) == 0 {
		return nil, fmt.Errorf("fixtures: data set too small")
	}
	return f, nil
}

type workload struct {
	name string
	fn   func(client, i int) error
}

func workloads(h *harness, f *fix) []workload {
	pick := func(i int) string { return f.customers[rand.IntN(len(f.customers))] }
	var payN atomic.Int64
	return []workload{
		{"point-gql", func(_, i int) error {
			return h.gql(`query($id: ID!) { customer(id: $id) { id name email customerNumber creditLimit } }`, map[string]any{"id": pick(i)})
		}},
		{"point-rest", func(_, i int) error { return h.get("/api/v1/customers/" + pick(i)) }},
		{"customer-full-gql", func(_, i int) error {
			return h.gql(`query($id: ID!) { customer(id: $id) { id customerNumber name type partyType email phone mobile website taxNumber
				address { street city state postalCode country } billingAddress { street city } shippingAddress { street city }
				currency paymentTerms creditLimit status tags customFields openingBalance currentBalance totalSales lastSaleDate
				groupID createdByID createdAt updatedAt
				contacts { id customerID name email phone mobile title department isPrimary isActive notes createdAt updatedAt } } }`, map[string]any{"id": pick(i)})
		}},
		// The same payload as customer-full-gql: every field REST answers.
		{"customer-full-rest", func(_, i int) error { return h.get("/api/v1/customers/" + pick(i)) }},
		{"screen-gql", func(_, i int) error {
			return h.gql(`query($id: ID!) { customer(id: $id) { id name currentBalance
				invoices(first: 10, orderBy: [{field: INVOICE_DATE, direction: DESC}]) { edges { node {
					id invoiceNumber invoiceDate status total amountDue items { description quantity unitPrice lineTotal }
					payments { amount paymentDate } } } } } }`, map[string]any{"id": pick(i)})
		}},
		{"screen-rest", func(_, i int) error {
			return h.get("/api/v1/invoices?limit=10&sort=invoiceDate:desc&customerId=" + pick(i))
		}},
		{"list-gql", func(_, _ int) error {
			return h.gql(`{ invoices(first: 20) { pageInfo { hasNextPage endCursor } edges { node { id invoiceNumber invoiceDate status total amountDue customer { id name } } } } }`, nil)
		}},
		{"list-rest", func(_, _ int) error { return h.get("/api/v1/invoices?limit=20") }},
		{"deep-page-gql", func(_, _ int) error {
			return h.gql(`query($after: Cursor) { invoices(first: 20, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id invoiceNumber invoiceDate status total amountDue customer { id name } } } } }`,
				map[string]any{"after": f.deepCursor})
		}},
		{"list-date-gql", func(_, _ int) error {
			return h.gql(`{ invoices(first: 20, orderBy: [{field: INVOICE_DATE, direction: DESC}]) { pageInfo { hasNextPage endCursor } edges { node { id invoiceNumber invoiceDate total } } } }`, nil)
		}},
		{"customers50-gql", func(_, _ int) error {
			return h.gql(`{ customers(first: 50) { edges { node { id customerNumber name email phone creditLimit currentBalance totalSales group { id name } contacts { id name email isPrimary } } } } }`, nil)
		}},
		{"customers50-rest", func(_, _ int) error { return h.get("/api/v1/customers?limit=50") }},
		{"recordPayment-rest", func(c, _ int) error {
			inv := f.unpaid[c][int(payN.Add(1))%len(f.unpaid[c])]
			return h.post("/api/v1/invoices/"+inv+"/payments", map[string]any{"amount": "0.01", "paymentMethod": "bank_transfer"})
		}},
		{"recordPayment-spread", func(c, _ int) error {
			sp := f.spread[c%len(f.spread)]
			inv := sp.unpaid[int(payN.Add(1))%len(sp.unpaid)]
			return h.doAs(sp.key, sp.company, "POST", "/api/v1/invoices/"+inv+"/payments", map[string]any{"amount": "0.01", "paymentMethod": "bank_transfer"})
		}},
		{"createInvoice-rest", func(_, i int) error {
			return h.post("/api/v1/invoices", map[string]any{"customerId": pick(i), "invoiceDate": types.DateOf(time.Now()).String(),
				"items": []map[string]any{{"itemId": f.item, "quantity": 2, "unitPrice": 25, "taxCode": "SST"},
					{"description": "Service", "quantity": 1, "unitPrice": 100}, {"description": "Shipping box", "quantity": 3, "unitPrice": 4.5}}})
		}},
	}
}

type harness struct {
	base, key, company string
	http               *http.Client
}

func (h *harness) do(method, path string, body any) error {
	return h.doAs(h.key, h.company, method, path, body)
}

func (h *harness) doAs(key, company, method, path string, body any) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, h.base+path, rd)
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("X-Company-Id", company)
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, truncate(b))
	}
	if path == "/graphql" && bytes.Contains(b, []byte(`"errors"`)) {
		return fmt.Errorf("graphql: %s", truncate(b))
	}
	return nil
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

func (h *harness) get(path string) error            { return h.do("GET", path, nil) }
func (h *harness) post(path string, body any) error { return h.do("POST", path, body) }
func (h *harness) gql(q string, vars map[string]any) error {
	return h.do("POST", "/graphql", map[string]any{"query": q, "variables": vars})
}

type result struct {
	rps      float64
	p50, p99 time.Duration
	errors   int64
}

// closedLoop runs w with -clients clients for -duration.
func (h *harness) closedLoop(w workload) result {
	var (
		mu      sync.Mutex
		lat     []time.Duration
		errs    atomic.Int64
		lastErr atomic.Value
		wg      sync.WaitGroup
	)
	deadline := time.Now().Add(*duration)
	for c := 0; c < *clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			var mine []time.Duration
			for i := 0; time.Now().Before(deadline); i++ {
				t := time.Now()
				if err := w.fn(c, i); err != nil {
					errs.Add(1)
					lastErr.Store(err.Error())
					continue
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}(c)
	}
	wg.Wait()
	if e := lastErr.Load(); e != nil {
		fmt.Fprintf(os.Stderr, "%s: %d errors, last: %s\n", w.name, errs.Load(), e)
	}
	slices.Sort(lat)
	r := result{rps: float64(len(lat)) / duration.Seconds(), errors: errs.Load()}
	if len(lat) > 0 {
		r.p50, r.p99 = lat[len(lat)/2], lat[len(lat)*99/100]
	}
	return r
}

var (
	tpcbInit sync.Once
	tpcbErr  error
)

type pgbenchRun struct {
	name string
	run  func() (float64, error)
}

// pgbenchRuns are the floors: TPC-B on its own database of the same
// cluster, and the point read's SELECT on the bench database.
func pgbenchRuns(admin, dsn, company string) []pgbenchRun {
	tool, err := localpg.Tool("pgbench")
	tps := func(args ...string) (float64, error) {
		if err != nil {
			return 0, err
		}
		out, err := exec.Command(tool, args...).CombinedOutput()
		if err != nil {
			return 0, fmt.Errorf("pgbench: %v\n%s", err, out)
		}
		m := regexp.MustCompile(`tps = ([0-9.]+)`).FindSubmatch(out)
		if m == nil {
			return 0, fmt.Errorf("pgbench output: %s", out)
		}
		return strconv.ParseFloat(string(m[1]), 64)
	}
	secs := strconv.Itoa(max(1, int(duration.Seconds())))
	cl := strconv.Itoa(*clients)
	return []pgbenchRun{
		{"pgbench-point-select", func() (float64, error) {
			script, err := os.CreateTemp("", "point-*.sql")
			if err != nil {
				return 0, err
			}
			defer os.Remove(script.Name())
			fmt.Fprintf(script, "\\set n random(1, 4999)\nSELECT id, name, email, customer_number, credit_limit FROM customers WHERE company_id = '%s' AND customer_number = 'CUST-' || lpad(:n::text, 4, '0');\n", company)
			script.Close()
			return tps("-n", "-M", "prepared", "-c", cl, "-j", "2", "-T", secs, "-f", script.Name(), dsn)
		}},
		{"pgbench-tpcb", func() (float64, error) {
			tdsn := regexp.MustCompile(`/postgres\?`).ReplaceAllString(admin, "/pgbench_tpcb?")
			tpcbInit.Do(func() {
				adb, err := sql.Open("postgres", admin)
				if err != nil {
					tpcbErr = err
					return
				}
				defer adb.Close()
				_, _ = adb.Exec(`DROP DATABASE IF EXISTS pgbench_tpcb`)
				if tpcbErr = localpg.CreateDatabase(context.Background(), admin, "pgbench_tpcb", ""); tpcbErr != nil {
					return
				}
				if out, err := exec.Command(tool, "-i", "-s", cl, "-q", tdsn).CombinedOutput(); err != nil {
					tpcbErr = fmt.Errorf("pgbench -i: %v\n%s", err, out)
				}
			})
			if tpcbErr != nil {
				return 0, tpcbErr
			}
			return tps("-n", "-c", cl, "-j", "2", "-T", secs, tdsn)
		}},
	}
}

// measureJobs brings the overdue announcements up to date (as the job
// would have over time), then times the background jobs' runs when there
// is nothing new to do, against the overdue job's former full selection.
func measureJobs(ctx context.Context, db *sql.DB) (string, error) {
	overdue := `i.status = 'sent' AND i.amount_due > 0 AND i.due_date < (SELECT (now() AT TIME ZONE c.timezone)::date FROM companies c WHERE c.id = i.company_id)`
	if _, err := db.ExecContext(ctx, `INSERT INTO events (id, company_id, type, subject_id, payload, seq, created_at)
		SELECT 'evt_' || upper(substr(md5(i.id), 1, 26)), i.company_id, 'invoice.overdue', i.id, '{}'::jsonb, nextval('event_seq'), now()
		FROM invoices i WHERE `+overdue+` ON CONFLICT (subject_id) WHERE type = 'invoice.overdue' DO NOTHING`); err != nil {
		return "", err
	}
	if _, err := db.ExecContext(ctx, `UPDATE invoices i SET overdue_notified_at = now() WHERE overdue_notified_at IS NULL AND `+overdue); err != nil {
		return "", err
	}
	var announced int
	_ = db.QueryRowContext(ctx, `SELECT count(*) FROM events WHERE type = 'invoice.overdue'`).Scan(&announced)
	timeIt := func(fn func() error) (time.Duration, error) {
		const runs = 20
		var all []time.Duration
		for range runs {
			t := time.Now()
			if err := fn(); err != nil {
				return 0, err
			}
			all = append(all, time.Since(t))
		}
		slices.Sort(all)
		return all[runs/2], nil
	}
	newRun, err := timeIt(func() error {
		n, err := sales.EmitOverdue(ctx, db)
		if err == nil && n != 0 {
			err = fmt.Errorf("overdue job emitted %d with nothing new", n)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	oldRun, err := timeIt(func() error {
		rows, err := db.QueryContext(ctx, `SELECT i.id FROM invoices i WHERE `+overdue+`
			AND NOT EXISTS (SELECT 1 FROM events e WHERE e.subject_id = i.id AND e.type = 'invoice.overdue')
			ORDER BY i.due_date LIMIT 1000`)
		if err != nil {
			return err
		}
		return rows.Close()
	})
	if err != nil {
		return "", err
	}
	purges, err := timeIt(func() error {
		if _, err := events.Purge(ctx, db, 90*24*time.Hour); err != nil {
			return err
		}
		_, err := idem.Purge(ctx, db, idem.Retention)
		return err
	})
	if err != nil {
		return "", err
	}
	core := func(d, every time.Duration) float64 { return 100 * float64(d) / float64(every) }
	return fmt.Sprintf("background jobs with nothing new (%d invoices announced overdue): overdue run %.2f ms/min = %.3f%% of a core (former full selection %.1f ms = %.2f%%); purges %.1f ms/hour = %.4f%%",
		announced, ms(newRun), core(newRun, time.Minute), ms(oldRun), core(oldRun, time.Minute), ms(purges), core(purges, time.Hour)), nil
}

// startPostGraphile installs the pinned PostGraphile (package.json beside
// this file) into a cache directory once, and serves it over dsn on a
// loopback port. It returns the GraphQL URL and a stop function.
func startPostGraphile(dsn string) (string, func(), error) {
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", nil, fmt.Errorf("npm not found (install Debian's nodejs/npm): %w", err)
	}
	src, err := peerDir()
	if err != nil {
		return "", nil, err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "bigledger-bench", "postgraphile")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, err
	}
	for _, f := range []string{"package.json", "graphile.config.mjs"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			return "", nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			return "", nil, err
		}
	}
	bin := filepath.Join(dir, "node_modules", ".bin", "postgraphile")
	node := filepath.Join(dir, "node_modules", ".bin", "node")
	_, errBin := os.Stat(bin)
	_, errNode := os.Stat(node)
	if errBin != nil || errNode != nil {
		fmt.Println("installing PostGraphile 5 from npm into", dir, "…")
		cmd := exec.Command(npm, "install", "--no-audit", "--no-fund")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", nil, fmt.Errorf("npm install: %v\n%s", err, out)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(node, bin, "--config", "graphile.config.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dsn, "PORT="+strconv.Itoa(port), "NODE_ENV=production")
	logf, _ := os.CreateTemp("", "postgraphile-*.log")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait(); logf.Close(); os.Remove(logf.Name()) }
	url := fmt.Sprintf("http://127.0.0.1:%d/graphql", port)
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		resp, err := http.Post(url, "application/json", strings.NewReader(`{"query":"{ __typename }"}`))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return url, stop, nil
			}
		}
	}
	stop()
	return "", nil, fmt.Errorf("PostGraphile did not answer within 60 s (log: %s)", logf.Name())
}

// peerDir is the folder holding the peer's package.json and config.
func peerDir() (string, error) {
	for _, d := range []string{"internal/tools/benchcompare/postgraphile", "postgraphile"} {
		if _, err := os.Stat(filepath.Join(d, "package.json")); err == nil {
			return filepath.Abs(d)
		}
	}
	return "", fmt.Errorf("postgraphile config not found (run from the repository root)")
}

// peerWorkloads are the GraphQL reads of workloads, asked of PostGraphile
// with the same selections (its names; company filter as a condition).
func peerWorkloads(h *harness, f *fix, url, company string) []workload {
	pick := func() string { return f.customers[rand.IntN(len(f.customers))] }
	q := func(query string, vars map[string]any) error {
		b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		resp, err := h.http.Post(url, "application/json", bytes.NewReader(b))
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || bytes.Contains(body, []byte(`"errors"`)) {
			return fmt.Errorf("postgraphile: %d %s", resp.StatusCode, truncate(body))
		}
		return nil
	}
	return []workload{
		{"postgraphile-point", func(_, _ int) error {
			return q(`query($id: String!) { customerByRowId(rowId: $id) { rowId name email customerNumber creditLimit } }`, map[string]any{"id": pick()})
		}},
		{"postgraphile-screen", func(_, _ int) error {
			return q(`query($id: String!) { customerByRowId(rowId: $id) { rowId name currentBalance
				invoicesByCustomerId(first: 10, orderBy: INVOICE_DATE_DESC) { nodes {
					rowId invoiceNumber invoiceDate status total amountDue
					invoiceItemsByInvoiceId { nodes { description quantity unitPrice lineTotal } }
					paymentAllocationsByInvoiceId { nodes { paymentByPaymentId { amount paymentDate } } } } } } }`, map[string]any{"id": pick()})
		}},
		{"postgraphile-list", func(_, _ int) error {
			return q(`query($c: String!) { allInvoices(first: 20, condition: {companyId: $c}) { pageInfo { hasNextPage endCursor }
				nodes { rowId invoiceNumber invoiceDate status total amountDue customerByCustomerId { rowId name } } } }`, map[string]any{"c": company})
		}},
		{"postgraphile-customers50", func(_, _ int) error {
			return q(`query($c: String!) { allCustomers(first: 50, condition: {companyId: $c}) { nodes { rowId customerNumber name email phone
				creditLimit currentBalance totalSales customerGroupByGroupId { rowId name } contactsByCustomerId { nodes { rowId name email isPrimary } } } } }`, map[string]any{"c": company})
		}},
	}
}
