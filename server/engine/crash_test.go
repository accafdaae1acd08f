package engine_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/engine/enginetest"
	"github.com/ttxsim/ttx/server/store"
)

// The crash test runs the store and engine in a child process (this test
// binary, re-executed) and kills it with SIGKILL at random moments while
// answers stream in. The child speaks a line protocol on stdin/stdout:
//
//	setup                          -> SETUP <exercise> <p0> <p1> <p2>
//	ans <ex> <pid> <cid> <opt> <ns> -> ACK <cid> <seq> <dup> | ERR <cid> <code>
//	snap <ex> <ns>                 -> SNAP <json of the sim snapshot>
//
// where <ns> is the wall time (unix ns) the child's clock moves to before
// applying the command; ACK is printed only after the answer committed.

const (
	crashChildEnv = "TTX_ENGINE_CRASH_CHILD"
	crashDBEnv    = "TTX_ENGINE_CRASH_DB"
	crashNowEnv   = "TTX_ENGINE_CRASH_NOW"
	crashSeed     = 42
	crashAnswers  = 1000
	minKills      = 20
)

var crashStart = t0

// crashInput is answer i: who, which option, and when.
func crashInput(i int, parts []string) (pid, cid, opt string, wall time.Time) {
	return parts[i%len(parts)], fmt.Sprintf("a%d", i), string("abc"[(i*7+i/3)%3]), crashStart.Add(time.Duration(i+1) * time.Second)
}

// TestCrashChildProcess is the child's entry point; it does nothing in a
// normal test run.
func TestCrashChildProcess(t *testing.T) {
	if os.Getenv(crashChildEnv) != "1" {
		return
	}
	ns, _ := strconv.ParseInt(os.Getenv(crashNowEnv), 10, 64)
	if err := crashChild(os.Getenv(crashDBEnv), time.Unix(0, ns).UTC(), os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	os.Exit(0)
}

// crashServer is the engine side of the protocol; the child runs it on a
// file database and the reference run in-process.
type crashServer struct {
	eng   *engine.Engine
	clock *enginetest.FakeClock
}

func (s *crashServer) handle(line string) string {
	ctx := context.Background()
	f := strings.Fields(line)
	at := func(i int) {
		ns, _ := strconv.ParseInt(f[i], 10, 64)
		s.clock.Set(time.Unix(0, ns).UTC())
	}
	switch {
	case len(f) == 1 && f[0] == "setup":
		return s.setupExercise(ctx, "crash.yaml", "red")
	case len(f) == 6 && f[0] == "ans":
		at(5)
		ack, err := s.eng.Answer(ctx, f[1], f[2], engine.AnswerInput{ClientID: f[3], Decision: "poll", Option: f[4]})
		if err != nil {
			return fmt.Sprintf("ERR %s %s %v", f[3], engine.Code(err), err)
		}
		return fmt.Sprintf("ACK %s %d %t", f[3], ack.Seq, ack.Duplicate)
	case len(f) == 1 && f[0] == "wsetup":
		return s.setupExercise(ctx, "world.yaml", "soc")
	case len(f) == 5 && (f[0] == "chat" || f[0] == "send"):
		at(4)
		return s.world(ctx, f[0], f[1], f[2], f[3])
	case len(f) == 3 && f[0] == "snap":
		at(2)
		snap, err := s.eng.Snapshot(ctx, f[1])
		if err != nil {
			return "ERR snap " + err.Error()
		}
		b, _ := json.Marshal(snap.Sim)
		return "SNAP " + string(b)
	}
	return "ERR bad command"
}

// setupExercise creates an exercise of testdata/<file>, joins three
// members to team and starts it: "SETUP <exercise> <p0> <p1> <p2>".
func (s *crashServer) setupExercise(ctx context.Context, file, team string) string {
	src, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		return "ERR setup " + err.Error()
	}
	ex, err := s.eng.Create(ctx, engine.CreateInput{File: file, Source: src})
	if err != nil {
		return "ERR setup " + err.Error()
	}
	out := "SETUP " + ex.ID
	for i := range 3 {
		p, err := s.eng.Join(ctx, ex.ID, engine.JoinInput{Team: team, Name: fmt.Sprint("member ", i)})
		if err != nil {
			return "ERR setup " + err.Error()
		}
		out += " " + p.ID
	}
	if err := s.eng.Start(ctx, ex.ID); err != nil {
		return "ERR setup " + err.Error()
	}
	return out
}

