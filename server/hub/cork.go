package hub

import (
	"bufio"
	"net"
	"net/http"
	"sync"
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

// corkConn is the connection gorilla/websocket writes to. While corked,
// writes are gathered in memory and sent by uncork in one call. Writes from
// other goroutines (gorilla answering a ping or a close from the reader)
// join the batch while corked and go straight out otherwise: each is a
// whole frame, and the kernel never interleaves two Write calls.
type corkConn struct {
	net.Conn
	pool  *sync.Pool    // of *[]byte, shared by the hub
	slack time.Duration // how much earlier than asked a write deadline may be

	mu       sync.Mutex
	corked   bool
	buf      *[]byte
	deadline time.Time // the last write deadline asked for while corked
	deferred bool      // deadline is to be set at uncork
	applied  time.Time // the write deadline in force on Conn
}

// SetWriteDeadline is deferred while corked, and skipped when the deadline
// in force is at most slack earlier than t: gorilla sets one before every
// frame, each a runtime timer update that showed in profiles of a broadcast
// to thousands, and a write given WriteWait−slack instead of WriteWait is
// bounded all the same.
func (cc *corkConn) SetWriteDeadline(t time.Time) error {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.corked {
		cc.deadline, cc.deferred = t, true
		return nil
	}
	return cc.applyLocked(t)
}

func (cc *corkConn) applyLocked(t time.Time) error {
	if !t.IsZero() && !cc.applied.IsZero() && !t.Before(cc.applied) && t.Sub(cc.applied) <= cc.slack {
		return nil
	}
	if err := cc.Conn.SetWriteDeadline(t); err != nil {
		return err
	}
	cc.applied = t
	return nil
}

func (cc *corkConn) Write(p []byte) (int, error) {
	cc.mu.Lock()
	if cc.corked {
		*cc.buf = append(*cc.buf, p...)
		cc.mu.Unlock()
		return len(p), nil
	}
	cc.mu.Unlock()
	return cc.Conn.Write(p)
}

// cork starts gathering writes. Only the connection's writer calls it.
func (cc *corkConn) cork() {
	b, _ := cc.pool.Get().(*[]byte)
	if b == nil {
		b = new([]byte)
	}
	cc.mu.Lock()
	cc.corked, cc.buf = true, b
	cc.mu.Unlock()
}

// uncork sends what was gathered, in one write, and stops gathering.
func (cc *corkConn) uncork() error {
	cc.mu.Lock()
	b := cc.buf
	var err error
	if cc.deferred {
		err = cc.applyLocked(cc.deadline)
	}
	cc.corked, cc.buf, cc.deferred = false, nil, false
	cc.mu.Unlock()
	if b == nil {
		return err
	}
	if len(*b) > 0 && err == nil {
		_, err = cc.Conn.Write(*b)
	}
	if cap(*b) <= 2*maxBatchBytes { // an outsized batch is not worth keeping
		*b = (*b)[:0]
		cc.pool.Put(b)
	}
	return err
}

// corkingWriter hands gorilla's upgrade a hijacked connection wrapped in
// a corkConn.
type corkingWriter struct {
	http.ResponseWriter
	pool  *sync.Pool
	slack time.Duration
	conn  *corkConn // set by Hijack
}

func (w *corkingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, http.ErrNotSupported
	}
	nc, rw, err := h.Hijack()
	if err != nil {
		return nil, nil, err
	}
	w.conn = &corkConn{Conn: nc, pool: w.pool, slack: w.slack}
	return w.conn, rw, nil
}
