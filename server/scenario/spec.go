package scenario

// spec describes one kind of mapping in the file: the keys an author may
// write and those that must be present. The decoder refuses any other key,
// and the JSON Schema test checks scenarios/schema.json against these
// tables, so the two cannot drift apart.
type spec struct {
	name     string // also the name of the schema's $defs entry
	keys     []string
	required []string
}

// Specs of every mapping in the format. Entry maps (teams, states...) are
// keyed by id, so "id" is not among their keys.
var (
	scenarioSpec = &spec{name: "scenario",
		keys:     []string{"id", "title", "summary", "duration", "tags", "based_on", "story_start", "parameters", "teams", "objectives", "personas", "outlets", "variables", "start", "states"},
		required: []string{"id", "title", "teams", "start", "states"}}
	parameterSpec = &spec{name: "parameter",
		keys:     []string{"label", "default", "description", "type", "min", "max", "pattern", "choices"},
		required: []string{"default"}}
	teamSpec = &spec{name: "team",
		keys:     []string{"name", "brief", "lines"},
		required: []string{"name"}}
	objectiveSpec = &spec{name: "objective",
		keys:     []string{"title", "capability", "met", "teams", "measure", "tasks", "milestones"},
		required: []string{"title"}}
	personaSpec = &spec{name: "persona",
		keys:     []string{"name", "handle", "email", "org", "avatar", "role", "reachable", "via", "canned"},
		required: []string{"name"}}
	outletSpec = &spec{name: "outlet",
		keys:     []string{"name", "channel", "as", "platform", "teams", "approval", "audience", "engagement"},
		required: []string{"name", "channel", "teams"}}
	cannedSpec = &spec{name: "canned",
		keys:     []string{"id", "label", "body", "if", "after"},
		required: []string{"id", "label", "body"}}
	variableSpec = &spec{name: "variable",
		keys:     []string{"type", "initial", "min", "max", "label", "description", "visible"},
		required: []string{"type"}}
	stateSpec = &spec{name: "state",
		keys: []string{"title", "description", "facilitator_notes", "discussion", "story_jump", "story_at", "on_enter", "injects", "decisions", "timers", "transitions", "outcome", "rating", "debrief"}}
	injectSpec = &spec{name: "inject",
		keys:     []string{"id", "at", "teams", "channel", "from", "title", "body", "to", "platform", "level", "ref", "image", "engagement", "if", "notes", "objectives", "reply", "canned"},
		required: []string{"id", "channel", "body"}}
	engagementSpec = &spec{name: "engagement",
		keys: []string{"likes", "reposts", "replies"}}
	decisionSpec = &spec{name: "decision",
		keys:     []string{"id", "team", "prompt", "options", "free_text", "mode", "confidence", "rationale", "at", "time_limit", "settle", "default", "if", "notes", "objectives", "expected"},
		required: []string{"id", "team", "prompt"}}
	optionSpec = &spec{name: "option",
		keys:     []string{"id", "label", "effects", "notes", "score"},
		required: []string{"id", "label"}}
	timerSpec = &spec{name: "timer",
		keys:     []string{"after", "every", "if", "effects"},
		required: []string{"effects"}}
	transitionSpec = &spec{name: "transition",
		keys:     []string{"to", "when", "after", "effects", "label"},
		required: []string{"to"}}
)

// allSpecs lists every spec, for the schema test.
func allSpecs() []*spec {
	return []*spec{scenarioSpec, parameterSpec, teamSpec, objectiveSpec, personaSpec, outletSpec, cannedSpec, variableSpec,
		stateSpec, injectSpec, engagementSpec, decisionSpec, optionSpec, timerSpec, transitionSpec, taskSpec, milestoneSpec}
}

// Ratings a final state may carry.
var ratings = []string{"success", "partial", "failure"}

// Limits that keep a hostile or runaway file from costing more than a
// scenario could reasonably need.
const (
	MaxFileSize     = 1 << 20 // bytes
	maxExprLen      = 500     // characters in one expression
	maxExprNodes    = 200     // AST nodes in one expression
	maxIDLen        = 64
	maxParamValue   = 200          // characters in a parameter value given at run time
	maxDuration     = 24 * 60 * 60 // seconds: offsets, limits and timers
	maxStoryJump    = 366 * 24 * 60 * 60
	minTimerEvery   = 1 // seconds
	maxStates       = 1000
	maxListElements = 10000
)
