package sim

import (
	"fmt"
	"strings"
)

// foldRunaway shortens a runaway loop in a dry run's events: the
// transitions of a chain that tripped the runaway guard are kept up to the
// end of their first cycle, and the guard's error names the cycle and how
// many times it went round unprinted. It returns the events and the cycle
// ("a -> b -> a"), or evs unchanged and "" when they hold no runaway.
// With again, the loop was printed before: the chain and the guard's
// error are left out altogether.
func foldRunaway(evs []Event, again bool) ([]Event, string) {
	r := -1
	for i, e := range evs {
		if e.Kind == KindError && e.Code == CodeRunaway {
			r = i
			break
		}
	}
	if r < 0 {
		return evs, ""
	}
	// The chain: the transitions taken at the guard's instant, in order.
	var gotos []int
	for i := r - 1; i >= 0 && evs[i].At == evs[r].At; i-- {
		if evs[i].Kind == KindTransitionTaken {
			gotos = append([]int{i}, gotos...)
		}
	}
	if len(gotos) == 0 {
		return evs, ""
	}
	seq := []string{evs[gotos[0]].FromState}
	first := map[string]int{seq[0]: 0}
	end, start := len(gotos), 0
	for k, g := range gotos {
		to := evs[g].ToState
		seq = append(seq, to)
		if j, seen := first[to]; seen {
			end, start = k+1, j
			break
		}
		first[to] = len(seq) - 1
	}
	cycle := strings.Join(seq[start:], " -> ")
	out := make([]Event, 0, len(evs))
	cut := r
	if end < len(gotos) {
		cut = gotos[end]
	}
	if again {
		return append(append(out, evs[:gotos[0]]...), evs[r+1:]...), cycle
	}
	out = append(out, evs[:cut]...)
	guard := evs[r]
	guard.Error = fmt.Sprintf("loop %s: more than %d transitions without the clock moving", cycle, MaxChain)
	if more := len(gotos) - end; more > 0 {
		guard.Error += fmt.Sprintf(" (%d more transitions round it not printed)", more)
	}
	guard.Error += "; transitions wait until the clock moves"
	out = append(out, guard)
	return append(out, evs[r+1:]...), cycle
}
