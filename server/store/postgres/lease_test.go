package postgres_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/store"
	"github.com/ttxsim/ttx/server/store/postgres"
)

// TestLeaseFencesAnOldOwner: node A holds an exercise's lease and
// appends; B cannot take a live lease; once A's lease ends (released here,
// as by expiry) B takes it with a larger token, and from then on the
// database refuses every append of A — under its old lease or with no
// lease at all — with ErrLeaseLost and nothing written, while B's appends
// continue the log without a gap.
func TestLeaseFencesAnOldOwner(t *testing.T) {
	ctx := context.Background()
	url := cluster.NewDatabase(t)
	a, b := openTest(t, url, postgres.Options{}), openTest(t, url, postgres.Options{})
	newExercise(t, a, "ex")
	ev := func(kind string) store.Commit {
		return store.Commit{ExerciseID: "ex", Events: []store.Event{{Kind: kind, WallTime: t0}}}
	}

	// Never leased: plain commits work (one node, as today).
	if _, err := a.Commit(ctx, ev("unleased")); err != nil {
		t.Fatal(err)
	}
	la, err := a.AcquireLease(ctx, "ex", "node-a", time.Minute)
	if err != nil || la.Token != 1 || !la.Expires.After(time.Now().Add(-time.Minute)) {
		t.Fatalf("A acquires: %+v, %v", la, err)
	}
	if again, err := a.AcquireLease(ctx, "ex", "node-a", time.Minute); err != nil || again.Token != 1 {
		t.Fatalf("A acquires again (a renewal): %+v, %v", again, err)
	}
	if _, err := b.AcquireLease(ctx, "ex", "node-b", time.Minute); !errors.Is(err, postgres.ErrLeaseHeld) {
		t.Fatalf("B acquires a live lease: %v, want ErrLeaseHeld", err)
	}
	if _, err := a.CommitUnder(ctx, la, ev("by-a")); err != nil {
		t.Fatalf("A appends under its lease: %v", err)
	}
	// Once leased, a writer that names no lease is refused.
	if _, err := a.Commit(ctx, ev("no-lease")); !errors.Is(err, postgres.ErrLeaseLost) {
		t.Fatalf("append without the lease: %v, want ErrLeaseLost", err)
	}
	if la, err = a.RenewLease(ctx, la, time.Minute); err != nil {
		t.Fatal(err)
	}

	if err := a.ReleaseLease(ctx, la); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CommitUnder(ctx, la, ev("released")); !errors.Is(err, postgres.ErrLeaseLost) {
		t.Fatalf("append under a released lease: %v, want ErrLeaseLost", err)
	}
	lb, err := b.AcquireLease(ctx, "ex", "node-b", time.Minute)
	if err != nil || lb.Token != 2 {
		t.Fatalf("B takes the free lease: %+v, %v; want token 2", lb, err)
	}
	before, err := a.LastSeq(ctx, "ex")
	if err != nil {
		t.Fatal(err)
	}
	for name, commit := range map[string]func() error{
		"old lease": func() error { _, err := a.CommitUnder(ctx, la, ev("stale")); return err },
		"no lease":  func() error { _, err := a.Commit(ctx, ev("stale")); return err },
		"forged": func() error {
			_, err := a.CommitUnder(ctx, postgres.Lease{ExerciseID: "ex", Node: "node-a", Token: 2}, ev("stale"))
			return err
		},
	} {
		if err := commit(); !errors.Is(err, postgres.ErrLeaseLost) {
			t.Errorf("A appends with %s after B took over: %v, want ErrLeaseLost", name, err)
		}
	}
	if _, err := a.RenewLease(ctx, la, time.Minute); !errors.Is(err, postgres.ErrLeaseLost) {
		t.Fatalf("A renews a lease B took: %v, want ErrLeaseLost", err)
	}
	if after, _ := a.LastSeq(ctx, "ex"); after != before {
		t.Fatalf("refused appends wrote: last seq %d, was %d", after, before)
	}
	out, err := b.CommitUnder(ctx, lb, ev("by-b"))
	if err != nil || out[0].Seq != before+1 {
		t.Fatalf("B appends: %+v, %v; want seq %d", out, err, before+1)
	}
	if got, err := a.LeaseOf(ctx, "ex"); err != nil || got.Node != "node-b" || got.Token != 2 {
		t.Fatalf("LeaseOf = %+v, %v", got, err)
	}
	if _, err := a.AcquireLease(ctx, "nope", "node-a", time.Minute); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("lease of a missing exercise: %v, want ErrNotFound", err)
	}
	if _, err := a.AcquireLease(ctx, "ex", "node-a", 0); err == nil {
		t.Fatal("a lease without a TTL was given")
	}
}

