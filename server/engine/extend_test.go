package engine_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/sim"
	"github.com/ttxsim/ttx/server/store"
)

func TestExtendDecisionRefusals(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	id, _, _, _ := drill(t, e)
	if err := e.eng.ExtendDecision(ctx, id, "contain", time.Minute, ""); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("extend in the lobby = %v, want ErrConflict", err)
	}
	if err := e.eng.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Minute) // fac_call (untimed) has opened
	if err := e.eng.CloseDecision(ctx, id, "remarks"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, dec string
		by        time.Duration
		want      error
	}{
		{"zero", "contain", 0, engine.ErrInvalid},
		{"negative", "contain", -time.Minute, engine.ErrInvalid},
		{"over an hour", "contain", time.Hour + time.Nanosecond, engine.ErrInvalid},
		{"unknown decision", "nope", time.Minute, engine.ErrNotFound},
		{"untimed", "fac_call", time.Minute, engine.ErrConflict},
		{"closed", "remarks", time.Minute, engine.ErrDecisionClosed},
	} {
		before := lastSeq(t, e, id)
		if err := e.eng.ExtendDecision(ctx, id, c.dec, c.by, ""); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
		if after := lastSeq(t, e, id); after != before {
			t.Errorf("%s: a refused extension wrote %d events", c.name, after-before)
		}
	}
	// The total limit is capped: contain (20m) takes 23 more hours, then 40
	// minutes, and not a nanosecond more.
	for i := range 23 {
		if err := e.eng.ExtendDecision(ctx, id, "contain", time.Hour, ""); err != nil {
			t.Fatalf("extension %d: %v", i, err)
		}
	}
	if err := e.eng.ExtendDecision(ctx, id, "contain", 40*time.Minute+time.Nanosecond, ""); !errors.Is(err, engine.ErrInvalid) {
		t.Fatalf("extension past %s = %v, want ErrInvalid", sim.MaxTimeLimit, err)
	}
	if err := e.eng.ExtendDecision(ctx, id, "contain", 40*time.Minute, ""); err != nil {
		t.Fatalf("extension up to %s: %v", sim.MaxTimeLimit, err)
	}
	if err := e.eng.End(ctx, id, ""); err != nil {
		t.Fatal(err)
	}
	if err := e.eng.ExtendDecision(ctx, id, "contain", time.Minute, ""); !errors.Is(err, engine.ErrEnded) {
		t.Fatalf("extend after the end = %v, want ErrEnded", err)
	}
}

