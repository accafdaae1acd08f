package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

const exampleScenario = "example-hijacked-account"

// postJSON sends a facilitator command to the API with the session cookie.
func (a *apiClient) postJSON(t *testing.T, path string, body string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, a.base+path, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(&http.Cookie{Name: "ttx_session", Value: a.cookie})
	resp, err := a.client.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		t.Fatalf("POST %s: %s: %s", path, resp.Status, b)
	}
}

// TestParticipantOnAPhone follows what a participant reads on a 390×844
// phone: a /join#CODE link that survives a reload, the team lead named on a
// lead-mode decision, and a decision that opens while the feed is scrolled
// away, which must show a notice, count in the tab title and be announced.
func TestParticipantOnAPhone(t *testing.T) {
	t.Parallel()
	h, bs := newHarness(t, "facilitator", "lead", "phone")
	fac, lead, phone := bs[0], bs[1], bs[2]
	h.loginFacilitator(fac, "e2e facilitator passphrase")
	exID, code := h.createExercise(fac, exampleScenario, "E2E phone")
	api := h.facilitatorAPI(fac)
	exPath := "/api/exercises/" + url.PathEscape(exID)

	// The link the API gives (/join#CODE) keeps its code across a reload,
	// and the address becomes /join/CODE once the code is known.
	lead.navigate("/join#" + code)
	lead.waitJS("the teams of the code", `document.querySelector('input[type=radio][name=team][value=soc]')`, actionTimeout)
	lead.do("reload the join page", chromedp.Reload())
	lead.waitJS("the teams after the reload", `document.querySelector('input[type=radio][name=team][value=soc]')`, actionTimeout)
	if got := evalJS[string](lead, "code field after reload", `document.querySelector('#j-code').value`); got != code {
		h.fatalf("after a reload of /join#%s the code field holds %q", code, got)
	}
	if got := evalJS[string](lead, "address", `location.pathname + location.hash`); got != "/join/"+code {
		h.fatalf("the join page's address is %q, want /join/%s", got, code)
	}
	lead.screenshot("join-after-reload")
	h.submitJoin(lead, "Lea Lead", "soc") // the first member leads

	phone.do("phone viewport", chromedp.EmulateViewport(390, 844))
	h.joinAs(phone, code, "Pat Phone", "soc")

	api.postJSON(t, exPath+"/start", "")
	// lock_account (lead mode) opens at the start: the phone is told who
	// may answer.
	phone.waitJS("the lead-mode decision", `document.querySelector('section.decision[data-status="open"] .lead-note')`, actionTimeout)
	if note := evalJS[string](phone, "lead note", `document.querySelector('section.decision .lead-note').textContent.replace(/\s+/g, ' ').trim()`); !strings.Contains(note, "Only the team lead, Lea Lead, can answer.") {
		h.fatalf("the member's lead note says %q; it should name the lead", note)
	}
	phone.screenshot("lead-note")
	// Paused from here on: lock_account would close at 5 minutes of
	// scenario time and open the next state's decisions on its own, which
	// on a busy machine could come before the facilitator moves the story
	// on below. Injects and the move work while paused.
	api.postJSON(t, exPath+"/pause", "")

	// A long feed, read from its bottom.
	const n = 12
	for i := 1; i <= n; i++ {
		api.postJSON(t, exPath+"/inject", fmt.Sprintf(`{"inject":{"teams":["soc"],"channel":"chat","platform":"#soc","from":"Duty manager","body":"Update %d: still watching the brand account; nothing new on the sessions yet."}}`, i))
	}
	phone.waitJS("the ad-hoc messages", fmt.Sprintf(`document.querySelectorAll('ol[aria-label="Feed"] article[data-channel="chat"]').length >= %d`, n), actionTimeout)
	phone.do("scroll the feed to its end", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, document.documentElement.scrollHeight)`))
	phone.waitJS("the decisions off screen", `[...document.querySelectorAll('[data-decision-slot]')].every((e) => e.getBoundingClientRect().bottom < 0)`, actionTimeout)
	if evalJS[bool](phone, "no notice yet", `!!document.querySelector('button.notice')`) {
		h.fatalf("a notice shows before any new decision opened")
	}

	// The facilitator moves the story on: SOC's vote opens off screen.
	api.postJSON(t, exPath+"/force", `{"state":"escalation"}`)
	phone.waitJS("the new-decision notice", `(() => { const b = document.querySelector('button.notice'); if (!b) return false; const r = b.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight && b.textContent.includes('New decision for Security Operations: Vote on the recovery route.'); })()`, actionTimeout)
	phone.waitJS("the count in the tab title", `document.title.startsWith('(1) ')`, actionTimeout)
	phone.waitJS("the announcement", `[...document.querySelectorAll('[role=status][aria-live=polite]')].some((e) => e.textContent.includes('New decision for Security Operations: Vote on the recovery route.'))`, actionTimeout)
	phone.screenshot("new-decision-notice")

	// A tap brings the decision into view; then it is no longer new.
	phone.click("tap the notice", `//button[contains(@class,'notice')]`)
	phone.waitJS("the decision on screen", `(() => { const e = document.querySelector('[data-decision-slot="escalate"]'); if (!e) return false; const r = e.getBoundingClientRect(); return r.top < innerHeight && r.bottom > 0; })()`, actionTimeout)
	phone.waitJS("the notice gone", `!document.querySelector('button.notice')`, actionTimeout)
	phone.waitJS("the title without a count", `!/^\(\d+\) /.test(document.title)`, actionTimeout)
	phone.screenshot("decision-in-view")
}
