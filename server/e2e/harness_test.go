package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/ttxsim/ttx/server/ttxtest"
)

// chromiumPath is where Debian's chromium package puts the browser; CI
// installs it. A missing browser fails the tests: a skipped browser test
// would pass without testing anything.
const chromiumPath = "/usr/bin/chromium"

const (
	// actionTimeout bounds one step (a click, a navigation, a wait on the DOM).
	actionTimeout = 30 * time.Second
	// pollEvery is how often a wait re-reads the DOM condition it waits for.
	pollEvery = 100 * time.Millisecond
)

// sentinelJS runs in every document before the app's scripts: the XSS
// payloads increment window.__xss, and any Content Security Policy violation
// is recorded so that a blocked injection is noticed too.
const sentinelJS = `(() => {
  Object.defineProperty(window, '__xss', {value: 0, writable: true, configurable: false});
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__csp.push({directive: e.effectiveDirective || e.violatedDirective, blocked: String(e.blockedURI || ''), sample: String(e.sample || '')});
  });
})();`

// repoRoot is the module root: the directory above the test's that holds
// go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(b), "module github.com/ttxsim/ttx\n") {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("cannot find the ttx module root above the working directory")
		}
		dir = parent
	}
}

// requireChromium fails the test (never skips it) when the browser is missing.
func requireChromium(t testing.TB) {
	t.Helper()
	if st, err := os.Stat(chromiumPath); err != nil || st.IsDir() {
		t.Fatalf("Chromium is needed at %s for the browser tests: apt-get install -y chromium (%v)", chromiumPath, err)
	}
}

// warnIfUIStale says so when a file under frontend/src is newer than the
// built UI: the binary embeds frontend/dist as it is.
func warnIfUIStale(t testing.TB, root string) {
	t.Helper()
	dist, err := os.Stat(filepath.Join(root, "frontend", "dist", "index.html"))
	if err != nil {
		t.Fatalf("the web UI is not built (frontend/dist/index.html: %v): cd frontend && npm run build", err)
	}
	var newest string
	_ = filepath.WalkDir(filepath.Join(root, "frontend", "src"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.Contains(p, ".test.") {
			return nil
		}
		if info, err := d.Info(); err == nil && info.ModTime().After(dist.ModTime()) {
			newest = p
		}
		return nil
	})
	if newest != "" {
		t.Logf("warning: %s is newer than frontend/dist; the binary embeds the older build (cd frontend && npm run build)", newest)
	}
}

// TestMain finds the ttx binary, built once for every test package of the
// run (a build takes seconds, more on a busy machine).
func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

// ttxBinaryEnv hands the built binary's path to the tests. It is set once,
// before any test runs, and only read after.
const ttxBinaryEnv = "TTX_E2E_BINARY"

func runTests(m *testing.M) int {
	if os.Getenv(ttxBinaryEnv) == "" {
		bin, err := ttxtest.Binary(context.Background())
		if err != nil {
			fmt.Fprintln(os.Stderr, "e2e:", err)
			return 1
		}
		if err := os.Setenv(ttxBinaryEnv, bin); err != nil {
			fmt.Fprintln(os.Stderr, "e2e:", err)
			return 1
		}
	}
	return m.Run()
}

// ttxBinary is the binary TestMain built (or the one TTX_E2E_BINARY names).
func ttxBinary(t testing.TB) string {
	t.Helper()
	bin := os.Getenv(ttxBinaryEnv)
	if st, err := os.Stat(bin); err != nil || st.IsDir() {
		t.Fatalf("no ttx binary at %q (%s): %v", bin, ttxBinaryEnv, err)
	}
	return bin
}

// ttxServer is one `ttx serve` child process on a loopback port with its
// own database.
type ttxServer struct {
	URL      string // http://127.0.0.1:PORT
	Password string // the first-start password of "admin"
	cmd      *exec.Cmd
	stdout   *ttxtest.Output
	stderr   *ttxtest.Output
	exited   chan struct{}
	exitErr  error
}

