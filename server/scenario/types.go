// Package scenario owns the scenario file format: the typed model of a
// tabletop exercise, loading it from YAML with positioned errors, and
// compiling every expression it contains once, at load time, so that nothing
// an author wrote can fail for the first time in front of participants.
package scenario

import (
	"encoding/json"
	"regexp"
	"time"

	"github.com/expr-lang/expr/vm"
	"go.yaml.in/yaml/v3"
)

// Pos is a 1-based position in the source file, kept on every element so
// that errors found after decoding (references, types, reachability) can
// still point the author at the exact line and column.
type Pos struct {
	Line int `json:"line"`
	Col  int `json:"col"`
}

// Scenario is a loaded, validated and compiled scenario. All slices keep the
// order of the file; lookups go through the methods, which use indexes built
// by the loader.
type Scenario struct {
	File   string `json:"-"` // path used in error messages
	Source []byte `json:"-"` // the exact bytes loaded, stored with every exercise

	ID         string        `json:"id"`
	Title      string        `json:"title"`
	Summary    string        `json:"summary"`
	Duration   time.Duration `json:"duration"` // estimated length of play
	Tags       []string      `json:"tags,omitempty"`
	BasedOn    string        `json:"based_on,omitempty"`
	StoryStart time.Time     `json:"story_start,omitempty"` // zero when the file sets none

	Parameters []*Parameter `json:"parameters,omitempty"`
	Teams      []*Team      `json:"teams"`
	Objectives []*Objective `json:"objectives,omitempty"`
	Personas   []*Persona   `json:"personas,omitempty"`
	Outlets    []*Outlet    `json:"outlets,omitempty"`
	Variables  []*Variable  `json:"variables,omitempty"`
	Start      string       `json:"start"`
	States     []*State     `json:"states"`

	idx index
}

// index holds the id lookups built by the loader.
type index struct {
	params     map[string]*Parameter
	teams      map[string]*Team
	objectives map[string]*Objective
	personas   map[string]*Persona
	outlets    map[string]*Outlet
	variables  map[string]*Variable
	states     map[string]*State
	decisions  map[string]*Decision // decision ids are unique across the file
	injects    map[string]*Inject   // inject ids are unique across the file
	stateOf    map[string]*State    // decision or inject id -> owning state
}

// Parameter is a value the facilitator fills in when creating an exercise
// (company name, brand handle...). Text fields use it as {{id}}.
type Parameter struct {
	ID          string `json:"id"`
	Label       string `json:"label"`
	Default     string `json:"default"`
	Description string `json:"description,omitempty"`
	// Type is String (text, the default), Number or Bool (yes/no); Min,
	// Max, Pattern and Choices constrain the values (see Check).
	Type    VarType  `json:"type"`
	Min     *float64 `json:"min,omitempty"`
	Max     *float64 `json:"max,omitempty"`
	Pattern string   `json:"pattern,omitempty"`
	Choices []string `json:"choices,omitempty"`
	Pos     Pos      `json:"-"`

	re *regexp.Regexp // Pattern, anchored
}

// FacilitatorTeam is the pseudo-team id for decisions the facilitator answers
// and injects only the facilitator sees.
const FacilitatorTeam = "facilitator"

// Team is a group of participants with its own brief and feed.
type Team struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Brief string `json:"brief"` // Markdown: what the team knows and owns at the start
	// Lines are the teams this team has a direct chat line with, as
	// written; lines are symmetric (see Scenario.HasLine).
	Lines []string `json:"lines,omitempty"`
	Pos   Pos      `json:"-"`
}

// Objective is an HSEEP-style exercise objective.
type Objective struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Capability string   `json:"capability,omitempty"` // HSEEP core capability exercised
	Met        string   `json:"met,omitempty"`        // what "met" looks like
	Teams      []string `json:"teams,omitempty"`
	// Measure is evaluated when the exercise ends: the report shows
	// whether it held and the values it read.
	Measure *Expr `json:"measure,omitempty"`
	// Tasks are its critical tasks, Milestones its timed targets
	// (scenario/eval.go), both read only when the exercise is judged.
	Tasks      []*Task      `json:"tasks,omitempty"`
	Milestones []*Milestone `json:"milestones,omitempty"`
	Pos        Pos          `json:"-"`
}

