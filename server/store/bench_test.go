package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// BenchmarkCommit measures one Commit of three events (a typical timer
// step), from one goroutine and from many exercises at once.
func BenchmarkCommit(b *testing.B) {
	for _, sync_ := range []string{SyncNormal, SyncFull} {
		for _, writers := range []int{1, 50} {
			b.Run(fmt.Sprintf("sync=%s/writers=%d", sync_, writers), func(b *testing.B) {
				ctx := context.Background()
				s, err := Open(ctx, filepath.Join(b.TempDir(), "b.db"), Options{Synchronous: sync_})
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				sc, err := s.PutScenario(ctx, "b", "B", []byte("x"), t0)
				if err != nil {
					b.Fatal(err)
				}
				for w := 0; w < writers; w++ {
					if _, err := s.CreateExercise(ctx, Exercise{ID: fmt.Sprint("e", w), ScenarioID: sc.ID, CreatedAt: t0}, nil, nil); err != nil {
						b.Fatal(err)
					}
				}
				payload := []byte(`{"kind":"timer_fired","at":120000000000,"state":"loop","timer":1}`)
				b.ResetTimer()
				var wg sync.WaitGroup
				per := b.N / writers
				for w := 0; w < writers; w++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := 0; i < per; i++ {
							_, err := s.Commit(ctx, Commit{ExerciseID: fmt.Sprint("e", w), Events: []Event{
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
}
