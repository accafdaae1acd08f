package hub

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Session is the caller's side of one connection. The caller's type usually
// carries its own identity (user, role, stream) so that CloseWhere can select
// connections by it.
type Session interface {
	// Topics returns the topics the connection is subscribed to when it opens.
	Topics() []string
	// OnMessage receives each client message, raw and unvalidated, from the
	// connection's single reader goroutine. While it runs the connection reads
	// nothing more, which throttles a flooding client; it must not block
	// forever. A panic is logged and closes the connection with 1011.
	OnMessage(c *Conn, data []byte)
	// OnClose is called once, after both pumps have stopped and the
	// connection has left every topic. c.CloseStatus tells why.
	OnClose(c *Conn)
}

// Errors returned by Serve, Replay and Live.
var (
	ErrOriginNotAllowed = errors.New("hub: origin not allowed")
	ErrHubClosed        = errors.New("hub: closed")
	ErrConnClosed       = errors.New("hub: connection closed")
	ErrAlreadyLive      = errors.New("hub: connection already live")
)

// Hub holds the open connections and their topics.
type Hub struct {
	cfg      Config
	log      *slog.Logger
	origins  *Origins
	upgrader websocket.Upgrader

	mu       sync.RWMutex
	topics   map[string]map[*Conn]struct{}
	conns    map[*Conn]struct{}
	closed   bool
	sweeping bool           // the sweep goroutine runs
	stop     chan struct{}  // closed by Close: ends the sweep
	wg       sync.WaitGroup // two per connection (reader; writer until shut down) and the sweep

	sweepEvery time.Duration

	batchBufs sync.Pool // of *[]byte: write batches
	batches   sync.Pool // of *batch: BroadcastBatch's scratch

	nextID          atomic.Uint64
	framesSent      atomic.Uint64
	framesBatched   atomic.Uint64
	slowDisconnects atomic.Uint64
}

// Stats is a snapshot of the hub's counters.
type Stats struct {
	Connections     int    // open connections
	Topics          int    // topics with at least one subscriber
	FramesSent      uint64 // data frames written to sockets, all connections
	FramesBatched   uint64 // of those, written in the same system call as the one before
	SlowDisconnects uint64 // connections closed with 4008
}

// New returns a hub. cfg's zero fields take their defaults.
func New(cfg Config, log *slog.Logger) *Hub {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.withDefaults(log)
	h := &Hub{
		cfg:     cfg,
		log:     log,
		origins: &Origins{trusted: originSet(cfg.AllowedOrigins, log)},
		topics:  make(map[string]map[*Conn]struct{}),
		conns:   make(map[*Conn]struct{}),
		stop:    make(chan struct{}),

		sweepEvery: sweepInterval(cfg),
	}
	h.upgrader = websocket.Upgrader{
		HandshakeTimeout:  cfg.WriteWait,
		ReadBufferSize:    cfg.ReadBufferSize,
		WriteBufferSize:   cfg.WriteBufferSize,
		WriteBufferPool:   &sync.Pool{},
		Subprotocols:      cfg.Subprotocols,
		CheckOrigin:       h.OriginAllowed,
		EnableCompression: false,
	}
	return h
}

