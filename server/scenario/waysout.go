package scenario

import (
	"fmt"
	"strings"
)

// noWayOut reports groups of states reached from the start that lead only
// to each other: once the exercise enters one, no chain of transitions
// reaches a final state, so it can only end by the facilitator's hand. A
// state with no transitions at all is a dead end, reported on its own.
//
// Such a group is a strongly connected component of the state graph that
// no transition leaves and that holds a loop; components are found in
// linear time (Kosaraju), as a file may hold up to maxStates states.
func (d *decoder) noWayOut() {
	sc := d.sc
	n := len(sc.States)
	pos := make(map[*State]int, n)
	for i, s := range sc.States {
		pos[s] = i
	}
	next := make([][]int, n)
	prev := make([][]int, n)
	selfLoop := make([]bool, n)
	for i, s := range sc.States {
		for _, t := range s.Transitions {
			if to := sc.idx.states[t.To]; to != nil {
				j := pos[to]
				next[i] = append(next[i], j)
				prev[j] = append(prev[j], i)
				selfLoop[i] = selfLoop[i] || i == j
			}
		}
	}
	start, ok := pos[sc.idx.states[sc.Start]]
	if !ok {
		return
	}
	// First pass: the order in which depth-first searches finish.
	var order []int
	done := make([]bool, n)
	type frame struct{ v, i int }
	for root := range n {
		if done[root] {
			continue
		}
		done[root] = true
		stack := []frame{{root, 0}}
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			if f.i < len(next[f.v]) {
				w := next[f.v][f.i]
				f.i++
				if !done[w] {
					done[w] = true
					stack = append(stack, frame{w, 0})
				}
				continue
			}
			order = append(order, f.v)
			stack = stack[:len(stack)-1]
		}
	}
	// Second pass, on the reversed graph in reverse finishing order: each
	// search collects one component.
	comp := make([]int, n)
	for i := range comp {
		comp[i] = -1
	}
	var comps [][]int
	for k := len(order) - 1; k >= 0; k-- {
		root := order[k]
		if comp[root] >= 0 {
			continue
		}
		c := len(comps)
		comp[root] = c
		members := []int{root}
		for q := 0; q < len(members); q++ {
			for _, w := range prev[members[q]] {
				if comp[w] < 0 {
					comp[w] = c
					members = append(members, w)
				}
			}
		}
		comps = append(comps, members)
	}
	// Which states the start reaches.
	reached := make([]bool, n)
	reached[start] = true
	queue := []int{start}
	for q := 0; q < len(queue); q++ {
		for _, w := range next[queue[q]] {
			if !reached[w] {
				reached[w] = true
				queue = append(queue, w)
			}
		}
	}
	for c, members := range comps {
		first := members[0]
		for _, v := range members {
			first = min(first, v)
		}
		if !reached[first] || (len(members) == 1 && !selfLoop[first]) {
			continue // unreachable (reported as such), or no loop
		}
		leaves := false
		for _, v := range members {
			for _, w := range next[v] {
				leaves = leaves || comp[w] != c
			}
		}
		if leaves {
			continue
		}
		s := sc.States[first]
		if len(members) == 1 {
			d.errs.add(s.Pos, "add a transition to a final state (one with 'outcome:')",
				"state '%s' only leads back to itself: once there, the exercise cannot reach an ending", s.ID)
			continue
		}
		var ids []string
		for i := range n { // file order
			if comp[i] == c {
				ids = append(ids, "'"+sc.States[i].ID+"'")
			}
		}
		list := strings.Join(ids[:len(ids)-1], ", ") + " and " + ids[len(ids)-1]
		d.errs.add(s.Pos, "add a transition to a final state (one with 'outcome:') from one of them",
			"%s", fmt.Sprintf("states %s lead only to each other: once there, the exercise cannot reach an ending", list))
	}
}
