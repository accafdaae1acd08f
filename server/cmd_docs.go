package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ttxsim/ttx/server/config"
	"github.com/ttxsim/ttx/server/documents"
	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/eval"
	"github.com/ttxsim/ttx/server/msel"
	"github.com/ttxsim/ttx/server/scenario"
	"github.com/ttxsim/ttx/server/store"
)

const docsUsage = `Usage: ttx docs sitman|handbook FILE [-format md|html] [-param NAME=VALUE]...
       ttx docs msel FILE [-param NAME=VALUE]...
       ttx docs aar|debrief [-db FILE] EXERCISE_ID [-format md|html]
       ttx docs plan [-db FILE] EXERCISE_ID

Writes a document to standard output. From a scenario file:
  sitman    the situation manual for players (player-safe: nothing
            facilitator-only, nothing after the first module)
  handbook  the facilitator and evaluator handbook: everything, with the
            events list, notes, decisions, effects and the branch graph
  msel      the Master Scenario Events List as CSV, one row per inject
Parameters take their defaults unless given with -param.
From an exercise in a database (read only: safe while the server runs):
  aar       the after-action report and improvement plan
  debrief   the participants' debrief (player-safe)
  plan      the improvement plan as CSV
HTML is one self-contained, print-ready page: open it in a browser and
print to PDF. Exit status: 0 written, 1 scenario or exercise error, 2
usage error.

Flags:
`

// cmdDocs writes a scenario's SITMAN, handbook or MSEL.
func cmdDocs(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("docs", docsUsage, stderr)
	format := fs.String("format", "md", "md (Markdown) or html (print-ready page); msel and plan are always CSV")
	db := fs.String("db", defaultDB(os.Environ()), "SQLite database `file` of the exercise (aar, debrief, plan; env "+config.EnvDB+")")
	var params kvFlag
	fs.Var(&params, "param", "set a scenario parameter, NAME=VALUE (repeatable; scenario documents)")
	pos, code := parseArgs(fs, args, 2, 2, "document and FILE or EXERCISE_ID")
	if code >= 0 {
		return code
	}
	kind, file := pos[0], pos[1]
	switch kind {
	case "sitman", "handbook", "msel", "aar", "debrief", "plan":
	default:
		fmt.Fprintf(stderr, "ttx docs: unknown document %q: use sitman, handbook, msel, aar, debrief or plan\n", kind)
		return 2
	}
	if *format != "md" && *format != "html" {
		fmt.Fprintf(stderr, "ttx docs: unknown format %q: use md or html\n", *format)
		return 2
	}
	switch kind {
	case "aar", "debrief", "plan":
		if len(params.m) > 0 {
			fmt.Fprintln(stderr, "ttx docs: -param is for scenario documents; an exercise has its own parameters")
			return 2
		}
		return exerciseDoc(kind, *db, file, *format, stdout, stderr)
	}
	sc, ok := loadScenario(file, stderr)
	if !ok {
		return 1
	}
	values, err := sc.Params(params.m)
	if err != nil {
		fmt.Fprintf(stderr, "ttx docs: %v\n", err)
		return 2
	}
	var out []byte
	switch kind {
	case "msel":
		if out, err = msel.Export(sc, values); err != nil {
			fmt.Fprintf(stderr, "ttx docs: %v\n", err)
			return 1
		}
	case "sitman":
		out = render(documents.SITMAN(sc, values), *format)
	case "handbook":
		out = render(documents.Handbook(sc, values), *format)
	}
	if _, err := stdout.Write(out); err != nil {
		fmt.Fprintf(stderr, "ttx docs: %v\n", err)
		return 1
	}
	return 0
}

