package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The warm-up scenario's facts the play-through relies on (scenarios/exec-mfa-fatigue.yaml).
const (
	mfaScenario = "exec-mfa-fatigue"
	// push_storm: helpdesk decides at 1m (rationale asked), SOC at 2m.
	labelCallBack   = "Politely end the call and ring back the number on record; change nothing until that works"
	labelFullRevoke = "Revoke all her sessions and refresh tokens, reset the password, review MFA methods, inspect mailbox rules"
	// clean_morning: the executive office's lead decides at 1m.
	labelNumberMatching = "Number matching and prompt limits for everyone; hardware keys for executives and finance; written call-back rule for the service desk"
	outcomeTitle        = "Caught early, fixed properly"
)

// player is one participant of the play-through.
type player struct {
	b      *browser
	name   string
	team   string
	answer string // the label of the option this player picks in push_storm
}

// TestPlayThroughInBrowsers plays the MFA-fatigue warm-up to its best
// outcome: the facilitator signs in and runs the console, three people
// join from their own browsers with the join link, each sees exactly its
// team's injects drawn as their channel, answers through the page, one
// reloads mid-exercise and loses nothing, and the report shows the
// decisions.
func TestPlayThroughInBrowsers(t *testing.T) {
	t.Parallel() // each test has its own server and browsers
	h, bs := newHarness(t, "facilitator", "helpdesk", "soc", "exec")
	fac := bs[0]
	h.loginFacilitator(fac, "e2e facilitator passphrase")
	exID, code := h.createExercise(fac, mfaScenario, "E2E warm-up")

	players := []*player{
		{name: "Dana Desk", team: "helpdesk", answer: labelCallBack},
		{name: "Sam Soc", team: "soc", answer: labelFullRevoke},
		{name: "Erin Exec", team: "exec"},
	}
	for i, p := range players {
		p.b = bs[i+1]
		h.joinAs(p.b, code, p.name, p.team)
		p.b.screenshot("feed-lobby")
	}
	helpdesk, soc, exec := players[0], players[1], players[2]

	// The lobby lists everyone who joined, by name.
	for _, p := range players {
		fac.waitJS("the lobby to list "+p.name, fmt.Sprintf(`[...document.querySelectorAll('.members li')].some((li) => li.textContent.includes(%s))`, jsString(p.name)), actionTimeout)
	}
	fac.screenshot("lobby-full")

	// A second member of the service desk, who joins without a browser:
	// the console's team list then offers "Make lead" (checked by axe below).
	joinByAPI(t, h, code, secondDesk, helpdesk.team)

	// Scenario time runs with the real clock: caller_check closes 4 minutes
	// after it opens, session_response 5 minutes after, and a browser step
	// can take many seconds on a busy machine. So the clock runs only while
	// a participant answers (a paused prompt takes no answer), a few steps
	// each bounded by actionTimeout and together well inside the decision's
	// minutes; everything else happens paused, and "Skip to next" moves the
	// clock where it matters. A slow step still fails its own timeout.
	fac.click("start the exercise", buttonXPath("Start the exercise"))
	fac.waitJS("the running console", `document.querySelector('section.clockbar.running')`, actionTimeout)
	// Faster time shows on the clock: ×2, so that even these two steps at
	// their timeouts (1 minute) pass 2 of the 5 minutes before anything closes.
	fac.selectOption("speed ×2", `section.clockbar select`, "2")
	fac.waitJS("the clock at ×2", `document.querySelector('section.clockbar .status') && document.querySelector('section.clockbar .status').textContent.includes('×2')`, actionTimeout)
	pauseExercise(fac)
	fac.selectOption("speed ×1", `section.clockbar select`, "1")
	fac.waitJS("the speed back at ×1", `document.querySelector('section.clockbar select').value === '1'`, actionTimeout)
	// 1m: the service desk's call and decision.
	fac.click("skip to the next item", buttonXPath("Skip to next"))
	fac.screenshot("console-running")

	// Everyone gets the opening sitrep; SOC also gets its alert ticket.
	for _, p := range players {
		p.b.waitJS("the opening sitrep", `document.querySelector('ol[aria-label="Feed"] article[data-channel="sitrep"]')`, actionTimeout)
	}
	soc.b.waitJS("SOC's alert ticket", `document.querySelector('ol[aria-label="Feed"] article[data-channel="ticket"]')`, actionTimeout)

	// The service desk takes the call and decides, with a rationale.
	helpdesk.b.waitJS("the phone call", `document.querySelector('ol[aria-label="Feed"] article[data-channel="phone"]')`, actionTimeout)
	helpdesk.b.waitJS("the caller decision", `document.querySelector('section.decision[data-status="open"]')`, actionTimeout)
	helpdesk.b.screenshot("decision-open")
	resumeExercise(fac, helpdesk.b)
	helpdesk.b.click("choose call back", `//section[contains(@class,'decision')]//button[normalize-space()=`+xpathLiteral(labelCallBack)+`]`)
	helpdesk.b.typeInto("rationale", `section.decision textarea`, "Policy: call back the number on record.")
	helpdesk.b.click("submit the answer", `//section[contains(@class,'decision')]//button[normalize-space()='Submit answer']`)
	helpdesk.b.waitJS("the answer to show", fmt.Sprintf(`[...document.querySelectorAll('section.decision .current strong')].some((e) => e.textContent.trim() === %s)`, jsString(labelCallBack)), actionTimeout)
	pauseExercise(fac)
	helpdesk.b.screenshot("decision-answered")

	// 2m: SOC decides with one tap (skipped to; landing on 3m is harmless).
	fac.click("skip to the next item", buttonXPath("Skip to next"))
	soc.b.waitJS("SOC's decision", `document.querySelector('section.decision[data-status="open"]')`, actionTimeout)
	resumeExercise(fac, soc.b)
	soc.b.click("choose full revoke", `//section[contains(@class,'decision')]//button[normalize-space()=`+xpathLiteral(labelFullRevoke)+`]`)
	soc.b.waitJS("SOC's answer to show", fmt.Sprintf(`[...document.querySelectorAll('section.decision .current strong')].some((e) => e.textContent.trim() === %s)`, jsString(labelFullRevoke)), actionTimeout)
	pauseExercise(fac)
	soc.b.screenshot("decision-answered")

	// The facilitator sees both answers with who gave them.
	fac.screenshot("console-decisions")
	for _, p := range []*player{helpdesk, soc} {
		fac.waitJS("the console to show "+p.name+"'s answer", fmt.Sprintf(`[...document.querySelectorAll('li.dec.open')].some((li) => li.textContent.includes(%s) && li.textContent.includes(%s))`, jsString(p.name), jsString(p.answer)), actionTimeout)
	}
	fac.screenshot("console-answers")

	// The team list names the service desk's lead and offers to make its
	// second member lead; it passes axe-core on a desktop and a phone.
	fac.waitJS("the service desk's two members", fmt.Sprintf(`(() => { const p = document.querySelector('#live-teams') && document.querySelector('#live-teams').closest('section'); return !!p && [...p.querySelectorAll('ul.members > li')].some((li) => li.textContent.includes(%s) && li.querySelector('.lead')) && !!p.querySelector(%s); })()`, jsString(helpdesk.name), jsString(`button[aria-label="Make lead: `+secondDesk+`"]`)), actionTimeout)
	newAxeChecker(h).checkBoth(fac, "console with a team of two")

	// SOC reloads mid-exercise. The clock is paused so that nothing new
	// arrives meanwhile: after the reload and catch-up the page must hold
	// exactly what it held before.
	soc.b.waitJS("the pause to reach SOC", `document.querySelector('.timer .paused')`, actionTimeout)
	beforeCards := cardsOf(soc.b)
	beforeDecisions := evalJS[[]decisionView](soc.b, "decisions before reload", decisionsJS)
	if len(beforeCards) < 2 || len(beforeDecisions) != 1 {
		h.fatalf("before the reload SOC should hold at least 2 cards and 1 decision, has %d cards and %+v", len(beforeCards), beforeDecisions)
	}
	soc.b.do("reload", chromedp.Reload())
	soc.b.waitJS("the feed after reload", `document.querySelector('p.conn.live, p.conn.connected') && document.querySelector('ol[aria-label="Feed"]')`, actionTimeout)
	soc.b.waitJS("the catch-up", fmt.Sprintf(`document.querySelectorAll('ol[aria-label="Feed"] article[data-channel]').length >= %d && document.querySelectorAll('section.decision').length >= %d`, len(beforeCards), len(beforeDecisions)), actionTimeout)
	afterCards := cardsOf(soc.b)
	afterDecisions := evalJS[[]decisionView](soc.b, "decisions after reload", decisionsJS)
	soc.b.screenshot("after-reload")
	if !sameCards(beforeCards, afterCards) {
		h.fatalf("SOC's feed changed across the reload:\nbefore %s\nafter  %s", cardSummary(beforeCards), cardSummary(afterCards))
	}
	if fmt.Sprint(beforeDecisions) != fmt.Sprint(afterDecisions) {
		h.fatalf("SOC's decision changed across the reload:\nbefore %+v\nafter  %+v", beforeDecisions, afterDecisions)
	}

	// Still paused, the facilitator gives SOC two more minutes: SOC's
	// prompt says so, and the console shows the new deadline.
	fac.click("extend session_response", extendDecisionXPath("session_response", "+2 min"))
	soc.b.waitJS("the extension notice", `[...document.querySelectorAll('section.decision .extnote')].some((e) => e.textContent.includes('Time extended +2 min'))`, actionTimeout)
	fac.waitJS("the extension on the console", `[...document.querySelectorAll('li.dec.open[data-decision="session_response"]')].some((li) => li.textContent.includes('extended +2 min'))`, actionTimeout)
	soc.b.screenshot("decision-extended")
	// One member a team online (the second service-desk member never
	// connected): each header counts one online.
	for _, p := range players {
		p.b.waitJS("the team's online count", `document.querySelector('.online') && document.querySelector('.online').textContent.includes('1 online')`, actionTimeout)
	}

	// Still paused (so neither can run out meanwhile), the facilitator
	// closes both decisions: the door is shut.
	closeDecision(fac, "caller_check")
	fac.waitJS("caller_check settled", `!document.querySelector('li.dec.open[data-decision="caller_check"]')`, actionTimeout)
	closeDecision(fac, "session_response")
	fac.waitJS("the clean morning", `document.querySelector('section.clockbar .where') && document.querySelector('section.clockbar .where').textContent.includes('the door is shut')`, actionTimeout)
	fac.screenshot("console-clean-morning")

	// clean_morning, 1m: the executive office's lead decides (skipped to,
	// still paused; the clock runs while the lead answers).
	fac.click("skip to the policy decision", buttonXPath("Skip to next"))
	exec.b.waitJS("the policy decision", `document.querySelector('section.decision[data-status="open"]')`, actionTimeout)
	exec.b.screenshot("decision-open")
	resumeExercise(fac, exec.b)
	exec.b.click("choose number matching", `//section[contains(@class,'decision')]//button[normalize-space()=`+xpathLiteral(labelNumberMatching)+`]`)
	exec.b.waitJS("the exec answer to show", fmt.Sprintf(`[...document.querySelectorAll('section.decision .current strong')].some((e) => e.textContent.trim() === %s)`, jsString(labelNumberMatching)), actionTimeout)
	pauseExercise(fac)
	fac.waitJS("the console to show the exec answer", fmt.Sprintf(`[...document.querySelectorAll('li.dec.open')].some((li) => li.textContent.includes(%s) && li.textContent.includes(%s))`, jsString(exec.name), jsString(labelNumberMatching)), actionTimeout)
	closeDecision(fac, "mfa_policy")

	// The outcome reaches the console and every participant.
	fac.waitJS("the outcome on the console", fmt.Sprintf(`document.querySelector('#out-h') && document.querySelector('#out-h').textContent.includes(%s)`, jsString(outcomeTitle)), actionTimeout)
	fac.screenshot("console-outcome")
	for _, p := range players {
		p.b.waitJS("the outcome", fmt.Sprintf(`document.querySelector('#p-outcome') && document.querySelector('#p-outcome').textContent.includes(%s)`, jsString(outcomeTitle)), actionTimeout)
		p.b.screenshot("outcome")
	}

	// Each participant saw exactly its team's injects, per the audience the
	// server stamped on each in the log, each drawn as its channel.
	api := h.facilitatorAPI(fac)
	evs := api.events(t, exID)
	allInjects := 0
	for _, ev := range evs {
		if ev.Kind == "inject_delivered" {
			allInjects++
		}
	}
	for _, p := range players {
		want := deliveredTo(t, evs, p.team)
		teamOnly := 0
		for _, in := range want {
			if len(in.Teams) > 0 {
				teamOnly++
			}
		}
		if teamOnly == 0 || len(want) >= allInjects {
			h.fatalf("the log gives team %s %d of %d injects (%d addressed to it): the check would not tell teams apart", p.team, len(want), allInjects, teamOnly)
		}
		cards := cardsOf(p.b)
		if problems := matchFeed(cards, want); len(problems) > 0 {
			h.fatalf("%s's feed does not match the log:\n  %s\ncards: %s", p.team, strings.Join(problems, "\n  "), cardSummary(cards))
		}
		// Nothing addressed only to other teams leaks into the page.
		text := evalJS[string](p.b, "page text", `document.body.innerText`)
		for _, ev := range evs {
			if ev.Kind != "inject_delivered" {
				continue
			}
			var in injectPayload
			if err := json.Unmarshal(ev.Payload, &in); err != nil {
				t.Fatal(err)
			}
			if in.Title != "" && !visibleTo(ev.Audience, p.team) && !titleSharedWithTeam(in.Title, want) && strings.Contains(text, in.Title) {
				h.fatalf("%s's page shows %q, an inject for %v only", p.team, in.Title, ev.Audience)
			}
		}
	}

	// How long scenario time ran on the wall clock, stretch by stretch:
	// what a loaded machine eats into (the decisions above stay open for
	// minutes of it).
	t.Logf("the exercise clock ran in stretches of %v (wall time)", runningStretches(evs))

	// The report shows every decision, how it settled and who answered.
	fac.click("open the report", `//a[normalize-space()='Open the after-action report']`)
	fac.waitJS("the report", `document.querySelector('#r-decisions')`, actionTimeout)
	fac.screenshot("report")
	type decisionRow struct {
		ID   string `json:"id"`
		Text string `json:"text"`
	}
	rows := evalJS[[]decisionRow](fac, "report decisions", `[...document.querySelectorAll('article.decision')].map((a) => ({id: a.dataset.decision || '', text: a.innerText}))`)
	wantRows := []struct{ id, label, who, extra string }{
		{"caller_check", labelCallBack, helpdesk.name, "Policy: call back the number on record."},
		{"session_response", labelFullRevoke, soc.name, "extended by 2 min"},
		{"mfa_policy", labelNumberMatching, exec.name, ""},
	}
	for _, w := range wantRows {
		found := false
		for _, r := range rows {
			if r.ID != w.id {
				continue
			}
			found = true
			for _, s := range []string{"Decided: " + w.label, w.who, w.extra} {
				if s != "" && !strings.Contains(r.Text, s) {
					h.fatalf("the report's entry for %s lacks %q:\n%s", w.id, s, r.Text)
				}
			}
		}
		if !found {
			h.fatalf("the report has no decision %s (has %+v)", w.id, rows)
		}
	}
	outcome := evalJS[string](fac, "report outcome", `(document.querySelector('#r-outcome') || {parentElement: {innerText: ''}}).parentElement.innerText`)
	if !strings.Contains(outcome, outcomeTitle) {
		h.fatalf("the report's outcome section lacks %q:\n%s", outcomeTitle, outcome)
	}

	// No page opened a dialog, and every HTML page carried the headers.
	for _, b := range append([]*browser{fac}, helpdesk.b, soc.b, exec.b) {
		if n := b.dialogCount(); n != 0 {
			h.fatalf("%s: %d dialogs opened: %s", b.name, n, b.diagnostics())
		}
		checkDocumentHeaders(t, b)
	}
}

