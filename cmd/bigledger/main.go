// Command bigledger is BigLedger's one binary:
//
//	bigledger serve [--demo]    migrate, then serve the API
//	bigledger migrate           apply pending migrations
//	bigledger seed              create the demo company and print a key
//	bigledger apikey create --company NAME [--scopes a,b] [--json]
//	bigledger version
package main

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/bigledger/bigledger/ent"
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/graph"
	"github.com/bigledger/bigledger/internal/auth"
	"github.com/bigledger/bigledger/internal/config"
	"github.com/bigledger/bigledger/internal/crm"
	"github.com/bigledger/bigledger/internal/dbmigrate"
	"github.com/bigledger/bigledger/internal/demo"
	"github.com/bigledger/bigledger/internal/localpg"
	"github.com/bigledger/bigledger/internal/logging"
	"github.com/bigledger/bigledger/internal/mail"
	"github.com/bigledger/bigledger/internal/provision"
	"github.com/bigledger/bigledger/internal/ratelimit"
	"github.com/bigledger/bigledger/internal/server"
	"github.com/bigledger/bigledger/internal/store"
	"github.com/bigledger/bigledger/internal/tenant"
	"github.com/bigledger/bigledger/internal/webhooks"
	"github.com/bigledger/bigledger/rest"
)

// version is set at build time (-ldflags "-X main.version=…").
var version = "dev"

