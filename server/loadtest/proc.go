package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat.
// Linux fixes it at 100 on every architecture it exposes to user space.
const clockTicks = 100

// ProcStats is what /proc tells about a server process.
type ProcStats struct {
	RSS     int64         // resident set size, bytes
	Anon    int64         // of which anonymous (heap, stacks): not the executable's pages
	CPU     time.Duration // user + system time consumed so far
	Threads int
}

// ReadProc reads /proc/<pid>/status and /proc/<pid>/stat.
func ReadProc(pid int) (ProcStats, error) {
	var ps ProcStats
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return ps, fmt.Errorf("loadtest: read process status: %w", err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		switch k {
		case "VmRSS":
			n, _ := strconv.ParseInt(f[0], 10, 64)
			ps.RSS = n << 10 // kB
		case "RssAnon":
			n, _ := strconv.ParseInt(f[0], 10, 64)
			ps.Anon = n << 10
		case "Threads":
			ps.Threads, _ = strconv.Atoi(f[0])
		}
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ps, fmt.Errorf("loadtest: read process stat: %w", err)
	}
	// The command name (field 2) may hold spaces and parentheses: fields
	// are counted from the last ')'.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return ps, errors.New("loadtest: malformed /proc stat")
	}
	f := strings.Fields(string(stat[i+1:]))
	// After ')': state(3) ppid(4) ... utime(14) stime(15): indexes 11 and 12.
	if len(f) < 13 {
		return ps, errors.New("loadtest: short /proc stat")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return ps, errors.New("loadtest: malformed cpu times in /proc stat")
	}
	ps.CPU = time.Duration(ut+st) * time.Second / clockTicks
	return ps, nil
}

// Endpoint is a server under test.
type Endpoint struct {
	URL string // http://127.0.0.1:PORT
	PID int    // the server's process id; 0 when unknown (no /proc figures)
	// Nodes are further nodes of the same cluster (one database): the
	// facilitator works through URL, participants are spread over URL and
	// Nodes round-robin, as a plain load balancer would. Process figures
	// are URL's alone.
	Nodes []string
	// SpreadExercises creates the exercises round-robin over URL and
	// Nodes too (the node an exercise is created through drives it);
	// false: all through URL.
	SpreadExercises bool
}

// bases is every node's checked URL, URL first.
func (e Endpoint) bases() ([]*url.URL, error) {
	out := make([]*url.URL, 0, 1+len(e.Nodes))
	for _, u := range append([]string{e.URL}, e.Nodes...) {
		b, err := CheckLoopback(u)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// proc reads the endpoint's process figures; ok is false without a PID.
func (e Endpoint) proc() (ProcStats, bool) {
	if e.PID <= 0 {
		return ProcStats{}, false
	}
	ps, err := ReadProc(e.PID)
	return ps, err == nil
}

// CheckLoopback refuses any URL whose host is not a literal loopback IP
// (127.0.0.0/8 or ::1): the tool opens thousands of connections and must
// never aim them at another machine. Names are refused too, since a name
// can resolve anywhere.
func CheckLoopback(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("loadtest: target %q: %w", raw, err)
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("loadtest: target %q: want http://127.0.0.1:PORT", raw)
	}
	ip := net.ParseIP(u.Hostname())
	if ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("loadtest: target %q is not a loopback address (127.0.0.0/8 or ::1); refusing", raw)
	}
	if v4 := ip.To4(); v4 == nil && !ip.Equal(net.IPv6loopback) {
		return nil, fmt.Errorf("loadtest: target %q is not a loopback address; refusing", raw)
	}
	if u.Port() == "" {
		return nil, fmt.Errorf("loadtest: target %q: give a port", raw)
	}
	return u, nil
}

// freeLoopbackPort asks the kernel for a free port on 127.0.0.1. The port
// is released before the child binds it; on loopback the race is harmless
// (a clash fails the start, and the caller says so).
func freeLoopbackPort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("loadtest: find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// tail keeps the last bytes written to it, for error messages.
type tail struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// Process is a child server started by this tool.
type Process struct {
	Endpoint
	cmd    *exec.Cmd
	out    *tail
	waited chan struct{}
	err    error
}

// Output returns the end of the child's combined output.
func (p *Process) Output() string { return p.out.String() }

// Stop ends the child with SIGTERM, then SIGKILL after grace.
func (p *Process) Stop(grace time.Duration) error {
	if p == nil || p.cmd.Process == nil {
		return nil
	}
	select {
	case <-p.waited:
		return nil
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		_ = p.cmd.Process.Kill() // no SIGTERM on Windows
	}
	select {
	case <-p.waited:
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.waited
	}
	return nil
}

// Exited reports whether the child has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.waited:
		return true
	default:
		return false
	}
}

// startChild runs exe with args and env (added to a minimal environment)
// and keeps the tail of its output. stdin, when set, is written to the
// child's standard input.
func startChild(exe string, args, env []string, dir string) (*Process, error) {
	cmd := exec.Command(exe, args...)
	cmd.Dir = dir
	cmd.Env = append(minimalEnv(), env...)
	out := &tail{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = out, out
	ownProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("loadtest: start %s: %w", exe, err)
	}
	p := &Process{Endpoint: Endpoint{PID: cmd.Process.Pid}, cmd: cmd, out: out, waited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.waited)
	}()
	return p, nil
}

// minimalEnv passes on only what a Go program needs to run.
func minimalEnv() []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "GOMAXPROCS", "GOGC", "GOMEMLIMIT", "GODEBUG"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// runChild runs exe to completion with input on stdin, bounded by ctx.
func runChild(ctx context.Context, exe string, args, env []string, input string) (string, error) {
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(minimalEnv(), env...)
	cmd.Stdin = strings.NewReader(input)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err != nil {
		return out.String(), fmt.Errorf("loadtest: %s %s: %w: %s", exe, strings.Join(args, " "), err, strings.TrimSpace(out.String()))
	}
	return out.String(), nil
}

// waitHealthy polls url until it answers 200, the child exits or ctx ends.
// It returns the time of the first 200.
func waitHealthy(ctx context.Context, client *http.Client, url string, p *Process, every time.Duration) (time.Time, error) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Now(), nil
			}
		}
		select {
		case <-ctx.Done():
			return time.Time{}, fmt.Errorf("loadtest: %s did not answer: %w", url, ctx.Err())
		case <-p.waited:
			return time.Time{}, fmt.Errorf("loadtest: server exited before answering (%v): %s", p.err, lastLines(p.Output(), 10))
		case <-t.C:
		}
	}
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	sc := bufio.NewScanner(strings.NewReader(s))
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}
