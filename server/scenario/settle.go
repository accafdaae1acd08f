package scenario

import "go.yaml.in/yaml/v3"

// Settle says when a team's answer to a decision becomes final.
type Settle string

// Ways a decision settles.
const (
	// SettleOnAnswer: the first valid answer settles it at once. A time
	// limit is then a deadline: unanswered when it expires, the decision
	// takes its default (or expires).
	SettleOnAnswer Settle = "on_answer"
	// SettleAtClose: answers are revisable until the time limit expires
	// (or the facilitator closes it); the last (or the majority) counts.
	SettleAtClose Settle = "at_close"
)

// Settles lists the valid values, in documentation order.
var Settles = []Settle{SettleOnAnswer, SettleAtClose}

// SettlesOnAnswer reports whether the first valid answer settles the
// decision: with settle: on_answer, or without a time limit.
func (dc *Decision) SettlesOnAnswer() bool {
	return dc.TimeLimit == 0 || dc.Settle == SettleOnAnswer
}

// settle reads a decision's 'settle' key, after its mode and time limit.
func (d *decoder) settle(dc *Decision, n *yaml.Node, hasLimit bool) {
	if n == nil {
		return
	}
	s := d.str(n, "settle")
	names := make([]string, len(Settles))
	for i, x := range Settles {
		names[i] = string(x)
	}
	switch {
	case !contains(names, s):
		hint := didYouMean(s, names)
		if hint == "" {
			hint = oneOf(names)
		}
		d.errs.add(posOf(n), hint, "unknown settle '%s'", clip(s, 30))
		return
	case Settle(s) == SettleOnAnswer && dc.Mode == ModeVote:
		d.errs.add(posOf(n), "remove 'settle', or use mode first or lead", "a vote is counted when it closes: it cannot settle on the first answer")
		return
	case Settle(s) == SettleAtClose && !hasLimit:
		d.errs.add(posOf(n), "add 'time_limit: 5m', or remove 'settle' (without a time limit the first answer settles it)", "'settle: at_close' needs a time_limit")
		return
	}
	dc.Settle = Settle(s)
}
