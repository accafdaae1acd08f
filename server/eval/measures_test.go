package eval_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/eval"
	"github.com/ttxsim/ttx/server/sim"
)

// simEv is a scenario event as the log holds it.
func simEv(t *testing.T, e sim.Event, audience ...string) engine.Event {
	t.Helper()
	out := ev(t, string(e.Kind), e)
	out.ExerciseTime = e.At
	out.Audience = audience
	return out
}

func min(n float64) time.Duration { return time.Duration(n * float64(time.Minute)) }

func f(v float64) *float64 { return &v }

func b(v bool) *bool { return &v }

// speakRun is the log of one run of the small scenario's speak decision:
// two members answer, the second revises; it settles on settle, each
// settling answer with confidence conf.
func speakRun(t *testing.T, settle string, conf int, extra ...engine.Event) []engine.Event {
	other := "no"
	if settle == "no" {
		other = "yes"
	}
	evs := []engine.Event{
		ev(t, engine.KindCreated, map[string]any{"params": map[string]string{"org": "Globex"}}),
		simEv(t, sim.Event{Kind: sim.KindInjectDelivered, At: min(1), Inject: "post"}, "comms"),
		simEv(t, sim.Event{Kind: sim.KindDecisionOpened, At: min(2), Decision: "speak", Team: "comms"}, "comms"),
		simEv(t, sim.Event{Kind: sim.KindDecisionAnswered, At: min(3), Decision: "speak", Team: "comms", Participant: "ann", Option: settle, Confidence: conf}, "comms"),
		simEv(t, sim.Event{Kind: sim.KindDecisionAnswered, At: min(4), Decision: "speak", Team: "comms", Participant: "ben", Option: other, Confidence: 2}, "comms"),
		simEv(t, sim.Event{Kind: sim.KindDecisionAnswered, At: min(4.5), Decision: "speak", Team: "comms", Participant: "cy", Option: settle, Confidence: conf}, "comms"),
		simEv(t, sim.Event{Kind: sim.KindDecisionAnswered, At: min(5), Decision: "speak", Team: "comms", ByFacilitator: true, Option: other}, "comms"),
		simEv(t, sim.Event{Kind: sim.KindDecisionClosed, At: min(12), Decision: "speak", Team: "comms", Option: settle, Settled: sim.SettledAnswered, CloseReason: sim.CloseTimeLimit}, "comms"),
	}
	return logOf(t, append(evs, extra...)...)
}

