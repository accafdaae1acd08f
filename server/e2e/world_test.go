package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestTeamsActInTheWorld plays issue #18's whole flow in browsers on the
// shipped brand-hijack scenario: Comms (on a phone) drafts the holding
// statement on the newsroom, Legal approves it, Comms publishes and the
// statement shows in every team's feed and public timeline; Comms answers
// the reporter's email from its card and the facilitator answers as the
// reporter from the persona inbox; teams and the facilitator chat; the
// observer sees all of it; SOC sees none of Comms' private parts (draft,
// reply, chat); a reload loses nothing. axe-core checks the new screens on a
// phone and a desktop; with TTX_E2E_SHOTS the composer, public timeline,
// persona inbox and chat are screenshot on both.
func TestTeamsActInTheWorld(t *testing.T) {
	t.Parallel()
	h, bs := newHarness(t, "facilitator", "comms-phone", "legal", "soc", "observer")
	ax := newAxeChecker(h)
	fac, comms, legal, soc, obs := bs[0], bs[1], bs[2], bs[3], bs[4]
	comms.setPhone()

	h.loginFacilitator(fac, "e2e world passphrase")
	exID, code := h.createExercise(fac, bhScenario, "E2E world")
	fac.typeInto("the observer's name", "#obs-name", "Olu Observer")
	fac.click("invite the observer", buttonXPath("Invite"))
	fac.waitJS("the observer link", `document.querySelector('input[aria-label="Observer link"]') && document.querySelector('input[aria-label="Observer link"]').value.includes('#token=')`, actionTimeout)
	link, err := url.Parse(evalJS[string](fac, "observer link", `document.querySelector('input[aria-label="Observer link"]').value`))
	if err != nil {
		h.fatalf("the observer link does not parse: %v", err)
	}
	obs.navigate(link.Path + "#" + link.Fragment)
	obs.waitJS("the observer's live view", `document.querySelector('#o-feed')`, actionTimeout)

	h.joinAs(comms, code, "Priya Comms", "comms")
	h.joinAs(legal, code, "Lena Legal", "legal")
	h.joinAs(soc, code, "Tomás SOC", "soc")
	fac.click("start the exercise", buttonXPath("Start the exercise"))
	fac.click("start anyway", buttonXPath("Start anyway"))
	fac.waitJS("the running console", `document.querySelector('section.clockbar.running')`, actionTimeout)

	// The clock jumps to the reporter's email (8 minutes in); decisions
	// that open on the way stay unanswered.
	api := h.facilitatorAPI(fac)
	replyBtn := `[...document.querySelectorAll('ol[aria-label="Feed"] button.reply')].find((b) => b.textContent.includes('comment?'))`
	for i := 0; !evalJS[bool](comms, "the reporter's email", `!!`+replyBtn); i++ {
		if i > 20 {
			h.fatalf("no reply button on the reporter's email after %d skips", i)
		}
		if st := api.post(t, "/api/exercises/"+url.PathEscape(exID)+"/skip"); st != 200 {
			h.fatalf("skip: status %d", st)
		}
		comms.settle()
	}

	// Comms drafts the holding statement; the newsroom needs Legal.
	tab := func(b *browser, name string) {
		b.click("the "+name+" tab", fmt.Sprintf(`//button[@role='tab' and starts-with(normalize-space(), %s)]`, xpathLiteral(name)))
	}
	const statement = "We are aware of unauthorised posts on our social accounts and are working with the platforms. **Do not click the links.**"
	tab(comms, "Messages")
	comms.click("publish on the newsroom", `//button[starts-with(normalize-space(), 'Publish on ') and contains(., 'newsroom')]`)
	comms.typeInto("the headline", `.composer input[type="text"]`, "Holding statement")
	comms.typeInto("the statement", `.composer textarea`, statement)
	comms.click("preview", buttonXPath("Preview"))
	comms.waitJS("the preview", `document.querySelector('.composer [aria-label="Preview"] strong')`, actionTimeout)
	ax.checkBoth(comms, "composer")
	comms.setPhone()
	comms.shot("composer-phone")
	comms.setDesktop()
	comms.shot("composer-desktop")
	comms.setPhone()
	comms.click("back to editing", buttonXPath("Edit"))
	comms.click("ask for approval", buttonXPath("Save and ask for approval"))
	comms.waitJS("the draft waiting for Legal", `document.querySelector('li.draft[data-status="requested"]')`, actionTimeout)

	// Legal sees the request (and nothing else of Comms'), and approves.
	legal.waitJS("the request's badge", `(() => { const b = document.querySelector('#pw-tab-messages .badge'); return !!b && b.textContent === '1'; })()`, actionTimeout)
	tab(legal, "Messages")
	legal.click("review", buttonXPath("Review for approval"))
	legal.typeInto("a comment", `li.draft textarea`, "Fine by Legal.")
	legal.click("approve", buttonXPath("Approve version 1"))
	comms.waitJS("the approval", `document.querySelector('li.draft[data-status="approved"]')`, actionTimeout)
	comms.click("publish", `//li[contains(@class,'draft')]//button[normalize-space()='Publish']`)
	comms.waitJS("the draft gone", `!document.querySelector('li.draft')`, actionTimeout)

	// The statement reaches every team's feed as a news card, with who drafted and approved it.
	published := `[...document.querySelectorAll('ol[aria-label="Feed"] li')].some((li) => li.querySelector('article[data-channel="news"]') && li.textContent.includes('Holding statement') && li.textContent.includes('Published by'))`
	for _, b := range []*browser{comms, legal, soc} {
		tab(b, "Feed")
		b.waitJS("the statement in the feed", published, actionTimeout)
	}
	if by := evalJS[string](soc, "byline", `[...document.querySelectorAll('ol[aria-label="Feed"] .byline')].map((p) => p.textContent).join('|')`); !strings.Contains(by, "drafted") || !strings.Contains(by, "approved") {
		h.fatalf("the statement's byline on SOC's page says %q; want who drafted and approved it", by)
	}
	tab(soc, "Public")
	soc.waitJS("the statement in the public timeline", `[...document.querySelectorAll('ol[aria-label="Public timeline"] article[data-channel="news"]')].some((a) => a.textContent.includes('Holding statement'))`, actionTimeout)
	ax.checkBoth(soc, "public timeline")
	soc.setPhone()
	soc.shot("public-timeline-phone")
	soc.setDesktop()
	soc.shot("public-timeline-desktop")

	// Comms answers the reporter from the email's card.
	const reply = "We can confirm unauthorised posts; no customer data is affected as far as we know."
	tab(comms, "Feed")
	comms.click("reply to the reporter", `//ol[@aria-label='Feed']//button[contains(@class,'reply') and contains(., 'comment?')]`)
	comms.typeInto("the reply", `.composer textarea`, reply)
	comms.click("send the reply", `//section[contains(@class,'composer')]//button[normalize-space()='Send']`)
	comms.waitJS("the reply in the conversation", fmt.Sprintf(`[...document.querySelectorAll('li.convo')].some((c) => c.textContent.includes(%s))`, jsString(reply[:30])), actionTimeout)

	// The facilitator answers as the reporter from the persona inbox (its console tab).
	fac.click("the console's Persona inbox tab", `//button[@role='tab' and @data-tab='inbox']`)
	fac.waitJS("the reporter's thread", `document.querySelector('[aria-labelledby="inbox-h"] [data-thread="bh_reporter_email"]')`, actionTimeout)
	fac.click("the reporter", `//button[@data-persona='reporter']`)
	const answer = "Thanks. I will quote the statement and the reply."
	fac.typeInto("the answer", `[data-thread="bh_reporter_email"] textarea`, answer)
	ax.checkBoth(fac, "persona inbox")
	fac.setPhone()
	fac.shot("persona-inbox-phone")
	fac.setDesktop()
	fac.shot("persona-inbox-desktop")
	fac.click("send as the reporter", buttonXPath("Send as Jordan Pike"))
	comms.waitJS("the reporter's answer in the feed", fmt.Sprintf(`document.querySelector('ol[aria-label="Feed"]').textContent.includes(%s)`, jsString(answer)), actionTimeout)

	// Chat: Comms in its room, the facilitator on the line to Comms.
	tab(comms, "Chat")
	comms.typeInto("a chat line", `.chat .say textarea`, "Statement is out; reporter answered.")
	comms.click("send the line", `//form[contains(@class,'say')]//button[normalize-space()='Send']`)
	comms.waitJS("the line", `[...document.querySelectorAll('.chat .lines li')].some((l) => l.textContent.includes('Statement is out'))`, actionTimeout)
	fac.click("the console's Chat tab", `//button[@role='tab' and @data-tab='chat']`)
	fac.selectOption("the room of Comms", `.staffchat select`, "control:comms")
	fac.typeInto("a line to Comms", `.staffchat .say textarea`, "Good. Keep the reporter close.")
	fac.click("send to Comms", `//div[contains(@class,'staffchat')]//form//button[normalize-space()='Send']`)
	comms.waitJS("the facilitator's unread line", `(() => { const b = document.querySelector('[data-room="control:comms"] .badge'); return !!b && b.textContent === '1'; })()`, actionTimeout)
	comms.click("the facilitator line", `//button[@data-room='control:comms']`)
	comms.waitJS("the facilitator's line", `[...document.querySelectorAll('.chat .lines li')].some((l) => l.textContent.includes('Keep the reporter close'))`, actionTimeout)
	ax.checkBoth(comms, "chat")
	comms.setPhone()
	comms.shot("chat-phone")
	comms.setDesktop()
	comms.shot("chat-desktop")
	comms.setPhone()

	// The observer sees it all: the statement, the reply, the persona's answer, the chat.
	obs.waitJS("the observer's world", fmt.Sprintf(`(() => { const t = document.body.textContent; return t.includes('Holding statement') && t.includes(%s) && t.includes(%s); })()`, jsString(reply[:30]), jsString(answer)), actionTimeout)
	obs.selectOption("the Comms room", `.staffchat select`, "team:comms")
	obs.waitJS("Comms' chat line", `[...document.querySelectorAll('.chat .lines li')].some((l) => l.textContent.includes('Statement is out'))`, actionTimeout)
	if evalJS[bool](obs, "a chat box", `!!document.querySelector('.chat .say')`) {
		h.fatalf("the observer is offered a chat box")
	}

	// SOC sees none of Comms' private parts.
	soc.navigate("/play")
	soc.waitJS("SOC's page", `document.querySelector('p.conn.live') && [...document.querySelectorAll('ol[aria-label="Feed"] article')].some((a) => a.textContent.includes('Holding statement'))`, actionTimeout)
	for _, secret := range []string{reply[:30], answer, "Statement is out", "Keep the reporter close", "Fine by Legal"} {
		if evalJS[bool](soc, "a private part", fmt.Sprintf(`document.documentElement.outerHTML.includes(%s)`, jsString(secret))) {
			h.fatalf("SOC's page shows Comms' private %q", secret)
		}
	}

	// A reload loses nothing.
	comms.navigate("/play")
	comms.waitJS("the feed after a reload", fmt.Sprintf(`document.querySelector('p.conn.live') && (() => { const t = document.querySelector('ol[aria-label="Feed"]').textContent; return t.includes('Holding statement') && t.includes(%s); })()`, jsString(answer)), actionTimeout)
	tab(comms, "Chat")
	comms.waitJS("the chat after a reload", `document.querySelector('.chat .lines') && document.querySelector('.chat .lines').textContent.includes('Statement is out')`, actionTimeout)
	tab(comms, "Messages")
	comms.waitJS("the conversation after a reload", fmt.Sprintf(`[...document.querySelectorAll('li.convo')].some((c) => c.textContent.includes(%s) && c.textContent.includes(%s))`, jsString(reply[:30]), jsString(answer)), actionTimeout)

	for _, b := range []*browser{fac, comms, legal, soc, obs} {
		if n := b.dialogCount(); n != 0 {
			h.fatalf("%s: %d dialogs opened: %s", b.name, n, b.diagnostics())
		}
	}
	t.Logf("axe-core checked %d pages: %s", len(ax.pages), strings.Join(ax.pages, "; "))
}
