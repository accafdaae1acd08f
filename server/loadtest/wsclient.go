package loadtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// subprotocol is the ttx WebSocket subprotocol.
const subprotocol = "ttx.v1"

// receipt is one inject as one client received it.
type receipt struct {
	index int32 // the tool's inject index (fan-out) or -1 (scenario inject)
	seq   int64
	at    time.Duration // exercise time the inject was due
	recv  int64         // unix ns
	wall  int64         // server's event time, unix ns (0: none)
	sent  int64         // driver's send time, unix ns (0: none)
}

// counter counts deliveries towards a target and signals when it is met.
type counter struct {
	n       atomic.Int64
	target  atomic.Int64
	reached chan struct{}
	once    sync.Once
}

func newCounter() *counter { return &counter{reached: make(chan struct{})} }

func (c *counter) setTarget(n int64) {
	c.target.Store(n)
	if c.n.Load() >= n {
		c.once.Do(func() { close(c.reached) })
	}
}

func (c *counter) add() {
	if v := c.n.Add(1); v >= c.target.Load() && c.target.Load() > 0 {
		c.once.Do(func() { close(c.reached) })
	}
}

// client is one simulated participant's WebSocket.
type client struct {
	exercise int    // index into the run's exercises
	node     int    // index into the run's nodes: where it joined and connects
	team     string // "" for the baseline
	token    string // participant token (ttx)
	conn     *websocket.Conn

	live chan struct{} // closed when the server said the backlog is over
	done chan struct{} // closed when the reader stops

	// Written by the reader goroutine only; read after done.
	receipts  []receipt
	started   int64 // wall time of exercise_started, unix ns
	other     int   // frames that were not injects of this run
	presence  int   // presence frames among them
	foreign   int   // injects of this run addressed to another team or exercise
	dups      int
	frameLen  int // size of the first inject frame of this run
	bad       int // frames that did not parse
	closeCode int // close code sent by the server; 0 if we closed
	readErr   error
	liveErr   error // set before live is closed when the connection ended first
	closing   atomic.Bool

	// Chat workload: acks and error frames of the lines this client sent
	// (counted as they come, for the driver to wait on), and the marker
	// indexes of the acknowledged ones (read after done).
	acks, refused atomic.Int32
	ackedIDs      []int
	errFrames     int
}

// clientHooks decide what a client keeps; they run on its reader goroutine.
type clientHooks struct {
	run string
	// accept says whether the tool's inject index is meant for this client
	// (its exercise and team).
	accept func(c *client, index int) bool
	// scenario keeps scenario injects (inject_delivered without a marker).
	scenario bool
	counter  *counter
	seen     func(c *client) []bool // per-client dedupe table, by index
	// chat keeps the run's chat lines (chat_posted with a marker) like
	// injects, and counts acks and errors.
	chat bool
}

// dialOpts are how a client connects.
type dialOpts struct {
	url      string      // ws://.../api/ws?exercise=...&after=...
	header   http.Header // Authorization
	needLive bool        // wait for the "live" frame (ttx), else live at once
}

// dialClient connects and starts the reader goroutine.
func dialClient(ctx context.Context, d *websocket.Dialer, o dialOpts, c *client, h *clientHooks) error {
	conn, resp, err := d.DialContext(ctx, o.url, o.header)
	if err != nil {
		if resp != nil {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
			resp.Body.Close()
			return fmt.Errorf("loadtest: dial: %s: %s", resp.Status, bytes.TrimSpace(b))
		}
		return fmt.Errorf("loadtest: dial: %w", err)
	}
	conn.SetReadLimit(1 << 20)
	c.conn = conn
	c.live = make(chan struct{})
	c.done = make(chan struct{})
	if !o.needLive {
		close(c.live)
	}
	go c.read(h, o.needLive)
	return nil
}

