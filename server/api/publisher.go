package api

import (
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/hub"
	"github.com/ttxsim/ttx/server/metrics"
	"github.com/ttxsim/ttx/server/scenario"
	"github.com/ttxsim/ttx/server/sim"
)

// Topics. Each connection subscribes to the topics of its role; an event is
// broadcast to the topics allowed to see it. Events for every team go to one
// "teams" topic rather than to each team's, so publishing never needs the
// exercise's team list.
func topicFacilitator(ex string) string { return "ex:" + ex + ":facilitator" }
func topicObserver(ex string) string    { return "ex:" + ex + ":observer" }
func topicTeams(ex string) string       { return "ex:" + ex + ":teams" }
func topicTeam(ex, team string) string  { return "ex:" + ex + ":team:" + team }

// topicsFor lists the topics of a connection.
func topicsFor(id *Identity, ex string) []string {
	switch id.Role {
	case Facilitator:
		return []string{topicFacilitator(ex)}
	case Observer:
		return []string{topicObserver(ex)}
	case Participant:
		return []string{topicTeams(ex), topicTeam(ex, id.Team)}
	}
	return nil
}

// eventFrame is a log event as sent to clients.
type eventFrame struct {
	Type     string          `json:"type"` // "event"
	Seq      int64           `json:"seq"`
	Kind     string          `json:"kind"`
	At       time.Duration   `json:"at"` // exercise clock, nanoseconds
	WallTime time.Time       `json:"wall_time"`
	Payload  json.RawMessage `json:"payload"`
	Audience []string        `json:"audience,omitempty"` // facilitator frames only
}

func encodeEvent(ev engine.Event, staff bool) []byte {
	f := eventFrame{Type: "event", Seq: ev.Seq, Kind: ev.Kind, At: ev.ExerciseTime, WallTime: ev.WallTime, Payload: ev.Payload}
	if len(f.Payload) == 0 {
		f.Payload = json.RawMessage(`{}`)
	}
	if staff {
		f.Audience = ev.Audience
		if f.Audience == nil {
			f.Audience = []string{}
		}
	}
	b, err := json.Marshal(f)
	if err != nil {
		// Payloads come from the log as valid JSON; a bad one is still
		// delivered as an empty object rather than breaking the stream.
		f.Payload = json.RawMessage(`{}`)
		b, _ = json.Marshal(f)
	}
	return b
}

// payloadRefs are the payload fields that decide who may see an event.
type payloadRefs struct {
	Teams  []string `json:"teams"`
	Team   string   `json:"team"`
	Author string   `json:"author"`
}

// facilitatorNotePrefix marks notes the facilitator wrote: they are private
// to facilitators. Observer names cannot start with it.
const facilitatorNotePrefix = "facilitator:"

// facilitatorOnly reports whether an event is for facilitators alone:
// injects addressed to the facilitator, the facilitator's own decisions and
// answers, and the facilitator's notes. Observers see everything else.
func facilitatorOnly(ev engine.Event) bool {
	switch ev.Kind {
	case engine.KindFacAnswer:
		return true
	case string(sim.KindInjectDelivered), string(sim.KindInjectSkipped), engine.KindFacInject,
		string(sim.KindDecisionOpened), string(sim.KindDecisionAnswered), string(sim.KindDecisionClosed),
		string(sim.KindDecisionExtended), engine.KindNote:
	default:
		return false
	}
	if len(ev.Audience) > 0 {
		return false // some team sees it
	}
	var p payloadRefs
	if err := json.Unmarshal(ev.Payload, &p); err != nil {
		return true // unreadable: keep it with the facilitator
	}
	switch ev.Kind {
	case engine.KindNote:
		return strings.HasPrefix(p.Author, facilitatorNotePrefix)
	case string(sim.KindDecisionOpened), string(sim.KindDecisionAnswered), string(sim.KindDecisionClosed),
		string(sim.KindDecisionExtended):
		return p.Team == scenario.FacilitatorTeam
	default:
		return slices.Contains(p.Teams, scenario.FacilitatorTeam)
	}
}

// visibleTo is the one rule of who sees which event, used for live frames
// and for replays alike.
func visibleTo(ev engine.Event, role Role, team string) bool {
	switch role {
	case Facilitator:
		return true
	case Observer:
		return !facilitatorOnly(ev)
	case Participant:
		return slices.Contains(ev.Audience, sim.AllTeams) || (team != "" && slices.Contains(ev.Audience, team))
	}
	return false
}

// frameFor encodes ev for one connection, or returns nil when the role may
// not see it.
func frameFor(ev engine.Event, id *Identity) *hub.Frame {
	if !visibleTo(ev, id.Role, id.Team) {
		return nil
	}
	return hub.NewDirectFrame(ev.Seq, encodeEvent(ev, id.Role == Facilitator))
}

// Broadcaster is the part of the hub the publisher needs.
type Broadcaster interface {
	BroadcastBatch(msgs []hub.Message)
}

// Publisher is the engine's Publisher: it turns committed events into
// frames, encoded once per audience (a staff frame with the audience list, a
// public frame without), and broadcasts them to the topics allowed to see
// them. It never blocks: the hub queues or drops slow connections.
type Publisher struct {
	hub     Broadcaster
	log     *slog.Logger
	metrics *metrics.TTX // nil: record nothing
}

// NewPublisher returns a publisher over the hub.
func NewPublisher(h Broadcaster, log *slog.Logger, opts ...PublisherOption) *Publisher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Publisher{hub: h, log: log}
	for _, o := range opts {
		o(p)
	}
	return p
}

// PublisherOption configures a Publisher.
type PublisherOption func(*Publisher)

// WithPublisherMetrics counts published events and records, per batch, the
// time from the last event's commit until every frame is queued.
func WithPublisherMetrics(m *metrics.TTX) PublisherOption {
	return func(p *Publisher) { p.metrics = m }
}

// Publish implements engine.Publisher. The events of one commit go out as
// one batch, so that each connection's frames leave together.
func (p *Publisher) Publish(exerciseID string, events []engine.Event) {
	msgs := make([]hub.Message, 0, 2*len(events))
	for _, ev := range events {
		msgs = append(msgs, hub.Message{Topics: []string{topicFacilitator(exerciseID)}, Frame: hub.NewFrame(ev.Seq, encodeEvent(ev, true))})
		var topics []string
		if !facilitatorOnly(ev) {
			topics = append(topics, topicObserver(exerciseID))
		}
		if slices.Contains(ev.Audience, sim.AllTeams) {
			topics = append(topics, topicTeams(exerciseID))
		} else {
			for _, t := range ev.Audience {
				if t != "" && t != scenario.FacilitatorTeam {
					topics = append(topics, topicTeam(exerciseID, t))
				}
			}
		}
		if len(topics) > 0 {
			msgs = append(msgs, hub.Message{Topics: topics, Frame: hub.NewFrame(ev.Seq, encodeEvent(ev, false))})
		}
	}
	p.hub.BroadcastBatch(msgs)
	if m := p.metrics; m != nil && len(events) > 0 {
		m.EventsAppended.Add(float64(len(events)))
		m.FanoutLatency.ObserveDuration(time.Since(events[len(events)-1].WallTime))
	}
}
