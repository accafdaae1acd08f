package engine

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/ttxsim/ttx/server/scenario"
	"github.com/ttxsim/ttx/server/sim"
	"github.com/ttxsim/ttx/server/store"
)

// Event is one entry of an exercise's log, with its sequence number. Kind
// is either one of the engine kinds below (inputs and exercise life cycle)
// or a sim.Kind (what the scenario did in response); a sim event's Payload
// is the sim.Event as JSON. Audience lists the team ids that may see it,
// "*" for every team; empty means facilitator and observers only.
type Event = store.Event

// Engine event kinds. They never collide with sim kinds. The strings are
// stored in the log and sent to browsers, so they never change meaning.
const (
	KindCreated     = "exercise_created"   // {title, scenario, scenario_id, sha256, params}
	KindJoined      = "participant_joined" // {participant, team, name, lead}
	KindLeft        = "participant_left"   // {participant, team}
	KindLeadChanged = "lead_changed"       // {participant, team}
	KindMoved       = "participant_moved"  // {participant, name, from, to, lead}: the facilitator moved a participant to another team
	KindStart       = "exercise_started"   // {speed}; followed by the sim's started events
	KindPaused      = "exercise_paused"    // {reason}: "imported" when an import paused a running exercise
	KindResumed     = "exercise_resumed"   // {}
	KindSpeed       = "speed_changed"      // {speed, from}
	KindSkipped     = "clock_skipped"      // {from, to}: the facilitator skipped to the next scheduled item
	KindTick        = "clock_tick"         // {to}: the clock reached scheduled items; their sim events follow
	KindAnswer      = "answer_submitted"   // {participant, team, decision, option, text, confidence, rationale, lead, client_id}
	KindFacAnswer   = "facilitator_answer" // same fields, for decisions of the facilitator pseudo-team, or on_behalf of a team
	KindFacInject   = "facilitator_inject" // AdHoc fields; the sim's inject_delivered follows
	KindFacClose    = "facilitator_close"  // {decision}
	KindFacExtend   = "facilitator_extend" // {decision, by (ns)}; the sim's decision_extended follows
	KindFacForce    = "facilitator_force"  // {state}
	KindFacEnd      = "facilitator_end"    // {reason}; the sim's outcome_reached follows
	KindNote        = "note_added"         // {author, team, objective, text}

	KindInjectScheduled   = "inject_scheduled"          // {schedule, at, AdHoc fields}: fires later as facilitator_inject {schedule, …}
	KindScheduleCancelled = "inject_schedule_cancelled" // {schedule, teams}

	// Teams acting in the world (world.go). message_submitted is an input
	// (replayed into sim.Send); the others change only the engine's own
	// state, rebuilt from the log on load.
	KindMessageSubmitted  = "message_submitted"  // messagePayload; the sim's message_sent follows
	KindDraftSaved        = "draft_saved"        // draftPayload
	KindDraftDiscarded    = "draft_discarded"    // draftRefPayload
	KindApprovalRequested = "approval_requested" // approvalPayload
	KindDraftApproved     = "draft_approved"     // verdictPayload
	KindDraftRejected     = "draft_rejected"     // verdictPayload
	KindChat              = "chat_posted"        // chatPayload
	KindReceipt           = "inject_receipt"     // receiptPayload

	// Judging the exercise (evaluation.go): staff only, accepted in every
	// status; they change no machine state.
	KindRating           = "rating_submitted"        // RatingPayload
	KindCorrectiveAction = "corrective_action_saved" // ActionPayload
)

// The participants' debrief link (debrief.go): facilitator only.
const (
	KindDebriefLinkSet     = "debrief_link_set"     // debriefLinkPayload: a new link; the old one stops working
	KindDebriefLinkRevoked = "debrief_link_revoked" // {}: the link stops working
)

// IsInput reports whether an event of this kind is an input that drives
// the sim machine when the log is replayed.
func IsInput(kind string) bool {
	switch kind {
	case KindStart, KindTick, KindAnswer, KindFacAnswer, KindFacInject, KindFacClose, KindFacExtend, KindFacForce, KindFacEnd, KindSkipped,
		KindInjectScheduled, KindScheduleCancelled, KindMessageSubmitted:
		return true
	}
	return false
}

