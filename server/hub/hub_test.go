package hub

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestUpgradeOrigin(t *testing.T) {
	e := newEnv(t, Config{AllowedOrigins: []string{"https://app.example"}})
	tests := []struct {
		name   string
		origin string
		want   int
	}{
		{"cross origin", "https://evil.example", http.StatusForbidden},
		{"null origin", "null", http.StatusForbidden},
		{"allow-listed", "https://app.example", http.StatusSwitchingProtocols},
		{"serving origin", e.srv.URL, http.StatusSwitchingProtocols},
		{"no origin: accepted, authenticated by the caller", "", http.StatusSwitchingProtocols},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := http.Header{}
			if tt.origin != "" {
				hdr.Set("Origin", tt.origin)
			}
			ws, resp, err := testDialer.Dial(e.wsURL("token=good&topics=t"), hdr)
			if resp == nil {
				t.Fatalf("no response: %v", err)
			}
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d (err %v)", resp.StatusCode, tt.want, err)
			}
			if tt.want != http.StatusSwitchingProtocols {
				if err == nil || ws != nil {
					t.Fatalf("dial succeeded on %d", resp.StatusCode)
				}
				return
			}
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			ws.Close()
		})
	}
}

func TestAuthRefusedBeforeUpgrade(t *testing.T) {
	e := newEnv(t, Config{})
	tests := []struct {
		name  string
		query string
		want  int
	}{
		{"missing token", "topics=t", http.StatusUnauthorized},
		{"bad token", "token=bad&topics=t", http.StatusUnauthorized},
		{"forbidden", "token=forbidden&topics=t", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws, resp, err := testDialer.Dial(e.wsURL(tt.query), nil)
			if err == nil || ws != nil {
				t.Fatal("dial succeeded")
			}
			if !errors.Is(err, websocket.ErrBadHandshake) || resp == nil || resp.StatusCode != tt.want {
				t.Fatalf("got %v, resp %v; want status %d", err, resp, tt.want)
			}
			if resp.Header.Get("Upgrade") != "" {
				t.Fatalf("refusal carries Upgrade header")
			}
		})
	}
	if s := e.h.Stats(); s.Connections != 0 || s.Topics != 0 {
		t.Fatalf("stats after refusals: %+v", s)
	}
	select {
	case c := <-e.closed:
		t.Fatalf("OnClose called for refused request %d", c.ID())
	default:
	}
}

func TestNotAWebSocketRequest(t *testing.T) {
	e := newEnv(t, Config{})
	resp, err := http.Get(e.srv.URL + "/ws?token=good&topics=t")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", resp.StatusCode)
	}
	if s := e.h.Stats(); s.Connections != 0 || s.Topics != 0 {
		t.Fatalf("stats after failed upgrade: %+v", s)
	}
}

func TestReadLimit(t *testing.T) {
	const limit = 1024
	e := newEnv(t, Config{ReadLimit: limit})
	ws := e.dial("token=good&topics=t")

	atLimit := bytes.Repeat([]byte("a"), limit)
	if err := ws.WriteMessage(websocket.TextMessage, atLimit); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-e.msgs:
		if !bytes.Equal(got, atLimit) {
			t.Fatalf("OnMessage got %d bytes", len(got))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("message at the limit not delivered")
	}

	if err := ws.WriteMessage(websocket.TextMessage, append(atLimit, 'b')); err != nil {
		t.Fatal(err)
	}
	if code, _ := readClose(t, ws, 5*time.Second); code != CloseMessageTooBig {
		t.Fatalf("close code %d, want 1009", code)
	}
	ws.Close()
	c := e.waitClosed(1, 5*time.Second)[0]
	if code, _ := c.CloseStatus(); code != CloseMessageTooBig {
		t.Fatalf("server close status %d, want 1009", code)
	}
	select {
	case got := <-e.msgs:
		t.Fatalf("oversized message delivered (%d bytes)", len(got))
	default:
	}
}

