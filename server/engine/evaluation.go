package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"unicode"
	"unicode/utf8"

	"github.com/ttxsim/ttx/server/store"
)

// Judging an exercise (issue #19): observers and the facilitator rate each
// objective and critical task on the HSEEP scale, and the facilitator
// writes the improvement plan. Both are staff-only engine events, accepted
// in every status (after the end is when they matter) but not once the
// exercise is archived. Package eval reads them back from the log.

// Limits of the evaluation's inputs, in bytes.
const (
	MaxEvalText  = 4000 // explanation, issue, action
	MaxEvalField = 1000 // each list item; capability, owner, contact
	MaxEvalItems = 20   // strengths, improvements
	MaxEvidence  = 50   // seqs cited by one rating

	// maxRaterLen bounds a rater id, so that a rating's log key
	// ("r/<rater>/<client id>") stays within what an archive accepts.
	maxRaterLen = 60

	// RaterFacilitator is the rater of the facilitator's ratings.
	RaterFacilitator = FacilitatorID
)

// RatingPayload is a rating_submitted event: one rater's rating of an
// objective, or of one of its tasks. It replaces the rater's earlier
// rating of the same (objective, task); Rating "" withdraws it. Only the
// facilitator gives Final ratings, which settle the objective or task.
type RatingPayload struct {
	Rater        string   `json:"rater"` // "facilitator" or the observer's id
	RaterName    string   `json:"rater_name"`
	Objective    string   `json:"objective"`
	Task         string   `json:"task,omitempty"`
	Rating       string   `json:"rating"` // P, S, M, U; "" withdraws
	Explanation  string   `json:"explanation,omitempty"`
	Strengths    []string `json:"strengths,omitempty"`
	Improvements []string `json:"improvements,omitempty"`
	Evidence     []int64  `json:"evidence,omitempty"` // seqs of events of this exercise
	Final        bool     `json:"final,omitempty"`
}

// ActionPayload is a corrective_action_saved event: one version of a line
// of the improvement plan. Version is the engine's (previous + 1).
type ActionPayload struct {
	ID         string `json:"id"`
	Version    int    `json:"version"`
	Objective  string `json:"objective,omitempty"`
	Capability string `json:"capability,omitempty"`
	Issue      string `json:"issue,omitempty"`
	Action     string `json:"action,omitempty"`
	Element    string `json:"element,omitempty"`
	Owner      string `json:"owner,omitempty"`
	Contact    string `json:"contact,omitempty"`
	Start      string `json:"start,omitempty"` // YYYY-MM-DD
	Due        string `json:"due,omitempty"`   // YYYY-MM-DD
	Deleted    bool   `json:"deleted,omitempty"`
}

// ValidRating reports whether r is a rating of the HSEEP scale (P, S, M,
// U); package eval holds the scale with its words.
func ValidRating(r string) bool {
	switch r {
	case "P", "S", "M", "U":
		return true
	}
	return false
}

// ValidElement reports whether s is a capability element a corrective
// action may address.
func ValidElement(s string) bool {
	switch s {
	case "planning", "organisation", "equipment", "training", "exercise":
		return true
	}
	return false
}

// RatingInput is a rating as submitted. Rater is "facilitator" or the
// observer's id; the API sets it and RaterName from who is asking.
type RatingInput struct {
	ClientID     string // required; a repeat returns the original ack
	Rater        string
	RaterName    string
	Objective    string
	Task         string
	Rating       string
	Explanation  string
	Strengths    []string
	Improvements []string
	Evidence     []int64
	Final        bool
}

// ActionInput is a corrective action as saved by the facilitator.
type ActionInput struct {
	ClientID   string // required; a repeat returns the original ack
	ID         string // the action's id, chosen by the client
	Objective  string
	Capability string
	Issue      string
	Action     string
	Element    string
	Owner      string
	Contact    string
	Start      string
	Due        string
	Deleted    bool
}

// Rate records a rating. Accepted in every status; refused once archived.
func (e *Engine) Rate(ctx context.Context, exerciseID string, in RatingInput) (WorldAck, error) {
	v, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) { return l.rate(now, in) })
	if err != nil {
		return WorldAck{}, err
	}
	return v.(WorldAck), nil
}

