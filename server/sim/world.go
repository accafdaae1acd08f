package sim

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ttxsim/ttx/server/scenario"
)

// This file holds what teams do in the simulated world: publications on
// outlets, replies to injects, new messages to personas, and the
// personas' answers (typed by the facilitator, canned, or automatic).

// Message actions (Message.Action and the message_sent event's action).
const (
	ActionPublish = "publish" // a team publishes on an outlet it owns
	ActionReply   = "reply"   // a team replies to an inject that takes its replies
	ActionCompose = "compose" // a team writes to a persona (a new thread, or a follow-up in one)
	ActionPersona = "persona" // a persona answers a team in a thread
)

// Bounds of a message, in characters.
const (
	MaxMessageBody  = 4000
	MaxMessageTitle = 200
)

// Errors of Send and Canned; test them with errors.Is. Each names the
// wire error the API answers with.
var (
	ErrBadMessage     = errors.New("malformed message")                  // bad_request
	ErrNotAllowed     = errors.New("not allowed")                        // not_allowed
	ErrNeedsApproval  = errors.New("the outlet needs an approved draft") // needs_approval
	ErrNotFound       = errors.New("not found")                          // not_found
	ErrMessageTooLong = errors.New("message is too large")               // too_large
)

// Message is something said in the world, as an input to the machine.
type Message struct {
	ID          string // unique per exercise (the engine passes the client id)
	Action      string // ActionPublish, ActionReply, ActionCompose or ActionPersona
	Team        string // the team side of the conversation
	Participant string // who sent it for the team; "" for persona messages
	// Persona speaking (persona), or written to (compose).
	Persona string
	// Outlet published on; on a reply, a public reply from that outlet.
	Outlet string
	// Inject answered (reply).
	Inject string
	// Thread is the conversation: the inject id for replies, the first
	// message's ID for compose and publish; set by the sim when empty.
	Thread        string
	Title, Body   string
	DraftedBy     string // participant who drafted it (publications)
	ApprovedBy    string // participant who approved it (required when the outlet has approval)
	ByFacilitator bool   // persona message typed by the facilitator
	Canned        string // canned reply id used (persona): its text replaces Body
}

// CannedOffer is a canned reply the facilitator may send as the persona
// of a thread.
type CannedOffer struct {
	ID        string        `json:"id"`
	Label     string        `json:"label"`
	Body      string        `json:"body"` // rendered
	Available bool          `json:"available"`
	After     time.Duration `json:"after,omitempty"` // sent automatically this long after a team's message
}

// thread is one conversation between a team and a persona (or a team's
// publication).
type thread struct {
	persona  string // persona id; "" for a publication nobody answered
	channel  string
	inject   string // the inject replied to, for inject threads
	outlet   string // the outlet published on, for publications
	personaN int    // messages sent as the persona in the thread so far
}

// autoReply is an automatic canned reply waiting in the schedule.
type autoReply struct {
	seq      int           // item ref
	due      time.Duration // when it is sent
	team     string
	thread   string
	canned   *scenario.Canned
	personaN int // the thread's persona count when scheduled: any answer since cancels it
	trigger  string
}

func threadKey(team, id string) string { return team + "\x00" + id }

// world is the part of a machine's state the world functions read.
type world struct {
	pubAt       []time.Duration // by team*outlets+outlet: first publication, -1 none
	replied     []bool          // by inject: some team replied
	sent        []bool          // by team*personas+persona
	deliveredAt []time.Duration // by inject: first delivery, -1 none
	threads     map[string]thread
	autos       []autoReply // pending automatic replies, by seq
	autoSeq     int
	measures    []MeasureResult // objective measures, once the exercise ended
	milestones  []MilestoneResult
}

func newWorld(p *plan) world {
	w := world{
		pubAt:       make([]time.Duration, len(p.sc.Teams)*len(p.sc.Outlets)),
		replied:     make([]bool, len(p.injs)),
		sent:        make([]bool, len(p.sc.Teams)*len(p.sc.Personas)),
		deliveredAt: make([]time.Duration, len(p.injs)),
		threads:     map[string]thread{},
	}
	for i := range w.pubAt {
		w.pubAt[i] = -1
	}
	for i := range w.deliveredAt {
		w.deliveredAt[i] = -1
	}
	return w
}

