package api

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
)

// routeCase is one request and what must come back.
type routeCase struct {
	name         string
	as           string // "", "facilitator", "participant", "observer"
	method, url  string
	body         any
	headers      map[string]string
	wantStatus   int
	wantContains []string
	wantAbsent   []string
}

func TestRoutes(t *testing.T) {
	ui := fstest.MapFS{
		"index.html":         {Data: []byte("<!doctype html><title>ttx</title><div id=app></div>")},
		"assets/app-1a2b.js": {Data: []byte("console.log('ttx')")},
		"favicon.svg":        {Data: []byte("<svg/>")},
	}
	e := newEnv(t, withUI(ui))
	ex1 := e.addExercise("ABCDEFGH")
	fac := e.login()
	ptok := e.joinAs("ABCD-EFGH", "Pat", "comms")
	otok := e.observer(fac, ex1)

	big := strings.Repeat("#", uploadBodyLimit+1)
	cases := []routeCase{
		{name: "healthz", method: "GET", url: "/healthz", wantStatus: 200, wantContains: []string{`"ok"`}},
		{name: "readyz", method: "GET", url: "/readyz", wantStatus: 200, wantContains: []string{`"ready"`}},
		{name: "version", method: "GET", url: "/api/version", wantStatus: 200, wantContains: []string{`"test"`}},
		{name: "unknown api route is JSON 404", method: "GET", url: "/api/nope", wantStatus: 404,
			wantContains: []string{`"error"`, `"code":"not_found"`}},
		{name: "wrong method is JSON 405", method: "GET", url: "/api/auth/login", wantStatus: 405,
			wantContains: []string{`"method_not_allowed"`}},
		{name: "spa fallback", method: "GET", url: "/exercise/123", wantStatus: 200, wantContains: []string{"<div id=app>"}},
		{name: "index", method: "GET", url: "/", wantStatus: 200, wantContains: []string{"<title>ttx</title>"}},
		{name: "asset", method: "GET", url: "/assets/app-1a2b.js?v=whatever", wantStatus: 200, wantContains: []string{"console.log"}},
		{name: "missing asset is a real 404", method: "GET", url: "/assets/gone.js", wantStatus: 404},
		{name: "traversal stays inside the UI", method: "GET", url: "/../../etc/passwd", wantStatus: 200, wantContains: []string{"<div id=app>"}, wantAbsent: []string{"root:"}},
		{name: "me anonymous", method: "GET", url: "/api/me", wantStatus: 401, wantContains: []string{`"unauthenticated"`}},
		{name: "me facilitator", as: "facilitator", method: "GET", url: "/api/me", wantStatus: 200, wantContains: []string{`"role":"facilitator"`, `"name":"alice"`}},
		{name: "me participant", as: "participant", method: "GET", url: "/api/me", wantStatus: 200,
			wantContains: []string{`"role":"participant"`, `"team":"comms"`, `"exercise_id":"` + ex1 + `"`}},
		{name: "me observer", as: "observer", method: "GET", url: "/api/me", wantStatus: 200, wantContains: []string{`"role":"observer"`}},
		{name: "garbage token", method: "GET", url: "/api/me", headers: bearer("p.nonsense"), wantStatus: 401, wantContains: []string{"invalid_token"}},
		{name: "well-formed unknown token", method: "GET", url: "/api/me", headers: bearer(participantPrefix + newSecret()), wantStatus: 401},
		{name: "list scenarios", as: "facilitator", method: "GET", url: "/api/scenarios", wantStatus: 200,
			wantContains: []string{`"id":"example-hijacked-account"`, `"valid":true`, `"id":"broken"`, `"valid":false`,
				`"line":16`, `"col":18`, `did you mean 'email'?`}},
		{name: "get scenario", as: "facilitator", method: "GET", url: "/api/scenarios/example-hijacked-account", wantStatus: 200,
			wantContains: []string{`"teams"`, `"comms"`}},
		{name: "get invalid scenario", as: "facilitator", method: "GET", url: "/api/scenarios/broken", wantStatus: 404},
		{name: "validate ok", as: "facilitator", method: "POST", url: "/api/scenarios/validate?file=ex.yaml",
			body: string(readFile(t, "../../scenarios/example.yaml")), wantStatus: 200, wantContains: []string{`"valid":true`}},
		{name: "validate errors", as: "facilitator", method: "POST", url: "/api/scenarios/validate?file=b.yaml",
			body: string(readFile(t, "testdata/broken.yaml")), wantStatus: 422,
			wantContains: []string{`"invalid_scenario"`, `"file":"b.yaml"`, `"line":17`, `"col":17`, `"hint":"did you mean 'comms'?"`}},
		{name: "validate empty", as: "facilitator", method: "POST", url: "/api/scenarios/validate", body: "", wantStatus: 400},
		{name: "validate bad file name", as: "facilitator", method: "POST", url: "/api/scenarios/validate?file=..%2F..%2Fx%20y", body: "a: b", wantStatus: 400},
		{name: "upload too large", as: "facilitator", method: "POST", url: "/api/scenarios", body: big, wantStatus: 413, wantContains: []string{`"too_large"`}},
		{name: "upload shadowing shipped", as: "facilitator", method: "POST", url: "/api/scenarios?file=ex.yaml",
			body: string(readFile(t, "../../scenarios/example.yaml")), wantStatus: 409},
		{name: "upload", as: "facilitator", method: "POST", url: "/api/scenarios?file=mine.yaml",
			body:       strings.Replace(string(readFile(t, "../../scenarios/example.yaml")), "id: example-hijacked-account", "id: my-copy", 1),
			wantStatus: 201, wantContains: []string{`"id":"my-copy"`, `"origin":"uploaded"`}},
		{name: "uploaded is listed", as: "facilitator", method: "GET", url: "/api/scenarios", wantStatus: 200, wantContains: []string{`"id":"my-copy"`}},
		{name: "json body too large", method: "POST", url: "/api/join", body: strings.Repeat(" ", defaultBodyLimit+10), wantStatus: 413},
		{name: "unknown json field", method: "POST", url: "/api/join", body: `{"code":"x","nme":"a","team":"comms"}`, wantStatus: 400,
			wantContains: []string{`unknown field`}},
		{name: "trailing json", method: "POST", url: "/api/join", body: `{"code":"x"} {}`, wantStatus: 400},
		{name: "join bad team", method: "POST", url: "/api/join", body: map[string]string{"code": "abcdefgh", "name": "Sam", "team": "legal"}, wantStatus: 400,
			wantContains: []string{"bad_team"}},
		{name: "join bad name", method: "POST", url: "/api/join", body: map[string]string{"code": "abcdefgh", "name": "a\u202eb", "team": "soc"}, wantStatus: 400},
		{name: "join lookup", method: "POST", url: "/api/join/lookup", body: map[string]string{"code": "abcd efgh"}, wantStatus: 200,
			wantContains: []string{`"exercise_id":"` + ex1 + `"`, `"id":"soc"`}},
		{name: "join", method: "POST", url: "/api/join", body: map[string]string{"code": "ABCDEFGH", "name": "Sam", "team": "soc"}, wantStatus: 201,
			wantContains: []string{`"token":"p.`, `"team":"soc"`}},
		{name: "observers list hides tokens", as: "facilitator", method: "GET", url: "/api/exercises/" + ex1 + "/observers", wantStatus: 200,
			wantContains: []string{`"name":"Olga"`}, wantAbsent: []string{"o."}},
		{name: "observers of unknown exercise", as: "facilitator", method: "GET", url: "/api/exercises/nope/observers", wantStatus: 404},
		{name: "rotate join code", as: "facilitator", method: "POST", url: "/api/exercises/" + ex1 + "/join-code", wantStatus: 200,
			wantContains: []string{`"display"`, `/join/`}},
		{name: "old code no longer works", method: "POST", url: "/api/join/lookup", body: map[string]string{"code": "ABCDEFGH"}, wantStatus: 404,
			wantContains: []string{"bad_code"}},
		{name: "participant token still valid after rotation", as: "participant", method: "GET", url: "/api/me", wantStatus: 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string]string{}
			for k, v := range tc.headers {
				h[k] = v
			}
			var c *http.Client
			switch tc.as {
			case "facilitator":
				c = fac
			case "participant":
				h["Authorization"] = "Bearer " + ptok
			case "observer":
				h["Authorization"] = "Bearer " + otok
			}
			r := e.do(c, tc.method, tc.url, tc.body, h)
			if r.status != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", r.status, tc.wantStatus, r.body)
			}
			for _, w := range tc.wantContains {
				if !strings.Contains(r.body, w) {
					t.Errorf("body lacks %q: %s", w, r.body)
				}
			}
			for _, w := range tc.wantAbsent {
				if strings.Contains(r.body, w) {
					t.Errorf("body has %q: %s", w, r.body)
				}
			}
			if r.header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(r.header.Get("Content-Security-Policy"), "default-src 'self'") {
				t.Errorf("security headers missing: %v", r.header)
			}
			if r.status >= 400 && strings.HasPrefix(tc.url, "/api/") && !strings.Contains(r.body, `{"error":{"code":`) {
				t.Errorf("error body not in the one shape: %s", r.body)
			}
		})
	}
}

