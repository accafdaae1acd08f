// Package sim owns the semantics of a scenario: a deterministic state
// machine that turns a compiled scenario, its parameters and timed inputs on
// a virtual exercise clock into a list of events. The live engine, the
// author tools (play, explore, graph) and recovery by replay all run the
// same machine, so what an author plays through is what participants get.
package sim

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ttxsim/ttx/server/scenario"
)

// MaxChain is how many transitions may follow one another without the
// clock moving before the machine reports a runaway loop and stops taking
// transitions until the clock moves.
const MaxChain = 64

// Schedule item kinds, in the order ties at the same due time are fired.
const (
	itemClose      uint8 = iota // a decision's time limit expires
	itemInject                  // an inject falls due
	itemOpen                    // a decision opens
	itemTimer                   // a timer fires
	itemReply                   // an automatic canned reply falls due
	itemTransition              // an "after" transition becomes eligible
)

// item is one pending entry of the current state's schedule. ref is the
// global decision or inject index (which follows file order), or the
// timer's or transition's index within the state.
type item struct {
	due  time.Duration
	kind uint8
	ref  int
}

func (a item) less(b item) bool {
	if a.due != b.due {
		return a.due < b.due
	}
	if a.kind != b.kind {
		return a.kind < b.kind
	}
	return a.ref < b.ref
}

// decStatus is the run-time status of one decision.
type decStatus struct {
	open     bool
	settled  bool
	answered bool // settled by a team's answer, not a default
	declined bool // explore: this path never answers it
	option   string
	text     string
	how      string // Settled* constant
	extended bool   // the facilitator gave it more time: it holds the state's timed exits while open
	openedAt time.Duration
	closesAt time.Duration
	answers  []answerRec // latest answer per participant, oldest first
}

type answerRec struct {
	participant string
	option      string
	text        string
	confidence  int
	rationale   string
	lead        bool
	byFac       bool
	at          time.Duration
}

// plan holds the lookups a machine needs, built once from the scenario and
// shared (read-only) by clones.
type plan struct {
	sc        *scenario.Scenario
	stateIdx  map[string]int
	decIdx    map[string]int
	injIdx    map[string]int
	varIdx    map[string]int
	decs      []*scenario.Decision
	injs      []*scenario.Inject
	stateDecs [][]int // global decision indices of each state
	stateInjs [][]int // global inject indices of each state
	decState  []int   // owning state of each decision
	decLocal  []int   // index of each decision within its state
	refs      refs
	// What each transition's `when` reads, by state and transition, for
	// the values a transition_taken reports.
	reads [][][]read

	// Indexes of teams, outlets and personas, for what teams did.
	teamIdx, outletIdx, personaIdx map[string]int
	// acts are the world actions explore tries (only those a rule reads).
	acts []worldAct
	// Per state, the world facts (explore): read by its rules (own),
	// also by its transitions' effects (reads0, tried on entry), and by
	// the rules of the states reachable from it (live).
	own, reads0, live []refs
	afterOnly         []bool // states left only by timed transitions without `when`
}

func newPlan(sc *scenario.Scenario) *plan {
	p := &plan{sc: sc,
		stateIdx: make(map[string]int, len(sc.States)),
		decIdx:   map[string]int{},
		injIdx:   map[string]int{},
		varIdx:   make(map[string]int, len(sc.Variables)),
		teamIdx:  map[string]int{}, outletIdx: map[string]int{}, personaIdx: map[string]int{},
	}
	for i, t := range sc.Teams {
		p.teamIdx[t.ID] = i
	}
	for i, o := range sc.Outlets {
		p.outletIdx[o.ID] = i
	}
	for i, x := range sc.Personas {
		p.personaIdx[x.ID] = i
	}
	for i, v := range sc.Variables {
		p.varIdx[v.ID] = i
	}
	p.stateDecs = make([][]int, len(sc.States))
	p.stateInjs = make([][]int, len(sc.States))
	for si, s := range sc.States {
		p.stateIdx[s.ID] = si
		for li, d := range s.Decisions {
			p.decState = append(p.decState, si)
			p.decLocal = append(p.decLocal, li)
			p.decIdx[d.ID] = len(p.decs)
			p.stateDecs[si] = append(p.stateDecs[si], len(p.decs))
			p.decs = append(p.decs, d)
		}
		for _, in := range s.Injects {
			p.injIdx[in.ID] = len(p.injs)
			p.stateInjs[si] = append(p.stateInjs[si], len(p.injs))
			p.injs = append(p.injs, in)
		}
	}
	p.refs = scanRefs(sc)
	p.reads = whenReads(p, sc)
	p.acts = worldActs(p)
	var exit []refs
	p.own, exit, p.live = worldLive(p)
	p.afterOnly = afterOnly(p)
	p.reads0 = make([]refs, len(exit))
	for i := range exit {
		p.reads0[i] = unionRefs(p.own[i], exit[i])
	}
	return p
}

