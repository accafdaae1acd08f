//go:build unix

package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the read-only look at the database after the run

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/scenario"
	"github.com/ttxsim/ttx/server/sim"
	"github.com/ttxsim/ttx/server/ttxtest"
)

const (
	crashScenarioDir  = "testdata/crash"
	crashScenarioFile = "testdata/crash/crash-http.yaml"
	crashScenarioID   = "crash-http"
	crashTotal        = 1200 // distinct answers submitted
	crashKillTarget   = 24   // kills while answers stream in
	crashMinKills     = 20
	crashSeedEnv      = "TTX_CRASH_SEED"
	crashNewPassword  = "crash-drill-password-0042"
	crashStepTimeout  = 30 * time.Second
)

// crashMember is one participant and the decision it answers.
type crashMember struct {
	name, team, decision string
	id, token            string
	lead                 bool
}

// crashAnswer is one submission: its idempotency key, who sends it, what.
type crashAnswer struct {
	cid    string
	member int
	option string
}

type crashAck struct {
	seq int64
	dup bool
}

// TestCrashRealBinary is the crash test of the shipped binary: it builds
// ttx, serves an exercise over HTTP, streams answers into it from several
// participants at once and kills the process with SIGKILL at random points,
// restarting it on the same database each time. Every answer whose response
// was lost is resubmitted with the same client id. At the end the database
// must hold every acknowledged answer exactly once at its acknowledged seq,
// pass integrity_check, and the exercise state the server reports must equal
// a replay of the logged answers through sim, as if nothing had crashed.
//
// The kills are drawn from a seed that is logged; TTX_CRASH_SEED=<n> replays
// the same schedule (the moments depend on timing too, so a failure is
// reproducible in distribution rather than to the microsecond).
func TestCrashRealBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the ttx binary; skipped with -short")
	}
	began := time.Now()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(crashSeedEnv); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", crashSeedEnv, s, err)
		}
		seed = v
	}
	t.Logf("seed %d (rerun with %s=%d)", seed, crashSeedEnv, seed)
	rng := rand.New(rand.NewPCG(seed, 0x7478))

	dir := t.TempDir()
	bin := crashBuild(t)
	buildTook := time.Since(began)
	db := filepath.Join(dir, "ttx.db")

	transport := &http.Transport{MaxIdleConnsPerHost: 16, DisableCompression: true}
	defer transport.CloseIdleConnections()
	// First start: the one-time password, a new password, the exercise.
	s := serveCrashExercise(t, bin, db, dir, transport)
	procs, fac, part, exID, members := s.procs, s.fac, s.part, s.exID, s.members

	d := &crashDriver{members: members, exID: exID, queues: make([][]crashAnswer, len(members)),
		acked: map[string]crashAck{}, sub: map[string]crashAnswer{}}
	kills, startupKills := 0, 0
	for epoch := 0; ; epoch++ {
		if epoch > 0 {
			// Sometimes kill the restarted server while it recovers,
			// before it serves anything.
			if kills > 0 && rng.IntN(8) == 0 {
				delay := time.Duration(rng.IntN(60_000)) * time.Microsecond
				procs.startAndKill(t, delay)
				startupKills++
			}
			s.restart(t, fmt.Sprintf("kill %d", kills))
		}
		if kills >= crashKillTarget || d.exhausted() {
			if err := d.run(part, nil); err != nil {
				t.Fatalf("final run: %v\n%s", err, procs.logTail())
			}
			break
		}
		// Kill after a random number of acknowledged answers (the usual
		// case: requests are in flight in every phase of their handling)
		// or at a random moment right after the restart, while the
		// answers lost by the previous kill are being resubmitted.
		k := &crashKill{}
		if rng.IntN(5) == 0 {
			k.after = time.Duration(rng.IntN(40_000)) * time.Microsecond
		} else {
			k.acks = 5 + rng.IntN(60)
			k.jitter = time.Duration(rng.IntN(3000)) * time.Microsecond
		}
		k.fire = func() { s.stop(t, syscall.SIGKILL) }
		if err := d.run(part, k); err != nil {
			t.Fatalf("epoch %d (%s): %v\n%s", epoch, k, err, procs.logTail())
		}
		if ws := s.srv.cmd.ProcessState.Sys().(syscall.WaitStatus); !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("epoch %d: the server ended with %v, not by SIGKILL", epoch, s.srv.cmd.ProcessState)
		}
		kills++
	}
	if kills < crashMinKills {
		t.Fatalf("only %d kills while answering, want at least %d", kills, crashMinKills)
	}
	if len(d.acked) != crashTotal || len(d.sub) != crashTotal {
		t.Fatalf("%d answers acknowledged, %d submitted, want %d", len(d.acked), len(d.sub), crashTotal)
	}

	// The facilitator's session is in the database: it should survive
	// the restarts; log in again if it did not.
	if st, body := fac.call(t, http.MethodGet, "/api/me", "", nil, nil); st == http.StatusUnauthorized {
		t.Logf("the facilitator session did not survive the restarts; logging in again")
		crashLogin(t, fac, crashNewPassword, false)
	} else if st != http.StatusOK {
		t.Fatalf("GET /api/me: %d %s", st, body)
	}

	// The state with every decision still open, then settled.
	before := crashSnapshot(t, fac, exID)
	for _, dec := range []string{"red_poll", "blue_poll", "green_poll"} {
		if st, body := fac.call(t, http.MethodPost, "/api/exercises/"+exID+"/close-decision", "", map[string]string{"decision": dec}, nil); st != http.StatusOK {
			t.Fatalf("close %s: %d %s", dec, st, body)
		}
	}
	after := crashSnapshot(t, fac, exID)
	apiLog := crashAPIEvents(t, fac, exID)

	// A clean stop.
	s.stop(t, syscall.SIGTERM)
	if !strings.Contains(s.srv.stderrText(t), "stopped") {
		t.Errorf("the log lacks the clean shutdown:\n%s", procs.logTail())
	}

	// The database, read-only.
	rows := crashReadLog(t, db, exID)
	if len(rows) != len(apiLog) {
		t.Errorf("the API served %d events before the stop, the database holds %d", len(apiLog), len(rows))
	}
	for i := range min(len(rows), len(apiLog)) {
		if rows[i].seq != apiLog[i].Seq || rows[i].kind != apiLog[i].Kind {
			t.Fatalf("event %d: API %d %s, database %d %s", i, apiLog[i].Seq, apiLog[i].Kind, rows[i].seq, rows[i].kind)
		}
	}
	logged := map[string]int64{} // client id -> seq of its answer event
	duplicates := 0
	for i, r := range rows {
		if r.seq != int64(i+1) {
			t.Fatalf("the log's seqs are not contiguous: row %d has seq %d", i, r.seq)
		}
		if r.kind != engine.KindAnswer {
			continue
		}
		pid, cid, _ := strings.Cut(r.clientID, "/")
		if _, seen := logged[cid]; seen {
			duplicates++
			t.Errorf("answer %s logged twice (seq %d and %d)", cid, logged[cid], r.seq)
			continue
		}
		logged[cid] = r.seq
		a, ok := d.sub[cid]
		if !ok {
			t.Fatalf("seq %d: answer %q was never submitted", r.seq, r.clientID)
		}
		var p struct{ Participant, Decision, Option string }
		if err := json.Unmarshal(r.payload, &p); err != nil {
			t.Fatalf("seq %d: payload: %v", r.seq, err)
		}
		mem := members[a.member]
		if pid != mem.id || p.Participant != mem.id || p.Decision != mem.decision || p.Option != a.option {
			t.Fatalf("seq %d: logged %s %+v, submitted %s by %s: %s", r.seq, r.clientID, p, cid, mem.id, a.option)
		}
	}
	lost := 0
	for cid, a := range d.acked {
		if seq, ok := logged[cid]; !ok || seq != a.seq {
			lost++
			t.Errorf("acknowledged answer %s (seq %d) is not in the log at that seq (logged: %d)", cid, a.seq, seq)
		}
	}
	if duplicates != 0 || lost != 0 || len(logged) != crashTotal {
		t.Fatalf("%d lost, %d duplicates, %d answers logged, want 0, 0, %d", lost, duplicates, len(logged), crashTotal)
	}

	crashReplay(t, d, rows, before, after)

	t.Logf("%d kills while answering (+%d during recovery), %d answers acknowledged (%d requests in flight at a kill; "+
		"%d of their resubmissions acknowledged as duplicates), 0 lost, 0 duplicates, %d events, integrity ok; "+
		"build %s, total %s",
		kills, startupKills, len(d.acked), d.interrupted, d.dups, len(rows), buildTook.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
}

