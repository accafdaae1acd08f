package api

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// Reliability test 3: 100 clients each miss 50 injects while disconnected,
// reconnect with their last sequence number, and receive exactly the missed
// injects — none lost, none repeated, in strictly increasing order.
//
// This is a test of what arrives, not of how fast: a hundred handshakes and
// catch-ups at once, race-instrumented, share the CPU and the store's read
// pool with each other and with whatever else the machine runs, and at
// load averages above ~25 one of them took longer than the 10 s a single
// connection is given (a handshake queued behind the others' replays). So
// the crowd's connections wait up to what is left of the test's deadline
// (crowdWait): a hang still fails here, naming the client and what it got.
// The timings are logged (go test -v); how fast one catch-up is, is
// BenchmarkCatchUp50's to say.
func TestReconnectCatchUpHundredClients(t *testing.T) {
	const clients, missed = 100, 50
	e := newEnv(t, withMessageBudget(missed+10, 60)) // the facilitator injects 50 at once
	e.wsWait = crowdWait(t)
	fac := e.login()
	id, code := e.createExercise(fac)
	origin := map[string]string{"Origin": e.ts.URL}
	if r := e.do(fac, "POST", "/api/exercises/"+id+"/start", nil, origin); r.status != 200 {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	teams := []string{"comms", "soc"}
	tokens := make([]string, clients)
	for i := range tokens {
		tokens[i] = e.joinAs(code, fmt.Sprintf("p%03d", i), teams[i%2])
	}
	var snap struct {
		Snapshot struct {
			LastSeq int64 `json:"last_seq"`
		} `json:"snapshot"`
	}
	e.do(fac, "GET", "/api/exercises/"+id, nil, nil).json(t, &snap)

	// Connect everyone as a client that is up to date (it has the log so
	// far: nothing to replay), note where each stood, disconnect.
	last := make([]int64, clients)
	var wg sync.WaitGroup
	connect := timings{}
	for i := range clients {
		wg.Go(func() {
			start := time.Now()
			w, _, err := e.dial(nil, tokens[i], id, snap.Snapshot.LastSeq, nil)
			if err != nil {
				t.Errorf("client %d: dial: %v", i, err)
				return
			}
			dialed := time.Now()
			live := w.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
			connect.add(dialed.Sub(start), time.Since(dialed))
			last[i] = live.num("last_seq")
			w.conn.Close()
			<-w.done
		})
	}
	wg.Wait()
	t.Logf("%d clients connected: %s", clients, &connect)
	if t.Failed() {
		t.FailNow()
	}

	// 50 injects for every team while nobody is connected.
	want := make([]string, missed)
	for n := range missed {
		want[n] = fmt.Sprintf("missed-%02d", n+1)
		body := map[string]any{"inject": map[string]any{"id": want[n], "channel": "sitrep", "body": fmt.Sprintf("update %d", n+1)}}
		if r := e.do(fac, "POST", "/api/exercises/"+id+"/inject", body, origin); r.status != 200 {
			t.Fatalf("inject %d: %d %s", n+1, r.status, r.body)
		}
	}

	catchUp := timings{}
	for i := range clients {
		wg.Go(func() {
			start := time.Now()
			w, _, err := e.dial(nil, tokens[i], id, last[i], nil)
			if err != nil {
				t.Errorf("client %d: redial: %v", i, err)
				return
			}
			dialed := time.Now()
			w.waitFor("the last missed inject", isInject(want[missed-1]))
			catchUp.add(dialed.Sub(start), time.Since(dialed))
			var got []string
			prev := last[i]
			for _, f := range w.all() {
				if f.str("type") != "event" {
					continue
				}
				s := f.num("seq")
				if s <= prev {
					t.Errorf("client %d: seq %d after %d (duplicate or out of order; resumed after %d)", i, s, prev, last[i])
				}
				prev = s
				if f.str("kind") == "inject_delivered" {
					got = append(got, f.payload().str("inject"))
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("client %d: after reconnecting got injects %v, want exactly the %d missed", i, got, missed)
			}
		})
	}
	wg.Wait()
	t.Logf("%d clients caught up on %d injects: %s", clients, missed, &catchUp)
}

// crowdWait is how long each connection of a crowd may take to dial or to
// receive what it waits for: what is left of the test's deadline, less a
// margin for the test to report, and never less than the usual 10 s.
func crowdWait(t *testing.T) time.Duration {
	d, ok := t.Deadline()
	if !ok {
		return 5 * time.Minute
	}
	return max(time.Until(d)-30*time.Second, 10*time.Second)
}

// timings collects how long a crowd's handshakes and waits took.
type timings struct {
	mu           sync.Mutex
	dials, waits []time.Duration
}

func (s *timings) add(dial, wait time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dials = append(s.dials, dial)
	s.waits = append(s.waits, wait)
}

func (s *timings) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.dials) == 0 {
		return "none"
	}
	med := func(d []time.Duration) (time.Duration, time.Duration) {
		d = slices.Sorted(slices.Values(d))
		return d[len(d)/2], d[len(d)-1]
	}
	dm, dx := med(s.dials)
	wm, wx := med(s.waits)
	return fmt.Sprintf("handshake median %v, slowest %v; then median %v, slowest %v",
		dm.Round(time.Millisecond), dx.Round(time.Millisecond), wm.Round(time.Millisecond), wx.Round(time.Millisecond))
}
