package main_test

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	_ "github.com/lib/pq"

	"github.com/bigledger/bigledger/internal/pgtest"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "bigledger-bin-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "bigledger")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	defer os.RemoveAll(dir)
	pgtest.Main(m)
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func run(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

type proc struct {
	cmd    *exec.Cmd
	lines  chan string // every output line, buffered; closed at exit
	exited chan error
}

// start runs the binary; its output is always drained (an unread pipe
// would block the child and cmd.Wait).
func start(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, lines: make(chan string, 10000), exited: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
		close(p.lines)
	}()
	go func() { p.exited <- cmd.Wait(); pw.Close() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return p
}

func waitHTTP(t *testing.T, url string) {
	t.Helper()
	for i := 0; i < 150; i++ {
		res, err := http.Get(url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s never became ready", url)
}

func TestVersionAndUsage(t *testing.T) {
	out, err := run(t, nil, "version")
	if err != nil || !strings.HasPrefix(out, "bigledger ") {
		t.Fatalf("version: %q %v", out, err)
	}
	if out, err := run(t, nil, "frobnicate"); err == nil || !strings.Contains(out, `unknown command "frobnicate"`) {
		t.Fatalf("unknown command: %v %q", err, out)
	}
	// Asking any command for help succeeds and shows its usage.
	for _, args := range [][]string{{"--help"}, {"help"}, {"serve", "--help"}, {"migrate", "-h"}, {"seed", "--help"}, {"apikey", "--help"}, {"apikey", "create", "--help"}} {
		out, err := run(t, nil, args...)
		if err != nil || !strings.Contains(strings.ToLower(out), "usage") {
			t.Errorf("%v: %v %q", args, err, out)
		}
	}
	if out, _ := run(t, nil, "serve", "--help"); !strings.Contains(out, "-port") || !strings.Contains(out, "-host") {
		t.Errorf("serve flags: %q", out)
	}
	for _, bad := range []string{"70000", "-1", "http"} {
		if out, err := run(t, nil, "serve", "--port", bad); err == nil || !strings.Contains(out, "port") {
			t.Errorf("serve --port %s: %v %q", bad, err, out)
		}
	}
}

// apikey create provisions a company and prints a working key once; serve
// applies migrations, answers with it, and on SIGTERM closes websockets
// cleanly and exits 0.
func TestAPIKeyCreateServeAndGracefulShutdown(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	env := []string{"DATABASE_URL=" + dsn}
	out, err := run(t, env, "apikey", "create", "--company", "Shutdown Test Bhd", "--scopes", "customers:read", "--json")
	if err != nil {
		t.Fatalf("apikey: %v\n%s", err, out)
	}
	var creds struct{ CompanyID, APIKey string }
	line := out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:]
	if err := json.Unmarshal([]byte(line), &creds); err != nil || !strings.HasPrefix(creds.CompanyID, "comp_") || !strings.HasPrefix(creds.APIKey, "blk_") {
		t.Fatalf("apikey --json output %q: %v", out, err)
	}
	if out, err := run(t, env, "apikey", "create", "--company", "X", "--scopes", "root"); err == nil {
		t.Fatalf("bad scope accepted: %s", out)
	}

	port, pprofPort, metricsPort := freePort(t), freePort(t), freePort(t)
	p := start(t, append(env, fmt.Sprintf("PORT=%d", port), "BIGLEDGER_SHUTDOWN_TIMEOUT=5s",
		fmt.Sprintf("BIGLEDGER_PPROF_ADDR=127.0.0.1:%d", pprofPort), fmt.Sprintf("BIGLEDGER_METRICS_ADDR=127.0.0.1:%d", metricsPort)), "serve")
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitHTTP(t, base+"/readyz")
	// Metrics are served on their own listener, in the Prometheus format.
	if res, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort)); err != nil || res.StatusCode != 200 {
		t.Fatalf("metrics listener: %v %v", err, res)
	} else {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(b), `bigledger_http_requests_total{method="GET",route="GET /readyz",status="200"}`) {
			t.Fatalf("metrics: %.500s", b)
		}
	}
	// Profiles are served on their own loopback listener, never on the API port.
	if res, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/", pprofPort)); err != nil || res.StatusCode != 200 {
		t.Fatalf("pprof listener: %v %v", err, res)
	} else {
		res.Body.Close()
	}
	if res, err := http.Get(base + "/debug/pprof/"); err != nil || res.StatusCode == 200 {
		t.Fatalf("pprof on the API port: %v %v", err, res)
	} else {
		res.Body.Close()
	}
	req, _ := http.NewRequest("GET", base+"/api/v1/customers", nil)
	req.Header.Set("Authorization", "Bearer "+creds.APIKey)
	req.Header.Set("X-Company-Id", creds.CompanyID)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("REST with provisioned key: %v %v", err, res)
	}
	res.Body.Close()

	d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}}
	ws, _, err := d.Dial(fmt.Sprintf("ws://127.0.0.1:%d/graphql", port), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	_ = ws.WriteJSON(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + creds.APIKey, "X-Company-Id": creds.CompanyID}})
	_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, msg, err := ws.ReadMessage(); err != nil || !strings.Contains(string(msg), "connection_ack") {
		t.Fatalf("ack: %s %v", msg, err)
	}

	// A socket that never sent connection_init is closed too (going away).
	idle, _, err := d.Dial(fmt.Sprintf("ws://127.0.0.1:%d/graphql", port), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_ = idle.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, _, err := idle.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Fatalf("idle socket: %v, want a 1001 close", err)
	}
	closeCode := -1
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := ws.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				closeCode = ce.Code
			}
			break
		}
	}
	if closeCode != websocket.CloseNormalClosure {
		t.Fatalf("websocket close code %d, want 1000", closeCode)
	}
	select {
	case err := <-p.exited:
		if err != nil {
			t.Fatalf("serve exited with %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not exit after SIGTERM")
	}
}

