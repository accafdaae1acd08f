// Package e2e holds the browser end-to-end tests of ttx: the real binary,
// built once per run (or named by TTX_E2E_BINARY), serves the embedded web UI on a loopback port, and
// Chromium (driven over the DevTools protocol by chromedp) plays the
// facilitator and the participants in separate browsers. The package has no
// code outside its tests.
//
// The tests need Chromium at /usr/bin/chromium (apt-get install -y chromium),
// the web UI built into frontend/dist (cd frontend && npm run build)
// before the binary is compiled, and frontend/node_modules (npm ci): the
// accessibility checks inject axe-core from there into the pages, on a
// phone (390×844) and a desktop viewport, and fail on any serious or
// critical violation. Screenshots are written under $TTX_ARTIFACTS, or
// artifacts/e2e/ at the repository root; with TTX_E2E_SHOTS=dir a PNG of
// every screen of the whole-exercise runs goes to dir/<test>/ as well.
//
// Scenario time runs with the real clock, and a browser step can take many
// seconds on a busy machine: a test does not wait on the page while a
// decision's minutes run out. It pauses the exercise, moves the clock with
// "Skip to next", and lets it run only around a participant's answer (a
// paused prompt takes none), a few steps each bounded by actionTimeout.
//
// BenchmarkJoinThrottledPhone measures the join page on a throttled phone
// (.ci/bench runs it; BENCHMARKS.md has the figures).
package e2e
