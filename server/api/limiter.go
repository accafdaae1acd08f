package api

import (
	"sync"
	"time"
)

// Limiter is a set of token buckets keyed by string (client IP, join code,
// account name). Each key may spend Burst tokens at once and gets Rate
// tokens back per minute. Memory is bounded by MaxKeys: a bucket that has
// refilled completely carries no information and is dropped, and when the
// table is still full the fullest bucket makes room.
//
// Used as a failure counter: Allow asks whether a key may try, Fail spends a
// token. Successful attempts cost nothing, so a classroom behind one NAT
// address can join while a guesser is stopped after a few misses.
type Limiter struct {
	burst   float64
	perSec  float64
	maxKeys int
	now     func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// NewLimiter returns a limiter allowing burst failures at once, refilled at
// perMinute per minute, tracking at most maxKeys keys.
func NewLimiter(burst, perMinute, maxKeys int, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{
		burst:   float64(burst),
		perSec:  float64(perMinute) / 60,
		maxKeys: max(maxKeys, 1),
		now:     now,
		buckets: make(map[string]*bucket),
	}
}

// refill brings b up to date at t and reports its tokens.
func (l *Limiter) refill(b *bucket, t time.Time) float64 {
	if el := t.Sub(b.at).Seconds(); el > 0 {
		b.tokens = min(l.burst, b.tokens+el*l.perSec)
		b.at = t
	}
	return b.tokens
}

// Allow reports whether every key may make an attempt now, and if not, how
// long until the first blocked one may.
func (l *Limiter) Allow(keys ...string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.now()
	var wait time.Duration
	for _, k := range keys {
		b, ok := l.buckets[k]
		if !ok {
			continue
		}
		if tok := l.refill(b, t); tok < 1 {
			w := time.Duration((1 - tok) / l.perSec * float64(time.Second))
			wait = max(wait, w)
		}
	}
	return wait == 0, wait
}

// Fail spends one token from every key.
func (l *Limiter) Fail(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.now()
	for _, k := range keys {
		b, ok := l.buckets[k]
		if !ok {
			if len(l.buckets) >= l.maxKeys {
				l.evict(t)
			}
			b = &bucket{tokens: l.burst, at: t}
			l.buckets[k] = b
		}
		l.refill(b, t)
		b.tokens = max(b.tokens-1, -l.burst) // a floor bounds how long a key stays blocked
	}
}

// evict drops every full bucket; if none is full, the fullest one goes. It
// runs only when the table is at its bound, so its cost is paid by floods.
func (l *Limiter) evict(t time.Time) {
	var fullest string
	best := -1e18
	for k, b := range l.buckets {
		tok := l.refill(b, t)
		if tok >= l.burst {
			delete(l.buckets, k)
			continue
		}
		if tok > best {
			fullest, best = k, tok
		}
	}
	if len(l.buckets) >= l.maxKeys && fullest != "" {
		delete(l.buckets, fullest)
	}
}

// Len reports how many keys are tracked.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
