package e2e

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// xssCorpus is typed into free-text answers and ad-hoc inject bodies. Every
// payload either increments window.__xss or opens a dialog if it runs.
const xssCorpus = `<script>window.__xss++</script>
<img src=x onerror="window.__xss++">
<img src=x onerror=alert(1)>
<svg onload="window.__xss++"><circle r=1></svg>
<svg><script>window.__xss++</script></svg>
<a href="javascript:window.__xss++">js link</a>
<a href="&#106;avascript:window.__xss++">entity js link</a>
<a href="&#x6A;&#x61;vascript&#58;alert(1)">hex entity link</a>
<a href="jav&#x09;ascript:window.__xss++">tab js link</a>
<iframe srcdoc="<script>parent.__xss++</script>"></iframe>
<iframe src="javascript:parent.__xss++"></iframe>
<div style="background:url(javascript:window.__xss++)">style url</div>
<p style="width:expression(window.__xss++)">style expression</p>
<style>@import 'javascript:window.__xss++';</style>
<object data="javascript:window.__xss++"></object>
<embed src="javascript:window.__xss++">
<math><mtext><img src=x onerror=window.__xss++></mtext></math>
<details open ontoggle=window.__xss++>toggle</details>
<input autofocus onfocus=window.__xss++>
<form action="javascript:window.__xss++"><button>go</button></form>
[md js link](javascript:window.__xss++)
[md entity link](&#106;avascript:window.__xss++)
[md mixed case](JaVaScRiPt:window.__xss++)
[md data link](data:text/html,<script>window.__xss++</script>)
![md image](javascript:window.__xss++)
![md image attr](x" onerror="window.__xss++)
<javascript:window.__xss++>
{{constructor.constructor('window.__xss++')()}}
{{constructor.constructor('alert(1)')()}}
${window.__xss++} {window.__xss++} #{window.__xss++}
"><img src=x onerror=window.__xss++>
'><svg onload=window.__xss++>
</textarea><script>window.__xss++</script>`

// Participant names are at most 40 characters.
var xssNames = []struct{ name, team, browser string }{
	{`<img src=x onerror=window.__xss++>`, "red", "red-1"},
	{`<svg onload=alert(1)>`, "blue", "blue-1"},
	{`{{constructor.constructor('__xss++')()}}`, "red", "red-2"},
}

// xssAdHoc are the injects the facilitator writes during the exercise.
var xssAdHoc = []struct{ channel, from, title string }{
	{"social", `<img src=x onerror=alert(1)>`, `Adhoc social <script>window.__xss++</script>`},
	{"email", `"><svg onload=window.__xss++>`, `Adhoc {{constructor.constructor('alert(1)')()}}`},
	{"news", `mallory`, `Adhoc news <iframe srcdoc="<script>parent.__xss++</script>">`},
}

// domScanJS lists every element or attribute in the page body that could
// run script: an injected element would show up here even where the CSP
// stops it from running.
const domScanJS = `(() => {
  const bad = [];
  const tags = new Set(['SCRIPT', 'IFRAME', 'FRAME', 'FRAMESET', 'OBJECT', 'EMBED', 'APPLET', 'BASE', 'META', 'LINK', 'STYLE', 'TEMPLATE']);
  const urls = new Set(['href', 'src', 'action', 'formaction', 'data', 'xlink:href', 'background', 'poster', 'lowsrc', 'dynsrc', 'ping', 'codebase', 'cite', 'srcset']);
  for (const el of document.body.querySelectorAll('*')) {
    const tag = el.tagName.toUpperCase();
    const html = el.outerHTML.slice(0, 160);
    if (tags.has(tag)) { bad.push(html); continue; }
    for (const a of el.attributes) {
      const n = a.name.toLowerCase();
      const v = a.value.replace(/[\u0000-\u0020]+/g, '').toLowerCase();
      if (n.startsWith('on') || n === 'srcdoc') bad.push(n + ' on ' + html);
      else if (urls.has(n) && /^(javascript|vbscript|livescript):/.test(v)) bad.push(n + '=' + v + ' on ' + html);
      else if (urls.has(n) && v.startsWith('data:') && !(tag === 'IMG' && /^data:image\/(png|gif|jpeg|webp)/.test(v))) bad.push(n + '=' + v.slice(0, 40) + ' on ' + html);
      else if (n === 'style' && /(expression\(|javascript:|url\(|@import)/.test(v)) bad.push('style on ' + html);
    }
  }
  return bad;
})()`

