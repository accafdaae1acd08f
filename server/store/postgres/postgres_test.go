package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/store"
	"github.com/ttxsim/ttx/server/store/postgres"
	"github.com/ttxsim/ttx/server/store/storetest"
	"github.com/ttxsim/ttx/server/ttxtest/pgtest"
)

var cluster *pgtest.Cluster

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &cluster)) }

func openTest(t *testing.T, url string, opts postgres.Options) *postgres.Store {
	t.Helper()
	if url == "" {
		url = cluster.NewDatabase(t)
	}
	s, err := postgres.Open(context.Background(), url, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestConformance runs the stores' shared suite on PostgreSQL, each test
// on a new database.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return openTest(t, "", postgres.Options{}) })
}

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func newExercise(t *testing.T, s *postgres.Store, id string) {
	t.Helper()
	ctx := context.Background()
	sc, err := s.PutScenario(ctx, "demo", "Demo", []byte("id: demo\n"), t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateExercise(ctx, store.Exercise{ID: id, ScenarioID: sc.ID, Title: id, CreatedAt: t0},
		[]store.Team{{ID: "comms", Name: "Comms"}}, []store.Event{{Kind: "exercise_created", WallTime: t0}}); err != nil {
		t.Fatal(err)
	}
}

// TestEventsAppendOnly: the database refuses to change a logged event.
func TestEventsAppendOnly(t *testing.T) {
	s := openTest(t, "", postgres.Options{})
	newExercise(t, s, "a")
	if _, err := s.Pool().Exec(context.Background(), "UPDATE events SET kind = 'y' WHERE exercise_id = 'a' AND seq = 1"); err == nil ||
		!strings.Contains(err.Error(), "append-only") {
		t.Fatalf("an event was updated (%v); the log must be append-only", err)
	}
}

// TestTwoHandlesAppendWithoutGaps: two stores on one database, as two
// nodes would be, appending to the same exercise at once: the database
// numbers every event once, 1..n.
func TestTwoHandlesAppendWithoutGaps(t *testing.T) {
	url := cluster.NewDatabase(t)
	a, b := openTest(t, url, postgres.Options{}), openTest(t, url, postgres.Options{})
	newExercise(t, a, "hot")
	ctx := context.Background()
	const perWriter = 50
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w, s := range []*postgres.Store{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWriter; i++ {
				if _, err := s.Commit(ctx, store.Commit{ExerciseID: "hot", Events: []store.Event{
					{Kind: "answer_submitted", ClientID: fmt.Sprintf("w%d/%d", w, i)}}}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var n, max, distinct int64
	if err := a.Pool().QueryRow(ctx, `SELECT COUNT(*), MAX(seq), COUNT(DISTINCT seq) FROM events WHERE exercise_id = 'hot'`).Scan(&n, &max, &distinct); err != nil {
		t.Fatal(err)
	}
	if want := int64(1 + 4*perWriter); n != want || max != want || distinct != want {
		t.Fatalf("log: %d events, max seq %d, %d distinct; want %d of each", n, max, distinct, want)
	}
}

// TestOwnOneServerAtATime: with Own, a second server on the same database
// is refused with a *store.HeldError naming the first; once the first
// closes, it may start. Commands that do not own open it meanwhile.
func TestOwnOneServerAtATime(t *testing.T) {
	ctx := context.Background()
	// Trust authentication ignores the password; the refusal must not show it.
	url := strings.Replace(cluster.NewDatabase(t), "://ttx@", "://ttx:s3cret@", 1)
	first, err := postgres.Open(ctx, url, postgres.Options{Own: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = postgres.Open(ctx, url, postgres.Options{Own: true})
	var held *store.HeldError
	if !errors.As(err, &held) || held.Owner.PID != os.Getpid() || held.Owner.Since.IsZero() {
		t.Fatalf("second owner: %v (%+v), want a *store.HeldError naming pid %d", err, held, os.Getpid())
	}
	if strings.Contains(held.Error(), "s3cret") {
		t.Fatalf("the refusal shows the password: %s", held.Error())
	}
	openTest(t, url, postgres.Options{}) // a command beside the server
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second := openTest(t, url, postgres.Options{Own: true})
	if _, err := second.SchemaVersion(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestMigrationsRaceSafe: servers opening a new database at the same
// moment apply the migrations once between them, and every one opens.
func TestMigrationsRaceSafe(t *testing.T) {
	url := cluster.NewDatabase(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := postgres.Open(context.Background(), url, postgres.Options{})
			if err == nil {
				err = s.Close()
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	s := openTest(t, url, postgres.Options{})
	var n, distinct int
	if err := s.Pool().QueryRow(context.Background(), `SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations`).Scan(&n, &distinct); err != nil || n != distinct || n < 2 {
		t.Fatalf("schema_migrations has %d rows for %d versions (%v): each migration once", n, distinct, err)
	}
}

// TestSchemaTooNew: a database migrated by a newer ttx is refused.
func TestSchemaTooNew(t *testing.T) {
	url := cluster.NewDatabase(t)
	s := openTest(t, url, postgres.Options{})
	if _, err := s.Pool().Exec(context.Background(), `INSERT INTO schema_migrations VALUES (999, '0999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	if _, err := postgres.Open(context.Background(), url, postgres.Options{}); !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("Open = %v, want ErrSchemaTooNew", err)
	}
}

func TestOpenRefuses(t *testing.T) {
	for _, tc := range []struct{ name, url, want string }{
		{"not a URL", "ttx.db", "not a postgres:// URL"},
		{"no server", "postgres://u:hunter2@127.0.0.1:1/x?sslmode=disable&connect_timeout=5", "127.0.0.1:1"},
		{"bad option", "postgres://u:hunter2@127.0.0.1/x?sslmode=bogus", "sslmode"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := postgres.Open(context.Background(), tc.url, postgres.Options{})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("Open: %v; want a message with %q and without the password", err, tc.want)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://ttx:s3cret@db:5432/ttx": "postgres://ttx:xxxxx@db:5432/ttx",
		"postgresql://ttx@db/ttx":           "postgresql://ttx@db/ttx",
	} {
		if got := postgres.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLoadKeepsNothingUnverified: Load counts what its transaction holds
// before committing; a verify that refuses the count, or a fill that
// fails half way, leaves the database as it was.
func TestLoadKeepsNothingUnverified(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, "", postgres.Options{})
	fill := func(sink store.Sink) error {
		return sink.Account(store.Account{ID: 7, Name: "ann", PasswordHash: "h", CreatedAt: t0, PasswordChangedAt: t0})
	}
	var seen store.Census
	err := s.Load(ctx, false, fill, func(c store.Census) error { seen = c; return errors.New("counts differ") })
	if err == nil || !strings.Contains(err.Error(), "counts differ") || seen.Rows["accounts"] != 1 {
		t.Fatalf("Load = %v, verify saw %+v", err, seen)
	}
	if n, err := s.CountAccounts(ctx); err != nil || n != 0 {
		t.Fatalf("a refused load kept %d accounts (%v)", n, err)
	}
	failing := func(sink store.Sink) error {
		if err := fill(sink); err != nil {
			return err
		}
		return sink.Session(store.Session{IDHash: "x", AccountID: 99}) // no such account
	}
	if err := s.Load(ctx, false, failing, func(store.Census) error { return nil }); err == nil {
		t.Fatal("a session of a missing account was loaded")
	}
	if n, err := s.CountAccounts(ctx); err != nil || n != 0 {
		t.Fatalf("a failed load kept %d accounts (%v)", n, err)
	}
	if err := s.Load(ctx, false, fill, func(store.Census) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if a, err := s.CreateAccount(ctx, "bob", "h", false, t0); err != nil || a.ID != 8 {
		t.Fatalf("the account after a load of id 7: %+v, %v; want id 8", a, err)
	}
}
