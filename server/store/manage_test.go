package store

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestArchiveAndDeleteExercise(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "ttx.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	sc, err := s.PutScenario(ctx, "demo", "Demo", []byte("id: demo"), now)
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range []string{"ex-a", "ex-b"} {
		ex := Exercise{ID: id, ScenarioID: sc.ID, Title: id, Params: map[string]string{}, Status: StatusLobby, CreatedAt: now.Add(time.Duration(i) * time.Minute)}
		if _, err := s.CreateExercise(ctx, ex, []Team{{ID: "soc", Name: "SOC"}}, []Event{{Kind: "exercise_created", WallTime: now, Audience: []string{}, Payload: []byte(`{}`)}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.w.Exec(`INSERT INTO participants (id, exercise_id, team_id, display_name, is_lead, joined_at, token_hash) VALUES ('p1', 'ex-a', 'soc', 'Pia', 1, ?, 'h1')`, now.UnixNano()); err != nil {
		t.Fatal(err)
	}

	ids := func(f ListFilter) []string {
		t.Helper()
		exs, err := s.ListExercises(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, ex := range exs {
			out = append(out, ex.ID)
		}
		return out
	}
	if err := s.SetArchived(ctx, "ex-a", now); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		f    ListFilter
		want []string
	}{
		{"default lists every exercise", ListFilter{}, []string{"ex-b", "ex-a"}},
		{"not archived", ListFilter{Archived: ArchivedNo}, []string{"ex-b"}},
		{"only archived", ListFilter{Archived: ArchivedOnly}, []string{"ex-a"}},
		{"only archived, by status", ListFilter{Archived: ArchivedOnly, Statuses: []string{StatusEnded}}, nil},
	} {
		if got := ids(c.f); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if ex, err := s.Exercise(ctx, "ex-a"); err != nil || !ex.ArchivedAt.Equal(now) {
		t.Errorf("archived exercise: %v at %v, want archived at %v", err, ex.ArchivedAt, now)
	}
	if err := s.SetArchived(ctx, "ex-a", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got := ids(ListFilter{Archived: ArchivedNo}); !slices.Equal(got, []string{"ex-b", "ex-a"}) {
		t.Errorf("after restoring: %v", got)
	}
	if err := s.SetArchived(ctx, "nope", now); !errors.Is(err, ErrNotFound) {
		t.Errorf("archive unknown = %v, want ErrNotFound", err)
	}

	// Deleting removes the exercise, its log and its people; the other stays.
	if err := s.DeleteExercise(ctx, "ex-a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Exercise(ctx, "ex-a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted exercise: %v, want ErrNotFound", err)
	}
	for _, table := range []string{"events", "participants", "teams", "observers"} {
		var n int
		if err := s.r.QueryRow("SELECT COUNT(*) FROM " + table + " WHERE exercise_id = 'ex-a'").Scan(&n); err != nil || n != 0 {
			t.Errorf("%s rows of the deleted exercise: %d (%v), want 0", table, n, err)
		}
	}
	if evs, err := s.Events(ctx, "ex-b", 0, 10); err != nil || len(evs) != 1 {
		t.Errorf("the other exercise's log: %d events, %v", len(evs), err)
	}
	if err := s.DeleteExercise(ctx, "ex-a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("delete twice = %v, want ErrNotFound", err)
	}
}
