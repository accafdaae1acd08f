package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/ttxsim/ttx/server/sim"
)

const playUsage = `Usage: ttx play FILE [--choose DECISION=OPTION]... [--answer-at DECISION=DURATION]... [--act "TIME TEAM ACTION TARGET"]... [--param NAME=VALUE]... [--speed N] [--until DURATION] [--json]
Runs a scenario on a virtual clock: chosen decisions are answered by the team lead when they open;
the others take their default or expire. Acts are team actions at exercise times:
"6m comms publish newsroom", "3m comms reply reporter_email", "4m soc send platform_support".
Prints one line per event.
Exit status: 0 an outcome was reached, 1 the run ended without one, 2 usage or load error.
`

// cmdPlay dry-runs a scenario on a virtual clock and prints its timeline.
// The output is stable (golden files are checked against it).
func cmdPlay(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("play", playUsage, stderr)
	var choose, answerAt, params kvFlag
	fs.Var(&choose, "choose", "answer DECISION with OPTION when it opens (DECISION=OPTION, repeatable)")
	fs.Var(&answerAt, "answer-at", "answer DECISION this long after it opens instead (DECISION=DURATION, repeatable)")
	fs.Var(&params, "param", "set a scenario parameter (NAME=VALUE, repeatable)")
	var acts listFlag
	fs.Var(&acts, "act", `a team action at an exercise time: "6m comms publish OUTLET", "3m comms reply INJECT" or "4m soc send PERSONA" (repeatable)`)
	speed := fs.Float64("speed", 1, "time compression the exercise would run at (only changes the printed wall-clock length)")
	until := fs.Duration("until", 0, "stop at this exercise time (default: 4x the scenario's duration, at least 24h)")
	asJSON := fs.Bool("json", false, "print the events as JSON lines")
	files, code := parseArgs(fs, args, 1, 1, "FILE")
	if code >= 0 {
		return code
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
	var scripted []sim.Act
	for _, a := range acts {
		act, err := sim.ParseAct(a)
		if err != nil {
			fmt.Fprintf(stderr, "ttx play: --act %q: %v\n", a, err)
			return 2
		}
		scripted = append(scripted, act)
	}
	sc, ok := loadScenario(files[0], stderr)
	if !ok {
		return 2
	}
	res, err := sim.Play(sc, sim.PlayOptions{Params: params.m, Choices: choose.m, Delays: delays, Acts: scripted, Until: *until})
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

// listFlag collects the values of a repeatable flag, in order.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, "; ") }

func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}
