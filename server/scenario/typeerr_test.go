package scenario

import (
	"strings"
	"testing"

	"github.com/expr-lang/expr/parser"
)

// TestTypeErrorOperands checks that a type error names the operands of the
// operator the checker complained about, even when the same operator occurs
// several times, and points at the offending operand's line and column,
// also when YAML spreads the expression over several lines.
func TestTypeErrorOperands(t *testing.T) {
	const head = "id: h\ntitle: H\nteams: {a: {name: A}}\n" +
		"variables: {n: {type: number}, m: {type: number}, s: {type: string}, u: {type: string}, ok: {type: bool}, yes: {type: bool}}\n" +
		"start: s0\nstates:\n  s0:\n    transitions:\n      - to: e\n        when: " // the expression starts at 10:15
	const tail = "\n  e: {outcome: done}\n"
	const cmpTextNumber = "'>' compares two numbers or two texts, but 's' is text and 3 is a number"
	cases := []struct {
		name, when, want string
	}{
		{"second of three &&", `n > 2 && s > 3 && ok`, "f.yaml:10:24: " + cmpTextNumber},
		{"last of repeated >", `ok && n > 2 && s > 3`, "f.yaml:10:30: " + cmpTextNumber},
		{"repeated pairs", `n > 2 && s > 3 && n > 3 && s > 3`, "f.yaml:10:24: " + cmpTextNumber},
		{"nested parentheses", `ok and (yes and (ok and n))`, "f.yaml:10:39: 'and' needs true/false on both sides, but 'n' is a number"},
		{"doubled parentheses", `((n)) > 2 && ((s)) > 3 && ok`, "f.yaml:10:30: " + cmpTextNumber},
		{"third of four &&", `ok && yes && n && ok`, "f.yaml:10:28: '&&' needs true/false on both sides, but 'n' is a number"},
		{"repeated +", `n + 1 > 2 && s + 1 > 2`, "f.yaml:10:28: '+' adds two numbers or joins two texts, but 's' is text and 1 is a number"},
		{"unary minus", `'-n > 1 && -s > 1'`, "f.yaml:10:27: '-' needs a number, but 's' is text"},
		{"second not", `not ok and not n`, "f.yaml:10:30: 'not' needs true/false, but 'n' is a number"},
		{"second !", `'!ok && !n'`, "f.yaml:10:24: '!' needs true/false, but 'n' is a number"},
		{"equal mixes types", `ok == yes and n == s`, "f.yaml:10:29: '==' compares values of the same type, but 'n' is a number and 's' is text"},
		{"literal block", "|\n          ok &&\n          n > 2 &&\n          s > 3", "f.yaml:13:11: " + cmpTextNumber},
		{"literal block, indented line", "|\n          ok && n > 2 &&\n            s > 3 && ok", "f.yaml:12:15: " + cmpTextNumber},
		{"folded block", ">\n          ok && n > 2 &&\n            s > 3 && ok", "f.yaml:12:13: " + cmpTextNumber},
		{"folded block, joined lines", ">\n          ok && n > 2\n          && s > 3 && ok", "f.yaml:12:14: " + cmpTextNumber},
		{"plain over two lines", "ok && n > 2 &&\n          s > 3 && ok", "f.yaml:11:11: " + cmpTextNumber},
		{"double quotes over two lines", "\"ok && n > 2 &&\n          s > 3 && ok\"", "f.yaml:11:11: " + cmpTextNumber},
		{"double quotes with escapes", `"u == \"a\" && s > 3"`, "f.yaml:10:30: " + cmpTextNumber},
		{"single quotes with a quote", `'u == ''a'' && s > 3'`, "f.yaml:10:30: " + cmpTextNumber},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("f.yaml", []byte(head+c.when+tail))
			if err == nil {
				t.Fatal("accepted")
			}
			if got := err.Error(); !strings.HasPrefix(got, c.want) {
				t.Errorf("got  %s\nwant %s…", got, c.want)
			}
		})
	}
}

// TestFindOpExact checks that findOp never guesses: an offset that is not
// the operator's finds nothing, rather than another node with the same
// operator, whose operands would be the wrong ones.
func TestFindOpExact(t *testing.T) {
	tree, err := parser.Parse(`a > 1 && b > 2`)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		at   int
		want string // the operator node found, as text; "" for none
	}{
		{2, "a > 1"},
		{11, "b > 2"},
		{0, ""},
		{9, ""},
	} {
		n := findOp(tree.Node, ">", c.at, false)
		got := ""
		if n != nil {
			got = n.String()
		}
		if got != c.want {
			t.Errorf("findOp at %d = %q, want %q", c.at, got, c.want)
		}
	}
}
