package sim

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/scenario"
)

func explore(t *testing.T, name string, opts ExploreOptions) *Report {
	t.Helper()
	r, err := Explore(loadTD(t, name), opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

type outcomeCount struct {
	outcome  string
	paths    uint64
	min, max time.Duration
}

func outcomes(r *Report) []outcomeCount {
	var out []outcomeCount
	for _, o := range r.Outcomes {
		out = append(out, outcomeCount{o.Outcome, o.Paths, o.Min, o.Max})
	}
	return out
}

func ids[T any](items []T, id func(T) string) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, id(it))
	}
	return out
}

func TestExploreCounts(t *testing.T) {
	// basic: lock (timed) is revoke, wait or unanswered. revoke ends
	// contained at 15m. The other two enter press, where the untimed
	// statement is yes or no at 15m or 16m (the next due item), or never:
	// yes reaches contained, the rest crisis at 35m.
	r := explore(t, "basic.yaml", ExploreOptions{})
	want := []outcomeCount{
		{"contained", 1 + 2*2, 15 * time.Minute, 16 * time.Minute},
		{"crisis", 2 * 3, 35 * time.Minute, 35 * time.Minute},
	}
	if got := outcomes(r); !slices.Equal(got, want) {
		t.Errorf("outcomes %v, want %v", got, want)
	}
	if r.Paths != 11 || r.Defects() != 0 || r.Limit != "" {
		t.Errorf("paths %d defects %d limit %q", r.Paths, r.Defects(), r.Limit)
	}
	if got := ids(r.UndeliveredInjects, func(i ItemInfo) string { return i.ID }); !slices.Equal(got, []string{"follow_up"}) {
		t.Errorf("undelivered %v, want follow_up (reputation never drops below 30)", got)
	}
	for _, s := range r.States {
		if !s.Reached {
			t.Errorf("state %s not reached", s.ID)
		}
	}
}

func TestExploreDurations(t *testing.T) {
	// Waiting on u runs into t2 at 5m and late at 15m; answering at 0 ends at 0.
	r := explore(t, "wait.yaml", ExploreOptions{})
	want := []outcomeCount{{"good", 1, 0, 0}, {"late", 1, 15 * time.Minute, 15 * time.Minute}}
	if got := outcomes(r); !slices.Equal(got, want) {
		t.Errorf("outcomes %v, want %v", got, want)
	}
}

func TestExploreUnreachable(t *testing.T) {
	r := explore(t, "unreachable.yaml", ExploreOptions{})
	if got := ids(r.Unreachable, func(s StateInfo) string { return s.ID }); !slices.Equal(got, []string{"secret"}) {
		t.Errorf("unreachable %v, want [secret]", got)
	}
	want := []outcomeCount{{"good", 1, 5 * time.Minute, 5 * time.Minute}, {"bad", 2, 5 * time.Minute, 5 * time.Minute}}
	if got := outcomes(r); !slices.Equal(got, want) {
		t.Errorf("outcomes %v, want %v", got, want)
	}
	if r.Defects() != 1 {
		t.Errorf("defects %d, want 1", r.Defects())
	}
}

func TestExploreDeadEnds(t *testing.T) {
	r := explore(t, "deadend.yaml", ExploreOptions{})
	type de struct {
		state  string
		paths  uint64
		reason string
	}
	var got []de
	for _, d := range r.DeadEnds {
		got = append(got, de{d.State, d.Paths, d.Reason})
	}
	want := []de{
		{"limbo", 1, "nothing more is scheduled and no transition can fire"},
		{"spin", 1, "time runs on (only repeating timers fire) but no transition can fire"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("dead ends %v, want %v", got, want)
	}
	if len(r.DeadEnds) == 2 && !slices.Equal(r.DeadEnds[0].Example, []string{"+00:00:00 d=stay", "+00:00:00 stuck in limbo"}) {
		t.Errorf("example %q", r.DeadEnds[0].Example)
	}
	if got := outcomes(r); !slices.Equal(got, []outcomeCount{{"end", 1, 0, 0}}) {
		t.Errorf("outcomes %v", got)
	}
	if r.Defects() != 2 {
		t.Errorf("defects %d, want 2", r.Defects())
	}
}

func TestExploreCycles(t *testing.T) {
	cases := []struct {
		file   string
		states []string
		reason string
		want   []outcomeCount
	}{
		// stay (or no answer, default stay) goes b and back to a as it was.
		{"cycle.yaml", []string{"a", "b"}, "returns to the same situation (same variables and decisions)",
			[]outcomeCount{{"end", 1, 2 * time.Minute, 2 * time.Minute}}},
		// a and b hand over at once until the guard trips; the timer then ends it.
		{"runaway.yaml", []string{"a", "b"}, "no clock progress: more than 64 transitions at +00:00:00",
			[]outcomeCount{{"done", 1, time.Minute, time.Minute}}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			r := explore(t, c.file, ExploreOptions{})
			if len(r.Cycles) != 1 || !slices.Equal(r.Cycles[0].States, c.states) || r.Cycles[0].Reason != c.reason {
				t.Fatalf("cycles %+v, want %v: %s", r.Cycles, c.states, c.reason)
			}
			if got := outcomes(r); !slices.Equal(got, c.want) {
				t.Errorf("outcomes %v, want %v", got, c.want)
			}
			if r.Defects() != 1 {
				t.Errorf("defects %d, want 1", r.Defects())
			}
		})
	}
}

