package loadtest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCheckLoopback(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:8080", true},
		{"http://127.9.8.7:80", true},
		{"http://[::1]:8080", true},
		{"http://localhost:8080", false}, // a name can resolve anywhere
		{"http://10.0.0.1:8080", false},
		{"http://0.0.0.0:8080", false},
		{"http://[::ffff:10.0.0.1]:8080", false},
		{"http://[::2]:8080", false},
		{"https://127.0.0.1:8443", false},
		{"http://127.0.0.1", false}, // no port
		{"ws://127.0.0.1:8080", false},
		{"127.0.0.1:8080", false},
	} {
		_, err := CheckLoopback(tc.url)
		if (err == nil) != tc.ok {
			t.Errorf("CheckLoopback(%q) = %v, want ok=%v", tc.url, err, tc.ok)
		}
	}
}

func TestScanFrame(t *testing.T) {
	sent := time.Unix(1_700_000_000, 123456789)
	body := markerBody("ab12", 17, sent, 200)
	if len(body) != 200 {
		t.Fatalf("body is %d bytes, want 200", len(body))
	}
	wall := "2026-03-01T09:00:00.123456789Z"
	ev := `{"type":"event","seq":42,"kind":"inject_delivered","at":90000000000,"wall_time":"` + wall +
		`","payload":{"kind":"inject_delivered","at":5,"inject":"adhoc-3","body":"` + body + `","teams":["soc"]}}`
	f := scanFrame([]byte(ev))
	want, _ := time.Parse(time.RFC3339Nano, wall)
	switch {
	case string(f.typ) != "event" || f.seq != 42 || string(f.kind) != "inject_delivered":
		t.Errorf("header fields: %q %d %q", f.typ, f.seq, f.kind)
	case f.at != 90*time.Second:
		t.Errorf("at = %v, want the top-level 90s, not the payload's", f.at)
	case f.wall != want.UnixNano():
		t.Errorf("wall = %d, want %d", f.wall, want.UnixNano())
	case string(f.inject) != "adhoc-3":
		t.Errorf("inject = %q", f.inject)
	case !f.mark || string(f.run) != "ab12" || f.index != 17 || f.sent != sent.UnixNano():
		t.Errorf("marker = %v %q %d %d", f.mark, f.run, f.index, f.sent)
	}

	for _, raw := range []string{
		`{"type":"presence","participant":"p1","online":true}`,
		`{"type":"live","last_seq":9}`,
		`not json`,
		`{"type":"event","seq":1,"kind":"inject_delivered","payload":{"body":"LTX:broken"}}`,
	} {
		f := scanFrame([]byte(raw))
		if f.mark || f.seq > 1 {
			t.Errorf("%s: scanned %+v", raw, f)
		}
	}
	if f := scanFrame([]byte(`{"type":"live","last_seq":9}`)); string(f.typ) != "live" {
		t.Errorf("live frame type = %q", f.typ)
	}
}

func TestBaselineFramePadding(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	body := markerBody("r", 3, now, 100)
	for _, pad := range []int{0, 400, 800} {
		b := baselineFrame(7, now, body, pad)
		if pad > 0 && len(b) != pad {
			t.Errorf("pad %d: frame is %d bytes", pad, len(b))
		}
		f := scanFrame(b)
		if !f.mark || f.index != 3 || f.seq != 7 || f.wall != now.UnixNano() {
			t.Errorf("pad %d: frame does not scan back: %+v", pad, f)
		}
		if !strings.HasPrefix(string(b), `{"type":"event","seq":7,"kind":"inject_delivered","at":0,"wall_time":`) {
			t.Errorf("pad %d: field order differs from a ttx event frame: %s", pad, b[:80])
		}
	}
}

func TestDist(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(101-i)*time.Millisecond)
	}
	got := distOf(d)
	if got.N != 100 || got.P50 != 50*time.Millisecond || got.P90 != 90*time.Millisecond || got.P99 != 99*time.Millisecond || got.Max != 100*time.Millisecond {
		t.Errorf("distOf = %+v", got)
	}
	if (distOf(nil) != Dist{}) {
		t.Error("empty dist not zero")
	}
}

func TestMetricHistogram(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, `# HELP ttx_fanout_latency_seconds Seconds.
# TYPE ttx_fanout_latency_seconds histogram
ttx_fanout_latency_seconds_bucket{le="0.05"} 7
ttx_fanout_latency_seconds_bucket{le="0.1"} 9
ttx_fanout_latency_seconds_bucket{le="+Inf"} 10
ttx_fanout_latency_seconds_sum 0.9
ttx_fanout_latency_seconds_count 10
ttx_other_seconds_count 99
`)
	}))
	defer srv.Close()
	base, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	h, ok := metricHistogram(context.Background(), base, "ttx_fanout_latency_seconds")
	if !ok || h.count != 10 || h.le["0.05"] != 7 || h.le["0.1"] != 9 || h.le["+Inf"] != 10 {
		t.Fatalf("got %+v, %v", h, ok)
	}
	if _, ok := metricHistogram(context.Background(), base, "ttx_missing_seconds"); ok {
		t.Fatal("a histogram the server does not expose was reported")
	}
	if _, ok := metricHistogram(context.Background(), base.JoinPath("/elsewhere"), "ttx_fanout_latency_seconds"); ok {
		t.Fatal("a 404 was read as a histogram")
	}
}

func TestLateSeconds(t *testing.T) {
	var ls lateSeconds
	if got := ls.sorted(); got != nil {
		t.Fatalf("nothing late: %v, want nil", got)
	}
	ls.add(36, 120*time.Millisecond)
	ls.add(24, 101*time.Millisecond)
	ls.add(36, 149*time.Millisecond)
	ls.add(36, 110*time.Millisecond)
	want := []LateSecond{{Second: 24, Count: 1, Max: 101 * time.Millisecond}, {Second: 36, Count: 3, Max: 149 * time.Millisecond}}
	if got := ls.sorted(); !slices.Equal(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}
