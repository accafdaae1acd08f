package scenario

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Load reads a scenario file (at most MaxFileSize bytes) and parses it.
func Load(path string) (*Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: open: %w", err)
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("scenario: read %s: %w", path, err)
	}
	if len(src) > MaxFileSize {
		return nil, ErrorList{{File: path, Line: 1, Col: 1,
			Msg: fmt.Sprintf("the file is larger than %d KiB", MaxFileSize>>10), Hint: "split it, or move long text out of it"}}
	}
	return Parse(path, src)
}

// Parse decodes, validates and compiles a scenario. When the file is invalid
// the error is an ErrorList holding every problem found, sorted by position.
func Parse(file string, src []byte) (*Scenario, error) {
	sc, _, err := parse(file, src, false)
	return sc, err
}

// parse is Parse with optional tracking of the keys read (for tests).
func parse(file string, src []byte, track bool) (*Scenario, map[string]bool, error) {
	e := &errs{file: file}
	if len(src) > MaxFileSize {
		e.add(Pos{1, 1}, "split it, or move long text out of it", "the file is larger than %d KiB", MaxFileSize>>10)
		return nil, nil, e.result()
	}
	var root *yaml.Node
	e.run(func() { root = parseYAML(e, src) })
	if root == nil {
		return nil, nil, e.result()
	}
	d := &decoder{errs: e, sc: &Scenario{File: file, Source: src}}
	if track {
		d.used = map[string]bool{}
	}
	e.run(func() {
		d.scenario(root)
		d.validate(len(e.list) == 0)
	})
	if err := e.result(); err != nil {
		return nil, d.used, err
	}
	d.release()
	return d.sc, d.used, nil
}

// release drops the YAML tree so a loaded scenario holds only its model.
func (d *decoder) release() {
	for _, x := range d.conds {
		x.node = nil
	}
	for _, f := range d.effects {
		f.node = nil
	}
	for _, x := range d.counts {
		x.node = nil
	}
	for _, x := range d.numbers {
		x.node = nil
	}
}

