package documents

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ttxsim/ttx/server/eval"
	"github.com/ttxsim/ttx/server/msel"
	"github.com/ttxsim/ttx/server/scenario"
	"github.com/ttxsim/ttx/server/sim"
	"github.com/ttxsim/ttx/server/store"
)

// ExerciseInfo is what the AAR and the debrief say of the exercise
// itself, read from its record and roster.
type ExerciseInfo struct {
	ID           string
	Title        string
	Status       string
	Outcome      string // outcome id once ended
	Created      time.Time
	Started      time.Time
	Ended        time.Time
	Participants []Person
	Observers    []string // names
}

// Person is a participant as the documents list them.
type Person struct {
	Name string
	Team string // team id
	Lead bool
}

// RatingWords are the HSEEP scale's words.
var RatingWords = map[eval.Rating]string{
	eval.Performed:       "Performed without challenges",
	eval.SomeChallenges:  "Performed with some challenges",
	eval.MajorChallenges: "Performed with major challenges",
	eval.UnableToPerform: "Unable to be performed",
}

func ratingText(r *eval.RatingEntry) string {
	if r == nil || r.Rating == "" {
		return "not settled"
	}
	return fmt.Sprintf("%s — %s", r.Rating, RatingWords[r.Rating])
}

// played is what the log says happened, read once.
type played struct {
	path     []step
	outcome  *sim.Event
	messages []said
	decided  []decided
	end      time.Duration
	// what names events a rating may cite as evidence: time and a
	// short description, by seq.
	what map[int64]string
}

// decided is one team's decision as it settled.
type decided struct {
	team, decision, option, label, settled string
	opened, first                          time.Duration // first < 0: nobody answered
}

type step struct {
	at    time.Duration
	state string
	story string
}

type said struct {
	at                  time.Duration
	team, where, title  string
	body                string
	action, participant string
}

// readLog reads the sim events the documents show: states entered, the
// outcome, and what teams said in the world (publications, replies and
// messages to personas; never the chat, never a persona's answer).
func readLog(sc *scenario.Scenario, p render, events []store.Event) played {
	pl := played{what: map[int64]string{}}
	opened, first := map[string]time.Duration{}, map[string]time.Duration{}
	personaName := func(id string) string {
		if pe := sc.Persona(id); pe != nil {
			return p.s(pe.Name)
		}
		return id
	}
	for _, e := range events {
		pl.end = max(pl.end, e.ExerciseTime)
		pl.what[e.Seq] = describe(sc, p, e)
		switch sim.Kind(e.Kind) {
		case sim.KindStateEntered, sim.KindOutcomeReached, sim.KindMessageSent,
			sim.KindDecisionOpened, sim.KindDecisionAnswered, sim.KindDecisionClosed:
		default:
			continue
		}
		var se sim.Event
		if json.Unmarshal(e.Payload, &se) != nil {
			continue
		}
		switch sim.Kind(e.Kind) {
		case sim.KindStateEntered:
			pl.path = append(pl.path, step{at: e.ExerciseTime, state: se.State, story: se.StoryTime})
		case sim.KindOutcomeReached:
			se := se
			pl.outcome = &se
		case sim.KindDecisionOpened:
			opened[se.Team+"/"+se.Decision] = e.ExerciseTime
			delete(first, se.Team+"/"+se.Decision)
		case sim.KindDecisionAnswered:
			k := se.Team + "/" + se.Decision
			if _, ok := first[k]; !ok {
				first[k] = e.ExerciseTime
			}
		case sim.KindDecisionClosed:
			k := se.Team + "/" + se.Decision
			d := decided{team: se.Team, decision: se.Decision, option: se.Option, label: se.OptionLabel, settled: se.Settled,
				opened: opened[k], first: -1}
			if f, ok := first[k]; ok {
				d.first = f
			}
			pl.decided = append(pl.decided, d)
		case sim.KindMessageSent:
			s := said{at: e.ExerciseTime, team: se.Team, title: se.Title, body: se.Body, action: se.Action, participant: se.Participant}
			switch se.Action {
			case "publish":
				s.where = "published on " + se.OutletName
			case "reply":
				s.where = "reply"
				if in := sc.Inject(se.Thread); in != nil {
					if in.Title != "" {
						s.where = "reply to “" + p.s(in.Title) + "”"
					} else if pe := sc.Persona(in.From); pe != nil {
						s.where = "reply to " + p.s(pe.Name)
					}
				}
				if se.OutletName != "" {
					s.where += " on " + se.OutletName
				}
			case "compose":
				s.where = "to " + personaName(se.Persona)
			default:
				continue // a persona answering: the facilitator's words
			}
			pl.messages = append(pl.messages, s)
		}
	}
	return pl
}

