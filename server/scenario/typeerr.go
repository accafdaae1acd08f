package scenario

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"go.yaml.in/yaml/v3"
)

// expr reports a type mix-up as "invalid operation: and (mismatched types
// bool and float64)", in Go's words. explainMismatch says the same thing in
// the author's: which operand has which type, what the operator needs, and
// the expression rewritten so that it works.

var mismatchRe = regexp.MustCompile(`^invalid operation: (\S+) \(mismatched types? (.+?)(?: and (.+))?\)$`)

// operator classes, by what their operands must be.
var (
	logicOps   = map[string]bool{"and": true, "or": true, "&&": true, "||": true}
	arithOps   = map[string]bool{"-": true, "*": true, "/": true, "%": true, "**": true, "^": true}
	orderOps   = map[string]bool{"<": true, "<=": true, ">": true, ">=": true}
	equalOps   = map[string]bool{"==": true, "!=": true}
	textOps    = map[string]bool{"contains": true, "startsWith": true, "endsWith": true}
	notOps     = map[string]bool{"not": true, "!": true}
	negateOps  = map[string]bool{"-": true, "+": true}
	kindNumber = "a number"
	kindBool   = "true/false"
	kindText   = "text"
)

// explainMismatch reports err in the author's words when it is a type
// mismatch it can explain, and says whether it did.
func (c *exprCompiler) explainMismatch(err error, root ast.Node, t exprText) bool {
	var fe *file.Error
	if !errors.As(err, &fe) {
		return false
	}
	m := mismatchRe.FindStringSubmatch(fe.Message)
	if m == nil {
		return false
	}
	op, unary := m[1], m[3] == ""
	n := findOp(root, op, fe.From, unary)
	if n == nil {
		return false
	}
	var msg, hint string
	var blamed ast.Node
	if unary {
		blamed = n.(*ast.UnaryNode).Node
		msg, hint = explainUnary(op, operand{blamed, typeWord(m[2])})
	} else {
		b := n.(*ast.BinaryNode)
		msg, hint, blamed = explainBinary(op, operand{b.Left, typeWord(m[2])}, operand{b.Right, typeWord(m[3])})
	}
	if msg == "" {
		return false
	}
	c.d.errs.add(t.at(startOf(blamed)), hint, "%s", msg)
	return true
}

// startOf is where a subtree begins in the expression: the smallest offset
// of its nodes (a binary node's own offset is its operator's).
func startOf(root ast.Node) int {
	from := root.Location().From
	walkExpr(root, func(n ast.Node) {
		from = min(from, n.Location().From)
	})
	return from
}

// operand is one side of an operator, with the type it has.
type operand struct {
	n    ast.Node
	kind string // typeWord of its type
}

func (o operand) name() string {
	switch o.n.(type) {
	case *ast.StringNode, *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
		return clip(o.n.String(), 40) // a literal reads best as written
	}
	return "'" + clip(o.n.String(), 40) + "'"
}

func (o operand) is() string { return o.name() + " is " + o.kind }

// asBool rewrites the operand to give true/false.
func (o operand) asBool() string {
	switch o.kind {
	case kindNumber:
		return o.n.String() + " > 0"
	case kindText:
		return o.n.String() + ` != ""`
	}
	return o.n.String()
}

// asNumber rewrites a true/false operand to give 1 or 0.
func (o operand) asNumber() string {
	if o.kind == kindBool {
		return "(" + o.n.String() + " ? 1 : 0)"
	}
	return o.n.String()
}

// findOp finds the operator node the checker complained about: the one
// at the error's offset. Another node with the same operator would name
// the wrong operands, so without an exact match it finds nothing and the
// caller reports the checker's own words at the checker's position.
func findOp(root ast.Node, op string, at int, unary bool) ast.Node {
	var exact ast.Node
	walkExpr(root, func(n ast.Node) {
		var nop string
		switch x := n.(type) {
		case *ast.BinaryNode:
			if unary {
				return
			}
			nop = x.Operator
		case *ast.UnaryNode:
			if !unary {
				return
			}
			nop = x.Operator
		default:
			return
		}
		if nop != op {
			return
		}
		if exact == nil && n.Location().From == at {
			exact = n
		}
	})
	return exact
}

// walkExpr visits every node of an expression tree.
func walkExpr(root ast.Node, f func(ast.Node)) {
	ast.Walk(&root, visitFunc(f))
}

type visitFunc func(ast.Node)

func (f visitFunc) Visit(n *ast.Node) { f(*n) }