// crashBuild returns the ttx binary, built once per source tree.
func crashBuild(t *testing.T) string {
	t.Helper()
	bin, err := ttxtest.Binary(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// crashProcs starts ttx processes one after the other on the same
// database and makes sure none outlives the test.
type crashProcs struct {
	t                  *testing.T
	bin, db, scenarios string
	dir                string
	n                  int
	cur                *crashProc
	// extra, when set, gives more serve flags for a process listening on addr.
	extra func(addr string) []string
}

type crashProc struct {
	cmd              *exec.Cmd
	base             string
	outPath, errPath string
	exited           chan struct{}
}

// spawn starts one process without waiting for it.
func (p *crashProcs) spawn(t *testing.T) *crashProc {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p.n++
	c := &crashProc{base: "http://" + addr, exited: make(chan struct{}),
		outPath: filepath.Join(p.dir, fmt.Sprintf("run%02d.out", p.n)), errPath: filepath.Join(p.dir, fmt.Sprintf("run%02d.err", p.n))}
	stdout, err := os.Create(c.outPath)
	if err != nil {
		t.Fatal(err)
	}
	defer stdout.Close()
	stderr, err := os.Create(c.errPath)
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	args := []string{"serve", "-addr", addr, "-db", p.db, "-scenarios", p.scenarios}
	if p.extra != nil {
		args = append(args, p.extra(addr)...)
	}
	c.cmd = exec.Command(p.bin, args...)
	c.cmd.Stdout, c.cmd.Stderr = stdout, stderr
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TTX_") {
			c.cmd.Env = append(c.cmd.Env, kv)
		}
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.cur = c
	go func() {
		_ = c.cmd.Wait()
		close(c.exited)
	}()
	return c
}

// start spawns a process and waits until it serves /healthz. A port taken
// between choosing and binding it is retried on another.
func (p *crashProcs) start(t *testing.T) *crashProc {
	t.Helper()
	probe := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for attempt := 0; ; attempt++ {
		c := p.spawn(t)
		deadline := time.Now().Add(crashStepTimeout)
		for {
			res, err := probe.Get(c.base + "/healthz")
			if err == nil {
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					return c
				}
			}
			select {
			case <-c.exited:
				if attempt < 3 && strings.Contains(c.stderrText(t), "address already in use") {
					t.Logf("port of %s taken; retrying", c.base)
				} else {
					t.Fatalf("ttx exited before serving (%v):\n%s", c.cmd.ProcessState, p.logTail())
				}
			case <-time.After(10 * time.Millisecond):
				if time.Now().After(deadline) {
					t.Fatalf("ttx did not serve /healthz within %s:\n%s", crashStepTimeout, p.logTail())
				}
				continue
			}
			break
		}
	}
}

