package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestLoadtestRefuses checks the refusals that happen before any load:
// non-loopback targets, missing credentials, bad modes and arguments.
func TestLoadtestRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  string
		want string
	}{
		{"remote target", []string{"--target", "http://10.1.2.3:8080"}, "", "not a loopback address"},
		{"named target", []string{"--target", "http://localhost:8080"}, "", "not a loopback address"},
		{"no password", []string{"--target", "http://127.0.0.1:8080"}, "", "needs the facilitator's password"},
		{"both", []string{"--target", "http://127.0.0.1:8080", "--spawn"}, "", "not both"},
		{"bad mode", []string{"--mode", "storm"}, "", "--mode must be fanout or ticking"},
		{"bad suite", []string{"--suite", "huge"}, "", "unknown suite"},
		{"extra args", []string{"now"}, "", "unexpected arguments"},
		{"baseline elsewhere", []string{"--serve-baseline", "0.0.0.0:0"}, "", "needs a loopback host:port"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("TTX_LOADTEST_PASSWORD", tc.env)
			var out, errb bytes.Buffer
			code := run(append([]string{"loadtest"}, tc.args...), &out, &errb)
			if code != 2 || !strings.Contains(errb.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errb.String(), tc.want)
			}
		})
	}
}
