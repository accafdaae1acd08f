package sim

import (
	"fmt"
	"slices"
	"time"

	"github.com/ttxsim/ttx/server/scenario"
)

// With ExploreOptions.Facilitator, explore runs a second search in which
// the facilitator acts too: at every branch point it may close an open
// timed decision now, extend one that closes at or before the phase's
// timed exit to just past it (which holds the exit, so the state's timers
// run on), or force the exercise into a non-final state the current one
// leads to (moving on early, without the transition's effects). Forcing
// into any state at all, or into an outcome, would reach it trivially; what that search
// reaches and the teams' search did not is reported apart, as what the
// facilitator can reach; states neither reaches are listed as reachable
// only by forcing them.

// The report only asks which states the facilitator's actions reach that
// the teams' do not, so the search starts with the teams' states reached
// and stops, complete, once every state is: no path left to follow can add
// to the report. A scenario whose teams reach every state on their own
// needs no facilitator search at all.

// errAllReached stops the facilitator's search once every state is
// reached.
type errAllReached struct{}

func (errAllReached) Error() string { return "sim: explore: every state is reached" }

// FacExtendPast is how far past the phase's exit explore extends a
// decision: one representative length (every extension past the exit
// holds it; how long decides which of the state's timers fire).
const FacExtendPast = 5 * time.Minute

// FacilitatorReport is what the facilitator's actions reach beyond the
// teams' own.
type FacilitatorReport struct {
	Complete bool   `json:"complete"`
	Limit    string `json:"limit,omitempty"`
	// Reaches: states (final ones are outcomes) only the facilitator's
	// closing early or extending reaches, with an example.
	Reaches []FacFinding `json:"reaches"`
	// ForceOnly: states no search reaches; forcing is the only way in.
	ForceOnly []StateInfo `json:"force_only"`
}

// FacFinding is one state the facilitator can reach and teams cannot.
type FacFinding struct {
	State   string   `json:"state"`
	Line    int      `json:"line"`
	Outcome string   `json:"outcome,omitempty"`
	Example []string `json:"example"`
}

// facAct is a facilitator action at a branch point.
type facAct struct {
	dec   int
	by    time.Duration // extend by this; 0: close now
	force int           // state to force into (dec -1), else -1
}

// facActs lists the facilitator's actions open now (none unless the
// search models them).
func (x *explorer) facActs(m *Machine) []facAct {
	if !x.fac {
		return nil
	}
	var out []facAct
	exit, hasExit := time.Duration(0), false
	for _, it := range m.sched {
		if it.kind == itemTransition && (!hasExit || it.due < exit) {
			exit, hasExit = it.due, true
		}
	}
	for _, d := range x.p.stateDecs[m.cur] {
		st := m.dec(d)
		if !st.open || x.p.decs[d].TimeLimit == 0 {
			continue
		}
		out = append(out, facAct{dec: d, force: -1})
		if hasExit && !st.extended && st.closesAt <= exit {
			by := min(exit-st.closesAt+FacExtendPast, MaxExtension)
			if st.closesAt+by-st.openedAt <= MaxTimeLimit {
				out = append(out, facAct{dec: d, by: by, force: -1})
			}
		}
	}
	for _, t := range x.p.sc.States[m.cur].Transitions {
		to := x.p.stateIdx[t.To]
		// Forcing straight into an outcome is the facilitator picking
		// it: not a finding.
		if to != m.cur && !x.p.sc.States[to].Final() && !slices.ContainsFunc(out, func(a facAct) bool { return a.force == to }) {
			out = append(out, facAct{dec: -1, force: to})
		}
	}
	return out
}

// facBranches explores each facilitator action open now.
func (x *explorer) facBranches(m *Machine, depth int, acc summary) (summary, error) {
	for _, a := range x.facActs(m) {
		c, err := x.branch(m)
		if err != nil {
			return nil, err
		}
		var evs []Event
		var label string
		if a.force >= 0 {
			id := x.p.sc.States[a.force].ID
			label = "facilitator forces " + id
			if evs, err = c.Force(m.now, id); err != nil {
				return nil, fmt.Errorf("sim: explore: %s at %s: %w", label, FormatClock(m.now), err)
			}
			s, err := x.follow(c, depth, step{at: m.now, act: label}, evs)
			if err != nil {
				return nil, err
			}
			acc = acc.add(s, 0)
			continue
		}
		id := x.p.decs[a.dec].ID
		label = "facilitator closes " + id
		if a.by > 0 {
			label = fmt.Sprintf("facilitator extends %s by %s (past the exit)", id, FormatDuration(a.by))
			evs, err = c.ExtendDecision(m.now, id, a.by)
		} else {
			evs, err = c.CloseDecision(m.now, id)
		}
		if err != nil {
			return nil, fmt.Errorf("sim: explore: %s at %s: %w", label, FormatClock(m.now), err)
		}
		s, err := x.follow(c, depth, step{at: m.now, act: label}, evs)
		if err != nil {
			return nil, err
		}
		acc = acc.add(s, 0)
	}
	return acc, nil
}

// facilitator runs the search with the facilitator's actions and compares
// it with the teams' (team).
func facilitator(sc *scenario.Scenario, opts ExploreOptions, team *Report) (*FacilitatorReport, error) {
	x, start, err := newExplorer(sc, opts, true)
	if err != nil {
		return nil, err
	}
	x.first = make([][]string, len(sc.States))
	// Every path of the teams' is one of this search's too, so what they
	// reach is reached; what is left to find is the rest.
	for i, st := range team.States {
		x.reached[i] = st.Reached
		if !st.Reached {
			x.missing++
		}
	}
	out := &FacilitatorReport{Reaches: []FacFinding{}, ForceOnly: []StateInfo{}}
	if _, err := x.visit(start, 0); err != nil {
		switch lim := err.(type) {
		case errAllReached: // nothing is left to find
		case errLimit:
			out.Limit = lim.msg
		default:
			return nil, err
		}
	}
	out.Complete = out.Limit == "" && team.Complete
	for i, s := range sc.States {
		switch {
		case x.reached[i] && !team.States[i].Reached:
			out.Reaches = append(out.Reaches, FacFinding{State: s.ID, Line: s.Pos.Line, Outcome: s.Outcome, Example: x.first[i]})
		case !x.reached[i] && out.Complete:
			out.ForceOnly = append(out.ForceOnly, StateInfo{ID: s.ID, Line: s.Pos.Line, Final: s.Final()})
		}
	}
	return out, nil
}
