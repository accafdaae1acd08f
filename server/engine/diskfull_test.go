package engine_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/engine/enginetest"
	"github.com/ttxsim/ttx/server/store"
)

// countingStore counts the engine's attempts to write.
type countingStore struct {
	*store.Store
	commits atomic.Int64
}

func (s *countingStore) Commit(ctx context.Context, c store.Commit) ([]store.Event, error) {
	s.commits.Add(1)
	return s.Store.Commit(ctx, c)
}

// TestTimerOnFullDiskBacksOff: when the clock's own write (a tick, no
// command behind it) meets a full disk, the exercise tries again a second
// later, not at once: every write fails until space is freed, and an
// immediate retry replays the log and fails again, in a hot loop. Once
// space returns, the retry writes what fell due, and nothing is lost.
func TestTimerOnFullDiskBacksOff(t *testing.T) {
	ctx := ctxT(t)
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "ttx.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cs := &countingStore{Store: st}
	clock := enginetest.NewFakeClock(t0)
	logs := &logBuffer{}
	eng := engine.New(cs, clock, nil, slog.New(slog.NewTextHandler(logs, nil)))
	defer eng.Close()
	ex, err := eng.Create(ctx, engine.CreateInput{File: "schedule.yaml", Source: readFile(t, "testdata/schedule.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(ctx, ex.ID); err != nil {
		t.Fatal(err)
	}
	// Due at 5m: a write of about 16 KB, which needs new pages.
	big := adhoc("big")
	big.Body = strings.Repeat("A long inject. ", engine.MaxInjectBody/16)
	if _, err := eng.ScheduleInject(ctx, ex.ID, engine.ScheduleInput{At: 5 * time.Minute, Inject: big}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetMaxSize(ctx, 1); err != nil {
		t.Fatal(err)
	}
	before := cs.commits.Load()
	clock.Advance(5 * time.Minute)
	// A command waits for the loop: by its reply the tick has failed (in
	// the loop, or in the command's catch-up), and maybe the command's own
	// try after it (a command retries at once: space may have returned).
	if _, err := eng.Snapshot(ctx, ex.ID); !errors.Is(err, engine.ErrUnavailable) || engine.Reason(err) != engine.ReasonDiskFull {
		t.Fatalf("snapshot on a full disk = %v, want ErrUnavailable for a full disk", err)
	}
	if n := cs.commits.Load() - before; n < 1 || n > 2 {
		t.Fatalf("%d writes at the same instant on a full disk, want the tick's and at most the command's", n)
	}
	// The loop's own retry is armed a second later (the loop arms before
	// it replies).
	if due, ok := clock.NextDue(); !ok || !due.Equal(clock.Now().Add(time.Second)) {
		t.Fatalf("next timer at %v (%v), want a retry at %v", due, ok, clock.Now().Add(time.Second))
	}
	if err := st.SetMaxSize(ctx, 0); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	s, err := eng.Snapshot(ctx, ex.ID)
	if err != nil {
		t.Fatalf("snapshot once space returned: %v", err)
	}
	if len(s.Scheduled) != 0 || !slices.Contains(delivered(t, allEvents(t, eng, ex.ID)), "big") {
		t.Fatalf("after the retry: scheduled %+v", s.Scheduled)
	}
	if !strings.Contains(logs.String(), "disk full") {
		t.Fatalf("the failed tick is not in the log:\n%s", logs)
	}
}
