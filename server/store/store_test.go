package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func openTest(t *testing.T, path string, opts Options) *Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "ttx.db")
	}
	s, err := Open(context.Background(), path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newExercise stores a scenario and an exercise with two teams.
func newExercise(t *testing.T, s *Store, id string) Exercise {
	t.Helper()
	ctx := context.Background()
	sc, err := s.PutScenario(ctx, "demo", "Demo", []byte("id: demo\n"), t0)
	if err != nil {
		t.Fatal(err)
	}
	ex := Exercise{ID: id, ScenarioID: sc.ID, Title: "Ex " + id, Params: map[string]string{"company": "Acme"}, CreatedAt: t0}
	evs, err := s.CreateExercise(ctx, ex, []Team{{"comms", "Comms"}, {"sec", "Security"}},
		[]Event{{Kind: "exercise_created", WallTime: t0, Payload: []byte(`{"title":"x"}`)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Seq != 1 {
		t.Fatalf("created events = %+v, want one with seq 1", evs)
	}
	return ex
}

func TestOpenRejectsBadOptions(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		path string
		opts Options
	}{
		{"empty path", "", Options{}},
		{"query in path", filepath.Join(dir, "a.db?mode=memory"), Options{}},
		{"uri", "file:" + filepath.Join(dir, "a.db"), Options{}},
		{"bad synchronous", filepath.Join(dir, "a.db"), Options{Synchronous: "OFF"}},
		{"injection in synchronous", filepath.Join(dir, "a.db"), Options{Synchronous: "NORMAL);ATTACH 'x' AS x;--"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(context.Background(), tc.path, tc.opts)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded, want an error")
			}
		})
	}
}

func TestPragmas(t *testing.T) {
	for _, tc := range []struct {
		sync string
		want int
	}{{"", 1}, {SyncNormal, 1}, {SyncFull, 2}} {
		t.Run("sync="+tc.sync, func(t *testing.T) {
			s := openTest(t, "", Options{Synchronous: tc.sync})
			ctx := context.Background()
			var mode string
			var syncv, fk, busy int
			if err := s.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
				t.Fatal(err)
			}
			if err := s.w.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&syncv); err != nil {
				t.Fatal(err)
			}
			if err := s.w.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
				t.Fatal(err)
			}
			if err := s.r.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil {
				t.Fatal(err)
			}
			if mode != "wal" || syncv != tc.want || fk != 1 || busy != 5000 {
				t.Fatalf("journal_mode=%s synchronous=%d foreign_keys=%d busy_timeout=%d; want wal %d 1 5000", mode, syncv, fk, busy, tc.want)
			}
			// The reader pool must refuse writes.
			if _, err := s.r.ExecContext(ctx, "CREATE TABLE x (a)"); err == nil {
				t.Fatal("reader pool accepted a write")
			}
		})
	}
}

func TestMigrationsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ttx.db")
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].version != 1 {
		t.Fatalf("embedded migrations = %v, want 0001 first", ms)
	}
	for i := 0; i < 3; i++ {
		s, err := Open(context.Background(), path, Options{})
		if err != nil {
			t.Fatalf("open #%d: %v", i, err)
		}
		v, err := s.SchemaVersion(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := s.r.QueryRow("SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil {
			t.Fatal(err)
		}
		s.Close()
		if v != ms[len(ms)-1].version || n != len(ms) {
			t.Fatalf("open #%d: version %d with %d rows, want %d with %d", i, v, n, ms[len(ms)-1].version, len(ms))
		}
	}
}

func TestSchemaTooNew(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ttx.db")
	s := openTest(t, path, Options{})
	if _, err := s.w.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 0)"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, err := Open(context.Background(), path, Options{})
	if !errors.Is(err, ErrSchemaTooNew) {
		if s2 != nil {
			s2.Close()
		}
		t.Fatalf("Open on a newer schema: err = %v, want ErrSchemaTooNew", err)
	}
}

