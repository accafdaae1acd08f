package hub

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// wireLen is the size of an unmasked server text frame carrying n bytes.
func wireLen(n int) int {
	switch {
	case n < 126:
		return 2 + n
	case n < 1<<16:
		return 4 + n
	default:
		return 10 + n
	}
}

// BenchmarkBroadcast measures fan-out of a 500-byte frame over loopback to
// in-process clients that read raw bytes (so client-side costs add no
// allocations). One op is one broadcast delivered to every client; windows of
// 32 frames are in flight. Extra metrics: ns and allocations per recipient
// (all goroutines, server and clients, divided by frames × clients).
//
// The floor sub-benchmarks run the same clients against a minimal hub (a
// slice of per-connection writer goroutines fed PreparedMessages through
// buffered channels, as in gorilla's chat example) to compare in one run.
func BenchmarkBroadcast(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("hub/conns=%d", n), func(b *testing.B) { benchBroadcast(b, n, newHubFanout) })
		b.Run(fmt.Sprintf("floor/conns=%d", n), func(b *testing.B) { benchBroadcast(b, n, newFloorFanout) })
	}
}

const benchWindow = 32

// fanout is the server under benchmark: a handler, a broadcast function and
// a way to stop.
type fanout struct {
	handler   http.Handler
	broadcast func(seq int64, payload []byte)
	conns     func() int
	slow      func() uint64
	close     func()
}

func newHubFanout() fanout {
	h := New(Config{SendQueue: 2 * benchWindow, PongWait: 2 * time.Hour, PingPeriod: time.Hour},
		slog.New(slog.DiscardHandler))
	return fanout{
		handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := h.Serve(w, r, &testSession{topics: []string{"bench"}, closed: make(chan *Conn, 1)})
			if err == nil {
				_ = c.Live()
			}
		}),
		broadcast: func(seq int64, p []byte) { h.Broadcast("bench", NewFrame(seq, p)) },
		conns:     func() int { return h.Stats().Connections },
		slow:      func() uint64 { return h.Stats().SlowDisconnects },
		close:     h.Close,
	}
}

func newFloorFanout() fanout {
	var mu sync.Mutex
	var queues []chan *websocket.PreparedMessage
	var wg sync.WaitGroup
	var dropped atomic.Uint64
	up := websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 1024, WriteBufferPool: &sync.Pool{}}
	return fanout{
		handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ws, err := up.Upgrade(w, r, nil)
			if err != nil {
				return
			}
			q := make(chan *websocket.PreparedMessage, 2*benchWindow)
			mu.Lock()
			queues = append(queues, q)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer ws.Close()
				for pm := range q {
					_ = ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
					if ws.WritePreparedMessage(pm) != nil {
						return
					}
				}
			}()
		}),
		broadcast: func(_ int64, p []byte) {
			pm, _ := websocket.NewPreparedMessage(websocket.TextMessage, p)
			mu.Lock()
			for _, q := range queues {
				select {
				case q <- pm:
				default:
					dropped.Add(1)
				}
			}
			mu.Unlock()
		},
		conns: func() int { mu.Lock(); defer mu.Unlock(); return len(queues) },
		slow:  dropped.Load,
		close: func() {
			mu.Lock()
			for _, q := range queues {
				close(q)
			}
			queues = nil
			mu.Unlock()
			wg.Wait()
		},
	}
}

func benchBroadcast(b *testing.B, nconns int, newFanout func() fanout) {
	const window, payloadSize = benchWindow, 500
	fo := newFanout()
	srv := httptest.NewServer(fo.handler)
	defer srv.Close()
	defer fo.close()

	total := b.N
	frameLen := wireLen(payloadSize)
	notify := make(chan struct{}, nconns)
	addr := srv.Listener.Addr().String()
	var closers []func()
	for range nconns {
		nc, br := rawDial(b, addr, "/ws")
		closers = append(closers, func() { nc.Close() })
		go func() {
			buf := make([]byte, 32<<10)
			got, next := 0, min(window, total)
			for {
				k, err := br.Read(buf)
				got += k
				for next > 0 && got >= next*frameLen {
					notify <- struct{}{}
					if next == total {
						next = 0
					} else {
						next = min(next+window, total)
					}
				}
				if err != nil {
					return
				}
			}
		}()
	}
	// The hub registers before the 101; the floor only after it.
	for deadline := time.Now().Add(10 * time.Second); fo.conns() != nconns; runtime.Gosched() {
		if time.Now().After(deadline) {
			b.Fatalf("%d connections registered, want %d", fo.conns(), nconns)
		}
	}
	payload := []byte(`{"type":"inject","seq":0,"body":"` + strings.Repeat("x", payloadSize-33) + `"}`)[:payloadSize]

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	stuck := time.NewTimer(time.Hour) // reset per window, so no allocation per wait
	defer stuck.Stop()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 1; i <= total; i++ {
		fo.broadcast(int64(i), payload)
		if i%window == 0 || i == total {
			stuck.Reset(30 * time.Second)
			for k := range nconns {
				select {
				case <-notify:
				case <-stuck.C:
					b.Fatalf("frame %d: %d of %d clients done, %d dropped", i, k, nconns, fo.slow())
				}
			}
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	recipients := float64(total) * float64(nconns)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/recipients, "ns/recipient")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/recipients, "allocs/recipient")
	if n := fo.slow(); n != 0 {
		b.Fatalf("slow disconnects: %d", n)
	}
	for _, c := range closers {
		c()
	}
}
