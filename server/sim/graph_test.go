package sim

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestGraphGolden(t *testing.T) {
	for _, name := range []string{"basic", "escape"} {
		sc := loadTD(t, name+".yaml")
		golden(t, name+".mmd", Mermaid(sc))
		golden(t, name+".dot", DOT(sc))
	}
}

func TestGraphEscaping(t *testing.T) {
	cases := []struct {
		in, mermaid, dot string
	}{
		{`plain text`, `plain text`, `plain text`},
		{`say "hi"`, `say #34;hi#34;`, `say \"hi\"`},
		{`a | b`, `a #124; b`, `a | b`},
		{`[x] {y}`, `#91;x#93; #123;y#125;`, `[x] {y}`},
		{`<b>&amp;`, `#60;b#62;#38;amp;`, `<b>&amp;`},
		{`#1 ` + "`code`", `#35;1 #96;code#96;`, `#1 ` + "`code`"},
		{`back\slash \N`, `back\slash \N`, `back\\slash \\N`},
		{"two\nlines", "two<br/>lines", `two\nlines`},
		{"tab\there", "tab here", "tab here"},
		{`über – “fancy”`, `über – “fancy”`, `über – “fancy”`},
	}
	for _, c := range cases {
		if got := mermaidText(c.in); got != c.mermaid {
			t.Errorf("mermaid(%q) = %q, want %q", c.in, got, c.mermaid)
		}
		if got := dotText(c.in); got != c.dot {
			t.Errorf("dot(%q) = %q, want %q", c.in, got, c.dot)
		}
	}
	trunc := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly ten", 11, "exactly ten"},
		{"a long label here", 10, "a long la…"},
		{"spaces   collapse\n here", 40, "spaces collapse here"},
		{"ééééééééééé", 5, "éééé…"},
	}
	for _, c := range trunc {
		if got := truncate(c.in, c.n); got != c.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
