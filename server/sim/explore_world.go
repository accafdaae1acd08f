package sim

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/ttxsim/ttx/server/scenario"
)

// Explore treats what teams do in the world as an input only where a rule
// reads it: for each fact a rule reads (a team published on an outlet,
// replied to an inject, wrote to a persona) there is one action that makes
// it true, tried at every branch point until taken. Each action is taken at
// most once on a path, so the search grows by at most a factor of two per
// fact read, and only in the states whose rules read it; a scenario whose
// rules read none explores exactly as before.

// worldAct is one action explore may take.
type worldAct struct {
	label string // for example paths: "comms publish newsroom"
	msg   Message
	pub   int // pubAt index it sets, or -1
	inj   int // inject index it replies to, or -1
	sent  int // sent index it sets, or -1
}

// worldActs lists the actions that make a read fact true, in a fixed order.
func worldActs(p *plan) []worldAct {
	sc := p.sc
	var out []worldAct
	add := func(a worldAct) {
		if !slices.ContainsFunc(out, func(b worldAct) bool { return b.label == a.label }) {
			a.msg.ID = fmt.Sprintf("explore-%d", len(out)+1)
			a.msg.Participant, a.msg.Body = "explore", "(explore)"
			out = append(out, a)
		}
	}
	for _, t := range sc.Teams {
		for _, o := range sc.Outlets {
			if !p.refs.published[pairKey(t.ID, o.ID)] || !o.PublishedBy(t.ID) {
				continue
			}
			i, _ := p.pubIdx(t.ID, o.ID)
			add(worldAct{label: t.ID + " publish " + o.ID, pub: i, inj: -1, sent: -1,
				msg: Message{Action: ActionPublish, Team: t.ID, Outlet: o.ID, ApprovedBy: "explore"}})
		}
	}
	reply := func(i int, team string) {
		in := p.injs[i]
		s, _ := p.sentIdx(team, in.From)
		add(worldAct{label: team + " reply " + in.ID, pub: -1, inj: i, sent: s,
			msg: Message{Action: ActionReply, Team: team, Inject: in.ID}})
	}
	for i, in := range p.injs {
		if p.refs.replied[in.ID] && len(in.Reply) > 0 {
			reply(i, in.Reply[0])
		}
	}
	for _, t := range sc.Teams {
		for _, per := range sc.Personas {
			if !p.refs.sent[pairKey(t.ID, per.ID)] {
				continue
			}
			s, _ := p.sentIdx(t.ID, per.ID)
			if per.ReachableBy(t.ID) {
				add(worldAct{label: t.ID + " send " + per.ID, pub: -1, inj: -1, sent: s,
					msg: Message{Action: ActionCompose, Team: t.ID, Persona: per.ID}})
				continue
			}
			for i, in := range p.injs {
				if in.From == per.ID && in.TakesReplyFrom(t.ID) {
					reply(i, t.ID)
				}
			}
		}
	}
	return out
}

// actOpen reports whether an action can still change what the rules read,
// and may be taken now.
func (m *Machine) actOpen(a *worldAct) bool {
	w := &m.w
	// Tried where the state's rules read the fact. Where only the
	// effects of its transitions read it (when the state is left), when
	// it happens before then cannot matter: it is tried once, just before
	// the exit when the state leaves only after fixed delays, else on
	// entering the state.
	live := &m.p.own[m.cur]
	if m.p.afterOnly[m.cur] {
		if m.exitNext() {
			live = &m.p.reads0[m.cur]
		}
	} else if m.now == m.entered {
		live = &m.p.reads0[m.cur]
	}
	switch {
	case a.pub >= 0 && !live.published[pairKey(a.msg.Team, a.msg.Outlet)]:
		return false
	case a.inj >= 0 && !live.replied[m.p.injs[a.inj].ID] && !live.sent[pairKey(a.msg.Team, m.p.injs[a.inj].From)]:
		return false
	case a.pub < 0 && a.inj < 0 && !live.sent[pairKey(a.msg.Team, a.msg.Persona)]:
		return false
	}
	switch {
	case a.pub >= 0:
		return w.pubAt[a.pub] < 0
	case a.inj >= 0:
		if !m.delivered[a.inj] {
			return false
		}
		return (!w.replied[a.inj] && live.replied[m.p.injs[a.inj].ID]) || (a.sent >= 0 && !w.sent[a.sent] && live.sent[pairKey(a.msg.Team, m.p.injs[a.inj].From)])
	default:
		return !w.sent[a.sent]
	}
}

