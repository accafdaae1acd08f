package loadtest

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Address plans: which teams each ad-hoc inject goes to.
const (
	AddressAll    = "all"    // every team: each inject reaches every participant of its exercise
	AddressRotate = "rotate" // inject i goes to team i mod T only
	AddressMixed  = "mixed"  // even injects to every team, odd ones to one team in turn
)

// FanoutConfig is one fan-out workload.
type FanoutConfig struct {
	Participants int           `json:"participants"`     // simulated participants (WebSockets), spread over exercises and teams
	Exercises    int           `json:"exercises"`        // exercises (ttx) or rooms (baseline)
	Size         int           `json:"size"`             // inject body in bytes (it carries the marker)
	Injects      int           `json:"injects"`          // ad-hoc injects per exercise
	Rate         float64       `json:"rate"`             // injects per second, all exercises together
	Address      string        `json:"address"`          // AddressAll, AddressRotate or AddressMixed
	Scenario     string        `json:"scenario"`         // library scenario id (ttx)
	DialConc     int           `json:"dial_concurrency"` // WebSocket dials in flight at once
	Replay       bool          `json:"replay"`           // connect with after=0 and replay the log (ttx), instead of resuming at its end
	Grace        time.Duration `json:"grace_ns"`
	// FramePad pads baseline frames to this many bytes, to match the size
	// of ttx's frames for the same body (0: no padding).
	FramePad int `json:"frame_pad"`
	// Flood is how many more participants join and flood the server with
	// client messages during the broadcast phase (ttx only; 0: none). They
	// are not measured: the figures are the other clients'.
	Flood     int     `json:"flood,omitempty"`
	FloodRate float64 `json:"flood_rate,omitempty"` // messages per second per flooder (default 1000)
	FloodKind string  `json:"flood_kind,omitempty"` // FloodPresence, FloodAnswer or FloodMixed (default)
}

// withDefaults fills zero fields.
func (c FanoutConfig) withDefaults() FanoutConfig {
	if c.Exercises <= 0 {
		c.Exercises = 1
	}
	if c.Size <= 0 {
		c.Size = 500
	}
	if c.Injects <= 0 {
		c.Injects = 100
	}
	if c.Rate <= 0 {
		c.Rate = 5
	}
	if c.Address == "" {
		c.Address = AddressAll
	}
	if c.Scenario == "" {
		c.Scenario = "brand-hijack"
	}
	if c.DialConc <= 0 {
		c.DialConc = 256
	}
	if c.Grace <= 0 {
		c.Grace = 10 * time.Second
	}
	if c.Flood > 0 {
		if c.FloodRate == 0 {
			c.FloodRate = defaultFloodRate
		}
		if c.FloodKind == "" {
			c.FloodKind = FloodMixed
		}
	}
	return c
}

// Validate reports what is wrong with the workload, after defaults.
func (c FanoutConfig) Validate() error {
	if err := c.withDefaults().validate(); err != nil {
		return fmt.Errorf("loadtest: %w", err)
	}
	return nil
}

func (c FanoutConfig) validate() error {
	var errs []error
	if c.Participants < 1 || c.Participants > 20000 {
		errs = append(errs, fmt.Errorf("participants must be 1 to 20000, got %d", c.Participants))
	}
	if c.Exercises > c.Participants {
		errs = append(errs, fmt.Errorf("exercises (%d) must not exceed participants (%d)", c.Exercises, c.Participants))
	}
	if c.Exercises > 1000 {
		errs = append(errs, fmt.Errorf("exercises must be at most 1000, got %d", c.Exercises))
	}
	if c.Size < 64 || c.Size > 8000 {
		errs = append(errs, fmt.Errorf("size must be 64 to 8000 bytes (the ad-hoc inject limit), got %d", c.Size))
	}
	if c.Injects > 10000 || c.Injects*c.Exercises > 100000 {
		errs = append(errs, fmt.Errorf("injects × exercises must be at most 100000"))
	}
	if c.Rate > 1000 {
		errs = append(errs, fmt.Errorf("rate must be at most 1000 per second"))
	}
	switch c.Address {
	case AddressAll, AddressRotate, AddressMixed:
	default:
		errs = append(errs, fmt.Errorf("address must be all, rotate or mixed, got %q", c.Address))
	}
	if c.Flood < 0 || c.Flood > maxFlooders {
		errs = append(errs, fmt.Errorf("flood must be 0 to %d connections, got %d", maxFlooders, c.Flood))
	}
	if c.Flood > 0 {
		if c.FloodRate <= 0 || c.FloodRate > maxFloodRate || math.IsNaN(c.FloodRate) {
			errs = append(errs, fmt.Errorf("flood rate must be above 0 and at most %d messages per second, got %g", maxFloodRate, c.FloodRate))
		}
		switch c.FloodKind {
		case FloodPresence, FloodAnswer, FloodMixed:
		default:
			errs = append(errs, fmt.Errorf("flood kind must be presence, answer or mixed, got %q", c.FloodKind))
		}
	}
	if lim, ok := openFileLimit(); ok && uint64(c.Participants+max(c.Flood, 0))+200 > lim {
		errs = append(errs, fmt.Errorf("participants (%d) exceed this process's open-file limit (%d) minus a margin", c.Participants, lim))
	}
	return errors.Join(errs...)
}

