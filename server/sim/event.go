package sim

import (
	"errors"
	"time"

	"github.com/ttxsim/ttx/server/scenario"
)

// Kind names what an Event records.
type Kind string

// Event kinds. The strings are stored in the exercise log and read by the
// browser, so they never change meaning.
const (
	KindStarted          Kind = "started"
	KindStateEntered     Kind = "state_entered"
	KindInjectDelivered  Kind = "inject_delivered"
	KindInjectSkipped    Kind = "inject_skipped"
	KindDecisionSkipped  Kind = "decision_skipped"
	KindDecisionOpened   Kind = "decision_opened"
	KindDecisionAnswered Kind = "decision_answered"
	KindDecisionClosed   Kind = "decision_closed"
	KindDecisionExtended Kind = "decision_extended"
	KindEffectApplied    Kind = "effect_applied"
	KindTimerFired       Kind = "timer_fired"
	KindTransitionTaken  Kind = "transition_taken"
	KindOutcomeReached   Kind = "outcome_reached"
	KindMessageSent      Kind = "message_sent"
	KindObjectiveMeasure Kind = "objective_measured"
	KindMilestone        Kind = "milestone_measured"
	KindError            Kind = "error"
)

// AllTeams is the audience entry meaning every team.
const AllTeams = "*"

// Settlement says how a decision was settled (Event.Settled).
const (
	SettledAnswered = "answered" // by a team's answer (or the majority of a vote)
	SettledDefault  = "default"  // closed unanswered; the default option was taken
	SettledExpired  = "expired"  // closed unanswered with no default
)

// Close reasons (Event.CloseReason).
const (
	CloseAnswered    = "answered"    // no time limit: the first valid answer settled it
	CloseTimeLimit   = "time_limit"  // the time limit expired
	CloseFacilitator = "facilitator" // the facilitator closed it early
	CloseStateLeft   = "state_left"  // the exercise left the decision's state
	CloseEnded       = "ended"       // the facilitator ended the exercise
)

// Error codes (Event.Code on error events).
const (
	CodeEval    = "eval"    // an expression failed at run time; the condition counted as false, the effect was skipped
	CodeRunaway = "runaway" // more than MaxChain transitions without the clock moving; transitions wait for the clock
)

// OutcomeEnded is the outcome id of an exercise the facilitator ended.
const OutcomeEnded = "ended"