const usage = `usage: bigledger <command> [flags]

commands:
  serve [--demo] [--port N] [--host ADDR]
                     apply migrations and serve the API (--demo: ensure the demo company and print a key)
  migrate            apply pending migrations
  seed               create the demo company (first time) and print a new API key
  apikey create --company NAME [--scopes a,b] [--json]
                     create the company and its owner if missing, print a new key once
  apikey list --company NAME [--json]
                     list a company's keys (prefix, scopes, state, last use; never a secret)
  apikey revoke KEY_ID
                     revoke a key (it stops authenticating within seconds)
  company plan --company NAME --plan free|starter|professional|enterprise|default
                     set a company's rate-limit plan (default: the BIGLEDGER_RATE_* limits)
  openapi [--yaml]   print the REST API's OpenAPI 3.1 document (also served at /openapi.json)
  version            print the version
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(os.Args[2:])
	case "migrate":
		err = migrateCmd(os.Args[2:])
	case "seed":
		err = seed(os.Args[2:])
	case "apikey":
		err = apikey(os.Args[2:])
	case "openapi":
		err = openapiCmd(os.Args[2:])
	case "company":
		err = companyCmd(os.Args[2:])
	case "version", "--version", "-v":
		fmt.Println("bigledger", version)
	case "help", "-h", "--help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "bigledger: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if errors.Is(err, flag.ErrHelp) {
		return // the flag set printed its usage: asking for help is no failure
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bigledger:", err)
		os.Exit(1)
	}
}

// openapiCmd prints the OpenAPI document (JSON, or YAML with --yaml).
func openapiCmd(args []string) error {
	fs := flag.NewFlagSet("openapi", flag.ContinueOnError)
	asYAML := fs.Bool("yaml", false, "print YAML instead of JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*asYAML {
		_, err := os.Stdout.Write(rest.OpenAPIJSON())
		return err
	}
	b, err := rest.OpenAPIYAML()
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(b)
	return err
}

// database opens DATABASE_URL, or starts the private cluster under the
// data directory. close releases both.
type database struct {
	client  *ent.Client
	db      *sql.DB
	dsn     string
	cluster *localpg.Cluster
}

func (d *database) Close() {
	if d.client != nil {
		d.client.Close()
	}
	if d.cluster != nil {
		if err := d.cluster.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "bigledger: stopping PostgreSQL:", err)
		}
	}
}

func openDatabase(ctx context.Context, cfg config.Config, log *slog.Logger) (*database, error) {
	d := &database{}
	dsn := cfg.DatabaseURL
	if dsn == "" {
		dir := filepath.Join(cfg.DataDir, "pg")
		c, err := localpg.Start(ctx, dir, localpg.Options{Log: func(f string, a ...any) { log.Info(fmt.Sprintf(f, a...)) }})
		if err != nil {
			return nil, err
		}
		d.cluster = c
		if err := c.CreateDatabase(ctx, "bigledger"); err != nil {
			d.Close()
			return nil, err
		}
		dsn = c.DSN("bigledger")
	}
	client, db, err := store.Open(dsn)
	if err != nil {
		d.Close()
		return nil, err
	}
	d.client, d.db, d.dsn = client, db, dsn
	if err := db.PingContext(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return d, nil
}

func logger(cfg config.Config) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(cfg.LogLevel))
	log, err := logging.New(os.Stderr, lvl, cfg.LogFormat)
	if err != nil { // FromEnv validated the format
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
	}
	// Code that logs through slog's default logger gets the same lines.
	slog.SetDefault(log)
	return log
}

func migrate(ctx context.Context, d *database, log *slog.Logger) error {
	applied, err := dbmigrate.Apply(ctx, d.db)
	if err != nil {
		return err
	}
	for _, a := range applied {
		log.Info("applied migration", "name", a)
	}
	return nil
}

// withMigratedDatabase reads the configuration, opens (or starts) the
// database, applies pending migrations and runs fn.
func withMigratedDatabase(fn func(ctx context.Context, d *database) error) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	log := logger(cfg)
	ctx := context.Background()
	d, err := openDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := migrate(ctx, d, log); err != nil {
		return err
	}
	return fn(ctx, d)
}

func migrateCmd(args []string) error {
	if err := flag.NewFlagSet("migrate", flag.ContinueOnError).Parse(args); err != nil {
		return err
	}
	return withMigratedDatabase(func(context.Context, *database) error { return nil })
}

func seed(args []string) error {
	if err := flag.NewFlagSet("seed", flag.ContinueOnError).Parse(args); err != nil {
		return err
	}
	return withMigratedDatabase(func(ctx context.Context, d *database) error {
		p, err := demo.Ensure(ctx, d.client, nil)
		if err != nil {
			return err
		}
		fmt.Printf("company id: %s\napi key:    %s\n", p.CompanyID, p.APIKey)
		return nil
	})
}

func apikey(args []string) error {
	const keyUsage = `usage: bigledger apikey create --company NAME [--scopes a,b] [--json]
       bigledger apikey list --company NAME [--json]
       bigledger apikey revoke KEY_ID`
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Println(keyUsage)
		return nil
	}
	if len(args) > 0 && args[0] == "list" {
		return apikeyList(args[1:])
	}
	if len(args) > 0 && args[0] == "revoke" {
		return apikeyRevoke(args[1:])
	}
	if len(args) == 0 || args[0] != "create" {
		return errors.New(keyUsage)
	}
	fs := flag.NewFlagSet("apikey create", flag.ContinueOnError)
	company := fs.String("company", "", "company name (created when missing)")
	scopes := fs.String("scopes", "*", "comma-separated scopes: * or "+strings.Join(auth.Scopes, ","))
	asJSON := fs.Bool("json", false, `print {"companyId":…,"apiKey":…}`)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *company == "" {
		return errors.New("--company is required")
	}
	var list []string
	for _, s := range strings.Split(*scopes, ",") {
		if s = strings.TrimSpace(s); s != "" {
			list = append(list, s)
		}
	}
	return withMigratedDatabase(func(ctx context.Context, d *database) error {
		p, err := provision.EnsureCompanyKey(ctx, d.client, *company, list)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(os.Stdout).Encode(map[string]string{"companyId": p.CompanyID, "apiKey": p.APIKey})
		}
		fmt.Printf("company id: %s\napi key:    %s\n(the key is shown once; store it now)\n", p.CompanyID, p.APIKey)
		return nil
	})
}

// apikeyList prints a company's keys (never a secret).
func apikeyList(args []string) error {
	fs := flag.NewFlagSet("apikey list", flag.ContinueOnError)
	company := fs.String("company", "", "company name")
	asJSON := fs.Bool("json", false, "print a JSON array")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *company == "" {
		return errors.New("--company is required")
	}
	return withMigratedDatabase(func(ctx context.Context, d *database) error {
		co, err := companyNamed(ctx, d, *company)
		if err != nil {
			return err
		}
		keys, err := auth.ListKeys(store.WithClient(tenant.WithCompany(ctx, co.ID), d.client))
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(os.Stdout).Encode(keys)
		}
		for _, k := range keys {
			state := "active"
			switch {
			case k.RevokedAt != nil:
				state = "revoked " + k.RevokedAt.Format(time.RFC3339)
			case k.ExpiresAt != nil && time.Now().After(*k.ExpiresAt):
				state = "expired " + k.ExpiresAt.Format(time.RFC3339)
			}
			used := "never used"
			if k.LastUsedAt != nil {
				used = "last used " + k.LastUsedAt.Format(time.RFC3339)
			}
			fmt.Printf("%s  blk_%s_…  %-20s  %s  %s  %s\n", k.ID, k.Prefix, strings.Join(k.Scopes, ","), state, used, k.Name)
		}
		return nil
	})
}

// apikeyRevoke revokes a key by id; it stops working within seconds.
func apikeyRevoke(args []string) error {
	fs := flag.NewFlagSet("apikey revoke", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: bigledger apikey revoke KEY_ID")
	}
	id := pulid.ID(fs.Arg(0))
	return withMigratedDatabase(func(ctx context.Context, d *database) error {
		k, err := d.client.APIKey.Get(tenant.AsSystem(ctx), id)
		if ent.IsNotFound(err) {
			return fmt.Errorf("no API key %s", id)
		}
		if err != nil {
			return err
		}
		if _, err := auth.Revoke(store.WithClient(tenant.WithCompany(ctx, k.CompanyID), d.client), id); err != nil {
			return err
		}
		fmt.Printf("revoked %s (blk_%s_…)\n", id, k.Prefix)
		return nil
	})
}

func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	demoFlag := fs.Bool("demo", false, "ensure the demo company and print a fresh API key")
	port := fs.Int("port", 0, "HTTP port (overrides PORT)")
	host := fs.String("host", "", "listen address (overrides HOST)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	if *port != 0 {
		if *port < 1 || *port > 65535 {
			return fmt.Errorf("--port must be a port number, got %d", *port)
		}
		cfg.Port = *port
	}
	if *host != "" {
		cfg.Host = *host
	}
	log := logger(cfg)
	slog.SetDefault(log)
	server.TuneRuntime()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	d, err := openDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := migrate(ctx, d, log); err != nil {
		return err
	}
	var demoP *provision.Provisioned
	var playHeaders map[string]string
	if *demoFlag {
		if demoP, err = demoKey(ctx, cfg, d.client); err != nil {
			return err
		}
		// Only a development server shows the demo key in its playground.
		if cfg.Development() {
			playHeaders = map[string]string{"Authorization": "Bearer " + demoP.APIKey, "X-Company-Id": demoP.CompanyID}
		}
	}
	mailOpt, mailDir, mailNote, err := mailTransport(cfg, log)
	if err != nil {
		return err
	}
	srv := server.New(d.client, d.db, server.Options{
		Mail: mailOpt, MailDir: mailDir,
		PlaygroundHeaders: playHeaders,
		Development:       cfg.Development(), AllowedOrigins: cfg.AllowedOrigins, MaxBodyBytes: cfg.MaxBodyBytes, Logger: log,
		DSN: d.dsn, EventRetention: cfg.EventRetention,
		Introspection: cfg.Introspection, GraphQLBudget: graph.Budget{MaxCost: cfg.GraphQLMaxCost},
		RequestTimeout: cfg.RequestTimeout, Version: version,
		RateLimit: defaultRatePlan(cfg),
		// Local webhook receivers are for development only.
		Webhooks: webhooks.Options{AllowPrivate: cfg.Development()},
	})
	bg, stopBackground := context.WithCancel(context.Background())
	defer stopBackground()
	srv.Start(bg)
	if cfg.MetricsAddr != "" {
		if err := serveMetrics(bg, cfg.MetricsAddr, srv.MetricsHandler(), log); err != nil {
			return err
		}
	}
	if cfg.PprofAddr != "" {
		if err := servePprof(bg, cfg.PprofAddr, log); err != nil {
			return err
		}
	}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hs := server.NewHTTPServer(srv.Handler())
	hs.RegisterOnShutdown(srv.CloseWebsockets)
	if demoP != nil {
		printBanner(cfg, ln.Addr().String(), demoP, mailNote)
	} else {
		log.Info("serving", "addr", ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: draining in-flight requests", "timeout", cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	srv.CloseWebsockets()
	if err := srv.WaitWebsockets(sctx); err != nil {
		return fmt.Errorf("shutdown: websockets still open: %w", err)
	}
	log.Info("shutdown complete")
	return nil
}

// demoKey reuses the demo key written to <data dir>/demo.env by an
// earlier start while it still authenticates for the demo company, and
// only otherwise ensures the demo company and mints a key (each start used
// to mint another, and the old ones kept working).
func demoKey(ctx context.Context, cfg config.Config, client *ent.Client) (*provision.Provisioned, error) {
	if b, err := os.ReadFile(filepath.Join(cfg.DataDir, "demo.env")); err == nil {
		vals := map[string]string{}
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
				vals[k] = v
			}
		}
		key, company := vals["BIGLEDGER_API_KEY"], vals["BIGLEDGER_COMPANY_ID"]
		if p, err := auth.NewKeyCache(client, time.Second).Authenticate(ctx, key, company); err == nil && string(p.CompanyID) == company {
			return &provision.Provisioned{CompanyID: company, APIKey: key}, nil
		}
	}
	return demo.Ensure(ctx, client, nil)
}

// mailTransport is the outgoing mail of this process: BIGLEDGER_SMTP_URL,
// or in development a mail sink of its own (messages kept under
// DataDir/mail, listed at /dev/mail).
func mailTransport(cfg config.Config, log *slog.Logger) (mail.Options, string, string, error) {
	o := mail.Options{From: cfg.MailFrom}
	switch {
	case cfg.SMTPURL != "":
		t, err := mail.ParseSMTPURL(cfg.SMTPURL)
		if err != nil {
			return o, "", "", err
		}
		o.Transport = t
		return o, "", "Email       sent through BIGLEDGER_SMTP_URL", nil
	case cfg.Development():
		dir := filepath.Join(cfg.DataDir, "mail")
		sink, err := mail.StartSink("127.0.0.1:0", dir)
		if err != nil {
			return o, "", "", err
		}
		t, err := mail.ParseSMTPURL(sink.URL())
		if err != nil {
			return o, "", "", err
		}
		o.Transport = t
		return o, dir, "", nil
	}
	log.Warn("BIGLEDGER_SMTP_URL is not set: emails (document sends, reminders, statements) stay queued until an instance with it runs")
	return o, "", "Email       queued only (set BIGLEDGER_SMTP_URL)", nil
}

func printBanner(cfg config.Config, addr string, p *provision.Provisioned, mailNote string) {
	base := "http://" + addr
	env := filepath.Join(cfg.DataDir, "demo.env")
	_ = os.MkdirAll(cfg.DataDir, 0o755)
	_ = os.WriteFile(env, []byte(fmt.Sprintf("BIGLEDGER_URL=%s\nBIGLEDGER_COMPANY_ID=%s\nBIGLEDGER_API_KEY=%s\n", base, p.CompanyID, p.APIKey)), 0o600)
	fmt.Printf(`