// teamsOf is the team list of an inject under an address plan: nil means
// every team.
func teamsOf(plan string, i int, teams []string) []string {
	switch plan {
	case AddressRotate:
		return []string{teams[i%len(teams)]}
	case AddressMixed:
		if i%2 == 1 {
			return []string{teams[(i/2)%len(teams)]}
		}
	}
	return nil
}

// FanoutResult is what one fan-out run measured.
type FanoutResult struct {
	Target       string  `json:"target"` // "ttx" or "baseline"
	Participants int     `json:"participants"`
	Exercises    int     `json:"exercises"`
	Broadcasts   int     `json:"broadcasts"`
	Size         int     `json:"size"`
	FrameBytes   int     `json:"frame_bytes"` // median size of an inject frame as received
	Rate         float64 `json:"rate"`
	Address      string  `json:"address"`

	// Latency is receive time minus the server's time stamp on the event
	// (ttx: the commit's wall time; baseline: when it got the broadcast).
	Latency Dist `json:"latency"`
	// LatencySend is receive time minus the driver's send time.
	LatencySend Dist `json:"latency_from_send"`

	Expected     int64 `json:"expected"`
	Delivered    int64 `json:"delivered"`
	Misaddressed int64 `json:"misaddressed"` // injects a client got that were not for its team
	Duplicates   int64 `json:"duplicates"`
	Disconnected int   `json:"disconnected"` // connections the server closed during the run
	DialFailed   int   `json:"dial_failed"`
	Redialed     int   `json:"redialed"` // reconnections while connecting (closed with a reconnect code before live)
	// PresenceFrames counts the presence frames the clients received over
	// the run (mostly while connecting).
	PresenceFrames int64 `json:"presence_frames"`
	SendFailed     int   `json:"send_failed"`

	ConnectTime time.Duration `json:"connect_ns"`
	RSSBefore   int64         `json:"rss_before"`
	RSSIdle     int64         `json:"rss_idle"`
	RSSAfter    int64         `json:"rss_after"`
	AnonBefore  int64         `json:"anon_before"` // anonymous part of RSSBefore
	AnonIdle    int64         `json:"anon_idle"`
	// IdleBytesPerConn is the growth of anonymous memory (heap, stacks)
	// per idle connection; IdleRSSBytesPerConn that of the whole RSS, which
	// also counts the executable's pages first touched while connecting
	// (code and data shared by every connection, paid once).
	IdleBytesPerConn    float64       `json:"idle_bytes_per_conn"`
	IdleRSSBytesPerConn float64       `json:"idle_rss_bytes_per_conn"`
	GoroutinesBefore    int           `json:"goroutines_before"` // -1: not available
	GoroutinesIdle      int           `json:"goroutines_idle"`
	GoroutinesAfter     int           `json:"goroutines_after"`
	CPUConnect          time.Duration `json:"cpu_connect_ns"`   // server CPU while clients connected
	CPU                 time.Duration `json:"cpu_broadcast_ns"` // server CPU during the broadcast phase
	CPUPerBroadcast     time.Duration `json:"cpu_per_broadcast_ns"`
	Procs               bool          `json:"proc_figures"` // RSS and CPU figures are real
	// LoadAvg is the machine's 1-minute load average when the broadcast
	// phase ended: other work on the machine shows in the latencies.
	LoadAvg float64 `json:"load_avg"`
	// Flood is what the flooding connections did (nil: no flood).
	Flood  *FloodResult `json:"flood,omitempty"`
	Errors []string     `json:"errors,omitempty"`
}

