package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/engine/enginetest"
	"github.com/ttxsim/ttx/server/store"
)

// *store.Store is the engine's production Store.
var _ engine.Store = (*store.Store)(nil)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// recorder is a Publisher that keeps every published event and checks
// that seqs arrive strictly increasing, per exercise, without gaps.
type recorder struct {
	mu     sync.Mutex
	events map[string][]engine.Event
	errs   []string
	notify chan struct{}
}

func newRecorder() *recorder {
	return &recorder{events: map[string][]engine.Event{}, notify: make(chan struct{}, 1)}
}

func (r *recorder) Publish(id string, evs []engine.Event) {
	r.mu.Lock()
	for _, ev := range evs {
		if n := len(r.events[id]); n > 0 && ev.Seq != r.events[id][n-1].Seq+1 {
			r.errs = append(r.errs, "published seq out of order")
		}
		r.events[id] = append(r.events[id], ev)
	}
	r.mu.Unlock()
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

func (r *recorder) get(id string) []engine.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]engine.Event(nil), r.events[id]...)
}

func (r *recorder) check(t *testing.T) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.errs) > 0 {
		t.Errorf("publisher: %v", r.errs)
	}
}

// logBuffer captures the engine's log for assertions.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type env struct {
	t     *testing.T
	path  string
	st    *store.Store
	clock *enginetest.FakeClock
	pub   *recorder
	logs  *logBuffer
	eng   *engine.Engine
	opts  []engine.Option
}

func newEnv(t *testing.T, opts ...engine.Option) *env {
	t.Helper()
	e := &env{t: t, path: filepath.Join(t.TempDir(), "ttx.db"), clock: enginetest.NewFakeClock(t0), opts: opts}
	e.open()
	t.Cleanup(e.close)
	return e
}

func (e *env) open() {
	e.t.Helper()
	st, err := store.Open(context.Background(), e.path, store.Options{})
	if err != nil {
		e.t.Fatal(err)
	}
	e.st = st
	e.pub = newRecorder()
	e.logs = &logBuffer{}
	e.eng = engine.New(st, e.clock, e.pub, slog.New(slog.NewTextHandler(e.logs, nil)), e.opts...)
}

func (e *env) close() {
	if e.eng == nil {
		return
	}
	e.eng.Close()
	e.st.Close()
	e.eng = nil
	e.pub.check(e.t)
	if s := e.logs.String(); bytes.Contains([]byte(s), []byte("level=ERROR")) {
		e.t.Errorf("engine logged errors:\n%s", s)
	}
}

// restart closes the engine and store and opens them again on the same
// file, as a process restart would.
func (e *env) restart() {
	e.t.Helper()
	e.close()
	e.open()
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// allEvents reads an exercise's whole log.
func allEvents(t *testing.T, eng *engine.Engine, id string) []engine.Event {
	t.Helper()
	var out []engine.Event
	var after int64
	for {
		page, err := eng.Events(context.Background(), id, after, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			return out
		}
		out = append(out, page...)
		after = page[len(page)-1].Seq
	}
}

// simOnly keeps the sim's events, normalised for comparison with a run
// of the sim itself: the participant id is dropped (the engine's are
// random, a direct run names its own).
func simOnly(t *testing.T, evs []engine.Event) []string {
	t.Helper()
	var out []string
	for _, ev := range evs {
		if engine.IsEngineKind(ev.Kind) {
			continue
		}
		out = append(out, normalise(t, ev.Payload))
	}
	return out
}

func normalise(t *testing.T, payload []byte) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(payload, &m); err != nil {
		t.Fatalf("payload %s: %v", payload, err)
	}
	delete(m, "participant")
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
