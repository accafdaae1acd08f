package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/store"
	"github.com/ttxsim/ttx/server/store/postgres"
	"github.com/ttxsim/ttx/server/ttxtest/pgtest"
)

// migrateFill writes one of everything a SQLite database holds.
func migrateFill(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2026, 5, 4, 9, 0, 0, 123456789, time.UTC)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	ann, err := st.CreateAccount(ctx, "Ann", "hash-ann", false, t0)
	must(err)
	_, err = st.CreateAccount(ctx, "bob", "hash-bob", true, t0.Add(time.Second))
	must(err)
	must(st.CreateSession(ctx, store.Session{IDHash: "sess-ann", AccountID: ann.ID, CreatedAt: t0, ExpiresAt: t0.Add(1000 * time.Hour), LastSeenAt: t0}))
	must(st.PutScenarioUpload(ctx, store.ScenarioUpload{Slug: "mine", File: "mine.yaml", Source: []byte("id: mine\n"), UploadedBy: ann.ID, UploadedAt: t0}))
	_, err = st.PutInjectTemplate(ctx, store.InjectTemplate{AccountID: ann.ID, Scenario: "demo", Name: "leak", Inject: []byte(`{"title":"Leak"}`), CreatedAt: t0})
	must(err)
	// Two scenario rows, so ids are not just 1.
	_, err = st.PutScenario(ctx, "old", "Old", []byte("id: old\n"), t0)
	must(err)
	sc, err := st.PutScenario(ctx, "demo", "Demo", []byte("id: demo\n"), t0)
	must(err)
	for i, id := range []string{"ex-live", "ex-done"} {
		ex := store.Exercise{ID: id, ScenarioID: sc.ID, Title: "Exercise " + id, Params: map[string]string{"company": "Acme"}, CreatedAt: t0.Add(time.Duration(i) * time.Minute)}
		_, err := st.CreateExercise(ctx, ex, []store.Team{{ID: "comms", Name: "Comms"}, {ID: "soc", Name: "SOC"}},
			[]store.Event{{Kind: "exercise_created", WallTime: ex.CreatedAt, Payload: []byte(`{"title":"x"}`)}})
		must(err)
		must(st.SetJoinCode(ctx, id, "CODE-"+id))
		for j, team := range []string{"comms", "soc", "comms"} {
			p := store.Participant{ID: fmt.Sprintf("%s-p%d", id, j), ExerciseID: id, TeamID: team, Name: fmt.Sprintf("P%d", j),
				Lead: j < 2, JoinedAt: t0.Add(time.Duration(j) * time.Second), TokenHash: fmt.Sprintf("tok-%s-%d", id, j)}
			_, err := st.Commit(ctx, store.Commit{ExerciseID: id, Join: &p,
				Events: []store.Event{{Kind: "participant_joined", WallTime: p.JoinedAt, Audience: []string{team}, Payload: []byte(`{"participant":"` + p.ID + `"}`)}}})
			must(err)
		}
		_, err = st.Commit(ctx, store.Commit{ExerciseID: id, Status: store.StatusRunning, StartedAt: t0.Add(time.Minute), Left: id + "-p2", LeftAt: t0.Add(2 * time.Minute),
			Events: []store.Event{{Kind: "exercise_started", WallTime: t0.Add(time.Minute), Audience: []string{"*"}}}})
		must(err)
		for k := 0; k < 1500; k++ { // more than one copy batch
			_, err := st.Commit(ctx, store.Commit{ExerciseID: id, Events: []store.Event{
				{Kind: "answer_submitted", WallTime: t0.Add(time.Duration(k) * time.Millisecond), ExerciseTime: time.Duration(k) * time.Second,
					ClientID: fmt.Sprintf("%s-p0/c%d", id, k), Audience: []string{"comms"}, Payload: []byte(`{"text":"<b>&amp;</b> \u00e9 é",  "k":` + fmt.Sprint(k) + `}`)}}})
			must(err)
		}
		must(st.CreateObserver(ctx, store.Observer{ID: id + "-o1", ExerciseID: id, Name: "Olga", TokenHash: "obs-" + id, CreatedAt: t0}))
		must(st.CreateObserver(ctx, store.Observer{ID: id + "-o2", ExerciseID: id, Name: "Otto", TokenHash: "obs2-" + id, CreatedAt: t0}))
		must(st.RevokeObserver(ctx, id, id+"-o2", t0.Add(time.Hour)))
	}
	_, err = st.Commit(ctx, store.Commit{ExerciseID: "ex-done", Status: store.StatusEnded, Outcome: "contained", EndedAt: t0.Add(time.Hour)})
	must(err)
	must(st.SetArchived(ctx, "ex-done", t0.Add(2*time.Hour)))
}

