package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Flood kinds: what a flooding connection sends. Every message is a valid
// client frame a participant may send, so the server cannot refuse it on
// shape alone and has to throttle it.
const (
	FloodPresence = "presence" // presence updates, active or idle
	FloodAnswer   = "answer"   // answers to a decision that does not exist
	FloodMixed    = "mixed"    // the two, picked pseudo-randomly per message
)

// Flood limits and pacing.
const (
	maxFlooders      = 100
	maxFloodRate     = 100_000
	defaultFloodRate = 1000
	// floodSlack is how far a flooder's schedule may fall behind (writes
	// blocked by TCP backpressure, a redial) before the missed sends are
	// skipped rather than sent in one burst.
	floodSlack = 50 * time.Millisecond
	// floodWriteWait bounds one write: a connection the server stopped
	// reading from for that long is dropped and dialled again.
	floodWriteWait = 10 * time.Second
	// floodRetryPause spaces dials that failed, so that a server refusing
	// every dial is not hammered in a tight loop by the tool itself.
	floodRetryPause = 20 * time.Millisecond
	// floodDecision is the decision id flood answers name; no scenario has it.
	floodDecision = "loadtest-no-such-decision"
)

// FloodResult is what the flooding connections of one run did and what the
// server answered. Flooders are not among the measured clients.
type FloodResult struct {
	Flooders int     `json:"flooders"`
	Rate     float64 `json:"rate"` // messages per second asked of each flooder
	Kind     string  `json:"kind"`
	// Duration is how long the flood lasted: the broadcast phase, from the
	// first inject sent to the last delivery (or the grace period).
	Duration time.Duration `json:"duration_ns"`
	Sent     int64         `json:"sent"` // messages written to the socket
	// Skipped counts scheduled sends that were not made because writes
	// were blocked (TCP backpressure) or the flooder was redialling.
	Skipped      int64   `json:"skipped"`
	AchievedRate float64 `json:"achieved_rate"` // sent per second per flooder
	// Answered counts messages the server processed: acks, and error
	// frames other than rate_limited (answers to the missing decision).
	Acks         int64   `json:"acks"`
	OtherErrors  int64   `json:"other_error_frames"`
	AnsweredRate float64 `json:"answered_rate"` // (acks + other errors) per second per flooder
	RateLimited  int64   `json:"rate_limited_frames"`
	OtherFrames  int64   `json:"other_frames"` // events, presence, live, ... (not measured)
	Closes       int64   `json:"flood_closes"` // connections the server closed with 1008
	OtherCloses  int64   `json:"other_closes"` // closed by the server with another code, or dropped without one
	// CloseCodes counts every close by the server, by code (0: the
	// connection ended without a close frame).
	CloseCodes  map[string]int64 `json:"close_codes,omitempty"`
	WriteErrors int64            `json:"write_errors"` // writes that failed or timed out with the connection still open
	Redials     int64            `json:"redials"`      // new connections after the first one of each flooder
	Rejoins     int64            `json:"rejoins"`      // new participant identities after the server refused a token
	DialFailed  int64            `json:"dial_failed"`
	DialRefused int64            `json:"dial_refused"` // upgrades the server refused with 429 (its per-identity connection limit)
	Errors      []string         `json:"errors,omitempty"`
}

// flooder is one flooding participant. Only its own goroutine touches it
// once the flood has started.
type flooder struct {
	who      int // 0-based, names its message ids
	exercise int // index into the run's exercises
	team     string
	token    string
	joins    int // identities used so far
}

// floodTarget is a server the flood workload can drive.
type floodTarget interface {
	// flooders returns the flooding participants prepare joined.
	flooders() []*flooder
	// floodDial says how flooder f connects.
	floodDial(f *flooder) dialOpts
	// rejoin gives f a new participant identity, for when the server
	// refuses its token.
	rejoin(ctx context.Context, f *flooder) error
}

// pacer spaces sends at a fixed rate. A sender that fell behind by more than
// slack skips the missed sends instead of bursting them, so that its rate
// never exceeds the one asked for by more than slack's worth of messages.
type pacer struct {
	interval time.Duration
	slack    time.Duration
	next     time.Time
	skipped  int64
}

func newPacer(rate float64, start time.Time, slack time.Duration) *pacer {
	iv := max(time.Duration(float64(time.Second)/rate), 1)
	return &pacer{interval: iv, slack: max(slack, iv), next: start}
}

// take returns how many sends are due at now and how long until the next.
func (p *pacer) take(now time.Time) (n int, wait time.Duration) {
	if now.Before(p.next) {
		return 0, p.next.Sub(now)
	}
	if late := now.Sub(p.next); late > p.slack {
		missed := (late - p.slack) / p.interval
		p.skipped += int64(missed)
		p.next = p.next.Add(missed * p.interval)
	}
	due := now.Sub(p.next)/p.interval + 1
	p.next = p.next.Add(due * p.interval)
	return int(due), p.next.Sub(now)
}

