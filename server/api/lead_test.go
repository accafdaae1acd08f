package api

import (
	"net/http"
	"strings"
	"testing"
)

// TestPromoteLead: only the facilitator promotes a participant to team
// lead; the team hears lead_changed; unknown participants are 404.
func TestPromoteLead(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	ex, code := e.createExercise(fac)
	first := e.joinAs(code, "Sol", "soc")
	second := e.joinAs(code, "Sam", "soc")
	var me struct {
		Participant string `json:"participant"`
		ID          string `json:"id"`
	}
	e.do(nil, "GET", "/api/me", nil, bearer(second)).json(t, &me)
	pid := me.Participant
	if pid == "" {
		pid = me.ID
	}
	if pid == "" {
		t.Fatal("no participant id in /api/me")
	}
	url := "/api/exercises/" + ex + "/participants/" + pid + "/lead"
	for name, tok := range map[string]string{"the team's lead": first, "the member": second} {
		if r := e.do(nil, "POST", url, nil, bearer(tok)); r.status != http.StatusForbidden {
			t.Errorf("%s promotes: %d %s", name, r.status, r.body)
		}
	}
	if r := e.do(fac, "POST", "/api/exercises/"+ex+"/participants/nobody/lead", nil, nil); r.status != http.StatusNotFound {
		t.Errorf("unknown participant: %d %s", r.status, r.body)
	}
	if r := e.do(fac, "POST", url, nil, nil); r.status != http.StatusNoContent {
		t.Fatalf("facilitator promotes: %d %s", r.status, r.body)
	}
	r := e.do(nil, "GET", "/api/exercises/"+ex+"/events", nil, bearer(first))
	if !strings.Contains(r.body, `"lead_changed"`) || !strings.Contains(r.body, pid) {
		t.Fatalf("the team's log has no lead_changed for %s: %s", pid, r.body)
	}
}
