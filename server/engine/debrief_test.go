package engine_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ttxsim/ttx/server/engine"
)

// TestDebriefLink: a link opens its exercise until it is replaced or
// revoked; it survives a restart; malformed and foreign tokens open
// nothing; the events are facilitator-only (no team audience).
func TestDebriefLink(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	ex, err := e.eng.Create(ctx, engine.CreateInput{File: "example.yaml", Source: readFile(t, "../../scenarios/example.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.eng.Create(ctx, engine.CreateInput{File: "example.yaml", Source: readFile(t, "../../scenarios/example.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := e.eng.DebriefLink(ctx, ex.ID); got != "" || err != nil {
		t.Fatalf("no link yet: %q, %v; want none and no error", got, err)
	}
	if _, err := e.eng.DebriefLink(ctx, "nope"); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("link of an unknown exercise: %v, want ErrNotFound", err)
	}
	first, err := e.eng.CreateDebriefLink(ctx, ex.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(first, ex.ID+".") || len(first) != len(ex.ID)+1+43 {
		t.Fatalf("token %q: want <id>.<43 base64url characters>", first)
	}
	if got, log, err := e.eng.DebriefExercise(ctx, first); err != nil || got != ex.ID || len(log) == 0 || log[len(log)-1].Kind != engine.KindDebriefLinkSet {
		t.Fatalf("DebriefExercise(first) = %q, %d events, %v; want the exercise with its whole log", got, len(log), err)
	}
	second, err := e.eng.CreateDebriefLink(ctx, ex.ID)
	if err != nil || second == first {
		t.Fatalf("second link %q, %v: want a new token", second, err)
	}
	e.restart()
	if got, err := e.eng.DebriefLink(ctx, ex.ID); err != nil || got != second {
		t.Errorf("after a restart the link is %q, %v; want the second", got, err)
	}
	otherTok, err := e.eng.CreateDebriefLink(ctx, other.ID)
	if err != nil {
		t.Fatal(err)
	}
	secret := second[strings.LastIndexByte(second, '.')+1:]
	for _, bad := range []string{first, "", ".", ex.ID, ex.ID + ".", "nope." + secret, other.ID + "." + secret,
		ex.ID + "." + secret + "x", strings.ToUpper(second), "../" + second, strings.Repeat("a", 300)} {
		if id, log, err := e.eng.DebriefExercise(ctx, bad); !errors.Is(err, engine.ErrNotFound) || log != nil {
			t.Errorf("DebriefExercise(%q) = %q, %d events, %v; want ErrNotFound", bad, id, len(log), err)
		}
	}
	if err := e.eng.RevokeDebriefLink(ctx, ex.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.eng.DebriefExercise(ctx, second); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("revoked link still opens: %v", err)
	}
	if got, err := e.eng.DebriefLink(ctx, ex.ID); got != "" || err != nil {
		t.Errorf("after revoking: %q, %v; want none and no error", got, err)
	}
	if err := e.eng.RevokeDebriefLink(ctx, ex.ID); err != nil {
		t.Errorf("revoking twice: %v", err)
	}
	if got, _, err := e.eng.DebriefExercise(ctx, otherTok); err != nil || got != other.ID {
		t.Errorf("the other exercise's link: %q, %v", got, err)
	}
	if err := e.eng.RevokeDebriefLink(ctx, "nope"); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("revoke on an unknown exercise: %v", err)
	}
	n := 0
	for _, ev := range allEvents(t, e.eng, ex.ID) {
		if ev.Kind == engine.KindDebriefLinkSet || ev.Kind == engine.KindDebriefLinkRevoked {
			n++
			if len(ev.Audience) != 0 {
				t.Errorf("%s has audience %v, want staff", ev.Kind, ev.Audience)
			}
		}
	}
	if n != 3 {
		t.Errorf("%d link events, want 3", n)
	}

	// An archive carries the link's events, and another database takes
	// it: the link opens the imported exercise there.
	live, err := e.eng.CreateDebriefLink(ctx, ex.ID)
	if err != nil {
		t.Fatal(err)
	}
	a, err := engine.Export(ctx, e.st, ex.ID, e.clock.Now(), "ttx test")
	if err != nil {
		t.Fatal(err)
	}
	dst := newEnv(t)
	if _, err := engine.Import(ctx, dst.st, a, dst.clock.Now()); err != nil {
		t.Fatalf("import an exercise with a debrief link: %v", err)
	}
	if got, _, err := dst.eng.DebriefExercise(ctx, live); err != nil || got != ex.ID {
		t.Errorf("the imported exercise's link: %q, %v", got, err)
	}
}