// Persona is a character who speaks in injects.
type Persona struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Handle string `json:"handle,omitempty"`
	Email  string `json:"email,omitempty"` // may hold {{param}}; see PersonaEmail for the address when empty
	Org    string `json:"org,omitempty"`
	Avatar string `json:"avatar,omitempty"` // one or two characters; defaults to the name's initial
	Role   string `json:"role,omitempty"`   // facilitator-facing description
	// Reachable lists the teams that may start a new message to the
	// persona; Via is how such a message looks (email by default).
	Reachable []string  `json:"reachable,omitempty"`
	Via       Channel   `json:"via,omitempty"`
	Canned    []*Canned `json:"canned,omitempty"` // replies the facilitator sends as the persona in one click
	Pos       Pos       `json:"-"`
}

// Vias are the channels a new message to a persona can take.
var Vias = []Channel{Email, Chat, Ticket, Phone}

// OutletChannels are the channels an outlet can publish on.
var OutletChannels = []Channel{Social, News, Status, Email}

// ApprovalLead is the Outlet.Approval value meaning the drafting team's lead.
const ApprovalLead = "lead"

// Outlet is an account or page teams publish on: a brand's social
// account, a newsroom, a status page, a customer mailing.
type Outlet struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Channel  Channel `json:"channel"`            // how a publication looks: social, news, status or email
	As       string  `json:"as,omitempty"`       // persona id the publication shows as
	Platform string  `json:"platform,omitempty"` // social only: network shown
	// Teams may draft and publish here.
	Teams []string `json:"teams"`
	// Approval is a team id (any member approves) or ApprovalLead; empty:
	// no approval needed.
	Approval string `json:"approval,omitempty"`
	// Audience lists the teams that see its publications; ["*"] (the
	// default) is every team.
	Audience []string `json:"audience"`
	// Engagement, social and news only, sets the counts a publication
	// shows, evaluated when it is published.
	Engagement *EngagementRule `json:"engagement,omitempty"`
	Pos        Pos             `json:"-"`
}

// Canned is a prepared reply the facilitator can send as a persona, on
// offer when If holds; with After, it is sent automatically that long after
// a team's message reaches the persona, unless someone answered as the
// persona in the thread since.
type Canned struct {
	ID    string        `json:"id"`
	Label string        `json:"label"`
	Body  string        `json:"body"` // Markdown; {{param}} placeholders
	If    *Expr         `json:"if,omitempty"`
	After time.Duration `json:"after,omitempty"`
	Pos   Pos           `json:"-"`
}

// VarType is the declared type of a variable.
type VarType string

// Variable types.
const (
	Number VarType = "number"
	Bool   VarType = "bool"
	String VarType = "string"
)

// Variable is a named, typed value the rules read and effects change.
// Initial holds float64, bool or string according to Type.
type Variable struct {
	ID          string   `json:"id"`
	Type        VarType  `json:"type"`
	Initial     any      `json:"initial"`
	Min         *float64 `json:"min,omitempty"` // numbers are clamped to [Min, Max] after every effect
	Max         *float64 `json:"max,omitempty"`
	Label       string   `json:"label,omitempty"`
	Description string   `json:"description,omitempty"`
	Visible     bool     `json:"visible,omitempty"` // shown to participants, not only the facilitator
	Pos         Pos      `json:"-"`
}

// Expr is a condition written by the author, compiled at load time to a
// program that returns bool.
type Expr struct {
	Src     string      `json:"src"`
	Pos     Pos         `json:"-"`
	Program *vm.Program `json:"-"`

	node *yaml.Node // source node while loading, to place errors inside the text
}

