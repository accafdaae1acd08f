package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/ttxsim/ttx/server/api"
	"github.com/ttxsim/ttx/server/cluster"
	"github.com/ttxsim/ttx/server/config"
	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/store/postgres"
)

// clusterNode is what a node of a cluster (-cluster-url) adds to serve:
// per-exercise leases for the engine, the router in front of the API, the
// adopter that takes over the exercises of a dead node.
type clusterNode struct {
	pg     *postgres.Store
	leases *cluster.Leases
	cfg    config.Config
	log    *slog.Logger
}

// newClusterNode returns nil when the node runs alone.
func newClusterNode(cfg config.Config, st database, log *slog.Logger) (*clusterNode, error) {
	if cfg.ClusterURL == "" {
		return nil, nil
	}
	pg, ok := st.(*postgres.Store)
	if !ok {
		return nil, errors.New("cluster: several nodes need a PostgreSQL database")
	}
	// Never beside a single-node server: its plain commits would fight the
	// leases. (A single node started after the cluster is not refused:
	// README says not to mix them; the fencing keeps the log safe.)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := pg.CheckNoSingleOwner(ctx); err != nil {
		return nil, fmt.Errorf("cluster: a node without -cluster-url serves this database: %w", err)
	}
	lz, err := cluster.NewLeases(pg, strings.TrimSuffix(cfg.ClusterURL, "/"), cfg.LeaseTTL)
	if err != nil {
		return nil, err
	}
	return &clusterNode{pg: pg, leases: lz, cfg: cfg, log: log.With(slog.String("component", "cluster"))}, nil
}

func (n *clusterNode) engineOptions() []engine.Option {
	if n == nil {
		return nil
	}
	return []engine.Option{engine.WithLeases(n.leases, n.leases.TTL())}
}

func (n *clusterNode) handler(next http.Handler, eng *engine.Engine) http.Handler {
	if n == nil {
		return next
	}
	return cluster.NewRouter(next, cluster.RouterConfig{
		Self:   n.leases.Node(),
		Secret: n.cfg.ClusterSecret,
		Owner:  eng.Owner,
		ByCode: func(ctx context.Context, code string) (string, error) {
			norm := api.NormalizeJoinCode(code)
			if norm == "" {
				return "", fmt.Errorf("cluster: join code: %w", engine.ErrNotFound)
			}
			ex, err := n.pg.ExerciseByJoinCode(ctx, norm)
			if err != nil {
				return "", err
			}
			return ex.ID, nil
		},
		Log:      n.log,
		CacheFor: n.leases.TTL() / 3,
	})
}

// adopt takes over orphaned exercises until ctx ends; the returned channel
// closes when it has stopped.
func (n *clusterNode) adopt(ctx context.Context, eng *engine.Engine) <-chan struct{} {
	done := make(chan struct{})
	if n == nil {
		close(done)
		return done
	}
	go func() {
		defer close(done)
		cluster.Adopter{Orphans: n.pg.Orphans, Owner: eng.Owner, Interval: n.leases.TTL() / 3, Log: n.log}.Run(ctx)
	}()
	return done
}

// endLeases readies a PostgreSQL database that a cluster served for this
// single node (its exercises would otherwise refuse plain commits); it
// refuses while nodes of a cluster still hold exercises.
func endLeases(ctx context.Context, cfg config.Config, st database) error {
	pg, ok := st.(*postgres.Store)
	if !ok || cfg.ClusterURL != "" {
		return nil
	}
	if err := pg.EndLeases(ctx); err != nil {
		return fmt.Errorf("nodes started with -cluster-url serve this database; stop them or start this one with -cluster-url too: %w", err)
	}
	return nil
}
