package e2e

import (
	"net/url"
	"testing"
)

// The console in a real browser asks every irreversible question in the
// page (the harness refuses browser dialogs): replacing the join code and
// forcing a transition go through their in-page questions. Its connection
// badge, and a participant's pill, say "Connected · not started" in the
// lobby and "Live" only once the exercise runs. Facilitator-only text (a persona's role line) shows
// the exercise's parameters filled in.
func TestConsoleAsksInPageAndSaysLiveOnlyWhileRunning(t *testing.T) {
	t.Parallel()
	h, bs := newHarness(t, "fac", "soc-phone")
	fac, soc := bs[0], bs[1]
	soc.setPhone()
	h.loginFacilitator(fac, "console questions passphrase")
	exID, code := h.createExercise(fac, "example-hijacked-account", "Questions drill")

	badge := `(document.querySelector('.exhead .conn') || {textContent: ''}).textContent.trim()`
	fac.waitJS("the lobby's badge", badge+` === 'Connected · not started'`, actionTimeout)

	// A participant in the lobby is connected, not live.
	h.joinAs(soc, code, "Sam SOC", "soc")
	pill := `(document.querySelector('p.conn') || {textContent: ''}).textContent.trim()`
	soc.waitJS("the participant's pill in the lobby", pill+` === 'Connected · not started'`, actionTimeout)

	fac.click("new code", buttonXPath("New code"))
	fac.click("replace it", buttonXPath("Replace it"))
	fac.waitJS("a new join code", `(() => { const c = document.querySelector('.joinbox .code'); return c && c.textContent.replace('-', '') !== `+jsString(code)+`; })()`, actionTimeout)

	startExercise(fac)
	fac.waitJS("the running console's badge", badge+` === 'Live'`, actionTimeout)
	soc.waitJS("the participant's pill once running", pill+` === 'Live'`, actionTimeout)
	// Paused from here on, so that the scenario's own 5-minute transition
	// to escalation cannot beat the forced one below on a busy machine.
	h.facilitatorAPI(fac).postJSON(t, "/api/exercises/"+url.PathEscape(exID)+"/pause", "")
	fac.waitJS("the paused console's badge", badge+` !== 'Live' && !!document.querySelector('section.clockbar.paused')`, actionTimeout)
	soc.waitJS("the participant's pill once paused", pill+` !== 'Live'`, actionTimeout)

	// Who the first inject's persona is, with the exercise's parameters
	// filled in (the scenario writes "{{company}} Giveaways").
	fac.waitJS("the first inject's persona line", `[...document.querySelectorAll('.fnotes')].some((e) => e.textContent.includes('Giveaways'))`, actionTimeout)
	if raw := evalJS[string](fac, "unfilled placeholders", `[...document.querySelectorAll('main *')].filter((e) => e.children.length === 0 && e.textContent.includes('{{')).map((e) => e.textContent.trim()).slice(0, 5).join(' | ')`); raw != "" {
		h.fatalf("the console shows unfilled parameters: %s", raw)
	}

	fac.selectOption("choose the state", "#force-state", "escalation")
	fac.click("force transition", buttonXPath("Force transition"))
	fac.waitJS("the question", `(document.querySelector('.confirm .q') || {textContent: ''}).textContent.includes('The story spreads')`, actionTimeout)
	fac.click("move now", buttonXPath("Move now"))
	fac.waitJS("the forced state", `[...document.querySelectorAll('.now h3')].some((e) => e.textContent.includes('The story spreads'))`, actionTimeout)
	fac.shot("console-forced")
	if n := fac.dialogCount(); n != 0 {
		h.fatalf("the console opened %d browser dialog(s); it must ask in the page", n)
	}
}
