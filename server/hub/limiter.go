package hub

import "time"

// limiter is a token bucket for one connection's inbound messages, used only
// by that connection's reader goroutine.
type limiter struct {
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
}

func newLimiter(rate float64, burst int, now time.Time) *limiter {
	if rate <= 0 {
		return nil
	}
	b := float64(max(burst, 1))
	return &limiter{rate: rate, burst: b, tokens: b, last: now}
}

// take spends one token and returns how long to wait before the message it
// pays for may be followed by another read.
func (l *limiter) take(now time.Time) time.Duration {
	l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.rate)
	l.last = now
	l.tokens--
	if l.tokens >= 0 {
		return 0
	}
	return time.Duration(-l.tokens / l.rate * float64(time.Second))
}