func TestMalformedMessagesReachCallerRaw(t *testing.T) {
	e := newEnv(t, Config{})
	e.onMsg = func(c *Conn, data []byte) {
		if string(data) == "boom" {
			panic("caller bug")
		}
	}
	ws := e.dial("token=good&topics=t")
	msgs := []struct {
		typ  int
		data []byte
	}{
		{websocket.TextMessage, []byte(`{"type":`)},
		{websocket.TextMessage, []byte{0xff, 0xfe, 0x00, 'x'}}, // not UTF-8
		{websocket.BinaryMessage, []byte{0, 1, 2, 3}},
		{websocket.TextMessage, []byte{}},
	}
	for _, m := range msgs {
		if err := ws.WriteMessage(m.typ, m.data); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-e.msgs:
			if !bytes.Equal(got, m.data) {
				t.Fatalf("OnMessage got %q, want %q", got, m.data)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("message %q not delivered", m.data)
		}
	}

	// A panicking callback closes that connection with 1011 only.
	other := e.dial("token=good&topics=t")
	if err := ws.WriteMessage(websocket.TextMessage, []byte("boom")); err != nil {
		t.Fatal(err)
	}
	if code, _ := readClose(t, ws, 5*time.Second); code != CloseInternalError {
		t.Fatalf("close code %d, want 1011", code)
	}
	e.waitClosed(1, 5*time.Second)
	if !strings.Contains(e.logs.String(), "callback panicked") {
		t.Fatalf("panic not logged:\n%s", e.logs)
	}
	e.h.Broadcast("t", NewFrame(0, []byte("still here")))
	if got := readText(t, other, 5*time.Second); got != "still here" {
		t.Fatalf("other connection got %q", got)
	}
}

func TestPingTimeout(t *testing.T) {
	cfg := Config{PingPeriod: 100 * time.Millisecond, PongWait: 400 * time.Millisecond, WriteWait: 200 * time.Millisecond}
	// Generous slack for a loaded machine, still bounded by the config.
	bound := 2 * (cfg.PongWait + cfg.WriteWait)
	e := newEnv(t, cfg)

	// A live gorilla client answers pings and stays open well past PongWait.
	alive := e.dial("token=good&topics=t")
	aliveDone := make(chan error, 1)
	go func() {
		_ = alive.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, _, err := alive.ReadMessage() // answers pings while it waits
		aliveDone <- err
	}()

	nc, br := rawDial(t, e.srv.Listener.Addr().String(), "/ws?token=good&topics=t")
	defer nc.Close()
	start := time.Now()
	c := e.waitClosed(1, 10*time.Second)[0]
	elapsed := time.Since(start)
	if elapsed > bound {
		t.Fatalf("silent client closed after %v, want <= %v", elapsed, bound)
	}
	if elapsed < cfg.PongWait-cfg.PingPeriod {
		t.Fatalf("silent client closed after %v, before pong wait %v", elapsed, cfg.PongWait)
	}
	if code, reason := c.CloseStatus(); code != CloseAbnormal || reason != "read timeout" {
		t.Fatalf("close status %d %q", code, reason)
	}
	// The raw client sees pings (opcode 0x9), then the end of the stream.
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(br); err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("server did not close the TCP connection")
		}
	}
	if !bytes.Contains(buf.Bytes(), []byte{0x89, 0x00}) {
		t.Fatalf("no ping seen in %x", buf.Bytes())
	}

	select {
	case err := <-aliveDone:
		t.Fatalf("answering client dropped: %v", err)
	case <-time.After(3 * cfg.PongWait):
	}
	alive.Close()
	e.waitClosed(1, 5*time.Second)
}

func TestConnectDisconnect200(t *testing.T) {
	e := newEnv(t, Config{})
	runtime.GC()
	baseline := runtime.NumGoroutine()
	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws, _, err := testDialer.Dial(e.wsURL("token=good&topics=room,u"+strconv.Itoa(i)), nil)
			if err != nil {
				errs <- err
				return
			}
			defer ws.Close()
			if i%2 == 0 { // half say goodbye properly, half just drop
				_ = ws.WriteControl(websocket.CloseMessage,
					websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
				_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
				_, _, _ = ws.ReadMessage()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("dial: %v", err)
	}
	e.waitClosed(n, 10*time.Second)
	waitGoroutines(t, baseline, 5)
	if s := e.h.Stats(); s.Connections != 0 || s.Topics != 0 {
		t.Fatalf("stats: %+v", s)
	}
}

// smallBuffers shrinks the server's socket send buffers so that a client that
// stops reading fills them after a few frames.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(8 << 10)
	}
	return c, err
}

