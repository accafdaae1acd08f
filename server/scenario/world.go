package scenario

import (
	"fmt"
	"slices"
	"strings"

	"github.com/expr-lang/expr/ast"
	"go.yaml.in/yaml/v3"
)

// This file loads what lets teams act in the simulated world: outlets
// they publish on, personas they may write to, injects that take replies,
// canned replies the facilitator sends as a persona, and chat lines
// between teams.

// teamLines is a team's `lines` with their positions, checked once every
// team is known.
type teamLines struct {
	t  *Team
	ps []Pos
}

// lineRefs checks a team's chat lines: known teams, not itself, once each.
func (d *decoder) lineRefs(t *Team, ps []Pos) {
	seen := map[string]bool{}
	for i, id := range t.Lines {
		switch {
		case seen[id]:
			d.errs.add(ps[i], "", "team '%s' is listed twice", id)
		case id == t.ID:
			d.errs.add(ps[i], "remove it: a team always has its own room", "team '%s' cannot have a line with itself", id)
		case d.sc.idx.teams[id] == nil:
			d.errs.add(ps[i], d.refHint(id, teamIDs(d.sc), "teams"), "unknown team '%s'", clip(id, 40))
		}
		seen[id] = true
	}
}

// channelOf reads a channel restricted to the given choices.
func (d *decoder) channelOf(n *yaml.Node, key string, allowed []Channel, what string) Channel {
	c := Channel(d.str(n, key))
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
		if a == c {
			return c
		}
	}
	hint := didYouMean(string(c), names)
	if hint == "" {
		hint = oneOf(names)
	}
	d.errs.add(posOf(n), hint, "'%s' cannot be '%s' for %s", key, clip(string(c), 30), what)
	return ""
}

// cannedList reads a list of canned replies; ids are unique within it.
func (d *decoder) cannedList(n *yaml.Node, owner string) []*Canned {
	seen := map[string]Pos{}
	var out []*Canned
	for _, cn := range d.seq(n, "canned") {
		cf := d.fields(cn, cannedSpec, "a canned reply of "+owner)
		before := len(d.errs.list)
		c := &Canned{Pos: posOf(cn),
			ID:    d.str(cf.get("id"), "id"),
			Label: d.text(cf.get("label"), "label"),
			Body:  d.text(cf.get("body"), "body"),
			If:    d.expr(cf.get("if"), "if"),
			After: d.duration(cf.get("after"), "after", maxDuration)}
		if idn := cf.get("id"); idn != nil && d.checkID(c.ID, posOf(idn), "canned reply", idPattern) {
			if p, dup := seen[c.ID]; dup {
				d.errs.add(posOf(idn), fmt.Sprintf("the first one is at line %d", p.Line), "duplicate canned reply id '%s' in %s", c.ID, owner)
			}
			seen[c.ID] = posOf(idn)
		}
		if a := cf.get("after"); a != nil && c.After == 0 && len(d.errs.list) == before {
			d.errs.add(posOf(a), "remove it to offer the reply without sending it automatically", "'after' must be more than 0")
		}
		out = append(out, c)
	}
	return out
}

// outlet reads one outlet.
func (d *decoder) outlet(id string, k, v *yaml.Node) *Outlet {
	sc := d.sc
	of := d.fields(v, outletSpec, "outlet '"+id+"'")
	o := &Outlet{ID: id, Pos: posOf(k),
		Name:     d.text(of.get("name"), "name"),
		As:       d.str(of.get("as"), "as"),
		Platform: d.text(of.get("platform"), "platform"),
		Approval: d.str(of.get("approval"), "approval")}
	if n := of.get("channel"); n != nil {
		o.Channel = d.channelOf(n, "channel", OutletChannels, "an outlet")
	}
	if n := of.get("as"); n != nil && sc.idx.personas[o.As] == nil {
		d.errs.add(posOf(n), d.refHint(o.As, personaIDs(sc), "personas"), "unknown persona '%s'", clip(o.As, 40))
	}
	if n := of.get("platform"); n != nil && o.Channel != "" && o.Channel != Social {
		d.errs.add(posOf(n), "remove it, or set 'channel: social'", "'platform' only applies to social outlets")
	}
	if n := of.get("engagement"); n != nil {
		if o.Channel != "" && o.Channel != Social && o.Channel != News {
			d.errs.add(posOf(n), "remove it, or set 'channel: social' or 'channel: news'", "'engagement' only applies to social and news outlets")
		}
		o.Engagement = d.engagement(n)
	}
	var ps []Pos
	if n := of.get("teams"); n != nil {
		o.Teams, ps = d.strs(n, "teams")
		d.teamRefs(o.Teams, ps, false)
		if len(o.Teams) == 0 && n.Kind == yaml.SequenceNode {
			d.errs.add(posOf(n), "name the teams that may publish here", "outlet '%s' needs at least one team", id)
		}
	}
	if n := of.get("approval"); n != nil && o.Approval != ApprovalLead && sc.idx.teams[o.Approval] == nil {
		d.errs.add(posOf(n), d.approvalHint(o.Approval, teamIDs(sc)),
			"approval '%s' is neither a team nor 'lead'", clip(o.Approval, 40))
	}
	o.Audience = []string{AllTeams}
	if n := of.get("audience"); n != nil {
		ids, ps := d.strs(n, "audience")
		if slices.Contains(ids, AllTeams) {
			if len(ids) > 1 {
				d.errs.add(posOf(n), "write either '*' alone, or teams", "'*' (every team) cannot be combined with teams")
			}
		} else {
			d.teamRefs(ids, ps, false)
			if len(ids) > 0 {
				o.Audience = ids
			}
		}
	}
	return o
}

