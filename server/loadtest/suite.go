package loadtest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Plan is what one run of the tool measures.
type Plan struct {
	Fanout    []FanoutConfig
	Ticking   *TickingConfig
	Chat      *ChatConfig
	ColdStart int // cold starts to time (each: a new database, then a restart); 0: none
}

// SuitePlan returns a predefined plan. "standard" is the one BENCHMARKS.md
// reports: fan-out at 100, 1,000 and 5,000 participants in one exercise,
// every inject to every team (100 injects of 500 bytes at 5/s, the
// baseline method of the performance note), a team-filtering check at
// 1,000 participants over 10 exercises, 200 exercises × 25 participants
// ticking at ×10 for 60 s, and 5 cold starts. The 1,000-participant
// fan-out is also run with one more participant flooding the server at
// 1,000 messages a second, interleaved with the unflooded runs (reliability
// test 6). "quick" is a small version for trying the tool.
func SuitePlan(name string) (Plan, error) {
	fan := func(n, e int, addr string) FanoutConfig {
		return FanoutConfig{Participants: n, Exercises: e, Size: 500, Injects: 100 / e, Rate: 5, Address: addr}
	}
	flood := func(c FanoutConfig) FanoutConfig {
		c.Flood, c.FloodRate, c.FloodKind = 1, defaultFloodRate, FloodMixed
		return c
	}
	switch name {
	case "standard":
		return Plan{
			Fanout:    []FanoutConfig{fan(100, 1, AddressAll), flood(fan(1000, 1, AddressAll)), fan(5000, 1, AddressAll), fan(1000, 10, AddressMixed)},
			Ticking:   &TickingConfig{Exercises: 200, PerExercise: 25, Speed: 10, Window: time.Minute},
			ColdStart: 5,
		}, nil
	case "quick":
		return Plan{
			Fanout:    []FanoutConfig{flood(fan(100, 1, AddressAll)), fan(500, 5, AddressMixed)},
			Ticking:   &TickingConfig{Exercises: 20, PerExercise: 10, Speed: 10, Window: 15 * time.Second},
			ColdStart: 3,
		}, nil
	}
	return Plan{}, fmt.Errorf("loadtest: unknown suite %q (want standard or quick)", name)
}

// Options say where the servers come from.
type Options struct {
	// Exe is the ttx binary to spawn servers from (Target empty), and to
	// spawn the baseline and cold starts from.
	Exe string
	// Target is the URL of a running ttx server on loopback; empty to
	// spawn a fresh server for each run. TargetPID, when known, enables
	// the memory and CPU figures for it.
	Target    string
	TargetPID int
	// Nodes are further nodes of Target's cluster: participants join and
	// connect round-robin over Target and Nodes (see Endpoint.Nodes).
	Nodes []string
	// SpreadExercises creates exercises round-robin over the nodes too.
	SpreadExercises bool
	Cred            Credentials // for Target
	// Baseline runs every fan-out workload against the baseline hub too.
	Baseline bool
	// BaselineArgs are the arguments that make Exe serve the baseline hub
	// on addr.
	BaselineArgs func(addr string) []string
	Repeat       int // runs per fan-out workload; the median run is reported
	TempDir      string
	Log          *slog.Logger
}

// Report is everything one run of the tool measured.
type Report struct {
	Started  time.Time     `json:"started"`
	Finished time.Time     `json:"finished"`
	Machine  Machine       `json:"machine"`
	Fanout   []*FanoutCase `json:"fanout,omitempty"`
	// MemorySlopes is the marginal memory of an idle connection between
	// consecutive sizes of the one-exercise, every-team fan-out workloads.
	MemorySlopes []MemorySlope    `json:"memory_slopes,omitempty"`
	Ticking      *TickingResult   `json:"ticking,omitempty"`
	Chat         *ChatResult      `json:"chat,omitempty"`
	ColdStart    *ColdStartResult `json:"cold_start,omitempty"`
	Targets      []TargetCheck    `json:"targets,omitempty"`
	Errors       []string         `json:"errors,omitempty"`
}

