package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ttxsim/ttx/server/sim"
)

const exploreUsage = `Usage: ttx explore FILE [--max-paths N] [--max-depth N] [--cover-branches N] [--facilitator] [--param NAME=VALUE]... [--json]
Tries every option of every decision (and no answer) at every moment something can change.
If a bound stops it first, a coverage search tries to reach every state, outcome and option once.
--facilitator also reports what closing decisions early or extending them past the exit reaches.
Exit status: 0 no defects, 1 defects found or a bound was hit, 2 usage or load error.
`

// cmdExplore enumerates every path through a scenario and reports
// unreachable states, dead ends, cycles without progress and outcomes.
func cmdExplore(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("explore", exploreUsage, stderr)
	maxPaths := fs.Int("max-paths", sim.DefaultMaxPaths, "stop after exploring this many branches")
	maxDepth := fs.Int("max-depth", 5000, "stop when one path is longer than this many steps")
	coverBranches := fs.Int("cover-branches", 100000, "budget of the coverage search run when the full search stops early")
	var params kvFlag
	fs.Var(&params, "param", "set a scenario parameter (NAME=VALUE, repeatable)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	fac := fs.Bool("facilitator", false, "also search with the facilitator closing decisions early and extending them past the exit")
	files, code := parseArgs(fs, args, 1, 1, "FILE")
	if code >= 0 {
		return code
	}
	if *maxPaths <= 0 || *maxDepth <= 0 || *coverBranches <= 0 {
		fmt.Fprintln(stderr, "ttx explore: --max-paths, --max-depth and --cover-branches must be positive")
		return 2
	}
	sc, ok := loadScenario(files[0], stderr)
	if !ok {
		return 2
	}
	r, err := sim.Explore(sc, sim.ExploreOptions{Params: params.m, MaxPaths: *maxPaths, MaxDepth: *maxDepth, CoverBranches: *coverBranches, Facilitator: *fac})
	if err != nil {
		fmt.Fprintf(stderr, "ttx explore: %v\n", err)
		return 2
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			fmt.Fprintf(stderr, "ttx explore: %v\n", err)
			return 2
		}
	} else {
		writeReport(stdout, files[0], r)
	}
	if r.Limit != "" {
		fmt.Fprintf(stderr, "ttx explore: %s\n", r.Limit)
	}
	if r.Defects() > 0 {
		return 1
	}
	return 0
}

func writeReport(w io.Writer, file string, r *sim.Report) {
	reached := 0
	for _, s := range r.States {
		if s.Reached {
			reached++
		}
	}
	fmt.Fprintf(w, "explore %s (%s)\n", file, r.Scenario)
	if !r.Complete {
		writeIncomplete(w, r, reached)
	} else {
		fmt.Fprintf(w, "states: %d reachable, %d unreachable\n", reached, len(r.Unreachable))
		for _, s := range r.Unreachable {
			fmt.Fprintf(w, "  unreachable: %s (line %d): no path enters it\n", s.ID, s.Line)
		}
		fmt.Fprintf(w, "outcomes (%s paths):\n", pathCount(r.Paths))
		for _, o := range r.Outcomes {
			if o.Paths == 0 {
				fmt.Fprintf(w, "  %-14s %-8s %10s paths  (never reached)\n", o.Outcome, o.Rating, "0")
				continue
			}
			fmt.Fprintf(w, "  %-14s %-8s %10s paths  %s – %s  \"%s\"\n", o.Outcome, o.Rating, pathCount(o.Paths),
				sim.FormatDuration(o.Min), sim.FormatDuration(o.Max), o.Title)
		}
	}
	if len(r.DeadEnds) > 0 {
		fmt.Fprintln(w, "dead ends:")
		for _, d := range r.DeadEnds {
			fmt.Fprintf(w, "  %s (line %d): %s; %s paths\n", d.State, d.Line, d.Reason, pathCount(d.Paths))
			fmt.Fprintf(w, "    e.g. %s\n", strings.Join(d.Example, ", "))
		}
	}
	if len(r.Cycles) > 0 {
		fmt.Fprintln(w, "cycles without progress:")
		for _, c := range r.Cycles {
			fmt.Fprintf(w, "  %s -> %s: %s\n", strings.Join(c.States, " -> "), c.States[0], c.Reason)
			fmt.Fprintf(w, "    e.g. %s\n", strings.Join(c.Example, ", "))
		}
	}
	if len(r.Errors) > 0 {
		fmt.Fprintln(w, "run-time errors:")
		for _, e := range r.Errors {
			fmt.Fprintf(w, "  [%s] %s: %s\n", e.State, e.Code, e.Message)
			fmt.Fprintf(w, "    e.g. %s\n", strings.Join(e.Example, ", "))
		}
	}
	warn := func(title string, items []sim.ItemInfo) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintf(w, "warning: %s:\n", title)
		for _, it := range items {
			if it.Reason != "" {
				fmt.Fprintf(w, "  %s in %s (line %d): %s\n", it.ID, it.State, it.Line, it.Reason)
			} else {
				fmt.Fprintf(w, "  %s in %s (line %d)\n", it.ID, it.State, it.Line)
			}
		}
	}
	warn("decisions whose options never change anything", r.InertDecisions)
	warn("decisions never opened on any path", r.UnopenedDecisions)
	warn("injects never delivered on any path", r.UndeliveredInjects)
	if len(r.Variables) > 0 {
		if r.Complete {
			fmt.Fprintln(w, "variables (the values they take on the paths explored):")
		} else {
			fmt.Fprintln(w, "variables (the values they take on the paths followed; there may be others):")
		}
		for _, v := range r.Variables {
			switch {
			case v.Min != nil:
				fmt.Fprintf(w, "  %-14s %s – %s\n", v.ID, strconv.FormatFloat(*v.Min, 'g', -1, 64), strconv.FormatFloat(*v.Max, 'g', -1, 64))
			default:
				fmt.Fprintf(w, "  %-14s %s\n", v.ID, strings.Join(v.Values, ", "))
			}
		}
	}
	if len(r.VoteTies) > 0 {
		fmt.Fprintln(w, "vote ties (a tie goes to the tied option listed first; every option is tried, so ties reach nothing more):")
		for _, t := range r.VoteTies {
			fmt.Fprintf(w, "  %s in %s (line %d): %s\n", t.Decision, t.State, t.Line, strings.Join(t.Order, " > "))
		}
	}
	if f := r.Facilitator; f != nil {
		writeFacilitator(w, f)
	}
	fmt.Fprintf(w, "explored %d branches, %d distinct situations\n", r.Branches, r.Situations)
	if n := r.Defects(); n > 0 {
		fmt.Fprintf(w, "FAIL: %d defect(s)\n", n)
	} else {
		fmt.Fprintln(w, "OK: no defects")
	}
}

