// Command ttx runs cyber-incident tabletop exercises: a live server for
// facilitators and teams, and subcommands for scenario authors.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// command is one subcommand of the ttx binary.
type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

// commands lists every subcommand. Each lives in its own cmd_*.go file.
func commands() map[string]command {
	return map[string]command{
		"serve":       {"run the live exercise server (default)", cmdServe},
		"validate":    {"check scenario files; exit 1 with file:line:col errors", cmdValidate},
		"play":        {"dry-run a scenario on a virtual clock and print its timeline", cmdPlay},
		"explore":     {"enumerate every path through a scenario and report defects", cmdExplore},
		"graph":       {"print a scenario's branch graph as Mermaid or DOT", cmdGraph},
		"version":     {"print the version of this build", cmdVersion},
		"user":        {"add facilitator accounts and reset their passwords", cmdUser},
		"healthcheck": {"probe the local server's /healthz; exit 0 if healthy (for containers)", cmdHealthcheck},
		"export":      {"write an exercise (scenario, teams, participants, event log) to a JSON file", cmdExport},
		"import":      {"load an exercise written by 'ttx export' into a database", cmdImport},
		"migrate":     {"copy a SQLite database into PostgreSQL, and check the copy", cmdMigrate},
		"loadtest":    {"measure fan-out, timers and cold start against a loopback server and a baseline hub", cmdLoadtest},
		"docs":        {"write a scenario's SITMAN, handbook or MSEL (CSV), or an exercise's AAR/IP, debrief or plan", cmdDocs},
		"msel":        {"import an events list (CSV) as a scenario skeleton (YAML)", cmdMsel},
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches to a subcommand; with no subcommand (or only flags) it serves.
func run(args []string, stdout, stderr io.Writer) int {
	cmds := commands()
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && args[0] != "-h" && args[0] != "--help" && args[0] != "-help" {
		return cmds["serve"].run(args, stdout, stderr)
	}
	name := args[0]
	switch name {
	case "-h", "--help", "-help", "help":
		usage(stdout, cmds)
		return 0
	}
	c, ok := cmds[name]
	if !ok {
		fmt.Fprintf(stderr, "ttx: unknown command %q\n\n", name)
		usage(stderr, cmds)
		return 2
	}
	return c.run(args[1:], stdout, stderr)
}

func usage(w io.Writer, cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "ttx — cyber-incident tabletop exercises")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: ttx [command] [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'ttx COMMAND -h' for a command's flags.")
}
