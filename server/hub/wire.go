package hub

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Batching: when frames are already queued, the writer gathers them and
// hands them to the kernel in one write. A commit often produces several
// events for the same people (an inject, the decision it opens, the state
// it enters); written one by one each costs a system call on both ends.
const (
	maxBatchFrames = 64
	maxBatchBytes  = 64 << 10
)

// maxGorillaOut bounds gorilla's own frames (pongs, close replies) waiting
// for the writer: a client that sends pings and reads nothing is cut off.
const maxGorillaOut = 16 << 10

var errGorillaOutFull = errors.New("hub: control frames not read by the peer")

// wireConn is the connection under gorilla/websocket. The hub writes its
// frames to the socket itself, already encoded (Frame.wire), so that a
// broadcast costs one system call per connection and nothing else when the
// socket has room. Gorilla keeps the reading side; its own writes (the
// handshake, then pongs and close replies) go straight out until the
// connection is released to the hub, then wait in out for the writer, so
// that only one party ever writes: whoever holds the connection's writing
// flag (Conn.writing).
//
// The one-attempt writes (tryWrite) need a non-blocking write(2) on the
// socket (wire_unix.go). Where there is none (Windows, TLS, or when the hub
// is told to write portably) raw is nil and every frame goes through the
// writer goroutine's blocking Conn.Write: the same frames in the same order,
// one goroutine hand-off more per write.
type wireConn struct {
	net.Conn
	raw   *rawWriter    // for one-attempt writes; nil when there are none
	pool  *sync.Pool    // of *[]byte, shared by the hub
	slack time.Duration // how much earlier than asked a write deadline may be

	mu     sync.Mutex
	queued bool   // released: gorilla's writes wait for the writer
	wake   func() // starts the writer; set with queued
	out    []byte // gorilla's frames waiting
	hasOut atomic.Bool

	// The writing flag's holder alone touches these.
	rest    []byte    // what a one-attempt write left unwritten
	applied time.Time // the write deadline in force on Conn
}

// newWireConn wraps a hijacked connection. With portable set, or where the
// system offers no non-blocking write, it makes no one-attempt writes.
func newWireConn(nc net.Conn, pool *sync.Pool, slack time.Duration, portable bool) *wireConn {
	w := &wireConn{Conn: nc, pool: pool, slack: slack}
	if !portable {
		w.raw = newRawWriter(nc)
	}
	return w
}

// Write is gorilla's: the handshake response, then control frames.
func (w *wireConn) Write(p []byte) (int, error) {
	w.mu.Lock()
	if !w.queued {
		// Held while writing, so that release waits for it: after
		// release, the writing flag's holder owns the socket.
		defer w.mu.Unlock()
		return w.Conn.Write(p)
	}
	if len(w.out)+len(p) > maxGorillaOut {
		w.mu.Unlock()
		return 0, errGorillaOutFull
	}
	w.out = append(w.out, p...)
	w.hasOut.Store(true)
	wake := w.wake
	w.mu.Unlock()
	wake()
	return len(p), nil
}

// SetWriteDeadline is gorilla's. Once released, gorilla's frames are
// written by the writer under its own deadline.
func (w *wireConn) SetWriteDeadline(t time.Time) error {
	w.mu.Lock()
	queued := w.queued
	w.mu.Unlock()
	if queued {
		return nil
	}
	return w.Conn.SetWriteDeadline(t)
}

// release hands writing over to the hub: from now on gorilla's frames are
// queued and wake starts the writer that sends them.
func (w *wireConn) release(wake func()) {
	w.mu.Lock()
	w.queued, w.wake = true, wake
	w.mu.Unlock()
}

// pendingOut reports whether gorilla's frames are waiting.
func (w *wireConn) pendingOut() bool { return w.hasOut.Load() }

// tryWrite writes p with one non-blocking system call, if nothing must go
// before it; what the socket had no room for is kept for the writer
// (flush). It returns false, having written nothing, when it cannot try.
// Only the writing flag's holder calls it.
func (w *wireConn) tryWrite(p []byte) (tried bool, err error) {
	if w.raw == nil || len(w.rest) > 0 || w.hasOut.Load() {
		return false, nil
	}
	if !w.applied.IsZero() {
		// The writer's last deadline would fail this attempt once it
		// passed; an attempt that cannot block needs none.
		if err := w.Conn.SetWriteDeadline(time.Time{}); err != nil {
			return true, err
		}
		w.applied = time.Time{}
	}
	n, err := w.raw.writeOnce(p)
	if err != nil {
		return true, err
	}
	if n < len(p) {
		w.rest = append(w.rest[:0], p[n:]...)
	}
	return true, nil
}

// hasRest reports whether a one-attempt write left bytes behind.
func (w *wireConn) hasRest() bool { return len(w.rest) > 0 }

// buffer returns an empty batch buffer from the pool, holding first what
// must precede anything new: the rest of a one-attempt write, then
// gorilla's waiting frames.
func (w *wireConn) buffer() *[]byte {
	b := w.emptyBuffer()
	*b = append(*b, w.rest...)
	w.rest = w.rest[:0]
	if w.hasOut.Load() {
		w.mu.Lock()
		*b = append(*b, w.out...)
		w.out = w.out[:0]
		w.hasOut.Store(false)
		w.mu.Unlock()
	}
	return b
}

// emptyBuffer returns an empty batch buffer from the pool, leaving what
// waits (rest, gorilla's frames) where it is.
func (w *wireConn) emptyBuffer() *[]byte {
	b, _ := w.pool.Get().(*[]byte)
	if b == nil {
		b = new([]byte)
	}
	*b = (*b)[:0]
	return b
}

// putBuffer returns an unused batch buffer to the pool.
func (w *wireConn) putBuffer(b *[]byte) {
	if cap(*b) <= 2*maxBatchBytes { // an outsized batch is not worth keeping
		*b = (*b)[:0]
		w.pool.Put(b)
	}
}

// flush writes b in one blocking call, within deadline, and returns b to
// the pool. The socket's deadline is renewed only when it moved by more
// than slack: each renewal re-arms a runtime timer.
func (w *wireConn) flush(b *[]byte, deadline time.Time) error {
	var err error
	if len(*b) > 0 {
		if w.applied.IsZero() || deadline.Before(w.applied) || deadline.Sub(w.applied) > w.slack {
			err = w.Conn.SetWriteDeadline(deadline)
			w.applied = deadline
		}
		if err == nil {
			_, err = w.Conn.Write(*b)
		}
	}
	w.putBuffer(b)
	return err
}

// wiringWriter hands gorilla's upgrade a hijacked connection wrapped in a
// wireConn.
type wiringWriter struct {
	http.ResponseWriter
	pool     *sync.Pool
	slack    time.Duration
	portable bool      // no one-attempt writes (Config.PortableWrites)
	conn     *wireConn // set by Hijack
}

func (ww *wiringWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := ww.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, http.ErrNotSupported
	}
	nc, rw, err := h.Hijack()
	if err != nil {
		return nil, nil, err
	}
	ww.conn = newWireConn(nc, ww.pool, ww.slack, ww.portable)
	return ww.conn, rw, nil
}