// read is the client's only reader.
func (c *client) read(h *clientHooks, needLive bool) {
	defer close(c.done)
	var buf bytes.Buffer
	liveSent := !needLive
	var seen []bool
	if h.seen != nil {
		seen = h.seen(c)
	}
	for {
		_, r, err := c.conn.NextReader()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				c.closeCode = ce.Code
			}
			if !c.closing.Load() {
				c.readErr = err
			}
			if !liveSent {
				c.liveErr = fmt.Errorf("closed before live (code %d): %w", c.closeCode, err)
				close(c.live)
			}
			return
		}
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			if !c.closing.Load() {
				c.readErr = err
			}
			if !liveSent {
				c.liveErr = fmt.Errorf("read before live: %w", err)
				close(c.live)
			}
			return
		}
		now := time.Now().UnixNano()
		f := scanFrame(buf.Bytes())
		switch string(f.typ) {
		case "live":
			if !liveSent {
				liveSent = true
				close(c.live)
			}
			continue
		case "event":
		case "":
			c.bad++
			continue
		case "presence":
			c.presence++
			c.other++
			continue
		case "ack":
			if h.chat {
				if id := stringAfter(buf.Bytes(), keyID); len(id) > 1 && id[0] == 'c' {
					if n, err := strconv.Atoi(string(id[1:])); err == nil {
						c.ackedIDs = append(c.ackedIDs, n)
					}
				}
				c.acks.Add(1)
			}
			c.other++
			continue
		case "error":
			if h.chat {
				c.errFrames++
				c.refused.Add(1)
			}
			c.other++
			continue
		default:
			c.other++
			continue
		}
		switch string(f.kind) {
		case "exercise_started":
			c.started = f.wall
			c.other++
			continue
		case "inject_delivered":
		case "chat_posted":
			if !h.chat {
				c.other++
				continue
			}
		default:
			c.other++
			continue
		}
		if f.mark && string(f.run) == h.run {
			if h.accept == nil || !h.accept(c, f.index) {
				c.foreign++
				continue
			}
			if seen != nil && f.index < len(seen) {
				if seen[f.index] {
					c.dups++
					continue
				}
				seen[f.index] = true
			}
			if c.frameLen == 0 {
				c.frameLen = buf.Len()
			}
			c.receipts = append(c.receipts, receipt{index: int32(f.index), seq: f.seq, at: f.at, recv: now, wall: f.wall, sent: f.sent})
			if h.counter != nil {
				h.counter.add()
			}
			continue
		}
		if h.scenario && !f.mark {
			c.receipts = append(c.receipts, receipt{index: -1, seq: f.seq, at: f.at, recv: now, wall: f.wall})
			if h.counter != nil {
				h.counter.add()
			}
			continue
		}
		c.other++
	}
}

// close ends the connection from our side.
func (c *client) close() {
	if c.conn == nil {
		return
	}
	c.closing.Store(true)
	_ = c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""),
		time.Now().Add(time.Second))
	_ = c.conn.Close()
}

// maxRedials bounds reconnections per client while connecting.
const maxRedials = 5

// reconnectable reports whether a close code asks the client to come back.
func reconnectable(code int) bool {
	return code == websocket.CloseGoingAway || code == websocket.CloseInternalServerErr || code >= 4000 && code < 4500
}

// reset forgets a failed connection before redialling. Only the dialling
// goroutine calls it, after the reader stopped.
func (c *client) reset() {
	<-c.done
	_ = c.conn.Close()
	c.conn, c.readErr, c.liveErr, c.closeCode = nil, nil, nil, 0
	c.receipts = c.receipts[:0]
}

// dialAll connects every client, at most conc at a time, each waiting for
// its live frame, all within ctx. It returns how many failed, how many
// reconnections it took, and the first errors met (at most 10).
func dialAll(ctx context.Context, clients []*client, conc int, opts func(c *client) dialOpts, h *clientHooks) (failed, redialed int, errs []string) {
	var redials atomic.Int64
	d := &websocket.Dialer{
		HandshakeTimeout: 30 * time.Second,
		ReadBufferSize:   2048,
		WriteBufferSize:  512,
		Subprotocols:     []string{subprotocol},
	}
	sem := make(chan struct{}, max(conc, 1))
	var mu sync.Mutex
	var wg sync.WaitGroup
	fail := func(err error) {
		mu.Lock()
		failed++
		if len(errs) < 10 {
			errs = append(errs, err.Error())
		}
		mu.Unlock()
	}
	for _, c := range clients {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			fail(ctx.Err())
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			// A browser closed with a reconnect code (4008 when it could
			// not keep up with the frames of a crowd connecting) reconnects
			// after a pause; so does the tool, a few times.
			for attempt := 0; ; attempt++ {
				if err := dialClient(ctx, d, opts(c), c, h); err != nil {
					fail(err)
					return
				}
				select {
				case <-c.live:
				case <-ctx.Done():
					fail(fmt.Errorf("loadtest: waiting for live: %w", ctx.Err()))
					return
				}
				if c.liveErr == nil {
					return
				}
				if attempt >= maxRedials || !reconnectable(c.closeCode) {
					fail(fmt.Errorf("loadtest: %w", c.liveErr))
					return
				}
				redials.Add(1)
				select {
				case <-time.After(time.Duration(100+rand.IntN(400)) * time.Millisecond):
				case <-ctx.Done():
					fail(ctx.Err())
					return
				}
				c.reset()
			}
		}()
	}
	wg.Wait()
	return failed, int(redials.Load()), errs
}

// closeAll closes every client and waits (bounded) for their readers.
func closeAll(clients []*client, wait time.Duration) {
	for _, c := range clients {
		c.close()
	}
	deadline := time.After(wait)
	for _, c := range clients {
		if c.done == nil {
			continue
		}
		select {
		case <-c.done:
		case <-deadline:
			return
		}
	}
}

// wsURL turns the http base URL into the ws URL of path with query.
func wsURL(base *url.URL, path string, q url.Values) string {
	u := *base
	u.Scheme = "ws"
	u = *u.JoinPath(path)
	u.RawQuery = q.Encode()
	return u.String()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
