package api

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/store"
)

// participantID reads a token's participant id from /api/me.
func (e *testEnv) participantID(tok string) string {
	e.t.Helper()
	var me struct {
		Participant string `json:"participant"`
		ID          string `json:"id"`
	}
	e.do(nil, "GET", "/api/me", nil, bearer(tok)).json(e.t, &me)
	if me.Participant != "" {
		return me.Participant
	}
	if me.ID == "" {
		e.t.Fatal("no participant id in /api/me")
	}
	return me.ID
}

// TestMoveParticipantOverWebSocket: the facilitator moves Mo from comms to
// soc while the exercise runs. Only the facilitator may; Mo's open socket
// gets comms' frames up to the move and soc's after it, without
// reconnecting; Mo answers soc's decision (leading it: nobody else is in
// soc) and is refused on comms'; a reconnect from the start replays soc's
// whole history and nothing more of comms'.
func TestMoveParticipantOverWebSocket(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	ex, code := e.createExercise(fac)
	cam := e.joinAs(code, "Cam", "comms")
	mo := e.joinAs(code, "Mo", "comms")
	obs := e.observer(fac, ex)
	moID := e.participantID(mo)
	url := "/api/exercises/" + ex + "/participants/" + moID + "/move"

	fw, _, err := e.dial(fac, "", ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	mw, _, err := e.dial(nil, mo, ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	mw.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
	fw.waitFor("Mo online in comms", func(f frame) bool { return presenceOf(f, "Mo") == "online" && teamOnline(f, "comms") == 1 })
	if r := e.do(fac, "POST", "/api/exercises/"+ex+"/start", nil, nil); r.status != http.StatusOK {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	e.clock.Advance(time.Minute) // soc_alert (soc), holding_statement opens (comms)
	mw.waitFor("comms' decision before the move", func(f frame) bool {
		return f.str("kind") == "decision_opened" && f.payload().str("decision") == "holding_statement"
	})

	for _, tc := range []struct {
		name    string
		c       *http.Client
		headers map[string]string
		body    any
		want    int
	}{
		{"a participant", nil, bearer(cam), map[string]string{"team": "soc"}, http.StatusForbidden},
		{"the participant themself", nil, bearer(mo), map[string]string{"team": "soc"}, http.StatusForbidden},
		{"an observer", nil, bearer(obs), map[string]string{"team": "soc"}, http.StatusForbidden},
		{"anonymous", nil, nil, map[string]string{"team": "soc"}, http.StatusUnauthorized},
		{"no team", fac, nil, map[string]string{}, http.StatusBadRequest},
		{"unknown field", fac, nil, map[string]string{"team": "soc", "lead": "yes"}, http.StatusBadRequest},
		{"unknown team", fac, nil, map[string]string{"team": "legal"}, http.StatusNotFound},
		{"the facilitator's pseudo-team", fac, nil, map[string]string{"team": "facilitator"}, http.StatusNotFound},
	} {
		if r := e.do(tc.c, "POST", url, tc.body, tc.headers); r.status != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, r.status, r.body, tc.want)
		}
	}
	if r := e.do(fac, "POST", "/api/exercises/"+ex+"/participants/nobody/move", map[string]string{"team": "soc"}, nil); r.status != http.StatusNotFound {
		t.Errorf("unknown participant: %d %s", r.status, r.body)
	}

	if r := e.do(fac, "POST", url, map[string]string{"team": "soc"}, nil); r.status != http.StatusNoContent {
		t.Fatalf("facilitator moves Mo: %d %s", r.status, r.body)
	}
	moved := mw.waitFor("participant_moved", isEvent("participant_moved"))
	if p := moved.payload(); p.str("participant") != moID || p.str("from") != "comms" || p.str("to") != "soc" || p["lead"] != true {
		t.Fatalf("participant_moved = %v, want Mo from comms to soc, leading it", p)
	}
	// Presence counts Mo in soc now, and no longer in comms.
	fw.waitFor("Mo online in soc", func(f frame) bool { return teamOnline(f, "soc") == 1 && teamOnline(f, "comms") == 0 })
	mw.waitFor("soc's count on Mo's socket", func(f frame) bool { return teamOnline(f, "soc") == 1 })
	var me struct {
		Team string `json:"team"`
		Lead bool   `json:"lead"`
	}
	e.do(nil, "GET", "/api/me", nil, bearer(mo)).json(t, &me)
	if me.Team != "soc" || !me.Lead {
		t.Fatalf("/api/me after the move = %+v, want soc's lead", me)
	}

	e.clock.Advance(time.Minute) // ops_chat (comms)
	mw.send(map[string]any{"type": "answer", "id": "mo-comms", "decision": "holding_statement", "option": "silent"})
	if f := mw.reply("mo-comms"); f.str("type") != "error" || f.str("code") != "forbidden" {
		t.Fatalf("Mo answers comms' decision after the move: %v, want forbidden", f)
	}
	if r := e.do(nil, "POST", "/api/exercises/"+ex+"/answers", map[string]any{"client_id": "cam-1", "decision": "holding_statement", "option": "post"}, bearer(cam)); r.status != http.StatusOK {
		t.Fatalf("Cam answers comms' decision: %d %s", r.status, r.body)
	}
	mw.send(map[string]any{"type": "answer", "id": "mo-soc", "decision": "lock_account", "option": "report"})
	if f := mw.reply("mo-soc"); f.str("type") != "ack" {
		t.Fatalf("Mo answers soc's decision: %v", f)
	}
	mw.waitFor("soc's answer", func(f frame) bool {
		return f.str("kind") == "answer_submitted" && f.payload().str("team") == "soc"
	})
	// Frames of one connection arrive in order: everything before Mo's
	// own answer is here now.
	mw.seqs()
	after := false
	for _, f := range mw.all() {
		if f.str("type") != "event" {
			continue
		}
		if f.num("seq") == moved.num("seq") {
			after = true
			continue
		}
		p := f.payload()
		switch {
		case f.str("kind") == "inject_delivered" && p.str("inject") == "soc_alert":
			t.Errorf("soc's inject from before the move reached the live socket (seq %d)", f.num("seq"))
		case after && (p.str("team") == "comms" || (f.str("kind") == "inject_delivered" && p.str("inject") == "ops_chat")):
			t.Errorf("comms' frame after the move: %v", f)
		}
	}

	// A reconnect from the start: soc's whole history, nothing of comms'.
	rw, _, err := e.dial(nil, mo, ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if h := rw.waitFor("hello", func(f frame) bool { return f.str("type") == "hello" }); h.str("team") != "soc" {
		t.Fatalf("hello after the move = %v, want team soc", h)
	}
	rw.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
	got := map[string]bool{}
	for _, f := range rw.all() {
		if f.str("type") == "event" {
			got[f.str("kind")+"/"+f.payload().str("inject")+f.payload().str("decision")] = true
		}
	}
	for k, want := range map[string]bool{
		"inject_delivered/soc_alert":          true,
		"decision_opened/lock_account":        true,
		"participant_moved/":                  true,
		"inject_delivered/ops_chat":           false,
		"decision_opened/holding_statement":   false,
		"answer_submitted/holding_statement":  false,
		"decision_answered/holding_statement": false,
	} {
		if got[k] != want {
			t.Errorf("replay after the move: %s present %v, want %v", k, got[k], want)
		}
	}
}

// tokensThen is a TokenStore that runs a hook once, armed, right after it
// resolved a participant token: the hook acts between a handshake's
// authentication and the connection's registration.
type tokensThen struct {
	TokenStore
	mu   sync.Mutex
	hook func()
}

func (s *tokensThen) arm(f func()) {
	s.mu.Lock()
	s.hook = f
	s.mu.Unlock()
}

func (s *tokensThen) ParticipantByTokenHash(ctx context.Context, hash string) (store.Participant, error) {
	p, err := s.TokenStore.ParticipantByTokenHash(ctx, hash)
	s.mu.Lock()
	f := s.hook
	s.hook = nil
	s.mu.Unlock()
	if f != nil {
		f()
	}
	return p, err
}

// TestMoveDuringHandshake: Mo's token is read while Mo is in comms; the move
// to soc commits and is published before the connection is registered, so
// the publisher cannot switch it. The replay reaches the move and switches
// it: soc's later frames arrive, comms' do not.
func TestMoveDuringHandshake(t *testing.T) {
	tokens := &tokensThen{}
	e := newEnv(t, func(s *envSetup) {
		tokens.TokenStore = s.d.Tokens
		s.d.Tokens = tokens
	})
	fac := e.login()
	ex, code := e.createExercise(fac)
	cam := e.joinAs(code, "Cam", "comms")
	mo := e.joinAs(code, "Mo", "comms")
	moID := e.participantID(mo)
	if r := e.do(fac, "POST", "/api/exercises/"+ex+"/start", nil, nil); r.status != http.StatusOK {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	tokens.arm(func() {
		if err := e.eng.Move(context.Background(), ex, moID, "soc"); err != nil {
			t.Errorf("move: %v", err)
		}
	})
	mw, _, err := e.dial(nil, mo, ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if h := mw.waitFor("hello", func(f frame) bool { return f.str("type") == "hello" }); h.str("team") != "comms" {
		t.Fatalf("hello = %v: the token was read before the move, so it says comms", h)
	}
	mw.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
	moved := mw.waitFor("the move in the replay", isEvent("participant_moved"))

	e.clock.Advance(2 * time.Minute) // soc_alert (soc) at 1m, ops_chat (comms) at 2m
	if r := e.do(nil, "POST", "/api/exercises/"+ex+"/answers", map[string]any{"client_id": "cam-1", "decision": "holding_statement", "option": "post"}, bearer(cam)); r.status != http.StatusOK {
		t.Fatalf("Cam answers comms' decision: %d %s", r.status, r.body)
	}
	mw.send(map[string]any{"type": "answer", "id": "mo-soc", "decision": "lock_account", "option": "report"})
	if f := mw.reply("mo-soc"); f.str("type") != "ack" {
		t.Fatalf("Mo answers soc's decision: %v", f)
	}
	mw.waitFor("soc's live inject", isInject("soc_alert"))
	mw.waitFor("Mo's answer", func(f frame) bool { return f.str("kind") == "answer_submitted" && f.payload().str("team") == "soc" })
	for _, f := range mw.all() {
		if p := f.payload(); f.str("type") == "event" && f.num("seq") > moved.num("seq") && (p.str("team") == "comms" || p.str("inject") == "ops_chat") {
			t.Errorf("comms' frame reached Mo after the move: %v", f)
		}
	}
}