func TestExploreBounds(t *testing.T) {
	r := explore(t, "basic.yaml", ExploreOptions{MaxPaths: 3})
	if r.Limit != "stopped after 3 paths; raise --max-paths" || r.Defects() == 0 {
		t.Errorf("limit %q defects %d", r.Limit, r.Defects())
	}
	if len(r.Unreachable) != 0 {
		t.Errorf("an incomplete exploration reported unreachable states: %v", r.Unreachable)
	}
	r = explore(t, "basic.yaml", ExploreOptions{MaxDepth: 2})
	if !strings.HasPrefix(r.Limit, "stopped: a path is longer than 2 steps") || !strings.HasSuffix(r.Limit, "raise --max-depth") {
		t.Errorf("limit %q", r.Limit)
	}
	// A horizon before the first outcome turns every path into a dead end.
	r = explore(t, "basic.yaml", ExploreOptions{Horizon: 20 * time.Minute})
	if len(r.DeadEnds) != 1 || r.DeadEnds[0].State != "press" || !strings.Contains(r.DeadEnds[0].Reason, "within 20m") {
		t.Errorf("dead ends %+v", r.DeadEnds)
	}
}

func TestExploreWarnings(t *testing.T) {
	r := explore(t, "decisions.yaml", ExploreOptions{})
	if got := ids(r.InertDecisions, func(i ItemInfo) string { return i.ID + ": " + i.Reason }); !slices.Equal(got, []string{
		"lead_only: no option has effects and no rule reads the choice",
		"expiring: no option has effects and no rule reads the choice",
	}) {
		t.Errorf("inert %q", got)
	}
	if r.Defects() != 0 {
		t.Errorf("defects %d: %+v", r.Defects(), r)
	}
}

func TestExploreDeterministic(t *testing.T) {
	a := explore(t, "basic.yaml", ExploreOptions{})
	b := explore(t, "basic.yaml", ExploreOptions{})
	if !slices.Equal(outcomes(a), outcomes(b)) || a.Branches != b.Branches || a.Situations != b.Situations {
		t.Errorf("two explorations differ: %+v %+v", a, b)
	}
}

// The lean machines explore runs (shared environment, no events) must see
// exactly what full machines see.
func TestExploreLeanMatchesFull(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.yaml")
	seeds, _ := filepath.Glob("../../scenarios/*.yaml")
	for _, f := range append(files, seeds...) {
		sc, err := scenario.Load(f)
		if err != nil {
			t.Fatal(err)
		}
		lean, err := Explore(sc, ExploreOptions{MaxPaths: 20000})
		if err != nil {
			t.Fatal(err)
		}
		full, err := Explore(sc, ExploreOptions{MaxPaths: 20000, full: true})
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(lean)
		b, _ := json.Marshal(full)
		if string(a) != string(b) {
			t.Errorf("%s: lean and full explorations differ:\n%s\n%s", f, a, b)
		}
	}
}

// A decision no rule reads any more once its stage is left must leave the
// situation key: six stages of five ways each (four options or no
// answer) merge back after every stage instead of multiplying (5^6 =
// 15,625 situations per stage reached when they stay).
func TestExploreForgetsWhatNoRuleReads(t *testing.T) {
	r := explore(t, "stages.yaml", ExploreOptions{})
	if r.Limit != "" || r.Paths != 15625 {
		t.Fatalf("limit %q, paths %d, want 15625", r.Limit, r.Paths)
	}
	if r.Situations > 6*40 {
		t.Errorf("%d situations for 6 stages, want at most 40 a stage", r.Situations)
	}
}
