package ledger_test

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/ledger"
	"github.com/bigledger/bigledger/internal/localpg"
	"github.com/bigledger/bigledger/internal/pgtest"
	"github.com/bigledger/bigledger/internal/sales"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

// payTarget is an issued invoice big enough to take many small payments.
type payTarget struct {
	ctx context.Context
	inv pulid.ID
}

func setupTargets(b *testing.B, e *tk.Env, tenants []tk.Tenant, perTenant int) [][]payTarget {
	out := make([][]payTarget, len(tenants))
	for i, tn := range tenants {
		ctx := e.Ctx(tn)
		for _, cu := range e.SeedCustomers(tn, perTenant, 0, 0) {
			desc, price := "Retainer", decimal.NewFromInt(1000000)
			inv, err := sales.CreateInvoice(ctx, sales.InvoiceInput{CustomerID: cu.ID, Items: []sales.LineInput{{Description: &desc, Quantity: decimal.NewFromInt(1), UnitPrice: &price}}})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := sales.IssueInvoice(ctx, inv.ID, ""); err != nil {
				b.Fatal(err)
			}
			out[i] = append(out[i], payTarget{ctx: ctx, inv: inv.ID})
		}
	}
	return out
}

// runPayments records payments from 16 workers for d and returns payments/s.
func runPayments(b *testing.B, pick func(worker, i int) payTarget, d time.Duration) float64 {
	var n atomic.Int64
	var wg sync.WaitGroup
	stop := time.Now().Add(d)
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; time.Now().Before(stop); i++ {
				t := pick(w, i)
				if _, err := ledger.RecordPayment(t.ctx, t.inv, ledger.RecordPaymentInput{Amount: decimal.NewFromInt(1)}, ""); err != nil {
					b.Error(err)
					return
				}
				n.Add(1)
			}
		}(w)
	}
	wg.Wait()
	return float64(n.Load()) / d.Seconds()
}

// pgbenchTPS runs a TPC-B-like pgbench on a scratch database of the same
// cluster with the same client count: the baseline the payment rate is
// measured against.
func pgbenchTPS(b *testing.B) float64 {
	pgbench, err := localpg.Tool("pgbench")
	if err != nil {
		b.Fatal(err)
	}
	admin := pgtest.AdminDSN(b)
	if err := localpg.CreateDatabase(context.Background(), admin, "pgbench_baseline", ""); err != nil {
		b.Fatal(err)
	}
	dsn := regexp.MustCompile(`/postgres\?`).ReplaceAllString(admin, "/pgbench_baseline?")
	if out, err := exec.Command(pgbench, "-i", "-s", "4", "-q", dsn).CombinedOutput(); err != nil {
		b.Fatalf("pgbench -i: %v\n%s", err, out)
	}
	out, err := exec.Command(pgbench, "-c", "16", "-j", "2", "-T", "5", "-n", dsn).CombinedOutput()
	if err != nil {
		b.Fatalf("pgbench: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`tps = ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		b.Fatalf("pgbench output: %s", out)
	}
	tps, _ := strconv.ParseFloat(string(m[1]), 64)
	return tps
}

// BenchmarkRecordPayment measures recordPayment throughput with payments
// spread over 100 companies and concentrated in one company (distinct
// invoices and customers), each as a ratio of a pgbench TPC-B-like run on
// the same cluster in the same run. Both faces of the same workflow pay
// for: an invoice row lock, a payment-number counter row (gapless numbers
// serialize one company's payments by design), a journal entry with its
// number, and the customer's balance row.
func BenchmarkRecordPayment(b *testing.B) {
	e := tk.New(b)
	baseline := pgbenchTPS(b)
	tenants := make([]tk.Tenant, 100)
	for i := range tenants {
		tenants[i] = e.NewTenant(fmt.Sprintf("Bench Co %03d", i), "*")
	}
	spread := setupTargets(b, e, tenants, 1)
	one := setupTargets(b, e, tenants[:1], 16)[0]
	const d = 5 * time.Second
	b.ResetTimer()
	spreadRate := runPayments(b, func(w, i int) payTarget { return spread[(w*7+i)%len(spread)][0] }, d)
	concRate := runPayments(b, func(w, i int) payTarget { return one[w%len(one)] }, d)
	b.StopTimer()
	b.ReportMetric(baseline, "pgbench_tps")
	b.ReportMetric(spreadRate, "spread_payments/s")
	b.ReportMetric(concRate, "one_company_payments/s")
	b.ReportMetric(spreadRate/baseline, "spread_x_pgbench")
	b.ReportMetric(concRate/baseline, "one_company_x_pgbench")
	b.Logf("pgbench %.0f tps; recordPayment spread over 100 companies %.0f/s (%.2f×), in one company %.0f/s (%.2f×)",
		baseline, spreadRate, spreadRate/baseline, concRate, concRate/baseline)
}
