package loadtest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/metrics"
	"slices"
	"sync"
	"time"
)

// TickingConfig is the timer-punctuality workload: many exercises running
// their scenario at once, compressed, with participants connected.
type TickingConfig struct {
	Exercises   int           // default 200
	PerExercise int           // participants per exercise, default 25
	Speed       float64       // time compression, default 10
	Window      time.Duration // wall time each exercise runs while measured, default 60 s
	Scenario    string        // default brand-hijack
	Late        time.Duration // lateness threshold, default 100 ms
	DialConc    int
}

func (c TickingConfig) withDefaults() TickingConfig {
	if c.Exercises <= 0 {
		c.Exercises = 200
	}
	if c.PerExercise <= 0 {
		c.PerExercise = 25
	}
	if c.Speed <= 0 {
		c.Speed = 10
	}
	if c.Window <= 0 {
		c.Window = 60 * time.Second
	}
	if c.Scenario == "" {
		c.Scenario = "brand-hijack"
	}
	if c.Late <= 0 {
		c.Late = 100 * time.Millisecond
	}
	if c.DialConc <= 0 {
		c.DialConc = 256
	}
	return c
}

func (c TickingConfig) validate() error {
	var errs []error
	if c.Exercises > 1000 || c.PerExercise > 200 || c.Exercises*c.PerExercise > 20000 {
		errs = append(errs, errors.New("ticking: at most 1000 exercises, 200 participants each, 20000 in all"))
	}
	if c.Speed < 1 || c.Speed > 10 {
		errs = append(errs, fmt.Errorf("ticking: speed must be 1 to 10, got %g", c.Speed))
	}
	if c.Window > 30*time.Minute {
		errs = append(errs, errors.New("ticking: window must be at most 30 minutes"))
	}
	return errors.Join(errs...)
}

// LateSecond counts the late arrivals due within one second of a run.
type LateSecond struct {
	Second int           `json:"second"` // since the first exercise start
	Count  int           `json:"count"`
	Max    time.Duration `json:"max_ns"` // the latest of them
}

// TickingResult is what the ticking workload measured.
type TickingResult struct {
	Exercises   int           `json:"exercises"`
	PerExercise int           `json:"participants_per_exercise"`
	Speed       float64       `json:"speed"`
	Window      time.Duration `json:"window_ns"`
	Scenario    string        `json:"scenario"`
	Late        time.Duration `json:"late_threshold_ns"`

	// Deliveries of scenario injects to participants, due within the window.
	Expected  int64 `json:"expected"`
	Delivered int64 `json:"delivered"`
	Missed    int64 `json:"missed"`
	// Arrival lateness: receive time minus the due time (exercise start +
	// the inject's exercise time / speed).
	Arrival      Dist  `json:"arrival_lateness"`
	LateArrivals int64 `json:"late_arrivals"`
	// LateWhen says when the late arrivals were due: one entry per second
	// of the run (counted from the first exercise start) that had any, so
	// they can be laid beside the servers' own traces (a GC, a checkpoint).
	LateWhen []LateSecond `json:"late_when,omitempty"`
	// ToolGCs is how many garbage collections this process (the clients)
	// ran during the window: the clients share the machine with the server.
	ToolGCs uint64 `json:"tool_gc_cycles"`
	// Server lateness of every scheduled event in the logs (injects,
	// timers, decisions, transitions): the event's time (taken when the
	// engine acts, before its commit) minus the due time.
	Scheduled  int   `json:"scheduled_events"`
	ServerLag  Dist  `json:"server_lateness"`
	ServerLate int64 `json:"server_late"`
	// The server's own account of the window, from its fan-out histogram
	// (event time to frames handed to every subscribed socket, commit
	// included): how many commits it published, and how many of them
	// within 50 and 100 ms. Absent when /metrics is not readable.
	HandOffs     *int64 `json:"server_handoffs,omitempty"`
	HandOffIn50  *int64 `json:"server_handoffs_within_50ms,omitempty"`
	HandOffIn100 *int64 `json:"server_handoffs_within_100ms,omitempty"`
	// Forwarding is the cost of a command sent to a node that does not
	// drive its exercise, against the same at the owner, during the
	// window; only with several nodes and SpreadExercises (else nil).
	Forwarding *ForwardProbe `json:"forwarding,omitempty"`

	FirstStart   time.Time     `json:"first_start"`     // when the first exercise was started
	StartSpread  time.Duration `json:"start_spread_ns"` // first to last exercise start
	DialFailed   int           `json:"dial_failed"`
	Redialed     int           `json:"redialed"`
	Disconnected int           `json:"disconnected"`
	RSSIdle      int64         `json:"rss_idle"`
	RSSAfter     int64         `json:"rss_after"`
	CPU          time.Duration `json:"cpu_ns"` // server CPU while the exercises ran
	Procs        bool          `json:"proc_figures"`
	LoadAvg      float64       `json:"load_avg"` // 1-minute load average at the end of the window
	Errors       []string      `json:"errors,omitempty"`
}

