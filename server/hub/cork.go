package hub

import (
	"bufio"
	"net"
	"net/http"
	"sync"
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
	pool *sync.Pool // of *[]byte, shared by the hub

	mu     sync.Mutex
	corked bool
	buf    *[]byte
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
	cc.corked, cc.buf = false, nil
	cc.mu.Unlock()
	if b == nil {
		return nil
	}
	var err error
	if len(*b) > 0 {
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
	pool *sync.Pool
	conn *corkConn // set by Hijack
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
	w.conn = &corkConn{Conn: nc, pool: w.pool}
	return w.conn, rw, nil
}
