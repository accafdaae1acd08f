package engine_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/sim"
	"github.com/ttxsim/ttx/server/store"
)

// playPhase plays testdata/phase.yaml to its end: SOC answers, and the
// phase leaves at 10m with the facilitator's escalate decision still
// open, so that decision settles on leaving (reason state_left) — the
// order the phase-end semantics (version 2) changed.
func playPhase(t *testing.T, e *env) string {
	t.Helper()
	ex, answer := startPhase(t, e)
	e.clock.Advance(3 * time.Minute)
	answer("a1", "inspect_client")
	e.clock.Advance(8 * time.Minute)
	s, err := e.eng.Snapshot(ctxT(t), ex.ID)
	if err != nil || s.Status != store.StatusEnded {
		t.Fatalf("status %s, %v; want ended", s.Status, err)
	}
	return ex.ID
}

// setSemantics rewrites exercise_created's semantics; -1 removes it, as in
// a log written before it was recorded.
func setSemantics(t *testing.T, a *engine.Archive, v int) {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal(a.Events[0].Payload, &p); err != nil {
		t.Fatal(err)
	}
	if v < 0 {
		delete(p, "semantics")
	} else {
		p["semantics"] = v
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	a.Events[0].Payload = b
}

// asOlderRules makes the log what the rules before version 2 wrote: the
// transition taken first, the open decision settled after it, on leaving.
func asOlderRules(t *testing.T, a *engine.Archive) {
	t.Helper()
	for i, ev := range a.Events {
		if ev.Kind == "decision_closed" && bytes.Contains(ev.Payload, []byte(`"state_left"`)) {
			next := a.Events[i+1]
			if next.Kind != "transition_taken" {
				t.Fatalf("after the state_left close comes %s, not transition_taken", next.Kind)
			}
			a.Events[i].Kind, a.Events[i+1].Kind = next.Kind, ev.Kind
			a.Events[i].Payload, a.Events[i+1].Payload = next.Payload, ev.Payload
			a.Events[i].Audience, a.Events[i+1].Audience = next.Audience, ev.Audience
			return
		}
	}
	t.Fatal("no decision settled on leaving its state in the log")
}

// TestArchiveSemanticsVersion: a log records the semantics it was written
// under; an older log that replays differently is refused with what is
// wrong and what to do, not as damage, and one that replays the same is
// imported.
func TestArchiveSemanticsVersion(t *testing.T) {
	src := newEnv(t)
	id := playPhase(t, src)
	a, raw := exportToFile(t, src, id)
	var cp struct {
		Semantics *int `json:"semantics"`
	}
	if err := json.Unmarshal(a.Events[0].Payload, &cp); err != nil || cp.Semantics == nil || *cp.Semantics != sim.SemanticsVersion {
		t.Fatalf("exercise_created %s does not record semantics %d", a.Events[0].Payload, sim.SemanticsVersion)
	}

	tests := []struct {
		name    string
		edit    func(t *testing.T, a *engine.Archive)
		want    []string // in the error; none: imported
		notWant string
	}{
		{"written before the version was recorded, replays the same", func(t *testing.T, a *engine.Archive) { setSemantics(t, a, -1) }, nil, ""},
		{"written before the version was recorded, under the older rules", func(t *testing.T, a *engine.Archive) {
			setSemantics(t, a, -1)
			asOlderRules(t, a)
		}, []string{"older scenario semantics (version 1", fmt.Sprintf("this ttx (semantics version %d)", sim.SemanticsVersion),
			"(transition_taken)", "a phase ends on the teams' answers", "Nothing was imported", "with the ttx that wrote it (ttx test)",
			"run the scenario again"}, "edited or damaged"},
		{"version 1 recorded, under the older rules", func(t *testing.T, a *engine.Archive) {
			setSemantics(t, a, 1)
			asOlderRules(t, a)
		}, []string{"older scenario semantics (version 1)", "What changed since: version 2:"}, "edited or damaged"},
		{"current version, reordered: damage", func(t *testing.T, a *engine.Archive) { asOlderRules(t, a) },
			[]string{"edited or damaged", "(transition_taken)"}, "older"},
		{"a newer version", func(t *testing.T, a *engine.Archive) { setSemantics(t, a, sim.SemanticsVersion+1) },
			[]string{fmt.Sprintf("semantics version %d, and this ttx knows versions up to %d", sim.SemanticsVersion+1, sim.SemanticsVersion),
				"at least as new as the one that wrote it (ttx test)"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := engine.DecodeArchive(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			tc.edit(t, a)
			dst, res, err := importEncoded(t, a)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("import: %v", err)
				}
				if res.Exercise.Status != store.StatusEnded {
					t.Fatalf("imported as %s", res.Exercise.Status)
				}
				return
			}
			if err == nil || !errors.Is(err, engine.ErrInvalid) {
				t.Fatalf("import: %v; want ErrInvalid", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error does not say %q:\n%v", w, err)
				}
			}
			if tc.notWant != "" && strings.Contains(err.Error(), tc.notWant) {
				t.Errorf("the error says %q:\n%v", tc.notWant, err)
			}
			t.Logf("refused: %v", err)
			if _, err := dst.st.Exercise(ctxT(t), a.Exercise.ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("a refused import left the exercise behind: %v", err)
			}
		})
	}
}
