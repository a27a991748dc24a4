package server_test

import (
	"testing"
	"time"

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
