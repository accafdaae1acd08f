package api

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/engine"
)

// newWorldEnv starts an exercise of the engine's world scenario (outlets
// with approval, an inject taking replies, a reachable persona, a chat
// line) with Ann and Cat (comms), Lee (legal), Sol (soc), an observer and
// the facilitator, each on a WebSocket.
func newWorldEnv(t *testing.T) (*testEnv, string, map[string]string, map[string]*wsClient) {
	t.Helper()
	e := newEnv(t)
	fac := e.login()
	ex, err := e.eng.Create(context.Background(), engine.CreateInput{File: "world.yaml", Source: readFile(t, "../engine/testdata/world.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.SetJoinCode(context.Background(), ex.ID, "WQRDWQRD"); err != nil {
		t.Fatal(err)
	}
	toks := map[string]string{
		"ann": e.joinAs("WQRDWQRD", "Ann", "comms"), "cat": e.joinAs("WQRDWQRD", "Cat", "comms"),
		"lee": e.joinAs("WQRDWQRD", "Lee", "legal"), "sol": e.joinAs("WQRDWQRD", "Sol", "soc"),
	}
	toks["obs"] = e.observer(fac, ex.ID)
	conns := map[string]*wsClient{}
	for name, tok := range toks {
		w, _, err := e.dial(nil, tok, ex.ID, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		conns[name] = w
	}
	wf, _, err := e.dial(fac, "", ex.ID, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	conns["fac"] = wf
	for _, w := range conns {
		w.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
	}
	wf.send(map[string]any{"type": "start", "id": "go"})
	if f := wf.reply("go"); f.str("type") != "ack" {
		t.Fatalf("start: %v", f)
	}
	return e, ex.ID, toks, conns
}

func kindsSeen(w *wsClient) map[string]int {
	out := map[string]int{}
	for _, f := range w.all() {
		if f.str("type") == "event" {
			k := f.str("kind")
			if k == "message_sent" || k == "message_submitted" {
				k += "/" + f.payload().str("action")
			}
			out[k]++
		}
	}
	return out
}

// TestDraftApproveSendOverWebSockets plays drafting, approval, publishing,
// a reply and a persona's answer over real WebSockets and HTTP, and checks
// who receives what: another team never gets a team's drafts, approvals,
// replies or persona answers, live or on catch-up; the approver team gets
// the request; every team gets the publication; staff get everything.
func TestDraftApproveSendOverWebSockets(t *testing.T) {
	e, ex, toks, c := newWorldEnv(t)
	wa, wl, wf := c["ann"], c["lee"], c["fac"]
	// A reply and the reporter's answer stay with comms.
	e.clock.Advance(time.Minute)
	wa.waitFor("the email", isInject("email"))
	wa.send(map[string]any{"type": "send", "id": "s2", "action": "reply", "inject": "email", "body": "A statement is on our newsroom."})
	if f := wa.reply("s2"); f.str("type") != "ack" || f.str("thread") != "email" {
		t.Fatalf("reply: %v", f)
	}
	c["sol"].send(map[string]any{"type": "send", "id": "x1", "action": "reply", "inject": "email", "body": "me too"})
	if f := c["sol"].reply("x1"); f.str("code") != "not_allowed" {
		t.Fatalf("soc replies to comms' email: %v", f)
	}
	r := e.do(e.login(), "GET", "/api/exercises/"+ex+"/canned?team=comms&thread=email", nil, nil)
	if r.status != 200 || !strings.Contains(r.body, `"id":"quote"`) || !strings.Contains(r.body, `Can I quote Acme?`) {
		t.Fatalf("canned: %d %s", r.status, r.body)
	}
	if r := e.do(nil, "GET", "/api/exercises/"+ex+"/canned?team=comms&thread=email", nil, bearer(toks["ann"])); r.status != 403 {
		t.Fatalf("canned as a participant: %d", r.status)
	}
	wf.send(map[string]any{"type": "persona_send", "id": "ps", "persona": "reporter", "team": "comms", "thread": "email", "canned": "quote"})
	if f := wf.reply("ps"); f.str("type") != "ack" {
		t.Fatalf("persona_send: %v", f)
	}
	wa.waitFor("the reporter's answer", func(f frame) bool {
		return f.str("kind") == "message_sent" && f.payload().str("action") == "persona" && f.payload().str("body") == "Can I quote Acme?"
	})
	wa.send(map[string]any{"type": "persona_send", "id": "ps2", "persona": "reporter", "team": "comms", "thread": "email", "body": "x"})
	if f := wa.reply("ps2"); f.str("code") != "forbidden" {
		t.Fatalf("persona_send by a participant: %v", f)
	}

	wa.send(map[string]any{"type": "draft", "id": "d1", "action": "publish", "outlet": "newsroom", "title": "Statement", "body": "We are aware."})
	d1 := wa.reply("d1")
	draft := d1.str("draft")
	if d1.str("type") != "ack" || draft == "" || d1.num("version") != 1 {
		t.Fatalf("draft ack: %v", d1)
	}
	r = e.do(nil, "POST", "/api/exercises/"+ex+"/draft", map[string]any{"client_id": "d2", "draft": draft, "action": "publish", "outlet": "newsroom",
		"title": "Statement", "body": "We are aware and investigating."}, bearer(toks["cat"]))
	if r.status != 200 || !strings.Contains(r.body, `"version":2`) {
		t.Fatalf("REST draft: %d %s", r.status, r.body)
	}
	wa.send(map[string]any{"type": "send", "id": "s0", "draft": draft})
	if f := wa.reply("s0"); f.str("code") != "needs_approval" {
		t.Fatalf("send before approval: %v", f)
	}
	if r := e.do(nil, "POST", "/api/exercises/"+ex+"/send", map[string]any{"draft": draft}, bearer(toks["cat"])); r.status != 409 || !strings.Contains(r.body, "needs_approval") {
		t.Fatalf("REST send before approval: %d %s", r.status, r.body)
	}
	wa.send(map[string]any{"type": "request_approval", "id": "ra", "draft": draft})
	if f := wa.reply("ra"); f.str("type") != "ack" {
		t.Fatalf("request approval: %v", f)
	}
	req := wl.waitFor("legal gets the request", isEvent("approval_requested")).payload()
	if req.str("body") != "We are aware and investigating." || req.str("name") != "Ann" || req.num("version") != 2 {
		t.Fatalf("approval_requested: %v", req)
	}
	wl.send(map[string]any{"type": "approve", "id": "ap1", "draft": draft, "version": 1})
	if f := wl.reply("ap1"); f.str("code") != "stale_draft" {
		t.Fatalf("approve v1: %v", f)
	}
	wl.send(map[string]any{"type": "approve", "id": "ap2", "draft": draft, "version": 2, "comment": "Fine by legal."})
	if f := wl.reply("ap2"); f.str("type") != "ack" {
		t.Fatalf("approve v2: %v", f)
	}
	wa.waitFor("comms sees the approval", isEvent("draft_approved"))
	wa.send(map[string]any{"type": "send", "id": "s1", "draft": draft})
	s1 := wa.reply("s1")
	if s1.str("type") != "ack" || s1.str("message") == "" || s1.str("thread") != s1.str("message") {
		t.Fatalf("publish: %v", s1)
	}
	for _, name := range []string{"ann", "lee", "sol", "obs", "fac"} {
		p := c[name].waitFor(name+" sees the statement", func(f frame) bool {
			return f.str("kind") == "message_sent" && f.payload().str("action") == "publish"
		}).payload()
		if p.str("outlet_name") != "Acme newsroom" || p.str("approved_by") == "" || p.str("drafted_by") == "" {
			t.Errorf("%s: publication %v", name, p)
		}
	}

	// The statement and the reply end the exercise: outcome_reached, which
	// every team sees, comes after everything else.
	for _, name := range []string{"ann", "lee", "sol", "obs"} {
		c[name].waitFor("the outcome", isEvent("outcome_reached"))
	}
	check := func(name string, got map[string]int, want map[string]int) {
		t.Helper()
		for k, n := range want {
			if got[k] != n {
				t.Errorf("%s: %d %s, want %d (all: %v)", name, got[k], k, n, got)
			}
		}
	}
	private := map[string]int{"draft_saved": 0, "approval_requested": 0, "draft_approved": 0, "message_submitted/reply": 0,
		"message_sent/reply": 0, "message_sent/persona": 0, "message_submitted/persona": 0}
	check("sol", kindsSeen(c["sol"]), private)
	check("sol", kindsSeen(c["sol"]), map[string]int{"message_sent/publish": 1, "message_submitted/publish": 1})
	check("lee", kindsSeen(wl), map[string]int{"draft_saved": 0, "approval_requested": 1, "draft_approved": 1, "message_sent/reply": 0, "message_sent/publish": 1})
	check("ann", kindsSeen(wa), map[string]int{"draft_saved": 2, "approval_requested": 1, "draft_approved": 1, "message_sent/reply": 1, "message_sent/persona": 1})
	check("obs", kindsSeen(c["obs"]), map[string]int{"draft_saved": 2, "approval_requested": 1, "message_sent/reply": 1, "message_sent/persona": 1})
	// Catch-up filters the same way.
	again, _, err := e.dial(nil, toks["sol"], ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	again.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
	check("sol after a reload", kindsSeen(again), private)
	ev := e.do(nil, "GET", "/api/exercises/"+ex+"/events?limit=1000", nil, bearer(toks["sol"]))
	for _, s := range []string{"A statement is on our newsroom", "Can I quote"} {
		if strings.Contains(ev.body, s) {
			t.Errorf("sol's event page holds %q", s)
		}
	}
	if strings.Contains(ev.body, "draft_saved") || strings.Contains(ev.body, "approval_requested") {
		t.Errorf("sol's event page holds drafts")
	}
}

// TestReportWorld: the report lists what teams said in the world with who
// and when, the latency from what prompted it, the chat room by room, and
// the receipts.
func TestReportWorld(t *testing.T) {
	e, ex, _, c := newWorldEnv(t)
	wa, wf := c["ann"], c["fac"]
	e.clock.Advance(time.Minute)
	email := wa.waitFor("the email", isInject("email")).num("seq")
	wa.send(map[string]any{"type": "receipt", "id": "rc", "seq": email, "opened": true})
	wa.reply("rc")
	e.clock.Advance(30 * time.Second)
	wa.send(map[string]any{"type": "send", "id": "s1", "action": "reply", "inject": "email", "body": "Statement soon."})
	if f := wa.reply("s1"); f.str("type") != "ack" {
		t.Fatalf("reply: %v", f)
	}
	e.clock.Advance(10 * time.Second)
	wf.send(map[string]any{"type": "persona_send", "id": "p1", "persona": "reporter", "team": "comms", "thread": "email", "body": "When?"})
	wf.reply("p1")
	wa.send(map[string]any{"type": "chat", "id": "c1", "room": "team:comms", "body": "I answered Dana"})
	wa.reply("c1")
	c["lee"].send(map[string]any{"type": "chat", "id": "c2", "room": "line:comms:legal", "body": "Show me first next time"})
	c["lee"].reply("c2")
	var rep struct {
		World struct {
			Messages []struct {
				Action  string `json:"action"`
				Name    string `json:"name"`
				Body    string `json:"body"`
				Latency *int64 `json:"latency"`
				Prompt  *struct {
					Kind   string `json:"kind"`
					Inject string `json:"inject"`
				} `json:"prompt"`
			} `json:"messages"`
			Chat []struct {
				Room  string `json:"room"`
				Lines []struct {
					Name string `json:"name"`
					Body string `json:"body"`
				} `json:"lines"`
			} `json:"chat"`
		} `json:"world"`
		Receipts []struct {
			Inject string `json:"inject"`
			Teams  []struct {
				Opened []struct {
					Name string `json:"name"`
				} `json:"opened"`
			} `json:"teams"`
		} `json:"receipts"`
	}
	r := e.do(e.login(), "GET", "/api/exercises/"+ex+"/report", nil, nil)
	if r.status != 200 {
		t.Fatalf("report: %d %s", r.status, r.body)
	}
	r.json(t, &rep)
	m := rep.World.Messages
	if len(m) != 2 || m[0].Action != "reply" || m[0].Name != "Ann" || m[0].Prompt == nil || m[0].Prompt.Inject != "email" ||
		m[0].Latency == nil || time.Duration(*m[0].Latency) != 30*time.Second {
		t.Fatalf("the reply in the report: %+v", m)
	}
	if m[1].Action != "persona" || m[1].Prompt == nil || m[1].Prompt.Kind != "message_sent" || time.Duration(*m[1].Latency) != 10*time.Second {
		t.Fatalf("the persona's answer in the report: %+v", m[1])
	}
	if ch := rep.World.Chat; len(ch) != 2 || ch[0].Room != "team:comms" || ch[0].Lines[0].Name != "Ann" || ch[1].Room != "line:comms:legal" ||
		ch[1].Lines[0].Body != "Show me first next time" {
		t.Fatalf("chat in the report: %+v", ch)
	}
	if len(rep.Receipts) != 1 || rep.Receipts[0].Inject != "email" || len(rep.Receipts[0].Teams) != 1 || len(rep.Receipts[0].Teams[0].Opened) != 1 {
		t.Fatalf("receipts in the report: %+v", rep.Receipts)
	}
}

// TestParticipantWorldInfo: a participant's GET says what the scenario
// lets the team do in the world, and only the injects delivered so far.
func TestParticipantWorldInfo(t *testing.T) {
	e, ex, toks, c := newWorldEnv(t)
	get := func(name string) worldInfo {
		t.Helper()
		var out struct {
			World worldInfo `json:"world"`
		}
		e.do(nil, "GET", "/api/exercises/"+ex, nil, bearer(toks[name])).json(t, &out)
		return out.World
	}
	ids := func(w worldInfo) string {
		var s []string
		for _, o := range w.Outlets {
			s = append(s, "outlet:"+o.ID+"/"+o.Name+"/"+o.Approval)
		}
		for _, p := range w.Personas {
			s = append(s, "persona:"+p.ID+"/"+p.Via)
		}
		for _, l := range w.Lines {
			s = append(s, "line:"+l)
		}
		for _, r := range w.Replies {
			s = append(s, "reply:"+r)
		}
		return strings.Join(s, " ")
	}
	for name, want := range map[string]string{
		"ann": "outlet:newsroom/Acme newsroom/legal outlet:backup/Backup account/lead line:legal",
		"lee": "outlet:newsroom/Acme newsroom/legal line:comms",
		"sol": "outlet:status/Status/ persona:support/ticket",
	} {
		if got := ids(get(name)); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	e.clock.Advance(time.Minute)
	c["ann"].waitFor("the email", isInject("email"))
	if got := get("ann").Replies; len(got) != 1 || got[0] != "email" {
		t.Errorf("ann's replies once the email is in: %v", got)
	}
	if got := get("sol").Replies; len(got) != 0 {
		t.Errorf("sol's replies: %v", got)
	}
}
