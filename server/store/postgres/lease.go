package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ttxsim/ttx/server/store"
)

// Leases: one owner per exercise, the groundwork of running several nodes
// on one database. A node drives an exercise only while it holds the
// exercise's lease (AcquireLease, then RenewLease well within the TTL);
// it appends with CommitUnder, naming the lease. The database enforces it
// (migration 0002): once an exercise has a lease row, an event of it is
// refused unless its transaction names the live lease's holder and token,
// so a node that lost the lease — paused past the TTL, partitioned — can
// never append, and learns it from ErrLeaseLost.

// ErrLeaseHeld is returned by AcquireLease while another node holds a live
// lease on the exercise.
var ErrLeaseHeld = errors.New("store: the exercise is leased to another node")

// ErrLeaseLost is returned when a lease named by CommitUnder or RenewLease
// is no longer the exercise's live lease: it expired, or another node took
// it. Nothing was written; the node must stop driving the exercise.
var ErrLeaseLost = errors.New("store: the lease of the exercise was lost")

// leaseRefused is the SQLSTATE the fencing trigger raises.
const leaseRefused = "TXL01"

// Lease is a node's hold on one exercise.
type Lease struct {
	ExerciseID string
	Node       string
	// Token grows by one each time the lease changes hands (a fencing
	// token): a later holder always has a larger one.
	Token   int64
	Expires time.Time // on the database's clock
}

func (l Lease) setting() string { return l.Node + "/" + strconv.FormatInt(l.Token, 10) }

func validTTL(ttl time.Duration) error {
	if ttl <= 0 || ttl > time.Hour {
		return fmt.Errorf("store: lease: TTL %s must be positive and at most an hour", ttl)
	}
	return nil
}

// AcquireLease gives node the exercise's lease for ttl: when no node holds
// it, when the holder's lease expired (the token then grows), or when node
// holds it already (a renewal). Another node's live lease is ErrLeaseHeld.
func (s *Store) AcquireLease(ctx context.Context, exerciseID, node string, ttl time.Duration) (Lease, error) {
	if err := validTTL(ttl); err != nil {
		return Lease{}, err
	}
	if node == "" {
		return Lease{}, errors.New("store: lease: the node needs a name")
	}
	l := Lease{ExerciseID: exerciseID, Node: node}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO exercise_leases AS l (exercise_id, node, token, expires_at)
			VALUES ($1, $2, 1, clock_timestamp() + make_interval(secs => $3))
			ON CONFLICT (exercise_id) DO UPDATE SET
				node = excluded.node,
				token = CASE WHEN l.node = excluded.node AND l.expires_at > clock_timestamp() THEN l.token ELSE l.token + 1 END,
				expires_at = excluded.expires_at
			WHERE l.node = excluded.node OR l.expires_at <= clock_timestamp()
			RETURNING token, expires_at`, exerciseID, node, ttl.Seconds()).Scan(&l.Token, &l.Expires)
		if errors.Is(err, pgx.ErrNoRows) {
			var holder string
			var token int64
			if err := tx.QueryRow(ctx, `SELECT node, token FROM exercise_leases WHERE exercise_id = $1`, exerciseID).Scan(&holder, &token); err != nil {
				return fmt.Errorf("store: acquire lease of %s: %w", exerciseID, err)
			}
			return fmt.Errorf("store: acquire lease of %s: %w (%s, token %d)", exerciseID, ErrLeaseHeld, holder, token)
		}
		if code, _ := pgCode(err); code == "23503" { // foreign key: no such exercise
			return fmt.Errorf("store: acquire lease of %s: %w", exerciseID, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: acquire lease of %s: %w", exerciseID, err)
		}
		return nil
	})
	if err != nil {
		return Lease{}, err
	}
	l.Expires = l.Expires.UTC()
	return l, nil
}

// RenewLease extends a live lease by ttl from now. A lease that expired or
// changed hands is ErrLeaseLost: renewing never revives it.
func (s *Store) RenewLease(ctx context.Context, l Lease, ttl time.Duration) (Lease, error) {
	if err := validTTL(ttl); err != nil {
		return Lease{}, err
	}
	err := s.pool.QueryRow(ctx, `UPDATE exercise_leases SET expires_at = clock_timestamp() + make_interval(secs => $4)
		WHERE exercise_id = $1 AND node = $2 AND token = $3 AND expires_at > clock_timestamp()
		RETURNING expires_at`, l.ExerciseID, l.Node, l.Token, ttl.Seconds()).Scan(&l.Expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return Lease{}, fmt.Errorf("store: renew lease of %s (token %d): %w", l.ExerciseID, l.Token, ErrLeaseLost)
	}
	if err != nil {
		return Lease{}, fmt.Errorf("store: renew lease of %s: %w", l.ExerciseID, err)
	}
	l.Expires = l.Expires.UTC()
	return l, nil
}

// ReleaseLease lets go of a lease at once (it expires now), so another
// node may take the exercise without waiting for the TTL. The row stays:
// the next holder's token follows this one's. Releasing a lease already
// lost is not an error.
func (s *Store) ReleaseLease(ctx context.Context, l Lease) error {
	if _, err := s.pool.Exec(ctx, `UPDATE exercise_leases SET expires_at = clock_timestamp()
		WHERE exercise_id = $1 AND node = $2 AND token = $3 AND expires_at > clock_timestamp()`, l.ExerciseID, l.Node, l.Token); err != nil {
		return fmt.Errorf("store: release lease of %s: %w", l.ExerciseID, err)
	}
	return nil
}

// LeaseOf returns the exercise's lease row, live or expired; ErrNotFound
// when it was never leased.
func (s *Store) LeaseOf(ctx context.Context, exerciseID string) (Lease, error) {
	l := Lease{ExerciseID: exerciseID}
	if err := s.pool.QueryRow(ctx, `SELECT node, token, expires_at FROM exercise_leases WHERE exercise_id = $1`, exerciseID).
		Scan(&l.Node, &l.Token, &l.Expires); err != nil {
		return Lease{}, notFound(err, "lease of "+exerciseID)
	}
	l.Expires = l.Expires.UTC()
	return l, nil
}

// CommitUnder is Commit by the holder of lease l: the transaction names
// the lease, and the database refuses the events unless l is the
// exercise's live lease (ErrLeaseLost; nothing is written).
func (s *Store) CommitUnder(ctx context.Context, l Lease, c store.Commit) ([]store.Event, error) {
	if l.ExerciseID != c.ExerciseID {
		return nil, fmt.Errorf("store: commit under the lease of %s: the commit is for %s", l.ExerciseID, c.ExerciseID)
	}
	var out []store.Event
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('ttx.lease', $1, true)`, l.setting()); err != nil {
			return fmt.Errorf("store: commit: lease: %w", err)
		}
		var err error
		out, err = commitTx(ctx, tx, c)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// leaseErr turns the fencing trigger's refusal into ErrLeaseLost.
