package eval_test

import (
	"encoding/json"
	"reflect"
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
parameters:
  org: {default: Acme}
teams:
  comms: {name: "{{org}} Communications"}
  soc: {name: SOC}
personas:
  reporter: {name: Dana Reyes}
outlets:
  newsroom: {name: Newsroom, channel: news, teams: [comms]}
objectives:
  inform:
    title: Warn {{org}} customers
    capability: Public Information and Warning
    measure: published("comms", "newsroom")
    tasks:
      - {id: statement, title: Publish a statement, teams: [comms]}
    milestones:
      - id: quick
        title: Statement within 10 minutes
        task: statement
        done: published_at("comms", "newsroom")
        due: delivered_at("post") + 10
  contain: {title: Contain}
start: one
states:
  one:
    injects:
      - {id: post, at: 1m, channel: email, from: reporter, teams: [comms], body: "Comment?", reply: true}
    decisions:
      - id: speak
        team: comms
        prompt: Speak for {{org}}?
        at: 2m
        time_limit: 10m
        confidence: true
        objectives: [inform]
        expected: [yes]
        options:
          - {id: yes, label: Yes, score: 2}
          - {id: no, label: No, score: -1}
      - id: lock
        team: soc
        prompt: Lock?
        objectives: [contain]
        options:
          - {id: now, label: Now}
          - {id: later, label: Later}
    transitions:
      - {to: done, after: 30m}
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

// A payload that cannot be read does not spoil the rest of the evaluation.
func TestUnreadableEventsAreSkipped(t *testing.T) {
	sc := parse(t, small)
	bad := engine.Event{Kind: engine.KindRating, Payload: []byte(`{"rater":"o1","objective":"inform","rating":5}`)}
	log := logOf(t,
		engine.Event{Kind: engine.KindRating, Payload: []byte(`{"rater":"o2","rater_name":"Olga","objective":"inform","rating":"P"}`)},
		bad,
		engine.Event{Kind: "decision_closed", Payload: []byte(`{"kind":"decision_closed","at":"soon"}`)},
	)
	got, err := eval.Compute(eval.Input{Scenario: sc, Events: log})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Skipped, []int64{2, 3}) || len(got.Objectives[0].Ratings) != 1 || got.Objectives[0].Ratings[0].Rater != "o2" {
		t.Errorf("skipped %v, ratings %+v", got.Skipped, got.Objectives[0].Ratings)
	}
	if _, err := eval.Compute(eval.Input{}); err == nil {
		t.Error("no scenario: no error")
	}
}

// TestTextsUseParameterDefaults: the log keeps only the parameters the
// facilitator set, so the rest must come from their defaults, or the
// evaluation shows "{{org}}" where the exercise showed "Acme".
func TestTextsUseParameterDefaults(t *testing.T) {
	sc := parse(t, small)
	for _, tc := range []struct {
		name   string
		params map[string]string
		want   string
	}{
		{"default", map[string]string{}, "Warn Acme customers"},
		{"given", map[string]string{"org": "Globex"}, "Warn Globex customers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := eval.Compute(eval.Input{Scenario: sc, Events: logOf(t, ev(t, engine.KindCreated, map[string]any{"params": tc.params}))})
			if err != nil {
				t.Fatal(err)
			}
			if got.Objectives[0].Title != tc.want {
				t.Errorf("title %q, want %q", got.Objectives[0].Title, tc.want)
			}
		})
	}
}
