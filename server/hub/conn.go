package hub

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Conn is one WebSocket connection. Its methods are safe for concurrent use,
// except that Replay and Live are meant for the one goroutine that set the
// connection up (normally the HTTP handler that called Serve).
type Conn struct {
	h    *Hub
	ws   *websocket.Conn // set once before the pumps start
	wire *wireConn       // ws's connection; nil if the upgrade was not hijacked through it
	sess Session
	id   uint64

	// done is closed once when the connection starts closing; readerDone
	// when the reader exits.
	done       chan struct{}
	readerDone chan struct{}

	// The send queue: frames waiting for the writer, at most
	// cfg.SendQueue. A slice that is only there while frames wait, not a
	// channel: a channel's buffer of SendQueue pointers was 2 KiB for
	// every idle connection, which the garbage collector also scanned.
	qmu   sync.Mutex
	q     []*Frame // q[qhead:] wait, oldest first
	qhead int
	qlen  atomic.Int32  // len(q) - qhead, for checks without the lock
	room  chan struct{} // made by a sender waiting for room; closed when the writer takes a frame

	closeOnce   sync.Once
	closeCode   int    // written before done is closed
	closeReason string // written before done is closed
	closeSend   bool   // whether the writer sends a close frame

	// drainClose, once set, closes the connection when the writer has
	// nothing left to send (CloseWhenDrained).
	drainClose atomic.Pointer[closeRequest]

	mu         sync.Mutex // guards the stream state below
	live       bool
	pending    []*Frame // live frames held during replay
	pendingSeq int64    // highest Seq in pending
	lastSeq    int64    // highest Seq queued to send

	topics map[string]struct{} // guarded by h.mu
	gone   bool                // guarded by h.mu: unregistered

	lastActive atomic.Int64 // unix nanoseconds of the last message either way

	// A connection has no writer goroutine while it has nothing to send:
	// an idle socket then costs one goroutine (the reader), not two. Who
	// queues a frame, asks for a ping or closes calls kick, which starts a
	// writer unless one runs; the writer drains what is there and exits.
	writing atomic.Bool // a writer goroutine runs (stays set once it shut down)
	pingDue atomic.Bool // set by the hub's sweep, cleared by the writer
	born    int64       // unix nanoseconds at creation; immutable
	pings   int64       // pings asked for so far; the sweep's alone

	unreadInput bool // set by the reader before readerDone: input left unread
}

func newConn(h *Hub, sess Session) *Conn {
	c := &Conn{
		h:          h,
		sess:       sess,
		id:         h.nextID.Add(1),
		done:       make(chan struct{}),
		readerDone: make(chan struct{}),
		topics:     make(map[string]struct{}),
		born:       time.Now().UnixNano(),
	}
	// No writer may start before the upgrade has set ws: Serve releases
	// this hold once it has.
	c.writing.Store(true)
	c.touch()
	return c
}

// release lets writers start, and starts one if anything is waiting.
func (c *Conn) release() {
	c.writing.Store(false)
	if c.hasWork() {
		c.kick()
	}
}

// ID returns a number unique among the hub's connections, for logs.
func (c *Conn) ID() uint64 { return c.id }

// Session returns the session the connection was served with.
func (c *Conn) Session() Session { return c.sess }

// Done is closed when the connection starts closing.
func (c *Conn) Done() <-chan struct{} { return c.done }

// CloseStatus returns the code and reason the connection closed with (the one
// sent, or the peer's, or CloseAbnormal if it vanished); 0 while open.
func (c *Conn) CloseStatus() (code int, reason string) {
	select {
	case <-c.done:
		return c.closeCode, c.closeReason
	default:
		return 0, ""
	}
}

// Close starts closing the connection with code and reason; it does not wait.
// Codes a browser would refuse become 1011.
func (c *Conn) Close(code int, reason string) {
	code, reason = sanitizeClose(code, reason)
	c.closeWith(code, reason, true)
}

// closeRequest is a close code and reason waiting for the queue to drain.
type closeRequest struct {
	code   int
	reason string
}

