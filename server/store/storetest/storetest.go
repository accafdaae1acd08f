// Package storetest is the conformance suite of ttx's stores: one set of
// tests, written against the methods the rest of ttx calls, that the
// SQLite store (package store) and the PostgreSQL store (store/postgres)
// both pass. A backend's test calls Run with a function that opens a new,
// empty store for each test.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/store"
)

// Store is every method of a ttx store that the suite holds to the
// contract: the union of what the engine, the API and the commands use.
type Store interface {
	// accounts, sessions
	CountAccounts(ctx context.Context) (int, error)
	CreateAccount(ctx context.Context, name, passwordHash string, mustChange bool, now time.Time) (store.Account, error)
	CreateFirstAccount(ctx context.Context, name, passwordHash string, now time.Time) (store.Account, bool, error)
	AccountByID(ctx context.Context, id int64) (store.Account, error)
	AccountByName(ctx context.Context, name string) (store.Account, error)
	Accounts(ctx context.Context) ([]store.Account, error)
	SetPassword(ctx context.Context, accountID int64, passwordHash string, mustChange bool, now time.Time) error
	CreateSession(ctx context.Context, s store.Session) error
	SessionByHash(ctx context.Context, idHash string, now time.Time) (store.Session, store.Account, error)
	TouchSession(ctx context.Context, idHash string, now time.Time) error
	DeleteSession(ctx context.Context, idHash string) error
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)
	// observers, uploads, templates
	CreateObserver(ctx context.Context, o store.Observer) error
	ObserverByTokenHash(ctx context.Context, tokenHash string) (store.Observer, error)
	Observers(ctx context.Context, exerciseID string) ([]store.Observer, error)
	RevokeObserver(ctx context.Context, exerciseID, id string, now time.Time) error
	PutScenarioUpload(ctx context.Context, u store.ScenarioUpload) error
	ScenarioUploads(ctx context.Context) ([]store.ScenarioUpload, error)
	DeleteScenarioUpload(ctx context.Context, slug string) error
	PutInjectTemplate(ctx context.Context, t store.InjectTemplate) (int64, error)
	InjectTemplates(ctx context.Context, accountID int64, scenario string) ([]store.InjectTemplate, error)
	DeleteInjectTemplate(ctx context.Context, accountID, id int64) error
	// scenarios, exercises, participants, the log
	PutScenario(ctx context.Context, slug, title string, source []byte, now time.Time) (store.Scenario, error)
	Scenario(ctx context.Context, id int64) (store.Scenario, error)
	CreateExercise(ctx context.Context, ex store.Exercise, teams []store.Team, events []store.Event) ([]store.Event, error)
	Exercise(ctx context.Context, id string) (store.Exercise, error)
	ExerciseByJoinCode(ctx context.Context, code string) (store.Exercise, error)
	SetJoinCode(ctx context.Context, id, code string) error
	ListExercises(ctx context.Context, f store.ListFilter) ([]store.Exercise, error)
	Teams(ctx context.Context, exerciseID string) ([]store.Team, error)
	Participant(ctx context.Context, id string) (store.Participant, error)
	ParticipantByTokenHash(ctx context.Context, hash string) (store.Participant, error)
	Participants(ctx context.Context, exerciseID string) ([]store.Participant, error)
	Commit(ctx context.Context, c store.Commit) ([]store.Event, error)
	Events(ctx context.Context, exerciseID string, afterSeq int64, limit int) ([]store.Event, error)
	EventByClientID(ctx context.Context, exerciseID, clientID string) (store.Event, error)
	LastSeq(ctx context.Context, exerciseID string) (int64, error)
	SetArchived(ctx context.Context, id string, at time.Time) error
	DeleteExercise(ctx context.Context, id string) error
	DumpExercise(ctx context.Context, id string) (store.ExerciseDump, error)
	RestoreExercise(ctx context.Context, d store.ExerciseDump) (store.Exercise, error)
	// the server's health
	SchemaVersion(ctx context.Context) (int, error)
	Disk() store.DiskState
}

// Opener opens a new, empty store for one test; the test closes nothing
// (the opener registers the cleanup).
type Opener func(t *testing.T) Store

// Run runs the whole suite against the stores open gives.
func Run(t *testing.T, open Opener) {
	for _, tc := range []struct {
		name string
		test func(t *testing.T, open Opener)
	}{
		{"AccountsAndSessions", testAccountsAndSessions},
		{"Observers", testObservers},
		{"ScenarioUploads", testScenarioUploads},
		{"InjectTemplates", testInjectTemplates},
		{"ScenarioDedupe", testScenarioDedupe},
		{"ExercisesAndParticipants", testExercisesAndParticipants},
		{"AppendAndRead", testAppendAndRead},
		{"ClientIDIdempotency", testClientIDIdempotency},
		{"ConcurrentAppendsNoGapNoDuplicate", testConcurrentAppends},
		{"CommitMove", testCommitMove},
		{"ArchiveAndDeleteExercise", testArchiveAndDelete},
		{"DumpAndRestoreExercise", testDumpAndRestore},
		{"RestoreExerciseRefuses", testRestoreRefuses},
		{"DumpExerciseNotFound", testDumpNotFound},
		{"Health", testHealth},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.test(t, open) })
	}
}

