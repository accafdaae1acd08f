package engine

import "fmt"

// What the scenario says about outlets, personas and lines, for the world
// commands.

// mayPublish checks that the team publishes on the outlet.
func (l *loop) mayPublish(team, outlet string) error {
	return fmt.Errorf("%w: outlet %q", ErrNotFound, clipText(outlet, 60))
}

// mayReach checks that the team may start a message to the persona.
func (l *loop) mayReach(team, persona string) error {
	return fmt.Errorf("%w: persona %q", ErrNotFound, clipText(persona, 60))
}

// approverOf is who approves publications of the draft: its outlet's
// approval (a team id or ApproveLead); ErrConflict when none is needed.
func (l *loop) approverOf(d *draft) (string, error) {
	return "", fmt.Errorf("%w: draft %q needs no approval", ErrConflict, d.payload.Draft)
}

// lineDeclared reports whether the scenario declares a direct chat line
// between teams a and b (either side's `lines` suffices).
func (l *loop) lineDeclared(a, b string) bool {
	return false
}
