package main

import (
	"bytes"
	"encoding/json"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestMakeBuildInfo(t *testing.T) {
	vcs := []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-01-02T03:04:05Z"}, {Key: "vcs.modified", Value: "true"}}
	tests := []struct {
		name                 string
		ver, com, dat        string
		settings             []debug.BuildSetting
		wantCommit, wantDate string
		wantModified         bool
	}{
		{"stamped wins", "1.0.0", "deadbeef", "2026-05-05T00:00:00Z", vcs, "deadbeef", "2026-05-05T00:00:00Z", false},
		{"unstamped falls back to vcs", "dev", "none", "", vcs, "abc123", "2026-01-02T03:04:05Z", true},
		{"nothing known", "dev", "none", "", nil, "none", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := makeBuildInfo(tc.ver, tc.com, tc.dat, "go1.26.8", "linux/amd64", tc.settings)
			if b.Commit != tc.wantCommit || b.Date != tc.wantDate || b.Modified != tc.wantModified || b.Version != tc.ver {
				t.Fatalf("got %+v", b)
			}
			s := b.String()
			for _, want := range []string{"ttx " + tc.ver, "commit:  " + tc.wantCommit, "go1.26.8 linux/amd64"} {
				if !strings.Contains(s, want) {
					t.Errorf("text %q lacks %q", s, want)
				}
			}
			if (tc.wantDate != "") != strings.Contains(s, "built:") {
				t.Errorf("text %q: build date line present iff known", s)
			}
		})
	}
}

func TestCmdVersion(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"version", "-json"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var b buildInfo
	dec := json.NewDecoder(&out)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		t.Fatalf("-json output %q: %v", out.String(), err)
	}
	if b.Version != version || b.GoVersion != runtime.Version() || b.Platform != runtime.GOOS+"/"+runtime.GOARCH {
		t.Fatalf("got %+v", b)
	}

	out.Reset()
	if code := run([]string{"version"}, &out, &errOut); code != 0 || !strings.HasPrefix(out.String(), "ttx "+version+"\n") {
		t.Fatalf("exit %d, text %q", code, out.String())
	}
	if code := run([]string{"version", "extra"}, &out, &errOut); code != 2 {
		t.Fatalf("stray argument: exit %d, want 2", code)
	}
}
