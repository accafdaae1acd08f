package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/ttxsim/ttx/server/documents"
	"github.com/ttxsim/ttx/server/msel"
)

const docsUsage = `Usage: ttx docs sitman|handbook FILE [-format md|html] [-param NAME=VALUE]...
       ttx docs msel FILE [-param NAME=VALUE]...

Writes a document made from a scenario file to standard output:
  sitman    the situation manual for players (player-safe: nothing
            facilitator-only, nothing after the first module)
  handbook  the facilitator and evaluator handbook: everything, with the
            events list, notes, decisions, effects and the branch graph
  msel      the Master Scenario Events List as CSV, one row per inject
Parameters take their defaults unless given with -param. HTML is one
self-contained, print-ready page: open it in a browser and print to PDF.
Exit status: 0 written, 1 scenario error, 2 usage error.

Flags:
`

// cmdDocs writes a scenario's SITMAN, handbook or MSEL.
func cmdDocs(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("docs", docsUsage, stderr)
	format := fs.String("format", "md", "md (Markdown) or html (print-ready page); msel is always CSV")
	var params kvFlag
	fs.Var(&params, "param", "set a scenario parameter, NAME=VALUE (repeatable)")
	pos, code := parseArgs(fs, args, 2, 2, "document and FILE")
	if code >= 0 {
		return code
	}
	kind, file := pos[0], pos[1]
	switch kind {
	case "sitman", "handbook", "msel":
	default:
		fmt.Fprintf(stderr, "ttx docs: unknown document %q: use sitman, handbook or msel\n", kind)
		return 2
	}
	if *format != "md" && *format != "html" {
		fmt.Fprintf(stderr, "ttx docs: unknown format %q: use md or html\n", *format)
		return 2
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
