package api

import (
	"net/http"
	"slices"
	"testing"
)

// Re-run, archive and delete an exercise: facilitator only, the same
// scenario and parameters for a re-run, archived ones hidden from the
// default list, a running exercise never deleted, a deleted one gone with
// its log and its people's access.
func TestRerunArchiveDelete(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	origin := map[string]string{"Origin": e.ts.URL}
	r := e.do(fac, "POST", "/api/exercises", map[string]any{"scenario": "example-hijacked-account", "params": map[string]string{"company": "Globex"}, "title": "Friday drill"}, origin)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var created struct{ Exercise exerciseView }
	r.json(t, &created)
	id := created.Exercise.ID
	ptok := e.joinAs(created.Exercise.Join.Code, "Pia", "soc")
	otok := e.observer(fac, id)

	// Only the facilitator.
	for name, tok := range map[string]string{"participant": ptok, "observer": otok} {
		for _, rq := range [][2]string{{"POST", "/rerun"}, {"POST", "/archive"}, {"POST", "/unarchive"}, {"DELETE", ""}} {
			if r := e.do(nil, rq[0], "/api/exercises/"+id+rq[1], nil, bearer(tok)); r.status != http.StatusForbidden {
				t.Errorf("%s %s %s = %d, want 403", name, rq[0], rq[1], r.status)
			}
		}
	}

	// Re-run: a new exercise in the lobby, same scenario, parameters and title, its own code.
	r = e.do(fac, "POST", "/api/exercises/"+id+"/rerun", nil, origin)
	if r.status != http.StatusCreated {
		t.Fatalf("rerun: %d %s", r.status, r.body)
	}
	var again struct{ Exercise exerciseView }
	r.json(t, &again)
	if again.Exercise.ID == id || again.Exercise.Status != "lobby" || again.Exercise.Title != "Friday drill" || again.Exercise.Params["company"] != "Globex" ||
		again.Exercise.Join == nil || again.Exercise.Join.Code == created.Exercise.Join.Code {
		t.Errorf("rerun = %+v, want a new lobby exercise with the same title and params and a new code", again.Exercise)
	}
	oldEx, _ := e.eng.Get(t.Context(), id)
	newEx, _ := e.eng.Get(t.Context(), again.Exercise.ID)
	if oldEx.ScenarioID != newEx.ScenarioID {
		t.Errorf("rerun scenario row %d, want the same %d", newEx.ScenarioID, oldEx.ScenarioID)
	}

	list := func(query string) []string {
		t.Helper()
		r := e.do(fac, "GET", "/api/exercises"+query, nil, nil)
		if r.status != 200 {
			t.Fatalf("list%s: %d %s", query, r.status, r.body)
		}
		var v struct{ Exercises []exerciseView }
		r.json(t, &v)
		var ids []string
		for _, x := range v.Exercises {
			ids = append(ids, x.ID)
		}
		return ids
	}

	// Archive: not while it runs; then hidden from the default list, listed with ?archived=1, restorable.
	if r := e.do(fac, "POST", "/api/exercises/"+id+"/start", nil, origin); r.status != 200 {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	if r := e.do(fac, "POST", "/api/exercises/"+id+"/archive", nil, origin); r.status != http.StatusConflict {
		t.Errorf("archive running = %d %s, want 409", r.status, r.body)
	}
	if r := e.do(fac, "DELETE", "/api/exercises/"+id, nil, origin); r.status != http.StatusConflict {
		t.Errorf("delete running = %d %s, want 409", r.status, r.body)
	}
	if r := e.do(fac, "POST", "/api/exercises/"+id+"/end", map[string]any{"reason": "done"}, origin); r.status != 200 {
		t.Fatalf("end: %d %s", r.status, r.body)
	}
	if r := e.do(fac, "POST", "/api/exercises/"+id+"/archive", nil, origin); r.status != 200 {
		t.Fatalf("archive: %d %s", r.status, r.body)
	}
	if got := list(""); slices.Contains(got, id) || !slices.Contains(got, again.Exercise.ID) {
		t.Errorf("default list %v: want the re-run and not the archived %s", got, id)
	}
	if got := list("?archived=1"); !slices.Equal(got, []string{id}) {
		t.Errorf("archived list %v, want [%s]", got, id)
	}
	if r := e.do(fac, "GET", "/api/exercises?archived=yes", nil, nil); r.status != http.StatusBadRequest {
		t.Errorf("archived=yes = %d, want 400", r.status)
	}
	if r := e.do(fac, "POST", "/api/exercises/"+id+"/unarchive", nil, origin); r.status != 200 {
		t.Fatalf("unarchive: %d %s", r.status, r.body)
	}
	if got := list(""); !slices.Contains(got, id) {
		t.Errorf("default list after restoring %v lacks %s", got, id)
	}

	// Delete: gone, with its log and its people's access.
	if r := e.do(fac, "DELETE", "/api/exercises/"+id, nil, origin); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if r := e.do(fac, "GET", "/api/exercises/"+id, nil, nil); r.status != http.StatusNotFound {
		t.Errorf("GET deleted = %d, want 404", r.status)
	}
	if r := e.do(fac, "GET", "/api/exercises/"+id+"/events", nil, nil); r.status != http.StatusNotFound {
		t.Errorf("events of deleted = %d, want 404", r.status)
	}
	for name, tok := range map[string]string{"participant": ptok, "observer": otok} {
		if r := e.do(nil, "GET", "/api/me", nil, bearer(tok)); r.status != http.StatusUnauthorized {
			t.Errorf("%s token after delete: /api/me = %d, want 401", name, r.status)
		}
	}
	if r := e.do(fac, "DELETE", "/api/exercises/"+id, nil, origin); r.status != http.StatusNotFound {
		t.Errorf("delete twice = %d, want 404", r.status)
	}
	if got := list(""); !slices.Equal(got, []string{again.Exercise.ID}) {
		t.Errorf("list after delete %v, want only the re-run", got)
	}
}