// Machine describes where the figures were taken.
type Machine struct {
	CPUs       int        `json:"cpus"`
	GoVersion  string     `json:"go"`
	OS         string     `json:"os"`
	Kernel     string     `json:"kernel,omitempty"`
	MemTotal   int64      `json:"mem_total,omitempty"`
	LoadBefore [3]float64 `json:"load_before"`
	LoadAfter  [3]float64 `json:"load_after"`
}

// FanoutCase is one fan-out workload: the median ttx and baseline runs and
// their ratios.
type FanoutCase struct {
	Config   FanoutConfig       `json:"config"`
	TTX      *FanoutResult      `json:"ttx,omitempty"`
	Baseline *FanoutResult      `json:"baseline,omitempty"`
	Ratios   map[string]float64 `json:"ratios,omitempty"` // ttx / baseline
	// Every run's p99 (ms), and deliveries lost over all ttx runs.
	TTXp99      []float64 `json:"ttx_runs_p99_ms"`
	BaselineP99 []float64 `json:"baseline_runs_p99_ms,omitempty"`
	RunsLoad    []float64 `json:"ttx_runs_load_avg"`
	Lost        int64     `json:"ttx_lost"`
	BaseLost    int64     `json:"baseline_lost"`
	// Flood compares ttx under a flood with the unflooded ttx runs above
	// (nil: the workload has no flood).
	Flood *FloodCase `json:"flood,omitempty"`
}

// FloodCase is the flooded side of a fan-out workload: the same clients and
// injects with Config.Flood more connections flooding, run interleaved with
// the unflooded runs of the same invocation.
type FloodCase struct {
	TTX      *FanoutResult      `json:"ttx"`              // the flooded run with the median p99
	RunsP99  []float64          `json:"runs_p99_ms"`      // every flooded run's p99
	RunsLoad []float64          `json:"runs_load_avg"`    // load average when each flooded run's broadcast phase ended
	Lost     int64              `json:"lost"`             // deliveries lost over all flooded runs
	RatioP99 float64            `json:"flood_ratio_p99"`  // median flooded p99 / median unflooded p99 (target ≤ 2)
	Ratios   map[string]float64 `json:"ratios,omitempty"` // flooded / unflooded, for every latency figure
}

// MemorySlope is the marginal memory of an idle connection from one
// fan-out workload to the next larger one (one exercise, every inject to
// every team): how much more anonymous memory (idle − before connecting) grew at
// the larger size, divided by the connections added. The fixed costs that
// dominate IdleBytesPerConn at small sizes (the Go heap's minimum and its
// growth steps, the SQLite page cache) cancel out, so this is the cost of
// one more connection. Each side is the reported (median) run of its
// workload. A nil figure is not available: a run or its memory figures are
// missing, or the slope is not positive (the noise exceeds the growth);
// Notes say which.
type MemorySlope struct {
	From     int      `json:"from"` // participants of the smaller workload
	To       int      `json:"to"`   // participants of the larger workload
	TTX      *float64 `json:"ttx_bytes_per_conn"`
	Baseline *float64 `json:"baseline_bytes_per_conn"`
	Ratio    *float64 `json:"ratio"` // ttx / baseline
	Notes    []string `json:"notes,omitempty"`
}

// TargetCheck is one target of the issue, measured.
type TargetCheck struct {
	Name     string `json:"name"`
	Target   string `json:"target"`
	Measured string `json:"measured"`
	Pass     bool   `json:"pass"`
	// NotAvailable marks a target the run could not measure; Pass is then
	// false.
	NotAvailable bool `json:"not_available,omitempty"`
}

// idleConnTarget is the memory target per idle connection.
const idleConnTarget = 32 << 10