// Effect is one assignment "VAR = EXPR", "VAR += EXPR" or "VAR -= EXPR".
// Program computes the right-hand side, typed to the variable's type.
type Effect struct {
	Src     string      `json:"src"`
	Var     string      `json:"var"`
	Op      string      `json:"op"` // "=", "+=", "-="
	Pos     Pos         `json:"-"`
	Program *vm.Program `json:"-"`

	node   *yaml.Node // source node while loading
	rhsOff int        // byte offset of the right-hand side in Src
	v      *Variable  // the assigned variable, for its type and bounds
}

// State is a phase or situation of the exercise. A state with a non-empty
// Outcome is final: the exercise ends when it is entered.
type State struct {
	ID               string        `json:"id"`
	Title            string        `json:"title"`
	Description      string        `json:"description,omitempty"`       // Markdown for the facilitator
	FacilitatorNotes string        `json:"facilitator_notes,omitempty"` // what to look for, hints
	Discussion       []string      `json:"discussion,omitempty"`        // questions for the facilitator to ask
	StoryJump        time.Duration `json:"story_jump,omitempty"`        // in-story time skipped on entry
	StoryAt          *StoryAt      `json:"story_at,omitempty"`          // in-story time moved to on entry
	OnEnter          []*Effect     `json:"on_enter,omitempty"`
	Injects          []*Inject     `json:"injects,omitempty"`
	Decisions        []*Decision   `json:"decisions,omitempty"`
	Timers           []*Timer      `json:"timers,omitempty"`
	Transitions      []*Transition `json:"transitions,omitempty"`

	Outcome string `json:"outcome,omitempty"` // outcome id; makes the state final
	Rating  string `json:"rating,omitempty"`  // success | partial | failure
	Debrief string `json:"debrief,omitempty"` // Markdown shown at the end
	Pos     Pos    `json:"-"`
}

// Final reports whether entering the state ends the exercise.
func (s *State) Final() bool { return s.Outcome != "" }

// Channel is how an inject is rendered in the participant feed.
type Channel string

// Channels an inject can arrive on.
const (
	Social Channel = "social" // a post from an account, with handle, avatar, engagement
	Email  Channel = "email"
	Chat   Channel = "chat"
	News   Channel = "news"
	Phone  Channel = "phone" // call transcript
	Ticket Channel = "ticket"
	Status Channel = "status" // status page / outage communications
	Sitrep Channel = "sitrep" // facilitator narrative
)

// Channels lists every valid channel, in documentation order.
var Channels = []Channel{Social, Email, Chat, News, Phone, Ticket, Status, Sitrep}

// Engagement is the like/repost/reply counts shown on a social post.
type Engagement struct {
	Likes   int `json:"likes"`
	Reposts int `json:"reposts"`
	Replies int `json:"replies"`
}

// MaxCount bounds an engagement count.
const MaxCount = 1_000_000_000

// Count is one engagement count as written: a whole number, or (X set) a
// number expression evaluated when the post is shown, rounded and kept
// within 0..MaxCount.
type Count struct {
	N int
	X *Expr
}

// MarshalJSON writes the number, or the expression's text.
func (c Count) MarshalJSON() ([]byte, error) {
	if c.X != nil {
		return json.Marshal(c.X.Src)
	}
	return json.Marshal(c.N)
}

// EngagementRule is how an inject or an outlet sets the engagement counts
// of what it shows; Eval turns it into an Engagement.
type EngagementRule struct {
	Likes   Count `json:"likes"`
	Reposts Count `json:"reposts"`
	Replies Count `json:"replies"`
}

