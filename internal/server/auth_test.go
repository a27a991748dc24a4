package server_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/bigledger/bigledger/ent/apikey"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/provision"
	"github.com/bigledger/bigledger/internal/store"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

func TestAuthenticationFailures(t *testing.T) {
	e := tk.New(t)
	cases := []struct {
		name    string
		headers []string
	}{
		{"no credentials", nil},
		{"no key", []string{"X-Company-Id", e.A.CompanyID}},
		{"malformed key", []string{"Authorization", "Bearer nonsense", "X-Company-Id", e.A.CompanyID}},
		{"wrong secret", []string{"Authorization", "Bearer " + e.A.Key[:len(e.A.Key)-4] + "aaaa", "X-Company-Id", e.A.CompanyID}},
		{"another company's id", []string{"Authorization", "Bearer " + e.A.Key, "X-Company-Id", e.B.CompanyID}},
		{"basic scheme", []string{"Authorization", "Basic " + e.A.Key, "X-Company-Id", e.A.CompanyID}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(tk.Tenant{}, "GET", "/api/v1/customers", nil, tc.headers...)
			if r.Status != 401 || tk.Str(r.Body, "error", "code") != "AUTHENTICATION_FAILED" || r.Body["success"] != false {
				t.Fatalf("REST: %d %s", r.Status, r.Raw)
			}
			g := e.Do(tk.Tenant{}, "POST", "/graphql", map[string]any{"query": "{ customers { totalCount } }"}, tc.headers...)
			if g.Status != 401 || !strings.Contains(string(g.Raw), `"code":"AUTHENTICATION_FAILED"`) || strings.Contains(string(g.Raw), `"data"`) {
				t.Fatalf("GraphQL: %d %s", g.Status, g.Raw)
			}
		})
	}
	// X-Company-Id is optional (DESIGN §3; seeds 002 and 003 never send
	// it): the key's own company acts.
	e.SeedCustomers(e.B, 2, 0, 0)
	if r := e.Do(tk.Tenant{}, "GET", "/api/v1/customers", nil, "Authorization", "Bearer "+e.A.Key); r.Status != 200 || len(r.Body["data"].([]any)) != 0 {
		t.Fatalf("key without company: %d %s", r.Status, r.Raw)
	}
	if r := e.Do(tk.Tenant{}, "GET", "/api/v1/customers", nil, "Authorization", "Bearer "+e.B.Key); r.Status != 200 || len(r.Body["data"].([]any)) != 2 {
		t.Fatalf("B's key without company: %d %s", r.Status, r.Raw)
	}
	// A lowercase scheme is fine.
	if r := e.Do(tk.Tenant{}, "GET", "/api/v1/customers", nil, "Authorization", "bearer "+e.A.Key, "X-Company-Id", e.A.CompanyID); r.Status != 200 {
		t.Fatalf("lowercase bearer: %d %s", r.Status, r.Raw)
	}
	// Health checks need no credentials.
	for _, p := range []string{"/healthz", "/readyz"} {
		if r := e.Do(tk.Tenant{}, "GET", p, nil); r.Status != 200 {
			t.Fatalf("%s: %d %s", p, r.Status, r.Raw)
		}
	}
}