// CloseWhenDrained closes the connection with code and reason once every
// frame queued before the writer runs dry has been written: unlike Close,
// which drops what waits, the client gets what was sent, then the code.
// It does not wait. Frames sent afterwards may or may not go out first.
func (c *Conn) CloseWhenDrained(code int, reason string) {
	code, reason = sanitizeClose(code, reason)
	c.drainClose.Store(&closeRequest{code: code, reason: reason})
	c.kick()
}

// Subscribe adds topics to a connection; a closed connection is ignored.
func (c *Conn) Subscribe(topics ...string) {
	c.h.mu.Lock()
	defer c.h.mu.Unlock()
	if c.gone {
		return
	}
	for _, t := range topics {
		c.h.subscribeLocked(c, t)
	}
}

// Unsubscribe removes topics from a connection.
func (c *Conn) Unsubscribe(topics ...string) {
	c.h.mu.Lock()
	defer c.h.mu.Unlock()
	for _, t := range topics {
		c.h.unsubscribeLocked(c, t)
	}
}

// Send queues f for this connection only, under the same rules as Broadcast.
// It returns false if the connection is closed or has just been closed for
// overflowing its queue.
func (c *Conn) Send(f *Frame) bool {
	if f == nil {
		return false
	}
	c.mu.Lock()
	live := c.live
	c.mu.Unlock()
	if !live {
		// During replay the send queue is full of backlog by design; a
		// direct frame (hello, ack, error) waits its turn behind it
		// instead of being mistaken for a slow client.
		return c.queueInOrder(f) == nil
	}
	return c.enqueue(f)
}

// Replay queues backlog frames, blocking while the send queue is full (the
// writer drains it within WriteWait per frame or the connection closes).
// Frames with 0 < Seq <= the last Seq queued are skipped. It may be called
// several times, e.g. per page of the log, before Live.
func (c *Conn) Replay(frames []*Frame) error {
	c.mu.Lock()
	live := c.live
	c.mu.Unlock()
	if live {
		return ErrAlreadyLive
	}
	select {
	case <-c.done:
		return ErrConnClosed
	default:
	}
	for _, f := range frames {
		if err := c.queueInOrder(f); err != nil {
			return err
		}
	}
	return nil
}

// Live ends replay: it queues the frames held since Serve whose Seq is above
// the last one replayed, in order, then lets broadcasts through directly.
// Calling it again does nothing.
func (c *Conn) Live() error {
	for {
		c.mu.Lock()
		if c.live {
			c.mu.Unlock()
			return nil
		}
		if len(c.pending) == 0 {
			c.live = true
			c.pending = nil
			c.mu.Unlock()
			break
		}
		batch := c.pending
		c.pending = nil
		c.mu.Unlock()
		for _, f := range batch {
			if err := c.queueInOrder(f); err != nil {
				return err
			}
		}
	}
	select {
	case <-c.done:
		return ErrConnClosed
	default:
		return nil
	}
}

// queueInOrder queues f, waiting for room, unless it is a duplicate.
func (c *Conn) queueInOrder(f *Frame) error {
	if f == nil {
		return nil
	}
	if f.seq > 0 {
		c.mu.Lock()
		dup := f.seq <= c.lastSeq
		if !dup {
			c.lastSeq = f.seq
		}
		c.mu.Unlock()
		if dup {
			return nil
		}
	}
	for {
		select {
		case <-c.done:
			return ErrConnClosed
		default:
		}
		c.qmu.Lock()
		if c.queuedLocked() < c.h.cfg.SendQueue {
			c.appendLocked(f)
			c.qmu.Unlock()
			c.kick()
			return nil
		}
		if c.room == nil {
			c.room = make(chan struct{})
		}
		room := c.room
		c.qmu.Unlock()
		select {
		case <-room:
		case <-c.done:
			return ErrConnClosed
		}
	}
}

// smallQueue is the largest backing array a drained queue keeps: a replay
// fills the queue, and its connection then idles for hours.
const smallQueue = 16

func (c *Conn) queuedLocked() int { return len(c.q) - c.qhead }

// appendLocked adds f at the back of the queue; the caller checked room.
func (c *Conn) appendLocked(f *Frame) {
	if c.qhead > 0 && len(c.q) == cap(c.q) {
		// Slide the waiting frames to the front rather than grow.
		n := copy(c.q, c.q[c.qhead:])
		clear(c.q[n:])
		c.q, c.qhead = c.q[:n], 0
	}
	c.q = append(c.q, f)
	c.qlen.Add(1)
}

