// Package store owns ttx's SQLite database: the connection pools and their
// pragmas, the embedded schema migrations, and hand-written SQL for each
// aggregate (scenarios, exercises, teams, participants and the append-only
// event log). It imports no other ttx package; its users declare the
// interfaces they need and *Store satisfies them.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite" // also registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ttxsim/ttx/server/lockfile"
)

// ErrNotFound is returned when a row asked for by key does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrDuplicate is returned when an insert collides with a unique key, such as
// an event client id already present in the exercise's log.
var ErrDuplicate = errors.New("store: duplicate")

// Synchronous modes accepted by Options.
//
// With journal_mode=WAL, NORMAL syncs the WAL only at checkpoints: a commit
// that returned survives a crash of the process (kill -9), because the WAL
// frames are already in the operating system's page cache, but the last
// commits may be lost if the machine loses power. FULL syncs the WAL on every
// commit and survives power loss too, at the cost of one fsync per commit.
// ttx defaults to NORMAL: an exercise is a live session whose participants are
// in the room, a power cut ends the session anyway, and the per-commit fsync
// would cap the event rate of every exercise sharing the disk.
const (
	SyncNormal = "NORMAL"
	SyncFull   = "FULL"
)

// Options tune Open. The zero value is the production default.
type Options struct {
	// Synchronous is SyncNormal (default) or SyncFull; see their comment.
	Synchronous string
	// Readers is the size of the read-only pool (default: GOMAXPROCS, at least 2).
	Readers int
	// BusyTimeout is how long a connection waits for a lock held by another
	// process before failing with SQLITE_BUSY (default 5s). Within one
	// process, writes already queue on the single writer connection.
	BusyTimeout time.Duration
	// CheckpointInterval is how often a background connection copies the
	// WAL into the database file (default 1s; negative: leave it to
	// SQLite, which checkpoints inside whichever commit crosses 1,000 WAL
	// pages). In the background, no commit waits for a checkpoint's fsync.
	CheckpointInterval time.Duration
	// Own makes this process the database's owner for as long as the
	// store is open: Open takes the OS lock on the file beside it
	// (path+OwnerLockSuffix) and fails with a *HeldError, before touching
	// the database, while another process owns it. ttx serve owns its
	// database, so two servers never run the same exercise; commands that
	// are safe beside a server (user, export, import) do not.
	Own bool
	// OnDisk, when set, is told each time the database's disk becomes
	// full (a write failed for want of space) and each time it stops
	// being full (a write succeeded again): once per change, never per
	// failed write. It is called on the goroutine that wrote; keep it short.
	OnDisk func(DiskState)
}

// Store is the database handle. It is safe for concurrent use.
//
// It keeps two pools on the same file: a writer pool of exactly one
// connection, so that writers in this process queue in Go rather than
// contend for SQLite's lock, and a pool of read-only connections, which WAL
// lets run concurrently with the writer.
type Store struct {
	w    *sql.DB
	r    *sql.DB
	path string

	lastSeqStmt     *sql.Stmt // on w
	insertEventStmt *sql.Stmt // on w

	// turn is the writer's turn, taken by every write transaction in the
	// order they asked for it: goroutines blocked sending on a channel are
	// served first come, first served, while database/sql hands its one
	// writer connection to a random waiter. When 200 exercises commit in
	// the same instant, a random order leaves some commit waiting for
	// nearly all the others; in order, each waits only for those ahead.
	turn    chan struct{}
	waiting atomic.Int32 // write transactions waiting for their turn

	ckpt     *sql.DB       // one connection for background checkpoints; nil when SQLite does them
	stopCkpt chan struct{} // closed by Close
	ckptDone chan struct{} // closed when the checkpointer has returned
	stopOnce sync.Once

	owner *lockfile.File // held while open, with Options.Own
	disk  diskWatch
}

