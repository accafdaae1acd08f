package scenario

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/checker"
	"github.com/expr-lang/expr/compiler"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/optimizer"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
	"go.yaml.in/yaml/v3"
)

// The expression language is expr, restricted by an allow-list checked on
// the parsed tree before compiling: expr's own switches cannot turn off
// predicates (map, filter, reduce...), let or ranges, and those can run for
// seconds and allocate gigabytes. Whatever passes the walk is bounded by the
// length and node caps.

// Functions scenario expressions may call that read the exercise.
var refFuncs = map[string]struct {
	arity int
	usage string
}{
	"chose":     {2, `chose("decision_id", "option_id")`},
	"answered":  {1, `answered("decision_id")`},
	"closed":    {1, `closed("decision_id")`},
	"answer":    {1, `answer("decision_id")`},
	"visited":   {1, `visited("state_id")`},
	"delivered": {1, `delivered("inject_id")`},
	// What teams did in the world.
	"published":               {2, `published("team_id", "outlet_id")`},
	"replied":                 {1, `replied("inject_id")`},
	"sent":                    {2, `sent("team_id", "persona_id")`},
	"published_at":            {2, `published_at("team_id", "outlet_id")`},
	"delivered_at":            {1, `delivered_at("inject_id")`},
	"minutes_since_published": {2, `minutes_since_published("team_id", "outlet_id")`},
}

// allowedBuiltins are expr builtins that are cheap and bounded.
var allowedBuiltins = []string{"abs", "ceil", "floor", "round", "min", "max", "len", "lower", "upper", "trim"}

// functionNames lists every callable name, for hints.
var functionNames = []string{"chose", "answered", "closed", "answer", "visited", "delivered",
	"published", "replied", "sent", "published_at", "delivered_at", "minutes_since_published", "clamp",
	"abs", "ceil", "floor", "round", "min", "max", "len", "lower", "upper", "trim"}

var allowedBinary = map[string]bool{
	"==": true, "!=": true, "<": true, ">": true, "<=": true, ">=": true,
	"and": true, "or": true, "&&": true, "||": true,
	"+": true, "-": true, "*": true, "/": true, "%": true, "**": true, "^": true,
	"in": true, "contains": true, "startsWith": true, "endsWith": true,
}

var keywords = []string{"true", "false", "nil", "not", "and", "or", "in", "matches", "contains",
	"startsWith", "endsWith", "let", "if", "else", "elapsed", "clock", "env"}

// reservedName reports whether a variable may not use the name because the
// language gives it another meaning.
func reservedName(id string) bool {
	if contains(keywords, id) || contains(functionNames, id) {
		return true
	}
	_, isBuiltin := builtin.Index[id]
	return isBuiltin
}

func clampFn(x, lo, hi float64) float64 { return min(max(x, lo), hi) }

// compileEnv is the typed environment expressions are checked against.
func (sc *Scenario) compileEnv() map[string]any {
	env := map[string]any{
		"elapsed":   0.0,
		"clock":     0.0,
		"chose":     func(string, string) bool { return false },
		"answered":  func(string) bool { return false },
		"closed":    func(string) bool { return false },
		"answer":    func(string) string { return "" },
		"visited":   func(string) bool { return false },
		"delivered": func(string) bool { return false },
		"clamp":     clampFn,

		"published":               func(string, string) bool { return false },
		"replied":                 func(string) bool { return false },
		"sent":                    func(string, string) bool { return false },
		"published_at":            func(string, string) float64 { return 0 },
		"delivered_at":            func(string) float64 { return 0 },
		"minutes_since_published": func(string, string) float64 { return 0 },
	}
	for _, v := range sc.Variables {
		env[v.ID] = zeroOf(v.Type)
	}
	for _, p := range sc.Parameters {
		if !reservedName(p.ID) {
			env[p.ID] = zeroOf(p.Type)
		}
	}
	return env
}

func zeroOf(t VarType) any {
	switch t {
	case Bool:
		return false
	case String:
		return ""
	}
	return 0.0
}

// exprCompiler compiles every expression of one scenario.
// It builds one expr configuration per result type and reuses it, instead
// of letting expr.Compile rebuild the typed environment for every
// expression: loading is several times faster.
type exprCompiler struct {
	d       *decoder
	configs map[string]*conf.Config // by wanted result: "condition", "number", "bool", "string"
	lines   *lineIndex
}

