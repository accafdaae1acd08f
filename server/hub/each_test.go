package hub

import (
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestEachAndSwitch: Each finds the matching connections (a panicking
// matcher is contained); Switch moves one from a topic to another, so the
// next broadcast on the old topic misses it and one on the new reaches it,
// and the others keep their topics.
func TestEachAndSwitch(t *testing.T) {
	e := newEnv(t, Config{})
	u1a := e.dial("token=good&topics=old&user=u1")
	u1b := e.dial("token=good&topics=old&user=u1")
	u2 := e.dial("token=good&topics=old&user=u2")
	e.h.Broadcast("old", NewFrame(0, []byte("ready")))
	for _, ws := range []*websocket.Conn{u1a, u1b, u2} {
		readText(t, ws, 5*time.Second)
	}
	n := e.h.Each(func(s Session) bool { return s.(*testSession).user == "u1" }, func(c *Conn) {
		c.Switch("old", "new")
		c.Switch("old", "new") // a repeat changes nothing
	})
	if n != 2 {
		t.Fatalf("Each matched %d, want 2", n)
	}
	e.h.Broadcast("old", NewFrame(0, []byte("old only")))
	e.h.Broadcast("new", NewFrame(0, []byte("new only")))
	for _, ws := range []*websocket.Conn{u1a, u1b} {
		if got := readText(t, ws, 5*time.Second); got != "new only" {
			t.Fatalf("a switched connection got %q first, want the new topic's frame", got)
		}
	}
	if got := readText(t, u2, 5*time.Second); got != "old only" {
		t.Fatalf("the other connection got %q, want the old topic's frame", got)
	}
	if n := e.h.Each(func(Session) bool { panic("bad matcher") }, func(*Conn) { t.Error("called for a panicking matcher") }); n != 0 {
		t.Fatalf("Each with a panicking matcher matched %d", n)
	}
}