func TestSlowClient(t *testing.T) { writePaths(t, testSlowClient) }

func testSlowClient(t *testing.T, portable bool) {
	e := newEnvListener(t, Config{SendQueue: 16, WriteWait: 20 * time.Second, PongWait: time.Minute, PortableWrites: portable},
		func(l net.Listener) net.Listener { return smallBuffers{l} })

	// The slow client never reads until told to.
	slowDialer := testDialer
	slowDialer.NetDial = func(network, addr string) (net.Conn, error) {
		c, err := net.Dial(network, addr)
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetReadBuffer(4 << 10)
		}
		return c, err
	}
	slow, _, err := slowDialer.Dial(e.wsURL("token=good&topics=s"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()

	const fast = 3
	acks := make([]chan int64, fast)
	for i := range fast {
		ws := e.dial("token=good&topics=s")
		acks[i] = make(chan int64, 1)
		go func(ack chan<- int64) {
			for {
				_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
				_, data, err := ws.ReadMessage()
				if err != nil {
					close(ack)
					return
				}
				seq, _ := strconv.ParseInt(string(data[:bytes.IndexByte(data, ' ')]), 10, 64)
				ack <- seq
			}
		}(acks[i])
	}
	filler := bytes.Repeat([]byte("x"), 1024)
	broadcast := func(seq int64) {
		t.Helper()
		e.h.Broadcast("s", NewFrame(seq, append([]byte(strconv.FormatInt(seq, 10)+" "), filler...)))
		for i, ack := range acks {
			select {
			case got, ok := <-ack:
				if !ok || got != seq {
					t.Fatalf("fast client %d got %d (open %v), want %d", i, got, ok, seq)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("fast client %d did not get %d", i, seq)
			}
		}
	}
	var seq int64
	for e.h.Stats().SlowDisconnects == 0 {
		seq++
		if seq > 10000 {
			t.Fatal("slow client never disconnected")
		}
		broadcast(seq)
	}
	slowAt := seq
	for range 100 { // the others keep receiving every frame, in order
		seq++
		broadcast(seq)
	}

	// Draining the slow client shows an in-order prefix, then 4008.
	var last int64
	_ = slow.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, data, err := slow.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != CloseSlowClient {
				t.Fatalf("slow client: %v after frame %d, want close 4008", err, last)
			}
			break
		}
		got, _ := strconv.ParseInt(string(data[:bytes.IndexByte(data, ' ')]), 10, 64)
		if got != last+1 {
			t.Fatalf("slow client got %d after %d", got, last)
		}
		last = got
	}
	if last >= slowAt {
		t.Fatalf("slow client got frame %d, sent after its disconnect at %d", last, slowAt)
	}
	c := e.waitClosed(1, 10*time.Second)[0]
	if code, _ := c.CloseStatus(); code != CloseSlowClient {
		t.Fatalf("server status %d", code)
	}
	if s := e.h.Stats(); s.SlowDisconnects != 1 || s.Connections != fast {
		t.Fatalf("stats %+v", s)
	}
}

