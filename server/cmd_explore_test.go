package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateExplore = flag.Bool("update", false, "rewrite testdata/explore/*.txt from the current explore output")

// TestCmdExploreGolden holds the text reports to goldens: a search stopped
// early (what it says first, what the coverage search reached), the
// facilitator's findings, and a complete report with variable ranges and
// vote ties.
func TestCmdExploreGolden(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
	}{
		{"long-incomplete", []string{"--max-paths", "300", "sim/testdata/long.yaml"}, 1},
		{"unreachable-incomplete", []string{"--max-paths", "1", "--cover-branches", "200", "sim/testdata/unreachable.yaml"}, 1},
		{"facreach-facilitator", []string{"--facilitator", "sim/testdata/facreach.yaml"}, 1},
		{"decisions", []string{"sim/testdata/decisions.yaml"}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runCmd(append([]string{"explore"}, c.args...)...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, c.code, out, errs)
			}
			file := filepath.Join("testdata", "explore", c.name+".txt")
			if *updateExplore {
				if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("read golden (run with -update to create it): %v", err)
			}
			if out != string(want) {
				t.Errorf("explore output differs from %s (run with -update after checking the change):\n%s", file, out)
			}
			if strings.Contains(c.name, "incomplete") && !strings.HasPrefix(strings.SplitN(out, "\n", 3)[1], "INCOMPLETE: ") {
				t.Errorf("an incomplete search does not say so first:\n%s", out)
			}
		})
	}
}