var (
	listeningRE = regexp.MustCompile(`msg="listening[^"]*" addr=(127\.0\.0\.1:[1-9][0-9]*)`)
	passwordRE  = regexp.MustCompile(`one-time password\s+([23456789A-HJKMNP-Z]{20})\s`)
)

// startServer runs the binary until the test ends.
func startServer(t testing.TB, bin string) *ttxServer {
	t.Helper()
	dir := t.TempDir()
	s := &ttxServer{stdout: &ttxtest.Output{}, stderr: &ttxtest.Output{}, exited: make(chan struct{})}
	s.cmd = exec.Command(bin, "serve", "-addr", "127.0.0.1:0", "-db", filepath.Join(dir, "ttx.db"), "-log-level", "info")
	s.cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TTX_") { // the test decides every setting
			s.cmd.Env = append(s.cmd.Env, kv)
		}
	}
	s.cmd.Stdout = s.stdout
	s.cmd.Stderr = s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start ttx: %v", err)
	}
	go func() {
		s.exitErr = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		if _, err := s.stop(10 * time.Second); err != nil {
			t.Errorf("stop ttx: %v", err)
		}
		if t.Failed() {
			t.Logf("ttx stderr:\n%s", tail(s.stderr.String(), 6000))
		}
	})
	m, err := s.stderr.WaitFor(listeningRE, s.exited, 60*time.Second)
	if err != nil {
		t.Fatalf("ttx did not start listening: %v\nstderr:\n%s", err, s.stderr.String())
	}
	s.URL = "http://" + m[1]
	m, err = s.stdout.WaitFor(passwordRE, s.exited, 10*time.Second)
	if err != nil {
		t.Fatalf("ttx printed no first-start password: %v\nstdout:\n%s", err, s.stdout.String())
	}
	s.Password = m[1]
	return s
}

// stop sends SIGTERM and waits for the exit; past the grace period it kills
// the process and reports an error. It returns how long the exit took.
func (s *ttxServer) stop(grace time.Duration) (time.Duration, error) {
	select {
	case <-s.exited:
		return 0, nil
	default:
	}
	start := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return 0, fmt.Errorf("SIGTERM: %w", err)
	}
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-s.exited:
		return time.Since(start), s.exitErr
	case <-timer.C:
		_ = s.cmd.Process.Kill()
		<-s.exited
		return time.Since(start), fmt.Errorf("no exit within %v of SIGTERM; killed", grace)
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// harness ties one server to the browsers of one test and its artefacts.
type harness struct {
	t         testing.TB
	srv       *ttxServer
	artifacts string

	mu       sync.Mutex
	shots    int
	browsers []*browser
}

