package hub

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// The hub writes its frames to the socket itself and lets gorilla write
// only through the wireConn it hijacked (wire.go): the handshake, then
// the control frames gorilla sends on its own while reading — a pong per
// ping, the reply to a close, a close for a protocol error or an
// oversized message — and the close frame the hub asks for with
// WriteControl. Each of those is one whole frame per Write, so that once
// released, wireConn can queue them between the hub's frames. A gorilla
// release that wrote anything else, wrote around the hijacked connection
// (through the bufio.Writer Hijack also returns), split a frame over
// several writes, or wrote from a goroutine of its own would break that
// silently; TestGorillaWrites pins it.

// connLog records what gorilla does with the connection it writes to.
type connLog struct {
	mu     sync.Mutex
	writes [][]byte
	calls  []string // methods called, other than Read and the addresses
}

func (l *connLog) add(call string, p []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, call)
	if p != nil {
		l.writes = append(l.writes, append([]byte(nil), p...))
	}
}

func (l *connLog) snapshot() ([][]byte, []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.writes, l.calls
}

// loggedConn is the hijacked TCP connection, recording.
type loggedConn struct {
	net.Conn
	log *connLog
}

func (c *loggedConn) Write(p []byte) (int, error) {
	c.log.add("Write", p)
	return c.Conn.Write(p)
}

func (c *loggedConn) SetWriteDeadline(t time.Time) error {
	c.log.add("SetWriteDeadline", nil)
	return c.Conn.SetWriteDeadline(t)
}

func (c *loggedConn) SetDeadline(t time.Time) error {
	c.log.add("SetDeadline", nil)
	return c.Conn.SetDeadline(t)
}

func (c *loggedConn) Close() error {
	c.log.add("Close", nil)
	return c.Conn.Close()
}

// loggingHijacker hands out the hijacked connection wrapped in a loggedConn.
type loggingHijacker struct {
	http.ResponseWriter
	log *connLog
}

func (h loggingHijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, rw, err := h.ResponseWriter.(http.Hijacker).Hijack()
	if err != nil {
		return nil, nil, err
	}
	return &loggedConn{Conn: nc, log: h.log}, rw, nil
}

// clientFrame encodes a masked client frame.
func clientFrame(first byte, payload []byte) []byte {
	b := []byte{first}
	switch n := len(payload); {
	case n < 126:
		b = append(b, 0x80|byte(n))
	case n <= 0xffff:
		b = append(b, 0x80|126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, 0x80|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	key := [4]byte{0x12, 0x34, 0x56, 0x78}
	b = append(b, key[:]...)
	for i, c := range payload {
		b = append(b, c^key[i%4])
	}
	return b
}

func closePayload(code int, text string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(code)), text...)
}

// serverFrame decodes one unmasked server frame that must fill w exactly.
func serverFrame(w []byte) (op byte, payload []byte, err error) {
	if len(w) < 2 {
		return 0, nil, fmt.Errorf("%d bytes", len(w))
	}
	if w[0]&0x80 == 0 || w[0]&0x70 != 0 || w[1]&0x80 != 0 {
		return 0, nil, fmt.Errorf("header % x: want FIN, no RSV bits, unmasked", w[:2])
	}
	n, hdr := int(w[1]&0x7f), 2
	switch n {
	case 126:
		n, hdr = int(binary.BigEndian.Uint16(w[2:])), 4
	case 127:
		n, hdr = int(binary.BigEndian.Uint64(w[2:])), 10
	}
	if len(w) != hdr+n {
		return 0, nil, fmt.Errorf("%d bytes for a %d-byte payload: not one whole frame", len(w), n)
	}
	return w[0] & 0x0f, w[hdr:], nil
}

// wantWrite is one expected write after the handshake.
type wantWrite struct {
	op      byte
	payload []byte // exact, unless code is set
	code    int    // a close frame with this code and any reason
}

