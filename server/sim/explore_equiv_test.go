package sim

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ttxsim/ttx/server/scenario"
)

// equivFiles are the scenarios whose exploration is held to goldens: the
// shipped ones and the loadable test scenarios.
func equivFiles(t *testing.T) map[string]*scenario.Scenario {
	t.Helper()
	files, _ := filepath.Glob("testdata/*.yaml")
	seeds, _ := filepath.Glob("../../scenarios/*.yaml")
	out := map[string]*scenario.Scenario{}
	for _, f := range append(files, seeds...) {
		sc, err := scenario.Load(f)
		if err != nil {
			continue
		}
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		if strings.Contains(f, "scenarios/") {
			name = "seed-" + name
		}
		out[name] = sc
	}
	return out
}

// TestExploreEquivalent holds what explore finds (outcomes with their path
// counts and durations, states reached, dead ends, cycles, errors,
// warnings and every variable's range) to goldens recorded with the search
// that kept every read decision, state, inject and variable in the
// situation key for good. Only the work done (branches, situations) may
// change. -update rewrites them.
func TestExploreEquivalent(t *testing.T) {
	for name, sc := range equivFiles(t) {
		t.Run(name, func(t *testing.T) {
			r, err := Explore(sc, ExploreOptions{MaxPaths: 50_000_000})
			if err != nil {
				t.Fatal(err)
			}
			if r.Limit != "" {
				t.Fatal(r.Limit)
			}
			r.Branches, r.Situations = 0, 0
			got, err := json.MarshalIndent(r, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join("testdata", "explore", name+".json")
			if *update {
				if err := os.WriteFile(file, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if string(want) != string(got)+"\n" {
				t.Errorf("explore %s differs from %s:\n%s", name, file, got)
			}
		})
	}
}
