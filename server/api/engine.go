package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/hub"
	"github.com/ttxsim/ttx/server/scenario"
	"github.com/ttxsim/ttx/server/sim"
	"github.com/ttxsim/ttx/server/store"
)

// Engine is what the API needs from live exercises; *engine.Engine
// implements it.
type Engine interface {
	Create(ctx context.Context, in engine.CreateInput) (store.Exercise, error)
	Get(ctx context.Context, id string) (store.Exercise, error)
	Exists(ctx context.Context, id string) error
	List(ctx context.Context, f store.ListFilter) ([]store.Exercise, error)
	Events(ctx context.Context, exerciseID string, afterSeq int64, limit int) ([]engine.Event, error)
	Log(ctx context.Context, exerciseID string) ([]engine.Event, error) // the whole log
	Snapshot(ctx context.Context, exerciseID string) (engine.Snapshot, error)

	Join(ctx context.Context, exerciseID string, in engine.JoinInput) (store.Participant, error)
	Leave(ctx context.Context, exerciseID, participantID string) error
	SetLead(ctx context.Context, exerciseID, participantID string) error
	Move(ctx context.Context, exerciseID, participantID, team string) error
	Answer(ctx context.Context, exerciseID, participantID string, in engine.AnswerInput) (engine.Ack, error)
	FacilitatorAnswer(ctx context.Context, exerciseID string, in engine.AnswerInput) (engine.Ack, error)
	AddNote(ctx context.Context, exerciseID string, in engine.NoteInput) (int64, error)
	Rate(ctx context.Context, exerciseID string, in engine.RatingInput) (engine.WorldAck, error)
	SaveCorrectiveAction(ctx context.Context, exerciseID string, in engine.ActionInput) (engine.WorldAck, error)

	Start(ctx context.Context, exerciseID string) error
	Pause(ctx context.Context, exerciseID string) error
	Resume(ctx context.Context, exerciseID string) error
	SetSpeed(ctx context.Context, exerciseID string, speed float64) error
	Skip(ctx context.Context, exerciseID string) (time.Duration, error)
	CloseDecision(ctx context.Context, exerciseID, decisionID string) error
	ExtendDecision(ctx context.Context, exerciseID, decisionID string, by time.Duration, clientID string) error
	Force(ctx context.Context, exerciseID, stateID string) error
	Inject(ctx context.Context, exerciseID string, in engine.AdHoc) error
	ScheduleInject(ctx context.Context, exerciseID string, in engine.ScheduleInput) (engine.ScheduledInject, error)
	CancelScheduledInject(ctx context.Context, exerciseID, scheduleID string) error
	End(ctx context.Context, exerciseID, reason string) error

	Chat(ctx context.Context, exerciseID string, a engine.Actor, in engine.ChatInput) (engine.WorldAck, error)
	Receipt(ctx context.Context, exerciseID, participantID string, in engine.ReceiptInput) (engine.WorldAck, error)
	Receipts(ctx context.Context, exerciseID string) ([]engine.InjectReceipts, error)
	SaveDraft(ctx context.Context, exerciseID, participantID string, in engine.DraftInput) (engine.WorldAck, error)
	Draft(ctx context.Context, exerciseID string, a engine.Actor, in engine.DraftCommand) (engine.WorldAck, error)
	Send(ctx context.Context, exerciseID string, a engine.Actor, in engine.SendInput) (engine.WorldAck, error)
	Canned(ctx context.Context, exerciseID, team, thread string) ([]sim.CannedOffer, error)

	CreateDebriefLink(ctx context.Context, exerciseID string) (string, error)
	DebriefLink(ctx context.Context, exerciseID string) (string, error)
	RevokeDebriefLink(ctx context.Context, exerciseID string) error
	DebriefExercise(ctx context.Context, token string) (string, []engine.Event, error)

	Archive(ctx context.Context, exerciseID string, archived bool) error
	Delete(ctx context.Context, exerciseID string) error
}

// Hub is what the API needs from the WebSocket hub; *hub.Hub implements it.
type Hub interface {
	Serve(w http.ResponseWriter, r *http.Request, sess hub.Session) (*hub.Conn, error)
	Broadcast(topic string, f *hub.Frame) int
	CloseWhere(match func(hub.Session) bool, code int, reason string) int
}

// commandTimeout bounds how long a request waits for an exercise's loop.
const commandTimeout = 10 * time.Second

// engineError maps an engine error to the API error shape. The engine's
// messages for caller mistakes are written for clients; anything else stays
// in the log.
func engineError(err error) *Error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	code := engine.Code(err)
	status := map[string]int{
		"not_found":       http.StatusNotFound,
		"invalid":         http.StatusBadRequest,
		"conflict":        http.StatusConflict,
		"ended":           http.StatusConflict,
		"forbidden":       http.StatusForbidden,
		"decision_closed": http.StatusConflict,
		"paused":          http.StatusConflict,
		"not_allowed":     http.StatusForbidden,
		"needs_approval":  http.StatusConflict,
		"stale_draft":     http.StatusConflict,
		"too_large":       http.StatusRequestEntityTooLarge,
		"closed":          http.StatusServiceUnavailable,
		"unavailable":     http.StatusServiceUnavailable,
		"overflow":        http.StatusServiceUnavailable,
		"timeout":         http.StatusGatewayTimeout,
	}[code]
	if status == 0 {
		return errInternal(err)
	}
	e := &Error{Status: status, Code: code, Message: publicMessage(err), cause: err}
	var pe *scenario.ParamError
	if errors.As(err, &pe) {
		e.Status, e.Code, e.Message, e.Details = http.StatusBadRequest, "bad_param", "parameter \""+pe.Param+"\" "+pe.Msg, paramDetails{Param: pe.Param}
	}
	var list scenario.ErrorList
	if errors.As(err, &list) {
		e.Status, e.Code, e.Message, e.Details = http.StatusUnprocessableEntity, "invalid_scenario", "the scenario has errors", []*scenario.Error(list)
	}
	if status >= 500 {
		e.Message = "the exercise is unavailable; try again"
		if engine.Reason(err) == engine.ReasonDiskFull {
			e.Message, e.Details, e.quiet = diskFullMessage, reasonDetails{Reason: engine.ReasonDiskFull}, true
		}
	}
	return e
}

// diskFullMessage tells why commands fail while the database's disk is
// full. The log says it once per episode, not once per request.
const diskFullMessage = "the server's disk is full: nothing was saved; free space on the server, then try again"

// reasonDetails are the details of an unavailable error whose cause is
// known: {"reason": "disk_full"}.
type reasonDetails struct {
	Reason string `json:"reason"`
}

// publicMessage strips package prefixes from an engine error.
func publicMessage(err error) string {
	msg := err.Error()
	for _, p := range []string{"engine: ", "sim: ", "store: "} {
		msg = strings.ReplaceAll(msg, p, "")
	}
	if len(msg) > 300 {
		msg = msg[:300]
	}
	return msg
}

// withTimeout gives an engine call a deadline derived from the request.
func withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, commandTimeout)
}

// paramDetails names the parameter a bad_param error is about, so that the
// create-exercise form shows the message beside its field.
type paramDetails struct {
	Param string `json:"param"`
}