// xssState is what the sentinel and the scan saw in one page.
type xssState struct {
	Count int            `json:"count"`
	CSP   []cspViolation `json:"csp"`
	Bad   []string       `json:"bad"`
	Text  string         `json:"text"`
}

type cspViolation struct {
	Directive string `json:"directive"`
	Blocked   string `json:"blocked"`
	Sample    string `json:"sample"`
}

// scriptDirective: a violation of it means something tried to run or embed
// code.
func scriptDirective(d string) bool {
	return strings.HasPrefix(d, "script-src") || d == "object-src" || d == "frame-src" || d == "child-src" || d == "base-uri"
}

// assertNoXSS checks one page: no payload ran (sentinel, dialogs), none
// tried (CSP violations), none reached the DOM as markup, and the payloads
// the page should show are there as text, so the check is not vacuous.
func (h *harness) assertNoXSS(b *browser, where string, mustShow ...string) {
	h.t.Helper()
	st := evalJS[xssState](b, "XSS state on "+where, `({count: window.__xss, csp: window.__csp || [], bad: `+domScanJS+`, text: document.body.innerText})`)
	if st.Count != 0 {
		h.fatalf("%s on %s: %d payloads ran (window.__xss)", b.name, where, st.Count)
	}
	if n := b.dialogCount(); n != 0 {
		h.fatalf("%s on %s: %d dialogs opened: %s", b.name, where, n, b.diagnostics())
	}
	if len(st.Bad) > 0 {
		h.fatalf("%s on %s: markup that could run script reached the page:\n  %s", b.name, where, strings.Join(st.Bad, "\n  "))
	}
	for _, v := range st.CSP {
		if scriptDirective(v.Directive) {
			h.fatalf("%s on %s: the CSP blocked %s (%q, sample %q): a payload reached the page as code", b.name, where, v.Directive, v.Blocked, v.Sample)
		}
	}
	if len(st.CSP) > 0 {
		h.t.Logf("%s on %s: CSP violations that are not script: %+v", b.name, where, st.CSP)
	}
	for _, s := range mustShow {
		if !strings.Contains(st.Text, s) {
			h.fatalf("%s on %s: the page does not show %q as text", b.name, where, s)
		}
	}
	b.screenshot(where)
}

// checkHTMLRoutes fetches the app's pages directly: each HTML answer must
// carry a script-tight CSP and nosniff.
func checkHTMLRoutes(t *testing.T, base string) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	for _, p := range []string{"/", "/join", "/join/ABCDEFGH", "/play", "/console", "/console/x", "/login", "/observe", "/report/x", "/gallery", "/no/such/page", "/index.html"} {
		resp, err := client.Get(base + p)
		if err != nil {
			t.Fatalf("GET %s: %v", p, err)
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET %s: %s %s, want the app's HTML", p, resp.Status, resp.Header.Get("Content-Type"))
		}
		if !strings.Contains(string(body), `<script type="module"`) {
			t.Fatalf("GET %s: no module script tag in %s", p, body)
		}
		if pr := cspProblem(resp.Header.Get("Content-Security-Policy")); pr != "" {
			t.Fatalf("GET %s: %s", p, pr)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("GET %s: X-Content-Type-Options %q, want nosniff", p, resp.Header.Get("X-Content-Type-Options"))
		}
	}
}