func TestSecurityHeadersAndCaching(t *testing.T) {
	ui := fstest.MapFS{
		"index.html":    {Data: []byte(`<!doctype html><script defer src="/assets/app.js"></script><p>ui`)},
		"assets/app.js": {Data: []byte("x")},
	}
	e := newEnv(t, withUI(ui))
	// index.html references the asset with its content version.
	idx := e.do(nil, "GET", "/", nil, nil).body
	const v = "2d711642b726" // first 6 bytes of sha256("x")
	if !strings.Contains(idx, `src="/assets/app.js?v=`+v+`"`) {
		t.Fatalf("index not versioned: %s", idx)
	}
	wantCSP := "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
		"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
	for _, tc := range []struct {
		url, wantType, wantCache string
		wantStatus               int
	}{
		{"/", "text/html", "no-cache", 200},
		{"/join", "text/html", "no-cache", 200},
		{"/assets/app.js?v=" + v, "javascript", "max-age=31536000", 200},
		{"/assets/app.js", "javascript", "no-cache", 200},
		{"/assets/app.js?v=stale", "javascript", "no-cache", 200},
		{"/api/version", "application/json", "", 200},
		{"/api/nope", "application/json", "", 404},
		{"/healthz", "application/json", "", 200},
	} {
		r := e.do(nil, "GET", tc.url, nil, nil)
		if r.status != tc.wantStatus {
			t.Errorf("%s: status %d", tc.url, r.status)
		}
		if got := r.header.Get("Content-Security-Policy"); got != wantCSP {
			t.Errorf("%s: CSP = %q", tc.url, got)
		}
		if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: headers %v", tc.url, r.header)
		}
		if !strings.Contains(r.header.Get("Content-Type"), tc.wantType) {
			t.Errorf("%s: Content-Type %q", tc.url, r.header.Get("Content-Type"))
		}
		if tc.wantCache != "" && !strings.Contains(r.header.Get("Cache-Control"), tc.wantCache) {
			t.Errorf("%s: Cache-Control %q", tc.url, r.header.Get("Cache-Control"))
		}
	}
}

func TestNoUIBuilt(t *testing.T) {
	e := newEnv(t)
	r := e.do(nil, "GET", "/", nil, nil)
	if r.status != 404 || !strings.Contains(r.body, "not built") {
		t.Fatalf("got %d %s", r.status, r.body)
	}
}

// TestUploadCapBeforeParsing: an oversized scenario is refused with 413
// whether or not the client declares its length, and the parser never
// sees it (an invalid file would give 422).
func TestUploadCapBeforeParsing(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	big := strings.Repeat("{", uploadBodyLimit+1) // would be a YAML syntax error if parsed
	for _, chunked := range []bool{false, true} {
		var body io.Reader = strings.NewReader(big)
		if chunked {
			body = io.MultiReader(body) // hides the length: sent chunked
		}
		req, _ := http.NewRequest("POST", e.ts.URL+"/api/scenarios?file=big.yaml", body)
		res, err := fac.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 413 || !strings.Contains(string(b), "too_large") {
			t.Errorf("chunked=%v: %d %s", chunked, res.StatusCode, b)
		}
	}
}