// startAndKill starts a process and kills it delay later, whatever it is
// doing (migrating, recovering, serving).
func (p *crashProcs) startAndKill(t *testing.T, delay time.Duration) {
	t.Helper()
	c := p.spawn(t)
	time.Sleep(delay)
	if err := syscall.Kill(c.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9: %v", err)
	}
	c.wait(t)
}

// cleanup kills the process group of a process still running.
func (p *crashProcs) cleanup() {
	if c := p.cur; c != nil {
		select {
		case <-c.exited:
		default:
			_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
			<-c.exited
		}
	}
	if p.t.Failed() {
		p.t.Logf("last server log:\n%s", p.logTail())
	}
}

// logTail is the end of the current process's log.
func (p *crashProcs) logTail() string {
	if p.cur == nil {
		return ""
	}
	b, _ := os.ReadFile(p.cur.errPath)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

func (c *crashProc) wait(t *testing.T) {
	t.Helper()
	select {
	case <-c.exited:
	case <-time.After(crashStepTimeout):
		t.Fatalf("ttx (pid %d) did not exit within %s", c.cmd.Process.Pid, crashStepTimeout)
	}
}

func (c *crashProc) stdout(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(c.outPath)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (c *crashProc) stderrText(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(c.errPath)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// crashClient speaks JSON to the server; base changes with every restart
// and is only written while no request is running.
type crashClient struct {
	hc   *http.Client
	base string
}

// do sends a request. Requests that change something carry the server's
// own origin, as a browser would.
func (c *crashClient) do(method, path, token string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if method != http.MethodGet {
		req.Header.Set("Origin", c.base)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 16<<20))
	if err != nil {
		return 0, nil, err
	}
	return res.StatusCode, b, nil
}

// call is do for steps that must not fail in transport; out, when set,
// receives a 2xx body.
func (c *crashClient) call(t *testing.T, method, path, token string, body, out any) (int, string) {
	t.Helper()
	st, b, err := c.do(method, path, token, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if out != nil && st/100 == 2 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return st, string(b)
}

func crashLogin(t *testing.T, fac *crashClient, password string, wantChange bool) {
	t.Helper()
	var res struct {
		Role       string `json:"role"`
		MustChange bool   `json:"must_change_password"`
	}
	if st, body := fac.call(t, http.MethodPost, "/api/auth/login", "", map[string]string{"name": "admin", "password": password}, &res); st != http.StatusOK {
		t.Fatalf("login: %d %s", st, body)
	}
	if res.Role != "facilitator" || res.MustChange != wantChange {
		t.Fatalf("login: %+v, want a facilitator (must change password: %t)", res, wantChange)
	}
}

// crashSetup logs in with the one-time password, replaces it, creates the
// exercise, joins four participants in three teams and starts it.
func crashSetup(t *testing.T, fac *crashClient, oneTime string) (string, []crashMember) {
	t.Helper()
	crashLogin(t, fac, oneTime, true)
	if st, body := fac.call(t, http.MethodPost, "/api/exercises", "", map[string]string{"scenario": crashScenarioID}, nil); st != http.StatusForbidden || !strings.Contains(body, "password_change_required") {
		t.Fatalf("creating an exercise before changing the password: %d %s", st, body)
	}
	if st, body := fac.call(t, http.MethodPost, "/api/auth/password", "", map[string]string{"current": oneTime, "new": crashNewPassword}, nil); st != http.StatusOK {
		t.Fatalf("change password: %d %s", st, body)
	}
	var created struct {
		Exercise struct {
			ID     string `json:"id"`
			Status string `json:"status"`
			Join   struct {
				Code string `json:"code"`
			} `json:"join"`
		} `json:"exercise"`
	}
	if st, body := fac.call(t, http.MethodPost, "/api/exercises", "", map[string]string{"scenario": crashScenarioID}, &created); st != http.StatusCreated {
		t.Fatalf("create exercise: %d %s", st, body)
	}
	ex := created.Exercise
	if ex.ID == "" || ex.Join.Code == "" || ex.Status != "lobby" {
		t.Fatalf("created exercise: %+v", ex)
	}
	members := []crashMember{
		{name: "Red One", team: "red", decision: "red_poll"},
		{name: "Red Two", team: "red", decision: "red_poll"},
		{name: "Blue One", team: "blue", decision: "blue_poll"},
		{name: "Green One", team: "green", decision: "green_poll"},
	}
	for i := range members {
		mem := &members[i]
		var joined struct {
			Token       string `json:"token"`
			Participant struct {
				ID   string `json:"id"`
				Team string `json:"team"`
				Lead bool   `json:"lead"`
			} `json:"participant"`
		}
		if st, body := fac.call(t, http.MethodPost, "/api/join", "", map[string]string{"code": ex.Join.Code, "name": mem.name, "team": mem.team}, &joined); st != http.StatusCreated {
			t.Fatalf("join %s: %d %s", mem.name, st, body)
		}
		mem.id, mem.token, mem.lead = joined.Participant.ID, joined.Token, joined.Participant.Lead
		if mem.id == "" || mem.token == "" || joined.Participant.Team != mem.team {
			t.Fatalf("join %s: %+v", mem.name, joined)
		}
	}
	if !members[3].lead {
		t.Fatalf("the only green member is not the lead")
	}
	if st, body := fac.call(t, http.MethodPost, "/api/exercises/"+ex.ID+"/start", "", nil, nil); st != http.StatusOK {
		t.Fatalf("start: %d %s", st, body)
	}
	return ex.ID, members
}

// crashKill says when to kill the server during one run: after acks
// acknowledged answers plus jitter, or after a fixed delay.
type crashKill struct {
	acks   int
	jitter time.Duration
	after  time.Duration
	fire   func()
}

func (k *crashKill) String() string {
	if k.acks > 0 {
		return fmt.Sprintf("kill after %d acks + %s", k.acks, k.jitter)
	}
	return fmt.Sprintf("kill %s after readiness", k.after)
}

// crashDriver submits the answers. Each member has a queue: answers not
// yet acknowledged, oldest first, then new ones while any are left. One
// request per member is in flight at a time.
type crashDriver struct {
	members []crashMember
	exID    string

	mu          sync.Mutex
	queues      [][]crashAnswer
	next        int                    // index of the next new answer
	acked       map[string]crashAck    // client id -> its acknowledgement
	sub         map[string]crashAnswer // every answer ever submitted
	interrupted int                    // requests that failed because of a kill
	resent      map[string]bool        // client ids whose first request failed
	dups        int                    // acknowledgements flagged duplicate
}

func (d *crashDriver) exhausted() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.next < crashTotal {
		return false
	}
	for _, q := range d.queues {
		if len(q) > 0 {
			return false
		}
	}
	return true
}

// take returns member m's next answer to send.
func (d *crashDriver) take(m int) (crashAnswer, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.queues[m]) == 0 {
		if d.next >= crashTotal {
			return crashAnswer{}, false
		}
		i := d.next
		d.next++
		a := crashAnswer{cid: fmt.Sprintf("ans-%04d", i), member: m, option: string("abc"[(i*7+i/5)%3])}
		d.sub[a.cid] = a
		d.queues[m] = append(d.queues[m], a)
	}
	return d.queues[m][0], true
}

// ack records an acknowledgement of member m's head answer.
func (d *crashDriver) ack(m int, a crashAnswer, seq int64, dup bool) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if prev, ok := d.acked[a.cid]; ok {
		return fmt.Errorf("%s acknowledged twice (seq %d, then %d)", a.cid, prev.seq, seq)
	}
	if dup && !d.resent[a.cid] {
		return fmt.Errorf("%s acknowledged as a duplicate (seq %d) on its first submission", a.cid, seq)
	}
	if dup {
		d.dups++
	}
	d.acked[a.cid] = crashAck{seq: seq, dup: dup}
	d.queues[m] = d.queues[m][1:]
	return nil
}