// IsEngineKind reports whether kind is written by the engine rather than
// being an output of the sim (whose payload is a sim.Event).
func IsEngineKind(kind string) bool {
	switch kind {
	case KindDebriefLinkSet, KindDebriefLinkRevoked:
		return true
	case KindCreated, KindJoined, KindLeft, KindLeadChanged, KindMoved, KindStart, KindPaused, KindResumed, KindSpeed,
		KindSkipped, KindTick, KindAnswer, KindFacAnswer, KindFacInject, KindFacClose, KindFacExtend, KindFacForce, KindFacEnd, KindNote,
		KindInjectScheduled, KindScheduleCancelled,
		KindMessageSubmitted, KindDraftSaved, KindDraftDiscarded, KindApprovalRequested, KindDraftApproved, KindDraftRejected,
		KindChat, KindReceipt, KindRating, KindCorrectiveAction:
		return true
	}
	return false
}

// enginePayload returns the zero value of the payload type an engine
// event of this kind carries, and nil for any other kind. It is the map
// from engine kinds to their payloads that docs/protocol.md documents; a
// test checks the document against it, field by field.
func enginePayload(kind string) any {
	switch kind {
	case KindDebriefLinkSet:
		return debriefLinkPayload{}
	case KindDebriefLinkRevoked:
		return struct{}{}
	case KindCreated:
		return createdPayload{}
	case KindJoined, KindLeft, KindLeadChanged:
		return participantPayload{}
	case KindMoved:
		return MovePayload{}
	case KindStart, KindSpeed:
		return speedPayload{}
	case KindPaused:
		return pausedPayload{}
	case KindResumed:
		return struct{}{}
	case KindSkipped:
		return skipPayload{}
	case KindTick:
		return tickPayload{}
	case KindAnswer, KindFacAnswer:
		return answerPayload{}
	case KindFacInject:
		return injectPayload{}
	case KindInjectScheduled:
		return scheduledPayload{}
	case KindScheduleCancelled:
		return cancelPayload{}
	case KindFacClose:
		return decisionPayload{}
	case KindFacExtend:
		return extendPayload{}
	case KindFacForce:
		return statePayload{}
	case KindFacEnd:
		return endPayload{}
	case KindNote:
		return notePayload{}
	case KindMessageSubmitted:
		return messagePayload{}
	case KindDraftSaved:
		return draftPayload{}
	case KindDraftDiscarded:
		return draftRefPayload{}
	case KindApprovalRequested:
		return approvalPayload{}
	case KindDraftApproved, KindDraftRejected:
		return verdictPayload{}
	case KindChat:
		return chatPayload{}
	case KindReceipt:
		return receiptPayload{}
	case KindRating:
		return RatingPayload{}
	case KindCorrectiveAction:
		return ActionPayload{}
	}
	return nil
}

// everyone and staff return fresh audience slices: events are handed to
// other goroutines, so no slice is shared between them.
func everyone() []string { return []string{sim.AllTeams} }

func staff() []string { return []string{} }

func team(id string) []string { return []string{id} }

type createdPayload struct {
	Title      string            `json:"title"`
	Scenario   string            `json:"scenario"`
	ScenarioID int64             `json:"scenario_id"`
	SHA256     string            `json:"sha256"`
	Params     map[string]string `json:"params"`
}

type participantPayload struct {
	Participant string `json:"participant"`
	Team        string `json:"team"`
	Name        string `json:"name,omitempty"`
	Lead        bool   `json:"lead,omitempty"`
}

type speedPayload struct {
	Speed float64 `json:"speed"`
	From  float64 `json:"from,omitempty"`
}

type skipPayload struct {
	From time.Duration `json:"from"`
	To   time.Duration `json:"to"`
}

type pausedPayload struct {
	Reason string `json:"reason,omitempty"`
}

type tickPayload struct {
	To time.Duration `json:"to"`
}

type answerPayload struct {
	Participant string `json:"participant"`
	Team        string `json:"team"`
	Decision    string `json:"decision"`
	Option      string `json:"option,omitempty"`
	Text        string `json:"text,omitempty"`
	Confidence  int    `json:"confidence,omitempty"`
	Rationale   string `json:"rationale,omitempty"`
	Lead        bool   `json:"lead,omitempty"`
	ClientID    string `json:"client_id,omitempty"`
	// OnBehalf: the facilitator answered a team's decision for the team.
	OnBehalf bool `json:"on_behalf,omitempty"`
}

