package hub

import "github.com/gorilla/websocket"

// Frame is one text message, encoded once and shared by every recipient.
// It is immutable and safe to broadcast to any number of topics and
// connections.
type Frame struct {
	seq  int64
	size int
	pm   *websocket.PreparedMessage
	data []byte // only when preparing failed; written the slow way
}

// NewFrame encodes payload as a WebSocket text frame. seq is the frame's
// position in its stream (> 0), or 0 for frames outside any stream (acks,
// errors, presence) which are never de-duplicated. payload is copied, so the
// caller may reuse it.
func NewFrame(seq int64, payload []byte) *Frame {
	f := &Frame{seq: seq, size: len(payload)}
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, payload)
	if err != nil {
		// Preparing writes into memory and cannot fail for a text message;
		// keep a copy rather than lose the frame if that ever changes.
		f.data = append([]byte(nil), payload...)
		return f
	}
	f.pm = pm
	return f
}

// NewDirectFrame is NewFrame for a frame that goes to one connection (a
// replayed event, an ack, an error). It skips preparing the wire bytes:
// preparing builds a scratch connection and a second copy (about 3 KiB
// of garbage a frame), which pays off only when many connections send the
// same frame.
func NewDirectFrame(seq int64, payload []byte) *Frame {
	return &Frame{seq: seq, size: len(payload), data: append([]byte(nil), payload...)}
}

// Seq returns the frame's stream position (0: outside any stream).
func (f *Frame) Seq() int64 { return f.seq }

// Len returns the payload length in bytes.
func (f *Frame) Len() int { return f.size }
