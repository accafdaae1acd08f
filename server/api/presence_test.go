package api

import (
	"fmt"
	"testing"
	"time"
)

func withPresenceInterval(d time.Duration) envOption {
	return func(e *envSetup) { e.o.PresenceInterval = d }
}

// flushPresence sends exercise ex's pending presence changes now, as the
// end of the interval would, and fails if none were pending.
func flushPresence(t *testing.T, srv *Server, ex string) {
	t.Helper()
	p := srv.presence
	p.mu.Lock()
	e := p.ex[ex]
	pending := e != nil && e.timer != nil && e.timer.Stop()
	p.mu.Unlock()
	if !pending {
		t.Fatal("no presence flush pending")
	}
	p.flush(ex, e)
}

func presencePending(srv *Server, ex string) bool {
	p := srv.presence
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.ex[ex]
	return e != nil && e.timer != nil
}

// waitOnline waits until n participants of ex are counted online.
func waitOnline(t *testing.T, srv *Server, ex string, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(srv.presence.online(ex)) != n {
		if time.Now().After(deadline) {
			t.Fatalf("online = %d, want %d", len(srv.presence.online(ex)), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func presenceFrames(w *wsClient) []frame {
	var out []frame
	for _, f := range w.all() {
		if f.str("type") == "presence" {
			out = append(out, f)
		}
	}
	return out
}

// TestPresenceIsCoalescedAndLinear connects a room at once and checks that
// presence costs one frame per flush per recipient, not one per connect:
// facilitators learn who came, teams only their own count.
func TestPresenceIsCoalescedAndLinear(t *testing.T) {
	e := newEnv(t, withPresenceInterval(time.Hour)) // flushes only when the test says
	fac := e.login()
	ex, code := e.createExercise(fac)
	fw, _, err := e.dial(fac, "", ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	fw.waitFor("live", func(f frame) bool { return f.str("type") == "live" })

	// The first change after a quiet spell goes out at once.
	casey := e.joinAs(code, "Casey", "comms")
	cw, _, err := e.dial(nil, casey, ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	first := fw.waitFor("Casey online", func(f frame) bool { return presenceOf(f, "Casey") == "online" })
	if teamOnline(first, "comms") != 1 {
		t.Fatalf("first presence frame = %v", first)
	}
	cw.waitFor("comms count 1", func(f frame) bool { return teamOnline(f, "comms") == 1 })

	// The rest of the room: 7 more in comms, 4 in soc. Nothing is sent
	// until the interval ends.
	type member struct {
		name, team string
		w          *wsClient
	}
	var room []member
	for i := range 11 {
		m := member{name: fmt.Sprintf("P%02d", i), team: "comms"}
		if i >= 7 {
			m.team = "soc"
		}
		tok := e.joinAs(code, m.name, m.team)
		if m.w, _, err = e.dial(nil, tok, ex, 0, nil); err != nil {
			t.Fatal(err)
		}
		room = append(room, m)
	}
	for _, m := range room {
		// Each new socket is told its team's count right away.
		m.w.waitFor(m.name+" own count", func(f frame) bool { return teamOnline(f, m.team) >= 1 })
	}
	waitOnline(t, e.srv, ex, 12)
	if n := len(presenceFrames(fw)); n != 1 {
		t.Fatalf("facilitator got %d presence frames before the interval ended, want 1", n)
	}

	flushPresence(t, e.srv, ex)
	batch := fw.waitFor("the batch", func(f frame) bool { return presenceOf(f, "P10") == "online" })
	changes, _ := batch["changes"].([]any)
	if len(changes) != 11 || teamOnline(batch, "comms") != 8 || teamOnline(batch, "soc") != 4 {
		t.Fatalf("batch = %v", batch)
	}
	for _, m := range room {
		want := map[string]int{"comms": 8, "soc": 4}[m.team]
		m.w.waitFor(m.name+" final count", func(f frame) bool { return teamOnline(f, m.team) == want })
	}
	cw.waitFor("Casey final count", func(f frame) bool { return teamOnline(f, "comms") == 8 })

	// Teams never learn names, nor other teams' counts; and the whole room
	// cost each participant at most its own frame plus one per flush.
	for _, m := range append(room, member{"Casey", "comms", cw}) {
		fs := presenceFrames(m.w)
		if len(fs) > 3 {
			t.Errorf("%s got %d presence frames, want at most 3", m.name, len(fs))
		}
		for _, f := range fs {
			other := map[string]string{"comms": "soc", "soc": "comms"}[m.team]
			if f["changes"] != nil || teamOnline(f, other) != -1 {
				t.Errorf("%s (%s) got %v", m.name, m.team, f)
			}
		}
	}

	// A second tab of someone already online changes nothing.
	tab, _, err := e.dial(nil, casey, ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	tab.waitFor("tab live", func(f frame) bool { return f.str("type") == "live" })
	tab.waitFor("tab count", func(f frame) bool { return teamOnline(f, "comms") == 8 })
	if presencePending(e.srv, ex) {
		t.Fatal("a second tab scheduled a presence change")
	}

	// Going idle is a change for the facilitator only.
	room[0].w.send(map[string]any{"type": "presence", "id": "idle", "status": "idle"})
	if f := room[0].w.reply("idle"); f.str("type") != "ack" {
		t.Fatalf("presence idle: %v", f)
	}
	flushPresence(t, e.srv, ex)
	idle := fw.waitFor("P00 idle", func(f frame) bool {
		changes, _ := f["changes"].([]any)
		return len(changes) == 1 && changes[0].(map[string]any)["status"] == "idle"
	})
	if idle["teams"] != nil {
		t.Fatalf("a status change sent counts: %v", idle)
	}

	// Three of comms leave: one frame tells the facilitator who, comms its
	// new count; closing Casey's second tab first leaves Casey online.
	tab.conn.Close()
	for _, m := range room[:3] {
		m.w.conn.Close()
	}
	waitOnline(t, e.srv, ex, 9)
	flushPresence(t, e.srv, ex)
	left := fw.waitFor("three left", func(f frame) bool { return presenceOf(f, "P02") == "offline" })
	if presenceOf(left, "P00") != "offline" || presenceOf(left, "P01") != "offline" || presenceOf(left, "Casey") != "" ||
		teamOnline(left, "comms") != 5 || teamOnline(left, "soc") != -1 {
		t.Fatalf("leave batch = %v", left)
	}
	cw.waitFor("comms count 5", func(f frame) bool { return teamOnline(f, "comms") == 5 })
}

// TestPresenceIntervalBoundsFrames uses the real interval: a burst of
// connects spread over several intervals reaches the facilitator in at
// most one frame per interval (plus the leading one).
func TestPresenceIntervalBoundsFrames(t *testing.T) {
	const interval = 100 * time.Millisecond
	e := newEnv(t, withPresenceInterval(interval))
	fac := e.login()
	ex, code := e.createExercise(fac)
	fw, _, err := e.dial(fac, "", ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	fw.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
	start := time.Now()
	const n = 30
	for i := range n {
		tok := e.joinAs(code, fmt.Sprintf("Q%02d", i), "soc")
		if _, _, err := e.dial(nil, tok, ex, 0, nil); err != nil {
			t.Fatal(err)
		}
	}
	last := fw.waitFor("all online", func(f frame) bool { return teamOnline(f, "soc") == n })
	elapsed := time.Since(start)
	seen := map[string]bool{}
	frames := presenceFrames(fw)
	for _, f := range frames {
		for i := range n {
			if name := fmt.Sprintf("Q%02d", i); presenceOf(f, name) == "online" {
				seen[name] = true
			}
		}
	}
	if len(seen) != n {
		t.Fatalf("facilitator saw %d of %d come online", len(seen), n)
	}
	if limit := int(elapsed/interval) + 2; len(frames) > limit {
		t.Fatalf("%d presence frames in %v (interval %v), want at most %d; last %v", len(frames), elapsed, interval, limit, last)
	}
}
