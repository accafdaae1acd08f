package sim

import (
	"encoding/binary"
	"fmt"
	"hash"
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/ttxsim/ttx/server/scenario"
)

// ExploreOptions bound an exploration.
type ExploreOptions struct {
	Params map[string]string
	// MaxPaths bounds the branches explored (each alternative taken at a
	// branch point, after merging identical situations); 0:
	// DefaultMaxPaths.
	MaxPaths int
	// CoverBranches bounds the coverage search that runs when the full
	// search stops early (alternatives its probes take); 0: 100000.
	CoverBranches int
	// MaxDepth bounds the steps along one path; 0: 5000.
	MaxDepth int
	// Horizon is the exercise time after which a path that has not ended
	// counts as stuck; 0: Horizon(sc).
	Horizon time.Duration

	// Facilitator: also search with the facilitator closing decisions
	// early, extending them past the phase's exit and forcing the next
	// phase early (Report.Facilitator).
	Facilitator bool

	full bool // tests: run full machines (own environment, every event) instead of lean ones
}

// DefaultMaxPaths bounds a search unless told otherwise: about 10 s and
// 150 MB on a 2-core machine; the largest shipped scenario takes about
// 106,000 branches and a long scenario of 15 decisions about 296,000.
const DefaultMaxPaths = 500_000

// Report is what Explore found. Durations are exercise time.
type Report struct {
	Scenario    string        `json:"scenario"`
	States      []StateInfo   `json:"states"`
	Unreachable []StateInfo   `json:"unreachable"`
	Outcomes    []OutcomeInfo `json:"outcomes"`
	DeadEnds    []DeadEnd     `json:"dead_ends"`
	Cycles      []Cycle       `json:"cycles"`
	Errors      []RunError    `json:"errors"`
	// Warnings: not defects, but probably not what the author meant.
	InertDecisions     []ItemInfo `json:"inert_decisions"`     // options that never change anything
	UnopenedDecisions  []ItemInfo `json:"unopened_decisions"`  // never opened on any path
	UndeliveredInjects []ItemInfo `json:"undelivered_injects"` // never delivered on any path
	// VoteTies: how ties of each vote decision break (they reach nothing
	// a majority does not).
	VoteTies []VoteTie `json:"vote_ties"`
	// Variables: the values each variable takes on the paths explored.
	Variables []VarRange `json:"variables"`

	Paths      uint64 `json:"paths"`      // complete paths (saturates at 2^64-1)
	Branches   int    `json:"branches"`   // alternatives explored
	Situations int    `json:"situations"` // distinct situations after merging
	Limit      string `json:"limit,omitempty"`
	// Complete: every path was followed. When not, Limit says why,
	// nothing the search did not meet counts as unreachable, and
	// Coverage holds what a coverage search could not reach either.
	Complete bool      `json:"complete"`
	Coverage *Coverage `json:"coverage,omitempty"`
	// Facilitator: what the facilitator's actions reach beyond the
	// teams' (ExploreOptions.Facilitator only).
	Facilitator *FacilitatorReport `json:"facilitator,omitempty"`
}

// StateInfo names a state.
type StateInfo struct {
	ID      string `json:"id"`
	Line    int    `json:"line"`
	Final   bool   `json:"final,omitempty"`
	Reached bool   `json:"reached"`
}

// OutcomeInfo is one final state and the paths that end in it.
type OutcomeInfo struct {
	State   string        `json:"state"`
	Outcome string        `json:"outcome"`
	Rating  string        `json:"rating,omitempty"`
	Title   string        `json:"title"`
	Paths   uint64        `json:"paths"`
	Min     time.Duration `json:"min"`
	Max     time.Duration `json:"max"`
}

// DeadEnd is a non-final state where a path gets stuck.
type DeadEnd struct {
	State   string   `json:"state"`
	Line    int      `json:"line"`
	Paths   uint64   `json:"paths"`
	Reason  string   `json:"reason"`
	Example []string `json:"example"`
}