func TestTeamMeasures(t *testing.T) {
	sc := parse(t, small)
	acts := func() []engine.Event {
		return []engine.Event{
			simEv(t, sim.Event{Kind: sim.KindMessageSent, At: min(7), Team: "comms", Action: sim.ActionPublish, Outlet: "newsroom"}, "*"),
			simEv(t, sim.Event{Kind: sim.KindMessageSent, At: min(8), Team: "comms", Action: sim.ActionPublish, Outlet: "newsroom"}, "*"), // not the first
			simEv(t, sim.Event{Kind: sim.KindMessageSent, At: min(9), Team: "comms", Action: sim.ActionReply, Inject: "post", Persona: "reporter"}, "comms"),
			simEv(t, sim.Event{Kind: sim.KindMessageSent, At: min(10), Team: "comms", Action: sim.ActionPersona, Persona: "reporter"}, "comms"), // the facilitator's
		}
	}
	for _, tc := range []struct {
		name      string
		log       []engine.Event
		responses []eval.Response
		median    float64
		quality   [5]float64 // points, max, count, expected, of
		weighted  [3]float64 // points, max, count
		decision  eval.DecisionResult
		alignment float64
	}{
		{name: "expected option, sure", log: speakRun(t, "yes", 4, acts()...),
			responses: []eval.Response{{Prompt: "speak", Kind: "answer", Minutes: 1, Seq: 4},
				{Prompt: "post", Kind: "publication", Minutes: 6, Seq: 9, Via: "newsroom"},
				{Prompt: "post", Kind: "message", Minutes: 8, Seq: 11, Via: "reporter"}},
			median: 6, quality: [5]float64{2, 2, 1, 1, 1},
			// mean of the scores 0.5; 0.5 + (2 - 0.5) × 4/5
			weighted: [3]float64{1.7, 2, 1},
			decision: eval.DecisionResult{Decision: "speak", Title: "Speak for Globex?", Team: "comms", Option: "yes", Label: "Yes",
				Reason: "answered", Score: f(2), Expected: b(true), Confidence: 4, Minutes: 1, Alignment: 0.67, Seq: 8},
			alignment: 0.67},
		{name: "a confident wrong answer costs its full score", log: speakRun(t, "no", 5),
			responses: []eval.Response{{Prompt: "speak", Kind: "answer", Minutes: 1, Seq: 4}}, median: 1,
			quality: [5]float64{-1, 2, 1, 0, 1}, weighted: [3]float64{-1, 2, 1},
			decision: eval.DecisionResult{Decision: "speak", Title: "Speak for Globex?", Team: "comms", Option: "no", Label: "No",
				Reason: "answered", Score: f(-1), Expected: b(false), Confidence: 5, Minutes: 1, Alignment: 0.67, Seq: 8},
			alignment: 0.67},
		{name: "an unsure wrong answer costs less", log: speakRun(t, "no", 1),
			responses: []eval.Response{{Prompt: "speak", Kind: "answer", Minutes: 1, Seq: 4}}, median: 1,
			// 0.5 + (-1 - 0.5) × 1/5
			quality: [5]float64{-1, 2, 1, 0, 1}, weighted: [3]float64{0.2, 2, 1},
			decision: eval.DecisionResult{Decision: "speak", Title: "Speak for Globex?", Team: "comms", Option: "no", Label: "No",
				Reason: "answered", Score: f(-1), Expected: b(false), Confidence: 1, Minutes: 1, Alignment: 0.67, Seq: 8},
			alignment: 0.67},
		{name: "answered by the facilitator for the team", log: logOf(t,
			simEv(t, sim.Event{Kind: sim.KindDecisionOpened, At: min(2), Decision: "speak", Team: "comms"}, "comms"),
			simEv(t, sim.Event{Kind: sim.KindDecisionAnswered, At: min(3), Decision: "speak", Team: "comms", ByFacilitator: true, Option: "yes"}, "comms"),
			simEv(t, sim.Event{Kind: sim.KindDecisionClosed, At: min(12), Decision: "speak", Team: "comms", Option: "yes", Settled: sim.SettledAnswered, ByFacilitator: true}, "comms")),
			median: -1, quality: [5]float64{2, 2, 1, 1, 1},
			decision:  eval.DecisionResult{Decision: "speak", Title: "Speak for Acme?", Team: "comms", Option: "yes", Label: "Yes", Reason: "answered", Score: f(2), Expected: b(true), Minutes: -1, Alignment: -1, Seq: 3},
			alignment: -1},
		{name: "expired when the state was left", log: logOf(t,
			simEv(t, sim.Event{Kind: sim.KindDecisionOpened, At: min(2), Decision: "speak", Team: "comms"}, "comms"),
			simEv(t, sim.Event{Kind: sim.KindDecisionClosed, At: min(9), Decision: "speak", Team: "comms", Settled: sim.SettledExpired, CloseReason: sim.CloseStateLeft}, "comms")),
			median: -1, quality: [5]float64{0, 0, 0, 0, 1},
			decision:  eval.DecisionResult{Decision: "speak", Title: "Speak for Acme?", Team: "comms", Reason: "state_left", Expected: b(false), Minutes: -1, Alignment: -1, Seq: 2},
			alignment: -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := eval.Compute(eval.Input{Scenario: sc, Events: tc.log})
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Teams) != 2 || got.Teams[1].Team != "soc" || got.Teams[1].MedianResponse != -1 || got.Teams[1].Alignment != -1 {
				t.Fatalf("teams %+v", got.Teams)
			}
			tm := got.Teams[0]
			if !reflect.DeepEqual(tm.Responses, tc.responses) {
				t.Errorf("responses\n got %+v\nwant %+v", tm.Responses, tc.responses)
			}
			if tm.MedianResponse != tc.median || tm.Alignment != tc.alignment {
				t.Errorf("median %v alignment %v, want %v %v", tm.MedianResponse, tm.Alignment, tc.median, tc.alignment)
			}
			q := [5]float64{tm.Quality.Points, tm.Quality.Max, float64(tm.Quality.Count), float64(tm.Quality.Expected), float64(tm.Quality.Of)}
			w := [3]float64{tm.Weighted.Points, tm.Weighted.Max, float64(tm.Weighted.Count)}
			if q != tc.quality || w != tc.weighted {
				t.Errorf("quality %v weighted %v, want %v %v", q, w, tc.quality, tc.weighted)
			}
			if len(tm.Decisions) != 1 || !reflect.DeepEqual(tm.Decisions[0], tc.decision) {
				t.Errorf("decision\n got %+v\nwant %+v", tm.Decisions, tc.decision)
			}
			if tm.How == "" || tm.Quality.How == "" || tm.Weighted.How == "" {
				t.Error("a measure without How")
			}
			// The decision is tagged with objective inform.
			if d := got.Objectives[0].Decisions; len(d) != 1 || d[0].Decision != "speak" || len(got.Objectives[1].Decisions) != 0 {
				t.Errorf("objective decisions %+v / %+v", d, got.Objectives[1].Decisions)
			}
		})
	}
}

func TestMeasuresAndMilestonesFromTheLog(t *testing.T) {
	sc := parse(t, small)
	log := logOf(t,
		ev(t, engine.KindCreated, map[string]any{"params": map[string]string{"org": "Globex"}}),
		simEv(t, sim.Event{Kind: sim.KindObjectiveMeasure, At: min(30), Objective: "inform", Met: true,
			Values: []sim.NamedValue{{Name: `published("comms", "newsroom")`, Value: true}}}),
		simEv(t, sim.Event{Kind: sim.KindMilestone, At: min(30), Objective: "inform", Milestone: "quick", Met: true, Done: f(7), Due: f(11)}),
	)
	got, err := eval.Compute(eval.Input{Scenario: sc, Events: log})
	if err != nil {
		t.Fatal(err)
	}
	o := got.Objectives[0]
	if o.Title != "Warn Globex customers" || o.Measure == nil || !o.Measure.Met || o.Measure.Source != `published("comms", "newsroom")` ||
		o.Measure.Values[`published("comms", "newsroom")`] != true {
		t.Errorf("objective %+v measure %+v", o, o.Measure)
	}
	want := []eval.MilestoneResult{{ID: "quick", Title: "Statement within 10 minutes", Task: "statement", Met: true, Done: 7, Due: 11,
		How: `done = published_at("comms", "newsroom") → minute 7; due = delivered_at("post") + 10 → minute 11; met when done is 0 or more and at most due, evaluated when the exercise ended.`}}
	if !reflect.DeepEqual(o.Milestones, want) {
		t.Errorf("milestones\n got %+v\nwant %+v", o.Milestones, want)
	}
	if got.Objectives[1].Measure != nil || got.Objectives[1].Milestones != nil {
		t.Errorf("objective without measure: %+v", got.Objectives[1])
	}
}
