package scenario

import (
	"errors"
	"fmt"
	"math"

	"go.yaml.in/yaml/v3"
)

// The parts of the format that serve evaluation: an objective's critical
// tasks and timed milestones, a decision's expected options and each
// option's score. None of them changes how an exercise runs; they are
// read when it is judged (package eval) and by the documents.

// Task is a critical task under an objective (HSEEP): something a team
// must do for the objective to be met, rated on its own.
type Task struct {
	ID    string   `json:"id"`
	Title string   `json:"title"`
	Teams []string `json:"teams,omitempty"`
	Pos   Pos      `json:"-"`
}

// Milestone is a capability target with a time: Done gives the exercise
// minute the thing happened (< 0: it did not), Due the deadline minute.
// Both are number expressions evaluated when the exercise ends; it is met
// when 0 <= done <= due.
type Milestone struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Task  string `json:"task,omitempty"` // a task id of the same objective
	Done  *Expr  `json:"done"`
	Due   *Expr  `json:"due"`
	Pos   Pos    `json:"-"`
}

// wantMinute is the compiler configuration for milestones' done and due:
// a number, reported as an exercise minute.
const wantMinute = "minute"

// Specs of the evaluation mappings.
var (
	taskSpec = &spec{name: "task",
		keys:     []string{"id", "title", "teams"},
		required: []string{"id", "title"}}
	milestoneSpec = &spec{name: "milestone",
		keys:     []string{"id", "title", "task", "done", "due"},
		required: []string{"id", "title", "done", "due"}}
)

// Task returns the objective's task with this id, or nil.
func (o *Objective) Task(id string) *Task {
	for _, t := range o.Tasks {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// objectiveEval reads an objective's tasks and milestones.
func (d *decoder) objectiveEval(o *Objective, of *fields) {
	what := "objective '" + o.ID + "'"
	seen := map[string]Pos{}
	unique := func(n *yaml.Node, id, kind string) bool {
		if n == nil || !d.checkID(id, posOf(n), kind, idPattern) {
			return false
		}
		if p, dup := seen[kind+"/"+id]; dup {
			d.errs.add(posOf(n), fmt.Sprintf("the first one is at line %d", p.Line), "duplicate %s id '%s' in %s", kind, id, what)
			return false
		}
		seen[kind+"/"+id] = posOf(n)
		return true
	}
	for _, n := range d.seq(of.get("tasks"), "tasks") {
		f := d.fields(n, taskSpec, "a task of "+what)
		t := &Task{Pos: posOf(n), ID: d.str(f.get("id"), "id"), Title: d.text(f.get("title"), "title")}
		var ps []Pos
		t.Teams, ps = d.strs(f.get("teams"), "teams")
		d.teamRefs(t.Teams, ps, false)
		if unique(f.get("id"), t.ID, "task") {
			o.Tasks = append(o.Tasks, t)
		}
	}
	var taskIDs []string
	for _, t := range o.Tasks {
		taskIDs = append(taskIDs, t.ID)
	}
	for _, n := range d.seq(of.get("milestones"), "milestones") {
		f := d.fields(n, milestoneSpec, "a milestone of "+what)
		m := &Milestone{Pos: posOf(n), ID: d.str(f.get("id"), "id"), Title: d.text(f.get("title"), "title"),
			Task: d.str(f.get("task"), "task"),
			Done: d.numberExpr(f.get("done"), "done"), Due: d.numberExpr(f.get("due"), "due")}
		if tn := f.get("task"); tn != nil && o.Task(m.Task) == nil {
			hint := d.hintFor(m.Task, taskIDs)
			if len(taskIDs) == 0 {
				hint = "declare it under the objective's 'tasks:'"
			}
			d.errs.add(posOf(tn), hint, "unknown task '%s' in %s", clip(m.Task, 40), what)
		}
		if unique(f.get("id"), m.ID, "milestone") {
			o.Milestones = append(o.Milestones, m)
		}
	}
}

// decisionEval reads a decision's expected options, once its options are
// known.
func (d *decoder) decisionEval(dc *Decision, f *fields) {
	var ids []string
	for _, o := range dc.Options {
		ids = append(ids, o.ID)
	}
	exp, ps := d.strs(f.get("expected"), "expected")
	for i, id := range exp {
		if !contains(ids, id) {
			d.errs.add(ps[i], d.hintFor(id, ids), "expected option '%s' is not an option of decision '%s'", clip(id, 40), dc.ID)
			continue
		}
		if !contains(dc.Expected, id) {
			dc.Expected = append(dc.Expected, id)
		}
	}
}

// score reads an option's score: any finite number, negative included.
func (d *decoder) score(n *yaml.Node) *float64 {
	if n == nil {
		return nil
	}
	if v, ok := d.number(n, "score"); ok {
		return &v
	}
	return nil
}

// numberExpr records a number expression for compilation after decoding.
func (d *decoder) numberExpr(n *yaml.Node, key string) *Expr {
	if n == nil {
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		d.errs.add(posOf(n), "write the expression on one line, quoted if it contains ': '", "'%s' must be an expression, found %s", key, kindName(n))
		return nil
	}
	x := &Expr{Src: n.Value, Pos: posOf(n), node: n}
	d.numbers = append(d.numbers, x)
	return x
}

// Number evaluates a number expression.
func (x *Expr) Number(env *Env) (float64, error) {
	if x == nil || x.Program == nil {
		return 0, errors.New("scenario: expression was not compiled")
	}
	out, err := env.vm.Run(x.Program, env.m)
	if err != nil {
		return 0, fmt.Errorf("scenario: expression %q: %w", x.Src, err)
	}
	f, ok := toFloat(out)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("scenario: expression %q gave %v, not a finite number", x.Src, out)
	}
	return f, nil
}
