// Package enginetest holds test helpers for code that drives an engine:
// a fake clock whose time moves only when the test says so.
package enginetest

import (
	"sort"
	"sync"
	"time"
)

// FakeClock is a manual clock. Timers fire, in due order, when Advance or
// Set moves the time past them; their functions run synchronously in the
// goroutine that moved the clock, without the clock's lock held. It
// satisfies engine.Clock.
type FakeClock struct {
	mu     sync.Mutex
	now    time.Time
	seq    int
	timers []*fakeTimer
}

type fakeTimer struct {
	due     time.Time
	seq     int // creation order, to break ties
	f       func()
	stopped bool
}

// NewFakeClock returns a clock reading start.
func NewFakeClock(start time.Time) *FakeClock {
	return &FakeClock{now: start}
}

// Now returns the clock's current time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc arms a timer that fires when the clock reaches now+d.
func (c *FakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	c.seq++
	t := &fakeTimer{due: c.now.Add(d), seq: c.seq, f: f}
	c.timers = append(c.timers, t)
	c.mu.Unlock()
	if d <= 0 {
		c.Advance(0)
	}
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		if t.stopped {
			return false
		}
		t.stopped = true
		for i, x := range c.timers {
			if x == t {
				c.timers = append(c.timers[:i], c.timers[i+1:]...)
				return true
			}
		}
		return false
	}
}

// Advance moves the clock forward by d, firing every timer that falls due.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	target := c.now.Add(d)
	c.mu.Unlock()
	c.Set(target)
}

// Set moves the clock to t (never backwards), firing every timer due by
// then. Each timer fires with the clock reading its due time, so a
// callback that reads Now sees when it was due.
func (c *FakeClock) Set(t time.Time) {
	for {
		c.mu.Lock()
		if t.Before(c.now) {
			t = c.now
		}
		sort.Slice(c.timers, func(i, j int) bool {
			if !c.timers[i].due.Equal(c.timers[j].due) {
				return c.timers[i].due.Before(c.timers[j].due)
			}
			return c.timers[i].seq < c.timers[j].seq
		})
		if len(c.timers) == 0 || c.timers[0].due.After(t) {
			c.now = t
			c.mu.Unlock()
			return
		}
		next := c.timers[0]
		c.timers = c.timers[1:]
		next.stopped = true
		if next.due.After(c.now) {
			c.now = next.due
		}
		c.mu.Unlock()
		next.f()
	}
}

// Pending is the number of armed timers.
func (c *FakeClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// NextDue is when the earliest armed timer fires; false when none is armed.
func (c *FakeClock) NextDue() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.timers) == 0 {
		return time.Time{}, false
	}
	min := c.timers[0].due
	for _, t := range c.timers[1:] {
		if t.due.Before(min) {
			min = t.due
		}
	}
	return min, true
}
