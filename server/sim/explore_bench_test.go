package sim

import (
	"testing"

	"github.com/ttxsim/ttx/server/scenario"
)

// benchExplore explores a test scenario completely, reporting the
// distinct situations and branches of one exploration.
func benchExplore(b *testing.B, name string) {
	sc := loadTD(b, name)
	var r *Report
	for b.Loop() {
		var err error
		r, err = Explore(sc, ExploreOptions{MaxPaths: 50_000_000})
		if err != nil {
			b.Fatal(err)
		}
	}
	if r.Limit != "" {
		b.Fatal(r.Limit)
	}
	b.ReportMetric(float64(r.Situations), "situations")
	b.ReportMetric(float64(r.Branches), "branches")
}

// BenchmarkExploreLong explores a scenario of the size authors write:
// 4 teams, 15 decisions (first, lead, vote), 11 states, 27 injects on
// every channel, 5 outcomes.
func BenchmarkExploreLong(b *testing.B) { benchExplore(b, "long.yaml") }

// BenchmarkExploreStages explores six stages whose decisions each set the
// same variable and are read only in their own stage.
func BenchmarkExploreStages(b *testing.B) { benchExplore(b, "stages.yaml") }

// BenchmarkExploreFacilitator explores a shipped scenario with the
// facilitator's actions too (ttx explore --facilitator).
func BenchmarkExploreFacilitator(b *testing.B) {
	sc, err := scenario.Load("../../scenarios/brand-hijack.yaml")
	if err != nil {
		b.Fatal(err)
	}
	var r *Report
	for b.Loop() {
		if r, err = Explore(sc, ExploreOptions{Facilitator: true}); err != nil {
			b.Fatal(err)
		}
	}
	if r.Facilitator.Limit != "" {
		b.Fatal(r.Facilitator.Limit)
	}
}
