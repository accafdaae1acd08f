package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestEvaluationInBrowsers plays issue #19's judging in browsers on the
// shipped brand-hijack scenario: an observer rates an objective on the
// HSEEP scale with an area for improvement from the live rating form; the
// facilitator sees it arrive on the console's Evaluation tab, settles the
// final rating and writes a corrective action; after the end the report's
// AAR/IP section and the server's AAR document show both, and the
// participants' debrief opens by its share link without an account and
// shows neither. axe-core checks
// the evaluation tab, the observer's form and the report on a phone and a
// desktop; with TTX_E2E_SHOTS each is screenshot on both.
func TestEvaluationInBrowsers(t *testing.T) {
	t.Parallel()
	h, bs := newHarness(t, "facilitator", "observer")
	ax := newAxeChecker(h)
	fac, obs := bs[0], bs[1]

	h.loginFacilitator(fac, "e2e evaluation passphrase")
	exID, _ := h.createExercise(fac, bhScenario, "E2E evaluation")
	fac.typeInto("the observer's name", "#obs-name", "Olu Observer")
	fac.click("invite the observer", buttonXPath("Invite"))
	fac.waitJS("the observer link", `document.querySelector('input[aria-label="Observer link"]') && document.querySelector('input[aria-label="Observer link"]').value.includes('#token=')`, actionTimeout)
	link, err := url.Parse(evalJS[string](fac, "observer link", `document.querySelector('input[aria-label="Observer link"]').value`))
	if err != nil {
		h.fatalf("the observer link does not parse: %v", err)
	}
	obs.navigate(link.Path + "#" + link.Fragment)
	obs.waitJS("the observer's live view", `document.querySelector('#o-feed')`, actionTimeout)
	fac.click("start the exercise", buttonXPath("Start the exercise"))
	fac.click("start anyway", buttonXPath("Start anyway"))
	fac.waitJS("the running console", `document.querySelector('section.clockbar.running')`, actionTimeout)

	// The observer rates "Find and close the way in": S, with an area for improvement.
	const card = `article[data-objective="obj_entry"]`
	const cardX = `//article[@data-objective='obj_entry']`
	const afi = "The vendor's OAuth grant was found late"
	obs.waitJS("the observer's rating form", `document.querySelector('`+card+` form.rateform')`, actionTimeout)
	// The observer's objectives are folded rows too, each summing up their own rating.
	obsRow := `button[data-objective-toggle="obj_entry"]`
	if got := evalJS[string](obs, "the observer's row", `document.querySelector('`+obsRow+`').textContent`); !strings.Contains(got, "not rated by you") {
		h.fatalf("the observer's row of obj_entry does not say it is not rated yet: %q", got)
	}
	obs.click("open the objective's card", `//button[@data-objective-toggle='obj_entry' and @aria-expanded='false']`)
	obs.click("open the rating form", cardX+`//details[contains(@class,'mine')]/summary`)
	obs.click("rating S", cardX+`//input[@type='radio' and @value='S']`)
	obs.typeInto("an area for improvement", card+` textarea[name="improvements"]`, afi)
	obs.click("save the rating", cardX+`//button[normalize-space()='Save my rating']`)
	obs.waitJS("the observer's rating on the card", fmt.Sprintf(`[...document.querySelectorAll('%s [data-rater]')].some((r) => r.textContent.includes('Olu Observer') && r.textContent.includes(%s))`, card, jsString(afi)), actionTimeout)
	obs.waitJS("the observer's row says what they rated", `document.querySelector('`+obsRow+` [data-own]').textContent.replace(/\s+/g, ' ').includes('you rated S')`, actionTimeout)
	if evalJS[bool](obs, "a settle button", `[...document.querySelectorAll('button')].some((b) => b.textContent.trim() === 'Settle as final')`) {
		h.fatalf("the observer is offered Settle as final")
	}
	ax.checkBoth(obs, "observer rating form")
	obs.setPhone()
	obs.shot("observer-rating-phone")
	obs.setDesktop()
	obs.shot("observer-rating-desktop")

	// The facilitator sees it on the Evaluation tab, and settles the final rating.
	fac.click("the console's Evaluation tab", `//button[@role='tab' and @data-tab='evaluation']`)
	// Each objective is one row that opens to its card.
	fac.click("open the objective's card", `//div[@id='tabpanel-evaluation']//button[@data-objective-toggle='obj_entry' and @aria-expanded='false']`)
	fac.waitJS("the open card", `document.querySelector('#tabpanel-evaluation button[data-objective-toggle="obj_entry"]').getAttribute('aria-expanded') === 'true'`, actionTimeout)
	fac.waitJS("the observer's rating in the console", fmt.Sprintf(`[...document.querySelectorAll('#tabpanel-evaluation %s [data-rater]')].some((r) => r.textContent.includes('Olu Observer') && r.textContent.includes(%s))`, card, jsString(afi)), actionTimeout)
	fac.click("open the rating form", `//div[@id='tabpanel-evaluation']`+cardX+`//details[contains(@class,'mine')]/summary`)
	fac.click("rating S", `//div[@id='tabpanel-evaluation']`+cardX+`//input[@type='radio' and @value='S']`)
	fac.typeInto("the explanation", `#tabpanel-evaluation `+card+` textarea[name="explanation"]`, "Access was revoked in one move, but late.")
	fac.typeInto("an area for improvement", `#tabpanel-evaluation `+card+` textarea[name="improvements"]`, afi)
	fac.click("settle as final", `//div[@id='tabpanel-evaluation']`+cardX+`//button[normalize-space()='Settle as final']`)
	fac.waitJS("the final rating", `document.querySelector('#tabpanel-evaluation `+card+` [data-final="S"]')`, actionTimeout)

	// The corrective action.
	const action = "Review third-party OAuth grants every quarter"
	// The form is folded behind its button, which opens it with focus on its first field.
	if evalJS[bool](fac, "the plan form", `!!document.querySelector('#tabpanel-evaluation section.plan form')`) {
		h.fatalf("the corrective action form is open before New corrective action")
	}
	fac.click("new corrective action", `//div[@id='tabpanel-evaluation']//section[contains(@class,'plan')]//button[normalize-space()='New corrective action']`)
	fac.waitJS("the open form, focused", `document.activeElement === document.querySelector('#tabpanel-evaluation section.plan select[name="objective"]')`, actionTimeout)
	fac.typeInto("the issue", `#tabpanel-evaluation section.plan input[name="issue"]`, afi)
	fac.typeInto("the corrective action", `#tabpanel-evaluation section.plan textarea[name="action"]`, action)
	fac.typeInto("the owner", `#tabpanel-evaluation section.plan input[name="owner"]`, "Security Operations")
	fac.selectOption("the objective", `#tabpanel-evaluation section.plan select[name="objective"]`, "obj_entry")
	fac.click("add to the plan", `//div[@id='tabpanel-evaluation']//section[contains(@class,'plan')]//button[normalize-space()='Add to the plan']`)
	fac.waitJS("the action in the plan", fmt.Sprintf(`[...document.querySelectorAll('#tabpanel-evaluation section.plan tr[data-action]')].some((r) => r.textContent.includes(%s) && r.textContent.includes('v1') && r.textContent.includes('Cybersecurity'))`, jsString(action)), actionTimeout)
	fac.waitJS("the form folded after adding", `!document.querySelector('#tabpanel-evaluation section.plan form') && !!document.querySelector('#tabpanel-evaluation section.plan button[data-new-action]')`, actionTimeout)
	ax.checkBoth(fac, "evaluation tab")
	fac.setPhone()
	fac.shot("evaluation-tab-phone")
	fac.setDesktop()
	fac.shot("evaluation-tab-desktop")

	// After the end, the report's AAR/IP shows the settled rating and the action.
	api := h.facilitatorAPI(fac)
	if st := api.post(t, "/api/exercises/"+url.PathEscape(exID)+"/end"); st != 200 {
		h.fatalf("end: status %d", st)
	}
	fac.navigate("/report/" + url.PathEscape(exID))
	fac.waitJS("the AAR/IP section", `document.querySelector('[aria-labelledby="r-aar"] tr[data-aar-objective="obj_entry"]')`, actionTimeout)
	aar := evalJS[string](fac, "the AAR/IP text", `document.querySelector('[aria-labelledby="r-aar"]').textContent`)
	row := evalJS[string](fac, "the objective's row", `document.querySelector('[aria-labelledby="r-aar"] tr[data-aar-objective="obj_entry"]:not([data-aar-task])').textContent`)
	for _, want := range []string{"Cybersecurity", "S — Performed with some challenges"} {
		if !strings.Contains(row, want) {
			h.fatalf("the AAR row of obj_entry lacks %q: %q", want, row)
		}
	}
	for _, want := range []string{afi, action, "Security Operations"} {
		if !strings.Contains(aar, want) {
			h.fatalf("the report's AAR/IP lacks %q", want)
		}
	}
	ax.checkBoth(fac, "report with the AAR/IP")
	fac.setPhone()
	fac.shot("report-aar-phone")
	fac.setDesktop()
	fac.shot("report-aar-desktop")

	// The AAR document the server prints shows both too.
	fac.navigate("/api/exercises/" + url.PathEscape(exID) + "/docs/aar?format=html")
	fac.waitJS("the AAR document", `document.body && document.body.textContent.includes('Cybersecurity')`, actionTimeout)
	doc := evalJS[string](fac, "the AAR document's text", `document.body.textContent`)
	for _, want := range []string{afi, action, "Security Operations"} {
		if !strings.Contains(doc, want) {
			h.fatalf("the AAR document lacks %q", want)
		}
	}
	fac.shot("aar-document")

	// The participants' debrief by share link, without an account: player-safe, no ratings.
	fac.navigate("/report/" + url.PathEscape(exID))
	fac.click("create the debrief link", buttonXPath("Create a debrief link"))
	fac.waitJS("the debrief link", `document.querySelector('#debrief-url') && document.querySelector('#debrief-url').value.includes('/debrief/')`, actionTimeout)
	debrief, err := url.Parse(evalJS[string](fac, "the debrief link", `document.querySelector('#debrief-url').value`))
	if err != nil {
		h.fatalf("the debrief link does not parse: %v", err)
	}
	obs.navigate(debrief.Path)
	obs.waitJS("the debrief", `document.body && document.body.textContent.includes('E2E evaluation')`, actionTimeout)
	if text := evalJS[string](obs, "the debrief's text", `document.body.textContent`); strings.Contains(text, afi) || strings.Contains(text, action) {
		h.fatalf("the participants' debrief shows a rating or the plan")
	}

	for _, b := range []*browser{fac, obs} {
		if n := b.dialogCount(); n != 0 {
			h.fatalf("%s: %d dialogs opened: %s", b.name, n, b.diagnostics())
		}
	}
}