// Machine runs one exercise of a scenario. It is not safe for concurrent
// use: the engine drives each machine from one goroutine.
type Machine struct {
	p      *plan
	params map[string]string
	env    *scenario.Env // owned; nil for a lean machine, which uses shared
	shared *sharedEnv
	envID  uint64 // a lean machine's id in shared (not its address, which a later machine may reuse)

	now     time.Duration
	started bool
	done    bool
	outcome string
	rating  string

	cur     int           // current state index; -1 before Start
	entered time.Duration // when the current state was entered
	jump    time.Duration // sum of story_jump of the states entered

	vars      []any // by variable index
	visited   []bool
	delivered []bool
	// decs holds the decisions' status per state. Only the current
	// state's decisions change, so a clone copies that chunk and shares
	// the rest; entering a state copies its chunk before use.
	decs  [][]decStatus
	sched []item // sorted by item.less
	armed []bool // per transition of the current state: its "after" has passed

	chainAt time.Duration // clock of the current transition chain
	chainN  int           // transitions taken at chainAt
	halted  bool          // runaway guard tripped at chainAt
	chain   []int         // states left by the transitions of the current chain

	w world // what teams did in the world

	out []Event // events of the input being applied

	// lean (explore) builds only the events explore reads, with only
	// their identifying fields, and renders no text.
	lean bool
	// noAutos: automatic canned replies are not scheduled (explore: a
	// persona's answer changes nothing the rules read).
	noAutos bool
	// reuse: the events a call returns live in out until the next call
	// (explore's lean machines do the same).
	reuse bool
}

// runtime answers the expression functions from a machine's state. It is a
// separate type because Machine.Answer is an input method, and a pointer
// so that explore's shared environment can be pointed at another machine.
type runtime struct{ m *Machine }

// sharedEnv is one expression environment used by every lean (explore)
// machine of a search, instead of a copy per clone: before evaluating, a
// machine that is not the owner loads its variables into it.
type sharedEnv struct {
	env   *scenario.Env
	rt    *runtime
	owner uint64 // id of the machine whose variables env holds
	ids   uint64 // last id given to a machine
}

func (r *runtime) status(d string) *decStatus {
	i, ok := r.m.p.decIdx[d]
	if !ok {
		return nil
	}
	return r.m.dec(i)
}

func (r *runtime) Chose(d, o string) bool {
	s := r.status(d)
	return s != nil && s.settled && s.option == o
}

func (r *runtime) Answered(d string) bool {
	s := r.status(d)
	return s != nil && s.settled && s.answered
}

func (r *runtime) Closed(d string) bool {
	s := r.status(d)
	return s != nil && s.settled
}

func (r *runtime) Answer(d string) string {
	if s := r.status(d); s != nil && s.settled {
		return s.option
	}
	return ""
}

func (r *runtime) Visited(st string) bool {
	i, ok := r.m.p.stateIdx[st]
	return ok && r.m.visited[i]
}

func (r *runtime) Delivered(in string) bool {
	i, ok := r.m.p.injIdx[in]
	return ok && r.m.delivered[i]
}

// New prepares a machine for a scenario with the given parameter overrides
// (defaults fill the rest). The machine does nothing until Start.
func New(sc *scenario.Scenario, params map[string]string) (*Machine, error) {
	if sc == nil {
		return nil, fmt.Errorf("sim: new machine: no scenario")
	}
	resolved, err := sc.Params(params)
	if err != nil {
		return nil, fmt.Errorf("sim: new machine: %w", err)
	}
	if sc.State(sc.Start) == nil {
		return nil, fmt.Errorf("sim: new machine: start state %q does not exist", sc.Start)
	}
	p := newPlan(sc)
	m := &Machine{p: p, params: resolved, cur: -1,
		vars:      make([]any, len(sc.Variables)),
		visited:   make([]bool, len(sc.States)),
		delivered: make([]bool, len(p.injs)),
		decs:      make([][]decStatus, len(sc.States)),
		chainAt:   -1,
		w:         newWorld(p),
	}
	for i, v := range sc.Variables {
		m.vars[i] = v.Initial
	}
	for i, s := range sc.States {
		m.decs[i] = make([]decStatus, len(s.Decisions))
	}
	m.env = sc.NewEnv(&runtime{m})
	m.env.SetParams(sc.Typed(resolved))
	return m, nil
}

// Clone returns an independent copy of the machine in its current state.
func (m *Machine) Clone() *Machine {
	c := *m
	c.params = m.params // read-only after New
	c.vars = slices.Clone(m.vars)
	c.visited = slices.Clone(m.visited)
	c.delivered = slices.Clone(m.delivered)
	c.decs = slices.Clone(m.decs)
	if m.cur >= 0 {
		c.ownDecs(m.cur)
	}
	c.sched = slices.Clone(m.sched)
	c.armed = slices.Clone(m.armed)
	c.chain = slices.Clone(m.chain)
	c.w = m.w.clone()
	c.out, c.reuse = nil, false
	if m.shared == nil {
		c.env = m.env.Clone(&runtime{&c})
	} else {
		m.shared.ids++
		c.envID = m.shared.ids
	}
	return &c
}

// dec returns the status of decision d (global index).
func (m *Machine) dec(d int) *decStatus {
	return &m.decs[m.p.decState[d]][m.p.decLocal[d]]
}

// ownDecs gives the machine its own copy of state si's decision statuses
// (they may be shared with the machine it was cloned from).
func (m *Machine) ownDecs(si int) {
	c := slices.Clone(m.decs[si])
	for i := range c {
		if c[i].answers != nil {
			c[i].answers = slices.Clone(c[i].answers)
		}
	}
	m.decs[si] = c
}

// Now is the exercise clock the machine has reached.
func (m *Machine) Now() time.Duration { return m.now }

// Done reports whether the exercise has reached an outcome or was ended.
func (m *Machine) Done() bool { return m.done }

// Params returns the resolved parameter values (a copy).
func (m *Machine) Params() map[string]string {
	out := make(map[string]string, len(m.params))
	for k, v := range m.params {
		out[k] = v
	}
	return out
}