func TestGorillaWrites(t *testing.T) {
	const readLimit = 64
	text := func(s string) []byte { return clientFrame(0x81, []byte(s)) }
	tests := []struct {
		name string
		send [][]byte // client frames, after the handshake
		// afterFirst, when set, is the server's own close frame, sent
		// with WriteControl once the first data message was read.
		afterFirst []byte
		want       []wantWrite
	}{
		{
			name: "data, pings, pongs and the client's close",
			send: [][]byte{
				clientFrame(0x89, []byte("p1")), text("hello"), clientFrame(0x82, []byte{0, 1, 2}),
				clientFrame(0x8a, []byte("unasked")), clientFrame(0x89, nil),
				clientFrame(0x01, []byte("frag")), clientFrame(0x89, []byte("p2")), clientFrame(0x80, []byte("mented")),
				clientFrame(0x88, closePayload(1000, "bye")),
			},
			want: []wantWrite{
				{op: 0xa, payload: []byte("p1")},
				{op: 0xa, payload: []byte{}},
				{op: 0xa, payload: []byte("p2")},
				{op: 0x8, payload: closePayload(1000, "")},
			},
		},
		{
			name: "protocol error",
			send: [][]byte{text("ok"), clientFrame(0xc1, []byte("reserved bit"))},
			want: []wantWrite{{op: 0x8, code: websocket.CloseProtocolError}},
		},
		{
			name: "message over the read limit",
			send: [][]byte{text(strings.Repeat("x", readLimit+1))},
			want: []wantWrite{{op: 0x8, code: websocket.CloseMessageTooBig}},
		},
		{
			name:       "server close then the client's reply",
			send:       [][]byte{text("hello"), clientFrame(0x88, closePayload(4502, ""))},
			afterFirst: websocket.FormatCloseMessage(CloseAccessRevoked, "revoked"),
			// Gorilla does not answer a close reply to its own close.
			want: []wantWrite{{op: 0x8, payload: websocket.FormatCloseMessage(CloseAccessRevoked, "revoked")}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := New(Config{ReadLimit: readLimit}, nil)
			defer h.Close()
			log := &connLog{}
			served := make(chan error, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				// As Hub.Serve: the hub's upgrader, through a wiringWriter,
				// and read as readPump reads.
				ww := &wiringWriter{ResponseWriter: loggingHijacker{w, log}, pool: &sync.Pool{}, slack: time.Second}
				ws, err := h.upgrader.Upgrade(ww, r, nil)
				if err != nil {
					served <- err
					return
				}
				defer ws.Close()
				ws.SetReadLimit(h.cfg.ReadLimit)
				_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
				ws.SetPongHandler(func(string) error { return nil })
				for i := 0; ; i++ {
					if _, _, err := ws.ReadMessage(); err != nil {
						served <- nil
						return
					}
					if i == 0 && tt.afterFirst != nil {
						if err := ws.WriteControl(websocket.CloseMessage, tt.afterFirst, time.Now().Add(5*time.Second)); err != nil {
							served <- err
							return
						}
					}
				}
			}))
			defer srv.Close()

			addr := srv.Listener.Addr().String()
			nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			_ = nc.SetDeadline(time.Now().Add(20 * time.Second))
			req := "GET /ws HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
				"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
			if _, err := io.WriteString(nc, req); err != nil {
				t.Fatal(err)
			}
			// The response head, read byte by byte so that nothing after it
			// is consumed before the frames are sent.
			var got bytes.Buffer
			one := make([]byte, 1)
			for !bytes.HasSuffix(got.Bytes(), []byte("\r\n\r\n")) {
				if _, err := io.ReadFull(nc, one); err != nil {
					t.Fatalf("handshake: %v after %q", err, got.String())
				}
				got.Write(one)
			}
			if _, err := nc.Write(bytes.Join(tt.send, nil)); err != nil {
				t.Fatal(err)
			}
			// Everything the server sends until it closes the connection.
			if _, err := io.Copy(&got, nc); err != nil {
				t.Fatalf("reading: %v", err)
			}
			if err := <-served; err != nil {
				t.Fatal(err)
			}

			writes, calls := log.snapshot()
			if len(writes) == 0 || !bytes.HasPrefix(writes[0], []byte("HTTP/1.1 101 ")) ||
				!bytes.HasSuffix(writes[0], []byte("\r\n\r\n")) {
				t.Fatalf("first write %q: want the whole 101 response", writes)
			}
			// Nothing reached the peer around the hijacked connection.
			if sent := bytes.Join(writes, nil); !bytes.Equal(got.Bytes(), sent) {
				t.Fatalf("the client got %q; the connection was given %q", got.Bytes(), sent)
			}
			frames := writes[1:]
			if len(frames) != len(tt.want) {
				t.Fatalf("%d writes after the handshake, want %d: %q", len(frames), len(tt.want), frames)
			}
			for i, w := range frames {
				op, payload, err := serverFrame(w)
				if err != nil {
					t.Fatalf("write %d (%q): %v", i+1, w, err)
				}
				want := tt.want[i]
				switch {
				case op != want.op:
					t.Errorf("write %d: opcode %#x, want %#x", i+1, op, want.op)
				case want.code != 0 && (len(payload) < 2 || int(binary.BigEndian.Uint16(payload)) != want.code):
					t.Errorf("write %d: close payload %q, want code %d", i+1, payload, want.code)
				case want.code == 0 && !bytes.Equal(payload, want.payload):
					t.Errorf("write %d: payload %q, want %q", i+1, payload, want.payload)
				}
			}
			// Before the handshake gorilla clears and sets deadlines; after
			// it, it may set write deadlines (wireConn ignores them once
			// released) and closes when the hub tells it to; nothing else
			// (a SetDeadline would move the writer's deadline behind its
			// back).
			handshake := slices.Index(calls, "Write")
			for i, c := range calls {
				if i < handshake && c != "SetDeadline" && c != "SetWriteDeadline" ||
					i > handshake && c != "Write" && c != "SetWriteDeadline" && c != "Close" {
					t.Errorf("gorilla called %s on the connection (calls %q)", c, calls)
				}
			}
		})
	}
}
