package api

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/engine/enginetest"
	"github.com/ttxsim/ttx/server/hub"
	"github.com/ttxsim/ttx/server/store"
)

// TestEndedExerciseClosesWith4501: after outcome_reached the sockets stay
// open for the grace period (the debrief), then close with 4501; a socket
// opened after that gets hello, the log and live, then 4501 at once; the
// log stays readable over HTTP.
func TestEndedExerciseClosesWith4501(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	ex, code := e.createExercise(fac)
	tok := e.joinAs(code, "Casey", "comms")
	if r := e.do(fac, "POST", "/api/exercises/"+ex+"/start", nil, nil); r.status != http.StatusOK {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	pw, _, err := e.dial(nil, tok, ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	fw, _, err := e.dial(fac, "", ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	fw.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
	if r := e.do(fac, "POST", "/api/exercises/"+ex+"/end", map[string]string{"reason": "done"}, nil); r.status != http.StatusOK {
		t.Fatalf("end: %d %s", r.status, r.body)
	}
	pw.waitFor("outcome_reached", isEvent("outcome_reached"))
	fw.waitFor("outcome_reached", isEvent("outcome_reached"))

	// Within the grace period: the sockets answer, and a new one is served
	// as usual.
	e.clock.Advance(DefaultEndedGrace - time.Second)
	pw.send(map[string]any{"type": "presence", "id": "p1", "status": "idle"})
	if f := pw.reply("p1"); f.str("type") != "ack" {
		t.Fatalf("presence within the grace period: %v", f)
	}
	late, _, err := e.dial(nil, tok, ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	late.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
	late.waitFor("outcome_reached", isEvent("outcome_reached"))

	// The period ends: every socket of the exercise closes with 4501.
	e.clock.Advance(time.Second)
	for name, w := range map[string]*wsClient{"participant": pw, "facilitator": fw, "late participant": late} {
		if c := w.waitClosed(10 * time.Second); c != hub.CloseStreamEnded {
			t.Errorf("%s socket closed with %d, want %d", name, c, hub.CloseStreamEnded)
		}
	}

	// A new socket gets hello, the log and live, then 4501 at once.
	for name, c := range map[string]*http.Client{"participant": nil, "facilitator": fac} {
		token := tok
		if c != nil {
			token = ""
		}
		w, _, err := e.dial(c, token, ex, 0, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if code := w.waitClosed(10 * time.Second); code != hub.CloseStreamEnded {
			t.Errorf("%s: new socket closed with %d, want %d", name, code, hub.CloseStreamEnded)
		}
		got := w.all()
		if len(got) < 3 || got[0].str("type") != "hello" || got[len(got)-1].str("type") != "live" ||
			got[len(got)-2].str("kind") != "outcome_reached" {
			t.Errorf("%s: a socket after the period got %v, want hello, the log to outcome_reached, live", name, got)
		}
	}

	// Reading stays possible over HTTP.
	if r := e.do(nil, "GET", "/api/exercises/"+ex+"/events", nil, bearer(tok)); r.status != http.StatusOK {
		t.Fatalf("events after the end: %d %s", r.status, r.body)
	}
}

// recordingCloser records CloseWhere calls.
type recordingCloser struct {
	mu    sync.Mutex
	codes []int
}

func (r *recordingCloser) CloseWhere(match func(hub.Session) bool, code int, reason string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.codes = append(r.codes, code)
	return 0
}

func (r *recordingCloser) calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.codes)
}

type exerciseRecords map[string]store.Exercise

func (m exerciseRecords) Get(_ context.Context, id string) (store.Exercise, error) { return m[id], nil }

// TestEndingsFromTheRecord: an exercise that ended before this process
// knew of it (a restart, an import) is judged by its record: within the
// grace period its sockets are served and closed when it ends; after it,
// refused. A running exercise is never refused, and one that ends later
// is closed on time.
func TestEndingsFromTheRecord(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	clock := enginetest.NewFakeClock(t0)
	closer := &recordingCloser{}
	en := NewEndings(closer, clock, 10*time.Minute)
	recs := exerciseRecords{
		"old":     {ID: "old", Status: store.StatusEnded, EndedAt: t0.Add(-time.Hour)},
		"recent":  {ID: "recent", Status: store.StatusEnded, EndedAt: t0.Add(-time.Minute)},
		"running": {ID: "running", Status: store.StatusRunning},
	}
	ctx := context.Background()
	for _, tc := range []struct {
		ex   string
		want bool
	}{{"old", true}, {"recent", false}, {"running", false}} {
		got, err := en.expired(ctx, recs, tc.ex)
		if err != nil || got != tc.want {
			t.Errorf("expired(%s) = %v, %v; want %v", tc.ex, got, err, tc.want)
		}
	}
	if n := closer.calls(); n != 0 {
		t.Fatalf("%d closes before any period ended", n)
	}
	clock.Advance(9 * time.Minute) // "recent" ended 10 minutes ago
	if n := closer.calls(); n != 1 {
		t.Fatalf("%d closes when recent's period ended, want 1", n)
	}
	if got, _ := en.expired(ctx, recs, "recent"); !got {
		t.Error("recent is not expired after its period")
	}

	// The running exercise ends now (published): the record read before
	// does not hide it.
	en.Ended("running", clock.Now())
	en.Ended("running", clock.Now()) // a repeat schedules nothing more
	if got, _ := en.expired(ctx, recs, "running"); got {
		t.Error("running expired at once")
	}
	clock.Advance(10 * time.Minute)
	if n := closer.calls(); n != 2 {
		t.Fatalf("%d closes after running's period, want 2", n)
	}
	if got, _ := en.expired(ctx, recs, "running"); !got {
		t.Error("running is not expired after its period")
	}
}

// countingRecords counts reads of the exercise record.
type countingRecords struct {
	exerciseRecords
	mu    sync.Mutex
	reads int
}

func (c *countingRecords) Get(ctx context.Context, id string) (store.Exercise, error) {
	c.mu.Lock()
	c.reads++
	c.mu.Unlock()
	return c.exerciseRecords.Get(ctx, id)
}

// TestEndingsReadOnce: a crowd connecting at once to an exercise reads its
// record once, not once per socket.
func TestEndingsReadOnce(t *testing.T) {
	clock := enginetest.NewFakeClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	en := NewEndings(&recordingCloser{}, clock, time.Hour)
	recs := &countingRecords{exerciseRecords: exerciseRecords{"x": {ID: "x", Status: store.StatusRunning}}}
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if gone, err := en.expired(context.Background(), recs, "x"); gone || err != nil {
				t.Errorf("expired = %v, %v", gone, err)
			}
		})
	}
	wg.Wait()
	if recs.reads != 1 {
		t.Fatalf("%d reads of the record, want 1", recs.reads)
	}
}