// newHarness builds ttx, starts it on a fresh database, prepares the
// test's artefact directory and starts one browser per name meanwhile.
func newHarness(t testing.TB, names ...string) (*harness, []*browser) {
	t.Helper()
	requireChromium(t)
	root := repoRoot(t)
	warnIfUIStale(t, root)
	h := &harness{t: t}
	// Chromium takes seconds to start: start the browsers while the server
	// starts. They only need it once they navigate.
	type started struct {
		bs  []*browser
		err error
	}
	ready := make(chan started, 1)
	go func() {
		bs, err := h.startBrowsers(names...)
		ready <- started{bs, err}
	}()
	h.srv = startServer(t, ttxBinary(t))
	base := os.Getenv("TTX_ARTIFACTS")
	if base == "" {
		base = filepath.Join(root, "artifacts", "e2e")
	}
	h.artifacts = filepath.Join(base, regexp.MustCompile(`[^A-Za-z0-9_.-]+`).ReplaceAllString(t.Name(), "_"))
	if err := os.RemoveAll(h.artifacts); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(h.artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	st := <-ready
	if st.err != nil {
		t.Fatal(st.err)
	}
	h.mu.Lock()
	h.browsers = st.bs
	h.mu.Unlock()
	return h, st.bs
}

// fatalf screenshots every browser, then fails the test.
func (h *harness) fatalf(format string, args ...any) {
	h.t.Helper()
	msg := fmt.Sprintf(format, args...)
	h.mu.Lock()
	bs := append([]*browser(nil), h.browsers...)
	h.mu.Unlock()
	for _, b := range bs {
		b.screenshot("FAILED")
		if d := b.diagnostics(); d != "" {
			h.t.Logf("%s: %s", b.name, d)
		}
	}
	h.t.Fatalf("%s (screenshots in %s)", msg, h.artifacts)
}

// docResponse is one HTML document the browser loaded, with the headers
// the security checks need.
type docResponse struct {
	URL     string
	Status  int64
	Headers map[string]string // lower-case names
}

// browser is one person's Chromium: its own process and profile, so that
// cookies and storage never mix between people.
type browser struct {
	h    *harness
	name string
	ctx  context.Context

	mu        sync.Mutex
	dialogs   []string
	console   []string
	documents []docResponse
	phone     bool // the viewport is a phone's (setPhone)
}

// startBrowsers starts one Chromium per actor, in parallel, each with
// exactly the flags the tests need and a fresh profile.
func (h *harness) startBrowsers(names ...string) ([]*browser, error) {
	out := make([]*browser, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() { out[i], errs[i] = h.startBrowser(name) })
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

func (h *harness) startBrowser(name string) (*browser, error) {
	b := &browser{h: h, name: name}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(h.t.TempDir()),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx, chromedp.WithListener(b.onEvent))
	b.ctx = ctx
	h.t.Cleanup(func() { cancelCtx(); cancelAlloc() }) // runs before the profile directory is removed
	if err := chromedp.Do(ctx); err != nil {
		return nil, fmt.Errorf("%s: start Chromium: %w", name, err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: sentinelJS}); err != nil {
		return nil, fmt.Errorf("%s: install the sentinel: %w", name, err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(desktopWidth, desktopHeight)); err != nil {
		return nil, fmt.Errorf("%s: viewport: %w", name, err)
	}
	return b, nil
}

// onEvent runs in the tab's event loop: record, never block, run no command.
func (b *browser) onEvent(ev any) {
	switch ev := ev.(type) {
	case *page.EventJavascriptDialogOpening:
		b.mu.Lock()
		b.dialogs = append(b.dialogs, fmt.Sprintf("%s: %q on %s", ev.Type, ev.Message, ev.URL))
		b.mu.Unlock()
		go func() { // a dialog blocks the page until it is answered
			_, _ = chromedp.Call(b.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}()
	case *runtime.EventExceptionThrown:
		b.mu.Lock()
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text += " " + d.Exception.Description
		}
		b.console = append(b.console, "exception: "+text)
		b.mu.Unlock()
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeWarning {
			return
		}
		var parts []string
		for _, a := range ev.Args {
			if len(a.Value) > 0 {
				parts = append(parts, string(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		b.mu.Lock()
		b.console = append(b.console, fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(parts, " ")))
		b.mu.Unlock()
	case *network.EventResponseReceived:
		if ev.Type != network.ResourceTypeDocument || ev.Response == nil {
			return
		}
		hd := make(map[string]string, len(ev.Response.Headers))
		for k, v := range ev.Response.Headers {
			hd[strings.ToLower(k)] = fmt.Sprint(v)
		}
		b.mu.Lock()
		b.documents = append(b.documents, docResponse{URL: ev.Response.URL, Status: ev.Response.Status, Headers: hd})
		b.mu.Unlock()
	}
}

// diagnostics is what the page said that may explain a failure.
func (b *browser) diagnostics() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var parts []string
	if len(b.console) > 0 {
		n := len(b.console)
		parts = append(parts, "console (last): "+strings.Join(b.console[max(0, n-10):], " | "))
	}
	if len(b.dialogs) > 0 {
		parts = append(parts, "dialogs: "+strings.Join(b.dialogs, " | "))
	}
	ctx, cancel := b.tctx(5 * time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err == nil {
		parts = append(parts, "at "+loc)
	}
	return strings.Join(parts, "; ")
}

func (b *browser) dialogCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.dialogs)
}

func (b *browser) docResponses() []docResponse {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]docResponse(nil), b.documents...)
}

// tctx is the browser's context with a deadline for one step; the browser
// outlives it.
func (b *browser) tctx(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, d)
}

