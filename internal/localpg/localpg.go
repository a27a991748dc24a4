// Package localpg runs a private PostgreSQL cluster from the machine's
// server binaries: find them, initdb a data directory, start the server on
// a loopback port, stop it. As root it runs the binaries as the postgres
// user (PostgreSQL refuses to run as root). `make run` keeps its cluster
// under .data/; tests get a throwaway one.
package localpg

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"
)

// InstallHint is the one-line instruction printed when binaries are missing.
const InstallHint = "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found: install them with `apt-get install -y postgresql` (Debian/Ubuntu) or set DATABASE_URL to an existing database"

// ErrNoBinaries is returned when no server binaries can be found.
var ErrNoBinaries = errors.New(InstallHint)

// FindBinDir returns the directory holding initdb/pg_ctl/postgres: from
// PATH, else the newest /usr/lib/postgresql/*/bin.
func FindBinDir() (string, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir, nil
		}
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(matches, func(i, j int) bool { return versionOf(matches[i]) > versionOf(matches[j]) })
	for _, m := range matches {
		if _, err := os.Stat(filepath.Join(m, "pg_ctl")); err == nil {
			return m, nil
		}
	}
	return "", ErrNoBinaries
}

func versionOf(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}

// Options tune a cluster.
type Options struct {
	// Ephemeral trades durability for speed (fsync off): for tests only.
	Ephemeral bool
	// Port to listen on; 0 picks a free one (reused across restarts of a
	// kept cluster when still free).
	Port int
	// Log receives progress lines; nil is silent.
	Log func(format string, args ...any)
}

// Cluster is a running private PostgreSQL server.
type Cluster struct {
	Dir    string
	BinDir string
	Port   int
	owned  bool // we started it (so Stop stops it)
	asUser string
}

