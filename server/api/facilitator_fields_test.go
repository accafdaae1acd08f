package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The format's facilitator-only fields (state description and
// facilitator_notes, decision/option/inject notes, persona role) reach the
// facilitator through the exercise's scenario, and never a participant or
// an observer: not in their exercise view, their event pages, nor their
// WebSocket frames; the scenario route refuses them.
func TestFacilitatorOnlyFieldsStayWithTheFacilitator(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	id := e.addExercise("NTESABCD")
	origin := map[string]string{"Origin": e.ts.URL}
	soc := e.joinAs("NTESABCD", "Sam", "soc")
	comms := e.joinAs("NTESABCD", "Cat", "comms")
	obs := e.observer(fac, id)
	if r := e.do(fac, "POST", "/api/exercises/"+id+"/start", nil, origin); r.status != 200 {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	sockets := map[string]*wsClient{}
	for name, tok := range map[string]string{"soc": soc, "comms": comms, "observer": obs} {
		w, _, err := e.dial(nil, tok, id, 0, nil)
		if err != nil {
			t.Fatalf("%s: dial: %v", name, err)
		}
		sockets[name] = w
	}
	// Past every inject of the first state (the facilitator-only one at
	// 4m30s too) and both of its decisions' opening.
	e.clock.Advance(4*time.Minute + 40*time.Second)
	// An ad-hoc inject to everyone after them: once a socket has it, it has
	// everything before it (the log is ordered).
	if r := e.do(fac, "POST", "/api/exercises/"+id+"/inject", map[string]any{"inject": map[string]any{"channel": "chat", "body": "sync marker"}}, origin); r.status != 200 {
		t.Fatalf("inject: %d %s", r.status, r.body)
	}
	for name, w := range sockets {
		w.waitFor(name+": the marker inject", func(f frame) bool {
			return f.str("type") == "event" && f.str("kind") == "inject_delivered" && f.payload().str("body") == "sync marker"
		})
	}

	secrets := []string{
		"nobody inside posted it",          // state description
		"Nudge the SOC if they wait",       // state facilitator_notes
		"Use it to raise the pressure",     // inject notes
		"Taken if the SOC does not answer", // option notes
		"calling from the airport",         // persona role
		"posting from the stolen account",  // persona role
		"Ten minutes in, customers start",  // a facilitator-only inject's body
	}
	// The facilitator has them.
	r := e.do(fac, "GET", "/api/exercises/"+id+"/scenario", nil, nil)
	for _, s := range secrets[:6] {
		if !strings.Contains(r.body, s) {
			t.Errorf("the facilitator's scenario lacks %q; the test no longer covers it", s)
		}
	}
	check := func(who, where, body string) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(body, s) {
				t.Errorf("%s's %s contains the facilitator-only %q", who, where, s)
			}
		}
	}
	for who, tok := range map[string]string{"soc participant": soc, "comms participant": comms, "observer": obs} {
		hdr := bearer(tok)
		if r := e.do(nil, "GET", "/api/exercises/"+id+"/scenario", nil, hdr); r.status != http.StatusForbidden {
			t.Errorf("%s: GET scenario = %d, want 403", who, r.status)
		}
		r := e.do(nil, "GET", "/api/exercises/"+id, nil, hdr)
		if r.status != 200 {
			t.Fatalf("%s: GET exercise = %d %s", who, r.status, r.body)
		}
		check(who, "exercise view", r.body)
		r = e.do(nil, "GET", "/api/exercises/"+id+"/events?after=0&limit=1000", nil, hdr)
		if r.status != 200 || !strings.Contains(r.body, "inject_delivered") {
			t.Fatalf("%s: GET events = %d %s", who, r.status, r.body)
		}
		check(who, "events", r.body)
	}
	for name, w := range sockets {
		b, err := json.Marshal(w.all())
		if err != nil {
			t.Fatal(err)
		}
		check(name, "WebSocket frames", string(b))
	}
}
