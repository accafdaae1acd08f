package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/ttxsim/ttx/server/sim"
)

// cmdGraph prints a scenario's branch graph as Mermaid or DOT.
func cmdGraph(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("graph", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "mermaid", "output format: mermaid or dot")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: ttx graph FILE [--format mermaid|dot]")
		fmt.Fprintln(stderr, "Prints the branch graph: states as nodes, transitions as labelled edges.")
		fmt.Fprintln(stderr, "Exit status: 0 printed, 2 usage or load error.")
		fs.PrintDefaults()
	}
	files, code := parseInterleaved(fs, args)
	if code >= 0 {
		return code
	}
	if len(files) != 1 {
		fs.Usage()
		return 2
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
