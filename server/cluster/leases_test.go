package cluster_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ttxsim/ttx/scenarios"
	"github.com/ttxsim/ttx/server/cluster"
	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/engine/enginetest"
	"github.com/ttxsim/ttx/server/store/postgres"
	"github.com/ttxsim/ttx/server/ttxtest/pgtest"
)

var pg *pgtest.Cluster

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &pg)) }

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

type node struct {
	st  *postgres.Store
	eng *engine.Engine
	clk *enginetest.FakeClock
}

func newNode(t *testing.T, url, name string) *node {
	t.Helper()
	st, err := postgres.Open(context.Background(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	lz, err := cluster.NewLeases(st, name, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	clk := enginetest.NewFakeClock(t0)
	eng := engine.New(st, clk, nil, nil, engine.WithLeases(lz, lz.TTL()))
	t.Cleanup(func() { _ = eng.Close() })
	return &node{st: st, eng: eng, clk: clk}
}

func exampleSource(t *testing.T) []byte {
	t.Helper()
	src, err := scenarios.Files.ReadFile("example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// expire ends the exercise's lease now, as if its holder had been paused
// (or cut off) past the TTL without renewing.
func expire(t *testing.T, url, exerciseID string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE exercise_leases SET expires_at = clock_timestamp() WHERE exercise_id = $1`, exerciseID); err != nil {
		t.Fatal(err)
	}
}

func lastSeq(t *testing.T, n *node, id string) int64 {
	t.Helper()
	s, err := n.st.LastSeq(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestOneOwnerPerExercise: two engines on one database. The first to
// touch an exercise drives it; the other is told who does and cannot
// command it. When the owner's lease runs out (it was paused), the other
// takes the exercise, rebuilding it from the log; the old owner's next
// append is refused by the database (ErrLeaseLost, nothing written) and
// its loop stops; it then names the new owner. A node that shuts down
// releases its leases, so the other takes over at once.
func TestOneOwnerPerExercise(t *testing.T) {
	ctx := context.Background()
	url := pg.NewDatabase(t)
	a, b := newNode(t, url, "node-a"), newNode(t, url, "node-b")

	ex, err := a.eng.Create(ctx, engine.CreateInput{Source: exampleSource(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.eng.Start(ctx, ex.ID); err != nil {
		t.Fatal(err)
	}
	if owner, err := b.eng.Owner(ctx, ex.ID); err != nil || owner != "node-a" {
		t.Fatalf("B asks for the owner: %q, %v; want node-a", owner, err)
	}
	var no *engine.NotOwnerError
	if err := b.eng.Pause(ctx, ex.ID); !errors.As(err, &no) || no.Node != "node-a" || engine.Code(err) != "unavailable" {
		t.Fatalf("B commands A's exercise: %v; want a NotOwnerError naming node-a, code unavailable", err)
	}
	inject := engine.AdHoc{Channel: "email", Title: "t", Body: "b"}
	if err := a.eng.Inject(ctx, ex.ID, inject); err != nil {
		t.Fatal(err)
	}
	before := lastSeq(t, a, ex.ID)

	expire(t, url, ex.ID)
	if owner, err := b.eng.Owner(ctx, ex.ID); err != nil || owner != "" {
		t.Fatalf("B after A's lease expired: owner %q, %v; want B itself", owner, err)
	}
	snap, err := b.eng.Snapshot(ctx, ex.ID)
	if err != nil || snap.LastSeq != before || snap.Status != "running" {
		t.Fatalf("B rebuilt the exercise: last seq %d, status %s, %v; want %d, running", snap.LastSeq, snap.Status, err, before)
	}

	// A, back from its pause, still has the exercise loaded: its append
	// is refused and nothing is written.
	if err := a.eng.Inject(ctx, ex.ID, inject); !errors.Is(err, engine.ErrLeaseLost) || engine.Code(err) != "unavailable" {
		t.Fatalf("A appends after losing the lease: %v; want ErrLeaseLost", err)
	}
	if got := lastSeq(t, a, ex.ID); got != before {
		t.Fatalf("the log grew to %d under a stale lease; want %d", got, before)
	}
	if owner, err := a.eng.Owner(ctx, ex.ID); err != nil || owner != "node-b" {
		t.Fatalf("A asks again: owner %q, %v; want node-b", owner, err)
	}
	if err := b.eng.Inject(ctx, ex.ID, inject); err != nil {
		t.Fatal(err)
	}
	if got := lastSeq(t, b, ex.ID); got <= before {
		t.Fatalf("B's inject did not append: last seq %d", got)
	}

	// A node that stops lets go of its exercises at once.
	if err := b.eng.Close(); err != nil {
		t.Fatal(err)
	}
	if owner, err := a.eng.Owner(ctx, ex.ID); err != nil || owner != "" {
		t.Fatalf("A after B closed: owner %q, %v; want A itself", owner, err)
	}
}

// TestCreatorDrivesItsExercise: the node an exercise is created through
// holds its lease from the start, so a balancer that spreads the
// facilitators' requests spreads the exercises over the nodes.
func TestCreatorDrivesItsExercise(t *testing.T) {
	ctx := context.Background()
	url := pg.NewDatabase(t)
	a, b := newNode(t, url, "node-a"), newNode(t, url, "node-b")
	for _, n := range []struct {
		creator, other *node
		name           string
	}{{a, b, "node-a"}, {b, a, "node-b"}} {
		ex, err := n.creator.eng.Create(ctx, engine.CreateInput{Source: exampleSource(t)})
		if err != nil {
			t.Fatal(err)
		}
		if owner, err := n.other.eng.Owner(ctx, ex.ID); err != nil || owner != n.name {
			t.Errorf("asked after %s created it: owner %q, %v; want %s", n.name, owner, err, n.name)
		}
	}
}

// TestRenewalNoticesALostLease: the loop renews its lease on the engine's
// clock; when a renewal finds the lease gone, the loop stops without
// waiting for a command, and the node names the new owner.
func TestRenewalNoticesALostLease(t *testing.T) {
	ctx := context.Background()
	url := pg.NewDatabase(t)
	a, b := newNode(t, url, "node-a"), newNode(t, url, "node-b")
	ex, err := a.eng.Create(ctx, engine.CreateInput{Source: exampleSource(t)})
	if err != nil {
		t.Fatal(err)
	}
	if owner, err := a.eng.Owner(ctx, ex.ID); err != nil || owner != "" {
		t.Fatalf("A takes its exercise: %q, %v", owner, err)
	}
	// Renewals keep the lease: B cannot take it however often A renews.
	for range 3 {
		a.clk.Advance(time.Minute / 3)
		if owner, err := b.eng.Owner(ctx, ex.ID); err != nil || owner != "node-a" {
			t.Fatalf("B while A renews: %q, %v; want node-a", owner, err)
		}
	}
	expire(t, url, ex.ID)
	if owner, err := b.eng.Owner(ctx, ex.ID); err != nil || owner != "" {
		t.Fatalf("B takes the expired lease: %q, %v", owner, err)
	}
	done := a.eng.Stopped(ex.ID)
	a.clk.Advance(time.Minute / 3) // A's next renewal finds the lease gone
	<-done
	if owner, err := a.eng.Owner(ctx, ex.ID); err != nil || owner != "node-b" {
		t.Fatalf("A after its renewal failed: %q, %v; want node-b", owner, err)
	}
}

// TestTakeoverFiresMissedTimersInOrder: the owner dies with scheduled
// injects pending; while no node drives the exercise they fall due. The
// node that takes it over replays the log and sends them in order, each
// stamped with its own due time, as after a restart — and re-arms its
// timer for the one still ahead.
// (A's lease is expired by hand: the database's clock is real.)
func TestTakeoverFiresMissedTimersInOrder(t *testing.T) {
	ctx := context.Background()
	url := pg.NewDatabase(t)
	a, b := newNode(t, url, "node-a"), newNode(t, url, "node-b")
	ex, err := a.eng.Create(ctx, engine.CreateInput{Source: exampleSource(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.eng.Start(ctx, ex.ID); err != nil {
		t.Fatal(err)
	}
	for i, in := range []time.Duration{3 * time.Minute, time.Minute, 2 * time.Minute, time.Hour} {
		if _, err := a.eng.ScheduleInject(ctx, ex.ID, engine.ScheduleInput{In: in,
			Inject: engine.AdHoc{Channel: "email", Title: "scheduled", Body: strconv.Itoa(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	// A dies (its lease runs out; its clock never moves again); four
	// minutes pass on B's clock.
	expire(t, url, ex.ID)
	b.clk.Advance(4 * time.Minute)
	if owner, err := b.eng.Owner(ctx, ex.ID); err != nil || owner != "" {
		t.Fatalf("B takes over: %q, %v", owner, err)
	}
	evs, err := b.st.Events(ctx, ex.ID, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var at []time.Duration
	for _, ev := range evs {
		if ev.Kind == "facilitator_inject" {
			var p struct {
				Body string `json:"body"`
			}
			if err := json.Unmarshal(ev.Payload, &p); err != nil {
				t.Fatal(err)
			}
			got, at = append(got, p.Body), append(at, ev.ExerciseTime)
		}
	}
	if want := []string{"1", "2", "0"}; !slices.Equal(got, want) {
		t.Fatalf("after the takeover B sent %v; want %v (in due order, not the hour-away one)", got, want)
	}
	for i, want := range []time.Duration{time.Minute, 2 * time.Minute, 3 * time.Minute} {
		if at[i] != want {
			t.Fatalf("inject %d stamped %s; want its due time %s", i, at[i], want)
		}
	}
	// The one still ahead goes out at its time on B.
	b.clk.Advance(56 * time.Minute)
	snap, err := b.eng.Snapshot(ctx, ex.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Scheduled) != 0 {
		t.Fatalf("after the hour B still waits for %+v", snap.Scheduled)
	}
}