func runMigrateCmd(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"migrate"}, args...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestMigrateSQLiteToPostgres: ttx migrate copies every row, with ids,
// token hashes, sessions and seqs as they are, and the copy then works as
// the original: logins, tokens, appends after the last seq, client ids
// that still deduplicate, new ids after the copied ones.
func TestMigrateSQLiteToPostgres(t *testing.T) {
	cluster, err := pgtest.Start(t.Context())
	if err != nil {
		t.Fatal(err) // PostgreSQL is required: .ci/setup installs it
	}
	t.Cleanup(func() { _ = cluster.Stop() })
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), "ttx.db")
	migrateFill(t, src)
	dst := strings.Replace(cluster.NewDatabase(t), "://ttx@", "://ttx:pw-s3cret@", 1)

	code, out, errOut := runMigrateCmd("-from", src, "-to", dst)
	if code != 0 || !strings.Contains(out, "3010 events") || !strings.Contains(out, "every count and every exercise's last seq match") {
		t.Fatalf("migrate: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	if strings.Contains(out+errOut, "pw-s3cret") {
		t.Fatalf("migrate printed the password: %s %s", out, errOut)
	}

	a, err := store.Open(ctx, src, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := postgres.Open(ctx, dst, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	same := func(what string, want, got any, errs ...error) {
		t.Helper()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("%s differs:\nsqlite:   %+v\npostgres: %+v", what, want, got)
		}
	}
	wantAcc, err1 := a.Accounts(ctx)
	gotAcc, err2 := b.Accounts(ctx)
	same("accounts", wantAcc, gotAcc, err1, err2)
	_, acc, err := b.SessionByHash(ctx, "sess-ann", time.Date(2026, 5, 5, 0, 0, 0, 0, time.UTC))
	same("session's account", wantAcc[0], acc, err)
	wantUp, err1 := a.ScenarioUploads(ctx)
	gotUp, err2 := b.ScenarioUploads(ctx)
	same("uploads", wantUp, gotUp, err1, err2)
	wantT, err1 := a.InjectTemplates(ctx, acc.ID, "demo")
	gotT, err2 := b.InjectTemplates(ctx, acc.ID, "demo")
	same("templates", wantT, gotT, err1, err2)
	for _, id := range []string{"ex-live", "ex-done"} {
		wantEx, err1 := a.Exercise(ctx, id)
		gotEx, err2 := b.Exercise(ctx, id)
		same(id, wantEx, gotEx, err1, err2)
		wantP, err1 := a.Participants(ctx, id)
		gotP, err2 := b.Participants(ctx, id)
		same(id+" participants (with token hashes)", wantP, gotP, err1, err2)
		wantO, err1 := a.Observers(ctx, id)
		gotO, err2 := b.Observers(ctx, id)
		same(id+" observers", wantO, gotO, err1, err2)
		wantD, err1 := a.DumpExercise(ctx, id)
		gotD, err2 := b.DumpExercise(ctx, id)
		same(id+" scenario, teams and log", wantD, gotD, err1, err2)
	}
	if p, err := b.ParticipantByTokenHash(ctx, "tok-ex-live-1"); err != nil || p.ID != "ex-live-p1" {
		t.Fatalf("a participant's token after the copy: %+v, %v", p, err)
	}
	// The copy goes on where the source stopped.
	evs, err := b.Commit(ctx, store.Commit{ExerciseID: "ex-live", Events: []store.Event{{Kind: "note_added"}}})
	if err != nil || evs[0].Seq != 1+3+1+1500+1 {
		t.Fatalf("append after the copy: %+v, %v", evs, err)
	}
	if _, err := b.Commit(ctx, store.Commit{ExerciseID: "ex-live", Events: []store.Event{{Kind: "answer_submitted", ClientID: "ex-live-p0/c7"}}}); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("a copied client id: %v, want ErrDuplicate", err)
	}
	carl, err := b.CreateAccount(ctx, "carl", "h", false, time.Now())
	if err != nil || carl.ID <= wantAcc[len(wantAcc)-1].ID {
		t.Fatalf("a new account after the copy: %+v, %v", carl, err)
	}
	if sc, err := b.PutScenario(ctx, "new", "New", []byte("id: new\n"), time.Now()); err != nil || sc.ID != 3 {
		t.Fatalf("a new scenario after the copy: %+v, %v; want id 3", sc, err)
	}

	// A database that holds something is not overwritten, unless -force.
	code, _, errOut = runMigrateCmd("-from", src, "-to", dst)
	if code != 1 || !strings.Contains(errOut, "not empty") || !strings.Contains(errOut, "-force") {
		t.Fatalf("migrate into a full database: exit %d: %s", code, errOut)
	}
	if _, err := b.Exercise(ctx, "ex-live"); err != nil {
		t.Fatalf("the refused copy changed the target: %v", err)
	}
	code, out, errOut = runMigrateCmd("-from", src, "-to", dst, "-force")
	if code != 0 {
		t.Fatalf("migrate -force: exit %d: %s %s", code, out, errOut)
	}
	if _, err := b.AccountByName(ctx, "carl"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("-force kept a row the source does not have: %v", err)
	}
}

// TestMigrateRefuses: what migrate will not do, and says so.
func TestMigrateRefuses(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "ttx.db")
	migrateFill(t, src)
	owner, err := store.Open(context.Background(), src, store.Options{Own: true})
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no target", []string{"-from", src}, 2, "-from and -to are required"},
		{"target not a URL", []string{"-from", src, "-to", filepath.Join(dir, "other.db")}, 2, "must be a postgres:// URL"},
		{"source a URL", []string{"-from", "postgres://h/db", "-to", "postgres://h/db"}, 2, "pg_dump"},
		{"source missing", []string{"-from", filepath.Join(dir, "nope.db"), "-to", "postgres://127.0.0.1:1/x"}, 1, "nope.db"},
		{"source served", []string{"-from", src, "-to", "postgres://127.0.0.1:1/x"}, 1, "is served by another ttx"},
		{"extra argument", []string{"-from", src, "-to", "postgres://127.0.0.1:1/x", "more"}, 2, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runMigrateCmd(tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d mentioning %q", code, errOut, tc.code, tc.want)
			}
		})
	}
}
