package engine_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/scenario"
	"github.com/ttxsim/ttx/server/sim"
)

// policy picks the answer to a decision: an option id, or free text when
// the decision has no options.
type policy func(d *scenario.Decision) string

func firstOption(d *scenario.Decision) string {
	if len(d.Options) == 0 {
		return "noted"
	}
	return d.Options[0].ID
}

func lastOption(d *scenario.Decision) string {
	if len(d.Options) == 0 {
		return "noted"
	}
	return d.Options[len(d.Options)-1].ID
}

// scenarioFiles lists every shipped scenario plus the engine's drill.
func scenarioFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../../scenarios/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no scenarios found in ../../scenarios")
	}
	return append(files, "testdata/drill.yaml")
}

// TestPlaythroughMatchesSim drives every scenario through the engine on a
// fake clock, answering each decision as it opens, and checks that the
// log holds exactly the events (and outcome) of a direct sim run with the
// same choices.
func TestPlaythroughMatchesSim(t *testing.T) {
	for _, file := range scenarioFiles(t) {
		for _, pol := range []struct {
			name string
			pick policy
		}{{"first", firstOption}, {"last", lastOption}} {
			t.Run(filepath.Base(file)+"/"+pol.name, func(t *testing.T) {
				src := readFile(t, file)
				sc, err := scenario.Parse(file, src)
				if err != nil {
					t.Fatal(err)
				}
				choices := map[string]string{}
				for _, st := range sc.States {
					for _, d := range st.Decisions {
						choices[d.ID] = pol.pick(d)
					}
				}
				want, err := sim.Play(sc, sim.PlayOptions{Choices: choices})
				if err != nil {
					t.Fatal(err)
				}

				e := newEnv(t)
				id, snap := playEngine(t, e, sc, src, choices)
				got := simOnly(t, allEvents(t, e.eng, id))
				var wantN []string
				for _, ev := range want.Events {
					wantN = append(wantN, normalise(t, mustMarshal(t, ev)))
				}
				t.Logf("%d sim events, outcome %q", len(got), want.Outcome)
				compareLines(t, got, wantN)
				if snap.Sim.Outcome != want.Outcome || snap.Sim.State != want.State {
					t.Fatalf("engine ended in %s/%q, sim in %s/%q", snap.Sim.State, snap.Sim.Outcome, want.State, want.Outcome)
				}
				if want.Done && (snap.Status != "ended" || snap.Outcome != want.Outcome) {
					t.Fatalf("status %s outcome %q, want ended %q", snap.Status, snap.Outcome, want.Outcome)
				}
				if ex, err := e.eng.Get(ctxT(t), id); err != nil || ex.Status != snap.Status {
					t.Fatalf("stored status %q (%v), snapshot %q", ex.Status, err, snap.Status)
				}
				// The publisher saw the whole log, in order.
				if pub, log := e.pub.get(id), allEvents(t, e.eng, id); len(pub) != len(log) {
					t.Fatalf("published %d events, log has %d", len(pub), len(log))
				}
				// A restart replays the log without divergence (the env
				// fails the test on any logged error) and agrees.
				e.restart()
				after, err := e.eng.Snapshot(ctxT(t), id)
				if err != nil {
					t.Fatal(err)
				}
				if after.Sim.State != snap.Sim.State || fmt.Sprint(after.Sim.Vars) != fmt.Sprint(snap.Sim.Vars) || after.LastSeq != snap.LastSeq {
					t.Fatalf("after restart: state %s vars %v seq %d; before: %s %v %d",
						after.Sim.State, after.Sim.Vars, after.LastSeq, snap.Sim.State, snap.Sim.Vars, snap.LastSeq)
				}
			})
		}
	}
}

// playEngine runs an exercise to its end (or the sim's horizon) on the
// fake clock at speed 1: each decision is answered by its team's lead at
// the moment it opens, then the clock jumps to the engine's next timer.
func playEngine(t *testing.T, e *env, sc *scenario.Scenario, src []byte, choices map[string]string) (string, engine.Snapshot) {
	t.Helper()
	ctx := ctxT(t)
	ex, err := e.eng.Create(ctx, engine.CreateInput{File: "s.yaml", Source: src})
	if err != nil {
		t.Fatal(err)
	}
	lead := map[string]string{}
	for _, tm := range sc.Teams {
		p, err := e.eng.Join(ctx, ex.ID, engine.JoinInput{Team: tm.ID, Name: "Lead of " + tm.ID})
		if err != nil {
			t.Fatal(err)
		}
		if !p.Lead {
			t.Fatalf("first member of %s is not lead", tm.ID)
		}
		lead[tm.ID] = p.ID
	}
	if err := e.eng.Start(ctx, ex.ID); err != nil {
		t.Fatal(err)
	}
	horizon := sim.Horizon(sc)
	answered := map[string]bool{}
	n := 0
	for steps := 0; ; steps++ {
		if steps > 200000 {
			t.Fatal("playthrough does not finish")
		}
		snap, err := e.eng.Snapshot(ctx, ex.ID)
		if err != nil {
			t.Fatal(err)
		}
		acted := false
		for _, d := range snap.Decisions {
			key := fmt.Sprintf("%s@%d", d.ID, d.OpenedAt)
			if answered[key] {
				continue
			}
			answered[key] = true
			acted = true
			dc := sc.Decision(d.ID)
			in := engine.AnswerInput{ClientID: fmt.Sprintf("c%d", n), Decision: d.ID}
			n++
			if dc.Option(choices[d.ID]) != nil {
				in.Option = choices[d.ID]
			} else {
				in.Text = choices[d.ID]
			}
			if d.Team == scenario.FacilitatorTeam {
				_, err = e.eng.FacilitatorAnswer(ctx, ex.ID, in)
			} else {
				_, err = e.eng.Answer(ctx, ex.ID, lead[d.Team], in)
			}
			if err != nil && !errors.Is(err, engine.ErrDecisionClosed) {
				t.Fatalf("answer %s: %v", d.ID, err)
			}
			break // the answer may have changed what is open
		}
		if acted {
			continue
		}
		if snap.Status == "ended" {
			return ex.ID, snap
		}
		due, ok := e.clock.NextDue()
		if !ok || due.Sub(t0) > horizon {
			return ex.ID, snap
		}
		e.clock.Set(due)
	}
}

func mustMarshal(t *testing.T, ev sim.Event) []byte {
	t.Helper()
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// compareLines fails with the first difference between two event lists.
func compareLines(t *testing.T, got, want []string) {
	t.Helper()
	for i := 0; i < len(got) && i < len(want); i++ {
		if got[i] != want[i] {
			t.Fatalf("event %d differs:\n engine: %s\n    sim: %s\n(engine %d events, sim %d)", i, got[i], want[i], len(got), len(want))
		}
	}
	if len(got) != len(want) {
		var extra []string
		if len(got) > len(want) {
			extra = got[len(want):]
		} else {
			extra = want[len(got):]
		}
		t.Fatalf("engine logged %d sim events, the sim produced %d; first extra: %s", len(got), len(want), strings.Join(extra[:min(3, len(extra))], "\n"))
	}
}
