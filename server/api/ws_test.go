package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/ttxsim/ttx/server/hub"
)

// frame is a decoded server frame.
type frame map[string]any

func (f frame) str(k string) string {
	s, _ := f[k].(string)
	return s
}

func (f frame) num(k string) int64 {
	n, _ := f[k].(float64)
	return int64(n)
}

func (f frame) payload() frame {
	p, _ := f["payload"].(map[string]any)
	return p
}

// wsClient reads every frame of one connection in the background.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn

	mu        sync.Mutex
	frames    []frame
	notify    chan struct{}
	done      chan struct{}
	closeCode int
	wait      time.Duration // how long waitFor waits; 0: 10 s
}

// dial opens the WebSocket of exercise ex after seq, authenticated by
// the client's cookies, a token (sent as a subprotocol) or neither.
func (e *testEnv) dial(c *http.Client, token, ex string, after int64, hdr http.Header) (*wsClient, *http.Response, error) {
	e.t.Helper()
	u := strings.Replace(e.ts.URL, "http", "ws", 1) + fmt.Sprintf("/api/ws?exercise=%s&after=%d", url.QueryEscape(ex), after)
	wait := e.wsWait
	if wait <= 0 {
		wait = 10 * time.Second
	}
	d := websocket.Dialer{HandshakeTimeout: wait, Subprotocols: []string{Subprotocol}}
	if token != "" {
		d.Subprotocols = append(d.Subprotocols, subprotocolTokenPrefix+token)
	}
	if c != nil {
		d.Jar = c.Jar
	}
	if hdr == nil {
		hdr = http.Header{}
	}
	conn, res, err := d.Dial(u, hdr)
	if err != nil {
		return nil, res, err
	}
	w := &wsClient{t: e.t, conn: conn, notify: make(chan struct{}, 1), done: make(chan struct{}), wait: wait}
	go w.read()
	e.t.Cleanup(func() { conn.Close() })
	return w, res, nil
}

func (w *wsClient) read() {
	defer close(w.done)
	for {
		_, data, err := w.conn.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			w.mu.Lock()
			if errors.As(err, &ce) {
				w.closeCode = ce.Code
			} else {
				w.closeCode = -1
			}
			w.mu.Unlock()
			return
		}
		var f frame
		if err := json.Unmarshal(data, &f); err != nil {
			f = frame{"type": "undecodable", "raw": string(data)}
		}
		w.mu.Lock()
		w.frames = append(w.frames, f)
		w.mu.Unlock()
		select {
		case w.notify <- struct{}{}:
		default:
		}
	}
}

// waitFor returns the first frame matching pred, waiting up to the
// client's wait (10 s unless its testEnv says otherwise).
func (w *wsClient) waitFor(what string, pred func(frame) bool) frame {
	w.t.Helper()
	wait := w.wait
	if wait <= 0 {
		wait = 10 * time.Second
	}
	deadline := time.After(wait)
	for {
		w.mu.Lock()
		for _, f := range w.frames {
			if pred(f) {
				w.mu.Unlock()
				return f
			}
		}
		w.mu.Unlock()
		select {
		case <-w.notify:
		case <-w.done:
			w.mu.Lock()
			for _, f := range w.frames {
				if pred(f) {
					w.mu.Unlock()
					return f
				}
			}
			code := w.closeCode
			w.mu.Unlock()
			w.t.Fatalf("connection closed (%d) before %s", code, what)
		case <-deadline:
			w.t.Fatalf("timed out waiting for %s; got %v", what, w.all())
		}
	}
}

// waitClosed waits for the close code, up to d.
func (w *wsClient) waitClosed(d time.Duration) int {
	w.t.Helper()
	select {
	case <-w.done:
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.closeCode
	case <-time.After(d):
		w.t.Fatalf("still open after %v", d)
		return 0
	}
}

func (w *wsClient) all() []frame {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.frames)
}

func (w *wsClient) send(v any) {
	w.t.Helper()
	var data []byte
	switch b := v.(type) {
	case string:
		data = []byte(b)
	default:
		data, _ = json.Marshal(v)
	}
	if err := w.conn.WriteMessage(websocket.TextMessage, data); err != nil {
		w.t.Fatalf("send: %v", err)
	}
}

