// Package postgres is ttx's PostgreSQL store: the same records, errors and
// methods as package store (SQLite), on a PostgreSQL database reached with
// pgx. Users declare the interfaces they need, and *Store satisfies the
// same ones *store.Store does; one conformance suite (storetest) holds
// both to the same contract.
//
// Backend specifics stay here: the pool, the embedded migrations (run at
// Open in one transaction under an advisory lock, so two servers starting
// at once do not race), the per-exercise sequence (an append locks its
// exercise's row, numbers after MAX(seq), and the primary key (exercise,
// seq) refuses a duplicate), and the server's ownership of the database
// (Options.Own: a session advisory lock held while the store is open).
package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ttxsim/ttx/server/store"
)

// IsURL reports whether db names a PostgreSQL database (postgres:// or
// postgresql://) rather than a SQLite file.
func IsURL(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// Redact is the URL with its password masked, for logs and messages.
func Redact(db string) string {
	u, err := url.Parse(db)
	if err != nil {
		return "postgres://(unparsable URL)"
	}
	return u.Redacted()
}

// Options tune Open. The zero value is the production default.
type Options struct {
	// MaxConns caps the pool (default: pgxpool's, the larger of 4 and the
	// number of CPUs).
	MaxConns int32
	// Own makes this process the database's owner for as long as the
	// store is open: Open takes a session advisory lock on a connection of
	// its own and fails with a *store.HeldError while another process
	// holds it. ttx serve owns its database (one node per database today);
	// commands that are safe beside a server (user, export, import,
	// migrate) do not.
	Own bool
	// OnDisk is told each time the database server's disk becomes full
	// (a write failed with SQLSTATE 53100) and each time it stops being
	// full, as store.Options.OnDisk.
	OnDisk func(store.DiskState)
}

// Store is a PostgreSQL database handle. It is safe for concurrent use.
type Store struct {
	pool  *pgxpool.Pool
	url   string // redacted
	owner *pgx.Conn
	disk  diskWatch
}

// ownerLock is the advisory lock key a serving process holds (Options.Own);
// migrationLock serialises migrations. Both are arbitrary constants
// ("ttx" + a number), the same in every ttx build.
const (
	ownerLock     int64 = 0x7474780001
	migrationLock int64 = 0x7474780002
)

// Open connects to the database at dbURL (postgres://…), applies pending
// migrations and returns the store. It refuses a database whose schema is
// newer than this binary knows (store.ErrSchemaTooNew).
func Open(ctx context.Context, dbURL string, opts Options) (*Store, error) {
	if !IsURL(dbURL) {
		return nil, fmt.Errorf("store: open: %q is not a postgres:// URL", Redact(dbURL))
	}
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", Redact(dbURL), redactErr(err, dbURL))
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	s := &Store{url: Redact(dbURL), disk: diskWatch{notify: opts.OnDisk}}
	if opts.Own {
		if s.owner, err = takeOwnership(ctx, cfg.ConnConfig, s.url); err != nil {
			return nil, err
		}
	}
	s.pool, err = pgxpool.NewWithConfig(ctx, cfg)
	if err == nil {
		err = s.pool.Ping(ctx)
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("store: open %s: %w", s.url, redactErr(err, dbURL))
	}
	if err := migrate(ctx, s.pool); err != nil {
		s.Close()
		return nil, err
	}
	if s.owner != nil {
		if err := s.recordOwner(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// redactErr keeps a password that pgx may quote in a parse error out of
// the message.
func redactErr(err error, dbURL string) error {
	u, perr := url.Parse(dbURL)
	if perr != nil || u.User == nil {
		return err
	}
	pw, ok := u.User.Password()
	if !ok || pw == "" || !strings.Contains(err.Error(), pw) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), pw, "xxxxx"))
}

// takeOwnership opens a connection of its own and takes the owner lock on
// it without waiting. The lock lasts as long as that connection: Close
// ends it, and so does the death of the process.
func takeOwnership(ctx context.Context, cc *pgx.ConnConfig, name string) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, cc.Copy())
	if err != nil {
		return nil, fmt.Errorf("store: own %s: %w", name, err)
	}
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, ownerLock).Scan(&got); err != nil {
		conn.Close(context.Background())
		return nil, fmt.Errorf("store: own %s: %w", name, err)
	}
	if got {
		return conn, nil
	}
	he := &store.HeldError{Path: name}
	// The holder wrote who it is once it had migrated; a table not there
	// yet or an empty one leave the owner unknown.
	var pid int
	var host string
	var since int64
	if err := conn.QueryRow(ctx, `SELECT pid, host, since FROM server_owner`).Scan(&pid, &host, &since); err == nil {
		he.Owner = store.Owner{PID: pid, Host: host, Since: time.Unix(0, since).UTC()}
	}
	conn.Close(context.Background())
	return nil, he
}

