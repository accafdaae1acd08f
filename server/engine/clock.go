package engine

import "time"

// Clock is the engine's source of wall time and timers. Tests pass a fake
// (see package enginetest) so that hours of exercise run in milliseconds.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has elapsed; stop
	// cancels it and reports whether it did so before f ran. f must not
	// block.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// RealClock is the system clock.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// AfterFunc wraps time.AfterFunc.
func (RealClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}
