package loadtest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// ChatConfig is the chat workload: many exercises, each with one team of
// TeamSize participants in its team room, every member sending a line
// every Interval. Each line reaches the whole team (the sender too) and
// the staff; the tool measures how long every copy took and that none
// was lost.
type ChatConfig struct {
	Exercises int           // default 200
	TeamSize  int           // participants per exercise, all in its first team; default 25
	Interval  time.Duration // between one member's lines, default 10 s
	Window    time.Duration // how long members send, default 60 s
	Size      int           // line body in bytes, default 200
	Scenario  string        // default brand-hijack
	DialConc  int
}

func (c ChatConfig) withDefaults() ChatConfig {
	if c.Exercises <= 0 {
		c.Exercises = 200
	}
	if c.TeamSize <= 0 {
		c.TeamSize = 25
	}
	if c.Interval <= 0 {
		c.Interval = 10 * time.Second
	}
	if c.Window <= 0 {
		c.Window = 60 * time.Second
	}
	if c.Size <= 0 {
		c.Size = 200
	}
	if c.Scenario == "" {
		c.Scenario = "brand-hijack"
	}
	if c.DialConc <= 0 {
		c.DialConc = 256
	}
	return c
}

// Validate checks the bounds of the workload.
func (c ChatConfig) Validate() error {
	c = c.withDefaults()
	var errs []error
	if c.Exercises > 1000 || c.TeamSize > 200 || c.Exercises*c.TeamSize > 20000 {
		errs = append(errs, errors.New("chat: at most 1000 exercises, teams of 200, 20000 participants in all"))
	}
	if c.Interval < 100*time.Millisecond {
		errs = append(errs, errors.New("chat: interval must be at least 100 ms (the server allows 10 messages a second per participant)"))
	}
	if c.Window > 30*time.Minute {
		errs = append(errs, errors.New("chat: window must be at most 30 minutes"))
	}
	if c.Size > 4000 {
		errs = append(errs, errors.New("chat: a line is at most 4000 characters"))
	}
	return errors.Join(errs...)
}

// ChatResult is what the chat workload measured.
type ChatResult struct {
	Exercises int           `json:"exercises"`
	TeamSize  int           `json:"team_size"`
	Interval  time.Duration `json:"interval_ns"`
	Window    time.Duration `json:"window_ns"`
	Size      int           `json:"size"`

	Sent     int64 `json:"sent"`     // lines written to the sockets
	Acked    int64 `json:"acked"`    // lines the server acknowledged (committed)
	Refused  int64 `json:"refused"`  // error frames (rate_limited…)
	Expected int64 `json:"expected"` // acknowledged lines × their team's members
	// Delivered copies of acknowledged lines; Lost = Expected − Delivered.
	Delivered  int64 `json:"delivered"`
	Lost       int64 `json:"lost"`
	Duplicates int64 `json:"duplicates"`
	Foreign    int64 `json:"foreign"` // lines of another exercise's team: must be 0
	// Latency of every copy: receive time minus the sender's send time
	// (the server's decode, commit and fan-out, and both sockets).
	Latency Dist `json:"latency"`
	// The lines per second the server took in, all exercises together.
	Rate float64 `json:"lines_per_second"`

	DialFailed   int           `json:"dial_failed"`
	Redialed     int           `json:"redialed"`
	Disconnected int           `json:"disconnected"`
	RSSIdle      int64         `json:"rss_idle"`
	RSSAfter     int64         `json:"rss_after"`
	CPU          time.Duration `json:"cpu_ns"`
	Procs        bool          `json:"proc_figures"`
	LoadAvg      float64       `json:"load_avg"`
	Errors       []string      `json:"errors,omitempty"`
}

// chatIndex encodes which client wrote a line and which of its lines it
// is, in the marker's index.
const chatLinesPerClient = 100000