// NextDue reports when the next scheduled item falls due; false when
// nothing is scheduled (before Start, after the end, or when the current
// state waits only for answers or the facilitator).
func (m *Machine) NextDue() (time.Duration, bool) {
	if !m.started || m.done || len(m.sched) == 0 {
		return 0, false
	}
	return max(m.sched[0].due, m.now), true
}

// Start begins the exercise at `at`: it records started, enters the start
// state and settles. A second call does nothing.
func (m *Machine) Start(at time.Duration) []Event {
	if m.started {
		return nil
	}
	m.started = true
	m.reset()
	m.setNow(max(at, 0))
	e := m.ev(KindStarted)
	e.Scenario = m.p.sc.ID
	e.Title = m.render(m.p.sc.Title)
	e.Params = m.Params()
	e.Audience = everyone()
	m.emit(e)
	m.enter(m.p.stateIdx[m.p.sc.Start])
	m.settle()
	return m.flush()
}

// Advance fires everything due up to and including `to`, in due-time order,
// each event stamped with its own due time. A time before the machine's
// clock is treated as the clock.
func (m *Machine) Advance(to time.Duration) []Event {
	m.reset()
	m.advance(to)
	return m.flush()
}

// Answer records a participant's answer at `at` after advancing to it. On
// an error the events of the advance are still returned (and must still be
// kept); the answer itself changed nothing.
func (m *Machine) Answer(at time.Duration, a Answer) ([]Event, error) {
	m.reset()
	if err := m.ready(at); err != nil {
		return m.flush(), fmt.Errorf("sim: answer %q: %w", a.Decision, err)
	}
	if err := m.answer(a); err != nil {
		return m.flush(), fmt.Errorf("sim: answer %q: %w", a.Decision, err)
	}
	m.settle()
	return m.flush(), nil
}

// CloseDecision closes an open decision early, on the facilitator's order;
// it settles as it would at its time limit.
func (m *Machine) CloseDecision(at time.Duration, id string) ([]Event, error) {
	m.reset()
	if err := m.ready(at); err != nil {
		return m.flush(), fmt.Errorf("sim: close decision %q: %w", id, err)
	}
	d, ok := m.p.decIdx[id]
	if !ok {
		return m.flush(), fmt.Errorf("sim: close decision %q: %w", id, ErrUnknownDecision)
	}
	if !m.dec(d).open {
		return m.flush(), fmt.Errorf("sim: close decision %q: %w", id, ErrNotOpen)
	}
	m.unschedule(itemClose, d)
	m.closeDecision(d, CloseFacilitator)
	m.settle()
	return m.flush(), nil
}

// ExtendDecision gives an open, timed decision more time, on the
// facilitator's order: its close moves `by` later. by must be positive and
// at most MaxExtension, and the whole limit at most MaxTimeLimit. Nothing
// the rules read changes, so no transition is evaluated. A decision whose
// limit expires at `at` has closed before the extension applies.
func (m *Machine) ExtendDecision(at time.Duration, id string, by time.Duration) ([]Event, error) {
	m.reset()
	if by <= 0 || by > MaxExtension {
		return m.flush(), fmt.Errorf("sim: extend decision %q: %w: by %s, want more than 0 and at most %s", id, ErrBadExtension, FormatDuration(by), FormatDuration(MaxExtension))
	}
	if err := m.ready(at); err != nil {
		return m.flush(), fmt.Errorf("sim: extend decision %q: %w", id, err)
	}
	d, ok := m.p.decIdx[id]
	if !ok {
		return m.flush(), fmt.Errorf("sim: extend decision %q: %w", id, ErrUnknownDecision)
	}
	st := m.dec(d)
	if !st.open {
		return m.flush(), fmt.Errorf("sim: extend decision %q: %w", id, ErrNotOpen)
	}
	if st.closesAt == 0 {
		return m.flush(), fmt.Errorf("sim: extend decision %q: %w", id, ErrNotTimed)
	}
	if limit := st.closesAt + by - st.openedAt; limit > MaxTimeLimit {
		return m.flush(), fmt.Errorf("sim: extend decision %q: %w: the time limit would be %s, at most %s", id, ErrBadExtension,
			FormatDuration(limit), FormatDuration(MaxTimeLimit))
	}
	m.unschedule(itemClose, d)
	st.closesAt += by
	st.extended = true
	m.schedule(item{due: st.closesAt, kind: itemClose, ref: d})
	dc := m.p.decs[d]
	e := m.ev(KindDecisionExtended)
	e.Decision = dc.ID
	e.Team = dc.Team
	e.By = by
	e.ClosesAt = st.closesAt
	e.TimeLimit = st.closesAt - st.openedAt
	e.Audience = teamAudience(dc.Team)
	m.emit(e)
	return m.flush(), nil
}

// Force moves the exercise to a state on the facilitator's order: open
// decisions of the current state close, no transition effects apply, and
// the state is entered as usual.
func (m *Machine) Force(at time.Duration, stateID string) ([]Event, error) {
	m.reset()
	if err := m.ready(at); err != nil {
		return m.flush(), fmt.Errorf("sim: force %q: %w", stateID, err)
	}
	to, ok := m.p.stateIdx[stateID]
	if !ok {
		return m.flush(), fmt.Errorf("sim: force %q: %w", stateID, ErrUnknownState)
	}
	m.countChain()
	m.transition(to, -1, "forced")
	m.settle()
	return m.flush(), nil
}