// Inject is a piece of the story delivered to teams at an offset from
// entering its state.
type Inject struct {
	ID         string          `json:"id"`
	At         time.Duration   `json:"at"`              // offset from entering the state
	Teams      []string        `json:"teams,omitempty"` // empty means every team
	Channel    Channel         `json:"channel"`
	From       string          `json:"from,omitempty"`     // persona id
	Title      string          `json:"title,omitempty"`    // subject, headline, ticket or status title
	Body       string          `json:"body"`               // Markdown; {{param}} placeholders
	To         string          `json:"to,omitempty"`       // in-story recipient line (email)
	Platform   string          `json:"platform,omitempty"` // social network or chat room name
	Level      string          `json:"level,omitempty"`    // status/ticket severity or status phase
	Ref        string          `json:"ref,omitempty"`      // ticket number, case id
	Image      string          `json:"image,omitempty"`    // description of an attached picture
	Engagement *EngagementRule `json:"engagement,omitempty"`
	If         *Expr           `json:"if,omitempty"`
	Notes      string          `json:"notes,omitempty"` // facilitator-only
	Objectives []string        `json:"objectives,omitempty"`
	// Reply lists the teams that may reply to the inject (`reply: true`
	// in the file is every team that receives it); empty: none.
	Reply  []string  `json:"reply,omitempty"`
	Canned []*Canned `json:"canned,omitempty"` // offered on replies to it, before the persona's own
	Pos    Pos       `json:"-"`
}

// DecisionMode says how a team's answer is settled.
type DecisionMode string

// Decision modes.
const (
	ModeFirst DecisionMode = "first" // any member; revisable until the prompt closes
	ModeLead  DecisionMode = "lead"  // only the team lead may answer
	ModeVote  DecisionMode = "vote"  // majority of members' answers when it closes
)

// Decision is a prompt to one team (or the facilitator).
type Decision struct {
	ID         string        `json:"id"`
	Team       string        `json:"team"` // team id or FacilitatorTeam
	Prompt     string        `json:"prompt"`
	Options    []*Option     `json:"options,omitempty"`
	FreeText   bool          `json:"free_text,omitempty"`
	Mode       DecisionMode  `json:"mode"`
	Confidence bool          `json:"confidence,omitempty"` // ask 1-5 confidence with the answer
	Rationale  bool          `json:"rationale,omitempty"`  // ask a free-text rationale
	At         time.Duration `json:"at"`                   // offset from entering the state
	TimeLimit  time.Duration `json:"time_limit,omitempty"` // 0: settles on the first valid answer
	Settle     Settle        `json:"settle,omitempty"`     // empty: on_answer without a time limit, at_close with one
	Default    string        `json:"default,omitempty"`    // option taken when it closes unanswered
	If         *Expr         `json:"if,omitempty"`
	Notes      string        `json:"notes,omitempty"`
	Objectives []string      `json:"objectives,omitempty"`
	Expected   []string      `json:"expected,omitempty"` // option ids the author expects (for evaluation)
	Pos        Pos           `json:"-"`
}

// Option is one answer to a decision.
type Option struct {
	ID      string    `json:"id"`
	Label   string    `json:"label"`
	Effects []*Effect `json:"effects,omitempty"`
	Notes   string    `json:"notes,omitempty"`
	Score   *float64  `json:"score,omitempty"` // decision quality, for evaluation; may be negative
	Pos     Pos       `json:"-"`
}

// Timer applies effects at an offset from entering its state, once or
// repeatedly, while the state is current.
type Timer struct {
	After   time.Duration `json:"after"`
	Every   time.Duration `json:"every,omitempty"`
	If      *Expr         `json:"if,omitempty"`
	Effects []*Effect     `json:"effects"`
	Pos     Pos           `json:"-"`
}

// Transition moves the exercise to another state. It holds when When is
// true (or absent) and at least After has passed in the current state (or
// After is zero). A transition needs at least one of the two.
type Transition struct {
	To      string        `json:"to"`
	When    *Expr         `json:"when,omitempty"`
	After   time.Duration `json:"after,omitempty"`
	Effects []*Effect     `json:"effects,omitempty"`
	Label   string        `json:"label,omitempty"` // shown on the graph edge
	Pos     Pos           `json:"-"`
}
