package eval_test

import (
	"strings"
	"testing"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/eval"
	"github.com/ttxsim/ttx/server/sim"
)

// A milestone's explanation reads the minutes as the report shows them (two
// decimals at most), not the float the clock arithmetic left behind:
// "minute 9.6245619954" in a printed AAR is noise.
func TestMilestoneHowRoundsTheMinutes(t *testing.T) {
	sc := parse(t, small)
	for _, tc := range []struct {
		done, due float64
		want      string
	}{
		{9.6245619954, 30, "→ minute 9.62; due = delivered_at(\"post\") + 10 → minute 30;"},
		{7, 11.0000000001, "→ minute 7; due = delivered_at(\"post\") + 10 → minute 11;"},
		{-1, 11, "→ -1 (did not happen, or could not be computed);"},
	} {
		log := logOf(t,
			ev(t, engine.KindCreated, map[string]any{"params": map[string]string{"org": "Globex"}}),
			simEv(t, sim.Event{Kind: sim.KindMilestone, At: min(30), Objective: "inform", Milestone: "quick", Done: f(tc.done), Due: f(tc.due)}),
		)
		got, err := eval.Compute(eval.Input{Scenario: sc, Events: log})
		if err != nil {
			t.Fatal(err)
		}
		if ms := got.Objectives[0].Milestones; len(ms) != 1 || !strings.Contains(ms[0].How, tc.want) {
			t.Errorf("done %v due %v: how %+v, want it to contain %q", tc.done, tc.due, ms, tc.want)
		}
	}
}
