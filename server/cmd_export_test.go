package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/engine/enginetest"
	"github.com/ttxsim/ttx/server/scenario"
	"github.com/ttxsim/ttx/server/store"
)

var exportT0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// seedExercise runs an exercise of scenarios/example.yaml on a fake clock
// in a database file: teams join, it starts, every decision is answered as
// it opens, and the clock runs until the end (ended) or for a few steps
// (running). The engine and store are closed before it returns, as when
// the operator runs the CLI against a server's file.
func seedExercise(t *testing.T, path string, untilEnd bool) string {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	clock := enginetest.NewFakeClock(exportT0)
	eng := engine.New(st, clock, nil, nil)
	defer func() {
		eng.Close()
		st.Close()
	}()
	src, err := os.ReadFile("../scenarios/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Parse("example.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := eng.Create(ctx, engine.CreateInput{File: "example.yaml", Source: src})
	if err != nil {
		t.Fatal(err)
	}
	lead := map[string]string{}
	for _, tm := range sc.Teams {
		clock.Advance(time.Second)
		p, err := eng.Join(ctx, ex.ID, engine.JoinInput{Team: tm.ID, Name: "Lead " + tm.ID, TokenHash: "tokenhash-" + ex.ID + "-" + tm.ID})
		if err != nil {
			t.Fatal(err)
		}
		lead[tm.ID] = p.ID
	}
	if err := eng.Start(ctx, ex.ID); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for step := 0; step < 1000; step++ {
		snap, err := eng.Snapshot(ctx, ex.ID)
		if err != nil {
			t.Fatal(err)
		}
		if snap.Status == store.StatusEnded || !untilEnd && step >= 3 {
			return ex.ID
		}
		acted := false
		for _, d := range snap.Decisions {
			key := fmt.Sprint(d.ID, d.OpenedAt)
			if seen[key] {
				continue
			}
			seen[key], acted = true, true
			in := engine.AnswerInput{ClientID: "c" + key, Decision: d.ID, Confidence: 2, Rationale: "r"}
			if dc := sc.Decision(d.ID); len(dc.Options) > 0 {
				in.Option = dc.Options[len(dc.Options)-1].ID
			} else {
				in.Text = "noted"
			}
			if d.Team == scenario.FacilitatorTeam {
				_, err = eng.FacilitatorAnswer(ctx, ex.ID, in)
			} else {
				_, err = eng.Answer(ctx, ex.ID, lead[d.Team], in)
			}
			if err != nil && !errors.Is(err, engine.ErrDecisionClosed) {
				t.Fatal(err)
			}
			break
		}
		if acted {
			continue
		}
		due, ok := clock.NextDue()
		if !ok || due.Sub(exportT0) > 24*time.Hour {
			if err := eng.End(ctx, ex.ID, "stop"); err != nil {
				t.Fatal(err)
			}
			continue
		}
		clock.Set(due)
	}
	t.Fatal("exercise did not finish")
	return ""
}

func dumpOf(t *testing.T, path, id string) store.ExerciseDump {
	t.Helper()
	st, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d, err := st.DumpExercise(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestExportImportCLI(t *testing.T) {
	dir := t.TempDir()
	dbA, dbB := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	ended := seedExercise(t, dbA, true)
	running := seedExercise(t, dbA, false)
	archive := filepath.Join(dir, "ended.json")
	now := func() time.Time { return exportT0.Add(48 * time.Hour) }

	// Export with flags after the id; TTX_DB in the environment is the
	// default database.
	var out, errOut bytes.Buffer
	if code := runExport([]string{ended, "-o", archive}, []string{"TTX_DB=" + dbA}, now, &out, &errOut); code != 0 {
		t.Fatalf("export: exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(errOut.String(), "exported exercise "+ended+" (ended,") {
		t.Errorf("export summary %q", errOut.String())
	}
	fi, err := os.Stat(archive)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("archive mode %v, want 0600", fi.Mode().Perm())
	}
	raw, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("tokenhash-")) {
		t.Fatal("the archive carries token hashes")
	}

	// No silent overwrite; -force overwrites.
	errOut.Reset()
	if code := runExport([]string{"-db", dbA, ended, "-o", archive}, nil, now, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "-force") {
		t.Fatalf("export over an existing file: exit %d, %q", code, errOut.String())
	}
	if code := runExport([]string{"-db", dbA, "-force", "-o", archive, ended}, nil, now, &out, &errOut); code != 0 {
		t.Fatalf("export -force: exit %d: %s", code, errOut.String())
	}

	// Import into a new database, through the command table.
	out.Reset()
	errOut.Reset()
	if code := run([]string{"import", "--db", dbB, archive}, &out, &errOut); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "imported exercise "+ended) || !strings.Contains(out.String(), ": ended,") {
		t.Errorf("import summary %q", out.String())
	}
	da, db := dumpOf(t, dbA, ended), dumpOf(t, dbB, ended)
	if len(da.Events) != len(db.Events) {
		t.Fatalf("%d events exported, %d imported", len(da.Events), len(db.Events))
	}
	for i := range da.Events {
		a, b := da.Events[i], db.Events[i]
		if a.Seq != b.Seq || a.Kind != b.Kind || !a.WallTime.Equal(b.WallTime) || a.ExerciseTime != b.ExerciseTime ||
			!bytes.Equal(a.Payload, b.Payload) || strings.Join(a.Audience, ",") != strings.Join(b.Audience, ",") || a.ClientID != b.ClientID {
			t.Fatalf("event %d differs:\n%+v\n%+v", i+1, a, b)
		}
	}

	// The engine opens the imported exercise, with the original's state.
	snaps := map[string]engine.Snapshot{}
	for _, path := range []string{dbA, dbB} {
		st, err := store.Open(context.Background(), path, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		eng := engine.New(st, enginetest.NewFakeClock(now()), nil, nil)
		s, err := eng.Snapshot(context.Background(), ended)
		eng.Close()
		st.Close()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		snaps[path] = s
	}
	if a, b := snaps[dbA], snaps[dbB]; a.Status != "ended" || a.LastSeq != b.LastSeq || a.Sim.State != b.Sim.State ||
		fmt.Sprint(a.Sim.Vars) != fmt.Sprint(b.Sim.Vars) || a.Outcome != b.Outcome || a.Clock != b.Clock {
		t.Fatalf("snapshots differ:\n%+v\n%+v", a, b)
	}

	// Importing the same archive again is refused.
	errOut.Reset()
	if code := runImport([]string{archive}, []string{"TTX_DB=" + dbB}, nil, now, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "already exists") {
		t.Fatalf("second import: exit %d, %q", code, errOut.String())
	}

	// A running exercise goes through standard output and input, and
	// arrives paused.
	var pipe bytes.Buffer
	if code := runExport([]string{"-db", dbA, running}, nil, now, &pipe, &errOut); code != 0 {
		t.Fatalf("export to stdout: exit %d: %s", code, errOut.String())
	}
	out.Reset()
	if code := runImport([]string{"-db", dbB, "-"}, nil, &pipe, now, &out, &errOut); code != 0 {
		t.Fatalf("import from stdin: exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "paused (it was running: imported paused)") {
		t.Errorf("import summary %q", out.String())
	}
	if d := dumpOf(t, dbB, running); d.Exercise.Status != store.StatusPaused || d.Events[len(d.Events)-1].Kind != engine.KindPaused {
		t.Fatalf("running exercise imported as %s, last event %s", d.Exercise.Status, d.Events[len(d.Events)-1].Kind)
	}
}

func TestExportImportCLIErrors(t *testing.T) {
	dir := t.TempDir()
	dbA := filepath.Join(dir, "a.db")
	id := seedExercise(t, dbA, true)
	good := filepath.Join(dir, "good.json")
	now := func() time.Time { return exportT0 }
	var out, errOut bytes.Buffer
	if code := runExport([]string{"-db", dbA, "-o", good, id}, nil, now, &out, &errOut); code != 0 {
		t.Fatalf("export: %s", errOut.String())
	}
	raw, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	tampered := filepath.Join(dir, "tampered.json")
	if err := os.WriteFile(tampered, bytes.Replace(raw, []byte(`"seq":7,`), []byte(`"seq":70,`), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.json")
	// One byte over the limit, as a sparse file: refused by its size.
	if err := os.WriteFile(big, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, engine.MaxArchiveSize+1); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		cmd  string
		args []string
		code int
		want string
	}{
		{"export: no id", "export", []string{"-db", dbA}, 2, "exactly one EXERCISE_ID"},
		{"export: two ids", "export", []string{"-db", dbA, "a", "b"}, 2, "exactly one EXERCISE_ID"},
		{"export: unknown exercise", "export", []string{"-db", dbA, "nosuch"}, 1, `no exercise "nosuch"`},
		{"export: missing database", "export", []string{"-db", filepath.Join(dir, "typo.db"), id}, 1, "no such file"},
		{"export: bad flag", "export", []string{"-x"}, 2, "flag provided but not defined"},
		{"import: no file", "import", []string{"-db", filepath.Join(dir, "b.db")}, 2, "exactly one FILE"},
		{"import: missing file", "import", []string{"-db", filepath.Join(dir, "b.db"), filepath.Join(dir, "nope.json")}, 1, "no such file"},
		{"import: seq gap", "import", []string{"-db", filepath.Join(dir, "b.db"), tampered}, 1, "without gaps"},
		{"import: over 64 MiB", "import", []string{"-db", filepath.Join(dir, "b.db"), big}, 1, "larger than the 64 MiB limit"},
		{"import: not an archive", "import", []string{"-db", filepath.Join(dir, "b.db"), "../scenarios/example.yaml"}, 1, "not a ttx exercise archive"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			var code int
			if tc.cmd == "export" {
				code = runExport(tc.args, nil, now, &out, &errOut)
			} else {
				code = runImport(tc.args, nil, nil, now, &out, &errOut)
			}
			if code != tc.code || !strings.Contains(errOut.String(), tc.want) {
				t.Fatalf("exit %d (want %d), stderr %q (want %q)", code, tc.code, errOut.String(), tc.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "typo.db")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("export created a database at a mistyped path: %v", err)
	}
	// Refused imports wrote nothing.
	st, err := store.Open(context.Background(), filepath.Join(dir, "b.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if exs, err := st.ListExercises(context.Background(), store.ListFilter{}); err != nil || len(exs) != 0 {
		t.Fatalf("refused imports left %d exercises (%v)", len(exs), err)
	}
}
