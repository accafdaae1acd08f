package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/sim"
)

// Subprotocol is the WebSocket subprotocol of this API. Clients offer it,
// optionally with a second entry "ttx.token.<token>" carrying a participant
// or observer token; the server always selects this one.
const Subprotocol = "ttx.v1"

// maxClientMessage bounds one client frame, matching the hub's read limit.
const maxClientMessage = 16 << 10

// Client message types.
const (
	msgAnswer        = "answer"
	msgPresence      = "presence"
	msgNote          = "note"
	msgStart         = "start"
	msgPause         = "pause"
	msgResume        = "resume"
	msgSkip          = "skip"
	msgSpeed         = "speed"
	msgInject        = "inject"
	msgForce         = "force"
	msgCloseDecision = "close_decision"
	msgEnd           = "end"

	msgExtendDecision = "extend_decision"

	msgScheduleInject  = "schedule_inject"
	msgCancelScheduled = "cancel_scheduled_inject"
)

// maxExtendSeconds bounds one extension of a decision's time limit.
const maxExtendSeconds = int(sim.MaxExtension / time.Second)

// messageKeys lists the fields each message type accepts besides type and
// id, comma-delimited for an exact, case-sensitive match.
var messageKeys = map[string]string{
	msgAnswer:        ",decision,option,text,confidence,rationale,",
	msgNote:          ",text,team,objective,",
	msgPresence:      ",status,",
	msgSpeed:         ",speed,",
	msgInject:        ",inject,",
	msgForce:         ",state,",
	msgCloseDecision: ",decision,",
	msgEnd:           ",reason,",
	msgStart:         ",",
	msgPause:         ",",
	msgResume:        ",",
	msgSkip:          ",",

	msgExtendDecision: ",decision,by,",

	msgScheduleInject:  ",inject,at,in,",
	msgCancelScheduled: ",schedule,",
	// Teams acting in the world (world.go).
	msgChat:            ",room,body,",
	msgReceipt:         ",seq,opened,",
	msgDraft:           ",draft,action,outlet,persona,inject,thread,title,body,",
	msgDiscardDraft:    ",draft,",
	msgRequestApproval: ",draft,",
	msgApprove:         ",draft,version,comment,",
	msgReject:          ",draft,version,comment,",
	msgSend:            ",draft,action,outlet,persona,inject,thread,title,body,",
	msgPersonaSend:     ",persona,team,thread,body,canned,",
	// Judging (evaluation.go).
	msgRating:           ",objective,task,rating,explanation,strengths,improvements,evidence,final,",
	msgCorrectiveAction: ",action_id,objective,capability,issue,action,element,owner,contact,start,due,deleted,",
}

// ClientMessage is a decoded, structurally valid client frame. Exactly one
// of the pointer fields is set for types that carry a body.
type ClientMessage struct {
	Type string
	ID   string

	Answer   *AnswerMsg
	Note     *NoteMsg
	Presence *PresenceMsg
	Speed    *SpeedMsg
	Inject   *InjectMsg
	Force    *ForceMsg
	Decision *DecisionMsg
	End      *EndMsg
	Extend   *ExtendMsg

	Schedule       *ScheduleMsg
	CancelSchedule *CancelScheduleMsg
	World          *WorldMsg // chat, receipt, drafts, approvals, send, persona_send
	Rate           *RateMsg
	Action         *ActionMsg // corrective_action
}