func (w world) clone() world {
	c := w
	c.pubAt = slices.Clone(w.pubAt)
	c.replied = slices.Clone(w.replied)
	c.sent = slices.Clone(w.sent)
	c.deliveredAt = slices.Clone(w.deliveredAt)
	c.threads = maps.Clone(w.threads)
	c.autos = slices.Clone(w.autos)
	c.measures = slices.Clone(w.measures)
	c.milestones = slices.Clone(w.milestones)
	return c
}

func (p *plan) pubIdx(team, outlet string) (int, bool) {
	t, ok1 := p.teamIdx[team]
	o, ok2 := p.outletIdx[outlet]
	return t*len(p.sc.Outlets) + o, ok1 && ok2
}

func (p *plan) sentIdx(team, persona string) (int, bool) {
	t, ok1 := p.teamIdx[team]
	o, ok2 := p.personaIdx[persona]
	return t*len(p.sc.Personas) + o, ok1 && ok2
}

func minutes(d time.Duration) float64 {
	if d < 0 {
		return -1
	}
	return d.Minutes()
}

func (r *runtime) Published(team, outlet string) bool { return r.PublishedAt(team, outlet) >= 0 }

func (r *runtime) PublishedAt(team, outlet string) float64 {
	i, ok := r.m.p.pubIdx(team, outlet)
	if !ok {
		return -1
	}
	return minutes(r.m.w.pubAt[i])
}

func (r *runtime) MinutesSincePublished(team, outlet string) float64 {
	i, ok := r.m.p.pubIdx(team, outlet)
	if !ok || r.m.w.pubAt[i] < 0 {
		return -1
	}
	return (r.m.now - r.m.w.pubAt[i]).Minutes()
}

func (r *runtime) Replied(inject string) bool {
	i, ok := r.m.p.injIdx[inject]
	return ok && r.m.w.replied[i]
}

func (r *runtime) Sent(team, persona string) bool {
	i, ok := r.m.p.sentIdx(team, persona)
	return ok && r.m.w.sent[i]
}

func (r *runtime) DeliveredAt(inject string) float64 {
	i, ok := r.m.p.injIdx[inject]
	if !ok {
		return -1
	}
	return minutes(r.m.w.deliveredAt[i])
}

// Send records a message said in the world at `at`, after advancing to
// it: it checks that the team (or persona) may say it there, records what
// the rule functions read, emits one message_sent event, schedules the
// automatic canned replies of a message to a persona, then evaluates
// transitions, so that a transition waiting for a statement moves on. On
// an error the events of the advance are still returned (and must be
// kept); the message itself changed nothing.
func (m *Machine) Send(at time.Duration, msg Message) ([]Event, error) {
	m.reset()
	if err := m.ready(at); err != nil {
		return m.flush(), fmt.Errorf("sim: send %s %q: %w", msg.Action, msg.ID, err)
	}
	if err := m.send(msg); err != nil {
		return m.flush(), fmt.Errorf("sim: send %s %q: %w", msg.Action, msg.ID, err)
	}
	m.settle()
	return m.flush(), nil
}

// checkText bounds a message's title and body; empty bodies are refused.
func checkText(msg *Message) error {
	if utf8.RuneCountInString(msg.Body) > MaxMessageBody {
		return fmt.Errorf("%w: body longer than %d characters", ErrMessageTooLong, MaxMessageBody)
	}
	if utf8.RuneCountInString(msg.Title) > MaxMessageTitle {
		return fmt.Errorf("%w: title longer than %d characters", ErrMessageTooLong, MaxMessageTitle)
	}
	if strings.TrimSpace(msg.Body) == "" {
		return fmt.Errorf("%w: empty body", ErrBadMessage)
	}
	return nil
}

