package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// closeDecision presses a decision's "Close now" on the console, then the
// "Close it" of the question it asks in place.
func closeDecision(fac *browser, id string) {
	fac.h.t.Helper()
	fac.click("close "+id, closeDecisionXPath(id))
	fac.click("confirm closing "+id, fmt.Sprintf(`//li[contains(concat(' ', normalize-space(@class), ' '), ' dec ')][@data-decision=%s]//div[contains(@class,'confirm')]//button[normalize-space()='Close it']`, xpathLiteral(id)))
}

// startExercise presses Start in the lobby and, when the console first asks
// about empty teams (in the page, never a browser dialog), Start anyway;
// then it waits for the running console.
func startExercise(fac *browser) {
	fac.h.t.Helper()
	fac.click("start the exercise", buttonXPath("Start the exercise"))
	fac.waitJS("started, or asked about empty teams", `document.querySelector('section.clockbar.running') || [...document.querySelectorAll('.lobby .confirm button')].some((b) => b.textContent.trim() === 'Start anyway')`, actionTimeout)
	if evalJS[bool](fac, "asked about empty teams", `!document.querySelector('section.clockbar.running')`) {
		fac.click("start anyway", buttonXPath("Start anyway"))
	}
	fac.waitJS("the running console", `document.querySelector('section.clockbar.running')`, actionTimeout)
}

// The facilitator's frame and the room's screen in a real browser: a
// heading focused after a click-driven navigation shows no ring, one after
// a keyboard-driven one does; the running console keeps the join code at
// hand; the projector view fits 1920×1080 and 1280×720 screens and shows
// no facilitator-only text.
func TestConsoleFocusInviteAndProjector(t *testing.T) {
	h, bs := newHarness(t, "fac")
	fac := bs[0]
	h.loginFacilitator(fac, "console facilitator passphrase")
	id, code := h.createExercise(fac, "example-hijacked-account", "Projector drill")

	// createExercise clicked its way into the lobby: the heading has focus, quietly.
	focus := `(() => { const a = document.activeElement; return a.tagName + ':' + getComputedStyle(a).outlineStyle; })()`
	if got := evalJS[string](fac, "focus after a click", focus); got != "H1:none" {
		h.fatalf("after a click-driven navigation the focus is %q, want the h1 without a ring (H1:none)", got)
	}
	// From the keyboard: Enter on the "All exercises" link, then back with Enter on "Open".
	if !evalJS[bool](fac, "focus All exercises", `(() => { const a = [...document.querySelectorAll('a')].find((x) => x.textContent.trim() === 'All exercises'); a.focus(); return document.activeElement === a; })()`) {
		h.fatalf("cannot focus the All exercises link")
	}
	fac.do("press Enter", chromedp.KeyEvent("\r"))
	fac.waitJS("the console home", `location.pathname === '/console' && document.activeElement.tagName === 'H1'`, actionTimeout)
	if got := evalJS[string](fac, "focus after Enter", focus); got != "H1:solid" {
		h.fatalf("after a keyboard navigation the focus is %q, want the h1 with its ring (H1:solid)", got)
	}
	fac.navigate("/console/" + id)
	startExercise(fac)
	// The running console draws its Invite panel once the start's frames arrive.
	fac.waitJS("the running console's Invite panel", `!!document.querySelector('details.invite .code')`, actionTimeout)
	if got := evalJS[string](fac, "invite panel", `(() => { const d = document.querySelector('details.invite'); if (!d) return ''; d.open = true; return d.querySelector('.code').textContent.replace('-', ''); })()`); got != code {
		h.fatalf("the running console's Invite panel shows the code %q, want %q", got, code)
	}
	fac.screenshot("console-invite")

	fac.navigate("/exercises/" + id + "/projector")
	for _, size := range [][2]int64{{1920, 1080}, {1280, 720}} {
		fac.do(fmt.Sprintf("viewport %dx%d", size[0], size[1]), chromedp.EmulateViewport(size[0], size[1]))
		fac.waitJS("the headline", `document.querySelector('.news') && document.querySelector('.news').textContent.includes('giving back')`, actionTimeout)
		fits := evalJS[string](fac, "fit", `(() => {
			const d = document.documentElement, qr = document.querySelector('svg.qr').getBoundingClientRect(), code = document.querySelector('.code').getBoundingClientRect();
			const out = [];
			if (d.scrollWidth > innerWidth) out.push('scrolls sideways ' + d.scrollWidth);
			if (d.scrollHeight > innerHeight) out.push('scrolls down ' + d.scrollHeight);
			if (qr.bottom > innerHeight || code.right > innerWidth) out.push('join code or QR off screen');
			if (parseFloat(getComputedStyle(document.querySelector('.time')).fontSize) < 48) out.push('clock smaller than 48px');
			return out.join('; ');
		})()`)
		if fits != "" {
			h.fatalf("projector at %dx%d: %s", size[0], size[1], fits)
		}
		if got := evalJS[string](fac, "code", `document.querySelector('.code').textContent.replace('-', '')`); got != code {
			h.fatalf("projector shows the code %q, want %q", got, code)
		}
		text := evalJS[string](fac, "text", `document.body.innerText`)
		for _, secret := range []string{"Nudge the SOC", "nobody inside posted it", "Facilitator only", "Unusual login", "airport"} {
			if strings.Contains(text, secret) {
				h.fatalf("the projector shows facilitator-only or team-only text %q", secret)
			}
		}
		fac.screenshot(fmt.Sprintf("projector-%dx%d", size[0], size[1]))
	}
}
