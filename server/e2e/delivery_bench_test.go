package e2e

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The throttled phone of the delivery benchmark: a mid-range phone on a
// slow mobile network (the "slow 4G" profile of browser tools).
const (
	phoneCPUSlowdown = 4
	phoneLatencyMs   = 150
	phoneDownBps     = 1.6e6 / 8 // 1.6 Mbit/s, in bytes per second
	phoneUpBps       = 750e3 / 8 // 750 kbit/s
)

// BenchmarkJoinThrottledPhone measures what a participant's phone goes
// through to join a running exercise, on a throttled phone profile (4× CPU
// slowdown, 1.6 Mbit/s down, 150 ms latency) with an empty cache each time:
// the bytes transferred to show the join page (every response's encoded
// length: what crossed the network), how long the page takes to be ready,
// and the time from pressing Join to the first inject on screen (measured
// in the page: the click, then the first card in the feed). Each iteration
// is a new browser context (no cache, no storage).
//
//	go test -run '^$' -bench JoinThrottledPhone -benchtime 5x ./server/e2e/
func BenchmarkJoinThrottledPhone(b *testing.B) {
	h, bs := newHarness(b, "facilitator")
	fac := bs[0]
	h.loginFacilitator(fac, "bench facilitator passphrase")
	_, code := h.createExercise(fac, bhScenario, "Bench join")
	startExercise(fac)
	// Paused, every phone joins the same exercise: the opening injects and
	// nothing more.
	fac.click("pause", buttonXPath("Pause"))
	fac.waitJS("the paused console", `document.querySelector('section.clockbar.paused')`, actionTimeout)

	var kb, loadMs, injectMs []float64
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		k, l, j := joinOnThrottledPhone(h, fac, code, i)
		kb, loadMs, injectMs = append(kb, k), append(loadMs, l), append(injectMs, j)
	}
	b.StopTimer()
	report := func(unit string, v []float64) {
		med, lo, hi := medianSpread(v)
		b.ReportMetric(med, unit)
		b.Logf("%-16s median %7.1f  min %7.1f  max %7.1f  (n=%d: %v)", unit, med, lo, hi, len(v), rounded(v))
	}
	report("KB-join-page", kb)
	report("ms-join-page", loadMs)
	report("ms-first-inject", injectMs)
}

// joinOnThrottledPhone runs one join in a fresh browser context and returns
// the KB transferred for the join page, the ms until it was ready, and the
// ms from pressing Join to the first inject card.
func joinOnThrottledPhone(h *harness, fac *browser, code string, i int) (kb, loadMs, injectMs float64) {
	h.t.Helper()
	var bytes atomic.Int64
	ctx, cancel := chromedp.NewContext(fac.ctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(func(ev any) {
		if lf, ok := ev.(*network.EventLoadingFinished); ok {
			bytes.Add(int64(lf.EncodedDataLength))
		}
	}))
	defer cancel()
	// The first run opens the tab and binds it to its context: this one,
	// not a step's (a step's deadline would close the tab).
	if err := chromedp.Do(ctx); err != nil {
		h.fatalf("phone-%d: open a tab in a new browser context: %v", i, err)
	}
	p := &browser{h: h, name: fmt.Sprintf("phone-%d", i), ctx: ctx, phone: true}
	p.do("throttle",
		chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			if _, err := chromedp.Call(ctx, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: phoneCPUSlowdown}); err != nil {
				return err
			}
			_, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
				MatchedNetworkConditions: []*network.Conditions{{Latency: phoneLatencyMs, DownloadThroughput: phoneDownBps, UploadThroughput: phoneUpBps}},
			})
			return err
		}),
	)
	start := time.Now()
	// Page.navigate itself, not chromedp.Navigate: the page is ready when
	// the form is, which the wait below sees.
	p.do("open the join link", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, page.Navigate, page.NavigateParams{URL: h.srv.URL + "/join/" + code})
		return err
	}))
	p.waitJS("the join form", `document.querySelector('input[type=radio][name=team][value="comms"]') && document.querySelector('#j-code').value !== ''`, actionTimeout)
	loadMs = float64(time.Since(start).Microseconds()) / 1000
	kb = float64(bytes.Load()) / 1000
	// The page notes the moment Join is pressed and the moment the first
	// inject card is in the feed.
	evalJS[bool](p, "install the timers", `(() => {
  window.__joinAt = 0; window.__injectAt = 0;
  document.addEventListener('click', (e) => { if (e.target.closest('button[type=submit], button') && e.target.closest('form')) window.__joinAt = window.__joinAt || performance.now(); }, true);
  const seen = () => document.querySelector('ol[aria-label="Feed"] article[data-channel]');
  new MutationObserver((_, o) => { if (window.__joinAt && seen()) { window.__injectAt = performance.now(); o.disconnect(); } })
    .observe(document.body, {childList: true, subtree: true});
  return true;
})()`)
	p.typeInto("type the name", "#j-name", fmt.Sprintf("Phone %d", i))
	p.click("pick Comms", `//input[@type='radio'][@name='team'][@value='comms']`)
	p.click("join", buttonXPath("Join"))
	p.waitJS("the first inject", `window.__injectAt > 0`, actionTimeout)
	injectMs = evalJS[float64](p, "time to the first inject", `window.__injectAt - window.__joinAt`)
	return kb, loadMs, injectMs
}

func medianSpread(v []float64) (med, lo, hi float64) {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0, 0, 0
	}
	med = s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return med, s[0], s[n-1]
}

func rounded(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(int(x*10+0.5)) / 10
	}
	return out
}
