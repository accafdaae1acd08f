package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/ttxsim/ttx/server/api"
)

func TestPacer(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	ms := func(n float64) time.Time { return t0.Add(time.Duration(n * float64(time.Millisecond))) }
	type step struct {
		at      time.Time
		n       int
		wait    time.Duration
		skipped int64
	}
	for _, tc := range []struct {
		name  string
		rate  float64
		slack time.Duration
		steps []step
	}{
		{"on time", 1000, 50 * time.Millisecond, []step{
			{ms(0), 1, time.Millisecond, 0},
			{ms(0.5), 0, 500 * time.Microsecond, 0},
			{ms(1), 1, time.Millisecond, 0},
			{ms(10.5), 9, 500 * time.Microsecond, 0}, // slots 2..10
		}},
		{"behind within slack sends the backlog", 1000, 50 * time.Millisecond, []step{
			{ms(0), 1, time.Millisecond, 0},
			{ms(40), 40, time.Millisecond, 0},
		}},
		{"behind beyond slack skips", 1000, 50 * time.Millisecond, []step{
			{ms(0), 1, time.Millisecond, 0},
			// Slots 1..200 are due; 150 of them are more than 50 ms late.
			{ms(200), 51, time.Millisecond, 149},
			{ms(201), 1, time.Millisecond, 149},
		}},
		{"slow rate", 2, 0, []step{
			{ms(0), 1, 500 * time.Millisecond, 0},
			{ms(499), 0, time.Millisecond, 0},
			{ms(500), 1, 500 * time.Millisecond, 0},
			// Slots 1000..2500 are due: the two more than one interval
			// late (the slack at this rate) are skipped.
			{ms(2600), 2, 400 * time.Millisecond, 2},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPacer(tc.rate, t0, tc.slack)
			for i, s := range tc.steps {
				n, wait := p.take(s.at)
				if n != s.n || wait != s.wait || p.skipped != s.skipped {
					t.Errorf("step %d at +%v: got %d due, wait %v, %d skipped; want %d, %v, %d",
						i, s.at.Sub(t0), n, wait, p.skipped, s.n, s.wait, s.skipped)
				}
			}
		})
	}

	// Over a simulated second of irregular wake-ups, the pacer hands out
	// exactly rate sends, whatever the wake-up pattern.
	p := newPacer(1000, t0, 50*time.Millisecond)
	total := 0
	for at := time.Duration(0); at < time.Second; at += time.Duration(1+(int(at)/7)%3) * 1700 * time.Microsecond {
		n, _ := p.take(t0.Add(at))
		total += n
	}
	n, _ := p.take(t0.Add(999500 * time.Microsecond))
	total += n
	if total != 1000 || p.skipped != 0 {
		t.Errorf("one second at 1000/s: %d sends, %d skipped", total, p.skipped)
	}
}

// TestFloodMessage checks that every flood message is a client frame the
// server's own decoder accepts, with a unique id and the advertised kinds;
// a mixed flood must show both kinds to a server that keeps only every n-th
// message.
func TestFloodMessage(t *testing.T) {
	const n = 1200
	for _, tc := range []struct {
		kind    string
		answers [2]int // bounds on the answers among n messages
	}{
		{FloodPresence, [2]int{0, 0}},
		{FloodAnswer, [2]int{n, n}},
		{FloodMixed, [2]int{n * 2 / 5, n * 3 / 5}},
	} {
		var buf []byte
		ids := map[string]bool{}
		isAnswer := make([]bool, n)
		answers, idle, active := 0, 0, 0
		for i := range n {
			buf = floodMessage(buf, tc.kind, 7, i)
			m, perr := api.DecodeClientMessage(buf)
			if perr != nil {
				t.Fatalf("%s %d: %s refused: %s %s", tc.kind, i, buf, perr.Code, perr.Message)
			}
			if ids[m.ID] || !strings.HasPrefix(m.ID, "f7-") {
				t.Errorf("%s %d: id %q reused or not the flooder's", tc.kind, i, m.ID)
			}
			ids[m.ID] = true
			switch {
			case m.Presence != nil && m.Presence.Status == "idle":
				idle++
			case m.Presence != nil:
				active++
			case m.Answer != nil && m.Answer.Decision == floodDecision:
				answers++
				isAnswer[i] = true
			default:
				t.Errorf("%s %d: unexpected message %s", tc.kind, i, buf)
			}
			if len(buf) > 128 {
				t.Errorf("%s %d: %d bytes, want a small frame", tc.kind, i, len(buf))
			}
		}
		if answers < tc.answers[0] || answers > tc.answers[1] {
			t.Errorf("%s: %d answers of %d, want %d to %d", tc.kind, answers, n, tc.answers[0], tc.answers[1])
		}
		if presence := n - answers; presence > 0 && (idle < presence/3 || active < presence/3) {
			t.Errorf("%s: %d active, %d idle presence messages: the status does not change", tc.kind, active, idle)
		}
		if tc.kind != FloodMixed {
			continue
		}
		for stride := 2; stride <= 5; stride++ {
			for off := range stride {
				var a, p int
				for i := off; i < n; i += stride {
					if isAnswer[i] {
						a++
					} else {
						p++
					}
				}
				if a < 40 || p < 40 {
					t.Errorf("mixed, every %dth message from %d: %d answers, %d presence", stride, off, a, p)
				}
			}
		}
	}
}

