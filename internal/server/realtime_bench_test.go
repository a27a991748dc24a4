package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/graph"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/crm"
	"github.com/bigledger/bigledger/internal/events"
	"github.com/bigledger/bigledger/internal/store"
	"github.com/bigledger/bigledger/internal/tenant"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[min(len(d)-1, int(float64(len(d))*p))]
}

// emitAt commits one customer.updated event about subject through the
// real write path (one transaction, INSERT before COMMIT, wake-ups after)
// and returns when the commit returned.
func emitAt(ctx context.Context, subject string) (time.Time, error) {
	_, err := store.InTx(ctx, func(ctx context.Context, c *ent.Client) (store.Done, error) {
		return store.Done{}, events.Emit(ctx, events.CustomerUpdated, pulid.ID(subject), map[string]any{"id": subject})
	})
	return time.Now(), err
}

// produce commits rate events/s for d from 4 writers; it returns the
// commit time of each subject. With real set, each event is a real
// customer creation (what customerCreated subscribers re-read).
func produce(b *testing.B, ctx context.Context, prefix string, rate int, d time.Duration, real ...bool) *sync.Map {
	var commits sync.Map
	var wg sync.WaitGroup
	per := rate / 4
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			tick := time.NewTicker(time.Second / time.Duration(per))
			defer tick.Stop()
			stop := time.Now().Add(d)
			for i := 0; time.Now().Before(stop); i++ {
				<-tick.C
				subject := fmt.Sprintf("cust_%s_%d_%d", prefix, w, i)
				var at time.Time
				var err error
				if len(real) > 0 && real[0] {
					email := fmt.Sprintf("%s.%d.%d@example.com", prefix, w, i)
					var cu *ent.Customer
					cu, err = crm.CreateCustomer(ctx, ent.CreateCustomerInput{Name: subject, Email: &email})
					at = time.Now()
					if cu != nil {
						subject = string(cu.ID)
					}
				} else {
					at, err = emitAt(ctx, subject)
				}
				if err != nil {
					b.Error(err)
					return
				}
				commits.Store(subject, at)
			}
		}(w)
	}
	wg.Wait()
	return &commits
}

