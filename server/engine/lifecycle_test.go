package engine_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/store"
)

// TestCloseLeavesNoGoroutines runs many exercises with timers,
// subscriptions (live and catching up) and concurrent answers, then
// closes the engine: every goroutine it started must be gone.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	runtime.GC()
	base := runtime.NumGoroutine()
	eng := engine.New(e.st, e.clock, e.pub, nil)
	var ids, leads []string
	for i := 0; i < 20; i++ {
		ex, err := eng.Create(ctx, engine.CreateInput{Source: readFile(t, "testdata/drill.yaml")})
		if err != nil {
			t.Fatal(err)
		}
		p, err := eng.Join(ctx, ex.ID, engine.JoinInput{Team: "red", Name: "r"})
		if err != nil {
			t.Fatal(err)
		}
		if i%4 != 3 { // some stay in the lobby
			if err := eng.Start(ctx, ex.ID); err != nil {
				t.Fatal(err)
			}
		}
		ids, leads = append(ids, ex.ID), append(leads, p.ID)
	}
	var subs []*engine.Subscription
	for _, id := range ids[:10] {
		s, err := eng.Subscribe(ctx, id, 0)
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, s) // never read: some stay catching up
	}
	var wg sync.WaitGroup
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				eng.Answer(ctx, ids[i], leads[i], engine.AnswerInput{ClientID: fmt.Sprint(j), Decision: "contain", Option: "wait"})
			}
		}()
	}
	e.clock.Advance(3 * time.Minute)
	wg.Wait()
	if err := eng.Close(); err != nil {
		t.Fatal(err)
	}
	for _, s := range subs {
		for range s.C {
		}
		if !errors.Is(s.Err(), engine.ErrClosed) {
			t.Errorf("subscription after engine Close: Err = %v, want ErrClosed", s.Err())
		}
	}
	if _, err := eng.Snapshot(ctx, ids[0]); !errors.Is(err, engine.ErrClosed) {
		t.Fatalf("command after Close = %v, want ErrClosed", err)
	}
	if _, err := eng.Subscribe(ctx, ids[0], 0); !errors.Is(err, engine.ErrClosed) {
		t.Fatalf("Subscribe after Close = %v, want ErrClosed", err)
	}
	// Goroutines exit asynchronously after their last channel operation;
	// allow them a moment to be reaped.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > base {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines after Close, %d before:\n%s", n, base, buf[:runtime.Stack(buf, true)])
	}
}

// flakyStore fails Commit when told to, after or before writing, as a
// full disk or a lost connection would.
type flakyStore struct {
	*store.Store
	failNext atomic.Int32 // 1: fail without writing; 2: write, then report failure
}

func (f *flakyStore) Commit(ctx context.Context, c store.Commit) ([]store.Event, error) {
	switch f.failNext.Swap(0) {
	case 1:
		return nil, errors.New("disk full")
	case 2:
		if _, err := f.Store.Commit(ctx, c); err != nil {
			return nil, err
		}
		return nil, errors.New("connection lost after commit")
	}
	return f.Store.Commit(ctx, c)
}

// TestCommitFailureReloadsFromLog: when a commit fails, the machine (which
// already applied the input) is rebuilt from the log, so state never runs
// ahead of the log; a commit whose outcome was unknown is found again
// through its client id.
func TestCommitFailureReloadsFromLog(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	fs := &flakyStore{Store: e.st}
	e.eng.Close()
	e.eng = engine.New(fs, e.clock, e.pub, nil)
	id, r1, _, _ := drill(t, e)
	if err := e.eng.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	in := engine.AnswerInput{ClientID: "a1", Decision: "contain", Option: "act"}

	fs.failNext.Store(1)
	if _, err := e.eng.Answer(ctx, id, r1, in); !errors.Is(err, engine.ErrUnavailable) {
		t.Fatalf("answer with a failing store = %v, want ErrUnavailable", err)
	}
	s, err := e.eng.Snapshot(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Decisions) == 0 || len(s.Decisions[0].Answers) != 0 {
		t.Fatalf("after a failed commit the answer is visible: %+v", s.Decisions)
	}
	ack, err := e.eng.Answer(ctx, id, r1, in)
	if err != nil || ack.Duplicate {
		t.Fatalf("retry after a failed commit = %+v, %v; want a fresh ack", ack, err)
	}

	in2 := engine.AnswerInput{ClientID: "a2", Decision: "contain", Option: "wait"}
	fs.failNext.Store(2)
	if _, err := e.eng.Answer(ctx, id, r1, in2); !errors.Is(err, engine.ErrUnavailable) {
		t.Fatalf("answer whose commit outcome is unknown = %v, want ErrUnavailable", err)
	}
	ack2, err := e.eng.Answer(ctx, id, r1, in2)
	if err != nil || !ack2.Duplicate {
		t.Fatalf("retry of a committed answer = %+v, %v; want the original ack", ack2, err)
	}
	s, err = e.eng.Snapshot(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Decisions) == 0 || len(s.Decisions[0].Answers) != 1 || s.Decisions[0].Answers[0].Option != "wait" {
		t.Fatalf("state after reload: %+v", s.Decisions)
	}
}

// TestReplayDivergenceIsReported: a log whose sim events do not match what
// the scenario produces is reported when the exercise is loaded.
func TestReplayDivergenceIsReported(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	id, _, _, _ := drill(t, e)
	if err := e.eng.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	e.close()
	st, err := store.Open(ctx, e.path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Commit(ctx, store.Commit{ExerciseID: id, Events: []store.Event{
		{Kind: "inject_delivered", WallTime: t0, Payload: []byte(`{"kind":"inject_delivered","body":"forged"}`)}}}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	e.open()
	if _, err := e.eng.Snapshot(ctx, id); err != nil {
		t.Fatal(err)
	}
	if logs := e.logs.String(); !strings.Contains(logs, "replay diverges") || !strings.Contains(logs, "not produced by replay") {
		t.Fatalf("divergence not reported; log:\n%s", logs)
	}
	e.logs.buf.Reset() // expected error; do not fail the cleanup check
}

// TestConcurrentExercises answers on many exercises at once; each log
// stays dense and every answer is acknowledged once.
func TestConcurrentExercises(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	const n, per = 12, 25
	type ex struct{ id, lead string }
	var exs []ex
	for i := 0; i < n; i++ {
		id, r1, _, _ := drill(t, e)
		if err := e.eng.Start(ctx, id); err != nil {
			t.Fatal(err)
		}
		exs = append(exs, ex{id, r1})
	}
	var wg sync.WaitGroup
	errs := make(chan error, n*per)
	for _, x := range exs {
		for w := 0; w < 2; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := 0; j < per; j++ {
					// Both workers send the same client ids: each must be
					// logged once and acknowledged identically.
					if _, err := e.eng.Answer(ctx, x.id, x.lead, engine.AnswerInput{ClientID: fmt.Sprint("c", j), Decision: "contain", Option: "wait"}); err != nil {
						errs <- err
					}
				}
			}()
		}
	}
	e.clock.Advance(2 * time.Minute)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, x := range exs {
		evs := allEvents(t, e.eng, x.id)
		answers := 0
		for i, ev := range evs {
			if ev.Seq != int64(i+1) {
				t.Fatalf("%s: seq %d at index %d", x.id, ev.Seq, i)
			}
			if ev.Kind == engine.KindAnswer {
				answers++
			}
		}
		if answers != per {
			t.Fatalf("%s: %d answers logged, want %d", x.id, answers, per)
		}
	}
}