func (d *decoder) newExprCompiler() *exprCompiler {
	env := d.sc.compileEnv()
	mk := func(result expr.Option) *conf.Config {
		cfg := conf.CreateNew()
		for _, opt := range []expr.Option{expr.Env(env), result, expr.MaxNodes(maxExprNodes)} {
			opt(cfg)
		}
		cfg.Check()
		return cfg
	}
	return &exprCompiler{d: d, lines: &lineIndex{src: d.sc.Source}, configs: map[string]*conf.Config{
		"condition":    mk(expr.AsBool()),
		string(Bool):   mk(expr.AsBool()),
		string(Number): mk(expr.AsFloat64()),
		wantCount:      mk(expr.AsFloat64()),
		wantMinute:     mk(expr.AsFloat64()),
		string(String): mk(expr.AsKind(reflect.String)),
	}}
}

// wantCount is the compiler configuration for engagement counts: a number,
// reported as a count rather than as an effect.
const wantCount = "count"

// exprText locates an expression inside a YAML scalar so that errors point
// at the offending character, not just at the start of the line.
type exprText struct {
	node  *yaml.Node
	lines *lineIndex
	off   int // rune offset of the expression inside the scalar's value
}

// at maps a rune offset inside the expression to a file position. It is
// exact for single-line plain and quoted scalars and for literal blocks;
// for folded text and escapes it finds the offset by walking the source
// (findInSource), and falls back to the scalar's start when that fails.
func (t exprText) at(off int) Pos {
	n := t.node
	start := posOf(n)
	off += t.off
	line := t.lines.line(n.Line)
	switch {
	case n.Style&yaml.LiteralStyle != 0:
		prefix := runePrefix(n.Value, off)
		nl := strings.Count(prefix, "\n")
		body := t.lines.line(n.Line + 1 + nl)
		indent := len(body) - len(strings.TrimLeft(body, " "))
		col := utf8.RuneCountInString(prefix[strings.LastIndex(prefix, "\n")+1:])
		return Pos{Line: n.Line + 1 + nl, Col: indent + 1 + col}
	case strings.Contains(n.Value, "\n"):
		return inSourceOr(n, t.lines, off, start)
	}
	rest := runeSuffix(line, n.Column-1)
	quoted := n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0
	if quoted {
		rest = runeSuffix(rest, 1)
	}
	if !strings.HasPrefix(rest, n.Value) {
		return inSourceOr(n, t.lines, off, start) // escapes or folding changed the text
	}
	if quoted {
		off++
	}
	return Pos{Line: n.Line, Col: n.Column + off}
}

// lineIndex finds lines of the source by number without rescanning it.
type lineIndex struct {
	src    []byte
	starts []int // byte offset of each line; built on first use
}

func (l *lineIndex) line(n int) string {
	if l.starts == nil {
		l.starts = append(l.starts, 0)
		for i, b := range l.src {
			if b == '\n' {
				l.starts = append(l.starts, i+1)
			}
		}
	}
	if n < 1 || n > len(l.starts) {
		return ""
	}
	end := len(l.src)
	if n < len(l.starts) {
		end = l.starts[n] - 1
	}
	return strings.TrimSuffix(string(l.src[l.starts[n-1]:end]), "\r")
}

