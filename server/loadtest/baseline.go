package loadtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// The baseline is the smallest server that does what ttx's live path does:
// gorilla/websocket's chat example (one hub goroutine owning the client
// set, a read pump and a write pump per connection, a buffered send channel
// per client, a client whose channel is full is dropped), with rooms for
// exercises, compression off, 1 KiB I/O buffers with a shared write-buffer
// pool, and one PreparedMessage per broadcast. It stamps each broadcast with
// the time it received it, as ttx stamps an event with its commit time.
const (
	baselineSendBuffer = 256 // the chat example's channel size
	baselineWriteWait  = 10 * time.Second
	baselinePongWait   = 60 * time.Second
	baselinePingPeriod = baselinePongWait * 9 / 10
	baselineReadLimit  = 512
	baselineMaxBody    = 64 << 10
)

type baselineClient struct {
	room string
	conn *websocket.Conn
	send chan *websocket.PreparedMessage
}

type baselineMessage struct {
	room string
	pm   *websocket.PreparedMessage
}

type baselineHub struct {
	rooms      map[string]map[*baselineClient]struct{}
	register   chan *baselineClient
	unregister chan *baselineClient
	broadcast  chan baselineMessage
	count      chan chan int
	dropped    int
}

func (h *baselineHub) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			for _, room := range h.rooms {
				for c := range room {
					close(c.send)
				}
			}
			h.rooms = nil
			return
		case c := <-h.register:
			room := h.rooms[c.room]
			if room == nil {
				room = make(map[*baselineClient]struct{})
				h.rooms[c.room] = room
			}
			room[c] = struct{}{}
		case c := <-h.unregister:
			if _, ok := h.rooms[c.room][c]; ok {
				delete(h.rooms[c.room], c)
				close(c.send)
			}
		case m := <-h.broadcast:
			for c := range h.rooms[m.room] {
				select {
				case c.send <- m.pm:
				default:
					h.dropped++
					delete(h.rooms[m.room], c)
					close(c.send)
				}
			}
		case reply := <-h.count:
			n := 0
			for _, room := range h.rooms {
				n += len(room)
			}
			reply <- n
		}
	}
}

func (c *baselineClient) readPump(h *baselineHub, done <-chan struct{}) {
	defer func() {
		select {
		case h.unregister <- c:
		case <-done:
		}
		_ = c.conn.Close()
	}()
	c.conn.SetReadLimit(baselineReadLimit)
	_ = c.conn.SetReadDeadline(time.Now().Add(baselinePongWait))
	c.conn.SetPongHandler(func(string) error { return c.conn.SetReadDeadline(time.Now().Add(baselinePongWait)) })
	for {
		if _, _, err := c.conn.ReadMessage(); err != nil {
			return
		}
	}
}

func (c *baselineClient) writePump() {
	ticker := time.NewTicker(baselinePingPeriod)
	defer func() {
		ticker.Stop()
		_ = c.conn.Close()
	}()
	for {
		select {
		case pm, ok := <-c.send:
			_ = c.conn.SetWriteDeadline(time.Now().Add(baselineWriteWait))
			if !ok {
				_ = c.conn.WriteMessage(websocket.CloseMessage, []byte{})
				return
			}
			if err := c.conn.WritePreparedMessage(pm); err != nil {
				return
			}
		case <-ticker.C:
			_ = c.conn.SetWriteDeadline(time.Now().Add(baselineWriteWait))
			if err := c.conn.WriteMessage(websocket.PingMessage, nil); err != nil {
				return
			}
		}
	}
}

// baselineBroadcast is the body of POST /broadcast.
type baselineBroadcast struct {
	Room string `json:"room"`
	Body string `json:"body"`
	Pad  int    `json:"pad,omitempty"` // pad the frame to this many bytes
}

// baselineFrame encodes a broadcast in the shape of a ttx event frame.
func baselineFrame(seq int64, now time.Time, body string, pad int) []byte {
	type payload struct {
		Kind string `json:"kind"`
		Body string `json:"body"`
		Pad  string `json:"pad,omitempty"`
	}
	type ev struct {
		Type     string    `json:"type"`
		Seq      int64     `json:"seq"`
		Kind     string    `json:"kind"`
		At       int64     `json:"at"`
		WallTime time.Time `json:"wall_time"`
		Payload  payload   `json:"payload"`
	}
	f := ev{Type: "event", Seq: seq, Kind: "inject_delivered", WallTime: now, Payload: payload{Kind: "inject_delivered", Body: body}}
	b, _ := json.Marshal(f)
	if pad > len(b)+len(`,"pad":""`) {
		f.Payload.Pad = padding(pad - len(b) - len(`,"pad":""`))
		b, _ = json.Marshal(f)
	}
	return b
}

func padding(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '.'
	}
	return string(b)
}

// ServeBaseline runs the baseline hub on ln until ctx ends. ln must be on
// loopback.
func ServeBaseline(ctx context.Context, ln net.Listener, log *slog.Logger) error {
	if a, ok := ln.Addr().(*net.TCPAddr); !ok || !a.IP.IsLoopback() {
		return fmt.Errorf("loadtest: baseline must listen on loopback, not %s", ln.Addr())
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	h := &baselineHub{
		rooms:      make(map[string]map[*baselineClient]struct{}),
		register:   make(chan *baselineClient),
		unregister: make(chan *baselineClient),
		broadcast:  make(chan baselineMessage),
		count:      make(chan chan int),
	}
	hubDone := make(chan struct{})
	go func() { defer close(hubDone); h.run(ctx) }()

	up := websocket.Upgrader{
		ReadBufferSize:  1024,
		WriteBufferSize: 1024,
		WriteBufferPool: &sync.Pool{},
		// Non-browser clients only: no Origin header, or this host.
		CheckOrigin: func(r *http.Request) bool {
			o := r.Header.Get("Origin")
			return o == "" || o == "http://"+r.Host
		},
	}
	var seqMu sync.Mutex
	var seq int64
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		reply := make(chan int, 1)
		n := -1
		select {
		case h.count <- reply:
			n = <-reply
		case <-ctx.Done():
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]int{"goroutines": runtime.NumGoroutine(), "clients": n})
	})
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		c := &baselineClient{room: r.URL.Query().Get("room"), conn: conn, send: make(chan *websocket.PreparedMessage, baselineSendBuffer)}
		select {
		case h.register <- c:
		case <-ctx.Done():
			_ = conn.Close()
			return
		}
		go c.writePump()
		go c.readPump(h, hubDone)
	})
	mux.HandleFunc("POST /broadcast", func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		var in baselineBroadcast
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, baselineMaxBody)).Decode(&in); err != nil || in.Pad > baselineMaxBody {
			http.Error(w, "bad broadcast", http.StatusBadRequest)
			return
		}
		seqMu.Lock()
		seq++
		s := seq
		seqMu.Unlock()
		pm, err := websocket.NewPreparedMessage(websocket.TextMessage, baselineFrame(s, now, in.Body, in.Pad))
		if err != nil {
			http.Error(w, "prepare", http.StatusInternalServerError)
			return
		}
		select {
		case h.broadcast <- baselineMessage{room: in.Room, pm: pm}:
		case <-ctx.Done():
			http.Error(w, "closing", http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, `{"seq":`+strconv.FormatInt(s, 10)+"}\n")
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info("baseline hub listening", "addr", ln.Addr().String())
	var err error
	select {
	case <-ctx.Done():
	case err = <-served:
	}
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer scancel()
	_ = srv.Shutdown(sctx)
	cancel()
	<-hubDone
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