// TestXSSCorpus feeds script-injection payloads through every way text
// enters ttx — an uploaded scenario's fields, participant names, free-text
// answers and rationales, ad-hoc injects written by the facilitator — and
// checks in real browsers that none runs on the facilitator's console, the
// participants' feeds or the report.
func TestXSSCorpus(t *testing.T) {
	t.Parallel() // each test has its own server and browsers
	names := []string{"facilitator"}
	for _, p := range xssNames {
		names = append(names, p.browser)
	}
	h, bs := newHarness(t, names...)
	fac := bs[0]
	checkHTMLRoutes(t, h.srv.URL)

	h.loginFacilitator(fac, "xss facilitator passphrase")

	// Upload the scenario whose every text field is a payload, through the
	// console's file form.
	file, err := filepath.Abs(filepath.Join("testdata", "xss-corpus.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	fac.waitJS("the upload form", `document.querySelector('#up-file')`, actionTimeout)
	fac.do("choose the scenario file", chromedp.SetUploadFiles(chromedp.CSS("#up-file"), []string{file}))
	fac.click("upload", buttonXPath("Upload"))
	fac.waitJS("the upload to succeed", `document.querySelector('.upload .okmsg') && document.querySelector('.upload .okmsg').textContent.includes('Added')`, actionTimeout)
	fac.waitJS("the library to list the upload", `[...document.querySelectorAll('li.entry code')].some((c) => c.textContent.trim() === 'xss-corpus')`, actionTimeout)
	h.assertNoXSS(fac, "library", "XSS corpus <img src=x onerror=window.__xss++> <script>alert(1)</script>", "Summary <svg onload=window.__xss++>")

	exTitle := `XSS <script>alert(1)</script> exercise`
	_, code := h.createExercise(fac, "xss-corpus", exTitle)
	h.assertNoXSS(fac, "lobby", exTitle)

	// Participants join with payloads as names; the join page shows the
	// payload team names.
	players := bs[1:]
	for i, p := range xssNames {
		b := players[i]
		h.openJoinLink(b, code, p.team)
		h.assertNoXSS(b, "join", "Red <svg onload=window.__xss++>", "Blue <script>window.__xss++</script>", exTitle)
		h.submitJoin(b, p.name, p.team)
	}
	for _, p := range xssNames {
		fac.waitJS("the lobby to list a payload name", fmt.Sprintf(`[...document.querySelectorAll('.members li')].some((li) => li.textContent.includes(%s))`, jsString(p.name)), actionTimeout)
	}
	h.assertNoXSS(fac, "lobby-joined", xssNames[0].name, xssNames[1].name, xssNames[2].name)

	fac.click("start the exercise", buttonXPath("Start the exercise"))
	fac.waitJS("the running console", `document.querySelector('section.clockbar.running')`, actionTimeout)

	// Every scenario inject reaches every team, drawn with payload text.
	for _, b := range players {
		b.waitJS("the eight scenario injects", `document.querySelectorAll('ol[aria-label="Feed"] article[data-channel]').length >= 8`, actionTimeout)
		b.waitJS("the team's decision", `document.querySelector('section.decision[data-status="open"]')`, actionTimeout)
		h.assertNoXSS(b, "feed", "Social title <img src=x onerror=window.__xss++>", "Email subject <svg onload=window.__xss++>", "News headline <script>window.__xss++</script>", exTitle)
	}

	// Free-text answers and rationales carry the corpus.
	red1, blue1, red2 := players[0], players[1], players[2]
	red1.click("pick a payload option", `//section[contains(@class,'decision')]//button[normalize-space()=`+xpathLiteral("Option <img src=x onerror=window.__xss++>")+`]`)
	red1.typeInto("free-text answer", `section.decision textarea[id$="-text"]`, xssCorpus)
	red1.typeInto("rationale", `section.decision textarea[id$="-why"]`, "Rationale "+xssCorpus)
	red1.click("submit the answer", `//section[contains(@class,'decision')]//button[normalize-space()='Submit answer']`)
	red1.waitJS("the answer to show", `document.querySelector('section.decision .current')`, actionTimeout)
	blue1.click("pick the payload option", `//section[contains(@class,'decision')]//button[normalize-space()=`+xpathLiteral("Option <svg onload=window.__xss++>")+`]`)
	blue1.typeInto("free-text answer", `section.decision textarea[id$="-text"]`, xssCorpus)
	blue1.click("submit the answer", `//section[contains(@class,'decision')]//button[normalize-space()='Submit answer']`)
	blue1.waitJS("the answer to show", `document.querySelector('section.decision .current')`, actionTimeout)
	// The teammate sees red's answer, text and all.
	red2.waitJS("the teammate's answer", `document.querySelector('section.decision .current')`, actionTimeout)
	for _, b := range players {
		h.assertNoXSS(b, "answered", "<script>window.__xss++</script>")
	}

	// The facilitator writes ad-hoc injects full of payloads.
	fac.waitJS("the ad-hoc form", `document.querySelector('#ah-body')`, actionTimeout)
	for i, in := range xssAdHoc {
		fac.selectOption("channel "+in.channel, "#ah-channel", in.channel)
		fac.selectOption("sender: someone else", "#ah-from", "*other")
		fac.typeInto("from", "#ah-from-name", in.from)
		fac.typeInto("title", "#ah-title", in.title)
		fac.typeInto("body", "#ah-body", fmt.Sprintf("Adhoc body %d\n\n%s", i, xssCorpus))
		fac.click("send the inject", buttonXPath("Send inject"))
		fac.waitJS("the inject to be sent", `document.querySelector('#ah-title') && document.querySelector('#ah-title').value === ''`, actionTimeout)
	}
	adhocTitles := make([]string, len(xssAdHoc))
	for i, in := range xssAdHoc {
		adhocTitles[i] = in.title
	}
	for _, b := range players {
		b.waitJS("the ad-hoc injects", `document.querySelectorAll('ol[aria-label="Feed"] article[data-channel]').length >= 11`, actionTimeout)
		h.assertNoXSS(b, "feed-adhoc", adhocTitles...)
	}
	for _, p := range xssNames[:2] {
		fac.waitJS("the console to show a payload answer", fmt.Sprintf(`[...document.querySelectorAll('li.dec.open')].some((li) => li.textContent.includes(%s))`, jsString(p.name)), actionTimeout)
	}
	h.assertNoXSS(fac, "console-running", append([]string{xssNames[0].name, "Opening <img src=x onerror=window.__xss++>"}, adhocTitles...)...)

	// Closing both decisions reaches the outcome with its payload debrief.
	closeDecision(fac, "d_red")
	fac.waitJS("d_red settled", `![...document.querySelectorAll('li.dec.open code')].some((c) => c.textContent === 'd_red')`, actionTimeout)
	closeDecision(fac, "d_blue")
	fac.waitJS("the outcome on the console", `document.querySelector('#out-h')`, actionTimeout)
	h.assertNoXSS(fac, "console-outcome", "Debrief <img src=x onerror=\"window.__xss++\">")
	for _, b := range players {
		b.waitJS("the outcome", `document.querySelector('#p-outcome')`, actionTimeout)
		h.assertNoXSS(b, "outcome", "Done <svg onload=window.__xss++>")
	}

	// The report shows names, answers, rationales, notes and the timeline.
	fac.click("open the report", `//a[normalize-space()='Open the after-action report']`)
	fac.waitJS("the report", `document.querySelector('#r-decisions') && document.querySelectorAll('article.decision').length >= 2`, actionTimeout)
	h.assertNoXSS(fac, "report", xssNames[0].name, xssNames[1].name, "Option <img src=x onerror=window.__xss++>", "Objective <img src=x onerror=window.__xss++>")
	// The full timeline too.
	fac.click("show every log entry", `//label[contains(normalize-space(), 'Show every log entry')]/input`)
	h.assertNoXSS(fac, "report-timeline", adhocTitles[0])

	for _, b := range bs {
		if n := b.dialogCount(); n != 0 {
			h.fatalf("%s: %d dialogs opened: %s", b.name, n, b.diagnostics())
		}
		checkDocumentHeaders(t, b)
	}
}
