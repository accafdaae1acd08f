package engine_test

import (
	"errors"
	"testing"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/store"
)

// Archive and Delete refuse an exercise people are in; once it has ended,
// archiving hides it from the default list and deleting removes it and
// its log, even after a restart.
func TestArchiveAndDelete(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	ex, err := e.eng.Create(ctx, engine.CreateInput{Source: readFile(t, "testdata/drill.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.eng.Create(ctx, engine.CreateInput{Source: readFile(t, "testdata/drill.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.eng.Start(ctx, ex.ID); err != nil {
		t.Fatal(err)
	}
	for name, op := range map[string]func() error{
		"archive": func() error { return e.eng.Archive(ctx, ex.ID, true) },
		"delete":  func() error { return e.eng.Delete(ctx, ex.ID) },
	} {
		if err := op(); !errors.Is(err, engine.ErrConflict) {
			t.Errorf("%s a running exercise = %v, want ErrConflict", name, err)
		}
	}
	if err := e.eng.Pause(ctx, ex.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.eng.Delete(ctx, ex.ID); !errors.Is(err, engine.ErrConflict) {
		t.Errorf("delete a paused exercise = %v, want ErrConflict", err)
	}
	if err := e.eng.End(ctx, ex.ID, "done"); err != nil {
		t.Fatal(err)
	}

	if err := e.eng.Archive(ctx, ex.ID, true); err != nil {
		t.Fatal(err)
	}
	listed := func(f store.ListFilter) []string {
		t.Helper()
		exs, err := e.eng.List(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, x := range exs {
			ids = append(ids, x.ID)
		}
		return ids
	}
	if got := listed(store.ListFilter{Archived: store.ArchivedNo}); len(got) != 1 || got[0] != other.ID {
		t.Errorf("default list after archiving = %v, want only %s", got, other.ID)
	}
	if got := listed(store.ListFilter{Archived: store.ArchivedOnly}); len(got) != 1 || got[0] != ex.ID {
		t.Errorf("archived list = %v, want %s", got, ex.ID)
	}
	if err := e.eng.Archive(ctx, ex.ID, false); err != nil {
		t.Fatal(err)
	}
	if got := listed(store.ListFilter{Archived: store.ArchivedNo}); len(got) != 2 {
		t.Errorf("default list after restoring = %v, want both", got)
	}

	if err := e.eng.Delete(ctx, ex.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.eng.Get(ctx, ex.ID); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("get after delete = %v, want ErrNotFound", err)
	}
	if _, err := e.eng.Snapshot(ctx, ex.ID); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("snapshot after delete = %v, want ErrNotFound (no loop left holding it)", err)
	}
	if _, err := e.eng.Events(ctx, ex.ID, 0, 10); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("events after delete = %v, want ErrNotFound", err)
	}
	e.restart()
	if _, err := e.eng.Get(ctx, ex.ID); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("get after delete and restart = %v, want ErrNotFound", err)
	}
	if _, err := e.eng.Get(ctx, other.ID); err != nil {
		t.Errorf("the other exercise: %v", err)
	}
	if err := e.eng.Delete(ctx, "nope"); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("delete unknown = %v, want ErrNotFound", err)
	}
}
