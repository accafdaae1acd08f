package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The brand-hijack scenario's facts the play-through relies on
// (scenarios/brand-hijack.yaml).
const (
	bhScenario = "brand-hijack"
	// bhFirstResponse: Comms' first decision asks for a confidence; the
	// option keeps the evidence.
	bhCapture = "Capture everything first"
)

// bhPlayer is one participant of the brand-hijack play-through.
type bhPlayer struct {
	b     *browser
	name  string
	team  string
	phone bool
}

// exerciseView is what the facilitator's API says of the running exercise.
type exerciseView struct {
	Snapshot struct {
		Sim struct {
			State string `json:"state"`
			Open  []struct {
				ID   string `json:"id"`
				Team string `json:"team"`
			} `json:"open"`
			Done    bool   `json:"done"`
			Outcome string `json:"outcome"`
		} `json:"sim"`
	} `json:"snapshot"`
}

// TestBrandHijackInBrowsers runs the whole brand-hijack exercise as people
// would: a facilitator on a desktop, Comms and SOC on 390×844 phones, the
// executive office on a desktop, and an observer. The facilitator runs the
// clock with "Skip to next" from the first inject to an outcome; every
// participant answers each of its team's decisions through the page. On
// the way, axe-core checks every page (join, feed, open decision, console
// lobby and running, observer, report) on a phone and on a desktop and
// fails the test on any serious or critical violation; the report must fit
// a phone without scrolling sideways. With TTX_E2E_SHOTS=/some/dir a copy
// of every screenshot is written there.
func TestBrandHijackInBrowsers(t *testing.T) {
	t.Parallel()
	h, bs := newHarness(t, "facilitator", "comms-phone", "soc-phone", "exec-desktop", "observer")
	ax := newAxeChecker(h)
	fac, obs := bs[0], bs[4]
	players := []*bhPlayer{
		{b: bs[1], name: "Priya Comms", team: "comms", phone: true},
		{b: bs[2], name: "Tomás SOC", team: "soc", phone: true},
		{b: bs[3], name: "Ines Exec", team: "exec"},
	}
	for _, p := range players {
		if p.phone {
			p.b.setPhone()
		}
	}

	h.loginFacilitator(fac, "e2e brand hijack passphrase")
	exID, code := h.createExercise(fac, bhScenario, "E2E brand hijack")
	ax.checkBoth(fac, "console lobby")

	// The facilitator invites the observer from the lobby; the observer
	// opens the link once.
	fac.typeInto("the observer's name", "#obs-name", "Olu Observer")
	fac.click("invite the observer", buttonXPath("Invite"))
	fac.waitJS("the observer link", `document.querySelector('input[aria-label="Observer link"]') && document.querySelector('input[aria-label="Observer link"]').value.includes('#token=')`, actionTimeout)
	link, err := url.Parse(evalJS[string](fac, "observer link", `document.querySelector('input[aria-label="Observer link"]').value`))
	if err != nil {
		h.fatalf("the observer link does not parse: %v", err)
	}
	obs.navigate(link.Path + "#" + link.Fragment)
	obs.waitJS("the observer's live view", `document.querySelector('#o-feed')`, actionTimeout)

	// Everyone joins with the link; the join page is checked on a phone
	// (Comms) and a desktop (the executive office).
	for _, p := range players {
		h.openJoinLink(p.b, code, p.team)
		if p.team == "comms" || p.team == "exec" {
			ax.check(p.b, "join")
		}
		h.submitJoin(p.b, p.name, p.team)
	}
	for _, p := range players {
		fac.waitJS("the lobby to list "+p.name, fmt.Sprintf(`[...document.querySelectorAll('.members li')].some((li) => li.textContent.includes(%s))`, jsString(p.name)), actionTimeout)
	}
	fac.shot("lobby-full")

	// Legal and IT & Vendor have nobody: the console says so, in the page,
	// before it starts (issue 16, item 3).
	fac.click("start the exercise", buttonXPath("Start the exercise"))
	fac.waitJS("the empty-teams question", `(() => { const q = document.querySelector('.lobby .confirm .q'); return !!q && q.textContent.includes('Legal') && q.textContent.includes('Vendor') && q.textContent.includes('nobody'); })()`, actionTimeout)
	fac.shot("lobby-empty-teams")
	fac.click("start anyway", buttonXPath("Start anyway"))
	fac.waitJS("the running console", `document.querySelector('section.clockbar.running')`, actionTimeout)
	for _, p := range players {
		p.b.waitJS("the opening sitrep", `document.querySelector('ol[aria-label="Feed"] article[data-channel="sitrep"]')`, actionTimeout)
	}
	// Scenario time runs with the real clock, and decisions close minutes
	// after they open: on a busy machine the axe-core runs and browser
	// steps below could outlast one. So the exercise stays paused, the
	// clock jumps with "Skip to next", and it runs only while a participant
	// answers (a paused prompt takes no answer).
	api := h.facilitatorAPI(fac)
	exPath := "/api/exercises/" + url.PathEscape(exID)
	clock := func(cmd string) {
		if st := api.post(t, exPath+"/"+cmd); st != 200 {
			var v exerciseView
			if api.get(t, exPath, &v); !v.Snapshot.Sim.Done {
				h.fatalf("%s: status %d", cmd, st)
			}
			// The answer before it ended the exercise.
		}
	}
	clock("pause")
	ax.check(players[0].b, "feed")
	ax.check(players[2].b, "feed")
	ax.checkBoth(fac, "console running")
	obs.waitJS("the observer's feed", `document.querySelectorAll('article[data-channel]').length > 0`, actionTimeout)
	ax.checkBoth(obs, "observer")

	// The clock jumps from one scheduled item to the next until an
	// outcome; after each jump every participant answers its team's newly
	// open decisions through its page. Jumps with nothing to answer go
	// through the API (a browser round trip each would make the suite
	// slow); after each answered round the facilitator presses "Skip to
	// next" on the console.
	answered := map[string]bool{}
	byTeam := map[string]int{}
	checkedDecision := map[string]bool{} // viewport -> the open decision was checked
	lastState := ""
	var view exerciseView
	for step := 0; ; step++ {
		if step > 200 {
			h.fatalf("no outcome after %d jumps (state %s)", step, view.Snapshot.Sim.State)
		}
		api.get(t, "/api/exercises/"+url.PathEscape(exID), &view)
		if view.Snapshot.Sim.State == "" {
			h.fatalf("the exercise view names no state: the test reads the wrong fields")
		}
		if view.Snapshot.Sim.State != lastState {
			lastState = view.Snapshot.Sim.State
			for _, b := range []*browser{fac, obs, players[0].b, players[1].b, players[2].b} {
				b.shot("state-" + lastState)
			}
		}
		if view.Snapshot.Sim.Done {
			break
		}
		round := 0
		for _, d := range view.Snapshot.Sim.Open {
			if answered[d.ID] {
				continue
			}
			for _, p := range players {
				if p.team != d.Team {
					continue
				}
				clock("resume") // the page offers the options only while the clock runs
				p.b.waitJS("decision "+d.ID+" on the page", unansweredDecisionJS+`.length > 0`, actionTimeout)
				vp := p.b.viewportName()
				if !checkedDecision[vp] {
					checkedDecision[vp] = true
					ax.check(p.b, "decision")
				}
				answerOpenDecision(h, p.b, d.ID)
				clock("pause")
				answered[d.ID] = true
				byTeam[p.team]++
				round++
			}
		}
		if round == 0 {
			if st := api.post(t, exPath+"/skip"); st != 200 {
				h.fatalf("skip: status %d in state %s with nothing answered; open: %+v", st, lastState, view.Snapshot.Sim.Open)
			}
			continue
		}
		fac.shot("console-answers")
		fac.click("skip to the next item", buttonXPath("Skip to next"))
		fac.waitJS("the skip to finish", `(() => { const b = [...document.querySelectorAll('section.clockbar button')].find((b) => b.textContent.trim() === 'Skip to next'); return !b || !b.disabled; })()`, actionTimeout)
	}
	for _, p := range players {
		if byTeam[p.team] == 0 {
			h.fatalf("no decision of team %s was answered", p.team)
		}
	}
	if !checkedDecision["phone"] || !checkedDecision["desktop"] {
		h.fatalf("an open decision was checked on %v; want a phone and a desktop", checkedDecision)
	}

	// The outcome reaches everyone.
	fac.waitJS("the outcome on the console", `document.querySelector('#out-h')`, actionTimeout)
	outcome := evalJS[string](fac, "outcome", `document.querySelector('#out-h').textContent`)
	fac.shot("console-outcome")
	for _, p := range players {
		p.b.waitJS("the outcome", `document.querySelector('#p-outcome')`, actionTimeout)
		p.b.shot("outcome")
	}
	obs.shot("outcome")
	t.Logf("outcome %s after %d answers: %s", view.Snapshot.Sim.Outcome, len(answered), strings.TrimSpace(outcome))

	// The report: checked on both viewports, and it fits a phone.
	fac.click("open the report", `//a[normalize-space()='Open the after-action report']`)
	fac.waitJS("the report", `document.querySelector('#r-decisions') && document.querySelectorAll('article.decision').length > 0`, actionTimeout)
	ax.checkBoth(fac, "report")
	fac.setPhone()
	fac.shot("report-phone")
	if o := overflowX(fac); o != "" {
		h.fatalf("the report does not fit a %d px phone: %s", phoneWidth, o)
	}
	fac.setDesktop()

	// No page opened a dialog, and every HTML page carried the headers.
	for _, b := range []*browser{fac, obs, players[0].b, players[1].b, players[2].b} {
		if n := b.dialogCount(); n != 0 {
			h.fatalf("%s: %d dialogs opened: %s", b.name, n, b.diagnostics())
		}
		checkDocumentHeaders(t, b)
	}
	t.Logf("axe-core checked %d pages: %s", len(ax.pages), strings.Join(ax.pages, "; "))
}