// With no DATABASE_URL, serve --demo runs its own cluster under the data
// directory, seeds the demo company once, prints working credentials, and
// on the next start reuses the same data.
func TestServeDemoWithPrivateCluster(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	keyRe := regexp.MustCompile(`API key\s+(blk_\S+)`)
	compRe := regexp.MustCompile(`Company id\s+(comp_\S+)`)
	var companies, keys []string
	for round := 0; round < 2; round++ {
		port := freePort(t)
		env := []string{"DATABASE_URL=", "BIGLEDGER_DATA_DIR=" + data, fmt.Sprintf("PORT=%d", port)}
		p := start(t, env, "serve", "--demo")
		var key, company string
		deadline := time.After(60 * time.Second)
		lines := p.lines
	read:
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatal("serve exited before printing credentials")
				}
				if m := keyRe.FindStringSubmatch(l); m != nil {
					key = m[1]
				}
				if m := compRe.FindStringSubmatch(l); m != nil {
					company = m[1]
				}
				if strings.Contains(l, "Stop with Ctrl-C") {
					break read
				}
			case <-deadline:
				t.Fatal("no banner within 60s")
			}
		}
		req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d/api/v1/customers", port), nil)
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("X-Company-Id", company)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Pagination struct{ Total int }
		}
		_ = json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if res.StatusCode != 200 || body.Pagination.Total != 4 {
			t.Fatalf("round %d: status %d, %d demo customers", round, res.StatusCode, body.Pagination.Total)
		}
		companies, keys = append(companies, company), append(keys, key)
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-p.exited:
			if err != nil {
				t.Fatalf("serve exited with %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not stop")
		}
	}
	if companies[0] != companies[1] {
		t.Fatalf("demo company not reused: %v", companies)
	}
	// The second start reuses the key demo.env holds instead of minting one.
	if keys[0] != keys[1] || keys[0] == "" {
		t.Fatalf("demo key not reused: %v", keys)
	}
	if _, err := os.Stat(filepath.Join(data, "demo.env")); err != nil {
		t.Fatalf("demo.env: %v", err)
	}
}

// Two serve processes on one database: a change made through either is
// delivered live to the subscribers of both.
func TestTwoServeProcessesBothDeliver(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	env := []string{"DATABASE_URL=" + dsn}
	out, err := run(t, env, "apikey", "create", "--company", "Two Instances Bhd", "--scopes", "*", "--json")
	if err != nil {
		t.Fatalf("apikey: %v\n%s", err, out)
	}
	var creds struct{ CompanyID, APIKey string }
	if err := json.Unmarshal([]byte(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:]), &creds); err != nil {
		t.Fatal(err)
	}
	var bases []string
	var socks []*websocket.Conn
	for i := 0; i < 2; i++ {
		port := freePort(t)
		start(t, env, "serve", "--port", fmt.Sprint(port))
		base := fmt.Sprintf("127.0.0.1:%d", port)
		waitHTTP(t, "http://"+base+"/readyz")
		bases = append(bases, base)
		d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}}
		c, _, err := d.Dial("ws://"+base+"/graphql", nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		_ = c.WriteJSON(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + creds.APIKey, "X-Company-Id": creds.CompanyID}})
		var ack map[string]any
		if err := c.ReadJSON(&ack); err != nil || ack["type"] != "connection_ack" {
			t.Fatalf("instance %d init: %v %v", i, ack, err)
		}
		_ = c.WriteJSON(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": `subscription { customerCreated { id name } }`}})
		socks = append(socks, c)
	}
	time.Sleep(300 * time.Millisecond)
	for i, base := range bases {
		name := fmt.Sprintf("Made via instance %d", i+1)
		req, _ := http.NewRequest("POST", "http://"+base+"/api/v1/customers", strings.NewReader(`{"name":"`+name+`","email":"i@example.com"}`))
		req.Header.Set("Authorization", "Bearer "+creds.APIKey)
		req.Header.Set("X-Company-Id", creds.CompanyID)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != 201 {
			t.Fatalf("create via %s: %v %v", base, res, err)
		}
		res.Body.Close()
		for j, c := range socks {
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			for {
				var m struct {
					Type    string
					Payload struct {
						Data map[string]map[string]any
					}
				}
				if err := c.ReadJSON(&m); err != nil {
					t.Fatalf("instance %d waiting for %q: %v", j+1, name, err)
				}
				if m.Type == "ping" {
					_ = c.WriteJSON(map[string]any{"type": "pong"})
					continue
				}
				if m.Type != "next" || m.Payload.Data["customerCreated"]["name"] != name {
					t.Fatalf("instance %d: %+v, want %q", j+1, m, name)
				}
				break
			}
		}
	}
}

