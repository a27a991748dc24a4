package server_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/ratelimit"
	"github.com/bigledger/bigledger/internal/server"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

func rateEnv(t *testing.T, p ratelimit.Plan) *tk.Env {
	return tk.New(t, tk.Options{Server: func(o *server.Options) { o.RateLimit = p }})
}

func headerInt(t *testing.T, r tk.Response, name string) int {
	t.Helper()
	v, err := strconv.Atoi(r.Header.Get(name))
	if err != nil {
		t.Fatalf("%s = %q (%d %s)", name, r.Header.Get(name), r.Status, r.Raw)
	}
	return v
}

// Seed 001: every authenticated answer carries X-RateLimit-Limit,
// -Remaining and -Reset; past the quota the answer is 429
// RATE_LIMIT_EXCEEDED with Retry-After, and other keys are untouched.
func TestRateLimitHeadersAndRefusal(t *testing.T) {
	e := rateEnv(t, ratelimit.Plan{Name: "default", PerHour: 5})
	start := time.Now().Unix()
	for i := range 5 {
		// Both base paths and every family spend the same quota.
		path := []string{"/api/v1/customers", "/v1/customers", "/v1/company"}[i%3]
		r := e.Do(e.A, "GET", path, nil)
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", path, r.Status, r.Raw)
		}
		if headerInt(t, r, "X-RateLimit-Limit") != 5 || headerInt(t, r, "X-RateLimit-Remaining") != 4-i {
			t.Fatalf("request %d: %v", i, r.Header)
		}
		reset := int64(headerInt(t, r, "X-RateLimit-Reset"))
		if reset < start || reset > time.Now().Unix()+3600+1 {
			t.Fatalf("reset %d is not a unix time within the hour", reset)
		}
	}
	r := e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Past the limit", "email": "x@example.com"})
	if r.Status != 429 || tk.Str(r.Body, "error", "code") != "RATE_LIMIT_EXCEEDED" || r.Body["success"] != false {
		t.Fatalf("past the quota: %d %s", r.Status, r.Raw)
	}
	if ra := headerInt(t, r, "Retry-After"); ra < 700 || ra > 721 {
		t.Fatalf("Retry-After %d: one request of 5/hour comes back in 720 s", ra)
	}
	if headerInt(t, r, "X-RateLimit-Remaining") != 0 {
		t.Fatal(r.Header)
	}
	// The refused write wrote nothing.
	if n := e.Do(e.B, "GET", "/api/v1/customers?search=Past", nil); n.Status != 200 {
		t.Fatal(n.Status)
	}
	var count int
	if err := e.DB.QueryRow(`SELECT count(*) FROM customers WHERE name = 'Past the limit'`).Scan(&count); err != nil || count != 0 {
		t.Fatalf("refused create stored %d rows (%v)", count, err)
	}
	// GraphQL is refused too, with the same code and a 429.
	g := e.Do(e.A, "POST", "/graphql", map[string]any{"query": "{ customers { totalCount } }"})
	if g.Status != 429 || !strings.Contains(string(g.Raw), "RATE_LIMIT_EXCEEDED") || g.Header.Get("Retry-After") == "" {
		t.Fatalf("graphql: %d %s", g.Status, g.Raw)
	}
	// Another company's key and another key of the same company are
	// metered apart.
	if b := e.Do(e.B, "GET", "/api/v1/customers", nil); b.Status != 200 || headerInt(t, b, "X-RateLimit-Remaining") != 3 {
		t.Fatalf("company B: %d %v", b.Status, b.Header)
	}
	other := tk.Tenant{CompanyID: e.A.CompanyID, Key: e.NewKeyFor(e.A, "*")}
	if o := e.Do(other, "GET", "/api/v1/customers", nil); o.Status != 200 || headerInt(t, o, "X-RateLimit-Remaining") != 4 {
		t.Fatalf("second key: %d %v", o.Status, o.Header)
	}
	// Unauthenticated answers carry no quota (there is no key to meter).
	if u := e.Do(tk.Tenant{}, "GET", "/api/v1/customers", nil); u.Status != 401 || u.Header.Get("X-RateLimit-Limit") != "" {
		t.Fatalf("unauthenticated: %d %v", u.Status, u.Header)
	}
}

