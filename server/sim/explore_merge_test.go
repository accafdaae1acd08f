package sim

import (
	"strings"
	"testing"

	"github.com/ttxsim/ttx/server/scenario"
)

func parseSrc(t *testing.T, src string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Parse("inline.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// Answers that lead to the same situation are explored once and counted
// as many times as they stand for.
func TestExploreMergesEqualAnswers(t *testing.T) {
	const head = `id: merge
title: Merge
teams:
  t: {name: Team}
variables:
  score: {type: number}
start: s
states:
  s:
    decisions:
      - id: d
        team: t
        prompt: Which?
        time_limit: 5m
        default: a
        options:
          - {id: a, label: A, effects: ["score += 1"]}
          - {id: b, label: B, effects: ["score  +=  1"]}
          - {id: c, label: C, effects: ["score += 2"]}
    transitions:
      - {to: end, after: 10m}
  end: {outcome: end, rating: success}
`
	cases := []struct {
		name     string
		extra    string // appended to the end state's rules
		branches int
	}{
		// a, b and no answer (default a) are one; c another.
		{"nothing reads the choice", "", 2},
		// chose reads which option: a, b, c and no answer (a again,
		// but not answered) differ only in answered, which nothing reads.
		{"chose read", "\n  late:\n    transitions: [{to: end, when: 'chose(\"d\", \"b\")'}]\n", 3},
		// answered tells no answer (the default) from a team's a.
		{"answered read", "\n  late:\n    transitions: [{to: end, when: 'answered(\"d\")'}]\n", 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := head + c.extra
			if c.extra != "" {
				src = strings.Replace(src, "{to: end, after: 10m}", "{to: late, after: 10m}", 1)
			}
			r, err := Explore(parseSrc(t, src), ExploreOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if r.Branches != c.branches || r.Paths != 4 {
				t.Errorf("branches %d paths %d, want %d and 4", r.Branches, r.Paths, c.branches)
			}
		})
	}
}