// describe names an event for a rating's evidence: its exercise time and
// what it was, in a few words.
func describe(sc *scenario.Scenario, p render, e store.Event) string {
	var f struct {
		sim.Event
		Author string `json:"author"`
		Room   string `json:"room"`
	}
	_ = json.Unmarshal(e.Payload, &f)
	what := strings.ReplaceAll(e.Kind, "_", " ")
	prompt := func() string {
		if d := sc.Decision(f.Decision); d != nil {
			return "“" + clip(p.s(d.Prompt), 50) + "”"
		}
		return f.Decision
	}
	switch e.Kind {
	case "answer_submitted", "facilitator_answer":
		what = teamName(sc, f.Team) + " answered " + prompt()
	case string(sim.KindDecisionClosed):
		what = teamName(sc, f.Team) + " settled " + prompt()
		if f.OptionLabel != "" {
			what += ": " + clip(p.s(f.OptionLabel), 50)
		}
	case string(sim.KindInjectDelivered):
		t := f.Title
		if t == "" {
			t = f.Body
		}
		what = "inject “" + clip(t, 50) + "”"
	case string(sim.KindMessageSent):
		what = teamName(sc, f.Team) + " " + f.Action + ": “" + clip(f.Body, 50) + "”"
	case "note_added":
		what = "note by " + strings.TrimPrefix(f.Author, "facilitator:")
	case "chat_posted":
		what = "chat line of " + teamName(sc, f.Team)
	}
	return clock(e.ExerciseTime) + " " + what
}

func pathTable(sc *scenario.Scenario, p render, pl played) Table {
	t := Table{Head: []string{"Exercise time", "Module", "Story time"}}
	for _, s := range pl.path {
		title := s.state
		if st := sc.State(s.state); st != nil {
			title = p.s(st.Title)
		}
		story := ""
		if ts, err := time.Parse(time.RFC3339, s.story); err == nil && s.story != "" {
			story = ts.Format("Mon 2 Jan 15:04")
		}
		t.Rows = append(t.Rows, []string{clock(s.at), title, story})
	}
	return t
}

func dateRange(ex ExerciseInfo) string {
	switch {
	case ex.Started.IsZero():
		return "not started (created " + ex.Created.UTC().Format("2 January 2006") + ")"
	case ex.Ended.IsZero():
		return ex.Started.UTC().Format("2 January 2006, 15:04 MST") + ", still running"
	case ex.Started.YearDay() == ex.Ended.YearDay() && ex.Started.Year() == ex.Ended.Year():
		return ex.Started.UTC().Format("2 January 2006, 15:04") + "–" + ex.Ended.UTC().Format("15:04 MST")
	default:
		return ex.Started.UTC().Format("2 January 2006, 15:04") + " – " + ex.Ended.UTC().Format("2 January 2006, 15:04 MST")
	}
}

func outcomeBlocks(sc *scenario.Scenario, p render, pl played) []Block {
	if pl.outcome == nil {
		return []Block{Text("The exercise has not reached an outcome.")}
	}
	o := pl.outcome
	title := o.Outcome
	if st := sc.State(o.State); st != nil {
		title = p.s(st.Title)
	}
	f := Fields{{"Outcome", title}}
	if o.Rating != "" {
		f = append(f, Field{"Outcome rating", o.Rating})
	}
	if o.Outcome == sim.OutcomeEnded {
		f[0].Value = "Ended by the facilitator"
	}
	f = append(f, Field{"Ended at", clock(pl.end) + " exercise time"})
	bl := []Block{f}
	if d := p.s(o.Debrief); d != "" {
		bl = append(bl, Text(d))
	}
	return bl
}

func minutes(m float64) string {
	if m < 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f min", m)
}

