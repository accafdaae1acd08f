package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

// Stamped at build time and never written by the program:
//
//	go build -ldflags "-X main.version=1.2.0 -X main.commit=$(git rev-parse HEAD) -X main.date=$(date -u +%Y-%m-%dT%H:%M:%SZ)" ./server
var (
	version = "dev"
	commit  = "none"
	date    = ""
)

// buildInfo names the exact build: what was stamped, else what the Go
// toolchain recorded from the work tree (vcs.revision, vcs.time).
type buildInfo struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	Modified  bool   `json:"modified,omitempty"` // built from a work tree with uncommitted changes
	Date      string `json:"date,omitempty"`
	GoVersion string `json:"go_version"`
	Platform  string `json:"platform"`
}

// currentBuild reads the stamped variables, filling gaps from the
// toolchain's build settings.
func currentBuild() buildInfo {
	var settings []debug.BuildSetting
	if bi, ok := debug.ReadBuildInfo(); ok {
		settings = bi.Settings
	}
	return makeBuildInfo(version, commit, date, runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH, settings)
}

func makeBuildInfo(ver, com, dat, goVersion, platform string, settings []debug.BuildSetting) buildInfo {
	b := buildInfo{Version: ver, Commit: com, Date: dat, GoVersion: goVersion, Platform: platform}
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			if b.Commit == "" || b.Commit == "none" {
				b.Commit = s.Value
			}
		case "vcs.time":
			if b.Date == "" {
				b.Date = s.Value
			}
		case "vcs.modified":
			b.Modified = s.Value == "true" && com == "none"
		}
	}
	return b
}

func (b buildInfo) String() string {
	var s strings.Builder
	fmt.Fprintf(&s, "ttx %s\n", b.Version)
	c := b.Commit
	if b.Modified {
		c += " (modified)"
	}
	fmt.Fprintf(&s, "  commit:  %s\n", c)
	if b.Date != "" {
		fmt.Fprintf(&s, "  built:   %s\n", b.Date)
	}
	fmt.Fprintf(&s, "  go:      %s %s\n", b.GoVersion, b.Platform)
	return s.String()
}

const versionUsage = `Usage: ttx version [-json]

Prints the version, commit, build date and Go version of this binary.
`

func cmdVersion(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("version", versionUsage, stderr)
	asJSON := fs.Bool("json", false, "print the build information as a JSON object")
	if _, code := parseArgs(fs, args, 0, 0, ""); code >= 0 {
		return code
	}
	b := currentBuild()
	if *asJSON {
		enc := json.NewEncoder(stdout)
		if err := enc.Encode(b); err != nil {
			fmt.Fprintf(stderr, "ttx version: %v\n", err)
			return 1
		}
		return 0
	}
	fmt.Fprint(stdout, b.String())
	return 0
}
