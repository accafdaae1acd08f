package documents

import (
	"fmt"
	"strings"
	"time"

	"github.com/ttxsim/ttx/server/msel"
	"github.com/ttxsim/ttx/server/scenario"
	"github.com/ttxsim/ttx/server/sim"
)

// Handling banners.
const (
	PlayerSafe      = "Player handout — safe to give to every participant"
	FacilitatorOnly = "Facilitator and evaluators only — do not give to players"
)

// generalQuestions close every SITMAN's discussion questions: they fit any
// incident and give away nothing.
var generalQuestions = []string{
	"What do you know for certain, what do you only suspect, and how would you tell the difference?",
	"Who needs to know right now — inside the organisation and outside it — and who tells them?",
	"Who decides, and what do they need from you to decide?",
	"What would you regret not having written down in the first hour?",
	"Which of your plans, playbooks or contacts would you reach for now? Are they where you think they are?",
}

// groundRules are the SITMAN's ground rules, assumptions and
// artificialities.
var groundRules = []string{
	"This is a no-fault exercise: it tests plans, procedures and tools, not people.",
	"Respond as you would in a real incident, with the authority and resources you really have.",
	"The scenario is plausible but fictional; accept it and work within it, even where details differ from your own systems.",
	"Injects arrive in your team's feed as emails, posts, calls, tickets and messages; some ask for a decision with a time limit.",
	"Time may be compressed or sped up by the facilitator; the story clock can jump ahead between modules.",
	"Decisions you take change what happens next: there is no single script.",
	"Observers watch and take notes; they do not take part. Ask the facilitator if something is unclear.",
	"What you say in the exercise stays in the exercise, except the lessons for the improvement plan.",
}

// render fills {{param}} placeholders.
type render map[string]string

func (p render) s(text string) string { return strings.TrimSpace(scenario.Render(text, p)) }

func teamName(sc *scenario.Scenario, id string) string {
	if id == scenario.FacilitatorTeam {
		return "Facilitator"
	}
	if t := sc.Team(id); t != nil {
		return t.Name
	}
	return id
}

func teamList(sc *scenario.Scenario, ids []string) string {
	if len(ids) == 0 {
		return "All teams"
	}
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = teamName(sc, id)
	}
	return strings.Join(names, ", ")
}

// storyTimesNote says which story times the MSEL gives (see msel.StoryEntries).
const storyTimesNote = "Story times are given where the scenario fixes them: in the first module, in a module entered only by timed exits, and in one whose story clock moves to a set time (unless the clock has already passed it). Where the time of entering depends on the teams' decisions (a condition, several ways in, a loop), the module says so and gives no story time. The facilitator's extra time or forced moves shift every time after them."

func storyStart(sc *scenario.Scenario) string {
	if sc.StoryStart.IsZero() {
		return ""
	}
	return sc.StoryStart.Format("Monday 2 January 2006, 15:04")
}

