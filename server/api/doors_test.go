package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ttxsim/ttx/server/password"
	"golang.org/x/crypto/bcrypt"
)

// handshakeError is a refused upgrade's body, which must be the one JSON
// error shape.
func handshakeError(t *testing.T, res *http.Response) Error {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want JSON", ct)
	}
	b, _ := io.ReadAll(res.Body)
	var body struct {
		Error *Error `json:"error"`
	}
	if err := json.Unmarshal(b, &body); err != nil || body.Error == nil {
		t.Fatalf("body %q is not the error shape: %v", b, err)
	}
	return *body.Error
}

// Every refused WebSocket handshake answers with the one JSON error shape
// and a public message.
func TestRefusedHandshakesAnswerJSON(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	ex, code := e.createExercise(fac)
	other, _ := e.createExercise(fac)
	ptok := e.joinAs(code, "Pat", "comms")
	hash, _ := password.Hash("generated-pass-123", bcrypt.MinCost)
	if _, err := e.st.CreateAccount(context.Background(), "bob", hash, true, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	bob := e.client()
	if r := e.do(bob, "POST", "/api/auth/login", map[string]string{"name": "bob", "password": "generated-pass-123"}, nil); r.status != 200 {
		t.Fatalf("login bob: %d %s", r.status, r.body)
	}
	host := strings.TrimPrefix(e.ts.URL, "http://")

	for _, tc := range []struct {
		name   string
		client *http.Client
		token  string
		ex     string
		after  int64
		hdr    http.Header
		status int
		code   string
		msg    string
	}{
		{"no credential", nil, "", ex, 0, nil, 401, "unauthenticated", "log in or join first"},
		{"bad token", nil, participantPrefix + newSecret(), ex, 0, nil, 401, "invalid_token", ""},
		{"password not changed", bob, "", ex, 0, nil, 403, "password_change_required", ""},
		{"no exercise", fac, "", "", 0, nil, 400, "invalid", ""},
		{"token of another exercise", nil, ptok, other, 0, nil, 403, "forbidden", ""},
		{"unknown exercise", fac, "", "nope", 0, nil, 404, "not_found", "exercise not found"},
		{"negative after", fac, "", ex, -1, nil, 400, "invalid", ""},
		{"foreign origin", fac, "", ex, 0, http.Header{"Origin": {"https://evil.example"}}, 403, "cross_origin", ""},
		{"foreign origin claiming same-origin", fac, "", ex, 0,
			http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"same-origin"}}, 403, "cross_origin", ""},
		{"own origin claiming cross-site", fac, "", ex, 0,
			http.Header{"Origin": {"http://" + host}, "Sec-Fetch-Site": {"cross-site"}}, 403, "cross_origin", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, res, err := e.dial(tc.client, tc.token, tc.ex, tc.after, tc.hdr)
			if err == nil {
				t.Fatal("upgraded; want refusal")
			}
			if res == nil || res.StatusCode != tc.status {
				t.Fatalf("status %v, want %d (%v)", res, tc.status, err)
			}
			got := handshakeError(t, res)
			if got.Code == "" || got.Message == "" || (tc.code != "" && got.Code != tc.code) || (tc.msg != "" && got.Message != tc.msg) {
				t.Fatalf("error %+v, want code %q message %q", got, tc.code, tc.msg)
			}
			for _, leak := range []string{"get exercise", "engine:", "store:", "hub:"} {
				if strings.Contains(got.Message, leak) {
					t.Fatalf("internal text in %q", got.Message)
				}
			}
		})
	}

	// Too many upgrades: 429 with Retry-After, same shape.
	var res *http.Response
	for range connectBurst + 1 {
		var w *wsClient
		var err error
		if w, res, err = e.dial(nil, ptok, ex, 0, nil); err != nil {
			break
		}
		w.conn.Close()
	}
	if res == nil || res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("after a burst of upgrades: %v", res)
	}
	if got := handshakeError(t, res); got.Code != "rate_limited" {
		t.Fatalf("429 error %+v", got)
	}

	// A server shutting down: 503, same shape.
	e.hub.Close()
	_, res, err := e.dial(fac, "", ex, 0, nil)
	if err == nil || res == nil || res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("closed hub: %v %v", res, err)
	}
	if got := handshakeError(t, res); got.Code != "unavailable" {
		t.Fatalf("503 error %+v", got)
	}
}

// The cross-origin rule is the same on every door: a state-changing HTTP
// request whose Origin and Sec-Fetch-Site disagree is refused like the
// WebSocket upgrade above.
func TestOriginAndFetchSiteMustAgreeOverHTTP(t *testing.T) {
	e := newEnv(t, withAllowedOrigins("https://ui.example.org"))
	ex := e.addExercise("ABCDEFGH")
	c := e.login()
	host := strings.TrimPrefix(e.ts.URL, "http://")
	path := "/api/exercises/" + ex + "/observers"
	for _, tc := range []struct {
		name         string
		origin, site string
		want         int
	}{
		{"foreign origin claiming same-origin", "https://evil.example", "same-origin", 403},
		{"foreign origin claiming none", "https://evil.example", "none", 403},
		{"own origin claiming cross-site", "http://" + host, "cross-site", 403},
		{"own origin claiming same-site", "http://" + host, "same-site", 403},
		{"own origin, same-origin", "http://" + host, "same-origin", 201},
		{"allowed origin, cross-site", "https://ui.example.org", "cross-site", 201},
	} {
		h := map[string]string{"Origin": tc.origin, "Sec-Fetch-Site": tc.site}
		r := e.do(c, "POST", path, map[string]string{"name": "x"}, h)
		if r.status != tc.want {
			t.Errorf("%s: %d %s", tc.name, r.status, r.body)
		}
		if tc.want == 403 && !strings.Contains(r.body, `"cross_origin"`) {
			t.Errorf("%s: body %s", tc.name, r.body)
		}
	}
}
