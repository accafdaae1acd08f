package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func openAccountsTestStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "ttx.db"), Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestAccountsAndSessions(t *testing.T) {
	ctx := context.Background()
	s := openAccountsTestStore(t)
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
	if _, err := s.CreateAccount(ctx, "ADMIN", "h", false, now); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("duplicate name (case-insensitive): err = %v", err)
	}
	bob, err := s.CreateAccount(ctx, "bob", "hb", false, now)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.AccountByName(ctx, "BOB"); err != nil || got.ID != bob.ID || got.PasswordHash != "hb" {
		t.Fatalf("AccountByName = %+v, %v", got, err)
	}
	if _, err := s.AccountByName(ctx, "carol"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown account: %v", err)
	}

	se := Session{IDHash: "aa", AccountID: bob.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour), LastSeenAt: now}
	if err := s.CreateSession(ctx, se); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSession(ctx, se); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("duplicate session: %v", err)
	}
	got, acc, err := s.SessionByHash(ctx, "aa", now.Add(time.Minute))
	if err != nil || got.AccountID != bob.ID || acc.Name != "bob" || !got.ExpiresAt.Equal(se.ExpiresAt) {
		t.Fatalf("SessionByHash = %+v %+v %v", got, acc, err)
	}
	if _, _, err := s.SessionByHash(ctx, "aa", now.Add(time.Hour)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("expired session: %v", err)
	}
	if err := s.TouchSession(ctx, "aa", now.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	// A password change ends every session of the account.
	if err := s.SetPassword(ctx, bob.ID, "hb2", false, now); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SessionByHash(ctx, "aa", now); !errors.Is(err, ErrNotFound) {
		t.Fatalf("session after password change: %v", err)
	}
	if err := s.SetPassword(ctx, 999, "x", false, now); !errors.Is(err, ErrNotFound) {
		t.Fatalf("SetPassword unknown: %v", err)
	}
	for i, h := range []string{"s1", "s2"} {
		if err := s.CreateSession(ctx, Session{IDHash: h, AccountID: bob.ID, CreatedAt: now, ExpiresAt: now.Add(time.Duration(i+1) * time.Hour), LastSeenAt: now}); err != nil {
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
	if err != nil || len(list) != 2 || list[0].Name != "admin" {
		t.Fatalf("Accounts = %+v, %v", list, err)
	}
}

func TestScenarioUploads(t *testing.T) {
	ctx := context.Background()
	s := openAccountsTestStore(t)
	now := time.Unix(1700000000, 0).UTC()
	if err := s.PutScenarioUpload(ctx, ScenarioUpload{Slug: "b", File: "b.yaml", Source: []byte("one"), UploadedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutScenarioUpload(ctx, ScenarioUpload{Slug: "a", File: "a.yaml", Source: []byte("x"), UploadedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutScenarioUpload(ctx, ScenarioUpload{Slug: "b", File: "b2.yaml", Source: []byte("two"), UploadedAt: now}); err != nil {
		t.Fatal(err)
	}
	ups, err := s.ScenarioUploads(ctx)
	if err != nil || len(ups) != 2 || ups[0].Slug != "a" || string(ups[1].Source) != "two" || ups[1].File != "b2.yaml" {
		t.Fatalf("ScenarioUploads = %+v, %v", ups, err)
	}
	if err := s.DeleteScenarioUpload(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteScenarioUpload(ctx, "a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete twice: %v", err)
	}
}