// floodMessage appends flood message i of flooder who to b[:0]. Mixed
// floods pick the kind, and presence messages their status, from bits of a
// multiplicative hash of i rather than in strict turn: a server that lets
// every n-th message through would otherwise see only one kind.
func floodMessage(b []byte, kind string, who, i int) []byte {
	h := uint64(i) * 0x9e3779b97f4a7c15
	k := kind
	if kind == FloodMixed {
		k = FloodPresence
		if h>>63 == 1 {
			k = FloodAnswer
		}
	}
	b = append(b[:0], `{"type":"`...)
	b = append(b, k...)
	b = append(b, `","id":"f`...)
	b = strconv.AppendInt(b, int64(who), 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(i), 10)
	if k == FloodAnswer {
		return append(b, `","decision":"`+floodDecision+`","option":"a"}`...)
	}
	status := "active"
	if h>>62&1 == 1 {
		status = "idle"
	}
	b = append(b, `","status":"`...)
	b = append(b, status...)
	return append(b, `"}`...)
}

// floodStats are the counters every flooder of a run adds to.
type floodStats struct {
	sent, skipped, acks, rateLimited, otherErrors, otherFrames atomic.Int64
	writeErrors, redials, rejoins, dialFailed, dialRefused     atomic.Int64

	mu     sync.Mutex
	closes map[int]int64
	errs   []string
}

func (st *floodStats) addErr(format string, args ...any) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.errs) < 10 {
		st.errs = append(st.errs, fmt.Sprintf(format, args...))
	}
}

func (st *floodStats) closed(code int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closes == nil {
		st.closes = make(map[int]int64)
	}
	st.closes[code]++
}

// result summarises the counters of n flooders over d.
func (st *floodStats) result(n int, rate float64, kind string, d time.Duration) *FloodResult {
	r := &FloodResult{Flooders: n, Rate: rate, Kind: kind, Duration: d,
		Sent: st.sent.Load(), Skipped: st.skipped.Load(), Acks: st.acks.Load(), OtherErrors: st.otherErrors.Load(),
		RateLimited: st.rateLimited.Load(), OtherFrames: st.otherFrames.Load(), WriteErrors: st.writeErrors.Load(),
		Redials: st.redials.Load(), Rejoins: st.rejoins.Load(), DialFailed: st.dialFailed.Load(),
		DialRefused: st.dialRefused.Load()}
	st.mu.Lock()
	for code, k := range st.closes {
		if r.CloseCodes == nil {
			r.CloseCodes = make(map[string]int64)
		}
		r.CloseCodes[strconv.Itoa(code)] = k
		if code == websocket.ClosePolicyViolation {
			r.Closes += k
		} else {
			r.OtherCloses += k
		}
	}
	r.Errors = append(r.Errors, st.errs...)
	st.mu.Unlock()
	if n > 0 && d > 0 {
		per := float64(n) * d.Seconds()
		r.AchievedRate = math.Round(float64(r.Sent)/per*10) / 10
		r.AnsweredRate = math.Round(float64(r.Acks+r.OtherErrors)/per*10) / 10
	}
	return r
}

// startFlood sets every flooder sending; the returned function stops them
// (it may be called more than once) and reports what they did.
func startFlood(ctx context.Context, ft floodTarget, cfg FanoutConfig) func() *FloodResult {
	fctx, cancel := context.WithCancel(ctx)
	st := &floodStats{}
	fl := ft.flooders()
	began := time.Now()
	var wg sync.WaitGroup
	for _, f := range fl {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.run(fctx, ft, cfg.FloodRate, cfg.FloodKind, st)
		}()
	}
	var once sync.Once
	var res *FloodResult
	return func() *FloodResult {
		once.Do(func() {
			d := time.Since(began)
			cancel()
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(15 * time.Second):
				st.addErr("a flooder did not stop within 15 s")
			}
			res = st.result(len(fl), cfg.FloodRate, cfg.FloodKind, d)
		})
		return res
	}
}

func floodDialer() *websocket.Dialer {
	return &websocket.Dialer{HandshakeTimeout: 10 * time.Second, ReadBufferSize: 2048, WriteBufferSize: 512,
		Subprotocols: []string{subprotocol}}
}