// t0 is the suite's reference time.
var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// newExercise stores a scenario and an exercise with two teams.
func newExercise(t *testing.T, s Store, id string) store.Exercise {
	t.Helper()
	ctx := context.Background()
	sc, err := s.PutScenario(ctx, "demo", "Demo", []byte("id: demo\n"), t0)
	if err != nil {
		t.Fatal(err)
	}
	ex := store.Exercise{ID: id, ScenarioID: sc.ID, Title: "Ex " + id, Params: map[string]string{"company": "Acme"}, CreatedAt: t0}
	evs, err := s.CreateExercise(ctx, ex, []store.Team{{ID: "comms", Name: "Comms"}, {ID: "sec", Name: "Security"}},
		[]store.Event{{Kind: "exercise_created", WallTime: t0, Payload: []byte(`{"title":"x"}`)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Seq != 1 {
		t.Fatalf("created events = %+v, want one with seq 1", evs)
	}
	return ex
}

func testAccountsAndSessions(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if n, err := s.CountAccounts(ctx); err != nil || n != 0 {
		t.Fatalf("CountAccounts = %d, %v", n, err)
	}
	admin, created, err := s.CreateFirstAccount(ctx, "admin", "h1", now)
	if err != nil || !created || !admin.MustChange || admin.ID == 0 {
		t.Fatalf("CreateFirstAccount = %+v, %v, %v", admin, created, err)
	}
	if _, created, err := s.CreateFirstAccount(ctx, "admin2", "h", now); err != nil || created {
		t.Fatalf("second CreateFirstAccount created=%v err=%v", created, err)
	}
	if _, err := s.CreateAccount(ctx, "ADMIN", "h", false, now); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("duplicate name (case-insensitive): err = %v", err)
	}
	bob, err := s.CreateAccount(ctx, "bob", "hb", false, now)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.AccountByName(ctx, "BOB"); err != nil || got.ID != bob.ID || got.PasswordHash != "hb" {
		t.Fatalf("AccountByName = %+v, %v", got, err)
	}
	if got, err := s.AccountByID(ctx, bob.ID); err != nil || got.Name != "bob" || !got.CreatedAt.Equal(now) || got.MustChange {
		t.Fatalf("AccountByID = %+v, %v", got, err)
	}
	if _, err := s.AccountByName(ctx, "carol"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown account: %v", err)
	}
	se := store.Session{IDHash: "aa", AccountID: bob.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour), LastSeenAt: now}
	if err := s.CreateSession(ctx, se); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSession(ctx, se); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("duplicate session: %v", err)
	}
	got, acc, err := s.SessionByHash(ctx, "aa", now.Add(time.Minute))
	if err != nil || got.AccountID != bob.ID || acc.Name != "bob" || !got.ExpiresAt.Equal(se.ExpiresAt) {
		t.Fatalf("SessionByHash = %+v %+v %v", got, acc, err)
	}
	if _, _, err := s.SessionByHash(ctx, "aa", now.Add(time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("expired session: %v", err)
	}
	if err := s.TouchSession(ctx, "aa", now.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _, err := s.SessionByHash(ctx, "aa", now); err != nil || !got.LastSeenAt.Equal(now.Add(2*time.Minute)) {
		t.Fatalf("touched session = %+v, %v", got, err)
	}
	// A password change ends every session of the account.
	if err := s.SetPassword(ctx, bob.ID, "hb2", false, now); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SessionByHash(ctx, "aa", now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("session after password change: %v", err)
	}
	if err := s.SetPassword(ctx, 999, "x", false, now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("SetPassword unknown: %v", err)
	}
	for i, h := range []string{"s1", "s2"} {
		if err := s.CreateSession(ctx, store.Session{IDHash: h, AccountID: bob.ID, CreatedAt: now, ExpiresAt: now.Add(time.Duration(i+1) * time.Hour), LastSeenAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteSession(ctx, "s2"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSession(ctx, "s2"); err != nil {
		t.Fatalf("logout twice: %v", err)
	}
	if n, err := s.DeleteExpiredSessions(ctx, now.Add(90*time.Minute)); err != nil || n != 1 {
		t.Fatalf("DeleteExpiredSessions = %d, %v", n, err)
	}
	list, err := s.Accounts(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "admin" || list[1].Name != "bob" {
		t.Fatalf("Accounts = %+v, %v", list, err)
	}
}

func testObservers(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	newExercise(t, s, "e1")
	for i, o := range []store.Observer{
		{ID: "o1", ExerciseID: "e1", Name: "Olga", TokenHash: "t1", CreatedAt: t0},
		{ID: "o2", ExerciseID: "e1", Name: "Otto", TokenHash: "t2", CreatedAt: t0.Add(time.Second)},
	} {
		if err := s.CreateObserver(ctx, o); err != nil {
			t.Fatalf("observer %d: %v", i, err)
		}
	}
	if err := s.CreateObserver(ctx, store.Observer{ID: "o3", ExerciseID: "e1", Name: "X", TokenHash: "t1", CreatedAt: t0}); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("token hash twice: %v, want ErrDuplicate", err)
	}
	if o, err := s.ObserverByTokenHash(ctx, "t2"); err != nil || o.ID != "o2" || o.Name != "Otto" || !o.CreatedAt.Equal(t0.Add(time.Second)) {
		t.Fatalf("ObserverByTokenHash = %+v, %v", o, err)
	}
	if err := s.RevokeObserver(ctx, "e1", "o2", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeObserver(ctx, "e1", "o2", t0.Add(time.Minute)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("revoke twice: %v, want ErrNotFound", err)
	}
	if _, err := s.ObserverByTokenHash(ctx, "t2"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("revoked token: %v, want ErrNotFound", err)
	}
	list, err := s.Observers(ctx, "e1")
	if err != nil || len(list) != 2 || list[0].ID != "o1" || !list[0].RevokedAt.IsZero() || !list[1].RevokedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("Observers = %+v, %v", list, err)
	}
}

func testScenarioUploads(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	now := time.Unix(1700000000, 0).UTC()
	acc, err := s.CreateAccount(ctx, "ann", "h", false, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutScenarioUpload(ctx, store.ScenarioUpload{Slug: "b", File: "b.yaml", Source: []byte("one"), UploadedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutScenarioUpload(ctx, store.ScenarioUpload{Slug: "a", File: "a.yaml", Source: []byte("x"), UploadedBy: acc.ID, UploadedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutScenarioUpload(ctx, store.ScenarioUpload{Slug: "b", File: "b2.yaml", Source: []byte("two"), UploadedAt: now}); err != nil {
		t.Fatal(err)
	}
	ups, err := s.ScenarioUploads(ctx)
	if err != nil || len(ups) != 2 || ups[0].Slug != "a" || ups[0].UploadedBy != acc.ID || string(ups[1].Source) != "two" ||
		ups[1].File != "b2.yaml" || ups[1].UploadedBy != 0 || !ups[1].UploadedAt.Equal(now) {
		t.Fatalf("ScenarioUploads = %+v, %v", ups, err)
	}
	if err := s.DeleteScenarioUpload(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteScenarioUpload(ctx, "a"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("delete twice: %v", err)
	}
}

func testInjectTemplates(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	a, err := s.CreateAccount(ctx, "ann", "h", false, t0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateAccount(ctx, "ben", "h", false, t0)
	if err != nil {
		t.Fatal(err)
	}
	id1, err := s.PutInjectTemplate(ctx, store.InjectTemplate{AccountID: a.ID, Scenario: "demo", Name: "leak", Inject: []byte(`{"title":"1"}`), CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutInjectTemplate(ctx, store.InjectTemplate{AccountID: a.ID, Scenario: "demo", Name: "call", Inject: []byte(`{"title":"c"}`), CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	again, err := s.PutInjectTemplate(ctx, store.InjectTemplate{AccountID: a.ID, Scenario: "demo", Name: "leak", Inject: []byte(`{"title":"2"}`), CreatedAt: t0.Add(time.Hour)})
	if err != nil || again != id1 {
		t.Fatalf("replacing a template: id %d (first %d), %v", again, id1, err)
	}
	list, err := s.InjectTemplates(ctx, a.ID, "demo")
	if err != nil || len(list) != 2 || list[0].Name != "call" || string(list[1].Inject) != `{"title":"2"}` || !list[1].CreatedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("InjectTemplates = %+v, %v", list, err)
	}
	if other, err := s.InjectTemplates(ctx, b.ID, "demo"); err != nil || len(other) != 0 {
		t.Fatalf("another account's templates = %+v, %v", other, err)
	}
	if err := s.DeleteInjectTemplate(ctx, b.ID, id1); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleting another account's template: %v, want ErrNotFound", err)
	}
	if err := s.DeleteInjectTemplate(ctx, a.ID, id1); err != nil {
		t.Fatal(err)
	}
}

func testScenarioDedupe(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	a, err := s.PutScenario(ctx, "x", "X", []byte("id: x\n"), t0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.PutScenario(ctx, "x", "X", []byte("id: x\n"), t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.PutScenario(ctx, "x", "X", []byte("id: x\n# edited\n"), t0)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != b.ID || a.ID == c.ID || !b.LoadedAt.Equal(t0) {
		t.Fatalf("ids %d %d %d, loaded %v: identical bytes must share a row, edited ones must not", a.ID, b.ID, c.ID, b.LoadedAt)
	}
	got, err := s.Scenario(ctx, c.ID)
	if err != nil || string(got.Source) != "id: x\n# edited\n" || got.Slug != "x" || got.SHA256 != c.SHA256 {
		t.Fatalf("Scenario = %+v, %v", got, err)
	}
	if _, err := s.Scenario(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing scenario: %v, want ErrNotFound", err)
	}
}

func testExercisesAndParticipants(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	ex := newExercise(t, s, "e1")
	newExercise(t, s, "e2")

	got, err := s.Exercise(ctx, "e1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.StatusLobby || got.Params["company"] != "Acme" || !got.CreatedAt.Equal(t0) || !got.StartedAt.IsZero() {
		t.Fatalf("Exercise = %+v", got)
	}
	if _, err := s.Exercise(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing exercise: %v", err)
	}
	if _, err := s.CreateExercise(ctx, ex, nil, nil); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("exercise id twice: %v, want ErrDuplicate", err)
	}
	teams, err := s.Teams(ctx, "e1")
	if err != nil || len(teams) != 2 || teams[0].ID != "comms" || teams[1].ID != "sec" {
		t.Fatalf("Teams = %v, %v", teams, err)
	}

	if err := s.SetJoinCode(ctx, "e1", "ABCD-EFGH"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetJoinCode(ctx, "e2", "ABCD-EFGH"); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("reused join code: %v, want ErrDuplicate", err)
	}
	if err := s.SetJoinCode(ctx, "nope", "X"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("join code on missing exercise: %v", err)
	}
	if byCode, err := s.ExerciseByJoinCode(ctx, "ABCD-EFGH"); err != nil || byCode.ID != "e1" {
		t.Fatalf("ExerciseByJoinCode = %+v, %v", byCode, err)
	}
	if _, err := s.ExerciseByJoinCode(ctx, ""); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("empty join code: %v", err)
	}

	p := store.Participant{ID: "p1", ExerciseID: ex.ID, TeamID: "comms", Name: "Ana", Lead: true, JoinedAt: t0, TokenHash: "h1"}
	if _, err := s.Commit(ctx, store.Commit{ExerciseID: ex.ID, Join: &p,
		Events: []store.Event{{Kind: "participant_joined", WallTime: t0, Audience: []string{"comms"}}}}); err != nil {
		t.Fatal(err)
	}
	p2 := store.Participant{ID: "p2", ExerciseID: ex.ID, TeamID: "comms", Name: "Bo", JoinedAt: t0.Add(time.Second)}
	if _, err := s.Commit(ctx, store.Commit{ExerciseID: ex.ID, Join: &p2}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Commit(ctx, store.Commit{ExerciseID: ex.ID, Join: &p2}); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("participant id twice: %v, want ErrDuplicate", err)
	}
	bad := store.Participant{ID: "p3", ExerciseID: ex.ID, TeamID: "no-such-team", Name: "X", JoinedAt: t0}
	if _, err := s.Commit(ctx, store.Commit{ExerciseID: ex.ID, Join: &bad}); err == nil {
		t.Fatal("participant in an unknown team accepted (foreign keys off?)")
	}
	if _, err := s.Commit(ctx, store.Commit{ExerciseID: ex.ID, LeadChange: "p2", Left: "p1", LeftAt: t0.Add(time.Minute),
		Status: store.StatusRunning, StartedAt: t0.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	ps, err := s.Participants(ctx, ex.ID)
	if err != nil || len(ps) != 2 {
		t.Fatalf("Participants = %v, %v", ps, err)
	}
	if ps[0].Lead || !ps[1].Lead || !ps[0].LeftAt.Equal(t0.Add(time.Minute)) || ps[0].TokenHash != "h1" || !ps[1].LeftAt.IsZero() {
		t.Fatalf("after lead change and leave: %+v", ps)
	}
	if byTok, err := s.ParticipantByTokenHash(ctx, "h1"); err != nil || byTok.ID != "p1" {
		t.Fatalf("ParticipantByTokenHash = %+v, %v", byTok, err)
	}
	if _, err := s.ParticipantByTokenHash(ctx, ""); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("empty token hash: %v", err)
	}
	if one, err := s.Participant(ctx, "p2"); err != nil || one.Name != "Bo" || one.TeamID != "comms" || !one.JoinedAt.Equal(t0.Add(time.Second)) {
		t.Fatalf("Participant = %+v, %v", one, err)
	}
	if _, err := s.Participant(ctx, "zz"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing participant: %v", err)
	}
	if _, err := s.Commit(ctx, store.Commit{ExerciseID: ex.ID, Left: "zz", LeftAt: t0}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown participant leaving: %v, want ErrNotFound", err)
	}

	if _, err := s.Commit(ctx, store.Commit{ExerciseID: ex.ID, Status: store.StatusEnded, Outcome: "contained", EndedAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Exercise(ctx, ex.ID)
	if got.Status != store.StatusEnded || got.Outcome != "contained" || !got.StartedAt.Equal(t0.Add(time.Minute)) || !got.EndedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("ended exercise = %+v", got)
	}
	live, err := s.ListExercises(ctx, store.ListFilter{Statuses: []string{store.StatusLobby, store.StatusRunning, store.StatusPaused}})
	if err != nil || len(live) != 1 || live[0].ID != "e2" {
		t.Fatalf("live exercises = %v, %v", live, err)
	}
	all, err := s.ListExercises(ctx, store.ListFilter{})
	if err != nil || len(all) != 2 {
		t.Fatalf("all exercises = %v, %v", all, err)
	}
	if page, err := s.ListExercises(ctx, store.ListFilter{Limit: 1, Offset: 1}); err != nil || len(page) != 1 || page[0].ID != all[1].ID {
		t.Fatalf("second page of one = %v, %v; all %v", page, err, all)
	}
	if _, err := s.Commit(ctx, store.Commit{ExerciseID: "nope", Status: store.StatusRunning}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("status of a missing exercise: %v", err)
	}
	if _, err := s.Commit(ctx, store.Commit{ExerciseID: ex.ID, Status: "exploded"}); err == nil {
		t.Fatal("an unknown status was accepted")
	}
}

func testAppendAndRead(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	newExercise(t, s, "a")
	newExercise(t, s, "b")
	for i := 0; i < 30; i++ {
		ex := "a"
		if i%3 == 0 {
			ex = "b"
		}
		batch := []store.Event{
			{Kind: "tick", WallTime: t0.Add(time.Duration(i) * time.Second), ExerciseTime: time.Duration(i) * time.Second},
			{Kind: "inject_delivered", WallTime: t0, Payload: []byte(fmt.Sprintf(`{"i":%d}`, i)), Audience: []string{"*"}},
		}
		out, err := s.Commit(ctx, store.Commit{ExerciseID: ex, Events: batch})
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != 2 || out[1].Seq != out[0].Seq+1 || out[0].ExerciseID != ex {
			t.Fatalf("commit returned %+v", out)
		}
	}
	for ex, want := range map[string]int64{"a": 1 + 20*2, "b": 1 + 10*2} {
		last, err := s.LastSeq(ctx, ex)
		if err != nil || last != want {
			t.Fatalf("LastSeq(%s) = %d, %v; want %d", ex, last, err, want)
		}
		// Read in pages of 7 and check seq is dense and increasing.
		var after, n int64
		for {
			page, err := s.Events(ctx, ex, after, 7)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, ev := range page {
				n++
				if ev.Seq != n || ev.ExerciseID != ex {
					t.Fatalf("%s: event %d has seq %d (exercise %s)", ex, n, ev.Seq, ev.ExerciseID)
				}
			}
			after = page[len(page)-1].Seq
		}
		if n != want {
			t.Fatalf("%s: read %d events, want %d", ex, n, want)
		}
	}
	if last, err := s.LastSeq(ctx, "none"); err != nil || last != 0 {
		t.Fatalf("LastSeq of an exercise without events = %d, %v", last, err)
	}
	evs, err := s.Events(ctx, "a", 1, 2)
	if err != nil || len(evs) != 2 {
		t.Fatal(evs, err)
	}
	if evs[0].Kind != "tick" || evs[0].ExerciseTime != time.Second || !evs[0].WallTime.Equal(t0.Add(time.Second)) ||
		string(evs[0].Payload) != "{}" || len(evs[0].Audience) != 0 || evs[0].Audience == nil {
		t.Fatalf("first event round trip: %+v", evs[0])
	}
	if string(evs[1].Payload) != `{"i":1}` || fmt.Sprint(evs[1].Audience) != "[*]" {
		t.Fatalf("second event round trip: %+v", evs[1])
	}
	if none, err := s.Events(ctx, "a", 10_000, 0); err != nil || len(none) != 0 {
		t.Fatalf("events after the end: %v, %v", none, err)
	}
	// Payload bytes are kept as written (clients get them as stored).
	odd := []byte(`{"z":1,  "a":"<b>&amp;</b> \u00e9 é"}`)
	out, err := s.Commit(ctx, store.Commit{ExerciseID: "a", Events: []store.Event{{Kind: "raw", Payload: odd, WallTime: t0}}})
	if err != nil {
		t.Fatal(err)
	}
	if back, err := s.Events(ctx, "a", out[0].Seq-1, 1); err != nil || len(back) != 1 || !bytes.Equal(back[0].Payload, odd) {
		t.Fatalf("payload round trip: %+v, %v", back, err)
	}
	before, _ := s.LastSeq(ctx, "a")
	if _, err := s.Commit(ctx, store.Commit{ExerciseID: "a", Events: []store.Event{{Kind: "ok"}, {Kind: "x", Payload: []byte("{nope")}}}); err == nil {
		t.Fatal("invalid JSON payload accepted")
	}
	if after, _ := s.LastSeq(ctx, "a"); after != before {
		t.Fatalf("a refused commit appended: last seq %d, was %d", after, before)
	}
	if _, err := s.Commit(ctx, store.Commit{ExerciseID: "nope", Events: []store.Event{{Kind: "x"}}}); err == nil {
		t.Fatal("events of a missing exercise accepted")
	}
}

func testClientIDIdempotency(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	newExercise(t, s, "a")
	newExercise(t, s, "b")
	first, err := s.Commit(ctx, store.Commit{ExerciseID: "a", Events: []store.Event{
		{Kind: "answer_submitted", ClientID: "p1/c1"}, {Kind: "decision_answered"}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Commit(ctx, store.Commit{ExerciseID: "a", Status: store.StatusPaused, Events: []store.Event{
		{Kind: "answer_submitted", ClientID: "p1/c1"}, {Kind: "decision_answered"}}})
	if !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("repeated client id: %v, want ErrDuplicate", err)
	}
	if last, _ := s.LastSeq(ctx, "a"); last != 3 {
		t.Fatalf("after a rejected duplicate, last seq = %d, want 3 (nothing partial)", last)
	}
	if ex, _ := s.Exercise(ctx, "a"); ex.Status != store.StatusLobby {
		t.Fatalf("status changed by a rolled-back commit: %s", ex.Status)
	}
	ev, err := s.EventByClientID(ctx, "a", "p1/c1")
	if err != nil || ev.Seq != first[0].Seq || ev.ClientID != "p1/c1" || ev.Kind != "answer_submitted" {
		t.Fatalf("EventByClientID = %+v, %v; want seq %d", ev, err, first[0].Seq)
	}
	if _, err := s.EventByClientID(ctx, "a", "p1/c2"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown client id: %v", err)
	}
	if _, err := s.EventByClientID(ctx, "a", ""); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("empty client id: %v", err)
	}
	// Client ids are scoped to an exercise.
	if _, err := s.Commit(ctx, store.Commit{ExerciseID: "b", Events: []store.Event{{Kind: "answer_submitted", ClientID: "p1/c1"}}}); err != nil {
		t.Fatalf("same client id in another exercise: %v", err)
	}
	// Two events of one commit with the same id: the whole commit fails.
	if _, err := s.Commit(ctx, store.Commit{ExerciseID: "b", Events: []store.Event{
		{Kind: "x", ClientID: "twice"}, {Kind: "y", ClientID: "twice"}}}); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("client id twice in one commit: %v, want ErrDuplicate", err)
	}
}

// testConcurrentAppends: writers appending to one exercise at once, from
// goroutines as from several nodes, leave a log numbered 1..n without a
// gap or a duplicate, with every acknowledged event in it exactly once.
func testConcurrentAppends(t *testing.T, open Opener) {
	const writers, perWriter = 6, 40
	s := open(t)
	newExercise(t, s, "hot")
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	acked := make(chan string, writers*perWriter)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWriter; i++ {
				id := fmt.Sprintf("w%d/%d", w, i)
				if _, err := s.Commit(ctx, store.Commit{ExerciseID: "hot", Events: []store.Event{
					{Kind: "answer_submitted", ClientID: id, WallTime: t0}, {Kind: "decision_answered", WallTime: t0}}}); err != nil {
					errs <- fmt.Errorf("writer %d, commit %d: %w", w, i, err)
					return
				}
				acked <- id
			}
		}()
	}
	wg.Wait()
	close(errs)
	close(acked)
	for err := range errs {
		t.Fatal(err)
	}
	want := int64(1 + writers*perWriter*2)
	var all []store.Event
	for after := int64(0); ; {
		page, err := s.Events(ctx, "hot", after, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		all = append(all, page...)
		after = page[len(page)-1].Seq
	}
	if int64(len(all)) != want {
		t.Fatalf("log has %d events, want %d", len(all), want)
	}
	seen := map[string]bool{}
	for i, ev := range all {
		if ev.Seq != int64(i)+1 {
			t.Fatalf("event %d has seq %d: a gap or a duplicate", i+1, ev.Seq)
		}
		if ev.ClientID != "" {
			seen[ev.ClientID] = true
			// A commit's events stay together.
			if i+1 >= len(all) || all[i+1].Kind != "decision_answered" {
				t.Fatalf("commit of %s split", ev.ClientID)
			}
		}
	}
	for id := range acked {
		if !seen[id] {
			t.Fatalf("acknowledged %s is not in the log", id)
		}
	}
}

// testCommitMove: a move changes the participant's team and lead flag in
// the same transaction as its event and the old team's lead change; a move
// to a team the exercise does not have, or of an unknown participant,
// fails the whole commit.
func testCommitMove(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	ex := newExercise(t, s, "ex1")
	for i, p := range []store.Participant{
		{ID: "p1", TeamID: "comms", Name: "Ana", Lead: true, JoinedAt: t0},
		{ID: "p2", TeamID: "comms", Name: "Bo", JoinedAt: t0.Add(time.Second)},
	} {
		p.ExerciseID = ex.ID
		if _, err := s.Commit(ctx, store.Commit{ExerciseID: ex.ID, Join: &p}); err != nil {
			t.Fatalf("join %d: %v", i, err)
		}
	}
	if _, err := s.Commit(ctx, store.Commit{ExerciseID: ex.ID, Move: &store.Move{Participant: "p1", Team: "sec", Lead: true},
		LeadChange: "p2", Events: []store.Event{{Kind: "participant_moved", WallTime: t0, Audience: []string{"comms", "sec"}}}}); err != nil {
		t.Fatal(err)
	}
	ps, err := s.Participants(ctx, ex.ID)
	if err != nil || len(ps) != 2 {
		t.Fatalf("Participants = %v, %v", ps, err)
	}
	if ps[0].TeamID != "sec" || !ps[0].Lead || ps[1].TeamID != "comms" || !ps[1].Lead {
		t.Fatalf("after the move: %+v", ps)
	}
	last, err := s.LastSeq(ctx, ex.ID)
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]store.Move{
		"unknown team":        {Participant: "p2", Team: "no-such-team"},
		"unknown participant": {Participant: "nobody", Team: "sec"},
	} {
		_, err := s.Commit(ctx, store.Commit{ExerciseID: ex.ID, Move: &m, Events: []store.Event{{Kind: "participant_moved", WallTime: t0}}})
		if err == nil {
			t.Errorf("%s: move accepted", name)
		}
		if name == "unknown participant" && !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", name, err)
		}
	}
	if n, err := s.LastSeq(ctx, ex.ID); err != nil || n != last {
		t.Fatalf("a failed move appended events: last seq %d, was %d (%v)", n, last, err)
	}
}

func testArchiveAndDelete(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	sc, err := s.PutScenario(ctx, "demo", "Demo", []byte("id: demo"), now)
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range []string{"ex-a", "ex-b"} {
		ex := store.Exercise{ID: id, ScenarioID: sc.ID, Title: id, Params: map[string]string{}, Status: store.StatusLobby, CreatedAt: now.Add(time.Duration(i) * time.Minute)}
		if _, err := s.CreateExercise(ctx, ex, []store.Team{{ID: "soc", Name: "SOC"}}, []store.Event{{Kind: "exercise_created", WallTime: now, Audience: []string{}, Payload: []byte(`{}`)}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Commit(ctx, store.Commit{ExerciseID: "ex-a", Join: &store.Participant{ID: "p1", ExerciseID: "ex-a", TeamID: "soc", Name: "Pia", Lead: true, JoinedAt: now, TokenHash: "h1"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateObserver(ctx, store.Observer{ID: "o1", ExerciseID: "ex-a", Name: "O", TokenHash: "ot", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	ids := func(f store.ListFilter) []string {
		t.Helper()
		exs, err := s.ListExercises(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, ex := range exs {
			out = append(out, ex.ID)
		}
		return out
	}
	if err := s.SetArchived(ctx, "ex-a", now); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		f    store.ListFilter
		want []string
	}{
		{"default lists every exercise", store.ListFilter{}, []string{"ex-b", "ex-a"}},
		{"not archived", store.ListFilter{Archived: store.ArchivedNo}, []string{"ex-b"}},
		{"only archived", store.ListFilter{Archived: store.ArchivedOnly}, []string{"ex-a"}},
		{"only archived, by status", store.ListFilter{Archived: store.ArchivedOnly, Statuses: []string{store.StatusEnded}}, nil},
		{"only archived, in the lobby", store.ListFilter{Archived: store.ArchivedOnly, Statuses: []string{store.StatusLobby}}, []string{"ex-a"}},
	} {
		if got := ids(c.f); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if ex, err := s.Exercise(ctx, "ex-a"); err != nil || !ex.ArchivedAt.Equal(now) {
		t.Errorf("archived exercise: %v at %v, want archived at %v", err, ex.ArchivedAt, now)
	}
	if err := s.SetArchived(ctx, "ex-a", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got := ids(store.ListFilter{Archived: store.ArchivedNo}); !slices.Equal(got, []string{"ex-b", "ex-a"}) {
		t.Errorf("after restoring: %v", got)
	}
	if err := s.SetArchived(ctx, "nope", now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("archive unknown = %v, want ErrNotFound", err)
	}
	// Deleting removes the exercise, its log and its people; the other stays.
	if err := s.DeleteExercise(ctx, "ex-a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Exercise(ctx, "ex-a"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted exercise: %v, want ErrNotFound", err)
	}
	if evs, err := s.Events(ctx, "ex-a", 0, 0); err != nil || len(evs) != 0 {
		t.Errorf("log of the deleted exercise: %d events, %v", len(evs), err)
	}
	if ps, err := s.Participants(ctx, "ex-a"); err != nil || len(ps) != 0 {
		t.Errorf("participants of the deleted exercise: %v, %v", ps, err)
	}
	if _, err := s.ParticipantByTokenHash(ctx, "h1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a deleted participant's token still works: %v", err)
	}
	if _, err := s.ObserverByTokenHash(ctx, "ot"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a deleted observer's token still works: %v", err)
	}
	if teams, err := s.Teams(ctx, "ex-a"); err != nil || len(teams) != 0 {
		t.Errorf("teams of the deleted exercise: %v, %v", teams, err)
	}
	if evs, err := s.Events(ctx, "ex-b", 0, 10); err != nil || len(evs) != 1 {
		t.Errorf("the other exercise's log: %d events, %v", len(evs), err)
	}
	if err := s.DeleteExercise(ctx, "ex-a"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("delete twice = %v, want ErrNotFound", err)
	}
}

// filledExercise stores an exercise with two participants (one holding a
// token hash), a join code and a few events, some with client ids.
func filledExercise(t *testing.T, s Store, id string) {
	t.Helper()
	ctx := context.Background()
	ex := newExercise(t, s, id)
	if err := s.SetJoinCode(ctx, ex.ID, "CODE-"+id); err != nil {
		t.Fatal(err)
	}
	p1 := store.Participant{ID: id + "-p1", ExerciseID: ex.ID, TeamID: "comms", Name: "Ana", Lead: true, JoinedAt: t0, TokenHash: "secret-" + id}
	p2 := store.Participant{ID: id + "-p2", ExerciseID: ex.ID, TeamID: "sec", Name: "Bo", Lead: true, JoinedAt: t0.Add(time.Second)}
	for _, p := range []*store.Participant{&p1, &p2} {
		if _, err := s.Commit(ctx, store.Commit{ExerciseID: ex.ID, Join: p,
			Events: []store.Event{{Kind: "participant_joined", WallTime: p.JoinedAt, Payload: []byte(`{"participant":"` + p.ID + `"}`), Audience: []string{p.TeamID}}}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Commit(ctx, store.Commit{ExerciseID: ex.ID, Status: store.StatusRunning, StartedAt: t0.Add(time.Minute),
		Events: []store.Event{
			{Kind: "exercise_started", WallTime: t0.Add(time.Minute), Payload: []byte(`{"speed":1}`), Audience: []string{"*"}},
			{Kind: "answer_submitted", WallTime: t0.Add(2 * time.Minute), ExerciseTime: time.Minute, ClientID: p1.ID + "/c1",
				Payload: []byte(`{"text":"<b>&amp;</b> \u00e9"}`), Audience: []string{"comms"}},
		}}); err != nil {
		t.Fatal(err)
	}
}

func testDumpAndRestore(t *testing.T, open Opener) {
	ctx := context.Background()
	a, b := open(t), open(t)
	filledExercise(t, a, "ex1")
	// b already holds another exercise from the same scenario source, so
	// the restore must reuse that scenario row.
	newExercise(t, b, "other")
	d, err := a.DumpExercise(ctx, "ex1")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Events) != 5 || len(d.Participants) != 2 || len(d.Teams) != 2 || string(d.Scenario.Source) != "id: demo\n" {
		t.Fatalf("dump: %d events, %d participants, %d teams, source %q", len(d.Events), len(d.Participants), len(d.Teams), d.Scenario.Source)
	}
	for _, p := range d.Participants {
		if p.TokenHash != "" {
			t.Fatalf("dump carries token hash of %s", p.ID)
		}
	}
	if d.Exercise.JoinCode != "CODE-ex1" {
		t.Fatalf("dump exercise join code %q", d.Exercise.JoinCode)
	}
	ex, err := b.RestoreExercise(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	other, err := b.Exercise(ctx, "other")
	if err != nil {
		t.Fatal(err)
	}
	if ex.ScenarioID != other.ScenarioID || ex.JoinCode != "" || ex.Status != store.StatusRunning {
		t.Fatalf("restored %+v; scenario should be reused (%d) and join code dropped", ex, other.ScenarioID)
	}
	got, err := b.DumpExercise(ctx, "ex1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Exercise.JoinCode != "" || !got.Exercise.StartedAt.Equal(d.Exercise.StartedAt) || got.Exercise.Params["company"] != "Acme" {
		t.Fatalf("restored row %+v", got.Exercise)
	}
	if fmt.Sprint(got.Teams) != fmt.Sprint(d.Teams) {
		t.Fatalf("teams %v, want %v", got.Teams, d.Teams)
	}
	for i := range d.Participants {
		w, g := d.Participants[i], got.Participants[i]
		if w.ID != g.ID || w.Name != g.Name || w.TeamID != g.TeamID || w.Lead != g.Lead || !w.JoinedAt.Equal(g.JoinedAt) {
			t.Fatalf("participant %d: %+v, want %+v", i, g, w)
		}
	}
	for i := range d.Events {
		w, g := d.Events[i], got.Events[i]
		if w.Seq != g.Seq || w.Kind != g.Kind || !w.WallTime.Equal(g.WallTime) || w.ExerciseTime != g.ExerciseTime ||
			!bytes.Equal(w.Payload, g.Payload) || fmt.Sprint(w.Audience) != fmt.Sprint(g.Audience) || w.ClientID != g.ClientID {
			t.Fatalf("event %d: %+v, want %+v", i+1, g, w)
		}
	}
	// The restored exercise is live in b: appends continue after its log,
	// and its client ids still deduplicate.
	more, err := b.Commit(ctx, store.Commit{ExerciseID: "ex1", Events: []store.Event{{Kind: "note_added", WallTime: t0, Payload: []byte(`{}`)}}})
	if err != nil || more[0].Seq != 6 {
		t.Fatalf("append after restore: %+v, %v", more, err)
	}
	if ev, err := b.EventByClientID(ctx, "ex1", "ex1-p1/c1"); err != nil || ev.Seq != 5 {
		t.Fatalf("client id after restore: %+v, %v", ev, err)
	}
	if _, err := b.ParticipantByTokenHash(ctx, "secret-ex1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("token hash travelled: %v", err)
	}
}

func testRestoreRefuses(t *testing.T, open Opener) {
	ctx := context.Background()
	a := open(t)
	filledExercise(t, a, "ex1")
	base, err := a.DumpExercise(ctx, "ex1")
	if err != nil {
		t.Fatal(err)
	}
	clone := func() store.ExerciseDump {
		d := base
		d.Events = append([]store.Event(nil), base.Events...)
		d.Participants = append([]store.Participant(nil), base.Participants...)
		d.Scenario.Source = append([]byte(nil), base.Scenario.Source...)
		return d
	}
	tests := []struct {
		name   string
		into   string // "same": the source database; else a fresh one
		edit   func(d *store.ExerciseDump)
		want   string
		target error
	}{
		{"id exists", "same", func(d *store.ExerciseDump) {}, "already exists", store.ErrDuplicate},
		{"participant exists", "same", func(d *store.ExerciseDump) { d.Exercise.ID = "ex2" }, "participant ex1-p1", store.ErrDuplicate},
		{"hash mismatch", "", func(d *store.ExerciseDump) { d.Scenario.Source = []byte("id: demo2\n") }, "does not match", nil},
		{"seq gap", "", func(d *store.ExerciseDump) { d.Events = append(d.Events[:2], d.Events[3:]...) }, "without gaps", nil},
		{"seq from 2", "", func(d *store.ExerciseDump) { d.Events = d.Events[1:] }, "without gaps", nil},
		{"empty log", "", func(d *store.ExerciseDump) { d.Events = nil }, "empty", nil},
		{"payload not JSON", "", func(d *store.ExerciseDump) { d.Events[4].Payload = []byte("{") }, "not JSON", nil},
		{"client id twice", "", func(d *store.ExerciseDump) { d.Events[3].ClientID = d.Events[4].ClientID }, "repeats", store.ErrDuplicate},
		{"unknown team", "", func(d *store.ExerciseDump) { d.Participants[0].TeamID = "nope" }, "participant", nil},
		{"bad status", "", func(d *store.ExerciseDump) { d.Exercise.Status = "exploded" }, "restore exercise", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := a
			if tc.into == "" {
				st = open(t)
			}
			d := clone()
			tc.edit(&d)
			_, err := st.RestoreExercise(ctx, d)
			if err == nil || !strings.Contains(err.Error(), tc.want) || (tc.target != nil && !errors.Is(err, tc.target)) {
				t.Fatalf("restore: %v; want an error mentioning %q (%v)", err, tc.want, tc.target)
			}
			// Nothing of a refused restore remains.
			id := d.Exercise.ID
			if tc.into == "same" && tc.name == "id exists" {
				return
			}
			if _, err := st.Exercise(ctx, id); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("refused restore left the exercise: %v", err)
			}
			if evs, err := st.Events(ctx, id, 0, 0); err != nil || len(evs) != 0 {
				t.Fatalf("refused restore left %d events (%v)", len(evs), err)
			}
			if tc.into == "" {
				if ps, err := st.Participants(ctx, id); err != nil || len(ps) != 0 {
					t.Fatalf("refused restore left participants %v (%v)", ps, err)
				}
				if exs, err := st.ListExercises(ctx, store.ListFilter{}); err != nil || len(exs) != 0 {
					t.Fatalf("refused restore left exercises %v (%v)", exs, err)
				}
			}
		})
	}
}

func testDumpNotFound(t *testing.T, open Opener) {
	s := open(t)
	if _, err := s.DumpExercise(context.Background(), "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("dump of a missing exercise: %v, want ErrNotFound", err)
	}
}

func testHealth(t *testing.T, open Opener) {
	s := open(t)
	if v, err := s.SchemaVersion(context.Background()); err != nil || v < 1 {
		t.Fatalf("SchemaVersion = %d, %v: a new store is migrated", v, err)
	}
	if d := s.Disk(); d.Full {
		t.Fatalf("a new store reports a full disk: %+v", d)
	}
}
