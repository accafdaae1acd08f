package hub

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// testSession is the caller's side in tests: topics and identity from the
// query string, messages and closes reported on channels.
type testSession struct {
	topics []string
	user   string
	msgs   chan []byte
	closed chan *Conn
	onMsg  func(c *Conn, data []byte)
}

func (s *testSession) Topics() []string { return s.topics }
func (s *testSession) OnMessage(c *Conn, data []byte) {
	if s.onMsg != nil {
		s.onMsg(c, data)
	}
	select {
	case s.msgs <- data:
	default:
	}
}
func (s *testSession) OnClose(c *Conn) { s.closed <- c }

// lockedBuffer collects log output written from many goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type env struct {
	t      *testing.T
	h      *Hub
	srv    *httptest.Server
	logs   *lockedBuffer
	msgs   chan []byte
	closed chan *Conn
	// setup runs in the handler after Serve; the default makes c live.
	setup func(c *Conn, r *http.Request)
	// onMsg is given to every session.
	onMsg func(c *Conn, data []byte)
}

// newEnv starts a hub behind a real HTTP server. The handler authenticates
// with ?token=good (401 otherwise, 403 for token=forbidden), subscribes to
// ?topics=a,b and names the user ?user=.
func newEnv(t *testing.T, cfg Config) *env {
	t.Helper()
	return newEnvListener(t, cfg, nil)
}

func newEnvListener(t *testing.T, cfg Config, wrap func(net.Listener) net.Listener) *env {
	t.Helper()
	e := &env{
		t:      t,
		logs:   &lockedBuffer{},
		msgs:   make(chan []byte, 1024),
		closed: make(chan *Conn, 1024),
	}
	e.h = New(cfg, slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	e.srv = httptest.NewUnstartedServer(http.HandlerFunc(e.serveWS))
	if wrap != nil {
		e.srv.Listener = wrap(e.srv.Listener)
	}
	e.srv.Start()
	t.Cleanup(func() {
		e.h.Close()
		e.srv.Close()
	})
	return e
}

func (e *env) serveWS(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch q.Get("token") {
	case "good":
	case "forbidden":
		Reject(w, http.StatusForbidden, "forbidden", "forbidden")
		return
	default:
		Reject(w, http.StatusUnauthorized, "unauthenticated", "unauthorized")
		return
	}
	var topics []string
	if s := q.Get("topics"); s != "" {
		topics = strings.Split(s, ",")
	}
	sess := &testSession{topics: topics, user: q.Get("user"), msgs: e.msgs, closed: e.closed, onMsg: e.onMsg}
	c, err := e.h.Serve(w, r, sess)
	if err != nil {
		return
	}
	if e.setup != nil {
		e.setup(c, r)
		return
	}
	_ = c.Live()
}

func (e *env) wsURL(query string) string {
	return "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/ws?" + query
}

// dialer never uses a proxy from the environment.
var testDialer = websocket.Dialer{HandshakeTimeout: 5 * time.Second}

func (e *env) dial(query string) *websocket.Conn {
	e.t.Helper()
	ws, resp, err := testDialer.Dial(e.wsURL(query), nil)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		e.t.Fatalf("dial %q: %v (status %d)", query, err, status)
	}
	e.t.Cleanup(func() { ws.Close() })
	return ws
}

// readText reads one data message within d.
func readText(t *testing.T, ws *websocket.Conn, d time.Duration) string {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(d))
	_, data, err := ws.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return string(data)
}

// readClose reads until the server's close frame and returns its code.
func readClose(t *testing.T, ws *websocket.Conn, d time.Duration) (int, string) {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(d))
	for {
		_, _, err := ws.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code, ce.Text
		}
		t.Fatalf("want a close frame, got %v", err)
	}
}

// waitClosed waits for OnClose of n connections.
func (e *env) waitClosed(n int, d time.Duration) []*Conn {
	e.t.Helper()
	var out []*Conn
	timeout := time.After(d)
	for len(out) < n {
		select {
		case c := <-e.closed:
			out = append(out, c)
		case <-timeout:
			e.t.Fatalf("OnClose: got %d of %d within %v", len(out), n, d)
		}
	}
	return out
}

// rawDial performs the WebSocket handshake by hand and returns the TCP
// connection: a client that never answers pings unless the test makes it.
func rawDial(tb testing.TB, addr, path string) (net.Conn, *bufio.Reader) {
	tb.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		tb.Fatalf("dial: %v", err)
	}
	req := "GET " + path + " HTTP/1.1\r\nHost: " + addr +
		"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := nc.Write([]byte(req)); err != nil {
		tb.Fatalf("write handshake: %v", err)
	}
	br := bufio.NewReaderSize(nc, 32<<10)
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		tb.Fatalf("read handshake: %v", err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		tb.Fatalf("handshake status %d", resp.StatusCode)
	}
	_ = nc.SetReadDeadline(time.Time{})
	return nc, br
}

// waitGoroutines polls (with a deadline) until the goroutine count is back
// within slack of baseline: goroutine exit has no channel to wait on.
func waitGoroutines(t *testing.T, baseline, slack int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		n := runtime.NumGoroutine()
		if n <= baseline+slack {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("goroutines: %d, baseline %d (+%d)\n%s", n, baseline, slack, buf)
		}
		<-tick.C
	}
}

func seqFrame(seq int64) *Frame { return NewFrame(seq, []byte(fmt.Sprint(seq))) }
