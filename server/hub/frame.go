package hub

import "encoding/binary"

// Frame is one text message, encoded once and shared by every recipient.
// It is immutable and safe to broadcast to any number of topics and
// connections.
type Frame struct {
	seq  int64
	hdr  int    // header length in wire
	wire []byte // the whole WebSocket frame, as written to the socket
}

// NewFrame encodes payload as a WebSocket text frame. seq is the frame's
// position in its stream (> 0), or 0 for frames outside any stream (acks,
// errors, presence) which are never de-duplicated. payload is copied, so the
// caller may reuse it.
func NewFrame(seq int64, payload []byte) *Frame {
	wire := make([]byte, maxHeader, maxHeader+len(payload))
	return finishFrame(seq, append(wire, payload...))
}

// EncodeFrame is NewFrame for a payload that enc appends to the buffer it
// is given (which has room for about sizeHint bytes): the payload is
// written once, straight into the frame, with no copy.
func EncodeFrame(seq int64, sizeHint int, enc func(b []byte) []byte) *Frame {
	buf := make([]byte, maxHeader, maxHeader+max(sizeHint, 0))
	room := buf[maxHeader:]
	out := enc(room)
	if len(out) > 0 && (cap(room) == 0 || &out[0] != &room[:1][0]) {
		// enc outgrew the room (or returned other bytes): the payload is
		// elsewhere, without the space kept for the header.
		return NewFrame(seq, out)
	}
	return finishFrame(seq, buf[:maxHeader+len(out)])
}

// maxHeader is the longest header of an unmasked frame.
const maxHeader = 10

// finishFrame writes the header into the maxHeader bytes kept before the
// payload in buf and returns the frame, which owns buf.
func finishFrame(seq int64, buf []byte) *Frame {
	// A server's frames are not masked (RFC 6455 §5.1) and compression is
	// never negotiated, so the bytes are the same for every connection.
	n := len(buf) - maxHeader
	var hdr [maxHeader]byte
	hdr[0] = 0x80 | 0x1 // FIN, text
	h := 2
	switch {
	case n < 126:
		hdr[1] = byte(n)
	case n <= 0xffff:
		hdr[1] = 126
		binary.BigEndian.PutUint16(hdr[2:], uint16(n))
		h = 4
	default:
		hdr[1] = 127
		binary.BigEndian.PutUint64(hdr[2:], uint64(n))
		h = 10
	}
	wire := buf[maxHeader-h:]
	copy(wire, hdr[:h])
	return &Frame{seq: seq, hdr: h, wire: wire}
}

// NewDirectFrame is NewFrame for a frame that goes to one connection (a
// replayed event, an ack, an error). The two are the same now that every
// frame is encoded once into its wire bytes; the name stays for callers
// that say which kind they send.
func NewDirectFrame(seq int64, payload []byte) *Frame { return NewFrame(seq, payload) }

// Seq returns the frame's stream position (0: outside any stream).
func (f *Frame) Seq() int64 { return f.seq }

// Len returns the payload length in bytes.
func (f *Frame) Len() int { return len(f.wire) - f.hdr }

// payload returns the message the frame carries.
func (f *Frame) payload() []byte { return f.wire[f.hdr:] }