func (d *crashDriver) failed(a crashAnswer) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.interrupted++
	if d.resent == nil {
		d.resent = map[string]bool{}
	}
	d.resent[a.cid] = true
}

// run sends answers from every member at once until none are left, or
// until k kills the server (k nil: no kill). A transport error before the
// kill, or any refusal, is a failure.
func (d *crashDriver) run(c *crashClient, k *crashKill) error {
	var killed atomic.Bool
	var acks atomic.Int64
	reached := make(chan struct{})
	var once sync.Once
	errs := make(chan error, len(d.members))
	var wg sync.WaitGroup
	for m := range d.members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- d.work(c, m, &killed, func() {
				if k != nil && k.acks > 0 && acks.Add(1) == int64(k.acks) {
					once.Do(func() { close(reached) })
				}
			})
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	if k != nil {
		var trigger <-chan time.Time
		if k.acks == 0 {
			trigger = time.After(k.after)
		}
		select {
		case <-reached:
			time.Sleep(k.jitter)
		case <-trigger:
		case <-done: // nothing left to send: kill the idle server
		case <-time.After(2 * crashStepTimeout):
			return errors.New("no progress towards the kill")
		}
		killed.Store(true)
		k.fire()
	}
	select {
	case <-done:
	case <-time.After(2 * crashStepTimeout):
		return errors.New("answering did not finish")
	}
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// work sends member m's answers one at a time.
func (d *crashDriver) work(c *crashClient, m int, killed *atomic.Bool, acked func()) error {
	mem := d.members[m]
	for {
		a, ok := d.take(m)
		if !ok {
			return nil
		}
		deadline := time.Now().Add(crashStepTimeout)
		for {
			st, body, err := c.do(http.MethodPost, "/api/exercises/"+d.exID+"/answers", mem.token,
				map[string]string{"client_id": a.cid, "decision": mem.decision, "option": a.option})
			if err != nil {
				if killed.Load() {
					d.failed(a) // stays at the head of the queue for the next run
					return nil
				}
				return fmt.Errorf("answer %s: %w", a.cid, err)
			}
			if (st == http.StatusServiceUnavailable || st == http.StatusGatewayTimeout) && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond) // reloading or busy: retry with the same client id
				continue
			}
			if st == http.StatusTooManyRequests && time.Now().Before(deadline) {
				time.Sleep(100 * time.Millisecond) // over the member's command budget: retry with the same client id
				continue
			}
			if st != http.StatusOK {
				return fmt.Errorf("answer %s: %d %s", a.cid, st, body)
			}
			var res struct {
				ClientID  string `json:"client_id"`
				Seq       int64  `json:"seq"`
				Duplicate bool   `json:"duplicate"`
			}
			if err := json.Unmarshal(body, &res); err != nil || res.ClientID != a.cid || res.Seq <= 0 {
				return fmt.Errorf("answer %s: ack %s (%v)", a.cid, body, err)
			}
			if err := d.ack(m, a, res.Seq, res.Duplicate); err != nil {
				return err
			}
			acked()
			break
		}
	}
}