// TestMigrationRunner runs the generic runner on a synthetic history: later
// files apply in version order, and a failing file leaves no trace.
func TestMigrationRunner(t *testing.T) {
	ctx := context.Background()
	fsys := fstest.MapFS{
		"migrations/0001_a.sql":   {Data: []byte("CREATE TABLE a (x); INSERT INTO a VALUES (1);")},
		"migrations/0010_c.sql":   {Data: []byte("INSERT INTO a VALUES (10);")},
		"migrations/0002_b.sql":   {Data: []byte("INSERT INTO a VALUES (2); CREATE TABLE b (y);")},
		"migrations/0011_bad.sql": {Data: []byte("INSERT INTO a VALUES (11); THIS IS NOT SQL;")},
	}
	ms, err := loadMigrations(fsys)
	if err != nil {
		t.Fatal(err)
	}
	// Run on a fresh store whose version table is emptied, so the
	// synthetic history starts at version 0.
	s2 := openTest(t, "", Options{})
	if _, err := s2.w.Exec("DELETE FROM schema_migrations"); err != nil {
		t.Fatal(err)
	}
	if err := applyMigrations(ctx, s2.w, ms); err == nil {
		t.Fatal("a broken migration applied without error")
	}
	var got []int
	rows, err := s2.w.Query("SELECT x FROM a ORDER BY rowid")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var x int
		if err := rows.Scan(&x); err != nil {
			t.Fatal(err)
		}
		got = append(got, x)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if fmt.Sprint(got) != "[1 2 10]" {
		t.Fatalf("rows after migrations = %v, want [1 2 10] (in version order, 11 rolled back)", got)
	}
	v, err := schemaVersion(ctx, s2.w)
	if err != nil || v != 10 {
		t.Fatalf("version = %d, %v; want 10", v, err)
	}

	for _, bad := range []fstest.MapFS{
		{"migrations/x_a.sql": {Data: []byte("")}},
		{"migrations/0001_a.sql": {Data: []byte("")}, "migrations/01_b.sql": {Data: []byte("")}},
	} {
		if _, err := loadMigrations(bad); err == nil {
			t.Errorf("loadMigrations(%v) succeeded, want an error", bad)
		}
	}
}

// TestEventsAppendOnly: the database itself refuses to change a logged
// event (a trigger), whatever the code above it does. The log's contract
// (numbering, paging, round trips) is in the conformance suite (storetest).
func TestEventsAppendOnly(t *testing.T) {
	s := openTest(t, "", Options{})
	newExercise(t, s, "a")
	if _, err := s.w.Exec("UPDATE events SET kind = 'y' WHERE exercise_id = 'a' AND seq = 1"); err == nil {
		t.Fatal("an event was updated; the log must be append-only")
	}
}