func runePrefix(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

func runeSuffix(s string, n int) string { return s[len(runePrefix(s, n)):] }

// compileCond compiles a condition to a bool program.
func (c *exprCompiler) compileCond(x *Expr) {
	t := exprText{node: x.node, lines: c.lines}
	x.Program = c.compile(x.Src, t, "condition")
}

// compileEffect compiles the right-hand side of an effect, typed to its variable.
func (c *exprCompiler) compileEffect(f *Effect) {
	sc := c.d.sc
	v := sc.idx.variables[f.Var]
	if v == nil {
		var ids []string
		for _, x := range sc.Variables {
			ids = append(ids, x.ID)
		}
		hint := c.d.hintFor(f.Var, ids)
		if hint == "" {
			hint = "declare it under 'variables:'"
		}
		c.d.errs.add(f.Pos, hint, "effect assigns unknown variable '%s'", f.Var)
		return
	}
	f.v = v
	if c.configs[string(v.Type)] == nil {
		return // the variable's type is missing or wrong, already reported
	}
	if f.Op != "=" && v.Type != Number {
		c.d.errs.add(f.Pos, fmt.Sprintf("use '%s = ...'", f.Var), "'%s' only works on number variables; '%s' is a %s", f.Op, f.Var, v.Type)
		return
	}
	rhs := f.Src[f.rhsOff:]
	lead := len(rhs) - len(strings.TrimLeft(rhs, " \t"))
	t := exprText{node: f.node, lines: c.lines, off: utf8.RuneCountInString(f.Src[:f.rhsOff+lead])}
	rhs = strings.TrimSpace(rhs)
	if rhs == "" {
		c.d.errs.add(t.at(0), "write a value after '"+f.Op+"'", "effect on '%s' has nothing to assign", f.Var)
		return
	}
	f.Program = c.compile(rhs, t, string(v.Type))
}

// compile checks one expression against the allow-list and compiles it.
// Errors are reported at their position; the result is nil on error.
func (c *exprCompiler) compile(src string, t exprText, want string) *vm.Program {
	d := c.d
	if strings.TrimSpace(src) == "" {
		d.errs.add(t.at(0), "", "empty expression")
		return nil
	}
	if n := utf8.RuneCountInString(src); n > maxExprLen {
		d.errs.add(t.at(0), "split the logic into variables set by effects", "expression is too long (%d characters, at most %d)", n, maxExprLen)
		return nil
	}
	cfg := c.configs[want]
	tree, err := parser.ParseWithConfig(src, cfg)
	if err != nil {
		c.report(err, t, "")
		return nil
	}
	before := len(d.errs.list)
	c.check(tree.Node, t)
	if len(d.errs.list) > before {
		return nil
	}
	// The same steps as expr.Compile, on the tree already checked.
	result, err := new(checker.Checker).PatchAndCheck(tree, cfg)
	if err != nil {
		if !c.explainMismatch(err, tree.Node, t) {
			c.report(err, t, want)
		}
		return nil
	}
	// expr lets a value of unknown type through the result check (to be
	// converted at run time), e.g. "b ? 1 : 'x'". Refuse it here so the
	// conversion can never fail in front of participants.
	if !resultKindOK(result, want) {
		d.errs.add(t.at(0), "make both branches of '? :' give the same type", "the result of this expression does not always have the same type")
		return nil
	}
	if err := optimizer.Optimize(&tree.Node, cfg); err != nil {
		c.report(err, t, want)
		return nil
	}
	prog, err := compiler.Compile(tree, cfg)
	if err != nil {
		c.report(err, t, want)
		return nil
	}
	return prog
}

// resultKindOK reports whether a checked result type is the one wanted.
func resultKindOK(rt reflect.Type, want string) bool {
	if rt == nil {
		return false
	}
	switch want {
	case "condition", string(Bool):
		return rt.Kind() == reflect.Bool
	case string(Number), wantCount, wantMinute:
		switch rt.Kind() {
		case reflect.Float64, reflect.Float32, reflect.Int, reflect.Int64, reflect.Int32, reflect.Int16, reflect.Int8,
			reflect.Uint, reflect.Uint64, reflect.Uint32, reflect.Uint16, reflect.Uint8:
			return true
		}
		return false
	}
	return rt.Kind() == reflect.String
}

// report turns an expr error into a positioned one in author language.
func (c *exprCompiler) report(err error, t exprText, want string) {
	msg, off := err.Error(), 0
	var fe *file.Error
	if errors.As(err, &fe) {
		msg, off = fe.Message, fe.From
	}
	hint := ""
	switch m := tokenRe.FindStringSubmatch(msg); {
	case msg == "unexpected token EOF":
		msg, hint = "the expression ends too early", "something is missing at the end"
	case m != nil && m[2] == "=":
		msg, hint = "'=' cannot be used in a condition", "use '==' to compare"
	case m != nil && m[2] == "#":
		msg, hint = "'#' is not allowed", "it only has a meaning inside loops over lists, which scenario rules do not use"
	case m != nil:
		msg = fmt.Sprintf("unexpected '%s'", m[2])
	case strings.HasPrefix(msg, "expected bool, but got"):
		got := strings.TrimPrefix(msg, "expected bool, but got ")
		if want == "condition" {
			msg = fmt.Sprintf("this condition gives %s, not true or false", typeWord(got))
			hint = "compare it, for example 'reputation < 50' or 'status == \"open\"'"
		} else {
			msg = fmt.Sprintf("this effect gives %s, but the variable holds true or false", typeWord(got))
		}
		off = 0
	case strings.HasPrefix(msg, "expected float64, but got") && want == wantCount:
		msg = fmt.Sprintf("this count gives %s, not a number", typeWord(strings.TrimPrefix(msg, "expected float64, but got ")))
		hint = "write a whole number, or a number expression such as \"round(100 * reputation / 50)\""
		off = 0
	case strings.HasPrefix(msg, "expected float64, but got") && want == wantMinute:
		msg = fmt.Sprintf("this gives %s, not a minute of the exercise", typeWord(strings.TrimPrefix(msg, "expected float64, but got ")))
		hint = "write a number expression such as 'published_at(\"comms\", \"newsroom\")' or 'delivered_at(\"post\") + 10'"
		off = 0
	case strings.HasPrefix(msg, "expected float64, but got"):
		msg = fmt.Sprintf("this effect gives %s, but the variable holds a number", typeWord(strings.TrimPrefix(msg, "expected float64, but got ")))
		off = 0
	case strings.HasPrefix(msg, "expected string, but got"):
		msg = fmt.Sprintf("this effect gives %s, but the variable holds text", typeWord(strings.TrimPrefix(msg, "expected string, but got ")))
		hint = "quote text values, for example status = \"open\""
		off = 0
	case strings.Contains(msg, "exceeds maximum allowed nodes"):
		msg, off = fmt.Sprintf("expression is too complex (more than %d parts)", maxExprNodes), 0
		hint = "split the logic into variables set by effects"
	case strings.HasPrefix(msg, "invalid operation"), strings.HasPrefix(msg, "mismatched types"):
		hint = "both sides of an operator must have compatible types (number, text, true/false)"
	}
	c.d.errs.add(t.at(off), hint, "%s", msg)
}

var tokenRe = regexp.MustCompile(`^unexpected token (\w+)\("(.*)"\)$`)

func typeWord(t string) string {
	switch t {
	case "float64", "int", "float", "number":
		return "a number"
	case "string":
		return "text"
	case "bool":
		return "true/false"
	case "interface {}", "unknown":
		return "a value of unknown type"
	}
	return t
}

// check walks the tree against the allow-list.
func (c *exprCompiler) check(n ast.Node, t exprText) {
	if n == nil {
		return
	}
	d := c.d
	at := func(n ast.Node) Pos { return t.at(n.Location().From) }
	switch n := n.(type) {
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.StringNode:
	case *ast.NilNode:
		d.errs.add(at(n), "every variable always has a value; compare with 0, false or \"\"", "'nil' is not allowed")
	case *ast.IdentifierNode:
		c.ident(n, func() Pos { return at(n) })
	case *ast.UnaryNode:
		switch n.Operator {
		case "!", "not", "-", "+":
		default:
			d.errs.add(at(n), "", "operator '%s' is not allowed", n.Operator)
			return
		}
		c.check(n.Node, t)
	case *ast.BinaryNode:
		switch {
		case n.Operator == "..":
			d.errs.add(at(n), "ranges can be huge; compare with <= and >= instead", "ranges ('..') are not allowed")
			return
		case n.Operator == "??":
			d.errs.add(at(n), "every variable always has a value", "'??' is not allowed")
			return
		case n.Operator == "matches":
			d.errs.add(at(n), "use contains, startsWith or endsWith", "'matches' (regular expressions) is not allowed")
			return
		case !allowedBinary[n.Operator]:
			d.errs.add(at(n), "", "operator '%s' is not allowed", n.Operator)
			return
		}
		c.check(n.Left, t)
		c.check(n.Right, t)
		if n.Operator == "==" || n.Operator == "!=" {
			c.answerCompare(n.Left, n.Right, t)
			c.answerCompare(n.Right, n.Left, t)
		}
	case *ast.ConditionalNode:
		c.check(n.Cond, t)
		c.check(n.Exp1, t)
		c.check(n.Exp2, t)
	case *ast.ArrayNode:
		for _, e := range n.Nodes {
			if !isLiteral(e) {
				d.errs.add(at(e), "", "lists may only hold plain values (numbers, quoted text, true/false)")
				return
			}
		}
	case *ast.CallNode:
		c.call(n, t)
	case *ast.BuiltinNode:
		if !contains(allowedBuiltins, n.Name) {
			hint := "allowed functions: " + strings.Join(functionNames, ", ")
			if _, pred := predicateNames[n.Name]; pred {
				hint = "loops over lists are not part of scenario rules; use variables and effects"
			}
			d.errs.add(at(n), hint, "function '%s' is not allowed", n.Name)
			return
		}
		for _, a := range n.Arguments {
			c.check(a, t)
		}
	case *ast.MemberNode:
		d.errs.add(at(n), `to read a decision use answer("id") or chose("id", "option")`, "'.' and '[...]' (member access) are not allowed")
	case *ast.SliceNode:
		d.errs.add(at(n), "", "slices ('[a:b]') are not allowed")
	case *ast.ChainNode:
		d.errs.add(at(n), "", "'?.' is not allowed")
	case *ast.PointerNode:
		d.errs.add(at(n), "", "'#' is not allowed")
	case *ast.PredicateNode:
		d.errs.add(at(n), "", "predicates are not allowed")
	case *ast.VariableDeclaratorNode:
		d.errs.add(at(n), "set variables with effects instead", "'let' is not allowed")
	case *ast.SequenceNode:
		d.errs.add(at(n), "write one expression", "';' sequences are not allowed")
	case *ast.MapNode, *ast.PairNode:
		d.errs.add(at(n), "", "maps ('{...}') are not allowed")
	case *ast.BytesNode:
		d.errs.add(at(n), "", "byte strings are not allowed")
	default:
		d.errs.add(at(n), "", "this construct is not allowed")
	}
}

var predicateNames = map[string]bool{"all": true, "none": true, "any": true, "one": true, "filter": true, "map": true,
	"find": true, "findIndex": true, "findLast": true, "findLastIndex": true, "count": true, "sum": true,
	"groupBy": true, "sortBy": true, "reduce": true}

func isLiteral(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.StringNode:
		return true
	case *ast.UnaryNode:
		if n.Operator == "-" || n.Operator == "+" {
			switch n.Node.(type) {
			case *ast.IntegerNode, *ast.FloatNode:
				return true
			}
		}
	}
	return false
}