// Inject delivers an ad-hoc inject written by the facilitator. Nothing
// happens after the end or before the start.
func (m *Machine) Inject(at time.Duration, a AdHoc) []Event {
	m.reset()
	if m.ready(at) != nil {
		return m.flush()
	}
	e := m.ev(KindInjectDelivered)
	e.Inject = a.ID
	e.AdHoc = true
	e.Channel = string(a.Channel)
	e.Title = m.render(a.Title)
	e.Body = m.render(a.Body)
	e.To = m.render(a.To)
	e.Platform = m.render(a.Platform)
	e.Level = a.Level
	e.Ref = m.render(a.Ref)
	e.Image = m.render(a.Image)
	if a.Engagement != nil {
		eng := *a.Engagement
		e.Engagement = &eng
	}
	if p := m.p.sc.Persona(a.From); p != nil {
		m.persona(&e, p)
	} else if a.From != "" {
		e.PersonaName = m.render(a.From)
		e.PersonaAvatar = initial(e.PersonaName)
	}
	e.Teams = slices.Clone(a.Teams)
	e.Audience = audienceOf(a.Teams)
	m.emit(e)
	m.settle()
	return m.flush()
}

// End ends the exercise on the facilitator's order: open decisions close
// and the outcome is "ended".
func (m *Machine) End(at time.Duration, reason string) []Event {
	m.reset()
	if m.ready(at) != nil {
		return m.flush()
	}
	for _, d := range m.p.stateDecs[m.cur] {
		if m.dec(d).open {
			m.closeDecision(d, CloseEnded)
		}
	}
	m.sched = m.sched[:0]
	e := m.ev(KindOutcomeReached)
	e.Outcome = OutcomeEnded
	e.Reason = reason
	e.Audience = everyone()
	m.emit(e)
	m.done, m.outcome = true, OutcomeEnded
	m.measure()
	return m.flush()
}

// Snapshot describes the machine's current situation.
func (m *Machine) Snapshot() Snapshot {
	sc := m.p.sc
	s := Snapshot{At: m.now, StoryTime: m.storyTime(), EnteredAt: m.entered,
		Started: m.started, Done: m.done, Outcome: m.outcome, Rating: m.rating,
		Vars: make([]VarValue, len(sc.Variables)), Open: []DecisionSnapshot{}, Settled: []DecisionSnapshot{},
		Visited: []string{}, Delivered: []string{}}
	if m.cur >= 0 {
		s.State = sc.States[m.cur].ID
	}
	for i, v := range sc.Variables {
		s.Vars[i] = VarValue{ID: v.ID, Value: m.vars[i], Visible: v.Visible}
	}
	for i, d := range m.p.decs {
		st := m.dec(i)
		ds := DecisionSnapshot{ID: d.ID, Team: d.Team, OpenedAt: st.openedAt, ClosesAt: st.closesAt}
		if st.closesAt > 0 {
			ds.TimeLimit = st.closesAt - st.openedAt
		}
		switch {
		case st.open:
			ds.HoldsExit = st.extended
			for _, a := range st.answers {
				ds.Answers = append(ds.Answers, AnswerSnapshot{Participant: a.participant, Option: a.option, Text: a.text, At: a.at})
			}
			s.Open = append(s.Open, ds)
		case st.settled:
			ds.Settled, ds.Option, ds.Text = st.how, st.option, st.text
			s.Settled = append(s.Settled, ds)
		}
	}
	for i, v := range m.visited {
		if v {
			s.Visited = append(s.Visited, sc.States[i].ID)
		}
	}
	for i, v := range m.delivered {
		if v {
			s.Delivered = append(s.Delivered, m.p.injs[i].ID)
		}
	}
	m.worldSnapshot(&s)
	if t, ok := m.NextDue(); ok {
		s.NextDue = t
	}
	if m.started && !m.done && m.cur >= 0 {
		for _, t := range sc.States[m.cur].Transitions {
			if at := m.entered + t.After; t.After > 0 && (s.ExitAt == 0 || at < s.ExitAt) {
				s.ExitAt = at
			}
		}
	}
	return s
}

// ready advances to at and checks that inputs are accepted.
func (m *Machine) ready(at time.Duration) error {
	if !m.started {
		return ErrNotStarted
	}
	m.advance(at)
	if m.done {
		return ErrDone
	}
	return nil
}

func (m *Machine) advance(to time.Duration) {
	if !m.started {
		return
	}
	for !m.done && len(m.sched) > 0 && m.sched[0].due <= to {
		it := m.sched[0]
		m.sched = m.sched[1:]
		m.setNow(max(it.due, m.now))
		m.fire(it)
		m.settle()
	}
	if !m.done && to > m.now {
		m.setNow(to)
	}
}

// setNow moves the clock and keeps elapsed and clock in the environment
// current, in minutes.
func (m *Machine) setNow(t time.Duration) { m.now = t }

// envTime returns the environment with clock and elapsed current, in
// minutes; they are written only when some expression reads them, as
// these writes are the bulk of a step's cost in explore.
func (m *Machine) envTime() *scenario.Env {
	env := m.env
	if sh := m.shared; sh != nil {
		env = sh.env
		if sh.owner != m.envID {
			sh.rt.m, sh.owner = m, m.envID
			for i, v := range m.p.sc.Variables {
				env.Set(v.ID, m.vars[i])
			}
		}
	}
	if m.p.refs.clock {
		env.Set("clock", m.now.Minutes())
	}
	if m.p.refs.elapsed {
		env.Set("elapsed", (m.now - m.entered).Minutes())
	}
	return env
}

