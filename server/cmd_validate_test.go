package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestCmdValidate(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		code    int
		stdout  []string // substrings expected in stdout
		nostdut bool     // stdout must be empty
	}{
		{"clean file", []string{"../scenarios/example.yaml"}, 0,
			[]string{`../scenarios/example.yaml: OK ("example-hijacked-account": 2 teams, 5 states, 8 injects, 3 decisions)`}, false},
		{"quiet clean file", []string{"-q", "../scenarios/example.yaml"}, 0, nil, true},
		{"broken file", []string{"-q", "../scenarios/example.yaml", "scenario/testdata/invalid/unknown_variable.yaml"}, 1,
			[]string{"scenario/testdata/invalid/unknown_variable.yaml:29:15: unknown variable 'reputaton' — did you mean 'reputation'?\n"}, false},
		{"missing file", []string{"nope.yaml"}, 1, []string{"nope.yaml: scenario: open: "}, false},
		{"no files", nil, 2, nil, true},
		{"bad flag", []string{"-x", "a.yaml"}, 2, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := cmdValidate(c.args, &out, &errOut); code != c.code {
				t.Fatalf("exit %d, want %d; stdout %q stderr %q", code, c.code, out.String(), errOut.String())
			}
			for _, s := range c.stdout {
				if !strings.Contains(out.String(), s) {
					t.Errorf("stdout %q lacks %q", out.String(), s)
				}
			}
			if c.nostdut && out.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", out.String())
			}
		})
	}
}
