package api

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

// scheduledIDs reads the waiting injects' ids from GET /api/exercises/:id.
func (e *testEnv) scheduledIDs(c *http.Client, hdr map[string]string, ex string) []string {
	e.t.Helper()
	var out struct {
		Snapshot struct {
			Scheduled []struct {
				ID     string `json:"id"`
				Inject struct {
					ID string `json:"id"`
				} `json:"inject"`
			} `json:"scheduled"`
		} `json:"snapshot"`
	}
	r := e.do(c, "GET", "/api/exercises/"+ex, nil, hdr)
	if r.status != http.StatusOK {
		e.t.Fatalf("get exercise: %d %s", r.status, r.body)
	}
	r.json(e.t, &out)
	ids := []string{}
	for _, s := range out.Snapshot.Scheduled {
		ids = append(ids, s.Inject.ID)
	}
	return ids
}

// TestScheduleInjectOverWebSockets: the facilitator schedules injects over
// the socket and over HTTP; they stay with staff (a facilitator-only one
// with the facilitator) until the exercise clock reaches them, then reach
// the addressed team only, as an inject sent at once does; a cancelled one
// never goes out; nobody else may schedule or cancel.
func TestScheduleInjectOverWebSockets(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	ex, code := e.createExercise(fac)
	comms := e.joinAs(code, "Casey", "comms")
	soc := e.joinAs(code, "Sol", "soc")
	obs := e.observer(fac, ex)
	dial := func(c *http.Client, tok string) *wsClient {
		t.Helper()
		w, _, err := e.dial(c, tok, ex, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		w.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
		return w
	}
	fw, cw, sw, ow := dial(fac, ""), dial(nil, comms), dial(nil, soc), dial(nil, obs)
	inject := func(id string, teams ...string) map[string]any {
		return map[string]any{"id": id, "channel": "email", "from": "reporter", "title": "Question", "body": "Any comment on " + id + "?", "teams": teams}
	}

	fw.send(map[string]any{"type": "schedule_inject", "id": "f-early", "in": int64(time.Minute), "inject": inject("early")})
	if f := fw.reply("f-early"); f.str("code") != "conflict" {
		t.Fatalf("schedule in the lobby: %v", f)
	}
	fw.send(map[string]any{"type": "start", "id": "f-start"})
	if f := fw.reply("f-start"); f.str("type") != "ack" {
		t.Fatalf("start: %v", f)
	}

	// Facilitator only, on both doors.
	sw.send(map[string]any{"type": "schedule_inject", "id": "s-1", "in": int64(time.Minute), "inject": inject("mine")})
	ow.send(map[string]any{"type": "schedule_inject", "id": "o-1", "in": int64(time.Minute), "inject": inject("mine")})
	for _, w := range []*wsClient{sw, ow} {
		if f := w.reply(map[*wsClient]string{sw: "s-1", ow: "o-1"}[w]); f.str("code") != "forbidden" {
			t.Fatalf("a non-facilitator schedules: %v", f)
		}
	}
	if r := e.do(nil, "POST", "/api/exercises/"+ex+"/schedule-inject", map[string]any{"in": int64(time.Minute), "inject": inject("mine")}, bearer(comms)); r.status != http.StatusForbidden {
		t.Fatalf("participant POST /schedule-inject: %d %s", r.status, r.body)
	}

	// Malformed or impossible requests get errors, and the socket stays.
	for _, c := range []struct {
		id   string
		msg  map[string]any
		code string
	}{
		{"b-1", map[string]any{"type": "schedule_inject", "id": "b-1", "inject": inject("x")}, "invalid"},
		{"b-2", map[string]any{"type": "schedule_inject", "id": "b-2", "at": int64(time.Hour), "in": int64(time.Minute), "inject": inject("x")}, "invalid"},
		{"b-3", map[string]any{"type": "schedule_inject", "id": "b-3", "in": "soon", "inject": inject("x")}, "bad_field"},
		{"b-4", map[string]any{"type": "schedule_inject", "id": "b-4", "in": int64(time.Minute), "inject": inject("x"), "when": 1}, "bad_field"},
		{"b-5", map[string]any{"type": "schedule_inject", "id": "b-5", "in": int64(48 * time.Hour), "inject": inject("x")}, "invalid"},
		{"b-6", map[string]any{"type": "cancel_scheduled_inject", "id": "b-6", "schedule": "nope"}, "not_found"},
	} {
		fw.send(c.msg)
		if f := fw.reply(c.id); f.str("type") != "error" || f.str("code") != c.code {
			t.Errorf("%s: %v, want %s", c.id, f, c.code)
		}
	}

	// Over the socket: to comms, in 3 minutes.
	fw.send(map[string]any{"type": "schedule_inject", "id": "f-1", "in": int64(3 * time.Minute), "inject": inject("to-comms", "comms")})
	ack := fw.reply("f-1")
	if ack.str("type") != "ack" || ack.str("schedule") == "" {
		t.Fatalf("schedule: %v", ack)
	}
	sched := fw.waitFor("inject_scheduled", isEvent("inject_scheduled"))
	if p := sched.payload(); p.str("schedule") != ack.str("schedule") || p.num("at") != int64(3*time.Minute) || sched["audience"] != nil {
		t.Fatalf("inject_scheduled frame %v", sched)
	}
	ow.waitFor("observer's inject_scheduled", isEvent("inject_scheduled"))

	// Over HTTP, facilitator-only, at 4:00, retried with its key.
	body := map[string]any{"at": int64(4 * time.Minute), "inject": inject("to-me", "facilitator")}
	var first, again struct{ Schedule string }
	r := e.do(fac, "POST", "/api/exercises/"+ex+"/schedule-inject", body, map[string]string{"Idempotency-Key": "k-9"})
	if r.status != http.StatusOK {
		t.Fatalf("POST /schedule-inject: %d %s", r.status, r.body)
	}
	r.json(t, &first)
	r = e.do(fac, "POST", "/api/exercises/"+ex+"/schedule-inject", body, map[string]string{"Idempotency-Key": "k-9"})
	r.json(t, &again)
	if first.Schedule == "" || again != first {
		t.Fatalf("retry answered %+v, first %+v", again, first)
	}
	// And one to cancel.
	fw.send(map[string]any{"type": "schedule_inject", "id": "f-2", "in": int64(2 * time.Minute), "inject": inject("cancelled")})
	drop := fw.reply("f-2").str("schedule")
	r = e.do(fac, "POST", "/api/exercises/"+ex+"/cancel-scheduled-inject", map[string]any{"schedule": drop}, nil)
	if r.status != http.StatusOK {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	fw.waitFor("inject_schedule_cancelled", isEvent("inject_schedule_cancelled"))
	if got := e.scheduledIDs(fac, nil, ex); !slices.Equal(got, []string{"to-comms", "to-me"}) {
		t.Fatalf("facilitator's list: %v", got)
	}
	if got := e.scheduledIDs(nil, bearer(obs), ex); !slices.Equal(got, []string{"to-comms"}) {
		t.Fatalf("observer's list: %v", got)
	}

	e.clock.Advance(4 * time.Minute)
	cw.waitFor("comms gets the scheduled inject", isInject("to-comms"))
	fw.waitFor("the facilitator gets its own", isInject("to-me"))
	fi := fw.waitFor("facilitator_inject", func(f frame) bool {
		return isEvent("facilitator_inject")(f) && f.payload().str("schedule") == ack.str("schedule")
	})
	if fi.num("at") != int64(3*time.Minute) {
		t.Fatalf("sent at %d, want 3:00", fi.num("at"))
	}
	ow.waitFor("observer sees the comms inject", isInject("to-comms"))
	if got := e.scheduledIDs(fac, nil, ex); len(got) != 0 {
		t.Fatalf("still waiting: %v", got)
	}
	// Sync: an inject sent now reaches everyone after the scheduled ones.
	fw.send(map[string]any{"type": "inject", "id": "f-now", "inject": inject("now")})
	if f := fw.reply("f-now"); f.str("type") != "ack" {
		t.Fatalf("inject: %v", f)
	}
	for _, w := range []*wsClient{cw, sw, ow} {
		w.waitFor("the immediate inject", isInject("now"))
	}
	for name, c := range map[string]struct {
		w    *wsClient
		want []string
	}{
		"comms":    {cw, []string{"to-comms", "now"}},
		"soc":      {sw, []string{"now"}},
		"observer": {ow, []string{"to-comms", "now"}},
	} {
		var got []string
		for _, f := range c.w.all() {
			if f.str("type") != "event" {
				continue
			}
			switch f.str("kind") {
			case "inject_scheduled", "inject_schedule_cancelled", "facilitator_inject":
				if name != "observer" {
					t.Errorf("%s received %s", name, f.str("kind"))
				} else if teams, _ := f.payload()["teams"].([]any); slices.Contains(teams, any("facilitator")) {
					t.Errorf("observer received the facilitator-only %s", f.str("kind"))
				}
			case "inject_delivered":
				if f.payload()["adhoc"] == true {
					got = append(got, f.payload().str("inject"))
				}
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s received ad-hoc injects %v, want %v", name, got, c.want)
		}
	}
	r = e.do(fac, "POST", "/api/exercises/"+ex+"/cancel-scheduled-inject", map[string]any{"schedule": ack.str("schedule")}, nil)
	if r.status != http.StatusConflict {
		t.Fatalf("cancel a sent inject: %d %s", r.status, r.body)
	}
}
