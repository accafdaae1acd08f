package scenario

import (
	"unicode"

	"go.yaml.in/yaml/v3"
)

// findInSource locates the rune at offset off of a scalar's value in the
// file, for the scalars whose value is not the source text as written:
// folded blocks ('>'), plain and quoted scalars spread over several lines
// (YAML joins their lines with a space and drops the indentation), and
// quoted scalars holding escapes. It walks the value and the source side by
// side, letting any run of white space in one match any run in the other,
// and reports false when they part before off (an escape such as \t or \x41
// before the offset), so the caller can fall back to the scalar's start.
func findInSource(n *yaml.Node, lines *lineIndex, off int) (Pos, bool) {
	line, col := n.Line, n.Column-1 // col: 0-based rune index into the line
	double := n.Style&yaml.DoubleQuotedStyle != 0
	single := n.Style&yaml.SingleQuotedStyle != 0
	switch {
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		line, col = line+1, 0 // the value starts on the line after the indicator
	case double || single:
		col++ // after the opening quote
	}
	src := []rune(lines.line(line))
	last := len(lines.src) // an upper bound on the lines to walk
	at := func() rune {
		if col >= len(src) {
			return '\n'
		}
		return src[col]
	}
	next := func() bool {
		if col < len(src) {
			col++
			return true
		}
		if line >= last {
			return false
		}
		line, col = line+1, 0
		src = []rune(lines.line(line))
		return true
	}
	skipSpace := func() bool {
		for unicode.IsSpace(at()) || (double && at() == '\\' && col == len(src)-1) { // '\' at a line's end joins lines
			if !next() {
				return false
			}
		}
		return true
	}
	for i, v := range []rune(n.Value) {
		if i == off {
			if !skipSpace() {
				return Pos{}, false
			}
			return Pos{Line: line, Col: col + 1}, true
		}
		if unicode.IsSpace(v) {
			if !skipSpace() {
				return Pos{}, false
			}
			continue
		}
		if !skipSpace() {
			return Pos{}, false
		}
		if double && at() == '\\' && col+1 < len(src) && src[col+1] == v { // \" or \\
			next()
		}
		if at() != v {
			return Pos{}, false
		}
		if single && v == '\'' { // '' stands for one quote
			next()
		}
		if !next() {
			return Pos{}, false
		}
	}
	return Pos{}, false
}

// inSourceOr is findInSource, or else fallback.
func inSourceOr(n *yaml.Node, lines *lineIndex, off int, fallback Pos) Pos {
	if p, ok := findInSource(n, lines, off); ok {
		return p
	}
	return fallback
}
