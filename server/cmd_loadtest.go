package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/ttxsim/ttx/server/loadtest"
)

const loadtestUsage = `Usage: ttx loadtest [--spawn | --target URL] [workload flags] [--json FILE]
       ttx loadtest --suite standard --json bench.json
       ttx loadtest --cold-start
       ttx loadtest --participants 1000 --flood 1 --repeat 3

Drives a ttx server on loopback with simulated participants over real
WebSockets and reports fan-out latency, delivery, memory and CPU, next to a
minimal gorilla/websocket broadcast hub running the same workload (the
baseline). By default it spawns a fresh 'ttx serve' child (and a baseline
child) per run, so that server figures are the servers' own. Only loopback
targets (127.0.0.0/8, ::1) are accepted.

With --flood N, N more participants send valid client messages at
--flood-rate per second each while the injects go out, dialling again at once
whenever the server closes them; each run is paired with an unflooded one and
the report gives the other clients' p99 flooded / unflooded.

With --mode chat, every exercise has one team of --team-size participants,
each sending a line to the team's room every --interval for --duration;
the report gives the fan-out of every copy and what was lost.

With --target, log in with --user and the password from --password-file or
TTX_LOADTEST_PASSWORD; --pid enables memory and CPU figures for it.
Several --target URLs (repeated or comma-separated) are nodes of one
cluster: exercises are made through the first, participants join and connect
round-robin over all, as behind a plain load balancer; --pid and the server
figures are the first node's, the fan-out histogram is summed over all.

Flags:
`

