package scenario

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func seedFiles(t testing.TB) []string {
	var files []string
	for _, pat := range []string{"../../scenarios/*.yaml", "testdata/valid/*.yaml", "testdata/invalid/*.yaml"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	return files
}

// FuzzParse feeds arbitrary bytes to the loader: it must never panic, must
// report problems as a positioned ErrorList, and whatever it accepts must be
// safe to run.
func FuzzParse(f *testing.F) {
	for _, path := range seedFiles(f) {
		src, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		sc, err := Parse("fuzz.yaml", src)
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 || len(list) > maxErrors+1 {
				t.Fatalf("bad error value %T (%d): %v", err, len(list), err)
			}
			for _, e := range list {
				if e.Line < 1 || e.Col < 1 || e.Msg == "" {
					t.Fatalf("unpositioned error %+v", e)
				}
			}
			return
		}
		exercise(t, sc)
	})
}

// exercise checks the invariants of an accepted scenario and runs every
// compiled expression once.
func exercise(t *testing.T, sc *Scenario) {
	t.Helper()
	if sc.State(sc.Start) == nil {
		t.Fatalf("accepted without a start state")
	}
	env := sc.NewEnv(&fakeRuntime{})
	env.Set("elapsed", 1.5)
	env.Set("clock", 3)
	run := func(x *Expr) {
		if x.Program == nil {
			t.Fatalf("condition %q not compiled", x.Src)
		}
		start := time.Now()
		if _, err := x.Eval(env); err != nil && !strings.Contains(err.Error(), "divide by zero") {
			t.Fatalf("condition %q failed at run time: %v", x.Src, err)
		}
		if d := time.Since(start); d > 100*time.Millisecond {
			t.Fatalf("condition %q took %v", x.Src, d)
		}
	}
	runEffect := func(f *Effect) {
		v, err := f.Eval(env)
		if err != nil {
			// Only value-dependent failures may remain for run time.
			msg := err.Error()
			if !strings.Contains(msg, "not a finite number") && !strings.Contains(msg, "text longer") && !strings.Contains(msg, "divide by zero") {
				t.Fatalf("effect %q failed at run time: %v", f.Src, err)
			}
			return
		}
		env.Set(f.Var, v)
	}
	for _, s := range sc.States {
		if !s.Final() && len(s.Transitions) == 0 {
			t.Fatalf("dead end %q accepted", s.ID)
		}
		for _, tr := range s.Transitions {
			if sc.State(tr.To) == nil {
				t.Fatalf("transition to missing state %q accepted", tr.To)
			}
		}
	}
	sc.Exprs(run, runEffect)
}

const exprBase = `
id: x
title: X
teams: {a: {name: A}}
variables:
  n: {type: number, initial: 3, min: -100, max: 100}
  b: {type: bool}
  s: {type: string, initial: hello}
start: one
states:
  one:
    injects: [{id: i, channel: chat, body: hi}]
    decisions: [{id: d, team: a, prompt: p, options: [{id: o, label: O}]}]
    transitions: [{to: two, after: 1m}]
  two: {outcome: end}
`

// compileForTest compiles src as a condition (or, with effect, as the
// right-hand side of "n = src") against the scenario.
func compileForTest(sc *Scenario, src string, effect bool) (*Expr, *Effect, error) {
	d := &decoder{errs: &errs{file: "x.yaml"}, sc: sc}
	node := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: src, Line: 1, Column: 1, Style: yaml.DoubleQuotedStyle}
	c := d.newExprCompiler()
	var x *Expr
	var f *Effect
	d.errs.run(func() {
		if effect {
			f = &Effect{Src: "n = " + src, Var: "n", Op: "=", node: node, rhsOff: 3}
			c.compileEffect(f)
		} else {
			x = &Expr{Src: src, node: node}
			c.compileCond(x)
		}
	})
	return x, f, d.errs.result()
}

// FuzzCompileExpr feeds arbitrary expressions to the compiler: it must
// never panic, and what it accepts must evaluate quickly without error.
func FuzzCompileExpr(f *testing.F) {
	for _, s := range []string{
		"n > 1", "b && !b", `s == "x"`, `chose("d", "o")`, `answer("d") == "o"`, `visited("one") or delivered("i")`,
		"clamp(n * 2, 0, 10) > abs(n)", "ceil(n) + floor(n) + round(n) > min(n, 1, 2) - max(n, 3)",
		`len(upper(lower(trim(s)))) > 0`, `s in ["a", "b"]`, `s contains "e" && s startsWith "h" || s endsWith "o"`,
		strings.Repeat("zz+", 120) + "zz > 0", "n ?? 1 > 0", "b ? n > 1 : n < 1", `b ? 1 : "x"`, "n??0", "nil", "[1, 2]", "elapsed + clock > 0", "n % 2 == 0", "n ** 2 > 1",
		"map([1], #)", "1..1e8", `repeat("a", 1e9)`, "let x = 1; x", "n.x", "$env", "[1,2][0:1]", "{a: 1}",
		`reduce(1..50000, #acc + "xx", "")`, `s matches "a+"`, strings.Repeat("(", 300), strings.Repeat("n+", 300) + "n > 0",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	sc, err := Parse("base.yaml", []byte(exprBase))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src string, effect bool) {
		x, fx, err := compileForTest(sc, src, effect)
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) || list[0].Line < 1 || list[0].Col < 1 {
				t.Fatalf("bad error %v", err)
			}
			return
		}
		env := sc.NewEnv(&fakeRuntime{chose: map[string]string{"d": "o"}})
		start := time.Now()
		if effect {
			if _, err := fx.Eval(env); err != nil && !strings.Contains(err.Error(), "finite") && !strings.Contains(err.Error(), "divide by zero") {
				t.Fatalf("accepted %q fails at run time: %v", src, err)
			}
		} else if _, err := x.Eval(env); err != nil && !strings.Contains(err.Error(), "divide by zero") {
			t.Fatalf("accepted %q fails at run time: %v", src, err)
		}
		if d := time.Since(start); d > 100*time.Millisecond {
			t.Fatalf("accepted %q ran for %v", src, d)
		}
	})
}

func BenchmarkLoad(b *testing.B) {
	files, _ := filepath.Glob("../../scenarios/*.yaml")
	if len(files) == 0 {
		b.Fatal("no scenarios")
	}
	largest, size := "", 0
	for _, f := range files {
		if st, err := os.Stat(f); err == nil && int(st.Size()) > size {
			largest, size = f, int(st.Size())
		}
	}
	bench := func(path string) func(b *testing.B) {
		return func(b *testing.B) {
			src, err := os.ReadFile(path)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(path, src); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.Run("largest="+filepath.Base(largest), bench(largest))
	for _, f := range files {
		b.Run(filepath.Base(f), bench(f))
	}
}

func BenchmarkEvalCondition(b *testing.B) {
	sc, err := Load("../../scenarios/example.yaml")
	if err != nil {
		b.Fatal(err)
	}
	// closed("lock_account") && !account_secured
	cond := sc.State("takeover").Transitions[1].When
	env := sc.NewEnv(&fakeRuntime{closed: map[string]bool{"lock_account": true}})
	b.ReportAllocs()
	for b.Loop() {
		ok, err := cond.Eval(env)
		if err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}
