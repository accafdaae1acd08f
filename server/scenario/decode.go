package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// decoder turns the YAML node tree into the model, one mapping at a time,
// recording every problem with its position instead of stopping at the first.
type decoder struct {
	errs *errs
	sc   *Scenario
	used map[string]bool // "spec.key" pairs read, so tests can prove every key is decoded

	conds   []*Expr   // compiled once every id is known
	effects []*Effect // idem
	counts  []*Expr   // engagement counts written as expressions; idem
	numbers []*Expr   // number expressions (milestones' done and due); idem
	texts   []textRef // checked for {{placeholders}} once parameters are known

	stateRefs []textRef // transition targets, checked once every state is known

	dupIDs map[string]bool // decision/inject ids used twice: reported once, not again at every reference
}

// textRef is a piece of author text that may contain {{placeholders}}.
type textRef struct {
	s    string
	pos  Pos
	live bool // rendered at delivery: may show variables (liveText)
}

var (
	idPattern  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)
	varPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	yamlLineRe = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	// durationRe is the duration syntax authors may use: hours, minutes and
	// seconds, with fractions when the total is whole seconds (1.5m is 90s).
	durationRe = regexp.MustCompile(`^([0-9]+(\.[0-9]+)?(h|m|s))+$`)
)

func posOf(n *yaml.Node) Pos { return Pos{Line: n.Line, Col: n.Column} }

// parseYAML reads exactly one YAML document, rejecting anchors and aliases:
// authors never need them and they are how billion-laughs documents grow.
func parseYAML(e *errs, src []byte) *yaml.Node {
	if len(bytes.TrimSpace(src)) == 0 {
		e.add(Pos{1, 1}, "start with 'id:', 'title:', 'teams:', 'start:' and 'states:'", "the file is empty")
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		e.add(Pos{1, 1}, "start with 'id:', 'title:', 'teams:', 'start:' and 'states:'", "the file is empty")
		return nil
	} else if err != nil {
		yamlError(e, src, err)
		return nil
	}
	var second yaml.Node
	if err := dec.Decode(&second); err == nil {
		e.add(Pos{second.Line, second.Column}, "remove the '---' line and everything after it, or split the file", "a scenario file holds one YAML document, found a second one")
		return nil
	} else if !errors.Is(err, io.EOF) {
		yamlError(e, src, err)
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		e.add(Pos{1, 1}, "", "the file holds no YAML mapping")
		return nil
	}
	// Report the first of each kind only: a billion-laughs file holds
	// dozens of aliases, and one line says it all.
	var anchors, aliases, other int
	walkYAML(&doc, func(n *yaml.Node) {
		switch {
		case n.Kind == yaml.AliasNode:
			if aliases == 0 {
				e.add(posOf(n), "write the value out in full", "YAML aliases (*%s) are not supported", n.Value)
			}
			aliases++
		case n.Anchor != "":
			if anchors == 0 {
				e.add(posOf(n), "remove '&"+n.Anchor+"' and write values out in full", "YAML anchors (&%s) are not supported", n.Anchor)
			}
			anchors++
		case n.Kind == yaml.ScalarNode && n.Tag == "!!merge":
			e.add(posOf(n), "write the keys out in full", "YAML merge keys (<<) are not supported")
			other++
		case n.Kind == yaml.ScalarNode && strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!"):
			e.add(posOf(n), "remove the tag", "custom YAML tag %s is not supported", n.Tag)
			other++
		}
	})
	bad := anchors + aliases + other
	if bad > 0 {
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		e.add(posOf(root), "start with 'id:', 'title:', 'teams:', 'start:' and 'states:'", "a scenario file must be a mapping of keys, found %s", kindName(root))
		return nil
	}
	return root
}

// walkYAML visits every node without recursion, so even a tree at the
// parser's depth limit costs no stack.
func walkYAML(root *yaml.Node, f func(*yaml.Node)) {
	stack := []*yaml.Node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		f(n)
		for i := len(n.Content) - 1; i >= 0; i-- {
			stack = append(stack, n.Content[i])
		}
	}
}

