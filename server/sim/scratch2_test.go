package sim

import (
	"fmt"
	"testing"

	"github.com/ttxsim/ttx/server/scenario"
)

func TestScratchBig(t *testing.T) {
	sc, err := scenario.Load("../../scenarios/brand-hijack.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Explore(sc, ExploreOptions{MaxPaths: 2000000})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(r.Branches, r.Situations, r.Paths, r.Limit)
	for _, o := range r.Outcomes {
		fmt.Println(o)
	}
}
