package api

import (
	"strings"
	"testing"
	"time"
)

// The projector route shows the room public data only: the clock, the join
// code and the latest inject every team received; never an inject for one
// team or the facilitator, nor any facilitator-only field of the format.
// Only the facilitator may read it.
func TestProjectorShowsPublicDataOnly(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	id := e.addExercise("PRJCTRAB")
	origin := map[string]string{"Origin": e.ts.URL}
	if r := e.do(fac, "POST", "/api/exercises/"+id+"/start", nil, origin); r.status != 200 {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	// By 4m40s: scam_post (every team), soc_alert (soc), ops_chat (comms)
	// and narrative (facilitator only) have been delivered.
	e.clock.Advance(4*time.Minute + 40*time.Second)
	if r := e.do(fac, "POST", "/api/exercises/"+id+"/speed", map[string]any{"speed": 2}, origin); r.status != 200 {
		t.Fatalf("speed: %d %s", r.status, r.body)
	}

	r := e.do(fac, "GET", "/api/exercises/"+id+"/projector", nil, nil)
	if r.status != 200 {
		t.Fatalf("projector: %d %s", r.status, r.body)
	}
	var v projectorView
	r.json(t, &v)
	if v.Status != "running" || v.Speed != 2 || v.Clock < 4*time.Minute {
		t.Errorf("clock: status %q speed %v clock %v, want running ×2 past 4m", v.Status, v.Speed, v.Clock)
	}
	if v.Join == nil || v.Join.Code != "PRJCTRAB" || !strings.HasSuffix(v.Join.URL, "/join/PRJCTRAB") {
		t.Errorf("join = %+v, want the code and its link", v.Join)
	}
	if v.Headline == nil || v.Headline.Channel != "social" || !strings.Contains(v.Headline.Title, "is giving back!") || strings.Contains(v.Headline.Title, "BTC") {
		t.Errorf("headline = %+v, want the first line of the giveaway post", v.Headline)
	}
	for _, secret := range []string{
		"Unusual login",                                               // soc only
		"Is this giveaway ours",                                       // comms only
		"Ten minutes in",                                              // facilitator only
		"Facilitator only",                                            // inject notes
		"Let the teams find out",                                      // state facilitator_notes
		"nobody inside posted it",                                     // state description
		"calling from the airport", "posting from the stolen account", // persona roles
		"reputation", "lock_account", // variables, decisions
	} {
		if strings.Contains(r.body, secret) {
			t.Errorf("the projector's answer contains %q: %s", secret, r.body)
		}
	}

	// Participants and observers may not read it.
	p := e.joinAs("PRJCTRAB", "Pia", "soc")
	o := e.observer(fac, id)
	for name, tok := range map[string]string{"participant": p, "observer": o} {
		if r := e.do(nil, "GET", "/api/exercises/"+id+"/projector", nil, bearer(tok)); r.status != 403 {
			t.Errorf("%s: GET projector = %d %s, want 403", name, r.status, r.body)
		}
	}
	if r := e.do(e.client(), "GET", "/api/exercises/"+id+"/projector", nil, nil); r.status != 401 {
		t.Errorf("anonymous: GET projector = %d, want 401", r.status)
	}

	// Once ended there is nothing to join.
	if r := e.do(fac, "POST", "/api/exercises/"+id+"/end", map[string]any{"reason": "done"}, origin); r.status != 200 {
		t.Fatalf("end: %d %s", r.status, r.body)
	}
	r = e.do(fac, "GET", "/api/exercises/"+id+"/projector", nil, nil)
	var ended projectorView
	r.json(t, &ended)
	if ended.Status != "ended" || ended.Join != nil {
		t.Errorf("after the end: status %q join %+v, want ended and no join code", ended.Status, ended.Join)
	}
}