func TestBroadcastMixedTopics(t *testing.T) {
	const frames, clients = 1000, 100
	e := newEnv(t, Config{SendQueue: 2 * frames})

	groups := [][]string{
		{"x:team:a", "x:all"},
		{"x:team:b", "x:all"},
		{"x:team:a", "x:team:b", "x:all"}, // two teams of one stream
		{"x:fac"},
	}
	route := func(i int) []string {
		var ts []string
		switch i % 5 {
		case 0:
			ts = []string{"x:all"}
		case 1:
			ts = []string{"x:team:a"}
		case 2:
			ts = []string{"x:team:a", "x:team:b"}
		case 3:
			ts = []string{"x:team:b", "x:all"} // team b twice
		case 4:
			ts = []string{"x:team:c"} // nobody but the facilitator
		}
		return append(ts, "x:fac")
	}
	type event struct {
		payload string
		topics  []string
	}
	var events []event
	for i := 1; i <= frames; i++ {
		events = append(events, event{strconv.Itoa(i), route(i)})
		if i%100 == 0 { // Seq 0 presence: never de-duplicated
			events = append(events, event{"p" + strconv.Itoa(i), []string{"x:all"}})
		}
	}
	events = append(events, event{"end", []string{"x:all", "x:fac"}})

	expected := make([][]string, len(groups))
	for g, subs := range groups {
		for _, ev := range events {
			for _, topic := range ev.topics {
				if containsString(subs, topic) {
					expected[g] = append(expected[g], ev.payload)
					break
				}
			}
		}
	}

	type result struct {
		group int
		got   []string
		err   error
	}
	results := make(chan result, clients)
	for i := range clients {
		g := i % len(groups)
		ws := e.dial("token=good&topics=" + strings.Join(groups[g], ","))
		go func() {
			var got []string
			for {
				_ = ws.SetReadDeadline(time.Now().Add(20 * time.Second))
				_, data, err := ws.ReadMessage()
				if err != nil {
					results <- result{g, got, err}
					return
				}
				got = append(got, string(data))
				if string(data) == "end" {
					results <- result{g, got, nil}
					return
				}
			}
		}()
	}

	for i, ev := range events {
		var f *Frame
		if strings.HasPrefix(ev.payload, "p") {
			f = NewFrame(0, []byte(ev.payload))
		} else {
			f = NewFrame(int64(i+1), []byte(ev.payload)) // increasing; gaps are fine
		}
		for _, topic := range ev.topics {
			e.h.Broadcast(topic, f)
		}
	}
	for range clients {
		r := <-results
		if r.err != nil {
			t.Fatalf("group %d: %v after %d frames", r.group, r.err, len(r.got))
		}
		if !equalStrings(r.got, expected[r.group]) {
			t.Fatalf("group %d: got %d frames, want %d; first difference at %d",
				r.group, len(r.got), len(expected[r.group]), firstDiff(r.got, expected[r.group]))
		}
	}
	if s := e.h.Stats(); s.SlowDisconnects != 0 {
		t.Fatalf("slow disconnects: %d", s.SlowDisconnects)
	}
}

