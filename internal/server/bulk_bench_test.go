package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	tk "github.com/bigledger/bigledger/internal/testkit"
)

// BenchmarkBulkCustomers creates 1,000 customers as one bulk call of
// 1,000 creates (the batch path), as ten calls of 100 (the seed's size)
// and as 1,000 single POSTs, in the same run: x_faster is single time /
// one-call time (the target is ≥ 10), x_faster_100s single time /
// ten-call time.
func BenchmarkBulkCustomers(b *testing.B) {
	e := tk.New(b, tk.Options{Plain: true})
	n := 0
	post := func(path string, body any) {
		buf, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", e.Server.URL+path, bytes.NewReader(buf))
		req.Header.Set("Authorization", "Bearer "+e.A.Key)
		req.Header.Set("X-Company-Id", e.A.CompanyID)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode >= 300 {
			b.Fatalf("%s: %d", path, res.StatusCode)
		}
	}
	customer := func() map[string]any {
		n++
		return map[string]any{"name": fmt.Sprintf("Bench %d", n), "email": fmt.Sprintf("bench%d@example.com", n)}
	}
	creates := func(k int) map[string]any {
		ops := make([]map[string]any, k)
		for j := range ops {
			ops[j] = map[string]any{"operation": "create", "data": customer()}
		}
		return map[string]any{"operations": ops}
	}
	var single, one, tens time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		for range 1000 {
			post("/api/v1/customers", customer())
		}
		t1 := time.Now()
		post("/api/v1/bulk/customers", creates(1000))
		t2 := time.Now()
		for range 10 {
			post("/api/v1/bulk/customers", creates(100))
		}
		single += t1.Sub(t0)
		one += t2.Sub(t1)
		tens += time.Since(t2)
	}
	b.ReportMetric(float64(single)/float64(one), "x_faster")
	b.ReportMetric(float64(single)/float64(tens), "x_faster_100s")
}

// BenchmarkV2BatchCustomers creates 1,000 customers as one seed-002 batch
// call and as 1,000 single POST /api/v2/customers, in the same run:
// x_faster is single time / batch time (the target is ≥ 10).
func BenchmarkV2BatchCustomers(b *testing.B) {
	e := tk.New(b, tk.Options{Plain: true})
	n := 0
	post := func(path string, body any) {
		buf, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", e.Server.URL+path, bytes.NewReader(buf))
		req.Header.Set("Authorization", "Bearer "+e.A.Key)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			b.Fatalf("%s: %d", path, res.StatusCode)
		}
	}
	customer := func() map[string]any {
		n++
		return map[string]any{"account": fmt.Sprintf("Bench %d", n), "email": fmt.Sprintf("bench%d@example.com", n), "city": "Kuala Lumpur"}
	}
	var single, batch time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		for range 1000 {
			post("/api/v2/customers", customer())
		}
		t1 := time.Now()
		list := make([]map[string]any, 1000)
		for j := range list {
			list[j] = customer()
		}
		post("/api/v2/batch/customers", map[string]any{"customers": list})
		single += t1.Sub(t0)
		batch += time.Since(t1)
	}
	b.ReportMetric(float64(single)/float64(batch), "x_faster")
	b.ReportMetric(float64(batch.Milliseconds())/float64(b.N), "batch_ms")
}
