package main

import (
	"fmt"
	"io"

	"github.com/ttxsim/ttx/server/sim"
)

const graphUsage = `Usage: ttx graph FILE [--format mermaid|dot]
Prints the branch graph: states as nodes, transitions as labelled edges.
Exit status: 0 printed, 2 usage or load error.
`

// cmdGraph prints a scenario's branch graph as Mermaid or DOT.
func cmdGraph(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("graph", graphUsage, stderr)
	format := fs.String("format", "mermaid", "output format: mermaid or dot")
	files, code := parseArgs(fs, args, 1, 1, "FILE")
	if code >= 0 {
		return code
	}
	if *format != "mermaid" && *format != "dot" {
		fmt.Fprintf(stderr, "ttx graph: unknown format %q: use mermaid or dot\n", *format)
		return 2
	}
	sc, ok := loadScenario(files[0], stderr)
	if !ok {
		return 2
	}
	if *format == "dot" {
		fmt.Fprint(stdout, sim.DOT(sc))
	} else {
		fmt.Fprint(stdout, sim.Mermaid(sc))
	}
	return 0
}
