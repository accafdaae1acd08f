package hub

import (
	"errors"
	"runtime"
	"testing"
	"time"
)

// queueConn is a connection with no socket and no writer: newConn holds
// the writing flag until Serve releases it, so nothing drains the queue
// but the test.
func queueConn(t *testing.T, size int) *Conn {
	t.Helper()
	return newConn(New(Config{SendQueue: size}, nil), nil)
}

func popAll(c *Conn) []int64 {
	var got []int64
	for f := c.pop(); f != nil; f = c.pop() {
		got = append(got, f.seq)
	}
	return got
}

func equalSeqs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSendQueueOrderAndBound(t *testing.T) {
	c := queueConn(t, 4)
	if c.q != nil || c.pop() != nil {
		t.Fatal("a new connection has a send queue")
	}
	for i := int64(1); i <= 4; i++ {
		if !c.queue(seqFrame(i)) {
			t.Fatalf("frame %d refused", i)
		}
	}
	// Take two, add two: the waiting frames slide to the front instead
	// of growing the array, and keep their order.
	first := []int64{c.pop().seq, c.pop().seq}
	capBefore := cap(c.q)
	for i := int64(5); i <= 6; i++ {
		if !c.queue(seqFrame(i)) {
			t.Fatalf("frame %d refused", i)
		}
	}
	if cap(c.q) != capBefore {
		t.Errorf("the queue grew from %d to %d slots with never more than 4 frames in it", capBefore, cap(c.q))
	}
	if got := append(first, popAll(c)...); !equalSeqs(got, []int64{1, 2, 3, 4, 5, 6}) {
		t.Fatalf("order %v", got)
	}
	if c.qlen.Load() != 0 {
		t.Fatalf("qlen %d after draining", c.qlen.Load())
	}
	// Full: the fifth frame closes the connection as slow.
	for i := int64(7); i <= 10; i++ {
		c.queue(seqFrame(i))
	}
	if c.queue(seqFrame(11)) {
		t.Fatal("a full queue took a frame")
	}
	if code, _ := c.CloseStatus(); code != CloseSlowClient {
		t.Fatalf("close code %d, want %d", code, CloseSlowClient)
	}
}

func TestSendQueueLetsGoOfABacklog(t *testing.T) {
	c := queueConn(t, 256)
	for i := int64(1); i <= 200; i++ {
		if err := c.queueInOrder(seqFrame(i)); err != nil {
			t.Fatal(err)
		}
	}
	got := popAll(c)
	if len(got) != 200 || got[0] != 1 || got[199] != 200 {
		t.Fatalf("got %d frames, %v…", len(got), got[:min(len(got), 3)])
	}
	if c.q != nil {
		t.Fatalf("a drained queue keeps %d slots", cap(c.q))
	}
	// A short queue keeps its small array for the next frames.
	c.queue(seqFrame(201))
	c.pop()
	if c.q == nil || cap(c.q) > smallQueue {
		t.Fatalf("after one frame: %d slots kept", cap(c.q))
	}
}

// waitForRoomWaiter returns once a sender has found c's queue full and
// waits for room: it has made the channel a pop closes.
func waitForRoomWaiter(c *Conn) {
	for {
		c.qmu.Lock()
		waiting := c.room != nil
		c.qmu.Unlock()
		if waiting {
			return
		}
		runtime.Gosched()
	}
}

func TestQueueInOrderWaitsForRoom(t *testing.T) {
	c := queueConn(t, 2)
	for i := int64(1); i <= 2; i++ {
		if err := c.queueInOrder(seqFrame(i)); err != nil {
			t.Fatal(err)
		}
	}
	queued := make(chan error, 2)
	go func() {
		queued <- c.queueInOrder(seqFrame(3))
		queued <- c.queueInOrder(seqFrame(4))
	}()
	waitForRoomWaiter(c)
	select {
	case err := <-queued:
		t.Fatalf("queued into a full queue (%v)", err)
	default:
	}
	var got []int64
	results := 0
	for len(got) < 4 || results < 2 {
		if f := c.pop(); f != nil {
			got = append(got, f.seq)
			continue
		}
		select {
		case err := <-queued:
			if err != nil {
				t.Fatal(err)
			}
			results++
		case <-time.After(10 * time.Second):
			t.Fatalf("stuck with %v", got)
		}
	}
	if !equalSeqs(got, []int64{1, 2, 3, 4}) {
		t.Fatalf("order %v", got)
	}

	// Closing wakes a sender waiting for room.
	c.queueInOrder(seqFrame(5))
	c.queueInOrder(seqFrame(6))
	go func() { queued <- c.queueInOrder(seqFrame(7)) }()
	waitForRoomWaiter(c)
	c.Close(CloseNormal, "")
	select {
	case err := <-queued:
		if !errors.Is(err, ErrConnClosed) {
			t.Fatalf("got %v, want ErrConnClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a waiting sender was not woken by the close")
	}
}
