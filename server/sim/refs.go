package sim

import (
	"maps"
	"regexp"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
	"github.com/ttxsim/ttx/server/scenario"
)

// refs is what the scenario's expressions read, found by walking their
// syntax trees: explore needs it to know which parts of a machine's state
// can influence the future.
type refs struct {
	all       bool            // an expression that does not parse: take it to read everything
	clock     bool            // some expression reads clock
	elapsed   bool            // some expression reads elapsed
	idents    map[string]bool // identifiers (variables among them; effects "v += e" read v)
	options   map[string]bool // decisions whose chosen option is read (chose, answer)
	decisions map[string]bool // decisions read in any way (chose, answer, answered, closed)
	answered  map[string]bool // decisions read with answered (a team's answer, not a default)
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
		default:
			v.r.idents[x.Value] = true
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
		case "answered":
			v.r.decisions[s.Value] = true
			v.r.answered[s.Value] = true
		case "closed":
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
	return refs{idents: map[string]bool{}, options: map[string]bool{}, decisions: map[string]bool{}, answered: map[string]bool{}, visited: map[string]bool{}, delivered: map[string]bool{},
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
			r.all, r.clock, r.elapsed = true, true, true
			for _, s := range sc.States {
				r.visited[s.ID] = true
				for _, d := range s.Decisions {
					r.options[d.ID] = true
					r.decisions[d.ID] = true
					r.answered[d.ID] = true
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

// walkRefs adds what one expression reads to r. One that does not parse
// (it compiled at load, so this should not happen) reads everything.
func walkRefs(r *refs, src string) {
	tree, err := parser.Parse(src)
	if err != nil {
		r.all, r.clock, r.elapsed = true, true, true
		return
	}
	ast.Walk(&tree.Node, refVisitor{r})
}

// effectRefs adds what an effect reads: its right-hand side, and the
// variable itself for "+=" and "-=".
func effectRefs(r *refs, f *scenario.Effect) {
	walkRefs(r, rhs(f))
	if f.Op != "=" {
		r.idents[f.Var] = true
	}
}

// stateRefs walks the expressions of each state: what its rules read
// while it is current (own), and what the effects of its transitions read
// as it is left (exit).
func stateRefs(sc *scenario.Scenario) (own, exit []refs) {
	own = make([]refs, len(sc.States))
	exit = make([]refs, len(sc.States))
	for si, st := range sc.States {
		o, x := newRefs(), newRefs()
		onExit := map[*scenario.Effect]bool{}
		for _, t := range st.Transitions {
			for _, f := range t.Effects {
				onExit[f] = true
			}
		}
		st.Exprs(func(e *scenario.Expr) { walkRefs(&o, e.Src) }, func(f *scenario.Effect) {
			if onExit[f] {
				effectRefs(&x, f)
			} else {
				effectRefs(&o, f)
			}
		})
		own[si], exit[si] = o, x
	}
	return own, exit
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

// mergeRefs adds what src reads to dst.
func mergeRefs(dst, src *refs) {
	dst.all = dst.all || src.all
	dst.clock = dst.clock || src.clock
	dst.elapsed = dst.elapsed || src.elapsed
	for _, m := range [][2]map[string]bool{
		{dst.idents, src.idents}, {dst.options, src.options}, {dst.decisions, src.decisions},
		{dst.answered, src.answered}, {dst.visited, src.visited}, {dst.delivered, src.delivered},
		{dst.published, src.published}, {dst.pubAbs, src.pubAbs}, {dst.pubRel, src.pubRel},
		{dst.replied, src.replied}, {dst.sent, src.sent}, {dst.deliveredAt, src.deliveredAt},
	} {
		maps.Copy(m[0], m[1])
	}
}