// Run executes the plan. Each fan-out run gets a fresh ttx server (when
// spawning) and a fresh baseline process, so that memory and CPU figures
// belong to that run alone.
func Run(ctx context.Context, o Options, plan Plan) (*Report, error) {
	log := logOr(o.Log)
	if o.Repeat < 1 {
		o.Repeat = 1
	}
	if o.Target == "" && o.Exe == "" {
		return nil, errors.New("loadtest: give a target URL or a ttx binary to spawn")
	}
	if o.Target == "" && len(o.Nodes) > 0 {
		return nil, errors.New("loadtest: further nodes need a target")
	}
	for _, t := range append([]string{o.Target}, o.Nodes...) {
		if t == "" {
			continue
		}
		if _, err := CheckLoopback(t); err != nil {
			return nil, err
		}
	}
	rep := &Report{Started: time.Now(), Machine: machine()}
	defer func() {
		rep.Finished = time.Now()
		rep.Machine.LoadAfter = loadAvg()
	}()
	fail := func(err error) {
		log.Error("run failed", "error", err)
		if len(rep.Errors) < 50 {
			rep.Errors = append(rep.Errors, err.Error())
		}
	}

	if plan.ColdStart > 0 && o.Exe != "" {
		log.Info("timing cold starts", "runs", plan.ColdStart)
		cs, err := ColdStart(ctx, o.Exe, o.TempDir, plan.ColdStart)
		if err != nil {
			fail(err)
		}
		rep.ColdStart = cs
	}

	for _, cfg := range plan.Fanout {
		cfg = cfg.withDefaults()
		fc := &FanoutCase{Config: cfg}
		// The unflooded runs and the baseline get the workload without
		// its flood; the flooded run follows each unflooded one.
		plain := cfg
		plain.Flood, plain.FloodRate, plain.FloodKind = 0, 0, ""
		var ttxRuns, baseRuns, floodRuns []*FanoutResult
		for r := range o.Repeat {
			if ctx.Err() != nil {
				break
			}
			log.Info("fan-out run", "participants", cfg.Participants, "exercises", cfg.Exercises, "address", cfg.Address, "run", r+1)
			tr, err := withTTX(ctx, o, func(ep Endpoint, cred Credentials) (*FanoutResult, error) {
				return RunTTXFanout(ctx, ep, cred, plain, log)
			})
			if err != nil {
				fail(fmt.Errorf("ttx fan-out N=%d: %w", cfg.Participants, err))
				continue
			}
			ttxRuns = append(ttxRuns, tr)
			if cfg.Flood > 0 && ctx.Err() == nil {
				log.Info("fan-out run under a flood", "participants", cfg.Participants, "flooders", cfg.Flood, "rate", cfg.FloodRate, "run", r+1)
				fr, err := withTTX(ctx, o, func(ep Endpoint, cred Credentials) (*FanoutResult, error) {
					return RunTTXFanout(ctx, ep, cred, cfg, log)
				})
				if err != nil {
					fail(fmt.Errorf("ttx fan-out N=%d under a flood: %w", cfg.Participants, err))
				} else {
					floodRuns = append(floodRuns, fr)
				}
			}
			if !o.Baseline || cfg.Address != AddressAll || o.Exe == "" {
				continue
			}
			bcfg := plain
			bcfg.FramePad = tr.FrameBytes
			br, err := withBaseline(ctx, o, func(ep Endpoint) (*FanoutResult, error) {
				return RunBaselineFanout(ctx, ep, bcfg, log)
			})
			if err != nil {
				fail(fmt.Errorf("baseline fan-out N=%d: %w", cfg.Participants, err))
				continue
			}
			baseRuns = append(baseRuns, br)
		}
		fc.TTX, fc.TTXp99, fc.Lost = medianRun(ttxRuns)
		for _, r := range ttxRuns {
			fc.RunsLoad = append(fc.RunsLoad, r.LoadAvg)
		}
		fc.Baseline, fc.BaselineP99, fc.BaseLost = medianRun(baseRuns)
		fc.Ratios = ratios(fc.TTX, fc.Baseline)
		if cfg.Flood > 0 {
			fc.Flood = floodCase(fc.TTX, floodRuns)
		}
		rep.Fanout = append(rep.Fanout, fc)
	}
	rep.MemorySlopes = memorySlopes(rep.Fanout)

	if plan.Ticking != nil && ctx.Err() == nil {
		tc := *plan.Ticking
		log.Info("ticking run", "exercises", tc.Exercises, "per_exercise", tc.PerExercise, "speed", tc.Speed, "window", tc.Window)
		tr, err := withTTX(ctx, o, func(ep Endpoint, cred Credentials) (*TickingResult, error) {
			return RunTicking(ctx, ep, cred, tc, log)
		})
		rep.Ticking = tr
		if err != nil {
			fail(fmt.Errorf("ticking: %w", err))
		}
	}
	if plan.Chat != nil && ctx.Err() == nil {
		cc := *plan.Chat
		log.Info("chat run", "exercises", cc.Exercises, "team_size", cc.TeamSize, "interval", cc.Interval, "window", cc.Window)
		cr, err := withTTX(ctx, o, func(ep Endpoint, cred Credentials) (*ChatResult, error) {
			return RunChat(ctx, ep, cred, cc, log)
		})
		rep.Chat = cr
		if err != nil {
			fail(fmt.Errorf("chat: %w", err))
		}
	}
	rep.Targets = targets(rep)
	return rep, nil
}

