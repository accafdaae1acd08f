package api

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gorilla/websocket"
	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/hub"
	"github.com/ttxsim/ttx/server/library"
	"github.com/ttxsim/ttx/server/store"
	"golang.org/x/crypto/bcrypt"
)

// countingHub is a Broadcaster that only counts: it isolates the
// publisher's own work (who sees what, encoding) from socket writes.
type countingHub struct{ frames, bytes int }

func (h *countingHub) BroadcastBatch(msgs []hub.Message) {
	for _, m := range msgs {
		h.frames += len(m.Topics)
		h.bytes += len(m.Topics) * m.Frame.Len()
	}
}

// BenchmarkPublish measures the publisher's per-event work: deciding the
// audiences, encoding once per audience (a staff frame with the audience
// list, one public frame shared by every team topic) and handing frames
// to the hub. It must not grow with the number of recipients; one op is
// one event.
func BenchmarkPublish(b *testing.B) {
	body := strings.Repeat("x", 500)
	payload := func(teams []string) json.RawMessage {
		p, _ := json.Marshal(map[string]any{"kind": "inject_delivered", "at": int64(90 * time.Second), "inject": "adhoc-1",
			"adhoc": true, "channel": "email", "title": "Load test", "body": body, "teams": teams})
		return p
	}
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		ev   engine.Event
	}{
		{"every-team", engine.Event{Seq: 42, Kind: "inject_delivered", ExerciseTime: 90 * time.Second, WallTime: now,
			Audience: []string{"*"}, Payload: payload(nil)}},
		{"two-teams", engine.Event{Seq: 42, Kind: "inject_delivered", ExerciseTime: 90 * time.Second, WallTime: now,
			Audience: []string{"soc", "comms"}, Payload: payload([]string{"soc", "comms"})}},
		{"facilitator-only", engine.Event{Seq: 42, Kind: "inject_delivered", ExerciseTime: 90 * time.Second, WallTime: now,
			Audience: []string{}, Payload: payload([]string{"facilitator"})}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			h := &countingHub{}
			p := NewPublisher(h, slog.New(slog.DiscardHandler))
			evs := []engine.Event{tc.ev}
			b.ReportAllocs()
			for b.Loop() {
				p.Publish("ex1", evs)
			}
			b.ReportMetric(float64(h.frames)/float64(b.N), "frames/op")
			b.ReportMetric(float64(h.bytes)/float64(max(h.frames, 1)), "B/frame")
		})
	}
}

// benchStack is the real API over a real SQLite file with the real clock,
// for benchmarks (the test helpers take a *testing.T).
type benchStack struct {
	st  *store.Store
	eng *engine.Engine
	hub *hub.Hub
	ts  *httptest.Server
	ex  string
	tok string // a participant token of team soc
}

func newBenchStack(b *testing.B, events int) *benchStack {
	b.Helper()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	h := hub.New(hub.Config{Subprotocols: []string{Subprotocol}, ReadLimit: maxClientMessage}, log)
	eng := engine.New(st, engine.RealClock{}, NewPublisher(h, log), log)
	src := readFileB(b, "../../scenarios/example.yaml")
	srv, err := New(Deps{Log: log, Accounts: st, Tokens: st, Access: st,
		Library: library.New(fstest.MapFS{"example.yaml": {Data: src}}, st), Engine: eng, Hub: h,
		// One participant reconnects thousands of times: lift the
		// per-identity connection limit that would refuse a redial loop.
		Limits: Limits{Connects: NewLimiter(1<<30, 1<<30, 10, time.Now)}},
		Options{BcryptCost: bcrypt.MinCost})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	b.Cleanup(func() {
		ts.Close()
		h.Close()
		eng.Close()
		st.Close()
	})
	ex, err := eng.Create(ctx, engine.CreateInput{File: "example.yaml", Source: src})
	if err != nil {
		b.Fatal(err)
	}
	tok := participantPrefix + newSecret()
	if _, err := eng.Join(ctx, ex.ID, engine.JoinInput{Team: "soc", Name: "Bench", TokenHash: hashSecret(tok)}); err != nil {
		b.Fatal(err)
	}
	if err := eng.Start(ctx, ex.ID); err != nil {
		b.Fatal(err)
	}
	if err := eng.Pause(ctx, ex.ID); err != nil {
		b.Fatal(err)
	}
	// Half the ad-hoc injects go to soc, half to comms: a participant of
	// soc replays its own and skips the others.
	for i := range events {
		team := []string{"soc", "comms"}[i%2]
		if err := eng.Inject(ctx, ex.ID, engine.AdHoc{Teams: []string{team}, Channel: "email", Title: fmt.Sprint("Inject ", i),
			Body: strings.Repeat("b", 500)}); err != nil {
			b.Fatal(err)
		}
	}
	return &benchStack{st: st, eng: eng, hub: h, ts: ts, ex: ex.ID, tok: tok}
}

func readFileB(b *testing.B, name string) []byte {
	b.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkCatchUp50 measures what a reconnecting participant costs the
// server when 50 events are missing from its view: reading them from the
// log and building the frames its role may see ("replay"), and the whole
// reconnect over a real WebSocket, from dial to the "live" frame
// ("websocket").
func BenchmarkCatchUp50(b *testing.B) {
	const missed = 50
	// Each ad-hoc inject logs two events (facilitator_inject and
	// inject_delivered), so 50 events are the last 25 injects.
	s := newBenchStack(b, 40)
	ctx := context.Background()
	all, err := s.eng.Events(ctx, s.ex, 0, replayPage)
	if err != nil {
		b.Fatal(err)
	}
	after := all[len(all)-missed-1].Seq
	id := &Identity{Role: Participant, Team: "soc", ExerciseID: s.ex}

	b.Run("replay", func(b *testing.B) {
		b.ReportAllocs()
		frames := 0
		for b.Loop() {
			evs, err := s.eng.Events(ctx, s.ex, after, replayPage)
			if err != nil {
				b.Fatal(err)
			}
			if len(evs) != missed {
				b.Fatalf("read %d events, want %d", len(evs), missed)
			}
			for _, ev := range evs {
				if f := frameFor(ev, id); f != nil {
					frames++
				}
			}
		}
		b.ReportMetric(float64(frames)/float64(b.N), "frames/op")
	})

	b.Run("websocket", func(b *testing.B) {
		u := "ws" + strings.TrimPrefix(s.ts.URL, "http") + wsPath + "?exercise=" + s.ex + "&after=" + fmt.Sprint(after)
		d := websocket.Dialer{Subprotocols: []string{Subprotocol}}
		hdr := http.Header{"Authorization": {"Bearer " + s.tok}}
		b.ReportAllocs()
		for b.Loop() {
			c, _, err := d.Dial(u, hdr)
			if err != nil {
				b.Fatal(err)
			}
			events := 0
			for {
				_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
				_, msg, err := c.ReadMessage()
				if err != nil {
					b.Fatal(err)
				}
				if strings.Contains(string(msg), `"type":"event"`) {
					events++
				}
				if strings.Contains(string(msg), `"type":"live"`) {
					break
				}
			}
			if events == 0 {
				b.Fatal("no event replayed")
			}
			_ = c.Close()
		}
	})
}
