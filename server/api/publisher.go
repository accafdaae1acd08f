package api

import (
	"encoding/json"
	"log/slog"
	"slices"
	"strconv"
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
		return []string{topicFacilitator(ex), topicFacilitators}
	case Observer:
		return []string{topicObserver(ex)}
	case Participant:
		return []string{topicTeams(ex), topicTeam(ex, id.Team)}
	}
	return nil
}

// encodeEvent encodes a log event as sent to clients (see appendEvent).
func encodeEvent(ev engine.Event, staff bool) []byte {
	return appendEvent(make([]byte, 0, eventSizeHint(ev)), ev, staff)
}

// eventSizeHint is about the length of ev's frame, so that encoding it
// rarely grows its buffer.
func eventSizeHint(ev engine.Event) int {
	n := 128 + len(ev.Kind) + len(ev.Payload)
	for _, a := range ev.Audience {
		n += len(a) + 3
	}
	return n
}

// appendEvent appends a log event as sent to clients:
//
//	{"type":"event","seq":…,"kind":…,"at":…,"wall_time":…,"payload":{…},"audience":[…]}
//
// The audience is for staff (facilitator) frames only, left out when
// empty (facilitators and observers alone see the event). It is written by
// hand, not with encoding/json, because every commit encodes each event
// twice (staff and public) and every replay once more: reflection and the
// re-validation of the stored payload were most of the cost and the
// garbage. The keys keep this order, the payload last but the audience:
// clients may scan the top-level keys without parsing the payload. A
// payload that is not JSON (the store refuses them, so it never is) goes
// out as {} rather than breaking the stream.
func appendEvent(b []byte, ev engine.Event, staff bool) []byte {
	b = append(b, `{"type":"event","seq":`...)
	b = strconv.AppendInt(b, ev.Seq, 10)
	b = append(b, `,"kind":`...)
	b = appendJSONString(b, ev.Kind)
	b = append(b, `,"at":`...)
	b = strconv.AppendInt(b, int64(ev.ExerciseTime), 10)
	b = append(b, `,"wall_time":`...)
	b = appendJSONTime(b, ev.WallTime)
	b = append(b, `,"payload":`...)
	if len(ev.Payload) == 0 || !json.Valid(ev.Payload) {
		b = append(b, `{}`...)
	} else {
		b = append(b, ev.Payload...)
	}
	if staff && len(ev.Audience) > 0 {
		b = append(b, `,"audience":[`...)
		for i, a := range ev.Audience {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, a)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// appendJSONString appends s as a JSON string, escaped as encoding/json
// escapes it. Kinds and team ids are plain ASCII, which is copied as is;
// anything else goes through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, err := json.Marshal(s)
			if err != nil {
				return append(b, `""`...) // a string always encodes
			}
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendJSONTime appends t as encoding/json does (RFC 3339 with
// nanoseconds), or null for a time outside years 0–9999, which JSON's
// form cannot hold (encoding/json fails on those).
func appendJSONTime(b []byte, t time.Time) []byte {
	if y := t.Year(); y < 0 || y > 9999 {
		return append(b, `null`...)
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
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
	case engine.KindDebriefLinkSet, engine.KindDebriefLinkRevoked:
		return true
	case string(sim.KindInjectDelivered), string(sim.KindInjectSkipped), string(sim.KindDecisionSkipped), engine.KindFacInject,
		string(sim.KindDecisionOpened), string(sim.KindDecisionAnswered), string(sim.KindDecisionClosed),
		string(sim.KindDecisionExtended), engine.KindNote, engine.KindInjectScheduled, engine.KindScheduleCancelled:
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
		string(sim.KindDecisionExtended), string(sim.KindDecisionSkipped):
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
	return hub.EncodeFrame(ev.Seq, eventSizeHint(ev), func(b []byte) []byte {
		return appendEvent(b, ev, id.Role == Facilitator)
	})
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
	endings *Endings     // nil: sockets stay open after an exercise ends
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

// WithEndings tells endings when an exercise ends (its outcome_reached
// event), so that its sockets close when the grace period is over.
func WithEndings(e *Endings) PublisherOption {
	return func(p *Publisher) { p.endings = e }
}

// Publish implements engine.Publisher. The events of one commit go out as
// one batch, so that each connection's frames leave together.
func (p *Publisher) Publish(exerciseID string, events []engine.Event) {
	msgs := make([]hub.Message, 0, 2*len(events))
	// The topic lists are shared by the messages of the batch: the hub only
	// reads them.
	staff := []string{topicFacilitator(exerciseID)}
	observer, teams := topicObserver(exerciseID), topicTeams(exerciseID)
	for _, ev := range events {
		if p.endings != nil && ev.Kind == string(sim.KindOutcomeReached) {
			p.endings.Ended(exerciseID, ev.WallTime)
		}
		hint := eventSizeHint(ev)
		msgs = append(msgs, hub.Message{Topics: staff, Frame: hub.EncodeFrame(ev.Seq, hint, func(b []byte) []byte {
			return appendEvent(b, ev, true)
		})})
		var topics []string
		if !facilitatorOnly(ev) {
			topics = append(topics, observer)
		}
		if slices.Contains(ev.Audience, sim.AllTeams) {
			topics = append(topics, teams)
		} else {
			for _, t := range ev.Audience {
				if t != "" && t != scenario.FacilitatorTeam {
					topics = append(topics, topicTeam(exerciseID, t))
				}
			}
		}
		if len(topics) > 0 {
			msgs = append(msgs, hub.Message{Topics: topics, Frame: hub.EncodeFrame(ev.Seq, hint, func(b []byte) []byte {
				return appendEvent(b, ev, false)
			})})
		}
		if ev.Kind == engine.KindMoved {
			// The move's frames go out under the old topics, later
			// ones under the new.
			p.hub.BroadcastBatch(msgs)
			msgs = msgs[len(msgs):]
			p.moved(exerciseID, ev)
		}
	}
	p.hub.BroadcastBatch(msgs)
	if m := p.metrics; m != nil && len(events) > 0 {
		m.EventsAppended.Add(float64(len(events)))
		m.FanoutLatency.ObserveDuration(time.Since(events[len(events)-1].WallTime))
	}
}