// makeLean switches the machine (and its future clones) to explore mode:
// only error events, no rendering, one shared environment.
func (m *Machine) makeLean() {
	m.lean = true
	rt := &runtime{m}
	m.shared = &sharedEnv{env: m.p.sc.NewEnv(rt), rt: rt, owner: 0, ids: 1}
	m.shared.env.SetParams(m.p.sc.Typed(m.params))
	m.envID = 1
	m.env = nil
}

// ReuseEvents makes the events a call returns valid only until the next
// call on the machine, which overwrites them. A caller that converts them
// at once (the engine) saves growing a new slice of these large structs
// for every input; a clone does not inherit it.
func (m *Machine) ReuseEvents() {
	m.reuse = true
	if m.out == nil {
		// Room for a busy moment (an inject, a decision opening, timers
		// and their effects), so that the first one does not grow it.
		m.out = make([]Event, 0, 8)
	}
}

// reset empties the event buffer at the start of an input.
func (m *Machine) reset() {
	if m.lean || m.reuse {
		m.out = m.out[:0]
	} else {
		m.out = nil
	}
}

func (m *Machine) flush() []Event {
	out := m.out
	m.out = nil
	if m.lean || m.reuse {
		// The caller reads the events before its next call on this
		// machine, so the buffer is reused.
		m.out = out[:0]
	}
	return out
}

func (m *Machine) emit(e Event) {
	if m.lean && e.Kind != KindError {
		return
	}
	m.out = append(m.out, e)
}

// ev starts an event of the given kind at the current clock and state.
func (m *Machine) ev(k Kind) Event {
	e := Event{Kind: k, At: m.now}
	if !m.lean {
		e.StoryTime = m.storyTime()
	}
	if m.cur >= 0 {
		e.State = m.p.sc.States[m.cur].ID
	}
	return e
}

func (m *Machine) storyTime() string {
	if m.p.sc.StoryStart.IsZero() {
		return ""
	}
	return m.p.sc.StoryStart.Add(m.now + m.jump).Format(time.RFC3339)
}

// render fills a text's {{placeholders}}: parameters, and variables at
// their current value (the loader allows those only in delivered texts).
func (m *Machine) render(s string) string { return scenario.RenderValues(s, m.params, m.varValue) }

func (m *Machine) varValue(name string) (any, bool) {
	if i, ok := m.p.varIdx[name]; ok {
		return m.vars[i], true
	}
	return nil, false
}

func (m *Machine) errorEvent(code, msg string) {
	e := m.ev(KindError)
	e.Code = code
	e.Error = msg
	m.emit(e)
}

// everyone returns a fresh audience of every team, so that no two events
// share a slice a consumer might modify.
func everyone() []string { return []string{AllTeams} }

// audienceOf maps an inject's team list to an audience: empty means every
// team; the facilitator pseudo-team is not a team audience.
func audienceOf(teams []string) []string {
	if len(teams) == 0 {
		return everyone()
	}
	var out []string
	for _, t := range teams {
		if t != scenario.FacilitatorTeam {
			out = append(out, t)
		}
	}
	return out
}

func teamAudience(team string) []string {
	if team == scenario.FacilitatorTeam || team == "" {
		return nil
	}
	return []string{team}
}

// enter enters state si at the current clock: state_entered, on_enter
// effects, the schedule, then everything due at offset 0. It does not
// evaluate transitions; the caller settles.
func (m *Machine) enter(si int) {
	st := m.p.sc.States[si]
	m.cur = si
	m.ownDecs(si)
	m.entered = m.now
	jumped := m.storyJump(st)
	m.visited[si] = true
	m.setNow(m.now)
	e := m.ev(KindStateEntered)
	if !m.lean {
		e.Title = m.render(st.Title)
		e.StoryJump = jumped
	}
	m.emit(e)
	m.applyEffects(st.OnEnter, "on_enter")
	m.sched = m.sched[:0]
	for _, i := range m.p.stateInjs[si] {
		m.schedule(item{due: m.now + m.p.injs[i].At, kind: itemInject, ref: i})
	}
	if st.Final() {
		// The exercise ends on entry: only what is due at once is delivered.
		for len(m.sched) > 0 && m.sched[0].due == m.now {
			it := m.sched[0]
			m.sched = m.sched[1:]
			m.fire(it)
		}
		m.sched = m.sched[:0]
		m.done, m.outcome, m.rating = true, st.Outcome, st.Rating
		if m.lean {
			return
		}
		o := m.ev(KindOutcomeReached)
		o.Outcome, o.Rating = st.Outcome, st.Rating
		o.Title = m.render(st.Title)
		o.Debrief = m.render(st.Debrief)
		o.Audience = everyone()
		m.emit(o)
		m.measure()
		return
	}
	for _, d := range m.p.stateDecs[si] {
		m.schedule(item{due: m.now + m.p.decs[d].At, kind: itemOpen, ref: d})
	}
	for i, t := range st.Timers {
		m.schedule(item{due: m.now + t.After, kind: itemTimer, ref: i})
	}
	m.armed = m.armed[:0]
	for i, t := range st.Transitions {
		m.armed = append(m.armed, t.After == 0)
		if t.After > 0 {
			m.schedule(item{due: m.now + t.After, kind: itemTransition, ref: i})
		}
	}
	m.rescheduleAutos()
	for !m.done && len(m.sched) > 0 && m.sched[0].due <= m.now {
		it := m.sched[0]
		m.sched = m.sched[1:]
		m.fire(it)
	}
}

