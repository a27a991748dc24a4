package server_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/bigledger/bigledger/internal/benchdata"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

// BenchmarkCustomerList measures a 50-customer page with contacts and
// group, over REST and GraphQL, against a baseline measured in the same
// run: the same rows read with three hand-written SQL statements on the
// same pool. Reported as x_baseline (1.0 = as fast as raw SQL).
func BenchmarkCustomerList(b *testing.B) {
	e := tk.New(b)
	e.SeedCustomers(e.A, 50, 1, 2)
	baseline := func() {
		var ids []string
		rows, err := e.DB.Query(`SELECT id, name, email, credit_limit, group_id FROM customers WHERE company_id = $1 ORDER BY id LIMIT 50`, e.A.CompanyID)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			var id, name, email, limit string
			var group *string
			_ = rows.Scan(&id, &name, &email, &limit, &group)
			ids = append(ids, id)
		}
		rows.Close()
		var n int
		_ = e.DB.QueryRow(`SELECT count(*) FROM customers WHERE company_id = $1`, e.A.CompanyID).Scan(&n)
		r2, err := e.DB.Query(`SELECT id, name FROM contacts WHERE customer_id = ANY($1)`, "{"+join(ids)+"}")
		if err != nil {
			b.Fatal(err)
		}
		for r2.Next() {
		}
		r2.Close()
	}
	measure := func(fn func(), n int) time.Duration {
		start := time.Now()
		for i := 0; i < n; i++ {
			fn()
		}
		return time.Since(start) / time.Duration(n)
	}
	base := measure(baseline, 200)
	cases := map[string]func(){
		"REST": func() {
			if r := e.Do(e.A, "GET", "/api/v1/customers?limit=50", nil); r.Status != 200 {
				b.Fatal(r.Status)
			}
		},
		"GraphQL": func() {
			e.MustGQL(e.A, `{ customers(first: 50) { totalCount edges { node { id name creditLimit group { name } contacts { name } } } } }`, nil)
		},
	}
	for name, fn := range cases {
		b.Run(name, func(b *testing.B) {
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				fn()
			}
			per := time.Since(start) / time.Duration(b.N)
			b.ReportMetric(float64(per)/float64(base), "x_baseline")
		})
	}
}

func join(ids []string) string {
	out := ""
	for i, id := range ids {
		if i > 0 {
			out += ","
		}
		out += id
	}
	return out
}

// BenchmarkCSVExport streams a company's customers as CSV at two sizes and
// reports bytes allocated per row and rows per second: memory per row
// stays flat from 10k to 100k rows (the export walks the list's own cursor
// a page at a time), and x_json compares a CSV row's cost with a row of
// the JSON list's 100-row page measured in the same run.
func BenchmarkCSVExport(b *testing.B) {
	e := tk.New(b)
	for _, n := range []int{10000, 100000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			tn := e.NewTenant(fmt.Sprintf("CSV %d", n), "*")
			if _, err := benchdata.Load(context.Background(), e.DB, tn.CompanyID, benchdata.Spec{Customers: n, Seed: 3}); err != nil {
				b.Fatal(err)
			}
			jsonPage := func() {
				if r := e.Do(tn, "GET", "/api/v1/customers?limit=100", nil); r.Status != 200 {
					b.Fatal(r.Status)
				}
			}
			jsonPage()
			start := time.Now()
			for i := 0; i < 20; i++ {
				jsonPage()
			}
			perJSONRow := time.Since(start) / (20 * 100)
			var ms0, ms1 runtime.MemStats
			b.ResetTimer()
			runtime.ReadMemStats(&ms0)
			start = time.Now()
			rows := 0
			for i := 0; i < b.N; i++ {
				req, _ := http.NewRequest("GET", e.Server.URL+"/api/v1/customers?format=csv", nil)
				req.Header.Set("Authorization", "Bearer "+tn.Key)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				r := csv.NewReader(res.Body)
				r.ReuseRecord = true
				for {
					if _, err := r.Read(); err != nil {
						break
					}
					rows++
				}
				res.Body.Close()
			}
			el := time.Since(start)
			runtime.ReadMemStats(&ms1)
			if rows != b.N*(n+1) {
				b.Fatalf("%d rows, want %d", rows, b.N*(n+1))
			}
			b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/float64(rows), "B/row")
			b.ReportMetric(float64(rows)/el.Seconds(), "rows/s")
			b.ReportMetric(float64(el/time.Duration(rows))/float64(perJSONRow), "x_json")
		})
	}
}
