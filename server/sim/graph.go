package sim

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/ttxsim/ttx/server/scenario"
)

// Graph label limits, in characters: long conditions would make the graph
// unreadable, and the full text is in the file.
const (
	maxNodeLabel = 48
	maxEdgeLabel = 40
)

// Fill colours of final states by rating, shared by both formats.
var ratingColors = map[string]string{
	"success": "#c8e6c9",
	"partial": "#fff3c4",
	"failure": "#ffcdd2",
}

// EdgeLabel is the text of a transition's edge: its label, else its
// condition and/or delay.
func EdgeLabel(t *scenario.Transition) string {
	if t.Label != "" {
		return t.Label
	}
	var parts []string
	if t.When != nil {
		parts = append(parts, strings.Join(strings.Fields(t.When.Src), " "))
	}
	if t.After > 0 {
		parts = append(parts, "after "+FormatDuration(t.After))
	}
	return strings.Join(parts, " · ")
}

// truncate cuts s to n runes, ending with an ellipsis when cut.
func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

var unsafeID = regexp.MustCompile(`[^A-Za-z0-9_]`)

// nodeIDs gives each state an identifier safe in both formats, readable
// when the state id already is, unique always.
func nodeIDs(sc *scenario.Scenario) []string {
	ids := make([]string, len(sc.States))
	used := map[string]bool{}
	for i, s := range sc.States {
		id := "s_" + unsafeID.ReplaceAllString(s.ID, "_")
		for used[id] {
			id = fmt.Sprintf("%s_%d", id, i)
		}
		used[id] = true
		ids[i] = id
	}
	return ids
}

func nodeLabel(s *scenario.State) string {
	title := truncate(s.Title, maxNodeLabel)
	if s.Final() {
		return title + "\n" + "outcome: " + s.Outcome
	}
	return title
}

// mermaidText escapes text for a quoted Mermaid label: quotes, pipes,
// brackets, braces, angle brackets, '&' and '#' become numeric entity codes
// (#34;), so nothing ends the label early or reads as markup.
func mermaidText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString("#34;")
		case '#':
			b.WriteString("#35;")
		case '|':
			b.WriteString("#124;")
		case '<':
			b.WriteString("#60;")
		case '>':
			b.WriteString("#62;")
		case '[':
			b.WriteString("#91;")
		case ']':
			b.WriteString("#93;")
		case '{':
			b.WriteString("#123;")
		case '}':
			b.WriteString("#125;")
		case '`':
			b.WriteString("#96;")
		case '&':
			b.WriteString("#38;")
		case '\n':
			b.WriteString("<br/>")
		case '\r', '\t':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Mermaid renders the branch graph as a Mermaid flowchart: states as
// nodes (final ones rounded and coloured by rating, the start one marked),
// transitions as labelled edges in file order.
func Mermaid(sc *scenario.Scenario) string {
	ids := nodeIDs(sc)
	var b strings.Builder
	b.WriteString("flowchart TD\n")
	for i, s := range sc.States {
		label := mermaidText(nodeLabel(s))
		if s.Final() {
			fmt.Fprintf(&b, "  %s([\"%s\"])\n", ids[i], label)
		} else {
			fmt.Fprintf(&b, "  %s[\"%s\"]\n", ids[i], label)
		}
	}
	index := map[string]int{}
	for i, s := range sc.States {
		index[s.ID] = i
	}
	for i, s := range sc.States {
		for _, t := range s.Transitions {
			to, ok := index[t.To]
			if !ok {
				continue
			}
			label := truncate(EdgeLabel(t), maxEdgeLabel)
			if label == "" {
				fmt.Fprintf(&b, "  %s --> %s\n", ids[i], ids[to])
			} else {
				fmt.Fprintf(&b, "  %s -->|\"%s\"| %s\n", ids[i], mermaidText(label), ids[to])
			}
		}
	}
	b.WriteString("  classDef start stroke-width:3px\n")
	for _, r := range []string{"success", "partial", "failure"} {
		fmt.Fprintf(&b, "  classDef %s fill:%s\n", r, ratingColors[r])
	}
	if i, ok := index[sc.Start]; ok {
		fmt.Fprintf(&b, "  class %s start\n", ids[i])
	}
	for _, r := range []string{"success", "partial", "failure"} {
		var members []string
		for i, s := range sc.States {
			if s.Final() && s.Rating == r {
				members = append(members, ids[i])
			}
		}
		if len(members) > 0 {
			fmt.Fprintf(&b, "  class %s %s\n", strings.Join(members, ","), r)
		}
	}
	return b.String()
}

// dotText escapes text for a double-quoted DOT string: backslashes (which
// DOT reads as escapes such as \N) and quotes are escaped, line breaks
// become \n.
func dotText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\r', '\t':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// DOT renders the branch graph for Graphviz.
func DOT(sc *scenario.Scenario) string {
	ids := nodeIDs(sc)
	var b strings.Builder
	fmt.Fprintf(&b, "digraph \"%s\" {\n", dotText(sc.ID))
	b.WriteString("  rankdir=TB;\n")
	b.WriteString("  node [shape=box, style=\"rounded\", fontname=\"sans-serif\"];\n")
	b.WriteString("  edge [fontname=\"sans-serif\", fontsize=10];\n")
	index := map[string]int{}
	for i, s := range sc.States {
		index[s.ID] = i
		attrs := fmt.Sprintf("label=\"%s\"", dotText(nodeLabel(s)))
		if s.ID == sc.Start {
			attrs += ", penwidth=3"
		}
		if s.Final() {
			attrs += ", style=\"rounded,filled\""
			if c, ok := ratingColors[s.Rating]; ok {
				attrs += ", fillcolor=\"" + c + "\""
			}
		}
		fmt.Fprintf(&b, "  %s [%s];\n", ids[i], attrs)
	}
	for i, s := range sc.States {
		for _, t := range s.Transitions {
			to, ok := index[t.To]
			if !ok {
				continue
			}
			label := truncate(EdgeLabel(t), maxEdgeLabel)
			if label == "" {
				fmt.Fprintf(&b, "  %s -> %s;\n", ids[i], ids[to])
			} else {
				fmt.Fprintf(&b, "  %s -> %s [label=\"%s\"];\n", ids[i], ids[to], dotText(label))
			}
		}
	}
	b.WriteString("}\n")
	return b.String()
}
