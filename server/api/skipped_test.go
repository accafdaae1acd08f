package api

import (
	"encoding/json"
	"testing"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/sim"
)

// TestDecisionSkippedAudience: a skipped decision is staff news; observers
// see a team's, but not the facilitator's own, as with opened decisions.
func TestDecisionSkippedAudience(t *testing.T) {
	for _, tc := range []struct {
		team string
		want bool
	}{{"comms", false}, {"facilitator", true}} {
		p, _ := json.Marshal(map[string]string{"decision": "d", "team": tc.team, "reason": "if: x > 1"})
		ev := engine.Event{Kind: string(sim.KindDecisionSkipped), Payload: p}
		if got := facilitatorOnly(ev); got != tc.want {
			t.Errorf("team %s: facilitatorOnly = %v, want %v", tc.team, got, tc.want)
		}
	}
}
