package loadtest

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestFanoutEndToEnd runs the tool at a tiny scale against the real ttx
// stack and the baseline: every participant must get exactly the injects
// addressed to its team, once.
func TestFanoutEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ep, cred := startTTX(t)
	for _, plan := range []string{AddressMixed, AddressRotate, AddressAll} {
		t.Run("ttx/"+plan, func(t *testing.T) {
			cfg := FanoutConfig{Participants: 20, Exercises: 2, Injects: 6, Size: 300, Rate: 50, Address: plan,
				Scenario: "brand-hijack", Grace: 5 * time.Second}
			res, err := RunTTXFanout(ctx, ep, cred, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkFanout(t, res, cfg)
			if res.Latency.N != int(res.Delivered) {
				t.Errorf("latency samples %d, want one per delivery (%d): the commit time was not read", res.Latency.N, res.Delivered)
			}
			if res.FrameBytes < cfg.Size {
				t.Errorf("frame bytes %d < body size %d", res.FrameBytes, cfg.Size)
			}
		})
	}
	t.Run("baseline", func(t *testing.T) {
		bep := startBaseline(t)
		cfg := FanoutConfig{Participants: 20, Exercises: 2, Injects: 6, Size: 300, Rate: 50, Grace: 5 * time.Second, FramePad: 900}
		res, err := RunBaselineFanout(ctx, bep, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		checkFanout(t, res, cfg)
		if res.Expected != 20*6 {
			t.Errorf("baseline expected %d deliveries, want %d (every client of a room gets every broadcast)", res.Expected, 20*6)
		}
		if res.FrameBytes != 900 {
			t.Errorf("baseline frame bytes %d, want the padded 900", res.FrameBytes)
		}
		if res.GoroutinesIdle < 40 {
			t.Errorf("baseline goroutines with 20 clients = %d, want at least 2 per client", res.GoroutinesIdle)
		}
	})
}

func checkFanout(t *testing.T, res *FanoutResult, cfg FanoutConfig) {
	t.Helper()
	if res.Expected == 0 {
		t.Fatalf("expected 0 deliveries: %s", res)
	}
	if res.Delivered != res.Expected || res.Misaddressed != 0 || res.Duplicates != 0 {
		t.Errorf("delivered %d of %d, misaddressed %d, duplicates %d; errors: %s",
			res.Delivered, res.Expected, res.Misaddressed, res.Duplicates, strings.Join(res.Errors, "; "))
	}
	if res.DialFailed != 0 || res.SendFailed != 0 || res.Disconnected != 0 {
		t.Errorf("dial failed %d, send failed %d, disconnected %d: %s", res.DialFailed, res.SendFailed, res.Disconnected,
			strings.Join(res.Errors, "; "))
	}
	if res.Broadcasts != cfg.Injects*cfg.Exercises {
		t.Errorf("broadcasts %d, want %d", res.Broadcasts, cfg.Injects*cfg.Exercises)
	}
	if res.Latency.N == 0 || res.Latency.P50 <= 0 || res.Latency.Max < res.Latency.P99 || res.Latency.P99 < res.Latency.P50 {
		t.Errorf("latency summary is not sane: %+v", res.Latency)
	}
	if res.LatencySend.N != int(res.Delivered) {
		t.Errorf("send-time samples %d, want %d", res.LatencySend.N, res.Delivered)
	}
}

// TestExpectedByPlan pins the address plans: with 3 teams and 6 injects,
// "all" reaches everyone 6 times, "rotate" each team twice and "mixed"
// each team 3 + 1 times.
func TestExpectedByPlan(t *testing.T) {
	teams := []string{"a", "b", "c"}
	for _, tc := range []struct {
		plan string
		want map[string]int
	}{
		{AddressAll, map[string]int{"a": 6, "b": 6, "c": 6}},
		{AddressRotate, map[string]int{"a": 2, "b": 2, "c": 2}},
		{AddressMixed, map[string]int{"a": 4, "b": 4, "c": 4}},
	} {
		got := map[string]int{}
		for i := range 6 {
			ts := teamsOf(tc.plan, i, teams)
			for _, team := range teams {
				if ts == nil || contains(ts, team) {
					got[team]++
				}
			}
		}
		for team, n := range tc.want {
			if got[team] != n {
				t.Errorf("%s: team %s gets %d injects, want %d", tc.plan, team, got[team], n)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