// fanoutTarget is a server the fan-out workload can drive.
type fanoutTarget interface {
	name() string
	// prepare creates exercises, joins participants and returns the clients
	// (not yet connected) and how each dials.
	prepare(ctx context.Context, cfg FanoutConfig) ([]*client, func(*client) dialOpts, error)
	// accept says whether inject index g is meant for client c.
	accept(cfg FanoutConfig, c *client, g int) bool
	send(ctx context.Context, cfg FanoutConfig, g int, body string) error
	goroutines(ctx context.Context) int
	// finish leaves nothing running on the server.
	finish(ctx context.Context)
}

// runFanout is the common fan-out procedure: prepare, measure, connect,
// settle, measure, broadcast, wait, measure, disconnect.
func runFanout(ctx context.Context, ep Endpoint, t fanoutTarget, cfg FanoutConfig, log *slog.Logger) (*FanoutResult, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("loadtest: %w", err)
	}
	var ft floodTarget
	if cfg.Flood > 0 {
		var ok bool
		if ft, ok = t.(floodTarget); !ok {
			return nil, fmt.Errorf("loadtest: the %s server has no flood workload", t.name())
		}
	}
	res := &FanoutResult{Target: t.name(), Participants: cfg.Participants, Exercises: cfg.Exercises,
		Broadcasts: cfg.Injects * cfg.Exercises, Size: cfg.Size, Rate: cfg.Rate, Address: cfg.Address}
	addErr := errorList(&res.Errors)

	log.Info("preparing", "target", t.name(), "participants", cfg.Participants, "exercises", cfg.Exercises)
	defer func() {
		fctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		t.finish(fctx)
	}()
	clients, dial, err := t.prepare(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer closeAll(clients, 10*time.Second)
	settle(ctx, ep, 15*time.Second)
	before, procs := ep.proc()
	res.Procs = procs
	res.RSSBefore, res.AnonBefore = before.RSS, before.Anon
	res.GoroutinesBefore = t.goroutines(ctx)

	run := newRunID()
	total := cfg.Injects * cfg.Exercises
	cnt := newCounter()
	hooks := &clientHooks{
		run:     run,
		accept:  func(c *client, g int) bool { return g < total && t.accept(cfg, c, g) },
		counter: cnt,
		seen:    func(*client) []bool { return make([]bool, total) },
	}
	log.Info("connecting", "target", t.name(), "clients", len(clients))
	began := time.Now()
	failed, redialed, errs := dialAll(ctx, clients, cfg.DialConc, dial, hooks)
	res.ConnectTime = time.Since(began)
	res.DialFailed, res.Redialed = failed, redialed
	for _, e := range errs {
		addErr("dial: %s", e)
	}
	if failed == len(clients) {
		return res, fmt.Errorf("loadtest: no client could connect: %v", errs)
	}
	settle(ctx, ep, 60*time.Second)
	idle, _ := ep.proc()
	res.RSSIdle, res.AnonIdle = idle.RSS, idle.Anon
	res.CPUConnect = idle.CPU - before.CPU
	res.GoroutinesIdle = t.goroutines(ctx)
	if connected := len(clients) - failed; procs && connected > 0 {
		res.IdleBytesPerConn = float64(idle.Anon-before.Anon) / float64(connected)
		res.IdleRSSBytesPerConn = float64(idle.RSS-before.RSS) / float64(connected)
	}

	// Expected deliveries, from the plan.
	var expected int64
	for _, c := range clients {
		if c.conn == nil {
			continue
		}
		for g := range total {
			if t.accept(cfg, c, g) {
				expected++
			}
		}
	}
	res.Expected = expected
	cnt.setTarget(expected)

	// The flood lasts the whole broadcast phase and stops before the
	// server's figures are read; the exercises end only after that.
	stopFlood := func() *FloodResult { return nil }
	if ft != nil {
		log.Info("flooding", "target", t.name(), "flooders", cfg.Flood, "rate", cfg.FloodRate, "kind", cfg.FloodKind)
		stopFlood = startFlood(ctx, ft, cfg)
		defer stopFlood()
	}
	log.Info("broadcasting", "target", t.name(), "injects", total, "rate", cfg.Rate)
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	var sendMu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	start := time.Now()
	timer := time.NewTimer(0)
	<-timer.C
sending:
	for g := range total {
		if d := time.Until(start.Add(time.Duration(g) * interval)); d > 0 {
			timer.Reset(d)
			select {
			case <-timer.C:
			case <-ctx.Done():
				break sending
			}
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			break sending
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			body := markerBody(run, g, time.Now(), cfg.Size)
			if err := t.send(ctx, cfg, g, body); err != nil {
				sendMu.Lock()
				res.SendFailed++
				addErr("send %d: %v", g, err)
				sendMu.Unlock()
			}
		}()
	}
	wg.Wait()
	grace := time.NewTimer(cfg.Grace)
	select {
	case <-cnt.reached:
	case <-grace.C:
	case <-ctx.Done():
	}
	grace.Stop()
	res.Flood = stopFlood()
	after, _ := ep.proc()
	res.LoadAvg = loadAvg()[0]
	res.RSSAfter = after.RSS
	res.CPU = after.CPU - idle.CPU
	if total > 0 {
		res.CPUPerBroadcast = res.CPU / time.Duration(total)
	}
	res.GoroutinesAfter = t.goroutines(ctx)

	// Stop the readers before reading what they recorded.
	closeAll(clients, 10*time.Second)
	var lat, latSend []time.Duration
	var sizes []int
	for _, c := range clients {
		if c.conn == nil {
			continue
		}
		select {
		case <-c.done:
		default:
			addErr("a client reader did not stop in time; its figures are left out")
			continue
		}
		res.Delivered += int64(len(c.receipts))
		res.Misaddressed += int64(c.foreign)
		res.Duplicates += int64(c.dups)
		res.PresenceFrames += int64(c.presence)
		if c.readErr != nil {
			res.Disconnected++
			if res.Disconnected <= 3 {
				addErr("server closed a client (code %d): %v", c.closeCode, c.readErr)
			}
		}
		if c.frameLen > 0 {
			sizes = append(sizes, c.frameLen)
		}
		for _, r := range c.receipts {
			if r.wall > 0 {
				lat = append(lat, time.Duration(r.recv-r.wall))
			}
			if r.sent > 0 {
				latSend = append(latSend, time.Duration(r.recv-r.sent))
			}
		}
	}
	res.Latency = distOf(lat)
	res.LatencySend = distOf(latSend)
	res.FrameBytes = medianOf(sizes)
	if ctx.Err() != nil {
		addErr("stopped early: %v", ctx.Err())
	}
	return res, nil
}

