package eval

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"

	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/scenario"
	"github.com/ttxsim/ttx/server/sim"
)

// Input is what an evaluation is computed from: the compiled scenario the
// exercise ran, its whole log in seq order, and the names of its
// participants and observers by id.
type Input struct {
	Scenario *scenario.Scenario
	Events   []engine.Event
	Names    map[string]string // participant and observer id → name
}

// Compute judges an exercise from its log. It reads only the log: the
// same log gives the same evaluation, during the exercise and after. An
// event whose payload cannot be read is left out and listed in Skipped;
// the only error is a missing scenario.
func Compute(in Input) (*Evaluation, error) {
	if in.Scenario == nil {
		return nil, fmt.Errorf("eval: no scenario")
	}
	c := &computation{in: in, ratings: map[ratingKey]RatingEntry{}, plan: map[string]CorrectiveAction{},
		measures: map[string]*MeasureResult{}, milestones: map[string]MilestoneResult{}, acts: newTeamActs()}
	c.params, _ = in.Scenario.Params(nil) // the defaults, until the log says otherwise
	for _, ev := range in.Events {
		if err := c.read(ev); err != nil {
			// A payload this version cannot read (a hand-edited archive):
			// the rest of the log is still judged, and the event named.
			c.skipped = append(c.skipped, ev.Seq)
		}
	}
	return c.result(), nil
}

// ratingKey is one rater's rating of one objective or task.
type ratingKey struct{ rater, objective, task string }

// computation holds what the log has shown so far.
type computation struct {
	in         Input
	ratings    map[ratingKey]RatingEntry
	order      []ratingKey // first appearance, for a stable order
	plan       map[string]CorrectiveAction
	measures   map[string]*MeasureResult  // by objective
	milestones map[string]MilestoneResult // by objective + "/" + milestone
	acts       *teamActs
	skipped    []int64
	params     map[string]string // the exercise's, to render the scenario's texts
}

func (c *computation) read(ev engine.Event) error {
	switch ev.Kind {
	case engine.KindRating:
		var p engine.RatingPayload
		if err := json.Unmarshal(ev.Payload, &p); err != nil {
			return fmt.Errorf("eval: event %d: %w", ev.Seq, err)
		}
		k := ratingKey{p.Rater, p.Objective, p.Task}
		if _, seen := c.ratings[k]; !seen {
			c.order = append(c.order, k)
		}
		if p.RaterName == "" {
			p.RaterName = c.in.Names[p.Rater]
		}
		c.ratings[k] = RatingEntry{Seq: ev.Seq, Rater: p.Rater, RaterName: p.RaterName, Objective: p.Objective, Task: p.Task,
			Rating: Rating(p.Rating), Explanation: p.Explanation, Strengths: p.Strengths, Improvements: p.Improvements,
			Evidence: p.Evidence, Final: p.Final, At: ev.WallTime}
	case engine.KindCorrectiveAction:
		var p engine.ActionPayload
		if err := json.Unmarshal(ev.Payload, &p); err != nil {
			return fmt.Errorf("eval: event %d: %w", ev.Seq, err)
		}
		c.plan[p.ID] = CorrectiveAction{ID: p.ID, Version: p.Version, Objective: p.Objective, Capability: p.Capability,
			Issue: p.Issue, Action: p.Action, Element: p.Element, Owner: p.Owner, Contact: p.Contact, Start: p.Start, Due: p.Due,
			Deleted: p.Deleted, Seq: ev.Seq, At: ev.WallTime}
	case engine.KindCreated:
		var p struct {
			Params map[string]string `json:"params"`
		}
		if err := json.Unmarshal(ev.Payload, &p); err != nil {
			return fmt.Errorf("eval: event %d: %w", ev.Seq, err)
		}
		// The log keeps the facilitator's overrides; defaults fill the rest,
		// as they did for the exercise.
		if resolved, err := c.in.Scenario.Params(p.Params); err == nil {
			c.params = resolved
		} else {
			c.params = p.Params
		}
	default:
		if !engine.IsEngineKind(ev.Kind) {
			var e sim.Event
			if err := json.Unmarshal(ev.Payload, &e); err != nil {
				return fmt.Errorf("eval: event %d: %w", ev.Seq, err)
			}
			c.sim(ev, &e)
		}
	}
	return nil
}

