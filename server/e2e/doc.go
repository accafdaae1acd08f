// Package e2e holds the browser end-to-end tests of ttx: the real binary,
// built once per run (or named by TTX_E2E_BINARY), serves the embedded web UI on a loopback port, and
// Chromium (driven over the DevTools protocol by chromedp) plays the
// facilitator and the participants in separate browsers. The package has no
// code outside its tests.
//
// The tests need Chromium at /usr/bin/chromium (apt-get install -y chromium)
// and the web UI built into frontend/dist (cd frontend && npm run build)
// before the binary is compiled. Screenshots of every page are written under
// $TTX_ARTIFACTS, or artifacts/e2e/ at the repository root.
package e2e