// secondDesk is the service desk's second member, joined without a browser.
const secondDesk = "Hal Desk"

// pauseExercise pauses the clock from the console and waits until it shows
// paused.
func pauseExercise(fac *browser) {
	fac.h.t.Helper()
	fac.click("pause", buttonXPath("Pause"))
	fac.waitJS("the paused console", `document.querySelector('section.clockbar.paused')`, actionTimeout)
}

// resumeExercise resumes the clock from the console and waits until the
// participant's page knows it runs again (a paused prompt takes no answer).
func resumeExercise(fac, p *browser) {
	fac.h.t.Helper()
	fac.click("resume", buttonXPath("Resume"))
	fac.waitJS("the running console", `document.querySelector('section.clockbar.running')`, actionTimeout)
	p.waitJS("the clock running on "+p.name+"'s page", `!document.querySelector('.timer .paused') && !document.querySelector('section.decision .paused-note')`, actionTimeout)
}

// joinByAPI joins a participant the way the join page does, without a
// browser: one more member in a team, never connected.
func joinByAPI(t *testing.T, h *harness, code, name, team string) {
	t.Helper()
	body, err := json.Marshal(map[string]string{"code": code, "name": name, "team": team})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Timeout: actionTimeout}).Post(h.srv.URL+"/api/join", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("join %s: %v", name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		t.Fatalf("join %s: %s: %s", name, resp.Status, b)
	}
}