// RunChat runs the chat workload against a ttx server. The exercises stay
// in the lobby: chat is accepted in every status, and nothing else then
// competes with it.
func RunChat(ctx context.Context, ep Endpoint, cred Credentials, cfg ChatConfig, log *slog.Logger) (*ChatResult, error) {
	log = logOr(log)
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("loadtest: %w", err)
	}
	nodes, err := ep.bases()
	if err != nil {
		return nil, err
	}
	res := &ChatResult{Exercises: cfg.Exercises, TeamSize: cfg.TeamSize, Interval: cfg.Interval, Window: cfg.Window, Size: cfg.Size}
	addErr := errorList(&res.Errors)
	fac, err := ep.login(ctx, nodes, cred)
	if err != nil {
		return nil, err
	}
	log.Info("creating exercises", "exercises", cfg.Exercises)
	exs, err := fac.createExercises(ctx, cfg.Scenario, "Chat", cfg.Exercises, nil)
	defer fac.endAll(exs)
	if err != nil {
		return nil, err
	}
	log.Info("joining", "participants", cfg.Exercises*cfg.TeamSize)
	clients, err := joinTeams(ctx, nodes, exs, cfg.TeamSize, 8)
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
	run := strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
	copies := newCounter()
	hooks := &clientHooks{run: run, chat: true, counter: copies,
		accept: func(c *client, index int) bool {
			from := index / chatLinesPerClient
			return from < len(clients) && clients[from].exercise == c.exercise
		}}
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

	log.Info("chatting", "clients", len(clients), "interval", cfg.Interval, "window", cfg.Window)
	start := time.Now()
	var sent atomic.Int64
	var wg sync.WaitGroup
	for i, c := range clients {
		if c.conn == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			room := "team:" + c.team
			offset := time.Duration(rand.Int64N(int64(cfg.Interval)))
			for k := 0; k < chatLinesPerClient; k++ {
				at := start.Add(offset + time.Duration(k)*cfg.Interval)
				if at.Sub(start) >= cfg.Window {
					return
				}
				select {
				case <-time.After(time.Until(at)):
				case <-ctx.Done():
					return
				case <-c.done:
					return
				}
				index := i*chatLinesPerClient + k
				body := markerBody(run, index, time.Now(), cfg.Size)
				msg := `{"type":"chat","id":"c` + strconv.Itoa(index) + `","room":"` + room + `","body":"` + body + `"}`
				_ = c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
				if err := c.conn.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
					addErr("send: %v", err)
					return
				}
				sent.Add(1)
			}
		}()
	}
	wg.Wait()
	res.Sent = sent.Load()
	elapsed := time.Since(start)
	// Every line is out: wait (bounded) for the acks, then for every copy
	// of every acknowledged line.
	members := make([]int64, len(exs))
	for _, c := range clients {
		if c.conn != nil {
			members[c.exercise]++
		}
	}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) && ackedSoFar(clients)+refusedSoFar(clients) < res.Sent && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
	}
	var expected int64
	for _, c := range clients {
		expected += int64(c.acks.Load()) * members[c.exercise]
	}
	copies.setTarget(expected)
	select {
	case <-copies.reached:
	case <-time.After(15 * time.Second):
	case <-ctx.Done():
	}
	end, _ := ep.proc()
	res.RSSAfter, res.CPU = end.RSS, end.CPU-idle.CPU
	res.LoadAvg = loadAvg()[0]
	closeAll(clients, 10*time.Second)

	// Which lines each exercise's server acknowledged.
	acked := make([]map[int]bool, len(exs))
	for i := range acked {
		acked[i] = map[int]bool{}
	}
	for _, c := range clients {
		if c.done == nil {
			continue
		}
		select {
		case <-c.done:
		default:
			addErr("a client reader did not stop in time; its figures are left out")
			continue
		}
		for _, idx := range c.ackedIDs {
			acked[c.exercise][idx] = true
		}
		res.Acked += int64(len(c.ackedIDs))
		res.Refused += int64(c.errFrames)
	}
	var lat []time.Duration
	for _, c := range clients {
		if c.conn == nil || c.done == nil {
			continue
		}
		if c.readErr != nil {
			res.Disconnected++
		}
		res.Foreign += int64(c.foreign)
		got := make(map[int]bool, len(c.receipts))
		for _, r := range c.receipts {
			if got[int(r.index)] {
				res.Duplicates++
				continue
			}
			got[int(r.index)] = true
			if acked[c.exercise][int(r.index)] && r.sent > 0 {
				lat = append(lat, time.Duration(r.recv-r.sent))
			}
		}
		for idx := range acked[c.exercise] {
			res.Expected++
			if got[idx] {
				res.Delivered++
			} else {
				res.Lost++
			}
		}
	}
	res.Latency = distOf(lat)
	if elapsed > 0 {
		res.Rate = float64(res.Acked) / elapsed.Seconds()
	}
	return res, nil
}

func ackedSoFar(clients []*client) int64 {
	var n int64
	for _, c := range clients {
		n += int64(c.acks.Load())
	}
	return n
}

func refusedSoFar(clients []*client) int64 {
	var n int64
	for _, c := range clients {
		n += int64(c.refused.Load())
	}
	return n
}
