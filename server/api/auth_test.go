package api

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/password"
	"golang.org/x/crypto/bcrypt"
)

// sessionCookie returns the session cookie a response set, or nil.
func sessionCookie(h http.Header) *http.Cookie {
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == cookieSecure || c.Name == cookiePlain {
			return c
		}
	}
	return nil
}

func TestLoginLogoutRotation(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	login := map[string]string{"name": "alice", "password": testPassword}

	r := e.do(c, "POST", "/api/auth/login", login, nil)
	if r.status != 200 || !strings.Contains(r.body, `"role":"facilitator"`) {
		t.Fatalf("login: %d %s", r.status, r.body)
	}
	first := sessionCookie(r.header)
	if first == nil || first.Name != cookiePlain || !first.HttpOnly || first.SameSite != http.SameSiteStrictMode || first.Secure || first.Path != "/" {
		t.Fatalf("cookie over plain HTTP = %+v", first)
	}
	if first.MaxAge != int((12 * time.Hour).Seconds()) {
		t.Errorf("MaxAge = %d", first.MaxAge)
	}

	// Logging in again from the same browser gives a new id and ends the old one.
	r = e.do(c, "POST", "/api/auth/login", login, nil)
	second := sessionCookie(r.header)
	if r.status != 200 || second == nil || second.Value == first.Value {
		t.Fatalf("second login: %d, cookie %+v", r.status, second)
	}
	old := e.client()
	u, _ := url.Parse(e.ts.URL)
	old.Jar.SetCookies(u, []*http.Cookie{{Name: cookiePlain, Value: first.Value}})
	if r := e.do(old, "GET", "/api/me", nil, nil); r.status != 401 {
		t.Fatalf("old session after rotation: %d", r.status)
	}
	if r := e.do(c, "GET", "/api/me", nil, nil); r.status != 200 {
		t.Fatalf("new session: %d", r.status)
	}
	// The server stores only a hash of the id.
	if _, _, err := e.st.SessionByHash(context.Background(), second.Value, e.clock.Now()); err == nil {
		t.Fatal("the raw session id must not be a key in the store")
	}

	// Logout invalidates server-side: replaying the cookie fails.
	stolen := e.client()
	stolen.Jar.SetCookies(u, []*http.Cookie{{Name: cookiePlain, Value: second.Value}})
	r = e.do(c, "POST", "/api/auth/logout", nil, nil)
	if r.status != 204 {
		t.Fatalf("logout: %d %s", r.status, r.body)
	}
	if ck := sessionCookie(r.header); ck == nil || ck.MaxAge >= 0 {
		t.Errorf("logout should clear the cookie: %+v", ck)
	}
	if r := e.do(stolen, "GET", "/api/me", nil, nil); r.status != 401 {
		t.Fatalf("replayed cookie after logout: %d", r.status)
	}
	if r := e.do(nil, "POST", "/api/auth/logout", nil, nil); r.status != 204 {
		t.Fatalf("anonymous logout: %d", r.status)
	}
}

func TestLoginFailures(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name string
		body any
		want int
	}{
		{"wrong password", map[string]string{"name": "alice", "password": "nope"}, 401},
		{"unknown user", map[string]string{"name": "mallory", "password": testPassword}, 401},
		{"empty", "", 400},
		{"unknown field", `{"name":"alice","password":"x","admin":true}`, 400},
		{"name case-insensitive", map[string]string{"name": "ALICE", "password": testPassword}, 200},
	} {
		r := e.do(nil, "POST", "/api/auth/login", tc.body, nil)
		if r.status != tc.want {
			t.Errorf("%s: %d %s", tc.name, r.status, r.body)
		}
		if tc.want == 401 && !strings.Contains(r.body, "wrong name or password") {
			t.Errorf("%s: message should not say which part was wrong: %s", tc.name, r.body)
		}
	}
}