func crashChild(path string, now time.Time, in io.Reader, out io.Writer) error {
	ctx := context.Background()
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	clock := enginetest.NewFakeClock(now)
	eng := engine.New(st, clock, nil, nil, engine.WithRand(rand.NewChaCha8([32]byte{crashSeed})))
	defer eng.Close()
	if _, err := eng.Recover(ctx); err != nil {
		return err
	}
	srv := &crashServer{eng: eng, clock: clock}
	w := bufio.NewWriter(out)
	fmt.Fprintln(w, "READY")
	w.Flush()
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		fmt.Fprintln(w, srv.handle(sc.Text()))
		if err := w.Flush(); err != nil {
			return err
		}
	}
	return sc.Err()
}

type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
}

func startChild(t *testing.T, db string, now time.Time) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"=1", crashDBEnv+"="+db, fmt.Sprintf("%s=%d", crashNowEnv, now.UnixNano()))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stdin: stdin, lines: make(chan string, 1024)}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
	}()
	if l := c.next(t); l != "READY" {
		t.Fatalf("child said %q, want READY", l)
	}
	return c
}

// next returns the child's next line; "" when it exited.
func (c *child) next(t *testing.T) string {
	t.Helper()
	select {
	case l, ok := <-c.lines:
		if !ok {
			return ""
		}
		return l
	case <-time.After(60 * time.Second):
		t.Fatal("child did not answer within 60s")
		return ""
	}
}

func (c *child) send(line string) error {
	_, err := io.WriteString(c.stdin, line+"\n")
	return err
}

func (c *child) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	c.cmd.Wait()
	for range c.lines { // drain what it printed before dying
	}
}

// crashDrill is one crash test: after its setup command, inputs commands
// streamed at the child with up to window in flight; every run but the
// last is killed after killMin to killMin+killSpan-1 acknowledgements (at
// most maxKills times, and never within the last 10 inputs). The child
// must acknowledge the inputs in order, each once at one seq.
type crashDrill struct {
	setup             string
	inputs, window    int
	maxKills          int
	killMin, killSpan int
	seed              uint64
	// input is command i with the client id it is acknowledged under and
	// the wall time it runs at.
	input func(i int, exID string, parts []string) (line, cid string, wall time.Time)
	// final is the wall time of the snapshot taken after the last input.
	final time.Time
}

// crashResult is what a drill left: the acknowledgements (client id ->
// seq), the child's final snapshot line, and the log as the database holds
// it (after an integrity check).
type crashResult struct {
	exID        string
	parts       []string
	acked       map[string]int64
	kills, dups int
	snap        string
	log         []store.Event
}

func (d crashDrill) run(t *testing.T) crashResult {
	t.Helper()
	if testing.Short() {
		t.Skip("crash test runs child processes; skipped with -short")
	}
	if os.Getenv(crashChildEnv) == "1" {
		t.Skip("this is the crash child")
	}
	db := filepath.Join(t.TempDir(), "crash.db")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), d.seed))
	c := startChild(t, db, crashStart)
	if err := c.send(d.setup); err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(c.next(t))
	if len(f) != 5 || f[0] != "SETUP" {
		t.Fatalf("setup: %v", f)
	}
	r := crashResult{exID: f[1], parts: f[2:], acked: map[string]int64{}}
	next := 0
	for next < d.inputs {
		if c == nil {
			// Restart at the wall time of the first unacknowledged
			// input (the child's clock then moves with each command).
			_, _, wall := d.input(next, r.exID, r.parts)
			c = startChild(t, db, wall.Add(-time.Second))
		}
		killAfter := d.inputs // the last run finishes cleanly...
		if r.kills < d.maxKills && next < d.inputs-10 {
			killAfter = d.killMin + rng.IntN(d.killSpan) // ...earlier ones die
		}
		// Pipeline: keep inputs in flight so kills land during commits,
		// between commit and ack, and between inputs.
		stop := make(chan struct{})
		window := make(chan struct{}, d.window)
		sent := make(chan struct{})
		go func(from int) {
			defer close(sent)
			for i := from; i < d.inputs; i++ {
				select {
				case window <- struct{}{}:
				case <-stop:
					return
				}
				line, _, _ := d.input(i, r.exID, r.parts)
				if c.send(line) != nil {
					return
				}
			}
		}(next)
		got := 0
		for next < d.inputs && got < killAfter {
			l := c.next(t)
			var cid string
			var seq int64
			var dup bool
			if _, err := fmt.Sscanf(l, "ACK %s %d %t", &cid, &seq, &dup); err != nil {
				t.Fatalf("child: %q", l)
			}
			if _, want, _ := d.input(next, r.exID, r.parts); cid != want {
				t.Fatalf("ack for %s, expected %s (acks must come in order)", cid, want)
			}
			if prev, ok := r.acked[cid]; ok && prev != seq {
				t.Fatalf("%s acknowledged twice with seqs %d and %d", cid, prev, seq)
			}
			if dup {
				r.dups++
			}
			r.acked[cid] = seq
			next++
			got++
			<-window
		}
		close(stop)
		if next < d.inputs {
			if rng.IntN(3) > 0 {
				time.Sleep(time.Duration(rng.IntN(2000)) * time.Microsecond) // land the kill at a random moment
			}
			c.kill(t)
			<-sent
			r.kills++
			c = nil
		} else {
			<-sent
		}
	}
	if err := c.send(fmt.Sprintf("snap %s %d", r.exID, d.final.UnixNano())); err != nil {
		t.Fatal(err)
	}
	r.snap = c.next(t)
	c.stdin.Close()
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("child exit: %v", err)
	}
	if !strings.HasPrefix(r.snap, "SNAP ") {
		t.Fatalf("snapshot: %q", r.snap)
	}

	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if res, err := st.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Fatalf("integrity_check = %q, %v", res, err)
	}
	for after := int64(0); ; {
		page, err := st.Events(ctx, r.exID, after, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		r.log = append(r.log, page...)
		after = page[len(page)-1].Seq
	}
	return r
}

