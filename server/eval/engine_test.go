package eval_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/engine/enginetest"
	"github.com/ttxsim/ttx/server/eval"
	"github.com/ttxsim/ttx/server/scenario"
	"github.com/ttxsim/ttx/server/store"
)

type nopPublisher struct{}

func (nopPublisher) Publish(string, []engine.Event) {}

// TestShippedScenarioThroughTheEngine runs the shipped example through the
// real engine on a real database (a fake clock): teams answer, the
// exercise ends on its own, an observer rates, the facilitator settles and
// writes the plan; Compute on the log gives every measure.
func TestShippedScenarioThroughTheEngine(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "ttx.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clock := enginetest.NewFakeClock(time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC))
	eng := engine.New(st, clock, nopPublisher{}, nil)
	defer eng.Close()
	src, err := os.ReadFile("../../scenarios/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Parse("example.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := eng.Create(ctx, engine.CreateInput{File: "example.yaml", Source: src, Params: map[string]string{"company": "Globex"}})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	join := func(team, name string) string {
		p, err := eng.Join(ctx, ex.ID, engine.JoinInput{Team: team, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		names[p.ID] = name
		return p.ID
	}
	sam, _, cat, _ := join("soc", "Sam"), join("soc", "Sid"), join("comms", "Cat"), join("comms", "Cole")
	if err := eng.Start(ctx, ex.ID); err != nil {
		t.Fatal(err)
	}
	step := func(d time.Duration) {
		t.Helper()
		clock.Advance(d)
		if _, err := eng.Snapshot(ctx, ex.ID); err != nil {
			t.Fatal(err)
		}
	}
	answer := func(pid, id, decision, option string, conf int) {
		t.Helper()
		if _, err := eng.Answer(ctx, ex.ID, pid, engine.AnswerInput{ClientID: id, Decision: decision, Option: option, Confidence: conf}); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
	}
	step(90 * time.Second)
	answer(cat, "c1", "holding_statement", "post", 0) // opened at 1m: the first answer settles it
	step(30 * time.Second)
	answer(sam, "s1", "lock_account", "report", 2) // the lead, revisable until 5m
	step(time.Minute)
	answer(sam, "s2", "lock_account", "revoke", 4)
	step(3 * time.Minute) // 5m: lock_account settles on revoke; the account is secured: outcome
	snap, err := eng.Snapshot(ctx, ex.ID)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Status != store.StatusEnded || snap.Sim.Outcome != "contained" {
		t.Fatalf("status %s outcome %q", snap.Status, snap.Sim.Outcome)
	}
	// Judging after the end.
	if _, err := eng.Rate(ctx, ex.ID, engine.RatingInput{ClientID: "o1", Rater: "obs1", RaterName: "Olga", Objective: "recover",
		Task: "lock_out", Rating: "P", Strengths: []string{"Revoked within four minutes"}, Evidence: []int64{1}}); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Rate(ctx, ex.ID, engine.RatingInput{ClientID: "f1", Rater: engine.RaterFacilitator, RaterName: "fac",
		Objective: "recover", Rating: "S", Final: true, Improvements: []string{"Report to the platform first cost two minutes"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.SaveCorrectiveAction(ctx, ex.ID, engine.ActionInput{ClientID: "a1", ID: "runbook", Objective: "recover",
		Issue: "No account-takeover runbook", Action: "Write one", Element: "planning", Due: "2026-06-30"}); err != nil {
		t.Fatal(err)
	}
	var log []engine.Event
	for after := int64(0); ; {
		page, err := eng.Events(ctx, ex.ID, after, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		log = append(log, page...)
		after = page[len(page)-1].Seq
	}
	got, err := eval.Compute(eval.Input{Scenario: sc, Events: log, Names: names})
	if err != nil {
		t.Fatal(err)
	}

	soc, comms := got.Teams[1], got.Teams[0]
	if soc.Team != "soc" || comms.Team != "comms" {
		t.Fatalf("teams %+v", got.Teams)
	}
	if len(soc.Decisions) != 1 {
		t.Fatalf("soc decisions %+v", soc.Decisions)
	}
	d := soc.Decisions[0]
	if d.Decision != "lock_account" || d.Option != "revoke" || d.Reason != "answered" || *d.Score != 3 || !*d.Expected ||
		d.Confidence != 4 || d.Minutes != 2 || d.Alignment != -1 {
		t.Errorf("lock_account %+v", d)
	}
	// mean score (3 + 0 - 2) / 3; weighted 1/3 + (3 - 1/3) × 4/5
	if q, w := soc.Quality, soc.Weighted; q.Points != 3 || q.Max != 3 || q.Count != 1 || q.Expected != 1 || q.Of != 1 ||
		w.Points != math.Round((1.0/3+(3-1.0/3)*4/5)*100)/100 || w.Max != 3 || w.Count != 1 {
		t.Errorf("soc quality %+v weighted %+v", q, w)
	}
	if len(soc.Responses) == 0 || soc.Responses[0] != (eval.Response{Prompt: "lock_account", Kind: "answer", Minutes: 2, Seq: soc.Responses[0].Seq}) {
		t.Errorf("soc responses %+v", soc.Responses)
	}
	if len(comms.Decisions) != 1 || comms.Decisions[0].Minutes != 0.5 || comms.Quality.Points != 3 || comms.MedianResponse != 0.5 {
		t.Errorf("comms %+v", comms)
	}
	var recover *eval.ObjectiveEval
	for i := range got.Objectives {
		if got.Objectives[i].ID == "recover" {
			recover = &got.Objectives[i]
		}
	}
	if recover == nil || recover.Final == nil || recover.Final.Rating != eval.SomeChallenges || len(recover.Decisions) != 1 ||
		len(recover.Tasks) != 1 || len(recover.Tasks[0].Ratings) != 1 || recover.Tasks[0].Ratings[0].RaterName != "Olga" {
		t.Fatalf("recover %+v", recover)
	}
	if len(got.Plan) != 1 || got.Plan[0].Capability != "Cybersecurity" || got.Plan[0].Version != 1 {
		t.Errorf("plan %+v", got.Plan)
	}
}