// outletFor checks that the team may publish on the outlet as msg says.
func (m *Machine) outletFor(msg *Message) (*scenario.Outlet, error) {
	o := m.p.sc.Outlet(msg.Outlet)
	if o == nil {
		return nil, fmt.Errorf("%w: unknown outlet %q", ErrNotFound, msg.Outlet)
	}
	if !o.PublishedBy(msg.Team) {
		return nil, fmt.Errorf("%w: team %q does not publish on outlet %q", ErrNotAllowed, msg.Team, o.ID)
	}
	if o.Approval != "" && msg.ApprovedBy == "" {
		return nil, fmt.Errorf("%w: outlet %q", ErrNeedsApproval, o.ID)
	}
	return o, nil
}

// threadOf finds a team's thread; an inject thread exists from the
// moment the inject was delivered, if the team may reply to it.
func (m *Machine) threadOf(team, id string) (thread, bool) {
	if t, ok := m.w.threads[threadKey(team, id)]; ok {
		return t, true
	}
	if i, ok := m.p.injIdx[id]; ok && m.delivered[i] && m.p.injs[i].TakesReplyFrom(team) {
		in := m.p.injs[i]
		return thread{persona: in.From, channel: string(in.Channel), inject: in.ID}, true
	}
	return thread{}, false
}

func (m *Machine) send(msg Message) error {
	if msg.ID == "" {
		return fmt.Errorf("%w: no id", ErrBadMessage)
	}
	if m.p.sc.Team(msg.Team) == nil {
		return fmt.Errorf("%w: unknown team %q", ErrNotFound, msg.Team)
	}
	if msg.Action == ActionPersona {
		return m.personaSend(msg)
	}
	if err := checkText(&msg); err != nil {
		return err
	}
	msg.Canned, msg.ByFacilitator = "", false
	e := m.ev(KindMessageSent)
	var o *scenario.Outlet
	switch msg.Action {
	case ActionPublish:
		var err error
		if o, err = m.outletFor(&msg); err != nil {
			return err
		}
		if _, dup := m.threadOf(msg.Team, msg.ID); dup {
			return fmt.Errorf("%w: id %q is already used", ErrBadMessage, msg.ID)
		}
		msg.Thread, msg.Persona, msg.Inject = msg.ID, o.As, ""
		e.Channel = string(o.Channel)
		m.w.threads[threadKey(msg.Team, msg.ID)] = thread{channel: e.Channel, outlet: o.ID}
	case ActionReply:
		i, ok := m.p.injIdx[msg.Inject]
		if !ok {
			return fmt.Errorf("%w: unknown inject %q", ErrNotFound, msg.Inject)
		}
		in := m.p.injs[i]
		if !in.TakesReplyFrom(msg.Team) {
			return fmt.Errorf("%w: inject %q takes no replies from team %q", ErrNotAllowed, in.ID, msg.Team)
		}
		if !m.delivered[i] {
			return fmt.Errorf("%w: inject %q has not been delivered", ErrNotAllowed, in.ID)
		}
		if msg.Thread != "" && msg.Thread != in.ID {
			return fmt.Errorf("%w: a reply's thread is its inject", ErrBadMessage)
		}
		if msg.Outlet != "" {
			var err error
			if o, err = m.outletFor(&msg); err != nil {
				return err
			}
		}
		msg.Thread, msg.Persona = in.ID, in.From
		e.Channel = string(in.Channel)
		t, _ := m.threadOf(msg.Team, in.ID)
		m.w.threads[threadKey(msg.Team, in.ID)] = t
		m.w.replied[i] = true
	case ActionCompose:
		p := m.p.sc.Persona(msg.Persona)
		if p == nil {
			return fmt.Errorf("%w: unknown persona %q", ErrNotFound, msg.Persona)
		}
		msg.Outlet, msg.Inject = "", ""
		if msg.Thread == "" {
			if !p.ReachableBy(msg.Team) {
				return fmt.Errorf("%w: team %q cannot write to persona %q", ErrNotAllowed, msg.Team, p.ID)
			}
			if _, dup := m.threadOf(msg.Team, msg.ID); dup {
				return fmt.Errorf("%w: id %q is already used", ErrBadMessage, msg.ID)
			}
			msg.Thread = msg.ID
			m.w.threads[threadKey(msg.Team, msg.ID)] = thread{persona: p.ID, channel: string(p.ViaChannel())}
		} else {
			t, ok := m.threadOf(msg.Team, msg.Thread)
			if !ok {
				return fmt.Errorf("%w: team %q has no thread %q", ErrNotFound, msg.Team, msg.Thread)
			}
			if t.persona != p.ID {
				return fmt.Errorf("%w: thread %q is not with persona %q", ErrNotAllowed, msg.Thread, p.ID)
			}
			m.w.threads[threadKey(msg.Team, msg.Thread)] = t
		}
		e.Channel = m.w.threads[threadKey(msg.Team, msg.Thread)].channel
	default:
		return fmt.Errorf("%w: unknown action %q", ErrBadMessage, msg.Action)
	}
	if o != nil {
		if i, _ := m.p.pubIdx(msg.Team, o.ID); m.w.pubAt[i] < 0 {
			m.w.pubAt[i] = m.now
		}
	}
	if msg.Action != ActionPublish {
		if i, ok := m.p.sentIdx(msg.Team, msg.Persona); ok {
			m.w.sent[i] = true
		}
		m.scheduleAutos(msg)
	}
	if m.lean {
		return nil
	}
	m.messageEvent(&e, msg, o, false)
	return nil
}

