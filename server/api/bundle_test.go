package api

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ttxsim/ttx/server/engine"
)

// logReads counts the reads of an exercise's log the API asks of the
// engine (whole or by page, and the debrief link's check).
type logReads struct {
	Engine
	n atomic.Int32
}

func (l *logReads) Log(ctx context.Context, id string) ([]engine.Event, error) {
	l.n.Add(1)
	return l.Engine.Log(ctx, id)
}

func (l *logReads) Events(ctx context.Context, id string, after int64, limit int) ([]engine.Event, error) {
	l.n.Add(1)
	return l.Engine.Events(ctx, id, after, limit)
}

func (l *logReads) DebriefExercise(ctx context.Context, token string) (string, []engine.Event, error) {
	l.n.Add(1)
	return l.Engine.DebriefExercise(ctx, token)
}

// TestLogReadOnce: a view of the public debrief, the AAR, the evaluation
// and the report each read the exercise's log once.
func TestLogReadOnce(t *testing.T) {
	reads := &logReads{}
	e := newEnv(t, func(s *envSetup) { reads.Engine = s.d.Engine; s.d.Engine = reads })
	ex := e.addExercise("ABCDEFGH")
	fac := e.login()
	base := "/api/exercises/" + ex
	if r := e.do(fac, "POST", base+"/start", nil, nil); r.status != 200 {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	var link struct{ Token string }
	e.do(fac, "POST", base+"/debrief-link", nil, nil).json(t, &link)
	for _, tc := range []struct{ name, path, want string }{
		{"public debrief", "/debrief/" + link.Token + "?format=md", "What each team decided"},
		{"AAR", base + "/docs/aar?format=md", "After-Action Report"},
		{"evaluation", base + "/evaluation", `"evaluation"`},
		{"report", base + "/report", `"events"`},
	} {
		reads.n.Store(0)
		client := fac
		if strings.HasPrefix(tc.path, "/debrief/") {
			client = e.client()
		}
		if r := e.do(client, "GET", tc.path, nil, nil); r.status != 200 || !strings.Contains(r.body, tc.want) {
			t.Fatalf("%s: %d %s", tc.name, r.status, clipText(r.body, 200))
		}
		if n := reads.n.Load(); n != 1 {
			t.Errorf("%s read the log %d times, want once", tc.name, n)
		}
	}
}