// Reject refuses a WebSocket handshake with an HTTP error before any upgrade,
// e.g. 401 for a missing or bad credential, 403 for a forbidden stream. The
// body is the one error shape of ttx's protocol,
// {"error":{"code":…,"message":…}}: code is stable and for programs,
// message for people, and neither may carry internal detail.
func Reject(w http.ResponseWriter, status int, code, message string) {
	if message == "" {
		message = http.StatusText(status)
	}
	var body rejection
	body.Error.Code, body.Error.Message = code, message
	b, _ := json.Marshal(body)
	hdr := w.Header()
	hdr.Set("Sec-Websocket-Version", "13")
	hdr.Set("Content-Type", "application/json; charset=utf-8")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// rejection is Reject's body.
type rejection struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// Serve upgrades an authenticated request and starts the connection's pumps.
// The connection is subscribed to sess.Topics() before the 101 is sent, in
// replay mode: call Replay (optional) then Live; until Live, frames with
// Seq > 0 are held, and a connection that never goes live is closed with 4008
// once Config.ReplayBuffer overflows. A foreign Origin gets 403 and
// a closed hub 503, both before any upgrade; on any error the response has been
// written and OnClose is not called.
func (h *Hub) Serve(w http.ResponseWriter, r *http.Request, sess Session) (*Conn, error) {
	if sess == nil {
		Reject(w, http.StatusInternalServerError, "internal", "internal error")
		return nil, errors.New("hub: serve: nil session")
	}
	if !h.OriginAllowed(r) {
		Reject(w, http.StatusForbidden, "cross_origin", "cross-origin request refused")
		return nil, ErrOriginNotAllowed
	}
	topics, ok := h.topicsOf(sess)
	if !ok {
		Reject(w, http.StatusInternalServerError, "internal", "internal error")
		return nil, errors.New("hub: serve: Topics panicked")
	}
	c := newConn(h, sess)
	if !h.register(c, topics) {
		Reject(w, http.StatusServiceUnavailable, "unavailable", "the server is shutting down; try again")
		return nil, ErrHubClosed
	}
	ww := &wiringWriter{ResponseWriter: w, pool: &h.batchBufs, slack: h.cfg.WriteWait / 10, portable: h.cfg.PortableWrites}
	ws, err := h.upgrader.Upgrade(ww, r, nil)
	if err != nil {
		h.unregister(c)
		h.wg.Add(-2)
		return nil, fmt.Errorf("hub: upgrade: %w", err)
	}
	c.ws, c.wire = ws, ww.conn
	go c.readPump()
	if c.wire != nil {
		c.wire.release(c.kick)
	}
	c.release()
	return c, nil
}

// register subscribes c and counts its two goroutines, unless the hub is
// closed. Registering before the upgrade means a client that sees 101 is
// already subscribed.
func (h *Hub) register(c *Conn, topics []string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.conns[c] = struct{}{}
	for _, t := range topics {
		h.subscribeLocked(c, t)
	}
	h.wg.Add(2)
	if !h.sweeping {
		h.sweeping = true
		h.wg.Add(1)
		go h.sweep()
	}
	return true
}

// sweepInterval is how often the sweep looks at every connection: often
// enough that a ping goes out within a twentieth of PingPeriod of its due
// time, at most once a second.
func sweepInterval(cfg Config) time.Duration {
	d := cfg.PingPeriod
	if cfg.MaxLifetime > 0 {
		d = min(d, cfg.MaxLifetime)
	}
	if cfg.IdleTimeout > 0 {
		d = min(d, cfg.IdleTimeout)
	}
	return min(max(d/20, 5*time.Millisecond), time.Second)
}

// sweep runs while the hub has connections. One goroutine asks for every
// connection's pings and enforces lifetimes and idle timeouts, instead of a
// ticker and a timer per connection keeping its writer goroutine alive.
func (h *Hub) sweep() {
	defer h.wg.Done()
	t := time.NewTicker(h.sweepEvery)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case now := <-t.C:
			if !h.sweepOnce(now.UnixNano()) {
				return
			}
		}
	}
}

// sweepOnce checks every connection; it returns false, and clears sweeping,
// when there are none left.
func (h *Hub) sweepOnce(now int64) bool {
	h.mu.RLock()
	n := len(h.conns)
	for c := range h.conns {
		h.check(c, now)
	}
	h.mu.RUnlock()
	if n > 0 {
		return true
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.conns) > 0 {
		return true
	}
	h.sweeping = false
	return false
}

// check closes c if it outlived MaxLifetime or IdleTimeout and asks for a
// ping each PingPeriod of its age. Only the sweep calls it.
func (h *Hub) check(c *Conn, now int64) {
	cfg := &h.cfg
	age := now - c.born
	if cfg.MaxLifetime > 0 && age >= int64(cfg.MaxLifetime) {
		c.closeWith(CloseLifetime, "max lifetime", true)
		return
	}
	if cfg.IdleTimeout > 0 && now-c.lastActive.Load() >= int64(cfg.IdleTimeout) {
		c.closeWith(CloseIdle, "idle", true)
		return
	}
	if period := int64(cfg.PingPeriod); age >= (c.pings+1)*period {
		c.pings = age / period
		c.askPing()
	}
}