// messageEvent fills and emits a message_sent event.
func (m *Machine) messageEvent(e *Event, msg Message, o *scenario.Outlet, rendered bool) {
	e.Message = msg.ID
	e.Action = msg.Action
	e.Team = msg.Team
	e.Participant = msg.Participant
	e.Inject = msg.Inject
	e.Thread = msg.Thread
	e.Title, e.Body = msg.Title, msg.Body
	if rendered {
		e.Title, e.Body = m.render(msg.Title), m.render(msg.Body)
	}
	e.DraftedBy = msg.DraftedBy
	e.ApprovedBy = msg.ApprovedBy
	e.ByFacilitator = msg.ByFacilitator
	e.Canned = msg.Canned
	e.Audience = teamAudience(msg.Team)
	if in := m.p.sc.Inject(msg.Inject); in != nil && e.Platform == "" {
		e.Platform = m.render(in.Platform)
	}
	if o != nil {
		e.Outlet = o.ID
		e.OutletName = m.render(o.Name)
		if o.Platform != "" {
			e.Platform = m.render(o.Platform)
		}
		if msg.Action == ActionPublish {
			e.Engagement = m.engagement(o.Engagement, "outlet "+o.ID)
		}
		e.Audience = slices.Clone(o.Audience)
	}
	if p := m.p.sc.Persona(msg.Persona); p != nil {
		m.persona(e, p)
	}
	m.emit(*e)
}

// personaSend records a persona's message to a team in a thread.
func (m *Machine) personaSend(msg Message) error {
	if msg.Thread == "" {
		return fmt.Errorf("%w: a persona answers in a thread", ErrBadMessage)
	}
	t, ok := m.threadOf(msg.Team, msg.Thread)
	if !ok {
		return fmt.Errorf("%w: team %q has no thread %q", ErrNotFound, msg.Team, msg.Thread)
	}
	if msg.Persona == "" {
		msg.Persona = t.persona
	}
	if m.p.sc.Persona(msg.Persona) == nil {
		return fmt.Errorf("%w: unknown persona %q", ErrNotFound, msg.Persona)
	}
	if t.persona != "" && t.persona != msg.Persona {
		return fmt.Errorf("%w: thread %q is with persona %q", ErrNotAllowed, msg.Thread, t.persona)
	}
	if msg.Canned != "" {
		var found *CannedOffer
		for _, c := range m.offers(msg.Team, msg.Thread, t, msg.Persona) {
			if c.ID == msg.Canned {
				found = &c
				break
			}
		}
		if found == nil {
			return fmt.Errorf("%w: no canned reply %q in thread %q", ErrNotFound, msg.Canned, msg.Thread)
		}
		if !found.Available {
			return fmt.Errorf("%w: canned reply %q is not available now", ErrNotAllowed, msg.Canned)
		}
		msg.Body = found.Body
	}
	if err := checkText(&msg); err != nil {
		return err
	}
	if t.persona == "" {
		t.persona = msg.Persona
	}
	t.personaN++
	m.w.threads[threadKey(msg.Team, msg.Thread)] = t
	msg.Participant, msg.Outlet, msg.Inject, msg.DraftedBy, msg.ApprovedBy = "", "", t.inject, "", ""
	if m.lean {
		return nil
	}
	e := m.ev(KindMessageSent)
	e.Channel = t.channel
	m.messageEvent(&e, msg, nil, true)
	return nil
}

