package cluster

import (
	"context"
	"log/slog"
	"time"
)

// Adopter takes over the exercises whose owner stopped renewing their
// lease: every interval it lists the running and paused exercises no node
// holds and asks the engine to drive each (Owner takes the lease, replays
// the log, fires what fell due in order and re-arms the timers). Several
// nodes may race for one exercise: the lease gives it to one.
type Adopter struct {
	Orphans  func(ctx context.Context) ([]string, error)
	Owner    func(ctx context.Context, exerciseID string) (string, error)
	Interval time.Duration
	Log      *slog.Logger
}

// Run adopts until ctx ends.
func (a Adopter) Run(ctx context.Context) {
	t := time.NewTicker(a.Interval)
	defer t.Stop()
	for {
		a.Once(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Once runs one scan; it returns how many exercises this node took.
func (a Adopter) Once(ctx context.Context) int {
	ids, err := a.Orphans(ctx)
	if err != nil {
		if ctx.Err() == nil && a.Log != nil {
			a.Log.Warn("cluster: list exercises to take over", "err", err)
		}
		return 0
	}
	n := 0
	for _, id := range ids {
		owner, err := a.Owner(ctx, id)
		switch {
		case err != nil:
			if ctx.Err() == nil && a.Log != nil {
				a.Log.Warn("cluster: take over exercise", "exercise", id, "err", err)
			}
		case owner == "":
			n++
			if a.Log != nil {
				a.Log.Info("cluster: took over exercise", "exercise", id)
			}
		}
	}
	return n
}
