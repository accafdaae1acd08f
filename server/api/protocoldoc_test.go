package api

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/ttxsim/ttx/server/ttxtest/protodoc"
)

// Tests of places where docs/protocol.md and the server disagreed: each
// pins the behaviour the document now states.

// TestSubprotocolSelection: the server selects ttx.v1 when the client
// offers it, never the token entry; a client that offers only its token
// gets no subprotocol (browsers then fail the handshake), which is why the
// document says to always offer ttx.v1.
func TestSubprotocolSelection(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	ex, code := e.createExercise(fac)
	tok := e.joinAs(code, "Casey", "comms")
	for _, tc := range []struct {
		name   string
		offer  []string
		header http.Header
		want   string
	}{
		{"ttx.v1 and token", []string{Subprotocol, subprotocolTokenPrefix + tok}, nil, Subprotocol},
		{"token then ttx.v1", []string{subprotocolTokenPrefix + tok, Subprotocol}, nil, Subprotocol},
		{"token only", []string{subprotocolTokenPrefix + tok}, nil, ""},
		{"ttx.v1 with a bearer header", []string{Subprotocol}, http.Header{"Authorization": {"Bearer " + tok}}, Subprotocol},
		{"none, bearer header", nil, http.Header{"Authorization": {"Bearer " + tok}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := strings.Replace(e.ts.URL, "http", "ws", 1) + "/api/ws?exercise=" + url.QueryEscape(ex)
			d := websocket.Dialer{HandshakeTimeout: 10 * time.Second, Subprotocols: tc.offer}
			conn, res, err := d.Dial(u, tc.header)
			if err != nil {
				t.Fatalf("dial: %v (%v)", err, res)
			}
			defer conn.Close()
			if got := conn.Subprotocol(); got != tc.want {
				t.Fatalf("selected %q, want %q", got, tc.want)
			}
			if got := res.Header.Get("Sec-WebSocket-Protocol"); got != tc.want {
				t.Fatalf("Sec-WebSocket-Protocol %q, want %q", got, tc.want)
			}
		})
	}
}

// TestCommandBodyLimit: command routes take a WebSocket message's body, so
// they have a WebSocket message's limit, 16 KiB, refused as every body
// over its cap is: 413 too_large, naming the limit.
func TestCommandBodyLimit(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	ex, code := e.createExercise(fac)
	tok := e.joinAs(code, "Casey", "comms")
	big := strings.Repeat("x", 60_000)
	for _, tc := range []struct {
		name, path string
		client     *http.Client
		hdr        map[string]string
		body       any
		want       int
		wantCode   string
	}{
		{"60 KB rationale", "/answers", nil, bearer(tok),
			map[string]any{"client_id": "a1", "decision": "d", "option": "o", "rationale": big}, 413, "too_large"},
		{"60 KB note", "/notes", fac, nil, map[string]any{"text": big}, 413, "too_large"},
		{"60 KB inject", "/inject", fac, nil, map[string]any{"inject": map[string]any{"channel": "email", "body": big}}, 413, "too_large"},
		{"just under 16 KiB, body over its own limit", "/inject", fac, nil,
			map[string]any{"inject": map[string]any{"channel": "email", "body": strings.Repeat("x", 16000)}}, 400, "invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(tc.client, "POST", "/api/exercises/"+ex+tc.path, tc.body, tc.hdr)
			if r.status != tc.want || !strings.Contains(r.body, `"code":"`+tc.wantCode+`"`) {
				t.Fatalf("got %d %s, want %d %s", r.status, r.body, tc.want, tc.wantCode)
			}
			if tc.want == 413 && !strings.Contains(r.body, fmt.Sprint(maxClientMessage)) {
				t.Fatalf("the message does not name the %d-byte limit: %s", maxClientMessage, r.body)
			}
		})
	}
	// Other JSON routes keep the general cap.
	r := e.do(fac, "POST", "/api/exercises", map[string]any{"scenario": "example-hijacked-account", "title": strings.Repeat("t", 70_000)}, nil)
	if r.status != 413 || !strings.Contains(r.body, fmt.Sprint(defaultBodyLimit)) {
		t.Fatalf("create with a 70 KB title: %d %s", r.status, r.body)
	}
}

