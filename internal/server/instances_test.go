package server_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/internal/dbmigrate"
	"github.com/bigledger/bigledger/internal/localpg"
	"github.com/bigledger/bigledger/internal/provision"
	"github.com/bigledger/bigledger/internal/server"
	"github.com/bigledger/bigledger/internal/store"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

// startInstance runs another server process's worth of BigLedger (own
// pool, own hub and listener) on the environment's database.
func startInstance(t *testing.T, e *tk.Env, o server.Options) *tk.Env {
	env, _ := startInstanceStop(t, e, o)
	return env
}

// startInstanceStop is startInstance that also returns a stop function
// (its background work ends, as when the process dies).
func startInstanceStop(t *testing.T, e *tk.Env, o server.Options) (*tk.Env, func()) {
	t.Helper()
	client, db, err := store.Open(e.DSN)
	if err != nil {
		t.Fatal(err)
	}
	o.DSN, o.Development = e.DSN, true
	srv := server.New(client, db, o)
	hs := httptest.NewServer(srv.Handler())
	ctx, cancel := context.WithCancel(context.Background())
	srv.Start(ctx)
	<-srv.Hub().Started()
	t.Cleanup(func() {
		srv.CloseWebsockets()
		hs.Close()
		cancel()
		client.Close()
	})
	return &tk.Env{T: t, Client: client, DB: db, DSN: e.DSN, Server: hs, Srv: srv, A: e.A, B: e.B}, cancel
}

// Two instances on one database both deliver every event to their own
// subscribers. The second never hears the first's in-memory wake-up and
// polls only hourly: its deliveries prove the NOTIFY path.
func TestTwoInstancesBothDeliver(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true})
	other := startInstance(t, e, server.Options{EventPoll: time.Hour, NoWebhooks: true})
	ws1 := e.GraphQLWS(e.A, tk.TransportWS)
	ws2 := other.GraphQLWS(e.A, tk.LegacyWS)
	for _, ws := range []*tk.WS{ws1, ws2} {
		ws.Subscribe("c", `subscription { customerCreated { id name } }`, nil)
	}
	time.Sleep(100 * time.Millisecond)
	for i, name := range []string{"Via instance one", "Again one", "Third"} {
		cu := newCustomer(t, e, e.A, name)
		for j, ws := range []*tk.WS{ws1, ws2} {
			r := ws.NextResult(wait)
			if tk.Str(r.Data, "customerCreated", "id") != string(cu.ID) {
				t.Fatalf("event %d, instance %d: %+v", i, j+1, r)
			}
		}
	}
	// And the other way round: a change made through instance two's API.
	cu := other.MustGQL(e.A, `mutation { createCustomer(input: {name: "Via instance two", email: "two@example.com"}) { id } }`, nil)
	for j, ws := range []*tk.WS{ws1, ws2} {
		if r := ws.NextResult(wait); tk.Str(r.Data, "customerCreated", "id") != tk.Str(cu, "createCustomer", "id") {
			t.Fatalf("instance %d: %+v", j+1, r)
		}
	}
}

// Restarting PostgreSQL under live subscribers loses no committed event:
// the listener reconnects, re-reads the log and delivers.
func TestPostgresRestartLosesNoEvent(t *testing.T) {
	ctx := context.Background()
	c, err := localpg.Start(ctx, t.TempDir(), localpg.Options{Ephemeral: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Stop() })
	if err := c.CreateDatabase(ctx, "restart"); err != nil {
		t.Fatal(err)
	}
	dsn := c.DSN("restart")
	client, db, err := store.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	if _, err := dbmigrate.Apply(ctx, db); err != nil {
		t.Fatal(err)
	}
	p, err := provision.EnsureCompanyKey(ctx, client, "Restart Co", []string{"*"})
	if err != nil {
		t.Fatal(err)
	}
	base := &tk.Env{T: t, Client: client, DB: db, DSN: dsn, A: tk.Tenant{Name: "Restart Co", CompanyID: p.CompanyID, Key: p.APIKey, UserID: p.UserID}}
	e := startInstance(t, base, server.Options{NoWebhooks: true, EventPoll: time.Hour})
	ws := e.GraphQLWS(e.A, tk.TransportWS)
	ws.Subscribe("c", `subscription { customerCreated { id } }`, nil)
	time.Sleep(100 * time.Millisecond)

	before := createRetrying(t, e, "Before restart")
	if err := c.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	after := createRetrying(t, e, "After restart")
	got := map[string]bool{}
	for len(got) < 2 {
		r := ws.NextResult(15 * time.Second)
		got[tk.Str(r.Data, "customerCreated", "id")] = true
	}
	if !got[string(before.ID)] || !got[string(after.ID)] {
		t.Fatalf("delivered %v, want %s and %s", got, before.ID, after.ID)
	}
}

// createRetrying creates a customer, retrying while the pool reconnects.
func createRetrying(t *testing.T, e *tk.Env, name string) *ent.Customer {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		email := "x@example.com"
		cu, err := crmCreate(e, name, email)
		if err == nil {
			return cu
		}
		if time.Now().After(deadline) {
			t.Fatalf("create %s: %v", name, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
