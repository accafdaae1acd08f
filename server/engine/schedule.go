package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/ttxsim/ttx/server/sim"
	"github.com/ttxsim/ttx/server/store"
)

// Scheduled ad-hoc injects: the facilitator writes an inject now and has
// it sent at a later exercise time. The log records the schedule
// (inject_scheduled, staff only); when the exercise clock reaches its time
// the loop sends it through the same path as an inject sent at once
// (facilitator_inject naming the schedule, then the sim's
// inject_delivered), in due order with the scenario's own items. Pending
// schedules live in the loop and are rebuilt by the replay, so a restart
// re-arms them and fires those that fell due while the server was down.

// Limits on scheduling.
const (
	// MaxScheduled bounds the injects waiting in one exercise.
	MaxScheduled = 100
	// MaxScheduleAhead is how far past the current exercise clock an
	// inject may be scheduled.
	MaxScheduleAhead = 24 * time.Hour
)

// ScheduleInput schedules an ad-hoc inject: at an exercise time (At), or
// In a duration of exercise time from now. Exactly one is set.
type ScheduleInput struct {
	At     time.Duration
	In     time.Duration
	Inject AdHoc // its ClientID makes the scheduling idempotent
}

// ScheduledInject is an inject waiting for its time.
type ScheduledInject struct {
	ID     string        `json:"id"`
	At     time.Duration `json:"at"` // exercise clock
	Inject AdHoc         `json:"inject"`
}

// ScheduleInject schedules an ad-hoc inject for a later exercise time and
// returns it. The inject is checked as one sent at once; the time must be
// after the current exercise clock and at most MaxScheduleAhead past it.
func (e *Engine) ScheduleInject(ctx context.Context, exerciseID string, in ScheduleInput) (ScheduledInject, error) {
	v, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) { return l.schedule(now, in) })
	if err != nil {
		return ScheduledInject{}, err
	}
	return v.(ScheduledInject), nil
}

// CancelScheduledInject cancels a scheduled inject that has not been sent.
// Cancelling one already cancelled does nothing; one already sent is
// ErrConflict; an unknown id ErrNotFound.
func (e *Engine) CancelScheduledInject(ctx context.Context, exerciseID, scheduleID string) error {
	_, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) { return nil, l.cancelScheduled(now, scheduleID) })
	return err
}

func (l *loop) schedule(now time.Time, in ScheduleInput) (ScheduledInject, error) {
	if err := l.needLive(); err != nil {
		return ScheduledInject{}, err
	}
	if err := l.checkAdHoc(in.Inject); err != nil {
		return ScheduledInject{}, err
	}
	if (in.At > 0) == (in.In > 0) {
		return ScheduledInject{}, invalid("give either a time on the exercise clock or a delay, not both")
	}
	// A retry is answered before the time is checked: the time of a
	// schedule made before may have passed since.
	key, done, err := l.commandKey(in.Inject.ClientID)
	if err != nil {
		return ScheduledInject{}, err
	}
	if done {
		prev, err := l.e.store.EventByClientID(context.Background(), l.id, key)
		if err != nil {
			return ScheduledInject{}, fmt.Errorf("engine: schedule: %w: %w", ErrUnavailable, err)
		}
		var p scheduledPayload
		if err := json.Unmarshal(prev.Payload, &p); err != nil {
			return ScheduledInject{}, fmt.Errorf("engine: schedule: %w: %w", ErrConflict, err)
		}
		return ScheduledInject{ID: p.Schedule, At: p.At, Inject: p.AdHoc}, nil
	}
	clock := l.clockAt(now)
	at := in.At
	if in.In > 0 {
		if in.In > MaxScheduleAhead {
			return ScheduledInject{}, invalid("an inject can be scheduled at most %s ahead", sim.FormatDuration(MaxScheduleAhead))
		}
		at = clock + in.In
	}
	if at <= clock {
		return ScheduledInject{}, invalid("%s has passed (the exercise clock reads %s): send the inject now instead",
			sim.FormatClock(at), sim.FormatClock(clock))
	}
	if at > clock+MaxScheduleAhead {
		return ScheduledInject{}, invalid("an inject can be scheduled at most %s ahead", sim.FormatDuration(MaxScheduleAhead))
	}
	if len(l.sched) >= MaxScheduled {
		return ScheduledInject{}, invalid("at most %d injects can wait at once; cancel one first", MaxScheduled)
	}
	id, err := l.e.newID()
	if err != nil {
		return ScheduledInject{}, err
	}
	adhoc := in.Inject
	adhoc.ClientID = ""
	p := scheduledPayload{Schedule: id, At: at, AdHoc: adhoc}
	ev := Event{Kind: KindInjectScheduled, WallTime: now, ExerciseTime: clock, Audience: staff(), ClientID: key, Payload: mustJSON(p)}
	if _, err := l.commit(now, []Event{ev}, store.Commit{}); err != nil {
		return ScheduledInject{}, err
	}
	s := ScheduledInject{ID: id, At: at, Inject: adhoc}
	l.addScheduled(s)
	return s, nil
}