func yamlError(e *errs, src []byte, err error) {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = "yaml: " + te.Errors[0]
	}
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		p := syntaxErrorPos(src, line)
		if after, col, ok := textAfterQuote((&lineIndex{src: src}).line(p.Line)); ok {
			e.add(Pos{Line: p.Line, Col: col}, "a quoted value ends at its closing quote: put all of the text inside the quotes",
				"YAML syntax: text after the closing quote: '%s'", clip(after, 40))
			return
		}
		if strings.Contains(m[2], "did not find expected key") || strings.Contains(m[2], "did not find expected '-'") {
			if msg, hint, ok := misindented(src, p.Line); ok {
				e.add(p, hint, "YAML indentation: %s", msg)
				return
			}
		}
		if strings.Contains(m[2], "mapping values are not allowed") {
			if msg, hint, ok := underValue(src, p.Line); ok {
				e.add(p, hint, "YAML indentation: %s", msg)
				return
			}
		}
		e.add(p, yamlHint(m[2]), "YAML syntax: %s", m[2])
		return
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	hint := ""
	if strings.Contains(msg, "max depth") {
		hint = "the file nests far deeper than any scenario needs"
	}
	e.add(Pos{1, 1}, hint, "YAML syntax: %s", msg)
}

// syntaxErrorPos finds the line a YAML syntax error is on. The parser
// names the line where the enclosing block began, which can be far above
// the mistake; the first prefix of the file that fails to parse ends at the
// faulty line. Prefixes are tried by bisection from the reported line.
func syntaxErrorPos(src []byte, from int) Pos {
	lines := bytes.SplitAfter(src, []byte("\n"))
	fails := func(n int) bool {
		var doc yaml.Node
		err := yaml.NewDecoder(bytes.NewReader(bytes.Join(lines[:n], nil))).Decode(&doc)
		return err != nil && !errors.Is(err, io.EOF)
	}
	lo, hi := max(from, 1), len(lines)
	if lo > hi || !fails(hi) {
		return Pos{Line: max(from, 1), Col: 1}
	}
	for lo < hi {
		mid := (lo + hi) / 2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	text := string(lines[lo-1])
	col := len(text) - len(strings.TrimLeft(text, " \t")) + 1
	return Pos{Line: lo, Col: col}
}

func yamlHint(msg string) string {
	switch {
	case strings.Contains(msg, "tab character"):
		return "indent with spaces, not tabs"
	case strings.Contains(msg, "found character that cannot start any token"):
		return "YAML indents with spaces, not tabs; quote text starting with @, ` or %"
	case strings.Contains(msg, "mapping values are not allowed"):
		return "quote text that contains ': ' (for example title: \"Update: day 2\")"
	case strings.Contains(msg, "did not find expected key"), strings.Contains(msg, "did not find expected '-'"):
		return "check the indentation of this line and the one before"
	case strings.Contains(msg, "could not find expected ':'"):
		return "each line of a mapping needs 'key: value'; quote long text or use '|' for several lines"
	}
	return ""
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing"
		}
		return fmt.Sprintf("'%s'", clip(n.Value, 40))
	}
	return "something else"
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// fields is one mapping's keys, checked against its spec.
type fields struct {
	d    *decoder
	sp   *spec
	m    map[string]*yaml.Node
	pos  Pos
	keys map[string]Pos
}

// fields checks a mapping node against a spec: unknown keys (with a
// did-you-mean hint), duplicate keys and missing required keys.
func (d *decoder) fields(n *yaml.Node, sp *spec, what string) *fields {
	f := &fields{d: d, sp: sp, m: map[string]*yaml.Node{}, pos: posOf(n), keys: map[string]Pos{}}
	if n.Kind != yaml.MappingNode {
		d.errs.add(posOf(n), "write it as 'key: value' lines indented under it", "%s must be a mapping, found %s", what, kindName(n))
		return f
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errs.add(posOf(k), "", "keys must be plain words, found %s", kindName(k))
			continue
		}
		if p, dup := f.keys[k.Value]; dup {
			d.errs.add(posOf(k), fmt.Sprintf("it is already set at line %d", p.Line), "duplicate key '%s' in %s", k.Value, what)
			continue
		}
		f.keys[k.Value] = posOf(k)
		if !contains(sp.keys, k.Value) {
			hint := didYouMean(k.Value, sp.keys)
			if hint == "" {
				hint = "allowed keys: " + strings.Join(sp.keys, ", ")
			}
			d.errs.add(posOf(k), hint, "unknown key '%s' in %s", k.Value, what)
			continue
		}
		f.m[k.Value] = v
	}
	for _, r := range sp.required {
		if v, ok := f.m[r]; !ok {
			if _, written := f.keys[r]; !written {
				d.errs.add(f.pos, "add '"+r+": …'", "%s is missing required key '%s'", what, r)
			}
		} else if isNull(v) {
			d.errs.add(posOf(v), "", "'%s' in %s has no value", r, what)
		}
	}
	return f
}