func TestLoginRateLimit(t *testing.T) {
	e := newEnv(t)
	bad := map[string]string{"name": "alice", "password": "wrong"}
	var last resp
	for i := 0; i < 11; i++ {
		last = e.do(nil, "POST", "/api/auth/login", bad, nil)
	}
	if last.status != 429 || last.header.Get("Retry-After") == "" {
		t.Fatalf("11th failure: %d %s %v", last.status, last.body, last.header)
	}
	// Even the right password is refused while limited.
	if r := e.do(nil, "POST", "/api/auth/login", map[string]string{"name": "alice", "password": testPassword}, nil); r.status != 429 {
		t.Fatalf("good password while limited: %d", r.status)
	}
	e.clock.Advance(2 * time.Minute)
	if r := e.do(nil, "POST", "/api/auth/login", map[string]string{"name": "alice", "password": testPassword}, nil); r.status != 200 {
		t.Fatalf("after the window: %d %s", r.status, r.body)
	}
}

func TestSessionExpiry(t *testing.T) {
	e := newEnv(t)
	c := e.login()
	e.clock.Advance(11 * time.Hour)
	if r := e.do(c, "GET", "/api/me", nil, nil); r.status != 200 {
		t.Fatalf("before expiry: %d", r.status)
	}
	e.clock.Advance(time.Hour + time.Second)
	if r := e.do(c, "GET", "/api/me", nil, nil); r.status != 401 {
		t.Fatalf("after expiry: %d", r.status)
	}
}

func TestCookieFlags(t *testing.T) {
	for _, tc := range []struct {
		name       string
		opts       []envOption
		headers    map[string]string
		wantName   string
		wantSecure bool
	}{
		{"plain http", nil, nil, cookiePlain, false},
		{"tls", []envOption{withTLS()}, nil, cookieSecure, true},
		{"forwarded https from a trusted proxy", []envOption{withTrustedProxies("127.0.0.1")},
			map[string]string{"X-Forwarded-Proto": "https"}, cookieSecure, true},
		{"forwarded https from anyone else is ignored", []envOption{withTrustedProxies("10.0.0.0/8")},
			map[string]string{"X-Forwarded-Proto": "https"}, cookiePlain, false},
		{"forced secure", []envOption{withSecureCookies("true")}, nil, cookieSecure, true},
		{"forced off under TLS", []envOption{withTLS(), withSecureCookies("false")}, nil, cookiePlain, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.opts...)
			r := e.do(e.client(), "POST", "/api/auth/login", map[string]string{"name": "alice", "password": testPassword}, tc.headers)
			ck := sessionCookie(r.header)
			if r.status != 200 || ck == nil {
				t.Fatalf("login: %d %s", r.status, r.body)
			}
			if ck.Name != tc.wantName || ck.Secure != tc.wantSecure || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" || ck.Domain != "" {
				t.Fatalf("cookie = %+v", ck)
			}
			// The cookie works on the next request made the same way.
			h := map[string]string{"Cookie": ck.Name + "=" + ck.Value}
			for k, v := range tc.headers {
				h[k] = v
			}
			if r := e.do(nil, "GET", "/api/me", nil, h); r.status != 200 {
				t.Fatalf("me with cookie: %d %s", r.status, r.body)
			}
		})
	}
}

func TestCrossSiteRequestsRefused(t *testing.T) {
	e := newEnv(t, withAllowedOrigins("https://ui.example.org"))
	ex1 := e.addExercise("ABCDEFGH")
	c := e.login()
	host := strings.TrimPrefix(e.ts.URL, "http://")
	for _, tc := range []struct {
		name    string
		method  string
		url     string
		body    any
		headers map[string]string
		want    int
	}{
		{"cross-site POST with the cookie", "POST", "/api/exercises/" + ex1 + "/observers", map[string]string{"name": "x"},
			map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, 403},
		{"cross-site by Origin only (older browsers)", "POST", "/api/exercises/" + ex1 + "/observers", map[string]string{"name": "x"},
			map[string]string{"Origin": "https://evil.example"}, 403},
		{"cross-site logout", "POST", "/api/auth/logout", nil,
			map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"cross-site login (login CSRF)", "POST", "/api/auth/login", map[string]string{"name": "alice", "password": testPassword},
			map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"cross-site GET is harmless and allowed", "GET", "/api/me", nil,
			map[string]string{"Sec-Fetch-Site": "cross-site"}, 200},
		{"same-origin POST", "POST", "/api/exercises/" + ex1 + "/observers", map[string]string{"name": "x"},
			map[string]string{"Origin": "http://" + host, "Sec-Fetch-Site": "same-origin"}, 201},
		{"allowed origin", "POST", "/api/exercises/" + ex1 + "/observers", map[string]string{"name": "y"},
			map[string]string{"Origin": "https://ui.example.org", "Sec-Fetch-Site": "cross-site"}, 201},
		{"non-browser client", "POST", "/api/exercises/" + ex1 + "/observers", map[string]string{"name": "z"}, nil, 201},
	} {
		r := e.do(c, tc.method, tc.url, tc.body, tc.headers)
		if r.status != tc.want {
			t.Errorf("%s: %d %s", tc.name, r.status, r.body)
		}
		if tc.want == 403 && !strings.Contains(r.body, "cross_origin") {
			t.Errorf("%s: body %s", tc.name, r.body)
		}
	}
	// The refused logout did not end the session.
	if r := e.do(c, "GET", "/api/me", nil, nil); r.status != 200 {
		t.Fatalf("session after refused cross-site logout: %d", r.status)
	}
}