// AllTeams in an outlet's audience means every team.
const AllTeams = "*"

// injectReplies reads an inject's `reply` and `canned`.
func (d *decoder) injectReplies(in *Inject, f *fields) {
	sc := d.sc
	rn := f.get("reply")
	if cn := f.get("canned"); cn != nil {
		in.Canned = d.cannedList(cn, "inject '"+in.ID+"'")
		if rn == nil {
			d.errs.add(posOf(cn), "add 'reply: true', or move them to the persona", "'canned' replies need an inject that takes replies")
		}
	}
	if rn == nil {
		return
	}
	all := false
	var ids []string
	var ps []Pos
	if rn.Kind == yaml.ScalarNode && rn.Tag == "!!bool" {
		all = d.boolean(rn, "reply")
		if !all {
			return
		}
	} else {
		ids, ps = d.strs(rn, "reply")
		d.teamRefs(ids, ps, false)
	}
	switch {
	case f.get("from") == nil:
		d.errs.add(posOf(rn), "add 'from: <persona id>': replies go to that persona", "an inject that takes replies needs 'from'")
		return
	case in.Channel == Sitrep:
		d.errs.add(posOf(rn), "remove 'reply', or use another channel", "a sitrep is the facilitator's narrative and takes no replies")
		return
	case len(in.Teams) == 1 && in.Teams[0] == FacilitatorTeam:
		d.errs.add(posOf(rn), "remove 'reply', or send the inject to teams", "only the facilitator receives this inject, so no team can reply")
		return
	}
	if all {
		in.Reply = slices.Clone(in.Teams)
		if len(in.Teams) == 0 {
			in.Reply = teamIDs(sc)
		}
		return
	}
	for i, id := range ids {
		if sc.idx.teams[id] != nil && len(in.Teams) > 0 && !slices.Contains(in.Teams, id) {
			d.errs.add(ps[i], "add it to 'teams', or remove it from 'reply'", "team '%s' does not receive inject '%s', so it cannot reply", id, in.ID)
		}
	}
	in.Reply = ids
}

// Outlet returns the outlet with the given id, or nil.
func (sc *Scenario) Outlet(id string) *Outlet { return sc.idx.outlets[id] }

// HasLine reports whether the scenario declares a chat line between two
// different teams (written on either side).
func (sc *Scenario) HasLine(a, b string) bool {
	if a == b {
		return false
	}
	ta, tb := sc.idx.teams[a], sc.idx.teams[b]
	return ta != nil && tb != nil && (slices.Contains(ta.Lines, b) || slices.Contains(tb.Lines, a))
}

// Lines returns every declared line between teams once, as ordered pairs
// (a < b), sorted.
func (sc *Scenario) Lines() [][2]string {
	var out [][2]string
	for _, t := range sc.Teams {
		for _, o := range t.Lines {
			a, b := t.ID, o
			if b < a {
				a, b = b, a
			}
			if !slices.Contains(out, [2]string{a, b}) {
				out = append(out, [2]string{a, b})
			}
		}
	}
	slices.SortFunc(out, func(x, y [2]string) int {
		if c := strings.Compare(x[0], y[0]); c != 0 {
			return c
		}
		return strings.Compare(x[1], y[1])
	})
	return out
}