// SITMAN is the situation manual handed to players: overview, objectives
// and capabilities, participants, schedule, ground rules, then the first
// module — the starting situation, each team's brief and the discussion
// questions. It holds nothing facilitator-only (notes, descriptions,
// roles, variables, effects, expected actions, "met" criteria, outcomes)
// and nothing from later modules: a team learns those by playing.
func SITMAN(sc *scenario.Scenario, params map[string]string) Doc {
	p := render(params)
	start := sc.State(sc.Start)
	d := Doc{Kind: "Situation Manual", Title: p.s(sc.Title), Handling: PlayerSafe}

	over := Fields{{"Exercise", p.s(sc.Title)}, {"Type", "Discussion-based tabletop exercise, played live: injects arrive in each team's feed and teams answer decisions"}}
	if sc.Duration > 0 {
		over = append(over, Field{"Length of play", "about " + humanDuration(sc.Duration) + ", then a hot wash"})
	}
	names := make([]string, len(sc.Teams))
	for i, t := range sc.Teams {
		names[i] = t.Name
	}
	over = append(over, Field{"Teams", strings.Join(names, ", ")})
	if s := storyStart(sc); s != "" {
		over = append(over, Field{"The story begins", s})
	}
	if len(sc.Objectives) > 0 {
		var caps []string
		for _, o := range sc.Objectives {
			if o.Capability != "" && !contains(caps, o.Capability) {
				caps = append(caps, o.Capability)
			}
		}
		if len(caps) > 0 {
			over = append(over, Field{"Core capabilities", strings.Join(caps, "; ")})
		}
	}
	d.Sections = append(d.Sections, Section{Title: "Exercise overview", Blocks: []Block{
		over,
		Heading("Purpose"),
		Text("This exercise lets the teams practise their response to the incident below, together and under time pressure, and find what to improve in their plans, procedures and tools. It is no test of individuals."),
		Heading("Scenario"),
		// Not the scenario's summary: it tells the plot, root cause
		// included, and players learn that by playing.
		Text("The first module below sets out the situation as it stands when play begins. Everything after that reaches the teams during the exercise, as it would in a real incident."),
	}})

	if len(sc.Objectives) > 0 {
		t := Table{Head: []string{"Objective", "Core capability", "Teams"}}
		for _, o := range sc.Objectives {
			t.Rows = append(t.Rows, []string{p.s(o.Title), o.Capability, teamList(sc, o.Teams)})
		}
		d.Sections = append(d.Sections, Section{Title: "Objectives and core capabilities", Blocks: []Block{
			Text("The exercise is evaluated against these objectives."), t}})
	}

	d.Sections = append(d.Sections, Section{Title: "Participants and roles", Blocks: []Block{
		Fields{
			{"Players", "Members of the teams below. They respond to the scenario from their own roles, discuss, decide, and write what their team would say."},
			{"Facilitator", "Runs the exercise: starts and paces it, sends injects, keeps time, answers as the people in the story, and leads the hot wash."},
			{"Observers and evaluators", "Watch one or more teams, take notes and rate how the objectives were met. They do not play."},
		},
		teamTable(sc),
	}})

	sched := Table{Head: []string{"Exercise time", "Activity", "Story time"}}
	sched.Rows = append(sched.Rows, []string{"Before the start", "Welcome, this manual, ground rules; teams join from their browsers", ""})
	if start != nil {
		sched.Rows = append(sched.Rows, []string{"0:00", "Module 1: " + p.s(start.Title), storyStart(sc)})
	}
	if nonFinal(sc) > 1 {
		sched.Rows = append(sched.Rows, []string{"As play goes on", "Further modules: the situation develops from your decisions; each is revealed as you reach it", ""})
	}
	end := "End of play"
	if sc.Duration > 0 {
		end = "About " + clock(sc.Duration)
	}
	sched.Rows = append(sched.Rows, []string{end, "End of play, then the hot wash: what went well, what to improve", ""})
	d.Sections = append(d.Sections, Section{Title: "Structure and schedule", Blocks: []Block{sched}})

	d.Sections = append(d.Sections, Section{Title: "Ground rules, assumptions and artificialities", Blocks: []Block{List{Items: groundRules}}})

	if start != nil {
		mod := Section{Title: "Module 1: " + p.s(start.Title), Break: true}
		if s := storyStart(sc); s != "" {
			mod.Blocks = append(mod.Blocks, Text("It is "+s+". The situation is as the scenario in the overview describes; your team knows what its brief says."))
		}
		for _, t := range sc.Teams {
			mod.Blocks = append(mod.Blocks, Heading("Brief: "+t.Name))
			if b := p.s(t.Brief); b != "" {
				mod.Blocks = append(mod.Blocks, Text(b))
			} else {
				mod.Blocks = append(mod.Blocks, Text("Your facilitator gives you your brief."))
			}
		}
		mod.Blocks = append(mod.Blocks, Heading("Discussion questions"))
		for _, t := range sc.Teams {
			var qs []string
			for _, dc := range start.Decisions {
				if dc.Team == t.ID {
					qs = append(qs, p.s(dc.Prompt))
				}
			}
			if len(qs) > 0 {
				mod.Blocks = append(mod.Blocks, Text("**"+t.Name+"**"), List{Items: qs})
			}
		}
		var all []string
		for _, q := range start.Discussion {
			all = append(all, p.s(q))
		}
		all = append(all, generalQuestions...)
		mod.Blocks = append(mod.Blocks, Text("**Every team**"), List{Items: all})
		d.Sections = append(d.Sections, mod)
	}
	return d
}

// teamTable lists the teams, with their direct chat lines when any has one.
func teamTable(sc *scenario.Scenario) Table {
	t := Table{Head: []string{"Team", "Direct lines to"}}
	hasLines := false
	for _, tm := range sc.Teams {
		hasLines = hasLines || len(tm.Lines) > 0
	}
	if !hasLines {
		t.Head = t.Head[:1]
	}
	for _, tm := range sc.Teams {
		var lines []string
		for _, o := range sc.Teams {
			if o.ID != tm.ID && sc.HasLine(tm.ID, o.ID) {
				lines = append(lines, o.Name)
			}
		}
		t.Rows = append(t.Rows, []string{tm.Name, strings.Join(lines, ", ")})
	}
	return t
}

