package sim

import "fmt"

// SemanticsVersion names the rules by which a Machine turns inputs into
// events. A live exercise's log records the version it was written under
// (the engine's exercise_created event), because the engine rebuilds an
// exercise by replaying its log: a log written under other rules may
// replay differently, and then the difference is the rules', not damage.
//
// Raise it with every change that makes a recorded log replay differently
// (what explore or play show for the same inputs changes), and say what
// changed in SemanticsChange. Version 1 is every log that records none:
// they were written before the version was recorded.
const SemanticsVersion = 2

// SemanticsChange says what version v changed in the rules, or "" for a
// version that is not known.
func SemanticsChange(v int) string {
	switch v {
	case 1:
		return "the rules before the version was recorded"
	case 2:
		return "a phase ends on the teams' answers (leaving a state settles its open decisions before the transition is chosen) and a decision the facilitator extended holds the state's timed exits"
	}
	return ""
}

// SemanticsSince lists, one line each, what changed after version v up to
// this machine's version; empty when v is this version or newer.
func SemanticsSince(v int) []string {
	var out []string
	for x := max(v, 1) + 1; x <= SemanticsVersion; x++ {
		out = append(out, fmt.Sprintf("version %d: %s", x, SemanticsChange(x)))
	}
	return out
}
