package postgres

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ttxsim/ttx/server/store"
)

// TestDiskFullReportedOncePerEpisode: a write failing with SQLSTATE 53100
// (disk_full) wraps store.ErrDiskFull and starts an episode, reported once
// however many writes fail; other errors change nothing; the first write
// that succeeds ends it, reported once. (A full disk of the database
// server cannot be made in a test without mounting a small file system;
// this holds the mapping and the reporting, the rest is inTx's.)
func TestDiskFullReportedOncePerEpisode(t *testing.T) {
	var got []store.DiskState
	d := &diskWatch{notify: func(s store.DiskState) { got = append(got, s) }}
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	full := fmt.Errorf("store: commit: %w", &pgconn.PgError{Code: diskFull, Message: "could not extend file: No space left on device"})
	other := fmt.Errorf("store: commit: %w", &pgconn.PgError{Code: uniqueViolation})
	steps := []struct {
		err      error
		wantFull bool // the error returned wraps ErrDiskFull
		reports  int  // reports so far
	}{
		{nil, false, 0},
		{other, false, 0},
		{full, true, 1},
		{full, true, 1},
		{other, false, 1},
		{nil, false, 2},
		{nil, false, 2},
	}
	for i, st := range steps {
		err := d.saw(st.err, now.Add(time.Duration(i)*time.Second))
		if errors.Is(err, store.ErrDiskFull) != st.wantFull || (st.err == nil) != (err == nil) {
			t.Fatalf("step %d: saw(%v) = %v", i, st.err, err)
		}
		if len(got) != st.reports {
			t.Fatalf("step %d: %d reports, want %d: %+v", i, len(got), st.reports, got)
		}
	}
	if !got[0].Full || !got[0].Since.Equal(now.Add(2*time.Second)) || got[0].Err == nil || got[1].Full {
		t.Fatalf("reports %+v", got)
	}
}
