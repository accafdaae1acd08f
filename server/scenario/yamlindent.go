package scenario

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// indentLevel is a column a line may start at to continue a block that
// is open above it: beside a key of a mapping, or as another item of a
// list.
type indentLevel struct {
	col  int    // 0-based
	what string // the key or item it lines up with, as written
	line int
	dash bool // a list item's '-'
	item int  // dash: the column of the item's content
}

// misindented explains a YAML "did not find expected key" or "'-'
// indicator" error at line when the line starts at a column no block open
// above it uses. The lines before it parse (syntaxErrorPos found the first
// line that does not), so their tree gives the open blocks: the last key
// of each mapping and the last item of each list, from the top down.
func misindented(src []byte, line int) (msg, hint string, ok bool) {
	lines := bytes.SplitAfter(src, []byte("\n"))
	if line < 2 || line > len(lines) {
		return "", "", false
	}
	text := strings.TrimRight(string(lines[line-1]), "\r\n")
	body := strings.TrimLeft(text, " ")
	if body == "" || strings.HasPrefix(body, "\t") {
		return "", "", false
	}
	col := len(text) - len(body)
	isItem := body == "-" || strings.HasPrefix(body, "- ")
	var doc yaml.Node
	if err := yaml.Unmarshal(bytes.Join(lines[:line-1], nil), &doc); err != nil || len(doc.Content) == 0 {
		return "", "", false
	}
	var levels []indentLevel
	for n := doc.Content[0]; n != nil; {
		switch {
		case n.Kind == yaml.MappingNode && n.Style&yaml.FlowStyle == 0 && len(n.Content) >= 2:
			k := n.Content[len(n.Content)-2]
			levels = append(levels, indentLevel{col: k.Column - 1, what: k.Value + ":", line: k.Line})
			n = n.Content[len(n.Content)-1]
		case n.Kind == yaml.SequenceNode && n.Style&yaml.FlowStyle == 0 && len(n.Content) > 0:
			it := n.Content[len(n.Content)-1]
			what := "-"
			if it.Kind == yaml.MappingNode && len(it.Content) > 0 {
				what = "- " + it.Content[0].Value + ":"
			} else if it.Kind == yaml.ScalarNode {
				what = "- " + clip(it.Value, 30)
			}
			dash := it.Column - 3 // "- " before the item, unless more spaces follow the '-'
			if it.Line <= len(lines) {
				if r := []rune(string(lines[it.Line-1])); it.Column-2 < len(r) {
					for i := it.Column - 2; i >= 0; i-- {
						if r[i] == '-' {
							dash = i
							break
						}
					}
				}
			}
			levels = append(levels, indentLevel{col: dash, what: what, line: it.Line, dash: true, item: it.Column - 1})
			n = it
		default:
			n = nil
		}
	}
	var below, above *indentLevel // the nearest usable levels on each side
	for i := range levels {
		l := &levels[i]
		if l.dash && !isItem {
			continue // only a new item may start at a '-'
		}
		if l.col == col {
			return "", "", false // lined up with an open block: something else is wrong
		}
		if l.col < col && (below == nil || l.col > below.col) {
			below = l
		}
		if l.col > col && (above == nil || l.col < above.col) {
			above = l
		}
	}
	if below == nil && above == nil {
		return "", "", false
	}
	like := func(l *indentLevel) string {
		return fmt.Sprintf("with '%s' on line %d (%s)", clip(l.what, 40), l.line, spaces(l.col))
	}
	var opts []string
	for _, l := range []*indentLevel{above, below} {
		if l != nil {
			opts = append(opts, like(l))
		}
	}
	first := body
	if i := strings.Index(first, ":"); i >= 0 {
		first = first[:i+1]
	}
	first = clip(first, 30)
	if !isItem {
		for _, l := range levels {
			if l.dash && l.col == col {
				return fmt.Sprintf("'%s' is indented %s, like the '-' of the list item on line %d, but has no '-'", first, spaces(col), l.line),
					fmt.Sprintf("indent it %s to keep it in that item, or start a new item with '- '", spaces(l.item)), true
			}
		}
	}
	msg = fmt.Sprintf("'%s' is indented %s, which lines it up with nothing above it", first, spaces(col))
	hint = "line it up " + strings.Join(opts, ", or ")
	return msg, hint, true
}

func spaces(n int) string {
	switch n {
	case 0:
		return "no spaces"
	case 1:
		return "1 space"
	}
	return fmt.Sprintf("%d spaces", n)
}

// underValue explains a YAML "mapping values are not allowed" error at
// line when the line is a key indented deeper than the key above it,
// which already has a value on its own line: YAML then reads the line as
// more of that value, and its ':' as a mistake.
func underValue(src []byte, line int) (msg, hint string, ok bool) {
	lines := bytes.SplitAfter(src, []byte("\n"))
	if line < 2 || line > len(lines) {
		return "", "", false
	}
	text := strings.TrimRight(string(lines[line-1]), "\r\n")
	body := strings.TrimLeft(text, " ")
	col := len(text) - len(body)
	var doc yaml.Node
	if err := yaml.Unmarshal(bytes.Join(lines[:line-1], nil), &doc); err != nil || len(doc.Content) == 0 {
		return "", "", false
	}
	var key, val *yaml.Node
	for n := doc.Content[0]; n != nil; {
		switch {
		case n.Kind == yaml.MappingNode && n.Style&yaml.FlowStyle == 0 && len(n.Content) >= 2:
			key, val = n.Content[len(n.Content)-2], n.Content[len(n.Content)-1]
			n = val
		case n.Kind == yaml.SequenceNode && len(n.Content) > 0:
			n = n.Content[len(n.Content)-1]
		default:
			n = nil
		}
	}
	if key == nil || val.Kind != yaml.ScalarNode || val.Style != 0 || val.Line != key.Line || col <= key.Column-1 {
		return "", "", false
	}
	first := body
	if i := strings.Index(first, ":"); i >= 0 {
		first = first[:i+1]
	}
	return fmt.Sprintf("'%s' is indented deeper than '%s' on line %d, so it reads as more of that value", clip(first, 30), clip(key.Value, 30)+":", key.Line),
		fmt.Sprintf("line it up with '%s:' (%s)", clip(key.Value, 30), spaces(key.Column-1)), true
}