// Event is one thing that happened in an exercise. It is flat so that it
// stores as one JSON object per log row; each kind fills the fields listed
// beside them and leaves the others empty (omitted from JSON).
//
// JSON field reference (all snake_case):
//
//	kind        every kind: one of the Kind constants
//	at          every kind: exercise clock, in nanoseconds since the start
//	story_time  every kind, when the scenario has story_start: in-story time, RFC 3339
//	state       every kind: the current state id (empty before the first state)
//	audience    every kind: team ids allowed to see it; ["*"] = every team;
//	            absent = facilitator and observers only
//
//	started           scenario, title, params
//	state_entered     title, story_jump (ns)
//	inject_delivered  inject (absent for an ad-hoc inject without id), adhoc, channel, title, body,
//	                  persona, persona_name, persona_handle, persona_avatar, persona_org,
//	                  persona_email (email channel: scenario.PersonaEmail),
//	                  platform, to, level, ref, image, engagement (counts evaluated at delivery),
//	                  teams, objectives, reply (teams that may reply to it)
//	inject_skipped    inject, channel, title, reason ("if: <condition>")
//	decision_skipped  decision, team, reason ("if: <condition>"): its `if` was false when due; it never opens
//	decision_opened   decision, team, prompt, options [{id,label}], mode, free_text,
//	                  ask_confidence, ask_rationale, time_limit (ns), closes_at (ns), default, objectives,
//	                  settle_on_answer (timed, yet the first answer settles it)
//	decision_answered decision, team, option, option_label, text, participant, lead, confidence, rationale,
//	                  by_facilitator (the facilitator answered for the team)
//	decision_closed   decision, team, settled, close_reason, option, option_label, text,
//	                  participant, confidence, rationale (of the settling answer; none for a vote
//	                  settled by count: its result is the team's), votes [{option,count}], tie,
//	                  by_facilitator (the settling answer was the facilitator's, for the team)
//	decision_extended decision, team, by (ns added), closes_at (the new deadline, ns),
//	                  time_limit (the new total since it opened, ns)
//	effect_applied    var, old, new, expr, cause, visible
//	timer_fired       timer (1-based index in its state)
//	transition_taken  from_state, to_state, reason ("when: <src>", "after 10m", "forced"...), label,
//	                  transition (1-based index in from_state; absent when forced), forced,
//	                  when (source), after (ns), values [{name,value}] (what `when` read, when taken)
//	outcome_reached   outcome, rating, title, debrief, reason (why the facilitator ended it)
//	message_sent      message (its id), action (publish | reply | compose | persona), team, participant,
//	                  persona + persona_name, persona_handle, persona_avatar, persona_org, persona_email
//	                  (the persona speaking: an outlet's `as`, or the persona answering; or written to),
//	                  outlet, outlet_name, channel (the outlet's; for a reply the inject's; for compose
//	                  the persona's via; for a persona the thread's), platform, inject, thread, title,
//	                  body (team text verbatim; persona text with {{params}} rendered), drafted_by,
//	                  approved_by, canned (id of the canned reply used), by_facilitator,
//	                  engagement (publish on an outlet with `engagement`: the counts evaluated now).
//	                  Audience: publish (and a reply from an outlet) the outlet's audience; else [team]
//	objective_measured objective, met, values [{name,value}] (what its measure read), error;
//	                  one per objective with a measure, after outcome_reached; staff only
//	milestone_measured objective, milestone, met, done, due (exercise minutes; -1 when it did not
//	                  happen or could not be computed), error; one per milestone, after the
//	                  objective measures; staff only
//	error             code, error
type Event struct {
	Kind      Kind          `json:"kind"`
	At        time.Duration `json:"at"`
	StoryTime string        `json:"story_time,omitempty"`
	State     string        `json:"state,omitempty"`
	Audience  []string      `json:"audience,omitempty"`

	Scenario string            `json:"scenario,omitempty"`
	Params   map[string]string `json:"params,omitempty"`

	Inject        string               `json:"inject,omitempty"`
	AdHoc         bool                 `json:"adhoc,omitempty"`
	Channel       string               `json:"channel,omitempty"`
	Title         string               `json:"title,omitempty"`
	Body          string               `json:"body,omitempty"`
	Persona       string               `json:"persona,omitempty"`
	PersonaName   string               `json:"persona_name,omitempty"`
	PersonaHandle string               `json:"persona_handle,omitempty"`
	PersonaAvatar string               `json:"persona_avatar,omitempty"`
	PersonaOrg    string               `json:"persona_org,omitempty"`
	PersonaEmail  string               `json:"persona_email,omitempty"`
	Platform      string               `json:"platform,omitempty"`
	To            string               `json:"to,omitempty"`
	Level         string               `json:"level,omitempty"`
	Ref           string               `json:"ref,omitempty"`
	Image         string               `json:"image,omitempty"`
	Engagement    *scenario.Engagement `json:"engagement,omitempty"`
	Teams         []string             `json:"teams,omitempty"`
	Objectives    []string             `json:"objectives,omitempty"`
	Reply         []string             `json:"reply,omitempty"` // inject_delivered: teams that may reply
	StoryJump     time.Duration        `json:"story_jump,omitempty"`

	Decision      string        `json:"decision,omitempty"`
	Team          string        `json:"team,omitempty"`
	Prompt        string        `json:"prompt,omitempty"`
	Options       []OptionRef   `json:"options,omitempty"`
	Mode          string        `json:"mode,omitempty"`
	FreeText      bool          `json:"free_text,omitempty"`
	AskConfidence bool          `json:"ask_confidence,omitempty"`
	AskRationale  bool          `json:"ask_rationale,omitempty"`
	TimeLimit     time.Duration `json:"time_limit,omitempty"`
	ClosesAt      time.Duration `json:"closes_at,omitempty"`
	By            time.Duration `json:"by,omitempty"`
	Default       string        `json:"default,omitempty"`
	SettleFirst   bool          `json:"settle_on_answer,omitempty"` // decision_opened: timed, yet the first answer is final
	Option        string        `json:"option,omitempty"`
	OptionLabel   string        `json:"option_label,omitempty"`
	Text          string        `json:"text,omitempty"`
	Participant   string        `json:"participant,omitempty"`
	Lead          bool          `json:"lead,omitempty"`
	Confidence    int           `json:"confidence,omitempty"`
	Rationale     string        `json:"rationale,omitempty"`
	Settled       string        `json:"settled,omitempty"`
	CloseReason   string        `json:"close_reason,omitempty"`
	Votes         []VoteCount   `json:"votes,omitempty"`
	Tie           bool          `json:"tie,omitempty"` // a vote whose top count was shared: the earliest such option won
	ByFacilitator bool          `json:"by_facilitator,omitempty"`

	Var     string `json:"var,omitempty"`
	Old     any    `json:"old,omitempty"`
	New     any    `json:"new,omitempty"`
	Expr    string `json:"expr,omitempty"`
	Cause   string `json:"cause,omitempty"`
	Visible bool   `json:"visible,omitempty"`

	Timer int `json:"timer,omitempty"`

	FromState string `json:"from_state,omitempty"`
	ToState   string `json:"to_state,omitempty"`
	Reason    string `json:"reason,omitempty"`
	Label     string `json:"label,omitempty"`
	// Why a transition was taken: its 1-based index among from_state's
	// transitions (absent when forced), forced by the facilitator, its
	// `when` source and `after` delay, and what the `when` read.
	Transition int           `json:"transition,omitempty"`
	Forced     bool          `json:"forced,omitempty"`
	When       string        `json:"when,omitempty"`
	After      time.Duration `json:"after,omitempty"`
	Values     []NamedValue  `json:"values,omitempty"`

	Outcome string `json:"outcome,omitempty"`
	Rating  string `json:"rating,omitempty"`
	Debrief string `json:"debrief,omitempty"`

	Message    string `json:"message,omitempty"`
	Action     string `json:"action,omitempty"`
	Outlet     string `json:"outlet,omitempty"`
	OutletName string `json:"outlet_name,omitempty"`
	Thread     string `json:"thread,omitempty"`
	DraftedBy  string `json:"drafted_by,omitempty"`
	ApprovedBy string `json:"approved_by,omitempty"`
	Canned     string `json:"canned,omitempty"`

	Objective string   `json:"objective,omitempty"`
	Met       bool     `json:"met,omitempty"`
	Milestone string   `json:"milestone,omitempty"`
	Done      *float64 `json:"done,omitempty"` // milestone_measured: always set
	Due       *float64 `json:"due,omitempty"`  // milestone_measured: always set

	Code  string `json:"code,omitempty"`
	Error string `json:"error,omitempty"`
}