// The per-second burst refuses with Retry-After 1 and recovers a second
// later.
func TestRateLimitBurstRecovers(t *testing.T) {
	e := rateEnv(t, ratelimit.Plan{Name: "default", PerHour: 1000, PerSecond: 3})
	var refused tk.Response
	for range 10 {
		r := e.Do(e.A, "GET", "/api/v1/customers", nil)
		if r.Status == 429 {
			refused = r
			break
		}
	}
	if refused.Status != 429 || refused.Header.Get("Retry-After") != "1" || !strings.Contains(tk.Str(refused.Body, "error", "message"), "per second") {
		t.Fatalf("burst: %d %v %s", refused.Status, refused.Header, refused.Raw)
	}
	time.Sleep(1100 * time.Millisecond)
	if r := e.Do(e.A, "GET", "/api/v1/customers", nil); r.Status != 200 {
		t.Fatalf("after Retry-After: %d %s", r.Status, r.Raw)
	}
}

// A GraphQL operation is charged by its cost: one request per 1000 of cost.
func TestRateLimitChargesGraphQLByCost(t *testing.T) {
	e := rateEnv(t, ratelimit.Plan{Name: "default", PerHour: 1000})
	remaining := func(q string) int {
		r := e.Do(e.A, "POST", "/graphql", map[string]any{"query": q})
		if r.Status != 200 || strings.Contains(string(r.Raw), `"errors"`) {
			t.Fatalf("%d %s", r.Status, r.Raw)
		}
		return headerInt(t, r, "X-RateLimit-Remaining")
	}
	r0 := remaining(`{ customers(first: 1) { totalCount } }`)
	r1 := remaining(`{ customers(first: 1) { totalCount } }`)
	if r0-r1 != 1 {
		t.Fatalf("a cheap query costs one request: %d → %d", r0, r1)
	}
	// 100 customers × (1 + 500 contacts, the edge's cap) ≈ 50,400 of
	// cost: 51 requests.
	r2 := remaining(`{ customers(first: 100) { edges { node { id contacts { id } } } } }`)
	if spent := r1 - r2; spent != 51 {
		t.Fatalf("an expensive query spent %d requests", spent)
	}
}