func heapAndStacks() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// BenchmarkEventDelivery measures, in one run:
//   - commit-to-delivery latency at the hub (what every subscriber of the
//     instance waits on) at 1,000 events/s, p50/p99;
//   - commit-to-client latency over GraphQL websockets with 1,000
//     concurrent customerCreated subscribers (each delivery is the
//     customer re-read for its subscriber; one read is shared by the
//     subscribers of the same document), p50/p99 — clients run in the same
//     process, on the same 2 cores as the server and PostgreSQL;
//   - memory per idle subscriber: the in-process growth (client and server
//     side) per subscription, and that growth minus a bare websocket
//     connection's measured the same way (BigLedger's own cost per
//     subscriber: gqlgen's connection state, the subscription goroutines,
//     the hub queue).
func BenchmarkEventDelivery(b *testing.B) {
	e := tk.New(b, tk.Options{Realtime: true})
	ctx := e.Ctx(e.A)
	b.ResetTimer()

	// 1. Hub level, 1,000 events/s.
	recv := map[string]time.Time{}
	var mu sync.Mutex
	fctx, stopFollow := context.WithCancel(context.Background())
	go func() {
		_ = e.Srv.Hub().Follow(fctx, pulid.ID(e.A.CompanyID), []string{events.CustomerUpdated}, nil, func(r events.Record) error {
			mu.Lock()
			recv[string(r.SubjectID)] = time.Now()
			mu.Unlock()
			return nil
		})
	}()
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	commits := produce(b, ctx, "hub", 1000, 3*time.Second)
	elapsed := time.Since(start)
	time.Sleep(200 * time.Millisecond)
	stopFollow()
	var hubLat []time.Duration
	n := 0
	commits.Range(func(k, v any) bool {
		n++
		mu.Lock()
		at, ok := recv[k.(string)]
		mu.Unlock()
		if ok {
			hubLat = append(hubLat, max(0, at.Sub(v.(time.Time))))
		}
		return true
	})
	if len(hubLat) != n {
		b.Fatalf("hub delivered %d of %d events", len(hubLat), n)
	}

	// 2. Memory per idle subscriber: a bare websocket first, then BigLedger subscriptions.
	const subs = 1000
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	}))
	defer bare.Close()
	m0 := heapAndStacks()
	var bareConns []*websocket.Conn
	for i := 0; i < subs; i++ {
		c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(bare.URL, "http"), nil)
		if err != nil {
			b.Fatal(err)
		}
		go func() {
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					return
				}
			}
		}()
		bareConns = append(bareConns, c)
	}
	time.Sleep(200 * time.Millisecond)
	m1 := heapAndStacks()
	for _, c := range bareConns {
		c.Close()
	}
	bareConns = nil
	time.Sleep(200 * time.Millisecond)
	m2 := heapAndStacks()
	// One API key holds at most graph.MaxSocketsPerKey sockets: the
	// subscribers share enough keys of company A.
	tenants := make([]tk.Tenant, 0, subs/graph.MaxSocketsPerKey+1)
	for range cap(tenants) {
		key, _, err := auth.IssueKey(tenant.WithCompany(context.Background(), pulid.ID(e.A.CompanyID)), e.Client, pulid.ID(e.A.UserID), "subscriber", []string{"*"})
		if err != nil {
			b.Fatal(err)
		}
		tenants = append(tenants, tk.Tenant{Name: e.A.Name, CompanyID: e.A.CompanyID, Key: key, UserID: e.A.UserID})
	}
	g2 := runtime.NumGoroutine()
	clients := make([]*tk.WS, subs)
	for i := range clients {
		clients[i] = e.GraphQLWS(tenants[i/graph.MaxSocketsPerKey], tk.TransportWS)
		clients[i].Subscribe("s", `subscription { customerCreated { id name customerNumber } }`, nil)
	}
	for deadline := time.Now().Add(30 * time.Second); e.Srv.Hub().Subscribers() < subs && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	if got := e.Srv.Hub().Subscribers(); got < subs {
		b.Fatalf("%d subscribers attached", got)
	}
	time.Sleep(300 * time.Millisecond)
	g3 := runtime.NumGoroutine()
	m3 := heapAndStacks()
	perBare := float64(m1-m0) / subs
	perSub := float64(m3-m2) / subs

	// 3. Commit to client, 1,000 subscribers, 20 events/s for 2s (40,000 deliveries).
	commits = produce(b, ctx, "ws", 20, 2*time.Second, true)
	var wsLat []time.Duration
	var got int
	for _, c := range clients {
		for {
			m := c.Next(3 * time.Second)
			if m == nil {
				break
			}
			subject := tk.Str(m, "payload", "data", "customerCreated", "id")
			at, _ := m["_receivedAt"].(time.Time)
			if v, ok := commits.Load(subject); ok {
				wsLat = append(wsLat, max(0, at.Sub(v.(time.Time))))
				got++
			}
			if got%40 == 0 && len(wsLat) > 0 && c.Next(0) == nil {
				break
			}
		}
	}
	b.StopTimer()
	wantWS := 0
	commits.Range(func(any, any) bool { wantWS++; return true })
	b.ReportMetric(float64(n)/elapsed.Seconds(), "hub_events/s")
	b.ReportMetric(float64(percentile(hubLat, 0.50).Microseconds())/1000, "hub_p50_ms")
	b.ReportMetric(float64(percentile(hubLat, 0.99).Microseconds())/1000, "hub_p99_ms")
	b.ReportMetric(float64(percentile(wsLat, 0.50).Microseconds())/1000, "ws1000_p50_ms")
	b.ReportMetric(float64(percentile(wsLat, 0.99).Microseconds())/1000, "ws1000_p99_ms")
	b.ReportMetric(perSub/1024, "KiB/idle_subscriber")
	b.ReportMetric((perSub-perBare)/1024, "KiB/subscriber_over_bare_ws")
	b.Logf("hub: %d events at %.0f/s, commit→delivery p50 %s p99 %s", n, float64(n)/elapsed.Seconds(), percentile(hubLat, 0.5), percentile(hubLat, 0.99))
	b.Logf("1,000 GraphQL subscribers: %d of %d deliveries, commit→client p50 %s p99 %s", len(wsLat), wantWS*subs, percentile(wsLat, 0.5), percentile(wsLat, 0.99))
	b.Logf("memory per idle subscriber (client+server in process): %.1f KiB; bare websocket %.1f KiB; BigLedger's own %.1f KiB", perSub/1024, perBare/1024, (perSub-perBare)/1024)
	b.Logf("goroutines per subscriber (client and server): %.1f", float64(g3-g2)/subs)
}