// Message bodies. Each lists every field it accepts: any other field is an
// error, so a typo in a client is caught rather than silently ignored.
type (
	// AnswerMsg answers a decision; ID is the idempotency key.
	AnswerMsg struct {
		Type       string `json:"type"`
		ID         string `json:"id"`
		Decision   string `json:"decision"`
		Option     string `json:"option,omitempty"`
		Text       string `json:"text,omitempty"`
		Confidence int    `json:"confidence,omitempty"`
		Rationale  string `json:"rationale,omitempty"`
	}
	// NoteMsg is an observer's or facilitator's note.
	NoteMsg struct {
		Type      string `json:"type"`
		ID        string `json:"id"`
		Text      string `json:"text"`
		Team      string `json:"team,omitempty"`
		Objective string `json:"objective,omitempty"`
	}
	// PresenceMsg tells teammates and the facilitator whether the
	// participant is looking.
	PresenceMsg struct {
		Type   string `json:"type"`
		ID     string `json:"id"`
		Status string `json:"status"` // active | idle
	}
	// SpeedMsg sets time compression.
	SpeedMsg struct {
		Type  string  `json:"type"`
		ID    string  `json:"id"`
		Speed float64 `json:"speed"`
	}
	// InjectMsg sends an ad-hoc inject.
	InjectMsg struct {
		Type   string       `json:"type"`
		ID     string       `json:"id"`
		Inject engine.AdHoc `json:"inject"`
	}
	// ForceMsg forces a transition.
	ForceMsg struct {
		Type  string `json:"type"`
		ID    string `json:"id"`
		State string `json:"state"`
	}
	// DecisionMsg closes a decision early.
	DecisionMsg struct {
		Type     string `json:"type"`
		ID       string `json:"id"`
		Decision string `json:"decision"`
	}
	// ExtendMsg gives an open, timed decision more time: By seconds,
	// 1 to maxExtendSeconds.
	ExtendMsg struct {
		Type     string `json:"type"`
		ID       string `json:"id"`
		Decision string `json:"decision"`
		By       int    `json:"by"`
	}
	// ScheduleMsg schedules an ad-hoc inject At an exercise time, or In a
	// delay of exercise time from now (nanoseconds; exactly one is set).
	ScheduleMsg struct {
		Type   string        `json:"type"`
		ID     string        `json:"id"`
		Inject engine.AdHoc  `json:"inject"`
		At     time.Duration `json:"at,omitempty"`
		In     time.Duration `json:"in,omitempty"`
	}
	// CancelScheduleMsg cancels a scheduled inject before its time.
	CancelScheduleMsg struct {
		Type     string `json:"type"`
		ID       string `json:"id"`
		Schedule string `json:"schedule"`
	}
	// EndMsg ends the exercise.
	EndMsg struct {
		Type   string `json:"type"`
		ID     string `json:"id"`
		Reason string `json:"reason,omitempty"`
	}
	// bareMsg is a command without arguments.
	bareMsg struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	}
)

// ProtocolError is a client message the server refuses. It is sent back as
// an error frame; the connection stays open.
type ProtocolError struct {
	ID      string // the message id when it could be read
	Code    string
	Message string
}

func (e *ProtocolError) Error() string { return e.Code + ": " + e.Message }

// validMessageID accepts 1 to 64 characters from [A-Za-z0-9._:-]: ids are
// echoed in acks and used as answer idempotency keys.
func validMessageID(id string) bool {
	if id == "" || len(id) > engine.MaxClientIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}

// strictDecode decodes one JSON object into v, refusing unknown fields and
// trailing data.
func strictDecode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the JSON object")
	}
	return nil
}

// DecodeClientMessage decodes and structurally validates one client frame.
// It never panics; every refusal is a *ProtocolError with a stable code:
// too_large, bad_json, bad_id, unknown_type, bad_field, invalid.
func DecodeClientMessage(data []byte) (ClientMessage, *ProtocolError) {
	return decodeClientMessage(data, true)
}

