package e2e

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/chromedp/chromedp"
)

// Viewports of the browser suite: a phone in portrait (the size of the
// phones the exercises are run with) and a desktop.
const (
	phoneWidth, phoneHeight     = 390, 844
	desktopWidth, desktopHeight = 1280, 900
)

// axeScript is where `npm ci` in frontend/ puts axe-core (a pinned
// devDependency): the suite injects it from there, nothing is downloaded
// while the tests run.
const axeScript = "frontend/node_modules/axe-core/axe.min.js"

// axeRun is the axe-core configuration: the WCAG 2.x A and AA rules and
// axe's best practices, violations only.
const axeRun = `axe.run(document, {
  runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
  resultTypes: ['violations'],
}).then((r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({
  id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
  nodes: v.nodes.slice(0, 5).map((n) => ({target: n.target.map(String).join(' '), summary: (n.failureSummary || '').replace(/\s+/g, ' ').trim(), html: n.html.slice(0, 160)})),
  more: Math.max(0, v.nodes.length - 5),
})))`

// axeViolation is one serious or critical axe-core finding on a page.
type axeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target  string `json:"target"`
		Summary string `json:"summary"`
		HTML    string `json:"html"`
	} `json:"nodes"`
	More int `json:"more"`
}

// axeChecker runs axe-core in the pages of one test and reports every
// serious or critical violation as a test error (the play-through goes on,
// so that one run lists the violations of every page).
type axeChecker struct {
	h      *harness
	source string
	mu     sync.Mutex
	pages  []string // "page @ viewport" checked, in order
}

func newAxeChecker(h *harness) *axeChecker {
	h.t.Helper()
	p := filepath.Join(repoRoot(h.t), axeScript)
	b, err := os.ReadFile(p)
	if err != nil {
		h.t.Fatalf("axe-core is needed for the accessibility checks: cd frontend && npm ci (%v)", err)
	}
	return &axeChecker{h: h, source: string(b)}
}

// check runs axe-core on what the browser shows now, at its current
// viewport. label names the page ("join", "console running") in the
// failure; a screenshot is taken either way.
func (a *axeChecker) check(b *browser, label string) {
	a.h.t.Helper()
	vp := b.viewportName()
	full := label + " @ " + vp
	a.mu.Lock()
	a.pages = append(a.pages, full)
	a.mu.Unlock()
	b.shot("axe-" + label + "-" + vp)
	if !evalJS[bool](b, "axe-core loaded", `typeof window.axe === 'object'`) {
		evalJS[bool](b, "inject axe-core", a.source+"\n;typeof window.axe === 'object'")
	}
	ctx, cancel := b.tctx(2 * actionTimeout)
	defer cancel()
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		a.h.fatalf("%s: run axe-core on %s: %v", b.name, full, err)
	}
	if len(vs) == 0 {
		return
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "axe-core: %d serious or critical violation(s) on %q (%s's browser, %s):", len(vs), label, b.name, vp)
	for _, v := range vs {
		fmt.Fprintf(&sb, "\n  [%s] %s: %s (%s)", v.Impact, v.ID, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&sb, "\n      at %s\n         %s\n         %s", n.Target, n.HTML, n.Summary)
		}
		if v.More > 0 {
			fmt.Fprintf(&sb, "\n      … and %d more element(s)", v.More)
		}
	}
	a.h.t.Error(sb.String())
}

// checkBoth runs check at the browser's viewport and at the other one
// (phone or desktop), then restores the viewport it had.
func (a *axeChecker) checkBoth(b *browser, label string) {
	a.h.t.Helper()
	a.check(b, label)
	was := b.viewportName()
	if was == "phone" {
		b.setDesktop()
	} else {
		b.setPhone()
	}
	a.check(b, label)
	if was == "phone" {
		b.setPhone()
	} else {
		b.setDesktop()
	}
}

// setPhone makes the browser a 390×844 touch phone.
func (b *browser) setPhone() {
	b.h.t.Helper()
	b.do("phone viewport", chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile))
	b.mu.Lock()
	b.phone = true
	b.mu.Unlock()
	b.settle()
}

// setDesktop gives the browser the desktop viewport the harness starts with.
func (b *browser) setDesktop() {
	b.h.t.Helper()
	b.do("desktop viewport", chromedp.EmulateViewport(desktopWidth, desktopHeight))
	b.mu.Lock()
	b.phone = false
	b.mu.Unlock()
	b.settle()
}

// settle waits for the page to lay out after a viewport change: two
// animation frames.
func (b *browser) settle() {
	b.h.t.Helper()
	ctx, cancel := b.tctx(actionTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`, chromedp.EvalAwaitPromise)); err != nil {
		b.h.fatalf("%s: wait for layout: %v", b.name, err)
	}
}

func (b *browser) viewportName() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.phone {
		return "phone"
	}
	return "desktop"
}

// overflowX reports what sticks out past the right edge of the viewport
// (the document scrolls sideways), or "" when nothing does.
func overflowX(b *browser) string {
	b.h.t.Helper()
	return evalJS[string](b, "horizontal overflow", `(() => {
  const vw = document.documentElement.clientWidth;
  const sw = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
  if (sw <= vw) return '';
  const wide = [...document.querySelectorAll('main *')].filter((e) => e.getBoundingClientRect().right > vw + 1)
    .slice(0, 5).map((e) => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '') + ' (right edge ' + Math.round(e.getBoundingClientRect().right) + ' px)');
  return 'the page is ' + sw + ' px wide in a ' + vw + ' px viewport; sticking out: ' + wide.join(', ');
})()`)
}

// shot screenshots the page for the tour of every screen that
// TTX_E2E_SHOTS asks for, and does nothing otherwise: a full-page
// screenshot costs a second on a busy machine. Failures are screenshot
// either way (harness.fatalf).
func (b *browser) shot(label string) {
	if os.Getenv("TTX_E2E_SHOTS") != "" {
		b.screenshot(label)
	}
}

// shotsDir is where TTX_E2E_SHOTS asks for a copy of every screenshot
// (a test's own folder under it), or "".
func shotsDir(testName string) string {
	base := os.Getenv("TTX_E2E_SHOTS")
	if base == "" {
		return ""
	}
	return filepath.Join(base, testName)
}

// writePNG stores a JPEG screenshot as a PNG (what image viewers and
// review tools take everywhere).
func writePNG(path string, jpg []byte) error {
	img, err := jpeg.Decode(bytes.NewReader(jpg))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
