package scenario

import (
	"strings"
	"testing"
)

// fakeRuntime answers from fixed tables.
type fakeRuntime struct {
	chose     map[string]string // decision -> option
	closed    map[string]bool
	visited   map[string]bool
	delivered map[string]bool
}

func (f *fakeRuntime) Chose(d, o string) bool  { return f.chose[d] == o }
func (f *fakeRuntime) Answered(d string) bool  { _, ok := f.chose[d]; return ok }
func (f *fakeRuntime) Closed(d string) bool    { return f.closed[d] }
func (f *fakeRuntime) Answer(d string) string  { return f.chose[d] }
func (f *fakeRuntime) Visited(s string) bool   { return f.visited[s] }
func (f *fakeRuntime) Delivered(i string) bool { return f.delivered[i] }

// The world functions: comms published on "site" at minute 3, "i" was
// delivered at minute 1, and nothing else happened.
func (f *fakeRuntime) Published(t, o string) bool { return t == "a" && o == "site" }
func (f *fakeRuntime) Replied(i string) bool      { return false }
func (f *fakeRuntime) Sent(t, p string) bool      { return false }
func (f *fakeRuntime) PublishedAt(t, o string) float64 {
	if f.Published(t, o) {
		return 3
	}
	return -1
}
func (f *fakeRuntime) DeliveredAt(i string) float64 {
	if f.delivered[i] {
		return 1
	}
	return -1
}
func (f *fakeRuntime) MinutesSincePublished(t, o string) float64 { return -1 }

const envScenario = `
id: env
title: Env
teams: {a: {name: A}}
variables:
  reputation: {type: number, initial: 50, min: 0, max: 100}
  hits: {type: number}
  secured: {type: bool}
  status: {type: string, initial: open}
start: s
states:
  s:
    decisions:
      - id: d
        team: a
        prompt: p
        options: [{id: x, label: X}, {id: y, label: Y}]
    on_enter:
      - reputation = 50
      - reputation = reputation - 15
      - reputation += 1
      - reputation -= 200
      - hits += 1.5
      - hits = len(status) * 2
      - secured = chose("d", "x") || visited("s")
      - status = upper(status) + "!"
      - reputation = clamp(reputation + 70, 0, 90)
      - hits = elapsed + clock
    transitions:
      - to: e
        when: reputation - 15 > 20 && answer("d") == "x" && !closed("d") && delivered("i") && status in ["open", "closed"]
  e: {outcome: done, injects: [{id: i, channel: sitrep, body: b}]}
`

func TestEnvEval(t *testing.T) {
	sc, err := Parse("env.yaml", []byte(envScenario))
	if err != nil {
		t.Fatal(err)
	}
	rt := &fakeRuntime{chose: map[string]string{"d": "x"}, delivered: map[string]bool{"i": true}}
	env := sc.NewEnv(rt)
	env.Set("elapsed", 2)
	env.Set("clock", 3.5)
	want := []any{50.0, 35.0, 36.0, 0.0, 1.5, 8.0, true, "OPEN!", 70.0, 5.5}
	effects := sc.State("s").OnEnter
	if len(effects) != len(want) {
		t.Fatalf("got %d effects", len(effects))
	}
	for i, f := range effects {
		got, err := f.Eval(env)
		if err != nil {
			t.Fatalf("%s: %v", f.Src, err)
		}
		if got != want[i] {
			t.Errorf("%s = %v (%T), want %v", f.Src, got, got, want[i])
		}
		// Each effect sees the previous ones, as at run time.
		env.Set(f.Var, got)
	}
	env.Set("reputation", 60)
	env.Set("status", "open")
	cond := sc.State("s").Transitions[0].When
	ok, err := cond.Eval(env)
	if err != nil || !ok {
		t.Fatalf("condition = %v, %v; want true", ok, err)
	}
	rt.closed = map[string]bool{"d": true}
	if ok, _ := cond.Eval(env); ok {
		t.Fatal("condition still true after closed(d)")
	}
	var none *Expr
	if ok, err := none.Eval(env); !ok || err != nil {
		t.Fatal("absent condition must hold")
	}
}

func TestEnvCloneIsIndependent(t *testing.T) {
	sc, err := Parse("env.yaml", []byte(envScenario))
	if err != nil {
		t.Fatal(err)
	}
	a := sc.NewEnv(&fakeRuntime{})
	b := a.Clone(&fakeRuntime{chose: map[string]string{"d": "x"}})
	b.Set("reputation", 1)
	if a.Get("reputation") != 50.0 || b.Get("reputation") != 1.0 {
		t.Fatalf("clone shares variables: %v %v", a.Get("reputation"), b.Get("reputation"))
	}
	if got := b.Vars(); len(got) != 4 || got["status"] != "open" {
		t.Fatalf("Vars() = %v", got)
	}
}

func TestRenderAndParams(t *testing.T) {
	src := strings.Replace(envScenario, "teams:", "parameters: {company: {default: Acme}, city: {default: Paris}}\nteams:", 1)
	sc, err := Parse("p.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	p, err := sc.Params(map[string]string{"city": "Lyon"})
	if err != nil {
		t.Fatal(err)
	}
	if got := Render("{{company}} in {{ city }}, {{nope}} {{", p); got != "Acme in Lyon, {{nope}} {{" {
		t.Fatalf("Render = %q", got)
	}
	for _, bad := range []map[string]string{{"ciyt": "x"}, {"city": "a\nb"}, {"city": strings.Repeat("x", 201)}, {"city": "{{company}}"}} {
		if _, err := sc.Params(bad); err == nil {
			t.Errorf("Params(%v) accepted", bad)
		}
	}
}
