package sim

import (
	"slices"
	"strings"

	"github.com/ttxsim/ttx/server/scenario"
)

// Liveness: a situation's key keeps only what the rules can still read.
// From a state on, the rules that can run are those of the state itself
// and of the states reachable from it by transitions; a decision settled,
// a state visited, an inject delivered or a variable's value that none of
// them reads cannot change what happens next, so two situations that
// differ only there have the same future and are explored once. Because
// an effect "v += e" reads v, a variable leaves the key only once nothing
// reachable reads or accumulates it: its value is then final or set from
// what the key holds, so the values every variable takes on the paths
// (Report.Variables) are those the full search finds.

// liveSet is what the rules reachable from one state read.
type liveSet struct {
	vars      []bool // by variable index
	decs      []bool // by decision index: closed, answered, chose or answer
	answered  []bool // answered: a team's answer rather than a default
	options   []bool // chose or answer: which option
	visited   []bool // by state index
	delivered []bool // by inject index
	clock     bool
	elapsed   bool // the state's own rules: elapsed restarts in every state
}

// reachable lists, for each state, the states reachable from it by
// transitions, itself first.
func reachable(p *plan) [][]int {
	sc := p.sc
	out := make([][]int, len(sc.States))
	for si := range sc.States {
		seen := make([]bool, len(sc.States))
		queue := []int{si}
		seen[si] = true
		for i := 0; i < len(queue); i++ {
			for _, t := range sc.States[queue[i]].Transitions {
				if n, ok := p.stateIdx[t.To]; ok && !seen[n] {
					seen[n] = true
					queue = append(queue, n)
				}
			}
		}
		out[si] = queue
	}
	return out
}

// liveness computes the live set of every state.
func liveness(p *plan) []liveSet {
	sc := p.sc
	own, exit := stateRefs(sc)
	out := make([]liveSet, len(sc.States))
	for si, reach := range reachable(p) {
		r := newRefs()
		for _, s := range reach {
			mergeRefs(&r, &own[s])
			mergeRefs(&r, &exit[s])
		}
		l := liveSet{
			vars:      make([]bool, len(sc.Variables)),
			decs:      make([]bool, len(p.decs)),
			answered:  make([]bool, len(p.decs)),
			options:   make([]bool, len(p.decs)),
			visited:   make([]bool, len(sc.States)),
			delivered: make([]bool, len(p.injs)),
			clock:     r.clock,
			elapsed:   own[si].elapsed || exit[si].elapsed,
		}
		for i, v := range sc.Variables {
			l.vars[i] = r.all || r.idents[v.ID]
		}
		for i, d := range p.decs {
			l.decs[i] = r.all || r.decisions[d.ID]
			l.answered[i] = r.all || r.answered[d.ID]
			l.options[i] = r.all || r.options[d.ID]
		}
		for i, s := range sc.States {
			l.visited[i] = r.all || r.visited[s.ID]
		}
		for i, in := range p.injs {
			l.delivered[i] = r.all || r.delivered[in.ID]
		}
		out[si] = l
	}
	return out
}

// choice is one answer explore gives to a decision, standing for n
// answers (options) that lead to the same situation.
type choice struct {
	option string // "" for a free-text answer
	n      uint64
}

// choices lists the answers worth trying for decision d in a state whose
// rules reachable from it read lv, and how many paths the "no answer"
// branch of a timed decision stands for (0: it is merged into an answer,
// or the decision is untimed).
// Options whose effects are the same (as written) lead to the same
// situation when no reachable rule reads which option was chosen; no
// answer is the default (or nothing, when it has none) unless a rule reads
// whether the team answered.
func choices(dc *scenario.Decision, d int, lv *liveSet) ([]choice, uint64) {
	class := func(option string, effects []*scenario.Effect, answered bool) string {
		k := strings.Join(effectSrcs(effects), "\x00")
		if lv.options[d] {
			k += "\x01" + option
		}
		if lv.answered[d] && answered {
			k += "\x02"
		}
		return k
	}
	var out []choice
	var keys []string
	add := func(option, k string) {
		if i := slices.Index(keys, k); i >= 0 {
			out[i].n++
			return
		}
		keys = append(keys, k)
		out = append(out, choice{option: option, n: 1})
	}
	for _, o := range dc.Options {
		add(o.ID, class(o.ID, o.Effects, true))
	}
	if len(dc.Options) == 0 {
		add("", class("", nil, true))
	}
	if dc.TimeLimit == 0 {
		return out, 0 // not answering is letting time run on
	}
	var def []*scenario.Effect
	if o := dc.Option(dc.Default); o != nil {
		def = o.Effects
	}
	if i := slices.Index(keys, class(dc.Default, def, false)); i >= 0 {
		out[i].n++
		return out, 0
	}
	return out, 1
}
