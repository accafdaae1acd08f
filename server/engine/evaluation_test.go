package engine_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ttxsim/ttx/server/engine"
)

func TestRatingsRefused(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	id, _, _, _ := drill(t, e)
	ok := engine.RatingInput{ClientID: "r1", Rater: "obs1", RaterName: "Olga", Objective: "speed", Rating: "S"}
	with := func(f func(*engine.RatingInput)) engine.RatingInput {
		in := ok
		f(&in)
		return in
	}
	many := make([]string, engine.MaxEvalItems+1)
	for i := range many {
		many[i] = "x"
	}
	for _, tc := range []struct {
		name string
		in   engine.RatingInput
		want error
	}{
		{"no client id", with(func(in *engine.RatingInput) { in.ClientID = "" }), engine.ErrInvalid},
		{"no rater", with(func(in *engine.RatingInput) { in.Rater = "" }), engine.ErrInvalid},
		{"unknown objective", with(func(in *engine.RatingInput) { in.Objective = "nope" }), engine.ErrNotFound},
		{"unknown task", with(func(in *engine.RatingInput) { in.Task = "nope" }), engine.ErrNotFound},
		{"bad rating", with(func(in *engine.RatingInput) { in.Rating = "A" }), engine.ErrInvalid},
		{"final by an observer", with(func(in *engine.RatingInput) { in.Final = true }), engine.ErrForbidden},
		{"final withdrawal", with(func(in *engine.RatingInput) { in.Rater, in.Rating, in.Final = engine.RaterFacilitator, "", true }), engine.ErrInvalid},
		{"long explanation", with(func(in *engine.RatingInput) { in.Explanation = strings.Repeat("x", engine.MaxEvalText+1) }), engine.ErrInvalid},
		{"too many strengths", with(func(in *engine.RatingInput) { in.Strengths = many }), engine.ErrInvalid},
		{"long improvement", with(func(in *engine.RatingInput) { in.Improvements = []string{strings.Repeat("x", engine.MaxEvalField+1)} }), engine.ErrInvalid},
		{"blank strength", with(func(in *engine.RatingInput) { in.Strengths = []string{" "} }), engine.ErrInvalid},
		{"evidence not in the log", with(func(in *engine.RatingInput) { in.Evidence = []int64{1, 9999} }), engine.ErrInvalid},
		{"evidence zero", with(func(in *engine.RatingInput) { in.Evidence = []int64{0} }), engine.ErrInvalid},
		{"too much evidence", with(func(in *engine.RatingInput) { in.Evidence = make([]int64, engine.MaxEvidence+1) }), engine.ErrInvalid},
		{"control character", with(func(in *engine.RatingInput) { in.Explanation = "a\x00b" }), engine.ErrInvalid},
	} {
		if _, err := e.eng.Rate(ctx, id, tc.in); !errors.Is(err, tc.want) {
			t.Errorf("%s: Rate = %v, want %v", tc.name, err, tc.want)
		}
	}
	acts := []struct {
		name string
		in   engine.ActionInput
		want error
	}{
		{"no client id", engine.ActionInput{ID: "a", Issue: "i", Action: "a"}, engine.ErrInvalid},
		{"bad id", engine.ActionInput{ClientID: "c", ID: "a b", Issue: "i", Action: "a"}, engine.ErrInvalid},
		{"no issue", engine.ActionInput{ClientID: "c", ID: "a", Action: "a"}, engine.ErrInvalid},
		{"no action", engine.ActionInput{ClientID: "c", ID: "a", Issue: "i"}, engine.ErrInvalid},
		{"unknown objective", engine.ActionInput{ClientID: "c", ID: "a", Issue: "i", Action: "a", Objective: "nope"}, engine.ErrNotFound},
		{"bad element", engine.ActionInput{ClientID: "c", ID: "a", Issue: "i", Action: "a", Element: "money"}, engine.ErrInvalid},
		{"bad date", engine.ActionInput{ClientID: "c", ID: "a", Issue: "i", Action: "a", Due: "2026-13-01"}, engine.ErrInvalid},
		{"due before start", engine.ActionInput{ClientID: "c", ID: "a", Issue: "i", Action: "a", Start: "2026-05-02", Due: "2026-05-01"}, engine.ErrInvalid},
		{"long owner", engine.ActionInput{ClientID: "c", ID: "a", Issue: "i", Action: "a", Owner: strings.Repeat("x", engine.MaxEvalField+1)}, engine.ErrInvalid},
		{"delete unknown", engine.ActionInput{ClientID: "c", ID: "a", Deleted: true}, engine.ErrNotFound},
	}
	for _, tc := range acts {
		if _, err := e.eng.SaveCorrectiveAction(ctx, id, tc.in); !errors.Is(err, tc.want) {
			t.Errorf("%s: SaveCorrectiveAction = %v, want %v", tc.name, err, tc.want)
		}
	}
	// Nothing refused reached the log.
	for _, ev := range allEvents(t, e.eng, id) {
		if ev.Kind == engine.KindRating || ev.Kind == engine.KindCorrectiveAction {
			t.Fatalf("a refused command was logged: %s %s", ev.Kind, ev.Payload)
		}
	}
}