// do runs steps, failing the test (with screenshots) on an error.
func (b *browser) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.h.t.Helper()
	ctx, cancel := b.tctx(actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.h.fatalf("%s: %s: %v", b.name, step, err)
	}
}

// navigate opens a path of the server.
func (b *browser) navigate(path string) {
	b.h.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.h.srv.URL+path))
}

// evalJS evaluates an expression in the page and decodes its JSON value.
func evalJS[T any](b *browser, step, expr string) T {
	b.h.t.Helper()
	ctx, cancel := b.tctx(actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.h.fatalf("%s: %s: %v", b.name, step, err)
	}
	return v
}

// waitJS waits until a JavaScript expression is truthy, re-reading it every
// pollEvery. The app's CSP forbids eval, so the wait runs through the
// DevTools protocol rather than an in-page poller built with new Function.
func (b *browser) waitJS(step, expr string, timeout time.Duration) {
	b.h.t.Helper()
	ctx, cancel := b.tctx(timeout)
	defer cancel()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	var last error
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+expr+")"))
		if err == nil && ok {
			return
		}
		if err != nil {
			last = err
		}
		select {
		case <-ctx.Done():
			if last != nil {
				b.h.fatalf("%s: waiting for %s: %v (last error: %v)", b.name, step, ctx.Err(), last)
			}
			b.h.fatalf("%s: waiting for %s: not true within %v: %s", b.name, step, timeout, expr)
		case <-tick.C:
		}
	}
}

// click waits until an XPath finds a visible, enabled element, scrolls it
// into view and clicks its centre with the mouse, as a person would.
func (b *browser) click(step, xpath string) {
	b.h.t.Helper()
	find := fmt.Sprintf(`document.evaluate(%s, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue`, jsString(xpath))
	b.waitJS(step+" (an enabled, visible element)", fmt.Sprintf(`(() => { const el = %s; if (!el || el.disabled) return false; const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; })()`, find), actionTimeout)
	type point struct {
		X, Y float64
	}
	p := evalJS[point](b, step, fmt.Sprintf(`(() => { const el = %s; el.scrollIntoView({block: 'center', inline: 'center'}); const r = el.getBoundingClientRect(); return {X: r.left + r.width / 2, Y: r.top + r.height / 2}; })()`, find))
	b.do(step, chromedp.MouseClickXY(p.X, p.Y))
}

// typeInto focuses a field, empties it and inserts text as typing would
// (input events fire, so the app's bindings see it).
func (b *browser) typeInto(step, css, text string) {
	b.h.t.Helper()
	b.waitJS(step+" (the field)", fmt.Sprintf(`document.querySelector(%s)`, jsString(css)), actionTimeout)
	b.do(step,
		chromedp.Focus(chromedp.CSS(css)),
		chromedp.Evaluate[chromedp.Void](`(() => { const el = document.activeElement; if (el && 'select' in el) el.select(); })()`),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Call(ctx, input.InsertText, input.InsertTextParams{Text: text})
			return err
		}),
	)
	got := evalJS[string](b, step, `document.activeElement ? document.activeElement.value : ''`)
	if got != text {
		b.h.fatalf("%s: %s: the field holds %q, want %q", b.name, step, got, text)
	}
}

