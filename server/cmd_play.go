package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/ttxsim/ttx/server/scenario"
	"github.com/ttxsim/ttx/server/sim"
)

// cmdPlay dry-runs a scenario on a virtual clock and prints its timeline.
// The output is stable (golden files are checked against it).
func cmdPlay(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("play", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var choose, answerAt, params kvFlag
	fs.Var(&choose, "choose", "answer DECISION with OPTION when it opens (DECISION=OPTION, repeatable)")
	fs.Var(&answerAt, "answer-at", "answer DECISION this long after it opens instead (DECISION=DURATION, repeatable)")
	fs.Var(&params, "param", "set a scenario parameter (NAME=VALUE, repeatable)")
	speed := fs.Float64("speed", 1, "time compression the exercise would run at (only changes the printed wall-clock length)")
	until := fs.Duration("until", 0, "stop at this exercise time (default: 4x the scenario's duration, at least 24h)")
	asJSON := fs.Bool("json", false, "print the events as JSON lines")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: ttx play FILE [--choose DECISION=OPTION]... [--answer-at DECISION=DURATION]... [--param NAME=VALUE]... [--speed N] [--until DURATION] [--json]")
		fmt.Fprintln(stderr, "Runs a scenario on a virtual clock: chosen decisions are answered by the team lead when they open;")
		fmt.Fprintln(stderr, "the others take their default or expire. Prints one line per event.")
		fmt.Fprintln(stderr, "Exit status: 0 an outcome was reached, 1 the run ended without one, 2 usage or load error.")
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
	if *speed <= 0 || *speed > 1000 {
		fmt.Fprintln(stderr, "ttx play: --speed must be more than 0 and at most 1000")
		return 2
	}
	if *until < 0 {
		fmt.Fprintln(stderr, "ttx play: --until cannot be negative")
		return 2
	}
	delays := map[string]time.Duration{}
	for k, v := range answerAt.m {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			fmt.Fprintf(stderr, "ttx play: --answer-at %s=%s: want a duration such as 90s or 5m\n", k, v)
			return 2
		}
		delays[k] = d
	}
	sc, ok := loadScenario(files[0], stderr)
	if !ok {
		return 2
	}
	res, err := sim.Play(sc, sim.PlayOptions{Params: params.m, Choices: choose.m, Delays: delays, Until: *until})
	if err != nil {
		fmt.Fprintf(stderr, "ttx play: %s\n", strings.TrimPrefix(err.Error(), "sim: play: "))
		return 2
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, e := range res.Events {
			if err := enc.Encode(e); err != nil {
				fmt.Fprintf(stderr, "ttx play: %v\n", err)
				return 2
			}
		}
	} else {
		for _, e := range res.Events {
			fmt.Fprintln(stdout, sim.Line(e))
		}
	}
	for _, n := range res.Notes {
		fmt.Fprintf(stderr, "ttx play: %s\n", n)
	}
	summary := stdout
	if *asJSON {
		summary = stderr
	}
	wall := ""
	if *speed != 1 {
		wall = fmt.Sprintf("; would take %s at ×%s", sim.FormatDuration((time.Duration(float64(res.End) / *speed)).Round(time.Second)),
			strconv.FormatFloat(*speed, 'g', -1, 64))
	}
	if res.Done {
		fmt.Fprintf(summary, "== outcome %s (%s) \"%s\" after %s of exercise time%s\n", res.Outcome, ratingOrNone(res.Rating), res.Title, sim.FormatDuration(res.End), wall)
		return 0
	}
	fmt.Fprintf(summary, "== no outcome: %s (state %s at %s)%s\n", res.Stopped, res.State, sim.FormatClock(res.End), wall)
	return 1
}

func ratingOrNone(s string) string {
	if s == "" {
		return "no rating"
	}
	return s
}

// loadScenario reads a scenario, printing its problems the way validate does.
func loadScenario(path string, stderr io.Writer) (*scenario.Scenario, bool) {
	sc, err := scenario.Load(path)
	if err == nil {
		return sc, true
	}
	var list scenario.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			fmt.Fprintln(stderr, e.Error())
		}
		fmt.Fprintf(stderr, "%s: %d problem(s); run 'ttx validate %s'\n", path, len(list), path)
		return nil, false
	}
	fmt.Fprintf(stderr, "ttx: %v\n", err)
	return nil, false
}

// parseInterleaved parses flags given before, after or between positional
// arguments (ttx play FILE --choose ...). It returns the positional
// arguments, and an exit code >= 0 when the command must stop.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, int) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, 0
			}
			return nil, 2
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, -1
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), -1
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// kvFlag is a repeatable NAME=VALUE flag.
type kvFlag struct {
	m    map[string]string
	keys []string
}

func (p *kvFlag) String() string {
	if p == nil {
		return ""
	}
	var out []string
	for _, k := range p.keys {
		out = append(out, k+"="+p.m[k])
	}
	return strings.Join(out, ",")
}

func (p *kvFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	k = strings.TrimSpace(k)
	if !ok || k == "" {
		return fmt.Errorf("want NAME=VALUE, got %q", s)
	}
	if p.m == nil {
		p.m = map[string]string{}
	}
	if _, dup := p.m[k]; dup {
		return fmt.Errorf("%s is given twice", k)
	}
	p.m[k] = strings.TrimSpace(v)
	p.keys = append(p.keys, k)
	return nil
}
