package api

import (
	"net/http"
	"testing"
)

// TestAnswersWhilePaused: pause stops the room. A participant's answer is
// refused with `paused` (409 over HTTP, an error frame over the socket,
// which stays open) and records nothing; a retry of an answer recorded
// before the pause still gets its original ack; after resuming the same
// answer is accepted.
func TestAnswersWhilePaused(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	ex, code := e.createExercise(fac)
	soc := e.joinAs(code, "Sol", "soc")
	x := "/api/exercises/" + ex
	sw, _, err := e.dial(nil, soc, ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	sw.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
	if r := e.do(fac, "POST", x+"/start", nil, nil); r.status != http.StatusOK {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	sw.waitFor("lock_account opened", isDecisionEvent("decision_opened", "lock_account"))
	sw.send(map[string]any{"type": "answer", "id": "s-1", "decision": "lock_account", "option": "wait"})
	first := sw.reply("s-1")
	if first.str("type") != "ack" {
		t.Fatalf("answer while running: %v", first)
	}
	if r := e.do(fac, "POST", x+"/pause", nil, nil); r.status != http.StatusOK {
		t.Fatalf("pause: %d %s", r.status, r.body)
	}
	sw.waitFor("paused", func(f frame) bool { return f.str("kind") == "exercise_paused" })
	lastSeq := func() int64 {
		var out struct {
			Snapshot struct {
				LastSeq int64 `json:"last_seq"`
			} `json:"snapshot"`
		}
		e.do(fac, "GET", x, nil, nil).json(t, &out)
		return out.Snapshot.LastSeq
	}
	before := lastSeq()

	// Over HTTP.
	r := e.do(nil, "POST", x+"/answers", map[string]any{"client_id": "h-1", "decision": "lock_account", "option": "revoke"}, bearer(soc))
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	r.json(t, &body)
	if r.status != http.StatusConflict || body.Error.Code != "paused" || body.Error.Message == "" {
		t.Fatalf("HTTP answer while paused: %d %s", r.status, r.body)
	}
	// Over the socket: an error frame, and the socket stays usable.
	sw.send(map[string]any{"type": "answer", "id": "s-2", "decision": "lock_account", "option": "revoke"})
	if f := sw.reply("s-2"); f.str("type") != "error" || f.str("code") != "paused" || f.str("message") == "" {
		t.Fatalf("WebSocket answer while paused: %v", f)
	}
	// A retry of the answer recorded before the pause keeps its ack.
	sw.send(map[string]any{"type": "answer", "id": "s-1", "decision": "lock_account", "option": "wait"})
	var dup frame
	sw.waitFor("duplicate ack", func(f frame) bool {
		if f.str("type") == "ack" && f.str("id") == "s-1" && f["duplicate"] == true {
			dup = f
			return true
		}
		return false
	})
	if dup.num("seq") != first.num("seq") {
		t.Fatalf("duplicate ack %v, want seq %d", dup, first.num("seq"))
	}
	if after := lastSeq(); after != before {
		t.Fatalf("refused answers wrote %d events", after-before)
	}

	if r := e.do(fac, "POST", x+"/resume", nil, nil); r.status != http.StatusOK {
		t.Fatalf("resume: %d %s", r.status, r.body)
	}
	sw.send(map[string]any{"type": "answer", "id": "s-3", "decision": "lock_account", "option": "revoke"})
	if f := sw.reply("s-3"); f.str("type") != "ack" {
		t.Fatalf("answer after resuming: %v", f)
	}
	r = e.do(nil, "POST", x+"/answers", map[string]any{"client_id": "h-1", "decision": "lock_account", "option": "revoke"}, bearer(soc))
	if r.status != http.StatusOK {
		t.Fatalf("HTTP answer after resuming: %d %s", r.status, r.body)
	}
}