// sim reads one of the scenario's events.
func (c *computation) sim(ev engine.Event, e *sim.Event) {
	sc := c.in.Scenario
	switch e.Kind {
	case sim.KindMilestone:
		o := sc.Objective(e.Objective)
		if o == nil || e.Done == nil || e.Due == nil {
			return
		}
		for _, m := range o.Milestones {
			if m.ID == e.Milestone {
				c.milestones[o.ID+"/"+m.ID] = MilestoneResult{ID: m.ID, Title: scenario.Render(m.Title, c.params), Task: m.Task,
					Met: e.Met, Done: *e.Done, Due: *e.Due, How: milestoneHow(m, *e.Done, *e.Due, e.Error)}
			}
		}
	case sim.KindObjectiveMeasure:
		o := sc.Objective(e.Objective)
		if o == nil || o.Measure == nil {
			return
		}
		r := &MeasureResult{Met: e.Met, Source: o.Measure.Src}
		if len(e.Values) > 0 {
			r.Values = map[string]any{}
			for _, v := range e.Values {
				r.Values[v.Name] = v.Value
			}
		}
		c.measures[e.Objective] = r
	default:
		c.acts.sim(sc, ev, e)
	}
}

// result assembles the evaluation.
func (c *computation) result() *Evaluation {
	sc := c.in.Scenario
	out := &Evaluation{Objectives: []ObjectiveEval{}, Plan: []CorrectiveAction{}, Skipped: c.skipped}
	var decisions []DecisionResult
	out.Teams, decisions = c.acts.teams(sc, c.params)
	r := func(s string) string { return scenario.Render(s, c.params) }
	for _, o := range sc.Objectives {
		oe := ObjectiveEval{ID: o.ID, Title: r(o.Title), Capability: r(o.Capability), Met: r(o.Met), Teams: o.Teams, Measure: c.measures[o.ID]}
		oe.Ratings, oe.Final = c.ratingsOf(o.ID, "")
		for _, t := range o.Tasks {
			te := TaskEval{ID: t.ID, Title: r(t.Title), Teams: t.Teams}
			te.Ratings, te.Final = c.ratingsOf(o.ID, t.ID)
			oe.Tasks = append(oe.Tasks, te)
		}
		for _, m := range o.Milestones {
			if r, ok := c.milestones[o.ID+"/"+m.ID]; ok {
				oe.Milestones = append(oe.Milestones, r)
			}
		}
		for _, d := range decisions {
			if dc := sc.Decision(d.Decision); dc != nil && slices.Contains(dc.Objectives, o.ID) {
				oe.Decisions = append(oe.Decisions, d)
			}
		}
		out.Objectives = append(out.Objectives, oe)
	}
	for _, a := range c.plan {
		if !a.Deleted {
			out.Plan = append(out.Plan, a)
		}
	}
	// The plan in the order its lines were first written.
	first := map[string]int64{}
	for _, ev := range c.in.Events {
		if ev.Kind == engine.KindCorrectiveAction {
			var p engine.ActionPayload
			if json.Unmarshal(ev.Payload, &p) == nil && first[p.ID] == 0 {
				first[p.ID] = ev.Seq
			}
		}
	}
	sort.SliceStable(out.Plan, func(i, j int) bool { return first[out.Plan[i].ID] < first[out.Plan[j].ID] })
	return out
}

// ratingsOf returns every rater's latest rating of an objective (task "")
// or task, withdrawn ones left out, and the facilitator's settled one: the
// latest final rating, unless the facilitator withdrew or replaced it
// with one not final since.
func (c *computation) ratingsOf(objective, task string) ([]RatingEntry, *RatingEntry) {
	var list []RatingEntry
	var final *RatingEntry
	for _, k := range c.order {
		if k.objective != objective || k.task != task {
			continue
		}
		r := c.ratings[k]
		if r.Rating == "" {
			continue
		}
		list = append(list, r)
		if r.Final {
			f := r
			final = &f
		}
	}
	return list, final
}