func (c *exprCompiler) ident(n *ast.IdentifierNode, pos func() Pos) {
	d := c.d
	sc := d.sc
	name := n.Value
	if name == "elapsed" || name == "clock" || sc.idx.variables[name] != nil || sc.idx.params[name] != nil {
		return
	}
	p := pos()
	var hint string
	switch {
	case contains(functionNames, name) || refFuncs[name].usage != "":
		hint = "call it, for example " + refFuncs[name].usage
		if refFuncs[name].usage == "" {
			hint = "call it, for example " + name + "(...)"
		}
		d.errs.add(p, hint, "'%s' is a function", name)
		return
	case sc.idx.decisions[name] != nil:
		hint = fmt.Sprintf(`decisions are read with answered("%s"), answer("%s") or chose("%s", "option")`, name, name, name)
	case sc.idx.states[name] != nil:
		hint = fmt.Sprintf(`use visited("%s")`, name)
	case sc.idx.injects[name] != nil:
		hint = fmt.Sprintf(`use delivered("%s")`, name)
	case sc.idx.outlets[name] != nil:
		hint = fmt.Sprintf(`use published("team", "%s")`, name)
	case strings.HasPrefix(name, "$"):
		d.errs.add(p, "", "'%s' is not allowed", name)
		return
	default:
		names := []string{"elapsed", "clock"}
		for _, v := range sc.Variables {
			names = append(names, v.ID)
		}
		hint = didYouMean(name, names)
		if hint == "" && len(sc.Variables) == 0 {
			hint = "declare it under 'variables:'"
		}
	}
	d.errs.add(p, hint, "unknown variable '%s'", name)
}

