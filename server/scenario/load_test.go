package scenario

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/invalid/*.golden from the current output")

// TestInvalid checks every broken scenario against the exact messages and
// positions in its .golden file.
func TestInvalid(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 30 {
		t.Fatalf("only %d invalid scenarios; the corpus must hold at least 30", len(files))
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(strings.TrimSuffix(name, ".yaml"), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			sc, err := Parse(name, src)
			if err == nil {
				t.Fatalf("accepted: %+v", sc)
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error is %T, want ErrorList: %v", err, err)
			}
			for _, e := range list {
				if e.Line < 1 || e.Col < 1 || e.File != name {
					t.Errorf("unpositioned error: %+v", e)
				}
			}
			got := err.Error() + "\n"
			golden := strings.TrimSuffix(path, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("missing golden file (run go test -update): %v", err)
			}
			if got != string(want) {
				t.Errorf("messages differ\n got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestValid loads every file that must be accepted: testdata/valid and the
// scenarios shipped in scenarios/.
func TestValid(t *testing.T) {
	files, _ := filepath.Glob("testdata/valid/*.yaml")
	shipped, _ := filepath.Glob("../../scenarios/*.yaml")
	files = append(files, shipped...)
	if len(files) < 2 {
		t.Fatalf("found only %v", files)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			sc, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if sc.State(sc.Start) == nil || len(sc.Teams) == 0 {
				t.Fatalf("incomplete scenario: start %q, %d teams", sc.Start, len(sc.Teams))
			}
		})
	}
}

// TestHostile covers inputs too large or too deep to commit as files.
func TestHostile(t *testing.T) {
	const head = "id: h\ntitle: H\nteams: {a: {name: A}}\nvariables: {x: {type: number}}\nstart: s\nstates:\n  s:\n    transitions:\n      - to: e\n        when: "
	const tail = "\n  e: {outcome: done}\n"
	terms := make([]string, 50000)
	for i := range terms {
		terms[i] = "x"
	}
	cases := []struct {
		name string
		src  string
		want string
	}{
		{"1,000,000-deep flow nesting", strings.Repeat("[", 1000000),
			"deep.yaml:1:1: YAML syntax: exceeded max depth of 10000 — the file nests far deeper than any scenario needs"},
		{"400,000-deep block nesting", strings.Repeat("- ", 400000) + "x\n",
			"deep.yaml:1:1: YAML syntax: exceeded max depth of 10000 — the file nests far deeper than any scenario needs"},
		{"deep mappings", strings.Repeat("{a: ", 200000) + "x" + strings.Repeat("}", 200000),
			"deep.yaml:1:1: YAML syntax: exceeded max depth of 10000 — the file nests far deeper than any scenario needs"},
		{"50k-term expression", head + strings.Join(terms, " + ") + " > 0" + tail,
			"deep.yaml:10:15: expression is too long (200001 characters, at most 500) — split the logic into variables set by effects"},
		{"deep parentheses", head + "'" + strings.Repeat("(", 240) + "x" + strings.Repeat(")", 240) + " > 0'" + tail,
			""},
		{"deep unary", head + "'" + strings.Repeat("-", 240) + "x > 0'" + tail,
			"deep.yaml:10:16: expression is too complex (more than 200 parts) — split the logic into variables set by effects"},
		{"oversized file", "id: x\ntitle: " + strings.Repeat("a", MaxFileSize) + "\n",
			"deep.yaml:1:1: the file is larger than 1024 KiB — split it, or move long text out of it"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			_, err := Parse("deep.yaml", []byte(c.src))
			if c.want == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if got := err.Error(); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

// TestErrorLimit checks that a file full of mistakes stops at the limit
// instead of paying for every one of them.
func TestErrorLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("id: many\ntitle: Many\nteams: {a: {name: A}}\nstart: s\nstates:\n  s:\n    injects:\n")
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&b, "      - {id: i%d, channel: chat, from: nobody%d, body: x}\n", i, i)
	}
	b.WriteString("    transitions: [{to: e, after: 1m}]\n  e: {outcome: done}\n")
	_, err := Parse("many.yaml", []byte(b.String()))
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("got %v", err)
	}
	if len(list) != maxErrors+1 {
		t.Fatalf("got %d errors, want %d", len(list), maxErrors+1)
	}
	if last := list[len(list)-1]; last.Msg != "too many problems: checking stopped after 50" || last.Line != 57 {
		t.Errorf("last error = %v", last)
	}
	if first := list[0].Error(); first != "many.yaml:8:39: unknown persona 'nobody0' — declare it under 'personas:'" {
		t.Errorf("first error = %s", first)
	}
}
