package scenarios_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// graphFixtures is where the web UI's layout tests read the branch graph of
// every shipped scenario (frontend/src/lib/graph.test.ts): the states and
// transitions of the scenario as the API sends them, nothing else.
const graphFixtures = "../frontend/src/lib/testdata/graphs"

// TestGraphFixturesMatchShippedScenarios keeps those fixtures true to the
// YAML files, so that the layout is tested on the titles and conditions the
// console will draw. After changing a scenario's states or transitions,
// rewrite them with -update.
func TestGraphFixturesMatchShippedScenarios(t *testing.T) {
	all := shipped(t)
	want := map[string]bool{}
	for name, sc := range all {
		full, err := json.Marshal(sc)
		if err != nil {
			t.Fatalf("%s: marshal: %v", name, err)
		}
		var raw struct {
			ID     string `json:"id"`
			Title  string `json:"title"`
			Start  string `json:"start"`
			States []struct {
				ID          string            `json:"id"`
				Title       string            `json:"title,omitempty"`
				Outcome     string            `json:"outcome,omitempty"`
				Rating      string            `json:"rating,omitempty"`
				Transitions []json.RawMessage `json:"transitions,omitempty"`
			} `json:"states"`
		}
		if err := json.Unmarshal(full, &raw); err != nil {
			t.Fatalf("%s: unmarshal: %v", name, err)
		}
		got, err := json.MarshalIndent(raw, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, '\n')
		file := filepath.Join(graphFixtures, strings.TrimSuffix(name, ".yaml")+".json")
		want[filepath.Base(file)] = true
		if *update {
			if err := os.MkdirAll(graphFixtures, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		old, err := os.ReadFile(file)
		if err != nil {
			t.Errorf("%s: read the graph fixture (run go test ./scenarios -update to write it): %v", name, err)
			continue
		}
		if !bytes.Equal(old, got) {
			t.Errorf("%s is stale: the states or transitions of %s changed (run go test ./scenarios -run GraphFixtures -update)", file, name)
		}
	}
	// A fixture of a scenario that no longer ships would test nothing real.
	files, err := filepath.Glob(filepath.Join(graphFixtures, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !want[filepath.Base(f)] {
			t.Errorf("%s is the graph of no shipped scenario: remove it", f)
		}
	}
}