// selectOption picks a value in a <select> and fires the events a person's
// choice fires.
func (b *browser) selectOption(step, css, value string) {
	b.h.t.Helper()
	ok := evalJS[bool](b, step, fmt.Sprintf(`(() => {
  const el = document.querySelector(%s);
  if (!el || ![...el.options].some((o) => o.value === %s)) return false;
  el.value = %s;
  el.dispatchEvent(new Event('input', {bubbles: true}));
  el.dispatchEvent(new Event('change', {bubbles: true}));
  return true;
})()`, jsString(css), jsString(value), jsString(value)))
	if !ok {
		b.h.fatalf("%s: %s: no <select> %s with the option %q", b.name, step, css, value)
	}
}

// screenshot saves the whole page as a JPEG artefact; a failure to take one
// is only logged (it must not hide the real failure).
func (b *browser) screenshot(label string) {
	b.h.mu.Lock()
	b.h.shots++
	n := b.h.shots
	b.h.mu.Unlock()
	ctx, cancel := b.tctx(20 * time.Second)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(85)) // JPEG: a tall PNG takes seconds to encode
	if err != nil {
		b.h.t.Logf("%s: screenshot %s: %v", b.name, label, err)
		return
	}
	name := fmt.Sprintf("%02d-%s-%s.jpg", n, b.name, regexp.MustCompile(`[^A-Za-z0-9_-]+`).ReplaceAllString(label, "-"))
	if err := os.WriteFile(filepath.Join(b.h.artifacts, name), buf, 0o644); err != nil {
		b.h.t.Logf("%s: write screenshot: %v", b.name, err)
	}
	// TTX_E2E_SHOTS: a PNG copy for people to look at, every screen of the run.
	if dir := shotsDir(filepath.Base(b.h.artifacts)); dir != "" {
		if err := writePNG(filepath.Join(dir, strings.TrimSuffix(name, ".jpg")+".png"), buf); err != nil {
			b.h.t.Logf("%s: write screenshot to TTX_E2E_SHOTS: %v", b.name, err)
		}
	}
}

// cookie returns the value of a cookie the browser holds for the server.
func (b *browser) cookie(name string) string {
	b.h.t.Helper()
	ctx, cancel := b.tctx(actionTimeout)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{b.h.srv.URL + "/"}})
	if err != nil {
		b.h.fatalf("%s: read cookies: %v", b.name, err)
	}
	for _, c := range res.Cookies {
		if c.Name == name {
			return c.Value
		}
	}
	b.h.fatalf("%s: no cookie %q", b.name, name)
	return ""
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// xpathLiteral quotes s for XPath 1.0, which has no escapes.
func xpathLiteral(s string) string {
	if !strings.Contains(s, `'`) {
		return `'` + s + `'`
	}
	if !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	parts := strings.Split(s, `'`)
	return `concat('` + strings.Join(parts, `', "'", '`) + `')`
}

// buttonXPath finds a button by its text as a person (or screen reader)
// reads it, sr-only parts included.
func buttonXPath(text string) string {
	return fmt.Sprintf(`//button[normalize-space()=%s]`, xpathLiteral(text))
}

// apiClient calls the server's API as the facilitator, with the session
// cookie the facilitator's browser got when signing in through the UI.
type apiClient struct {
	base   string
	cookie string
	client *http.Client
}

func (h *harness) facilitatorAPI(fac *browser) *apiClient {
	return &apiClient{base: h.srv.URL, cookie: fac.cookie("ttx_session"), client: &http.Client{Timeout: 15 * time.Second}}
}

func (a *apiClient) get(t testing.TB, path string, out any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, a.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: "ttx_session", Value: a.cookie})
	resp, err := a.client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", path, resp.Status, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("GET %s: decode: %v", path, err)
	}
}

// logEvent is one entry of an exercise's log as the facilitator reads it.
type logEvent struct {
	Seq      int64           `json:"seq"`
	Kind     string          `json:"kind"`
	At       time.Duration   `json:"at"`        // exercise time
	WallTime time.Time       `json:"wall_time"` // when it was logged
	Audience []string        `json:"audience"`
	Payload  json.RawMessage `json:"payload"`
}

