package main

import (
	"bytes"
	"path/filepath"
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
		{"bad mode", []string{"--mode", "storm"}, "", "--mode must be fanout, ticking or chat"},
		{"bad suite", []string{"--suite", "huge"}, "", "unknown suite"},
		{"extra args", []string{"now"}, "", "unexpected arguments"},
		{"baseline elsewhere", []string{"--serve-baseline", "0.0.0.0:0"}, "", "needs a loopback host:port"},
		{"flood kind", []string{"--flood", "1", "--flood-kind", "note"}, "", "flood kind must be"},
		{"flood rate", []string{"--flood", "1", "--flood-rate", "-5"}, "", "flood rate must be"},
		{"flood count", []string{"--flood", "-1"}, "", "flood must be 0 to"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("TTX_LOADTEST_PASSWORD", tc.env)
			var out, errb bytes.Buffer
			// A case that passed validation would otherwise spawn this
			// test binary as ttx, which reruns the tests: spawn nothing.
			args := append([]string{"loadtest", "--exe", filepath.Join(t.TempDir(), "no-such-ttx")}, tc.args...)
			code := run(args, &out, &errb)
			if code != 2 || !strings.Contains(errb.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errb.String(), tc.want)
			}
		})
	}
}