// get returns the value node of key, or nil when absent or null.
func (f *fields) get(key string) *yaml.Node {
	if f.d.used != nil {
		f.d.used[f.sp.name+"."+key] = true
	}
	v := f.m[key]
	if v == nil || isNull(v) {
		return nil
	}
	return v
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// str reads a scalar as text; numbers are accepted as their text.
func (d *decoder) str(n *yaml.Node, key string) string {
	if n == nil {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		d.errs.add(posOf(n), "", "'%s' must be text, found %s", key, kindName(n))
		return ""
	}
	return n.Value
}

// text reads author prose, which may contain {{placeholders}}.
func (d *decoder) text(n *yaml.Node, key string) string {
	s := d.str(n, key)
	if s != "" {
		d.texts = append(d.texts, textRef{s: s, pos: posOf(n)})
	}
	return s
}

func (d *decoder) boolean(n *yaml.Node, key string) bool {
	if n == nil {
		return false
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		d.errs.add(posOf(n), "", "'%s' must be true or false, found %s", key, kindName(n))
		return false
	}
	return n.Value == "true" || n.Value == "True" || n.Value == "TRUE"
}

func (d *decoder) number(n *yaml.Node, key string) (float64, bool) {
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
		d.errs.add(posOf(n), "", "'%s' must be a number, found %s", key, kindName(n))
		return 0, false
	}
	var f float64
	if err := n.Decode(&f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		d.errs.add(posOf(n), "", "'%s' must be a finite number, found %s", key, kindName(n))
		return 0, false
	}
	return f, true
}

func (d *decoder) count(n *yaml.Node, key string) int {
	if n == nil {
		return 0
	}
	var v int
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&v) != nil || v < 0 || v > 1e9 {
		d.errs.add(posOf(n), "", "'%s' must be a whole number from 0 to 1000000000, found %s", key, kindName(n))
		return 0
	}
	return v
}

// engagement reads an inject's or an outlet's engagement counts.
func (d *decoder) engagement(n *yaml.Node) *EngagementRule {
	ef := d.fields(n, engagementSpec, "engagement")
	return &EngagementRule{Likes: d.countRule(ef.get("likes"), "likes"),
		Reposts: d.countRule(ef.get("reposts"), "reposts"), Replies: d.countRule(ef.get("replies"), "replies")}
}

// countRule reads a whole number, or a text to compile as a number
// expression after decoding.
func (d *decoder) countRule(n *yaml.Node, key string) Count {
	if n != nil && n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		x := &Expr{Src: n.Value, Pos: posOf(n), node: n}
		d.counts = append(d.counts, x)
		return Count{X: x}
	}
	if n != nil && (n.Kind != yaml.ScalarNode || n.Tag != "!!int") {
		d.errs.add(posOf(n), "write a whole number, or a number expression in quotes such as \"round(100 * reputation / 50)\"",
			"'%s' must be a whole number from 0 to 1000000000 or a number expression, found %s", key, kindName(n))
		return Count{}
	}
	return Count{N: d.count(n, key)}
}

// duration reads "90s", "5m", "1h30m" or 0.
func (d *decoder) duration(n *yaml.Node, key string, limit int) time.Duration {
	if n == nil {
		return 0
	}
	if n.Kind != yaml.ScalarNode {
		d.errs.add(posOf(n), "write it like 90s, 5m or 1h30m", "'%s' must be a duration, found %s", key, kindName(n))
		return 0
	}
	s := strings.TrimSpace(n.Value)
	if s == "0" {
		return 0
	}
	if n.Tag == "!!int" || n.Tag == "!!float" {
		d.errs.add(posOf(n), fmt.Sprintf("add a unit, for example '%ss' or '%sm'", s, s), "'%s' needs a unit: %s seconds or minutes?", key, s)
		return 0
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		hint := "write it like 90s, 5m or 1h30m"
		if strings.HasSuffix(s, "d") {
			hint = "days are not a unit; write hours, for example 48h"
		}
		d.errs.add(posOf(n), hint, "'%s' is not a valid duration: '%s'", key, clip(s, 40))
		return 0
	}
	if v < 0 {
		d.errs.add(posOf(n), "durations count forward: write 0 or more, for example 5m", "'%s' cannot be negative", key)
		return 0
	}
	if !durationRe.MatchString(s) {
		d.errs.add(posOf(n), "write it like 90s, 5m or 1h30m", "'%s' is '%s': durations are written in hours (h), minutes (m) and seconds (s)", key, clip(s, 40))
		return 0
	}
	if v%time.Second != 0 {
		d.errs.add(posOf(n), fmt.Sprintf("round it, for example to %s", (v.Truncate(time.Second)+time.Second).String()),
			"'%s' is '%s': durations are whole seconds", key, clip(s, 40))
		return 0
	}
	if v > time.Duration(limit)*time.Second {
		d.errs.add(posOf(n), "", "'%s' is too long: at most %s", key, time.Duration(limit)*time.Second)
		return 0
	}
	return v
}

