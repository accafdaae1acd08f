package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/sim"
)

func isDecisionEvent(kind, decision string) func(frame) bool {
	return func(f frame) bool {
		return f.str("type") == "event" && f.str("kind") == kind && f.payload().str("decision") == decision
	}
}

// openClosesAt reads when an open decision closes from the facilitator's
// GET /api/exercises/:id (which also applies anything due on the clock);
// -1 when it is not open.
func (e *testEnv) openClosesAt(fac *http.Client, ex, decision string) time.Duration {
	e.t.Helper()
	var out struct {
		Snapshot struct {
			Decisions []struct {
				ID       string        `json:"id"`
				ClosesAt time.Duration `json:"closes_at"`
			} `json:"decisions"`
		} `json:"snapshot"`
	}
	r := e.do(fac, "GET", "/api/exercises/"+ex, nil, nil)
	if r.status != http.StatusOK {
		e.t.Fatalf("get exercise: %d %s", r.status, r.body)
	}
	r.json(e.t, &out)
	for _, d := range out.Snapshot.Decisions {
		if d.ID == decision {
			return d.ClosesAt
		}
	}
	return -1
}

// TestExtendDecisionOverWebSockets: the facilitator extends the SOC's
// lock_account (5m limit) over the socket and over HTTP; the SOC receives
// each decision_extended with the new deadline, the decision closes at that
// deadline on the fake clock, and comms, and a participant of another
// exercise, never see the extension.
func TestExtendDecisionOverWebSockets(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	ex, code := e.createExercise(fac)
	exB, codeB := e.createExercise(fac)
	comms := e.joinAs(code, "Casey", "comms")
	soc := e.joinAs(code, "Sol", "soc")
	socB := e.joinAs(codeB, "Bea", "soc")
	obs := e.observer(fac, ex)

	dial := func(c *http.Client, tok, ex string) *wsClient {
		t.Helper()
		w, _, err := e.dial(c, tok, ex, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		w.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
		return w
	}
	fw, cw, sw, ow := dial(fac, "", ex), dial(nil, comms, ex), dial(nil, soc, ex), dial(nil, obs, ex)
	bw := dial(nil, socB, exB)

	// Before the start nothing can be extended.
	fw.send(map[string]any{"type": "extend_decision", "id": "f-early", "decision": "lock_account", "by": 60})
	if f := fw.reply("f-early"); f.str("code") != "conflict" {
		t.Fatalf("extend in the lobby: %v", f)
	}
	fw.send(map[string]any{"type": "start", "id": "f-start"})
	if f := fw.reply("f-start"); f.str("type") != "ack" {
		t.Fatalf("start: %v", f)
	}
	sw.waitFor("lock_account opened", isDecisionEvent("decision_opened", "lock_account"))

	// Only the facilitator may extend; the SOC's own lead is refused.
	sw.send(map[string]any{"type": "extend_decision", "id": "s-ext", "decision": "lock_account", "by": 60})
	if f := sw.reply("s-ext"); f.str("type") != "error" || f.str("code") != "forbidden" {
		t.Fatalf("participant extends: %v", f)
	}
	ow.send(map[string]any{"type": "extend_decision", "id": "o-ext", "decision": "lock_account", "by": 60})
	if f := ow.reply("o-ext"); f.str("type") != "error" || f.str("code") != "forbidden" {
		t.Fatalf("observer extends: %v", f)
	}
	// Refusals with their codes, each leaving the decision as it was.
	for i, c := range []struct {
		msg  map[string]any
		code string
	}{
		{map[string]any{"decision": "lock_account", "by": 0}, "invalid"},
		{map[string]any{"decision": "lock_account", "by": 3601}, "invalid"},
		{map[string]any{"decision": "lock_account", "by": 1.5}, "bad_field"},
		{map[string]any{"decision": "lock_account", "by": "60"}, "bad_field"},
		{map[string]any{"decision": "no_such_decision", "by": 60}, "not_found"},
		{map[string]any{"decision": "escalate", "by": 60}, "decision_closed"}, // not open in this state
	} {
		id := fmt.Sprintf("f-bad-%d", i)
		c.msg["type"], c.msg["id"] = "extend_decision", id
		fw.send(c.msg)
		if f := fw.reply(id); f.str("type") != "error" || f.str("code") != c.code || f.str("message") == "" {
			t.Errorf("%v: %v, want %s", c.msg, f, c.code)
		}
	}

	// Over the socket: 2 more minutes, so 7m.
	fw.send(map[string]any{"type": "extend_decision", "id": "f-ext", "decision": "lock_account", "by": 120})
	if f := fw.reply("f-ext"); f.str("type") != "ack" {
		t.Fatalf("extend: %v", f)
	}
	// A retry with the same id (the ack was lost) is acknowledged and not
	// applied again: the deadlines below would be 2 minutes later.
	fw.send(map[string]any{"type": "extend_decision", "id": "f-ext", "decision": "lock_account", "by": 120})
	waitReplies(t, fw, "f-ext", 2)
	ext := sw.waitFor("decision_extended", isDecisionEvent("decision_extended", "lock_account"))
	p := ext.payload()
	if p.num("closes_at") != int64(7*time.Minute) || p.num("time_limit") != int64(7*time.Minute) ||
		p.num("by") != int64(2*time.Minute) || p.str("team") != "soc" || ext.num("at") != 0 || ext["audience"] != nil {
		t.Fatalf("the SOC got %v", ext)
	}
	if f := fw.waitFor("decision_extended", isDecisionEvent("decision_extended", "lock_account")); f.num("seq") != ext.num("seq") {
		t.Fatalf("facilitator frame %v", f)
	} else if aud, _ := f["audience"].([]any); len(aud) != 1 || aud[0] != "soc" {
		t.Fatalf("facilitator frame audience %v", f["audience"])
	}
	ow.waitFor("decision_extended", isDecisionEvent("decision_extended", "lock_account"))

	// Over HTTP, three minutes in: one more minute, so 8m.
	e.clock.Advance(3 * time.Minute)
	x := "/api/exercises/" + ex
	for range 2 { // the same Idempotency-Key: applied once
		r := e.do(fac, "POST", x+"/extend-decision", map[string]any{"decision": "lock_account", "by": 60}, map[string]string{"Idempotency-Key": "http-ext-1"})
		if r.status != http.StatusOK {
			t.Fatalf("extend over HTTP: %d %s", r.status, r.body)
		}
	}
	if r := e.do(fac, "POST", x+"/extend-decision", map[string]any{"decision": "lock_account", "by": 60}, map[string]string{"Idempotency-Key": "not valid!"}); r.status != http.StatusBadRequest {
		t.Fatalf("a malformed Idempotency-Key: %d %s", r.status, r.body)
	}
	for _, c := range []struct {
		body   map[string]any
		status int
		code   string
	}{
		{map[string]any{"decision": "lock_account"}, 400, "invalid"},
		{map[string]any{"decision": "lock_account", "by": 60, "seconds": 1}, 400, "bad_field"},
		{map[string]any{"decision": "holding_statement", "by": 60}, 409, "conflict"}, // no time limit
		{map[string]any{"decision": "no_such_decision", "by": 60}, 404, "not_found"},
	} {
		r := e.do(fac, "POST", x+"/extend-decision", c.body, nil)
		if r.status != c.status || !strings.Contains(r.body, `"code":"`+c.code+`"`) {
			t.Errorf("%v: %d %s, want %d %s", c.body, r.status, r.body, c.status, c.code)
		}
	}
	if r := e.do(nil, "POST", x+"/extend-decision", map[string]any{"decision": "lock_account", "by": 60}, bearer(soc)); r.status != http.StatusForbidden {
		t.Fatalf("participant over HTTP: %d %s", r.status, r.body)
	}
	const closes = 8 * time.Minute
	last := sw.waitFor("second extension", func(f frame) bool {
		return isDecisionEvent("decision_extended", "lock_account")(f) && f.payload().num("closes_at") == int64(closes)
	})
	if last.num("at") != int64(3*time.Minute) || last.payload().num("time_limit") != int64(closes) || last.payload().num("by") != int64(time.Minute) {
		t.Fatalf("second extension %v", last)
	}

	// The original 5m limit passes; the decision closes at 8m, not a
	// second earlier.
	e.clock.Advance(2 * time.Minute)
	if got := e.openClosesAt(fac, ex, "lock_account"); got != closes {
		t.Fatalf("at 5m lock_account closes at %v, want open until %v", got, closes)
	}
	e.clock.Advance(closes - 5*time.Minute - time.Second)
	if got := e.openClosesAt(fac, ex, "lock_account"); got != closes {
		t.Fatalf("a second before %v lock_account closes at %v", closes, got)
	}
	e.clock.Advance(time.Second)
	cl := sw.waitFor("lock_account closed", isDecisionEvent("decision_closed", "lock_account"))
	if cl.num("at") != int64(closes) || cl.payload().str("close_reason") != "time_limit" || cl.payload().str("settled") != "default" {
		t.Fatalf("closed as %v", cl)
	}
	// Everything up to the close has reached everyone: the news story
	// that follows it is for every team.
	cw.waitFor("news_story", isInject("news_story"))
	for name, w := range map[string]*wsClient{"comms": cw, "other exercise": bw} {
		for _, f := range w.all() {
			if f.str("kind") == "decision_extended" || f.str("kind") == "facilitator_extend" {
				t.Errorf("%s got %v", name, f)
			}
		}
	}
	// The input itself is staff-only, like facilitator_close: observers
	// see it, the team does not.
	for _, f := range sw.all() {
		if f.str("kind") == "facilitator_extend" {
			t.Errorf("the SOC got the staff-only input %v", f)
		}
	}
	ow.waitFor("input", isEvent("facilitator_extend"))
	if f := fw.waitFor("input", isEvent("facilitator_extend")); f.payload().str("decision") != "lock_account" || f.payload().num("by") != int64(2*time.Minute) {
		t.Fatalf("facilitator_extend %v", f)
	}
}

// waitReplies waits until the connection has n replies to request id,
// and fails on an error reply.
func waitReplies(t *testing.T, w *wsClient, id string, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		got := 0
		for _, f := range w.all() {
			if f.str("id") != id {
				continue
			}
			switch f.str("type") {
			case "error":
				t.Fatalf("reply to %s: %v", id, f)
			case "ack":
				got++
			}
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d replies to %s", got, n, id)
		}
	}
}

