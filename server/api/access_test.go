package api

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestAccessMatrix sends every route and every WebSocket message type as
// every role and counts successes the role should not have. Roles:
// anonymous, a participant of exercise A (comms), a participant of
// exercise B, a participant of A in the other team (soc), an observer of A,
// and a facilitator. Allowed roles must not be refused with 401/403 (they
// may still get 404/409 from the state of the exercise); others must be
// refused with 401 or 403.
func TestAccessMatrix(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	exA, codeA := e.createExercise(fac)
	_, codeB := e.createExercise(fac)
	pA := e.joinAs(codeA, "Ann", "comms")
	pSoc := e.joinAs(codeA, "Sol", "soc")
	pB := e.joinAs(codeB, "Ben", "comms")
	obs := e.observer(fac, exA)
	// A participant the facilitator may remove without affecting the roles.
	var removable struct {
		Participant meResponse `json:"participant"`
	}
	e.do(nil, "POST", "/api/join", map[string]string{"code": codeA, "name": "Rem", "team": "soc"}, nil).json(t, &removable)

	// Running, one minute in: holding_statement (comms) is open.
	if r := e.do(fac, "POST", "/api/exercises/"+exA+"/start", nil, nil); r.status != 200 {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	e.clock.Advance(time.Minute)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(e.do(fac, "GET", "/api/exercises/"+exA, nil, nil).body, "holding_statement") {
		if time.Now().After(deadline) {
			t.Fatal("holding_statement never opened")
		}
		time.Sleep(10 * time.Millisecond)
	}

	type role struct {
		name   string
		client *http.Client
		token  string
	}
	roles := []role{{"anonymous", nil, ""}, {"participantA", nil, pA}, {"participantB", nil, pB},
		{"otherTeam", nil, pSoc}, {"observer", nil, obs}, {"facilitator", fac, ""}}

	const (
		anon = 1 << iota
		partA
		partB
		other
		observer
		facil
	)
	bit := map[string]int{"anonymous": anon, "participantA": partA, "participantB": partB, "otherTeam": other, "observer": observer, "facilitator": facil}
	x := "/api/exercises/" + exA
	example := string(readFile(t, "../../scenarios/example.yaml"))
	routes := []struct {
		method, url string
		body        any
		allowed     int
	}{
		{"GET", "/api/me", nil, partA | partB | other | observer | facil},
		{"GET", "/api/scenarios", nil, facil},
		{"GET", "/api/scenarios/example-hijacked-account", nil, facil},
		{"POST", "/api/scenarios/validate", example, facil},
		{"POST", "/api/scenarios?file=copy.yaml", strings.Replace(example, "id: example-hijacked-account", "id: matrix-copy", 1), facil},
		{"GET", "/api/exercises", nil, facil},
		{"POST", "/api/exercises", map[string]string{"scenario": "example-hijacked-account"}, facil},
		{"GET", x, nil, partA | other | observer | facil},
		{"GET", x + "/events", nil, partA | other | observer | facil},
		// lock_account belongs to the SOC (Sol leads it): comms is refused
		// by the scenario's rules with 403; the facilitator may answer it
		// on the SOC's behalf.
		{"POST", x + "/answers", map[string]any{"client_id": "m-1", "decision": "lock_account", "option": "revoke"}, other | facil},
		{"POST", x + "/notes", map[string]any{"text": "note"}, observer | facil},
		// Chat: the SOC may chat, in its own rooms (team:comms is 404 to it).
		{"POST", x + "/chat", map[string]any{"room": "team:comms", "body": "hi"}, partA | other | facil},
		{"POST", x + "/receipt", map[string]any{"seq": 1}, partA | other},
		{"GET", x + "/receipts", nil, observer | facil},
		// Drafts and messages: participants of the exercise (the rules of
		// the scenario answer 404 to a draft that is not theirs).
		{"POST", x + "/draft", map[string]any{"action": "reply", "inject": "press_email", "body": "x"}, partA | other},
		{"POST", x + "/discard-draft", map[string]any{"draft": "nope"}, partA | other},
		{"POST", x + "/request-approval", map[string]any{"draft": "nope"}, partA | other},
		{"POST", x + "/approve", map[string]any{"draft": "nope", "version": 1}, partA | other | facil},
		{"POST", x + "/reject", map[string]any{"draft": "nope", "version": 1}, partA | other | facil},
		{"POST", x + "/send", map[string]any{"draft": "nope"}, partA | other},
		{"POST", x + "/persona-send", map[string]any{"persona": "reporter", "team": "comms", "thread": "nope", "body": "x"}, facil},
		{"GET", x + "/canned?team=comms&thread=press_email", nil, facil},
		{"GET", x + "/scenario", nil, facil},
		{"GET", x + "/report", nil, facil},
		{"GET", x + "/observers", nil, facil},
		{"POST", x + "/observers", map[string]string{"name": "Extra"}, facil},
		{"POST", x + "/join-code", nil, facil},
		{"POST", x + "/pause", nil, facil},
		{"POST", x + "/resume", nil, facil},
		{"POST", x + "/speed", map[string]any{"speed": 2}, facil},
		{"POST", x + "/skip", nil, facil},
		{"POST", x + "/inject", map[string]any{"channel": "email", "body": "hello", "teams": []string{"soc"}}, facil},
		{"POST", x + "/force", map[string]any{"state": "no_such_state"}, facil},
		{"POST", x + "/close-decision", map[string]any{"decision": "no_such_decision"}, facil},
		{"POST", x + "/extend-decision", map[string]any{"decision": "lock_account", "by": 60}, facil},
		{"DELETE", x + "/observers/ob_nope", nil, facil},
		{"DELETE", x + "/participants/" + removable.Participant.ID, nil, facil},
		{"POST", "/api/auth/password", map[string]string{"current": testPassword, "new": "another long secret"}, facil},
		{"POST", x + "/end", map[string]any{"reason": "matrix"}, facil},
	}
	unexpected := 0
	for _, rt := range routes {
		for _, rl := range roles {
			h := map[string]string{}
			if rl.token != "" {
				h["Authorization"] = "Bearer " + rl.token
			}
			r := e.do(rl.client, rt.method, rt.url, rt.body, h)
			allowed := rt.allowed&bit[rl.name] != 0
			ok := r.status >= 200 && r.status < 300
			refused := r.status == 401 || r.status == 403
			switch {
			case !allowed && ok:
				unexpected++
				t.Errorf("%s %s as %s: %d (unexpected success) %s", rt.method, rt.url, rl.name, r.status, r.body)
			case !allowed && !refused:
				t.Errorf("%s %s as %s: %d, want 401/403", rt.method, rt.url, rl.name, r.status)
			case allowed && refused:
				t.Errorf("%s %s as %s: refused %d %s", rt.method, rt.url, rl.name, r.status, r.body)
			}
			if rl.name == "anonymous" && !allowed && r.status != 401 {
				t.Errorf("%s %s anonymous: %d, want 401", rt.method, rt.url, r.status)
			}
			if rl.name == "participantB" && !allowed && strings.HasPrefix(rt.url, x) && r.status != 403 {
				t.Errorf("%s %s with a token of another exercise: %d, want 403", rt.method, rt.url, r.status)
			}
		}
	}
	t.Logf("%d routes × %d roles: %d unexpected successes", len(routes), len(roles), unexpected)
}

// TestAnswerForAnotherTeam: the route lets participants answer, the engine
// refuses an answer to another team's decision with 403.
func TestAnswerForAnotherTeam(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	ex, code := e.createExercise(fac)
	comms := e.joinAs(code, "Ann", "comms")
	soc := e.joinAs(code, "Sol", "soc")
	e.do(fac, "POST", "/api/exercises/"+ex+"/start", nil, nil)
	e.clock.Advance(time.Minute)
	// holding_statement (comms, no time limit) opens at 1m; the first
	// valid answer settles it, so the SOC tries first.
	body := map[string]any{"client_id": "s-1", "decision": "holding_statement", "option": "post"}
	var r resp
	deadline := time.Now().Add(10 * time.Second)
	for {
		r = e.do(nil, "POST", "/api/exercises/"+ex+"/answers", body, bearer(soc))
		if r.status != 409 || time.Now().After(deadline) {
			break // 409 until the decision has opened
		}
		time.Sleep(10 * time.Millisecond)
	}
	if r.status != 403 {
		t.Fatalf("other team: %d %s", r.status, r.body)
	}
	body["client_id"] = "a-1"
	if r := e.do(nil, "POST", "/api/exercises/"+ex+"/answers", body, bearer(comms)); r.status != 200 || !strings.Contains(r.body, `"client_id":"a-1"`) {
		t.Fatalf("own team: %d %s", r.status, r.body)
	}
	if r2 := e.do(nil, "POST", "/api/exercises/"+ex+"/answers", body, bearer(comms)); r2.status != 200 || !strings.Contains(r2.body, `"duplicate":true`) {
		t.Fatalf("retry: %d %s", r2.status, r2.body)
	}
	delete(body, "client_id")
	if r := e.do(nil, "POST", "/api/exercises/"+ex+"/answers", body, bearer(comms)); r.status != 400 {
		t.Fatalf("no client id: %d %s", r.status, r.body)
	}
}

// TestWebSocketMessageMatrix sends every client message type from every
// role that can connect and checks who is refused.
func TestWebSocketMessageMatrix(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	ex, code := e.createExercise(fac)
	pA := e.joinAs(code, "Ann", "comms")
	pSoc := e.joinAs(code, "Sol", "soc")
	obs := e.observer(fac, ex)
	conns := map[string]*wsClient{}
	for name, tok := range map[string]string{"participantA": pA, "otherTeam": pSoc, "observer": obs} {
		w, _, err := e.dial(nil, tok, ex, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		conns[name] = w
	}
	fw, _, err := e.dial(fac, "", ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	conns["facilitator"] = fw
	msgs := []struct {
		msg     map[string]any
		allowed []string
	}{
		{map[string]any{"type": "presence", "status": "active"}, []string{"participantA", "otherTeam", "observer", "facilitator"}},
		{map[string]any{"type": "note", "text": "n"}, []string{"observer", "facilitator"}},
		{map[string]any{"type": "answer", "decision": "holding_statement", "option": "post"}, []string{"participantA", "otherTeam", "facilitator"}},
		{map[string]any{"type": "start"}, []string{"facilitator"}},
		{map[string]any{"type": "pause"}, []string{"facilitator"}},
		{map[string]any{"type": "resume"}, []string{"facilitator"}},
		{map[string]any{"type": "speed", "speed": 3}, []string{"facilitator"}},
		{map[string]any{"type": "skip"}, []string{"facilitator"}},
		{map[string]any{"type": "inject", "inject": map[string]any{"channel": "chat", "body": "x"}}, []string{"facilitator"}},
		{map[string]any{"type": "force", "state": "nowhere"}, []string{"facilitator"}},
		{map[string]any{"type": "close_decision", "decision": "nothing"}, []string{"facilitator"}},
		{map[string]any{"type": "extend_decision", "decision": "nothing", "by": 60}, []string{"facilitator"}},
		{map[string]any{"type": "chat", "room": "team:comms", "body": "hi"}, []string{"participantA", "otherTeam", "facilitator"}},
		{map[string]any{"type": "receipt", "seq": 1}, []string{"participantA", "otherTeam"}},
		{map[string]any{"type": "draft", "action": "reply", "inject": "press_email", "body": "x"}, []string{"participantA", "otherTeam"}},
		{map[string]any{"type": "discard_draft", "draft": "nope"}, []string{"participantA", "otherTeam"}},
		{map[string]any{"type": "request_approval", "draft": "nope"}, []string{"participantA", "otherTeam"}},
		{map[string]any{"type": "approve", "draft": "nope", "version": 1}, []string{"participantA", "otherTeam", "facilitator"}},
		{map[string]any{"type": "reject", "draft": "nope", "version": 1}, []string{"participantA", "otherTeam", "facilitator"}},
		{map[string]any{"type": "send", "draft": "nope"}, []string{"participantA", "otherTeam"}},
		{map[string]any{"type": "persona_send", "persona": "reporter", "team": "comms", "thread": "nope", "body": "x"}, []string{"facilitator"}},
		{map[string]any{"type": "end", "reason": "done"}, []string{"facilitator"}},
	}
	n := 0
	for _, m := range msgs {
		// One message per identity per row: refill the budget as it is
		// spent, so that the rows outnumbering the burst are not refused.
		e.clock.Advance(200 * time.Millisecond)
		for _, name := range []string{"participantA", "otherTeam", "observer", "facilitator"} {
			n++
			id := m.msg["type"].(string) + "-" + name
			msg := map[string]any{"id": id}
			for k, v := range m.msg {
				msg[k] = v
			}
			w := conns[name]
			w.send(msg)
			f := w.reply(id)
			allowed := strings.Contains(strings.Join(m.allowed, ","), name)
			if !allowed && f.str("code") != "forbidden" {
				t.Errorf("%s as %s: %v, want forbidden", m.msg["type"], name, f)
			}
			// An allowed sender may still be refused by the exercise's
			// state or the scenario's rules (the SOC cannot answer for
			// comms), but never as a matter of role.
			if allowed && f.str("code") == "forbidden" && !(name == "otherTeam" || name == "facilitator") {
				t.Errorf("%s as %s: refused %v", m.msg["type"], name, f)
			}
		}
	}
	t.Logf("%d message × role pairs checked", n)
}
