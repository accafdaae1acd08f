package engine_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/engine"
)

// memberOf returns a participant's team and lead flag in a snapshot.
func memberOf(t *testing.T, e *env, id, pid string) (string, bool) {
	t.Helper()
	snap, err := e.eng.Snapshot(ctxT(t), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range snap.Participants {
		if p.ID == pid {
			return p.Team, p.Lead
		}
	}
	t.Fatalf("participant %s not in the snapshot", pid)
	return "", false
}

// TestMoveParticipant: the facilitator moves red's lead to blue while the
// exercise runs. The log holds participant_moved for both teams, then
// red's new lead; the participant answers blue's decisions from then on
// and no longer red's; a restart replays the log to the same roster.
func TestMoveParticipant(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	id, r1, r2, b1 := drill(t, e)
	if err := e.eng.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(30 * time.Second)
	if _, err := e.eng.Answer(ctx, id, r1, engine.AnswerInput{ClientID: "before", Decision: "contain", Option: "wait"}); err != nil {
		t.Fatal(err)
	}
	before := lastSeq(t, e, id)
	for _, tc := range []struct {
		name, pid, team string
		want            error
	}{
		{"unknown participant", "ghost", "blue", engine.ErrNotFound},
		{"unknown team", r1, "green", engine.ErrNotFound},
		{"the facilitator's pseudo-team", r1, "facilitator", engine.ErrNotFound},
		{"to the team they are in", r2, "red", nil},
	} {
		if err := e.eng.Move(ctx, id, tc.pid, tc.team); !errors.Is(err, tc.want) {
			t.Errorf("%s: Move = %v, want %v", tc.name, err, tc.want)
		}
	}
	if got := lastSeq(t, e, id); got != before {
		t.Fatalf("refused or empty moves appended events: last seq %d -> %d", before, got)
	}

	if err := e.eng.Move(ctx, id, r1, "blue"); err != nil {
		t.Fatal(err)
	}
	evs := allEvents(t, e.eng, id)[before:]
	if len(evs) != 2 || evs[0].Kind != engine.KindMoved || evs[1].Kind != engine.KindLeadChanged {
		t.Fatalf("events of the move: %+v", evs)
	}
	var mp engine.MovePayload
	if err := json.Unmarshal(evs[0].Payload, &mp); err != nil {
		t.Fatal(err)
	}
	if mp != (engine.MovePayload{Participant: r1, Name: "Ana", From: "red", To: "blue"}) {
		t.Errorf("participant_moved payload %+v: blue has a lead (Cy), so Ana is not its lead", mp)
	}
	if a := evs[0].Audience; len(a) != 2 || a[0] != "red" || a[1] != "blue" {
		t.Errorf("participant_moved audience %v, want both teams", a)
	}
	if a := evs[1].Audience; len(a) != 1 || a[0] != "red" || !json.Valid(evs[1].Payload) || string(evs[1].Payload) != `{"participant":"`+r2+`","team":"red","name":"Bo","lead":true}` {
		t.Errorf("lead_changed %s to %v, want Bo leading red", evs[1].Payload, a)
	}

	check := func(when string) {
		t.Helper()
		for pid, want := range map[string]struct {
			team string
			lead bool
		}{r1: {"blue", false}, r2: {"red", true}, b1: {"blue", true}} {
			if tm, lead := memberOf(t, e, id, pid); tm != want.team || lead != want.lead {
				t.Errorf("%s: %s in %s (lead %v), want %s (lead %v)", when, pid, tm, lead, want.team, want.lead)
			}
		}
		if _, err := e.eng.Answer(ctx, id, r1, engine.AnswerInput{ClientID: "red-" + when, Decision: "contain", Option: "act"}); !errors.Is(err, engine.ErrForbidden) {
			t.Errorf("%s: the moved participant answers the old team's decision: %v, want ErrForbidden", when, err)
		}
		if _, err := e.eng.Answer(ctx, id, r1, engine.AnswerInput{ClientID: "blue-" + when, Decision: "remarks", Text: "from " + when}); err != nil {
			t.Errorf("%s: the moved participant answers the new team's decision: %v", when, err)
		}
	}
	check("live")
	e.restart()
	if n, err := e.eng.Recover(ctx); err != nil || n != 1 {
		t.Fatalf("Recover = %d, %v", n, err)
	}
	check("replayed")

	// The answer given before the move is kept as it was.
	snap, err := e.eng.Snapshot(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range snap.Decisions {
		if d.ID == "contain" && (len(d.Answers) != 1 || d.Answers[0].Participant != r1 || d.Answers[0].Option != "wait") {
			t.Errorf("red's decision after the move: %+v, want Ana's answer kept", d.Answers)
		}
	}
	if err := e.eng.End(ctx, id, "done"); err != nil {
		t.Fatal(err)
	}
	if err := e.eng.Move(ctx, id, r2, "blue"); !errors.Is(err, engine.ErrEnded) {
		t.Fatalf("Move after the end = %v, want ErrEnded", err)
	}

	// An archive carries the move: its audience is both teams, which the
	// import checks, and the participants as they are now.
	a, err := engine.Export(ctx, e.st, id, e.clock.Now(), "ttx test")
	if err != nil {
		t.Fatal(err)
	}
	dst := newEnv(t)
	if _, err := engine.Import(ctx, dst.st, a, dst.clock.Now()); err != nil {
		t.Fatalf("import of an exercise with a move: %v", err)
	}
	if tm, lead := memberOf(t, dst, id, r1); tm != "blue" || lead {
		t.Fatalf("imported: %s in %s (lead %v), want blue, not lead", r1, tm, lead)
	}
}

// TestMoveInLobby: a team's only member and lead moves before the start:
// the old team is left with no lead (no lead_changed), and they lead the
// new team only because it has nobody present.
func TestMoveInLobby(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	id, r1, r2, b1 := drill(t, e)
	if err := e.eng.Leave(ctx, id, r2); err != nil {
		t.Fatal(err)
	}
	if err := e.eng.Leave(ctx, id, r1); err != nil {
		t.Fatal(err)
	}
	if err := e.eng.Move(ctx, id, r1, "blue"); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("moving a participant who left = %v, want ErrConflict", err)
	}
	before := lastSeq(t, e, id)
	if err := e.eng.Move(ctx, id, b1, "red"); err != nil {
		t.Fatal(err)
	}
	evs := allEvents(t, e.eng, id)[before:]
	if len(evs) != 1 || evs[0].Kind != engine.KindMoved {
		t.Fatalf("events of the move: %+v", evs)
	}
	if tm, lead := memberOf(t, e, id, b1); tm != "red" || !lead {
		t.Fatalf("b1 in %s (lead %v), want red's lead: nobody present led it", tm, lead)
	}
}