func (m *Machine) schedule(it item) {
	i, _ := slices.BinarySearchFunc(m.sched, it, func(a, b item) int {
		if a.less(b) {
			return -1
		}
		if b.less(a) {
			return 1
		}
		return 0
	})
	m.sched = slices.Insert(m.sched, i, it)
}

func (m *Machine) unschedule(kind uint8, ref int) {
	m.sched = slices.DeleteFunc(m.sched, func(it item) bool { return it.kind == kind && it.ref == ref })
}

// fire applies one due item.
func (m *Machine) fire(it item) {
	st := m.p.sc.States[m.cur]
	switch it.kind {
	case itemClose:
		if m.dec(it.ref).open {
			m.closeDecision(it.ref, CloseTimeLimit)
		}
	case itemInject:
		m.deliver(it.ref)
	case itemReply:
		m.fireAuto(it.ref)
	case itemOpen:
		m.openDecision(it.ref)
	case itemTimer:
		t := st.Timers[it.ref]
		if t.Every > 0 {
			m.schedule(item{due: m.now + t.Every, kind: itemTimer, ref: it.ref})
		}
		ok, err := t.If.Eval(m.envTime())
		if err != nil {
			m.errorEvent(CodeEval, fmt.Sprintf("state %s, timer %d: %v", st.ID, it.ref+1, err))
			return
		}
		if !ok {
			return
		}
		if !m.lean {
			e := m.ev(KindTimerFired)
			e.Timer = it.ref + 1
			m.emit(e)
		}
		m.applyEffects(t.Effects, fmt.Sprintf("timer %d", it.ref+1))
	case itemTransition:
		// The delay has passed; settle evaluates the transition. Arming it
		// here rather than comparing clocks makes it wait for everything
		// else due at the same instant, as the tie order says.
		m.armed[it.ref] = true
	}
}

func (m *Machine) deliver(i int) {
	in := m.p.injs[i]
	ok, err := in.If.Eval(m.envTime())
	if err != nil {
		m.errorEvent(CodeEval, fmt.Sprintf("inject %s: %v", in.ID, err))
		ok = false
	}
	if !ok && m.lean {
		return
	}
	if !ok {
		e := m.ev(KindInjectSkipped)
		e.Inject = in.ID
		e.Channel = string(in.Channel)
		e.Title = m.render(in.Title)
		if in.If != nil {
			e.Reason = "if: " + in.If.Src
		}
		m.emit(e)
		return
	}
	m.delivered[i] = true
	if m.w.deliveredAt[i] < 0 {
		m.w.deliveredAt[i] = m.now
	}
	e := m.ev(KindInjectDelivered)
	e.Inject = in.ID
	if m.lean {
		m.emit(e)
		return
	}
	e.Channel = string(in.Channel)
	e.Title = m.render(in.Title)
	e.Body = m.render(in.Body)
	e.To = m.render(in.To)
	e.Platform = m.render(in.Platform)
	e.Level = in.Level
	e.Ref = m.render(in.Ref)
	e.Image = m.render(in.Image)
	e.Engagement = m.engagement(in.Engagement, "inject "+in.ID)
	if p := m.p.sc.Persona(in.From); p != nil {
		m.persona(&e, p)
	}
	e.Teams = slices.Clone(in.Teams)
	e.Objectives = slices.Clone(in.Objectives)
	e.Reply = slices.Clone(in.Reply)
	e.Audience = audienceOf(in.Teams)
	m.emit(e)
}

func (m *Machine) persona(e *Event, p *scenario.Persona) {
	e.Persona = p.ID
	e.PersonaName = m.render(p.Name)
	e.PersonaHandle = m.render(p.Handle)
	e.PersonaOrg = m.render(p.Org)
	e.PersonaAvatar = p.Avatar
	if e.PersonaAvatar == "" || strings.ContainsAny(e.PersonaAvatar, "{}") {
		// A default avatar taken from an unrendered "{{param}} ..." name.
		e.PersonaAvatar = initial(e.PersonaName)
	}
	if e.Channel == string(scenario.Email) {
		e.PersonaEmail = scenario.PersonaEmail(p, e.PersonaName, e.PersonaOrg, m.render, m.params)
	}
}

func initial(name string) string {
	for _, r := range strings.TrimSpace(name) {
		return strings.ToUpper(string(r))
	}
	return ""
}

func (m *Machine) openDecision(d int) {
	dc := m.p.decs[d]
	ok, err := dc.If.Eval(m.envTime())
	if err != nil {
		m.errorEvent(CodeEval, fmt.Sprintf("decision %s: %v", dc.ID, err))
		return
	}
	if !ok {
		if !m.lean {
			e := m.ev(KindDecisionSkipped)
			e.Decision, e.Team, e.Reason = dc.ID, dc.Team, "if: "+dc.If.Src
			m.emit(e)
		}
		return
	}
	st := m.dec(d)
	*st = decStatus{open: true, openedAt: m.now}
	if dc.TimeLimit > 0 {
		st.closesAt = m.now + dc.TimeLimit
		m.schedule(item{due: st.closesAt, kind: itemClose, ref: d})
	}
	e := m.ev(KindDecisionOpened)
	e.Decision = dc.ID
	if m.lean {
		m.emit(e)
		return
	}
	e.Team = dc.Team
	e.Prompt = m.render(dc.Prompt)
	for _, o := range dc.Options {
		e.Options = append(e.Options, OptionRef{ID: o.ID, Label: m.render(o.Label)})
	}
	e.Mode = string(dc.Mode)
	e.FreeText = dc.FreeText
	e.AskConfidence = dc.Confidence
	e.AskRationale = dc.Rationale
	e.TimeLimit = dc.TimeLimit
	e.ClosesAt = st.closesAt
	e.Default = dc.Default
	e.SettleFirst = dc.TimeLimit > 0 && dc.SettlesOnAnswer()
	e.Objectives = slices.Clone(dc.Objectives)
	e.Audience = teamAudience(dc.Team)
	m.emit(e)
}