// Open opens (creating if needed) the database at path, applies pending
// migrations and returns the store. It refuses a database whose schema is
// newer than this binary knows.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("store: open %q: path must be a plain file name without '?' or '#'", path)
	}
	switch opts.Synchronous {
	case "":
		opts.Synchronous = SyncNormal
	case SyncNormal, SyncFull:
	default:
		return nil, fmt.Errorf("store: open: synchronous must be %s or %s, not %q", SyncNormal, SyncFull, opts.Synchronous)
	}
	if opts.Readers <= 0 {
		opts.Readers = max(runtime.GOMAXPROCS(0), 2)
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 5 * time.Second
	}
	if opts.CheckpointInterval == 0 {
		opts.CheckpointInterval = time.Second
	}
	autockpt := ""
	if opts.CheckpointInterval > 0 {
		autockpt = "&_pragma=wal_autocheckpoint(0)"
	}
	busy := opts.BusyTimeout.Milliseconds()
	var owner *lockfile.File
	if opts.Own {
		var err error
		if owner, err = takeOwnership(path, time.Now()); err != nil {
			return nil, err
		}
	}
	opened := false
	defer func() {
		if owner != nil && !opened {
			_ = releaseOwnership(owner)
		}
	}()

	// busy_timeout comes first so that the pragmas after it already wait
	// for a lock instead of failing. _txlock=immediate takes the write lock
	// at BEGIN, so a read-then-write transaction never has to upgrade its
	// lock (the upgrade is what fails with SQLITE_BUSY regardless of the
	// timeout when another process writes to the same file).
	wdsn := fmt.Sprintf("%s?_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=synchronous(%s)&_pragma=foreign_keys(1)%s&_txlock=immediate",
		path, busy, opts.Synchronous, autockpt)
	w, err := sql.Open("sqlite", wdsn)
	if err != nil {
		return nil, fmt.Errorf("store: open writer: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, err
	}

	rdsn := fmt.Sprintf("%s?_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)&_query_only=1", path, busy)
	r, err := sql.Open("sqlite", rdsn)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open readers: %w", err)
	}
	r.SetMaxOpenConns(opts.Readers)
	r.SetMaxIdleConns(opts.Readers)
	if err := r.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("store: open readers %s: %w", path, err)
	}
	s := &Store{w: w, r: r, path: path, turn: make(chan struct{}, 1), disk: diskWatch{notify: opts.OnDisk}}
	opened = true // from here on, s.Close releases the owner lock
	s.owner = owner
	if s.lastSeqStmt, err = w.PrepareContext(ctx, lastSeqSQL); err == nil {
		s.insertEventStmt, err = w.PrepareContext(ctx, insertEventSQL)
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("store: prepare: %w", err)
	}
	if opts.CheckpointInterval > 0 {
		cdsn := fmt.Sprintf("%s?_pragma=busy_timeout(%d)&_pragma=synchronous(%s)", path, busy, opts.Synchronous)
		if s.ckpt, err = sql.Open("sqlite", cdsn); err != nil {
			s.Close()
			return nil, fmt.Errorf("store: open checkpointer: %w", err)
		}
		s.ckpt.SetMaxOpenConns(1)
		s.stopCkpt, s.ckptDone = make(chan struct{}), make(chan struct{})
		go s.checkpointLoop(opts.CheckpointInterval)
	}
	return s, nil
}

// checkpointLoop copies the WAL into the database file every interval. A
// PASSIVE checkpoint never blocks the writer or readers; what it cannot
// copy yet (frames a reader still needs) it copies next time.
func (s *Store) checkpointLoop(interval time.Duration) {
	defer close(s.ckptDone)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-s.stopCkpt:
			return
		case <-t.C:
			// Errors are transient (a busy lock held by another process,
			// a full disk); the next tick tries again, and SQLite
			// checkpoints on close. A full disk is reported; only a
			// write that succeeds says it is over.
			var busy, log, done int
			err := s.ckpt.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &done)
			if isDiskFull(err) {
				_ = s.disk.saw(err, time.Now())
			}
		}
	}
}

// Close closes both pools. In-flight transactions finish first.
func (s *Store) Close() error {
	var errs []error
	if s.ckpt != nil {
		s.stopOnce.Do(func() { close(s.stopCkpt) })
		<-s.ckptDone
		errs = append(errs, s.ckpt.Close())
	}
	for _, st := range []*sql.Stmt{s.lastSeqStmt, s.insertEventStmt} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	errs = append(errs, s.r.Close(), s.w.Close())
	if s.owner != nil {
		errs = append(errs, releaseOwnership(s.owner))
		s.owner = nil
	}
	return errors.Join(errs...)
}

// Path is the file the store was opened on.
func (s *Store) Path() string { return s.path }

// inTx runs fn in a write transaction on the writer connection, committing
// if fn returns nil and rolling back otherwise.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	s.waiting.Add(1)
	select {
	case s.turn <- struct{}{}:
		s.waiting.Add(-1)
	case <-ctx.Done():
		s.waiting.Add(-1)
		return fmt.Errorf("store: begin: %w", ctx.Err())
	}
	defer func() { <-s.turn }()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.disk.saw(fmt.Errorf("store: begin: %w", err), time.Now())
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := fn(tx); err != nil {
		if isDiskFull(err) {
			return s.disk.saw(err, time.Now())
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return s.disk.saw(fmt.Errorf("store: commit: %w", err), time.Now())
	}
	return s.disk.saw(nil, time.Now())
}

// IntegrityCheck runs PRAGMA integrity_check and returns its report: "ok"
// when the file is sound.
func (s *Store) IntegrityCheck(ctx context.Context) (string, error) {
	rows, err := s.r.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return "", fmt.Errorf("store: integrity check: %w", err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return "", fmt.Errorf("store: integrity check: %w", err)
		}
		lines = append(lines, line)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("store: integrity check: %w", err)
	}
	return strings.Join(lines, "\n"), nil
}

// unixNano and fromUnixNano convert times to and from the INTEGER columns.
// The zero time is stored as NULL where the column allows it.
func unixNano(t time.Time) int64 { return t.UnixNano() }

func fromUnixNano(ns int64) time.Time { return time.Unix(0, ns).UTC() }

func nullTime(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixNano(), Valid: true}
}

func fromNullTime(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return fromUnixNano(n.Int64)
}

func nullString(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}

// isUniqueViolation reports whether err is a UNIQUE or PRIMARY KEY
// constraint failure.
func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// IsBusy reports whether err is SQLITE_BUSY (or one of its extended codes):
// the lock was still held by another connection when busy_timeout ran out.
func IsBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}