// withTTX runs fn against the target, or against a freshly spawned server
// that is stopped afterwards.
func withTTX[T any](ctx context.Context, o Options, fn func(Endpoint, Credentials) (T, error)) (T, error) {
	if o.Target != "" {
		return fn(Endpoint{URL: o.Target, PID: o.TargetPID, Nodes: o.Nodes, SpreadExercises: o.SpreadExercises}, o.Cred)
	}
	var zero T
	dir, err := os.MkdirTemp(o.TempDir, "ttx-loadtest-")
	if err != nil {
		return zero, fmt.Errorf("loadtest: temp dir: %w", err)
	}
	defer os.RemoveAll(dir)
	p, cred, err := SpawnTTX(ctx, o.Exe, dir)
	if err != nil {
		return zero, err
	}
	defer p.Stop(30 * time.Second)
	res, err := fn(p.Endpoint, cred)
	if p.Exited() {
		return res, fmt.Errorf("loadtest: the server exited during the run: %s", lastLines(p.Output(), 10))
	}
	return res, err
}

// withBaseline runs fn against a freshly spawned baseline hub.
func withBaseline(ctx context.Context, o Options, fn func(Endpoint) (*FanoutResult, error)) (*FanoutResult, error) {
	if o.BaselineArgs == nil {
		return nil, errors.New("loadtest: no way to start the baseline")
	}
	p, err := SpawnServer(ctx, o.Exe, o.BaselineArgs, nil, "/healthz")
	if err != nil {
		return nil, err
	}
	defer p.Stop(10 * time.Second)
	return fn(p.Endpoint)
}

// medianRun picks the run with the median p99 and sums the losses.
func medianRun(runs []*FanoutResult) (*FanoutResult, []float64, int64) {
	if len(runs) == 0 {
		return nil, nil, 0
	}
	var lost int64
	p99 := make([]float64, len(runs))
	for i, r := range runs {
		lost += r.Expected - r.Delivered
		p99[i] = ms(r.Latency.P99)
	}
	s := slices.Clone(runs)
	slices.SortFunc(s, func(a, b *FanoutResult) int { return int(a.Latency.P99 - b.Latency.P99) })
	return s[(len(s)-1)/2], p99, lost
}