func (h *Hub) subscribeLocked(c *Conn, topic string) {
	if _, dup := c.topics[topic]; dup {
		return
	}
	set := h.topics[topic]
	if set == nil {
		set = make(map[*Conn]struct{})
		h.topics[topic] = set
	}
	set[c] = struct{}{}
	c.topics[topic] = struct{}{}
}

func (h *Hub) unsubscribeLocked(c *Conn, topic string) {
	if _, ok := c.topics[topic]; !ok {
		return
	}
	delete(c.topics, topic)
	set := h.topics[topic]
	delete(set, c)
	if len(set) == 0 {
		delete(h.topics, topic)
	}
}

func (h *Hub) unregister(c *Conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for t := range c.topics {
		h.unsubscribeLocked(c, t)
	}
	delete(h.conns, c)
	c.gone = true
}

// Broadcast queues f on every connection subscribed to topic and returns how
// many accepted it (duplicates dropped by Seq count as accepted). It never
// blocks on a socket: a live connection whose queue is full is closed with
// 4008 and resumes after reconnecting. Frames of one stream must be
// broadcast in Seq order.
func (h *Hub) Broadcast(topic string, f *Frame) int {
	if f == nil {
		return 0
	}
	h.mu.RLock()
	set := h.topics[topic]
	if len(set) < 2*minShard {
		n := 0
		for c := range set {
			if c.enqueue(f) {
				n++
			}
		}
		h.mu.RUnlock()
		return n
	}
	conns := make([]*Conn, 0, len(set))
	for c := range set {
		conns = append(conns, c)
	}
	h.mu.RUnlock()
	return fanOut(len(conns), func(i int) bool { return conns[i].enqueue(f) })
}

// minShard is the fewest connections worth a goroutine of their own when
// a broadcast is spread over the CPUs.
const minShard = 256

// fanOut calls send(i) for i in [0, n), spread over up to GOMAXPROCS
// goroutines when n is large, and returns how many calls returned true.
// Each call usually writes to a socket (a system call of several
// microseconds): one goroutine writing to thousands would leave the other
// CPUs idle while the last recipients wait.
func fanOut(n int, send func(i int) bool) int {
	shards := min(runtime.GOMAXPROCS(0), n/minShard)
	if shards <= 1 {
		return sendRange(0, n, send)
	}
	per := (n + shards - 1) / shards
	counts := make([]int, shards)
	var wg sync.WaitGroup
	for s := 1; s < shards; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			counts[s] = sendRange(s*per, min((s+1)*per, n), send)
		}()
	}
	counts[0] = sendRange(0, min(per, n), send)
	wg.Wait()
	total := 0
	for _, c := range counts {
		total += c
	}
	return total
}

func sendRange(lo, hi int, send func(i int) bool) int {
	n := 0
	for i := lo; i < hi; i++ {
		if send(i) {
			n++
		}
	}
	return n
}

// Message is one frame of a batch and the topics it goes to.
type Message struct {
	Topics []string
	Frame  *Frame
}

// BroadcastBatch queues each message on the connections subscribed to its
// topics, as Broadcast would message by message, but connection by
// connection: each gets its frames of the batch back to back, so its
// writer finds them queued together and sends them in one system call.
// A commit usually makes several events for the same people (an inject,
// the decision it opens, the state it enters). Messages must be in Seq
// order; a connection on several topics of a message gets it once.
func (h *Hub) BroadcastBatch(msgs []Message) {
	if len(msgs) == 1 {
		for _, t := range msgs[0].Topics {
			h.Broadcast(t, msgs[0].Frame)
		}
		return
	}
	b, _ := h.batches.Get().(*batch)
	if b == nil {
		b = &batch{at: make(map[*Conn]int32)}
	}
	h.mu.RLock()
	for mi, m := range msgs {
		if m.Frame == nil {
			continue
		}
		for _, t := range m.Topics {
			for c := range h.topics[t] {
				b.add(c, int32(mi), m.Frame)
			}
		}
	}
	h.mu.RUnlock()
	b.group()
	fanOut(len(b.conns), func(i int) bool {
		b.conns[i].enqueueAll(b.frames[b.start[i]:b.end[i]])
		return true
	})
	b.reset()
	h.batches.Put(b)
}

