package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ttxsim/ttx/server/store"
)

// Several nodes on one database: a node drives an exercise only while it
// holds the exercise's lease. The loop acquires the lease before it reads
// the log (so it sees every commit of the previous owner), renews it every
// third of the TTL on the engine's clock, appends under it (the database
// refuses a stale lease: ErrLeaseLost) and releases it when it stops. A
// loop that learns it lost the lease — a renewal or a commit refused —
// stops at once, without applying anything more; the next command on the
// exercise asks the database who owns it now.

// Lease is a node's hold on one exercise, as the Leases it came from
// describes it; the engine only hands it back.
type Lease struct {
	ExerciseID string
	Node       string
	Token      int64 // fencing token: grows each time the lease changes hands
}

// Leases is the per-exercise ownership the engine needs when several
// nodes share a database. Acquire returns a *NotOwnerError while another
// node holds a live lease; Renew and CommitUnder return an error wrapping
// ErrLeaseLost once the lease expired or changed hands.
type Leases interface {
	Acquire(ctx context.Context, exerciseID string) (Lease, error)
	Renew(ctx context.Context, l Lease) (Lease, error)
	Release(ctx context.Context, l Lease) error
	CommitUnder(ctx context.Context, l Lease, c store.Commit) ([]store.Event, error)
}

// ErrLeaseLost: this node no longer holds the exercise's lease; nothing
// was written. It wraps ErrUnavailable for clients (they retry, and reach
// the new owner).
var ErrLeaseLost = fmt.Errorf("engine: the lease of the exercise was lost: %w", ErrUnavailable)

// ErrNotOwner is wrapped by every *NotOwnerError.
var ErrNotOwner = errors.New("engine: another node drives the exercise")

// NotOwnerError says which node holds an exercise's lease. It wraps
// ErrNotOwner and ErrUnavailable.
type NotOwnerError struct {
	ExerciseID string
	Node       string // the holder, as named by its Leases
}

func (e *NotOwnerError) Error() string {
	return fmt.Sprintf("engine: exercise %s is driven by node %s", e.ExerciseID, e.Node)
}

// Unwrap makes errors.Is match ErrNotOwner and ErrUnavailable.
func (e *NotOwnerError) Unwrap() []error { return []error{ErrNotOwner, ErrUnavailable} }

// WithLeases makes the engine drive an exercise only under its lease
// (several nodes on one database). ttl is the lease's lifetime; the loop
// renews it every ttl/3.
func WithLeases(lz Leases, ttl time.Duration) Option {
	return func(e *Engine) {
		if lz != nil && ttl > 0 {
			e.leases, e.leaseTTL = lz, ttl
		}
	}
}

// Owner makes sure the exercise is driven somewhere: it returns "" when
// this engine drives it (taking its lease if free), the holder's node when
// another node does, or the error loading it (ErrNotFound...). Without
// leases every exercise is this engine's.
func (e *Engine) Owner(ctx context.Context, exerciseID string) (string, error) {
	_, err := e.do(ctx, exerciseID, func(*loop, time.Time) (any, error) { return nil, nil })
	if err == nil {
		return "", nil
	}
	if no, ok := errors.AsType[*NotOwnerError](err); ok {
		return no.Node, nil
	}
	return "", err
}

// acquire takes the exercise's lease before the loop reads its log.
func (l *loop) acquire() error {
	if l.e.leases == nil {
		return nil
	}
	le, err := l.e.leases.Acquire(context.Background(), l.id)
	if err != nil {
		if _, ok := errors.AsType[*NotOwnerError](err); ok {
			return err
		}
		return storeError("lease exercise "+l.id, err)
	}
	l.lease = &le
	l.armRenew()
	return nil
}

// armRenew sets the renewal timer: a third of the TTL, so two renewals
// may fail before the lease runs out.
func (l *loop) armRenew() {
	if l.stopRenew != nil {
		l.stopRenew()
	}
	renew := l.renew
	l.stopRenew = l.e.clock.AfterFunc(l.e.leaseTTL/3, func() {
		select {
		case renew <- struct{}{}:
		default:
		}
	})
}

// renewLease extends the lease; false when it was lost (the loop stops).
// A renewal that fails for another reason (the database is unreachable)
// is retried at the next tick: if the lease expires meanwhile, the next
// renewal or commit reports it lost.
func (l *loop) renewLease() bool {
	if l.lease == nil {
		return true
	}
	le, err := l.e.leases.Renew(context.Background(), *l.lease)
	switch {
	case errors.Is(err, ErrLeaseLost):
		l.e.log.Warn("engine: lost the lease of an exercise; stopping its loop", "exercise", l.id, "token", l.lease.Token)
		l.lease = nil
		return false
	case err != nil:
		l.e.log.Warn("engine: renew the lease of an exercise", "exercise", l.id, "err", err)
	default:
		l.lease = &le
	}
	l.armRenew()
	return true
}

// releaseLease lets another node take the exercise at once.
func (l *loop) releaseLease() {
	if l.stopRenew != nil {
		l.stopRenew()
	}
	if l.lease == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := l.e.leases.Release(ctx, *l.lease); err != nil {
		l.e.log.Warn("engine: release the lease of an exercise", "exercise", l.id, "err", err)
	}
	l.lease = nil
}

// append writes a commit, under the lease when the engine has leases.
func (l *loop) append(c store.Commit) ([]store.Event, error) {
	if l.lease == nil {
		return l.e.store.Commit(context.Background(), c)
	}
	out, err := l.e.leases.CommitUnder(context.Background(), *l.lease, c)
	if errors.Is(err, ErrLeaseLost) {
		l.lost = true
		l.lease = nil
	}
	return out, err
}

// Stopped returns a channel closed when the exercise's loop on this engine
// stops (already closed when none runs): after a lost lease, shutdown or
// idleness.
func (e *Engine) Stopped(exerciseID string) <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	if l := e.loops[exerciseID]; l != nil {
		return l.done
	}
	c := make(chan struct{})
	close(c)
	return c
}