// popLocked removes the frame at the front of a non-empty queue.
func (c *Conn) popLocked() *Frame {
	f := c.q[c.qhead]
	c.q[c.qhead] = nil
	c.qhead++
	c.qlen.Add(-1)
	if c.qhead == len(c.q) {
		if cap(c.q) > smallQueue {
			c.q = nil
		} else {
			c.q = c.q[:0]
		}
		c.qhead = 0
	}
	if c.room != nil {
		close(c.room)
		c.room = nil
	}
	return f
}

// pop takes the frame at the front of the queue, or nil.
func (c *Conn) pop() *Frame {
	if c.qlen.Load() == 0 {
		return nil
	}
	c.qmu.Lock()
	defer c.qmu.Unlock()
	if c.queuedLocked() == 0 {
		return nil
	}
	return c.popLocked()
}

// enqueue is the non-blocking path shared by Broadcast and Send.
func (c *Conn) enqueue(f *Frame) bool {
	select {
	case <-c.done:
		return false
	default:
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live {
		return c.holdLocked(f)
	}
	if f.seq > 0 && f.seq <= c.lastSeq {
		return true
	}
	if !c.push(f) {
		return false
	}
	if f.seq > 0 {
		c.lastSeq = f.seq
	}
	return true
}

// enqueueAll is enqueue for a connection's frames of one batch, in order.
// A live connection that can write at once gets them in one system call.
// fs is the caller's scratch: it is filtered in place.
func (c *Conn) enqueueAll(fs []*Frame) {
	select {
	case <-c.done:
		return
	default:
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live {
		for _, f := range fs {
			if !c.holdLocked(f) {
				return
			}
		}
		return
	}
	keep := fs[:0]
	last := c.lastSeq
	for _, f := range fs {
		if f.seq > 0 {
			if f.seq <= last {
				continue
			}
			last = f.seq
		}
		keep = append(keep, f)
	}
	switch len(keep) {
	case 0:
		return
	case 1:
		if !c.push(keep[0]) {
			return
		}
	default:
		if !c.pushAll(keep) {
			return
		}
	}
	c.lastSeq = last
}

// holdLocked keeps f until Live; Seq-0 frames too (presence of others
// joining): while the backlog fills the send queue, pushing them would
// close a healthy connection as slow.
func (c *Conn) holdLocked(f *Frame) bool {
	if f.seq > 0 && (f.seq <= c.lastSeq || f.seq <= c.pendingSeq) {
		return true
	}
	if len(c.pending) >= c.h.cfg.ReplayBuffer {
		c.closeSlow("replay buffer full")
		return false
	}
	c.pending = append(c.pending, f)
	if f.seq > 0 {
		c.pendingSeq = f.seq
	}
	return true
}

// push sends f now if the socket has room and nothing is ahead of it, or
// queues it for the writer. Called with c.mu held, so frames keep their
// order whoever sends them.
func (c *Conn) push(f *Frame) bool {
	if c.canTry() && c.writing.CompareAndSwap(false, true) {
		tried, err := c.wire.tryWrite(f.wire)
		if tried {
			return c.afterTry(err, 1)
		}
		// Something waits ahead of f (gorilla's frames): the writer
		// sends it all, f last.
		ok := c.queue(f)
		go c.writer() // holds the flag we took; shuts down if closing
		return ok
	}
	if !c.queue(f) {
		return false
	}
	c.kick()
	return true
}

// pushAll is push for several frames: one system call for all of them when
// the socket has room.
func (c *Conn) pushAll(fs []*Frame) bool {
	if c.canTry() && c.writing.CompareAndSwap(false, true) {
		// Not buffer(): if gorilla queues a frame meanwhile, tryWrite
		// refuses and the frames go to the writer, which must still find
		// gorilla's frames waiting.
		b := c.wire.emptyBuffer()
		for _, f := range fs {
			*b = append(*b, f.wire...)
		}
		tried, err := c.wire.tryWrite(*b)
		c.wire.putBuffer(b)
		if tried {
			return c.afterTry(err, len(fs))
		}
		for _, f := range fs {
			if !c.queue(f) {
				go c.writer() // closing: the writer shuts down
				return false
			}
		}
		go c.writer()
		return true
	}
	for _, f := range fs {
		if !c.push(f) {
			return false
		}
	}
	return true
}

// canTry reports whether a frame may be written on the caller's goroutine:
// the connection is hijacked through a wireConn with raw access, and
// nothing is queued for the writer.
//
// Back-to-back broadcasts are then written one system call each, where a
// queued writer would gather them. Leaving frames that follow the last
// write closely to the writer wins that back in the hub benchmark, but no
// load test gained from it and ttx's commits are seconds apart, so the
// simpler rule stands.
func (c *Conn) canTry() bool {
	return c.wire != nil && c.wire.raw != nil && c.qlen.Load() == 0 && !c.wire.pendingOut()
}

// afterTry finishes a one-attempt write of n frames by the holder of the
// writing flag: the rest, if any, and anything queued meanwhile go to a
// writer; otherwise the flag is released.
func (c *Conn) afterTry(err error, n int) bool {
	if err != nil {
		c.closeWith(CloseAbnormal, "write failed", false)
		go c.writer() // shuts the connection down
		return false
	}
	c.h.framesSent.Add(uint64(n))
	c.h.framesBatched.Add(uint64(n - 1))
	c.touch()
	if c.wire.hasRest() {
		go c.writer() // finishes the frame the socket had no room for
		return true
	}
	c.writing.Store(false)
	if c.hasWork() {
		c.kick()
	}
	return true
}

// queue puts f in the send queue without waiting; a full queue closes the
// connection as slow.
func (c *Conn) queue(f *Frame) bool {
	c.qmu.Lock()
	full := c.queuedLocked() >= c.h.cfg.SendQueue
	if !full {
		c.appendLocked(f)
	}
	c.qmu.Unlock()
	if full {
		c.closeSlow("send queue full")
		return false
	}
	return true
}

func (c *Conn) closeSlow(why string) {
	if c.closeWith(CloseSlowClient, "slow client", true) {
		c.h.slowDisconnects.Add(1)
		c.h.log.Warn("hub: disconnecting slow client", "conn", c.id, "why", why)
	}
}

// closeWith records why the connection closes and wakes the writer. It only
// closes done, so it is safe under any lock; the first call wins.
func (c *Conn) closeWith(code int, reason string, sendFrame bool) bool {
	first := false
	c.closeOnce.Do(func() {
		c.closeCode, c.closeReason, c.closeSend = code, reason, sendFrame
		close(c.done)
		first = true
	})
	if first {
		c.kick() // the writer sends the close frame and shuts down
	}
	return first
}

// kick makes sure a writer goroutine runs. It only touches atomics, so it
// is safe under any lock. Callers change what the writer looks at (the
// queue, pingDue, done) before kicking: a writer about to exit looks again
// after clearing writing, so either it sees the change or kick starts
// another.
func (c *Conn) kick() {
	if c.writing.CompareAndSwap(false, true) {
		go c.writer()
	}
}

// askPing asks the writer for a ping; the hub's sweep calls it.
func (c *Conn) askPing() {
	c.pingDue.Store(true)
	c.kick()
}

func (c *Conn) touch() {
	if c.h.cfg.IdleTimeout > 0 {
		c.lastActive.Store(time.Now().UnixNano())
	}
}

func (c *Conn) readPump() {
	defer c.h.wg.Done()
	defer close(c.readerDone)
	cfg := &c.h.cfg
	ws := c.ws
	// No gorilla read limit: it would answer an oversize message with a
	// 1009 of its own, without a reason. readMessage enforces the limit.
	_ = ws.SetReadDeadline(time.Now().Add(cfg.PongWait))
	ws.SetPongHandler(func(string) error {
		return ws.SetReadDeadline(time.Now().Add(cfg.PongWait))
	})
	lim := newLimiter(cfg.MessageRate, cfg.MessageBurst, time.Now())
	for {
		data, err := c.readMessage()
		if errors.Is(err, errTooBig) {
			// The rest of the message is still unread: shutdown sends
			// 1009, then reads and discards input so that the close frame
			// is not lost under a reset.
			c.unreadInput = true
			c.closeWith(CloseMessageTooBig, fmt.Sprintf("message over %d bytes", cfg.ReadLimit), true)
			c.h.log.Info("hub: client message over read limit", "conn", c.id, "limit", cfg.ReadLimit)
			return
		}
		if err != nil {
			c.readFailed(err)
			return
		}
		select {
		case <-c.done:
			continue // closing: keep reading only to see the peer's close reply
		default:
		}
		c.touch()
		if !c.deliver(data) {
			c.closeWith(CloseInternalError, "internal error", true)
			continue
		}
		if lim != nil {
			if d := lim.take(time.Now()); d > 0 && !c.pause(d) {
				continue // closing
			}
		}
		// A slow OnMessage or a pause must not make a live peer look dead.
		_ = ws.SetReadDeadline(time.Now().Add(cfg.PongWait))
	}
}

// errTooBig is a client message over Config.ReadLimit.
var errTooBig = errors.New("hub: message over the read limit")

// readMessage reads the next message, at most Config.ReadLimit bytes of it:
// a longer one is errTooBig, with the rest of it left unread.
func (c *Conn) readMessage() ([]byte, error) {
	_, r, err := c.ws.NextReader()
	if err != nil {
		return nil, err
	}
	limit := c.h.cfg.ReadLimit
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, errTooBig
	}
	return buf.Bytes(), nil
}

// pause waits d unless the connection starts closing first.
func (c *Conn) pause(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.done:
		return false
	}
}

