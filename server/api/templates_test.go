package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/ttxsim/ttx/server/password"
)

// Ad-hoc inject templates: saved per facilitator account and scenario, so
// they follow the scenario to its next exercise; the same checks as
// sending an inject; other accounts, participants and observers cannot
// read or delete them.
func TestInjectTemplates(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	origin := map[string]string{"Origin": e.ts.URL}
	id := e.addExercise("TMPXABCD")
	base := "/api/exercises/" + id + "/inject-templates"
	r := e.do(fac, "POST", base, map[string]any{"name": " Press call ", "inject": map[string]any{"channel": "phone", "from": "ciso", "title": "Call", "body": "Where is the statement?", "teams": []string{"comms"}}}, origin)
	if r.status != http.StatusCreated {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	var saved struct{ Template templateView }
	r.json(t, &saved)

	for _, c := range []struct {
		name string
		body map[string]any
		want string
	}{
		{"no name", map[string]any{"name": " ", "inject": map[string]any{"channel": "chat", "body": "x"}}, "name must be"},
		{"no body", map[string]any{"name": "a", "inject": map[string]any{"channel": "chat", "body": " "}}, "inject body is required"},
		{"body too long", map[string]any{"name": "a", "inject": map[string]any{"channel": "chat", "body": strings.Repeat("x", 8001)}}, "body"},
		{"unknown field", map[string]any{"name": "a", "inject": map[string]any{"channel": "chat", "body": "x"}, "extra": 1}, ""},
	} {
		if r := e.do(fac, "POST", base, c.body, origin); r.status != http.StatusBadRequest || !strings.Contains(r.body, c.want) {
			t.Errorf("%s: %d %s, want 400 with %q", c.name, r.status, r.body, c.want)
		}
	}

	// A second exercise of the same scenario lists it.
	other := e.addExercise("TMPXEFGH")
	r = e.do(fac, "GET", "/api/exercises/"+other+"/inject-templates", nil, nil)
	if r.status != 200 || !strings.Contains(r.body, `"name":"Press call"`) || !strings.Contains(r.body, `"body":"Where is the statement?"`) {
		t.Fatalf("list on the next exercise: %d %s", r.status, r.body)
	}

	// Nobody else sees or deletes it.
	ptok := e.joinAs("TMPXABCD", "Pia", "soc")
	otok := e.observer(fac, id)
	for name, tok := range map[string]string{"participant": ptok, "observer": otok} {
		if r := e.do(nil, "GET", base, nil, bearer(tok)); r.status != http.StatusForbidden {
			t.Errorf("%s list = %d, want 403", name, r.status)
		}
	}
	hash, err := password.Hash("another long password", 4)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.CreateAccount(t.Context(), "bob", hash, false, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	bob := e.client()
	if r := e.do(bob, "POST", "/api/auth/login", map[string]string{"name": "bob", "password": "another long password"}, origin); r.status != 200 {
		t.Fatalf("bob login: %d %s", r.status, r.body)
	}
	if r := e.do(bob, "GET", base, nil, nil); r.status != 200 || strings.Contains(r.body, "Press call") {
		t.Errorf("another facilitator's list: %d %s, want it without alice's template", r.status, r.body)
	}
	del := fmt.Sprintf("%s/%d", base, saved.Template.ID)
	if r := e.do(bob, "DELETE", del, nil, origin); r.status != http.StatusNotFound {
		t.Errorf("another facilitator deletes it: %d, want 404", r.status)
	}
	if r := e.do(fac, "DELETE", del, nil, origin); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if r := e.do(fac, "GET", base, nil, nil); r.status != 200 || strings.Contains(r.body, "Press call") {
		t.Errorf("after delete: %d %s", r.status, r.body)
	}
}