// decodeClientMessage is DecodeClientMessage; sized false skips the size
// check, for REST bodies: their cap was applied to the body as sent, before
// it became a message (re-encoding may lengthen it).
func decodeClientMessage(data []byte, sized bool) (ClientMessage, *ProtocolError) {
	if sized && len(data) > maxClientMessage {
		return ClientMessage{}, &ProtocolError{Code: "too_large", Message: fmt.Sprintf("messages are limited to %d bytes", maxClientMessage)}
	}
	if !utf8.Valid(data) {
		return ClientMessage{}, &ProtocolError{Code: "bad_json", Message: "message is not UTF-8"}
	}
	// The top level is read as a map first: Go's struct decoding matches
	// names case-insensitively, and a protocol field is spelled one way.
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil || top == nil {
		return ClientMessage{}, &ProtocolError{Code: "bad_json", Message: "message must be a JSON object"}
	}
	var typ, id string
	if json.Unmarshal(top["id"], &id) != nil || !validMessageID(id) {
		return ClientMessage{}, &ProtocolError{Code: "bad_id", Message: "id must be 1 to 64 characters from A-Z a-z 0-9 . _ : -"}
	}
	if json.Unmarshal(top["type"], &typ) != nil || typ == "" {
		return ClientMessage{}, &ProtocolError{ID: id, Code: "unknown_type", Message: "type is missing"}
	}
	if keys, ok := messageKeys[typ]; ok {
		for k := range top {
			if k != "type" && k != "id" && !strings.Contains(keys, ","+k+",") {
				return ClientMessage{}, &ProtocolError{ID: id, Code: "bad_field", Message: "unknown field " + strconv.Quote(clip(k, 60))}
			}
		}
	}
	m := ClientMessage{Type: typ, ID: id}
	var target any
	switch typ {
	case msgAnswer:
		m.Answer = &AnswerMsg{}
		target = m.Answer
	case msgNote:
		m.Note = &NoteMsg{}
		target = m.Note
	case msgPresence:
		m.Presence = &PresenceMsg{}
		target = m.Presence
	case msgSpeed:
		m.Speed = &SpeedMsg{}
		target = m.Speed
	case msgInject:
		m.Inject = &InjectMsg{}
		target = m.Inject
	case msgForce:
		m.Force = &ForceMsg{}
		target = m.Force
	case msgCloseDecision:
		m.Decision = &DecisionMsg{}
		target = m.Decision
	case msgEnd:
		m.End = &EndMsg{}
		target = m.End
	case msgExtendDecision:
		m.Extend = &ExtendMsg{}
		target = m.Extend
	case msgScheduleInject:
		m.Schedule = &ScheduleMsg{}
		target = m.Schedule
	case msgCancelScheduled:
		m.CancelSchedule = &CancelScheduleMsg{}
		target = m.CancelSchedule
	case msgStart, msgPause, msgResume, msgSkip:
		target = &bareMsg{}
	case msgChat, msgReceipt, msgDraft, msgDiscardDraft, msgRequestApproval, msgApprove, msgReject, msgSend, msgPersonaSend:
		m.World = &WorldMsg{}
		target = m.World
	case msgRating:
		m.Rate = &RateMsg{}
		target = m.Rate
	case msgCorrectiveAction:
		m.Action = &ActionMsg{}
		target = m.Action
	default:
		return ClientMessage{}, &ProtocolError{ID: id, Code: "unknown_type", Message: fmt.Sprintf("unknown message type %q", clip(typ, 40))}
	}
	if err := strictDecode(data, target); err != nil {
		return ClientMessage{}, &ProtocolError{ID: id, Code: "bad_field", Message: fieldError(err)}
	}
	if msg := m.check(); msg != "" {
		return ClientMessage{}, &ProtocolError{ID: id, Code: "invalid", Message: msg}
	}
	return m, nil
}

// check validates field shapes; the engine validates meaning (does the
// decision exist, is it open, is it this team's).
func (m *ClientMessage) check() string {
	short := func(field, s string, n int) string {
		if len(s) > n {
			return fmt.Sprintf("%s is longer than %d bytes", field, n)
		}
		return ""
	}
	first := func(msgs ...string) string {
		for _, s := range msgs {
			if s != "" {
				return s
			}
		}
		return ""
	}
	switch {
	case m.Answer != nil:
		a := m.Answer
		if a.Decision == "" {
			return "decision is required"
		}
		if a.Option == "" && strings.TrimSpace(a.Text) == "" {
			return "give an option or a text"
		}
		if a.Confidence < 0 || a.Confidence > 5 {
			return "confidence must be 1 to 5 (or absent)"
		}
		return first(short("decision", a.Decision, 100), short("option", a.Option, 100),
			short("text", a.Text, engine.MaxNoteLen), short("rationale", a.Rationale, engine.MaxNoteLen))
	case m.Note != nil:
		if strings.TrimSpace(m.Note.Text) == "" {
			return "text is required"
		}
		return first(short("text", m.Note.Text, engine.MaxNoteLen), short("team", m.Note.Team, 100), short("objective", m.Note.Objective, 100))
	case m.Presence != nil:
		if m.Presence.Status != "active" && m.Presence.Status != "idle" {
			return "status must be active or idle"
		}
	case m.Speed != nil:
		if s := m.Speed.Speed; math.IsNaN(s) || s < engine.MinSpeed || s > engine.MaxSpeed {
			return fmt.Sprintf("speed must be %g to %g", engine.MinSpeed, engine.MaxSpeed)
		}
	case m.Inject != nil:
		return checkInject(m.Inject.Inject)
	case m.Schedule != nil:
		if (m.Schedule.At > 0) == (m.Schedule.In > 0) || m.Schedule.At < 0 || m.Schedule.In < 0 {
			return "give at (the exercise time to send it) or in (a delay), in nanoseconds"
		}
		return checkInject(m.Schedule.Inject)
	case m.CancelSchedule != nil:
		if m.CancelSchedule.Schedule == "" {
			return "schedule is required"
		}
		return short("schedule", m.CancelSchedule.Schedule, 100)
	case m.Force != nil:
		if m.Force.State == "" {
			return "state is required"
		}
		return short("state", m.Force.State, 100)
	case m.Decision != nil:
		if m.Decision.Decision == "" {
			return "decision is required"
		}
		return short("decision", m.Decision.Decision, 100)
	case m.End != nil:
		return short("reason", m.End.Reason, engine.MaxReasonLen)
	case m.Extend != nil:
		if m.Extend.Decision == "" {
			return "decision is required"
		}
		if m.Extend.By < 1 || m.Extend.By > maxExtendSeconds {
			return fmt.Sprintf("by must be a whole number of seconds from 1 to %d", maxExtendSeconds)
		}
		return short("decision", m.Extend.Decision, 100)
	case m.World != nil:
		return m.World.check(m.Type)
	case m.Rate != nil:
		return m.Rate.check()
	case m.Action != nil:
		return m.Action.check()
	}
	return ""
}