func (p answerPayload) simAnswer() sim.Answer {
	return sim.Answer{ID: p.ClientID, Decision: p.Decision, Team: p.Team, Participant: p.Participant,
		Lead: p.Lead, Option: p.Option, Text: p.Text, Confidence: p.Confidence, Rationale: p.Rationale, ByFacilitator: p.OnBehalf}
}

// AdHoc is an inject the facilitator writes during the exercise.
type AdHoc struct {
	ID         string               `json:"id,omitempty"`
	Teams      []string             `json:"teams,omitempty"` // empty: every team; ["facilitator"]: facilitator only
	Channel    scenario.Channel     `json:"channel"`
	From       string               `json:"from,omitempty"` // persona id, or a sender name
	Title      string               `json:"title,omitempty"`
	Body       string               `json:"body"`
	To         string               `json:"to,omitempty"`
	Platform   string               `json:"platform,omitempty"`
	Level      string               `json:"level,omitempty"`
	Ref        string               `json:"ref,omitempty"`
	Image      string               `json:"image,omitempty"`
	Engagement *scenario.Engagement `json:"engagement,omitempty"`

	// ClientID, when set, makes the inject idempotent: a repeat of an id
	// already in the exercise's log is not applied again. Not stored in
	// the payload.
	ClientID string `json:"-"`
}

func (a AdHoc) sim() sim.AdHoc {
	return sim.AdHoc{ID: a.ID, Teams: a.Teams, Channel: a.Channel, From: a.From, Title: a.Title, Body: a.Body,
		To: a.To, Platform: a.Platform, Level: a.Level, Ref: a.Ref, Image: a.Image, Engagement: a.Engagement}
}

// injectPayload is a facilitator_inject: the ad-hoc inject, and the
// schedule it came from when it was scheduled rather than sent at once.
type injectPayload struct {
	AdHoc
	Schedule string `json:"schedule,omitempty"`
}

// scheduledPayload is an inject_scheduled: the inject and the exercise
// time it is due at.
type scheduledPayload struct {
	Schedule string        `json:"schedule"`
	At       time.Duration `json:"at"`
	AdHoc
}

// cancelPayload is an inject_schedule_cancelled. Teams repeats the
// inject's, so that a cancelled facilitator-only inject stays with the
// facilitator.
type cancelPayload struct {
	Schedule string   `json:"schedule"`
	Teams    []string `json:"teams,omitempty"`
}

type decisionPayload struct {
	Decision string `json:"decision"`
}

type extendPayload struct {
	Decision string        `json:"decision"`
	By       time.Duration `json:"by"`
}

type statePayload struct {
	State string `json:"state"`
}

type endPayload struct {
	Reason string `json:"reason,omitempty"`
}

type notePayload struct {
	Author    string `json:"author"`
	Team      string `json:"team,omitempty"`
	Objective string `json:"objective,omitempty"`
	Text      string `json:"text"`
}

// mustJSON encodes a payload. Engine payloads hold only strings, numbers
// and bools, so encoding cannot fail; a failure is a programming error
// that is still recorded rather than losing the event.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"encode_error": err.Error()})
	}
	return b
}

// simPayload encodes a sim event. A value JSON cannot hold (a variable
// that became NaN or infinite) is replaced by its text form so the event
// is still logged, deterministically.
func simPayload(e sim.Event) json.RawMessage {
	b, err := json.Marshal(e)
	if err == nil {
		return b
	}
	e.Old, e.New = fmt.Sprint(e.Old), fmt.Sprint(e.New)
	if b, err = json.Marshal(e); err == nil {
		return b
	}
	return mustJSON(map[string]any{"kind": e.Kind, "at": e.At, "encode_error": err.Error()})
}

// fromSim turns sim events into log events stamped with the wall time of
// the commit and their own exercise (due) time.
func fromSim(now time.Time, evs []sim.Event) []Event {
	out := make([]Event, len(evs))
	for i, e := range evs {
		aud := e.Audience
		if aud == nil {
			aud = staff()
		}
		out[i] = Event{Kind: string(e.Kind), WallTime: now, ExerciseTime: e.At, Payload: simPayload(e), Audience: aud}
	}
	return out
}
