package main

import (
	"bytes"
	"context"
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

func TestCmdDocs(t *testing.T) {
	golden := func(name string) string {
		b, err := os.ReadFile(filepath.Join("documents", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout string // exact stdout, when set
		has    []string
		stderr string
	}{
		{"sitman md", []string{"sitman", "../scenarios/example.yaml"}, 0, golden("example-hijacked-account.sitman.md") + "\n", nil, ""},
		{"handbook html", []string{"handbook", "../scenarios/example.yaml", "-format", "html"}, 0, golden("example-hijacked-account.handbook.html"), nil, ""},
		{"msel", []string{"msel", "../scenarios/example.yaml"}, 0, golden("example-hijacked-account.msel.csv"), nil, ""},
		{"param", []string{"sitman", "-param", "company=Acme Bank", "../scenarios/example.yaml"}, 0, "", []string{"You run Acme Bank's public channels"}, ""},
		{"unknown param", []string{"sitman", "../scenarios/example.yaml", "-param", "nope=1"}, 2, "", nil, `unknown parameter "nope"`},
		{"unknown document", []string{"sitrep", "../scenarios/example.yaml"}, 2, "", nil, `unknown document "sitrep"`},
		{"unknown format", []string{"sitman", "../scenarios/example.yaml", "-format", "pdf"}, 2, "", nil, `unknown format "pdf"`},
		{"missing file", []string{"handbook", "nope.yaml"}, 1, "", nil, "nope.yaml"},
		{"no file", []string{"sitman"}, 2, "", nil, "give 2 to 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(append([]string{"docs"}, c.args...), &out, &errOut); code != c.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, c.code, errOut.String())
			}
			if c.stdout != "" && out.String() != c.stdout {
				t.Errorf("stdout differs from the golden file (%d bytes, want %d)", out.Len(), len(c.stdout))
			}
			for _, s := range c.has {
				if !strings.Contains(out.String(), s) {
					t.Errorf("stdout lacks %q", s)
				}
			}
			if c.stderr != "" && !strings.Contains(errOut.String(), c.stderr) {
				t.Errorf("stderr %q lacks %q", errOut.String(), c.stderr)
			}
		})
	}
}

// TestCmdMselImport: an exported events list comes back as a scenario
// that validates; a bad cell is reported at its row and column.
func TestCmdMselImport(t *testing.T) {
	dir := t.TempDir()
	var csv, errOut bytes.Buffer
	if code := run([]string{"docs", "msel", "../scenarios/outage-comms.yaml"}, &csv, &errOut); code != 0 {
		t.Fatalf("export: exit %d: %s", code, errOut.String())
	}
	good := filepath.Join(dir, "list.csv")
	if err := os.WriteFile(good, csv.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	var y bytes.Buffer
	if code := run([]string{"msel", "import", good}, &y, &errOut); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errOut.String())
	}
	if _, err := scenario.Parse("imported.yaml", y.Bytes()); err != nil {
		t.Fatalf("the skeleton does not validate: %v", err)
	}

	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("Time,Channel,Message\n5m,pigeon,Coo\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	errOut.Reset()
	if code := run([]string{"msel", "import", bad}, &out, &errOut); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if out.Len() != 0 || !strings.Contains(errOut.String(), `bad.csv: row 2, column 2 (Channel): unknown channel "pigeon"`) {
		t.Errorf("stdout %q stderr %q", out.String(), errOut.String())
	}
	errOut.Reset()
	if code := run([]string{"msel", "export", good}, &out, &errOut); code != 2 {
		t.Errorf("msel export: exit %d, want 2", code)
	}
}

// TestCmdDocsExercise: the AAR, debrief and plan of a played exercise,
// read from its database without owning it; the AAR shows an observer's
// rating and the plan, the debrief neither.
func TestCmdDocsExercise(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ttx.db")
	id := seedExercise(t, db, true)
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateObserver(ctx, store.Observer{ID: "obs1", ExerciseID: id, Name: "Olga Observer", TokenHash: "h", CreatedAt: exportT0}); err != nil {
		t.Fatal(err)
	}
	eng := engine.New(st, enginetest.NewFakeClock(exportT0.Add(time.Hour)), nil, nil)
	if _, err := eng.Rate(ctx, id, engine.RatingInput{ClientID: "r1", Rater: "obs1", RaterName: "Olga Observer", Objective: "inform",
		Rating: "M", Explanation: "RATING-TEXT the statement came late"}); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.SaveCorrectiveAction(ctx, id, engine.ActionInput{ClientID: "a1", ID: "tmpl", Objective: "inform",
		Issue: "PLAN-TEXT no holding statement template", Action: "Write one", Due: "2027-01-31"}); err != nil {
		t.Fatal(err)
	}
	eng.Close()
	st.Close()
	missing := filepath.Join(t.TempDir(), "missing.db")

	for _, c := range []struct {
		args        []string
		code        int
		has, hasnt  []string
		errContains string
	}{
		{[]string{"aar", "-db", db, id}, 0, []string{"# After-Action Report / Improvement Plan", "RATING-TEXT the statement came late",
			"PLAN-TEXT no holding statement template", "Olga Observer", "Lead comms"}, nil, ""},
		{[]string{"aar", "-db", db, id, "-format", "html"}, 0, []string{"<!DOCTYPE html>", "RATING-TEXT"}, []string{"<script"}, ""},
		{[]string{"debrief", "-db", db, id}, 0, []string{"# Participants' Debrief", "What each team decided"},
			[]string{"RATING-TEXT", "PLAN-TEXT", "Olga", "Facilitator only"}, ""},
		{[]string{"plan", "-db", db, id}, 0, []string{"Objective,Capability,Issue / area for improvement", "PLAN-TEXT no holding statement template,Write one"}, nil, ""},
		{[]string{"aar", "-db", db, "nope"}, 1, nil, nil, `no exercise "nope"`},
		{[]string{"aar", "-db", missing, id}, 1, nil, nil, "missing.db"},
		{[]string{"plan", "-db", db, id, "-param", "company=X"}, 2, nil, nil, "-param is for scenario documents"},
	} {
		t.Run(strings.Join(c.args[:1], " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(append([]string{"docs"}, c.args...), &out, &errOut); code != c.code {
				t.Fatalf("%v: exit %d, want %d: %s", c.args, code, c.code, errOut.String())
			}
			for _, s := range c.has {
				if !strings.Contains(out.String(), s) {
					t.Errorf("%v: output lacks %q", c.args, s)
				}
			}
			for _, s := range c.hasnt {
				if strings.Contains(out.String(), s) {
					t.Errorf("%v: output holds %q", c.args, s)
				}
			}
			if !strings.Contains(errOut.String(), c.errContains) {
				t.Errorf("%v: stderr %q lacks %q", c.args, errOut.String(), c.errContains)
			}
		})
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("a document created a missing database")
	}
}