// writeIncomplete says first and plainly that the search stopped early,
// then what the full and the coverage search reached together, naming
// what neither did as not reached, never as unreachable.
func writeIncomplete(w io.Writer, r *sim.Report, reached int) {
	fmt.Fprintf(w, "INCOMPLETE: %s\n", r.Limit)
	fmt.Fprintln(w, "  Not every path was followed: what is not reached below may still be reachable, and outcomes are not counted.")
	c := r.Coverage
	if c == nil {
		c = &sim.Coverage{}
	}
	outcomes := 0
	for _, o := range r.Outcomes {
		if stateReached(r, o.State) {
			outcomes++
		}
	}
	fmt.Fprintf(w, "coverage search: %d paths from the start, %d branches", c.Probes, c.Branches)
	if c.Limit != "" {
		fmt.Fprintf(w, " (%s)", c.Limit)
	}
	fmt.Fprintf(w, "; with the full search it reached %d of %d states, %d of %d outcomes; %d option(s) never chosen\n",
		reached, len(r.States), outcomes, len(r.Outcomes), len(c.OptionsNotReached))
	fmt.Fprintf(w, "states: %d reached, %d not reached (search incomplete)\n", reached, len(r.States)-reached)
	for _, s := range c.StatesNotReached {
		fmt.Fprintf(w, "  not reached (search incomplete): %s (line %d)\n", s.ID, s.Line)
	}
	fmt.Fprintln(w, "outcomes (not counted: the search is incomplete):")
	for _, o := range r.Outcomes {
		what := "reached"
		if !stateReached(r, o.State) {
			what = "not reached (search incomplete)"
		}
		fmt.Fprintf(w, "  %-14s %-8s %s  \"%s\"\n", o.Outcome, o.Rating, what, o.Title)
	}
	if len(c.OptionsNotReached) > 0 {
		fmt.Fprintln(w, "options never chosen (search incomplete):")
		for _, o := range c.OptionsNotReached {
			fmt.Fprintf(w, "  %s=%s in %s (line %d)\n", o.Decision, o.Option, o.State, o.Line)
		}
	}
	fmt.Fprintln(w, "findings below were seen on the paths followed")
}

// writeFacilitator prints what the facilitator's actions reach that the
// teams' cannot, apart from the teams' findings.
func writeFacilitator(w io.Writer, f *sim.FacilitatorReport) {
	fmt.Fprintln(w, "facilitator: closing decisions early, extending them past the phase's exit, forcing the next phase early")
	if !f.Complete {
		fmt.Fprintln(w, "  (incomplete: a search stopped at a bound; what follows may miss some)")
	}
	if len(f.Reaches) == 0 {
		fmt.Fprintln(w, "  reaches nothing the teams cannot reach on their own")
	}
	for _, x := range f.Reaches {
		what := "state " + x.State
		if x.Outcome != "" {
			what = "outcome " + x.Outcome
		}
		fmt.Fprintf(w, "  facilitator can reach %s (line %d); teams alone cannot\n", what, x.Line)
		fmt.Fprintf(w, "    e.g. %s\n", strings.Join(x.Example, ", "))
	}
	for _, s := range f.ForceOnly {
		fmt.Fprintf(w, "  only by forcing: %s (line %d)\n", s.ID, s.Line)
	}
}

func stateReached(r *sim.Report, id string) bool {
	for _, s := range r.States {
		if s.ID == id {
			return s.Reached
		}
	}
	return false
}

func pathCount(n uint64) string {
	if n == ^uint64(0) {
		return ">=18446744073709551615"
	}
	return fmt.Sprint(n)
}