func TestMustChangePassword(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	hash, _ := password.Hash("generated-pass-123", bcrypt.MinCost)
	if _, created, err := e.st.CreateFirstAccount(ctx, "admin", hash, e.clock.Now()); err != nil || created {
		t.Fatalf("CreateFirstAccount with an account present: created=%v err=%v", created, err)
	}
	if _, err := e.st.CreateAccount(ctx, "admin", hash, true, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	c := e.client()
	r := e.do(c, "POST", "/api/auth/login", map[string]string{"name": "admin", "password": "generated-pass-123"}, nil)
	if r.status != 200 || !strings.Contains(r.body, `"must_change_password":true`) {
		t.Fatalf("login: %d %s", r.status, r.body)
	}
	if r := e.do(c, "GET", "/api/scenarios", nil, nil); r.status != 403 || !strings.Contains(r.body, "password_change_required") {
		t.Fatalf("facilitator route before change: %d %s", r.status, r.body)
	}
	if r := e.do(c, "GET", "/api/me", nil, nil); r.status != 200 || !strings.Contains(r.body, `"must_change_password":true`) {
		t.Fatalf("me before change: %d %s", r.status, r.body)
	}
	other := e.client()
	e.do(other, "POST", "/api/auth/login", map[string]string{"name": "admin", "password": "generated-pass-123"}, nil)

	for _, tc := range []struct {
		body map[string]string
		want int
	}{
		{map[string]string{"current": "wrong-password-1", "new": "a brand new secret"}, 403},
		{map[string]string{"current": "generated-pass-123", "new": "short"}, 400},
		{map[string]string{"current": "generated-pass-123", "new": "generated-pass-123"}, 400},
		{map[string]string{"current": "generated-pass-123", "new": strings.Repeat("x", 73)}, 400},
	} {
		if r := e.do(c, "POST", "/api/auth/password", tc.body, nil); r.status != tc.want {
			t.Errorf("%v: %d %s", tc.body, r.status, r.body)
		}
	}
	r = e.do(c, "POST", "/api/auth/password", map[string]string{"current": "generated-pass-123", "new": "a brand new secret"}, nil)
	if r.status != 200 || sessionCookie(r.header) == nil {
		t.Fatalf("change: %d %s", r.status, r.body)
	}
	if r := e.do(c, "GET", "/api/scenarios", nil, nil); r.status != 200 {
		t.Fatalf("after change: %d %s", r.status, r.body)
	}
	if r := e.do(other, "GET", "/api/me", nil, nil); r.status != 401 {
		t.Fatalf("other browser after password change: %d", r.status)
	}
	if r := e.do(nil, "POST", "/api/auth/login", map[string]string{"name": "admin", "password": "generated-pass-123"}, nil); r.status != 401 {
		t.Fatalf("old password: %d", r.status)
	}
	if r := e.do(nil, "POST", "/api/auth/password", map[string]string{"current": "x", "new": "y"}, nil); r.status != 401 {
		t.Fatalf("anonymous password change: %d", r.status)
	}
}