// SaveCorrectiveAction records a new version of a line of the improvement
// plan; the ack carries the version. Accepted in every status; refused
// once archived.
func (e *Engine) SaveCorrectiveAction(ctx context.Context, exerciseID string, in ActionInput) (WorldAck, error) {
	v, err := e.do(ctx, exerciseID, func(l *loop, now time.Time) (any, error) { return l.saveAction(now, in) })
	if err != nil {
		return WorldAck{}, err
	}
	return v.(WorldAck), nil
}

// evalState is what the loop keeps of the evaluation: each corrective
// action's latest version, rebuilt from the log on load.
type evalState struct {
	versions map[string]int
}

func (l *loop) evalState() *evalState {
	if l.ev == nil {
		l.ev = &evalState{versions: map[string]int{}}
	}
	return l.ev
}

// observeEval updates the evaluation state from one event of the log.
func (l *loop) observeEval(ev Event) {
	if ev.Kind != KindCorrectiveAction {
		return
	}
	var p ActionPayload
	if json.Unmarshal(ev.Payload, &p) == nil {
		s := l.evalState()
		s.versions[p.ID] = max(s.versions[p.ID], p.Version)
	}
}

// evalKey is the log key of an evaluation command's client id, and the
// event already holding it when the command was applied before.
func (l *loop) evalKey(prefix, subject, clientID string) (string, *Event, error) {
	if !validClientID(clientID) {
		return "", nil, invalid("client id must be 1 to %d letters, digits or ._:-", MaxClientIDLen)
	}
	key := prefix + "/" + subject + "/" + clientID
	prev, err := l.e.store.EventByClientID(context.Background(), l.id, key)
	if err == nil {
		return key, &prev, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return "", nil, fmt.Errorf("engine: %w: %w", ErrUnavailable, err)
	}
	return key, nil, nil
}

// notArchived refuses evaluation commands on an archived exercise.
func (l *loop) notArchived() error {
	if !l.ex.ArchivedAt.IsZero() {
		return fmt.Errorf("%w: the exercise is archived; restore it first", ErrConflict)
	}
	return nil
}

func checkList(field string, items []string) error {
	if len(items) > MaxEvalItems {
		return invalid("%s: at most %d items", field, MaxEvalItems)
	}
	for _, s := range items {
		if err := checkProse(field, s, MaxEvalField, true); err != nil {
			return err
		}
	}
	return nil
}

func (l *loop) rate(now time.Time, in RatingInput) (WorldAck, error) {
	if err := l.notArchived(); err != nil {
		return WorldAck{}, err
	}
	if in.Rater == "" || len(in.Rater) > maxRaterLen {
		return WorldAck{}, invalid("rater is required")
	}
	if err := checkText("rater name", in.RaterName, MaxNameLen, false); err != nil {
		return WorldAck{}, err
	}
	key, prev, err := l.evalKey("r", in.Rater, in.ClientID)
	if err != nil {
		return WorldAck{}, err
	}
	if prev != nil {
		return WorldAck{Seq: prev.Seq, Duplicate: true}, nil
	}
	if in.Final && in.Rater != RaterFacilitator {
		return WorldAck{}, fmt.Errorf("%w: only the facilitator settles a final rating", ErrForbidden)
	}
	o := l.sc.Objective(in.Objective)
	if o == nil {
		return WorldAck{}, fmt.Errorf("%w: objective %q", ErrNotFound, clipText(in.Objective, 64))
	}
	if in.Task != "" && o.Task(in.Task) == nil {
		return WorldAck{}, fmt.Errorf("%w: task %q of objective %q", ErrNotFound, clipText(in.Task, 64), o.ID)
	}
	switch {
	case in.Rating == "" && in.Final:
		return WorldAck{}, invalid("a final rating needs a rating (P, S, M or U)")
	case in.Rating != "" && !ValidRating(in.Rating):
		return WorldAck{}, invalid("rating must be P, S, M or U (or empty to withdraw)")
	}
	if err := checkProse("explanation", in.Explanation, MaxEvalText, false); err != nil {
		return WorldAck{}, err
	}
	if err := checkList("strengths", in.Strengths); err != nil {
		return WorldAck{}, err
	}
	if err := checkList("improvements", in.Improvements); err != nil {
		return WorldAck{}, err
	}
	if len(in.Evidence) > MaxEvidence {
		return WorldAck{}, invalid("evidence: at most %d events", MaxEvidence)
	}
	for _, seq := range in.Evidence {
		if seq < 1 || seq > l.lastSeq {
			return WorldAck{}, invalid("evidence: event %d is not in this exercise's log", seq)
		}
	}
	p := RatingPayload{Rater: in.Rater, RaterName: in.RaterName, Objective: in.Objective, Task: in.Task, Rating: in.Rating,
		Explanation: in.Explanation, Strengths: in.Strengths, Improvements: in.Improvements, Evidence: in.Evidence, Final: in.Final}
	return l.commitWorld(now, Event{Kind: KindRating, Audience: staff(), ClientID: key, Payload: mustJSON(p)}, WorldAck{})
}