// cmdLoadtest runs the load tool (or, hidden, serves the baseline hub).
func cmdLoadtest(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ttx loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		targets  targetList
		spreadEx = fs.Bool("spread-exercises", false, "several --target nodes: create the exercises round-robin over them too\n"+
			"(the node an exercise is created through drives it; default: all through the first)")
		spawn        = fs.Bool("spawn", false, "spawn a fresh 'ttx serve' child per run (the default without --target)")
		exe          = fs.String("exe", "", "ttx `binary` to spawn (default: this one)")
		suite        = fs.String("suite", "", "run a predefined plan: `standard` (what BENCHMARKS.md reports) or quick")
		mode         = fs.String("mode", "fanout", "`workload`: fanout (ad-hoc injects), ticking (scenario timers) or chat (team rooms)")
		participants = fs.Int("participants", 1000, "simulated participants (WebSockets) in all")
		exercises    = fs.Int("exercises", 1, "exercises the participants are spread over (ticking: 200 by default)")
		size         = fs.Int("size", 500, "ad-hoc inject body in `bytes`")
		injects      = fs.Int("injects", 0, "ad-hoc injects per exercise (default: rate × duration)")
		rate         = fs.Float64("rate", 5, "ad-hoc injects per second, all exercises together")
		duration     = fs.Duration("duration", 0, "fanout: broadcast phase (default 20s); ticking: how long each exercise runs (default 60s); chat: how long members send (default 60s)")
		address      = fs.String("address", loadtest.AddressAll, "which teams each inject goes to: all, rotate or mixed")
		scenarioID   = fs.String("scenario", "brand-hijack", "library scenario `id` the exercises are created from")
		speed        = fs.Float64("speed", 10, "ticking: time compression")
		teamSize     = fs.Int("team-size", 25, "chat: participants per exercise, all in one team room")
		interval     = fs.Duration("interval", 10*time.Second, "chat: time between one member's lines")
		repeat       = fs.Int("repeat", 1, "runs per fan-out workload; the run with the median p99 is reported")
		baseline     = fs.Bool("baseline", true, "run every fan-out workload against the baseline hub too")
		replay       = fs.Bool("replay", false, "fanout: connect with after=0 and replay the log, instead of resuming at its end")
		flood        = fs.Int("flood", 0, "fanout: `connections` that flood the server with client messages during the broadcast phase;\n"+
			"each run is then repeated with them, interleaved, and compared (flood_ratio_p99)")
		floodRate    = fs.Float64("flood-rate", 1000, "fanout: messages per second per flooding connection")
		floodKind    = fs.String("flood-kind", loadtest.FloodMixed, "fanout: what flooders send: presence, answer (to a decision that does not exist) or mixed")
		coldStart    = fs.Bool("cold-start", false, "time cold starts to /healthz (alone, or added to the workload)")
		coldRuns     = fs.Int("cold-start-runs", 5, "cold starts to time")
		jsonOut      = fs.String("json", "", "also write the report as JSON to this `file`")
		user         = fs.String("user", "admin", "--target: facilitator account `name`, or several with one password, comma-separated (each has its own message budget; they take the exercises in turn)")
		passwordFile = fs.String("password-file", "", "--target: read the password from the first line of this `file`")
		pid          = fs.Int("pid", 0, "--target: the server's process id, for memory and CPU figures")
		timeout      = fs.Duration("timeout", 45*time.Minute, "hard deadline for the whole run")
		serveBase    = fs.String("serve-baseline", "", "")
	)
	fs.Var(&targets, "target", "`URL` of a running ttx server on loopback (default: spawn one per run); repeated or\n"+
		"comma-separated for several nodes of one cluster: exercises are made through the first, participants spread over all")
	target := &targets.first
	fs.Usage = func() {
		fmt.Fprint(stderr, loadtestUsage)
		fs.VisitAll(func(f *flag.Flag) {
			if f.Name == "serve-baseline" {
				return // internal: how the tool starts its baseline child
			}
			name, usage := flag.UnquoteUsage(f)
			fmt.Fprintf(stderr, "  -%s %s\n    \t%s", f.Name, name, strings.ReplaceAll(usage, "\n", "\n    \t"))
			if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" {
				fmt.Fprintf(stderr, " (default %s)", f.DefValue)
			}
			fmt.Fprintln(stderr)
		})
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ttx loadtest: unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	if *serveBase != "" {
		return serveBaseline(ctx, *serveBase, log, stderr)
	}
	// This process holds thousands of client sockets and parses every
	// frame: collect less often, so that the clients take less of the
	// CPU the servers under test share with them.
	debug.SetGCPercent(400)
	if *target != "" && *spawn {
		fmt.Fprintln(stderr, "ttx loadtest: give --target or --spawn, not both")
		return 2
	}

	o := loadtest.Options{Baseline: *baseline, Repeat: *repeat, Log: log,
		BaselineArgs: func(addr string) []string { return []string{"loadtest", "--serve-baseline", addr} }}
	o.Exe = *exe
	if o.Exe == "" {
		self, err := os.Executable()
		if err != nil {
			fmt.Fprintf(stderr, "ttx loadtest: find this binary: %v\n", err)
			return 1
		}
		o.Exe = self
	}
	if *target != "" {
		for _, t := range targets.all() {
			if _, err := loadtest.CheckLoopback(t); err != nil {
				fmt.Fprintf(stderr, "ttx loadtest: %v\n", err)
				return 2
			}
		}
		pw, err := targetPassword(*passwordFile)
		if err != nil {
			fmt.Fprintf(stderr, "ttx loadtest: %v\n", err)
			return 2
		}
		names, err := accountNames(*user)
		if err != nil {
			fmt.Fprintf(stderr, "ttx loadtest: %v\n", err)
			return 2
		}
		o.Target, o.TargetPID, o.Cred = *target, *pid, loadtest.Credentials{Name: names[0], Password: pw, Others: names[1:]}
		o.Nodes = targets.rest
		o.SpreadExercises = *spreadEx
	}

	var plan loadtest.Plan
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case *suite != "":
		p, err := loadtest.SuitePlan(*suite)
		if err != nil {
			fmt.Fprintf(stderr, "ttx loadtest: %v\n", err)
			return 2
		}
		plan = p
		if !set["repeat"] && *suite == "standard" {
			o.Repeat = 3 // the performance note's method: median of 3
		}
	case *coldStart && !set["participants"] && !set["mode"]:
		// Cold start alone.
	case *mode == "fanout":
		d := *duration
		if d == 0 {
			d = 20 * time.Second
		}
		k := *injects
		if k == 0 {
			k = max(int(*rate*d.Seconds()), 1)
		}
		plan.Fanout = []loadtest.FanoutConfig{{Participants: *participants, Exercises: *exercises, Size: *size, Injects: k,
			Rate: *rate, Address: *address, Scenario: *scenarioID, Replay: *replay}}
		if set["flood"] {
			plan.Fanout[0].Flood, plan.Fanout[0].FloodRate, plan.Fanout[0].FloodKind = *flood, *floodRate, *floodKind
		}
		if err := plan.Fanout[0].Validate(); err != nil {
			fmt.Fprintf(stderr, "ttx loadtest: %v\n", err)
			return 2
		}
	case *mode == "ticking":
		d := *duration
		if d == 0 {
			d = time.Minute
		}
		e := *exercises
		if !set["exercises"] {
			e = 200
		}
		if !set["participants"] {
			*participants = 25 * e
		}
		plan.Ticking = &loadtest.TickingConfig{Exercises: e, PerExercise: max(*participants/e, 1), Speed: *speed, Window: d, Scenario: *scenarioID}
	case *mode == "chat":
		d := *duration
		if d == 0 {
			d = time.Minute
		}
		e := *exercises
		if !set["exercises"] {
			e = 200
		}
		plan.Chat = &loadtest.ChatConfig{Exercises: e, TeamSize: *teamSize, Interval: *interval, Window: d, Scenario: *scenarioID}
		if err := plan.Chat.Validate(); err != nil {
			fmt.Fprintf(stderr, "ttx loadtest: %v\n", err)
			return 2
		}
	default:
		fmt.Fprintf(stderr, "ttx loadtest: --mode must be fanout, ticking or chat, got %q\n", *mode)
		return 2
	}
	if *coldStart && plan.ColdStart == 0 {
		plan.ColdStart = *coldRuns
	}
	if o.Target != "" {
		plan.ColdStart = 0 // needs spawning
	}

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	rep, err := loadtest.Run(ctx, o, plan)
	if err != nil {
		fmt.Fprintf(stderr, "ttx loadtest: %v\n", err)
		return 1
	}
	rep.WriteTable(stdout)
	if *jsonOut != "" {
		f, err := os.Create(*jsonOut)
		if err != nil {
			fmt.Fprintf(stderr, "ttx loadtest: %v\n", err)
			return 1
		}
		werr := rep.WriteJSON(f)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			fmt.Fprintf(stderr, "ttx loadtest: %v\n", werr)
			return 1
		}
	}
	if len(rep.Errors) > 0 {
		return 1
	}
	return 0
}

