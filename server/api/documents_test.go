package api

import (
	"encoding/json"
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
			[]string{"No.,Module,Exercise time"}, nil, `attachment; filename="example-hijacked-account-msel.csv"`},
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

	if r := e.do(fac, "GET", path, nil, nil); r.status != http.StatusNotFound {
		t.Fatalf("before any link: %d %s", r.status, r.body)
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
	if r := e.do(fac, "GET", path, nil, nil); r.status != http.StatusNotFound {
		t.Errorf("after revoking: %d %s", r.status, r.body)
	}
	if r := e.do(fac, "DELETE", "/api/exercises/nope/debrief-link", nil, nil); r.status != http.StatusNotFound {
		t.Errorf("unknown exercise: %d", r.status)
	}
}
