package e2e

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// feedHas is a script that is true when the phone's feed shows a card with
// text.
func feedHas(text string) string {
	return `[...document.querySelectorAll('ol[aria-label="Feed"] article')].some((a) => a.textContent.includes(` + jsString(text) + `))`
}

// TestMoveParticipantToAnotherTeam: the facilitator moves a phone
// participant from Communications to Security Operations with the console's
// "Move to…" control (confirmed in place). Without a reload the phone says
// so, shows SOC's feed (its history from before the move too), SOC's
// lead-mode decision, which the participant now leads, and no more of
// Communications'. axe-core checks the console's question and the moved
// phone's page.
func TestMoveParticipantToAnotherTeam(t *testing.T) {
	t.Parallel()
	h, bs := newHarness(t, "facilitator", "phone")
	fac, phone := bs[0], bs[1]
	h.loginFacilitator(fac, "e2e move passphrase")
	exID, code := h.createExercise(fac, exampleScenario, "E2E move")
	api := h.facilitatorAPI(fac)
	exPath := "/api/exercises/" + url.PathEscape(exID)

	phone.do("phone viewport", chromedp.EmulateViewport(390, 844))
	h.joinAs(phone, code, "Pat Phone", "comms")
	api.postJSON(t, exPath+"/start", "")
	// Paused while messages and the move go through: lock_account closes
	// 5 minutes into the scenario, and a busy machine could get there first.
	api.postJSON(t, exPath+"/pause", "")
	inject := func(team, body string) {
		api.postJSON(t, exPath+"/inject", `{"inject":{"teams":["`+team+`"],"channel":"chat","platform":"#`+team+`","from":"Duty manager","body":"`+body+`"}}`)
	}
	inject("comms", "Comms desk: draft nothing yet.")
	inject("soc", "SOC desk: sessions pulled from the vault.")
	phone.waitJS("the comms message", feedHas("Comms desk: draft nothing yet."), actionTimeout)
	if evalJS[bool](phone, "no SOC message", feedHas("SOC desk")) {
		h.fatalf("the comms participant sees SOC's message before the move")
	}
	phone.do("mark the page", chromedp.Evaluate[chromedp.Void](`window.__notReloaded = true`))

	fac.navigate("/console/" + exID)
	sel := `select[aria-label="Move Pat Phone to another team"]`
	fac.waitJS("the move control", `document.querySelector(`+jsString(sel)+`)`, actionTimeout)
	fac.selectOption("pick Security Operations", sel, "soc")
	fac.click("move", `//div[contains(@class,'move')]//button[starts-with(normalize-space(), 'Move to Security Operations')]`)
	q := evalJS[string](fac, "the question", `(document.querySelector('.move .confirm .q') || {}).textContent || ''`)
	if !strings.Contains(q, "Move Pat Phone from Communications to Security Operations?") || !strings.Contains(q, "Communications is left without a lead.") {
		h.fatalf("the move asks %q", q)
	}
	fac.screenshot("move-confirm")
	ax := newAxeChecker(h)
	ax.check(fac, "console move question")
	fac.click("confirm the move", `//div[contains(@class,'move')]//div[contains(@class,'confirm')]//button[normalize-space()='Move']`)

	phone.waitJS("the moved notice", `(() => { const n = document.querySelector('[data-moved-notice]'); return !!n && n.textContent.includes('You were moved to Security Operations.'); })()`, actionTimeout)
	phone.waitJS("SOC's earlier message", feedHas("SOC desk: sessions pulled from the vault."), actionTimeout)
	// A paused prompt takes no answer: the clock runs for this check.
	api.postJSON(t, exPath+"/resume", "")
	phone.waitJS("SOC's decision, answerable by its new lead", `(() => { const d = document.querySelector('[data-decision-slot="lock_account"] section.decision[data-status="open"]'); return !!d && !d.querySelector('.lead-note') && !!d.querySelector('button.option:not([disabled])'); })()`, actionTimeout)
	if !evalJS[bool](phone, "not reloaded", `window.__notReloaded === true`) {
		h.fatalf("the phone reloaded the page on the move")
	}
	if evalJS[bool](phone, "comms message gone", feedHas("Comms desk")) {
		h.fatalf("the phone still shows Communications' message after the move")
	}
	if got := evalJS[string](phone, "team name", `document.querySelector('.head .team').textContent`); got != "Security Operations" {
		h.fatalf("the phone's header names the team %q", got)
	}
	fac.waitJS("the console roster", `[...document.querySelectorAll('#live-teams ~ ul.teams > li')].some((li) => li.querySelector('h3').textContent.startsWith('Security Operations') && li.textContent.includes('Pat Phone'))`, actionTimeout)

	// Live from now on: SOC's frames reach the phone, Communications' do not.
	inject("comms", "Comms desk: after the move.")
	inject("soc", "SOC desk: after the move.")
	phone.waitJS("SOC's live message", feedHas("SOC desk: after the move."), actionTimeout)
	if evalJS[bool](phone, "no comms live message", feedHas("Comms desk: after the move.")) {
		h.fatalf("the phone received Communications' message after the move")
	}
	phone.screenshot("moved-phone")
	ax.check(phone, "feed after a move")
}