func (s *Store) recordOwner(ctx context.Context) error {
	host, _ := os.Hostname()
	_, err := s.owner.Exec(ctx, `INSERT INTO server_owner (one, pid, host, since) VALUES (TRUE, $1, $2, $3)
		ON CONFLICT (one) DO UPDATE SET pid = excluded.pid, host = excluded.host, since = excluded.since`,
		os.Getpid(), host, time.Now().Truncate(time.Second).UnixNano())
	if err != nil {
		return fmt.Errorf("store: own %s: %w", s.url, err)
	}
	return nil
}

// Close closes the pool and, with Options.Own, gives up the ownership.
func (s *Store) Close() error {
	var errs []error
	if s.pool != nil {
		s.pool.Close()
	}
	if s.owner != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, _ = s.owner.Exec(ctx, `DELETE FROM server_owner`)
		errs = append(errs, s.owner.Close(ctx))
		cancel()
		s.owner = nil
	}
	return errors.Join(errs...)
}

// Path is the database's URL, password masked.
func (s *Store) Path() string { return s.url }

// Pool is the connection pool, for tests and tools that need SQL of their own.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// inTx runs fn in a read-committed write transaction, committing if fn
// returns nil and rolling back otherwise.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return s.disk.saw(fmt.Errorf("store: begin: %w", err), time.Now())
	}
	defer tx.Rollback(context.Background()) //nolint:errcheck // a no-op after Commit
	if err := fn(tx); err != nil {
		if isDiskFull(err) {
			return s.disk.saw(err, time.Now())
		}
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return s.disk.saw(fmt.Errorf("store: commit: %w", err), time.Now())
	}
	return s.disk.saw(nil, time.Now())
}

// SQLSTATEs the store tells apart.
const (
	uniqueViolation = "23505"
	diskFull        = "53100"
)

func pgCode(err error) (code, constraint string) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code, pe.ConstraintName
	}
	return "", ""
}

func isUniqueViolation(err error) bool {
	code, _ := pgCode(err)
	return code == uniqueViolation
}

func isDiskFull(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, store.ErrDiskFull) {
		return true
	}
	code, _ := pgCode(err)
	return code == diskFull
}

// diskWatch reports each change between full and not once, as the SQLite
// store's does.
type diskWatch struct {
	mu     sync.Mutex
	state  store.DiskState
	notify func(store.DiskState)
}

func (d *diskWatch) saw(err error, now time.Time) error {
	full := isDiskFull(err)
	if err != nil && !full {
		return err
	}
	d.mu.Lock()
	changed := d.state.Full != full
	if changed {
		d.state = store.DiskState{Full: full}
		if full {
			d.state.Since, d.state.Err = now.UTC(), err
		}
	}
	st := d.state
	d.mu.Unlock()
	if changed && d.notify != nil {
		d.notify(st)
	}
	if full && !errors.Is(err, store.ErrDiskFull) {
		return fmt.Errorf("%w: %w", store.ErrDiskFull, err)
	}
	return err
}

// Disk reports whether the database server's disk is full: since the last
// write that failed for want of space, until the next write that succeeds.
func (s *Store) Disk() store.DiskState {
	s.disk.mu.Lock()
	defer s.disk.mu.Unlock()
	return s.disk.state
}

// Times are BIGINT unix nanoseconds, NULL for the zero time where allowed.
func unixNano(t time.Time) int64 { return t.UnixNano() }

func fromUnixNano(ns int64) time.Time { return time.Unix(0, ns).UTC() }

func nullTime(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	n := t.UnixNano()
	return &n
}

func fromNullTime(n *int64) time.Time {
	if n == nil {
		return time.Time{}
	}
	return fromUnixNano(*n)
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func mustAffect(tag pgconn.CommandTag, what string) error {
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: %s: %w", what, store.ErrNotFound)
	}
	return nil
}

func notFound(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("store: %s: %w", what, store.ErrNotFound)
	}
	return fmt.Errorf("store: %s: %w", what, err)
}