// settle waits until the server has been nearly idle (under 5% of a core)
// for two samples in a row, or max has passed. Without a PID it waits a
// short fixed time.
func settle(ctx context.Context, ep Endpoint, maxWait time.Duration) {
	const every = 250 * time.Millisecond
	deadline := time.Now().Add(maxWait)
	prev, ok := ep.proc()
	if !ok {
		select {
		case <-time.After(500 * time.Millisecond):
		case <-ctx.Done():
		}
		return
	}
	quiet := 0
	for time.Now().Before(deadline) && quiet < 2 {
		select {
		case <-time.After(every):
		case <-ctx.Done():
			return
		}
		cur, ok := ep.proc()
		if !ok {
			return
		}
		if cur.CPU-prev.CPU <= every/20 {
			quiet++
		} else {
			quiet = 0
		}
		prev = cur
	}
}

func newRunID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ttxFanout drives a ttx server.
type ttxFanout struct {
	base  *url.URL   // the facilitator's node
	nodes []*url.URL // every node, base first: participants spread over them
	ep    Endpoint
	cred  Credentials
	log   *slog.Logger
	fac   *facilitator
	exs   []exerciseInfo

	hc     *http.Client // joins of flooders
	after  []int64      // per exercise: the seq clients resume after
	floods []*flooder
}

func (t *ttxFanout) name() string { return "ttx" }