// Cycle is a loop of states a path can go round forever without progress.
type Cycle struct {
	States  []string `json:"states"`
	Reason  string   `json:"reason"`
	Example []string `json:"example"`
}

// RunError is an error event some path produced.
type RunError struct {
	Code    string   `json:"code"`
	State   string   `json:"state"`
	Message string   `json:"message"`
	Example []string `json:"example"`
}

// ItemInfo names a decision or inject.
type ItemInfo struct {
	ID     string `json:"id"`
	State  string `json:"state"`
	Line   int    `json:"line"`
	Reason string `json:"reason,omitempty"`
}

// Defects counts what makes the scenario wrong: unreachable states, dead
// ends, cycles without progress, run-time errors, no outcome at all, and an
// exploration cut short.
func (r *Report) Defects() int {
	n := len(r.Unreachable) + len(r.DeadEnds) + len(r.Cycles) + len(r.Errors)
	if r.Limit != "" {
		n++
	}
	reached := false
	for _, o := range r.Outcomes {
		reached = reached || o.Paths > 0
	}
	if !reached && r.Limit == "" {
		n++
	}
	return n
}

// Leaf kinds of a path.
const (
	leafOutcome = iota // ended in a final state
	leafStuck          // stuck in a state
	leafCycle          // went round a cycle
)

// leafStat counts the paths below a situation that end in one leaf, with
// their durations relative to the situation's clock.
type leafStat struct {
	leaf     int // kind*len(states) + state index
	count    uint64
	min, max time.Duration
}

type summary []leafStat

func (s summary) add(o summary, shift time.Duration) summary {
	for _, l := range o {
		i, found := slices.BinarySearchFunc(s, l.leaf, func(a leafStat, leaf int) int { return a.leaf - leaf })
		l.min += shift
		l.max += shift
		if !found {
			s = slices.Insert(s, i, l)
			continue
		}
		t := &s[i]
		t.count = satAdd(t.count, l.count)
		t.min = min(t.min, l.min)
		t.max = max(t.max, l.max)
	}
	return s
}

// times counts every path n times (n answers that lead to the same
// situation).
func (s summary) times(n uint64) summary {
	if n == 1 {
		return s
	}
	out := slices.Clone(s)
	for i := range out {
		out[i].count = satMul(out[i].count, n)
	}
	return out
}

func satMul(a, b uint64) uint64 {
	if a != 0 && b > math.MaxUint64/a {
		return math.MaxUint64
	}
	return a * b
}

func satAdd(a, b uint64) uint64 {
	if a > math.MaxUint64-b {
		return math.MaxUint64
	}
	return a + b
}

type step struct {
	at       time.Duration
	decision string
	option   string
	act      string // a world action ("comms publish newsroom") instead of an answer
}

type frame struct {
	state int
	now   time.Duration
}

// sitKey identifies a situation: a 128-bit FNV-1a hash of Machine.key.
// Storing hashes rather than keys keeps memory per situation small; a
// collision between two of a few million situations has a probability
// below 1e-25.
type sitKey [16]byte

func hashKey(b []byte, h hash.Hash) sitKey {
	h.Reset()
	h.Write(b)
	var k sitKey
	h.Sum(k[:0])
	return k
}

type explorer struct {
	p        *plan
	lives    []liveSet // per state
	opts     ExploreOptions
	memo     map[sitKey]memoEntry
	onStack  map[sitKey]int
	hash     hash.Hash
	stack    []frame
	path     []step
	buf      []byte
	branches int
	fac      bool       // the facilitator acts too
	first    [][]string // fac: per state, the first path that reached it
	missing  int        // fac: states no path has reached yet

	reached   []bool
	chosen    [][]bool // per decision and option: settled on it on some path
	ranges    []varRange
	opened    []bool
	delivered []bool
	deadEnds  map[int]*DeadEnd
	cycles    map[string]*Cycle
	cycleKeys []string
	errs      map[string]*RunError
	errKeys   []string
}

// errLimit stops the search when a bound is hit.
type errLimit struct{ msg string }

func (e errLimit) Error() string { return e.msg }