// targetPassword reads the facilitator password for --target.
func targetPassword(file string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("password file: %w", err)
		}
		pw, _, _ := strings.Cut(string(b), "\n")
		return strings.TrimRight(pw, "\r"), nil
	}
	if pw := os.Getenv("TTX_LOADTEST_PASSWORD"); pw != "" {
		return pw, nil
	}
	return "", errors.New("--target needs the facilitator's password: --password-file FILE or TTX_LOADTEST_PASSWORD")
}

// serveBaseline is the hidden mode the tool spawns for its baseline hub.
func serveBaseline(ctx context.Context, addr string, log *slog.Logger, stderr io.Writer) int {
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		fmt.Fprintf(stderr, "ttx loadtest: --serve-baseline needs a loopback host:port, got %q\n", addr)
		return 2
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(stderr, "ttx loadtest: %v\n", err)
		return 1
	}
	if err := loadtest.ServeBaseline(ctx, ln, log); err != nil {
		fmt.Fprintf(stderr, "ttx loadtest: %v\n", err)
		return 1
	}
	return 0
}

// targetList is the --target flag: one URL, or several nodes of one
// cluster, the flag repeated or its value comma-separated.
type targetList struct {
	first string
	rest  []string
}

func (t *targetList) all() []string {
	if t.first == "" {
		return nil
	}
	return append([]string{t.first}, t.rest...)
}

func (t *targetList) String() string { return strings.Join(t.all(), ",") }

func (t *targetList) Set(v string) error {
	for _, u := range strings.Split(v, ",") {
		u = strings.TrimSpace(u)
		if u == "" {
			return errors.New("empty URL")
		}
		if t.first == "" {
			t.first = u
		} else {
			t.rest = append(t.rest, u)
		}
	}
	return nil
}

// accountNames splits --user: one account name or several separated by
// commas, none empty, none twice.
func accountNames(s string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, n := range strings.Split(s, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			return nil, fmt.Errorf("--user %q: an empty account name; give names separated by commas", s)
		}
		if seen[n] {
			return nil, fmt.Errorf("--user %q: account %q given twice", s, n)
		}
		seen[n] = true
		out = append(out, n)
	}
	return out, nil
}
