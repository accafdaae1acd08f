package engine_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/store"
)

// nopPublisher drops events: the benchmark measures the engine and store.
type nopPublisher struct{}

func (nopPublisher) Publish(string, []engine.Event) {}

// BenchmarkAppendInject measures one event append through the engine, as
// the facilitator's ad-hoc inject does it: the command queued to the
// exercise's loop, the sim step, one SQLite transaction holding the two
// events (facilitator_inject and inject_delivered), and the hand-off to
// the publisher. One op is one inject (two events).
func BenchmarkAppendInject(b *testing.B) {
	for _, exercises := range []int{1, 20} {
		b.Run(fmt.Sprintf("exercises=%d", exercises), func(b *testing.B) {
			ctx := context.Background()
			st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), store.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			eng := engine.New(st, engine.RealClock{}, nopPublisher{}, slog.New(slog.DiscardHandler))
			defer eng.Close()
			ids := make([]string, exercises)
			for i := range ids {
				ex, err := eng.Create(ctx, engine.CreateInput{Source: []byte(fmt.Sprintf(benchScenario, "10h"))})
				if err != nil {
					b.Fatal(err)
				}
				if err := eng.Start(ctx, ex.ID); err != nil {
					b.Fatal(err)
				}
				if err := eng.Pause(ctx, ex.ID); err != nil {
					b.Fatal(err)
				}
				ids[i] = ex.ID
			}
			in := engine.AdHoc{Channel: "email", Title: "Bench", Body: strings.Repeat("x", 500)}
			b.ReportAllocs()
			if exercises == 1 {
				for b.Loop() {
					if err := eng.Inject(ctx, ids[0], in); err != nil {
						b.Fatal(err)
					}
				}
			} else {
				// One facilitator per exercise, all at once: each exercise
				// has its own loop, and all share the one SQLite writer.
				var next atomic.Int64
				b.SetParallelism((exercises + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
				b.RunParallel(func(pb *testing.PB) {
					id := ids[int(next.Add(1)-1)%exercises]
					for pb.Next() {
						if err := eng.Inject(ctx, id, in); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "injects/s")
		})
	}
}