// runningStretches lists, from an exercise's log, each stretch of wall
// time during which its clock ran (from a start or resume to a pause or the
// end).
func runningStretches(evs []logEvent) []time.Duration {
	var out []time.Duration
	var since time.Time
	for _, ev := range evs {
		switch ev.Kind {
		case "exercise_started", "exercise_resumed":
			since = ev.WallTime
		case "exercise_paused", "outcome_reached":
			if !since.IsZero() {
				out = append(out, ev.WallTime.Sub(since).Round(time.Millisecond))
				since = time.Time{}
			}
		}
	}
	return out
}

// extendDecisionXPath finds one of the console's Extend buttons ("+2 min")
// of an open decision.
func extendDecisionXPath(id, label string) string {
	return fmt.Sprintf(`//li[contains(concat(' ', normalize-space(@class), ' '), ' dec ')][@data-decision=%s]//span[contains(@class,'extend')]//button[normalize-space()=%s]`, xpathLiteral(id), xpathLiteral(label))
}

// closeDecisionXPath finds the console's "Close now" button of an open
// decision (its hidden suffix names the decision by its prompt).
func closeDecisionXPath(id string) string {
	return fmt.Sprintf(`//li[contains(concat(' ', normalize-space(@class), ' '), ' dec ')][@data-decision=%s]//button[starts-with(normalize-space(), 'Close now')]`, xpathLiteral(id))
}

