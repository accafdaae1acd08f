//go:build unix

package hub

import (
	"bytes"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// The one-attempt writes exist on Unix only (wire_unix.go).

// tryWrite never waits: against a peer that reads nothing it writes what
// the socket takes and keeps the rest, which a flush then delivers in
// order.
func TestWireConnTryWrite(t *testing.T) {
	server, peer := tcpPair(t)
	_ = server.(*net.TCPConn).SetWriteBuffer(16 << 10)
	w := newWireConn(server, &sync.Pool{}, time.Second, false)
	if w.raw == nil {
		t.Fatal("no raw access to a TCP connection")
	}

	var sent bytes.Buffer
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
	for i := 0; !w.hasRest(); i++ {
		if i == 1000 {
			t.Fatal("the socket never filled")
		}
		chunk[0] = byte(i)
		tried, err := w.tryWrite(chunk)
		if !tried || err != nil {
			t.Fatalf("attempt %d: tried %v, %v", i, tried, err)
		}
		sent.Write(chunk)
	}
	if tried, _ := w.tryWrite([]byte("x")); tried {
		t.Fatal("tried a write with a rest pending")
	}
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(io.LimitReader(peer, int64(sent.Len())))
		got <- b
	}()
	if err := w.flush(w.buffer(), time.Now().Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	select {
	case b := <-got:
		if !bytes.Equal(b, sent.Bytes()) {
			t.Fatalf("peer got %d bytes, not the %d sent in order", len(b), sent.Len())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("peer did not get everything")
	}
}

// A deadline the writer set must not fail later one-attempt writes once
// it has passed (they cannot block, so they need none).
func TestWireConnTryWriteAfterDeadline(t *testing.T) {
	server, peer := tcpPair(t)
	w := newWireConn(server, &sync.Pool{}, time.Second, false)
	b := w.buffer()
	*b = append(*b, "first|"...)
	if err := w.flush(b, time.Now().Add(20*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // the deadline passes
	if tried, err := w.tryWrite([]byte("second")); !tried || err != nil {
		t.Fatalf("attempt after the deadline: tried %v, %v", tried, err)
	}
	got := make([]byte, len("first|second"))
	_ = peer.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(peer, got); err != nil || string(got) != "first|second" {
		t.Fatalf("peer got %q, %v", got, err)
	}
}