// crashView is the part of the facilitator's GET /api/exercises/:id the
// test compares.
type crashView struct {
	Exercise struct {
		Status string `json:"status"`
	} `json:"exercise"`
	Snapshot struct {
		Status       string       `json:"status"`
		LastSeq      int64        `json:"last_seq"`
		Sim          sim.Snapshot `json:"sim"`
		Participants []struct {
			ID      string `json:"id"`
			Present bool   `json:"present"`
		} `json:"participants"`
	} `json:"snapshot"`
}

func crashSnapshot(t *testing.T, fac *crashClient, exID string) crashView {
	t.Helper()
	var v crashView
	if st, body := fac.call(t, http.MethodGet, "/api/exercises/"+exID, "", nil, &v); st != http.StatusOK {
		t.Fatalf("snapshot: %d %s", st, body)
	}
	if v.Snapshot.Status != "running" || len(v.Snapshot.Participants) != 4 {
		t.Fatalf("snapshot: status %q, %d participants", v.Snapshot.Status, len(v.Snapshot.Participants))
	}
	return v
}

type crashAPIEvent struct {
	Seq  int64  `json:"seq"`
	Kind string `json:"kind"`
}

// crashAPIEvents pages through the log as the facilitator sees it.
func crashAPIEvents(t *testing.T, fac *crashClient, exID string) []crashAPIEvent {
	t.Helper()
	var all []crashAPIEvent
	for after := int64(0); ; {
		var page struct {
			Events    []crashAPIEvent `json:"events"`
			NextAfter int64           `json:"next_after"`
			More      bool            `json:"more"`
		}
		path := fmt.Sprintf("/api/exercises/%s/events?after=%d&limit=500", exID, after)
		if st, body := fac.call(t, http.MethodGet, path, "", nil, &page); st != http.StatusOK {
			t.Fatalf("events: %d %s", st, body)
		}
		all = append(all, page.Events...)
		if !page.More {
			return all
		}
		if page.NextAfter <= after {
			t.Fatalf("events: paging does not advance (after %d, next %d)", after, page.NextAfter)
		}
		after = page.NextAfter
	}
}

