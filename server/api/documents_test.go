package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/ttxsim/ttx/server/documents"
	"github.com/ttxsim/ttx/server/scenario"
)

// TestDocumentRoutes: the scenario documents download from the library and
// from an exercise (with its parameters), over real HTTP, for the
// facilitator only, with the right type, a strict policy on HTML pages and
// an attachment name on request.
func TestDocumentRoutes(t *testing.T) {
	e := newEnv(t)
	ex := e.addExercise("ABCDEFGH")
	fac := e.login()
	ptok := e.joinAs("ABCD-EFGH", "Pat", "comms")
	otok := e.observer(fac, ex)
	lib := "/api/scenarios/example-hijacked-account/docs/"
	exd := "/api/exercises/" + ex + "/docs/"

	sc, err := scenario.Load("../../scenarios/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	params, _ := sc.Params(nil)
	sitman := string(documents.SITMAN(sc, params).HTML())

	cases := []struct {
		name        string
		as          map[string]string
		url         string
		status      int
		ctype       string
		has, hasnt  []string
		disposition string
	}{
		{"library sitman is HTML by default", nil, lib + "sitman", 200, "text/html; charset=utf-8", []string{sitman}, nil, ""},
		{"library handbook md", nil, lib + "handbook?format=md", 200, "text/markdown; charset=utf-8",
			[]string{"# Facilitator and Evaluator Handbook", "Facilitator only. Use it to raise the pressure."}, nil, ""},
		{"library msel csv download", nil, lib + "msel?download=1", 200, "text/csv; charset=utf-8",
			[]string{"\ufeffNo.,Module,Exercise time"}, nil, `attachment; filename="example-hijacked-account-msel.csv"`},
		{"exercise sitman download", nil, exd + "sitman?format=md&download=1", 200, "text/markdown; charset=utf-8",
			[]string{"# Situation Manual"}, []string{"Use it to raise the pressure"}, `attachment; filename="Example-the-hijacked-brand-account-sitman.md"`},
		{"exercise msel", nil, exd + "msel", 200, "text/csv; charset=utf-8", []string{"Northwind Bank Giveaways"}, nil, ""},
		{"unknown document", nil, lib + "novel", 404, "", []string{`"not_found"`, "use one of sitman, handbook, msel"}, nil, ""},
		{"wrong format", nil, lib + "msel?format=html", 400, "", []string{`"bad_format"`, "the msel comes as csv"}, nil, ""},
		{"unknown scenario", nil, "/api/scenarios/nope/docs/sitman", 404, "", []string{`"not_found"`}, nil, ""},
		{"participant refused", bearer(ptok), exd + "sitman", 403, "", nil, nil, ""},
		{"observer refused", bearer(otok), exd + "handbook", 403, "", nil, nil, ""},
		{"participant refused in the library", bearer(ptok), lib + "sitman", 403, "", nil, nil, ""},
		{"anonymous refused", map[string]string{}, lib + "sitman", 401, "", nil, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			client := fac
			if c.as != nil {
				client = e.client()
			}
			r := e.do(client, "GET", c.url, nil, c.as)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, clipText(r.body, 300))
			}
			if c.ctype != "" && r.header.Get("Content-Type") != c.ctype {
				t.Errorf("Content-Type %q, want %q", r.header.Get("Content-Type"), c.ctype)
			}
			for _, s := range c.has {
				if !strings.Contains(r.body, s) {
					t.Errorf("body lacks %q", clipText(s, 80))
				}
			}
			for _, s := range c.hasnt {
				if strings.Contains(r.body, s) {
					t.Errorf("body holds %q", s)
				}
			}
			if got := r.header.Get("Content-Disposition"); got != c.disposition {
				t.Errorf("Content-Disposition %q, want %q", got, c.disposition)
			}
			if c.ctype == "text/html; charset=utf-8" {
				csp := r.header.Get("Content-Security-Policy")
				if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, documents.CSPHash()) || strings.Contains(csp, "script-src") {
					t.Errorf("Content-Security-Policy %q: want default-src 'none' and only the style's hash", csp)
				}
			}
		})
	}
}