func settledHow(r string) string {
	switch r {
	case sim.SettledAnswered:
		return "answered"
	case sim.SettledDefault:
		return "no answer: default taken"
	case sim.SettledExpired:
		return "no answer"
	}
	return r
}

// AAR is the after-action report and improvement plan: exercise overview,
// what happened (outcome and the path), the analysis of capabilities
// (objective × capability × final rating, then per objective its measure,
// milestones, critical tasks, ratings by every rater, strengths and areas
// for improvement), the teams' measures with how each was computed,
// Appendix A the improvement plan, Appendix B the participants. For the
// facilitator and evaluators: it names raters and quotes their notes.
func AAR(sc *scenario.Scenario, params map[string]string, ex ExerciseInfo, ev *eval.Evaluation, events []store.Event) Doc {
	p := render(params)
	if ev == nil {
		ev = &eval.Evaluation{}
	}
	pl := readLog(sc, p, events)
	d := Doc{Kind: "After-Action Report / Improvement Plan", Title: oneLine(ex.Title), Subtitle: p.s(sc.Title),
		Handling: "For the exercise's facilitator, evaluators and sponsor — it names raters and quotes their notes"}
	var caps []string
	for _, o := range sc.Objectives {
		if o.Capability != "" && !contains(caps, o.Capability) {
			caps = append(caps, o.Capability)
		}
	}
	teams := make([]string, len(sc.Teams))
	for i, t := range sc.Teams {
		teams[i] = t.Name
	}
	over := Fields{{"Exercise", oneLine(ex.Title)}, {"Scenario", p.s(sc.Title)}, {"Dates", dateRange(ex)},
		{"Type", "Discussion-based tabletop exercise, played live"}, {"Participating teams", strings.Join(teams, ", ")}}
	if len(caps) > 0 {
		over = append(over, Field{"Core capabilities", strings.Join(caps, "; ")})
	}
	var objs []string
	for _, o := range sc.Objectives {
		objs = append(objs, p.s(o.Title))
	}
	blocks := []Block{over}
	if len(objs) > 0 {
		blocks = append(blocks, Heading("Objectives"), List{Items: objs, Ordered: true})
	}
	blocks = append(blocks, Heading("Scenario summary"), Text(p.s(sc.Summary)))
	d.Sections = append(d.Sections, Section{Title: "Exercise overview", Blocks: blocks})

	happened := outcomeBlocks(sc, p, pl)
	if len(pl.path) > 0 {
		happened = append(happened, Heading("The path through the scenario"), pathTable(sc, p, pl))
	}
	d.Sections = append(d.Sections, Section{Title: "What happened", Blocks: happened})

	analysis := Section{Title: "Analysis of capabilities", Break: true}
	if len(ev.Objectives) == 0 {
		analysis.Blocks = append(analysis.Blocks, Text("The scenario declares no objectives."))
	} else {
		t := Table{Head: []string{"Objective", "Core capability", "Final rating", "Ratings given"}}
		for _, o := range ev.Objectives {
			t.Rows = append(t.Rows, []string{p.s(o.Title), o.Capability, ratingText(o.Final), ratingsGiven(o.Ratings)})
		}
		analysis.Blocks = append(analysis.Blocks, Text("Ratings on the HSEEP scale: P performed without challenges, S with some challenges, M with major challenges, U unable to be performed. The facilitator settles the final rating."), t)
	}
	for _, o := range ev.Objectives {
		analysis.Blocks = append(analysis.Blocks, Heading(p.s(o.Title)))
		f := Fields{}
		if o.Capability != "" {
			f = append(f, Field{"Core capability", o.Capability})
		}
		f = append(f, Field{"Teams", teamList(sc, o.Teams)})
		if o.Met != "" {
			f = append(f, Field{"Met when", p.s(o.Met)})
		}
		if o.Measure != nil {
			res := "not met"
			if o.Measure.Met {
				res = "met"
			}
			f = append(f, Field{"Measure", res + " — " + code(o.Measure.Source) + valuesText(o.Measure.Values)})
		}
		f = append(f, Field{"Final rating", ratingText(o.Final)})
		if o.Final != nil && o.Final.Explanation != "" {
			f = append(f, Field{"Why", o.Final.Explanation})
		}
		analysis.Blocks = append(analysis.Blocks, f)
		if len(o.Milestones) > 0 {
			analysis.Blocks = append(analysis.Blocks, milestoneTable(p, o.Milestones))
		}
		if len(o.Tasks) > 0 {
			tt := Table{Head: []string{"Critical task", "Teams", "Final rating", "Ratings given"}}
			for _, tk := range o.Tasks {
				tt.Rows = append(tt.Rows, []string{p.s(tk.Title), teamList(sc, tk.Teams), ratingText(tk.Final), ratingsGiven(tk.Ratings)})
			}
			analysis.Blocks = append(analysis.Blocks, tt)
		}
		all := append([]eval.RatingEntry(nil), o.Ratings...)
		for _, tk := range o.Tasks {
			all = append(all, tk.Ratings...)
		}
		var strengths, afis []string
		for _, r := range all {
			for _, s := range r.Strengths {
				strengths = append(strengths, s+" *("+r.RaterName+")*")
			}
			for _, s := range r.Improvements {
				afis = append(afis, s+" *("+r.RaterName+")*")
			}
		}
		if len(strengths) > 0 {
			analysis.Blocks = append(analysis.Blocks, Text("**Strengths**"), List{Items: strengths})
		}
		if len(afis) > 0 {
			analysis.Blocks = append(analysis.Blocks, Text("**Areas for improvement**"), List{Items: afis})
		}
		if len(all) > 0 {
			rt := Table{Head: []string{"Rater", "Rated", "Rating", "Explanation", "Evidence"}}
			for _, r := range all {
				what := "objective"
				if r.Task != "" {
					what = "task " + r.Task
				}
				if r.Final {
					what += " (final)"
				}
				ev := make([]string, len(r.Evidence))
				for i, s := range r.Evidence {
					ev[i] = fmt.Sprintf("#%d", s)
					if w := pl.what[s]; w != "" {
						ev[i] += " " + w
					}
				}
				rt.Rows = append(rt.Rows, []string{r.RaterName, what, "**" + string(r.Rating) + "**", r.Explanation, strings.Join(ev, "; ")})
			}
			analysis.Blocks = append(analysis.Blocks, rt)
		}
		if len(o.Ratings) == 0 && len(o.Tasks) == 0 {
			analysis.Blocks = append(analysis.Blocks, Text("Nobody rated this objective."))
		}
	}
	d.Sections = append(d.Sections, analysis)

	sec := Section{Title: "Team measures and decisions", Break: true}
	if len(ev.Teams) > 0 {
		t := Table{Head: []string{"Team", "Median response", "Decision quality", "Confidence-weighted", "Expected options chosen", "Alignment"}}
		for _, tm := range ev.Teams {
			t.Rows = append(t.Rows, []string{tm.Name, minutes(tm.MedianResponse), scoreText(tm.Quality), scoreText(tm.Weighted),
				expectedText(tm.Quality), alignText(tm.Alignment)})
		}
		sec.Blocks = append(sec.Blocks, t)
		for _, tm := range ev.Teams {
			var how []string
			for _, h := range []string{tm.How, tm.Quality.How, tm.Weighted.How} {
				if h != "" && !contains(how, h) {
					how = append(how, h)
				}
			}
			if len(how) > 0 {
				sec.Blocks = append(sec.Blocks, Text("**"+tm.Name+".** How: "+strings.Join(how, " ")))
			}
		}
	}
	sec.Blocks = append(sec.Blocks, Text("Each decision as it settled. Score is the author's score of the option taken; Expected says whether it is one the author expected; first answer counts from the decision's opening."))
	for _, t := range append(append([]*scenario.Team(nil), sc.Teams...), &scenario.Team{ID: scenario.FacilitatorTeam, Name: "Facilitator"}) {
		if tb := decidedTable(sc, p, pl, t.ID, true); len(tb.Rows) > 0 {
			sec.Blocks = append(sec.Blocks, Heading(t.Name), tb)
		}
	}
	d.Sections = append(d.Sections, sec)

	plan := Section{Title: "Appendix A: Improvement plan", Break: true, Wide: true}
	if len(ev.Plan) == 0 {
		plan.Blocks = append(plan.Blocks, Text("No corrective actions have been written yet."))
	} else {
		t := Table{Head: PlanColumns, Width: map[string]int{"Objective": 10, "Capability": 10, "Issue / area for improvement": 19,
			"Corrective action": 21, "Capability element": 8, "Responsible organisation": 9, "Point of contact": 8, "Start": 6, "Completion": 6, "Version": 3}}
		for _, a := range ev.Plan {
			t.Rows = append(t.Rows, planRow(sc, p, a))
		}
		plan.Blocks = append(plan.Blocks, t)
	}
	d.Sections = append(d.Sections, plan)

	people := Section{Title: "Appendix B: Participants", Break: true}
	pt := Table{Head: []string{"Team", "Participants"}}
	for _, t := range sc.Teams {
		var names []string
		for _, pe := range ex.Participants {
			if pe.Team == t.ID {
				n := pe.Name
				if pe.Lead {
					n += " (lead)"
				}
				names = append(names, n)
			}
		}
		pt.Rows = append(pt.Rows, []string{t.Name, strings.Join(names, ", ")})
	}
	people.Blocks = append(people.Blocks, pt)
	if len(ex.Observers) > 0 {
		people.Blocks = append(people.Blocks, Fields{{"Observers and evaluators", strings.Join(ex.Observers, ", ")}})
	}
	d.Sections = append(d.Sections, people)
	return d
}