// cannedOf lists the canned replies of a thread: the inject's, then the
// persona's (one with the same id as the inject's is left out).
func (m *Machine) cannedOf(t thread, persona string) []*scenario.Canned {
	var out []*scenario.Canned
	if in := m.p.sc.Inject(t.inject); in != nil {
		out = append(out, in.Canned...)
	}
	if p := m.p.sc.Persona(persona); p != nil {
		for _, c := range p.Canned {
			if !slices.ContainsFunc(out, func(x *scenario.Canned) bool { return x.ID == c.ID }) {
				out = append(out, c)
			}
		}
	}
	return out
}

func (m *Machine) offers(team, id string, t thread, persona string) []CannedOffer {
	list := m.cannedOf(t, persona)
	out := make([]CannedOffer, 0, len(list))
	for _, c := range list {
		ok, err := c.If.Eval(m.envTime())
		out = append(out, CannedOffer{ID: c.ID, Label: m.render(c.Label), Body: m.render(c.Body), Available: ok && err == nil, After: c.After})
	}
	return out
}

// Canned lists the canned replies the facilitator may send as the persona
// of a team's thread, with whether each one's condition holds now; nil
// for an unknown thread.
func (m *Machine) Canned(team, threadID string) []CannedOffer {
	t, ok := m.threadOf(team, threadID)
	if !ok {
		return nil
	}
	return m.offers(team, threadID, t, t.persona)
}

// scheduleAutos schedules the automatic canned replies of the thread msg
// was written in. Explore's machines schedule none: persona messages
// change nothing the rules read.
func (m *Machine) scheduleAutos(msg Message) {
	if m.lean || m.noAutos {
		return
	}
	t := m.w.threads[threadKey(msg.Team, msg.Thread)]
	for _, c := range m.cannedOf(t, t.persona) {
		if c.After <= 0 || slices.ContainsFunc(m.w.autos, func(a autoReply) bool {
			return a.canned == c && a.team == msg.Team && a.thread == msg.Thread && a.personaN == t.personaN
		}) {
			// One live pending per thread and canned reply: the earlier
			// one falls due first, and its answer would cancel a later one.
			continue
		}
		m.w.autoSeq++
		a := autoReply{seq: m.w.autoSeq, due: m.now + c.After, team: msg.Team, thread: msg.Thread, canned: c, personaN: t.personaN, trigger: msg.ID}
		m.w.autos = append(m.w.autos, a)
		m.schedule(item{due: a.due, kind: itemReply, ref: a.seq})
	}
}

// rescheduleAutos puts the pending automatic replies back into a fresh
// schedule (entering a state empties it; a persona's answer does not wait
// for the phase).
func (m *Machine) rescheduleAutos() {
	for _, a := range m.w.autos {
		m.schedule(item{due: a.due, kind: itemReply, ref: a.seq})
	}
}

// fireAuto sends a due automatic canned reply, unless someone answered as
// the persona in the thread since it was scheduled or its condition does
// not hold.
func (m *Machine) fireAuto(seq int) {
	i := slices.IndexFunc(m.w.autos, func(a autoReply) bool { return a.seq == seq })
	if i < 0 {
		return
	}
	a := m.w.autos[i]
	m.w.autos = slices.Delete(m.w.autos, i, i+1)
	t, ok := m.w.threads[threadKey(a.team, a.thread)]
	if !ok || t.personaN != a.personaN {
		return
	}
	hold, err := a.canned.If.Eval(m.envTime())
	if err != nil {
		m.errorEvent(CodeEval, fmt.Sprintf("canned reply %s: %v", a.canned.ID, err))
		return
	}
	if !hold {
		return
	}
	msg := Message{ID: a.trigger + "/auto/" + a.canned.ID, Action: ActionPersona, Team: a.team, Persona: t.persona,
		Thread: a.thread, Canned: a.canned.ID, Body: a.canned.Body}
	t.personaN++
	m.w.threads[threadKey(a.team, a.thread)] = t
	msg.Inject = t.inject
	e := m.ev(KindMessageSent)
	e.Channel = t.channel
	m.messageEvent(&e, msg, nil, true)
}

