package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// answerOverHTTP sends one answer over HTTP as the participant holding tok
// and reports the status and body.
func (e *testEnv) answerOverHTTP(ex, tok, clientID string) resp {
	e.t.Helper()
	return e.do(nil, "POST", "/api/exercises/"+ex+"/answers",
		map[string]any{"client_id": clientID, "decision": "lock_account", "option": "revoke"}, bearer(tok))
}

// Every command passes one per-identity budget, whichever door it comes
// through: a burst over HTTP is cut where the same burst over the
// WebSocket is, and the two doors spend the same tokens.
func TestCommandsShareOneBudgetAcrossDoors(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	ex, code := e.createExercise(fac)
	const burst = msgBurst + 10

	// The same burst through each door, by two participants.
	httpTok := e.joinAs(code, "Hana", "comms")
	httpPassed := 0
	for i := range burst {
		r := e.answerOverHTTP(ex, httpTok, fmt.Sprintf("h-%d", i))
		if r.status == http.StatusTooManyRequests {
			if !strings.Contains(r.body, `"rate_limited"`) || r.header.Get("Retry-After") == "" {
				t.Fatalf("429 without rate_limited or Retry-After: %v %s", r.header, r.body)
			}
			continue
		}
		httpPassed++
	}
	wsTok := e.joinAs(code, "Wren", "comms")
	w, _, err := e.dial(nil, wsTok, ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
	wsPassed := 0
	for i := range burst {
		id := fmt.Sprintf("w-%d", i)
		w.send(map[string]any{"type": "answer", "id": id, "decision": "lock_account", "option": "revoke"})
		if f := w.reply(id); f.str("code") != "rate_limited" {
			wsPassed++
		}
	}
	if httpPassed != msgBurst || wsPassed != msgBurst {
		t.Fatalf("of %d commands, %d passed over HTTP and %d over the WebSocket; want %d each", burst, httpPassed, wsPassed, msgBurst)
	}

	// One budget for both doors: what the WebSocket spent, HTTP cannot
	// spend again, and the other way round.
	if r := e.answerOverHTTP(ex, wsTok, "after-ws"); r.status != http.StatusTooManyRequests {
		t.Fatalf("HTTP after the WebSocket spent the budget: %d %s", r.status, r.body)
	}
	wh, _, err := e.dial(nil, httpTok, ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	wh.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
	wh.send(map[string]any{"type": "presence", "id": "after-http", "status": "active"})
	if f := wh.reply("after-http"); f.str("code") != "rate_limited" {
		t.Fatalf("WebSocket after HTTP spent the budget: %v", f)
	}

	// Tokens come back with time, for both doors together: one second
	// gives msgRate, spent half here and half there.
	e.clock.Advance(time.Second)
	for i := range msgRate / 2 {
		if r := e.answerOverHTTP(ex, httpTok, fmt.Sprintf("r-%d", i)); r.status == http.StatusTooManyRequests {
			t.Fatalf("HTTP command %d after the refill: 429", i)
		}
		id := fmt.Sprintf("r-%d", i)
		wh.send(map[string]any{"type": "presence", "id": id, "status": "active"})
		if f := wh.reply(id); f.str("type") != "ack" {
			t.Fatalf("WebSocket message %d after the refill: %v", i, f)
		}
	}
	if r := e.answerOverHTTP(ex, httpTok, "over"); r.status != http.StatusTooManyRequests {
		t.Fatalf("the refill was spent twice: %d %s", r.status, r.body)
	}

	// Another identity is unaffected.
	if r := e.do(fac, "POST", "/api/exercises/"+ex+"/start", nil, nil); r.status != http.StatusOK {
		t.Fatalf("facilitator: %d %s", r.status, r.body)
	}
}

// A rate_limited error frame names the message it dropped, each one.
func TestRateLimitedFramesEchoTheDroppedID(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	ex, code := e.createExercise(fac)
	tok := e.joinAs(code, "Pat", "comms")
	w, _, err := e.dial(nil, tok, ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
	for i := range msgBurst {
		id := fmt.Sprintf("ok-%d", i)
		w.send(map[string]any{"type": "presence", "id": id, "status": "active"})
		w.reply(id)
	}
	for _, id := range []string{"dropped-1", "dropped-2", "dropped-3"} {
		w.send(map[string]any{"type": "presence", "id": id, "status": "idle"})
		if f := w.reply(id); f.str("type") != "error" || f.str("code") != "rate_limited" {
			t.Fatalf("%s: %v", id, f)
		}
	}
}

// withMessageBudget replaces the per-identity command budget, for tests
// about something else that send more commands than a person would.
func withMessageBudget(burst, perMinute int) envOption {
	return func(e *envSetup) { e.d.Limits.Messages = NewLimiter(burst, perMinute, 1000, e.d.Now) }
}