// Start initializes dir when empty and starts the server, or attaches to
// a server already running from dir.
func Start(ctx context.Context, dir string, o Options) (*Cluster, error) {
	logf := o.Log
	if logf == nil {
		logf = func(string, ...any) {}
	}
	bin, err := FindBinDir()
	if err != nil {
		return nil, err
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir, BinDir: bin}
	if os.Geteuid() == 0 {
		c.asUser = "postgres"
		if _, err := user.Lookup("postgres"); err != nil {
			return nil, fmt.Errorf("running as root needs a 'postgres' system user to run the server: %w", err)
		}
	}
	// The server user must be able to reach dir: its parent is created
	// world-traversable (a 0700 parent owned by root would lock it out).
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	if c.asUser != "" {
		if err := makeTraversable(parent, logf); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if err := c.chown(dir); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		logf("initializing PostgreSQL cluster in %s", dir)
		out, err := c.run(ctx, "initdb", "-D", dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-instructions")
		if err != nil {
			return nil, fmt.Errorf("initdb: %w\n%s", err, out)
		}
	}
	if port, ok := c.runningPort(); ok {
		c.Port = port
		logf("PostgreSQL already running from %s on port %d", dir, port)
		return c, c.waitReady(ctx)
	}
	port := o.Port
	if port == 0 {
		port = c.lastPort()
	}
	if port == 0 || !portFree(port) {
		if port, err = freePort(); err != nil {
			return nil, err
		}
	}
	c.Port = port
	settings := []string{
		"-c", "listen_addresses=127.0.0.1",
		"-c", "port=" + strconv.Itoa(port),
		"-c", "unix_socket_directories=",
		"-c", "max_connections=300",
		"-c", "shared_buffers=128MB",
	}
	if o.Ephemeral {
		settings = append(settings, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	logFile := filepath.Join(dir, "server.log")
	logf("starting PostgreSQL on 127.0.0.1:%d", port)
	out, err := c.run(ctx, "pg_ctl", "start", "-w", "-t", "60", "-D", dir, "-l", logFile, "-o", strings.Join(settings, " "))
	if err != nil {
		tail, _ := os.ReadFile(logFile)
		return nil, fmt.Errorf("pg_ctl start: %w\n%s\n%s", err, out, lastLines(string(tail), 20))
	}
	_ = os.WriteFile(filepath.Join(dir, "bigledger.port"), []byte(strconv.Itoa(port)), 0o644)
	c.owned = true
	return c, c.waitReady(ctx)
}

// Stop stops a server this process started (fast shutdown).
func (c *Cluster) Stop() error {
	if !c.owned {
		return nil
	}
	out, err := c.run(context.Background(), "pg_ctl", "stop", "-w", "-m", "fast", "-D", c.Dir)
	if err != nil {
		return fmt.Errorf("pg_ctl stop: %w\n%s", err, out)
	}
	return nil
}

// Restart stops and starts the server on the same port (used by tests
// that prove nothing is lost across a database restart).
func (c *Cluster) Restart(ctx context.Context) error {
	if _, err := c.run(ctx, "pg_ctl", "restart", "-w", "-m", "fast", "-D", c.Dir, "-l", filepath.Join(c.Dir, "server.log")); err != nil {
		return err
	}
	return c.waitReady(ctx)
}

// DSN returns a lib/pq URL for database name on this cluster.
func (c *Cluster) DSN(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.Port, name)
}

// CreateDatabase creates name if it does not exist.
func (c *Cluster) CreateDatabase(ctx context.Context, name string) error {
	return CreateDatabase(ctx, c.DSN("postgres"), name, "")
}

// CreateDatabase creates database name on the server adminDSN points to,
// optionally from a template; an existing database is left alone.
func CreateDatabase(ctx context.Context, adminDSN, name, template string) error {
	db, err := sql.Open("postgres", adminDSN)
	if err != nil {
		return err
	}
	defer db.Close()
	stmt := "CREATE DATABASE " + pq.QuoteIdentifier(name)
	if template != "" {
		stmt += " TEMPLATE " + pq.QuoteIdentifier(template)
	}
	_, err = db.ExecContext(ctx, stmt)
	var pe *pq.Error
	if errors.As(err, &pe) && pe.Code == "42P04" { // duplicate_database
		return nil
	}
	return err
}

func (c *Cluster) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		db, err := sql.Open("postgres", c.DSN("postgres"))
		if err == nil {
			err = db.PingContext(ctx)
			db.Close()
		}
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("PostgreSQL on port %d not ready: %w", c.Port, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// runningPort reports the port of a live server using c.Dir.
func (c *Cluster) runningPort() (int, bool) {
	if _, err := c.run(context.Background(), "pg_ctl", "status", "-D", c.Dir); err != nil {
		return 0, false
	}
	f, err := os.Open(filepath.Join(c.Dir, "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for i := 1; s.Scan(); i++ {
		if i == 4 {
			p, err := strconv.Atoi(strings.TrimSpace(s.Text()))
			return p, err == nil
		}
	}
	return 0, false
}

func (c *Cluster) lastPort() int {
	b, err := os.ReadFile(filepath.Join(c.Dir, "bigledger.port"))
	if err != nil {
		return 0
	}
	p, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return p
}

func (c *Cluster) chown(dir string) error {
	if c.asUser == "" {
		return nil
	}
	u, err := user.Lookup(c.asUser)
	if err != nil {
		return err
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
}

func (c *Cluster) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	path := filepath.Join(c.BinDir, name)
	var cmd *exec.Cmd
	if c.asUser != "" {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", c.asUser, "--", path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	cmd.Dir = "/"
	// pg_ctl start leaves the server running detached; give it its own
	// process group so a Ctrl-C in our terminal does not kill it mid-write.
	setDetached(cmd)
	return cmd.CombinedOutput()
}

// makeTraversable lets other users pass through dir and its ancestors
// (execute bit only, no listing), so the postgres user can reach a data
// directory created under root's private folders (a 0700 temp dir, /root).
func makeTraversable(dir string, logf func(string, ...any)) error {
	for d := dir; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o001 == 0 {
			logf("granting other users passage (o+x) through %s so the postgres user can reach its data directory", d)
			if err := os.Chmod(d, fi.Mode().Perm()|0o001); err != nil {
				return fmt.Errorf("%s is not reachable by the postgres user and cannot be opened up: %w", d, err)
			}
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

func portFree(port int) bool {
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// Tool finds a PostgreSQL program (pgbench, psql, …): beside the server
// binaries, in the newest /usr/lib/postgresql/*/bin, or on PATH.
func Tool(name string) (string, error) {
	var dirs []string
	if bin, err := FindBinDir(); err == nil {
		dirs = append(dirs, bin)
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(matches, func(i, j int) bool { return versionOf(matches[i]) > versionOf(matches[j]) })
	dirs = append(dirs, matches...)
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return exec.LookPath(name)
}