// measure evaluates every objective's measure once the exercise has
// ended, keeping the results for the snapshot and emitting one
// objective_measured event each (staff only).
func (m *Machine) measure() {
	if m.lean {
		return
	}
	m.w.measures = m.w.measures[:0]
	for _, o := range m.p.sc.Objectives {
		if o.Measure == nil {
			continue
		}
		r := MeasureResult{Objective: o.ID, Measure: o.Measure.Src}
		ok, err := o.Measure.Eval(m.envTime())
		if err != nil {
			r.Error = err.Error()
		}
		r.Met = ok && err == nil
		r.Values = m.values(readsOf(m.p, o.Measure))
		m.w.measures = append(m.w.measures, r)
		e := m.ev(KindObjectiveMeasure)
		e.Objective = o.ID
		e.Met = r.Met
		e.Values = r.Values
		e.Error = r.Error
		m.emit(e)
	}
	m.measureMilestones()
}

// measureMilestones evaluates every objective's milestones once the
// exercise has ended: one milestone_measured event each (staff only).
// A side that fails gives -1 and the error; the milestone is then missed.
func (m *Machine) measureMilestones() {
	m.w.milestones = m.w.milestones[:0]
	for _, o := range m.p.sc.Objectives {
		for _, ms := range o.Milestones {
			r := MilestoneResult{Objective: o.ID, Milestone: ms.ID}
			var errs []string
			side := func(x *scenario.Expr) float64 {
				v, err := x.Number(m.envTime())
				if err != nil {
					errs = append(errs, err.Error())
					return -1
				}
				return v
			}
			r.Done, r.Due = side(ms.Done), side(ms.Due)
			r.Error = strings.Join(errs, "; ")
			r.Met = r.Error == "" && r.Done >= 0 && r.Done <= r.Due
			m.w.milestones = append(m.w.milestones, r)
			e := m.ev(KindMilestone)
			e.Objective, e.Milestone, e.Met, e.Error = o.ID, ms.ID, r.Met, r.Error
			done, due := r.Done, r.Due
			e.Done, e.Due = &done, &due
			m.emit(e)
		}
	}
}

// worldSnapshot fills the world part of a snapshot.
func (m *Machine) worldSnapshot(s *Snapshot) {
	sc := m.p.sc
	s.Published, s.Replied, s.Sent = []Publication{}, []string{}, []TeamPersona{}
	for ti, t := range sc.Teams {
		for oi, o := range sc.Outlets {
			if at := m.w.pubAt[ti*len(sc.Outlets)+oi]; at >= 0 {
				s.Published = append(s.Published, Publication{Team: t.ID, Outlet: o.ID, At: at})
			}
		}
		for pi, p := range sc.Personas {
			if m.w.sent[ti*len(sc.Personas)+pi] {
				s.Sent = append(s.Sent, TeamPersona{Team: t.ID, Persona: p.ID})
			}
		}
	}
	for i, r := range m.w.replied {
		if r {
			s.Replied = append(s.Replied, m.p.injs[i].ID)
		}
	}
	s.Measures = slices.Clone(m.w.measures)
	s.Milestones = slices.Clone(m.w.milestones)
}

// engagement evaluates an inject's or outlet's engagement counts now; an
// expression that fails is reported as an error event and counts 0.
func (m *Machine) engagement(r *scenario.EngagementRule, cause string) *scenario.Engagement {
	if r == nil {
		return nil
	}
	eng, err := r.Eval(m.envTime())
	if err != nil {
		m.errorEvent(CodeEval, fmt.Sprintf("%s: %v", cause, err))
	}
	return eng
}
