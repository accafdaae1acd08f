package api

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/sim"
)

// What teams did in the world, as the after-action report shows it: every
// message said in the world with who wrote, drafted and approved it, when,
// and how long after what prompted it; and the chat, room by room.

// worldReport is the report's "world" section.
type worldReport struct {
	Messages []reportMessage `json:"messages"`
	Chat     []reportRoom    `json:"chat"`
}

// reportMessage is one message_sent, with names and its prompt.
type reportMessage struct {
	Seq            int64         `json:"seq"`
	At             time.Duration `json:"at"`
	WallTime       time.Time     `json:"wall_time"`
	Action         string        `json:"action"`
	Team           string        `json:"team"`
	Participant    string        `json:"participant,omitempty"`
	Name           string        `json:"name,omitempty"`
	Persona        string        `json:"persona,omitempty"`
	PersonaName    string        `json:"persona_name,omitempty"`
	Outlet         string        `json:"outlet,omitempty"`
	OutletName     string        `json:"outlet_name,omitempty"`
	Channel        string        `json:"channel,omitempty"`
	Inject         string        `json:"inject,omitempty"`
	Thread         string        `json:"thread,omitempty"`
	Title          string        `json:"title,omitempty"`
	Body           string        `json:"body,omitempty"`
	DraftedBy      string        `json:"drafted_by,omitempty"`
	DraftedByName  string        `json:"drafted_by_name,omitempty"`
	ApprovedBy     string        `json:"approved_by,omitempty"`
	ApprovedByName string        `json:"approved_by_name,omitempty"`
	ByFacilitator  bool          `json:"by_facilitator,omitempty"`
	Canned         string        `json:"canned,omitempty"`
	// Prompt is what it answered: the inject replied to; for a persona's
	// answer, the team's last message in the thread; otherwise the last
	// inject the team received before it. Latency is At minus the
	// prompt's At.
	Prompt  *reportPrompt  `json:"prompt,omitempty"`
	Latency *time.Duration `json:"latency,omitempty"`
}

// reportPrompt is the event a message answered.
type reportPrompt struct {
	Kind   string        `json:"kind"` // inject_delivered or message_sent
	Seq    int64         `json:"seq"`
	At     time.Duration `json:"at"`
	Inject string        `json:"inject,omitempty"`
	Title  string        `json:"title,omitempty"`
}

// reportRoom is one chat room's lines, in order.
type reportRoom struct {
	Room  string       `json:"room"`
	Lines []reportLine `json:"lines"`
}

type reportLine struct {
	Seq           int64         `json:"seq"`
	At            time.Duration `json:"at"`
	WallTime      time.Time     `json:"wall_time"`
	Participant   string        `json:"participant,omitempty"`
	Name          string        `json:"name,omitempty"`
	Team          string        `json:"team,omitempty"`
	Body          string        `json:"body"`
	ByFacilitator bool          `json:"by_facilitator,omitempty"`
}

// buildWorldReport reads the log once. names maps participant ids to names.
func buildWorldReport(events []engine.Event, names map[string]string) worldReport {
	out := worldReport{Messages: []reportMessage{}, Chat: []reportRoom{}}
	rooms := map[string]int{}
	type delivered struct {
		seq      int64
		at       time.Duration
		inject   string
		title    string
		audience []string
	}
	var injects []delivered
	lastTeamMsg := map[string]reportPrompt{} // team + thread
	for _, ev := range events {
		switch ev.Kind {
		case string(sim.KindInjectDelivered):
			var p sim.Event
			if json.Unmarshal(ev.Payload, &p) == nil {
				injects = append(injects, delivered{ev.Seq, ev.ExerciseTime, p.Inject, p.Title, ev.Audience})
			}
		case engine.KindChat:
			var p struct {
				Room, Participant, Name, Team, Body string
				ByFacilitator                       bool `json:"by_facilitator"`
			}
			if json.Unmarshal(ev.Payload, &p) != nil {
				continue
			}
			i, ok := rooms[p.Room]
			if !ok {
				i = len(out.Chat)
				rooms[p.Room] = i
				out.Chat = append(out.Chat, reportRoom{Room: p.Room})
			}
			out.Chat[i].Lines = append(out.Chat[i].Lines, reportLine{Seq: ev.Seq, At: ev.ExerciseTime, WallTime: ev.WallTime,
				Participant: p.Participant, Name: p.Name, Team: p.Team, Body: p.Body, ByFacilitator: p.ByFacilitator})
		case string(sim.KindMessageSent):
			var p sim.Event
			if json.Unmarshal(ev.Payload, &p) != nil {
				continue
			}
			m := reportMessage{Seq: ev.Seq, At: ev.ExerciseTime, WallTime: ev.WallTime, Action: p.Action, Team: p.Team,
				Participant: p.Participant, Name: names[p.Participant], Persona: p.Persona, PersonaName: p.PersonaName,
				Outlet: p.Outlet, OutletName: p.OutletName, Channel: string(p.Channel), Inject: p.Inject, Thread: p.Thread,
				Title: p.Title, Body: p.Body, DraftedBy: p.DraftedBy, DraftedByName: names[p.DraftedBy],
				ApprovedBy: p.ApprovedBy, ApprovedByName: names[p.ApprovedBy], ByFacilitator: p.ByFacilitator, Canned: p.Canned}
			var prompt *reportPrompt
			key := p.Team + "\x00" + p.Thread
			switch {
			case p.Action == sim.ActionPersona:
				if q, ok := lastTeamMsg[key]; ok {
					prompt = &q
				}
			default:
				for i := len(injects) - 1; i >= 0; i-- {
					d := injects[i]
					if !slices.Contains(d.audience, sim.AllTeams) && !slices.Contains(d.audience, p.Team) {
						continue
					}
					if p.Action == sim.ActionReply && d.inject != p.Inject {
						continue
					}
					prompt = &reportPrompt{Kind: string(sim.KindInjectDelivered), Seq: d.seq, At: d.at, Inject: d.inject, Title: d.title}
					break
				}
				lastTeamMsg[key] = reportPrompt{Kind: string(sim.KindMessageSent), Seq: ev.Seq, At: ev.ExerciseTime, Inject: p.Inject, Title: p.Title}
			}
			if prompt != nil {
				lat := ev.ExerciseTime - prompt.At
				m.Prompt, m.Latency = prompt, &lat
			}
			out.Messages = append(out.Messages, m)
		}
	}
	return out
}