func valuesText(v map[string]any) string {
	if len(v) == 0 {
		return ""
	}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s = %v", k, v[k])
	}
	return " (read " + strings.Join(parts, ", ") + ")"
}

func ratingsGiven(rs []eval.RatingEntry) string {
	var out []string
	for _, r := range rs {
		out = append(out, fmt.Sprintf("%s: %s", r.RaterName, r.Rating))
	}
	return strings.Join(out, "; ")
}

func milestoneTable(p render, ms []eval.MilestoneResult) Table {
	t := Table{Head: []string{"Milestone", "Due (minute)", "Done (minute)", "Result"}}
	for _, m := range ms {
		due, done := "—", "not done"
		if m.Due >= 0 {
			due = fmt.Sprintf("%.0f", m.Due)
		}
		if m.Done >= 0 {
			done = fmt.Sprintf("%.0f", m.Done)
		}
		res := "missed"
		if m.Met {
			res = "met"
		}
		t.Rows = append(t.Rows, []string{p.s(m.Title), due, done, res})
	}
	return t
}

func scoreText(s eval.Score) string {
	if s.Count == 0 {
		return "—"
	}
	return fmt.Sprintf("%g of %g (%d decisions)", s.Points, s.Max, s.Count)
}

func expectedText(s eval.Score) string {
	if s.Of == 0 {
		return "—"
	}
	return fmt.Sprintf("%d of %d", s.Expected, s.Of)
}