func (m *Machine) answer(a Answer) error {
	d, ok := m.p.decIdx[a.Decision]
	if !ok {
		return ErrUnknownDecision
	}
	dc := m.p.decs[d]
	st := m.dec(d)
	if !st.open {
		return ErrNotOpen
	}
	if a.Team != dc.Team {
		return ErrWrongTeam
	}
	if dc.Mode == scenario.ModeLead && !a.Lead && dc.Team != scenario.FacilitatorTeam {
		return ErrNotLead
	}
	if a.Option != "" {
		if dc.Option(a.Option) == nil {
			return ErrUnknownOption
		}
	} else if !dc.FreeText {
		return ErrUnknownOption
	}
	if !dc.FreeText {
		a.Text = ""
	}
	if a.Option == "" && strings.TrimSpace(a.Text) == "" {
		return ErrEmptyAnswer
	}
	if a.Confidence < 0 || a.Confidence > 5 {
		return ErrBadConfidence
	}
	if len(a.Text) > MaxTextLen || len(a.Rationale) > MaxTextLen {
		return ErrTooLong
	}
	if !dc.Confidence {
		a.Confidence = 0
	}
	if !dc.Rationale {
		a.Rationale = ""
	}
	rec := answerRec{participant: a.Participant, option: a.Option, text: a.Text,
		confidence: a.Confidence, rationale: a.Rationale, lead: a.Lead, byFac: a.ByFacilitator, at: m.now}
	st.answers = slices.DeleteFunc(st.answers, func(r answerRec) bool { return r.participant == a.Participant })
	st.answers = append(st.answers, rec)
	if !m.lean {
		m.answeredEvent(dc, a)
	}
	if dc.SettlesOnAnswer() {
		m.closeDecision(d, CloseAnswered)
	}
	return nil
}

func (m *Machine) answeredEvent(dc *scenario.Decision, a Answer) {
	e := m.ev(KindDecisionAnswered)
	e.Decision = dc.ID
	e.Team = dc.Team
	e.Option = a.Option
	if o := dc.Option(a.Option); o != nil {
		e.OptionLabel = m.render(o.Label)
	}
	e.Text = a.Text
	e.Participant = a.Participant
	e.Lead = a.Lead
	e.Confidence = a.Confidence
	e.Rationale = a.Rationale
	e.ByFacilitator = a.ByFacilitator
	e.Audience = teamAudience(dc.Team)
	m.emit(e)
}

// closeDecision settles an open decision: the last answer (first, lead),
// the majority (vote; ties go to the earliest option in file order), else
// the default, else expired. Then the settled option's effects apply.
func (m *Machine) closeDecision(d int, reason string) {
	dc := m.p.decs[d]
	st := m.dec(d)
	st.open = false
	st.settled = true
	m.unschedule(itemClose, d)
	e := m.ev(KindDecisionClosed)
	e.Decision = dc.ID
	e.Team = dc.Team
	e.CloseReason = reason
	e.Audience = teamAudience(dc.Team)
	var settle *answerRec
	switch {
	case len(st.answers) > 0 && dc.Mode == scenario.ModeVote:
		counts := make([]int, len(dc.Options))
		for _, a := range st.answers {
			for i, o := range dc.Options {
				if o.ID == a.option {
					counts[i]++
				}
			}
		}
		best := -1
		for i, c := range counts {
			e.Votes = append(e.Votes, VoteCount{Option: dc.Options[i].ID, Count: c})
			if c > 0 && (best < 0 || c > counts[best]) {
				best = i
			}
		}
		if best >= 0 {
			st.option = dc.Options[best].ID
			for i, c := range counts {
				e.Tie = e.Tie || (i != best && c == counts[best])
			}
		} else {
			// Only free-text answers: the latest one stands.
			settle = &st.answers[len(st.answers)-1]
			st.text = settle.text
		}
		st.how, st.answered = SettledAnswered, true
	case len(st.answers) > 0:
		settle = &st.answers[len(st.answers)-1]
		st.option, st.text = settle.option, settle.text
		st.how, st.answered = SettledAnswered, true
	case dc.Default != "":
		st.option, st.how = dc.Default, SettledDefault
	default:
		st.how = SettledExpired
	}
	e.Settled = st.how
	e.Option = st.option
	e.Text = st.text
	if settle != nil {
		e.Participant = settle.participant
		e.Confidence = settle.confidence
		e.Rationale = settle.rationale
		e.Lead = settle.lead
		e.ByFacilitator = settle.byFac
	}
	opt := dc.Option(st.option)
	if opt != nil && !m.lean {
		e.OptionLabel = m.render(opt.Label)
	}
	st.answers = nil
	if !m.lean {
		m.emit(e)
	}
	if opt != nil {
		m.applyEffects(opt.Effects, "option "+dc.ID+"="+opt.ID)
	}
}