func (t *ttxFanout) prepare(ctx context.Context, cfg FanoutConfig) ([]*client, func(*client) dialOpts, error) {
	fac, err := t.ep.login(ctx, t.nodes, t.cred)
	if err != nil {
		return nil, nil, err
	}
	t.fac = fac
	// Started and paused: ad-hoc injects are accepted and nothing from
	// the scenario fires during the measurement.
	t.exs, err = fac.createExercises(ctx, cfg.Scenario, "Load test", cfg.Exercises, func(ex exerciseInfo) error {
		if err := fac.command(ctx, ex.ID, "start", nil); err != nil {
			return err
		}
		return fac.command(ctx, ex.ID, "pause", nil)
	})
	if err != nil {
		return nil, nil, err
	}
	clients, err := joinAll(ctx, t.nodes, t.exs, cfg.Participants, 8)
	if err != nil {
		return nil, nil, err
	}
	t.hc = newHTTPClient(nil)
	for k := range cfg.Flood {
		f := &flooder{who: k, exercise: k % len(t.exs)}
		ex := t.exs[f.exercise]
		f.team = ex.Teams[(k/len(t.exs))%len(ex.Teams)]
		if err := t.rejoin(ctx, f); err != nil {
			return nil, nil, err
		}
		t.floods = append(t.floods, f)
	}
	t.after = make([]int64, len(t.exs))
	if !cfg.Replay {
		for i, ex := range t.exs {
			if t.after[i], err = fac.lastSeq(ctx, ex.ID); err != nil {
				return nil, nil, err
			}
		}
	}
	dial := func(c *client) dialOpts { return t.dialOpts(t.nodes[c.node], c.exercise, c.token) }
	return clients, dial, nil
}

func (t *ttxFanout) dialOpts(node *url.URL, exercise int, token string) dialOpts {
	q := url.Values{"exercise": {t.exs[exercise].ID}, "after": {itoa(t.after[exercise])}}
	return dialOpts{url: wsURL(node, "/api/ws", q), header: http.Header{"Authorization": {"Bearer " + token}}, needLive: true}
}

func (t *ttxFanout) flooders() []*flooder { return t.floods }

// floodDial connects a flooder as the measured clients connect: resuming
// at the log's end as it was before the broadcast phase.
func (t *ttxFanout) floodDial(f *flooder) dialOpts { return t.dialOpts(t.base, f.exercise, f.token) }

// rejoin joins f (again) as a new participant of its exercise and team.
func (t *ttxFanout) rejoin(ctx context.Context, f *flooder) error {
	ex := t.exs[f.exercise]
	f.joins++
	name := fmt.Sprintf("Flooder %d", f.who+1)
	if f.joins > 1 {
		name = fmt.Sprintf("Flooder %d (%d)", f.who+1, f.joins)
	}
	j, err := join(ctx, t.hc, t.base, ex.Code, name, f.team)
	if err != nil {
		return fmt.Errorf("loadtest: join flooder %d: %w", f.who+1, err)
	}
	f.token, f.team = j.Token, j.Team
	return nil
}

func (t *ttxFanout) accept(cfg FanoutConfig, c *client, g int) bool {
	e, i := g%cfg.Exercises, g/cfg.Exercises
	if e != c.exercise {
		return false
	}
	teams := teamsOf(cfg.Address, i, t.exs[e].Teams)
	return teams == nil || slices.Contains(teams, c.team)
}

func (t *ttxFanout) send(ctx context.Context, cfg FanoutConfig, g int, body string) error {
	e, i := g%cfg.Exercises, g/cfg.Exercises
	ex := t.exs[e]
	in := adHoc{Teams: teamsOf(cfg.Address, i, ex.Teams), Channel: "email", Title: "Load test", Body: body}
	return t.fac.command(ctx, ex.ID, "inject", map[string]any{"inject": in})
}

func (t *ttxFanout) finish(context.Context) {
	if t.fac != nil {
		t.fac.endAll(t.exs)
	}
}

// goroutines reads go_goroutines from /metrics when the server exposes it
// (to loopback peers); -1 otherwise.
func (t *ttxFanout) goroutines(ctx context.Context) int {
	return metricGoroutines(ctx, t.base)
}