func (l *loop) cancelScheduled(now time.Time, id string) error {
	if err := l.needLive(); err != nil {
		return err
	}
	i := slices.IndexFunc(l.sched, func(s ScheduledInject) bool { return s.ID == id })
	if i < 0 {
		switch fired, ok := l.schedDone[id]; {
		case !ok:
			return fmt.Errorf("%w: scheduled inject %q", ErrNotFound, id)
		case fired:
			return fmt.Errorf("%w: scheduled inject %q was already sent", ErrConflict, id)
		}
		return nil // cancelled before: a retry
	}
	s := l.sched[i]
	ev := Event{Kind: KindScheduleCancelled, WallTime: now, ExerciseTime: l.clockAt(now), Audience: staff(),
		Payload: mustJSON(cancelPayload{Schedule: id, Teams: s.Inject.Teams})}
	if _, err := l.commit(now, []Event{ev}, store.Commit{}); err != nil {
		return err
	}
	l.dropScheduled(id, false)
	return nil
}

// addScheduled files a schedule in due order; schedules due at the same
// time keep the order they were made in.
func (l *loop) addScheduled(s ScheduledInject) {
	i := len(l.sched)
	for i > 0 && l.sched[i-1].At > s.At {
		i--
	}
	l.sched = slices.Insert(l.sched, i, s)
}

// dropScheduled removes a pending schedule, remembering whether it was
// sent or cancelled.
func (l *loop) dropScheduled(id string, fired bool) {
	l.sched = slices.DeleteFunc(l.sched, func(s ScheduledInject) bool { return s.ID == id })
	if l.schedDone == nil {
		l.schedDone = map[string]bool{}
	}
	l.schedDone[id] = fired
}

// nextScheduled is the first pending schedule, if the exercise can still
// send it.
func (l *loop) nextScheduled() (ScheduledInject, bool) {
	if len(l.sched) == 0 || l.m == nil || l.m.Done() ||
		(l.status != store.StatusRunning && l.status != store.StatusPaused) {
		return ScheduledInject{}, false
	}
	return l.sched[0], true
}

// nextDue is when the next thing falls due on the exercise clock: a
// scenario item or a scheduled inject.
func (l *loop) nextDue() (time.Duration, bool) {
	due, ok := l.m.NextDue()
	if s, sok := l.nextScheduled(); sok && (!ok || s.At < due) {
		return s.At, true
	}
	return due, ok
}

// fireDue sends the scheduled injects due up to `to`, each at its own
// time; the scenario's items due before or at that time come first, as a
// clock_tick to it. It returns the events to commit (none when nothing was
// due) and leaves the scenario's items due after the last inject to the
// caller.
func (l *loop) fireDue(now time.Time, to time.Duration) []Event {
	var evs []Event
	for {
		s, ok := l.nextScheduled()
		if !ok || s.At > to {
			return evs
		}
		if due, ok := l.m.NextDue(); ok && due <= s.At {
			evs = append(evs, tickEvent(now, s.At))
			evs = append(evs, fromSim(now, l.m.Advance(s.At))...)
			if l.m.Done() {
				return evs
			}
		}
		outs := l.m.Inject(s.At, s.Inject.sim())
		evs = append(evs, Event{Kind: KindFacInject, WallTime: now, ExerciseTime: s.At, Audience: staff(),
			Payload: mustJSON(injectPayload{AdHoc: s.Inject, Schedule: s.ID})})
		evs = append(evs, fromSim(now, outs)...)
		l.dropScheduled(s.ID, true)
	}
}

func tickEvent(now time.Time, to time.Duration) Event {
	return Event{Kind: KindTick, WallTime: now, ExerciseTime: to, Payload: mustJSON(tickPayload{To: to}), Audience: staff()}
}

// scheduledView lists the pending schedules for a snapshot.
func (l *loop) scheduledView() []ScheduledInject {
	out := []ScheduledInject{}
	if _, ok := l.nextScheduled(); ok {
		out = append(out, l.sched...)
	}
	return out
}
