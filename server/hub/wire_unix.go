//go:build unix

package hub

import (
	"errors"
	"net"
	"syscall"
)

// oneAttemptWrites tells whether this system has the one-attempt writes.
const oneAttemptWrites = true

// rawWriter makes one-attempt writes: one write(2) on the socket, which
// the runtime keeps in non-blocking mode, never a wait for room.
type rawWriter struct {
	raw syscall.RawConn

	// One attempt's arguments and results, and the function RawConn.Write
	// calls, made once: a closure per attempt would cost three allocations
	// per frame and recipient.
	try     []byte
	tryN    int
	tryErr  error
	attempt func(fd uintptr) bool
}

// newRawWriter returns a rawWriter for nc, or nil when nc gives no access
// to its file descriptor (TLS, a wrapped connection).
func newRawWriter(nc net.Conn) *rawWriter {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	r := &rawWriter{raw: raw}
	r.attempt = r.writeFD
	return r
}

// writeFD is the attempt RawConn.Write runs.
func (r *rawWriter) writeFD(fd uintptr) bool {
	r.tryN, r.tryErr = syscall.Write(int(fd), r.try)
	return true
}

// writeOnce writes what the socket takes of p now: n is 0 when it has no
// room (EAGAIN) or the call was interrupted.
func (r *rawWriter) writeOnce(p []byte) (int, error) {
	r.try = p
	err := r.raw.Write(r.attempt)
	n, werr := r.tryN, r.tryErr
	r.try, r.tryErr = nil, nil
	if err != nil {
		return 0, err
	}
	if werr != nil {
		if !errors.Is(werr, syscall.EAGAIN) && !errors.Is(werr, syscall.EINTR) {
			return 0, werr
		}
		return 0, nil
	}
	return max(n, 0), nil
}
