package sim

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