// events reads an exercise's whole log, page by page.
func (a *apiClient) events(t testing.TB, exercise string) []logEvent {
	t.Helper()
	var all []logEvent
	after := int64(0)
	for {
		var page struct {
			Events    []logEvent `json:"events"`
			NextAfter int64      `json:"next_after"`
			More      bool       `json:"more"`
		}
		a.get(t, fmt.Sprintf("/api/exercises/%s/events?after=%d&limit=1000", url.PathEscape(exercise), after), &page)
		all = append(all, page.Events...)
		if !page.More {
			return all
		}
		after = page.NextAfter
	}
}

// loginFacilitator signs "admin" in through the UI with the first-start
// password and replaces it, as the server demands, landing on the console.
func (h *harness) loginFacilitator(fac *browser, newPassword string) {
	h.t.Helper()
	fac.navigate("/login")
	fac.waitJS("the sign-in form", `document.querySelector('#login-name') && !document.querySelector('form button[type=submit]').disabled`, actionTimeout)
	fac.screenshot("login")
	fac.typeInto("type the name", "#login-name", "admin")
	fac.typeInto("type the password", "#login-pw", h.srv.Password)
	fac.click("sign in", buttonXPath("Sign in"))
	fac.waitJS("the password change form", `document.querySelector('#pw-new')`, actionTimeout)
	fac.screenshot("choose-password")
	if got := evalJS[string](fac, "current password", `document.querySelector('#pw-current').value`); got != h.srv.Password {
		h.fatalf("the change form should carry the password just typed as the current one")
	}
	fac.typeInto("new password", "#pw-new", newPassword)
	fac.typeInto("new password again", "#pw-again", newPassword)
	fac.click("save the password", buttonXPath("Save and continue"))
	fac.waitJS("the console home", `location.pathname === '/console' && document.querySelector('#lib-h')`, actionTimeout)
	fac.waitJS("the scenario library", `document.querySelectorAll('li.entry').length > 0`, actionTimeout)
	fac.screenshot("console-home")
}

// createExercise starts a new exercise of a library scenario from the
// console and returns its id and join code (without the dash).
func (h *harness) createExercise(fac *browser, scenarioID, title string) (id, code string) {
	h.t.Helper()
	fac.click("pick "+scenarioID, fmt.Sprintf(`//li[contains(concat(' ', normalize-space(@class), ' '), ' entry ')][.//code[normalize-space()=%s]]//button[starts-with(normalize-space(), 'New exercise')]`, xpathLiteral(scenarioID)))
	fac.waitJS("the new-exercise form", `document.querySelector('#new-title')`, actionTimeout)
	fac.typeInto("exercise title", "#new-title", title)
	fac.screenshot("new-exercise")
	fac.click("create the exercise", buttonXPath("Create and open the lobby"))
	fac.waitJS("the lobby with a join code", `location.pathname.startsWith('/console/') && document.querySelector('.joinbox .code')`, actionTimeout)
	loc := evalJS[string](fac, "console URL", `location.pathname`)
	id, err := url.PathUnescape(strings.TrimPrefix(loc, "/console/"))
	if err != nil || id == "" {
		h.fatalf("console URL %q names no exercise", loc)
	}
	display := evalJS[string](fac, "join code", `document.querySelector('.joinbox .code').textContent.trim()`)
	code = strings.ReplaceAll(display, "-", "")
	if !regexp.MustCompile(`^[23456789A-HJKMNP-Z]{8}$`).MatchString(code) {
		h.fatalf("the lobby shows the join code %q, want 8 symbols of the join alphabet", display)
	}
	fac.screenshot("lobby")
	return id, code
}

// joinAs opens the /join/<code> link in a participant's browser, picks a
// team, types the name and joins, landing on the feed.
func (h *harness) joinAs(p *browser, code, name, teamID string) {
	h.t.Helper()
	h.openJoinLink(p, code, teamID)
	h.submitJoin(p, name, teamID)
}