// apikey list shows a company's keys without their secrets; apikey revoke
// stops one; neither accepts a missing argument.
func TestAPIKeyListAndRevoke(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	env := []string{"DATABASE_URL=" + dsn}
	out, err := run(t, env, "apikey", "create", "--company", "Keys Bhd", "--scopes", "customers:read", "--json")
	if err != nil {
		t.Fatalf("apikey create: %v\n%s", err, out)
	}
	var creds struct{ CompanyID, APIKey string }
	if err := json.Unmarshal([]byte(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:]), &creds); err != nil {
		t.Fatal(err)
	}
	prefix := strings.Split(creds.APIKey, "_")[1]
	out, err = run(t, env, "apikey", "list", "--company", "Keys Bhd", "--json")
	if err != nil {
		t.Fatalf("apikey list: %v\n%s", err, out)
	}
	var keys []struct {
		ID, Prefix string
		Scopes     []string
		RevokedAt  *time.Time `json:"revoked_at"`
	}
	if err := json.Unmarshal([]byte(out[strings.Index(out, "["):]), &keys); err != nil || len(keys) != 1 || keys[0].Prefix != prefix {
		t.Fatalf("list: %v %s", err, out)
	}
	if strings.Contains(out, creds.APIKey[len(creds.APIKey)-20:]) {
		t.Fatal("list printed a secret")
	}
	if out, err := run(t, env, "apikey", "revoke", keys[0].ID); err != nil || !strings.Contains(out, "revoked") {
		t.Fatalf("revoke: %v %s", err, out)
	}
	out, _ = run(t, env, "apikey", "list", "--company", "Keys Bhd")
	if !strings.Contains(out, "revoked") {
		t.Fatalf("list after revoke: %s", out)
	}
	if _, err := run(t, env, "apikey", "revoke"); err == nil {
		t.Error("revoke without an id succeeded")
	}
	if _, err := run(t, env, "apikey", "list"); err == nil {
		t.Error("list without --company succeeded")
	}
}

// bigledger company plan sets and clears a company's rate-limit plan and
// refuses unknown plans and companies.
func TestCompanyPlanCommand(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	env := []string{"DATABASE_URL=" + dsn}
	if out, err := run(t, env, "apikey", "create", "--company", "Plans Bhd"); err != nil {
		t.Fatalf("apikey create: %v\n%s", err, out)
	}
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	plan := func() string {
		var p sql.NullString
		if err := db.QueryRow(`SELECT plan FROM companies WHERE name = 'Plans Bhd'`).Scan(&p); err != nil {
			t.Fatal(err)
		}
		return p.String
	}
	if out, err := run(t, env, "company", "plan", "--company", "Plans Bhd", "--plan", "professional"); err != nil || !strings.Contains(out, "plan professional") {
		t.Fatalf("set: %v %s", err, out)
	}
	if plan() != "professional" {
		t.Fatal(plan())
	}
	if out, err := run(t, env, "company", "plan", "--company", "Plans Bhd", "--plan", "gold"); err == nil || !strings.Contains(out, "unknown plan") {
		t.Fatalf("unknown plan: %v %s", err, out)
	}
	if out, err := run(t, env, "company", "plan", "--company", "Nobody", "--plan", "free"); err == nil || !strings.Contains(out, "no company") {
		t.Fatalf("unknown company: %v %s", err, out)
	}
	if out, err := run(t, env, "company", "plan", "--company", "Plans Bhd", "--plan", "default"); err != nil || plan() != "" {
		t.Fatalf("clear: %v %s %q", err, out, plan())
	}
}
