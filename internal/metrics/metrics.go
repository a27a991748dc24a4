// Package metrics is BigLedger's Prometheus registry: request, GraphQL,
// database-pool, event, webhook, socket and job figures, served in the
// Prometheus text format on a listener of its own (BIGLEDGER_METRICS_ADDR),
// never on the API port.
package metrics

import (
	"context"
	"database/sql"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the collectors the server feeds.
type Metrics struct {
	reg *prometheus.Registry

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
	gqlOps       *prometheus.CounterVec
	gqlErrors    *prometheus.CounterVec
	jobRuns      *prometheus.CounterVec

	// opNames bounds the operation-name label: clients choose the names,
	// so past maxOperationNames distinct ones the rest count as (other).
	namesMu sync.Mutex
	opNames map[string]bool
}

const maxOperationNames = 500

var safeName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// Sources are the live figures read at scrape time.
type Sources struct {
	DB *sql.DB
	// Sockets and Subscriptions count open websockets and live
	// subscriptions of this process.
	Sockets, Subscriptions func() int
	// HubPosition is where this process's event hub has delivered up to
	// (txid, seq), for the event-log lag.
	HubPosition func() (txid uint64, seq int64)
}

// New registers every collector.
func New(src Sources) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), opNames: map[string]bool{}}
	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "bigledger_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
	}, []string{"route", "method", "status"})
	m.httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "bigledger_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"route"})
	m.gqlOps = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "bigledger_graphql_operations_total", Help: "GraphQL operations by operation name and type.",
	}, []string{"operation", "type"})
	m.gqlErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "bigledger_graphql_errors_total", Help: "GraphQL errors by extensions.code.",
	}, []string{"code"})
	m.jobRuns = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "bigledger_job_runs_total", Help: "Periodic job runs by job and result.",
	}, []string{"job", "result"})
	m.reg.MustRegister(m.httpRequests, m.httpDuration, m.gqlOps, m.gqlErrors, m.jobRuns,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if src.DB != nil {
		m.reg.MustRegister(collectors.NewDBStatsCollector(src.DB, "bigledger"), &dbCollector{src: src})
	}
	if src.Sockets != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "bigledger_websockets_open", Help: "Open websockets (GraphQL and the seed-001 stream).",
		}, func() float64 { return float64(src.Sockets()) }))
	}
	if src.Subscriptions != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "bigledger_subscriptions_live", Help: "Live subscriptions on the event hub.",
		}, func() float64 { return float64(src.Subscriptions()) }))
	}
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObserveHTTP records one request.
func (m *Metrics) ObserveHTTP(route, method string, status int, d time.Duration) {
	if m == nil {
		return
	}
	m.httpRequests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.httpDuration.WithLabelValues(route).Observe(d.Seconds())
}

// ObserveOperation records one GraphQL operation.
func (m *Metrics) ObserveOperation(operation, typ string) {
	if m == nil {
		return
	}
	switch {
	case operation == "":
		operation = "(anonymous)"
	case !safeName.MatchString(operation):
		operation = "(other)"
	default:
		m.namesMu.Lock()
		if !m.opNames[operation] {
			if len(m.opNames) >= maxOperationNames {
				operation = "(other)"
			} else {
				m.opNames[operation] = true
			}
		}
		m.namesMu.Unlock()
	}
	m.gqlOps.WithLabelValues(operation, typ).Inc()
}

// ObserveError records one GraphQL error by its code.
func (m *Metrics) ObserveError(code string) {
	if m == nil {
		return
	}
	if code == "" {
		code = "(none)"
	}
	m.gqlErrors.WithLabelValues(code).Inc()
}

// ObserveJob records one run of a periodic job.
func (m *Metrics) ObserveJob(job string, err error) {
	if m == nil {
		return
	}
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.jobRuns.WithLabelValues(job, result).Inc()
}

// dbCollector reads the queue and lag figures from the database at scrape
// time (a few index lookups).
type dbCollector struct{ src Sources }

var (
	descWebhooks = prometheus.NewDesc("bigledger_webhook_deliveries", "Webhook deliveries by status (pending is the queue depth).", []string{"status"}, nil)
	descLag      = prometheus.NewDesc("bigledger_event_hub_lag_seconds", "Age of the oldest committed event this process's hub has not delivered yet (0: caught up).", nil, nil)
	descEvents   = prometheus.NewDesc("bigledger_event_hub_undelivered", "Committed events this process's hub has not delivered yet (at most 10,000 counted).", nil, nil)
)

func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descWebhooks
	ch <- descLag
	ch <- descEvents
}

func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts := map[string]float64{"pending": 0, "succeeded": 0, "failed": 0}
	if rows, err := c.src.DB.QueryContext(ctx, `SELECT status, count(*) FROM webhook_deliveries GROUP BY status`); err == nil {
		for rows.Next() {
			var s string
			var n float64
			if rows.Scan(&s, &n) == nil {
				counts[s] = n
			}
		}
		rows.Close()
	}
	for s, n := range counts {
		ch <- prometheus.MustNewConstMetric(descWebhooks, prometheus.GaugeValue, n, s)
	}
	if c.src.HubPosition == nil {
		return
	}
	txid, seq := c.src.HubPosition()
	var lag sql.NullFloat64
	var n float64
	err := c.src.DB.QueryRowContext(ctx, `
		SELECT EXTRACT(EPOCH FROM now() - min(created_at)), count(*) FROM (
			SELECT created_at FROM events WHERE (txid, seq) > ($1::text::xid8, $2)
			AND txid < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY txid, seq LIMIT 10000) e`,
		strconv.FormatUint(txid, 10), seq).Scan(&lag, &n)
	if err != nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(descLag, prometheus.GaugeValue, max(lag.Float64, 0))
	ch <- prometheus.MustNewConstMetric(descEvents, prometheus.GaugeValue, n)
}
