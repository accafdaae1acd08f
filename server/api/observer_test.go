package api

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

// An observer's snapshot must not reveal facilitator-only injects, even by
// id; the facilitator's lists them.
func TestObserverSnapshotHidesFacilitatorInjects(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	id := e.addExercise("QWERTYUP")
	if r := e.do(fac, "POST", "/api/exercises/"+id+"/start", nil, map[string]string{"Origin": e.ts.URL}); r.status != 200 {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	obs := e.observer(fac, id)
	e.clock.Advance(4*time.Minute + 40*time.Second) // "narrative" (facilitator only) is due at 4m30s

	delivered := func(c *http.Client, tok string) []string {
		t.Helper()
		var hdr map[string]string
		if tok != "" {
			hdr = bearer(tok)
		}
		r := e.do(c, "GET", "/api/exercises/"+id, nil, hdr)
		if r.status != 200 {
			t.Fatalf("GET exercise: %d %s", r.status, r.body)
		}
		var v struct {
			Snapshot struct {
				Sim struct {
					Delivered []string `json:"delivered"`
				} `json:"sim"`
			} `json:"snapshot"`
		}
		r.json(t, &v)
		return v.Snapshot.Sim.Delivered
	}
	if got := delivered(fac, ""); !slices.Contains(got, "narrative") {
		t.Fatalf("facilitator's delivered list %v lacks the facilitator-only inject; the test did not reach it", got)
	}
	got := delivered(nil, obs)
	if slices.Contains(got, "narrative") {
		t.Errorf("observer's delivered list %v reveals the facilitator-only inject", got)
	}
	if !slices.Contains(got, "soc_alert") {
		t.Errorf("observer's delivered list %v lacks a team inject it may see", got)
	}
}
