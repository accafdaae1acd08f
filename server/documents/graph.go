package documents

import (
	"bytes"
	"fmt"
	"html"

	"github.com/ttxsim/ttx/server/scenario"
)

// Figure is a picture the package draws itself (an inline SVG, its text
// escaped), shown in HTML only; Markdown gets its caption.
type Figure struct {
	SVG     string
	Caption string
}

func (f Figure) markdown(b *bytes.Buffer) {
	if f.Caption != "" {
		fmt.Fprintf(b, "*%s*\n\n", oneLine(f.Caption))
	}
}

func (f Figure) html(b *bytes.Buffer) {
	fmt.Fprintf(b, "<figure>%s<figcaption>%s</figcaption></figure>\n", f.SVG, html.EscapeString(f.Caption))
}

// Colours of final states by rating, as `ttx graph` draws them.
var ratingFill = map[string]string{"success": "#c8e6c9", "partial": "#fff3c4", "failure": "#ffcdd2"}

// Branch graph geometry, in SVG user units.
const (
	nodeW, nodeH = 180, 46
	gapX, gapY   = 22, 46
)

// graphSVG draws the branch graph top to bottom: states in layers by
// their distance from the start (unreachable ones last), in file order
// within a layer; final states rounded and coloured by rating, the start
// outlined thicker; each transition an arrow (one per pair of states).
func graphSVG(sc *scenario.Scenario, p render) string {
	layer := map[string]int{sc.Start: 0}
	queue := []string{sc.Start}
	for len(queue) > 0 {
		s := sc.State(queue[0])
		queue = queue[1:]
		if s == nil {
			continue
		}
		for _, t := range s.Transitions {
			if _, seen := layer[t.To]; !seen {
				layer[t.To] = layer[s.ID] + 1
				queue = append(queue, t.To)
			}
		}
	}
	deepest := 0
	for _, l := range layer {
		deepest = max(deepest, l)
	}
	type pos struct{ x, y int }
	at := map[string]pos{}
	perLayer := map[int]int{}
	widest := 0
	for _, s := range sc.States {
		l, ok := layer[s.ID]
		if !ok {
			l = deepest + 1
			layer[s.ID] = l
		}
		at[s.ID] = pos{perLayer[l], l}
		perLayer[l]++
		widest = max(widest, perLayer[l])
	}
	layers := 0
	for l := range perLayer {
		layers = max(layers, l+1)
	}
	width := widest*(nodeW+gapX) + gapX
	height := layers*(nodeH+gapY) + gapY
	// Centre each layer.
	xy := func(id string) (float64, float64) {
		q := at[id]
		off := float64(width-perLayer[q.y]*(nodeW+gapX)-gapX) / 2
		return off + float64(gapX+q.x*(nodeW+gapX)), float64(gapY + q.y*(nodeH+gapY))
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="Branch graph of the scenario's states">`, width, height)
	b.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>`)
	drawn := map[[2]string]bool{}
	for _, s := range sc.States {
		for _, t := range s.Transitions {
			if sc.State(t.To) == nil || drawn[[2]string{s.ID, t.To}] {
				continue
			}
			drawn[[2]string{s.ID, t.To}] = true
			x1, y1 := xy(s.ID)
			x2, y2 := xy(t.To)
			sx, sy := x1+nodeW/2, y1+nodeH
			tx, ty := x2+nodeW/2, y2
			if layer[t.To] <= layer[s.ID] { // back or sideways: leave and enter by the sides
				sx, sy = x1+nodeW, y1+nodeH/2
				tx, ty = x2+nodeW, y2+nodeH/2
				fmt.Fprintf(&b, `<path d="M%.0f,%.0f C%.0f,%.0f %.0f,%.0f %.0f,%.0f" fill="none" stroke="#888" stroke-dasharray="4 3" marker-end="url(#arrow)"/>`,
					sx, sy, sx+gapX*2, sy, tx+gapX*2, ty, tx, ty)
				continue
			}
			fmt.Fprintf(&b, `<path d="M%.0f,%.0f C%.0f,%.0f %.0f,%.0f %.0f,%.0f" fill="none" stroke="#555" marker-end="url(#arrow)"/>`,
				sx, sy, sx, sy+gapY/2, tx, ty-gapY/2, tx, ty)
		}
	}
	for _, s := range sc.States {
		x, y := xy(s.ID)
		fill, rx, sw := "#ffffff", 3, 1
		if s.Final() {
			fill, rx = ratingFill[s.Rating], nodeH/2
			if fill == "" {
				fill = "#eeeeee"
			}
		}
		if s.ID == sc.Start {
			sw = 3
		}
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="%d" height="%d" rx="%d" fill="%s" stroke="#333" stroke-width="%d"/>`, x, y, nodeW, nodeH, rx, fill, sw)
		lines := wrap(p.s(s.Title), 28, 2)
		if s.Final() {
			lines = append(wrap(p.s(s.Title), 28, 1), "outcome: "+clip(s.Outcome, 20))
		}
		for i, l := range lines {
			ly := y + float64(nodeH)/2 + (float64(i)-float64(len(lines)-1)/2)*13 + 4
			fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="middle" font-size="11" font-family="system-ui,sans-serif">%s</text>`, x+nodeW/2, ly, html.EscapeString(l))
		}
	}
	b.WriteString("</svg>")
	return b.String()
}

// wrap breaks text into at most n lines of about width characters, the
// last one clipped.
func wrap(text string, width, n int) []string {
	var lines []string
	line := ""
	for _, w := range splitWords(oneLine(text)) {
		switch {
		case line == "":
			line = w
		case len([]rune(line))+1+len([]rune(w)) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	if len(lines) > n {
		rest := lines[n-1]
		for _, l := range lines[n:] {
			rest += " " + l
		}
		lines = append(lines[:n-1], clip(rest, width))
	}
	for i, l := range lines {
		lines[i] = clip(l, width)
	}
	return lines
}

func splitWords(s string) []string {
	var out []string
	for _, w := range bytes.Fields([]byte(s)) {
		out = append(out, string(w))
	}
	return out
}
