package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tk "github.com/bigledger/bigledger/internal/testkit"
)

// scrape reads one metric sample (name and label set as printed) or -1.
func scrape(t *testing.T, url, series string) float64 {
	t.Helper()
	res, err := httpGet(url)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` ([0-9.e+-]+)$`)
	m := re.FindStringSubmatch(res)
	if m == nil {
		return -1
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

func httpGet(url string) (string, error) {
	res, err := httpClient.Get(url)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return string(b), err
}

// /metrics (served on its own listener in production) moves with traffic:
// requests by route pattern and status, latency, GraphQL operations and
// error codes, open websockets and live subscriptions, webhook queue depth,
// the event hub's lag, the database pool.
func TestMetricsMoveWithTraffic(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true})
	ms := httptest.NewServer(e.Srv.MetricsHandler())
	defer ms.Close()
	series := `bigledger_http_requests_total{method="GET",route="GET /api/v1/customers",status="200"}`
	before := scrape(t, ms.URL, series)
	for i := 0; i < 3; i++ {
		e.Do(e.A, "GET", "/api/v1/customers?limit=1", nil)
	}
	if got := scrape(t, ms.URL, series); got != max(before, 0)+3 {
		t.Fatalf("%s: %v after 3 requests (before %v)", series, got, before)
	}
	e.Do(e.A, "GET", "/api/v1/customers/cust_01M8CQM1VN6BDWHCDY6CRFMGDX", nil)
	if got := scrape(t, ms.URL, `bigledger_http_requests_total{method="GET",route="GET /api/v1/customers/{id}",status="404"}`); got != 1 {
		t.Errorf("404 by pattern: %v", got)
	}
	e.MustGQL(e.A, `query Screen { customers(first: 1) { totalCount } }`, nil)
	e.GQL(e.A, `{ customers(after: "garbage") { totalCount } }`, nil)
	if got := scrape(t, ms.URL, `bigledger_graphql_operations_total{operation="Screen",type="query"}`); got != 1 {
		t.Errorf("graphql operations: %v", got)
	}
	if got := scrape(t, ms.URL, `bigledger_graphql_errors_total{code="VALIDATION_ERROR"}`); got < 1 {
		t.Errorf("graphql errors: %v", got)
	}
	w := e.GraphQLWS(e.A, tk.TransportWS)
	w.Subscribe("s", `subscription { invoiceCreated { id } }`, nil)
	deadline := time.Now().Add(5 * time.Second)
	for scrape(t, ms.URL, "bigledger_subscriptions_live") < 1 || scrape(t, ms.URL, "bigledger_websockets_open") < 1 {
		if time.Now().After(deadline) {
			t.Fatal("open socket and live subscription not counted")
		}
		time.Sleep(50 * time.Millisecond)
	}
	body, _ := httpGet(ms.URL)
	for _, want := range []string{
		`bigledger_http_request_duration_seconds_bucket{route="GET /api/v1/customers",le="+Inf"}`,
		`bigledger_webhook_deliveries{status="pending"} 0`,
		"bigledger_event_hub_lag_seconds ", "bigledger_event_hub_undelivered ",
		"go_sql_open_connections", "bigledger_job_runs_total{job=\"invoice_overdue\",result=\"ok\"}",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("no %s in /metrics", want)
		}
	}
	// The API port does not serve them.
	if r := e.Do(e.A, "GET", "/metrics", nil); r.Status != 404 {
		t.Errorf("/metrics on the API port: %d", r.Status)
	}
	// Client-chosen operation names cannot grow the series without bound.
	for i := 0; i < 3; i++ {
		e.GQL(e.A, `query `+strings.Repeat("x", 80)+` { __typename }`, nil)
	}
	if got := scrape(t, ms.URL, `bigledger_graphql_operations_total{operation="(other)",type="query"}`); got != 3 {
		t.Errorf("unsafe operation names: %v", got)
	}
}

var httpClient = &http.Client{Timeout: 10 * time.Second}