// floodCase compares the median flooded run with the median unflooded one.
func floodCase(plain *FanoutResult, flooded []*FanoutResult) *FloodCase {
	fc := &FloodCase{}
	fc.TTX, fc.RunsP99, fc.Lost = medianRun(flooded)
	for _, r := range flooded {
		fc.RunsLoad = append(fc.RunsLoad, r.LoadAvg)
	}
	if plain == nil || fc.TTX == nil {
		return fc
	}
	f := fc.TTX
	fc.Ratios = map[string]float64{
		"p50":           ratio(float64(f.Latency.P50), float64(plain.Latency.P50)),
		"p90":           ratio(float64(f.Latency.P90), float64(plain.Latency.P90)),
		"p99":           ratio(float64(f.Latency.P99), float64(plain.Latency.P99)),
		"max":           ratio(float64(f.Latency.Max), float64(plain.Latency.Max)),
		"p99_from_send": ratio(float64(f.LatencySend.P99), float64(plain.LatencySend.P99)),
		"cpu_per_bcast": ratio(float64(f.CPUPerBroadcast), float64(plain.CPUPerBroadcast)),
	}
	fc.RatioP99 = fc.Ratios["p99"]
	return fc
}

func ratios(t, b *FanoutResult) map[string]float64 {
	if t == nil || b == nil {
		return nil
	}
	m := map[string]float64{
		"p50":              ratio(float64(t.Latency.P50), float64(b.Latency.P50)),
		"p90":              ratio(float64(t.Latency.P90), float64(b.Latency.P90)),
		"p99":              ratio(float64(t.Latency.P99), float64(b.Latency.P99)),
		"max":              ratio(float64(t.Latency.Max), float64(b.Latency.Max)),
		"p99_from_send":    ratio(float64(t.LatencySend.P99), float64(b.LatencySend.P99)),
		"cpu_per_bcast":    ratio(float64(t.CPUPerBroadcast), float64(b.CPUPerBroadcast)),
		"idle_bytes_per_c": ratio(t.IdleBytesPerConn, b.IdleBytesPerConn),
		"rss_idle":         ratio(float64(t.RSSIdle), float64(b.RSSIdle)),
	}
	return m
}

