// Package lockfile holds an operating-system lock on a file: flock(2) on
// Unix, LockFileEx on Windows. The kernel releases it when the process
// ends in any way, kill -9 included, so a lock is never left stale; the
// file itself stays behind and is reused by the next holder.
//
// Locks belong to an open file, not to a process: two Lock calls in one
// process on the same path exclude each other like two processes do.
package lockfile

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// ErrLocked is returned by TryLock when another open file holds the lock.
var ErrLocked = errors.New("lockfile: held by another process")

// File is a held lock. Its content is free for the holder to use (for
// example to say who holds it); the lock covers a byte range far past any
// content, so on Windows others can still read it.
type File struct {
	f *os.File
}

// TryLock creates path if needed and takes its lock without waiting. When
// another holds it, the error wraps ErrLocked.
func TryLock(path string) (*File, error) {
	return lock(path, false)
}

// Lock creates path if needed and takes its lock, waiting for as long as
// another holds it.
func Lock(path string) (*File, error) {
	return lock(path, true)
}

func lock(path string, wait bool) (*File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lockfile: %w", err)
	}
	if err := lockFile(f, wait); err != nil {
		f.Close()
		return nil, fmt.Errorf("lockfile: %s: %w", path, err)
	}
	return &File{f: f}, nil
}

// SetContent replaces the file's content.
func (l *File) SetContent(b []byte) error {
	if err := l.f.Truncate(0); err != nil {
		return fmt.Errorf("lockfile: %w", err)
	}
	if _, err := l.f.WriteAt(b, 0); err != nil {
		return fmt.Errorf("lockfile: %w", err)
	}
	return nil
}

// Unlock releases the lock and closes the file. The file stays.
func (l *File) Unlock() error {
	err := unlockFile(l.f)
	return errors.Join(err, l.f.Close())
}

// ReadContent reads what the holder wrote into path, up to max bytes.
func ReadContent(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("lockfile: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max))
	if err != nil {
		return nil, fmt.Errorf("lockfile: %w", err)
	}
	return b, nil
}
