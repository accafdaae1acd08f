// Package pgtest runs a throw-away PostgreSQL cluster for tests, from the
// server binaries of the operating system's package (Debian's postgresql:
// /usr/lib/postgresql/VERSION/bin). A test package starts one cluster in
// TestMain (Main does it all), in a temporary directory, listening on a
// free loopback port with its unix socket in that directory too, and each
// test gets a database of its own (NewDatabase). The cluster is stopped
// and its directory removed when the package's tests end; the server also
// dies with the test process if that is killed.
//
// The binaries are required, never optional: a test package that uses
// pgtest fails when they are missing (.ci/setup installs them).
//
// PostgreSQL refuses to run as root. Run as root (as CI does), the cluster
// belongs to, and runs as, the "postgres" user Debian's package creates
// (else "nobody").
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ttxsim/ttx/server/ttxtest"
)

// Cluster is a running throw-away PostgreSQL server.
type Cluster struct {
	dir    string // temporary directory: data/, the socket, the log
	port   int
	server *exec.Cmd
	exited chan struct{}
	output *ttxtest.Output
	next   atomic.Int64 // databases made so far
}

// user is the database superuser initdb creates.
const superuser = "ttx"

// BinDir finds the directory holding initdb and postgres: the newest
// /usr/lib/postgresql/*/bin, else the directory of initdb on PATH.
func BinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		d := filepath.Dir(p)
		if isExec(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", errors.New("pgtest: PostgreSQL's server binaries (initdb, postgres) were not found in /usr/lib/postgresql/*/bin or on PATH; " +
		"install them (Debian or Ubuntu: apt-get install -y postgresql; .ci/setup does it when run as root)")
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func isExec(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// ready is what the server prints once it accepts connections.
var ready = regexp.MustCompile(`database system is ready to accept connections`)

// Start creates a cluster in a new temporary directory and starts its
// server on a free loopback port. Stop it with Stop.
func Start(ctx context.Context) (*Cluster, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(tempBase(), "ttx-pg-")
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	c := &Cluster{dir: dir}
	ok := false
	defer func() {
		if !ok {
			_ = c.Stop()
		}
	}()
	owner, err := clusterOwner(dir)
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), "-D", data, "-U", superuser, "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync")
	initdb.Env = append(os.Environ(), "LC_ALL=C", "TZ=UTC")
	initdb.SysProcAttr = owner
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pgtest: initdb: %w\n%s", err, out)
	}
	// A port asked of the kernel, then given to the server: another
	// process could take it in between, so a failed start tries again.
	for attempt := 0; ; attempt++ {
		err = c.startServer(ctx, bin, data, owner)
		if err == nil || attempt == 2 {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	ok = true
	return c, nil
}

func (c *Cluster) startServer(ctx context.Context, bin, data string, owner *sysProcAttr) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	c.port = port
	c.output = &ttxtest.Output{}
	// Durability is not what these tests are about: fsync off makes
	// each commit cheap on a shared machine.
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data,
		"-c", "listen_addresses=127.0.0.1", "-p", strconv.Itoa(port),
		"-c", "unix_socket_directories="+c.dir,
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=200", "-c", "shared_buffers=32MB")
	cmd.Env = append(os.Environ(), "LC_ALL=C", "TZ=UTC")
	cmd.Stdout, cmd.Stderr = c.output, c.output
	cmd.SysProcAttr = withParentDeath(owner)
	// The parent-death signal is sent when the thread that started the
	// server ends, not the process: start it from a goroutine that keeps
	// its thread until the server exits.
	started, exited := make(chan error, 1), make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		err := cmd.Start()
		started <- err
		if err == nil {
			_ = cmd.Wait()
			close(exited)
		}
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("pgtest: start postgres: %w", err)
	}
	c.server, c.exited = cmd, exited
	timeout := 60 * time.Second
	if d, ok := ctx.Deadline(); ok {
		timeout = time.Until(d)
	}
	if _, err := c.output.WaitFor(ready, exited, timeout); err != nil {
		c.stopServer()
		return fmt.Errorf("pgtest: postgres did not start: %w\n%s", err, c.output.String())
	}
	return nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgtest: free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// stopServer asks for a fast shutdown (SIGINT: running transactions are
// rolled back) and waits for the server to exit.
func (c *Cluster) stopServer() {
	if c.server == nil {
		return
	}
	if err := interrupt(c.server.Process); err != nil {
		_ = c.server.Process.Kill()
	}
	select {
	case <-c.exited:
	case <-time.After(30 * time.Second):
		_ = c.server.Process.Kill()
		<-c.exited
	}
	c.server = nil
}

// Stop stops the server and removes the cluster's directory.
func (c *Cluster) Stop() error {
	c.stopServer()
	if c.dir == "" {
		return nil
	}
	err := os.RemoveAll(c.dir)
	c.dir = ""
	if err != nil {
		return fmt.Errorf("pgtest: remove cluster: %w", err)
	}
	return nil
}

// Port is the loopback port the server listens on.
func (c *Cluster) Port() int { return c.port }

// Log is what the server printed so far.
func (c *Cluster) Log() string { return c.output.String() }

// URL is the connection URL of a database of the cluster.
func (c *Cluster) URL(database string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", superuser, c.port, database)
}

// CreateDatabase creates a new, empty database and returns its URL.
func (c *Cluster) CreateDatabase(ctx context.Context) (string, error) {
	name := fmt.Sprintf("t%d", c.next.Add(1))
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return "", fmt.Errorf("pgtest: connect: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", fmt.Errorf("pgtest: create database %s: %w", name, err)
	}
	return c.URL(name), nil
}

// NewDatabase creates a database for one test and returns its URL; the
// test fails if it cannot.
func (c *Cluster) NewDatabase(t testing.TB) string {
	t.Helper()
	url, err := c.CreateDatabase(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return url
}

// Main starts a cluster, runs the package's tests with it and stops it:
// a TestMain is
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &cluster)) }
//
// When the cluster cannot start, Main says why and returns 1: the
// package's tests fail rather than skip.
func Main(m *testing.M, c **Cluster) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	cl, err := Start(ctx)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	*c = cl
	code := m.Run()
	if err := cl.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	return code
}