// openJoinLink opens /join/<code> and waits for the code's teams.
func (h *harness) openJoinLink(p *browser, code, teamID string) {
	h.t.Helper()
	p.navigate("/join/" + code)
	p.waitJS("the teams of the code", fmt.Sprintf(`document.querySelector('input[type=radio][name=team][value=%s]')`, jsString(teamID)), actionTimeout)
	if got := evalJS[string](p, "code field", `document.querySelector('#j-code').value`); got != code {
		h.fatalf("%s: the join link should fill the code %q, the field holds %q", p.name, code, got)
	}
}

// submitJoin fills the open join form and joins.
func (h *harness) submitJoin(p *browser, name, teamID string) {
	h.t.Helper()
	p.typeInto("type the name", "#j-name", name)
	p.click("pick team "+teamID, fmt.Sprintf(`//input[@type='radio'][@name='team'][@value=%s]`, xpathLiteral(teamID)))
	p.screenshot("join-" + teamID)
	p.click("join", buttonXPath("Join"))
	p.waitJS("the feed page", `location.pathname === '/play' && document.querySelector('ol[aria-label="Feed"]')`, actionTimeout)
	p.waitJS("a live connection", `document.querySelector('p.conn.live, p.conn.connected')`, actionTimeout)
}

// feedCard is one inject card as the page shows it, with the parts that
// only its channel's card has.
type feedCard struct {
	Channel string   `json:"channel"`
	Label   string   `json:"label"`
	Text    string   `json:"text"`
	Handle  string   `json:"handle"`  // social: the @handle
	Subject string   `json:"subject"` // email: the subject line
	Headers []string `json:"headers"` // email: the header names (From, To, Date)
	Ref     string   `json:"ref"`     // ticket: the reference
	Callbar string   `json:"callbar"` // phone: "Call transcript"
	Room    string   `json:"room"`    // chat: the room
	Sender  string   `json:"sender"`  // chat: the sender's name
	Sitrep  string   `json:"sitrep"`  // sitrep: "Situation update"
	Outlet  string   `json:"outlet"`  // news: the outlet
	Level   string   `json:"level"`   // status: the banner's level
}

// feedCardsJS lists the inject cards under a container.
func feedCardsJS(container string) string {
	return fmt.Sprintf(`Array.from(document.querySelectorAll(%s)).map((a) => {
  const q = (s) => { const e = a.querySelector(s); return e ? e.textContent.trim() : ''; };
  return {
    channel: a.dataset.channel || '', label: a.getAttribute('aria-label') || '', text: a.innerText,
    handle: q('.post .handle'), subject: q('.mail .subject'),
    headers: Array.from(a.querySelectorAll('.mail dl.headers dt')).map((d) => d.textContent.trim()),
    ref: q('.ticket .ref'), callbar: q('.phone .callbar'), room: q('.chat .room'), sender: q('.chat .name'),
    sitrep: q('.sitrep .label'), outlet: q('.news .outlet'), level: q('.status .level'),
  };
})`, jsString(container+" article[data-channel]"))
}

// cardsOf reads the inject cards of the participant feed.
func cardsOf(p *browser) []feedCard {
	return evalJS[[]feedCard](p, "read the feed", feedCardsJS(`ol[aria-label="Feed"]`))
}

// decisionView is one decision prompt as a participant sees it.
type decisionView struct {
	Status  string `json:"status"`
	Prompt  string `json:"prompt"`
	Current string `json:"current"`
}

const decisionsJS = `Array.from(document.querySelectorAll('section.decision')).map((s) => ({
  status: s.dataset.status || '',
  prompt: (s.querySelector('.prompt') || {innerText: ''}).innerText.trim(),
  current: ((s.querySelector('.current strong') || {textContent: ''}).textContent || '').trim(),
}))`

// injectPayload is the part of an inject_delivered payload the checks use.
type injectPayload struct {
	Inject        string   `json:"inject"`
	AdHoc         bool     `json:"adhoc"`
	Channel       string   `json:"channel"`
	Title         string   `json:"title"`
	Body          string   `json:"body"`
	PersonaName   string   `json:"persona_name"`
	PersonaHandle string   `json:"persona_handle"`
	Platform      string   `json:"platform"`
	Ref           string   `json:"ref"`
	Teams         []string `json:"teams"`
}