func TestFloodResultSummary(t *testing.T) {
	st := &floodStats{}
	st.sent.Add(20_000)
	st.skipped.Add(500)
	st.acks.Add(150)
	st.otherErrors.Add(50)
	st.rateLimited.Add(19)
	st.redials.Add(4)
	st.rejoins.Add(1)
	st.closed(1008)
	st.closed(1008)
	st.closed(1008)
	st.closed(4008)
	st.closed(0)
	r := st.result(2, 1000, FloodMixed, 10*time.Second)
	want := FloodResult{Flooders: 2, Rate: 1000, Kind: FloodMixed, Duration: 10 * time.Second, Sent: 20_000, Skipped: 500,
		AchievedRate: 1000, Acks: 150, OtherErrors: 50, AnsweredRate: 10, RateLimited: 19, Closes: 3, OtherCloses: 2,
		Redials: 4, Rejoins: 1}
	got := *r
	got.CloseCodes = nil
	if got.Errors != nil {
		t.Errorf("errors %v", got.Errors)
	}
	got.Errors = nil
	if gj, wj := mustJSON(t, got), mustJSON(t, want); gj != wj {
		t.Errorf("result\n got %s\nwant %s", gj, wj)
	}
	if r.CloseCodes["1008"] != 3 || r.CloseCodes["4008"] != 1 || r.CloseCodes["0"] != 1 {
		t.Errorf("close codes %v", r.CloseCodes)
	}
	if z := (&floodStats{}).result(0, 1000, FloodMixed, 0); z.AchievedRate != 0 || z.AnsweredRate != 0 {
		t.Errorf("no flooders: rates %v %v", z.AchievedRate, z.AnsweredRate)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func fakeRun(p99ms float64, lost int64) *FanoutResult {
	d := time.Duration(p99ms * float64(time.Millisecond))
	return &FanoutResult{Target: "ttx", Expected: 1000, Delivered: 1000 - lost,
		Latency:     Dist{N: 1000, P50: d / 4, P90: d / 2, P99: d, Max: 2 * d},
		LatencySend: Dist{N: 1000, P50: d / 4, P90: d / 2, P99: d + time.Millisecond, Max: 2 * d}}
}

func TestFloodCaseAndTargets(t *testing.T) {
	plain := fakeRun(20, 0)
	for _, tc := range []struct {
		name     string
		flooded  []*FanoutResult
		ratio    float64
		median   float64
		lost     int64
		passP99  bool
		passLost bool
	}{
		{"within", []*FanoutResult{fakeRun(30, 0), fakeRun(25, 0), fakeRun(90, 0)}, 1.5, 30, 0, true, true},
		{"at the limit", []*FanoutResult{fakeRun(40, 0)}, 2, 40, 0, true, true},
		{"beyond, with a loss", []*FanoutResult{fakeRun(41, 0), fakeRun(50, 2), fakeRun(10, 0)}, 2.05, 41, 2, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fc := floodCase(plain, tc.flooded)
			if fc.RatioP99 != tc.ratio || ms(fc.TTX.Latency.P99) != tc.median || fc.Lost != tc.lost || len(fc.RunsP99) != len(tc.flooded) {
				t.Errorf("ratio %v, median p99 %v, lost %d, runs %v; want %v, %v, %d", fc.RatioP99, ms(fc.TTX.Latency.P99), fc.Lost, fc.RunsP99,
					tc.ratio, tc.median, tc.lost)
			}
			if fc.Ratios["p50"] != tc.ratio || fc.Ratios["max"] != tc.ratio {
				t.Errorf("ratios %v", fc.Ratios)
			}
			cfg := FanoutConfig{Participants: 1000, Exercises: 1, Flood: 1, FloodRate: 1000}
			checks := targets(&Report{Fanout: []*FanoutCase{{Config: cfg, TTX: plain, Flood: fc}}})
			var sawP99, sawLost bool
			for _, c := range checks {
				switch {
				case strings.Contains(c.Name, "flooding vs none"):
					sawP99 = true
					if c.Pass != tc.passP99 || c.Target != "≤ 2×" {
						t.Errorf("p99 check %+v, want pass=%v", c, tc.passP99)
					}
				case strings.Contains(c.Name, "under a flood: nothing lost"):
					sawLost = true
					if c.Pass != tc.passLost {
						t.Errorf("loss check %+v, want pass=%v", c, tc.passLost)
					}
				}
			}
			if !sawP99 || !sawLost {
				t.Errorf("flood checks missing from %+v", checks)
			}
		})
	}
	if fc := floodCase(plain, nil); fc.TTX != nil || fc.RatioP99 != 0 {
		t.Errorf("no flooded run: %+v", fc)
	}
}

// TestFloodReportFields pins the JSON fields and the table section the
// benchmark page is written from.
func TestFloodReportFields(t *testing.T) {
	fl := fakeRun(30, 0)
	fl.Flood = &FloodResult{Flooders: 1, Rate: 1000, Kind: FloodMixed, Sent: 19_000, RateLimited: 20, Closes: 3, Redials: 3, AchievedRate: 950}
	rep := &Report{Fanout: []*FanoutCase{{
		Config: FanoutConfig{Participants: 1000, Exercises: 1, Address: AddressAll, Flood: 1, FloodRate: 1000, FloodKind: FloodMixed},
		TTX:    fakeRun(20, 0), TTXp99: []float64{20},
		Flood: floodCase(fakeRun(20, 0), []*FanoutResult{fl}),
	}}}
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Fanout []struct {
			Config struct {
				Flood     int     `json:"flood"`
				FloodRate float64 `json:"flood_rate"`
				FloodKind string  `json:"flood_kind"`
			} `json:"config"`
			Flood struct {
				RatioP99 float64   `json:"flood_ratio_p99"`
				RunsP99  []float64 `json:"runs_p99_ms"`
				TTX      struct {
					Latency struct {
						P99 float64 `json:"p99_ms"`
					} `json:"latency"`
					Flood map[string]any `json:"flood"`
				} `json:"ttx"`
			} `json:"flood"`
		} `json:"fanout"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	f := got.Fanout[0]
	if f.Config.Flood != 1 || f.Config.FloodRate != 1000 || f.Config.FloodKind != FloodMixed {
		t.Errorf("config %+v", f.Config)
	}
	if f.Flood.RatioP99 != 1.5 || f.Flood.TTX.Latency.P99 != 30 || len(f.Flood.RunsP99) != 1 {
		t.Errorf("flood case %+v", f.Flood)
	}
	for _, k := range []string{"sent", "achieved_rate", "rate_limited_frames", "flood_closes", "redials", "rejoins", "answered_rate", "skipped"} {
		if _, ok := f.Flood.TTX.Flood[k]; !ok {
			t.Errorf("flood result has no %q: %v", k, f.Flood.TTX.Flood)
		}
	}
	// A workload without a flood has no flood fields at all.
	buf.Reset()
	plain := &Report{Fanout: []*FanoutCase{{Config: FanoutConfig{Participants: 10}, TTX: fakeRun(20, 0)}}}
	if err := plain.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "flood") {
		t.Errorf("unflooded report mentions a flood: %s", buf.String())
	}

	buf.Reset()
	rep.WriteTable(&buf)
	for _, want := range []string{"Flood:", "unflooded", "flooded/unflooded", "flood_ratio_p99 1.50×", "19000", "20 rate_limited frames", "3 closed with 1008"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, buf.String())
		}
	}
}

func TestFloodConfigValidation(t *testing.T) {
	base := FanoutConfig{Participants: 10}
	for _, tc := range []struct {
		name string
		mod  func(*FanoutConfig)
		ok   bool
	}{
		{"no flood", func(*FanoutConfig) {}, true},
		{"defaults", func(c *FanoutConfig) { c.Flood = 1 }, true},
		{"too many", func(c *FanoutConfig) { c.Flood = maxFlooders + 1 }, false},
		{"negative", func(c *FanoutConfig) { c.Flood = -1 }, false},
		{"rate too high", func(c *FanoutConfig) { c.Flood, c.FloodRate = 1, maxFloodRate+1 }, false},
		{"negative rate", func(c *FanoutConfig) { c.Flood, c.FloodRate = 1, -5 }, false},
		{"unknown kind", func(c *FanoutConfig) { c.Flood, c.FloodKind = 1, "note" }, false},
	} {
		c := base
		tc.mod(&c)
		c = c.withDefaults()
		if err := c.validate(); (err == nil) != tc.ok {
			t.Errorf("%s: validate = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if tc.name == "defaults" && (c.FloodRate != 1000 || c.FloodKind != FloodMixed) {
			t.Errorf("defaults: rate %v kind %q", c.FloodRate, c.FloodKind)
		}
	}
}

// fakeFloodServer is a WebSocket endpoint with a flood policy of its own:
// it acks every message, answers the 5th of each connection with a
// rate_limited error frame, and closes the connection with 1008 after
// closeAfter messages. The first token it hands out stops working after
// the first close, so the flooder has to join again.
type fakeFloodServer struct {
	closeAfter int
	mu         sync.Mutex
	conns      int
	bad        []string // messages the server's decoder refused
	tokens     map[string]bool
	joined     int
	closes     atomic.Int64
}

func (s *fakeFloodServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ok := s.tokens[r.Header.Get("Authorization")]
	s.mu.Unlock()
	if !ok {
		http.Error(w, "unknown token", http.StatusUnauthorized)
		return
	}
	up := websocket.Upgrader{Subprotocols: []string{subprotocol}}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer conn.Close()
	s.mu.Lock()
	s.conns++
	if s.conns == 1 {
		s.tokens = map[string]bool{} // the first identity is revoked with its connection
	}
	s.mu.Unlock()
	for n := 1; ; n++ {
		_, b, err := conn.ReadMessage()
		if err != nil {
			return
		}
		if m, perr := api.DecodeClientMessage(b); perr != nil {
			s.mu.Lock()
			s.bad = append(s.bad, string(b))
			s.mu.Unlock()
		} else if n == 5 {
			_ = conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"error","code":"rate_limited","message":"slow down"}`))
		} else {
			_ = conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"ack","id":"`+m.ID+`"}`))
		}
		if n == s.closeAfter {
			s.closes.Add(1)
			_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "message flood"),
				time.Now().Add(time.Second))
			// Read on until the client's close reply, as the real hub
			// does: closing with its flood unread in the receive buffer
			// would reset the connection and the client would see 1006
			// before the 1008 frame.
			_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
			for {
				if _, _, err := conn.ReadMessage(); err != nil {
					return
				}
			}
		}
	}
}

type fakeFloodTarget struct {
	srv  *fakeFloodServer
	url  string
	list []*flooder
}

func (f *fakeFloodTarget) flooders() []*flooder { return f.list }

func (f *fakeFloodTarget) floodDial(fl *flooder) dialOpts {
	return dialOpts{url: f.url, header: http.Header{"Authorization": {"Bearer " + fl.token}}}
}

func (f *fakeFloodTarget) rejoin(_ context.Context, fl *flooder) error {
	f.srv.mu.Lock()
	defer f.srv.mu.Unlock()
	f.srv.joined++
	fl.joins++
	fl.token = "tok" + itoa(int64(f.srv.joined))
	f.srv.tokens["Bearer "+fl.token] = true
	return nil
}

// TestFlooderRedials floods a server that closes every connection with 1008
// after 30 messages and revokes the first identity: the flooder must dial
// again at once each time, join again once, and count all of it.
func TestFlooderRedials(t *testing.T) {
	srv := &fakeFloodServer{closeAfter: 30, tokens: map[string]bool{"Bearer first": true}}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	u, _ := url.Parse(hs.URL)
	ft := &fakeFloodTarget{srv: srv, url: wsURL(u, "/ws", nil), list: []*flooder{{who: 0, token: "first", joins: 1}}}

	stop := startFlood(context.Background(), ft, FanoutConfig{Flood: 1, FloodRate: 5000, FloodKind: FloodMixed})
	deadline := time.After(20 * time.Second)
	for srv.closes.Load() < 4 {
		select {
		case <-deadline:
			t.Fatalf("the server closed the flooder %d times in 20 s; flood so far: %+v", srv.closes.Load(), stop())
		case <-time.After(10 * time.Millisecond):
		}
	}
	r := stop()
	if again := stop(); again != r {
		t.Error("a second stop reported anew")
	}
	closes := srv.closes.Load()
	srv.mu.Lock()
	conns, bad := srv.conns, srv.bad
	srv.mu.Unlock()
	if len(bad) > 0 {
		t.Errorf("the decoder refused %d flood messages, e.g. %s", len(bad), bad[0])
	}
	switch {
	case r.Closes < closes-1 || r.Closes > closes:
		// The last close may race with the stop.
		t.Errorf("counted %d closes with 1008, server made %d", r.Closes, closes)
	case r.Redials != int64(conns-1) && r.Redials != int64(conns):
		t.Errorf("redials %d for %d connections", r.Redials, conns)
	case r.Rejoins != 1:
		t.Errorf("rejoins %d, want 1 (the first token was revoked)", r.Rejoins)
	case r.RateLimited < closes:
		t.Errorf("rate_limited frames %d, want one per connection (%d)", r.RateLimited, closes)
	case r.Acks < 28*closes:
		t.Errorf("acks %d, want 28 per closed connection", r.Acks)
	case r.Sent < 30*closes:
		t.Errorf("sent %d, want at least 30 per closed connection", r.Sent)
	case r.WriteErrors != 0 || r.OtherCloses != 0:
		t.Errorf("write errors %d, other closes %d (%v): %v", r.WriteErrors, r.OtherCloses, r.CloseCodes, r.Errors)
	case r.AchievedRate <= 0 || r.Duration <= 0:
		t.Errorf("rate %v over %v", r.AchievedRate, r.Duration)
	}
}

// TestFloodEndToEnd floods the real ttx stack from one participant while
// the fan-out workload runs: the server must push back (error frames or
// closes), and the measured clients must still get every inject once.
func TestFloodEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ep, cred := startTTX(t)
	cfg := FanoutConfig{Participants: 10, Exercises: 1, Injects: 10, Size: 200, Rate: 10, Address: AddressAll,
		Scenario: "brand-hijack", Grace: 5 * time.Second, Flood: 1, FloodRate: 3000}
	res, err := RunTTXFanout(ctx, ep, cred, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkFanout(t, res, cfg)
	if res.Expected != 10*10 {
		t.Errorf("expected %d deliveries, want 100: flooders must not be measured", res.Expected)
	}
	f := res.Flood
	if f == nil {
		t.Fatalf("no flood result: %s", res)
	}
	t.Logf("flood: %s", mustJSON(t, f))
	if f.Flooders != 1 || f.Kind != FloodMixed || f.Sent < 100 || f.AchievedRate <= 0 {
		t.Errorf("flooder sent %d (%v/s) as %q", f.Sent, f.AchievedRate, f.Kind)
	}
	if f.RateLimited+f.Closes == 0 {
		t.Errorf("the server neither warned nor closed a flood of %d messages", f.Sent)
	}
	if f.Acks+f.OtherErrors == 0 || f.Acks+f.OtherErrors >= f.Sent {
		t.Errorf("the server answered %d of %d messages: not throttled", f.Acks+f.OtherErrors, f.Sent)
	}
	if f.DialFailed != 0 || f.WriteErrors != 0 || f.Rejoins != 0 {
		t.Errorf("dial failed %d, write errors %d, rejoins %d: %v", f.DialFailed, f.WriteErrors, f.Rejoins, f.Errors)
	}
	// Redialling after each 1008 runs into the per-identity connection
	// limit (20 at once, then 1 a second): refused, not failed.
	if f.Redials > 20 && f.DialRefused == 0 {
		t.Errorf("%d redials and none refused: the connection limit did not hold", f.Redials)
	}

	// The baseline has no flood workload and says so.
	bep := startBaseline(t)
	if _, err := RunBaselineFanout(ctx, bep, cfg, nil); err == nil || !strings.Contains(err.Error(), "no flood workload") {
		t.Errorf("baseline with a flood: %v", err)
	}
}
