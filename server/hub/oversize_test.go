package hub

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Every message over the read limit, whatever its size, ends the
// connection with 1009 and a reason the client can read, never a reset
// (1006) under the close frame: the server reads and discards the rest of
// the message before it closes TCP.
func TestOversizeMessagesGet1009(t *testing.T) {
	const limit = 16 << 10
	e := newEnv(t, Config{ReadLimit: limit})
	for _, size := range []int{limit + 1, 64 << 10, 1 << 20, 1<<20 + 1, 5 << 20, 16 << 20} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			ws := e.dial("token=good&topics=t")
			msg := bytes.Repeat([]byte("a"), size)
			_ = ws.SetWriteDeadline(time.Now().Add(20 * time.Second))
			if err := ws.WriteMessage(websocket.TextMessage, msg); err != nil {
				t.Fatalf("write %d bytes: %v", size, err)
			}
			code, reason := readClose(t, ws, 20*time.Second)
			if code != CloseMessageTooBig {
				t.Fatalf("close code %d, want 1009", code)
			}
			if want := fmt.Sprintf("message over %d bytes", limit); reason != want {
				t.Fatalf("close reason %q, want %q", reason, want)
			}
			ws.Close()
			c := e.waitClosed(1, 20*time.Second)[0]
			if code, _ := c.CloseStatus(); code != CloseMessageTooBig {
				t.Fatalf("server close status %d, want 1009", code)
			}
		})
	}
	select {
	case got := <-e.msgs:
		t.Fatalf("oversized message delivered (%d bytes)", len(got))
	default:
	}
}
