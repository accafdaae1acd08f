package sim

import (
	"fmt"
	"math/rand/v2"
)

// When the full search stops at a bound, what it did not meet may still be
// reachable: nothing it leaves out is a finding. A coverage search then
// tries to reach every state, outcome and option at least once, with its
// own budget: single paths (probes) from the start, each taking at every
// branch point an answer whose option has not been seen yet if there is
// one, else one of the alternatives at random (from a fixed seed, so the
// search is repeatable). What neither search reached is named, as not
// reached by an incomplete search, never as unreachable.

// Coverage is the result of the coverage search that runs when the full
// search stops early.
type Coverage struct {
	Branches           int          `json:"branches"` // alternatives taken by its probes
	Probes             int          `json:"probes"`   // paths it followed from the start
	Limit              string       `json:"limit,omitempty"`
	StatesNotReached   []StateInfo  `json:"states_not_reached"`
	OutcomesNotReached []string     `json:"outcomes_not_reached"`
	OptionsNotReached  []OptionInfo `json:"options_not_reached"`
}

// OptionInfo names one option of a decision.
type OptionInfo struct {
	Decision string `json:"decision"`
	Option   string `json:"option"`
	State    string `json:"state"`
	Line     int    `json:"line"`
}

// alt is one alternative at a branch point of a probe.
type alt struct {
	dec     int    // decision answered or declined, or -1
	option  string // option answered ("" with text: free text)
	text    bool
	decline bool
	act     int // world action index, or -1
	wait    bool
}

// alternatives lists what can happen at a branch point, as the full search
// tries it (branches_): the first pending timed decision answered or not;
// else each pending untimed decision answered, each open action, or time
// running on.
func (x *explorer) alternatives(m *Machine) []alt {
	var out []alt
	pending := func(d int) bool {
		st := m.dec(d)
		return st.open && !st.declined && len(st.answers) == 0
	}
	answers := func(d int) {
		dc := x.p.decs[d]
		for _, o := range dc.Options {
			out = append(out, alt{dec: d, option: o.ID, act: -1})
		}
		if len(dc.Options) == 0 {
			out = append(out, alt{dec: d, text: true, act: -1})
		}
	}
	for _, d := range x.p.stateDecs[m.cur] {
		if pending(d) && x.p.decs[d].TimeLimit > 0 {
			answers(d)
			return append(out, alt{dec: d, decline: true, act: -1})
		}
	}
	for _, d := range x.p.stateDecs[m.cur] {
		if pending(d) {
			answers(d)
		}
	}
	for i := range x.p.acts {
		if m.actOpen(&x.p.acts[i]) {
			out = append(out, alt{dec: -1, act: i})
		}
	}
	if next, due := m.NextDue(); due && next <= x.opts.Horizon {
		out = append(out, alt{dec: -1, act: -1, wait: true})
	}
	return out
}

// take applies an alternative to m in place.
func (x *explorer) take(m *Machine, a alt) error {
	switch {
	case a.wait:
		next, _ := m.NextDue()
		x.note(m, m.Advance(next))
		return nil
	case a.act >= 0:
		act := &x.p.acts[a.act]
		x.path = append(x.path, step{at: m.now, act: act.label})
		evs, err := m.Send(m.now, act.msg)
		if err != nil {
			return fmt.Errorf("sim: explore: %s at %s: %w", act.label, FormatClock(m.now), err)
		}
		x.note(m, evs)
		return nil
	case a.decline:
		x.path = append(x.path, step{at: m.now, decision: x.p.decs[a.dec].ID, option: "(no answer)"})
		m.dec(a.dec).declined = true
		return nil
	}
	dc := x.p.decs[a.dec]
	ans := Answer{Decision: dc.ID, Team: dc.Team, Participant: "explore", Lead: true, Option: a.option}
	label := a.option
	if a.text {
		ans.Text, label = "(free text)", "(text)"
	}
	x.path = append(x.path, step{at: m.now, decision: dc.ID, option: label})
	evs, err := m.Answer(m.now, ans)
	if err != nil {
		return fmt.Errorf("sim: explore: answering %s at %s: %w", dc.ID, FormatClock(m.now), err)
	}
	x.note(m, evs)
	return nil
}

// covered reports whether every state and every option has been met.
func (x *explorer) covered() bool {
	for _, r := range x.reached {
		if !r {
			return false
		}
	}
	for _, os := range x.chosen {
		for _, c := range os {
			if !c {
				return false
			}
		}
	}
	return true
}

// cover runs the coverage search from root (which it does not change)
// with a budget of budget branches.
func (x *explorer) cover(root *Machine, budget int) *Coverage {
	c := &Coverage{}
	rng := rand.New(rand.NewPCG(20, 26))
	saved := x.path
	defer func() { x.path = saved }()
	for !x.covered() {
		if c.Branches >= budget {
			c.Limit = fmt.Sprintf("stopped after %d branches", budget)
			break
		}
		c.Probes++
		m := root.Clone()
		x.path = x.path[:0]
		for steps := 0; !m.done && steps < x.opts.MaxDepth && c.Branches < budget; steps++ {
			if !x.choice(m) {
				next, due := m.NextDue()
				if !due || next > x.opts.Horizon {
					break
				}
				x.note(m, m.Advance(next))
				continue
			}
			alts := x.alternatives(m)
			if len(alts) == 0 {
				break
			}
			pick := alts[rng.IntN(len(alts))]
			for _, a := range alts {
				if a.dec >= 0 && !a.decline && !a.text && !x.chosen[a.dec][x.optIdx(a.dec, a.option)] {
					pick = a
					break
				}
			}
			c.Branches++
			if err := x.take(m, pick); err != nil {
				// An answer the machine refuses is a defect of explore,
				// not of the scenario: end the probe.
				c.Limit = err.Error()
				return x.coverReport(c)
			}
		}
		if c.Probes > budget {
			break // every probe ended without a branch
		}
	}
	return x.coverReport(c)
}

func (x *explorer) optIdx(d int, option string) int {
	for i, o := range x.p.decs[d].Options {
		if o.ID == option {
			return i
		}
	}
	return -1
}

// noteChosen marks the options decisions have settled on.
func (x *explorer) noteChosen(m *Machine) {
	for d := range x.chosen {
		st := m.dec(d)
		if st.settled && st.option != "" {
			if i := x.optIdx(d, st.option); i >= 0 {
				x.chosen[d][i] = true
			}
		}
	}
}

func (x *explorer) coverReport(c *Coverage) *Coverage {
	sc := x.p.sc
	c.StatesNotReached, c.OutcomesNotReached, c.OptionsNotReached = []StateInfo{}, []string{}, []OptionInfo{}
	for i, s := range sc.States {
		if x.reached[i] {
			continue
		}
		c.StatesNotReached = append(c.StatesNotReached, StateInfo{ID: s.ID, Line: s.Pos.Line, Final: s.Final()})
		if s.Final() {
			c.OutcomesNotReached = append(c.OutcomesNotReached, s.Outcome)
		}
	}
	for d, dc := range x.p.decs {
		st := sc.StateOf(dc.ID)
		for i, o := range dc.Options {
			if !x.chosen[d][i] {
				c.OptionsNotReached = append(c.OptionsNotReached, OptionInfo{Decision: dc.ID, Option: o.ID, State: st.ID, Line: o.Pos.Line})
			}
		}
	}
	return c
}
