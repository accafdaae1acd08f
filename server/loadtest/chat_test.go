package loadtest

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestChatEndToEnd runs the chat workload small: three exercises, a team
// of five each, a line per member every 200 ms for a second. Every copy of
// every acknowledged line must reach every member of the sender's team,
// and no line another team's.
func TestChatEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ep, cred := startTTX(t)
	res, err := RunChat(ctx, ep, cred, ChatConfig{Exercises: 3, TeamSize: 5, Interval: 200 * time.Millisecond, Window: time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent == 0 || res.Acked != res.Sent || res.Refused != 0 {
		t.Fatalf("sent %d, acked %d, refused %d: %s", res.Sent, res.Acked, res.Refused, strings.Join(res.Errors, "; "))
	}
	if res.Expected != res.Acked*5 || res.Delivered != res.Expected || res.Lost != 0 {
		t.Errorf("expected %d (acked %d × 5), delivered %d, lost %d", res.Expected, res.Acked, res.Delivered, res.Lost)
	}
	if res.Foreign != 0 || res.Duplicates != 0 || res.Disconnected != 0 || res.DialFailed != 0 || len(res.Errors) != 0 {
		t.Errorf("foreign %d, duplicates %d, disconnected %d, dial failed %d, errors %v", res.Foreign, res.Duplicates, res.Disconnected, res.DialFailed, res.Errors)
	}
	if res.Latency.N != int(res.Delivered) || res.Latency.P99 <= 0 || res.Latency.Max < res.Latency.P50 {
		t.Errorf("latency summary is not sane: %+v", res.Latency)
	}
}

func TestChatConfigValidation(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  ChatConfig
		ok   bool
	}{
		{"defaults", ChatConfig{}, true},
		{"too many", ChatConfig{Exercises: 1000, TeamSize: 25}, false},
		{"too fast", ChatConfig{Interval: 50 * time.Millisecond}, false},
		{"too long a line", ChatConfig{Size: 4001}, false},
	} {
		if err := c.cfg.Validate(); (err == nil) != c.ok {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}