// PublishedBy reports whether the team may draft and publish on the outlet.
func (o *Outlet) PublishedBy(team string) bool { return slices.Contains(o.Teams, team) }

// SeenBy reports whether the team sees the outlet's publications.
func (o *Outlet) SeenBy(team string) bool {
	return slices.Contains(o.Audience, AllTeams) || slices.Contains(o.Audience, team)
}

// ReachableBy reports whether the team may start a new message to the persona.
func (p *Persona) ReachableBy(team string) bool { return slices.Contains(p.Reachable, team) }

// ViaChannel is how a new message to the persona looks: Via, or email.
func (p *Persona) ViaChannel() Channel {
	if p.Via == "" {
		return Email
	}
	return p.Via
}

// Receives reports whether the inject is delivered to the team.
func (in *Inject) Receives(team string) bool {
	if len(in.Teams) == 0 {
		return team != FacilitatorTeam && team != ""
	}
	return slices.Contains(in.Teams, team)
}

// TakesReplyFrom reports whether the team may reply to the inject.
func (in *Inject) TakesReplyFrom(team string) bool { return slices.Contains(in.Reply, team) }

// publishRef checks the (team, outlet) arguments of published,
// published_at and minutes_since_published: both exist and the team may
// publish there (otherwise the rule could never see a publication).
func (c *exprCompiler) publishRef(lits []string, n *ast.CallNode, at func(ast.Node) Pos) {
	d := c.d
	sc := d.sc
	t := sc.idx.teams[lits[0]]
	if t == nil {
		d.errs.add(at(n.Arguments[0]), d.hintFor(lits[0], teamIDs(sc)), "unknown team '%s'", clip(lits[0], 40))
	}
	o := sc.idx.outlets[lits[1]]
	if o == nil {
		d.errs.add(at(n.Arguments[1]), d.refHint(lits[1], outletIDs(sc), "outlets"), "unknown outlet '%s'", clip(lits[1], 40))
	}
	if t != nil && o != nil && !o.PublishedBy(t.ID) {
		d.errs.add(at(n.Arguments[0]), "teams that publish there: "+strings.Join(o.Teams, ", "),
			"team '%s' cannot publish on outlet '%s', so this never changes", t.ID, o.ID)
	}
}

// sentRef checks the (team, persona) arguments of sent: both exist and the
// team can write to the persona (it is reachable, or speaks in an inject
// that takes the team's replies).
func (c *exprCompiler) sentRef(lits []string, n *ast.CallNode, at func(ast.Node) Pos) {
	d := c.d
	sc := d.sc
	t := sc.idx.teams[lits[0]]
	if t == nil {
		d.errs.add(at(n.Arguments[0]), d.hintFor(lits[0], teamIDs(sc)), "unknown team '%s'", clip(lits[0], 40))
	}
	p := sc.idx.personas[lits[1]]
	if p == nil {
		d.errs.add(at(n.Arguments[1]), d.refHint(lits[1], personaIDs(sc), "personas"), "unknown persona '%s'", clip(lits[1], 40))
	}
	if t == nil || p == nil || p.ReachableBy(t.ID) {
		return
	}
	for _, in := range sc.idx.injects {
		if in.From == p.ID && in.TakesReplyFrom(t.ID) {
			return
		}
	}
	d.errs.add(at(n.Arguments[0]), fmt.Sprintf("add '%s' to the persona's 'reachable', or let it reply to an inject from '%s'", t.ID, p.ID),
		"team '%s' can never write to persona '%s', so this is always false", t.ID, p.ID)
}

func outletIDs(sc *Scenario) []string {
	ids := make([]string, len(sc.Outlets))
	for i, o := range sc.Outlets {
		ids[i] = o.ID
	}
	return ids
}

// approvalHint says what an outlet's approval may name. A misspelt team
// comes first; 'lead' only for a near-miss of the word itself, so that an
// approver team the scenario lacks ('legal') is not steered to 'lead'.
func (d *decoder) approvalHint(name string, teams []string) string {
	if h := didYouMean(name, teams); h != "" {
		return h
	}
	if editDistance(strings.ToLower(name), ApprovalLead) <= 1 {
		return fmt.Sprintf("did you mean '%s'?", ApprovalLead)
	}
	return d.refHint(name, teams, "teams") + "; or write 'lead': the lead of the team that publishes approves"
}
