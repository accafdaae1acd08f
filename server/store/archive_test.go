package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// filledExercise stores an exercise with two participants (one holding a
// token hash), a join code and a few events, some with client ids.
func filledExercise(t *testing.T, s *Store, id string) {
	t.Helper()
	ctx := context.Background()
	ex := newExercise(t, s, id)
	if err := s.SetJoinCode(ctx, ex.ID, "CODE-"+id); err != nil {
		t.Fatal(err)
	}
	p1 := Participant{ID: id + "-p1", ExerciseID: ex.ID, TeamID: "comms", Name: "Ana", Lead: true, JoinedAt: t0, TokenHash: "secret-" + id}
	p2 := Participant{ID: id + "-p2", ExerciseID: ex.ID, TeamID: "sec", Name: "Bo", Lead: true, JoinedAt: t0.Add(time.Second)}
	for _, p := range []*Participant{&p1, &p2} {
		if _, err := s.Commit(ctx, Commit{ExerciseID: ex.ID, Join: p,
			Events: []Event{{Kind: "participant_joined", WallTime: p.JoinedAt, Payload: []byte(`{"participant":"` + p.ID + `"}`), Audience: []string{p.TeamID}}}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Commit(ctx, Commit{ExerciseID: ex.ID, Status: StatusRunning, StartedAt: t0.Add(time.Minute),
		Events: []Event{
			{Kind: "exercise_started", WallTime: t0.Add(time.Minute), Payload: []byte(`{"speed":1}`), Audience: []string{"*"}},
			{Kind: "answer_submitted", WallTime: t0.Add(2 * time.Minute), ExerciseTime: time.Minute, ClientID: p1.ID + "/c1",
				Payload: []byte(`{"text":"<b>&amp;</b> \u00e9"}`), Audience: []string{"comms"}},
		}}); err != nil {
		t.Fatal(err)
	}
}

func TestDumpAndRestoreExercise(t *testing.T) {
	ctx := context.Background()
	a, b := openTest(t, "", Options{}), openTest(t, "", Options{})
	filledExercise(t, a, "ex1")
	// b already holds another exercise from the same scenario source, so
	// the restore must reuse that scenario row.
	newExercise(t, b, "other")

	d, err := a.DumpExercise(ctx, "ex1")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Events) != 5 || len(d.Participants) != 2 || len(d.Teams) != 2 || string(d.Scenario.Source) != "id: demo\n" {
		t.Fatalf("dump: %d events, %d participants, %d teams, source %q", len(d.Events), len(d.Participants), len(d.Teams), d.Scenario.Source)
	}
	for _, p := range d.Participants {
		if p.TokenHash != "" {
			t.Fatalf("dump carries token hash of %s", p.ID)
		}
	}
	if d.Exercise.JoinCode != "CODE-ex1" {
		t.Fatalf("dump exercise join code %q", d.Exercise.JoinCode)
	}

	ex, err := b.RestoreExercise(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	other, err := b.Exercise(ctx, "other")
	if err != nil {
		t.Fatal(err)
	}
	if ex.ScenarioID != other.ScenarioID || ex.JoinCode != "" || ex.Status != StatusRunning {
		t.Fatalf("restored %+v; scenario should be reused (%d) and join code dropped", ex, other.ScenarioID)
	}
	got, err := b.DumpExercise(ctx, "ex1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Exercise.JoinCode != "" || !got.Exercise.StartedAt.Equal(d.Exercise.StartedAt) || got.Exercise.Params["company"] != "Acme" {
		t.Fatalf("restored row %+v", got.Exercise)
	}
	if fmt.Sprint(got.Teams) != fmt.Sprint(d.Teams) {
		t.Fatalf("teams %v, want %v", got.Teams, d.Teams)
	}
	for i := range d.Participants {
		w, g := d.Participants[i], got.Participants[i]
		if w.ID != g.ID || w.Name != g.Name || w.TeamID != g.TeamID || w.Lead != g.Lead || !w.JoinedAt.Equal(g.JoinedAt) {
			t.Fatalf("participant %d: %+v, want %+v", i, g, w)
		}
	}
	for i := range d.Events {
		w, g := d.Events[i], got.Events[i]
		if w.Seq != g.Seq || w.Kind != g.Kind || !w.WallTime.Equal(g.WallTime) || w.ExerciseTime != g.ExerciseTime ||
			!bytes.Equal(w.Payload, g.Payload) || fmt.Sprint(w.Audience) != fmt.Sprint(g.Audience) || w.ClientID != g.ClientID {
			t.Fatalf("event %d: %+v, want %+v", i+1, g, w)
		}
	}
	// The restored exercise is live in b: appends continue after its log,
	// and its client ids still deduplicate.
	more, err := b.Commit(ctx, Commit{ExerciseID: "ex1", Events: []Event{{Kind: "note_added", WallTime: t0, Payload: []byte(`{}`)}}})
	if err != nil || more[0].Seq != 6 {
		t.Fatalf("append after restore: %+v, %v", more, err)
	}
	if ev, err := b.EventByClientID(ctx, "ex1", "ex1-p1/c1"); err != nil || ev.Seq != 5 {
		t.Fatalf("client id after restore: %+v, %v", ev, err)
	}
	if _, err := b.ParticipantByTokenHash(ctx, "secret-ex1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("token hash travelled: %v", err)
	}
}

func TestRestoreExerciseRefuses(t *testing.T) {
	ctx := context.Background()
	a := openTest(t, "", Options{})
	filledExercise(t, a, "ex1")
	base, err := a.DumpExercise(ctx, "ex1")
	if err != nil {
		t.Fatal(err)
	}
	clone := func() ExerciseDump {
		d := base
		d.Events = append([]Event(nil), base.Events...)
		d.Participants = append([]Participant(nil), base.Participants...)
		d.Scenario.Source = append([]byte(nil), base.Scenario.Source...)
		return d
	}
	tests := []struct {
		name   string
		into   string // "same": the source database; else a fresh one
		edit   func(d *ExerciseDump)
		want   string
		target error
	}{
		{"id exists", "same", func(d *ExerciseDump) {}, "already exists", ErrDuplicate},
		{"participant exists", "same", func(d *ExerciseDump) { d.Exercise.ID = "ex2" }, "participant ex1-p1", ErrDuplicate},
		{"hash mismatch", "", func(d *ExerciseDump) { d.Scenario.Source = []byte("id: demo2\n") }, "does not match", nil},
		{"seq gap", "", func(d *ExerciseDump) { d.Events = append(d.Events[:2], d.Events[3:]...) }, "without gaps", nil},
		{"seq from 2", "", func(d *ExerciseDump) { d.Events = d.Events[1:] }, "without gaps", nil},
		{"empty log", "", func(d *ExerciseDump) { d.Events = nil }, "empty", nil},
		{"payload not JSON", "", func(d *ExerciseDump) { d.Events[4].Payload = []byte("{") }, "not JSON", nil},
		{"client id twice", "", func(d *ExerciseDump) { d.Events[3].ClientID = d.Events[4].ClientID }, "repeats", ErrDuplicate},
		{"unknown team", "", func(d *ExerciseDump) { d.Participants[0].TeamID = "nope" }, "participant", nil},
		{"bad status", "", func(d *ExerciseDump) { d.Exercise.Status = "exploded" }, "restore exercise", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := a
			if tc.into == "" {
				st = openTest(t, "", Options{})
			}
			d := clone()
			tc.edit(&d)
			_, err := st.RestoreExercise(ctx, d)
			if err == nil || !strings.Contains(err.Error(), tc.want) || (tc.target != nil && !errors.Is(err, tc.target)) {
				t.Fatalf("restore: %v; want an error mentioning %q (%v)", err, tc.want, tc.target)
			}
			// Nothing of a refused restore remains.
			if tc.into == "" {
				if _, err := st.Exercise(ctx, d.Exercise.ID); !errors.Is(err, ErrNotFound) {
					t.Fatalf("refused restore left the exercise: %v", err)
				}
				var n int
				if err := st.r.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM scenarios) + (SELECT COUNT(*) FROM events) + (SELECT COUNT(*) FROM participants)`).Scan(&n); err != nil || n != 0 {
					t.Fatalf("refused restore left %d rows (%v)", n, err)
				}
			} else if tc.name == "participant exists" {
				if _, err := st.Exercise(ctx, "ex2"); !errors.Is(err, ErrNotFound) {
					t.Fatalf("refused restore left the exercise: %v", err)
				}
			}
		})
	}
}

func TestDumpExerciseNotFound(t *testing.T) {
	s := openTest(t, "", Options{})
	if _, err := s.DumpExercise(context.Background(), "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("dump of a missing exercise: %v, want ErrNotFound", err)
	}
}
