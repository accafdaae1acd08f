package hub

import (
	"bytes"
	"encoding/binary"
	"net"
	"sync"
	"testing"
	"time"
)

// recordConn records the write deadlines set on it and what is written.
type recordConn struct {
	net.Conn
	set    []time.Time
	writes [][]byte
}

func (d *recordConn) SetWriteDeadline(t time.Time) error {
	d.set = append(d.set, t)
	return nil
}

func (d *recordConn) Write(p []byte) (int, error) {
	d.writes = append(d.writes, append([]byte(nil), p...))
	return len(p), nil
}

func TestWireConnDeadlines(t *testing.T) {
	t0 := time.Unix(1_000_000, 0)
	const slack = time.Second
	tests := []struct {
		name  string
		calls []time.Time // deadlines of successive flushes
		want  []time.Time // deadlines that reach the socket
	}{
		{"first is always set", []time.Time{t0}, []time.Time{t0}},
		{"within slack is skipped", []time.Time{t0, t0.Add(500 * time.Millisecond), t0.Add(slack)}, []time.Time{t0}},
		{"beyond slack is renewed", []time.Time{t0, t0.Add(slack + time.Nanosecond)}, []time.Time{t0, t0.Add(slack + time.Nanosecond)}},
		{"earlier is always set", []time.Time{t0, t0.Add(-time.Millisecond)}, []time.Time{t0, t0.Add(-time.Millisecond)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &recordConn{}
			w := &wireConn{Conn: d, pool: &sync.Pool{}, slack: slack}
			for _, dl := range tt.calls {
				b := w.buffer()
				*b = append(*b, 'x')
				if err := w.flush(b, dl); err != nil {
					t.Fatal(err)
				}
			}
			if !equalTimes(d.set, tt.want) {
				t.Fatalf("set %v, want %v", d.set, tt.want)
			}
			if len(d.writes) != len(tt.calls) {
				t.Fatalf("%d writes, want %d", len(d.writes), len(tt.calls))
			}
		})
	}
}

// Before release gorilla writes straight through (the handshake); after,
// its frames wait for the writer, bounded, and come first in the next
// batch, after the rest of a one-attempt write.
func TestWireConnGorillaQueue(t *testing.T) {
	d := &recordConn{}
	w := &wireConn{Conn: d, pool: &sync.Pool{}, slack: time.Second}
	if _, err := w.Write([]byte("HTTP/1.1 101")); err != nil || len(d.writes) != 1 {
		t.Fatalf("handshake write: %v, %d writes", err, len(d.writes))
	}
	if err := w.SetWriteDeadline(time.Unix(5, 0)); err != nil || len(d.set) != 1 {
		t.Fatalf("handshake deadline: %v, %v", err, d.set)
	}
	wakes := 0
	w.release(func() { wakes++ })
	if _, err := w.Write([]byte("pong")); err != nil {
		t.Fatal(err)
	}
	_ = w.SetWriteDeadline(time.Unix(9, 0)) // gorilla's; ignored once released
	if len(d.writes) != 1 || len(d.set) != 1 || wakes != 1 || !w.pendingOut() {
		t.Fatalf("after release: %d writes, deadlines %v, %d wakes, pending %v", len(d.writes), d.set, wakes, w.pendingOut())
	}
	if e := w.emptyBuffer(); len(*e) != 0 || !w.pendingOut() {
		t.Fatalf("empty buffer %q took gorilla's frames (pending %v)", *e, w.pendingOut())
	}
	w.rest = []byte("tail|")
	b := w.buffer()
	if string(*b) != "tail|pong" || w.hasRest() || w.pendingOut() {
		t.Fatalf("batch %q, rest %q, pending %v", *b, w.rest, w.pendingOut())
	}
	w.putBuffer(b)
	big := make([]byte, maxGorillaOut)
	if _, err := w.Write(big); err != nil {
		t.Fatalf("a full queue's worth: %v", err)
	}
	if _, err := w.Write([]byte("one more")); err == nil {
		t.Fatal("the queue of gorilla's frames grew past its bound")
	}
}

func TestFrameWire(t *testing.T) {
	for _, n := range []int{0, 1, 125, 126, 127, 65535, 65536, 70000} {
		payload := bytes.Repeat([]byte{'a'}, n)
		f := NewFrame(3, payload)
		w := f.wire
		if w[0] != 0x81 {
			t.Fatalf("n=%d: first byte %#x, want FIN+text", n, w[0])
		}
		var length, hdr int
		switch b := int(w[1]); {
		case b&0x80 != 0:
			t.Fatalf("n=%d: server frame masked", n)
		case b < 126:
			length, hdr = b, 2
		case b == 126:
			length, hdr = int(binary.BigEndian.Uint16(w[2:])), 4
		default:
			length, hdr = int(binary.BigEndian.Uint64(w[2:])), 10
		}
		if length != n || len(w) != hdr+n || !bytes.Equal(f.payload(), payload) || f.Len() != n || f.Seq() != 3 {
			t.Fatalf("n=%d: length %d, header %d, wire %d bytes", n, length, hdr, len(w))
		}
		if (n < 126 && hdr != 2) || (n >= 126 && n <= 65535 && hdr != 4) || (n > 65535 && hdr != 10) {
			t.Fatalf("n=%d: %d-byte header is not the shortest", n, hdr)
		}
	}
}

func equalTimes(a, b []time.Time) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

// tcpPair returns both ends of a loopback TCP connection.
func tcpPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	select {
	case server = <-accepted:
	case <-time.After(5 * time.Second):
		t.Fatal("no connection accepted")
	}
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}
