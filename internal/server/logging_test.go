package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/bigledger/bigledger/internal/logging"
	"github.com/bigledger/bigledger/internal/server"
	tk "github.com/bigledger/bigledger/internal/testkit"
)

// Logs are JSON lines: one access line per request (request id, route
// pattern, status, bytes, duration, company, key prefix — never the key),
// and the request id on every other line the request logs, GraphQL's
// internal-error line included.
func TestAccessLogAndRequestIDs(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	log, err := logging.New(lockedWriter{&mu, &buf}, slog.LevelInfo, "json")
	if err != nil {
		t.Fatal(err)
	}
	e := tk.New(t, tk.Options{Server: func(o *server.Options) { o.Logger = log }})
	lines := func() []map[string]any {
		mu.Lock()
		defer mu.Unlock()
		var out []map[string]any
		sc := bufio.NewScanner(bytes.NewReader(buf.Bytes()))
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Fatalf("not a JSON line: %s", sc.Text())
			}
			out = append(out, m)
		}
		return out
	}
	r := e.Do(e.A, "GET", "/api/v1/customers?limit=1", nil, "X-Request-ID", "req-test-1")
	if r.Status != 200 {
		t.Fatal(r.Status)
	}
	var found bool
	for _, l := range lines() {
		if l["msg"] == "request" && l["requestId"] == "req-test-1" {
			found = true
			prefix := strings.Split(e.A.Key, "_")[1]
			if l["route"] != "GET /api/v1/customers" || l["status"] != float64(200) || l["companyId"] != e.A.CompanyID ||
				l["keyPrefix"] != prefix || l["bytes"].(float64) <= 0 || l["durationMs"] == nil {
				t.Errorf("access line: %v", l)
			}
		}
	}
	if !found {
		t.Fatalf("no access line for the request:\n%s", buf.String())
	}
	// An internal error in a GraphQL resolver: its log line carries the
	// request's id, as does the access line; the key's secret is in none.
	if _, err := e.DB.Exec(`ALTER TABLE customers RENAME TO customers_away`); err != nil {
		t.Fatal(err)
	}
	g := e.Do(e.A, "POST", "/graphql", map[string]any{"query": `{ customers(first: 1) { totalCount } }`}, "X-Request-ID", "req-test-2")
	if _, err := e.DB.Exec(`ALTER TABLE customers_away RENAME TO customers`); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(g.Raw), "INTERNAL_ERROR") {
		t.Fatalf("expected an internal error: %s", g.Raw)
	}
	var errLine, accessLine bool
	for _, l := range lines() {
		if l["requestId"] != "req-test-2" {
			continue
		}
		switch {
		case l["level"] == "ERROR":
			errLine = true
		case l["msg"] == "request" && l["route"] == "POST /graphql":
			accessLine = true
		}
	}
	if !errLine || !accessLine {
		t.Errorf("request req-test-2: error line %v, access line %v\n%s", errLine, accessLine, buf.String())
	}
	if strings.Contains(buf.String(), e.A.Key) {
		t.Error("an API key's secret reached the log")
	}
}