// targets checks the figures against the targets.
func targets(rep *Report) []TargetCheck {
	var out []TargetCheck
	for _, fc := range rep.Fanout {
		t := fc.TTX
		if t == nil {
			continue
		}
		n := fc.Config.Participants
		out = append(out, TargetCheck{Name: fmt.Sprintf("N=%d, %d exercise(s), %s: nothing lost", n, fc.Config.Exercises, fc.Config.Address),
			Target: "0 lost", Measured: fmt.Sprintf("%d lost, %d misaddressed, %d disconnected", fc.Lost, t.Misaddressed, t.Disconnected),
			Pass: fc.Lost == 0 && t.Misaddressed == 0 && t.Duplicates == 0 && t.Disconnected == 0})
		if fc.Baseline != nil {
			r := fc.Ratios["p99"]
			out = append(out, TargetCheck{Name: fmt.Sprintf("N=%d: fan-out p99 vs baseline", n), Target: "≤ 1.5×",
				Measured: fmt.Sprintf("%.2f× (%.1f ms vs %.1f ms)", r, ms(t.Latency.P99), ms(fc.Baseline.Latency.P99)), Pass: r > 0 && r <= 1.5})
		}
		if fl := fc.Flood; fl != nil && fl.TTX != nil {
			f := fl.TTX
			out = append(out, TargetCheck{Name: fmt.Sprintf("N=%d under a flood: nothing lost", n), Target: "0 lost",
				Measured: fmt.Sprintf("%d lost, %d misaddressed, %d duplicates, %d disconnected", fl.Lost, f.Misaddressed, f.Duplicates, f.Disconnected),
				Pass:     fl.Lost == 0 && f.Misaddressed == 0 && f.Duplicates == 0 && f.Disconnected == 0})
			out = append(out, TargetCheck{
				Name:     fmt.Sprintf("N=%d: fan-out p99 with %d×%g msg/s flooding vs none", n, fc.Config.Flood, fc.Config.FloodRate),
				Target:   "≤ 2×",
				Measured: fmt.Sprintf("%.2f× (%.1f ms vs %.1f ms)", fl.RatioP99, ms(f.Latency.P99), ms(t.Latency.P99)),
				Pass:     fl.RatioP99 > 0 && fl.RatioP99 <= 2})
		}
		if n >= 5000 && fc.Config.Exercises == 1 {
			out = append(out, TargetCheck{Name: fmt.Sprintf("N=%d: fan-out p99", n), Target: "< 100 ms",
				Measured: fmt.Sprintf("%.1f ms", ms(t.Latency.P99)), Pass: t.Latency.P99 < 100*time.Millisecond})
		}
		if t.Procs && fc.Config.Exercises == 1 && t.IdleBytesPerConn > 0 {
			out = append(out, TargetCheck{Name: fmt.Sprintf("N=%d: memory per idle connection", n), Target: "< 32 KiB",
				Measured: fmt.Sprintf("%.1f KiB (RSS %.1f KiB)", t.IdleBytesPerConn/1024, t.IdleRSSBytesPerConn/1024), Pass: t.IdleBytesPerConn < idleConnTarget})
		}
	}
	if c, ok := marginalMemoryCheck(rep.MemorySlopes); ok {
		out = append(out, c)
	}
	if tk := rep.Ticking; tk != nil {
		out = append(out, TargetCheck{Name: fmt.Sprintf("%d×%d at ×%g for %s: timers late", tk.Exercises, tk.PerExercise, tk.Speed, tk.Window),
			Target: "0 beyond 100 ms", Measured: fmt.Sprintf("%d late arrivals, %d late commits, %d missed", tk.LateArrivals, tk.ServerLate, tk.Missed),
			Pass: tk.LateArrivals == 0 && tk.ServerLate == 0 && tk.Missed == 0 && tk.Expected > 0})
	}
	if ch := rep.Chat; ch != nil {
		name := fmt.Sprintf("chat: %d×%d, a line each per %s", ch.Exercises, ch.TeamSize, ch.Interval)
		out = append(out, TargetCheck{Name: name + ": nothing lost", Target: "0 lost",
			Measured: fmt.Sprintf("%d lost of %d, %d refused, %d duplicates, %d to another team, %d disconnected",
				ch.Lost, ch.Expected, ch.Refused, ch.Duplicates, ch.Foreign, ch.Disconnected),
			Pass: ch.Lost == 0 && ch.Refused == 0 && ch.Duplicates == 0 && ch.Foreign == 0 && ch.Disconnected == 0 && ch.Expected > 0})
		out = append(out, TargetCheck{Name: name + ": fan-out p99", Target: "< 100 ms",
			Measured: fmt.Sprintf("%.1f ms", ms(ch.Latency.P99)), Pass: ch.Latency.P99 > 0 && ch.Latency.P99 < 100*time.Millisecond})
	}
	if cs := rep.ColdStart; cs != nil {
		out = append(out, TargetCheck{Name: "cold start to /healthz (existing database)", Target: "< 200 ms",
			Measured: fmt.Sprintf("median %.0f ms, max %.0f ms", ms(cs.Restart.P50), ms(cs.Restart.Max)), Pass: cs.Restart.P50 < 200*time.Millisecond})
		out = append(out, TargetCheck{Name: "cold start to /healthz (new database)", Target: "< 200 ms",
			Measured: fmt.Sprintf("median %.0f ms, max %.0f ms", ms(cs.First.P50), ms(cs.First.Max)), Pass: cs.First.P50 < 200*time.Millisecond})
	}
	return out
}

