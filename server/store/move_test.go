package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestCommitMove: a move changes the participant's team and lead flag in
// the same transaction as its event and the old team's lead change; a move
// to a team the exercise does not have, or of an unknown participant,
// fails the whole commit.
func TestCommitMove(t *testing.T) {
	s := openTest(t, "", Options{})
	ctx := context.Background()
	ex := newExercise(t, s, "ex1")
	for i, p := range []Participant{
		{ID: "p1", TeamID: "comms", Name: "Ana", Lead: true, JoinedAt: t0},
		{ID: "p2", TeamID: "comms", Name: "Bo", JoinedAt: t0.Add(time.Second)},
	} {
		p.ExerciseID = ex.ID
		if _, err := s.Commit(ctx, Commit{ExerciseID: ex.ID, Join: &p}); err != nil {
			t.Fatalf("join %d: %v", i, err)
		}
	}
	if _, err := s.Commit(ctx, Commit{ExerciseID: ex.ID, Move: &Move{Participant: "p1", Team: "sec", Lead: true},
		LeadChange: "p2", Events: []Event{{Kind: "participant_moved", WallTime: t0, Audience: []string{"comms", "sec"}}}}); err != nil {
		t.Fatal(err)
	}
	ps, err := s.Participants(ctx, ex.ID)
	if err != nil || len(ps) != 2 {
		t.Fatalf("Participants = %v, %v", ps, err)
	}
	if ps[0].TeamID != "sec" || !ps[0].Lead || ps[1].TeamID != "comms" || !ps[1].Lead {
		t.Fatalf("after the move: %+v", ps)
	}
	last, err := s.LastSeq(ctx, ex.ID)
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]Move{
		"unknown team":        {Participant: "p2", Team: "no-such-team"},
		"unknown participant": {Participant: "nobody", Team: "sec"},
	} {
		_, err := s.Commit(ctx, Commit{ExerciseID: ex.ID, Move: &m, Events: []Event{{Kind: "participant_moved", WallTime: t0}}})
		if err == nil {
			t.Errorf("%s: move accepted", name)
		}
		if name == "unknown participant" && !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", name, err)
		}
	}
	if n, err := s.LastSeq(ctx, ex.ID); err != nil || n != last {
		t.Fatalf("a failed move appended events: last seq %d, was %d (%v)", n, last, err)
	}
}
