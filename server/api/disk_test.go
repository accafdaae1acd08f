package api

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ttxsim/ttx/server/store"
)

// withDiskReadiness makes /readyz report a full disk as the server does.
func withDiskReadiness(st func() *store.Store) envOption {
	return func(e *envSetup) {
		e.d.Ready = func(ctx context.Context) error {
			if d := st().Disk(); d.Full {
				return &NotReady{Reason: "disk_full", Message: "the database's disk is full", Since: d.Since}
			}
			_, err := st().SchemaVersion(ctx)
			return err
		}
	}
}

// Issue 17 item 8: while the database's disk is full, a facilitator's
// command gets 503 unavailable with reason disk_full and a message that
// says so, /readyz is not ready with that reason, and neither is logged
// per request; once space returns both recover by themselves.
func TestDiskFullIsSaid(t *testing.T) {
	var st *store.Store
	e := newEnv(t, withDiskReadiness(func() *store.Store { return st }))
	st = e.st
	fac := e.login()
	id, _ := e.createExercise(fac)
	origin := map[string]string{"Origin": e.ts.URL}
	if r := e.do(fac, "POST", "/api/exercises/"+id+"/start", nil, origin); r.status != 200 {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	ctx := context.Background()
	if err := e.st.SetMaxSize(ctx, 1); err != nil {
		t.Fatal(err)
	}
	inject := map[string]any{"inject": map[string]any{"channel": "email", "body": strings.Repeat("A long inject. ", 500), "teams": []string{"soc"}}}
	var body struct{ Error Error }
	for range 2 {
		r := e.do(fac, "POST", "/api/exercises/"+id+"/inject", inject, origin)
		if r.status != 503 {
			t.Fatalf("inject on a full disk: %d %s, want 503", r.status, r.body)
		}
		r.json(t, &body)
		details, _ := json.Marshal(body.Error.Details)
		if body.Error.Code != "unavailable" || string(details) != `{"reason":"disk_full"}` || !strings.Contains(body.Error.Message, "disk is full") {
			t.Fatalf("inject on a full disk: %s", r.body)
		}
	}
	r := e.do(nil, "GET", "/readyz", nil, nil)
	var ready struct {
		Error struct {
			Code, Message string
			Details       struct{ Reason, Since string }
		}
	}
	r.json(t, &ready)
	if r.status != 503 || ready.Error.Code != "not_ready" || ready.Error.Details.Reason != "disk_full" || ready.Error.Details.Since == "" {
		t.Fatalf("/readyz on a full disk: %d %s", r.status, r.body)
	}
	// The access log has its line per request; the cause is logged once,
	// by whoever watches the store (the server), not at every request.
	for _, line := range strings.Split(e.logs.String(), "\n") {
		if (strings.Contains(line, "level=ERROR") || strings.Contains(line, "level=WARN")) && (strings.Contains(line, "disk") || strings.Contains(line, "not ready")) {
			t.Fatalf("a full disk is logged per request: %s", line)
		}
	}

	if err := e.st.SetMaxSize(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if r := e.do(fac, "POST", "/api/exercises/"+id+"/inject", inject, origin); r.status != 200 {
		t.Fatalf("inject once space returned: %d %s", r.status, r.body)
	}
	if r := e.do(nil, "GET", "/readyz", nil, nil); r.status != 200 {
		t.Fatalf("/readyz once space returned: %d %s", r.status, r.body)
	}
	if d := e.st.Disk(); d.Full || errors.Is(d.Err, store.ErrDiskFull) {
		t.Fatalf("disk state once space returned: %+v", d)
	}
}