// OptionRef is one option as shown to participants.
type OptionRef struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// VoteCount is the number of votes for one option when a vote closes.
type VoteCount struct {
	Option string `json:"option"`
	Count  int    `json:"count"`
}

// Answer is one participant's answer to a decision.
type Answer struct {
	ID          string // client id, for idempotency in the engine; not used here
	Decision    string
	Team        string // the answering team, or scenario.FacilitatorTeam
	Participant string
	Lead        bool // the participant is the team's lead
	Option      string
	Text        string
	Confidence  int // 1-5, 0 when not given
	Rationale   string
	// ByFacilitator: the facilitator answered on the team's behalf.
	ByFacilitator bool
}

// AdHoc is an inject the facilitator writes during the exercise.
type AdHoc struct {
	ID         string   // optional; echoed as the event's inject id
	Teams      []string // empty: every team; ["facilitator"]: facilitator only
	Channel    scenario.Channel
	From       string // persona id; any other text is shown as the sender's name
	Title      string
	Body       string
	To         string
	Platform   string
	Level      string
	Ref        string
	Image      string
	Engagement *scenario.Engagement
}

// MaxTextLen bounds the free text and rationale of one answer, in bytes.
const MaxTextLen = 4000

// Errors returned by the input methods; test them with errors.Is.
var (
	ErrNotStarted      = errors.New("exercise not started")
	ErrDone            = errors.New("exercise is over")
	ErrUnknownDecision = errors.New("unknown decision")
	ErrNotOpen         = errors.New("decision is not open")
	ErrWrongTeam       = errors.New("decision belongs to another team")
	ErrNotLead         = errors.New("only the team lead may answer this decision")
	ErrUnknownOption   = errors.New("unknown option")
	ErrEmptyAnswer     = errors.New("answer has neither an option nor text")
	ErrBadConfidence   = errors.New("confidence must be from 1 to 5")
	ErrTooLong         = errors.New("answer text is too long")
	ErrUnknownState    = errors.New("unknown state")
	ErrNotTimed        = errors.New("decision has no time limit to extend")
	ErrBadExtension    = errors.New("extension out of range")
)