func alignText(a float64) string {
	if a < 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", a*100)
}

// decidedTable lists a team's settled decisions from the log; judged adds
// the option's score and whether the author expected it.
func decidedTable(sc *scenario.Scenario, p render, pl played, team string, judged bool) Table {
	t := Table{Head: []string{"Decision", "Answer", "How it settled", "First answer after"}}
	if judged {
		t.Head = append(t.Head, "Score", "Expected")
	}
	for _, d := range pl.decided {
		if d.team != team {
			continue
		}
		prompt, ans := d.decision, d.label
		var dc *scenario.Decision
		if dc = sc.Decision(d.decision); dc != nil {
			prompt = dc.Prompt
		}
		if ans == "" {
			ans = "—"
		}
		after := "—"
		if d.first >= 0 {
			after = minutes((d.first - d.opened).Minutes())
		}
		row := []string{p.s(prompt), p.s(ans), settledHow(d.settled), after}
		if judged {
			score, exp := "—", "—"
			if dc != nil {
				if o := dc.Option(d.option); o != nil && o.Score != nil {
					score = fmt.Sprintf("%g", *o.Score)
				}
				if len(dc.Expected) > 0 {
					exp = "no"
					if contains(dc.Expected, d.option) {
						exp = "yes"
					}
				}
			}
			row = append(row, score, exp)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// PlanColumns are the improvement plan's columns (HSEEP Appendix A).
var PlanColumns = []string{"Objective", "Capability", "Issue / area for improvement", "Corrective action", "Capability element",
	"Responsible organisation", "Point of contact", "Start", "Completion", "Version"}

func planRow(sc *scenario.Scenario, p render, a eval.CorrectiveAction) []string {
	obj := a.Objective
	if o := sc.Objective(a.Objective); o != nil {
		obj = p.s(o.Title)
	}
	return []string{obj, a.Capability, a.Issue, a.Action, a.Element, a.Owner, a.Contact, a.Start, a.Due, fmt.Sprint(a.Version)}
}

// PlanCSV writes the improvement plan as CSV (UTF-8 with a BOM, for
// spreadsheets), one corrective action a row.
func PlanCSV(sc *scenario.Scenario, params map[string]string, ev *eval.Evaluation) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(msel.BOM)
	w := csv.NewWriter(&b)
	rows := [][]string{PlanColumns}
	if ev != nil {
		for _, a := range ev.Plan {
			rows = append(rows, planRow(sc, render(params), a))
		}
	}
	if err := w.WriteAll(rows); err != nil {
		return nil, fmt.Errorf("documents: plan: %w", err)
	}
	return b.Bytes(), nil
}

// Debrief is the participants' debrief: player-safe, shared by link with
// people who have no account. It holds the outcome and its debrief, the
// path, what each team decided, what teams said in the world
// (publications, replies, messages to personas) and the milestones met or
// missed — never facilitator notes, observers' notes or ratings, scores,
// the improvement plan, or any chat.
func Debrief(sc *scenario.Scenario, params map[string]string, ex ExerciseInfo, ev *eval.Evaluation, events []store.Event) Doc {
	p := render(params)
	if ev == nil {
		ev = &eval.Evaluation{}
	}
	pl := readLog(sc, p, events)
	d := Doc{Kind: "Participants' Debrief", Title: oneLine(ex.Title), Subtitle: p.s(sc.Title) + " — " + dateRange(ex),
		Handling: "For the exercise's participants"}
	d.Sections = append(d.Sections, Section{Title: "How it ended", Blocks: outcomeBlocks(sc, p, pl)})
	if len(pl.path) > 0 {
		d.Sections = append(d.Sections, Section{Title: "The path through the scenario", Blocks: []Block{
			Text("Each module the exercise went through, in order. Other paths were possible: they depended on your decisions."),
			pathTable(sc, p, pl)}})
	}
	dec := Section{Title: "What each team decided"}
	for _, t := range sc.Teams {
		if tb := decidedTable(sc, p, pl, t.ID, false); len(tb.Rows) > 0 {
			dec.Blocks = append(dec.Blocks, Heading(t.Name), tb)
		}
	}
	if len(dec.Blocks) == 0 {
		dec.Blocks = append(dec.Blocks, Text("No team decision settled."))
	}
	d.Sections = append(d.Sections, dec)
	if len(pl.messages) > 0 {
		t := Table{Head: []string{"Exercise time", "Team", "Where", "Message"}, Width: map[string]int{"Exercise time": 10, "Team": 15, "Where": 20, "Message": 55}}
		for _, m := range pl.messages {
			body := m.body
			if m.title != "" {
				body = "**" + m.title + "** " + body
			}
			t.Rows = append(t.Rows, []string{clock(m.at), teamName(sc, m.team), m.where, body})
		}
		d.Sections = append(d.Sections, Section{Title: "What teams said", Blocks: []Block{t}})
	}
	var ms []Block
	for _, o := range ev.Objectives {
		if len(o.Milestones) > 0 {
			ms = append(ms, Heading(p.s(o.Title)), milestoneTable(p, o.Milestones))
		}
	}
	if len(ms) > 0 {
		d.Sections = append(d.Sections, Section{Title: "Milestones", Blocks: append([]Block{
			Text("Targets the scenario set, with the exercise minute each was due and done.")}, ms...)})
	}
	d.Sections = append(d.Sections, Section{Title: "Questions for the hot wash", Blocks: []Block{List{Items: []string{
		"What went well, and should be kept?",
		"Where did you wait for information, a decision or a person? What would have made it faster?",
		"Which plans, playbooks or contacts did you use, and which were missing or out of date?",
		"What is the one change your team will make first?",
	}}}})
	return d
}