// TestRatingsAndPlanSurviveRestart rates and writes the plan after the
// end, restarts, and checks the log, the idempotency of client ids and
// that versions go on where they stopped.
func TestRatingsAndPlanSurviveRestart(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	id, _, _, _ := drill(t, e)
	if err := e.eng.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := e.eng.End(ctx, id, "done"); err != nil {
		t.Fatal(err)
	}
	r, err := e.eng.Rate(ctx, id, engine.RatingInput{ClientID: "r1", Rater: "obs1", RaterName: "Olga", Objective: "speed",
		Task: "triage", Rating: "M", Explanation: "slow\nto triage", Strengths: []string{"calm"}, Evidence: []int64{1, 2}})
	if err != nil || r.Seq == 0 || r.Duplicate {
		t.Fatalf("Rate = %+v, %v", r, err)
	}
	f, err := e.eng.Rate(ctx, id, engine.RatingInput{ClientID: "f1", Rater: engine.RaterFacilitator, RaterName: "fac",
		Objective: "speed", Rating: "S", Final: true})
	if err != nil {
		t.Fatal(err)
	}
	a1, err := e.eng.SaveCorrectiveAction(ctx, id, engine.ActionInput{ClientID: "c1", ID: "train", Objective: "speed",
		Issue: "Triage took 20 minutes", Action: "Run a triage drill", Element: "training", Start: "2027-01-10", Due: "2027-02-01"})
	if err != nil || a1.Version != 1 {
		t.Fatalf("first save = %+v, %v", a1, err)
	}
	a2, err := e.eng.SaveCorrectiveAction(ctx, id, engine.ActionInput{ClientID: "c2", ID: "train", Issue: "Triage was slow", Action: "Drill"})
	if err != nil || a2.Version != 2 {
		t.Fatalf("second save = %+v, %v", a2, err)
	}

	e.restart()

	// A retry of an applied command is acknowledged with the original.
	dup, err := e.eng.SaveCorrectiveAction(ctx, id, engine.ActionInput{ClientID: "c1", ID: "train", Issue: "x", Action: "y"})
	if err != nil || !dup.Duplicate || dup.Seq != a1.Seq || dup.Version != 1 {
		t.Fatalf("retried save = %+v, %v; want the first save's ack", dup, err)
	}
	dupR, err := e.eng.Rate(ctx, id, engine.RatingInput{ClientID: "r1", Rater: "obs1", Objective: "speed", Rating: "P"})
	if err != nil || !dupR.Duplicate || dupR.Seq != r.Seq {
		t.Fatalf("retried rating = %+v, %v", dupR, err)
	}
	// Another rater may reuse the client id.
	if other, err := e.eng.Rate(ctx, id, engine.RatingInput{ClientID: "r1", Rater: "obs2", Objective: "speed", Rating: "P"}); err != nil || other.Duplicate {
		t.Fatalf("another rater's r1 = %+v, %v", other, err)
	}
	a3, err := e.eng.SaveCorrectiveAction(ctx, id, engine.ActionInput{ClientID: "c3", ID: "train", Deleted: true})
	if err != nil || a3.Version != 3 {
		t.Fatalf("delete after restart = %+v, %v; want version 3", a3, err)
	}
	evs := allEvents(t, e.eng, id)
	var rating engine.RatingPayload
	var actions []engine.ActionPayload
	for _, ev := range evs {
		switch ev.Kind {
		case engine.KindRating:
			if len(ev.Audience) != 0 {
				t.Errorf("rating audience %v, want staff", ev.Audience)
			}
			if ev.Seq == r.Seq {
				if err := json.Unmarshal(ev.Payload, &rating); err != nil {
					t.Fatal(err)
				}
			}
		case engine.KindCorrectiveAction:
			var p engine.ActionPayload
			if err := json.Unmarshal(ev.Payload, &p); err != nil {
				t.Fatal(err)
			}
			actions = append(actions, p)
		}
	}
	if rating.Rater != "obs1" || rating.RaterName != "Olga" || rating.Task != "triage" || rating.Rating != "M" ||
		rating.Explanation != "slow\nto triage" || len(rating.Evidence) != 2 || rating.Final {
		t.Errorf("rating payload %+v", rating)
	}
	if len(actions) != 3 || actions[0].Capability != "" || actions[0].Element != "training" || actions[1].Version != 2 || !actions[2].Deleted {
		t.Errorf("actions %+v", actions)
	}
	if f.Seq <= r.Seq {
		t.Errorf("final seq %d not after %d", f.Seq, r.Seq)
	}

	// Archived: refused like every other command.
	if err := e.eng.Archive(ctx, id, true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.eng.Rate(ctx, id, engine.RatingInput{ClientID: "r9", Rater: "obs1", Objective: "speed", Rating: "P"}); !errors.Is(err, engine.ErrConflict) {
		t.Errorf("rating an archived exercise = %v, want conflict", err)
	}
	if _, err := e.eng.SaveCorrectiveAction(ctx, id, engine.ActionInput{ClientID: "c9", ID: "x", Issue: "i", Action: "a"}); !errors.Is(err, engine.ErrConflict) {
		t.Errorf("planning on an archived exercise = %v, want conflict", err)
	}
	e.restart()
	if _, err := e.eng.Rate(ctx, id, engine.RatingInput{ClientID: "r9", Rater: "obs1", Objective: "speed", Rating: "P"}); !errors.Is(err, engine.ErrConflict) {
		t.Errorf("after a restart, rating an archived exercise = %v, want conflict", err)
	}
	if err := e.eng.Archive(ctx, id, false); err != nil {
		t.Fatal(err)
	}
	if _, err := e.eng.Rate(ctx, id, engine.RatingInput{ClientID: "r9", Rater: "obs1", Objective: "speed", Rating: "P"}); err != nil {
		t.Errorf("rating a restored exercise = %v", err)
	}
}

// TestRatingsAndPlanTravelInArchives: an exported exercise carries its
// ratings and plan; on the importing server versions go on and retries
// are still recognised.
func TestRatingsAndPlanTravelInArchives(t *testing.T) {
	src := newEnv(t)
	ctx := ctxT(t)
	id, _, _, _ := drill(t, src)
	if err := src.eng.End(ctx, id, "done"); err != nil {
		t.Fatal(err)
	}
	if _, err := src.eng.Rate(ctx, id, engine.RatingInput{ClientID: "r1", Rater: "obs1", RaterName: "Olga", Objective: "speed", Rating: "U"}); err != nil {
		t.Fatal(err)
	}
	first, err := src.eng.SaveCorrectiveAction(ctx, id, engine.ActionInput{ClientID: "c1", ID: "drill", Issue: "Slow", Action: "Drill"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := engine.Export(ctx, src.st, id, src.clock.Now(), "ttx test")
	if err != nil {
		t.Fatal(err)
	}
	dst := newEnv(t)
	if _, err := engine.Import(ctx, dst.st, a, dst.clock.Now()); err != nil {
		t.Fatalf("import: %v", err)
	}
	dup, err := dst.eng.SaveCorrectiveAction(ctx, id, engine.ActionInput{ClientID: "c1", ID: "drill", Issue: "Slow", Action: "Drill"})
	if err != nil || !dup.Duplicate || dup.Seq != first.Seq {
		t.Fatalf("retry after import = %+v, %v", dup, err)
	}
	next, err := dst.eng.SaveCorrectiveAction(ctx, id, engine.ActionInput{ClientID: "c2", ID: "drill", Issue: "Slow", Action: "Drill twice"})
	if err != nil || next.Version != 2 {
		t.Fatalf("save after import = %+v, %v; want version 2", next, err)
	}
}