type crashRow struct {
	seq      int64
	kind     string
	at       time.Duration
	payload  []byte
	clientID string
}

// crashReadLog opens the database read-only, checks its integrity and
// returns the exercise's log.
func crashReadLog(t *testing.T, path, exID string) []crashRow {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var integrity []string
	res, err := db.Query("PRAGMA integrity_check")
	if err != nil {
		t.Fatalf("integrity_check: %v", err)
	}
	for res.Next() {
		var s string
		if err := res.Scan(&s); err != nil {
			t.Fatal(err)
		}
		integrity = append(integrity, s)
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	res.Close()
	if len(integrity) != 1 || integrity[0] != "ok" {
		t.Fatalf("integrity_check: %q", integrity)
	}
	q, err := db.Query(`SELECT seq, kind, exercise_time_ns, payload, COALESCE(client_id, '') FROM events WHERE exercise_id = ? ORDER BY seq`, exID)
	if err != nil {
		t.Fatalf("read the log: %v", err)
	}
	defer q.Close()
	var rows []crashRow
	for q.Next() {
		var r crashRow
		var ns int64
		var payload string
		if err := q.Scan(&r.seq, &r.kind, &ns, &payload, &r.clientID); err != nil {
			t.Fatal(err)
		}
		r.at, r.payload = time.Duration(ns), []byte(payload)
		rows = append(rows, r)
	}
	if err := q.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// crashReplay runs the logged inputs through a fresh sim machine, with the
// submitted answers (as the test recorded them) at their logged times, and
// compares its sim events with the log and its state with the server's
// snapshots: before the decisions closed and after.
func crashReplay(t *testing.T, d *crashDriver, rows []crashRow, before, after crashView) {
	t.Helper()
	sc, err := scenario.Load(crashScenarioFile)
	if err != nil {
		t.Fatal(err)
	}
	m, err := sim.New(sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	var want []sim.Event // replayed sim events not yet matched with the log
	comparedBefore, closes := false, 0
	for _, r := range rows {
		var got []sim.Event
		switch r.kind {
		case engine.KindStart:
			got = m.Start(r.at)
		case engine.KindAnswer:
			_, cid, _ := strings.Cut(r.clientID, "/")
			a := d.sub[cid]
			mem := d.members[a.member]
			got, err = m.Answer(r.at, sim.Answer{ID: cid, Decision: mem.decision, Team: mem.team, Participant: mem.id, Lead: mem.lead, Option: a.option})
			if err != nil {
				t.Fatalf("replaying %s at seq %d: %v", cid, r.seq, err)
			}
		case engine.KindFacClose:
			if !comparedBefore {
				crashCompare(t, "before closing", m, before)
				comparedBefore = true
			}
			var p struct{ Decision string }
			if err := json.Unmarshal(r.payload, &p); err != nil {
				t.Fatal(err)
			}
			if got, err = m.CloseDecision(r.at, p.Decision); err != nil {
				t.Fatalf("replaying the close of %s: %v", p.Decision, err)
			}
			closes++
		default:
			if engine.IsInput(r.kind) {
				t.Fatalf("seq %d: unexpected input %s: the state should depend on answers and closes alone", r.seq, r.kind)
			}
			if engine.IsEngineKind(r.kind) {
				continue
			}
			if len(want) == 0 {
				t.Fatalf("seq %d: logged %s at %s, not produced by the replay", r.seq, r.kind, r.at)
			}
			if w := want[0]; string(w.Kind) != r.kind || w.At != r.at {
				t.Fatalf("seq %d: logged %s at %s, replay produced %s at %s", r.seq, r.kind, r.at, w.Kind, w.At)
			}
			want = want[1:]
		}
		want = append(want, got...)
	}
	if len(want) != 0 {
		t.Fatalf("the replay produced %d sim events missing from the log (first: %s)", len(want), want[0].Kind)
	}
	if !comparedBefore || closes != 3 {
		t.Fatalf("the log holds %d decision closes, want 3", closes)
	}
	crashCompare(t, "after closing", m, after)

	// Independently of sim: each member's last answer in log order is
	// its current answer before the close; blue and green settle on their
	// last answer, red on the majority of its two members' (ties: the
	// earliest option).
	last := map[string]string{} // participant id -> option
	for _, r := range rows {
		if r.kind == engine.KindAnswer {
			_, cid, _ := strings.Cut(r.clientID, "/")
			a := d.sub[cid]
			last[d.members[a.member].id] = a.option
		}
	}
	for _, dec := range before.Snapshot.Sim.Open {
		for _, a := range dec.Answers {
			if last[a.Participant] != a.Option {
				t.Errorf("%s: %s's current answer is %s, the last one logged is %s", dec.ID, a.Participant, a.Option, last[a.Participant])
			}
		}
	}
	red := last[d.members[0].id]
	if other := last[d.members[1].id]; other < red {
		red = other // one vote each: the earliest option wins the tie
	}
	settled := map[string]string{"red_poll": red, "blue_poll": last[d.members[2].id], "green_poll": last[d.members[3].id]}
	for _, dec := range after.Snapshot.Sim.Settled {
		if dec.Option != settled[dec.ID] {
			t.Errorf("%s settled on %q, want %q", dec.ID, dec.Option, settled[dec.ID])
		}
	}
	score := map[string]float64{"a": 1, "b": 10, "c": 100}[red] + map[string]float64{"a": 1000, "b": 2000, "c": -5}[settled["green_poll"]]
	posture := map[string]string{"a": "contain", "b": "monitor", "c": "escalate"}[settled["blue_poll"]]
	state := "low"
	if score >= 1100 {
		state = "high"
	}
	vars := map[string]any{}
	for _, v := range after.Snapshot.Sim.Vars {
		vars[v.ID] = v.Value
	}
	if vars["score"] != score || vars["posture"] != posture || after.Snapshot.Sim.State != state || len(after.Snapshot.Sim.Settled) != 3 {
		t.Errorf("after closing: state %s, vars %v, %d settled; want %s, score %v, posture %s, 3 settled",
			after.Snapshot.Sim.State, vars, len(after.Snapshot.Sim.Settled), state, score, posture)
	}
}

// crashCompare advances the replay to the moment of the server's snapshot
// and compares the two sim snapshots byte for byte.
func crashCompare(t *testing.T, what string, m *sim.Machine, v crashView) {
	t.Helper()
	if evs := m.Advance(v.Snapshot.Sim.At); len(evs) != 0 {
		t.Fatalf("%s: advancing the replay to %s produced %d events", what, v.Snapshot.Sim.At, len(evs))
	}
	got, err := json.Marshal(v.Snapshot.Sim)
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(m.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: the server's state differs from an uninterrupted replay:\n server: %s\n replay: %s", what, got, want)
	}
}