// Explore enumerates every path through the scenario: at each point where
// something can differ, it tries answering each open decision with each
// option (at once) and letting time run to the next due item (which covers
// answering later and not answering at all). Identical situations are
// merged, so the work grows with the number of distinct situations, not
// paths.
func Explore(sc *scenario.Scenario, opts ExploreOptions) (*Report, error) {
	if opts.MaxPaths <= 0 {
		opts.MaxPaths = DefaultMaxPaths
	}
	if opts.CoverBranches <= 0 {
		opts.CoverBranches = 100000
	}
	if opts.MaxDepth <= 0 {
		opts.MaxDepth = 5000
	}
	if opts.Horizon <= 0 {
		opts.Horizon = Horizon(sc)
	}
	x, m, err := newExplorer(sc, opts, false)
	if err != nil {
		return nil, err
	}
	start := m.Clone()
	root, err := x.visit(m, 0)
	r := &Report{Scenario: sc.ID}
	if err != nil {
		lim, ok := err.(errLimit)
		if !ok {
			return nil, err
		}
		r.Limit = lim.msg
		r.Coverage = x.cover(start, opts.CoverBranches)
	}
	r.Complete = r.Limit == ""
	x.report(r, root)
	if opts.Facilitator {
		if r.Facilitator, err = facilitator(sc, opts, r); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// newExplorer prepares a search and its started machine.
func newExplorer(sc *scenario.Scenario, opts ExploreOptions, fac bool) (*explorer, *Machine, error) {
	m, err := New(sc, opts.Params)
	if err != nil {
		return nil, nil, fmt.Errorf("sim: explore: %w", err)
	}
	x := &explorer{p: m.p, opts: opts, lives: liveness(m.p), fac: fac,
		memo: map[sitKey]memoEntry{}, onStack: map[sitKey]int{}, hash: fnv.New128a(),
		reached:   make([]bool, len(sc.States)),
		ranges:    make([]varRange, len(sc.Variables)),
		opened:    make([]bool, len(m.p.decs)),
		delivered: make([]bool, len(m.p.injs)),
		deadEnds:  map[int]*DeadEnd{}, cycles: map[string]*Cycle{}, errs: map[string]*RunError{},
	}
	for _, d := range m.p.decs {
		x.chosen = append(x.chosen, make([]bool, len(d.Options)))
	}
	m.noAutos = true
	if !opts.full {
		m.makeLean()
	}
	x.note(m, m.Start(0))
	return x, m, nil
}

// memoEntry is the summary of a situation: s shifted by shift (several
// situations along one run of time share one summary).
type memoEntry struct {
	s     summary
	shift time.Duration
}

func (e memoEntry) get() summary {
	if e.shift == 0 {
		return e.s
	}
	return summary(nil).add(e.s, e.shift)
}

// visit explores from m, which it owns and may advance in place, and
// returns the paths below, with durations relative to m's clock on entry.
// While time passing is the only thing that can happen it advances m
// itself; where there is a choice it explores a clone per alternative.
func (x *explorer) visit(m *Machine, depth int) (summary, error) {
	nStates := len(x.p.sc.States)
	base := m.now
	type point struct {
		key sitKey
		at  time.Duration
	}
	var line []point // situations passed through on this run of time, all on the stack
	defer func() {
		for _, pt := range line {
			delete(x.onStack, pt.key)
		}
		x.stack = x.stack[:len(x.stack)-len(line)]
	}()
	// finish memoises every point of the run against the end summary
	// (relative to m.now) and returns it relative to base.
	finish := func(end summary) summary {
		for _, pt := range line {
			x.memo[pt.key] = memoEntry{s: end, shift: m.now - pt.at}
		}
		return summary(nil).add(end, m.now-base)
	}
	for {
		if m.done {
			return finish(summary{{leaf: leafOutcome*nStates + m.cur, count: 1}}), nil
		}
		x.buf = m.key(x.buf[:0], &x.lives[m.cur])
		key := hashKey(x.buf, x.hash)
		if e, ok := x.memo[key]; ok {
			return finish(e.get()), nil
		}
		if i, ok := x.onStack[key]; ok {
			return finish(x.loop(m, i)), nil
		}
		if depth+len(line) >= x.opts.MaxDepth {
			return nil, errLimit{fmt.Sprintf("stopped: a path is longer than %d steps (in state %s at %s); raise --max-depth",
				x.opts.MaxDepth, x.p.sc.States[m.cur].ID, FormatClock(m.now))}
		}
		x.onStack[key] = len(x.stack)
		x.stack = append(x.stack, frame{state: m.cur, now: m.now})
		line = append(line, point{key: key, at: m.now})

		if x.choice(m) {
			s, err := x.branches_(m, depth+len(line))
			if err != nil {
				return nil, err
			}
			return finish(s), nil
		}
		next, due := m.NextDue()
		if !due || next > x.opts.Horizon {
			reason := "nothing more is scheduled and no transition can fire"
			if due {
				reason = fmt.Sprintf("no transition fired within %s of exercise time", FormatDuration(x.opts.Horizon))
			}
			x.deadEnd(m, reason)
			return finish(summary{{leaf: leafStuck*nStates + m.cur, count: 1}}), nil
		}
		x.note(m, m.Advance(next))
	}
}

// choice reports whether some open decision can still be answered (or
// declined) here, or a world action a rule reads can be taken.
func (x *explorer) choice(m *Machine) bool {
	for _, d := range x.p.stateDecs[m.cur] {
		if st := m.dec(d); st.open && !st.declined && len(st.answers) == 0 {
			return true
		}
	}
	return x.actsOpen(m) || len(x.facActs(m)) > 0
}

// branches_ explores every alternative at a branch point. A timed decision
// (the first open one, in file order) is answered with each option, or
// never: an answer to it stays invisible to the rules until its limit
// settles it, so when it is given cannot matter. Once no timed decision is
// pending, each untimed one may be answered with each option now, or time
// may run on (they settle when answered, so timing matters and they stay
// open for later moments).
func (x *explorer) branches_(m *Machine, depth int) (summary, error) {
	var acc summary
	// answer explores each answer to d worth trying; it returns how many
	// paths not answering a timed decision stands for (0: merged).
	answer := func(d int) (uint64, error) {
		dc := x.p.decs[d]
		cs, none := choices(dc, d, &x.lives[m.cur])
		for _, ch := range cs {
			a := Answer{Option: ch.option}
			if ch.option == "" {
				a.Text = "(free text)"
			}
			a.Decision, a.Team, a.Participant, a.Lead = dc.ID, dc.Team, "explore", true
			c, err := x.branch(m)
			if err != nil {
				return 0, err
			}
			evs, err := c.Answer(m.now, a)
			if err != nil {
				return 0, fmt.Errorf("sim: explore: answering %s at %s: %w", dc.ID, FormatClock(m.now), err)
			}
			label := a.Option
			if label == "" {
				label = "(text)"
			}
			s, err := x.follow(c, depth, step{at: m.now, decision: dc.ID, option: label}, evs)
			if err != nil {
				return 0, err
			}
			acc = acc.add(s.times(ch.n), 0)
		}
		return none, nil
	}
	pending := func(d int) bool {
		st := m.dec(d)
		return st.open && !st.declined && len(st.answers) == 0
	}
	for _, d := range x.p.stateDecs[m.cur] {
		if !pending(d) || x.p.decs[d].TimeLimit == 0 {
			continue
		}
		none, err := answer(d)
		if err != nil {
			return nil, err
		}
		if none == 0 {
			return acc, nil
		}
		c, err := x.branch(m)
		if err != nil {
			return nil, err
		}
		c.dec(d).declined = true
		s, err := x.follow(c, depth, step{at: m.now, decision: x.p.decs[d].ID, option: "(no answer)"}, nil)
		if err != nil {
			return nil, err
		}
		return acc.add(s, 0), nil
	}
	for _, d := range x.p.stateDecs[m.cur] {
		if pending(d) {
			if _, err := answer(d); err != nil {
				return nil, err
			}
		}
	}
	acc, err := x.actBranches(m, depth, acc)
	if err != nil {
		return nil, err
	}
	if acc, err = x.facBranches(m, depth, acc); err != nil {
		return nil, err
	}
	next, due := m.NextDue()
	if !due || next > x.opts.Horizon {
		// Waiting for answers only: the branches above give them.
		return acc, nil
	}
	c, err := x.branch(m)
	if err != nil {
		return nil, err
	}
	x.note(c, c.Advance(next))
	shift := c.now - m.now // visit advances c in place: take it now
	s, err := x.visit(c, depth+1)
	if err != nil {
		return nil, err
	}
	return acc.add(s, shift), nil
}

// follow explores a child situation reached by one step.
func (x *explorer) follow(c *Machine, depth int, st step, evs []Event) (summary, error) {
	x.path = append(x.path, st)
	x.note(c, evs)
	s, err := x.visit(c, depth+1)
	x.path = x.path[:len(x.path)-1]
	return s, err
}

func (x *explorer) branch(m *Machine) (*Machine, error) {
	if x.first != nil && x.missing == 0 {
		return nil, errAllReached{}
	}
	if x.branches >= x.opts.MaxPaths {
		return nil, errLimit{fmt.Sprintf("stopped after %d paths; raise --max-paths", x.opts.MaxPaths)}
	}
	x.branches++
	return m.Clone(), nil
}

// loop handles a situation met again on the current path: the path can go
// round forever. Within one state it is a dead end (only repeating timers
// fire); across states it is a cycle without progress.
func (x *explorer) loop(m *Machine, from int) summary {
	nStates := len(x.p.sc.States)
	frames := x.stack[from:]
	same := true
	for _, f := range frames {
		same = same && f.state == m.cur
	}
	if same {
		x.deadEnd(m, "time runs on (only repeating timers fire) but no transition can fire")
		return summary{{leaf: leafStuck*nStates + m.cur, count: 1}}
	}
	var states []int
	for _, f := range frames {
		if len(states) == 0 || states[len(states)-1] != f.state {
			states = append(states, f.state)
		}
	}
	reason := "returns to the same situation (same variables and decisions)"
	if frames[0].now == m.now {
		reason = "no clock progress"
	}
	x.cycle(states, reason, m.now)
	return summary{{leaf: leafCycle*nStates + m.cur, count: 1}}
}

func (x *explorer) cycle(states []int, reason string, at time.Duration) {
	// Rotate so the same loop found from another entry point reads the same.
	if len(states) > 1 && states[0] == states[len(states)-1] {
		states = states[:len(states)-1]
	}
	lo := 0
	for i, s := range states {
		if s < states[lo] {
			lo = i
		}
	}
	rot := append(slices.Clone(states[lo:]), states[:lo]...)
	ids := make([]string, len(rot))
	for i, s := range rot {
		ids[i] = x.p.sc.States[s].ID
	}
	sig := strings.Join(ids, " ")
	if _, ok := x.cycles[sig]; ok {
		return
	}
	x.cycles[sig] = &Cycle{States: ids, Reason: reason, Example: x.example(at, "loops")}
	x.cycleKeys = append(x.cycleKeys, sig)
}

func (x *explorer) deadEnd(m *Machine, reason string) {
	if _, ok := x.deadEnds[m.cur]; ok {
		return
	}
	st := x.p.sc.States[m.cur]
	x.deadEnds[m.cur] = &DeadEnd{State: st.ID, Line: st.Pos.Line, Reason: reason,
		Example: x.example(m.now, "stuck in "+st.ID)}
}

// example writes the current path as the answers given, then how it ends.
func (x *explorer) example(at time.Duration, end string) []string {
	out := make([]string, 0, len(x.path)+1)
	for _, s := range x.path {
		if s.act != "" {
			out = append(out, FormatClock(s.at)+" "+s.act)
			continue
		}
		out = append(out, fmt.Sprintf("%s %s=%s", FormatClock(s.at), s.decision, s.option))
	}
	return append(out, FormatClock(at)+" "+end)
}

// note records what a step did: states reached, decisions opened,
// injects delivered (read from the machine, which explore runs lean) and
// errors (the only events a lean machine emits).
func (x *explorer) note(m *Machine, evs []Event) {
	for i, v := range m.visited {
		if v && !x.reached[i] && x.first != nil {
			x.first[i] = x.example(m.now, "reaches "+x.p.sc.States[i].ID)
			x.missing--
		}
		x.reached[i] = x.reached[i] || v
	}
	for i, v := range m.vars {
		x.ranges[i].add(v)
	}
	x.noteChosen(m)
	for i := range x.opened {
		st := m.dec(i)
		x.opened[i] = x.opened[i] || st.open || st.settled
	}
	for i, v := range m.delivered {
		x.delivered[i] = x.delivered[i] || v
	}
	for _, e := range evs {
		if e.Kind != KindError {
			continue
		}
		if e.Code == CodeRunaway {
			x.runaway(m, e)
			continue
		}
		k := e.Code + "\x00" + e.Error
		if _, ok := x.errs[k]; !ok {
			x.errs[k] = &RunError{Code: e.Code, State: e.State, Message: e.Error, Example: x.example(e.At, "error")}
			x.errKeys = append(x.errKeys, k)
		}
	}
}

// runaway turns a runaway chain into the cycle it went round: the states
// of the chain's last lap.
func (x *explorer) runaway(m *Machine, e Event) {
	var states []int
	seen := map[int]bool{}
	for i := len(m.chain) - 1; i >= 0; i-- {
		s := m.chain[i]
		if seen[s] {
			break
		}
		seen[s] = true
		states = append(states, s)
	}
	slices.Reverse(states)
	if len(states) == 0 {
		states = []int{x.p.stateIdx[e.State]}
	}
	x.cycle(states, fmt.Sprintf("no clock progress: more than %d transitions at %s", MaxChain, FormatClock(e.At)), e.At)
}

func (x *explorer) report(r *Report, root summary) {
	sc := x.p.sc
	n := len(sc.States)
	r.Branches = x.branches
	r.Situations = len(x.memo)
	r.States, r.Unreachable, r.Outcomes, r.DeadEnds, r.Cycles, r.Errors =
		[]StateInfo{}, []StateInfo{}, []OutcomeInfo{}, []DeadEnd{}, []Cycle{}, []RunError{}
	r.InertDecisions, r.UnopenedDecisions, r.UndeliveredInjects = []ItemInfo{}, []ItemInfo{}, []ItemInfo{}
	stats := map[int]leafStat{}
	for _, l := range root {
		stats[l.leaf] = l
		r.Paths = satAdd(r.Paths, l.count)
	}
	for i, s := range sc.States {
		info := StateInfo{ID: s.ID, Line: s.Pos.Line, Final: s.Final(), Reached: x.reached[i]}
		r.States = append(r.States, info)
		if !info.Reached && r.Limit == "" {
			r.Unreachable = append(r.Unreachable, info)
		}
		if s.Final() {
			l := stats[leafOutcome*n+i]
			r.Outcomes = append(r.Outcomes, OutcomeInfo{State: s.ID, Outcome: s.Outcome, Rating: s.Rating,
				Title: s.Title, Paths: l.count, Min: l.min, Max: l.max})
		}
		if d, ok := x.deadEnds[i]; ok {
			d.Paths = stats[leafStuck*n+i].count
			r.DeadEnds = append(r.DeadEnds, *d)
		}
	}
	r.VoteTies = x.voteTies()
	r.Variables = make([]VarRange, len(sc.Variables))
	for i, v := range sc.Variables {
		r.Variables[i] = x.ranges[i].info(v)
	}
	for _, k := range x.cycleKeys {
		r.Cycles = append(r.Cycles, *x.cycles[k])
	}
	for _, k := range x.errKeys {
		r.Errors = append(r.Errors, *x.errs[k])
	}
	for i, d := range x.p.decs {
		st := sc.StateOf(d.ID)
		if why := inert(d, x.p.refs); why != "" {
			r.InertDecisions = append(r.InertDecisions, ItemInfo{ID: d.ID, State: st.ID, Line: d.Pos.Line, Reason: why})
		}
		if !x.opened[i] && x.reached[x.p.stateIdx[st.ID]] && r.Limit == "" {
			r.UnopenedDecisions = append(r.UnopenedDecisions, ItemInfo{ID: d.ID, State: st.ID, Line: d.Pos.Line})
		}
	}
	for i, in := range x.p.injs {
		st := sc.StateOf(in.ID)
		if !x.delivered[i] && x.reached[x.p.stateIdx[st.ID]] && r.Limit == "" {
			r.UndeliveredInjects = append(r.UndeliveredInjects, ItemInfo{ID: in.ID, State: st.ID, Line: in.Pos.Line})
		}
	}
}

// inert explains why a decision's choice cannot matter, or returns "".
func inert(d *scenario.Decision, r refs) string {
	if len(d.Options) == 0 || r.options[d.ID] {
		return ""
	}
	first := effectSrcs(d.Options[0].Effects)
	for _, o := range d.Options[1:] {
		if !slices.Equal(first, effectSrcs(o.Effects)) {
			return ""
		}
	}
	if len(first) == 0 {
		return "no option has effects and no rule reads the choice"
	}
	if len(d.Options) == 1 {
		return ""
	}
	return "every option has the same effects and no rule reads the choice"
}

func effectSrcs(fs []*scenario.Effect) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = strings.Join(strings.Fields(f.Src), " ")
	}
	return out
}