// reply waits for the ack or error frame answering message id.
func (w *wsClient) reply(id string) frame {
	w.t.Helper()
	return w.waitFor("reply to "+id, func(f frame) bool {
		return (f.str("type") == "ack" || f.str("type") == "error") && f.str("id") == id
	})
}

// injects lists the inject ids delivered to the client, in arrival order.
func (w *wsClient) injects() []string {
	var out []string
	for _, f := range w.all() {
		if f.str("type") == "event" && f.str("kind") == "inject_delivered" {
			out = append(out, f.payload().str("inject"))
		}
	}
	return out
}

// seqs checks that event frames arrive in strictly increasing order without
// duplicates and returns them.
func (w *wsClient) seqs() []int64 {
	w.t.Helper()
	var out []int64
	for _, f := range w.all() {
		if f.str("type") == "event" {
			s := f.num("seq")
			if len(out) > 0 && s <= out[len(out)-1] {
				w.t.Fatalf("seq %d after %d", s, out[len(out)-1])
			}
			out = append(out, s)
		}
	}
	return out
}

// presenceOf is what a presence frame says of the participant called
// name: "online", "offline", or "" when it does not mention them.
func presenceOf(f frame, name string) string {
	if f.str("type") != "presence" {
		return ""
	}
	changes, _ := f["changes"].([]any)
	for _, c := range changes {
		if c, _ := c.(map[string]any); c["name"] == name {
			if c["online"] == true {
				return "online"
			}
			return "offline"
		}
	}
	return ""
}

// teamOnline is the count a presence frame gives for team, or -1.
func teamOnline(f frame, team string) int {
	if f.str("type") != "presence" {
		return -1
	}
	teams, _ := f["teams"].(map[string]any)
	n, ok := teams[team].(float64)
	if !ok {
		return -1
	}
	return int(n)
}

func isEvent(kind string) func(frame) bool {
	return func(f frame) bool { return f.str("type") == "event" && f.str("kind") == kind }
}

func isInject(id string) func(frame) bool {
	return func(f frame) bool {
		return f.str("type") == "event" && f.str("kind") == "inject_delivered" && f.payload().str("inject") == id
	}
}

// createExercise creates an exercise over HTTP and returns its id and code.
func (e *testEnv) createExercise(fac *http.Client) (id, code string) {
	e.t.Helper()
	r := e.do(fac, "POST", "/api/exercises", map[string]any{"scenario": "example-hijacked-account", "params": map[string]string{"company": "Acme"}}, nil)
	if r.status != http.StatusCreated {
		e.t.Fatalf("create: %d %s", r.status, r.body)
	}
	var out struct {
		Exercise exerciseView `json:"exercise"`
	}
	r.json(e.t, &out)
	if out.Exercise.Join == nil || len(out.Exercise.Join.Code) != joinCodeLen {
		e.t.Fatalf("no join code: %s", r.body)
	}
	return out.Exercise.ID, out.Exercise.Join.Code
}

