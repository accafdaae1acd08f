package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/ttxsim/ttx/server/store"
	"github.com/ttxsim/ttx/server/store/postgres"
)

// BenchmarkCommit measures one Commit of three events (a typical timer
// step), from one goroutine and from many exercises at once, as the SQLite
// store's BenchmarkCommit does. The test cluster runs with fsync off: the
// figure is the store's and the protocol's cost, not a disk's.
func BenchmarkCommit(b *testing.B) {
	for _, writers := range []int{1, 50} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			ctx := context.Background()
			url, err := cluster.CreateDatabase(ctx)
			if err != nil {
				b.Fatal(err)
			}
			s, err := postgres.Open(ctx, url, postgres.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			sc, err := s.PutScenario(ctx, "b", "B", []byte("x"), t0)
			if err != nil {
				b.Fatal(err)
			}
			for w := 0; w < writers; w++ {
				if _, err := s.CreateExercise(ctx, store.Exercise{ID: fmt.Sprint("e", w), ScenarioID: sc.ID, CreatedAt: t0}, nil, nil); err != nil {
					b.Fatal(err)
				}
			}
			payload := []byte(`{"kind":"timer_fired","at":120000000000,"state":"loop","timer":1}`)
			b.ResetTimer()
			var wg sync.WaitGroup
			per := max(b.N/writers, 1)
			for w := 0; w < writers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < per; i++ {
						_, err := s.Commit(ctx, store.Commit{ExerciseID: fmt.Sprint("e", w), Events: []store.Event{
							{Kind: "clock_tick", WallTime: t0, Payload: []byte(`{"to":1}`)},
							{Kind: "timer_fired", WallTime: t0, Payload: payload, Audience: []string{"*"}},
							{Kind: "effect_applied", WallTime: t0, Payload: payload},
						}})
						if err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(per*writers)/b.Elapsed().Seconds(), "commits/s")
		})
	}
}
