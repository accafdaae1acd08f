package engine_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/sim"
)

// TestFacilitatorAnswersForTeam: the facilitator answers a team's decision
// on the team's behalf (a team nobody joined). The input is logged as the
// facilitator's (staff only, on_behalf), the team sees the answer marked
// by_facilitator, the decision settles on it, and a restart replays it.
func TestFacilitatorAnswersForTeam(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	id, _, _, _ := drill(t, e)
	if err := e.eng.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	ack, err := e.eng.FacilitatorAnswer(ctx, id, engine.AnswerInput{ClientID: "f-1", Decision: "contain", Option: "act"})
	if err != nil {
		t.Fatal(err)
	}
	evs := allEvents(t, e.eng, id)
	var in engine.Event
	for _, ev := range evs {
		if ev.Seq == ack.Seq {
			in = ev
		}
	}
	if in.Kind != engine.KindFacAnswer || len(in.Audience) != 0 ||
		string(in.Payload) != `{"participant":"facilitator","team":"red","decision":"contain","option":"act","lead":true,"client_id":"f-1","on_behalf":true}` {
		t.Fatalf("input %s %v %s", in.Kind, in.Audience, in.Payload)
	}
	var answered sim.Event
	if err := json.Unmarshal(evs[len(evs)-1].Payload, &answered); err != nil {
		t.Fatal(err)
	}
	if answered.Kind != sim.KindDecisionAnswered || !answered.ByFacilitator || answered.Participant != "facilitator" ||
		!slices.Equal(evs[len(evs)-1].Audience, []string{"red"}) {
		t.Fatalf("decision_answered %+v audience %v", answered, evs[len(evs)-1].Audience)
	}
	e.restart()
	if _, err := e.eng.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(20 * time.Minute) // contain closes at 20m on the facilitator's answer
	s, err := e.eng.Snapshot(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range s.Sim.Settled {
		if d.ID == "contain" {
			found = true
			if d.Option != "act" || d.Settled != sim.SettledAnswered {
				t.Fatalf("contain settled %+v", d)
			}
		}
	}
	if !found {
		t.Fatalf("contain not settled: %s", fmt.Sprint(s.Sim))
	}
	for _, ev := range allEvents(t, e.eng, id) {
		var p sim.Event
		if ev.Kind == string(sim.KindDecisionClosed) && json.Unmarshal(ev.Payload, &p) == nil && p.Decision == "contain" && !p.ByFacilitator {
			t.Fatalf("decision_closed does not say the facilitator answered: %s", ev.Payload)
		}
	}
}
