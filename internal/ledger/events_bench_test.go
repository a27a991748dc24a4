package ledger_test

import (
	"context"
	"testing"
	"time"

	"github.com/bigledger/bigledger/internal/events"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

// BenchmarkEventLogWriteCost measures what the event log costs the write
// path: recordPayment (payment.received, invoice.updated,
// journal_entry.posted in one INSERT before COMMIT, then an in-memory
// wake-up and a coalesced NOTIFY outside the transaction) against the
// same workflow with events switched off, and against NOTIFY inside the
// writing transaction (the design rejected: it holds a cluster-wide lock
// across the commit flush). Rounds alternate to even out drift; the hub,
// the notifier and the webhook dispatcher run throughout.
func BenchmarkEventLogWriteCost(b *testing.B) {
	e := tk.New(b, tk.Options{Realtime: true})
	tenants := make([]tk.Tenant, 16)
	for i := range tenants {
		tenants[i] = e.NewTenant("Events Bench "+string(rune('A'+i)), "*")
	}
	targets := setupTargets(b, e, tenants, 1)
	with := func(f func(context.Context) context.Context) func(w, i int) payTarget {
		return func(w, i int) payTarget {
			t := targets[w%len(targets)][0]
			if f != nil {
				t.ctx = f(t.ctx)
			}
			return t
		}
	}
	const d, rounds = 3 * time.Second, 3
	var off, on, inTx float64
	b.ResetTimer()
	for round := 0; round < rounds; round++ {
		off += runPayments(b, with(events.WithoutEvents), d)
		on += runPayments(b, with(nil), d)
		inTx += runPayments(b, with(events.WithNotifyInTransaction), d)
	}
	b.StopTimer()
	b.ReportMetric(off/rounds, "no_events_payments/s")
	b.ReportMetric(on/rounds, "events_payments/s")
	b.ReportMetric(inTx/rounds, "notify_in_tx_payments/s")
	b.ReportMetric(on/off, "events_x_no_events")
	b.ReportMetric(inTx/off, "notify_in_tx_x_no_events")
	b.Logf("recordPayment, 16 workers over 16 companies: no events %.0f/s; event log %.0f/s (%.2f×); NOTIFY in the transaction %.0f/s (%.2f×)",
		off/rounds, on/rounds, on/off, inTx/rounds, inTx/off)
}