// run floods until ctx ends: it connects, sends at rate, and when the
// server closes the connection or stops reading, connects again at once,
// as an attacker would.
func (f *flooder) run(ctx context.Context, ft floodTarget, rate float64, kind string, st *floodStats) {
	d := floodDialer()
	p := newPacer(rate, time.Now(), floodSlack)
	defer func() { st.skipped.Add(p.skipped) }()
	var buf []byte
	next := 0
	for attempt := 0; ctx.Err() == nil; attempt++ {
		if attempt > 0 {
			st.redials.Add(1)
		}
		conn, err := f.dial(ctx, d, ft, st)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if errors.Is(err, errDialRefused) {
				st.dialRefused.Add(1) // the server's connection limit: wait, as it asks
			} else {
				st.dialFailed.Add(1)
				st.addErr("flooder %d: %v", f.who, err)
			}
			select {
			case <-time.After(floodRetryPause):
			case <-ctx.Done():
				return
			}
			continue
		}
		buf = f.flood(ctx, conn, p, kind, &next, buf, st)
	}
}

// errDialRefused is a 429 on the upgrade: too many connections by this
// participant.
var errDialRefused = errors.New("loadtest: flood dial refused (429)")

// dial connects f, joining again as a new participant when the server
// refuses its token.
func (f *flooder) dial(ctx context.Context, d *websocket.Dialer, ft floodTarget, st *floodStats) (*websocket.Conn, error) {
	o := ft.floodDial(f)
	conn, resp, err := d.DialContext(ctx, o.url, o.header)
	if err != nil && resp != nil && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) {
		drain(resp)
		if rerr := ft.rejoin(ctx, f); rerr != nil {
			return nil, fmt.Errorf("loadtest: rejoin after %s: %w", resp.Status, rerr)
		}
		st.rejoins.Add(1)
		o = ft.floodDial(f)
		conn, resp, err = d.DialContext(ctx, o.url, o.header)
	}
	if err != nil {
		if resp != nil {
			drain(resp)
			if resp.StatusCode == http.StatusTooManyRequests {
				return nil, errDialRefused
			}
			return nil, fmt.Errorf("loadtest: flood dial: %s", resp.Status)
		}
		return nil, fmt.Errorf("loadtest: flood dial: %w", err)
	}
	conn.SetReadLimit(1 << 20)
	return conn, nil
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
}

// flood sends on one connection until the server closes it, a write fails
// or ctx ends, then records how it ended. It returns the message buffer for
// reuse.
func (f *flooder) flood(ctx context.Context, conn *websocket.Conn, p *pacer, kind string, next *int, buf []byte, st *floodStats) []byte {
	readDone := make(chan struct{})
	var code int
	go func() {
		defer close(readDone)
		code = floodRead(conn, st)
		// A writer blocked by backpressure learns of the close at once.
		_ = conn.Close()
	}()
	stopping := context.AfterFunc(ctx, func() {
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""),
			time.Now().Add(100*time.Millisecond))
		_ = conn.Close()
	})
	var writeErr error
	defer func() {
		stopping()
		if writeErr != nil {
			// A write fails as soon as the server has closed; give the
			// reader a moment to read the close frame that says why.
			select {
			case <-readDone:
			case <-time.After(time.Second):
			}
		}
		_ = conn.Close()
		<-readDone
		switch {
		case ctx.Err() != nil && code != websocket.ClosePolicyViolation:
			// We ended it (a close code here is the echo of ours).
		case code != 0:
			st.closed(code)
		case writeErr != nil:
			st.writeErrors.Add(1)
			st.addErr("flooder %d: %v", f.who, writeErr)
		default:
			st.closed(0) // the connection ended without a close frame
		}
	}()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		n, wait := p.take(time.Now())
		for range n {
			buf = floodMessage(buf, kind, f.who, *next)
			*next++
			_ = conn.SetWriteDeadline(time.Now().Add(floodWriteWait))
			if err := conn.WriteMessage(websocket.TextMessage, buf); err != nil {
				writeErr = err
				return buf
			}
			st.sent.Add(1)
		}
		timer.Reset(wait)
		select {
		case <-timer.C:
		case <-readDone:
			return buf
		case <-ctx.Done():
			return buf
		}
	}
}

var keyCode = []byte(`"code":"`)

// floodRead reads what the server sends a flooder until the connection
// ends, counting acks and error frames; it returns the server's close code
// (0: none).
func floodRead(conn *websocket.Conn, st *floodStats) int {
	for {
		_, b, err := conn.ReadMessage()
		if err != nil {
			if ce := (*websocket.CloseError)(nil); errors.As(err, &ce) {
				return ce.Code
			}
			return 0
		}
		switch string(stringAfter(b, keyType)) {
		case "ack":
			st.acks.Add(1)
		case "error":
			if string(stringAfter(b, keyCode)) == "rate_limited" {
				st.rateLimited.Add(1)
			} else {
				st.otherErrors.Add(1)
			}
		default:
			st.otherFrames.Add(1)
		}
	}
}
