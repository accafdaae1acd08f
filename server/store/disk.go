package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrDiskFull is wrapped by a write that failed because the database's
// disk (or its max_page_count) is full: SQLITE_FULL, or ENOSPC from the
// WAL or a checkpoint. Nothing of that transaction was stored; the same
// write succeeds once space returns.
var ErrDiskFull = errors.New("store: disk full")

// DiskState is a change of the database's disk between full and not.
type DiskState struct {
	Full  bool
	Since time.Time // when the disk was found full; zero when not full
	Err   error     // the failure that showed it full; nil when not full
}

// diskWatch tracks whether writes fail for want of space. It reports each
// change once: the first failure of an episode, and the first write that
// succeeds after it.
type diskWatch struct {
	mu     sync.Mutex
	state  DiskState
	notify func(DiskState) // from Options.OnDisk; may be nil
}

// saw records the outcome of a write: err nil clears an episode, a
// disk-full error starts one, other errors change nothing. It returns err,
// wrapping ErrDiskFull into a disk-full error.
func (d *diskWatch) saw(err error, now time.Time) error {
	full := isDiskFull(err)
	if err != nil && !full {
		return err
	}
	d.mu.Lock()
	changed := d.state.Full != full
	if changed {
		d.state = DiskState{Full: full}
		if full {
			d.state.Since, d.state.Err = now.UTC(), err
		}
	}
	st := d.state
	d.mu.Unlock()
	if changed && d.notify != nil {
		d.notify(st)
	}
	if full {
		return fmt.Errorf("%w: %w", ErrDiskFull, err)
	}
	return nil
}

func (d *diskWatch) get() DiskState {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.state
}

// Disk reports whether the database's disk is full: since the last write
// that failed for want of space, until the next write that succeeds.
func (s *Store) Disk() DiskState { return s.disk.get() }

// isDiskFull reports whether err says there is no room to write:
// SQLITE_FULL (the disk, or max_page_count), or an I/O error caused by
// ENOSPC (a WAL or checkpoint write on some systems).
func isDiskFull(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrDiskFull) || errors.Is(err, syscall.ENOSPC) {
		return true
	}
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_FULL
}

// SetMaxSize caps the database file at about maxBytes (SQLite's
// max_page_count, for the writer connection, until the store closes); a
// cap below the file's size holds it at its size. 0 removes the cap.
// Writes past the cap fail as on a full disk (ErrDiskFull), which makes a
// quota, and a full disk that tests can make and clear.
func (s *Store) SetMaxSize(ctx context.Context, maxBytes int64) error {
	if maxBytes < 0 {
		return fmt.Errorf("store: max size %d: negative", maxBytes)
	}
	select {
	case s.turn <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("store: max size: %w", ctx.Err())
	}
	defer func() { <-s.turn }()
	var pageSize int64
	if err := s.w.QueryRowContext(ctx, "PRAGMA page_size").Scan(&pageSize); err != nil {
		return fmt.Errorf("store: max size: page size: %w", err)
	}
	if pageSize <= 0 {
		return fmt.Errorf("store: max size: page size %d", pageSize)
	}
	pages := int64(4294967294) // SQLite's largest
	if maxBytes > 0 {
		pages = min(pages, max(1, maxBytes/pageSize))
	}
	var got int64
	if err := s.w.QueryRowContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages)).Scan(&got); err != nil {
		return fmt.Errorf("store: max size: %w", err)
	}
	return nil
}
