// Package eval judges an exercise: the measures computed from its log
// (response times, decision quality, confidence-weighted scores, team
// alignment, the scenario's milestones), the ratings observers and the
// facilitator give each objective and critical task on the HSEEP scale,
// and the improvement plan (corrective actions) written afterwards.
//
// It reads a compiled scenario and an exercise's events and knows
// nothing of HTTP or of how documents are laid out: package documents
// renders an Evaluation as the AAR/IP and the participants' debrief.
// Every number carries How, the sentence that says how it was computed
// and from which events, so a trainer can explain it in the hot wash.
package eval

import "time"

// Rating is a performance rating on the HSEEP scale.
type Rating string

// The HSEEP ratings, best first.
const (
	Performed       Rating = "P" // performed without challenges
	SomeChallenges  Rating = "S" // performed with some challenges
	MajorChallenges Rating = "M" // performed with major challenges
	UnableToPerform Rating = "U" // unable to be performed
)

// Ratings lists the scale best first.
var Ratings = []Rating{Performed, SomeChallenges, MajorChallenges, UnableToPerform}

// Elements are the capability elements a corrective action addresses.
var Elements = []string{"planning", "organisation", "equipment", "training", "exercise"}

// Evaluation is everything judged about one exercise.
type Evaluation struct {
	Objectives []ObjectiveEval    `json:"objectives"`
	Teams      []TeamMeasures     `json:"teams"`
	Plan       []CorrectiveAction `json:"plan"` // the improvement plan: each action's latest version, deleted ones left out
	// Skipped lists the seqs of events whose payload could not be read
	// (a hand-edited log); everything else is judged without them.
	Skipped []int64 `json:"skipped,omitempty"`
}

// ObjectiveEval is one objective: what the scenario says of it, what the
// log shows, and how it was rated.
type ObjectiveEval struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Capability string   `json:"capability,omitempty"`
	Met        string   `json:"met,omitempty"` // the author's "met" criteria
	Teams      []string `json:"teams,omitempty"`
	// Measure is the objective's `measure` as evaluated at the end; nil
	// when the scenario has none or the exercise has not ended.
	Measure    *MeasureResult    `json:"measure,omitempty"`
	Milestones []MilestoneResult `json:"milestones,omitempty"`
	Tasks      []TaskEval        `json:"tasks,omitempty"`
	// Ratings are every rater's latest rating of the objective itself
	// (Task ""), Final the facilitator's settled one.
	Ratings []RatingEntry `json:"ratings,omitempty"`
	Final   *RatingEntry  `json:"final,omitempty"`
	// Decisions are the decisions tagged with this objective, as judged.
	Decisions []DecisionResult `json:"decisions,omitempty"`
}

// TaskEval is a critical task under an objective, with its ratings.
type TaskEval struct {
	ID      string        `json:"id"`
	Title   string        `json:"title"`
	Teams   []string      `json:"teams,omitempty"`
	Ratings []RatingEntry `json:"ratings,omitempty"`
	Final   *RatingEntry  `json:"final,omitempty"`
}

// MeasureResult is an objective's measure at the end of the exercise.
type MeasureResult struct {
	Met    bool           `json:"met"`
	Values map[string]any `json:"values,omitempty"` // what the condition read
	Source string         `json:"source"`           // the condition as written
}

// MilestoneResult is a milestone the scenario declares, met or missed.
type MilestoneResult struct {
	ID    string  `json:"id"`
	Title string  `json:"title"`
	Task  string  `json:"task,omitempty"`
	Met   bool    `json:"met"`
	Done  float64 `json:"done"` // exercise minute it happened, -1 if it did not
	Due   float64 `json:"due"`  // the deadline minute, -1 if it could not be computed
	How   string  `json:"how"`
}