func (x *explorer) actsOpen(m *Machine) bool {
	for i := range x.p.acts {
		if m.actOpen(&x.p.acts[i]) {
			return true
		}
	}
	return false
}

// actBranches explores taking each open action now.
func (x *explorer) actBranches(m *Machine, depth int, acc summary) (summary, error) {
	for i := range x.p.acts {
		a := &x.p.acts[i]
		if !m.actOpen(a) {
			continue
		}
		c, err := x.branch(m)
		if err != nil {
			return nil, err
		}
		evs, err := c.Send(m.now, a.msg)
		if err != nil {
			return nil, fmt.Errorf("sim: explore: %s at %s: %w", a.label, FormatClock(m.now), err)
		}
		s, err := x.follow(c, depth, step{at: m.now, act: a.label}, evs)
		if err != nil {
			return nil, err
		}
		acc = acc.add(s, 0)
	}
	return acc, nil
}

// worldKey appends what the rules read of the world to a situation key;
// nothing when they read none of it.
func (m *Machine) worldKey(b []byte) []byte {
	p := m.p
	if len(p.acts) == 0 && len(p.refs.deliveredAt) == 0 {
		return b
	}
	b = append(b, 'w')
	live := &p.live[m.cur]
	for ti, t := range p.sc.Teams {
		for oi, o := range p.sc.Outlets {
			k := pairKey(t.ID, o.ID)
			if !live.published[k] {
				continue
			}
			at := m.w.pubAt[ti*len(p.sc.Outlets)+oi]
			b = appendBool(b, at >= 0)
			if at >= 0 && live.pubAbs[k] {
				b = binary.AppendVarint(b, int64(at))
			}
			if at >= 0 && live.pubRel[k] {
				b = binary.AppendVarint(b, int64(m.now-at))
			}
		}
		for pi, per := range p.sc.Personas {
			if live.sent[pairKey(t.ID, per.ID)] {
				b = appendBool(b, m.w.sent[ti*len(p.sc.Personas)+pi])
			}
		}
	}
	for i, in := range p.injs {
		if live.replied[in.ID] {
			b = appendBool(b, m.w.replied[i])
		}
		if live.deliveredAt[in.ID] {
			b = binary.AppendVarint(b, int64(m.w.deliveredAt[i]))
		}
	}
	return b
}

// worldLive lists, for each state, the world facts its own rules read
// (own: its actions are tried there, "by the time a rule reads it") and
// those the rules of the states reachable from it, itself included, read
// (live: once the exercise has left every state whose rules read a fact,
// the fact no longer splits situations).
func worldLive(p *plan) (own, exit, live []refs) {
	own, exit = stateRefs(p.sc)
	live = make([]refs, len(p.sc.States))
	for si, reach := range reachable(p) {
		r := newRefs()
		for _, s := range reach {
			mergeRefs(&r, &own[s])
			mergeRefs(&r, &exit[s])
		}
		live[si] = r
	}
	return own, exit, live
}

// unionRefs merges two reads.
func unionRefs(a, b refs) refs {
	r := newRefs()
	mergeRefs(&r, &a)
	mergeRefs(&r, &b)
	return r
}

// exitNext reports whether the next thing due is a timed transition out of
// the current state (nothing else falls due before it).
func (m *Machine) exitNext() bool {
	for _, it := range m.sched {
		if it.kind == itemTransition {
			return it.due == m.sched[0].due
		}
	}
	return false
}

// afterOnly marks the states left only by transitions without `when`.
func afterOnly(p *plan) []bool {
	out := make([]bool, len(p.sc.States))
	for si, st := range p.sc.States {
		out[si] = len(st.Transitions) > 0 && !slices.ContainsFunc(st.Transitions, func(t *scenario.Transition) bool { return t.When != nil })
	}
	return out
}