// deliver calls OnMessage and reports whether it returned without panicking.
func (c *Conn) deliver(data []byte) (ok bool) {
	defer func() {
		if p := recover(); p != nil {
			ok = false
			c.h.logPanic("OnMessage", c, p)
		}
	}()
	c.sess.OnMessage(c, data)
	return true
}

func (c *Conn) readFailed(err error) {
	var ce *websocket.CloseError
	var ne net.Error
	switch {
	case errors.As(err, &ce):
		// gorilla's close handler has already answered the peer.
		c.closeWith(ce.Code, ce.Text, false)
	case errors.As(err, &ne) && ne.Timeout():
		c.closeWith(CloseAbnormal, "read timeout", false)
	default:
		c.closeWith(CloseAbnormal, "connection lost", false)
	}
}

// writer sends what is queued, then exits; on close it shuts the
// connection down instead and never exits with writing cleared, so no
// writer starts after it.
func (c *Conn) writer() {
	for {
		// Closing wins over queued frames, so a slow client gets its 4008
		// as soon as the socket has room.
		select {
		case <-c.done:
			c.shutdown()
			c.h.wg.Done()
			return
		default:
		}
		f := c.pop()
		if f != nil || c.pingDue.Load() || (c.wire != nil && (c.wire.hasRest() || c.wire.pendingOut())) {
			if err := c.writeBatch(f); err != nil {
				c.closeWith(CloseAbnormal, "write failed", false)
			}
			continue
		}
		if r := c.drainClose.Load(); r != nil {
			// Everything queued is written: close now (the loop then
			// finds done closed and shuts down).
			c.closeWith(r.code, r.reason, true)
			continue
		}
		c.writing.Store(false)
		if !c.hasWork() || !c.writing.CompareAndSwap(false, true) {
			return
		}
	}
}

