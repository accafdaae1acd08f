package api

import (
	"net/http"
	"slices"
	"strings"
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

// A participant's exercise view carries the exercise clock, so a reloaded
// page can count down at once; observers get objective titles for notes.
func TestExerciseViewClockAndObjectives(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	id := e.addExercise("ZXCVBNMP")
	tok := e.joinAs("ZXCVBNMP", "Ana", "comms")
	if r := e.do(fac, "POST", "/api/exercises/"+id+"/start", nil, map[string]string{"Origin": e.ts.URL}); r.status != 200 {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	e.clock.Advance(90 * time.Second)

	var pv struct {
		Clock struct {
			At     time.Duration `json:"at"`
			Speed  float64       `json:"speed"`
			Status string        `json:"status"`
		} `json:"clock"`
	}
	r := e.do(nil, "GET", "/api/exercises/"+id, nil, bearer(tok))
	if r.status != 200 {
		t.Fatalf("participant GET: %d %s", r.status, r.body)
	}
	r.json(t, &pv)
	if pv.Clock.At != 90*time.Second || pv.Clock.Speed != 1 || pv.Clock.Status != "running" {
		t.Errorf("participant clock = %+v, want 1m30s at ×1, running", pv.Clock)
	}

	var ov struct {
		Objectives []struct{ ID, Title string } `json:"objectives"`
		Snapshot   struct {
			Teams []struct{ ID, Name string } `json:"teams"`
		} `json:"snapshot"`
	}
	r = e.do(nil, "GET", "/api/exercises/"+id, nil, bearer(e.observer(fac, id)))
	if r.status != 200 {
		t.Fatalf("observer GET: %d %s", r.status, r.body)
	}
	r.json(t, &ov)
	if len(ov.Objectives) == 0 || ov.Objectives[0].ID == "" || ov.Objectives[0].Title == "" {
		t.Errorf("observer objectives = %+v, want ids with titles", ov.Objectives)
	}
	if !strings.Contains(r.body, `"teams":[{"id":`) {
		t.Errorf("snapshot teams are not in snake_case JSON: %s", r.body)
	}
}