// RatingEntry is one rating by one rater (the latest they gave for that
// objective and task). Evidence are the seqs of the events it cites.
type RatingEntry struct {
	Seq          int64     `json:"seq"`   // the rating's own event
	Rater        string    `json:"rater"` // "facilitator" or the observer's id
	RaterName    string    `json:"rater_name"`
	Objective    string    `json:"objective"`
	Task         string    `json:"task,omitempty"`
	Rating       Rating    `json:"rating"`
	Explanation  string    `json:"explanation,omitempty"`
	Strengths    []string  `json:"strengths,omitempty"`
	Improvements []string  `json:"improvements,omitempty"` // areas for improvement
	Evidence     []int64   `json:"evidence,omitempty"`
	Final        bool      `json:"final,omitempty"`
	At           time.Time `json:"at"`
}

// TeamMeasures are the measures of one team, computed from the log.
type TeamMeasures struct {
	Team string `json:"team"`
	Name string `json:"name"`
	// Responses: from each inject or decision that asked something of
	// the team to the team's first answer, first message, first
	// publication.
	Responses []Response `json:"responses,omitempty"`
	// MedianResponse is the median of Responses' minutes, -1 with none.
	MedianResponse float64 `json:"median_response"`
	// Quality sums option scores over the team's settled decisions that
	// have scores; Expected counts settled decisions that name expected
	// options and how many matched.
	Quality Score `json:"quality"`
	// Weighted is the confidence-weighted score: answers with confidence
	// 1-5; a confident wrong answer costs more than an unsure one.
	Weighted Score `json:"weighted"`
	// Alignment is 0..1: how far the members' final votes agreed, over
	// the decisions more than one member answered; -1 with none.
	Alignment float64          `json:"alignment"`
	Decisions []DecisionResult `json:"decisions,omitempty"`
	How       string           `json:"how"`
}

// Response is the time a team took to act on something asked of it.
type Response struct {
	Prompt  string  `json:"prompt"`        // inject or decision id
	Kind    string  `json:"kind"`          // "answer", "message", "publication"
	Minutes float64 `json:"minutes"`       // exercise minutes from the prompt to the act
	Seq     int64   `json:"seq"`           // the act's event
	Via     string  `json:"via,omitempty"` // outlet or persona, for messages
}

// Score is a sum with what it is out of.
type Score struct {
	Points   float64 `json:"points"`
	Max      float64 `json:"max"`      // the best possible over the same decisions
	Count    int     `json:"count"`    // decisions counted
	Expected int     `json:"expected"` // settled on an expected option
	Of       int     `json:"of"`       // decisions that name expected options
	How      string  `json:"how"`
}

// DecisionResult is how one team's decision settled, judged.
type DecisionResult struct {
	Decision   string   `json:"decision"`
	Title      string   `json:"title"`
	Team       string   `json:"team"`
	Option     string   `json:"option,omitempty"` // settled option, "" if none
	Label      string   `json:"label,omitempty"`
	Reason     string   `json:"reason,omitempty"` // how it settled: answered, default, expired, state_left…
	Score      *float64 `json:"score,omitempty"`
	Expected   *bool    `json:"expected,omitempty"`   // nil when the decision names no expected options
	Confidence float64  `json:"confidence,omitempty"` // mean confidence of the answers for the settled option
	Minutes    float64  `json:"minutes"`              // from opening to the first answer, -1 if none
	Alignment  float64  `json:"alignment"`            // share of members whose last answer is the settled option, -1 if < 2 answered
	Seq        int64    `json:"seq"`                  // the decision_closed event
}

// CorrectiveAction is one line of the improvement plan. Each save is a
// new version in the log; the plan shows the latest.
type CorrectiveAction struct {
	ID         string    `json:"id"`
	Version    int       `json:"version"`
	Objective  string    `json:"objective,omitempty"`
	Capability string    `json:"capability,omitempty"`
	Issue      string    `json:"issue"`             // the area for improvement
	Action     string    `json:"action"`            // the corrective action
	Element    string    `json:"element,omitempty"` // one of Elements
	Owner      string    `json:"owner,omitempty"`   // responsible organisation
	Contact    string    `json:"contact,omitempty"` // point of contact
	Start      string    `json:"start,omitempty"`   // YYYY-MM-DD
	Due        string    `json:"due,omitempty"`     // YYYY-MM-DD
	Deleted    bool      `json:"deleted,omitempty"`
	Seq        int64     `json:"seq"`
	At         time.Time `json:"at"`
}
