package engine

import (
	"fmt"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/scenario"
	"github.com/ttxsim/ttx/server/sim"
)

// worldRun drives a scenario with what teams say in the world: every
// team publishes on the outlets it owns (approved), replies to every
// delivered inject that takes its replies, writes to every persona it may
// reach, and the facilitator answers each thread as its persona, first
// with a canned reply when one is offered. Automatic canned replies fire
// as time runs on.
func worldRun(t *testing.T, sc *scenario.Scenario) []sim.Event {
	t.Helper()
	m, err := sim.New(sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := m.Start(0)
	n := 0
	send := func(at time.Duration, msg sim.Message) {
		n++
		msg.ID = fmt.Sprintf("w%d", n)
		evs, _ := m.Send(at, msg)
		out = append(out, evs...)
	}
	at := time.Duration(0)
	for i := 0; i < 50 && !m.Snapshot().Done; i++ {
		type th struct{ team, thread string }
		var threads []th
		for _, d := range m.Snapshot().Delivered {
			in := sc.Inject(d)
			for _, team := range in.Reply {
				send(at, sim.Message{Action: sim.ActionReply, Team: team, Participant: "p1", Inject: d, Title: "Re", Body: "reply"})
				threads = append(threads, th{team, d})
			}
		}
		if i == 0 {
			for _, p := range sc.Personas {
				for _, team := range p.Reachable {
					send(at, sim.Message{Action: sim.ActionCompose, Team: team, Participant: "p1", Persona: p.ID, Title: "Hi", Body: "hello"})
					threads = append(threads, th{team, fmt.Sprintf("w%d", n)})
				}
			}
			for _, o := range sc.Outlets {
				send(at, sim.Message{Action: sim.ActionPublish, Team: o.Teams[0], Participant: "p1", Outlet: o.ID, Title: "Statement",
					Body: "statement", DraftedBy: "p1", ApprovedBy: "p2"})
			}
		}
		for _, x := range threads {
			msg := sim.Message{Action: sim.ActionPersona, Team: x.team, Thread: x.thread, Body: "answer", ByFacilitator: true}
			for _, c := range m.Canned(x.team, x.thread) {
				if c.Available {
					msg.Canned = c.ID
					break
				}
			}
			send(at, msg)
		}
		next, due := m.NextDue()
		if !due {
			break
		}
		at = next
		out = append(out, m.Advance(at)...)
	}
	if !m.Snapshot().Done {
		out = append(out, m.End(at, "done")...)
	}
	return out
}