func (d *decoder) scenario(root *yaml.Node) {
	sc := d.sc
	f := d.fields(root, scenarioSpec, "the scenario")
	sc.idx = index{
		params: map[string]*Parameter{}, teams: map[string]*Team{}, objectives: map[string]*Objective{},
		personas: map[string]*Persona{}, outlets: map[string]*Outlet{}, variables: map[string]*Variable{}, states: map[string]*State{},
		decisions: map[string]*Decision{}, injects: map[string]*Inject{}, stateOf: map[string]*State{},
	}
	if n := f.get("id"); n != nil {
		sc.ID = d.str(n, "id")
		d.checkID(sc.ID, posOf(n), "scenario", idPattern)
	}
	sc.Title = d.text(f.get("title"), "title")
	sc.Summary = d.text(f.get("summary"), "summary")
	sc.Duration = d.duration(f.get("duration"), "duration", maxDuration)
	sc.Tags, _ = d.strs(f.get("tags"), "tags")
	sc.BasedOn = d.text(f.get("based_on"), "based_on")
	if n := f.get("story_start"); n != nil {
		sc.StoryStart = d.storyStart(n)
	}

	d.entries(f.get("parameters"), "parameters", "parameter", varPattern, func(id string, k, v *yaml.Node) {
		pf := d.fields(v, parameterSpec, "parameter '"+id+"'")
		p := &Parameter{ID: id, Pos: posOf(k),
			Label:       d.str(pf.get("label"), "label"),
			Default:     d.str(pf.get("default"), "default"),
			Description: d.str(pf.get("description"), "description")}
		if p.Label == "" {
			p.Label = id
		}
		if strings.Contains(p.Default, "{{") {
			d.errs.add(posOf(pf.get("default")), "", "a parameter's default cannot use {{placeholders}}")
		}
		d.paramType(p, pf)
		sc.Parameters = append(sc.Parameters, p)
		sc.idx.params[id] = p
	})
	var lines []teamLines
	d.entries(f.get("teams"), "teams", "team", idPattern, func(id string, k, v *yaml.Node) {
		if id == FacilitatorTeam {
			d.errs.add(posOf(k), "the facilitator is always present; choose another team id", "'%s' is reserved", id)
			return
		}
		tf := d.fields(v, teamSpec, "team '"+id+"'")
		t := &Team{ID: id, Pos: posOf(k), Name: d.text(tf.get("name"), "name"), Brief: d.text(tf.get("brief"), "brief")}
		var ps []Pos
		t.Lines, ps = d.strs(tf.get("lines"), "lines")
		lines = append(lines, teamLines{t, ps})
		sc.Teams = append(sc.Teams, t)
		sc.idx.teams[id] = t
	})
	for _, l := range lines {
		d.lineRefs(l.t, l.ps)
	}
	if n := f.get("teams"); n != nil && len(sc.Teams) == 0 && n.Kind == yaml.MappingNode && len(n.Content) == 0 {
		d.errs.add(posOf(n), "add at least one team, for example 'comms: {name: Communications}'", "the scenario has no teams")
	}
	d.entries(f.get("objectives"), "objectives", "objective", idPattern, func(id string, k, v *yaml.Node) {
		of := d.fields(v, objectiveSpec, "objective '"+id+"'")
		o := &Objective{ID: id, Pos: posOf(k),
			Title:      d.text(of.get("title"), "title"),
			Capability: d.text(of.get("capability"), "capability"),
			Met:        d.text(of.get("met"), "met")}
		var ps []Pos
		o.Teams, ps = d.strs(of.get("teams"), "teams")
		d.teamRefs(o.Teams, ps, false)
		o.Measure = d.expr(of.get("measure"), "measure")
		d.objectiveEval(o, of)
		sc.Objectives = append(sc.Objectives, o)
		sc.idx.objectives[id] = o
	})
	d.entries(f.get("personas"), "personas", "persona", idPattern, func(id string, k, v *yaml.Node) {
		pf := d.fields(v, personaSpec, "persona '"+id+"'")
		p := &Persona{ID: id, Pos: posOf(k),
			Name:   d.text(pf.get("name"), "name"),
			Handle: d.text(pf.get("handle"), "handle"),
			Email:  d.text(pf.get("email"), "email"),
			Org:    d.text(pf.get("org"), "org"),
			Avatar: d.str(pf.get("avatar"), "avatar"),
			Role:   d.text(pf.get("role"), "role")}
		var ps []Pos
		p.Reachable, ps = d.strs(pf.get("reachable"), "reachable")
		d.teamRefs(p.Reachable, ps, false)
		if n := pf.get("via"); n != nil {
			p.Via = d.channelOf(n, "via", Vias, "a new message to a persona")
		}
		p.Canned = d.cannedList(pf.get("canned"), "persona '"+id+"'")
		if p.Email != "" && !ValidEmail(Render(p.Email, d.paramDefaults())) {
			d.errs.add(posOf(pf.get("email")), "write one address such as 'dana.reyes@ledger.example' (no name, no <>)", "email '%s' is not a valid address", clip(p.Email, 60))
		}
		if n := len([]rune(p.Avatar)); n > 2 {
			d.errs.add(posOf(pf.get("avatar")), "use one or two characters, such as initials", "avatar '%s' is too long", clip(p.Avatar, 20))
		}
		// A name built from a parameter ("{{company}} Support") gets its
		// initial only once rendered, which sim does per exercise.
		if p.Avatar == "" && p.Name != "" && !strings.Contains(p.Name, "{{") {
			p.Avatar = strings.ToUpper(string([]rune(strings.TrimSpace(p.Name))[:1]))
		}
		sc.Personas = append(sc.Personas, p)
		sc.idx.personas[id] = p
	})
	d.entries(f.get("outlets"), "outlets", "outlet", idPattern, func(id string, k, v *yaml.Node) {
		o := d.outlet(id, k, v)
		sc.Outlets = append(sc.Outlets, o)
		sc.idx.outlets[id] = o
	})
	d.entries(f.get("variables"), "variables", "variable", varPattern, func(id string, k, v *yaml.Node) {
		if reservedName(id) {
			d.errs.add(posOf(k), "choose another name, for example '"+id+"_level'", "'%s' is reserved by the expression language and cannot name a variable", id)
			return
		}
		if _, clash := sc.idx.params[id]; clash {
			d.errs.add(posOf(k), "rename one of them", "variable '%s' has the same name as a parameter", id)
		}
		sc.Variables = append(sc.Variables, d.variable(id, k, v))
		sc.idx.variables[id] = sc.Variables[len(sc.Variables)-1]
	})
	if n := f.get("start"); n != nil {
		sc.Start = d.str(n, "start")
	}
	statesNode := f.get("states")
	d.entries(statesNode, "states", "state", idPattern, func(id string, k, v *yaml.Node) {
		if len(sc.States) >= maxStates {
			d.errs.add(posOf(k), "", "too many states (at most %d)", maxStates)
			return
		}
		s := d.state(id, k, v)
		sc.States = append(sc.States, s)
		sc.idx.states[id] = s
	})
	if statesNode != nil && len(sc.States) == 0 && statesNode.Kind == yaml.MappingNode && len(statesNode.Content) == 0 {
		d.errs.add(posOf(statesNode), "", "the scenario has no states")
	}
	if n := f.get("start"); n != nil && sc.Start != "" && len(sc.States) > 0 {
		if sc.idx.states[sc.Start] == nil {
			d.errs.add(posOf(n), d.hintFor(sc.Start, stateIDs(sc)), "start state '%s' does not exist", sc.Start)
		}
	}
}

