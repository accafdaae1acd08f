package eval_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/eval"
	"github.com/ttxsim/ttx/server/scenario"
)

// logOf numbers hand-made events 1, 2, 3… a minute apart.
func logOf(t *testing.T, evs ...engine.Event) []engine.Event {
	t.Helper()
	for i := range evs {
		evs[i].Seq = int64(i + 1)
		evs[i].WallTime = time.Date(2026, 5, 1, 9, i, 0, 0, time.UTC)
	}
	return evs
}

func ev(t *testing.T, kind string, payload any) engine.Event {
	t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	return engine.Event{Kind: kind, Payload: b}
}

func parse(t *testing.T, src string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

const small = `
id: small
title: Small
teams:
  comms: {name: Communications}
objectives:
  inform:
    title: Warn customers
    capability: Public Information and Warning
    tasks:
      - {id: statement, title: Publish a statement, teams: [comms]}
start: one
states:
  one:
    decisions:
      - id: speak
        team: comms
        prompt: Speak?
        expected: [yes]
        options:
          - {id: yes, label: Yes, score: 2}
          - {id: no, label: No, score: -1}
    transitions:
      - {to: done, after: 10m}
  done: {outcome: over, rating: success}
`

func TestRatingsAndPlan(t *testing.T) {
	sc := parse(t, small)
	rate := func(rater, task, rating string, final bool) engine.Event {
		return ev(t, engine.KindRating, engine.RatingPayload{Rater: rater, RaterName: rater + "-name", Objective: "inform", Task: task, Rating: rating, Final: final})
	}
	act := func(id string, v int, action string, deleted bool) engine.Event {
		return ev(t, engine.KindCorrectiveAction, engine.ActionPayload{ID: id, Version: v, Issue: "i", Action: action, Deleted: deleted})
	}
	for _, tc := range []struct {
		name       string
		log        []engine.Event
		objRatings []string // rater:rating of the objective, in order
		final      string   // the objective's final rating, "" none
		taskFinal  string
		plan       []string // id:version
	}{
		{name: "empty", log: nil, objRatings: nil},
		{name: "latest per rater replaces", log: logOf(t, rate("o1", "", "U", false), rate("o2", "", "S", false), rate("o1", "", "M", false)),
			objRatings: []string{"o1:M", "o2:S"}},
		{name: "withdrawn", log: logOf(t, rate("o1", "", "U", false), rate("o1", "", "", false)), objRatings: nil},
		{name: "final settles, task apart", log: logOf(t, rate("o1", "", "M", false), rate("facilitator", "", "S", true), rate("facilitator", "statement", "P", true)),
			objRatings: []string{"o1:M", "facilitator:S"}, final: "S", taskFinal: "P"},
		{name: "final replaced by a draft unsettles", log: logOf(t, rate("facilitator", "", "S", true), rate("facilitator", "", "M", false)),
			objRatings: []string{"facilitator:M"}},
		{name: "plan: latest versions, deleted left out, first-written order",
			log:  logOf(t, act("b", 1, "x", false), act("a", 1, "x", false), act("b", 2, "y", false), act("c", 1, "z", false), act("c", 2, "", true)),
			plan: []string{"b:2", "a:1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := eval.Compute(eval.Input{Scenario: sc, Events: tc.log})
			if err != nil {
				t.Fatal(err)
			}
			o := got.Objectives[0]
			var rs []string
			for _, r := range o.Ratings {
				rs = append(rs, r.Rater+":"+string(r.Rating))
			}
			if len(rs) != len(tc.objRatings) || len(rs) > 0 && !equal(rs, tc.objRatings) {
				t.Errorf("ratings %v, want %v", rs, tc.objRatings)
			}
			if f := finalOf(o.Final); f != tc.final {
				t.Errorf("final %q, want %q", f, tc.final)
			}
			if f := finalOf(o.Tasks[0].Final); f != tc.taskFinal {
				t.Errorf("task final %q, want %q", f, tc.taskFinal)
			}
			var plan []string
			for _, a := range got.Plan {
				plan = append(plan, a.ID+":"+string(rune('0'+a.Version)))
			}
			if !equal(plan, tc.plan) {
				t.Errorf("plan %v, want %v", plan, tc.plan)
			}
		})
	}
}

func finalOf(r *eval.RatingEntry) string {
	if r == nil {
		return ""
	}
	return string(r.Rating)
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The engine's checks accept exactly the scale and elements eval names.
func TestScaleMatchesEngine(t *testing.T) {
	for _, r := range eval.Ratings {
		if !engine.ValidRating(string(r)) {
			t.Errorf("engine refuses rating %q", r)
		}
	}
	for _, el := range eval.Elements {
		if !engine.ValidElement(el) {
			t.Errorf("engine refuses element %q", el)
		}
	}
	if engine.ValidRating("") || engine.ValidElement("money") {
		t.Error("engine accepts what eval does not name")
	}
}