// TestBroadcastBatch checks that a batch reaches each connection in
// message order, once, whatever mix of topics it is on.
func TestBroadcastBatch(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.dial("token=good&topics=team:a,all")
	b := e.dial("token=good&topics=team:b")
	c := e.dial("token=good&topics=all,team:a,team:b")
	e.h.BroadcastBatch([]Message{
		{Topics: []string{"all"}, Frame: seqFrame(1)},
		{Topics: []string{"team:a"}, Frame: seqFrame(2)},
		{Topics: []string{"nobody"}, Frame: seqFrame(3)},
		{Topics: []string{"team:b", "all"}, Frame: seqFrame(4)},
		{Topics: []string{"all"}, Frame: nil},
		{Topics: []string{"team:a", "team:b"}, Frame: seqFrame(5)},
	})
	e.h.BroadcastBatch([]Message{{Topics: []string{"all", "team:b"}, Frame: NewFrame(0, []byte("end"))}})
	for _, tc := range []struct {
		name string
		ws   *websocket.Conn
		want []string
	}{
		{"a", a, []string{"1", "2", "4", "5", "end"}},
		{"b", b, []string{"4", "5", "end"}},
		{"c", c, []string{"1", "2", "4", "5", "end"}},
	} {
		var got []string
		for len(got) == 0 || got[len(got)-1] != "end" {
			got = append(got, readText(t, tc.ws, 5*time.Second))
		}
		if !equalStrings(got, tc.want) {
			t.Errorf("%s got %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestBatchedFramesIntact queues frames of every header size faster than
// the writer can send them one by one: they go out several to a system
// call, and arrive whole and in order.
func TestBatchedFramesIntact(t *testing.T) { writePaths(t, testBatchedFramesIntact) }

func testBatchedFramesIntact(t *testing.T, portable bool) {
	sizes := []int{0, 1, 125, 126, 127, 1000, 65535, 65536, 70000, 3}
	const n = 400
	e := newEnv(t, Config{SendQueue: n + 1, ReadLimit: 1 << 20, PortableWrites: portable})
	ws := e.dial("token=good&topics=t")
	var want [][]byte
	for i := range n {
		p := bytes.Repeat([]byte{byte('a' + i%26)}, sizes[i%len(sizes)])
		p = append(p, strconv.Itoa(i)...)
		want = append(want, p)
	}
	for i, p := range want {
		if i%2 == 0 {
			e.h.Broadcast("t", NewFrame(int64(i+1), p))
		} else {
			e.h.Broadcast("t", NewDirectFrame(int64(i+1), p))
		}
	}
	for i := range n {
		_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, got, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if !bytes.Equal(got, want[i]) {
			t.Fatalf("frame %d: %d bytes, want %d", i, len(got), len(want[i]))
		}
	}
	s := e.h.Stats()
	if s.FramesBatched == 0 || s.FramesSent != n {
		t.Fatalf("frames sent %d, batched %d: want %d sent, some batched", s.FramesSent, s.FramesBatched, n)
	}
}

func TestReplayThenLive(t *testing.T) {
	e := newEnv(t, Config{})
	registered := make(chan *Conn, 1)
	backlog := make(chan []*Frame)
	live := make(chan error, 1)
	e.setup = func(c *Conn, r *http.Request) {
		c.Send(NewDirectFrame(0, []byte("hello"))) // one recipient: not prepared
		registered <- c
		frames := <-backlog // "reading the log" while live frames arrive
		if err := c.Replay(frames[:3]); err != nil {
			live <- err
			return
		}
		if err := c.Replay(frames[3:]); err != nil { // paged backlog
			live <- err
			return
		}
		live <- c.Live()
	}
	ws := e.dial("token=good&topics=team,all")
	c := <-registered
	// Committed after the backlog query started: broadcast during replay,
	// on both topics, overlapping the backlog (6, 7).
	for seq := int64(6); seq <= 10; seq++ {
		f := seqFrame(seq)
		e.h.Broadcast("team", f)
		e.h.Broadcast("all", f)
	}
	e.h.Broadcast("all", NewFrame(0, []byte("presence"))) // Seq 0: held too, in arrival order
	// The backlog is read for this connection alone, as the API does.
	var frames []*Frame
	for seq := int64(1); seq <= 7; seq++ {
		frames = append(frames, NewDirectFrame(seq, []byte(strconv.FormatInt(seq, 10))))
	}
	backlog <- frames
	if err := <-live; err != nil {
		t.Fatal(err)
	}
	if err := c.Replay(frames); !errors.Is(err, ErrAlreadyLive) {
		t.Fatalf("Replay after Live: %v", err)
	}
	e.h.Broadcast("team", seqFrame(10)) // duplicate once live
	e.h.Broadcast("all", seqFrame(9))   // old
	e.h.Broadcast("team", seqFrame(11))
	c.Send(seqFrame(11))
	e.h.Broadcast("all", seqFrame(12))

	var got []string
	for len(got) < 14 {
		got = append(got, readText(t, ws, 5*time.Second))
	}
	want := []string{"hello", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "presence", "11", "12"}
	if !equalStrings(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	e.h.Broadcast("all", NewFrame(0, []byte("marker")))
	if m := readText(t, ws, 5*time.Second); m != "marker" {
		t.Fatalf("extra frame %q", m)
	}
}

func TestReplayBufferOverflow(t *testing.T) {
	e := newEnv(t, Config{ReplayBuffer: 4})
	registered := make(chan *Conn, 1)
	release := make(chan struct{})
	result := make(chan error, 1)
	e.setup = func(c *Conn, r *http.Request) {
		registered <- c
		<-release
		result <- c.Replay([]*Frame{seqFrame(1)})
	}
	ws := e.dial("token=good&topics=t")
	<-registered
	for seq := int64(2); seq <= 6; seq++ {
		e.h.Broadcast("t", seqFrame(seq))
	}
	if code, _ := readClose(t, ws, 5*time.Second); code != CloseSlowClient {
		t.Fatalf("close %d, want 4008", code)
	}
	close(release)
	if err := <-result; !errors.Is(err, ErrConnClosed) {
		t.Fatalf("Replay on closed connection: %v", err)
	}
	e.waitClosed(1, 5*time.Second)
	if s := e.h.Stats(); s.SlowDisconnects != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestHubClose(t *testing.T) {
	e := newEnv(t, Config{})
	runtime.GC()
	baseline := runtime.NumGoroutine()
	const n = 20
	var clients []*websocket.Conn
	for range n {
		clients = append(clients, e.dial("token=good&topics=t"))
	}
	done := make(chan struct{})
	go func() {
		e.h.Close()
		close(done)
	}()
	for i, ws := range clients {
		if code, _ := readClose(t, ws, 5*time.Second); code != CloseGoingAway {
			t.Fatalf("client %d: close %d, want 1001", i, code)
		}
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
	e.waitClosed(n, time.Second) // OnClose ran before Close returned
	if s := e.h.Stats(); s.Connections != 0 || s.Topics != 0 {
		t.Fatalf("stats %+v", s)
	}
	_, resp, err := testDialer.Dial(e.wsURL("token=good&topics=t"), nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("dial after Close: %v %v", err, resp)
	}
	waitGoroutines(t, baseline, 5)
}

func TestCloseWhere(t *testing.T) {
	e := newEnv(t, Config{})
	u1a := e.dial("token=good&topics=t&user=u1")
	u1b := e.dial("token=good&topics=t&user=u1")
	u2 := e.dial("token=good&topics=t&user=u2")
	// Make sure all three are registered and live.
	e.h.Broadcast("t", NewFrame(0, []byte("ready")))
	for _, ws := range []*websocket.Conn{u1a, u1b, u2} {
		readText(t, ws, 5*time.Second)
	}

	start := time.Now()
	n := e.h.CloseWhere(func(s Session) bool { return s.(*testSession).user == "u1" }, CloseSessionEnded, "logged out")
	if n != 2 {
		t.Fatalf("closed %d, want 2", n)
	}
	for _, ws := range []*websocket.Conn{u1a, u1b} {
		code, reason := readClose(t, ws, time.Second)
		if code != CloseSessionEnded || reason != "logged out" {
			t.Fatalf("close %d %q", code, reason)
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("logout took %v", d)
	}
	e.h.Broadcast("t", NewFrame(0, []byte("after")))
	if got := readText(t, u2, 5*time.Second); got != "after" {
		t.Fatalf("u2 got %q", got)
	}
	// A panicking matcher is contained.
	if n := e.h.CloseWhere(func(Session) bool { panic("bad matcher") }, CloseNormal, ""); n != 0 {
		t.Fatalf("closed %d", n)
	}
}

func TestLifetimeAndIdle(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want int
	}{
		{"max lifetime", Config{MaxLifetime: 300 * time.Millisecond}, CloseLifetime},
		{"idle", Config{IdleTimeout: 300 * time.Millisecond, PingPeriod: 50 * time.Millisecond}, CloseIdle},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.cfg)
			ws := e.dial("token=good&topics=t")
			start := time.Now()
			if code, _ := readClose(t, ws, 5*time.Second); code != tt.want {
				t.Fatalf("close %d, want %d", code, tt.want)
			}
			if d := time.Since(start); d < 250*time.Millisecond {
				t.Fatalf("closed after %v", d)
			}
		})
	}
}

func TestSubscribeUnsubscribe(t *testing.T) {
	e := newEnv(t, Config{})
	registered := make(chan *Conn, 1)
	e.setup = func(c *Conn, r *http.Request) {
		_ = c.Live()
		registered <- c
	}
	ws := e.dial("token=good&topics=a")
	c := <-registered
	c.Subscribe("b", "b")
	c.Unsubscribe("a")
	e.h.Broadcast("a", NewFrame(0, []byte("from a")))
	e.h.Broadcast("b", NewFrame(0, []byte("from b")))
	if got := readText(t, ws, 5*time.Second); got != "from b" {
		t.Fatalf("got %q", got)
	}
	if s := e.h.Stats(); s.Topics != 1 || s.Connections != 1 {
		t.Fatalf("stats %+v", s)
	}
	c.Close(CloseStreamEnded, "exercise ended")
	if code, reason := readClose(t, ws, 5*time.Second); code != CloseStreamEnded || reason != "exercise ended" {
		t.Fatalf("close %d %q", code, reason)
	}
	e.waitClosed(1, 5*time.Second)
	c.Subscribe("c") // ignored once closed
	if s := e.h.Stats(); s.Topics != 0 || s.Connections != 0 {
		t.Fatalf("stats after close %+v", s)
	}
	if c.Send(NewFrame(0, []byte("late"))) {
		t.Fatal("Send on a closed connection succeeded")
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func equalStrings(a, b []string) bool {
	return firstDiff(a, b) < 0
}

func firstDiff(a, b []string) int {
	for i := range max(len(a), len(b)) {
		if i >= len(a) || i >= len(b) || a[i] != b[i] {
			return i
		}
	}
	return -1
}

var _ = fmt.Sprint

func TestMessageRateLimit(t *testing.T) {
	const rate, burst, n = 50.0, 5, 30
	e := newEnv(t, Config{MessageRate: rate, MessageBurst: burst})
	ws := e.dial("token=good&topics=t")
	other := e.dial("token=good&topics=t")
	start := time.Now()
	for i := range n {
		if err := ws.WriteMessage(websocket.TextMessage, []byte(strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		select {
		case got := <-e.msgs:
			if string(got) != strconv.Itoa(i) {
				t.Fatalf("message %d: %q", i, got)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("message %d not delivered", i)
		}
	}
	// n messages need at least (n-burst)/rate seconds; slowness only adds.
	minimum := time.Duration(float64(n-burst) / rate * float64(time.Second))
	if d := time.Since(start); d < minimum*9/10 {
		t.Fatalf("%d messages delivered in %v, want >= %v", n, d, minimum)
	}
	// The flooder stays connected and the others unaffected.
	e.h.Broadcast("t", NewFrame(0, []byte("ok")))
	for _, c := range []*websocket.Conn{ws, other} {
		if got := readText(t, c, 5*time.Second); got != "ok" {
			t.Fatalf("got %q", got)
		}
	}
}

func TestLimiter(t *testing.T) {
	t0 := time.Unix(0, 0)
	tests := []struct {
		name  string
		rate  float64
		burst int
		at    []time.Duration // offsets of successive takes
		want  []time.Duration
	}{
		{"burst then wait", 10, 2, []time.Duration{0, 0, 0, 0},
			[]time.Duration{0, 0, 100 * time.Millisecond, 200 * time.Millisecond}},
		{"refill", 10, 1, []time.Duration{0, 100 * time.Millisecond, 150 * time.Millisecond},
			[]time.Duration{0, 0, 50 * time.Millisecond}},
		{"refill capped at burst", 10, 2, []time.Duration{0, 10 * time.Second, 10 * time.Second, 10 * time.Second},
			[]time.Duration{0, 0, 0, 100 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLimiter(tt.rate, tt.burst, t0)
			for i, at := range tt.at {
				got := l.take(t0.Add(at)).Round(time.Millisecond)
				if got != tt.want[i] {
					t.Fatalf("take %d: %v, want %v", i, got, tt.want[i])
				}
			}
		})
	}
	if newLimiter(0, 5, t0) != nil {
		t.Fatal("rate 0 must disable the limiter")
	}
}

// An idle connection costs one goroutine, its reader: a writer runs only
// while there is something to send, and pings come from the hub's sweep.
func TestIdleConnectionHasNoWriter(t *testing.T) {
	e := newEnv(t, Config{})
	runtime.GC()
	baseline := runtime.NumGoroutine()
	const n = 40
	clients := make([]*websocket.Conn, n)
	for i := range clients {
		clients[i] = e.dial("token=good&topics=room")
	}
	for round := range 3 {
		want := fmt.Sprint("frame ", round)
		e.h.Broadcast("room", NewFrame(0, []byte(want)))
		for i, ws := range clients {
			if got := readText(t, ws, 5*time.Second); got != want {
				t.Fatalf("round %d client %d got %q", round, i, got)
			}
		}
		// n readers and the sweep; with a writer per connection it would
		// stay at 2n.
		waitGoroutines(t, baseline, n+3)
	}
	for _, ws := range clients {
		ws.Close()
	}
	e.waitClosed(n, 10*time.Second)
	waitGoroutines(t, baseline, 3)
}

// A broadcast to many connections is spread over the CPUs (fanOut): every
// connection still gets every frame once, in order.
func TestBroadcastManyInOrder(t *testing.T) { writePaths(t, testBroadcastManyInOrder) }

func testBroadcastManyInOrder(t *testing.T, portable bool) {
	e := newEnv(t, Config{PortableWrites: portable})
	const n, frames = 3 * minShard, 20
	clients := make([]*websocket.Conn, n)
	for i := range clients {
		clients[i] = e.dial("token=good&topics=room")
	}
	errs := make(chan error, n)
	for _, ws := range clients {
		go func() { errs <- readSeqs(ws, frames) }()
	}
	for seq := int64(1); seq <= frames; seq++ {
		if got := e.h.Broadcast("room", seqFrame(seq)); got != n {
			t.Fatalf("frame %d accepted by %d connections, want %d", seq, got, n)
		}
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if s := settledStats(e.h, func(s Stats) bool { return s.FramesSent >= n*frames }); s.FramesSent < n*frames || s.SlowDisconnects != 0 {
		t.Fatalf("stats %+v, want at least %d frames sent and no slow disconnects", s, n*frames)
	}
}

// A burst of back-to-back broadcasts arrives whole and in order, whether
// written at once or queued behind a writer.
func TestBurstArrivesInOrder(t *testing.T) { writePaths(t, testBurstArrivesInOrder) }

func testBurstArrivesInOrder(t *testing.T, portable bool) {
	e := newEnv(t, Config{PortableWrites: portable})
	ws := e.dial("token=good&topics=room")
	const frames = 200
	done := make(chan error, 1)
	go func() { done <- readSeqs(ws, frames) }()
	for seq := int64(1); seq <= frames; seq++ {
		e.h.Broadcast("room", seqFrame(seq))
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// A writer counts its frames after the write returns, so the reader
	// may have them all a moment before the count does.
	if s := settledStats(e.h, func(s Stats) bool { return s.FramesSent >= frames }); s.FramesSent != frames || s.SlowDisconnects != 0 {
		t.Fatalf("stats %+v: want %d frames sent, no slow disconnect", s, frames)
	}
}

// settledStats returns the hub's figures once done holds of them, or
// after 10 s: a socket's frames are counted after its write returns, so
// a peer can read them before they are counted.
func settledStats(h *Hub, done func(Stats) bool) Stats {
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := h.Stats()
		if done(s) || time.Now().After(deadline) {
			return s
		}
		time.Sleep(time.Millisecond)
	}
}

// readSeqs reads frames "1" to "n", in order, each within 10 s.
func readSeqs(ws *websocket.Conn, n int) error {
	for want := 1; want <= n; want++ {
		_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, b, err := ws.ReadMessage()
		if err != nil {
			return err
		}
		if got := string(b); got != strconv.Itoa(want) {
			return fmt.Errorf("got %q, want %d", got, want)
		}
	}
	return nil
}

// TestCloseWhenDrained: a connection closed once drained gets every frame
// queued before the close, in order, then the close code; Close would
// drop what waits. The frames are more than a socket buffer holds, so many
// are still queued when the close is asked for.
func TestCloseWhenDrained(t *testing.T) {
	e := newEnv(t, Config{})
	const n = 200
	body := strings.Repeat("x", 8<<10)
	e.setup = func(c *Conn, r *http.Request) {
		frames := make([]*Frame, n)
		for i := range frames {
			frames[i] = NewFrame(int64(i+1), []byte(fmt.Sprintf("%d %s", i+1, body)))
		}
		if err := c.Replay(frames); err != nil {
			t.Errorf("replay: %v", err)
		}
		if err := c.Live(); err != nil {
			t.Errorf("live: %v", err)
		}
		c.CloseWhenDrained(CloseStreamEnded, "over")
	}
	ws := e.dial("token=good")
	for i := 1; i <= n; i++ {
		got := readText(t, ws, 10*time.Second)
		if want := fmt.Sprintf("%d ", i); !strings.HasPrefix(got, want) {
			t.Fatalf("frame %d: got %.20q", i, got)
		}
	}
	if code, reason := readClose(t, ws, 10*time.Second); code != CloseStreamEnded || reason != "over" {
		t.Fatalf("close %d %q, want %d \"over\"", code, reason, CloseStreamEnded)
	}
}

// TestCloseWhenDrainedIdle: with nothing queued the close goes out at once.
func TestCloseWhenDrainedIdle(t *testing.T) {
	e := newEnv(t, Config{})
	e.setup = func(c *Conn, r *http.Request) {
		_ = c.Live()
		c.CloseWhenDrained(CloseStreamEnded, "over")
	}
	ws := e.dial("token=good")
	if code, _ := readClose(t, ws, 10*time.Second); code != CloseStreamEnded {
		t.Fatalf("close %d, want %d", code, CloseStreamEnded)
	}
}