// memorySlopes computes the marginal memory per idle connection between
// consecutive sizes of the fan-out workloads with one exercise and every
// inject to every team; of two such workloads with the same size, the
// first counts. Fewer than two sizes: none.
func memorySlopes(fan []*FanoutCase) []MemorySlope {
	var series []*FanoutCase
	sizes := make(map[int]bool)
	for _, fc := range fan {
		c := fc.Config
		if c.Exercises != 1 || c.Address != AddressAll || sizes[c.Participants] {
			continue
		}
		sizes[c.Participants] = true
		series = append(series, fc)
	}
	if len(series) < 2 {
		return nil
	}
	slices.SortStableFunc(series, func(a, b *FanoutCase) int { return cmp.Compare(a.Config.Participants, b.Config.Participants) })
	out := make([]MemorySlope, 0, len(series)-1)
	for i := 1; i < len(series); i++ {
		lo, hi := series[i-1], series[i]
		s := MemorySlope{From: lo.Config.Participants, To: hi.Config.Participants}
		var why string
		if s.TTX, why = marginalBytes(lo.TTX, hi.TTX); why != "" {
			s.Notes = append(s.Notes, "ttx: "+why)
		}
		if s.Baseline, why = marginalBytes(lo.Baseline, hi.Baseline); why != "" {
			s.Notes = append(s.Notes, "baseline: "+why)
		}
		if s.TTX != nil && s.Baseline != nil {
			r := *s.TTX / *s.Baseline
			s.Ratio = &r
		}
		out = append(out, s)
	}
	return out
}

// marginalBytes is the memory slope from run a to the larger run b, per
// connection actually made (participants less failed dials), or nil and
// why not.
func marginalBytes(a, b *FanoutResult) (*float64, string) {
	switch {
	case a == nil || b == nil:
		return nil, "no reported run at both sizes"
	case !a.Procs || !b.Procs || a.AnonBefore <= 0 || a.AnonIdle <= 0 || b.AnonBefore <= 0 || b.AnonIdle <= 0:
		return nil, "no memory figures at both sizes"
	}
	ca, cb := a.Participants-a.DialFailed, b.Participants-b.DialFailed
	if cb <= ca {
		return nil, fmt.Sprintf("no more connections at the larger size (%d, then %d)", ca, cb)
	}
	slope := float64((b.AnonIdle-b.AnonBefore)-(a.AnonIdle-a.AnonBefore)) / float64(cb-ca)
	if slope <= 0 {
		return nil, fmt.Sprintf("slope not positive (%.0f B per connection): memory noise exceeds the growth", slope)
	}
	return &slope, ""
}

// marginalMemoryCheck checks the memory target against the slope between
// the two largest sizes, where fixed costs weigh least. It is in addition
// to the absolute check per size; a slope that is not available is not a
// pass.
func marginalMemoryCheck(slopes []MemorySlope) (TargetCheck, bool) {
	if len(slopes) == 0 {
		return TargetCheck{}, false
	}
	s := slopes[len(slopes)-1]
	c := TargetCheck{Name: fmt.Sprintf("memory per idle connection, marginal N=%d→%d", s.From, s.To), Target: "< 32 KiB"}
	if s.TTX == nil {
		c.NotAvailable = true
		c.Measured = "not available"
		for _, n := range s.Notes {
			if t, ok := strings.CutPrefix(n, "ttx: "); ok {
				c.Measured += ": " + t
			}
		}
		return c, true
	}
	c.Measured = fmt.Sprintf("%.1f KiB", *s.TTX/1024)
	if s.Ratio != nil {
		c.Measured += fmt.Sprintf(" (baseline %.1f KiB, %.2f×)", *s.Baseline/1024, *s.Ratio)
	}
	c.Pass = *s.TTX < idleConnTarget
	return c, true
}

func machine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH, LoadBefore: loadAvg()}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				var kb int64
				fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
				m.MemTotal = kb << 10
			}
		}
	}
	return m
}

func loadAvg() [3]float64 {
	var l [3]float64
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return l
	}
	fmt.Sscan(string(b), &l[0], &l[1], &l[2])
	return l
}