// TestConcurrentWriters is the acceptance test for write contention: 8
// writers x 200 read-then-write transactions, spread over two Store handles
// on the same file (as two processes would be), with readers running
// alongside. Every transaction must commit: 0 busy errors, 1,600 events
// numbered 1..1600 without gaps.
func TestConcurrentWriters(t *testing.T) {
	const writers, perWriter = 8, 200
	path := filepath.Join(t.TempDir(), "ttx.db")
	s1 := openTest(t, path, Options{})
	s2 := openTest(t, path, Options{})
	newExercise(t, s1, "hot")
	ctx := context.Background()

	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs, busy int
	var firstErr error
	done := make(chan struct{})
	for w := 0; w < writers; w++ {
		s := s1
		if w%2 == 1 {
			s = s2
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWriter; i++ {
				// Commit reads MAX(seq) and then inserts: a read-then-write transaction.
				_, err := s.Commit(ctx, Commit{ExerciseID: "hot", Events: []Event{
					{Kind: "answer_submitted", ClientID: fmt.Sprintf("w%d/%d", w, i), WallTime: t0}}})
				if err != nil {
					mu.Lock()
					errs++
					if IsBusy(err) {
						busy++
					}
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	var rwg sync.WaitGroup
	for r := 0; r < 2; r++ {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				if _, err := s2.Events(ctx, "hot", 0, 50); err != nil {
					mu.Lock()
					errs++
					firstErr = err
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	close(done)
	rwg.Wait()
	if errs != 0 || busy != 0 {
		t.Fatalf("%d errors (%d busy), first: %v", errs, busy, firstErr)
	}
	var n, maxSeq, distinct int64
	if err := s1.r.QueryRow(`SELECT COUNT(*), MAX(seq), COUNT(DISTINCT client_id) FROM events WHERE exercise_id = 'hot' AND kind = 'answer_submitted'`).Scan(&n, &maxSeq, &distinct); err != nil {
		t.Fatal(err)
	}
	if n != writers*perWriter || distinct != n || maxSeq != n+1 {
		t.Fatalf("count %d, distinct %d, max seq %d; want %d, %d, %d", n, distinct, maxSeq, writers*perWriter, writers*perWriter, writers*perWriter+1)
	}
	if res, err := s1.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Fatalf("integrity_check = %q, %v", res, err)
	}
}

// holdTurn starts a write transaction that waits for release, and returns
// once it has the writer's turn.
func holdTurn(t *testing.T, s *Store) (release func()) {
	t.Helper()
	held, done := make(chan struct{}), make(chan struct{})
	var once sync.Once
	go func() {
		_ = s.inTx(context.Background(), func(*sql.Tx) error {
			close(held)
			<-done
			return nil
		})
	}()
	<-held
	return func() { once.Do(func() { close(done) }) }
}

// waitWaiting waits until n write transactions wait for their turn: the
// counter says so, and n goroutines are parked in inTx's select, which
// means each is in the channel's queue of senders, in the order they came.
func waitWaiting(t *testing.T, s *Store, n int32) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	buf := make([]byte, 1<<20)
	for {
		parked := 0
		if s.waiting.Load() == n {
			m := runtime.Stack(buf, true)
			for _, g := range strings.Split(string(buf[:m]), "\n\n") {
				if strings.Contains(g, " [select") && strings.Contains(g, "store.(*Store).inTx(") {
					parked++
				}
			}
			if parked == int(n) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d waiting, %d parked, want %d", s.waiting.Load(), parked, n)
		}
		runtime.Gosched()
	}
}

func TestWritesTakeTurnsInOrder(t *testing.T) {
	s := openTest(t, "", Options{})
	newExercise(t, s, "x")
	ctx := context.Background()
	release := holdTurn(t, s)
	defer release()
	const n = 12
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, err := s.Commit(ctx, Commit{ExerciseID: "x", Events: []Event{{Kind: fmt.Sprintf("k%d", i), WallTime: t0}}})
			errs <- err
		}()
		waitWaiting(t, s, int32(i+1))
	}
	release()
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	evs, err := s.Events(ctx, "x", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range evs {
		if ev.Kind != "exercise_created" {
			got = append(got, ev.Kind)
		}
	}
	for i, k := range got {
		if k != fmt.Sprintf("k%d", i) {
			t.Fatalf("commits went in as %v, not in the order they asked", got)
		}
	}
	if len(got) != n {
		t.Fatalf("%d commits logged, want %d", len(got), n)
	}
}

func TestWaitForTurnCancelled(t *testing.T) {
	s := openTest(t, "", Options{})
	newExercise(t, s, "x")
	release := holdTurn(t, s)
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := s.Commit(ctx, Commit{ExerciseID: "x", Events: []Event{{Kind: "late", WallTime: t0}}})
		errc <- err
	}()
	waitWaiting(t, s, 1)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if w := s.waiting.Load(); w != 0 {
		t.Fatalf("%d still waiting", w)
	}
	release()
	if _, err := s.Commit(context.Background(), Commit{ExerciseID: "x", Events: []Event{{Kind: "next", WallTime: t0}}}); err != nil {
		t.Fatalf("the turn was not given back: %v", err)
	}
	evs, err := s.Events(context.Background(), "x", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if ev.Kind == "late" {
			t.Fatal("a cancelled commit was written")
		}
	}
}
