package scenario

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// validate runs the checks that need the whole file: expressions (which
// may name decisions of later states), placeholders, and the state graph.
//
// When decoding already failed (clean is false) the graph checks are
// skipped: a state dropped for a bad id would make others look unreachable.
func (d *decoder) validate(clean bool) {
	sc := d.sc
	c := d.newExprCompiler()
	for _, x := range d.conds {
		c.compileCond(x)
	}
	for _, f := range d.effects {
		c.compileEffect(f)
	}
	for _, x := range d.counts {
		x.Program = c.compile(x.Src, exprText{node: x.node, lines: c.lines}, wantCount)
	}
	for _, x := range d.numbers {
		x.Program = c.compile(x.Src, exprText{node: x.node, lines: c.lines}, wantMinute)
	}
	for _, t := range d.texts {
		d.placeholders(t)
	}
	finals := 0
	for _, s := range sc.States {
		d.stateRules(s)
		if s.Final() {
			finals++
		}
	}
	for _, r := range d.stateRefs {
		if sc.idx.states[r.s] == nil {
			d.errs.add(r.pos, d.refHint(r.s, stateIDs(sc), "states"), "transition to unknown state '%s'", clip(r.s, 40))
		}
	}
	if !clean {
		return
	}
	if len(sc.States) > 0 && finals == 0 {
		d.errs.add(sc.States[0].Pos, "give at least one state an 'outcome:' (and a 'rating:')", "the scenario has no final state, so it can never end")
	}
	d.reachability()
	if finals > 0 {
		d.noWayOut()
	}
}

func (d *decoder) stateRules(s *State) {
	if s.Final() {
		if len(s.Transitions) > 0 {
			d.errs.add(s.Transitions[0].Pos, "remove the transitions, or the outcome", "final state '%s' (outcome '%s') cannot have transitions", s.ID, s.Outcome)
		}
		if len(s.Decisions) > 0 {
			d.errs.add(s.Decisions[0].Pos, "the exercise ends on entering this state; move the decision to an earlier state", "final state '%s' cannot have decisions", s.ID)
		}
		if len(s.Timers) > 0 {
			d.errs.add(s.Timers[0].Pos, "the exercise ends on entering this state", "final state '%s' cannot have timers", s.ID)
		}
		for _, in := range s.Injects {
			if in.At > 0 {
				d.errs.add(in.Pos, "use 'at: 0' (or leave it out) in a final state", "inject '%s' would never arrive: the exercise ends on entering '%s'", in.ID, s.ID)
			}
		}
		return
	}
	if len(s.Transitions) == 0 {
		d.errs.add(s.Pos, "add a transition, or make it final with 'outcome:'", "state '%s' is a dead end: it has no transitions and no outcome", s.ID)
	}
}

// reachability reports states that no chain of transitions from start
// reaches; a state only the facilitator can force does not count.
func (d *decoder) reachability() {
	sc := d.sc
	start := sc.idx.states[sc.Start]
	if start == nil {
		return
	}
	seen := map[*State]bool{start: true}
	queue := []*State{start}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, t := range s.Transitions {
			if n := sc.idx.states[t.To]; n != nil && !seen[n] {
				seen[n] = true
				queue = append(queue, n)
			}
		}
	}
	for _, s := range sc.States {
		if !seen[s] {
			d.errs.add(s.Pos, "add a transition to it from another state, or remove it", "state '%s' is unreachable from start state '%s'", s.ID, sc.Start)
		}
	}
}

// placeholders checks that every {{name}} in a text names a parameter.
func (d *decoder) placeholders(t textRef) {
	s := t.s
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			return
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			d.errs.add(t.pos, "close it with '}}'", "unclosed '{{' in text")
			return
		}
		name := strings.TrimSpace(s[i+2 : i+j])
		if d.sc.idx.params[name] == nil {
			d.unknownPlaceholder(t, name)
		}
		s = s[i+j+2:]
	}
}

// Render substitutes {{param}} placeholders. The loader has checked that
// every placeholder names a parameter; anything else is left as written.
func Render(text string, params map[string]string) string {
	return RenderValues(text, params, nil)
}

// Params returns the parameter values for an exercise: each default,
// replaced by the overrides given. Unknown names and oversized or
// multi-line values are refused.
func (sc *Scenario) Params(overrides map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(sc.Parameters))
	for _, p := range sc.Parameters {
		out[p.ID] = p.Default
	}
	for _, k := range slices.Sorted(maps.Keys(overrides)) { // the same error for the same input
		v := overrides[k]
		p := sc.idx.params[k]
		if p == nil {
			return nil, fmt.Errorf("scenario: unknown parameter %q", k)
		}
		if len([]rune(v)) > maxParamValue {
			return nil, &ParamError{Param: k, Msg: fmt.Sprintf("is longer than %d characters", maxParamValue)}
		}
		if strings.ContainsAny(v, "\r\n\x00") || strings.Contains(v, "{{") {
			return nil, &ParamError{Param: k, Msg: "must be one line of plain text"}
		}
		if _, msg := p.Check(v); msg != "" {
			return nil, &ParamError{Param: k, Msg: msg}
		}
		out[k] = v
	}
	return out, nil
}