func stateIDs(sc *Scenario) []string {
	ids := make([]string, len(sc.States))
	for i, s := range sc.States {
		ids[i] = s.ID
	}
	return ids
}

// hintFor is didYouMean with a fallback listing the choices when few.
func (d *decoder) hintFor(name string, ids []string) string {
	if h := didYouMean(name, ids); h != "" {
		return h
	}
	if len(ids) == 0 {
		return ""
	}
	if len(ids) <= 8 {
		return "known ids: " + strings.Join(ids, ", ")
	}
	return ""
}

var storyLayouts = []string{
	time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04Z07:00", "2006-01-02T15:04",
	"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02",
}

func (d *decoder) storyStart(n *yaml.Node) time.Time {
	if n.Kind == yaml.ScalarNode {
		for _, l := range storyLayouts {
			if t, err := time.Parse(l, strings.TrimSpace(n.Value)); err == nil {
				return t
			}
		}
	}
	d.errs.add(posOf(n), "write it like 2026-02-08T09:00 (optionally with seconds and a zone such as Z or +01:00)", "'story_start' is not a date and time: %s", kindName(n))
	return time.Time{}
}

func (d *decoder) variable(id string, k, v *yaml.Node) *Variable {
	vf := d.fields(v, variableSpec, "variable '"+id+"'")
	x := &Variable{ID: id, Pos: posOf(k),
		Label:       d.text(vf.get("label"), "label"),
		Description: d.text(vf.get("description"), "description"),
		Visible:     d.boolean(vf.get("visible"), "visible")}
	if x.Label == "" {
		x.Label = id
	}
	types := []string{string(Number), string(Bool), string(String)}
	if n := vf.get("type"); n != nil {
		t := d.str(n, "type")
		if !contains(types, t) {
			hint := didYouMean(t, types)
			if hint == "" {
				hint = oneOf(types)
			}
			d.errs.add(posOf(n), hint, "unknown variable type '%s'", clip(t, 30))
			return x
		}
		x.Type = VarType(t)
	} else {
		return x
	}
	for _, key := range []string{"min", "max"} {
		n := vf.get(key)
		if n == nil {
			continue
		}
		if x.Type != Number {
			d.errs.add(posOf(n), "remove it", "'%s' only applies to number variables", key)
			continue
		}
		if f, ok := d.number(n, key); ok {
			if key == "min" {
				x.Min = &f
			} else {
				x.Max = &f
			}
		}
	}
	if x.Min != nil && x.Max != nil && *x.Min > *x.Max {
		d.errs.add(posOf(vf.get("max")), "", "max (%g) is less than min (%g)", *x.Max, *x.Min)
	}
	n := vf.get("initial")
	switch x.Type {
	case Number:
		x.Initial = 0.0
		if n != nil {
			if f, ok := d.number(n, "initial"); ok {
				x.Initial = f
				if (x.Min != nil && f < *x.Min) || (x.Max != nil && f > *x.Max) {
					d.errs.add(posOf(n), "", "initial value %g is outside min/max", f)
				}
			}
		} else {
			// No initial value: 0, moved into [min, max] if outside.
			f := 0.0
			if x.Min != nil && f < *x.Min {
				f = *x.Min
			}
			if x.Max != nil && f > *x.Max {
				f = *x.Max
			}
			x.Initial = f
		}
	case Bool:
		x.Initial = false
		if n != nil {
			x.Initial = d.boolean(n, "initial")
		}
	case String:
		x.Initial = ""
		if n != nil {
			if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
				d.errs.add(posOf(n), "quote it", "'initial' of a string variable must be text, found %s", kindName(n))
			} else {
				x.Initial = n.Value
			}
		}
	}
	return x
}