// checkInject checks an ad-hoc inject's shape, sent at once or scheduled.
func checkInject(in engine.AdHoc) string {
	if strings.TrimSpace(in.Body) == "" {
		return "inject body is required"
	}
	if len(in.Teams) > 50 {
		return "too many teams"
	}
	for _, f := range []struct {
		name, v string
		n       int
	}{{"body", in.Body, engine.MaxInjectBody}, {"title", in.Title, engine.MaxInjectField}, {"from", in.From, engine.MaxInjectField}} {
		if len(f.v) > f.n {
			return fmt.Sprintf("%s is longer than %d bytes", f.name, f.n)
		}
	}
	return ""
}

// fieldError describes a strict-decoding failure without Go type names.
func fieldError(err error) string {
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		return fmt.Sprintf("field %q has the wrong type", clip(ute.Field, 60))
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return "unknown field " + clip(f, 60)
	}
	if strings.Contains(msg, "after the JSON object") {
		return "data after the JSON object"
	}
	return "malformed message"
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// Server frames that are not log events (Seq 0: outside the stream).
type (
	helloFrame struct {
		Type       string `json:"type"` // "hello"
		Protocol   string `json:"protocol"`
		Exercise   string `json:"exercise"`
		Role       string `json:"role"`
		Team       string `json:"team,omitempty"`
		Subject    string `json:"participant,omitempty"`
		After      int64  `json:"after"`
		Reset      bool   `json:"reset,omitempty"` // the client's position was beyond the log: drop state, full replay follows
		ServerTime string `json:"server_time"`
	}
	liveFrame struct {
		Type    string `json:"type"` // "live": the backlog has been sent
		LastSeq int64  `json:"last_seq"`
	}
	ackFrame struct {
		Type      string        `json:"type"` // "ack"
		ID        string        `json:"id"`
		Seq       int64         `json:"seq,omitempty"`       // answers, notes, ratings, corrective actions: their event
		Duplicate bool          `json:"duplicate,omitempty"` // the answer's client id was already recorded
		Clock     time.Duration `json:"clock,omitempty"`     // skip: the new exercise clock
		Schedule  string        `json:"schedule,omitempty"`  // schedule_inject: the schedule's id
		Draft     string        `json:"draft,omitempty"`     // draft: the draft's id
		Version   int           `json:"version,omitempty"`   // draft, corrective_action: its version now
		Message   string        `json:"message,omitempty"`   // send, persona_send: the message's id
		Thread    string        `json:"thread,omitempty"`    // send, persona_send: its conversation
	}
	errorFrame struct {
		Type    string `json:"type"` // "error"
		ID      string `json:"id,omitempty"`
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	// presenceFrame is one participant's presence: an entry of a
	// presenceBatch, or of the online list of GET /api/exercises/:id.
	presenceFrame struct {
		Type        string `json:"type,omitempty"` // "presence" in the online list
		Participant string `json:"participant"`
		Name        string `json:"name"`
		Team        string `json:"team"`
		Online      bool   `json:"online"`
		Status      string `json:"status,omitempty"`
	}
	// presenceBatch is what changed since the last presence frame of an
	// exercise: facilitators and observers get Changes and every team's
	// changed count, a team only its own count.
	presenceBatch struct {
		Type    string          `json:"type"` // "presence"
		Changes []presenceFrame `json:"changes,omitempty"`
		Teams   map[string]int  `json:"teams,omitempty"`
	}
)

func mustFrame(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(`{"type":"error","code":"internal","message":"encoding failed"}`)
	}
	return b
}