// humanDuration writes 45 minutes, 1 hour, 1 hour 15 minutes.
func humanDuration(d time.Duration) string {
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case h == 0:
		return plural(m, "minute")
	case m == 0:
		return plural(h, "hour")
	default:
		return plural(h, "hour") + " " + plural(m, "minute")
	}
}

// clock writes an exercise time as H:MM.
func clock(d time.Duration) string {
	return fmt.Sprintf("%d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

func nonFinal(sc *scenario.Scenario) int {
	n := 0
	for _, s := range sc.States {
		if !s.Final() {
			n++
		}
	}
	return n
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func effects(fs []*scenario.Effect) string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = "`" + f.Src + "`"
	}
	return strings.Join(out, ", ")
}

func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + strings.Join(strings.Fields(s), " ") + "`"
}

// Handbook is the facilitator and evaluator handbook: everything the
// scenario holds — parameters, objectives with their "met" criteria and
// measures, teams, personas, outlets, variables, the MSEL, every module
// with its notes, decisions, options and effects, timers and transitions,
// the branch graph as a table of transitions, and the outcomes.
func Handbook(sc *scenario.Scenario, params map[string]string) Doc {
	p := render(params)
	d := Doc{Kind: "Facilitator and Evaluator Handbook", Title: p.s(sc.Title), Handling: FacilitatorOnly}

	over := Fields{{"Scenario id", code(sc.ID)}}
	if sc.Duration > 0 {
		over = append(over, Field{"Length of play", sim.FormatDuration(sc.Duration)})
	}
	if s := storyStart(sc); s != "" {
		over = append(over, Field{"Story begins", s})
	}
	if sc.BasedOn != "" {
		over = append(over, Field{"Based on", p.s(sc.BasedOn)})
	}
	if len(sc.Tags) > 0 {
		over = append(over, Field{"Tags", strings.Join(sc.Tags, ", ")})
	}
	over = append(over, Field{"Starts in", p.s(sc.State(sc.Start).Title) + " " + code(sc.Start)})
	blocks := []Block{over, Heading("Summary"), Text(p.s(sc.Summary))}
	if len(sc.Parameters) > 0 {
		t := Table{Head: []string{"Parameter", "Label", "Value in this document", "Default", "Description"}}
		for _, pa := range sc.Parameters {
			t.Rows = append(t.Rows, []string{code(pa.ID), pa.Label, params[pa.ID], pa.Default, pa.Description})
		}
		blocks = append(blocks, Heading("Parameters"), t)
	}
	d.Sections = append(d.Sections, Section{Title: "Overview", Blocks: blocks})

	if len(sc.Objectives) > 0 {
		sec := Section{Title: "Objectives and evaluation criteria"}
		for _, o := range sc.Objectives {
			sec.Blocks = append(sec.Blocks, Heading(p.s(o.Title)))
			f := Fields{{"Id", code(o.ID)}}
			if o.Capability != "" {
				f = append(f, Field{"Core capability", o.Capability})
			}
			f = append(f, Field{"Teams", teamList(sc, o.Teams)})
			if o.Met != "" {
				f = append(f, Field{"Met when", p.s(o.Met)})
			}
			if o.Measure != nil {
				f = append(f, Field{"Measured at the end", code(o.Measure.Src)})
			}
			var tagged []string
			for _, st := range sc.States {
				for _, dc := range st.Decisions {
					if contains(dc.Objectives, o.ID) {
						tagged = append(tagged, fmt.Sprintf("%s (%s, %s)", p.s(dc.Prompt), teamName(sc, dc.Team), p.s(st.Title)))
					}
				}
			}
			sec.Blocks = append(sec.Blocks, f)
			if len(o.Tasks) > 0 {
				tt := Table{Head: []string{"Critical task", "Id", "Teams"}}
				for _, tk := range o.Tasks {
					tt.Rows = append(tt.Rows, []string{p.s(tk.Title), code(tk.ID), teamList(sc, tk.Teams)})
				}
				sec.Blocks = append(sec.Blocks, tt)
			}
			if len(o.Milestones) > 0 {
				mt := Table{Head: []string{"Milestone", "Task", "Done (exercise minute)", "Due (exercise minute)"}}
				for _, m := range o.Milestones {
					task := ""
					if tk := o.Task(m.Task); tk != nil {
						task = p.s(tk.Title)
					}
					mt.Rows = append(mt.Rows, []string{p.s(m.Title), task, code(m.Done.Src), code(m.Due.Src)})
				}
				sec.Blocks = append(sec.Blocks, mt, Text("A milestone is met when it was done (minute ≥ 0) by its due minute; both are evaluated when the exercise ends."))
			}
			if len(tagged) > 0 {
				sec.Blocks = append(sec.Blocks, Text("Decisions that test it:"), List{Items: tagged})
			}
		}
		d.Sections = append(d.Sections, sec)
	}

	teams := Section{Title: "Teams"}
	teams.Blocks = append(teams.Blocks, teamTable(sc))
	for _, t := range sc.Teams {
		teams.Blocks = append(teams.Blocks, Heading(t.Name+" ("+t.ID+")"), Text(p.s(t.Brief)))
	}
	d.Sections = append(d.Sections, teams)

	if len(sc.Personas) > 0 || len(sc.Outlets) > 0 {
		sec := Section{Title: "Personas and outlets"}
		if len(sc.Personas) > 0 {
			t := Table{Head: []string{"Persona", "Handle / email", "Organisation", "Role", "Teams may write to them"}}
			for _, pe := range sc.Personas {
				contact := p.s(pe.Handle)
				if e := p.s(pe.Email); e != "" {
					contact = strings.TrimSpace(contact + " " + e)
				}
				reach := ""
				if len(pe.Reachable) > 0 {
					reach = teamList(sc, pe.Reachable)
					if pe.Via != "" {
						reach += " (" + string(pe.Via) + ")"
					}
				}
				t.Rows = append(t.Rows, []string{p.s(pe.Name) + " " + code(pe.ID), contact, p.s(pe.Org), p.s(pe.Role), reach})
			}
			sec.Blocks = append(sec.Blocks, t)
		}
		if len(sc.Outlets) > 0 {
			t := Table{Head: []string{"Outlet", "Channel", "Publishing teams", "Approval", "Seen by"}}
			for _, o := range sc.Outlets {
				ap := ""
				switch o.Approval {
				case "":
				case scenario.ApprovalLead:
					ap = "the team's lead"
				default:
					ap = teamName(sc, o.Approval)
				}
				aud := "All teams"
				if len(o.Audience) > 0 && !(len(o.Audience) == 1 && o.Audience[0] == "*") {
					aud = teamList(sc, o.Audience)
				}
				t.Rows = append(t.Rows, []string{p.s(o.Name) + " " + code(o.ID), string(o.Channel), teamList(sc, o.Teams), ap, aud})
			}
			sec.Blocks = append(sec.Blocks, Heading("Outlets teams publish on"), t)
		}
		d.Sections = append(d.Sections, sec)
	}

	if len(sc.Variables) > 0 {
		t := Table{Head: []string{"Variable", "Type", "Starts at", "Range", "Shown to teams", "Meaning"}}
		for _, v := range sc.Variables {
			rng := ""
			if v.Min != nil || v.Max != nil {
				lo, hi := "", ""
				if v.Min != nil {
					lo = fmt.Sprint(*v.Min)
				}
				if v.Max != nil {
					hi = fmt.Sprint(*v.Max)
				}
				rng = lo + "–" + hi
			}
			shown := "no"
			if v.Visible {
				shown = "yes"
			}
			meaning := strings.TrimSpace(p.s(v.Label) + ". " + p.s(v.Description))
			meaning = strings.TrimSuffix(strings.TrimPrefix(meaning, ". "), ". ")
			t.Rows = append(t.Rows, []string{code(v.ID), string(v.Type), fmt.Sprint(v.Initial), rng, shown, meaning})
		}
		d.Sections = append(d.Sections, Section{Title: "Variables", Blocks: []Block{t}})
	}

	rows := msel.Rows(sc, params)
	ms := Section{Title: "Master Scenario Events List (MSEL)", Break: true, Wide: true, Blocks: []Block{
		Text("Every scripted inject, module by module. A module's times count from the moment the exercise enters it; which modules are entered, and when, depends on the teams' decisions."),
	}}
	if !sc.StoryStart.IsZero() {
		ms.Blocks = append(ms.Blocks, Text(storyTimesNote))
	}
	entries := msel.StoryEntries(sc)
	for _, st := range sc.States {
		var mine []msel.Row
		story := false
		for _, r := range rows {
			if r.State == st.ID {
				mine = append(mine, r)
				story = story || r.StoryTime != ""
			}
		}
		if len(mine) == 0 {
			continue
		}
		mt := Table{Head: []string{"No.", "Time", "Story time", "From", "To", "Channel", "Subject", "Message", "Expected action", "Objective", "Notes"},
			Width: map[string]int{"No.": 4, "Time": 6, "Story time": 7, "From": 8, "To": 8, "Channel": 6, "Subject": 9,
				"Message": 24, "Expected action": 12, "Objective": 8, "Notes": 8}}
		if !story {
			mt.Head = append(mt.Head[:2:2], mt.Head[3:]...)
		}
		for _, r := range mine {
			row := []string{fmt.Sprint(r.No), msel.FormatTime(r.At), r.StoryTime, r.From, r.To, r.Channel, r.Subject, r.Message, r.Expected, r.Objective, r.Notes}
			if !story {
				row = append(row[:2:2], row[3:]...)
			}
			mt.Rows = append(mt.Rows, row)
		}
		ms.Blocks = append(ms.Blocks, Heading(p.s(st.Title)+" ("+st.ID+")"))
		if _, known := entries[st.ID]; !known && !sc.StoryStart.IsZero() {
			ms.Blocks = append(ms.Blocks, Text("Story time: depends on the path taken to this module."))
		}
		ms.Blocks = append(ms.Blocks, mt)
	}
	d.Sections = append(d.Sections, ms)

	module := 0
	for _, st := range sc.States {
		if st.Final() {
			continue
		}
		module++
		sec := Section{Title: fmt.Sprintf("Module %d: %s", module, p.s(st.Title)), Break: true}
		f := Fields{{"State id", code(st.ID)}}
		if st.StoryJump > 0 {
			f = append(f, Field{"Story clock jumps", sim.FormatDuration(st.StoryJump) + " on entry"})
		}
		if st.StoryAt != nil {
			f = append(f, Field{"Story clock moves to", st.StoryAt.Src + " on entry (never back)"})
		}
		if !sc.StoryStart.IsZero() {
			story := "depends on the path taken to it"
			if at, ok := entries[st.ID]; ok {
				story = at.Format("Monday 2 January 2006, 15:04")
			}
			f = append(f, Field{"Story time on entering", story})
		}
		if len(st.OnEnter) > 0 {
			f = append(f, Field{"On entry", effects(st.OnEnter)})
		}
		sec.Blocks = append(sec.Blocks, f)
		if st.Description != "" {
			sec.Blocks = append(sec.Blocks, Heading("What is happening"), Text(p.s(st.Description)))
		}
		if st.FacilitatorNotes != "" {
			sec.Blocks = append(sec.Blocks, Heading("Facilitator notes"), Text(p.s(st.FacilitatorNotes)))
		}
		if len(st.Discussion) > 0 {
			qs := make([]string, len(st.Discussion))
			for j, q := range st.Discussion {
				qs[j] = p.s(q)
			}
			sec.Blocks = append(sec.Blocks, Heading("Discussion questions"), List{Items: qs})
		}
		if len(st.Injects) > 0 {
			var items []string
			for _, r := range rows {
				if r.State == st.ID {
					label := r.Subject
					if label == "" {
						label = clip(r.Message, 80)
					}
					items = append(items, fmt.Sprintf("MSEL %d — %s, %s → %s: %s", r.No, msel.FormatTime(r.At), r.Channel, r.To, label))
				}
			}
			sec.Blocks = append(sec.Blocks, Heading("Injects"), List{Items: items})
		}
		for _, dc := range st.Decisions {
			sec.Blocks = append(sec.Blocks, Heading("Decision: "+clip(p.s(dc.Prompt), 90)))
			df := Fields{{"Id", code(dc.ID)}, {"Team", teamName(sc, dc.Team)}, {"Prompt", p.s(dc.Prompt)},
				{"Opens", sim.FormatDuration(dc.At) + " into the module"}, {"Who answers", modeText(dc.Mode)}}
			if dc.TimeLimit > 0 {
				df = append(df, Field{"Time limit", sim.FormatDuration(dc.TimeLimit)})
			}
			if dc.Default != "" {
				df = append(df, Field{"If unanswered", code(dc.Default)})
			}
			var asks []string
			if dc.Confidence {
				asks = append(asks, "confidence (1–5)")
			}
			if dc.Rationale {
				asks = append(asks, "a rationale")
			}
			if dc.FreeText {
				asks = append(asks, "free text")
			}
			if len(asks) > 0 {
				df = append(df, Field{"Also asks for", strings.Join(asks, ", ")})
			}
			if dc.If != nil {
				df = append(df, Field{"Only if", code(dc.If.Src)})
			}
			if len(dc.Objectives) > 0 {
				df = append(df, Field{"Objectives", objectiveTitles(sc, p, dc.Objectives)})
			}
			if dc.Notes != "" {
				df = append(df, Field{"Notes", p.s(dc.Notes)})
			}
			sec.Blocks = append(sec.Blocks, df)
			if len(dc.Options) > 0 {
				ot := Table{Head: []string{"Option", "Effects", "Notes", "Score", "Expected"}}
				for _, o := range dc.Options {
					score, exp := "", ""
					if o.Score != nil {
						score = fmt.Sprintf("%g", *o.Score)
					}
					if contains(dc.Expected, o.ID) {
						exp = "expected"
					}
					ot.Rows = append(ot.Rows, []string{p.s(o.Label) + " " + code(o.ID), effects(o.Effects), p.s(o.Notes), score, exp})
				}
				sec.Blocks = append(sec.Blocks, ot)
			}
		}
		if len(st.Timers) > 0 {
			tt := Table{Head: []string{"After", "Every", "Only if", "Effects"}}
			for _, t := range st.Timers {
				every, cond := "", ""
				if t.Every > 0 {
					every = sim.FormatDuration(t.Every)
				}
				if t.If != nil {
					cond = code(t.If.Src)
				}
				tt.Rows = append(tt.Rows, []string{sim.FormatDuration(t.After), every, cond, effects(t.Effects)})
			}
			sec.Blocks = append(sec.Blocks, Heading("Timers"), tt)
		}
		if len(st.Transitions) > 0 {
			sec.Blocks = append(sec.Blocks, Heading("Where it goes next"), transitionTable(sc, p, []*scenario.State{st}))
		}
		d.Sections = append(d.Sections, sec)
	}

	graph := Section{Title: "Branch graph", Break: true, Blocks: []Block{
		Figure{SVG: graphSVG(sc, p), Caption: "States top to bottom by their distance from the start (thick outline); final states rounded and coloured by rating; dashed arrows go back or sideways. The command ttx graph draws the same graph as Mermaid or DOT."},
		Text("Every transition, in file order: the first that holds is taken."),
		transitionTable(sc, p, sc.States),
	}}
	ot := Table{Head: []string{"Outcome", "Final state", "Rating", "Debrief"}}
	for _, st := range sc.States {
		if st.Final() {
			ot.Rows = append(ot.Rows, []string{code(st.Outcome), p.s(st.Title), st.Rating, p.s(st.Debrief)})
		}
	}
	graph.Blocks = append(graph.Blocks, Heading("Outcomes"), ot)
	d.Sections = append(d.Sections, graph)
	return d
}

func transitionTable(sc *scenario.Scenario, p render, states []*scenario.State) Table {
	t := Table{Head: []string{"From", "To", "When", "Effects"}}
	for _, st := range states {
		for _, tr := range st.Transitions {
			var when []string
			if tr.When != nil {
				when = append(when, code(tr.When.Src))
			}
			if tr.After > 0 {
				when = append(when, "after "+sim.FormatDuration(tr.After))
			}
			if tr.Label != "" {
				when = append(when, "("+tr.Label+")")
			}
			to := tr.To
			if s := sc.State(tr.To); s != nil {
				to = p.s(s.Title)
			}
			t.Rows = append(t.Rows, []string{p.s(st.Title), to, strings.Join(when, " "), effects(tr.Effects)})
		}
	}
	return t
}

func objectiveTitles(sc *scenario.Scenario, p render, ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id
		if o := sc.Objective(id); o != nil {
			out[i] = p.s(o.Title)
		}
	}
	return strings.Join(out, "; ")
}

func modeText(m scenario.DecisionMode) string {
	switch m {
	case scenario.ModeLead:
		return "the team lead"
	case scenario.ModeVote:
		return "a vote of the members (majority when it closes)"
	default:
		return "any member (revisable until it closes)"
	}
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
