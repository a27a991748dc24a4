package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	tk "github.com/bigledger/bigledger/internal/testkit"
)

// The graphql-http server audit (the GraphQL over HTTP specification's
// conformance suite, pinned in testdata/graphql-http/package.json) passes
// every MUST and SHOULD against the real endpoint. npm installs it on the
// first run (the registry is reachable on every machine this builds on).
func TestGraphQLOverHTTPAudit(t *testing.T) {
	dir, err := filepath.Abs("testdata/graphql-http")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "graphql-http")); err != nil {
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci (Node and npm are required for this test): %v\n%s", err, out)
		}
	}
	e := tk.New(t)
	cmd := exec.Command("node", "audit.mjs", e.Server.URL+"/graphql", e.A.Key)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("audit: %v\n%s", err, stderr.String())
	}
	var n, failed int
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r struct{ ID, Name, Status, Reason string }
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("audit output: %v: %s", err, sc.Text())
		}
		n++
		required := strings.HasPrefix(r.Name, "MUST") || strings.HasPrefix(r.Name, "SHOULD")
		if r.Status != "ok" && required {
			failed++
			t.Errorf("%s %s: %s", r.ID, r.Name, r.Reason)
		} else if r.Status != "ok" {
			t.Logf("(MAY, %s) %s %s: %s", r.Status, r.ID, r.Name, r.Reason)
		}
	}
	if n < 20 {
		t.Fatalf("only %d audits ran:\n%s", n, out)
	}
	t.Logf("%d audits, %d MUST/SHOULD failures", n, failed)
}