// deliveredTo lists the injects of the log a team may see, per the
// audience the server stamped on each.
func deliveredTo(t *testing.T, evs []logEvent, team string) []injectPayload {
	t.Helper()
	var out []injectPayload
	for _, ev := range evs {
		if ev.Kind != "inject_delivered" {
			continue
		}
		visible := false
		for _, a := range ev.Audience {
			if a == "*" || a == team {
				visible = true
			}
		}
		if !visible {
			continue
		}
		var p injectPayload
		if err := json.Unmarshal(ev.Payload, &p); err != nil {
			t.Fatalf("inject payload %s: %v", ev.Payload, err)
		}
		out = append(out, p)
	}
	return out
}

// channelProblem says what a card lacks to be drawn as its inject's
// channel, or "".
func channelProblem(c feedCard, in injectPayload) string {
	switch in.Channel {
	case "social":
		if in.PersonaHandle != "" && strings.TrimPrefix(c.Handle, "@") != strings.TrimPrefix(in.PersonaHandle, "@") {
			return fmt.Sprintf("social card shows the handle %q, want %q", c.Handle, in.PersonaHandle)
		}
	case "email":
		if !contains(c.Headers, "From") {
			return fmt.Sprintf("email card has the headers %q, want a From line", c.Headers)
		}
		if in.Title != "" && c.Subject != in.Title {
			return fmt.Sprintf("email card has the subject %q, want %q", c.Subject, in.Title)
		}
	case "ticket":
		if in.Ref != "" && c.Ref != in.Ref {
			return fmt.Sprintf("ticket card shows the reference %q, want %q", c.Ref, in.Ref)
		}
	case "phone":
		if !strings.Contains(c.Callbar, "Call transcript") {
			return fmt.Sprintf("phone card has no call bar (got %q)", c.Callbar)
		}
	case "chat":
		if in.PersonaName != "" && c.Sender != in.PersonaName {
			return fmt.Sprintf("chat card shows the sender %q, want %q", c.Sender, in.PersonaName)
		}
		if in.Platform != "" && !strings.Contains(c.Room, strings.TrimPrefix(in.Platform, "#")) {
			return fmt.Sprintf("chat card shows the room %q, want %q", c.Room, in.Platform)
		}
	case "sitrep":
		if !strings.HasPrefix(c.Sitrep, "Situation update") {
			return fmt.Sprintf("sitrep card has no 'Situation update' label (got %q)", c.Sitrep)
		}
	case "news":
		if c.Outlet == "" {
			return "news card has no outlet line"
		}
	case "status":
		if c.Level == "" {
			return "status card has no level banner"
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// matchFeed checks that the cards are exactly the injects (same count, each
// card of its inject's channel and showing its title and sender) and
// returns the problems found.
func matchFeed(cards []feedCard, want []injectPayload) []string {
	var problems []string
	if len(cards) != len(want) {
		problems = append(problems, fmt.Sprintf("%d cards, want %d", len(cards), len(want)))
	}
	used := make([]bool, len(cards))
	for _, in := range want {
		found := -1
		var why []string
		for i, c := range cards {
			if used[i] || c.Channel != in.Channel {
				continue
			}
			if in.Title != "" && !strings.Contains(c.Text, in.Title) {
				continue
			}
			if in.PersonaName != "" && !strings.Contains(c.Label, "from "+in.PersonaName) {
				continue
			}
			if p := channelProblem(c, in); p != "" {
				why = append(why, p)
				continue
			}
			found = i
			break
		}
		if found < 0 {
			problems = append(problems, fmt.Sprintf("no card for inject %q (%s, title %q, from %q) %s", in.Inject, in.Channel, in.Title, in.PersonaName, strings.Join(why, "; ")))
			continue
		}
		used[found] = true
	}
	return problems
}
