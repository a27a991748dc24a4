package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/bigledger/bigledger/internal/ratelimit"
	"github.com/bigledger/bigledger/internal/server"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

// BenchmarkRateLimitCost measures what metering adds to a point read (GET
// /api/v1/customers/{id}): the same request against two servers on the
// same pool, one metering every key (a plan it never exhausts) and one
// not, in interleaved rounds. x_unmetered is metered/unmetered per request
// (the target is ≤ 1.03).
func BenchmarkRateLimitCost(b *testing.B) {
	e := tk.New(b)
	e.SeedCustomers(e.A, 1, 1, 0)
	id := tk.Str(e.Do(e.A, "GET", "/api/v1/customers?limit=1", nil).Body, "data", 0, "id")
	metered := server.New(e.Client, e.DB, server.Options{DSN: e.DSN,
		RateLimit: ratelimit.Plan{Name: "bench", PerHour: 1 << 30, PerSecond: 1 << 30, Concurrent: 1 << 20}})
	ms := httptest.NewServer(metered.Handler())
	defer ms.Close()
	get := func(base string) {
		req, _ := http.NewRequest("GET", base+"/api/v1/customers/"+id, nil)
		req.Header.Set("Authorization", "Bearer "+e.A.Key)
		req.Header.Set("X-Company-Id", e.A.CompanyID)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || (base == ms.URL) != (res.Header.Get("X-RateLimit-Limit") != "") {
			b.Fatalf("%s: %d %v", base, res.StatusCode, res.Header)
		}
	}
	for range 50 { // warm both key caches and connections
		get(e.Server.URL)
		get(ms.URL)
	}
	b.ResetTimer()
	var plain, meter time.Duration
	const round = 20
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		for range round {
			get(e.Server.URL)
		}
		t1 := time.Now()
		for range round {
			get(ms.URL)
		}
		plain += t1.Sub(t0)
		meter += time.Since(t1)
	}
	b.ReportMetric(float64(meter)/float64(plain), "x_unmetered")
	b.ReportMetric(float64(meter-plain)/float64(b.N*round), "ns_added/req")
}
