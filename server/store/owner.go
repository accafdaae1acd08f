package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/ttxsim/ttx/server/lockfile"
)

// OwnerLockSuffix names the lock file beside the database (ttx.db.lock):
// whoever holds its lock owns the database; see Options.Own.
const OwnerLockSuffix = ".lock"

// Owner says which process owns a database file.
type Owner struct {
	PID   int       `json:"pid"`
	Host  string    `json:"host"`
	Since time.Time `json:"since"`
}

// HeldError is returned by Open with Options.Own when another process owns
// the database. Owner is what that process wrote into the lock file; it is
// zero if it could not be read.
type HeldError struct {
	Path  string
	Owner Owner
}

func (e *HeldError) Error() string {
	who := "another process"
	if e.Owner.PID > 0 {
		who = fmt.Sprintf("another ttx (pid %d on %s, since %s)", e.Owner.PID, e.Owner.Host, e.Owner.Since.Format(time.RFC3339))
	}
	return fmt.Sprintf("store: %s is served by %s; stop that server first, or give this one another database", e.Path, who)
}

// takeOwnership locks path's lock file without waiting and records this
// process in it.
func takeOwnership(path string, now time.Time) (*lockfile.File, error) {
	lockPath := path + OwnerLockSuffix
	l, err := lockfile.TryLock(lockPath)
	if errors.Is(err, lockfile.ErrLocked) {
		he := &HeldError{Path: path}
		if b, rerr := lockfile.ReadContent(lockPath, 4096); rerr == nil {
			_ = json.Unmarshal(b, &he.Owner) // unreadable: said as "another process"
		}
		return nil, he
	}
	if err != nil {
		return nil, fmt.Errorf("store: own %s: %w", path, err)
	}
	host, _ := os.Hostname()
	b, err := json.Marshal(Owner{PID: os.Getpid(), Host: host, Since: now.UTC().Truncate(time.Second)})
	if err == nil {
		err = l.SetContent(append(b, '\n'))
	}
	if err != nil {
		_ = l.Unlock()
		return nil, fmt.Errorf("store: own %s: %w", path, err)
	}
	return l, nil
}

// releaseOwnership clears the record and lets go of the lock. The file
// stays: removing it would let a process that opened it before the
// removal and one that creates it afresh both hold "the" lock.
func releaseOwnership(l *lockfile.File) error {
	return errors.Join(l.SetContent(nil), l.Unlock())
}