// TestExtensionVisibility: a decision_extended goes where its decision's
// events go. An extension of a facilitator decision stays with the
// facilitator, as its decision_opened does.
func TestExtensionVisibility(t *testing.T) {
	mk := func(team string, audience []string) engine.Event {
		b, err := json.Marshal(sim.Event{Kind: sim.KindDecisionExtended, Decision: "d", Team: team, Audience: audience,
			By: time.Minute, ClosesAt: 6 * time.Minute, TimeLimit: 6 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		return engine.Event{Seq: 1, Kind: string(sim.KindDecisionExtended), Payload: b, Audience: audience}
	}
	team, fac := mk("soc", []string{"soc"}), mk("facilitator", []string{})
	for _, c := range []struct {
		name string
		ev   engine.Event
		role Role
		team string
		want bool
	}{
		{"team: facilitator", team, Facilitator, "", true},
		{"team: observer", team, Observer, "", true},
		{"team: its team", team, Participant, "soc", true},
		{"team: another team", team, Participant, "comms", false},
		{"facilitator's: facilitator", fac, Facilitator, "", true},
		{"facilitator's: observer", fac, Observer, "", false},
		{"facilitator's: a team", fac, Participant, "soc", false},
	} {
		if got := visibleTo(c.ev, c.role, c.team); got != c.want {
			t.Errorf("%s: visible %v, want %v", c.name, got, c.want)
		}
	}
}