func metricGoroutines(ctx context.Context, base *url.URL) int {
	n := -1
	scrapeMetrics(ctx, base, func(line string) {
		if v, ok := strings.CutPrefix(line, "go_goroutines "); ok {
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				n = int(f)
			}
		}
	})
	return n
}

// histogram is one histogram scraped from /metrics: the cumulative count
// of each bucket by its upper bound as written (le="0.1"), and the total.
type histogram struct {
	le    map[string]float64
	count float64
}

// metricHistogram reads histogram name from /metrics; ok is false when
// the server does not expose it (to this peer).
func metricHistogram(ctx context.Context, base *url.URL, name string) (h histogram, ok bool) {
	h.le = map[string]float64{}
	scrapeMetrics(ctx, base, func(line string) {
		if rest, found := strings.CutPrefix(line, name+`_bucket{le="`); found {
			bound, v, cut := strings.Cut(rest, `"} `)
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); cut && err == nil {
				h.le[bound] = f
			}
		} else if v, found := strings.CutPrefix(line, name+"_count "); found {
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				h.count, ok = f, true
			}
		}
	})
	return h, ok
}

// scrapeMetrics hands each line of the server's /metrics to fn; it does
// nothing when the page cannot be read (the server answers /metrics only to
// peers it trusts).
func scrapeMetrics(ctx context.Context, base *url.URL, fn func(line string)) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base.JoinPath("/metrics").String(), nil)
	if err != nil {
		return
	}
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return
	}
	sc := bufio.NewScanner(io.LimitReader(resp.Body, 4<<20))
	for sc.Scan() {
		fn(sc.Text())
	}
}

// baselineFanout drives the baseline hub.
type baselineFanout struct {
	base *url.URL
	hc   *http.Client
}

func (b *baselineFanout) name() string { return "baseline" }

func (b *baselineFanout) prepare(ctx context.Context, cfg FanoutConfig) ([]*client, func(*client) dialOpts, error) {
	b.hc = newHTTPClient(nil)
	clients := make([]*client, cfg.Participants)
	for p := range clients {
		clients[p] = &client{exercise: p % cfg.Exercises}
	}
	dial := func(c *client) dialOpts {
		return dialOpts{url: wsURL(b.base, "/ws", url.Values{"room": {itoa(int64(c.exercise))}})}
	}
	return clients, dial, nil
}

func (b *baselineFanout) accept(cfg FanoutConfig, c *client, g int) bool {
	return g%cfg.Exercises == c.exercise
}

func (b *baselineFanout) send(ctx context.Context, cfg FanoutConfig, g int, body string) error {
	return call(ctx, b.hc, http.MethodPost, b.base.JoinPath("/broadcast").String(), nil,
		baselineBroadcast{Room: itoa(int64(g % cfg.Exercises)), Body: body, Pad: cfg.FramePad}, nil)
}

func (b *baselineFanout) finish(context.Context) {}

func (b *baselineFanout) goroutines(ctx context.Context) int {
	var st struct {
		Goroutines int `json:"goroutines"`
	}
	if err := call(ctx, b.hc, http.MethodGet, b.base.JoinPath("/stats").String(), nil, nil, &st); err != nil {
		return -1
	}
	return st.Goroutines
}

// RunTTXFanout runs the fan-out workload against a ttx server.
func RunTTXFanout(ctx context.Context, ep Endpoint, cred Credentials, cfg FanoutConfig, log *slog.Logger) (*FanoutResult, error) {
	nodes, err := ep.bases()
	if err != nil {
		return nil, err
	}
	return runFanout(ctx, ep, &ttxFanout{base: nodes[0], nodes: nodes, ep: ep, cred: cred, log: log}, cfg, logOr(log))
}

// RunBaselineFanout runs the same workload against the baseline hub.
func RunBaselineFanout(ctx context.Context, ep Endpoint, cfg FanoutConfig, log *slog.Logger) (*FanoutResult, error) {
	base, err := CheckLoopback(ep.URL)
	if err != nil {
		return nil, err
	}
	return runFanout(ctx, ep, &baselineFanout{base: base}, cfg, logOr(log))
}

func logOr(log *slog.Logger) *slog.Logger {
	if log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return log
}

// String renders a result as JSON (for logs and test failures).
func (r *FanoutResult) String() string {
	b, _ := json.Marshal(r)
	return string(b)
}