// TestExtendDecisionSurvivesRestart extends a decision, stops the engine
// past the decision's original deadline and recovers: the decision is still
// open and closes at the extended time, exactly as in a run without the
// restart.
func TestExtendDecisionSurvivesRestart(t *testing.T) {
	const (
		extendAt = 2 * time.Minute
		by       = 10 * time.Minute
		newClose = 30 * time.Minute // contain: 20m limit + 10m
	)
	run := func(restart bool) (*env, string) {
		e := newEnv(t)
		ctx := ctxT(t)
		id, _, _, _ := drill(t, e)
		if err := e.eng.Start(ctx, id); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(extendAt)
		if _, err := e.eng.Snapshot(ctx, id); err != nil { // catch up first: the tick is its own step
			t.Fatal(err)
		}
		before := lastSeq(t, e, id)
		if err := e.eng.ExtendDecision(ctx, id, "contain", by, ""); err != nil {
			t.Fatal(err)
		}
		// One atomic step: the input, then the sim's event.
		evs := allEvents(t, e.eng, id)
		if got := evs[before:]; len(got) != 2 || got[0].Kind != engine.KindFacExtend || got[1].Kind != string(sim.KindDecisionExtended) {
			t.Fatalf("extension logged as %v", kinds(got))
		}
		in, out := evs[before], evs[before+1]
		if in.ExerciseTime != extendAt || len(in.Audience) != 0 || string(in.Payload) != fmt.Sprintf(`{"decision":"contain","by":%d}`, by) {
			t.Fatalf("input %+v %s", in, in.Payload)
		}
		var p sim.Event
		if err := json.Unmarshal(out.Payload, &p); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(out.Audience, []string{"red"}) || p.Decision != "contain" || p.Team != "red" || p.By != by ||
			p.ClosesAt != newClose || p.TimeLimit != newClose || out.ExerciseTime != extendAt {
			t.Fatalf("decision_extended %+v audience %v", p, out.Audience)
		}
		e.clock.Advance(3 * time.Minute)
		if restart {
			e.close()
			e.clock.Advance(20 * time.Minute) // down past the original 20m deadline
			e.open()
			if n, err := e.eng.Recover(ctx); err != nil || n != 1 {
				t.Fatalf("Recover = %d, %v", n, err)
			}
		} else {
			e.clock.Advance(20 * time.Minute)
		}
		s, err := e.eng.Snapshot(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if d := openDecision(s, "contain"); d == nil || d.ClosesAt != newClose || s.Clock != 25*time.Minute {
			t.Fatalf("at %s (restart %v): contain %+v, want open until %s", s.Clock, restart, d, newClose)
		}
		// The re-armed timer closes it at the new time, not a moment before.
		e.clock.Advance(newClose - 25*time.Minute - time.Second)
		if s, _ := e.eng.Snapshot(ctx, id); openDecision(s, "contain") == nil {
			t.Fatalf("contain closed before %s", newClose)
		}
		e.clock.Advance(time.Second)
		// The timer wakes the loop; a command waits for it to catch up, a
		// read of the log does not.
		if _, err := e.eng.Snapshot(ctx, id); err != nil {
			t.Fatal(err)
		}
		var closed *sim.Event
		for _, ev := range allEvents(t, e.eng, id) {
			if ev.Kind == string(sim.KindDecisionClosed) {
				var p sim.Event
				if err := json.Unmarshal(ev.Payload, &p); err != nil {
					t.Fatal(err)
				}
				if p.Decision == "contain" {
					closed = &p
				}
			}
		}
		if closed == nil || closed.At != newClose || closed.CloseReason != sim.CloseTimeLimit || closed.Settled != sim.SettledDefault {
			t.Fatalf("contain closed as %+v, want at %s by its time limit", closed, newClose)
		}
		e.clock.Advance(10 * time.Minute) // review, then lost after 5m
		if s, _ := e.eng.Snapshot(ctx, id); s.Status != store.StatusEnded || s.Outcome != "lost" {
			t.Fatalf("after the close: %s %s", s.Status, s.Outcome)
		}
		return e, id
	}
	down, id := run(true)
	up, id2 := run(false)
	compareLines(t, simOnly(t, allEvents(t, down.eng, id)), simOnly(t, allEvents(t, up.eng, id2)))
	a, _ := down.eng.Snapshot(ctxT(t), id)
	b, _ := up.eng.Snapshot(ctxT(t), id2)
	if fmt.Sprint(a.Sim) != fmt.Sprint(b.Sim) {
		t.Fatalf("state after restart differs:\n%+v\n%+v", a.Sim, b.Sim)
	}

	// An archive with an extension replays on import.
	arc, _ := exportToFile(t, down, id)
	dst := newEnv(t)
	if _, err := engine.Import(ctxT(t), dst.st, arc, dst.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if got, want := snapshotJSON(t, dst, id), snapshotJSON(t, down, id); got != want {
		t.Fatalf("snapshots differ:\nimported %s\noriginal %s", got, want)
	}
	// Widening the staff-only input's audience is refused.
	for i := range arc.Events {
		if arc.Events[i].Kind == engine.KindFacExtend {
			arc.Events[i].Audience = []string{"*"}
		}
	}
	if _, err := engine.Import(ctxT(t), newEnv(t).st, arc, dst.clock.Now()); err == nil {
		t.Fatal("import accepted a facilitator_extend shown to every team")
	}
}

func openDecision(s engine.Snapshot, id string) *engine.DecisionView {
	for i := range s.Decisions {
		if s.Decisions[i].ID == id {
			return &s.Decisions[i]
		}
	}
	return nil
}

func kinds(evs []engine.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Kind
	}
	return out
}

// TestCommandsWithClientIDApplyOnce retries an inject and an extension
// with the same client ids, as a client does after losing a reply: each is
// applied once; without an id, each call applies.
func TestCommandsWithClientIDApplyOnce(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	id, _, _, _ := drill(t, e)
	if err := e.eng.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	in := engine.AdHoc{Channel: "email", Title: "Board", Body: "Call me.", ClientID: "inj-1"}
	for range 3 {
		if err := e.eng.Inject(ctx, id, in); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if err := e.eng.ExtendDecision(ctx, id, "contain", time.Minute, "ext-1"); err != nil {
			t.Fatal(err)
		}
	}
	in.ClientID = ""
	for range 2 {
		if err := e.eng.Inject(ctx, id, in); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.eng.ExtendDecision(ctx, id, "contain", time.Minute, "bad id!"); !errors.Is(err, engine.ErrInvalid) {
		t.Fatalf("a malformed client id = %v, want ErrInvalid", err)
	}
	count := map[string]int{}
	var closesAt time.Duration
	for _, ev := range allEvents(t, e.eng, id) {
		count[ev.Kind]++
		if ev.Kind == string(sim.KindDecisionExtended) {
			var p sim.Event
			if err := json.Unmarshal(ev.Payload, &p); err != nil {
				t.Fatal(err)
			}
			closesAt = p.ClosesAt
		}
	}
	if count[engine.KindFacInject] != 3 || count[engine.KindFacExtend] != 1 || closesAt != 21*time.Minute {
		t.Fatalf("injects %d (want 1 with an id + 2 without), extensions %d closing at %v (want 1, 21m)",
			count[engine.KindFacInject], count[engine.KindFacExtend], closesAt)
	}
}
