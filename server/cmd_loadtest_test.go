package main

import (
	"bytes"
	"path/filepath"
	"slices"
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
		{"remote second node", []string{"--target", "http://127.0.0.1:8080,http://10.1.2.3:8080"}, "", "not a loopback address"},
		{"remote third node", []string{"--target", "http://127.0.0.1:8080", "--target", "http://127.0.0.1:8081", "--target", "http://10.1.2.3:8080"}, "", "not a loopback address"},
		{"empty node", []string{"--target", "http://127.0.0.1:8080,"}, "", "empty URL"},
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
		{"empty account", []string{"--target", "http://127.0.0.1:8080", "--user", "a,,b"}, "pw", "an empty account name"},
		{"account twice", []string{"--target", "http://127.0.0.1:8080", "--user", "a,b,a"}, "pw", `account "a" given twice`},
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

// TestTargetList checks that --target takes several nodes, repeated or
// comma-separated, the first being where exercises are made.
func TestTargetList(t *testing.T) {
	for _, tc := range []struct {
		name string
		sets []string
		want []string
	}{
		{"one", []string{"http://127.0.0.1:1"}, []string{"http://127.0.0.1:1"}},
		{"commas", []string{"http://127.0.0.1:1, http://127.0.0.1:2,http://127.0.0.1:3"}, []string{"http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:3"}},
		{"repeated", []string{"http://127.0.0.1:1", "http://127.0.0.1:2,http://127.0.0.1:3"}, []string{"http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var l targetList
			for _, s := range tc.sets {
				if err := l.Set(s); err != nil {
					t.Fatal(err)
				}
			}
			if got := l.all(); !slices.Equal(got, tc.want) || l.first != tc.want[0] {
				t.Errorf("got %v (first %q), want %v", got, l.first, tc.want)
			}
		})
	}
}
