package engine_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/sim"
	"github.com/ttxsim/ttx/server/store"
)

// TestExtensionHoldsPhaseLive is the case on the live path: SOC
// answers, the facilitator gives +2 min past the phase's 10m exit, SOC
// revises at 11m, and the branch follows the revised answer at 12m — with
// and without a restart while the exit is held, and the two runs agree.
// startPhase starts an exercise of testdata/phase.yaml with SOC's Sam in
// it, and gives a function for Sam's answers to source_hunt.
func startPhase(t *testing.T, e *env) (store.Exercise, func(cid, option string)) {
	t.Helper()
	ctx := ctxT(t)
	ex, err := e.eng.Create(ctx, engine.CreateInput{File: "phase.yaml", Source: readFile(t, "testdata/phase.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.eng.Join(ctx, ex.ID, engine.JoinInput{Team: "soc", Name: "Sam"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.eng.Start(ctx, ex.ID); err != nil {
		t.Fatal(err)
	}
	return ex, func(cid, option string) {
		t.Helper()
		if _, err := e.eng.Answer(ctx, ex.ID, p.ID, engine.AnswerInput{ClientID: cid, Decision: "source_hunt", Option: option}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestExtensionHoldsPhaseLive(t *testing.T) {
	run := func(restart bool) (*env, string) {
		e := newEnv(t)
		ctx := ctxT(t)
		ex, answer := startPhase(t, e)
		e.clock.Advance(3 * time.Minute)
		answer("a1", "reset_passwords")
		e.clock.Advance(6 * time.Minute) // 9m
		s, err := e.eng.Snapshot(ctx, ex.ID)
		if err != nil {
			t.Fatal(err)
		}
		if s.Sim.ExitAt != 10*time.Minute {
			t.Fatalf("exit_at = %s, want 10m", s.Sim.ExitAt)
		}
		if err := e.eng.ExtendDecision(ctx, ex.ID, "source_hunt", 2*time.Minute, "x1"); err != nil {
			t.Fatal(err)
		}
		if restart {
			e.close()
			e.clock.Advance(90 * time.Second) // down across the phase's exit
			e.open()
			if n, err := e.eng.Recover(ctx); err != nil || n != 1 {
				t.Fatalf("Recover = %d, %v", n, err)
			}
		} else {
			e.clock.Advance(90 * time.Second)
		}
		s, err = e.eng.Snapshot(ctx, ex.ID) // 10m30s: held
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range s.Sim.Open {
			if d.ID == "source_hunt" && !d.HoldsExit {
				t.Errorf("source_hunt open but not holding the exit: %+v", d)
			}
		}
		if s.Sim.State != "hunt" || openDecision(s, "source_hunt") == nil {
			t.Fatalf("at %s (restart %v): state %s, open %+v; want hunt held by source_hunt", s.Clock, restart, s.Sim.State, s.Decisions)
		}
		e.clock.Advance(30 * time.Second) // 11m
		answer("a2", "inspect_client")
		e.clock.Advance(time.Minute) // 12m
		s, err = e.eng.Snapshot(ctx, ex.ID)
		if err != nil {
			t.Fatal(err)
		}
		if s.Status != store.StatusEnded || s.Outcome != "found" {
			t.Fatalf("restart %v: %s %s, want ended on found (the revised answer)", restart, s.Status, s.Outcome)
		}
		var closed, taken *sim.Event
		for _, ev := range allEvents(t, e.eng, ex.ID) {
			var p sim.Event
			switch ev.Kind {
			case string(sim.KindDecisionClosed), string(sim.KindTransitionTaken):
				if err := json.Unmarshal(ev.Payload, &p); err != nil {
					t.Fatal(err)
				}
			default:
				continue
			}
			if p.Kind == sim.KindDecisionClosed && closed == nil && p.Decision == "source_hunt" {
				closed = &p
			}
			if p.Kind == sim.KindTransitionTaken && taken == nil {
				if closed == nil {
					t.Fatalf("transition %+v taken before source_hunt settled", p)
				}
				taken = &p
			}
		}
		if closed.Option != "inspect_client" || closed.At != 12*time.Minute || taken.ToState != "source_identified" {
			t.Fatalf("closed %+v, taken %+v", closed, taken)
		}
		return e, ex.ID
	}
	down, id := run(true)
	up, id2 := run(false)
	compareLines(t, simOnly(t, allEvents(t, down.eng, id)), simOnly(t, allEvents(t, up.eng, id2)))
	a, _ := down.eng.Snapshot(ctxT(t), id)
	b, _ := up.eng.Snapshot(ctxT(t), id2)
	if fmt.Sprint(a.Sim) != fmt.Sprint(b.Sim) {
		t.Fatalf("state after restart differs:\n%+v\n%+v", a.Sim, b.Sim)
	}
}