// TestLeaseTakeoverWaitsForCommitInFlight: a takeover waits for the old
// owner's transaction whose events already passed the lease check, so the
// new owner's first read of the log includes them: fencing never leaves
// an acknowledged append unseen by the next owner.
func TestLeaseTakeoverWaitsForCommitInFlight(t *testing.T) {
	ctx := context.Background()
	url := cluster.NewDatabase(t)
	a, b := openTest(t, url, postgres.Options{}), openTest(t, url, postgres.Options{})
	newExercise(t, a, "ex")
	if _, err := a.AcquireLease(ctx, "ex", "node-a", time.Minute); err != nil {
		t.Fatal(err)
	}
	// A's append, held open after its event passed the fencing trigger.
	tx, err := a.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // committed below
	if _, err := tx.Exec(ctx, `SELECT set_config('ttx.lease', 'node-a/1', true)`); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO events (exercise_id, seq, kind, wall_time, exercise_time_ns) VALUES ('ex', 2, 'in_flight', 0, 0)`); err != nil {
		t.Fatal(err)
	}
	// B's takeover (the lease's row rewritten, as AcquireLease does once
	// A's lease has expired) must wait for A's transaction.
	done := make(chan error, 1)
	go func() {
		_, err := b.Pool().Exec(ctx, `UPDATE exercise_leases SET node = 'node-b', token = token + 1, expires_at = clock_timestamp() + interval '1 minute'`)
		done <- err
	}()
	waiting := false
	for deadline := time.Now().Add(30 * time.Second); !waiting; {
		var n int
		if err := a.Pool().QueryRow(ctx, `SELECT COUNT(*) FROM pg_locks l JOIN pg_stat_activity s ON s.pid = l.pid
			WHERE NOT l.granted AND s.datname = current_database()`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		waiting = n > 0
		if !waiting && time.Now().After(deadline) {
			t.Fatal("the takeover never waited for a lock")
		}
	}
	select {
	case err := <-done:
		t.Fatalf("the takeover did not wait for the append in flight (%v)", err)
	default:
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	evs, err := b.Events(ctx, "ex", 0, 0)
	if err != nil || len(evs) != 2 || evs[1].Kind != "in_flight" {
		t.Fatalf("the new owner's log: %+v, %v", evs, err)
	}
}

// TestCheckNoSingleOwner: a node of a cluster learns that a single-node
// server serves the database (and which), and, once it is gone, that none
// does — without keeping the owner lock from a later single node.
func TestCheckNoSingleOwner(t *testing.T) {
	ctx := context.Background()
	url := cluster.NewDatabase(t)
	shared := openTest(t, url, postgres.Options{})
	if err := shared.CheckNoSingleOwner(ctx); err != nil {
		t.Fatalf("no server: %v", err)
	}
	single, err := postgres.Open(ctx, url, postgres.Options{Own: true})
	if err != nil {
		t.Fatalf("a single node after the check: %v", err)
	}
	var he *store.HeldError
	if err := shared.CheckNoSingleOwner(ctx); !errors.As(err, &he) || he.Owner.PID != os.Getpid() {
		t.Fatalf("beside a single node: %v; want a HeldError naming it", err)
	}
	if err := single.Close(); err != nil {
		t.Fatal(err)
	}
	// PostgreSQL frees the lock when its backend sees the connection
	// close, a moment after Close returns.
	for deadline := time.Now().Add(10 * time.Second); ; {
		err := shared.CheckNoSingleOwner(ctx)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the single node stopped: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestEndLeases: a database a cluster served goes back to one node. While
// a lease is live nothing changes; once every lease has run out, EndLeases
// removes them and the exercise takes plain commits again.
func TestEndLeases(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, "", postgres.Options{})
	newExercise(t, s, "ex")
	l, err := s.AcquireLease(ctx, "ex", "node-a", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EndLeases(ctx); !errors.Is(err, postgres.ErrLeaseHeld) {
		t.Fatalf("with a live lease: %v; want ErrLeaseHeld", err)
	}
	if _, err := s.CommitUnder(ctx, l, store.Commit{ExerciseID: "ex", Events: []store.Event{{Kind: "still-leased", WallTime: t0}}}); err != nil {
		t.Fatalf("the lease still holds after the refusal: %v", err)
	}
	if err := s.ReleaseLease(ctx, l); err != nil {
		t.Fatal(err)
	}
	plain := store.Commit{ExerciseID: "ex", Events: []store.Event{{Kind: "one-node", WallTime: t0}}}
	if _, err := s.Commit(ctx, plain); !errors.Is(err, postgres.ErrLeaseLost) {
		t.Fatalf("a plain commit on a once-leased exercise: %v; want ErrLeaseLost", err)
	}
	if err := s.EndLeases(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Commit(ctx, plain); err != nil {
		t.Fatalf("a plain commit after EndLeases: %v", err)
	}
}
