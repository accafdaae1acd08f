package sim

import (
	"fmt"
	"os"
	"testing"

	"github.com/ttxsim/ttx/server/scenario"
)

func TestScratch(t *testing.T) {
	src, _ := os.ReadFile("testdata/basic.yaml")
	sc, err := scenario.Parse("basic.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range []map[string]string{nil, {"lock": "revoke"}, {"lock": "wait", "statement": "yes"}} {
		r, err := Play(sc, PlayOptions{Choices: ch})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range r.Events {
			fmt.Println(Line(e))
		}
		fmt.Println(r.Outcome, r.Stopped, r.Notes)
	}
}

func TestScratchExplore(t *testing.T) {
	src, _ := os.ReadFile("testdata/basic.yaml")
	sc, err := scenario.Parse("basic.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Explore(sc, ExploreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("%+v\n", r)
}
