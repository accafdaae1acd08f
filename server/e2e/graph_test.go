package e2e

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"strings"
	"testing"
)

// graphProblemsJS lists what makes the branch graph in the page hard to
// read, as drawn by the browser: a state whose drawn lines are not its
// whole title, text sticking out of its box, boxes or edge labels on top
// of each other, anything outside the picture (clipped), or a state's
// title drawn smaller than minPx on screen; with fitsWidth, a picture
// wider than its box. Empty when all is well.
const graphProblemsJS = `((titles, minPx, fitsWidth) => {
  const out = [];
  const svg = document.querySelector('figure.graph svg');
  if (!svg) return ['no branch graph'];
  const vb = svg.viewBox.baseVal;
  const k = svg.getBoundingClientRect().width / vb.width;
  const norm = (s) => s.replace(/\s+/g, ' ').trim();
  // Boxes in the picture's own units (getBBox), so scrolling does not matter.
  const box = (el) => { const b = el.getBBox(); return {x: b.x, y: b.y, r: b.x + b.width, b: b.y + b.height}; };
  const hit = (a, b) => a.x < b.r - 0.5 && b.x < a.r - 0.5 && a.y < b.b - 0.5 && b.y < a.b - 0.5;
  const inside = (a, b, slack) => a.x >= b.x - slack && a.r <= b.r + slack && a.y >= b.y - slack && a.b <= b.b + slack;
  const pic = {x: 0, y: 0, r: vb.width, b: vb.height};
  const items = [];
  // A state's drawn lines: the texts outside edge labels whose middle is in its box.
  const texts = [...svg.querySelectorAll('text')].filter((t) => !t.closest('.elabel')).map((t) => ({t, b: box(t)}));
  const nodes = [...svg.querySelectorAll('g.node')];
  if (nodes.length !== Object.keys(titles).length) out.push('draws ' + nodes.length + ' states of ' + Object.keys(titles).length);
  for (const g of nodes) {
    const id = g.dataset.node;
    const rect = box(g.querySelector('rect'));
    const lines = texts.filter(({b}) => (b.x + b.r) / 2 > rect.x && (b.x + b.r) / 2 < rect.r && (b.y + b.b) / 2 > rect.y && (b.y + b.b) / 2 < rect.b).sort((p, q) => p.b.y - q.b.y);
    const drawn = norm(lines.map(({t}) => t.textContent).join(' '));
    const title = norm(titles[id] || '');
    if (drawn !== title) out.push(id + ': draws "' + drawn + '" for its title "' + title + '"');
    for (const {t, b} of lines) {
      if (!inside(b, rect, 0.5)) out.push(id + ': the line "' + t.textContent + '" sticks out of its box');
      const px = parseFloat(getComputedStyle(t).fontSize) * k;
      if (px < minPx) out.push(id + ': its title is drawn at ' + px.toFixed(1) + ' px on screen, below ' + minPx);
    }
  items.push({what: 'state ' + id, r: rect});
  }
  for (const g of svg.querySelectorAll('g.elabel')) {
    const rect = box(g.querySelector('rect'));
    for (const t of g.querySelectorAll('text')) {
      if (!inside(box(t), rect, 0.5)) out.push('edge label "' + t.textContent + '" sticks out of its box');
    }
    items.push({what: 'label of ' + g.dataset.edge, r: rect});
  }
  for (let i = 0; i < items.length; i++) {
    if (!inside(items[i].r, pic, 0.5)) out.push(items[i].what + ' is outside the picture (clipped)');
    for (let j = i + 1; j < items.length; j++) {
      if (hit(items[i].r, items[j].r)) out.push(items[i].what + ' overlaps ' + items[j].what);
    }
  }
  for (const p of svg.querySelectorAll('path.edge')) {
    if (!inside(box(p), pic, 1)) out.push('an edge runs outside the picture (clipped)');
  }
  // The picture's box shows all of it, by scrolling if need be.
  const sc = svg.closest('.scroll');
  if (sc.scrollWidth > sc.clientWidth + 1 && getComputedStyle(sc).overflowX === 'hidden') out.push('the picture is cut on the right');
  if (fitsWidth && sc.scrollWidth > sc.clientWidth + 1) out.push('the picture is ' + sc.scrollWidth + ' px wide in a box of ' + sc.clientWidth + ' px: its right side is out of sight');
  return out;
})`

