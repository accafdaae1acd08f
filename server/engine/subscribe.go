package engine

import (
	"context"
	"fmt"
	"sync"
)

// Subscription delivers an exercise's events after a given seq: first the
// ones already in the log, read page by page, then live ones as they
// commit, each exactly once and in seq order. C is closed when the
// subscription ends; Err then says why: nil after Close, ErrOverflow when
// the consumer fell more than the buffer behind (re-subscribe from the
// last seq received), ErrClosed when the engine stopped.
type Subscription struct {
	C <-chan Event

	e    *Engine
	id   string
	c    chan Event
	quit chan struct{}
	once sync.Once

	mu       sync.Mutex
	live     bool    // caught up: publish sends to c directly
	backlog  []Event // published while catching up
	lastSent int64
	overflow bool // the backlog overflowed while catching up
	closed   bool
	err      error
}

// maxBacklog bounds what a catching-up subscription holds in memory, as a
// multiple of its buffer.
const maxBacklog = 16

// Subscribe returns a subscription to the events of an exercise with
// seq > afterSeq. afterSeq follows the rules of Events: negative or beyond
// the end of the log is ErrInvalid, an unknown exercise ErrNotFound.
func (e *Engine) Subscribe(ctx context.Context, exerciseID string, afterSeq int64) (*Subscription, error) {
	if afterSeq < 0 {
		return nil, invalid("after must not be negative")
	}
	if _, err := e.store.Exercise(ctx, exerciseID); err != nil {
		return nil, storeError("subscribe", err)
	}
	last, err := e.store.LastSeq(ctx, exerciseID)
	if err != nil {
		return nil, fmt.Errorf("engine: subscribe: %w", err)
	}
	if afterSeq > last {
		return nil, invalid("after %d is beyond the end of the log (%d)", afterSeq, last)
	}
	s := &Subscription{e: e, id: exerciseID, c: make(chan Event, e.subBuf), quit: make(chan struct{}), lastSent: afterSeq}
	s.C = s.c

	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil, ErrClosed
	}
	e.wg.Add(1)
	e.mu.Unlock()

	// Register before reading the log, so that every event is either in
	// the log when read or published to the backlog afterwards.
	e.subMu.Lock()
	if e.subs[exerciseID] == nil {
		e.subs[exerciseID] = map[*Subscription]struct{}{}
	}
	e.subs[exerciseID][s] = struct{}{}
	e.subMu.Unlock()

	go s.feed(afterSeq)
	return s, nil
}

// Err reports why C was closed (nil while open or after Close).
func (s *Subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close ends the subscription; C is closed soon after.
func (s *Subscription) Close() {
	s.once.Do(func() { close(s.quit) })
	s.mu.Lock()
	if s.live {
		s.closeLocked(nil)
	}
	s.mu.Unlock()
	s.e.subMu.Lock()
	if set := s.e.subs[s.id]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(s.e.subs, s.id)
		}
	}
	s.e.subMu.Unlock()
}

func (s *Subscription) closeLocked(err error) {
	if s.closed {
		return
	}
	s.closed = true
	s.err = err
	close(s.c)
}

// feed sends the logged events, then the backlog, then switches the
// subscription to live delivery and returns. While it runs it is the only
// sender on c, so it is also the one that closes c.
func (s *Subscription) feed(last int64) {
	defer s.e.wg.Done()
	send := func(ev Event) bool {
		if ev.Seq <= last {
			return true
		}
		select {
		case s.c <- ev:
			last = ev.Seq
			return true
		case <-s.quit:
			return false
		case <-s.e.quit:
			return false
		}
	}
	stop := func(err error) {
		s.mu.Lock()
		select {
		case <-s.quit:
			err = nil // the consumer closed it
		default:
		}
		s.closeLocked(err)
		s.mu.Unlock()
		s.e.subMu.Lock()
		if set := s.e.subs[s.id]; set != nil {
			delete(set, s)
		}
		s.e.subMu.Unlock()
	}
	const page = 500
	for {
		evs, err := s.e.store.Events(context.Background(), s.id, last, page)
		if err != nil {
			stop(fmt.Errorf("engine: subscription: %w", err))
			return
		}
		for _, ev := range evs {
			if !send(ev) {
				stop(ErrClosed)
				return
			}
		}
		if len(evs) < page {
			break
		}
	}
	for {
		s.mu.Lock()
		select {
		case <-s.quit:
			s.mu.Unlock()
			stop(nil)
			return
		default:
		}
		if s.overflow {
			s.mu.Unlock()
			stop(ErrOverflow)
			return
		}
		if len(s.backlog) == 0 {
			s.live, s.lastSent = true, last
			s.mu.Unlock()
			return
		}
		pending := s.backlog
		s.backlog = nil
		s.mu.Unlock()
		for _, ev := range pending {
			if !send(ev) {
				stop(ErrClosed)
				return
			}
		}
	}
}

// push delivers newly committed events; called by publish with the
// engine's subscription lock held. It returns false when the subscription
// no longer takes events and should be dropped from the exercise's set.
func (s *Subscription) push(evs []Event) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.overflow {
		return false
	}
	if !s.live {
		if len(s.backlog)+len(evs) > maxBacklog*cap(s.c) {
			// The feeder closes c (it may be sending on it right now).
			s.overflow, s.backlog = true, nil
			return false
		}
		s.backlog = append(s.backlog, evs...)
		return true
	}
	for _, ev := range evs {
		if ev.Seq <= s.lastSent {
			continue
		}
		select {
		case s.c <- ev:
			s.lastSent = ev.Seq
		default:
			s.closeLocked(ErrOverflow)
			return false
		}
	}
	return true
}
