package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/ttxsim/ttx/server/store"
)

// Archive hides an exercise from the default list (archived true) or
// restores it. A running or paused exercise is refused (ErrConflict): it
// must stay in sight while people are in it.
func (e *Engine) Archive(ctx context.Context, id string, archived bool) error {
	_, err := e.do(ctx, id, func(l *loop, now time.Time) (any, error) {
		at := time.Time{}
		if archived {
			if l.status == store.StatusRunning || l.status == store.StatusPaused {
				return nil, fmt.Errorf("%w: end the exercise before archiving it", ErrConflict)
			}
			at = now
		}
		if err := e.store.SetArchived(ctx, id, at); err != nil {
			return nil, storeError("archive", err)
		}
		l.ex.ArchivedAt = at
		return nil, nil
	})
	return err
}

// Delete removes an exercise and its whole log for good. A running or
// paused exercise is refused (ErrConflict). The exercise's loop applies
// it, so no command of the exercise runs at the same time, and stops.
func (e *Engine) Delete(ctx context.Context, id string) error {
	_, err := e.do(ctx, id, func(l *loop, _ time.Time) (any, error) {
		if l.status == store.StatusRunning || l.status == store.StatusPaused {
			return nil, fmt.Errorf("%w: end the exercise before deleting it", ErrConflict)
		}
		if err := e.store.DeleteExercise(ctx, id); err != nil {
			return nil, storeError("delete", err)
		}
		l.gone = true
		l.known.Store(-1)
		return nil, nil
	})
	return err
}