// key writes a canonical description of everything that can influence the
// machine's future, relative to its clock: two machines with equal keys
// produce the same events from here on, shifted in time. Parts the rules
// reachable from the current state never read (lv: the clock, elapsed
// time, variables, settled decisions, states visited, injects delivered)
// are left out so that more situations merge.
func (m *Machine) key(b []byte, lv *liveSet) []byte {
	p := m.p
	b = binary.AppendUvarint(b, uint64(m.cur))
	// The length of a chain of transitions in progress is left out: it
	// only matters to the runaway guard, and a runaway is reported
	// whichever lap trips it.
	b = appendBool(b, m.halted && m.chainAt == m.now)
	if lv.elapsed {
		b = binary.AppendVarint(b, int64(m.now-m.entered))
	}
	if lv.clock {
		b = binary.AppendVarint(b, int64(m.now))
	}
	for i, v := range m.vars {
		if !lv.vars[i] {
			continue
		}
		switch x := v.(type) {
		case float64:
			b = append(b, 'n')
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
		case bool:
			if x {
				b = append(b, 't')
			} else {
				b = append(b, 'f')
			}
		case string:
			b = append(b, 's')
			b = binary.AppendUvarint(b, uint64(len(x)))
			b = append(b, x...)
		default:
			b = append(b, '?')
		}
	}
	for i, v := range m.visited {
		if lv.visited[i] {
			b = appendBool(b, v)
		}
	}
	for i, v := range m.delivered {
		if lv.delivered[i] {
			b = appendBool(b, v)
		}
	}
	for i := range p.decs {
		st := m.dec(i)
		switch {
		case st.open:
			b = append(b, 'o')
			b = appendBool(b, st.declined)
			b = appendBool(b, st.extended)
			b = binary.AppendUvarint(b, uint64(len(st.answers)))
			for _, a := range st.answers {
				b = append(b, a.participant...)
				b = append(b, 0)
				b = append(b, a.option...)
				b = append(b, 0)
				b = appendBool(b, a.text != "")
			}
		case lv.decs[i] && st.settled:
			b = append(b, 's')
			if lv.answered[i] {
				b = appendBool(b, st.answered)
			}
			if lv.options[i] {
				b = append(b, st.option...)
				b = append(b, 0)
			}
		default:
			b = append(b, '-')
		}
	}
	b = m.worldKey(b)
	b = append(b, '|')
	for _, it := range m.sched {
		b = append(b, it.kind)
		b = binary.AppendUvarint(b, uint64(it.ref))
		b = binary.AppendVarint(b, int64(it.due-m.now))
	}
	return b
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}