// A company's plan (seed 004's table) is set by an admin key through PATCH
// /v1/company; its keys are metered by it within the key-check interval;
// bad plans are refused naming the field; other keys cannot set it.
func TestCompanyPlanSetsLimits(t *testing.T) {
	e := rateEnv(t, ratelimit.Plan{}) // no defaults: only plans meter
	if r := e.Do(e.A, "GET", "/api/v1/customers", nil); r.Header.Get("X-RateLimit-Limit") != "" {
		t.Fatalf("unmetered server sends %v", r.Header)
	}
	bad := e.Do(e.A, "PATCH", "/v1/company", map[string]any{"plan": "gold"})
	if bad.Status != 400 || tk.Str(bad.Body, "error", "details", 0, "field") != "plan" {
		t.Fatalf("bad plan: %d %s", bad.Status, bad.Raw)
	}
	reader := tk.Tenant{CompanyID: e.A.CompanyID, Key: e.NewKeyFor(e.A, "customers:write", "invoices:write")}
	if r := e.Do(reader, "PATCH", "/v1/company", map[string]any{"plan": "enterprise"}); r.Status != 403 {
		t.Fatalf("non-admin key set the plan: %d %s", r.Status, r.Raw)
	}
	r := e.Do(e.A, "PATCH", "/v1/company", map[string]any{"plan": "starter"})
	if r.Status != 200 || tk.Str(r.Body, "data", "plan") != "starter" || tk.Get(r.Body, "data", "rateLimit", "requestsPerHour") != float64(10000) {
		t.Fatalf("set plan: %d %s", r.Status, r.Raw)
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		r := e.Do(e.A, "GET", "/api/v1/customers", nil)
		if r.Header.Get("X-RateLimit-Limit") == "10000" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("plan not applied: %v", r.Header)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Company B is not on A's plan.
	if b := e.Do(e.B, "GET", "/api/v1/customers", nil); b.Header.Get("X-RateLimit-Limit") != "" {
		t.Fatalf("company B metered by A's plan: %v", b.Header)
	}
	if g := e.Do(e.B, "GET", "/v1/company", nil); tk.Str(g.Body, "data", "id") != e.B.CompanyID || tk.Get(g.Body, "data", "plan") != nil {
		t.Fatalf("company B: %s", g.Raw)
	}
	// null returns to the defaults.
	if r := e.Do(e.A, "PATCH", "/v1/company", `{"plan": null}`); r.Status != 200 || tk.Get(r.Body, "data", "plan") != nil {
		t.Fatalf("clear plan: %d %s", r.Status, r.Raw)
	}
}

// GET /v1/auth/verify answers who the key is; GET /v1/company the
// company; PATCH /v1/company validates every field.
func TestAuthVerifyAndCompany(t *testing.T) {
	e := rateEnv(t, ratelimit.Plan{Name: "default", PerHour: 1000, PerSecond: 10})
	key := e.NewKeyFor(e.A, "customers:read")
	r := e.Do(tk.Tenant{CompanyID: e.A.CompanyID, Key: key}, "GET", "/v1/auth/verify", nil)
	if r.Status != 200 || r.Body["success"] != true {
		t.Fatalf("%d %s", r.Status, r.Raw)
	}
	for path, want := range map[string]any{
		"valid": true, "company.id": e.A.CompanyID, "company.name": "Company A", "user.id": e.A.UserID,
		"scopes.0": "customers:read", "rateLimit.requestsPerHour": float64(1000), "rateLimit.burstPerSecond": float64(10),
		"rateLimit.plan": "default", "expiresAt": nil,
	} {
		var p []any
		for _, s := range strings.Split(path, ".") {
			if n, err := strconv.Atoi(s); err == nil {
				p = append(p, n)
			} else {
				p = append(p, s)
			}
		}
		if got := tk.Get(r.Body["data"], p...); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
	if r := e.Do(tk.Tenant{}, "GET", "/api/v1/auth/verify", nil, "Authorization", "Bearer "+e.A.Key, "X-Company-Id", e.B.CompanyID); r.Status != 401 {
		t.Fatalf("another company's id: %d", r.Status)
	}
	if r := e.Do(tk.Tenant{}, "GET", "/v1/auth/verify", nil, "Authorization", "Bearer blk_nope_nope"); r.Status != 401 {
		t.Fatalf("bad key: %d", r.Status)
	}
	c := e.Do(e.A, "GET", "/api/v1/company", nil)
	if c.Status != 200 || tk.Str(c.Body, "data", "id") != e.A.CompanyID || tk.Str(c.Body, "data", "baseCurrency") != "MYR" {
		t.Fatalf("company: %d %s", c.Status, c.Raw)
	}
	for _, tc := range []struct{ body, field string }{
		{`{"name": "  "}`, "name"},
		{`{"name": null}`, "name"},
		{`{"timezone": "Mars/Olympus"}`, "timezone"},
		{`{"baseCurrency": "USD"}`, "baseCurrency"},
		{`{"nmae": "typo"}`, "nmae"},
	} {
		r := e.Do(e.A, "PATCH", "/v1/company", tc.body)
		if r.Status != 400 || tk.Str(r.Body, "error", "details", 0, "field") != tc.field {
			t.Errorf("%s: %d %s", tc.body, r.Status, r.Raw)
		}
	}
	u := e.Do(e.A, "PATCH", "/v1/company", map[string]any{"name": "Company A Sdn Bhd", "timezone": "Europe/London"})
	if u.Status != 200 || tk.Str(u.Body, "data", "name") != "Company A Sdn Bhd" || tk.Str(u.Body, "data", "timezone") != "Europe/London" {
		t.Fatalf("update: %d %s", u.Status, u.Raw)
	}
	if b := e.Do(e.B, "GET", "/v1/company", nil); tk.Str(b.Body, "data", "name") != "Company B" {
		t.Fatalf("B renamed: %s", b.Raw)
	}
	_ = auth.ScopeKeysAdmin
}

// An operation priced over what the key has left is refused whole (429,
// nothing executed), and says what it cost.
func TestRateLimitRefusesCostlyGraphQL(t *testing.T) {
	e := rateEnv(t, ratelimit.Plan{Name: "default", PerHour: 20})
	r := e.Do(e.A, "POST", "/graphql", map[string]any{"query": `{ customers(first: 100) { edges { node { id contacts { id } } } } }`})
	if r.Status != 429 || !strings.Contains(string(r.Raw), "RATE_LIMIT_EXCEEDED") || !strings.Contains(string(r.Raw), "costs") || strings.Contains(string(r.Raw), `"edges"`) {
		t.Fatalf("%d %s", r.Status, r.Raw)
	}
	// Only the admission was spent.
	if c := e.Do(e.A, "GET", "/v1/customers", nil); headerInt(t, c, "X-RateLimit-Remaining") != 18 {
		t.Fatalf("%v", c.Header)
	}
}
