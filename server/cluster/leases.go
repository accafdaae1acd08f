// Package cluster runs several ttx nodes on one PostgreSQL database: the
// engine drives an exercise only under its lease (Leases, over the
// PostgreSQL store's lease rows and fencing trigger), a request about an
// exercise driven by another node is passed to that node (Router), and a
// node takes over the exercises whose owner stopped renewing (Adopt).
package cluster

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/store"
	"github.com/ttxsim/ttx/server/store/postgres"
)

// DefaultLeaseTTL is how long an exercise's lease lasts unrenewed: the
// loop renews it every third, and another node takes the exercise within
// about the TTL plus one adoption scan after its owner dies (< 5 s).
const DefaultLeaseTTL = 3 * time.Second

// Leases implements engine.Leases on the PostgreSQL store for one node.
type Leases struct {
	st   *postgres.Store
	node string
	ttl  time.Duration
}

// NewLeases returns the leases of node (its name is the URL other nodes
// reach it at: Router forwards there).
func NewLeases(st *postgres.Store, node string, ttl time.Duration) (*Leases, error) {
	if node == "" {
		return nil, errors.New("cluster: the node needs a name")
	}
	if ttl <= 0 {
		ttl = DefaultLeaseTTL
	}
	return &Leases{st: st, node: node, ttl: ttl}, nil
}

// TTL is the lease lifetime.
func (lz *Leases) TTL() time.Duration { return lz.ttl }

// Node is this node's name.
func (lz *Leases) Node() string { return lz.node }

// Acquire takes or renews the exercise's lease; a live lease of another
// node is an *engine.NotOwnerError naming it.
func (lz *Leases) Acquire(ctx context.Context, exerciseID string) (engine.Lease, error) {
	l, err := lz.st.AcquireLease(ctx, exerciseID, lz.node, lz.ttl)
	if errors.Is(err, postgres.ErrLeaseHeld) {
		held, herr := lz.st.LeaseOf(ctx, exerciseID)
		if herr != nil {
			return engine.Lease{}, fmt.Errorf("cluster: acquire %s: %w", exerciseID, herr)
		}
		return engine.Lease{}, &engine.NotOwnerError{ExerciseID: exerciseID, Node: held.Node}
	}
	if err != nil {
		return engine.Lease{}, fmt.Errorf("cluster: acquire %s: %w", exerciseID, err)
	}
	return engine.Lease{ExerciseID: l.ExerciseID, Node: l.Node, Token: l.Token}, nil
}

func (lz *Leases) pg(l engine.Lease) postgres.Lease {
	return postgres.Lease{ExerciseID: l.ExerciseID, Node: l.Node, Token: l.Token}
}

func lost(err error) error {
	if errors.Is(err, postgres.ErrLeaseLost) {
		return fmt.Errorf("%w: %w", engine.ErrLeaseLost, err)
	}
	return err
}

// Renew extends a live lease; a lost one is engine.ErrLeaseLost.
func (lz *Leases) Renew(ctx context.Context, l engine.Lease) (engine.Lease, error) {
	if _, err := lz.st.RenewLease(ctx, lz.pg(l), lz.ttl); err != nil {
		return engine.Lease{}, lost(err)
	}
	return l, nil
}

// Release lets another node take the exercise at once.
func (lz *Leases) Release(ctx context.Context, l engine.Lease) error {
	return lz.st.ReleaseLease(ctx, lz.pg(l))
}

// CommitUnder appends under the lease; a stale one is engine.ErrLeaseLost
// and nothing is written.
func (lz *Leases) CommitUnder(ctx context.Context, l engine.Lease, c store.Commit) ([]store.Event, error) {
	out, err := lz.st.CommitUnder(ctx, lz.pg(l), c)
	return out, lost(err)
}
