package sim

import (
	"strconv"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
	"github.com/ttxsim/ttx/server/scenario"
)

// NamedValue is one thing a transition's `when` read and its value when the
// transition was taken: a variable, clock or elapsed (minutes), or a call
// such as chose("d", "o").
type NamedValue struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

// read is one value a `when` expression reads, found in its syntax tree.
type read struct {
	name string   // as shown: the variable, or the call with its arguments
	v    int      // variable index, or -1
	fn   string   // "clock", "elapsed", or a scenario function name
	args []string // string-literal arguments of a call
}

type readVisitor struct {
	p    *plan
	out  []read
	seen map[string]bool
}

func (v *readVisitor) add(r read) {
	if !v.seen[r.name] {
		v.seen[r.name] = true
		v.out = append(v.out, r)
	}
}

func (v *readVisitor) Visit(n *ast.Node) {
	switch x := (*n).(type) {
	case *ast.IdentifierNode:
		if i, ok := v.p.varIdx[x.Value]; ok {
			v.add(read{name: x.Value, v: i})
		} else if x.Value == "clock" || x.Value == "elapsed" {
			v.add(read{name: x.Value, v: -1, fn: x.Value})
		}
	case *ast.CallNode:
		id, ok := x.Callee.(*ast.IdentifierNode)
		if !ok {
			return
		}
		switch id.Value {
		case "chose", "answered", "closed", "answer", "visited", "delivered",
			"published", "replied", "sent", "published_at", "delivered_at", "minutes_since_published":
		default:
			return
		}
		r := read{v: -1, fn: id.Value}
		quoted := make([]string, 0, len(x.Arguments))
		for _, a := range x.Arguments {
			s, ok := a.(*ast.StringNode)
			if !ok {
				return // checked at load: arguments are literals
			}
			r.args = append(r.args, s.Value)
			quoted = append(quoted, strconv.Quote(s.Value))
		}
		r.name = id.Value + "(" + strings.Join(quoted, ", ") + ")"
		v.add(r)
	}
}

// whenReads lists, for each state and transition, what its `when` reads,
// in the order written (duplicates once).
func whenReads(p *plan, sc *scenario.Scenario) [][][]read {
	out := make([][][]read, len(sc.States))
	for si, s := range sc.States {
		out[si] = make([][]read, len(s.Transitions))
		for ti, t := range s.Transitions {
			if t.When == nil {
				continue
			}
			out[si][ti] = readsOf(p, t.When)
		}
	}
	return out
}

// readsOf lists what a condition reads, in the order written.
func readsOf(p *plan, x *scenario.Expr) []read {
	tree, err := parser.Parse(x.Src)
	if err != nil {
		return nil // compiled at load; nothing to show otherwise
	}
	v := &readVisitor{p: p, seen: map[string]bool{}}
	ast.Walk(&tree.Node, v)
	return v.out
}

// values evaluates what a `when` reads, now.
func (m *Machine) values(rs []read) []NamedValue {
	if len(rs) == 0 {
		return nil
	}
	rt := &runtime{m}
	out := make([]NamedValue, 0, len(rs))
	for _, r := range rs {
		var val any
		switch {
		case r.v >= 0:
			val = m.vars[r.v]
		case r.fn == "clock":
			val = m.now.Minutes()
		case r.fn == "elapsed":
			val = (m.now - m.entered).Minutes()
		case r.fn == "chose" && len(r.args) == 2:
			val = rt.Chose(r.args[0], r.args[1])
		case r.fn == "answered" && len(r.args) == 1:
			val = rt.Answered(r.args[0])
		case r.fn == "closed" && len(r.args) == 1:
			val = rt.Closed(r.args[0])
		case r.fn == "answer" && len(r.args) == 1:
			val = rt.Answer(r.args[0])
		case r.fn == "visited" && len(r.args) == 1:
			val = rt.Visited(r.args[0])
		case r.fn == "delivered" && len(r.args) == 1:
			val = rt.Delivered(r.args[0])
		case r.fn == "published" && len(r.args) == 2:
			val = rt.Published(r.args[0], r.args[1])
		case r.fn == "replied" && len(r.args) == 1:
			val = rt.Replied(r.args[0])
		case r.fn == "sent" && len(r.args) == 2:
			val = rt.Sent(r.args[0], r.args[1])
		case r.fn == "published_at" && len(r.args) == 2:
			val = rt.PublishedAt(r.args[0], r.args[1])
		case r.fn == "delivered_at" && len(r.args) == 1:
			val = rt.DeliveredAt(r.args[0])
		case r.fn == "minutes_since_published" && len(r.args) == 2:
			val = rt.MinutesSincePublished(r.args[0], r.args[1])
		default:
			continue
		}
		out = append(out, NamedValue{Name: r.name, Value: val})
	}
	return out
}
