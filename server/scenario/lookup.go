package scenario

// State returns the state with the given id, or nil.
func (sc *Scenario) State(id string) *State { return sc.idx.states[id] }

// Team returns the team with the given id, or nil.
func (sc *Scenario) Team(id string) *Team { return sc.idx.teams[id] }

// Decision returns the decision with the given id, or nil.
func (sc *Scenario) Decision(id string) *Decision { return sc.idx.decisions[id] }

// Inject returns the inject with the given id, or nil.
func (sc *Scenario) Inject(id string) *Inject { return sc.idx.injects[id] }

// Variable returns the variable with the given id, or nil.
func (sc *Scenario) Variable(id string) *Variable { return sc.idx.variables[id] }

// Persona returns the persona with the given id, or nil.
func (sc *Scenario) Persona(id string) *Persona { return sc.idx.personas[id] }

// Objective returns the objective with the given id, or nil.
func (sc *Scenario) Objective(id string) *Objective { return sc.idx.objectives[id] }

// Parameter returns the parameter with the given id, or nil.
func (sc *Scenario) Parameter(id string) *Parameter { return sc.idx.params[id] }

// StateOf returns the state that holds the decision or inject with the
// given id, or nil.
func (sc *Scenario) StateOf(decisionOrInjectID string) *State {
	return sc.idx.stateOf[decisionOrInjectID]
}

// Option returns the option with the given id, or nil.
func (d *Decision) Option(id string) *Option {
	for _, o := range d.Options {
		if o.ID == id {
			return o
		}
	}
	return nil
}

// Exprs calls cond for every condition in the file (inject, decision and
// timer `if`, transition `when`; absent ones are skipped) and eff for every
// effect (on entry, options, timers, transitions), state by state in file
// order. Tools that analyse what rules read start here. Objective
// measures and canned replies' conditions are left out: they never change
// the course of the exercise (see Objective.Measure and Canned.If).
func (s *Scenario) Exprs(cond func(*Expr), eff func(*Effect)) {
	for _, st := range s.States {
		st.Exprs(cond, eff)
	}
}

// Exprs calls cond for every condition of the state and eff for every
// effect, in the order of Scenario.Exprs: on entry, injects, decisions and
// their options, timers, transitions.
func (st *State) Exprs(cond func(*Expr), eff func(*Effect)) {
	c := func(x *Expr) {
		if x != nil {
			cond(x)
		}
	}
	e := func(fs []*Effect) {
		for _, f := range fs {
			eff(f)
		}
	}
	e(st.OnEnter)
	for _, in := range st.Injects {
		c(in.If)
	}
	for _, d := range st.Decisions {
		c(d.If)
		for _, o := range d.Options {
			e(o.Effects)
		}
	}
	for _, t := range st.Timers {
		c(t.If)
		e(t.Effects)
	}
	for _, t := range st.Transitions {
		c(t.When)
		e(t.Effects)
	}
}
