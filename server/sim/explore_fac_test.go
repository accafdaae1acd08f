package sim

import (
	"slices"
	"testing"

	"github.com/ttxsim/ttx/server/scenario"
)

// TestFacilitatorSearchCompletes checks that the facilitator's search
// stops, complete, once nothing is left to find: the shipped scenarios,
// whose teams reach every state, used to run into the branch bound; and
// a state only the facilitator reaches is still found.
func TestFacilitatorSearchCompletes(t *testing.T) {
	cases := []struct {
		name    string
		load    func(t *testing.T) *scenario.Scenario
		reaches []string // states only the facilitator reaches
	}{
		{"brand-hijack", shippedScenario("brand-hijack"), nil},
		{"outage-comms", shippedScenario("outage-comms"), nil},
		{"facilitator forces a way in", func(t *testing.T) *scenario.Scenario {
			return parseSrc(t, forceSrc)
		}, []string{"good"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Explore(c.load(t), ExploreOptions{Facilitator: true})
			if err != nil {
				t.Fatal(err)
			}
			f := r.Facilitator
			if !r.Complete || !f.Complete || f.Limit != "" {
				t.Fatalf("teams' search complete %v; facilitator's complete %v (%s)", r.Complete, f.Complete, f.Limit)
			}
			var got []string
			for _, x := range f.Reaches {
				got = append(got, x.State)
			}
			if !slices.Equal(got, c.reaches) || len(f.ForceOnly) != 0 {
				t.Errorf("facilitator reaches %v, force only %v; want %v and none", got, f.ForceOnly, c.reaches)
			}
		})
	}
}

func shippedScenario(name string) func(t *testing.T) *scenario.Scenario {
	return func(t *testing.T) *scenario.Scenario {
		sc, err := scenario.Load("../../scenarios/" + name + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		return sc
	}
}
