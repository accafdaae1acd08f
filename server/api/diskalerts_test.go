package api

import (
	"context"
	"net/http"
	"testing"
	"time"
)

func isStatus(disk string) func(frame) bool {
	return func(f frame) bool { return f.str("type") == "status" && f.str("disk") == disk }
}

// Issue 17 item 8: a full disk met by a timer (a clock tick with no
// command behind it) is told to the facilitator: every facilitator socket
// gets a status frame when the tick's write fails, one that connects
// meanwhile gets it after live, and all get another when writes succeed
// again. Participants and observers get neither.
func TestDiskFullReachesFacilitatorSockets(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	ex, code := e.createExercise(fac)
	other, _ := e.createExercise(fac) // a facilitator watching another exercise is told too
	comms := e.joinAs(code, "Casey", "comms")
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
	fw, fw2, cw, ow := dial(fac, "", ex), dial(fac, "", other), dial(nil, comms, ex), dial(nil, obs, ex)
	if r := e.do(fac, "POST", "/api/exercises/"+ex+"/start", nil, nil); r.status != http.StatusOK {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	cw.waitFor("started", isEvent("exercise_started"))
	ctx := context.Background()
	if err := e.st.SetMaxSize(ctx, 1); err != nil {
		t.Fatal(err)
	}
	// No command: the clock reaches the scenario's injects at 1m and 2m, and the
	// tick that would record them cannot be written.
	e.clock.Advance(2 * time.Minute)
	full := fw.waitFor("disk full", isStatus("full"))
	since, err := time.Parse(time.RFC3339Nano, full.str("since"))
	if err != nil || since.IsZero() || full.str("message") == "" {
		t.Fatalf("status frame %v (since: %v)", full, err)
	}
	fw2.waitFor("disk full, other exercise", isStatus("full"))
	// A facilitator connecting now is told at once, after live.
	late := dial(fac, "", ex)
	late.waitFor("disk full on connecting", isStatus("full"))

	if err := e.st.SetMaxSize(ctx, 0); err != nil {
		t.Fatal(err)
	}
	// The exercise retries on its own; the write that succeeds clears it.
	e.clock.Advance(time.Second)
	fw.waitFor("disk ok", isStatus("ok"))
	late.waitFor("disk ok, late socket", isStatus("ok"))
	cw.waitFor("the 2m inject, once space returned", isInject("ops_chat"))
	ow.waitFor("the observer's too", isInject("ops_chat"))
	for name, w := range map[string]*wsClient{"participant": cw, "observer": ow} {
		for _, f := range w.all() {
			if f.str("type") == "status" {
				t.Errorf("%s received %v", name, f)
			}
		}
	}
	var kinds []string
	for _, f := range fw.all() {
		if f.str("type") == "status" {
			kinds = append(kinds, f.str("disk"))
		}
	}
	if len(kinds) != 2 || kinds[0] != "full" || kinds[1] != "ok" {
		t.Fatalf("facilitator's status frames: %v, want [full ok]", kinds)
	}
	// Reconnecting once it cleared: no status frame.
	again := dial(fac, "", ex)
	fw.send(map[string]any{"type": "note", "id": "n-1", "text": "sync"})
	fw.reply("n-1")
	again.waitFor("the note", isEvent("note_added"))
	for _, f := range again.all() {
		if f.str("type") == "status" {
			t.Fatalf("a socket connecting with room on the disk got %v", f)
		}
	}
}
