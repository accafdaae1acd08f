package api

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// The exercise's scenario route sends the model as the exercise runs it,
// its {{param}} placeholders as written, and the exercise's own parameter
// values and every parameter's default beside it (the exercise view and the
// report): what the console and the report need to fill every text the
// facilitator reads, persona roles and notes included (withParams in the
// web UI; it showed "{{company}}" in a persona's line).
func TestScenarioRouteCarriesWhatFillsItsParameters(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	origin := map[string]string{"Origin": e.ts.URL}
	r := e.do(fac, "POST", "/api/exercises", map[string]any{"scenario": "example-hijacked-account", "params": map[string]string{"company": "Globex"}}, origin)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var created struct{ Exercise exerciseView }
	r.json(t, &created)
	id := created.Exercise.ID

	type param struct {
		ID      string `json:"id"`
		Default string `json:"default"`
	}
	var sc struct {
		Scenario struct {
			Parameters []param `json:"parameters"`
			Personas   []struct {
				Name string `json:"name"`
				Org  string `json:"org"`
				Role string `json:"role"`
			} `json:"personas"`
		} `json:"scenario"`
	}
	r = e.do(fac, "GET", "/api/exercises/"+id+"/scenario", nil, nil)
	if r.status != http.StatusOK {
		t.Fatalf("scenario: %d %s", r.status, r.body)
	}
	r.json(t, &sc)
	if !slices.ContainsFunc(sc.Scenario.Parameters, func(p param) bool { return p.ID == "company" && p.Default != "" }) {
		t.Errorf("the scenario's parameters %+v lack company with its default", sc.Scenario.Parameters)
	}
	placeholders, roles := 0, 0
	for _, p := range sc.Scenario.Personas {
		if strings.Contains(p.Name+p.Org, "{{company}}") {
			placeholders++
		}
		if p.Role != "" {
			roles++
		}
	}
	if placeholders == 0 || roles == 0 {
		t.Errorf("personas %+v: want the facilitator's roles and the names as written ({{company}}), for the console to fill", sc.Scenario.Personas)
	}

	// The values to fill them with: on the exercise, and in the report.
	for _, path := range []string{"", "/report"} {
		var got struct{ Exercise exerciseView }
		r = e.do(fac, "GET", "/api/exercises/"+id+path, nil, nil)
		if r.status != http.StatusOK {
			t.Fatalf("GET %q: %d %s", path, r.status, r.body)
		}
		r.json(t, &got)
		if got.Exercise.Params["company"] != "Globex" {
			t.Errorf("GET %q: exercise params = %v, want company=Globex", path, got.Exercise.Params)
		}
	}
}