// Bounds of a facilitator's extension of a decision's time limit: each
// extension adds at most MaxExtension, and the limit never grows beyond
// MaxTimeLimit since the decision opened, so a mistyped number cannot park
// a decision open for the rest of the exercise.
const (
	MaxExtension = time.Hour
	MaxTimeLimit = 24 * time.Hour
)

// Snapshot is the machine's current situation, for the facilitator's live
// view and for checks after recovery.
type Snapshot struct {
	At        time.Duration      `json:"at"`
	StoryTime string             `json:"story_time,omitempty"`
	State     string             `json:"state"`
	EnteredAt time.Duration      `json:"entered_at"`
	Vars      []VarValue         `json:"vars"`
	Open      []DecisionSnapshot `json:"open"`
	Settled   []DecisionSnapshot `json:"settled"`
	Visited   []string           `json:"visited"`
	Delivered []string           `json:"delivered"`
	NextDue   time.Duration      `json:"next_due,omitempty"`
	// ExitAt is when the current state's first timed ("after")
	// transition falls due, whether or not its "when" will hold; it may
	// have passed when an extended decision holds the exit. 0: none.
	ExitAt  time.Duration `json:"exit_at,omitempty"`
	Started bool          `json:"started"`
	Done    bool          `json:"done"`
	Outcome string        `json:"outcome,omitempty"`
	Rating  string        `json:"rating,omitempty"`

	// What teams did in the world, for the facilitator's view and the
	// report: first publication per team and outlet, injects replied
	// to, personas written to, and (once ended) the objective measures.
	Published []Publication   `json:"published"`
	Replied   []string        `json:"replied"`
	Sent      []TeamPersona   `json:"sent"`
	Measures  []MeasureResult `json:"measures,omitempty"`
	// Milestones are the objectives' milestones, once ended.
	Milestones []MilestoneResult `json:"milestones,omitempty"`
}

// VarValue is a variable and its current value (float64, bool or string).
type VarValue struct {
	ID      string `json:"id"`
	Value   any    `json:"value"`
	Visible bool   `json:"visible,omitempty"`
}

// DecisionSnapshot is an open or settled decision.
type DecisionSnapshot struct {
	ID       string        `json:"id"`
	Team     string        `json:"team"`
	OpenedAt time.Duration `json:"opened_at"`
	ClosesAt time.Duration `json:"closes_at,omitempty"`
	// TimeLimit is ClosesAt − OpenedAt: the scenario's limit plus any
	// extensions, so a client that (re)connects shows the same total as
	// one that saw every decision_extended.
	TimeLimit time.Duration    `json:"time_limit,omitempty"`
	Answers   []AnswerSnapshot `json:"answers,omitempty"` // current answers of an open decision, oldest first
	// HoldsExit: the facilitator extended this open decision, so the
	// state's timed transitions wait until it closes.
	HoldsExit bool   `json:"holds_exit,omitempty"`
	Settled   string `json:"settled,omitempty"`
	Option    string `json:"option,omitempty"`
	Text      string `json:"text,omitempty"`
}

// AnswerSnapshot is a participant's latest answer to an open decision.
type AnswerSnapshot struct {
	Participant string        `json:"participant"`
	Option      string        `json:"option,omitempty"`
	Text        string        `json:"text,omitempty"`
	At          time.Duration `json:"at"`
}

// Publication is a team's first publication on an outlet.
type Publication struct {
	Team   string        `json:"team"`
	Outlet string        `json:"outlet"`
	At     time.Duration `json:"at"`
}

// TeamPersona is a team that has written to a persona.
type TeamPersona struct {
	Team    string `json:"team"`
	Persona string `json:"persona"`
}

// MilestoneResult is an objective's milestone evaluated when the
// exercise ended: met when 0 <= done <= due. Done and Due are exercise
// minutes, -1 when it did not happen or could not be computed (Error).
type MilestoneResult struct {
	Objective string  `json:"objective"`
	Milestone string  `json:"milestone"`
	Met       bool    `json:"met"`
	Done      float64 `json:"done"`
	Due       float64 `json:"due"`
	Error     string  `json:"error,omitempty"`
}

// MeasureResult is an objective's measure evaluated when the exercise
// ended: whether it held and the values it read.
type MeasureResult struct {
	Objective string       `json:"objective"`
	Measure   string       `json:"measure"`
	Met       bool         `json:"met"`
	Values    []NamedValue `json:"values,omitempty"`
	Error     string       `json:"error,omitempty"`
}