// RunTicking runs the ticking workload against a ttx server.
func RunTicking(ctx context.Context, ep Endpoint, cred Credentials, cfg TickingConfig, log *slog.Logger) (*TickingResult, error) {
	log = logOr(log)
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("loadtest: %w", err)
	}
	nodes, err := ep.bases()
	if err != nil {
		return nil, err
	}
	res := &TickingResult{Exercises: cfg.Exercises, PerExercise: cfg.PerExercise, Speed: cfg.Speed, Window: cfg.Window,
		Scenario: cfg.Scenario, Late: cfg.Late}
	addErr := errorList(&res.Errors)
	fac, err := ep.login(ctx, nodes, cred)
	if err != nil {
		return nil, err
	}
	log.Info("creating exercises", "exercises", cfg.Exercises, "speed", cfg.Speed)
	exs, err := fac.createExercises(ctx, cfg.Scenario, "Ticking", cfg.Exercises, func(ex exerciseInfo) error {
		return fac.command(ctx, ex.ID, "speed", map[string]float64{"speed": cfg.Speed})
	})
	defer fac.endAll(exs)
	if err != nil {
		return nil, err
	}
	log.Info("joining", "participants", cfg.Exercises*cfg.PerExercise)
	clients, err := joinAll(ctx, nodes, exs, cfg.Exercises*cfg.PerExercise, 8)
	if err != nil {
		return nil, err
	}
	defer closeAll(clients, 10*time.Second)
	after := make([]int64, len(exs))
	for i, ex := range exs {
		if after[i], err = fac.lastSeq(ctx, ex.ID); err != nil {
			return nil, err
		}
	}
	hooks := &clientHooks{scenario: true}
	log.Info("connecting", "clients", len(clients))
	failed, redialed, errs := dialAll(ctx, clients, cfg.DialConc, func(c *client) dialOpts {
		q := url.Values{"exercise": {exs[c.exercise].ID}, "after": {itoa(after[c.exercise])}}
		return dialOpts{url: wsURL(nodes[c.node], "/api/ws", q), header: http.Header{"Authorization": {"Bearer " + c.token}}, needLive: true}
	}, hooks)
	res.DialFailed, res.Redialed = failed, redialed
	for _, e := range errs {
		addErr("dial: %s", e)
	}
	settle(ctx, ep, 60*time.Second)
	idle, procs := ep.proc()
	res.Procs, res.RSSIdle = procs, idle.RSS

	log.Info("starting exercises", "exercises", len(exs), "window", cfg.Window)
	starts := make([]time.Time, len(exs))
	var wg sync.WaitGroup
	var mu sync.Mutex
	sem := make(chan struct{}, 8)
	for i, ex := range exs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			starts[i] = time.Now()
			if err := fac.command(ctx, ex.ID, "start", nil); err != nil {
				mu.Lock()
				addErr("start %s: %v", ex.ID, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	gcBefore := gcCycles()
	histBefore, histOK := clusterHistogram(ctx, nodes, "ttx_fanout_latency_seconds")
	first, last := slices.MinFunc(starts, time.Time.Compare), slices.MaxFunc(starts, time.Time.Compare)
	res.FirstStart, res.StartSpread = first, last.Sub(first)
	// The owners are known only when exercises were created through each
	// node in turn; then probe forwarding until the window ends.
	probeCtx, stopProbe := context.WithDeadline(ctx, last.Add(cfg.Window))
	probed := make(chan *ForwardProbe, 1)
	go func() {
		if !ep.SpreadExercises {
			probed <- nil
			return
		}
		probed <- probeForwarding(probeCtx, fac, nodes, exs)
	}()
	// Every exercise runs at least the window; give the last arrivals a
	// moment beyond it.
	select {
	case <-time.After(time.Until(last.Add(cfg.Window + 2*time.Second))):
	case <-ctx.Done():
		addErr("stopped early: %v", ctx.Err())
	}
	stopProbe()
	res.Forwarding = <-probed
	res.ToolGCs = gcCycles() - gcBefore
	if histAfter, ok := clusterHistogram(ctx, nodes, "ttx_fanout_latency_seconds"); ok && histOK {
		n := int64(histAfter.count - histBefore.count)
		in50 := int64(histAfter.le["0.05"] - histBefore.le["0.05"])
		in100 := int64(histAfter.le["0.1"] - histBefore.le["0.1"])
		res.HandOffs, res.HandOffIn50, res.HandOffIn100 = &n, &in50, &in100
	}
	end, _ := ep.proc()
	res.RSSAfter, res.CPU = end.RSS, end.CPU-idle.CPU
	res.LoadAvg = loadAvg()[0]
	closeAll(clients, 10*time.Second)

	// The logs are the truth of what was due and when it was committed.
	type due struct {
		at       time.Duration
		audience []string
	}
	startWall := make([]time.Time, len(exs))
	injects := make([]map[int64]due, len(exs))
	var lag []time.Duration
	for i, ex := range exs {
		evs, err := fac.events(ctx, ex.ID, 100000)
		if err != nil {
			return nil, err
		}
		injects[i] = map[int64]due{}
		for _, ev := range evs {
			if ev.Kind == "exercise_started" {
				startWall[i] = ev.WallTime
			}
		}
		if startWall[i].IsZero() {
			addErr("exercise %s has no start event", ex.ID)
			continue
		}
		for _, ev := range evs {
			if ev.At <= 0 || !scheduledKind(ev.Kind) {
				continue
			}
			dueAt := startWall[i].Add(time.Duration(float64(ev.At) / cfg.Speed))
			if dueAt.After(startWall[i].Add(cfg.Window)) {
				continue
			}
			l := ev.WallTime.Sub(dueAt)
			lag = append(lag, l)
			if l > cfg.Late {
				res.ServerLate++
			}
			if ev.Kind == "inject_delivered" {
				injects[i][ev.Seq] = due{at: ev.At, audience: ev.Audience}
			}
		}
	}
	res.Scheduled = len(lag)
	res.ServerLag = distOf(lag)

	var arrival []time.Duration
	var lateWhen lateSeconds
	for _, c := range clients {
		if c.conn == nil || startWall[c.exercise].IsZero() {
			continue
		}
		select {
		case <-c.done:
		default:
			addErr("a client reader did not stop in time; its figures are left out")
			continue
		}
		if c.readErr != nil {
			res.Disconnected++
		}
		got := map[int64]receipt{}
		for _, r := range c.receipts {
			got[r.seq] = r
		}
		for seq, d := range injects[c.exercise] {
			if !slices.Contains(d.audience, "*") && !slices.Contains(d.audience, c.team) {
				continue
			}
			res.Expected++
			r, ok := got[seq]
			if !ok {
				res.Missed++
				continue
			}
			res.Delivered++
			dueAt := startWall[c.exercise].Add(time.Duration(float64(d.at) / cfg.Speed))
			l := time.Unix(0, r.recv).Sub(dueAt)
			arrival = append(arrival, l)
			if l > cfg.Late {
				res.LateArrivals++
				lateWhen.add(int(dueAt.Sub(first)/time.Second), l)
			}
		}
	}
	res.Arrival = distOf(arrival)
	res.LateWhen = lateWhen.sorted()
	return res, nil
}

// lateSeconds gathers late arrivals by the second they were due.
type lateSeconds map[int]*LateSecond

func (ls *lateSeconds) add(sec int, late time.Duration) {
	if *ls == nil {
		*ls = lateSeconds{}
	}
	e := (*ls)[sec]
	if e == nil {
		e = &LateSecond{Second: sec}
		(*ls)[sec] = e
	}
	e.Count++
	e.Max = max(e.Max, late)
}

// sorted lists the seconds in order; nil when nothing was late.
func (ls lateSeconds) sorted() []LateSecond {
	var out []LateSecond
	for _, e := range ls {
		out = append(out, *e)
	}
	slices.SortFunc(out, func(a, b LateSecond) int { return a.Second - b.Second })
	return out
}

// gcCycles is how many garbage collections this process has completed.
func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// scheduledKind reports whether an event of this kind fires from the
// schedule (and so has a due time), as opposed to following an input.
func scheduledKind(kind string) bool {
	switch kind {
	case "inject_delivered", "inject_skipped", "timer_fired", "decision_opened", "decision_closed", "transition_taken", "state_entered":
		return true
	}
	return false
}
