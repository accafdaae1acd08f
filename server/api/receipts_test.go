package api

import (
	"encoding/json"
	"testing"
	"time"
)

// TestReceipts: a participant's client reports each inject received and
// opened; the log keeps each (participant, inject, kind) once, for staff
// only, and the staff route counts them per inject and team.
func TestReceipts(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	ex, code := e.createExercise(fac)
	ann := e.joinAs(code, "Ann", "comms")
	ben := e.joinAs(code, "Ben", "comms")
	sol := e.joinAs(code, "Sol", "soc")
	obs := e.observer(fac, ex)
	wa, _, err := e.dial(nil, ann, ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	wf, _, err := e.dial(fac, "", ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := e.do(fac, "POST", "/api/exercises/"+ex+"/start", nil, nil); r.status != 200 {
		t.Fatalf("start: %d", r.status)
	}
	e.clock.Advance(2 * time.Minute) // scam_post (everyone), soc_alert (soc), ops_chat (comms)
	scam := wa.waitFor("scam_post", isInject("scam_post")).num("seq")
	ops := wa.waitFor("ops_chat", isInject("ops_chat")).num("seq")
	socAlert := wf.waitFor("soc_alert", isInject("soc_alert")).num("seq")

	send := func(w *wsClient, id string, seq int64, opened bool) frame {
		t.Helper()
		w.send(map[string]any{"type": "receipt", "id": id, "seq": seq, "opened": opened})
		return w.reply(id)
	}
	if f := send(wa, "r1", scam, false); f.str("type") != "ack" || f.num("seq") == 0 || f["duplicate"] != nil {
		t.Fatalf("first receipt: %v", f)
	}
	if f := send(wa, "r2", scam, false); f.str("type") != "ack" || f["duplicate"] != true {
		t.Fatalf("repeated receipt, new id: %v", f)
	}
	if f := send(wa, "r3", scam, true); f.str("type") != "ack" || f.num("seq") == 0 {
		t.Fatalf("opened: %v", f)
	}
	if f := send(wa, "r4", ops, false); f.str("type") != "ack" {
		t.Fatalf("ops_chat received: %v", f)
	}
	// Another team's inject, or a seq that is no inject: not found.
	for i, seq := range []int64{socAlert, 1, 9999} {
		if f := send(wa, "bad"+string(rune('a'+i)), seq, false); f.str("code") != "not_found" {
			t.Errorf("receipt for seq %d: %v", seq, f)
		}
	}
	// Only participants report receipts.
	wf.send(map[string]any{"type": "receipt", "id": "fr", "seq": scam})
	if f := wf.reply("fr"); f.str("code") != "forbidden" {
		t.Fatalf("facilitator receipt: %v", f)
	}
	// The REST door.
	if r := e.do(nil, "POST", "/api/exercises/"+ex+"/receipt", map[string]any{"seq": scam}, bearer(sol)); r.status != 200 {
		t.Fatalf("REST receipt: %d %s", r.status, r.body)
	}
	if r := e.do(nil, "POST", "/api/exercises/"+ex+"/receipt", map[string]any{"seq": ops}, bearer(sol)); r.status != 404 {
		t.Fatalf("REST receipt for another team's inject: %d %s", r.status, r.body)
	}
	if r := e.do(nil, "POST", "/api/exercises/"+ex+"/receipt", map[string]any{"seq": scam}, bearer(obs)); r.status != 403 {
		t.Fatalf("observer receipt: %d %s", r.status, r.body)
	}

	// Staff see the receipts live; the team does not.
	wf.waitFor("receipt event", func(f frame) bool {
		return f.str("type") == "event" && f.str("kind") == "inject_receipt" && f.payload()["opened"] == true
	})
	wf.send(map[string]any{"type": "speed", "id": "mark", "speed": 2})
	wa.waitFor("marker", isEvent("speed_changed"))
	for _, f := range wa.all() {
		if f.str("kind") == "inject_receipt" {
			t.Fatalf("a participant received a receipt event: %v", f)
		}
	}
	n := 0
	for _, f := range wf.all() {
		if f.str("kind") == "inject_receipt" {
			n++
		}
	}
	if n != 4 { // ann: scam received, scam opened, ops received; sol: scam received
		t.Fatalf("%d receipt events, want 4", n)
	}

	// The staff route: per inject, per team.
	var out struct {
		Injects []struct {
			Seq    int64  `json:"seq"`
			Inject string `json:"inject"`
			Teams  []struct {
				Team     string `json:"team"`
				Members  int    `json:"members"`
				Received []struct {
					Name string `json:"name"`
				} `json:"received"`
				Opened []struct {
					Name string `json:"name"`
				} `json:"opened"`
			} `json:"teams"`
		} `json:"injects"`
	}
	r := e.do(nil, "GET", "/api/exercises/"+ex+"/receipts", nil, bearer(obs))
	if r.status != 200 {
		t.Fatalf("observer receipts: %d %s", r.status, r.body)
	}
	if err := json.Unmarshal([]byte(r.body), &out); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, in := range out.Injects {
		for _, tm := range in.Teams {
			s := ""
			for _, x := range tm.Received {
				s += "r:" + x.Name + " "
			}
			for _, x := range tm.Opened {
				s += "o:" + x.Name + " "
			}
			got[in.Inject+"/"+tm.Team] = s + string(rune('0'+tm.Members))
		}
	}
	want := map[string]string{"scam_post/comms": "r:Ann o:Ann 2", "scam_post/soc": "r:Sol 1", "ops_chat/comms": "r:Ann 2", "soc_alert/soc": "1"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	if r := e.do(nil, "GET", "/api/exercises/"+ex+"/receipts", nil, bearer(ben)); r.status != 403 {
		t.Fatalf("participant reads receipts: %d", r.status)
	}
}