func (c *exprCompiler) call(n *ast.CallNode, t exprText) {
	d := c.d
	sc := d.sc
	at := func(n ast.Node) Pos { return t.at(n.Location().From) }
	id, ok := n.Callee.(*ast.IdentifierNode)
	if !ok {
		d.errs.add(at(n), "", "only named functions can be called")
		return
	}
	if id.Value == "clamp" {
		if len(n.Arguments) != 3 {
			d.errs.add(at(n), "write clamp(value, low, high)", "clamp takes 3 arguments, found %d", len(n.Arguments))
			return
		}
		for _, a := range n.Arguments {
			c.check(a, t)
		}
		return
	}
	rf, known := refFuncs[id.Value]
	if !known {
		hint := didYouMean(id.Value, functionNames)
		if hint == "" {
			hint = "allowed functions: " + strings.Join(functionNames, ", ")
		}
		if sc.idx.variables[id.Value] != nil {
			hint = "'" + id.Value + "' is a variable, not a function"
		}
		d.errs.add(at(n), hint, "unknown function '%s'", id.Value)
		return
	}
	if len(n.Arguments) != rf.arity {
		d.errs.add(at(n), "write "+rf.usage, "%s takes %d argument(s), found %d", id.Value, rf.arity, len(n.Arguments))
		return
	}
	lits := make([]string, len(n.Arguments))
	for i, a := range n.Arguments {
		s, ok := a.(*ast.StringNode)
		if !ok {
			d.errs.add(at(a), "write "+rf.usage, "the arguments of %s must be quoted ids", id.Value)
			return
		}
		lits[i] = s.Value
	}
	if id.Value != "published" && id.Value != "published_at" && id.Value != "minutes_since_published" && id.Value != "sent" && d.dupIDs[lits[0]] {
		return // the duplicate id is reported where it is declared; which one is meant is the author's to say
	}
	switch id.Value {
	case "visited":
		if sc.idx.states[lits[0]] == nil {
			d.errs.add(at(n.Arguments[0]), d.hintFor(lits[0], stateIDs(sc)), "unknown state '%s'", clip(lits[0], 40))
		}
	case "delivered", "delivered_at":
		if sc.idx.injects[lits[0]] == nil {
			d.errs.add(at(n.Arguments[0]), d.hintFor(lits[0], sortedKeys(sc.idx.injects)), "unknown inject '%s'", clip(lits[0], 40))
		}
	case "replied":
		in := sc.idx.injects[lits[0]]
		switch {
		case in == nil:
			d.errs.add(at(n.Arguments[0]), d.hintFor(lits[0], sortedKeys(sc.idx.injects)), "unknown inject '%s'", clip(lits[0], 40))
		case len(in.Reply) == 0:
			d.errs.add(at(n.Arguments[0]), "add 'reply: true' (and 'from') to the inject", "inject '%s' takes no replies, so replied(\"%s\") is always false", in.ID, in.ID)
		}
	case "published", "published_at", "minutes_since_published":
		c.publishRef(lits, n, at)
	case "sent":
		c.sentRef(lits, n, at)
	default:
		dc := sc.idx.decisions[lits[0]]
		if dc == nil {
			d.errs.add(at(n.Arguments[0]), d.hintFor(lits[0], sortedKeys(sc.idx.decisions)), "unknown decision '%s'", clip(lits[0], 40))
			return
		}
		if id.Value == "chose" {
			c.optionRef(dc, lits[1], at(n.Arguments[1]))
		}
	}
}

// answerCompare checks answer("d") == "option" against the decision's options.
func (c *exprCompiler) answerCompare(call, other ast.Node, t exprText) {
	cn, ok := call.(*ast.CallNode)
	if !ok || len(cn.Arguments) != 1 {
		return
	}
	if id, ok := cn.Callee.(*ast.IdentifierNode); !ok || id.Value != "answer" {
		return
	}
	arg, ok1 := cn.Arguments[0].(*ast.StringNode)
	lit, ok2 := other.(*ast.StringNode)
	if !ok1 || !ok2 || lit.Value == "" {
		return
	}
	if dc := c.d.sc.idx.decisions[arg.Value]; dc != nil {
		c.optionRef(dc, lit.Value, t.at(lit.Location().From))
	}
}

func (c *exprCompiler) optionRef(dc *Decision, opt string, p Pos) {
	var ids []string
	for _, o := range dc.Options {
		ids = append(ids, o.ID)
		if o.ID == opt {
			return
		}
	}
	hint := c.d.hintFor(opt, ids)
	if len(ids) == 0 {
		hint = "this decision takes free text only"
	}
	c.d.errs.add(p, hint, "decision '%s' has no option '%s'", dc.ID, clip(opt, 40))
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
