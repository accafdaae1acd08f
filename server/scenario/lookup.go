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
