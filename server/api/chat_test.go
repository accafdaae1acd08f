package api

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func isChat(body string) func(frame) bool {
	return func(f frame) bool {
		return f.str("type") == "event" && f.str("kind") == "chat_posted" && f.payload().str("body") == body
	}
}

// chatsSeen lists the bodies of the chat lines a connection received.
func chatsSeen(w *wsClient) []string {
	var out []string
	for _, f := range w.all() {
		if f.str("type") == "event" && f.str("kind") == "chat_posted" {
			out = append(out, f.payload().str("room")+" "+f.payload().str("body"))
		}
	}
	return out
}

// TestChatRooms: team rooms and control lines over real WebSockets and
// HTTP. A team's room reaches that team and the staff only, never another
// team, live or on catch-up; the facilitator writes anywhere, observers
// read all and write nothing; ids make lines idempotent; sizes are
// bounded in characters.
func TestChatRooms(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	ex, code := e.createExercise(fac)
	ann := e.joinAs(code, "Ann", "comms")
	ben := e.joinAs(code, "Ben", "comms")
	sol := e.joinAs(code, "Sol", "soc")
	obs := e.observer(fac, ex)
	dial := func(tok string) *wsClient {
		t.Helper()
		var w *wsClient
		var err error
		if tok == "" {
			w, _, err = e.dial(fac, "", ex, 0, nil)
		} else {
			w, _, err = e.dial(nil, tok, ex, 0, nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		w.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
		return w
	}
	wa, ws, wo, wf := dial(ann), dial(sol), dial(obs), dial("")

	// Ann in her team's room: her team, the facilitator and the observer.
	wa.send(map[string]any{"type": "chat", "id": "c1", "room": "team:comms", "body": "who owns the brand login?"})
	ack := wa.reply("c1")
	if ack.str("type") != "ack" || ack.num("seq") == 0 {
		t.Fatalf("chat ack: %v", ack)
	}
	for name, w := range map[string]*wsClient{"ann": wa, "facilitator": wf, "observer": wo} {
		f := w.waitFor(name+" sees the team line", isChat("who owns the brand login?"))
		p := f.payload()
		if p.str("participant") == "" || p.str("name") != "Ann" || p.str("team") != "comms" || p.str("room") != "team:comms" {
			t.Errorf("%s: payload %v", name, p)
		}
	}
	// A retry of the same id: the original seq, no second line.
	wa.send(map[string]any{"type": "chat", "id": "c1", "room": "team:comms", "body": "who owns the brand login?"})
	second := wa.waitFor("duplicate ack", func(f frame) bool { return f.str("id") == "c1" && f["duplicate"] == true })
	if second.num("seq") != ack.num("seq") {
		t.Fatalf("duplicate ack seq %d, want %d", second.num("seq"), ack.num("seq"))
	}

	// The SOC cannot write in (or learn of) the comms room.
	ws.send(map[string]any{"type": "chat", "id": "s1", "room": "team:comms", "body": "let me in"})
	if f := ws.reply("s1"); f.str("code") != "not_found" {
		t.Fatalf("soc writing in team:comms: %v", f)
	}
	ws.send(map[string]any{"type": "chat", "id": "s2", "room": "control:soc", "body": "SOC to control: we need the vendor"})
	if f := ws.reply("s2"); f.str("type") != "ack" {
		t.Fatalf("soc writing to control: %v", f)
	}
	// The facilitator answers on the comms control line.
	wf.send(map[string]any{"type": "chat", "id": "f1", "room": "control:comms", "body": "Control: the CEO is on a plane"})
	if f := wf.reply("f1"); f.str("type") != "ack" {
		t.Fatalf("facilitator on control:comms: %v", f)
	}
	fl := wa.waitFor("facilitator's line", isChat("Control: the CEO is on a plane")).payload()
	if fl["by_facilitator"] != true || fl.str("name") != "alice" || fl.str("team") != "" {
		t.Fatalf("facilitator's line: %v", fl)
	}
	// Observers read, never write.
	wo.send(map[string]any{"type": "chat", "id": "o1", "room": "team:comms", "body": "psst"})
	if f := wo.reply("o1"); f.str("code") != "forbidden" {
		t.Fatalf("observer chat: %v", f)
	}
	// Unknown rooms and undeclared lines.
	for i, room := range []string{"team:legal", "control:facilitator", "line:comms:soc", "line:soc:comms", "lobby", "team:"} {
		id := fmt.Sprintf("r%d", i)
		wf.send(map[string]any{"type": "chat", "id": id, "room": room, "body": "x"})
		if f := wf.reply(id); f.str("code") != "not_found" {
			t.Errorf("room %q: %v", room, f)
		}
	}
	// Sizes: 4,000 characters (not bytes) pass, one more is too_large;
	// a blank body is invalid.
	wa.send(map[string]any{"type": "chat", "id": "big-ok", "room": "team:comms", "body": strings.Repeat("é", 4000)})
	if f := wa.reply("big-ok"); f.str("type") != "ack" {
		t.Fatalf("4,000 characters: %v", f)
	}
	wa.send(map[string]any{"type": "chat", "id": "big-no", "room": "team:comms", "body": strings.Repeat("x", 4001)})
	if f := wa.reply("big-no"); f.str("code") != "too_large" {
		t.Fatalf("4,001 characters: %v", f)
	}
	wa.send(map[string]any{"type": "chat", "id": "blank", "room": "team:comms", "body": "  "})
	if f := wa.reply("blank"); f.str("code") != "invalid" {
		t.Fatalf("blank: %v", f)
	}

	// The REST door: same body, client_id as the key.
	r := e.do(nil, "POST", "/api/exercises/"+ex+"/chat", map[string]any{"client_id": "b1", "room": "team:comms", "body": "Ben over HTTP"}, bearer(ben))
	if r.status != 200 || !strings.Contains(r.body, `"seq":`) {
		t.Fatalf("REST chat: %d %s", r.status, r.body)
	}
	r2 := e.do(nil, "POST", "/api/exercises/"+ex+"/chat", map[string]any{"client_id": "b1", "room": "team:comms", "body": "Ben over HTTP"}, bearer(ben))
	if r2.status != 200 || !strings.Contains(r2.body, `"duplicate":true`) {
		t.Fatalf("REST retry: %d %s", r2.status, r2.body)
	}
	if r := e.do(nil, "POST", "/api/exercises/"+ex+"/chat", map[string]any{"room": "team:comms", "body": strings.Repeat("x", 4001)}, bearer(ben)); r.status != 413 {
		t.Fatalf("REST 4,001 characters: %d %s", r.status, r.body)
	}
	if r := e.do(nil, "POST", "/api/exercises/"+ex+"/chat", map[string]any{"room": "team:comms", "body": "hi"}, bearer(sol)); r.status != 404 {
		t.Fatalf("REST soc in comms room: %d %s", r.status, r.body)
	}
	wa.waitFor("Ben's line", isChat("Ben over HTTP"))

	// A marker every team sees, after everything above: once the SOC has
	// it, it has had every frame it was going to get.
	wf.send(map[string]any{"type": "speed", "id": "mark", "speed": 2})
	ws.waitFor("marker", isEvent("speed_changed"))
	for _, c := range chatsSeen(ws) {
		if strings.HasPrefix(c, "team:comms") || strings.HasPrefix(c, "control:comms") {
			t.Errorf("the SOC received a comms line: %q", c)
		}
	}
	// Catch-up on reconnect: the same lines, filtered the same way.
	wa2, ws2 := dial(ann), dial(sol)
	want := []string{"team:comms who owns the brand login?", "control:comms Control: the CEO is on a plane",
		"team:comms " + strings.Repeat("é", 4000), "team:comms Ben over HTTP"}
	if got := chatsSeen(wa2); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("ann's catch-up: %q, want %q", got, want)
	}
	if got := chatsSeen(ws2); len(got) != 1 || got[0] != "control:soc SOC to control: we need the vendor" {
		t.Errorf("sol's catch-up: %q", got)
	}
	// Over HTTP too.
	ev := e.do(nil, "GET", "/api/exercises/"+ex+"/events?limit=1000", nil, bearer(sol))
	if strings.Contains(ev.body, "brand login") || strings.Contains(ev.body, "CEO is on a plane") {
		t.Errorf("the SOC's event page holds comms lines: %s", ev.body)
	}
}

// TestChatSpendsTheBudget: chat lines spend the identity's one message
// budget, across both doors.
func TestChatSpendsTheBudget(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	ex, code := e.createExercise(fac)
	ann := e.joinAs(code, "Ann", "comms")
	w, _, err := e.dial(nil, ann, ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
	// The fake clock stands still: the burst is all there is.
	limited := 0
	for i := range msgBurst {
		id := fmt.Sprintf("c%d", i)
		if i%2 == 0 {
			w.send(map[string]any{"type": "chat", "id": id, "room": "team:comms", "body": "line"})
			if f := w.reply(id); f.str("code") == codeRateLimited {
				limited++
			}
		} else if r := e.do(nil, "POST", "/api/exercises/"+ex+"/chat", map[string]any{"client_id": id, "room": "team:comms", "body": "line"}, bearer(ann)); r.status == 429 {
			limited++
		}
	}
	if limited != 0 {
		t.Fatalf("%d of the first %d commands refused", limited, msgBurst)
	}
	w.send(map[string]any{"type": "chat", "id": "over", "room": "team:comms", "body": "line"})
	if f := w.reply("over"); f.str("code") != codeRateLimited {
		t.Fatalf("command %d over WebSocket: %v", msgBurst+1, f)
	}
	if r := e.do(nil, "POST", "/api/exercises/"+ex+"/chat", map[string]any{"room": "team:comms", "body": "line"}, bearer(ann)); r.status != 429 {
		t.Fatalf("command %d over HTTP: %d %s", msgBurst+2, r.status, r.body)
	}
	e.clock.Advance(time.Second)
	w.send(map[string]any{"type": "chat", "id": "later", "room": "team:comms", "body": "line"})
	if f := w.reply("later"); f.str("type") != "ack" {
		t.Fatalf("after a second: %v", f)
	}
}
