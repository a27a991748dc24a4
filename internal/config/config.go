// Package config reads BigLedger's configuration from the environment.
// Every variable is listed in the README.
package config

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is the process configuration.
type Config struct {
	// DatabaseURL is a lib/pq URL; empty means a private cluster in DataDir.
	DatabaseURL string
	// Port is the HTTP listen port.
	Port int
	// Host is the listen address.
	Host string
	// Env is "development" or "production".
	Env string
	// AllowedOrigins may open websockets from a browser ("*" for any).
	AllowedOrigins []string
	// DataDir holds the private PostgreSQL cluster when DatabaseURL is empty.
	DataDir string
	// MaxBodyBytes bounds request bodies.
	MaxBodyBytes int64
	// ShutdownTimeout bounds the drain of in-flight requests on SIGTERM.
	ShutdownTimeout time.Duration
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// LogFormat is json or text (default: json in production, text in
	// development).
	LogFormat string
	// EventRetention is how long the event log keeps events (resume with
	// `after`, the events query); at least 2 days (the webhook retry window).
	EventRetention time.Duration
	// PprofAddr, when set, serves net/http/pprof on its own listener
	// (loopback addresses only), never on the API port.
	PprofAddr string
	// MetricsAddr, when set, serves Prometheus metrics at /metrics on its
	// own listener (an internal interface: the API port never serves them).
	MetricsAddr string
	// Introspection answers GraphQL __schema/__type queries in production
	// (development always does).
	Introspection bool
	// GraphQLMaxCost bounds one GraphQL operation's cost (0: the default).
	GraphQLMaxCost int
	// RequestTimeout bounds one HTTP request, its SQL included (0: 30s).
	RequestTimeout time.Duration
	// RateLimit is each API key's requests per hour for companies without
	// a plan (BIGLEDGER_RATE_LIMIT, default 1000; 0 turns rate limiting
	// off for them).
	RateLimit int
	// RateBurst is each key's requests per second for companies without a
	// plan (BIGLEDGER_RATE_BURST, default 10; 0: no per-second bound).
	RateBurst int
	// SMTPURL is the mail server (BIGLEDGER_SMTP_URL,
	// smtp://user:pass@host:587 or smtps://…:465). Empty: development
	// runs its own mail sink under DataDir/mail; production leaves email
	// queued (and says so at start).
	SMTPURL string
	// MailFrom is the sender of companies without an email address
	// (BIGLEDGER_MAIL_FROM).
	MailFrom string
}

// Development reports whether the process runs in development mode.
func (c Config) Development() bool { return c.Env == "development" }

// FromEnv reads the configuration.
func FromEnv() (Config, error) {
	c := Config{
		DatabaseURL:     os.Getenv("DATABASE_URL"),
		Port:            8080,
		Host:            getenv("HOST", "127.0.0.1"),
		Env:             getenv("BIGLEDGER_ENV", "production"),
		DataDir:         getenv("BIGLEDGER_DATA_DIR", ".data"),
		MaxBodyBytes:    1 << 20,
		ShutdownTimeout: 30 * time.Second,
		LogLevel:        getenv("LOG_LEVEL", "info"),
		EventRetention:  90 * 24 * time.Hour,
		SMTPURL:         os.Getenv("BIGLEDGER_SMTP_URL"),
		MailFrom:        getenv("BIGLEDGER_MAIL_FROM", "no-reply@bigledger.localhost"),
	}
	if v := os.Getenv("BIGLEDGER_EVENT_RETENTION_DAYS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 {
			return c, fmt.Errorf("BIGLEDGER_EVENT_RETENTION_DAYS must be an integer ≥ 2, got %q", v)
		}
		c.EventRetention = time.Duration(n) * 24 * time.Hour
	}
	if v := os.Getenv("BIGLEDGER_PPROF_ADDR"); v != "" {
		host, _, err := net.SplitHostPort(v)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			return c, fmt.Errorf("BIGLEDGER_PPROF_ADDR must be a loopback host:port such as 127.0.0.1:6060, got %q", v)
		}
		c.PprofAddr = v
	}
	if v := os.Getenv("BIGLEDGER_METRICS_ADDR"); v != "" {
		if _, _, err := net.SplitHostPort(v); err != nil {
			return c, fmt.Errorf("BIGLEDGER_METRICS_ADDR must be host:port such as 127.0.0.1:9090 or 10.0.0.5:9090, got %q", v)
		}
		c.MetricsAddr = v
	}
	if v := os.Getenv("BIGLEDGER_GRAPHQL_INTROSPECTION"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("BIGLEDGER_GRAPHQL_INTROSPECTION must be true or false, got %q", v)
		}
		c.Introspection = b
	}
	if v := os.Getenv("BIGLEDGER_GRAPHQL_MAX_COST"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 {
			return c, fmt.Errorf("BIGLEDGER_GRAPHQL_MAX_COST must be an integer ≥ 100, got %q", v)
		}
		c.GraphQLMaxCost = n
	}
	if v := os.Getenv("BIGLEDGER_REQUEST_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 100*time.Millisecond {
			return c, fmt.Errorf("BIGLEDGER_REQUEST_TIMEOUT must be a duration of at least 100ms such as 30s, got %q", v)
		}
		c.RequestTimeout = d
	}
	c.RateLimit, c.RateBurst = 1000, 10
	if v, ok := os.LookupEnv("BIGLEDGER_RATE_LIMIT"); ok && v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return c, fmt.Errorf("BIGLEDGER_RATE_LIMIT must be requests per hour per API key, an integer ≥ 0 (0 turns rate limiting off), got %q", v)
		}
		c.RateLimit = n
	}
	if v, ok := os.LookupEnv("BIGLEDGER_RATE_BURST"); ok && v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return c, fmt.Errorf("BIGLEDGER_RATE_BURST must be requests per second per API key, an integer ≥ 0, got %q", v)
		}
		c.RateBurst = n
	}
	if v := os.Getenv("PORT"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 || p > 65535 {
			return c, fmt.Errorf("PORT must be a port number, got %q", v)
		}
		c.Port = p
	}
	if c.Env != "development" && c.Env != "production" {
		return c, fmt.Errorf("BIGLEDGER_ENV must be development or production, got %q", c.Env)
	}
	c.LogFormat = os.Getenv("LOG_FORMAT")
	if c.LogFormat == "" {
		c.LogFormat = "json"
		if c.Env == "development" {
			c.LogFormat = "text"
		}
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		return c, fmt.Errorf("LOG_FORMAT must be json or text, got %q", c.LogFormat)
	}
	for _, o := range strings.Split(os.Getenv("BIGLEDGER_ALLOWED_ORIGINS"), ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.AllowedOrigins = append(c.AllowedOrigins, o)
		}
	}
	if v := os.Getenv("BIGLEDGER_MAX_BODY_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1024 {
			return c, fmt.Errorf("BIGLEDGER_MAX_BODY_BYTES must be an integer ≥ 1024, got %q", v)
		}
		c.MaxBodyBytes = n
	}
	if v := os.Getenv("BIGLEDGER_SHUTDOWN_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return c, fmt.Errorf("BIGLEDGER_SHUTDOWN_TIMEOUT must be a duration such as 30s, got %q", v)
		}
		c.ShutdownTimeout = d
	}
	return c, nil
}

func getenv(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
