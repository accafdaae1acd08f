//go:build unix

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5"

	"github.com/ttxsim/ttx/server/ttxtest/pgtest"
)

// clusterKillsEnv sets how many times TestClusterKillOwner kills the
// owner (default 20).
const clusterKillsEnv = "TTX_CLUSTER_KILLS"

// clusterWS is a participant's WebSocket through one node, with the seqs
// of the events it received (a participant sees only the events meant for
// them, so the seqs have holes).
type clusterWS struct {
	c     *websocket.Conn
	after int64
	mu    sync.Mutex
	seqs  []int64
	done  chan struct{}
}

// dialCluster opens a participant's socket at base after seq after, reads
// its backlog up to the live frame, then reads events in the background.
func dialCluster(t *testing.T, base, exID, token string, after int64) *clusterWS {
	t.Helper()
	d := websocket.Dialer{Subprotocols: []string{"ttx.v1", "ttx.token." + token}, HandshakeTimeout: crashStepTimeout}
	url := fmt.Sprintf("ws%s/api/ws?exercise=%s&after=%d", strings.TrimPrefix(base, "http"), exID, after)
	c, res, err := d.Dial(url, http.Header{"Origin": {base}})
	if err != nil {
		t.Fatalf("dial %s: %v (%v)", url, err, res)
	}
	w := &clusterWS{c: c, after: after, done: make(chan struct{})}
	for {
		f := pgRead(t, c)
		switch f["type"] {
		case "event":
			w.seqs = append(w.seqs, int64(f["seq"].(float64)))
		case "live":
			go w.read()
			return w
		}
	}
}

func (w *clusterWS) read() {
	defer close(w.done)
	for {
		var f map[string]any
		if err := w.c.ReadJSON(&f); err != nil {
			return
		}
		if f["type"] == "event" {
			w.mu.Lock()
			w.seqs = append(w.seqs, int64(f["seq"].(float64)))
			w.mu.Unlock()
		}
	}
}

// end closes the socket and returns the seqs it received, checked to
// follow its after strictly increasing (no duplicate, no step back).
func (w *clusterWS) end(t *testing.T) []int64 {
	t.Helper()
	_ = w.c.Close()
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	last := w.after
	for _, s := range w.seqs {
		if s <= last {
			t.Fatalf("socket: event %d after %d (a duplicate or out of order)", s, last)
		}
		last = s
	}
	return w.seqs
}

func lastOf(seqs []int64) int64 {
	if len(seqs) == 0 {
		return 0
	}
	return seqs[len(seqs)-1]
}

