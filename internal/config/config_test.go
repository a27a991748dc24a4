package config

import (
	"strings"
	"testing"
)

// BIGLEDGER_PPROF_ADDR takes a loopback host:port only: profiles must not
// be reachable from the network by a typo.
func TestPprofAddr(t *testing.T) {
	for _, bad := range []string{"6060", ":6060", "0.0.0.0:6060", "10.0.0.5:6060", "example.com:6060", "localhost:6060", "[::]:6060"} {
		t.Setenv("BIGLEDGER_PPROF_ADDR", bad)
		if _, err := FromEnv(); err == nil || !strings.Contains(err.Error(), "BIGLEDGER_PPROF_ADDR") {
			t.Fatalf("%q accepted (err %v)", bad, err)
		}
	}
	for _, good := range []string{"127.0.0.1:6060", "[::1]:6060"} {
		t.Setenv("BIGLEDGER_PPROF_ADDR", good)
		c, err := FromEnv()
		if err != nil || c.PprofAddr != good {
			t.Fatalf("%q: %v %q", good, err, c.PprofAddr)
		}
	}
	t.Setenv("BIGLEDGER_PPROF_ADDR", "")
	if c, err := FromEnv(); err != nil || c.PprofAddr != "" {
		t.Fatalf("unset: %v %q", err, c.PprofAddr)
	}
}

// The hardening and logging variables: each refuses a bad value by name.
func TestHardeningAndLoggingVariables(t *testing.T) {
	for k, bad := range map[string]string{
		"BIGLEDGER_GRAPHQL_INTROSPECTION": "maybe", "BIGLEDGER_GRAPHQL_MAX_COST": "10",
		"BIGLEDGER_REQUEST_TIMEOUT": "5ms", "LOG_FORMAT": "xml", "BIGLEDGER_METRICS_ADDR": "9090",
	} {
		t.Setenv(k, bad)
		if _, err := FromEnv(); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%q accepted (err %v)", k, bad, err)
		}
		t.Setenv(k, "")
	}
	t.Setenv("BIGLEDGER_GRAPHQL_INTROSPECTION", "true")
	t.Setenv("BIGLEDGER_GRAPHQL_MAX_COST", "5000")
	t.Setenv("BIGLEDGER_REQUEST_TIMEOUT", "2s")
	c, err := FromEnv()
	if err != nil || !c.Introspection || c.GraphQLMaxCost != 5000 || c.RequestTimeout.String() != "2s" || c.LogFormat != "json" {
		t.Fatalf("%+v %v", c, err)
	}
	t.Setenv("BIGLEDGER_ENV", "development")
	if c, _ := FromEnv(); c.LogFormat != "text" {
		t.Errorf("development log format %q", c.LogFormat)
	}
}

// BIGLEDGER_RATE_LIMIT and BIGLEDGER_RATE_BURST default to seed 001's 1000
// per hour and 10 per second; 0 is accepted (off), garbage is refused.
func TestRateLimitVariables(t *testing.T) {
	t.Setenv("BIGLEDGER_RATE_LIMIT", "")
	t.Setenv("BIGLEDGER_RATE_BURST", "")
	c, err := FromEnv()
	if err != nil || c.RateLimit != 1000 || c.RateBurst != 10 {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	t.Setenv("BIGLEDGER_RATE_LIMIT", "0")
	t.Setenv("BIGLEDGER_RATE_BURST", "25")
	if c, err := FromEnv(); err != nil || c.RateLimit != 0 || c.RateBurst != 25 {
		t.Fatalf("set: %+v %v", c, err)
	}
	for _, v := range []string{"-1", "lots", "1.5"} {
		t.Setenv("BIGLEDGER_RATE_LIMIT", v)
		if _, err := FromEnv(); err == nil || !strings.Contains(err.Error(), "BIGLEDGER_RATE_LIMIT") {
			t.Errorf("%q: %v", v, err)
		}
	}
	t.Setenv("BIGLEDGER_RATE_LIMIT", "")
	t.Setenv("BIGLEDGER_RATE_BURST", "x")
	if _, err := FromEnv(); err == nil || !strings.Contains(err.Error(), "BIGLEDGER_RATE_BURST") {
		t.Errorf("burst: %v", err)
	}
}
