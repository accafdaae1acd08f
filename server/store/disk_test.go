package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

// Issue 17 item 8: a write that finds no room fails with ErrDiskFull and
// stores nothing; the first such failure and the first write that succeeds
// after it are each reported once.
func TestDiskFullReportedOncePerEpisode(t *testing.T) {
	var mu sync.Mutex
	var changes []DiskState
	s := openTest(t, "", Options{OnDisk: func(d DiskState) {
		mu.Lock()
		changes = append(changes, d)
		mu.Unlock()
	}})
	ctx := context.Background()
	newExercise(t, s, "ex1")
	if d := s.Disk(); d.Full {
		t.Fatalf("disk full before any failure: %+v", d)
	}

	if err := s.SetMaxSize(ctx, 1); err != nil { // the file's size: full
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("x"), 256<<10)
	for i := range 3 {
		_, err := s.PutScenario(ctx, fmt.Sprintf("big%d", i), "Big", append(big, byte(i)), t0)
		if !errors.Is(err, ErrDiskFull) {
			t.Fatalf("write %d on a full database: %v, want ErrDiskFull", i, err)
		}
	}
	d := s.Disk()
	if !d.Full || d.Since.IsZero() || !isDiskFull(d.Err) {
		t.Fatalf("Disk() = %+v, want full since a time, with the SQLite error", d)
	}
	var stored int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM scenarios WHERE slug LIKE 'big%'`).Scan(&stored); err != nil || stored != 0 {
		t.Fatalf("refused writes stored: %d rows (%v)", stored, err)
	}

	if err := s.SetMaxSize(ctx, 0); err != nil { // space returns
		t.Fatal(err)
	}
	if _, err := s.PutScenario(ctx, "big0", "Big", big, t0); err != nil {
		t.Fatalf("write once space returned: %v", err)
	}
	if d := s.Disk(); d.Full {
		t.Fatalf("still full after a write succeeded: %+v", d)
	}
	if _, err := s.PutScenario(ctx, "small", "Small", []byte("id: small\n"), t0); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(changes) != 2 || !changes[0].Full || changes[0].Since != d.Since || changes[1].Full {
		t.Fatalf("reported changes = %+v, want one full, then one not full", changes)
	}
}