BigLedger is running (%s mode).

  GraphQL     %s/graphql (subscriptions: ws on the same path)
  Playground  %s/playground
  API docs    %s/docs (OpenAPI: %s/openapi.json)
  REST        %s/api/v1
  Stream      %s/v1/stream
  %s
  Company id  %s
  API key     %s

The same values are in %s. Try:

  curl -s %s/api/v1/customers \
    -H "Authorization: Bearer %s" \
    -H "X-Company-Id: %s"

Stop with Ctrl-C.
`, cfg.Env, base, base, base, base, base, "ws"+strings.TrimPrefix(base, "http"), cmp.Or(mailNote, "Sent mail   "+base+"/dev/mail (development mail sink)"), p.CompanyID, p.APIKey, env, base, p.APIKey, p.CompanyID)
}

// servePprof serves the runtime profiles on their own loopback listener
// (BIGLEDGER_PPROF_ADDR), so profiling a production process never exposes
// them on the API port.
// serveMetrics serves /metrics (Prometheus text format) on its own
// listener (BIGLEDGER_METRICS_ADDR), never on the API port.
func serveMetrics(ctx context.Context, addr string, h http.Handler, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics listener: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	context.AfterFunc(ctx, func() { _ = hs.Close() })
	log.Info("metrics", "addr", ln.Addr().String())
	return nil
}

func servePprof(ctx context.Context, addr string, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("pprof listener: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	context.AfterFunc(ctx, func() { _ = hs.Close() })
	log.Info("pprof", "addr", ln.Addr().String())
	return nil
}

// defaultRatePlan meters companies without a plan: BIGLEDGER_RATE_LIMIT
// requests per hour and BIGLEDGER_RATE_BURST per second per key (a zero
// hourly limit turns metering off).
func defaultRatePlan(cfg config.Config) ratelimit.Plan {
	if cfg.RateLimit <= 0 {
		return ratelimit.Plan{}
	}
	return ratelimit.Plan{Name: "default", PerHour: cfg.RateLimit, PerSecond: cfg.RateBurst}
}

// companyCmd sets a company's rate-limit plan.
func companyCmd(args []string) error {
	const planUsage = "usage: bigledger company plan --company NAME --plan free|starter|professional|enterprise|default"
	if len(args) == 0 || args[0] != "plan" {
		return errors.New(planUsage)
	}
	fs := flag.NewFlagSet("company plan", flag.ContinueOnError)
	company := fs.String("company", "", "company name")
	plan := fs.String("plan", "", "free, starter, professional, enterprise, or default (the server's BIGLEDGER_RATE_* limits)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *company == "" || *plan == "" {
		return errors.New(planUsage)
	}
	return withMigratedDatabase(func(ctx context.Context, d *database) error {
		co, err := companyNamed(ctx, d, *company)
		if err != nil {
			return err
		}
		co, err = crm.UpdateCompany(store.WithClient(tenant.WithCompany(ctx, co.ID), d.client), crm.CompanyPatch{Plan: plan})
		if err != nil {
			return err
		}
		name := "default"
		if co.Plan != nil {
			name = string(*co.Plan)
		}
		fmt.Printf("company %s (%s): plan %s\n", co.Name, co.ID, name)
		return nil
	})
}

// companyNamed finds a company by name for the CLI's commands.
func companyNamed(ctx context.Context, d *database, name string) (*ent.Company, error) {
	co, err := provision.FindCompany(ctx, d.client, name)
	if ent.IsNotFound(err) {
		return nil, fmt.Errorf("no company named %q", name)
	}
	return co, err
}