// TestMselImportRoute: a CSV events list becomes a skeleton; a bad cell
// is a 422 with its row and column; the body is capped at 1 MiB.
func TestMselImportRoute(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	r := e.do(fac, "POST", "/api/scenarios/msel-import", "Time,To,Channel,Message\n0:05,Comms,email,Hello\n", nil)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var out struct {
		YAML     string            `json:"yaml"`
		Problems []json.RawMessage `json:"problems"`
	}
	r.json(t, &out)
	if _, err := scenario.Parse("imported.yaml", []byte(out.YAML)); err != nil || out.Problems == nil || len(out.Problems) != 0 {
		t.Fatalf("yaml does not validate (%v) or problems %v:\n%s", err, out.Problems, out.YAML)
	}
	r = e.do(fac, "POST", "/api/scenarios/msel-import", "Time,To,Channel,Message\n0:05,Comms,fax,Hello\n", nil)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `"invalid_msel"`) ||
		!strings.Contains(r.body, `{"row":2,"col":3,"column":"Channel","message":"unknown channel \"fax\"`) {
		t.Errorf("bad channel: %d %s", r.status, r.body)
	}
	r = e.do(fac, "POST", "/api/scenarios/msel-import", strings.Repeat("x", uploadBodyLimit+1), nil)
	if r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized: %d %s", r.status, clipText(r.body, 200))
	}
	if r := e.do(e.client(), "POST", "/api/scenarios/msel-import", "Time,Message\n5m,Hi\n", nil); r.status != http.StatusUnauthorized {
		t.Errorf("anonymous: %d, want 401", r.status)
	}
}

// TestDebriefLinkRoutes: the facilitator creates, reads again, replaces
// and revokes the debrief link; nobody else may, and observers never see
// its events.
func TestDebriefLinkRoutes(t *testing.T) {
	e := newEnv(t)
	ex := e.addExercise("ABCDEFGH")
	fac := e.login()
	ptok := e.joinAs("ABCD-EFGH", "Pat", "comms")
	otok := e.observer(fac, ex)
	path := "/api/exercises/" + ex + "/debrief-link"

	if r := e.do(fac, "GET", path, nil, nil); r.status != http.StatusOK || r.body != `{"url":null}` {
		t.Fatalf("before any link: %d %s", r.status, r.body)
	}
	for _, line := range strings.Split(e.logs.String(), "\n") {
		if strings.Contains(line, "debrief-link") && !strings.Contains(line, "level=INFO") {
			t.Errorf("no link yet is not worth a warning: %s", line)
		}
	}
	var first, second struct{ URL, Token string }
	r := e.do(fac, "POST", path, nil, nil)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	r.json(t, &first)
	if !strings.HasPrefix(first.Token, ex+".") || first.URL != e.ts.URL+"/debrief/"+first.Token {
		t.Fatalf("create: %+v", first)
	}
	if r := e.do(fac, "GET", path, nil, nil); r.status != http.StatusOK || !strings.Contains(r.body, `"url":"`+first.URL+`"`) || strings.Contains(r.body, `"token"`) {
		t.Errorf("get: %d %s", r.status, r.body)
	}
	e.do(fac, "POST", path, nil, nil).json(t, &second)
	if second.Token == "" || second.Token == first.Token {
		t.Fatalf("a new link must replace the old: %+v", second)
	}
	for _, who := range []map[string]string{bearer(ptok), bearer(otok)} {
		for _, m := range []string{"GET", "POST", "DELETE"} {
			if r := e.do(e.client(), m, path, nil, who); r.status != http.StatusForbidden {
				t.Errorf("%s as %s: %d, want 403", m, who["Authorization"][:10], r.status)
			}
		}
	}
	if r := e.do(e.client(), "GET", "/api/exercises/"+ex+"/events?limit=1000", nil, bearer(otok)); strings.Contains(r.body, "debrief_link") || strings.Contains(r.body, second.Token) {
		t.Errorf("an observer sees the link's events: %s", clipText(r.body, 300))
	}
	if r := e.do(fac, "GET", "/api/exercises/"+ex+"/events?limit=1000", nil, nil); !strings.Contains(r.body, `"debrief_link_set"`) {
		t.Errorf("the facilitator's log lacks the link's event")
	}
	if r := e.do(fac, "DELETE", path, nil, nil); r.status != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if r := e.do(fac, "GET", path, nil, nil); r.status != http.StatusOK || r.body != `{"url":null}` {
		t.Errorf("after revoking: %d %s", r.status, r.body)
	}
	for _, m := range []string{"GET", "DELETE"} {
		if r := e.do(fac, m, "/api/exercises/nope/debrief-link", nil, nil); r.status != http.StatusNotFound {
			t.Errorf("%s on an unknown exercise: %d", m, r.status)
		}
	}
}

