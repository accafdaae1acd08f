package scenario

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// TestShippedTextUsesParameters checks that no shipped scenario writes a
// parameter's default value into its text instead of the {{parameter}}: a
// facilitator who renames the CEO would otherwise see the old name in some
// injects. A default made of several words is also looked for word by word
// when it looks like a name (every word capitalised: its words of four
// letters or more), because authors shorten names ("Marisol's assistant").
func TestShippedTextUsesParameters(t *testing.T) {
	files, _ := filepath.Glob("../../scenarios/*.yaml")
	if len(files) < 2 {
		t.Fatalf("found only %v", files)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			sc, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var root yaml.Node
			if err := yaml.Unmarshal(src, &root); err != nil {
				t.Fatal(err)
			}
			type needle struct {
				param, text string
				re          *regexp.Regexp
			}
			var needles []needle
			for _, p := range sc.Parameters {
				for _, w := range defaultNeedles(p.Default) {
					needles = append(needles, needle{p.ID, w, regexp.MustCompile(`(^|[^\pL\pN_])` + regexp.QuoteMeta(w) + `($|[^\pL\pN_])`)})
				}
			}
			for _, s := range textScalars(&root) {
				for _, n := range needles {
					if n.re.MatchString(s.Value) {
						t.Errorf("%s:%d: %q is the default of parameter %q: write {{%s}} instead", filepath.Base(path), s.Line, n.text, n.param, n.param)
					}
				}
			}
		})
	}
}

// defaultNeedles is what a default looks like when written out by hand: the
// whole value, and for a name of several words (each capitalised) each word
// of 4+ letters. "the Data Protection Authority" is not a name: its words
// are ordinary text elsewhere.
func defaultNeedles(def string) []string {
	def = strings.TrimSpace(def)
	if def == "" {
		return nil
	}
	out := []string{def}
	words := strings.Fields(def)
	if len(words) < 2 {
		return out
	}
	var parts []string
	for _, w := range words {
		w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		r := []rune(w)
		if len(r) == 0 || !unicode.IsUpper(r[0]) {
			return out
		}
		if len(r) >= 4 {
			parts = append(parts, w)
		}
	}
	return append(out, parts...)
}

// textScalars lists every scalar value of the file except keys and the
// top-level parameters section, where defaults are defined.
func textScalars(root *yaml.Node) []*yaml.Node {
	var out []*yaml.Node
	var walk func(n *yaml.Node, top bool)
	walk = func(n *yaml.Node, top bool) {
		switch n.Kind {
		case yaml.DocumentNode, yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, n.Kind == yaml.DocumentNode)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if top && n.Content[i].Value == "parameters" {
					continue
				}
				walk(n.Content[i+1], false)
			}
		case yaml.ScalarNode:
			out = append(out, n)
		}
	}
	walk(root, false)
	return out
}

func TestDefaultNeedles(t *testing.T) {
	for _, c := range []struct {
		def  string
		want []string
	}{
		{"", nil},
		{"Brightloop", []string{"Brightloop"}},
		{"Marisol Ferreira", []string{"Marisol Ferreira", "Marisol", "Ferreira"}},
		{"600 million", []string{"600 million"}},
		{"Tallbird Creative", []string{"Tallbird Creative", "Tallbird", "Creative"}},
		{"Keystone ID", []string{"Keystone ID", "Keystone"}},
		{"the Data Protection Authority", []string{"the Data Protection Authority"}},
	} {
		got := defaultNeedles(c.def)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("defaultNeedles(%q) = %q, want %q", c.def, got, c.want)
		}
	}
}
