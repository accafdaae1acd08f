package api

import (
	"context"
	"sync"
	"time"

	"github.com/ttxsim/ttx/server/hub"
	"github.com/ttxsim/ttx/server/store"
)

// DefaultEndedGrace is how long an ended exercise's sockets stay open:
// long enough to read the outcome and walk through the debrief together.
const DefaultEndedGrace = time.Hour

// TimerClock is the time source of Endings: the engine's clock, or a fake
// one in tests.
type TimerClock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// socketCloser is the part of the hub Endings needs.
type socketCloser interface {
	CloseWhere(match func(hub.Session) bool, code int, reason string) int
}

// exerciseGetter is the part of the engine Endings needs.
type exerciseGetter interface {
	Get(ctx context.Context, id string) (store.Exercise, error)
}

// endReason is the close reason sent with 4501.
const endReason = "the exercise has ended; its log stays readable over HTTP"

// Endings closes the WebSockets of an ended exercise with 4501 once a grace
// period after its end has passed, and tells the WebSocket handler to
// refuse new sockets (4501 right after the upgrade) from then on. Until
// then sockets stay open, so the room can read the outcome and debrief.
//
// It learns that an exercise ended from the publisher (its outcome_reached
// event) and, for exercises that ended before this process started, from
// the exercise's record, read once per exercise.
type Endings struct {
	hub   socketCloser
	clock TimerClock
	grace time.Duration

	mu    sync.Mutex
	known map[string]*ending // exercise id -> what is known of its end
}

type ending struct {
	ended time.Time // zero: not ended (as far as known)
	timer bool      // the close is scheduled or done
	// loaded is closed once the exercise's record has been read (or an
	// end published): a crowd connecting at once reads it once.
	loaded chan struct{}
	err    error // the read's error; the next caller reads again
}

// NewEndings returns Endings closing sockets of h grace after an
// exercise's end, timed by clock.
func NewEndings(h socketCloser, clock TimerClock, grace time.Duration) *Endings {
	return &Endings{hub: h, clock: clock, grace: max(grace, 0), known: make(map[string]*ending)}
}

// Ended records that exercise ex ended at the given time and schedules
// the closing of its sockets. Repeats are ignored.
func (e *Endings) Ended(ex string, at time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	k := e.known[ex]
	if k == nil {
		k = &ending{loaded: make(chan struct{})}
		close(k.loaded)
		e.known[ex] = k
	}
	if k.ended.IsZero() {
		k.ended = at
	}
	e.scheduleLocked(ex, k)
}

// scheduleLocked arms the close of an ended exercise's sockets, once.
func (e *Endings) scheduleLocked(ex string, k *ending) {
	if k.timer || k.ended.IsZero() {
		return
	}
	k.timer = true
	d := max(k.ended.Add(e.grace).Sub(e.clock.Now()), 0)
	e.clock.AfterFunc(d, func() {
		e.hub.CloseWhere(func(s hub.Session) bool {
			ws, ok := s.(*wsSession)
			return ok && ws.ex == ex
		}, hub.CloseStreamEnded, endReason)
	})
}

// expired reports whether exercise ex ended more than the grace period
// ago, reading its record the first time it is asked about it (callers
// meanwhile wait for that read). A socket to an exercise that ended
// within the grace period is closed with the others when the period ends.
func (e *Endings) expired(ctx context.Context, eng exerciseGetter, ex string) (bool, error) {
	e.mu.Lock()
	k := e.known[ex]
	first := k == nil
	if first {
		k = &ending{loaded: make(chan struct{})}
		e.known[ex] = k
	}
	e.mu.Unlock()
	if first {
		rec, err := eng.Get(ctx, ex)
		e.mu.Lock()
		switch {
		case !k.ended.IsZero():
			// An end published meanwhile wins over what was read.
		case err != nil:
			k.err = err
			delete(e.known, ex) // the next caller tries again
		case rec.Status == store.StatusEnded:
			k.ended = rec.EndedAt
			if k.ended.IsZero() {
				k.ended = e.clock.Now() // ended without a time: count from now
			}
		}
		close(k.loaded)
		e.mu.Unlock()
	}
	select {
	case <-k.loaded:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if k.err != nil {
		return false, k.err
	}
	if k.ended.IsZero() {
		return false, nil
	}
	if !e.clock.Now().Before(k.ended.Add(e.grace)) {
		return true, nil
	}
	e.scheduleLocked(ex, k)
	return false, nil
}
