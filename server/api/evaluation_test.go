package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/eval"
)

// TestEvaluationDoors: rate and corrective_action over a WebSocket and over
// REST, with the same refusals on both doors; observers rate as
// themselves, only the facilitator settles and plans, teams never judge;
// GET /evaluation shows ratings and the plan to the staff only.
func TestEvaluationDoors(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	ex, code := e.createExercise(fac)
	ann := e.joinAs(code, "Ann", "comms")
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
	wf, wo, wa := dial(fac, ""), dial(nil, obs), dial(nil, ann)
	type who struct {
		ws   *wsClient
		auth map[string]string
		c    *http.Client
	}
	roles := map[string]who{"facilitator": {wf, nil, fac}, "observer": {wo, bearer(obs), nil}, "participant": {wa, bearer(ann), nil}}
	paths := map[string]string{"rate": "/ratings", "corrective_action": "/corrective-actions"}
	n := 0
	// try sends the same body through both doors and checks both answers.
	try := func(name, role, typ string, body map[string]any, status int, code string) {
		t.Helper()
		n++
		e.clock.Advance(time.Second) // refills the message budget the two doors share
		r := roles[role]
		msg := map[string]any{"type": typ, "id": fmt.Sprintf("m%d", n)}
		for k, v := range body {
			msg[k] = v
		}
		r.ws.send(msg)
		f := r.ws.reply(fmt.Sprintf("m%d", n))
		if code == "" && f.str("type") != "ack" || code != "" && f.str("code") != code {
			t.Errorf("%s (%s, websocket): %v, want %q", name, role, f, code)
		}
		rb := map[string]any{"client_id": fmt.Sprintf("h%d", n)}
		for k, v := range body {
			rb[k] = v
		}
		res := e.do(r.c, "POST", "/api/exercises/"+ex+paths[typ], rb, r.auth)
		if res.status != status || code != "" && !strings.Contains(res.body, `"code":"`+code+`"`) {
			t.Errorf("%s (%s, REST): %d %s, want %d %q", name, role, res.status, res.body, status, code)
		}
	}
	rating := func(extra map[string]any) map[string]any {
		b := map[string]any{"objective": "inform", "rating": "S", "explanation": "Holding statement late"}
		for k, v := range extra {
			b[k] = v
		}
		return b
	}
	action := func(extra map[string]any) map[string]any {
		b := map[string]any{"action_id": "drill", "issue": "No pre-approved holding statement", "action": "Write templates", "element": "planning"}
		for k, v := range extra {
			b[k] = v
		}
		return b
	}
	for _, tc := range []struct {
		name, role, typ string
		body            map[string]any
		status          int
		code            string
	}{
		{"participant rates", "participant", "rate", rating(nil), 403, "forbidden"},
		{"participant plans", "participant", "corrective_action", action(nil), 403, "forbidden"},
		{"observer plans", "observer", "corrective_action", action(nil), 403, "forbidden"},
		{"observer settles", "observer", "rate", rating(map[string]any{"final": true}), 403, "forbidden"},
		{"unknown field", "observer", "rate", rating(map[string]any{"rater": "facilitator"}), 400, "bad_field"},
		{"bad rating", "observer", "rate", rating(map[string]any{"rating": "X"}), 400, "invalid"},
		{"no objective", "observer", "rate", rating(map[string]any{"objective": ""}), 400, "invalid"},
		{"unknown objective", "observer", "rate", rating(map[string]any{"objective": "nope"}), 404, "not_found"},
		{"long explanation", "observer", "rate", rating(map[string]any{"explanation": strings.Repeat("x", 4001)}), 400, "invalid"},
		{"too many strengths", "observer", "rate", rating(map[string]any{"strengths": make([]string, 21)}), 400, "invalid"},
		{"evidence not in the log", "observer", "rate", rating(map[string]any{"evidence": []int{99999}}), 400, "invalid"},
		{"evidence of the wrong type", "observer", "rate", rating(map[string]any{"evidence": []string{"1"}}), 400, "bad_field"},
		{"final withdrawal", "facilitator", "rate", rating(map[string]any{"rating": "", "final": true}), 400, "invalid"},
		{"no action id", "facilitator", "corrective_action", action(map[string]any{"action_id": ""}), 400, "invalid"},
		{"no issue", "facilitator", "corrective_action", action(map[string]any{"issue": " "}), 400, "invalid"},
		{"bad element", "facilitator", "corrective_action", action(map[string]any{"element": "luck"}), 400, "invalid"},
		{"bad date", "facilitator", "corrective_action", action(map[string]any{"due": "tomorrow"}), 400, "invalid"},
		{"delete unknown", "facilitator", "corrective_action", map[string]any{"action_id": "ghost", "deleted": true}, 404, "not_found"},
	} {
		try(tc.name, tc.role, tc.typ, tc.body, tc.status, tc.code)
	}

	// Accepted: after the end too.
	e.clock.Advance(2 * time.Second)
	if r := e.do(fac, "POST", "/api/exercises/"+ex+"/end", map[string]any{"reason": "time"}, nil); r.status != 200 {
		t.Fatalf("end: %d %s", r.status, r.body)
	}
	wo.send(map[string]any{"type": "rate", "id": "o1", "objective": "inform", "rating": "M", "strengths": []string{"clear tone"}, "evidence": []int{1}})
	if f := wo.reply("o1"); f.str("type") != "ack" || f.num("seq") == 0 {
		t.Fatalf("observer rating after the end: %v", f)
	}
	wo.send(map[string]any{"type": "rate", "id": "o1", "objective": "inform", "rating": "M"})
	if f := wo.waitFor("duplicate", func(f frame) bool { return f.str("id") == "o1" && f["duplicate"] == true }); f.num("seq") == 0 {
		t.Fatalf("duplicate: %v", f)
	}
	r := e.do(fac, "POST", "/api/exercises/"+ex+"/ratings", map[string]any{"client_id": "f1", "objective": "inform", "rating": "S", "final": true}, nil)
	if r.status != 200 || !strings.Contains(r.body, `"duplicate":false`) {
		t.Fatalf("final rating: %d %s", r.status, r.body)
	}
	r = e.do(fac, "POST", "/api/exercises/"+ex+"/corrective-actions", map[string]any{"client_id": "a1", "action_id": "tmpl",
		"objective": "inform", "issue": "No template", "action": "Write one", "due": "2027-03-01"}, nil)
	if r.status != 200 || !strings.Contains(r.body, `"version":1`) {
		t.Fatalf("corrective action: %d %s", r.status, r.body)
	}
	wf.send(map[string]any{"type": "corrective_action", "id": "a2", "action_id": "tmpl", "issue": "No template", "action": "Write two", "owner": "Comms"})
	if f := wf.reply("a2"); f.str("type") != "ack" || f.num("version") != 2 {
		t.Fatalf("second version over the socket: %v", f)
	}
	// REST retries by Idempotency-Key are acknowledged, not applied twice.
	e.clock.Advance(time.Second)
	hdr := map[string]string{"Idempotency-Key": "k-1"}
	body := map[string]any{"action_id": "tmpl", "issue": "No template", "action": "Write three"}
	first := e.do(fac, "POST", "/api/exercises/"+ex+"/corrective-actions", body, hdr)
	again := e.do(fac, "POST", "/api/exercises/"+ex+"/corrective-actions", body, hdr)
	if first.status != 200 || !strings.Contains(first.body, `"version":3`) || again.status != 200 ||
		!strings.Contains(again.body, `"duplicate":true`) || !strings.Contains(again.body, `"version":3`) {
		t.Fatalf("Idempotency-Key: %d %s / %d %s", first.status, first.body, again.status, again.body)
	}
	// The staff see the events; the team does not.
	wo.waitFor("observer sees the plan", func(f frame) bool {
		return f.str("kind") == "corrective_action_saved" && f.payload().num("version") == 2
	})
	wf.waitFor("facilitator sees the observer's rating", func(f frame) bool { return f.str("kind") == "rating_submitted" && f.payload().str("rating") == "M" })

	// GET /evaluation: staff only.
	for _, c := range []struct {
		name   string
		c      *http.Client
		auth   map[string]string
		status int
	}{{"facilitator", fac, nil, 200}, {"observer", nil, bearer(obs), 200}, {"participant", nil, bearer(ann), 403}, {"nobody", nil, nil, 401}} {
		r := e.do(c.c, "GET", "/api/exercises/"+ex+"/evaluation", nil, c.auth)
		if r.status != c.status {
			t.Errorf("GET /evaluation as %s: %d %s", c.name, r.status, r.body)
			continue
		}
		if r.status != 200 {
			continue
		}
		var out struct{ Evaluation eval.Evaluation }
		if err := json.Unmarshal([]byte(r.body), &out); err != nil {
			t.Fatal(err)
		}
		var inform *eval.ObjectiveEval
		for i := range out.Evaluation.Objectives {
			if out.Evaluation.Objectives[i].ID == "inform" {
				inform = &out.Evaluation.Objectives[i]
			}
		}
		if inform == nil || len(inform.Ratings) != 2 || inform.Final == nil || inform.Final.Rating != eval.SomeChallenges {
			t.Fatalf("%s: objective inform %+v", c.name, inform)
		}
		if inform.Ratings[0].RaterName != "Olga" || inform.Ratings[0].Rating != eval.MajorChallenges || inform.Ratings[1].Rater != "facilitator" {
			t.Errorf("%s: ratings %+v", c.name, inform.Ratings)
		}
		if p := out.Evaluation.Plan; len(p) != 1 || p[0].Version != 3 || p[0].Action != "Write three" || p[0].Capability != "Public Information and Warning" && p[0].Capability != "" {
			t.Errorf("%s: plan %+v", c.name, p)
		}
	}
	for _, f := range wa.all() {
		if k := f.str("kind"); k == "rating_submitted" || k == "corrective_action_saved" {
			t.Fatalf("a participant received %s", k)
		}
	}
	r = e.do(fac, "GET", "/api/exercises/"+ex+"/report", nil, nil)
	if r.status != 200 || !strings.Contains(r.body, `"evaluation":{"objectives":`) {
		t.Fatalf("report without evaluation: %d %.300s", r.status, r.body)
	}
}
