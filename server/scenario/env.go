package scenario

import (
	"errors"
	"fmt"
	"math"

	"github.com/expr-lang/expr/vm"
)

// Runtime answers the questions expressions ask about the exercise. Package
// sim implements it over its machine state.
type Runtime interface {
	Chose(decision, option string) bool
	Answered(decision string) bool
	Closed(decision string) bool
	Answer(decision string) string
	Visited(state string) bool
	Delivered(inject string) bool

	// What teams did in the world; times are exercise minutes, -1 when
	// it has not happened.
	Published(team, outlet string) bool
	Replied(inject string) bool
	Sent(team, persona string) bool
	PublishedAt(team, outlet string) float64
	DeliveredAt(inject string) float64
	MinutesSincePublished(team, outlet string) float64
}

// Env is the environment expressions run against: the variables, elapsed
// and clock, and the functions bound to one Runtime. It is not safe for
// concurrent use; each machine owns one.
type Env struct {
	sc *Scenario
	m  map[string]any
	vm vm.VM
}

// maxStringValue bounds a string variable, since an effect such as
// s = s + s repeated by a timer would otherwise double it each time.
const maxStringValue = 10000

// NewEnv returns an environment with every variable at its initial value,
// elapsed and clock at 0, and the functions calling rt.
func (sc *Scenario) NewEnv(rt Runtime) *Env {
	m := make(map[string]any, len(sc.Variables)+15)
	for _, v := range sc.Variables {
		m[v.ID] = v.Initial
	}
	m["elapsed"] = 0.0
	m["clock"] = 0.0
	e := &Env{sc: sc, m: m}
	e.bind(rt)
	return e
}

// bind installs the functions. Their Go types match compileEnv exactly, so
// the VM calls them without reflection.
func (e *Env) bind(rt Runtime) {
	e.m["chose"] = rt.Chose
	e.m["answered"] = rt.Answered
	e.m["closed"] = rt.Closed
	e.m["answer"] = rt.Answer
	e.m["visited"] = rt.Visited
	e.m["delivered"] = rt.Delivered
	e.m["clamp"] = clampFn
	e.m["published"] = rt.Published
	e.m["replied"] = rt.Replied
	e.m["sent"] = rt.Sent
	e.m["published_at"] = rt.PublishedAt
	e.m["delivered_at"] = rt.DeliveredAt
	e.m["minutes_since_published"] = rt.MinutesSincePublished
}

// Clone copies the variable values into a new environment bound to rt (for
// a cloned machine).
func (e *Env) Clone(rt Runtime) *Env {
	m := make(map[string]any, len(e.m))
	for k, v := range e.m {
		m[k] = v
	}
	c := &Env{sc: e.sc, m: m}
	c.bind(rt)
	return c
}

// Set stores a variable, "elapsed" or "clock" (minutes). Whole numbers are
// stored as float64, the type expressions were compiled for.
func (e *Env) Set(name string, v any) {
	switch x := v.(type) {
	case int:
		v = float64(x)
	case int64:
		v = float64(x)
	case float32:
		v = float64(x)
	}
	e.m[name] = v
}

// Get returns a variable, "elapsed" or "clock".
func (e *Env) Get(name string) any { return e.m[name] }

// Vars returns a copy of the variables, by id.
func (e *Env) Vars() map[string]any {
	out := make(map[string]any, len(e.sc.Variables))
	for _, v := range e.sc.Variables {
		out[v.ID] = e.m[v.ID]
	}
	return out
}

// Eval evaluates a condition. A nil condition (not written) holds.
func (x *Expr) Eval(env *Env) (bool, error) {
	if x == nil {
		return true, nil
	}
	if x.Program == nil {
		return false, errors.New("scenario: condition was not compiled")
	}
	out, err := env.vm.Run(x.Program, env.m)
	if err != nil {
		return false, fmt.Errorf("scenario: condition %q: %w", x.Src, err)
	}
	b, ok := out.(bool)
	if !ok {
		return false, fmt.Errorf("scenario: condition %q gave %T, not bool", x.Src, out)
	}
	return b, nil
}

// Eval computes the new value of f.Var: it evaluates the right-hand side,
// applies the operator to the current value and clamps numbers to the
// variable's min and max. It does not store the result.
func (f *Effect) Eval(env *Env) (any, error) {
	if f.Program == nil || f.v == nil {
		return nil, errors.New("scenario: effect was not compiled")
	}
	out, err := env.vm.Run(f.Program, env.m)
	if err != nil {
		return nil, fmt.Errorf("scenario: effect %q: %w", f.Src, err)
	}
	switch f.v.Type {
	case Number:
		n, ok := toFloat(out)
		if !ok {
			return nil, fmt.Errorf("scenario: effect %q gave %T, not a number", f.Src, out)
		}
		if f.Op != "=" {
			cur, _ := toFloat(env.m[f.Var])
			if f.Op == "+=" {
				n = cur + n
			} else {
				n = cur - n
			}
		}
		if math.IsNaN(n) || math.IsInf(n, 0) {
			return nil, fmt.Errorf("scenario: effect %q: result is not a finite number", f.Src)
		}
		if f.v.Min != nil && n < *f.v.Min {
			n = *f.v.Min
		}
		if f.v.Max != nil && n > *f.v.Max {
			n = *f.v.Max
		}
		return n, nil
	case Bool:
		b, ok := out.(bool)
		if !ok {
			return nil, fmt.Errorf("scenario: effect %q gave %T, not bool", f.Src, out)
		}
		return b, nil
	default:
		s, ok := out.(string)
		if !ok {
			return nil, fmt.Errorf("scenario: effect %q gave %T, not text", f.Src, out)
		}
		if len(s) > maxStringValue {
			return nil, fmt.Errorf("scenario: effect %q: text longer than %d bytes", f.Src, maxStringValue)
		}
		return s, nil
	}
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	return 0, false
}

// Eval computes the counts at this moment: whole numbers as written,
// expressions rounded and kept within 0..MaxCount. A failing expression
// gives 0 for its count and the first error.
func (r *EngagementRule) Eval(env *Env) (*Engagement, error) {
	var first error
	one := func(c Count) int {
		n, err := c.eval(env)
		if err != nil && first == nil {
			first = err
		}
		return n
	}
	e := &Engagement{Likes: one(r.Likes), Reposts: one(r.Reposts), Replies: one(r.Replies)}
	return e, first
}

func (c Count) eval(env *Env) (int, error) {
	if c.X == nil {
		return c.N, nil
	}
	if c.X.Program == nil {
		return 0, errors.New("scenario: engagement count was not compiled")
	}
	out, err := env.vm.Run(c.X.Program, env.m)
	if err != nil {
		return 0, fmt.Errorf("scenario: engagement %q: %w", c.X.Src, err)
	}
	f, ok := toFloat(out)
	if !ok || math.IsNaN(f) {
		return 0, fmt.Errorf("scenario: engagement %q gave %v, not a number", c.X.Src, out)
	}
	return int(min(max(math.Round(f), 0), MaxCount)), nil
}