func (d *decoder) state(id string, k, v *yaml.Node) *State {
	sf := d.fields(v, stateSpec, "state '"+id+"'")
	s := &State{ID: id, Pos: posOf(k),
		Title:            d.text(sf.get("title"), "title"),
		Description:      d.text(sf.get("description"), "description"),
		FacilitatorNotes: d.text(sf.get("facilitator_notes"), "facilitator_notes"),
		StoryJump:        d.duration(sf.get("story_jump"), "story_jump", maxStoryJump),
		Debrief:          d.liveText(sf.get("debrief"), "debrief")}
	if s.Title == "" {
		s.Title = id
	}
	s.StoryAt = d.storyAt(sf.get("story_at"), d.sc.StoryStart, sf.get("story_jump") != nil)
	for _, q := range d.seq(sf.get("discussion"), "discussion") {
		s.Discussion = append(s.Discussion, d.text(q, "discussion"))
	}
	s.OnEnter = d.effectList(sf.get("on_enter"), "on_enter")
	for _, n := range d.seq(sf.get("injects"), "injects") {
		if in := d.inject(s, n); in != nil {
			s.Injects = append(s.Injects, in)
		}
	}
	for _, n := range d.seq(sf.get("decisions"), "decisions") {
		if dc := d.decision(s, n); dc != nil {
			s.Decisions = append(s.Decisions, dc)
		}
	}
	for _, n := range d.seq(sf.get("timers"), "timers") {
		tf := d.fields(n, timerSpec, "a timer of state '"+id+"'")
		t := &Timer{Pos: posOf(n),
			After:   d.duration(tf.get("after"), "after", maxDuration),
			Every:   d.duration(tf.get("every"), "every", maxDuration),
			If:      d.expr(tf.get("if"), "if"),
			Effects: d.effectList(tf.get("effects"), "effects")}
		if e := tf.get("every"); e != nil && t.Every < minTimerEvery*time.Second {
			d.errs.add(posOf(e), "", "'every' must be at least %ds", minTimerEvery)
		}
		s.Timers = append(s.Timers, t)
	}
	for _, n := range d.seq(sf.get("transitions"), "transitions") {
		tf := d.fields(n, transitionSpec, "a transition of state '"+id+"'")
		t := &Transition{Pos: posOf(n),
			To:      d.str(tf.get("to"), "to"),
			When:    d.expr(tf.get("when"), "when"),
			After:   d.duration(tf.get("after"), "after", maxDuration),
			Effects: d.effectList(tf.get("effects"), "effects"),
			Label:   d.text(tf.get("label"), "label")}
		if to := tf.get("to"); to != nil {
			d.stateRefs = append(d.stateRefs, textRef{s: t.To, pos: posOf(to)})
		}
		if tf.get("when") == nil && tf.get("after") == nil && n.Kind == yaml.MappingNode {
			d.errs.add(posOf(n), "add 'when: <condition>' or 'after: 5m' (use 'when: true' to move on at once)", "transition to '%s' needs 'when' or 'after'", t.To)
		}
		s.Transitions = append(s.Transitions, t)
	}
	if n := sf.get("outcome"); n != nil {
		s.Outcome = d.str(n, "outcome")
		d.checkID(s.Outcome, posOf(n), "outcome", idPattern)
	}
	if n := sf.get("rating"); n != nil {
		s.Rating = d.str(n, "rating")
		if !contains(ratings, s.Rating) {
			hint := didYouMean(s.Rating, ratings)
			if hint == "" {
				hint = oneOf(ratings)
			}
			d.errs.add(posOf(n), hint, "unknown rating '%s'", clip(s.Rating, 30))
		} else if s.Outcome == "" {
			d.errs.add(posOf(n), "add 'outcome: <id>' to make this state final", "'rating' only applies to final states")
		}
	}
	return s
}

// registerItem records a decision or inject id, unique across the file.
func (d *decoder) registerItem(s *State, id string, p Pos, kind string) bool {
	if !d.checkID(id, p, kind, idPattern) {
		return false
	}
	sc := d.sc
	if o := sc.idx.stateOf[id]; o != nil {
		what := "an inject"
		if sc.idx.decisions[id] != nil {
			what = "a decision"
		}
		d.errs.add(p, "decision and inject ids must be unique across the whole file", "duplicate id '%s': already used by %s in state '%s'", id, what, o.ID)
		if d.dupIDs == nil {
			d.dupIDs = map[string]bool{}
		}
		d.dupIDs[id] = true
		return false
	}
	sc.idx.stateOf[id] = s
	return true
}