// post sends a POST without a body as the facilitator and returns the
// status.
func (a *apiClient) post(t testing.TB, path string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, a.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: "ttx_session", Value: a.cookie})
	resp, err := a.client.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode
}

// unansweredDecisionJS lists the open decision prompts of a participant's
// page that the team has not answered yet and the person may answer.
const unansweredDecisionJS = `[...document.querySelectorAll('section.decision[data-status="open"]')].filter((s) => !s.querySelector('.current') && s.querySelector('.options button:not([disabled])'))`

// answerOpenDecision answers the first unanswered open decision of the
// page as a person would: the option that keeps the evidence if offered,
// else the first; a confidence and a rationale when asked; then submit
// when the form has more than the option.
func answerOpenDecision(h *harness, b *browser, id string) {
	h.t.Helper()
	sec := unansweredDecisionJS + `[0]`
	pick := evalJS[string](b, "choose an option for "+id, fmt.Sprintf(`(() => {
  const s = %s;
  const opts = [...s.querySelectorAll('.options button')];
  const o = opts.find((b) => b.textContent.trim().startsWith(%s)) || opts[0];
  s.dataset.e2e = %s;
  return o.textContent.trim();
})()`, sec, jsString(bhCapture), jsString(id)))
	mine := fmt.Sprintf(`document.querySelector('section.decision[data-e2e=%s]')`, jsString(id))
	base := fmt.Sprintf(`//section[@data-e2e=%s]`, xpathLiteral(id))
	b.click("choose "+pick, base+`//div[contains(@class,'options')]//button[normalize-space()=`+xpathLiteral(pick)+`]`)
	if evalJS[bool](b, "confidence asked", mine+`.querySelector('fieldset.confidence') !== null`) {
		b.click("confidence 4", base+`//fieldset[contains(@class,'confidence')]//label[normalize-space()='4']`)
	}
	if evalJS[bool](b, "rationale asked", mine+`.querySelector('textarea[id$="-why"]') !== null`) {
		b.typeInto("rationale", `section.decision[data-e2e=`+jsString(id)+`] textarea[id$="-why"]`, "The posts say where they came from: follow that first.")
	}
	if evalJS[bool](b, "submit offered", mine+`.querySelector('button.submit') !== null`) {
		b.click("submit the answer", base+`//button[contains(@class,'submit')]`)
	}
	b.waitJS("the answer to "+id+" to show", fmt.Sprintf(`%s && %s.querySelector('.current strong') && %s.querySelector('.current strong').textContent.trim() === %s`, mine, mine, mine, jsString(pick)), actionTimeout)
	b.shot("answered-" + id)
}