func checkDate(field, s string) error {
	if s == "" {
		return nil
	}
	if _, err := time.Parse("2006-01-02", s); err != nil {
		return invalid("%s must be a date written YYYY-MM-DD", field)
	}
	return nil
}

func (l *loop) saveAction(now time.Time, in ActionInput) (WorldAck, error) {
	if err := l.notArchived(); err != nil {
		return WorldAck{}, err
	}
	key, prev, err := l.evalKey("ca", RaterFacilitator, in.ClientID)
	if err != nil {
		return WorldAck{}, err
	}
	if prev != nil {
		ack := WorldAck{Seq: prev.Seq, Duplicate: true}
		var p ActionPayload
		if json.Unmarshal(prev.Payload, &p) == nil {
			ack.Version = p.Version
		}
		return ack, nil
	}
	if !validClientID(in.ID) {
		return WorldAck{}, invalid("id must be 1 to %d letters, digits or ._:-", MaxClientIDLen)
	}
	version := l.evalState().versions[in.ID]
	p := ActionPayload{ID: in.ID, Version: version + 1, Deleted: in.Deleted}
	if in.Deleted {
		if version == 0 {
			return WorldAck{}, fmt.Errorf("%w: corrective action %q", ErrNotFound, in.ID)
		}
	} else {
		if in.Objective != "" && l.sc.Objective(in.Objective) == nil {
			return WorldAck{}, fmt.Errorf("%w: objective %q", ErrNotFound, clipText(in.Objective, 64))
		}
		if in.Element != "" && !ValidElement(in.Element) {
			return WorldAck{}, invalid("element must be one of planning, organisation, equipment, training, exercise")
		}
		for _, f := range []struct {
			name, v  string
			n        int
			required bool
		}{{"issue", in.Issue, MaxEvalText, true}, {"action", in.Action, MaxEvalText, true}, {"capability", in.Capability, MaxEvalField, false},
			{"owner", in.Owner, MaxEvalField, false}, {"contact", in.Contact, MaxEvalField, false}} {
			if err := checkProse(f.name, f.v, f.n, f.required); err != nil {
				return WorldAck{}, err
			}
		}
		if err := checkDate("start", in.Start); err != nil {
			return WorldAck{}, err
		}
		if err := checkDate("due", in.Due); err != nil {
			return WorldAck{}, err
		}
		if in.Start != "" && in.Due != "" && in.Due < in.Start {
			return WorldAck{}, invalid("due is before start")
		}
		p.Objective, p.Capability, p.Issue, p.Action, p.Element = in.Objective, in.Capability, in.Issue, in.Action, in.Element
		p.Owner, p.Contact, p.Start, p.Due = in.Owner, in.Contact, in.Start, in.Due
		if p.Capability == "" && p.Objective != "" {
			p.Capability = l.sc.Objective(p.Objective).Capability
		}
	}
	return l.commitWorld(now, Event{Kind: KindCorrectiveAction, Audience: staff(), ClientID: key, Payload: mustJSON(p)}, WorldAck{Version: p.Version})
}

// checkProse checks author text that may span lines: valid UTF-8, at most
// n bytes, no control characters but newlines and tabs.
func checkProse(field, s string, n int, required bool) error {
	if required && strings.TrimSpace(s) == "" {
		return invalid("%s is required", field)
	}
	if len(s) > n {
		return invalid("%s is longer than %d bytes", field, n)
	}
	if !utf8.ValidString(s) {
		return invalid("%s is not valid UTF-8", field)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return invalid("%s holds a control character", field)
		}
	}
	return nil
}