func TestRevokedKeyStopsWorking(t *testing.T) {
	e := tk.New(t)
	if r := e.Do(e.A, "GET", "/api/v1/customers", nil); r.Status != 200 {
		t.Fatalf("before revoke: %d", r.Status)
	}
	ctx := e.Ctx(e.A)
	k, err := store.Client(ctx).APIKey.Query().Where(apikey.UserID(pidOf(e.A.UserID))).First(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if k.LastUsedAt != nil {
		t.Fatal("lastUsedAt written from the request path")
	}
	e.Srv.FlushKeyUse(ctx)
	if k, err = store.Client(ctx).APIKey.Get(ctx, k.ID); err != nil || k.LastUsedAt == nil {
		t.Fatalf("lastUsedAt not recorded by the batch: %v", err)
	}
	if len(k.SecretHash) != 32 || strings.Contains(e.A.Key, string(k.SecretHash)) {
		t.Fatal("key not stored as a hash")
	}
	if _, err := auth.Revoke(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	// Keys are remembered for KeyCheck (200 ms here, 2 s by default):
	// the revoked key stops working within that, and stays refused.
	revoked := time.Now()
	for e.Do(e.A, "GET", "/api/v1/customers", nil).Status != 401 {
		if time.Since(revoked) > 2*time.Second {
			t.Fatal("revoked key still works after 2 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if took := time.Since(revoked); took > time.Second {
		t.Fatalf("revocation took %s with a 200 ms key cache", took)
	}
	for range 5 {
		if r := e.Do(e.A, "GET", "/api/v1/customers", nil); r.Status != 401 {
			t.Fatalf("after revoke: %d %s", r.Status, r.Raw)
		}
	}
}

func TestScopes(t *testing.T) {
	e := tk.New(t)
	ro := e.NewTenant("Company A", "customers:read")
	if ro.CompanyID != e.A.CompanyID {
		t.Fatal("read-only key for another company")
	}
	createCustomerREST(t, e, e.A, map[string]any{"name": "Visible", "email": "v@x.co"})
	if r := e.Do(ro, "GET", "/api/v1/customers", nil); r.Status != 200 || tk.Get(r.Body, "pagination", "total") != float64(1) {
		t.Fatalf("read with read scope: %d %s", r.Status, r.Raw)
	}
	for _, req := range []struct{ method, path string }{
		{"POST", "/api/v1/customers"}, {"POST", "/api/v1/integration/customer-groups"},
	} {
		r := e.Do(ro, req.method, req.path, map[string]any{"name": "Nope", "email": "n@x.co"})
		if r.Status != 403 || tk.Str(r.Body, "error", "code") != "PERMISSION_DENIED" {
			t.Fatalf("%s %s with read scope: %d %s", req.method, req.path, r.Status, r.Raw)
		}
	}
	g := e.GQL(ro, `mutation { createCustomer(input: {name: "Nope", email: "n@x.co"}) { id } }`, nil)
	if len(g.Errors) != 1 || g.Errors[0].Code() != "PERMISSION_DENIED" || tk.Get(g.Data, "createCustomer") != nil {
		t.Fatalf("GraphQL mutation with read scope: %s", g.Raw)
	}
	if d := e.MustGQL(ro, `{ customers { totalCount } }`, nil); tk.Get(d, "customers", "totalCount") != float64(1) {
		t.Fatalf("GraphQL read with read scope: %v", d)
	}
	if r := e.Do(e.A, "GET", "/api/v1/customers?search=Nope", nil); tk.Get(r.Body, "pagination", "total") != float64(0) {
		t.Fatal("a refused write was stored")
	}
	if _, err := provision.EnsureCompanyKey(e.Ctx(e.A), e.Client, "Company A", []string{"invoices:everything"}); err == nil {
		t.Fatal("unknown scope accepted")
	}
}

func pidOf(s string) pulid.ID { return pulid.ID(s) }

func wsURL(e *tk.Env) string { return "ws" + strings.TrimPrefix(e.Server.URL, "http") + "/graphql" }

// readUntilClose reads frames until the server closes; it reports whether
// a connection_ack arrived and the close code.
func readUntilClose(t *testing.T, c *websocket.Conn) (acked bool, code int) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, msg, err := c.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				return acked, ce.Code
			}
			t.Fatalf("read: %v", err)
		}
		var m struct{ Type string }
		_ = json.Unmarshal(msg, &m)
		if m.Type == "connection_ack" {
			acked = true
			return acked, 0
		}
	}
}

func TestWebsocketConnectionInit(t *testing.T) {
	e := tk.New(t, tk.Options{AllowedOrigins: []string{"https://app.example"}})
	for _, proto := range []string{"graphql-transport-ws", "graphql-ws"} {
		t.Run(proto, func(t *testing.T) {
			dial := func(payload map[string]any, header http.Header) (bool, int) {
				d := websocket.Dialer{Subprotocols: []string{proto}, HandshakeTimeout: 5 * time.Second}
				c, _, err := d.Dial(wsURL(e), header)
				if err != nil {
					t.Fatalf("dial: %v", err)
				}
				defer c.Close()
				if c.Subprotocol() != proto {
					t.Fatalf("negotiated %q", c.Subprotocol())
				}
				if err := c.WriteJSON(map[string]any{"type": "connection_init", "payload": payload}); err != nil {
					t.Fatal(err)
				}
				return readUntilClose(t, c)
			}
			if acked, _ := dial(map[string]any{"Authorization": "Bearer " + e.A.Key, "X-Company-Id": e.A.CompanyID}, nil); !acked {
				t.Fatal("valid credentials not acknowledged")
			}
			if acked, _ := dial(map[string]any{"apiKey": e.A.Key, "companyId": e.A.CompanyID}, nil); !acked {
				t.Fatal("apiKey/companyId payload not acknowledged")
			}
			// The company is optional here too: the key's company acts.
			if acked, _ := dial(map[string]any{"Authorization": "Bearer " + e.A.Key}, nil); !acked {
				t.Fatal("key without company not acknowledged")
			}
			h := http.Header{"Authorization": {"Bearer " + e.A.Key}, "X-Company-Id": {e.A.CompanyID}}
			if acked, _ := dial(nil, h); !acked {
				t.Fatal("upgrade-header credentials not acknowledged")
			}
			for name, p := range map[string]map[string]any{
				"bad key":       {"Authorization": "Bearer blk_aaaaaaaaaaaa_" + strings.Repeat("b", 40), "X-Company-Id": e.A.CompanyID},
				"wrong company": {"Authorization": "Bearer " + e.A.Key, "X-Company-Id": e.B.CompanyID},
				"missing":       {},
			} {
				acked, code := dial(p, nil)
				if acked || code != 4401 {
					t.Errorf("%s: acked=%v close=%d, want no ack and 4401", name, acked, code)
				}
			}
		})
	}
	// Origins: an allowed one connects, a foreign one is refused at the upgrade.
	d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}}
	c, _, err := d.Dial(wsURL(e), http.Header{"Origin": {"https://app.example"}})
	if err != nil {
		t.Fatalf("allowed origin: %v", err)
	}
	c.Close()
	_, res, err := d.Dial(wsURL(e), http.Header{"Origin": {"https://evil.example"}})
	if err == nil || res == nil || res.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign origin not refused: %v %v", err, res)
	}
}
