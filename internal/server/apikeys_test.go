package server_test

import (
	"strings"
	"testing"
	"time"

	tk "github.com/bigledger/bigledger/internal/testkit"
)

// Key management over REST and GraphQL behind keys:admin: create (secret
// shown once), list (never a secret), revoke — a revoked key answers 401
// within the key check (200 ms here, 2 s by default) on REST and GraphQL,
// and its open sockets are closed; a key grants only scopes it holds;
// another company's keys are invisible and unrevocable.
func TestAPIKeyManagement(t *testing.T) {
	e := tk.New(t, tk.Options{Realtime: true})
	r := e.Do(e.A, "POST", "/api/v1/api-keys", map[string]any{"name": "reporting", "scopes": []string{"customers:read"}})
	if r.Status != 201 || !strings.HasPrefix(tk.Str(r.Body, "data", "secret"), "blk_") || tk.Str(r.Body, "data", "prefix") == "" {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	id, secret := tk.Str(r.Body, "data", "id"), tk.Str(r.Body, "data", "secret")
	reader := tk.Tenant{Key: secret, CompanyID: e.A.CompanyID}
	if got := e.Do(reader, "GET", "/api/v1/customers", nil); got.Status != 200 {
		t.Fatalf("new key: %d", got.Status)
	}
	if got := e.Do(reader, "GET", "/api/v1/api-keys", nil); got.Status != 403 {
		t.Fatalf("a key without keys:admin listed keys: %d", got.Status)
	}
	list := e.Do(e.A, "GET", "/api/v1/api-keys", nil)
	if list.Status != 200 || strings.Contains(string(list.Raw), secret[len(secret)-20:]) || !strings.Contains(string(list.Raw), id) {
		t.Fatalf("list: %d %s", list.Status, list.Raw)
	}
	g := e.MustGQL(e.A, `{ apiKeys { id prefix scopes lastUsedAt revokedAt } }`, nil)
	if n := len(tk.Get(g, "apiKeys").([]any)); n < 2 {
		t.Fatalf("apiKeys: %v", g)
	}

	// A key grants only what it holds.
	admin := e.MustGQL(e.A, `mutation { createApiKey(input: {name: "admin", scopes: ["keys:admin", "customers:read"]}) { secret apiKey { id } } }`, nil)
	limited := tk.Tenant{Key: tk.Str(admin, "createApiKey", "secret"), CompanyID: e.A.CompanyID}
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"scopes": []string{"*"}}, "scopes[0]"},
		{map[string]any{"scopes": []string{"customers:read", "invoices:read"}}, "scopes[1]"},
		{map[string]any{"scopes": []string{"nonsense"}}, "scopes[0]"},
		{map[string]any{"scopes": []string{}}, "scopes"},
		{map[string]any{"scopes": []string{"customers:read"}, "expiresAt": "2020-01-01T00:00:00Z"}, "expiresAt"},
		{map[string]any{"scopes": []string{"customers:read"}, "expiresAt": "tomorrow"}, "expiresAt"},
	} {
		got := e.Do(limited, "POST", "/api/v1/api-keys", c.body)
		if got.Status != 400 || tk.Str(got.Body, "error", "details", 0, "field") != c.field {
			t.Errorf("%v: %d %s", c.body, got.Status, got.Raw)
		}
	}
	if got := e.Do(limited, "POST", "/api/v1/api-keys", map[string]any{"scopes": []string{"customers:read"}}); got.Status != 201 {
		t.Errorf("a scope it holds: %d %s", got.Status, got.Raw)
	}

	// Another company sees none of A's keys and cannot revoke them.
	if got := e.Do(e.B, "GET", "/api/v1/api-keys", nil); strings.Contains(string(got.Raw), id) {
		t.Fatal("B lists A's key")
	}
	if got := e.Do(e.B, "DELETE", "/api/v1/api-keys/"+id, nil); got.Status != 404 || tk.Str(got.Body, "error", "code") != "API_KEY_NOT_FOUND" {
		t.Fatalf("B revoking A's key: %d %s", got.Status, got.Raw)
	}
	if got := e.Do(reader, "GET", "/api/v1/customers", nil); got.Status != 200 {
		t.Fatalf("the key stopped after B's attempt: %d", got.Status)
	}

	// Revoked: REST, GraphQL and an open socket all stop within the check.
	ws := e.GraphQLWS(reader, tk.TransportWS)
	if got := e.MustGQL(e.A, `mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, map[string]any{"id": id}); tk.Str(got, "revokeApiKey", "revokedAt") == "" {
		t.Fatalf("revoke: %v", got)
	}
	deadline := time.Now().Add(3 * time.Second)
	for e.Do(reader, "GET", "/api/v1/customers", nil).Status != 401 {
		if time.Now().After(deadline) {
			t.Fatal("revoked key still answers over REST")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := e.GQL(reader, `{ customers(first: 1) { totalCount } }`, nil); got.Status != 401 {
		t.Fatalf("revoked key over GraphQL: %d %s", got.Status, got.Raw)
	}
	select {
	case <-ws.Closed:
	case <-time.After(3 * time.Second):
		t.Fatal("the revoked key's socket stayed open")
	}
	// Revoking again is harmless; a malformed id is not found.
	if got := e.Do(e.A, "DELETE", "/api/v1/api-keys/"+id, nil); got.Status != 200 {
		t.Fatalf("second revoke: %d", got.Status)
	}
	if got := e.Do(e.A, "DELETE", "/api/v1/api-keys/cust_01M8CQM1VN6BDWHCDY6CRFMGDX", nil); got.Status != 404 {
		t.Fatalf("wrong id kind: %d", got.Status)
	}

	// An expiry: the key works until then, not after.
	exp := time.Now().Add(1500 * time.Millisecond).UTC().Format(time.RFC3339Nano)
	short := e.Do(e.A, "POST", "/api/v1/api-keys", map[string]any{"scopes": []string{"customers:read"}, "expiresAt": exp})
	shortKey := tk.Tenant{Key: tk.Str(short.Body, "data", "secret"), CompanyID: e.A.CompanyID}
	if got := e.Do(shortKey, "GET", "/api/v1/customers", nil); short.Status != 201 || got.Status != 200 {
		t.Fatalf("expiring key: %d %d %s", short.Status, got.Status, short.Raw)
	}
	time.Sleep(2 * time.Second)
	if got := e.Do(shortKey, "GET", "/api/v1/customers", nil); got.Status != 401 {
		t.Fatalf("expired key: %d", got.Status)
	}
}