// TestExerciseDocuments: after an exercise with an observer's rating, a
// settled one, a note and a corrective action, the AAR shows the ratings
// and the plan, the plan downloads as CSV, and the participants' debrief —
// by the facilitator's route and by the share link, without an account —
// shows none of the staff's words nor the scenario's facilitator notes.
// An old, revoked or made-up link gets a 404 page; failures are limited
// per address like failed joins.
func TestExerciseDocuments(t *testing.T) {
	e := newEnv(t, withTrustedProxies("127.0.0.1", "::1"))
	ex := e.addExercise("ABCDEFGH")
	fac := e.login()
	e.joinAs("ABCD-EFGH", "Pat", "comms")
	otok := e.observer(fac, ex)
	base := "/api/exercises/" + ex
	post := func(c *http.Client, path string, body any, headers map[string]string) {
		t.Helper()
		if r := e.do(c, "POST", base+path, body, headers); r.status >= 300 {
			t.Fatalf("POST %s: %d %s", path, r.status, r.body)
		}
	}
	post(fac, "/start", nil, nil)
	post(e.client(), "/notes", map[string]any{"text": "OBSERVER-NOTE the lead froze"}, bearer(otok))
	post(e.client(), "/ratings", map[string]any{"client_id": "o1", "objective": "inform", "rating": "M",
		"explanation": "OBSERVER-EXPLANATION slow", "improvements": []string{"OBSERVER-AFI statement template"}}, bearer(otok))
	post(fac, "/end", map[string]any{"reason": "time"}, nil)
	post(fac, "/ratings", map[string]any{"client_id": "f1", "objective": "inform", "rating": "S", "final": true,
		"explanation": "FACILITATOR-SETTLED late but right"}, nil)
	post(fac, "/corrective-actions", map[string]any{"client_id": "a1", "action_id": "tmpl", "objective": "inform",
		"issue": "PLAN-ISSUE no template", "action": "PLAN-ACTION write one", "element": "planning", "due": "2027-03-01"}, nil)

	aar := e.do(fac, "GET", base+"/docs/aar?format=md", nil, nil)
	for _, want := range []string{"# After-Action Report / Improvement Plan", "OBSERVER-EXPLANATION slow", "OBSERVER-AFI statement template",
		"FACILITATOR-SETTLED late but right", "S — Performed with some challenges", "PLAN-ACTION write one", "Olga", "Pat (lead)"} {
		if !strings.Contains(aar.body, want) {
			t.Errorf("the AAR lacks %q", want)
		}
	}
	if r := e.do(fac, "GET", base+"/docs/aar", nil, nil); r.status != 200 || r.header.Get("Content-Type") != "text/html; charset=utf-8" || !strings.Contains(r.body, "PLAN-ACTION write one") {
		t.Errorf("AAR html: %d %s", r.status, r.header.Get("Content-Type"))
	}
	plan := e.do(fac, "GET", base+"/docs/plan?download=1", nil, nil)
	if plan.status != 200 || !strings.HasPrefix(plan.body, "\ufeffObjective,Capability,Issue / area for improvement") || !strings.Contains(plan.body, "PLAN-ISSUE no template") ||
		plan.header.Get("Content-Disposition") != `attachment; filename="Example-the-hijacked-brand-account-plan.csv"` {
		t.Errorf("plan: %d %q %s", plan.status, plan.header.Get("Content-Disposition"), plan.body)
	}
	if r := e.do(e.client(), "GET", base+"/docs/aar", nil, bearer(otok)); r.status != http.StatusForbidden {
		t.Errorf("an observer downloads the AAR: %d", r.status)
	}

	staffOnly := []string{"OBSERVER-", "FACILITATOR-", "PLAN-", "Olga", "Use it to raise the pressure", "Taken if the SOC does not answer in time"}
	checkDebrief := func(name, body string) {
		t.Helper()
		if !strings.Contains(body, "Participants") || !strings.Contains(body, "What each team decided") {
			t.Errorf("%s: not a debrief: %s", name, clipText(body, 300))
		}
		for _, s := range staffOnly {
			if strings.Contains(body, s) {
				t.Errorf("%s holds staff-only text %q", name, s)
			}
		}
	}
	checkDebrief("the debrief route", e.do(fac, "GET", base+"/docs/debrief?format=md", nil, nil).body)

	var link struct{ URL, Token string }
	e.do(fac, "POST", base+"/debrief-link", nil, nil).json(t, &link)
	public := "/debrief/" + link.Token
	r := e.do(e.client(), "GET", public, nil, nil)
	if r.status != 200 || r.header.Get("Content-Type") != "text/html; charset=utf-8" || !strings.Contains(r.header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("the public debrief: %d %q %q", r.status, r.header.Get("Content-Type"), r.header.Get("Content-Security-Policy"))
	}
	checkDebrief("the public debrief page", r.body)
	if r := e.do(e.client(), "GET", public+"?format=md", nil, nil); r.status != 200 || !strings.HasPrefix(r.body, "# Participants' Debrief") {
		t.Errorf("the public debrief as Markdown: %d %s", r.status, clipText(r.body, 100))
	}
	if strings.Contains(e.logs.String(), link.Token) {
		t.Errorf("the debrief token reached the log")
	}
	var next struct{ URL, Token string }
	e.do(fac, "POST", base+"/debrief-link", nil, nil).json(t, &next)
	for _, bad := range []string{public, "/debrief/" + ex + ".nope", "/debrief/nope"} {
		if r := e.do(e.client(), "GET", bad, nil, nil); r.status != http.StatusNotFound || !strings.Contains(r.body, "This debrief link does not work") || strings.Contains(r.body, "What each team decided") {
			t.Errorf("%s: %d, want the 404 page", bad, r.status)
		}
	}
	e.do(fac, "DELETE", base+"/debrief-link", nil, nil)
	if r := e.do(e.client(), "GET", "/debrief/"+next.Token, nil, nil); r.status != http.StatusNotFound {
		t.Errorf("a revoked link: %d", r.status)
	}

	// From another address, ten failures a minute, then 429.
	from := map[string]string{"X-Forwarded-For": "203.0.113.9"}
	for i := 0; i < 10; i++ {
		if r := e.do(e.client(), "GET", "/debrief/guess"+fmt.Sprint(i), nil, from); r.status != http.StatusNotFound {
			t.Fatalf("guess %d: %d", i, r.status)
		}
	}
	if r := e.do(e.client(), "GET", "/debrief/"+next.Token, nil, from); r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Errorf("after ten failures: %d, Retry-After %q; want 429", r.status, r.header.Get("Retry-After"))
	}
}
