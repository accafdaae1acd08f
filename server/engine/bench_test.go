package engine_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/store"
)

// latencyPub measures, for every timer event, the wall time from when it
// fell due to when it was published (right after its commit).
type latencyPub struct {
	speed float64
	mu    sync.Mutex
	start map[string]time.Time
	lat   []time.Duration
	// steady holds the latencies of timers due after steadyFrom, once
	// every exercise has started and its first commit burst is over.
	steady     []time.Duration
	steadyFrom time.Time
	evs        int
	timer      int
	want       int
	done       chan struct{}
}

func (p *latencyPub) Publish(id string, evs []engine.Event) {
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.evs += len(evs)
	for _, ev := range evs {
		switch ev.Kind {
		case engine.KindStart:
			p.start[id] = ev.WallTime
		case "timer_fired":
			if st, ok := p.start[id]; ok && p.want > 0 {
				due := st.Add(time.Duration(float64(ev.ExerciseTime) / p.speed))
				p.lat = append(p.lat, now.Sub(due))
				if p.steadyFrom.IsZero() || due.After(p.steadyFrom) {
					p.steady = append(p.steady, now.Sub(due))
				}
				p.timer++
				if p.timer == p.want {
					close(p.done)
				}
			}
		}
	}
}

const benchScenario = `id: bench
title: Timer benchmark
summary: One repeating timer, for measuring the engine under load.
duration: 10h
teams:
  red: {name: Red team}
variables:
  ticks: {type: number, initial: 0}
start: loop
states:
  loop:
    title: Ticking
    injects:
      - {id: hello, channel: email, title: Hello, body: Hello.}
    timers:
      - after: %[1]s
        every: %[1]s
        effects: ["ticks += 1"]
    transitions:
      - to: done
        after: 10h
  done:
    title: Done
    outcome: done
    rating: success
`

// BenchmarkTicking200 runs 200 exercises at once on one engine and one
// SQLite file with the real clock, at x10, each with a repeating timer:
// every 10s of exercise time (200 timer commits per second in all) and
// every 2s (1,000 per second, a stress far beyond real use). b.N is the
// number of timer events waited for.
func BenchmarkTicking200(b *testing.B) {
	for _, every := range []string{"10s", "2s"} {
		b.Run("every="+every, func(b *testing.B) { benchTicking(b, []byte(fmt.Sprintf(benchScenario, every))) })
	}
}

func benchTicking(b *testing.B, src []byte) {
	const exercises, speed = 200, 10.0
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	pub := &latencyPub{speed: speed, start: map[string]time.Time{}, done: make(chan struct{})}
	eng := engine.New(st, engine.RealClock{}, pub, slog.New(slog.DiscardHandler))
	defer eng.Close()
	var ids []string
	for i := 0; i < exercises; i++ {
		ex, err := eng.Create(ctx, engine.CreateInput{Source: src})
		if err != nil {
			b.Fatal(err)
		}
		if err := eng.SetSpeed(ctx, ex.ID, speed); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, ex.ID)
	}
	pub.mu.Lock()
	pub.want = max(b.N, exercises)
	pub.mu.Unlock()
	b.ResetTimer()
	began := time.Now()
	for _, id := range ids {
		if err := eng.Start(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
	pub.mu.Lock()
	pub.steadyFrom = time.Now().Add(2 * time.Second)
	pub.mu.Unlock()
	select {
	case <-pub.done:
	case <-time.After(5 * time.Minute):
		b.Fatal("timers did not fire")
	}
	elapsed := time.Since(began)
	b.StopTimer()
	pub.mu.Lock()
	defer pub.mu.Unlock()
	lat := slices.Clone(pub.lat)
	slices.Sort(lat)
	b.ReportMetric(float64(pub.evs)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(pub.timer)/elapsed.Seconds(), "timers/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	steady := slices.Clone(pub.steady)
	slices.Sort(steady)
	if len(steady) > 100 {
		b.ReportMetric(float64(steady[len(steady)/2].Microseconds())/1000, "steady-p50-ms")
		b.ReportMetric(float64(steady[len(steady)*99/100].Microseconds())/1000, "steady-p99-ms")
	}
}