func (d *decoder) inject(s *State, n *yaml.Node) *Inject {
	f := d.fields(n, injectSpec, "an inject of state '"+s.ID+"'")
	in := &Inject{Pos: posOf(n),
		ID:       d.str(f.get("id"), "id"),
		At:       d.duration(f.get("at"), "at", maxDuration),
		From:     d.str(f.get("from"), "from"),
		Title:    d.liveText(f.get("title"), "title"),
		Body:     d.liveText(f.get("body"), "body"),
		To:       d.text(f.get("to"), "to"),
		Platform: d.text(f.get("platform"), "platform"),
		Level:    d.text(f.get("level"), "level"),
		Ref:      d.text(f.get("ref"), "ref"),
		Image:    d.text(f.get("image"), "image"),
		If:       d.expr(f.get("if"), "if"),
		Notes:    d.text(f.get("notes"), "notes")}
	if in.ID != "" {
		if !d.registerItem(s, in.ID, posOf(f.get("id")), "inject") {
			in.ID = ""
		} else {
			d.sc.idx.injects[in.ID] = in
		}
	}
	var ps []Pos
	in.Teams, ps = d.strs(f.get("teams"), "teams")
	d.teamRefs(in.Teams, ps, true)
	in.Objectives, ps = d.strs(f.get("objectives"), "objectives")
	d.objectiveRefs(in.Objectives, ps)
	if c := f.get("channel"); c != nil {
		in.Channel = Channel(d.str(c, "channel"))
		names := make([]string, len(Channels))
		valid := false
		for i, ch := range Channels {
			names[i] = string(ch)
			valid = valid || ch == in.Channel
		}
		if !valid {
			hint := didYouMean(string(in.Channel), names)
			if hint == "" {
				hint = oneOf(names)
			}
			d.errs.add(posOf(c), hint, "unknown channel '%s'", clip(string(in.Channel), 30))
		}
	}
	if p := f.get("from"); p != nil {
		if d.sc.idx.personas[in.From] == nil {
			d.errs.add(posOf(p), d.refHint(in.From, personaIDs(d.sc), "personas"), "unknown persona '%s'", clip(in.From, 40))
		}
	} else if in.Channel == Social && f.get("channel") != nil {
		d.errs.add(f.pos, "add 'from: <persona id>' naming the account that posts it", "a social post needs 'from'")
	}
	d.injectReplies(in, f)
	if e := f.get("engagement"); e != nil {
		if in.Channel != Social && in.Channel != News {
			d.errs.add(posOf(e), "remove it, or set 'channel: social'", "'engagement' only applies to social posts and news stories")
		}
		in.Engagement = d.engagement(e)
	}
	return in
}

func personaIDs(sc *Scenario) []string {
	ids := make([]string, len(sc.Personas))
	for i, p := range sc.Personas {
		ids[i] = p.ID
	}
	return ids
}

// teamRefs checks a list of team ids; facilitatorOK allows the facilitator
// pseudo-team, alone.
func (d *decoder) teamRefs(ids []string, ps []Pos, facilitatorOK bool) {
	seen := map[string]bool{}
	for i, id := range ids {
		switch {
		case seen[id]:
			d.errs.add(ps[i], "", "team '%s' is listed twice", id)
		case id == FacilitatorTeam && facilitatorOK:
			if len(ids) > 1 {
				d.errs.add(ps[i], "list either the facilitator alone, or teams", "'facilitator' cannot be combined with teams")
			}
		case d.sc.idx.teams[id] == nil:
			d.errs.add(ps[i], d.refHint(id, teamIDs(d.sc), "teams"), "unknown team '%s'", clip(id, 40))
		}
		seen[id] = true
	}
}

func teamIDs(sc *Scenario) []string {
	ids := make([]string, len(sc.Teams))
	for i, t := range sc.Teams {
		ids[i] = t.ID
	}
	return ids
}

func (d *decoder) objectiveRefs(ids []string, ps []Pos) {
	var known []string
	for _, o := range d.sc.Objectives {
		known = append(known, o.ID)
	}
	for i, id := range ids {
		if d.sc.idx.objectives[id] == nil {
			d.errs.add(ps[i], d.refHint(id, known, "objectives"), "unknown objective '%s'", clip(id, 40))
		}
	}
}