// TestEmptyCommandBody: an empty body where a command needs fields is
// bad_json, as an empty WebSocket message is; commands whose fields are
// all optional accept an empty body.
func TestEmptyCommandBody(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	ex, code := e.createExercise(fac)
	tok := e.joinAs(code, "Casey", "comms")
	for _, tc := range []struct {
		path     string
		client   *http.Client
		hdr      map[string]string
		want     int
		wantCode string
	}{
		{"/answers", nil, bearer(tok), 400, "bad_json"},
		{"/notes", fac, nil, 400, "bad_json"},
		{"/speed", fac, nil, 400, "bad_json"},
		{"/inject", fac, nil, 400, "bad_json"},
		{"/extend-decision", fac, nil, 400, "bad_json"},
		{"/start", fac, nil, 200, ""},
		{"/pause", fac, nil, 200, ""},
		{"/end", fac, nil, 200, ""},
	} {
		r := e.do(tc.client, "POST", "/api/exercises/"+ex+tc.path, "", tc.hdr)
		if r.status != tc.want || tc.wantCode != "" && !strings.Contains(r.body, `"code":"`+tc.wantCode+`"`) {
			t.Errorf("POST %s with an empty body: %d %s, want %d %s", tc.path, r.status, r.body, tc.want, tc.wantCode)
		}
	}
	w, _, err := e.dial(nil, tok, ex, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.waitFor("live", func(f frame) bool { return f.str("type") == "live" })
	w.send("")
	if f := w.waitFor("error", func(f frame) bool { return f.str("type") == "error" }); f.str("code") != "bad_json" {
		t.Fatalf("empty WebSocket message: %v", f)
	}
}

// TestJoinLinkIsCanonical: the API's join link is <base>/join/CODE, the
// form README and the QR code use.
func TestJoinLinkIsCanonical(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	ex, code := e.createExercise(fac)
	var out struct {
		Exercise exerciseView `json:"exercise"`
	}
	r := e.do(fac, "GET", "/api/exercises/"+ex, nil, nil)
	r.json(t, &out)
	if want := e.ts.URL + "/join/" + code; out.Exercise.Join == nil || out.Exercise.Join.URL != want {
		t.Fatalf("join = %+v, want url %s", out.Exercise.Join, want)
	}
	r = e.do(fac, "POST", "/api/exercises/"+ex+"/join-code", nil, nil)
	var rot joinCodeResponse
	r.json(t, &rot)
	if want := e.ts.URL + "/join/" + rot.Code; rot.URL != want {
		t.Fatalf("rotated join url %q, want %q", rot.URL, want)
	}
}

// TestJoinLinkCodeNotLogged: the code in a join link's path is a secret
// like ?code=, so the access log masks it.
func TestJoinLinkCodeNotLogged(t *testing.T) {
	for in, want := range map[string]string{
		"/join/K7QX2MPA":  "/join/***",
		"/join/k7qx-2mpa": "/join/***",
		"/join/":          "/join/",
		"/join":           "/join",
		"/api/join":       "/api/join",
		"/exercise/abc":   "/exercise/abc",
	} {
		if got := maskPath(in); got != want {
			t.Errorf("maskPath(%q) = %q, want %q", in, got, want)
		}
	}
	e := newEnv(t)
	e.do(nil, "GET", "/join/K7QX2MPA", nil, nil)
	if logs := e.logs.String(); strings.Contains(logs, "K7QX2MPA") || !strings.Contains(logs, "/join/***") {
		t.Fatalf("access log: %s", logs)
	}
}

// TestProtocolDocFrames holds the document's frame reference to the frame
// types the server encodes: each field with its JSON type and omission.
func TestProtocolDocFrames(t *testing.T) {
	text := string(readFile(t, "../../docs/protocol.md"))
	tables, problems := protodoc.Parse(text, "Frame reference")
	for _, p := range problems {
		t.Error(p)
	}
	frames := map[string]reflect.Type{
		"hello":    reflect.TypeFor[helloFrame](),
		"live":     reflect.TypeFor[liveFrame](),
		"ack":      reflect.TypeFor[ackFrame](),
		"error":    reflect.TypeFor[errorFrame](),
		"presence": reflect.TypeFor[presenceBatch](),
		"status":   reflect.TypeFor[statusFrame](),
	}
	for name, typ := range frames {
		tb := tables[name]
		if tb == nil {
			t.Errorf("frame %q has no table under \"## Frame reference\"", name)
			continue
		}
		for _, p := range protodoc.Compare(name, tb.Fields, protodoc.JSONFields(typ)) {
			t.Error(p)
		}
	}
	for name, tb := range tables {
		if frames[name] == nil {
			t.Errorf("protocol.md:%d: frame %q is documented but the server sends no such frame", tb.Line, name)
		}
	}
}

// TestProtocolDocClientMessages holds the document's table of client
// messages to the decoder's: the same types, each with the same fields.
func TestProtocolDocClientMessages(t *testing.T) {
	text := string(readFile(t, "../../docs/protocol.md"))
	_, rest, ok := strings.Cut(text, "\n### Client → server\n")
	if !ok {
		t.Fatal("no \"### Client → server\" section")
	}
	doc := map[string][]string{}
	for _, line := range strings.Split(rest, "\n") {
		if strings.HasPrefix(line, "#") {
			break
		}
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(line, " | ")
		if len(cells) < 2 {
			t.Fatalf("short row %q", line)
		}
		var fields []string
		for _, item := range strings.Split(cells[1], ", ") {
			if f, ok := strings.CutPrefix(strings.TrimSpace(item), "`"); ok {
				f, _, _ = strings.Cut(f, "`")
				fields = append(fields, f)
			}
		}
		slices.Sort(fields)
		for _, typ := range strings.Split(strings.TrimPrefix(cells[0], "| "), ", ") {
			doc[strings.Trim(typ, "`")] = fields
		}
	}
	for typ, keys := range messageKeys {
		var want []string
		for _, k := range strings.Split(keys, ",") {
			if k != "" {
				want = append(want, k)
			}
		}
		slices.Sort(want)
		got, ok := doc[typ]
		switch {
		case !ok:
			t.Errorf("message type %q is not in the document's table", typ)
		case !slices.Equal(got, want):
			t.Errorf("message %q: the document lists fields %v, the decoder accepts %v", typ, got, want)
		}
	}
	for typ := range doc {
		if _, ok := messageKeys[typ]; !ok {
			t.Errorf("the document lists message type %q, which the decoder does not know", typ)
		}
	}
}