// placeholderRE is a {{param}} of scenario text.
var placeholderRE = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\s*\}\}`)

// The branch graph of every shipped scenario on a desktop console and in
// its report, and of brand-hijack's report on a phone: every state's whole
// title is drawn, inside its box, at a readable size; no box or edge label
// covers another; nothing is clipped; the page never scrolls sideways.
func TestBranchGraphReadable(t *testing.T) {
	t.Parallel()
	h, bs := newHarness(t, "facilitator")
	fac := bs[0]
	h.loginFacilitator(fac, "branch graph passphrase")
	api := h.facilitatorAPI(fac)
	for i, scenarioID := range []string{bhScenario, "outage-comms", "exec-mfa-fatigue", "example-hijacked-account"} {
		if i > 0 {
			fac.navigate("/console")
			fac.waitJS("the scenario library", `document.querySelectorAll('li.entry').length > 0`, actionTimeout)
		}
		id, _ := h.createExercise(fac, scenarioID, "Graph drill "+scenarioID)
		startExercise(fac)
		titlesJSON := shownTitles(t, api, id)
		check := func(where string, minPx float64, fitsWidth bool) {
			t.Helper()
			fac.waitJS("the branch graph of "+where, `document.querySelectorAll('figure.graph g.node').length > 0`, actionTimeout)
			fac.settle()
			probs := evalJS[[]string](fac, "graph problems on "+where, fmt.Sprintf("%s(%s, %v, %v)", graphProblemsJS, titlesJSON, minPx, fitsWidth))
			if o := overflowX(fac); o != "" {
				probs = append(probs, o)
			}
			fac.screenshot("graph-" + scenarioID + "-" + where)
			if len(probs) > 0 {
				h.fatalf("%s: the branch graph on the %s is hard to read:\n  %s", scenarioID, where, strings.Join(probs, "\n  "))
			}
		}
		check("console", 11, true)
		fac.navigate("/report/" + id)
		fac.waitJS("the report", `document.querySelector('#r-path')`, actionTimeout)
		check("report", 11, true)
		if scenarioID == bhScenario {
			// On a phone the report keeps the words readable and scrolls
			// the picture, not the page.
			fac.setPhone()
			check("report-phone", 9.5, false)
			fac.setDesktop()
		}
	}
}

// shownTitles is every state's title as the console shows it (the
// exercise's parameters filled in), as a JSON object by state id.
func shownTitles(t *testing.T, api *apiClient, id string) []byte {
	t.Helper()
	var sc struct {
		Scenario struct {
			Parameters []struct{ ID, Default string } `json:"parameters"`
			States     []struct{ ID, Title string }   `json:"states"`
		} `json:"scenario"`
	}
	var ex struct {
		Exercise struct {
			Params map[string]string `json:"params"`
		} `json:"exercise"`
	}
	api.get(t, "/api/exercises/"+id+"/scenario", &sc)
	api.get(t, "/api/exercises/"+id, &ex)
	values := map[string]string{}
	for _, p := range sc.Scenario.Parameters {
		values[p.ID] = p.Default
	}
	maps.Copy(values, ex.Exercise.Params)
	titles := map[string]string{}
	for _, st := range sc.Scenario.States {
		titles[st.ID] = placeholderRE.ReplaceAllStringFunc(st.Title, func(m string) string {
			if v, ok := values[placeholderRE.FindStringSubmatch(m)[1]]; ok {
				return v
			}
			return m
		})
	}
	out, err := json.Marshal(titles)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