// TestPlayThroughOverWebSockets plays scenarios/example.yaml with a
// facilitator, two teams and an observer over real HTTP and WebSockets.
func TestPlayThroughOverWebSockets(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	ex, code := e.createExercise(fac)
	comms := e.joinAs(code, "Casey", "comms")
	soc := e.joinAs(code, "Sol", "soc")
	obs := e.observer(fac, ex)

	fw, _, err := e.dial(fac, "", ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	cw, res, err := e.dial(nil, comms, ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Header.Get("Sec-WebSocket-Protocol") != Subprotocol {
		t.Fatalf("selected subprotocol %q", res.Header.Get("Sec-WebSocket-Protocol"))
	}
	sw, _, err := e.dial(nil, soc, ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The observer uses the query parameter (the access log masks it).
	ou := strings.Replace(e.ts.URL, "http", "ws", 1) + "/api/ws?exercise=" + ex + "&token=" + url.QueryEscape(obs)
	oconn, _, err := websocket.DefaultDialer.Dial(ou, nil)
	if err != nil {
		t.Fatal(err)
	}
	ow := &wsClient{t: t, conn: oconn, notify: make(chan struct{}, 1), done: make(chan struct{})}
	go ow.read()
	t.Cleanup(func() { oconn.Close() })

	for _, w := range []*wsClient{fw, cw, sw, ow} {
		w.waitFor("hello", func(f frame) bool { return f.str("type") == "hello" })
		w.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
	}
	hello := cw.waitFor("hello", func(f frame) bool { return f.str("type") == "hello" })
	if hello.str("role") != "participant" || hello.str("team") != "comms" || hello.str("exercise") != ex {
		t.Fatalf("hello = %v", hello)
	}
	// The facilitator sees both participants come online.
	fw.waitFor("presence of Sol", func(f frame) bool { return presenceOf(f, "Sol") == "online" })

	// Participants and observers cannot steer.
	cw.send(map[string]any{"type": "start", "id": "c-start"})
	if f := cw.reply("c-start"); f.str("type") != "error" || f.str("code") != "forbidden" {
		t.Fatalf("participant start: %v", f)
	}
	ow.send(map[string]any{"type": "pause", "id": "o-pause"})
	if f := ow.reply("o-pause"); f.str("code") != "forbidden" {
		t.Fatalf("observer pause: %v", f)
	}

	fw.send(map[string]any{"type": "start", "id": "f-start"})
	if f := fw.reply("f-start"); f.str("type") != "ack" {
		t.Fatalf("start: %v", f)
	}
	fw.waitFor("scam_post", isInject("scam_post"))
	for i := 1; i <= 4; i++ {
		e.clock.Advance(time.Minute)
		want := map[int]string{1: "soc_alert", 2: "ops_chat", 4: "press_email"}[i]
		if want != "" {
			fw.waitFor(want, isInject(want))
		}
	}
	// Ad-hoc injects: one for the facilitator alone, one for comms.
	fw.send(map[string]any{"type": "inject", "id": "f-inj-1", "inject": map[string]any{
		"id": "fac_only", "teams": []string{"facilitator"}, "channel": "sitrep", "body": "Customers are sending money."}})
	if f := fw.reply("f-inj-1"); f.str("type") != "ack" {
		t.Fatalf("inject: %v", f)
	}
	fw.send(map[string]any{"type": "inject", "id": "f-inj-2", "inject": map[string]any{
		"id": "adhoc_comms", "teams": []string{"comms"}, "channel": "email", "title": "From legal", "body": "Call us."}})
	if f := fw.reply("f-inj-2"); f.str("type") != "ack" {
		t.Fatalf("inject: %v", f)
	}
	cw.waitFor("adhoc_comms", isInject("adhoc_comms"))
	// The SOC (its lead) answers over the socket; the ack comes after commit.
	sw.waitFor("lock_account opened", func(f frame) bool {
		return f.str("kind") == "decision_opened" && f.payload().str("decision") == "lock_account"
	})
	// Comms cannot answer for the SOC.
	cw.send(map[string]any{"type": "answer", "id": "c-ans", "decision": "lock_account", "option": "revoke"})
	if f := cw.reply("c-ans"); f.str("type") != "error" || f.str("code") != "forbidden" {
		t.Fatalf("answer for another team: %v", f)
	}
	sw.send(map[string]any{"type": "answer", "id": "s-ans-1", "decision": "lock_account", "option": "revoke", "confidence": 4, "rationale": "fast"})
	ack := sw.reply("s-ans-1")
	if ack.str("type") != "ack" || ack.num("seq") == 0 {
		t.Fatalf("answer ack: %v", ack)
	}
	// Resubmitting the same id returns the original ack.
	sw.send(map[string]any{"type": "answer", "id": "s-ans-1", "decision": "lock_account", "option": "revoke"})
	var dup frame
	sw.waitFor("duplicate ack", func(f frame) bool {
		if f.str("type") == "ack" && f.str("id") == "s-ans-1" && f["duplicate"] == true {
			dup = f
			return true
		}
		return false
	})
	if dup.num("seq") != ack.num("seq") {
		t.Fatalf("duplicate ack seq %d, want %d", dup.num("seq"), ack.num("seq"))
	}

	// The answer is revisable until the time limit; the facilitator closes
	// the decision early and the scenario moves on.
	fw.send(map[string]any{"type": "close_decision", "id": "f-close", "decision": "lock_account"})
	if f := fw.reply("f-close"); f.str("type") != "ack" {
		t.Fatalf("close decision: %v", f)
	}
	for _, w := range []*wsClient{fw, cw, sw, ow} {
		w.waitFor("outcome", isEvent("outcome_reached"))
	}
	if f := fw.waitFor("outcome", isEvent("outcome_reached")); f.payload().str("outcome") != "contained" {
		t.Fatalf("outcome %v", f)
	}
	// Observers add notes; facilitator notes stay with the facilitator.
	ow.send(map[string]any{"type": "note", "id": "o-note", "text": "SOC locked it fast", "team": "soc", "objective": "recover"})
	if f := ow.reply("o-note"); f.str("type") != "ack" {
		t.Fatalf("observer note: %v", f)
	}
	fw.send(map[string]any{"type": "note", "id": "f-note", "text": "private: comms was slow"})
	if f := fw.reply("f-note"); f.str("type") != "ack" {
		t.Fatalf("facilitator note: %v", f)
	}
	fw.waitFor("observer note", func(f frame) bool { return f.str("kind") == "note_added" && f.payload().str("author") == "Olga" })
	fw.waitFor("own note", func(f frame) bool {
		return f.str("kind") == "note_added" && strings.HasPrefix(f.payload().str("author"), facilitatorNotePrefix)
	})
	ow.waitFor("observer note", func(f frame) bool { return f.str("kind") == "note_added" && f.payload().str("author") == "Olga" })

	// Each one got exactly its injects, in order.
	for _, tc := range []struct {
		name string
		w    *wsClient
		want []string
	}{
		{"facilitator", fw, []string{"scam_post", "soc_alert", "ops_chat", "press_email", "fac_only", "adhoc_comms"}},
		{"observer", ow, []string{"scam_post", "soc_alert", "ops_chat", "press_email", "adhoc_comms"}},
		{"comms", cw, []string{"scam_post", "ops_chat", "press_email", "adhoc_comms"}},
		{"soc", sw, []string{"scam_post", "soc_alert"}},
	} {
		if got := tc.w.injects(); !slices.Equal(got, tc.want) {
			t.Errorf("%s injects = %v, want %v", tc.name, got, tc.want)
		}
		tc.w.seqs()
	}
	for _, f := range cw.all() {
		if f.str("kind") == "note_added" || f.str("kind") == "decision_opened" && f.payload().str("team") != "comms" ||
			f["audience"] != nil {
			t.Errorf("comms got %v", f)
		}
	}
	for _, f := range ow.all() {
		if f.str("kind") == "note_added" && strings.HasPrefix(f.payload().str("author"), facilitatorNotePrefix) {
			t.Errorf("observer got a facilitator note: %v", f)
		}
	}

	// Reconnect: a participant resumes after the first inject it saw and
	// gets the rest, nothing twice; the REST log agrees.
	first := cw.waitFor("scam_post", isInject("scam_post")).num("seq")
	rw, _, err := e.dial(nil, comms, ex, first, nil)
	if err != nil {
		t.Fatal(err)
	}
	rw.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
	if got := rw.injects(); !slices.Equal(got, []string{"ops_chat", "press_email", "adhoc_comms"}) {
		t.Errorf("resumed injects = %v", got)
	}
	live := rw.waitFor("live", func(f frame) bool { return f.str("type") == "live" }).num("last_seq")
	// At the current position: nothing to replay.
	cur, _, err := e.dial(nil, comms, ex, live, nil)
	if err != nil {
		t.Fatal(err)
	}
	cur.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
	if n := len(cur.seqs()); n != 0 {
		t.Errorf("resume at the end replayed %d events", n)
	}
	// Beyond the log: reset and full replay.
	fut, _, err := e.dial(nil, comms, ex, live+1000, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := fut.waitFor("hello", func(f frame) bool { return f.str("type") == "hello" })
	fut.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
	if h["reset"] != true || !slices.Equal(fut.injects(), []string{"scam_post", "ops_chat", "press_email", "adhoc_comms"}) {
		t.Errorf("future after: hello %v, injects %v", h, fut.injects())
	}

	r := e.do(nil, "GET", "/api/exercises/"+ex+"/events?limit=1000", nil, bearer(comms))
	var page struct {
		Events []frame `json:"events"`
	}
	r.json(t, &page)
	var restInjects []string
	for _, f := range page.Events {
		if f.str("kind") == "inject_delivered" {
			restInjects = append(restInjects, f.payload().str("inject"))
		}
	}
	if !slices.Equal(restInjects, []string{"scam_post", "ops_chat", "press_email", "adhoc_comms"}) {
		t.Errorf("REST log for comms = %v", restInjects)
	}
	// The access log never shows the observer's token.
	if strings.Contains(e.logs.String(), obs[2:]) {
		t.Error("a token reached the log")
	}
}

func TestWebSocketAuthBeforeUpgrade(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	ex, code := e.createExercise(fac)
	other, _ := e.createExercise(fac)
	ptok := e.joinAs(code, "Pat", "comms")
	host := strings.TrimPrefix(e.ts.URL, "http://")

	for _, tc := range []struct {
		name   string
		client *http.Client
		token  string
		ex     string
		after  int64
		hdr    http.Header
		want   int
	}{
		{"no credential", nil, "", ex, 0, nil, 401},
		{"bad token", nil, participantPrefix + newSecret(), ex, 0, nil, 401},
		{"garbage token", nil, "p.x", ex, 0, nil, 401},
		{"token of another exercise", nil, ptok, other, 0, nil, 403},
		{"unknown exercise", fac, "", "nope", 0, nil, 404},
		{"negative after", fac, "", ex, -1, nil, 400},
		{"cross-origin browser", fac, "", ex, 0, http.Header{"Origin": {"https://evil.example"}}, 403},
		{"same origin", fac, "", ex, 0, http.Header{"Origin": {"http://" + host}}, 101},
		{"participant", nil, ptok, ex, 0, nil, 101},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, res, err := e.dial(tc.client, tc.token, tc.ex, tc.after, tc.hdr)
			if tc.want == 101 {
				if err != nil {
					t.Fatalf("dial: %v", err)
				}
				w.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
				return
			}
			if err == nil {
				t.Fatal("upgraded; want refusal")
			}
			if res == nil || res.StatusCode != tc.want {
				t.Fatalf("status %v, want %d (%v)", res, tc.want, err)
			}
		})
	}
}

func TestLogoutClosesSocketsWithinOneSecond(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	ex, _ := e.createExercise(fac)
	other := e.login() // a second session of the same account stays up
	w1, _, err := e.dial(fac, "", ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	w2, _, err := e.dial(other, "", ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	w1.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
	w2.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
	start := time.Now()
	if r := e.do(fac, "POST", "/api/auth/logout", nil, nil); r.status != 204 {
		t.Fatalf("logout: %d", r.status)
	}
	if code := w1.waitClosed(time.Second); code != hub.CloseSessionEnded {
		t.Fatalf("close code %d, want %d", code, hub.CloseSessionEnded)
	}
	t.Logf("socket closed %v after logout", time.Since(start))
	// The other session's socket is untouched.
	w2.send(map[string]any{"type": "presence", "id": "p1", "status": "active"})
	if f := w2.reply("p1"); f.str("type") != "ack" {
		t.Fatalf("other session: %v", f)
	}
	// Revoking an observer closes its socket too.
	otok := e.observer(other, ex)
	ow, _, err := e.dial(nil, otok, ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	ow.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
	var list struct {
		Observers []observerInfo `json:"observers"`
	}
	e.do(other, "GET", "/api/exercises/"+ex+"/observers", nil, nil).json(t, &list)
	if r := e.do(other, "DELETE", "/api/exercises/"+ex+"/observers/"+list.Observers[0].ID, nil, nil); r.status != 204 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if code := ow.waitClosed(time.Second); code != hub.CloseAccessRevoked {
		t.Fatalf("observer close code %d", code)
	}
	if r := e.do(nil, "GET", "/api/me", nil, bearer(otok)); r.status != 401 {
		t.Fatalf("revoked token: %d", r.status)
	}
}

func TestMalformedAndFloodingClients(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	ex, code := e.createExercise(fac)
	ptok := e.joinAs(code, "Pat", "comms")
	w, _, err := e.dial(nil, ptok, ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
	for _, tc := range []struct {
		msg, id, code string
	}{
		{`not json`, "", "bad_json"},
		{`[1,2]`, "", "bad_json"},
		{`{"type":"answer"}`, "", "bad_id"},
		{`{"type":"answer","id":"has space"}`, "", "bad_id"},
		{`{"type":"teleport","id":"m1"}`, "m1", "unknown_type"},
		{`{"type":"answer","id":"m2","decision":"lock_account","option":"revoke","extra":1}`, "m2", "bad_field"},
		{`{"type":"answer","id":"m3","Decision":"lock_account","option":"revoke"}`, "m3", "bad_field"},
		{`{"type":"answer","id":"m4","decision":7}`, "m4", "bad_field"},
		{`{"type":"answer","id":"m5","decision":"lock_account"}`, "m5", "invalid"},
		{`{"type":"answer","id":"m6","decision":"lock_account","option":"revoke","confidence":9}`, "m6", "invalid"},
		{`{"type":"answer","id":"m7","decision":"lock_account","option":"revoke"} {}`, "", "bad_json"},
		{`{"type":"answer","id":"m8","decision":"lock_account","option":"revoke"}`, "m8", "conflict"}, // still in the lobby
		{`{"type":"note","id":"m9","text":"hi"}`, "m9", "forbidden"},
	} {
		w.send(tc.msg)
		f := w.waitFor("error for "+tc.msg, func(f frame) bool {
			return f.str("type") == "error" && f.str("code") == tc.code && f.str("id") == tc.id && f["seen"] != true
		})
		f["seen"] = true
	}
	// Still connected after all that.
	w.send(map[string]any{"type": "presence", "id": "ok", "status": "idle"})
	if f := w.reply("ok"); f.str("type") != "ack" {
		t.Fatalf("after malformed frames: %v", f)
	}

	// A flood is throttled with error frames and then closed with 1008.
	flood := func(n int) {
		for i := 0; i < n; i++ {
			if err := w.conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"presence","id":"f","status":"active"}`)); err != nil {
				return // the server closed it
			}
		}
	}
	flood(50)
	w.waitFor("rate_limited", func(f frame) bool { return f.str("code") == "rate_limited" })
	flood(1000)
	if code := w.waitClosed(10 * time.Second); code != hub.ClosePolicyViolation {
		t.Fatalf("flood close code %d", code)
	}
	// Redialling buys no fresh allowance: the limit is the participant's,
	// not the connection's (the test clock stands still, so no token has
	// come back yet).
	w2, _, err := e.dial(nil, ptok, ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	w2.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
	w2.send(map[string]any{"type": "presence", "id": "again", "status": "active"})
	w2.waitFor("rate_limited after redial", func(f frame) bool { return f.str("code") == "rate_limited" })
	for _, f := range w2.all() {
		if f.str("id") == "again" && f.str("type") == "ack" {
			t.Fatalf("a redial got a fresh allowance: %v", f)
		}
	}

	// Another participant is unaffected.
	other, _, err := e.dial(nil, e.joinAs(code, "Quinn", "comms"), ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	other.send(map[string]any{"type": "presence", "id": "ok2", "status": "active"})
	if f := other.reply("ok2"); f.str("type") != "ack" {
		t.Fatalf("another participant: %v", f)
	}

	// Tokens come back with time.
	e.clock.Advance(3 * time.Second)
	w2.send(map[string]any{"type": "presence", "id": "later", "status": "idle"})
	if f := w2.reply("later"); f.str("type") != "ack" {
		t.Fatalf("after the refill: %v", f)
	}
}

// TestRedialLoopIsRefused checks the per-identity connection limit: a
// burst of upgrades is allowed, then 429 with Retry-After before any 101,
// until time gives tokens back.
func TestRedialLoopIsRefused(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	ex, code := e.createExercise(fac)
	ptok := e.joinAs(code, "Pat", "comms")
	var res *http.Response
	n := 0
	for ; n <= connectBurst; n++ {
		var w *wsClient
		var err error
		w, res, err = e.dial(nil, ptok, ex, 0, nil)
		if err != nil {
			break
		}
		w.conn.Close()
	}
	if n != connectBurst || res == nil || res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		t.Fatalf("refused after %d upgrades with %d, want after %d with 429 and Retry-After", n, status, connectBurst)
	}
	// Someone else still connects.
	if _, _, err := e.dial(nil, e.joinAs(code, "Quinn", "comms"), ex, 0, nil); err != nil {
		t.Fatalf("another participant: %v", err)
	}
	e.clock.Advance(time.Minute / connectsPerMinute)
	if _, _, err := e.dial(nil, ptok, ex, 0, nil); err != nil {
		t.Fatalf("after a token came back: %v", err)
	}
}
