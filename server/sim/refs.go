package sim

import (
	"regexp"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
	"github.com/ttxsim/ttx/server/scenario"
)

// refs is what the scenario's expressions read, found by walking their
// syntax trees: explore needs it to know which parts of a machine's state
// can influence the future.
type refs struct {
	clock     bool            // some expression reads clock
	elapsed   bool            // some expression reads elapsed
	options   map[string]bool // decisions whose chosen option is read (chose, answer)
	decisions map[string]bool // decisions read in any way (chose, answer, answered, closed)
	visited   map[string]bool // states read with visited
	delivered map[string]bool // injects read with delivered

	// What teams did, as read by the world functions; pairs are keyed
	// "team\x00outlet" or "team\x00persona".
	published   map[string]bool // published, published_at, minutes_since_published
	pubAbs      map[string]bool // published_at: when, in exercise time
	pubRel      map[string]bool // minutes_since_published: how long ago
	replied     map[string]bool // injects read with replied
	sent        map[string]bool // sent
	deliveredAt map[string]bool // injects read with delivered_at
}

func pairKey(a, b string) string { return a + "\x00" + b }

type refVisitor struct{ r *refs }

func (v refVisitor) Visit(n *ast.Node) {
	switch x := (*n).(type) {
	case *ast.IdentifierNode:
		switch x.Value {
		case "clock":
			v.r.clock = true
		case "elapsed":
			v.r.elapsed = true
		}
	case *ast.CallNode:
		id, ok := x.Callee.(*ast.IdentifierNode)
		if !ok || len(x.Arguments) == 0 {
			return
		}
		s, ok := x.Arguments[0].(*ast.StringNode)
		if !ok {
			return
		}
		second := ""
		if len(x.Arguments) > 1 {
			if s2, ok := x.Arguments[1].(*ast.StringNode); ok {
				second = s2.Value
			}
		}
		switch id.Value {
		case "chose", "answer":
			v.r.options[s.Value] = true
			v.r.decisions[s.Value] = true
		case "answered", "closed":
			v.r.decisions[s.Value] = true
		case "visited":
			v.r.visited[s.Value] = true
		case "delivered":
			v.r.delivered[s.Value] = true
		case "published":
			v.r.published[pairKey(s.Value, second)] = true
		case "published_at":
			v.r.published[pairKey(s.Value, second)] = true
			v.r.pubAbs[pairKey(s.Value, second)] = true
		case "minutes_since_published":
			v.r.published[pairKey(s.Value, second)] = true
			v.r.pubRel[pairKey(s.Value, second)] = true
		case "replied":
			v.r.replied[s.Value] = true
		case "sent":
			v.r.sent[pairKey(s.Value, second)] = true
		case "delivered_at":
			v.r.deliveredAt[s.Value] = true
		}
	}
}

func newRefs() refs {
	return refs{options: map[string]bool{}, decisions: map[string]bool{}, visited: map[string]bool{}, delivered: map[string]bool{},
		published: map[string]bool{}, pubAbs: map[string]bool{}, pubRel: map[string]bool{}, replied: map[string]bool{},
		sent: map[string]bool{}, deliveredAt: map[string]bool{}}
}

// scanRefs walks every expression of the scenario. An expression that
// does not parse (it compiled at load, so this should not happen) is taken
// to read everything, which only makes explore less eager to merge paths.
func scanRefs(sc *scenario.Scenario) refs {
	r := newRefs()
	walk := func(src string) {
		tree, err := parser.Parse(src)
		if err != nil {
			r.clock, r.elapsed = true, true
			for _, s := range sc.States {
				r.visited[s.ID] = true
				for _, d := range s.Decisions {
					r.options[d.ID] = true
					r.decisions[d.ID] = true
				}
				for _, in := range s.Injects {
					r.delivered[in.ID] = true
					r.deliveredAt[in.ID] = true
					r.replied[in.ID] = true
				}
			}
			return
		}
		ast.Walk(&tree.Node, refVisitor{&r})
	}
	sc.Exprs(
		func(x *scenario.Expr) { walk(x.Src) },
		// Src is the whole assignment; the right-hand side is what runs.
		func(f *scenario.Effect) { walk(rhs(f)) },
	)
	return r
}

// effectLHS matches the "var op" prefix of an effect, as the loader does.
var effectLHS = regexp.MustCompile(`^\s*[A-Za-z_][A-Za-z0-9_]*\s*(\+=|-=|=)`)

// rhs returns the expression part of an effect "var op expr".
func rhs(f *scenario.Effect) string {
	if m := effectLHS.FindStringIndex(f.Src); m != nil {
		return f.Src[m[1]:]
	}
	return f.Src
}
