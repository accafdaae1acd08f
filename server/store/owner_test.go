package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// One owner at a time; stores that do not own open beside it; the owner's
// Close hands the database on.
func TestOwnOneProcessAtATime(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ttx.db")
	ctx := context.Background()
	before := time.Now().Add(-time.Second)
	first := openTest(t, path, Options{Own: true})

	_, err := Open(ctx, path, Options{Own: true})
	var he *HeldError
	if !errors.As(err, &he) {
		t.Fatalf("second owner: %v, want a *HeldError", err)
	}
	host, _ := os.Hostname()
	if he.Owner.PID != os.Getpid() || he.Owner.Host != host || he.Owner.Since.Before(before.Truncate(time.Second)) || he.Owner.Since.After(time.Now()) {
		t.Fatalf("owner = %+v, want pid %d on %q since about now", he.Owner, os.Getpid(), host)
	}
	for _, want := range []string{path, "pid " + strconv.Itoa(os.Getpid()) + " on " + host, "stop that server"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}

	// A command that does not own the database works beside the owner.
	side := openTest(t, path, Options{})
	if _, err := side.PutScenario(ctx, "demo", "Demo", []byte("id: demo\n"), t0); err != nil {
		t.Fatalf("write beside the owner: %v", err)
	}
	if _, err := first.SchemaVersion(ctx); err != nil {
		t.Fatal(err)
	}

	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	next, err := Open(ctx, path, Options{Own: true})
	if err != nil {
		t.Fatalf("owner after the first closed: %v", err)
	}
	if err := next.Close(); err != nil {
		t.Fatal(err)
	}
}

// A failed Open lets go of what it took.
func TestOwnReleasedWhenOpenFails(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ttx.db")
	if err := os.WriteFile(path, []byte("this is not a database, and it is long enough to have a header........................................................................."), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), path, Options{Own: true}); err == nil {
		t.Fatal("opened a file that is not a database")
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	s := openTest(t, path, Options{Own: true})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}
