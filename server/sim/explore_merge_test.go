package sim

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

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

// A search stopped by a bound reports nothing as unreachable; the coverage
// search then reaches what it can and names the rest.
func TestExploreCoverage(t *testing.T) {
	cases := []struct {
		file          string
		maxPaths      int
		coverBranches int
		notReached    []string // states
		options       int      // options never chosen
	}{
		// The full search alone, stopped early, misses states and options.
		{"long.yaml", 300, 1, []string{"spread", "leaked", "regulator_action"}, 11},
		// The coverage search reaches every one of them.
		{"long.yaml", 300, 0, nil, 0},
		// What is truly unreachable stays not reached, and only that.
		{"unreachable.yaml", 1, 0, []string{"secret"}, 0},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%d/%d", c.file, c.maxPaths, c.coverBranches), func(t *testing.T) {
			r := explore(t, c.file, ExploreOptions{MaxPaths: c.maxPaths, CoverBranches: c.coverBranches})
			if r.Complete || r.Limit == "" || r.Coverage == nil || len(r.Unreachable) != 0 {
				t.Fatalf("complete %v limit %q coverage %v unreachable %v", r.Complete, r.Limit, r.Coverage, r.Unreachable)
			}
			got := ids(r.Coverage.StatesNotReached, func(s StateInfo) string { return s.ID })
			if !slices.Equal(got, append([]string{}, c.notReached...)) || len(r.Coverage.OptionsNotReached) != c.options {
				t.Errorf("not reached %v and %d options, want %v and %d", got, len(r.Coverage.OptionsNotReached), c.notReached, c.options)
			}
		})
	}
}

// The facilitator's closing early and extending past the exit reach
// outcomes teams cannot; they are reported apart from the teams' search.
func TestExploreFacilitator(t *testing.T) {
	r := explore(t, "facreach.yaml", ExploreOptions{})
	if r.Facilitator != nil {
		t.Fatal("facilitator findings without asking")
	}
	if got := ids(r.Unreachable, func(s StateInfo) string { return s.ID }); !slices.Equal(got, []string{"calm", "meltdown"}) {
		t.Fatalf("teams' unreachable %v, want calm and meltdown", got)
	}
	r = explore(t, "facreach.yaml", ExploreOptions{Facilitator: true})
	if got := ids(r.Unreachable, func(s StateInfo) string { return s.ID }); !slices.Equal(got, []string{"calm", "meltdown"}) {
		t.Errorf("with the facilitator, the teams' unreachable %v changed", got)
	}
	f := r.Facilitator
	if f == nil || !f.Complete || len(f.ForceOnly) != 0 {
		t.Fatalf("facilitator report %+v", f)
	}
	want := map[string]string{
		"calm":     "+00:00:00 facilitator closes d",
		"meltdown": "+00:00:00 facilitator extends d by 10m (past the exit)",
	}
	if len(f.Reaches) != len(want) {
		t.Fatalf("reaches %+v, want calm and meltdown", f.Reaches)
	}
	for _, got := range f.Reaches {
		if w, ok := want[got.State]; !ok || !slices.Contains(got.Example, w) {
			t.Errorf("%s: example %q, want it to contain %q", got.State, got.Example, w)
		}
	}
}

// A tie between any two options of a vote settles on the situation a
// majority for the option listed first gives, which explore tries: ties
// reach nothing new, and the report says how they break.
func TestExploreVoteTies(t *testing.T) {
	sc := loadTD(t, "decisions.yaml")
	d := sc.Decision("vote")
	settle := func(votes ...string) []byte {
		m, err := New(sc, nil)
		if err != nil {
			t.Fatal(err)
		}
		m.Start(0)
		for i, o := range votes {
			if _, err := m.Answer(time.Minute, Answer{Decision: "vote", Team: "soc", Participant: fmt.Sprint("p", i), Option: o}); err != nil {
				t.Fatal(err)
			}
		}
		m.Advance(5 * time.Minute)
		return m.key(nil, &liveness(m.p)[m.cur])
	}
	for i, a := range d.Options {
		for _, b := range d.Options[i+1:] {
			if tie, first := settle(b.ID, a.ID), settle(a.ID); string(tie) != string(first) {
				t.Errorf("a tie %s-%s settles elsewhere than a vote for %s", a.ID, b.ID, a.ID)
			}
		}
	}
	r := explore(t, "decisions.yaml", ExploreOptions{})
	want := []VoteTie{{Decision: "vote", State: "ask", Line: d.Pos.Line, Order: []string{"a", "b", "c"}}}
	if !slices.EqualFunc(r.VoteTies, want, func(a, b VoteTie) bool {
		return a.Decision == b.Decision && a.State == b.State && a.Line == b.Line && slices.Equal(a.Order, b.Order)
	}) {
		t.Errorf("vote ties %+v, want %+v", r.VoteTies, want)
	}
}

// Forcing the next phase early skips the transition's effects: the
// facilitator can reach what the teams cannot.
func TestExploreFacilitatorForce(t *testing.T) {
	sc := parseSrc(t, forceSrc)
	r, err := Explore(sc, ExploreOptions{Facilitator: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(r.Unreachable, func(s StateInfo) string { return s.ID }); !slices.Equal(got, []string{"good"}) {
		t.Errorf("teams' unreachable %v, want good", got)
	}
	f := r.Facilitator
	if f == nil || len(f.Reaches) != 1 || f.Reaches[0].Outcome != "good" ||
		!slices.Equal(f.Reaches[0].Example, []string{"+00:00:00 facilitator forces next", "+00:00:00 reaches good"}) {
		t.Errorf("facilitator %+v", f)
	}
}

// forceSrc is a scenario whose good ending only the facilitator reaches:
// by forcing the next phase before the timed transition sets the penalty.
const forceSrc = `id: force
title: Force
teams:
  t: {name: Team}
variables:
  penalty: {type: bool}
start: s
states:
  s:
    transitions:
      - {to: next, after: 5m, effects: [penalty = true]}
  next:
    transitions:
      - {to: good, when: not penalty}
      - {to: bad, when: penalty}
  good: {outcome: good, rating: success}
  bad: {outcome: bad, rating: failure}
`
