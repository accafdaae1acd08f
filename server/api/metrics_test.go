package api

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/ttxsim/ttx/server/hub"
)

// metricValue reads one sample's value from a Prometheus text page; -1 when
// the sample is absent.
func metricValue(t *testing.T, page, sample string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(sample) + ` ([0-9.e+-]+)$`).FindStringSubmatch(page)
	if m == nil {
		return -1
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatalf("%s: %v", sample, err)
	}
	return v
}

func TestMetricsEndpointCountsActivity(t *testing.T) {
	e := newEnv(t)
	fac := e.login()
	id := e.addExercise("ABCDEFGH")
	if r := e.do(fac, "POST", "/api/exercises/"+id+"/start", nil, map[string]string{"Origin": e.ts.URL}); r.status != 200 {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	e.do(nil, "GET", "/api/no-such-route", nil, nil) // a 4xx to count

	r := e.do(nil, "GET", "/metrics", nil, nil)
	if r.status != 200 {
		t.Fatalf("GET /metrics from loopback: %d %s", r.status, r.body)
	}
	if got := metricValue(t, r.body, `ttx_http_requests_total{code="2xx"}`); got < 2 {
		t.Errorf("2xx requests counted %v, want at least the login and the start", got)
	}
	if got := metricValue(t, r.body, `ttx_http_requests_total{code="4xx"}`); got < 1 {
		t.Errorf("4xx requests counted %v, want at least 1", got)
	}
	if got := metricValue(t, r.body, "ttx_events_appended_total"); got < 2 {
		t.Errorf("events appended %v, want at least the start's events", got)
	}
	if got := metricValue(t, r.body, "ttx_fanout_latency_seconds_count"); got < 1 {
		t.Errorf("fan-out latency observations %v, want at least 1", got)
	}
	for _, name := range []string{"ttx_participants_connected", "ttx_exercises_running"} {
		if metricValue(t, r.body, name) < 0 {
			t.Errorf("%s missing from the page", name)
		}
	}
}

func TestMetricsTokenRequired(t *testing.T) {
	e := newEnv(t, withMetricsToken("s3cret-token"))
	for _, tc := range []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"no token", nil, 401},
		{"wrong token", bearer("nope"), 401},
		{"right token", bearer("s3cret-token"), 200},
	} {
		if r := e.do(nil, "GET", "/metrics", nil, tc.header); r.status != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, r.status, tc.want)
		}
	}
}

func TestLoopbackPeer(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:5000": true, "127.8.9.1:1": true, "[::1]:80": true,
		"10.0.0.1:5000": false, "192.168.1.5:80": false, "[2001:db8::1]:80": false, "garbage": false,
	} {
		if got := loopbackPeer(addr); got != want {
			t.Errorf("loopbackPeer(%q) = %v, want %v", addr, got, want)
		}
	}
}

func TestCloseKind(t *testing.T) {
	for code, want := range map[int]string{
		hub.CloseNormal: "", hub.CloseGoingAway: "", hub.CloseSessionEnded: "",
		hub.CloseSlowClient: "slow", hub.CloseMessageTooBig: "too_big", hub.ClosePolicyViolation: "policy",
		hub.CloseInternalError: "internal", hub.CloseAbnormal: "abnormal", 4999: "other",
	} {
		if got := closeKind(code); got != want {
			t.Errorf("closeKind(%d) = %q, want %q", code, got, want)
		}
	}
}
