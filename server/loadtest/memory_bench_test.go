package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"
)

// rawDial opens a WebSocket by hand and reads until marker appears (or,
// with an empty marker, until the 101 response ends), then leaves the
// connection idle. The client holds no buffers or goroutines, so memory
// measured in this process is the server's.
func rawDial(addr, path, auth, marker string) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	req := "GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: " + subprotocol + "\r\n"
	if auth != "" {
		req += "Authorization: Bearer " + auth + "\r\n"
	}
	if _, err := c.Write([]byte(req + "\r\n")); err != nil {
		c.Close()
		return nil, err
	}
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
	br := bufio.NewReaderSize(c, 4096)
	var seen []byte
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("handshake: %w", err)
		}
		if len(seen) == 0 && !bytes.Contains(line, []byte(" 101 ")) {
			c.Close()
			return nil, fmt.Errorf("handshake: %s", bytes.TrimSpace(line))
		}
		seen = append(seen, line...)
		if string(line) == "\r\n" {
			break
		}
	}
	for marker != "" && !bytes.Contains(seen, []byte(marker)) {
		b := make([]byte, 4096)
		n, err := br.Read(b)
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("waiting for %s: %w", marker, err)
		}
		seen = append(seen, b[:n]...)
	}
	_ = c.SetReadDeadline(time.Time{})
	return c, nil
}

func serverMem() (heap, stack uint64, goroutines int) {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse, m.StackInuse, runtime.NumGoroutine()
}

// BenchmarkIdleConnection measures the memory an idle WebSocket costs the
// server, live heap and goroutine stacks after a GC, for ttx (the full
// stack: hub connection, API session, two pumps; 25 participants per
// exercise, as in a class) and for the baseline hub, with 1,000 raw
// clients in this process that hold no buffers of their own. The RSS
// figure of 'ttx loadtest' adds the garbage a Go heap keeps between
// collections.
func BenchmarkIdleConnection(b *testing.B) {
	const n = 1000
	for _, target := range []string{"ttx", "baseline"} {
		b.Run(target, func(b *testing.B) {
			ctx := context.Background()
			var ep Endpoint
			var paths, tokens []string
			if target == "ttx" {
				var cred Credentials
				ep, cred = startTTX(b)
				base, _ := CheckLoopback(ep.URL)
				fac, err := login(ctx, base, cred)
				if err != nil {
					b.Fatal(err)
				}
				var exs []exerciseInfo
				for e := range n / 25 {
					ex, err := fac.createExercise(ctx, "brand-hijack", fmt.Sprint("Idle ", e))
					if err != nil {
						b.Fatal(err)
					}
					exs = append(exs, ex)
				}
				clients, err := joinAll(ctx, []*url.URL{base}, exs, n, 8)
				if err != nil {
					b.Fatal(err)
				}
				for _, c := range clients {
					q := url.Values{"exercise": {exs[c.exercise].ID}}
					paths = append(paths, "/api/ws?"+q.Encode())
					tokens = append(tokens, c.token)
				}
			} else {
				ep = startBaseline(b)
				for i := range n {
					paths = append(paths, fmt.Sprintf("/ws?room=%d", i/25))
					tokens = append(tokens, "")
				}
			}
			addr := strings.TrimPrefix(ep.URL, "http://")
			marker := `"type":"live"`
			if target == "baseline" {
				marker = ""
			}
			for b.Loop() {
				heap0, stack0, g0 := serverMem()
				var ms0 runtime.MemStats
				runtime.ReadMemStats(&ms0)
				conns := make([]net.Conn, 0, n)
				for i := range n {
					c, err := rawDial(addr, paths[i], tokens[i], marker)
					if err != nil {
						b.Fatal(err)
					}
					conns = append(conns, c)
				}
				time.Sleep(200 * time.Millisecond) // let pumps reach their idle wait
				var ms1 runtime.MemStats
				runtime.ReadMemStats(&ms1)
				heap1, stack1, g1 := serverMem()
				// Everything allocated while connecting, garbage included
				// (the clients' share is the same for both targets): what
				// an RSS figure sees until the next collection.
				b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/n, "alloc-B/conn")
				b.ReportMetric(float64(heap1-heap0)/n, "heap-B/conn")
				b.ReportMetric(float64(stack1-stack0)/n, "stack-B/conn")
				b.ReportMetric(float64(heap1+stack1-heap0-stack0)/n, "B/conn")
				b.ReportMetric(float64(g1-g0)/n, "goroutines/conn")
				for _, c := range conns {
					c.Close()
				}
				// Let the server notice before the next round.
				deadline := time.Now().Add(10 * time.Second)
				for runtime.NumGoroutine() > g0+10 && time.Now().Before(deadline) {
					time.Sleep(20 * time.Millisecond)
				}
			}
		})
	}
}