// exerciseDoc writes an exercise's AAR, debrief or plan, reading the
// database without owning it (like export): the exercise as one
// consistent archive, its observers' names, and the evaluation computed
// from its log.
func exerciseDoc(kind, db, id, format string, stdout, stderr io.Writer) int {
	// Opening creates a missing database; a document must not leave an
	// empty file behind a mistyped path.
	if _, err := os.Stat(db); err != nil {
		fmt.Fprintf(stderr, "ttx docs: database %s: %v\n", db, errors.Unwrap(err))
		return 1
	}
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Options{Readers: 2})
	if err != nil {
		fmt.Fprintf(stderr, "ttx docs: %v\n", err)
		return 1
	}
	defer st.Close()
	a, err := engine.Export(ctx, st, id, time.Now(), "ttx docs")
	if errors.Is(err, engine.ErrNotFound) {
		fmt.Fprintf(stderr, "ttx docs: no exercise %q in %s\n", id, db)
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "ttx docs: %v\n", err)
		return 1
	}
	sc, err := scenario.Parse(a.Scenario.Slug+".yaml", []byte(a.Scenario.Source))
	if err != nil {
		fmt.Fprintf(stderr, "ttx docs: the exercise's scenario: %v\n", err)
		return 1
	}
	params, err := sc.Params(a.Exercise.Params)
	if err != nil {
		fmt.Fprintf(stderr, "ttx docs: %v\n", err)
		return 1
	}
	info := documents.ExerciseInfo{ID: a.Exercise.ID, Title: a.Exercise.Title, Status: a.Exercise.Status, Outcome: a.Exercise.Outcome,
		Created: a.Exercise.CreatedAt, Started: a.Exercise.StartedAt, Ended: a.Exercise.EndedAt}
	names := map[string]string{}
	for _, p := range a.Participants {
		names[p.ID] = p.Name
		if p.LeftAt.IsZero() {
			info.Participants = append(info.Participants, documents.Person{Name: p.Name, Team: p.Team, Lead: p.Lead})
		}
	}
	obs, err := st.Observers(ctx, id)
	if err != nil {
		fmt.Fprintf(stderr, "ttx docs: %v\n", err)
		return 1
	}
	for _, o := range obs {
		names[o.ID] = o.Name
		info.Observers = append(info.Observers, o.Name)
	}
	ev, err := eval.Compute(eval.Input{Scenario: sc, Events: a.Events, Names: names})
	if err != nil {
		fmt.Fprintf(stderr, "ttx docs: %v\n", err)
		return 1
	}
	var out []byte
	switch kind {
	case "aar":
		out = render(documents.AAR(sc, params, info, ev, a.Events), format)
	case "debrief":
		out = render(documents.Debrief(sc, params, info, ev, a.Events), format)
	case "plan":
		if out, err = documents.PlanCSV(sc, params, ev); err != nil {
			fmt.Fprintf(stderr, "ttx docs: %v\n", err)
			return 1
		}
	}
	if _, err := stdout.Write(out); err != nil {
		fmt.Fprintf(stderr, "ttx docs: %v\n", err)
		return 1
	}
	return 0
}

func render(d documents.Doc, format string) []byte {
	if format == "html" {
		return d.HTML()
	}
	return append(d.Markdown(), '\n')
}

const mselUsage = `Usage: ttx msel import FILE.csv

Reads a Master Scenario Events List as CSV (comma or semicolon separated;
a header row naming the columns: Time, From, To, Channel, Subject,
Message, and optionally No., Module, Story time, Expected action,
Objective, Capability, Notes) and writes a scenario skeleton as YAML to
standard output: injects at their times, a persona per sender, a team per
recipient, one state per module. Times may be 0:15 (H:MM), 0:04:30, 15m,
1h30m or D+0 H+1 M+30. Problems are printed as row and column.
Exit status: 0 written, 1 problems in the file, 2 usage error.

Flags:
`

// cmdMsel imports an events list as a scenario skeleton.
func cmdMsel(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("msel", mselUsage, stderr)
	pos, code := parseArgs(fs, args, 2, 2, "'import' and FILE.csv")
	if code >= 0 {
		return code
	}
	if pos[0] != "import" {
		fmt.Fprintf(stderr, "ttx msel: unknown action %q: use import\n", pos[0])
		return 2
	}
	f, err := os.Open(pos[1])
	if err != nil {
		fmt.Fprintf(stderr, "ttx msel: %v\n", err)
		return 1
	}
	defer f.Close()
	y, err := msel.Import(f)
	var probs msel.Problems
	if errors.As(err, &probs) {
		for _, p := range probs {
			fmt.Fprintf(stderr, "%s: %s\n", pos[1], p.Error())
		}
		fmt.Fprintf(stderr, "%s: %d problem(s)\n", pos[1], len(probs))
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "ttx msel: %v\n", err)
		return 1
	}
	if _, err := stdout.Write(y); err != nil {
		fmt.Fprintf(stderr, "ttx msel: %v\n", err)
		return 1
	}
	return 0
}