func (m *Machine) applyEffects(effs []*scenario.Effect, cause string) {
	sc := m.p.sc
	for _, f := range effs {
		i, ok := m.p.varIdx[f.Var]
		if !ok {
			m.errorEvent(CodeEval, fmt.Sprintf("effect %q: unknown variable %q", f.Src, f.Var))
			continue
		}
		env := m.envTime()
		nv, err := f.Eval(env)
		if err != nil {
			m.errorEvent(CodeEval, fmt.Sprintf("%s: %v", cause, err))
			continue
		}
		old := m.vars[i]
		m.vars[i] = nv
		env.Set(f.Var, nv)
		if m.lean {
			continue
		}
		v := sc.Variables[i]
		e := m.ev(KindEffectApplied)
		e.Var, e.Old, e.New, e.Expr, e.Cause, e.Visible = f.Var, old, nv, f.Src, cause, v.Visible
		if v.Visible {
			e.Audience = everyone()
		}
		m.emit(e)
	}
}

// settle evaluates the current state's transitions, in file order, and
// takes the first that holds, again and again until none does (or the
// runaway guard trips). When one holds, the state is about to be left:
// its open decisions settle first, with the answers given so far, and the
// transitions are chosen again, so that a rule reading a decision sees the
// answer its team gave before the phase ended. Should none hold any more
// (a rule that read a decision's openness), the one that ended the phase
// is taken.
func (m *Machine) settle() {
	for !m.done && m.cur >= 0 {
		if m.halted && m.chainAt == m.now {
			return
		}
		st := m.p.sc.States[m.cur]
		ti := m.holding()
		if ti < 0 {
			return
		}
		if m.closeOpen(CloseStateLeft) {
			if t := m.holding(); t >= 0 {
				ti = t
			}
		}
		taken := st.Transitions[ti]
		if !m.countChain() {
			m.halted = true
			m.errorEvent(CodeRunaway, fmt.Sprintf("more than %d transitions without the clock moving (last: %s -> %s); transitions wait until the clock moves", MaxChain, st.ID, taken.To))
			return
		}
		m.transition(m.p.stateIdx[taken.To], ti, transitionReason(taken))
	}
}

// holding returns the index of the first transition of the current state,
// in file order, that may be taken now: its "after" has passed and is not
// held by an extended decision, and its "when" holds. -1 when none.
func (m *Machine) holding() int {
	st := m.p.sc.States[m.cur]
	held := m.exitHeld()
	for i, t := range st.Transitions {
		if !m.armed[i] || (held && t.After > 0) {
			continue
		}
		ok, err := t.When.Eval(m.envTime())
		if err != nil {
			m.errorEvent(CodeEval, fmt.Sprintf("state %s, transition to %s: %v", st.ID, t.To, err))
			continue
		}
		if ok {
			return i
		}
	}
	return -1
}

// exitHeld reports whether a decision of the current state that the
// facilitator extended is still open: it holds the state's timed ("after")
// transitions until it closes, since more time for a team means the phase
// waits for its answer.
func (m *Machine) exitHeld() bool {
	for _, d := range m.p.stateDecs[m.cur] {
		if st := m.dec(d); st.open && st.extended {
			return true
		}
	}
	return false
}

// closeOpen settles every open decision of the current state; it reports
// whether there was any.
func (m *Machine) closeOpen(reason string) bool {
	any := false
	for _, d := range m.p.stateDecs[m.cur] {
		if m.dec(d).open {
			m.closeDecision(d, reason)
			any = true
		}
	}
	return any
}

// countChain counts a transition at the current clock; false when it would
// exceed MaxChain.
func (m *Machine) countChain() bool {
	if m.chainAt != m.now {
		m.chainAt, m.chainN, m.halted = m.now, 0, false
		m.chain = m.chain[:0]
	}
	m.chainN++
	m.chain = append(m.chain, m.cur)
	return m.chainN <= MaxChain
}

func transitionReason(t *scenario.Transition) string {
	var parts []string
	if t.When != nil {
		parts = append(parts, "when: "+t.When.Src)
	}
	if t.After > 0 {
		parts = append(parts, "after "+FormatDuration(t.After))
	}
	return strings.Join(parts, ", ")
}

// transition leaves the current state for state `to` by its transition
// ti (-1: forced): the closing of open decisions (settle has closed them
// already; Force has not), the event with its reason, the transition's
// effects, then the entry.
func (m *Machine) transition(to, ti int, reason string) {
	m.closeOpen(CloseStateLeft)
	from := m.p.sc.States[m.cur]
	var t *scenario.Transition
	if ti >= 0 {
		t = from.Transitions[ti]
	}
	e := m.ev(KindTransitionTaken)
	e.FromState = from.ID
	e.ToState = m.p.sc.States[to].ID
	if !m.lean {
		e.Reason = reason
		if t == nil {
			e.Forced = true
		} else {
			e.Transition = ti + 1
			e.Label = m.render(t.Label)
			e.After = t.After
			if t.When != nil {
				e.When = t.When.Src
				e.Values = m.values(m.p.reads[m.cur][ti])
			}
		}
	}
	m.emit(e)
	if t != nil {
		m.applyEffects(t.Effects, "transition "+from.ID+" -> "+e.ToState)
	}
	m.sched = m.sched[:0]
	m.enter(to)
}

// FormatDuration writes a duration compactly: 45s, 10m, 1h30m, 2h0m5s.
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