// hasWork reports whether a writer has something to do. Bytes left by a
// one-attempt write are not checked: whoever leaves them starts a writer
// without letting go of the flag.
func (c *Conn) hasWork() bool {
	if c.qlen.Load() > 0 || c.pingDue.Load() || (c.wire != nil && c.wire.pendingOut()) || c.drainClose.Load() != nil {
		return true
	}
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// pingFrame is an empty ping, as written to the socket.
var pingFrame = [2]byte{0x89, 0x00}

// writeBatch writes, in one blocking system call: the rest of a
// one-attempt write, gorilla's waiting frames, a ping if one is due, f (if
// not nil) and the frames queued behind it (up to maxBatchFrames or
// maxBatchBytes).
func (c *Conn) writeBatch(f *Frame) error {
	if c.wire == nil {
		return c.writeGorilla(f)
	}
	b := c.wire.buffer()
	if c.pingDue.Swap(false) {
		*b = append(*b, pingFrame[:]...)
	}
	n := 0
	if f != nil {
		*b = append(*b, f.wire...)
		n = 1
		if c.qlen.Load() > 0 {
			c.qmu.Lock()
			for n < maxBatchFrames && len(*b) < maxBatchBytes && c.queuedLocked() > 0 {
				*b = append(*b, c.popLocked().wire...)
				n++
			}
			c.qmu.Unlock()
		}
	}
	if err := c.wire.flush(b, time.Now().Add(c.h.cfg.WriteWait)); err != nil {
		return err
	}
	if n > 0 {
		// Counted once per batch: these counters are shared by every
		// writer, and a contended atomic per frame shows in profiles.
		c.h.framesSent.Add(uint64(n))
		c.h.framesBatched.Add(uint64(n - 1))
		c.touch()
	}
	return nil
}

// writeGorilla is writeBatch for a connection gorilla writes to itself
// (not hijacked through a wireConn): one frame at a time.
func (c *Conn) writeGorilla(f *Frame) error {
	deadline := time.Now().Add(c.h.cfg.WriteWait)
	if c.pingDue.Swap(false) {
		if err := c.ws.WriteControl(websocket.PingMessage, nil, deadline); err != nil {
			return err
		}
	}
	if f == nil {
		return nil
	}
	if err := c.ws.SetWriteDeadline(deadline); err != nil {
		return err
	}
	if err := c.ws.WriteMessage(websocket.TextMessage, f.payload()); err != nil {
		return err
	}
	c.h.framesSent.Add(1)
	c.touch()
	return nil
}

// shutdown runs in the writer once done is closed: close frame, a short wait
// for the peer's reply, TCP close, unsubscribe, OnClose.
func (c *Conn) shutdown() {
	cfg := &c.h.cfg
	code, reason := c.closeCode, c.closeReason
	grace := min(cfg.WriteWait, closeGrace)
	// What must reach the peer before any close: the rest of a frame the
	// socket had no room for, gorilla's close reply or 1009.
	flushed := c.wire == nil || c.writeBatch(nil) == nil
	if flushed && c.closeSend && sendable(code) {
		_ = c.ws.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(code, reason), time.Now().Add(cfg.WriteWait))
		if c.wire != nil {
			_ = c.writeBatch(nil) // the close frame waits in gorilla's queue
		}
		// The peer answers with its own close frame, which ends the reader;
		// then the server closes TCP first, as RFC 6455 §7.1.1 asks.
		t := time.NewTimer(grace)
		select {
		case <-c.readerDone:
		case <-t.C:
		}
		t.Stop()
	}
	select {
	case <-c.readerDone:
		if c.unreadInput {
			// The rest of an over-long message is still unread: closing now
			// would reset the connection under the 1009 frame. Half-close
			// and discard input until the peer closes or the grace ends.
			nc := c.ws.NetConn()
			if w, ok := nc.(*wireConn); ok {
				nc = w.Conn // CloseWrite is the TCP connection's
			}
			if tc, ok := nc.(interface{ CloseWrite() error }); ok {
				_ = tc.CloseWrite()
				// As long as a write may take: the client reads the close
				// frame only once it has sent the whole message.
				_ = nc.SetReadDeadline(time.Now().Add(cfg.WriteWait))
				_, _ = io.CopyN(io.Discard, nc, maxDrain)
			}
		}
	default:
	}
	_ = c.ws.Close()
	<-c.readerDone
	c.h.unregister(c)
	if code == CloseNormal || code == CloseGoingAway {
		c.h.log.Debug("hub: connection closed", "conn", c.id, "code", code)
	} else {
		c.h.log.Info("hub: connection closed", "conn", c.id, "code", code, "reason", reason)
	}
	c.callOnClose()
}

func (c *Conn) callOnClose() {
	defer func() {
		if p := recover(); p != nil {
			c.h.logPanic("OnClose", c, p)
		}
	}()
	c.sess.OnClose(c)
}
