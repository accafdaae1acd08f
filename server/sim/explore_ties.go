package sim

import "github.com/ttxsim/ttx/server/scenario"

// A vote between two or more members can tie. A tie settles on the tied
// option listed first, which a plain majority for that option settles on
// too, with the same effects: explore already tries every option, so ties
// reach no situation, state or outcome it has not counted. What a tie
// changes is which option wins: the report lists, per vote decision
// opened on some path, the order in which ties are broken, so that an
// author sees when a tie favours, say, paying the ransom.

// VoteTie says how ties of one vote decision break.
type VoteTie struct {
	Decision string   `json:"decision"`
	State    string   `json:"state"`
	Line     int      `json:"line"`
	Order    []string `json:"order"` // a tie goes to the option earliest here
}

func (x *explorer) voteTies() []VoteTie {
	out := []VoteTie{}
	for i, d := range x.p.decs {
		if d.Mode != scenario.ModeVote || len(d.Options) < 2 || !x.opened[i] {
			continue
		}
		t := VoteTie{Decision: d.ID, State: x.p.sc.StateOf(d.ID).ID, Line: d.Pos.Line}
		for _, o := range d.Options {
			t.Order = append(t.Order, o.ID)
		}
		out = append(out, t)
	}
	return out
}
