package hub

import (
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// writePaths runs f once per way the hub writes to a socket: the
// one-attempt writes of Unix systems ("raw"; on others the hub falls back
// to the portable path there too) and the portable path every system has,
// where every frame waits for the connection's writer goroutine
// (Config.PortableWrites). The same test must pass on both.
func writePaths(t *testing.T, f func(t *testing.T, portable bool)) {
	t.Helper()
	for _, p := range []struct {
		name     string
		portable bool
	}{{"raw", false}, {"portable", true}} {
		t.Run(p.name, func(t *testing.T) { f(t, p.portable) })
	}
}

// TestWritePaths checks that each path is the one taken, and that
// gorilla's frames (pongs, the reply to a client's close) and the hub's own
// (broadcasts, a server close) get through on both.
func TestWritePaths(t *testing.T) {
	writePaths(t, func(t *testing.T, portable bool) {
		e := newEnv(t, Config{PortableWrites: portable})
		conns := make(chan *Conn, 2)
		e.setup = func(c *Conn, _ *http.Request) {
			conns <- c
			_ = c.Live()
		}
		ws := e.dial("token=good&topics=room")
		c := <-conns
		if c.wire == nil {
			t.Fatal("the connection was not hijacked through a wireConn")
		}
		if want := oneAttemptWrites && !portable; (c.wire.raw != nil) != want {
			t.Fatalf("one-attempt writes: %v, want %v", c.wire.raw != nil, want)
		}

		// Pings answered (gorilla's pongs go through the hub's writer)
		// between broadcasts, all in order.
		pongs := make(chan string, 4)
		ws.SetPongHandler(func(s string) error { pongs <- s; return nil })
		for i, p := range []string{"p1", "p2"} {
			if err := ws.WriteControl(websocket.PingMessage, []byte(p), time.Now().Add(5*time.Second)); err != nil {
				t.Fatal(err)
			}
			e.h.Broadcast("room", seqFrame(int64(i+1)))
			if got := readText(t, ws, 10*time.Second); got != string(seqFrame(int64(i+1)).payload()) {
				t.Fatalf("frame %d: got %q", i+1, got)
			}
			// The pong handler runs inside a read: read on until it has.
			for len(pongs) == 0 {
				e.h.Broadcast("room", NewFrame(0, []byte("nudge")))
				if got := readText(t, ws, 10*time.Second); got != "nudge" {
					t.Fatalf("got %q, want a nudge", got)
				}
			}
			if got := <-pongs; got != p {
				t.Fatalf("pong %q, want %q", got, p)
			}
		}

		// A client's close gets gorilla's reply, after what was queued.
		if err := ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye"),
			time.Now().Add(5*time.Second)); err != nil {
			t.Fatal(err)
		}
		if code, _ := readClose(t, ws, 10*time.Second); code != websocket.CloseNormalClosure {
			t.Fatalf("close reply %d, want 1000", code)
		}
		e.waitClosed(1, 10*time.Second)

		// A server close reaches the client with its code.
		ws2 := e.dial("token=good&topics=room")
		<-conns
		e.h.CloseWhere(func(Session) bool { return true }, CloseAccessRevoked, "revoked")
		if code, reason := readClose(t, ws2, 10*time.Second); code != CloseAccessRevoked || reason != "revoked" {
			t.Fatalf("server close %d %q, want 4502 revoked", code, reason)
		}
	})
}