// explainBinary says what is wrong with l op r, and which operand to point
// at: the one of the wrong type, or the left one when the mix is wrong.
func explainBinary(op string, l, r operand) (msg, hint string, blamed ast.Node) {
	blamed = l.n
	both := func(need string, bad func(operand) bool) string {
		var parts []string
		for _, o := range []operand{l, r} {
			if bad(o) {
				if len(parts) == 0 {
					blamed = o.n
				}
				parts = append(parts, o.is())
			}
		}
		if len(parts) == 0 {
			blamed = l.n
			parts = []string{l.is(), r.is()}
		}
		return fmt.Sprintf("'%s' %s, but %s", op, need, strings.Join(parts, " and "))
	}
	example := func(left, right string) string { return "for example '" + clip(left+" "+op+" "+right, 80) + "'" }
	switch {
	case logicOps[op]:
		msg = both("needs true/false on both sides", func(o operand) bool { return o.kind != kindBool })
		hint = "compare it to get true/false, " + example(l.asBool(), r.asBool())
	case arithOps[op] || op == "+":
		need := "works on numbers"
		if op == "+" {
			need = "adds two numbers or joins two texts"
		}
		if op == "+" && (l.kind == kindText) != (r.kind == kindText) && l.kind != kindBool && r.kind != kindBool {
			msg = fmt.Sprintf("'+' %s, but %s and %s", need, l.is(), r.is())
			hint = "keep both sides numbers, or both text (quote the number: \"3\")"
			return
		}
		msg = both(need, func(o operand) bool { return o.kind == kindBool || (o.kind == kindText && op != "+") })
		switch {
		case l.kind == kindText || r.kind == kindText:
			hint = "text cannot be counted; keep the amount in a number variable"
		default:
			hint = "to count true as 1 and false as 0, " + example(l.asNumber(), r.asNumber())
		}
	case orderOps[op]:
		if l.kind == kindBool || r.kind == kindBool {
			msg = both("compares two numbers or two texts", func(o operand) bool { return o.kind == kindBool })
			hint = "true/false is already a condition: use it as it is, or with 'not'"
			return
		}
		msg = fmt.Sprintf("'%s' compares two numbers or two texts, but %s and %s", op, l.is(), r.is())
		hint = "compare a number with a number (no quotes) and text with text (in quotes)"
	case equalOps[op]:
		msg = fmt.Sprintf("'%s' compares values of the same type, but %s and %s", op, l.is(), r.is())
		hint = "compare a number with a number (no quotes), text with text (in quotes), true/false with true or false"
	case textOps[op]:
		msg = both("works on text", func(o operand) bool { return o.kind != kindText })
		hint = "compare numbers with <, <=, ==, >=, >"
	default:
		return "", "", nil
	}
	return msg, hint, blamed
}

func explainUnary(op string, o operand) (msg, hint string) {
	switch {
	case notOps[op]:
		msg = fmt.Sprintf("'%s' needs true/false, but %s", op, o.is())
		switch o.kind {
		case kindNumber:
			hint = "for example '" + clip(o.n.String(), 40) + " == 0'"
		case kindText:
			hint = "for example '" + clip(o.n.String(), 40) + ` == ""'`
		}
	case negateOps[op]:
		msg = fmt.Sprintf("'%s' needs a number, but %s", op, o.is())
	}
	return msg, hint
}

// readAsKey reports an expression YAML read as a one-key mapping because
// it holds ": " (as in "x += ok ? 0 : 38", which is the key
// "x += ok ? 0" with the value 38), and says whether it did.
func readAsKey(d *decoder, n *yaml.Node, what string) bool {
	if n.Kind != yaml.MappingNode || len(n.Content) != 2 {
		return false
	}
	k, v := n.Content[0], n.Content[1]
	if k.Kind != yaml.ScalarNode || v.Kind != yaml.ScalarNode || k.Style != 0 {
		return false
	}
	whole := k.Value + ": " + v.Value
	if v.Line == k.Line && v.Column > k.Column {
		// As written: the spaces and quotes are the author's.
		line := []rune((&lineIndex{src: d.sc.Source}).line(k.Line))
		end := v.Column - 1 + len([]rune(v.Value))
		if v.Style != 0 { // quoted: the rest of the line, without a comment
			rest := string(line[k.Column-1:])
			if i := strings.Index(rest, " #"); i >= 0 {
				rest = rest[:i]
			}
			whole = strings.TrimSpace(rest)
		} else if end <= len(line) {
			whole = string(line[k.Column-1 : end])
		}
	}
	quoted := strings.ReplaceAll(whole, `'`, `''`)
	d.errs.add(posOf(n), fmt.Sprintf("put the whole %s in quotes: '%s'", what, clip(quoted, 80)),
		"this %s was read as a mapping: the ': ' in '%s' made YAML read '%s' as a key", what, clip(whole, 60), clip(k.Value, 40))
	return true
}

// textAfterQuote finds text following a quoted value on a YAML line
// (`body: "Hello" there`), which YAML reports as a broken mapping. It
// returns that text and its 1-based column.
func textAfterQuote(line string) (string, int, bool) {
	r := []rune(line)
	for i := 0; i < len(r); i++ {
		q := r[i]
		if q != '"' && q != '\'' {
			continue
		}
		// A quoted value starts a line's value: after "key: ", "- " or the indent.
		before := strings.TrimRight(string(r[:i]), " \t")
		if before != "" && !strings.HasSuffix(before, ":") && !strings.HasSuffix(before, "-") {
			return "", 0, false
		}
		j := i + 1
		for ; j < len(r); j++ {
			if q == '"' && r[j] == '\\' {
				j++
				continue
			}
			if r[j] == q {
				if q == '\'' && j+1 < len(r) && r[j+1] == '\'' { // '' is a quote inside single quotes
					j++
					continue
				}
				break
			}
		}
		if j >= len(r) {
			return "", 0, false
		}
		rest := string(r[j+1:])
		trimmed := strings.TrimLeft(rest, " \t")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") || strings.ContainsAny(trimmed[:1], ",]}:") {
			return "", 0, false
		}
		return strings.TrimRight(trimmed, " \t"), j + 2 + len([]rune(rest)) - len([]rune(trimmed)), true
	}
	return "", 0, false
}