// reference runs the drill's inputs in-process without crashes and checks
// that they give the same final state and the same sim events.
func (d crashDrill) reference(t *testing.T, r crashResult) {
	t.Helper()
	ref := newEnv(t, engine.WithRand(rand.NewChaCha8([32]byte{crashSeed})))
	ref.clock.Set(crashStart)
	srv := &crashServer{eng: ref.eng, clock: ref.clock}
	if l := srv.handle(d.setup); l != "SETUP "+r.exID+" "+strings.Join(r.parts, " ") {
		t.Fatalf("reference setup %q differs from the child's", l)
	}
	for i := range d.inputs {
		line, _, _ := d.input(i, r.exID, r.parts)
		if l := srv.handle(line); !strings.HasPrefix(l, "ACK ") {
			t.Fatalf("reference: %s", l)
		}
	}
	if l := srv.handle(fmt.Sprintf("snap %s %d", r.exID, d.final.UnixNano())); l != r.snap {
		t.Fatalf("final state differs from an uninterrupted run:\n crashed: %s\nreference: %s", r.snap, l)
	}
	compareLines(t, simOnly(t, r.log), simOnly(t, allEvents(t, ref.eng, r.exID)))
}

// loggedOnce maps the client id of every event of the kinds in the log
// (the last part of its log key) to its seq, and fails if one is there twice.
func loggedOnce(t *testing.T, log []store.Event, kinds ...string) map[string]int64 {
	t.Helper()
	logged := map[string]int64{}
	for _, ev := range log {
		if !slices.Contains(kinds, ev.Kind) {
			continue
		}
		cid := ev.ClientID[strings.LastIndex(ev.ClientID, "/")+1:]
		if _, dup := logged[cid]; dup {
			t.Fatalf("%s %s logged twice", ev.Kind, cid)
		}
		logged[cid] = ev.Seq
	}
	return logged
}

func TestCrashRecovery(t *testing.T) {
	d := crashDrill{
		setup: "setup", inputs: crashAnswers, window: 16, maxKills: 40, killMin: 5, killSpan: 45, seed: 7,
		input: func(i int, exID string, parts []string) (string, string, time.Time) {
			pid, cid, opt, wall := crashInput(i, parts)
			return fmt.Sprintf("ans %s %s %s %s %d", exID, pid, cid, opt, wall.UnixNano()), cid, wall
		},
		final: crashStart.Add(time.Duration(crashAnswers+60) * time.Second),
	}
	r := d.run(t)
	if r.kills < minKills {
		t.Fatalf("only %d kills", r.kills)
	}
	t.Logf("%d answers acknowledged over %d kills (%d acknowledged as duplicates of commits whose ack was lost)", len(r.acked), r.kills, r.dups)

	// Every acknowledged answer present at its acknowledged seq, none twice.
	logged := loggedOnce(t, r.log, engine.KindAnswer)
	lost := 0
	for cid, seq := range r.acked {
		if got, ok := logged[cid]; !ok || got != seq {
			lost++
		}
	}
	if lost != 0 || len(logged) != crashAnswers || len(r.acked) != crashAnswers {
		t.Fatalf("%d acknowledged answers lost; %d logged, %d acknowledged, want %d", lost, len(logged), len(r.acked), crashAnswers)
	}

	// The same inputs without crashes give the same sim events and state.
	d.reference(t, r)
}
