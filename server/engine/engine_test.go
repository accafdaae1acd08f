package engine_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/sim"
	"github.com/ttxsim/ttx/server/store"
)

// drill creates an exercise of testdata/drill.yaml with red lead r1, red
// member r2 and blue member b1.
func drill(t *testing.T, e *env) (id, r1, r2, b1 string) {
	t.Helper()
	ctx := ctxT(t)
	ex, err := e.eng.Create(ctx, engine.CreateInput{File: "drill.yaml", Source: readFile(t, "testdata/drill.yaml"),
		Params: map[string]string{"org": "Globex"}})
	if err != nil {
		t.Fatal(err)
	}
	if ex.Title != "Engine drill for Globex" || ex.Status != store.StatusLobby {
		t.Fatalf("created %+v", ex)
	}
	var ids []string
	for _, j := range []engine.JoinInput{{Team: "red", Name: " Ana "}, {Team: "red", Name: "Bo"}, {Team: "blue", Name: "Cy"}} {
		p, err := e.eng.Join(ctx, ex.ID, j)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	return ex.ID, ids[0], ids[1], ids[2]
}

func TestJoinValidation(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	id, r1, r2, b1 := drill(t, e)
	snap, err := e.eng.Snapshot(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	lead := map[string]bool{}
	for _, p := range snap.Participants {
		lead[p.ID] = p.Lead
	}
	if !lead[r1] || lead[r2] || !lead[b1] || snap.Participants[0].Name != "Ana" {
		t.Fatalf("participants %+v: want first of each team as lead, names trimmed", snap.Participants)
	}
	for _, tc := range []struct {
		in   engine.JoinInput
		want error
	}{
		{engine.JoinInput{Team: "green", Name: "X"}, engine.ErrNotFound},
		{engine.JoinInput{Team: "facilitator", Name: "X"}, engine.ErrNotFound},
		{engine.JoinInput{Team: "red", Name: "  "}, engine.ErrInvalid},
		{engine.JoinInput{Team: "red", Name: strings.Repeat("n", 65)}, engine.ErrInvalid},
		{engine.JoinInput{Team: "red", Name: "a\nb"}, engine.ErrInvalid},
		{engine.JoinInput{Team: "red", Name: "\xff"}, engine.ErrInvalid},
	} {
		if _, err := e.eng.Join(ctx, id, tc.in); !errors.Is(err, tc.want) {
			t.Errorf("Join(%+v) = %v, want %v", tc.in, err, tc.want)
		}
	}
	for _, bad := range []string{"nope", "", "../x", strings.Repeat("a", 100)} {
		if _, err := e.eng.Join(ctx, bad, engine.JoinInput{Team: "red", Name: "X"}); !errors.Is(err, engine.ErrNotFound) {
			t.Errorf("Join on exercise %q = %v, want ErrNotFound", bad, err)
		}
	}
	if _, err := e.eng.Create(ctx, engine.CreateInput{Source: []byte("id: [broken")}); !errors.Is(err, engine.ErrInvalid) {
		t.Errorf("Create with a broken scenario = %v, want ErrInvalid", err)
	}
	if _, err := e.eng.Create(ctx, engine.CreateInput{Source: readFile(t, "testdata/drill.yaml"), Params: map[string]string{"nope": "x"}}); !errors.Is(err, engine.ErrInvalid) {
		t.Errorf("Create with an unknown parameter = %v, want ErrInvalid", err)
	}
}

// TestRosterIsBounded checks the participant cap: the roster stops
// growing at the limit, and a removal makes room again.
func TestRosterIsBounded(t *testing.T) {
	e := newEnv(t, engine.WithMaxParticipants(4))
	ctx := ctxT(t)
	id, r1, _, _ := drill(t, e) // three in
	if _, err := e.eng.Join(ctx, id, engine.JoinInput{Team: "blue", Name: "Di"}); err != nil {
		t.Fatalf("fourth join: %v", err)
	}
	_, err := e.eng.Join(ctx, id, engine.JoinInput{Team: "blue", Name: "Ed"})
	if !errors.Is(err, engine.ErrConflict) || !strings.Contains(err.Error(), "full") {
		t.Fatalf("fifth join = %v, want ErrConflict saying the exercise is full", err)
	}
	if err := e.eng.Leave(ctx, id, r1); err != nil {
		t.Fatal(err)
	}
	if _, err := e.eng.Join(ctx, id, engine.JoinInput{Team: "blue", Name: "Ed"}); err != nil {
		t.Fatalf("join after a removal: %v", err)
	}
	snap, err := e.eng.Snapshot(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	present := 0
	for _, p := range snap.Participants {
		if p.Present {
			present++
		}
	}
	if present != 4 {
		t.Fatalf("%d present, want 4", present)
	}
}

func TestAnswerRulesAndIdempotency(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	id, r1, r2, b1 := drill(t, e)
	ans := func(pid, cid, dec, opt string) (engine.Ack, error) {
		return e.eng.Answer(ctx, id, pid, engine.AnswerInput{ClientID: cid, Decision: dec, Option: opt})
	}
	if _, err := ans(r1, "c0", "contain", "act"); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("answer in the lobby = %v, want ErrConflict", err)
	}
	if err := e.eng.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := e.eng.Start(ctx, id); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("second start = %v, want ErrConflict", err)
	}
	e.clock.Advance(30 * time.Second)
	for _, tc := range []struct {
		pid, cid, dec, opt string
		want               error
	}{
		{r2, "c1", "contain", "act", engine.ErrForbidden},       // lead-only decision
		{b1, "c2", "contain", "act", engine.ErrForbidden},       // other team's decision
		{r1, "c3", "nope", "act", engine.ErrNotFound},           // unknown decision
		{r1, "c4", "contain", "nope", engine.ErrInvalid},        // unknown option
		{r1, "c5", "fac_call", "esc", engine.ErrDecisionClosed}, // opens at 1m
		{r1, "", "contain", "act", engine.ErrInvalid},           // client id required
		{r1, "bad id!", "contain", "act", engine.ErrInvalid},    // client id charset
		{"ghost", "c6", "contain", "act", engine.ErrNotFound},   // unknown participant
	} {
		if _, err := ans(tc.pid, tc.cid, tc.dec, tc.opt); !errors.Is(err, tc.want) {
			t.Errorf("answer %+v = %v, want %v (code %s)", tc, err, tc.want, engine.Code(tc.want))
		}
	}
	last0 := lastSeq(t, e, id)
	ack, err := ans(r1, "x1", "contain", "wait")
	if err != nil {
		t.Fatal(err)
	}
	if ack.Duplicate || ack.At != 30*time.Second || ack.Seq != last0+1 {
		t.Fatalf("ack %+v, want seq %d at 30s", ack, last0+1)
	}
	last1 := lastSeq(t, e, id)
	again, err := ans(r1, "x1", "contain", "act") // a retry must not apply anything, even with other content
	if err != nil {
		t.Fatal(err)
	}
	if !again.Duplicate || again.Seq != ack.Seq || again.At != ack.At {
		t.Fatalf("repeated client id: %+v, want the original %+v", again, ack)
	}
	if got := lastSeq(t, e, id); got != last1 {
		t.Fatalf("a repeated client id appended events: last seq %d -> %d", last1, got)
	}
	// Client ids are per participant: another one may reuse "x1".
	if a, err := e.eng.Answer(ctx, id, b1, engine.AnswerInput{ClientID: "x1", Decision: "remarks", Text: "we are on it"}); err != nil || a.Duplicate {
		t.Fatalf("same client id by another participant: %+v, %v", a, err)
	}

	// Revision within the time limit; the snapshot shows the latest
	// answer and its response time.
	e.clock.Advance(90 * time.Second) // 2m
	if _, err := ans(r1, "x2", "contain", "act"); err != nil {
		t.Fatal(err)
	}
	snap, err := e.eng.Snapshot(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var got *engine.DecisionView
	for i := range snap.Decisions {
		if snap.Decisions[i].ID == "contain" {
			got = &snap.Decisions[i]
		}
	}
	if got == nil || len(got.Answers) != 1 || got.Answers[0].Option != "act" || got.Answers[0].ResponseTime != 2*time.Minute ||
		got.Answers[0].Name != "Ana" {
		t.Fatalf("contain in snapshot: %+v", got)
	}

	// The lead leaves: the next member leads and may answer.
	if err := e.eng.Leave(ctx, id, r1); err != nil {
		t.Fatal(err)
	}
	if _, err := ans(r1, "x3", "contain", "act"); !errors.Is(err, engine.ErrForbidden) {
		t.Fatalf("answer after leaving = %v, want ErrForbidden", err)
	}
	if _, err := ans(r2, "y1", "contain", "wait"); err != nil {
		t.Fatalf("new lead answers: %v", err)
	}
	if err := e.eng.SetLead(ctx, id, r1); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("SetLead on a participant who left = %v", err)
	}

	// Facilitator decision.
	if _, err := e.eng.FacilitatorAnswer(ctx, id, engine.AnswerInput{ClientID: "f1", Decision: "fac_call", Option: "esc"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.eng.Answer(ctx, id, r2, engine.AnswerInput{ClientID: "y2", Decision: "fac_call", Option: "esc"}); !errors.Is(err, engine.ErrForbidden) && !errors.Is(err, engine.ErrDecisionClosed) {
		t.Fatalf("participant answering a facilitator decision = %v", err)
	}

	if err := e.eng.End(ctx, id, "time is up"); err != nil {
		t.Fatal(err)
	}
	if _, err := ans(r2, "y3", "contain", "act"); !errors.Is(err, engine.ErrEnded) {
		t.Fatalf("answer after the end = %v, want ErrEnded", err)
	}
	if a, err := ans(r2, "y1", "contain", "wait"); err != nil || !a.Duplicate {
		t.Fatalf("retry of an acknowledged answer after the end = %+v, %v; want the original ack", a, err)
	}
	if err := e.eng.End(ctx, id, ""); !errors.Is(err, engine.ErrEnded) {
		t.Fatalf("second end = %v", err)
	}
	ex, _ := e.eng.Get(ctx, id)
	if ex.Status != store.StatusEnded || ex.Outcome != sim.OutcomeEnded || !ex.EndedAt.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("ended exercise %+v", ex)
	}
	// Every answer_submitted carries its scoped client id exactly once.
	seen := map[string]int{}
	for _, ev := range allEvents(t, e.eng, id) {
		if ev.ClientID != "" {
			seen[ev.ClientID]++
		}
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("client id %s logged %d times", k, n)
		}
	}
	if len(seen) != 5 {
		t.Errorf("logged client ids %v, want 5", seen)
	}
}

func lastSeq(t *testing.T, e *env, id string) int64 {
	t.Helper()
	n, err := e.st.LastSeq(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestClockPauseSpeedSkip(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	id, _, _, _ := drill(t, e)
	clock := func() time.Duration {
		t.Helper()
		s, err := e.eng.Snapshot(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return s.Clock
	}
	ticks := func() float64 {
		t.Helper()
		s, err := e.eng.Snapshot(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range s.Sim.Vars {
			if v.ID == "ticks" {
				return v.Value.(float64)
			}
		}
		t.Fatal("no ticks variable")
		return 0
	}
	e.clock.Advance(time.Minute) // lobby: the clock does not run
	if err := e.eng.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Minute)
	if c, n := clock(), ticks(); c != 2*time.Minute || n != 2 {
		t.Fatalf("after 2m: clock %s ticks %g", c, n)
	}
	if err := e.eng.Pause(ctx, id); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(10 * time.Minute)
	if c, n := clock(), ticks(); c != 2*time.Minute || n != 2 {
		t.Fatalf("paused: clock %s ticks %g", c, n)
	}
	for _, bad := range []float64{0.5, 0, 11, math.NaN(), math.Inf(1)} {
		if err := e.eng.SetSpeed(ctx, id, bad); !errors.Is(err, engine.ErrInvalid) {
			t.Errorf("SetSpeed(%g) = %v", bad, err)
		}
	}
	if err := e.eng.SetSpeed(ctx, id, 2); err != nil {
		t.Fatal(err)
	}
	if err := e.eng.Resume(ctx, id); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	if c, n := clock(), ticks(); c != 4*time.Minute || n != 4 {
		t.Fatalf("at x2: clock %s ticks %g", c, n)
	}
	if err := e.eng.SetSpeed(ctx, id, 1.5); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Minute)
	if c := clock(); c != 7*time.Minute {
		t.Fatalf("at x1.5: clock %s, want 7m", c)
	}
	to, err := e.eng.Skip(ctx, id)
	if err != nil || to != 8*time.Minute {
		t.Fatalf("Skip = %s, %v; want 8m", to, err)
	}
	if c, n := clock(), ticks(); c != 8*time.Minute || n != 8 {
		t.Fatalf("after skip: clock %s ticks %g", c, n)
	}
	// The timer for 9m is armed at the current speed: 1m of exercise
	// time is 40s of wall time at x1.5.
	due, ok := e.clock.NextDue()
	if !ok || due.Sub(e.clock.Now()) != 40*time.Second {
		t.Fatalf("next timer in %s (%v), want 40s", due.Sub(e.clock.Now()), ok)
	}

	// A restart while paused keeps the clock frozen.
	if err := e.eng.Pause(ctx, id); err != nil {
		t.Fatal(err)
	}
	e.restart()
	if n, err := e.eng.Recover(ctx); err != nil || n != 1 {
		t.Fatalf("Recover = %d, %v", n, err)
	}
	e.clock.Advance(time.Hour)
	s, err := e.eng.Snapshot(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != store.StatusPaused || s.Clock != 8*time.Minute || s.Speed != 1.5 {
		t.Fatalf("after restart: status %s clock %s speed %g", s.Status, s.Clock, s.Speed)
	}
	if err := e.eng.Resume(ctx, id); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(40 * time.Second)
	if c, n := clock(), ticks(); c != 9*time.Minute || n != 9 {
		t.Fatalf("resumed after restart: clock %s ticks %g", c, n)
	}
}

// TestRestartAppliesDueTimers: the server is down for 12 minutes; on
// Recover everything that fell due is applied in order, stamped with its
// due time, the timer is re-armed, and the result equals a run that was
// never interrupted.
func TestRestartAppliesDueTimers(t *testing.T) {
	run := func(restart bool) (*env, string) {
		e := newEnv(t)
		ctx := ctxT(t)
		id, _, _, _ := drill(t, e)
		if err := e.eng.Start(ctx, id); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(30 * time.Second)
		if _, err := e.eng.Snapshot(ctx, id); err != nil {
			t.Fatal(err)
		}
		if restart {
			e.close()
			e.clock.Advance(12 * time.Minute) // nothing runs: the engine is down
			e.open()
			if n, err := e.eng.Recover(ctx); err != nil || n != 1 {
				t.Fatalf("Recover = %d, %v", n, err)
			}
		} else {
			e.clock.Advance(12 * time.Minute)
		}
		e.clock.Advance(time.Minute) // past 13m: the re-armed timer fires
		if _, err := e.eng.Snapshot(ctx, id); err != nil {
			t.Fatal(err)
		}
		return e, id
	}
	down, id := run(true)
	evs := allEvents(t, down.eng, id)
	// Find the tick that Recover wrote and check what follows it.
	var i int
	for i = range evs {
		if evs[i].Kind == engine.KindTick && evs[i].ExerciseTime == 12*time.Minute+30*time.Second {
			break
		}
	}
	if i == len(evs)-1 || evs[i].Kind != engine.KindTick {
		t.Fatalf("no catch-up tick at 12m30s in the log")
	}
	var dues []time.Duration
	kinds := map[string]int{}
	prev := time.Duration(0)
	for _, ev := range evs[i+1:] {
		if engine.IsEngineKind(ev.Kind) {
			break
		}
		if ev.ExerciseTime < prev || ev.ExerciseTime > 12*time.Minute+30*time.Second {
			t.Fatalf("caught-up event %s at %s out of order (previous %s)", ev.Kind, ev.ExerciseTime, prev)
		}
		if !ev.WallTime.Equal(t0.Add(12*time.Minute + 30*time.Second)) {
			t.Fatalf("caught-up event wall time %s, want the recovery time", ev.WallTime)
		}
		prev = ev.ExerciseTime
		dues = append(dues, ev.ExerciseTime)
		kinds[ev.Kind]++
	}
	if kinds["timer_fired"] != 12 || kinds["inject_delivered"] != 2 || kinds["decision_opened"] != 1 || dues[0] != time.Minute {
		t.Fatalf("caught up %v at %v; want 12 timers (1m..12m), 2 injects, 1 decision", kinds, dues)
	}
	// The timer was re-armed: the 13m timer fired after recovery.
	var fired13 bool
	for _, ev := range evs {
		if ev.Kind == "timer_fired" && ev.ExerciseTime == 13*time.Minute {
			fired13 = true
		}
	}
	if !fired13 {
		t.Fatal("the timer due at 13m did not fire after recovery")
	}
	up, id2 := run(false)
	compareLines(t, simOnly(t, evs), simOnly(t, allEvents(t, up.eng, id2)))
	a, _ := down.eng.Snapshot(ctxT(t), id)
	b, _ := up.eng.Snapshot(ctxT(t), id2)
	if fmt.Sprint(a.Sim) != fmt.Sprint(b.Sim) {
		t.Fatalf("state after restart differs:\n%+v\n%+v", a.Sim, b.Sim)
	}
}

func TestNotesAndEndFromLobby(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	id, _, _, _ := drill(t, e)
	for _, tc := range []struct {
		in   engine.NoteInput
		want error
	}{
		{engine.NoteInput{Author: "obs", Text: ""}, engine.ErrInvalid},
		{engine.NoteInput{Author: "obs", Text: strings.Repeat("x", engine.MaxNoteLen+1)}, engine.ErrInvalid},
		{engine.NoteInput{Author: "obs", Team: "green", Text: "x"}, engine.ErrNotFound},
		{engine.NoteInput{Author: "obs", Objective: "nope", Text: "x"}, engine.ErrNotFound},
		{engine.NoteInput{Author: "obs", Team: "red", Objective: "speed", Text: "quick"}, nil},
	} {
		if _, err := e.eng.AddNote(ctx, id, tc.in); !errors.Is(err, tc.want) {
			t.Errorf("AddNote(%+v) = %v, want %v", tc.in, err, tc.want)
		}
	}
	if err := e.eng.End(ctx, id, "cancelled"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.eng.Join(ctx, id, engine.JoinInput{Team: "red", Name: "late"}); !errors.Is(err, engine.ErrEnded) {
		t.Fatalf("join after end = %v", err)
	}
	if err := e.eng.Start(ctx, id); !errors.Is(err, engine.ErrEnded) {
		t.Fatalf("start after end = %v", err)
	}
	seq, err := e.eng.AddNote(ctx, id, engine.NoteInput{Author: "obs", Text: "debrief: good"})
	if err != nil {
		t.Fatal(err)
	}
	e.restart()
	s, err := e.eng.Snapshot(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != store.StatusEnded || s.Outcome != sim.OutcomeEnded || s.LastSeq != seq {
		t.Fatalf("after restart: %s %q seq %d (note %d)", s.Status, s.Outcome, s.LastSeq, seq)
	}
	evs := allEvents(t, e.eng, id)
	if last := evs[len(evs)-1]; last.Kind != engine.KindNote || len(last.Audience) != 0 {
		t.Fatalf("last event %+v: want a staff-only note", last)
	}
}

func TestEventsEdges(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	id, _, _, _ := drill(t, e)
	last := lastSeq(t, e, id)
	if evs, err := e.eng.Events(ctx, id, 0, 0); err != nil || int64(len(evs)) != last || evs[0].Seq != 1 {
		t.Fatalf("from 0: %d events, %v", len(evs), err)
	}
	if evs, err := e.eng.Events(ctx, id, last, 0); err != nil || len(evs) != 0 {
		t.Fatalf("from the last seq: %v, %v; want empty", evs, err)
	}
	if _, err := e.eng.Events(ctx, id, last+1, 0); !errors.Is(err, engine.ErrInvalid) {
		t.Fatalf("from the future: %v, want ErrInvalid", err)
	}
	if _, err := e.eng.Events(ctx, id, -1, 0); !errors.Is(err, engine.ErrInvalid) {
		t.Fatalf("negative: %v, want ErrInvalid", err)
	}
	if _, err := e.eng.Events(ctx, "nope", 0, 0); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("unknown exercise: %v, want ErrNotFound", err)
	}
	if evs, err := e.eng.Events(ctx, id, 1, 2); err != nil || len(evs) != 2 || evs[0].Seq != 2 {
		t.Fatalf("page: %v, %v", evs, err)
	}
}

// Exists and the end of the log answer the same whether a loop holds the
// exercise (from memory) or not (from the store, after a restart).
func TestExistsAndEndOfLog(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	id, _, _, _ := drill(t, e)
	check := func(when string) {
		t.Helper()
		last := lastSeq(t, e, id)
		if err := e.eng.Exists(ctx, id); err != nil {
			t.Fatalf("%s: Exists: %v", when, err)
		}
		for _, bad := range []string{"nope", "", "../x"} {
			if err := e.eng.Exists(ctx, bad); !errors.Is(err, engine.ErrNotFound) {
				t.Fatalf("%s: Exists(%q) = %v, want ErrNotFound", when, bad, err)
			}
		}
		if evs, err := e.eng.Events(ctx, id, last, 0); err != nil || len(evs) != 0 {
			t.Fatalf("%s: from the last seq: %v, %v; want empty", when, evs, err)
		}
		if evs, err := e.eng.Events(ctx, id, last-1, 0); err != nil || len(evs) != 1 || evs[0].Seq != last {
			t.Fatalf("%s: one behind: %v, %v; want the last event", when, evs, err)
		}
		if _, err := e.eng.Events(ctx, id, last+1, 0); !errors.Is(err, engine.ErrInvalid) {
			t.Fatalf("%s: from the future: %v, want ErrInvalid", when, err)
		}
	}
	check("loaded")
	// A new event moves the end before anyone can see it published.
	if _, err := e.eng.AddNote(ctx, id, engine.NoteInput{Text: "moved"}); err != nil {
		t.Fatal(err)
	}
	check("after a note")
	e.restart()
	check("after a restart")
}

func TestSubscribe(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	id, r1, _, _ := drill(t, e)
	if err := e.eng.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		id    string
		after int64
		want  error
	}{{id, 10_000, engine.ErrInvalid}, {id, -1, engine.ErrInvalid}, {"nope", 0, engine.ErrNotFound}} {
		if _, err := e.eng.Subscribe(ctx, tc.id, tc.after); !errors.Is(err, tc.want) {
			t.Errorf("Subscribe(%s, %d) = %v, want %v", tc.id, tc.after, err, tc.want)
		}
	}

	// A reader that keeps up gets the log from seq 3 and then live
	// events, each once, in order.
	sub, err := e.eng.Subscribe(ctx, id, 2)
	if err != nil {
		t.Fatal(err)
	}
	seen := make(chan int64, 1024)
	go func() {
		for ev := range sub.C {
			seen <- ev.Seq
		}
		close(seen)
	}()
	for i := 0; i < 40; i++ {
		if _, err := e.eng.Answer(ctx, id, r1, engine.AnswerInput{ClientID: fmt.Sprint("s", i), Decision: "contain", Option: "wait"}); err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			e.clock.Advance(time.Minute)
		}
	}
	last := lastSeq(t, e, id)
	want := int64(3)
	deadline := time.After(20 * time.Second)
	for want <= last {
		select {
		case seq, ok := <-seen:
			if !ok {
				t.Fatalf("subscription closed early at %d of %d: %v", want, last, sub.Err())
			}
			if seq != want {
				t.Fatalf("got seq %d, want %d", seq, want)
			}
			want++
		case <-deadline:
			t.Fatalf("timed out at seq %d of %d", want, last)
		}
	}
	sub.Close()
	for range seen { // drained and closed
	}
	if err := sub.Err(); err != nil {
		t.Fatalf("Err after Close = %v", err)
	}

	// A reader that stops reading is cut off with ErrOverflow, after
	// receiving a contiguous prefix (buffer 8, so 8 + 16x8 events).
	e = newEnv(t, engine.WithSubscriptionBuffer(8))
	id, r1, _, _ = drill(t, e)
	if err := e.eng.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	slow, err := e.eng.Subscribe(ctx, id, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 200; i++ {
		if _, err := e.eng.Answer(ctx, id, r1, engine.AnswerInput{ClientID: fmt.Sprint("o", i), Decision: "contain", Option: "act"}); err != nil {
			t.Fatal(err)
		}
	}
	var n int64
	for ev := range slow.C {
		n++
		if ev.Seq != n {
			t.Fatalf("slow reader got seq %d, want %d", ev.Seq, n)
		}
	}
	if !errors.Is(slow.Err(), engine.ErrOverflow) {
		t.Fatalf("slow reader Err = %v, want ErrOverflow", slow.Err())
	}

	// A reader that caught up and then stops reading is cut off as well.
	stalled, err := e.eng.Subscribe(ctx, id, lastSeq(t, e, id))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 200; i++ {
		if _, err := e.eng.Answer(ctx, id, r1, engine.AnswerInput{ClientID: fmt.Sprint("q", i), Decision: "contain", Option: "act"}); err != nil {
			t.Fatal(err)
		}
	}
	for range stalled.C {
	}
	if !errors.Is(stalled.Err(), engine.ErrOverflow) {
		t.Fatalf("stalled reader Err = %v, want ErrOverflow", stalled.Err())
	}
}
