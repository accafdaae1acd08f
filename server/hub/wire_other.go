//go:build !unix

package hub

import (
	"errors"
	"net"
)

// oneAttemptWrites tells whether this system has the one-attempt writes.
const oneAttemptWrites = false

// rawWriter would make one-attempt writes; this system has no
// non-blocking write(2) the hub can use on a socket (Windows sockets are
// written through overlapped I/O), so there is never one and every frame
// goes through the writer goroutine's blocking Conn.Write.
type rawWriter struct{}

func newRawWriter(net.Conn) *rawWriter { return nil }

func (*rawWriter) writeOnce([]byte) (int, error) {
	return 0, errors.New("hub: no one-attempt writes on this system")
}