func visibleTo(audience []string, team string) bool {
	return contains(audience, "*") || contains(audience, team)
}

// titleSharedWithTeam: another inject the team may see has the same title.
func titleSharedWithTeam(title string, visible []injectPayload) bool {
	for _, in := range visible {
		if strings.Contains(in.Title, title) || strings.Contains(in.Body, title) {
			return true
		}
	}
	return false
}

func sameCards(a, b []feedCard) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Channel != b[i].Channel || a[i].Label != b[i].Label || a[i].Ref != b[i].Ref {
			return false
		}
	}
	return true
}

func cardSummary(cards []feedCard) string {
	parts := make([]string, len(cards))
	for i, c := range cards {
		parts[i] = fmt.Sprintf("[%s %q]", c.Channel, c.Label)
	}
	return strings.Join(parts, " ")
}

// checkDocumentHeaders: every HTML page the browser loaded carried a CSP
// that allows no inline script, and nosniff.
func checkDocumentHeaders(t *testing.T, b *browser) {
	t.Helper()
	docs := b.docResponses()
	if len(docs) == 0 {
		b.h.fatalf("%s: the browser recorded no HTML document", b.name)
	}
	for _, d := range docs {
		if d.Status != 200 {
			continue
		}
		if p := cspProblem(d.Headers["content-security-policy"]); p != "" {
			b.h.fatalf("%s: %s: %s", b.name, d.URL, p)
		}
		if !strings.EqualFold(d.Headers["x-content-type-options"], "nosniff") {
			b.h.fatalf("%s: %s: X-Content-Type-Options is %q, want nosniff", b.name, d.URL, d.Headers["x-content-type-options"])
		}
	}
}

// cspProblem says what is wrong with a page's Content-Security-Policy for
// scripts, or "".
func cspProblem(csp string) string {
	if csp == "" {
		return "no Content-Security-Policy"
	}
	directives := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			directives[strings.ToLower(f[0])] = strings.Join(f[1:], " ")
		}
	}
	src, ok := directives["script-src"]
	if !ok {
		src, ok = directives["default-src"]
	}
	if !ok {
		return "the CSP restricts no scripts: " + csp
	}
	for _, bad := range []string{"'unsafe-inline'", "'unsafe-eval'", "data:", "*"} {
		for _, tok := range strings.Fields(src) {
			if strings.EqualFold(tok, bad) {
				return fmt.Sprintf("the CSP allows %s for scripts: %s", bad, csp)
			}
		}
	}
	for _, d := range []string{"script-src-elem", "script-src-attr"} {
		if v, ok := directives[d]; ok && strings.Contains(v, "'unsafe-inline'") {
			return fmt.Sprintf("the CSP allows inline scripts in %s: %s", d, csp)
		}
	}
	return ""
}
