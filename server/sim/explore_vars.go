package sim

import (
	"fmt"
	"slices"

	"github.com/ttxsim/ttx/server/scenario"
)

// VarRange is what values a variable takes on the paths explored: the
// lowest and highest of a number, every value of a bool or string (sorted;
// strings are quoted). An author reads it as "how bad can it get".
type VarRange struct {
	ID     string   `json:"id"`
	Min    *float64 `json:"min,omitempty"`
	Max    *float64 `json:"max,omitempty"`
	Values []string `json:"values,omitempty"`
}

// varRange accumulates a VarRange.
type varRange struct {
	seen            bool
	min, max        float64
	isTrue, isFalse bool
	strs            map[string]bool
}

func (r *varRange) add(v any) {
	switch x := v.(type) {
	case float64:
		if !r.seen || x < r.min {
			r.min = x
		}
		if !r.seen || x > r.max {
			r.max = x
		}
		r.seen = true
	case bool:
		r.isTrue = r.isTrue || x
		r.isFalse = r.isFalse || !x
	case string:
		// Called at every step of a search: the lookup of a value
		// already seen allocates nothing.
		if !r.strs[x] {
			if r.strs == nil {
				r.strs = map[string]bool{}
			}
			r.strs[x] = true
		}
	}
}

func (r *varRange) info(v *scenario.Variable) VarRange {
	out := VarRange{ID: v.ID}
	if r.seen {
		lo, hi := r.min, r.max
		out.Min, out.Max = &lo, &hi
	}
	if r.isFalse {
		out.Values = append(out.Values, "false")
	}
	if r.isTrue {
		out.Values = append(out.Values, "true")
	}
	for s := range r.strs {
		out.Values = append(out.Values, fmt.Sprintf("%q", s))
	}
	slices.Sort(out.Values)
	return out
}
