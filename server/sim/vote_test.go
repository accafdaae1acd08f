package sim

import (
	"slices"
	"testing"
	"time"
)

// TestVoteResultIsTheTeams: a vote settled by count credits no participant
// (the result is the team's), gives the count per option and says whether
// the top count was shared (issue 16, item 2).
func TestVoteResultIsTheTeams(t *testing.T) {
	cases := []struct {
		name   string
		votes  map[string]string // participant -> option, in order p1, p2, p3
		option string
		counts []VoteCount
		tie    bool
	}{
		{name: "majority 2-1", votes: map[string]string{"p1": "b", "p2": "a", "p3": "b"}, option: "b",
			counts: []VoteCount{{"a", 1}, {"b", 2}, {"c", 0}}},
		{name: "tie 1-1 goes to the first option", votes: map[string]string{"p1": "c", "p2": "b"}, option: "b",
			counts: []VoteCount{{"a", 0}, {"b", 1}, {"c", 1}}, tie: true},
		{name: "unanimous", votes: map[string]string{"p1": "c", "p2": "c"}, option: "c",
			counts: []VoteCount{{"a", 0}, {"b", 0}, {"c", 2}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := newMachine(t, "decisions.yaml", nil)
			m.Start(0)
			for _, p := range []string{"p1", "p2", "p3"} {
				o, ok := c.votes[p]
				if !ok {
					continue
				}
				if _, err := m.Answer(time.Minute, Answer{Decision: "vote", Team: "soc", Participant: p, Option: o}); err != nil {
					t.Fatal(err)
				}
			}
			cl := find(t, m.Advance(5*time.Minute), KindDecisionClosed, "vote")
			if cl.Option != c.option || !slices.Equal(cl.Votes, c.counts) || cl.Tie != c.tie || cl.Participant != "" || cl.Settled != SettledAnswered {
				t.Errorf("closed %q votes %v tie %v participant %q settled %s; want %q %v tie %v, no participant",
					cl.Option, cl.Votes, cl.Tie, cl.Participant, cl.Settled, c.option, c.counts, c.tie)
			}
		})
	}
}
