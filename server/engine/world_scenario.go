package engine

import (
	"fmt"

	"github.com/ttxsim/ttx/server/scenario"
)

// What the scenario says about outlets, personas and chat lines, for the
// world commands. The sim checks the same rules again when a message is
// sent; these checks let a draft be refused when it is saved.

// mayPublish checks that the team publishes on the outlet.
func (l *loop) mayPublish(team, outlet string) error {
	o := l.sc.Outlet(outlet)
	if o == nil {
		return fmt.Errorf("%w: outlet %q", ErrNotFound, clipText(outlet, 60))
	}
	if !o.PublishedBy(team) {
		return fmt.Errorf("%w: team %q does not publish on outlet %q", ErrNotAllowed, team, outlet)
	}
	return nil
}

// mayReach checks that the team may start a message to the persona.
func (l *loop) mayReach(team, persona string) error {
	p := l.sc.Persona(persona)
	if p == nil {
		return fmt.Errorf("%w: persona %q", ErrNotFound, clipText(persona, 60))
	}
	if !p.ReachableBy(team) {
		return fmt.Errorf("%w: team %q cannot write to persona %q", ErrNotAllowed, team, persona)
	}
	return nil
}

// approverOf is who approves publications of the draft: its outlet's
// approval (a team id or ApproveLead); ErrConflict when none is needed.
func (l *loop) approverOf(d *draft) (string, error) {
	if d.payload.Action == ActionPublish || d.payload.Outlet != "" {
		if o := l.sc.Outlet(d.payload.Outlet); o != nil && o.Approval != "" {
			return o.Approval, nil
		}
	}
	return "", fmt.Errorf("%w: draft %q needs no approval", ErrConflict, d.payload.Draft)
}

// lineDeclared reports whether the scenario declares a direct chat line
// between teams a and b (either side's `lines` suffices).
func (l *loop) lineDeclared(a, b string) bool { return l.sc.HasLine(a, b) }

// ApproveLead is an outlet approval by the drafting team's lead.
const ApproveLead = scenario.ApprovalLead