// seq returns the elements of a list (nil for an absent one).
func (d *decoder) seq(n *yaml.Node, key string) []*yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errs.add(posOf(n), "start each item with '- '", "'%s' must be a list, found %s", key, kindName(n))
		return nil
	}
	if len(n.Content) > maxListElements {
		d.errs.add(posOf(n), "", "'%s' has too many items (%d, at most %d)", key, len(n.Content), maxListElements)
		return nil
	}
	return n.Content
}

// strs reads a list of words (ids, tags). A single word is accepted too.
func (d *decoder) strs(n *yaml.Node, key string) ([]string, []Pos) {
	if n == nil {
		return nil, nil
	}
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}, []Pos{posOf(n)}
	}
	var out []string
	var ps []Pos
	for _, e := range d.seq(n, key) {
		if e.Kind != yaml.ScalarNode || isNull(e) {
			d.errs.add(posOf(e), "", "items of '%s' must be words, found %s", key, kindName(e))
			continue
		}
		out = append(out, e.Value)
		ps = append(ps, posOf(e))
	}
	return out, ps
}

// entries iterates a mapping of id -> value (teams, states...), checking ids.
func (d *decoder) entries(n *yaml.Node, key, kind string, pattern *regexp.Regexp, f func(id string, k, v *yaml.Node)) {
	if n == nil {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errs.add(posOf(n), "write one '"+kind+"_id:' per entry, indented under it", "'%s' must be a mapping of %s ids, found %s", key, kind, kindName(n))
		return
	}
	seen := map[string]Pos{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errs.add(posOf(k), "", "%s ids must be plain words, found %s", kind, kindName(k))
			continue
		}
		if p, dup := seen[k.Value]; dup {
			d.errs.add(posOf(k), fmt.Sprintf("the first one is at line %d", p.Line), "duplicate %s id '%s'", kind, k.Value)
			continue
		}
		seen[k.Value] = posOf(k)
		if !d.checkID(k.Value, posOf(k), kind, pattern) {
			continue
		}
		f(k.Value, k, v)
	}
}

func (d *decoder) checkID(id string, p Pos, kind string, pattern *regexp.Regexp) bool {
	hint := "use letters, digits, '_' and '-', starting with a letter"
	if pattern == varPattern {
		hint = "use letters, digits and '_', starting with a letter"
	}
	switch {
	case id == "":
		d.errs.add(p, "", "%s id is empty", kind)
	case len(id) > maxIDLen:
		d.errs.add(p, "", "%s id '%s' is too long (at most %d characters)", kind, clip(id, 20), maxIDLen)
	case !pattern.MatchString(id):
		d.errs.add(p, hint, "%s id '%s' is not valid", kind, clip(id, 40))
	default:
		return true
	}
	return false
}

// expr records a condition for compilation after decoding.
func (d *decoder) expr(n *yaml.Node, key string) *Expr {
	if n == nil {
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		d.errs.add(posOf(n), "write the condition on one line, quoted if it contains ': '", "'%s' must be a condition, found %s", key, kindName(n))
		return nil
	}
	x := &Expr{Src: n.Value, Pos: posOf(n), node: n}
	d.conds = append(d.conds, x)
	return x
}

var effectRe = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(\+=|-=|=)`)

// effectList reads a list of "var = expr" strings.
func (d *decoder) effectList(n *yaml.Node, key string) []*Effect {
	var out []*Effect
	for _, e := range d.seq(n, key) {
		if readAsKey(d, e, "effect") {
			continue
		}
		if e.Kind != yaml.ScalarNode || isNull(e) {
			d.errs.add(posOf(e), "write effects like 'reputation = reputation - 10'", "each effect must be one line of text, found %s", kindName(e))
			continue
		}
		m := effectRe.FindStringSubmatchIndex(e.Value)
		if m == nil || strings.HasPrefix(e.Value[m[1]:], "=") {
			d.errs.add(posOf(e), "write 'variable = expression', 'variable += expression' or 'variable -= expression'", "effect '%s' is not an assignment", clip(e.Value, 60))
			continue
		}
		f := &Effect{Src: e.Value, Var: e.Value[m[2]:m[3]], Op: e.Value[m[4]:m[5]], Pos: posOf(e), node: e, rhsOff: m[1]}
		d.effects = append(d.effects, f)
		out = append(out, f)
	}
	return out
}