// batch is BroadcastBatch's scratch, kept between calls: a commit's
// batch reaches every connection of its exercise, and growing a list of
// frames per connection for each commit was most of the hub's garbage.
type batch struct {
	at    map[*Conn]int32 // index in conns
	conns []*Conn
	last  []int32 // per connection: the last message it got (a message on two of its topics goes once)
	start []int32 // per connection: its frames are frames[start:end]
	end   []int32
	pairs []pairing // (connection, frame), in message order
	// frames holds each connection's frames back to back, in order.
	frames []*Frame
}

type pairing struct {
	conn  int32
	frame *Frame
}

func (b *batch) add(c *Conn, msg int32, f *Frame) {
	i, ok := b.at[c]
	if !ok {
		i = int32(len(b.conns))
		b.at[c] = i
		b.conns = append(b.conns, c)
		b.last = append(b.last, -1)
		b.end = append(b.end, 0)
	}
	if b.last[i] == msg {
		return
	}
	b.last[i] = msg
	b.end[i]++ // a count until group
	b.pairs = append(b.pairs, pairing{conn: i, frame: f})
}

// group lays the frames out connection by connection.
func (b *batch) group() {
	b.start = b.start[:0]
	var n int32
	for i, count := range b.end {
		b.start = append(b.start, n)
		b.end[i] = n
		n += count
	}
	b.frames = slices.Grow(b.frames[:0], int(n))[:n]
	for _, p := range b.pairs {
		b.frames[b.end[p.conn]] = p.frame
		b.end[p.conn]++
	}
}

// reset forgets the batch's connections and frames, keeping the space.
func (b *batch) reset() {
	clear(b.at)
	clear(b.conns)
	clear(b.pairs)
	clear(b.frames)
	b.conns, b.last, b.start, b.end, b.pairs, b.frames = b.conns[:0], b.last[:0], b.start[:0], b.end[:0], b.pairs[:0], b.frames[:0]
}

// CloseWhere closes, with code and reason, every open connection whose
// session matches, and returns how many it closed. It does not wait: each
// connection sends its close frame from its own writer (within WriteWait).
// Example: logout → CloseWhere(sameUser, CloseSessionEnded, "logged out").
func (h *Hub) CloseWhere(match func(Session) bool, code int, reason string) int {
	code, reason = sanitizeClose(code, reason)
	h.mu.RLock()
	conns := make([]*Conn, 0, len(h.conns))
	for c := range h.conns {
		conns = append(conns, c)
	}
	h.mu.RUnlock()
	n := 0
	for _, c := range conns {
		if h.matches(match, c) && c.closeWith(code, reason, true) {
			n++
		}
	}
	return n
}

func (h *Hub) matches(match func(Session) bool, c *Conn) (ok bool) {
	defer func() {
		if p := recover(); p != nil {
			ok = false
			h.logPanic("match", c, p)
		}
	}()
	return match(c.sess)
}

// Close closes every connection with 1001 (going away), refuses new ones with
// 503 and waits until every connection's goroutines and OnClose have returned.
// Call it during graceful shutdown, after the HTTP server stopped accepting.
func (h *Hub) Close() {
	h.mu.Lock()
	if !h.closed {
		close(h.stop)
	}
	h.closed = true
	conns := make([]*Conn, 0, len(h.conns))
	for c := range h.conns {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	for _, c := range conns {
		c.closeWith(CloseGoingAway, "server shutting down", true)
	}
	h.wg.Wait()
}

// Stats returns the current counters.
func (h *Hub) Stats() Stats {
	h.mu.RLock()
	s := Stats{Connections: len(h.conns), Topics: len(h.topics)}
	h.mu.RUnlock()
	s.FramesSent = h.framesSent.Load()
	s.FramesBatched = h.framesBatched.Load()
	s.SlowDisconnects = h.slowDisconnects.Load()
	return s
}

func (h *Hub) topicsOf(sess Session) (topics []string, ok bool) {
	defer func() {
		if p := recover(); p != nil {
			ok = false
			h.logPanic("Topics", nil, p)
		}
	}()
	return sess.Topics(), true
}

func (h *Hub) logPanic(callback string, c *Conn, p any) {
	var id uint64
	if c != nil {
		id = c.id
	}
	h.log.Error("hub: callback panicked", "callback", callback, "conn", id,
		"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
}