func (d *decoder) decision(s *State, n *yaml.Node) *Decision {
	f := d.fields(n, decisionSpec, "a decision of state '"+s.ID+"'")
	dc := &Decision{Pos: posOf(n),
		ID:         d.str(f.get("id"), "id"),
		Team:       d.str(f.get("team"), "team"),
		Prompt:     d.liveText(f.get("prompt"), "prompt"),
		FreeText:   d.boolean(f.get("free_text"), "free_text"),
		Mode:       ModeFirst,
		Confidence: d.boolean(f.get("confidence"), "confidence"),
		Rationale:  d.boolean(f.get("rationale"), "rationale"),
		At:         d.duration(f.get("at"), "at", maxDuration),
		TimeLimit:  d.duration(f.get("time_limit"), "time_limit", maxDuration),
		Default:    d.str(f.get("default"), "default"),
		If:         d.expr(f.get("if"), "if"),
		Notes:      d.text(f.get("notes"), "notes")}
	if dc.ID != "" {
		if !d.registerItem(s, dc.ID, posOf(f.get("id")), "decision") {
			dc.ID = ""
		} else {
			d.sc.idx.decisions[dc.ID] = dc
		}
	}
	if t := f.get("team"); t != nil && dc.Team != FacilitatorTeam && d.sc.idx.teams[dc.Team] == nil {
		d.errs.add(posOf(t), d.refHint(dc.Team, append(teamIDs(d.sc), FacilitatorTeam), "teams"), "unknown team '%s'", clip(dc.Team, 40))
	}
	var ps []Pos
	dc.Objectives, ps = d.strs(f.get("objectives"), "objectives")
	d.objectiveRefs(dc.Objectives, ps)
	modes := []string{string(ModeFirst), string(ModeLead), string(ModeVote)}
	if m := f.get("mode"); m != nil {
		dc.Mode = DecisionMode(d.str(m, "mode"))
		if !contains(modes, string(dc.Mode)) {
			hint := didYouMean(string(dc.Mode), modes)
			if hint == "" {
				hint = oneOf(modes)
			}
			d.errs.add(posOf(m), hint, "unknown decision mode '%s'", clip(string(dc.Mode), 30))
		} else if dc.Team == FacilitatorTeam && dc.Mode != ModeFirst {
			d.errs.add(posOf(m), "remove 'mode'", "the facilitator answers alone: mode '%s' does not apply", dc.Mode)
		} else if dc.Mode == ModeVote && f.get("time_limit") == nil {
			d.errs.add(posOf(m), "add 'time_limit: 5m' (votes are counted when it expires)", "a vote needs a time_limit")
		}
	}
	if tl := f.get("time_limit"); tl != nil && strings.TrimSpace(tl.Value) == "0" {
		d.errs.add(posOf(tl), "remove it, or give a positive duration", "'time_limit' must be more than 0")
	}
	d.settle(dc, f.get("settle"), f.get("time_limit") != nil)
	seen := map[string]Pos{}
	for _, on := range d.seq(f.get("options"), "options") {
		of := d.fields(on, optionSpec, "an option of decision '"+dc.ID+"'")
		o := &Option{Pos: posOf(on),
			ID:      d.str(of.get("id"), "id"),
			Label:   d.text(of.get("label"), "label"),
			Effects: d.effectList(of.get("effects"), "effects"),
			Notes:   d.text(of.get("notes"), "notes"),
			Score:   d.score(of.get("score"))}
		if idn := of.get("id"); idn != nil && d.checkID(o.ID, posOf(idn), "option", idPattern) {
			if p, dup := seen[o.ID]; dup {
				d.errs.add(posOf(idn), fmt.Sprintf("the first one is at line %d", p.Line), "duplicate option id '%s'", o.ID)
			}
			seen[o.ID] = posOf(idn)
		}
		dc.Options = append(dc.Options, o)
	}
	d.decisionEval(dc, f)
	if len(dc.Options) == 0 && !dc.FreeText && n.Kind == yaml.MappingNode {
		d.errs.add(posOf(n), "add 'options:' or 'free_text: true'", "decision '%s' has no options and no free text", dc.ID)
	}
	if df := f.get("default"); df != nil {
		var ids []string
		for _, o := range dc.Options {
			ids = append(ids, o.ID)
		}
		if !contains(ids, dc.Default) {
			d.errs.add(posOf(df), d.hintFor(dc.Default, ids), "default '%s' is not an option of decision '%s'", clip(dc.Default, 40), dc.ID)
		}
	}
	return dc
}