// TestClusterKillOwner runs three real ttx serve processes on one
// PostgreSQL database, with participants and the facilitator spread over
// them, and kills the exercise's owner with SIGKILL again and again: after
// an acknowledged answer, during a burst of injects, while scheduled
// injects are due. After each kill another node takes the exercise over
// (the time is measured), the log has no gap and no duplicate, every
// acknowledged answer is in it at its seq, and every socket, reconnecting
// to any node, resumes exactly where it stopped.
func TestClusterKillOwner(t *testing.T) {
	kills := 20
	if v := os.Getenv(clusterKillsEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive number", clusterKillsEnv, v)
		}
		kills = n
	}
	pgc, err := pgtest.Start(t.Context())
	if err != nil {
		t.Fatal(err) // PostgreSQL is required: .ci/setup installs it
	}
	t.Cleanup(func() { _ = pgc.Stop() })
	db := pgc.NewDatabase(t)
	scenarios, err := filepath.Abs(crashScenarioDir)
	if err != nil {
		t.Fatal(err)
	}
	const secret = "cluster-test-secret-0123456789"
	procs := &crashProcs{t: t, bin: crashBuild(t), db: db, scenarios: scenarios, dir: t.TempDir(),
		extra: func(addr string) []string {
			return []string{"-cluster-url", "http://" + addr, "-cluster-secret", secret, "-lease-ttl", "1s"}
		}}
	var all []*crashProc
	t.Cleanup(func() {
		for _, c := range all {
			select {
			case <-c.exited:
			default:
				_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
				<-c.exited
			}
		}
		if t.Failed() {
			t.Logf("last server log:\n%s", procs.logTail())
		}
	})
	start := func() *crashProc {
		c := procs.start(t)
		all = append(all, c)
		return c
	}
	nodes := []*crashProc{start()}
	var pw []string
	for deadline := time.Now().Add(crashStepTimeout); pw == nil; time.Sleep(10 * time.Millisecond) {
		if pw = regexp.MustCompile(`one-time password\s+(\S+)\s`).FindStringSubmatch(nodes[0].stdout(t)); pw == nil && time.Now().After(deadline) {
			t.Fatal("no one-time password on the first node's stdout")
		}
	}
	nodes = append(nodes, start(), start())

	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	jar, err := cookiejar.New(nil) // cookies ignore the port: one session for every node
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: transport, Jar: jar, Timeout: crashStepTimeout}
	on := func(c *crashProc) *crashClient { return &crashClient{hc: hc, base: c.base} }
	// The facilitator sets up through the second node, participants join
	// through it too: the router passes each to the owner.
	exID, members := crashSetup(t, on(nodes[1]), pw[1])

	conn, err := pgx.Connect(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	owner := func() int {
		var node string
		if err := conn.QueryRow(t.Context(), `SELECT node FROM exercise_leases WHERE exercise_id = $1 AND expires_at > clock_timestamp()`, exID).Scan(&node); err != nil {
			t.Fatalf("lease of %s: %v", exID, err)
		}
		for i, c := range nodes {
			if c.base == node {
				return i
			}
		}
		t.Fatalf("the exercise is leased to %s, not a running node", node)
		return -1
	}

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 21))
	acked := map[string]int64{} // client id -> seq
	var takeovers []time.Duration
	// Every member keeps a socket, each through a node chosen at random.
	socks := make([]*clusterWS, len(members))
	history := make([][]int64, len(members)) // every seq each member's sockets received, in order
	for i, m := range members {
		socks[i] = dialCluster(t, nodes[rng.IntN(3)].base, exID, m.token, 0)
	}
	answer := func(via *crashProc, m crashMember, cid string) (int64, bool) {
		st, body, err := on(via).do(http.MethodPost, "/api/exercises/"+exID+"/answers", m.token,
			map[string]string{"client_id": cid, "decision": m.decision, "option": []string{"a", "b", "c"}[rng.IntN(3)]})
		if err != nil || st != http.StatusOK {
			return 0, false
		}
		var res struct {
			Seq int64 `json:"seq"`
		}
		if err := json.Unmarshal(body, &res); err != nil || res.Seq <= 0 {
			t.Fatalf("answer %s: %s", cid, body)
		}
		return res.Seq, true
	}
	fac := func(via *crashProc, path string, body any) int {
		st, _, err := on(via).do(http.MethodPost, "/api/exercises/"+exID+path, "", body)
		if err != nil {
			return 0
		}
		return st
	}

	// The cost of passing a command on: the same answers sent to the
	// owner and to a node that forwards them (reported, not asserted).
	{
		o := owner()
		// Interleaved, after a warm-up of each, so both see the same load.
		var direct, forwarded []time.Duration
		for j := range 26 {
			for _, via := range []int{o, (o + 1) % 3} {
				m := members[j%3] // red, red, blue: any member may answer
				start := time.Now()
				if _, ok := answer(nodes[via], m, fmt.Sprintf("cost-%d-%d", via, j)); !ok {
					t.Fatalf("answer through node %d failed", via)
				}
				if j >= 2 {
					if via == o {
						direct = append(direct, time.Since(start))
					} else {
						forwarded = append(forwarded, time.Since(start))
					}
				}
			}
		}
		slices.Sort(direct)
		slices.Sort(forwarded)
		t.Logf("answer over REST, median of 24: at the owner %s, forwarded by another node %s",
			direct[len(direct)/2].Round(10*time.Microsecond), forwarded[len(forwarded)/2].Round(10*time.Microsecond))
	}
	for k := range kills {
		o := owner()
		others := slices.Delete([]int{0, 1, 2}, o, o+1)
		// Traffic through the nodes that do not own the exercise.
		for i, m := range members {
			if m.team == "green" && !m.lead {
				continue
			}
			cid := fmt.Sprintf("k%02d-m%d", k, i)
			seq, ok := answer(nodes[others[rng.IntN(2)]], m, cid)
			if !ok {
				t.Fatalf("kill %d: answer %s before the kill failed", k, cid)
			}
			acked[cid] = seq
		}
		var burst sync.WaitGroup
		switch k % 3 {
		case 0: // right after an acknowledged answer
		case 1: // during a burst of injects
			burst.Add(1)
			go func() {
				defer burst.Done()
				for j := range 20 {
					fac(nodes[others[j%2]], "/inject", map[string]any{"inject": map[string]string{"channel": "email", "title": "burst", "body": fmt.Sprint(j)}})
				}
			}()
		case 2: // while scheduled injects fall due
			for j := range 3 {
				if st := fac(nodes[others[0]], "/schedule-inject", map[string]any{
					"inject": map[string]string{"channel": "email", "title": "timer", "body": fmt.Sprint(j)},
					"in":     int64(time.Duration(300+200*j) * time.Millisecond)}); st != http.StatusOK {
					t.Fatalf("kill %d: schedule an inject: %d", k, st)
				}
			}
		}
		time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond) // a random moment
		victim := nodes[o]
		if err := syscall.Kill(-victim.cmd.Process.Pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		killed := time.Now()
		victim.wait(t)
		burst.Wait()

		// Another node takes over: the first answer a survivor accepts.
		cid := fmt.Sprintf("k%02d-after", k)
		m := members[0]
		for {
			if seq, ok := answer(nodes[others[rng.IntN(2)]], m, cid); ok {
				acked[cid] = seq
				break
			}
			if time.Since(killed) > crashStepTimeout {
				t.Fatalf("kill %d: no node took the exercise over within %s", k, crashStepTimeout)
			}
			time.Sleep(20 * time.Millisecond)
		}
		takeovers = append(takeovers, time.Since(killed))
		nodes[o] = start() // a fresh node replaces the dead one

		// Sockets through the dead node broke; every socket reconnects,
		// through any node, after the last event it received.
		for i, m := range members {
			history[i] = append(history[i], socks[i].end(t)...)
			socks[i] = dialCluster(t, nodes[rng.IntN(3)].base, exID, m.token, lastOf(history[i]))
		}
	}

	// The log: seqs 1..n, no gap, no duplicate; every acknowledged answer
	// is in it, at its seq, under its client id.
	evs := crashAPIEvents(t, on(nodes[0]), exID)
	for i, ev := range evs {
		if ev.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d", i, ev.Seq)
		}
	}
	for cid, seq := range acked {
		var kind string
		var key *string
		if err := conn.QueryRow(t.Context(), `SELECT kind, client_id FROM events WHERE exercise_id = $1 AND seq = $2`, exID, seq).Scan(&kind, &key); err != nil {
			t.Fatalf("acknowledged answer %s (seq %d): %v", cid, seq, err)
		}
		if kind != "answer_submitted" || key == nil || !strings.HasSuffix(*key, cid) {
			t.Fatalf("acknowledged answer %s: seq %d holds %s with client id %v", cid, seq, kind, key)
		}
	}
	// What each member received over all its sockets is exactly what a
	// fresh socket replays from the start: nothing lost, nothing twice.
	for i, m := range members {
		history[i] = append(history[i], socks[i].end(t)...)
		fresh := dialCluster(t, nodes[rng.IntN(3)].base, exID, m.token, 0).end(t)
		if len(fresh) < len(history[i]) || !slices.Equal(fresh[:len(history[i])], history[i]) {
			t.Fatalf("%s received %v over its sockets; the log gives them %v", m.name, history[i], fresh)
		}
	}
	// Back to one node: a node without -cluster-url refuses to start
	// while the cluster holds the exercise; once the cluster stopped, it
	// starts and the once-leased exercise takes its commands.
	refuseCtx, cancelRefuse := context.WithTimeout(t.Context(), crashStepTimeout)
	defer cancelRefuse()
	single := exec.CommandContext(refuseCtx, procs.bin, "serve", "-addr", "127.0.0.1:0", "-db", db, "-scenarios", scenarios)
	if out, err := single.CombinedOutput(); err == nil || !strings.Contains(string(out), "-cluster-url") {
		t.Fatalf("a single node beside the cluster: %v\n%s", err, out)
	}
	for _, c := range nodes {
		if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		c.wait(t)
	}
	procs.extra = nil
	one := start()
	if _, ok := answer(one, members[0], "single-node"); !ok {
		t.Fatalf("a single node after the cluster cannot command the exercise:\n%s", procs.logTail())
	}

	slices.Sort(takeovers)
	t.Logf("%d kills, %d acknowledged answers, %d events; takeover median %s, max %s",
		kills, len(acked), len(evs), takeovers[len(takeovers)/2].Round(time.Millisecond), takeovers[len(takeovers)-1].Round(time.Millisecond))
}
