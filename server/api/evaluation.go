package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ttxsim/ttx/server/engine"
)

// Judging an exercise (issue #19): the rate and corrective_action
// commands, both doors through runCommand, and GET /evaluation.

// Client message types of the evaluation.
const (
	msgRating           = "rate"
	msgCorrectiveAction = "corrective_action"
)

// Message bodies of the evaluation.
type (
	// RateMsg is an observer's or the facilitator's rating of an
	// objective or one of its tasks; rating "" (not final) withdraws it.
	RateMsg struct {
		Type         string   `json:"type"`
		ID           string   `json:"id"`
		Objective    string   `json:"objective"`
		Task         string   `json:"task,omitempty"`
		Rating       string   `json:"rating"`
		Explanation  string   `json:"explanation,omitempty"`
		Strengths    []string `json:"strengths,omitempty"`
		Improvements []string `json:"improvements,omitempty"`
		Evidence     []int64  `json:"evidence,omitempty"`
		Final        bool     `json:"final,omitempty"`
	}
	// ActionMsg saves (or deletes) a line of the improvement plan.
	// ActionID names the line; the message id is the idempotency key.
	ActionMsg struct {
		Type       string `json:"type"`
		ID         string `json:"id"`
		ActionID   string `json:"action_id"`
		Objective  string `json:"objective,omitempty"`
		Capability string `json:"capability,omitempty"`
		Issue      string `json:"issue,omitempty"`
		Action     string `json:"action,omitempty"`
		Element    string `json:"element,omitempty"`
		Owner      string `json:"owner,omitempty"`
		Contact    string `json:"contact,omitempty"`
		Start      string `json:"start,omitempty"`
		Due        string `json:"due,omitempty"`
		Deleted    bool   `json:"deleted,omitempty"`
	}
)

func isEvalType(typ string) bool { return typ == msgRating || typ == msgCorrectiveAction }

// check validates shapes; the engine checks meaning (the objective and
// task exist, the evidence is in the log, the dates are dates).
func (r *RateMsg) check() string {
	switch {
	case r.Objective == "":
		return "objective is required"
	case len(r.Objective) > engine.MaxRefLen || len(r.Task) > engine.MaxRefLen:
		return fmt.Sprintf("objective and task are at most %d bytes", engine.MaxRefLen)
	case r.Rating != "" && !engine.ValidRating(r.Rating):
		return "rating must be P, S, M or U (or empty to withdraw)"
	case r.Rating == "" && r.Final:
		return "a final rating needs a rating"
	case len(r.Explanation) > engine.MaxEvalText:
		return fmt.Sprintf("explanation is longer than %d bytes", engine.MaxEvalText)
	case len(r.Evidence) > engine.MaxEvidence:
		return fmt.Sprintf("evidence: at most %d events", engine.MaxEvidence)
	}
	for _, l := range [][]string{r.Strengths, r.Improvements} {
		if len(l) > engine.MaxEvalItems {
			return fmt.Sprintf("strengths and improvements: at most %d items", engine.MaxEvalItems)
		}
		for _, s := range l {
			if strings.TrimSpace(s) == "" || len(s) > engine.MaxEvalField {
				return fmt.Sprintf("strengths and improvements: each 1 to %d bytes", engine.MaxEvalField)
			}
		}
	}
	return ""
}

func (a *ActionMsg) check() string {
	if a.ActionID == "" {
		return "action_id is required"
	}
	if len(a.ActionID) > engine.MaxClientIDLen {
		return fmt.Sprintf("action_id is longer than %d bytes", engine.MaxClientIDLen)
	}
	if a.Deleted {
		return ""
	}
	if strings.TrimSpace(a.Issue) == "" || strings.TrimSpace(a.Action) == "" {
		return "issue and action are required"
	}
	for _, f := range []struct {
		name, v string
		n       int
	}{{"issue", a.Issue, engine.MaxEvalText}, {"action", a.Action, engine.MaxEvalText}, {"objective", a.Objective, engine.MaxRefLen},
		{"capability", a.Capability, engine.MaxEvalField}, {"element", a.Element, engine.MaxRefLen}, {"owner", a.Owner, engine.MaxEvalField},
		{"contact", a.Contact, engine.MaxEvalField}, {"start", a.Start, 10}, {"due", a.Due, 10}} {
		if len(f.v) > f.n {
			return fmt.Sprintf("%s is longer than %d bytes", f.name, f.n)
		}
	}
	return ""
}

// applyEval authorises and applies rate and corrective_action: observers
// rate as themselves, the facilitator as "facilitator" and alone settles
// final ratings and writes the plan; teams never judge.
func (s *Server) applyEval(ctx context.Context, id *Identity, ex string, m ClientMessage) (ackFrame, error) {
	forbidden := &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "not allowed for your role"}
	e := s.engine
	var ack engine.WorldAck
	var err error
	switch {
	case m.Rate != nil:
		r := m.Rate
		in := engine.RatingInput{ClientID: m.ID, RaterName: id.Name, Objective: r.Objective, Task: r.Task, Rating: r.Rating,
			Explanation: r.Explanation, Strengths: r.Strengths, Improvements: r.Improvements, Evidence: r.Evidence, Final: r.Final}
		switch id.Role {
		case Facilitator:
			in.Rater = engine.RaterFacilitator
		case Observer:
			if r.Final {
				return ackFrame{}, &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "only the facilitator settles a final rating"}
			}
			in.Rater = id.SubjectID
		default:
			return ackFrame{}, forbidden
		}
		ack, err = e.Rate(ctx, ex, in)
	case m.Action != nil:
		if id.Role != Facilitator {
			return ackFrame{}, forbidden
		}
		a := m.Action
		ack, err = e.SaveCorrectiveAction(ctx, ex, engine.ActionInput{ClientID: m.ID, ID: a.ActionID, Objective: a.Objective,
			Capability: a.Capability, Issue: a.Issue, Action: a.Action, Element: a.Element, Owner: a.Owner, Contact: a.Contact,
			Start: a.Start, Due: a.Due, Deleted: a.Deleted})
	}
	return ackFrame{Seq: ack.Seq, Duplicate: ack.Duplicate, Version: ack.Version}, err
}

// evalReply is the REST reply of rate and corrective_action.
func evalReply(c *gin.Context, m ClientMessage, ack ackFrame) {
	out := gin.H{"client_id": m.ID, "seq": ack.Seq, "duplicate": ack.Duplicate}
	if m.Action != nil {
		out["version"] = ack.Version
	}
	c.JSON(http.StatusOK, out)
}

// evaluation serves GET /api/exercises/:id/evaluation (facilitator and
// observers): everything judged so far, computed from the log.
func (s *Server) evaluation(c *gin.Context) {
	if !s.needEngine(c) {
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), time.Minute)
	defer cancel()
	b, e := s.exerciseBundle(ctx, c.Param("id"), nil)
	if e != nil {
		fail(c, e)
		return
	}
	ev, err := b.evaluate()
	if err != nil {
		fail(c, errInternal(err))
		return
	}
	c.JSON(http.StatusOK, gin.H{"evaluation": ev})
}