func leaseErr(err error) error {
	if code, _ := pgCode(err); code == leaseRefused {
		return fmt.Errorf("%w: %w", ErrLeaseLost, err)
	}
	return err
}

// Orphans returns the running and paused exercises no node holds a live
// lease on (never leased, or their owner stopped renewing): the ones a
// node should take over.
func (s *Store) Orphans(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT e.id FROM exercises e
		LEFT JOIN exercise_leases l ON l.exercise_id = e.id
		WHERE e.status IN ('running', 'paused') AND (l.exercise_id IS NULL OR l.expires_at <= clock_timestamp())
		ORDER BY e.id`)
	if err != nil {
		return nil, fmt.Errorf("store: orphans: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("store: orphans: %w", err)
	}
	return ids, nil
}

// CheckNoSingleOwner returns a *store.HeldError while a single-node server
// (Options.Own) serves the database: a node of a cluster must not run
// beside it (its plain commits would fight the leases). It takes the owner
// lock for an instant and gives it back.
func (s *Store) CheckNoSingleOwner(ctx context.Context) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("store: check the owner of %s: %w", s.url, err)
	}
	defer conn.Release()
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, ownerLock).Scan(&got); err != nil {
		return fmt.Errorf("store: check the owner of %s: %w", s.url, err)
	}
	if got {
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, ownerLock); err != nil {
			conn.Conn().Close(ctx) // the lock goes with the connection
			return fmt.Errorf("store: check the owner of %s: %w", s.url, err)
		}
		return nil
	}
	he := &store.HeldError{Path: s.url}
	var pid int
	var host string
	var since int64
	if err := conn.QueryRow(ctx, `SELECT pid, host, since FROM server_owner`).Scan(&pid, &host, &since); err == nil {
		he.Owner = store.Owner{PID: pid, Host: host, Since: time.Unix(0, since).UTC()}
	}
	return he
}

// EndLeases readies a database a cluster served for one node: it removes
// every lease row, so that the exercises a cluster leased accept plain
// commits again. While a lease is live (a node of a cluster still runs) it
// removes nothing and says how many exercises are held.
func (s *Store) EndLeases(ctx context.Context) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE exercise_leases IN EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("store: end leases: %w", err)
		}
		var live int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM exercise_leases WHERE expires_at > clock_timestamp()`).Scan(&live); err != nil {
			return fmt.Errorf("store: end leases: %w", err)
		}
		if live > 0 {
			return fmt.Errorf("store: end leases: nodes of a cluster hold %d exercises of %s: %w", live, s.url, ErrLeaseHeld)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM exercise_leases`); err != nil {
			return fmt.Errorf("store: end leases: %w", err)
		}
		return nil
	})
}
