package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// commitPages writes about n WAL pages of events to exercise ex.
func commitPages(t *testing.T, s *Store, ex string, n int) {
	t.Helper()
	body := []byte(`{"body":"` + strings.Repeat("x", 3000) + `"}`)
	for range n {
		if _, err := s.Commit(context.Background(), Commit{ExerciseID: ex, Events: []Event{{Kind: "inject_delivered", WallTime: t0, Payload: body}}}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCheckpointsRunInTheBackground checks who copies the WAL into the
// database file: with background checkpoints, never a commit (however far
// the WAL grows past SQLite's 1,000-page mark), always the checkpointer
// within a few intervals; with them off, SQLite inside a commit.
func TestCheckpointsRunInTheBackground(t *testing.T) {
	for _, tc := range []struct {
		name     string
		interval time.Duration
	}{
		{"background", 20 * time.Millisecond},
		{"never during the test", time.Hour},
		{"sqlite", -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ttx.db")
			s := openTest(t, path, Options{CheckpointInterval: tc.interval})
			newExercise(t, s, "ex1")
			before := fileSize(t, path)
			commitPages(t, s, "ex1", 1500) // past the 1,000-page autocheckpoint
			grown := func() bool { return fileSize(t, path) > before+2<<20 }
			switch tc.interval {
			case time.Hour:
				if grown() {
					t.Fatalf("a commit checkpointed: database file %d → %d bytes", before, fileSize(t, path))
				}
			case -1:
				if !grown() {
					t.Fatalf("SQLite did not checkpoint in a commit: database file %d bytes", fileSize(t, path))
				}
			default:
				deadline := time.Now().Add(10 * time.Second)
				for !grown() {
					if time.Now().After(deadline) {
						t.Fatalf("no background checkpoint within 10 s: database file %d bytes", fileSize(t, path))
					}
					time.Sleep(10 * time.Millisecond)
				}
			}
			// Every commit is readable whoever checkpointed.
			evs, err := s.Events(context.Background(), "ex1", 0, MaxPageSize)
			if err != nil || len(evs) != 1000 {
				t.Fatalf("read back %d events (%v), want a full page of 1000", len(evs), err)
			}
		})
	}
}
