package ttxtest

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// The key of a build changes with every file the command is made of (its
// Go files, those of the module's packages it imports, embedded files,
// go.mod) and with nothing else.
func TestTreeHashFollowsTheSources(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":        "module example.com/m\n\ngo 1.22\n",
		"main.go":       "package main\n\nimport (\n\t_ \"embed\"\n\n\t\"example.com/m/lib\"\n)\n\n//go:embed page.html\nvar page string\n\nfunc main() { println(lib.X, page) }\n",
		"page.html":     "<p>hello</p>\n",
		"lib/lib.go":    "package lib\n\nconst X = 1\n",
		"lib/x_test.go": "package lib\n",
		"README.md":     "not part of the binary\n",
		"other/o.go":    "package other\n",
	}
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range files {
		write(name, content)
	}
	hash := func() string {
		t.Helper()
		h, err := treeHash(t.Context(), dir, "example.com/m")
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	base := hash()
	if again := hash(); again != base {
		t.Fatalf("same tree, two hashes: %s, %s", base, again)
	}
	for _, tc := range []struct {
		file    string
		changes bool
	}{
		{"main.go", true},
		{"lib/lib.go", true},
		{"page.html", true},
		{"go.mod", true},
		{"lib/x_test.go", false},
		{"README.md", false},
		{"other/o.go", false},
	} {
		write(tc.file, files[tc.file]+"\n// edited\n")
		if got := hash(); (got != base) != tc.changes {
			t.Errorf("editing %s: hash changed = %v, want %v", tc.file, got != base, tc.changes)
		}
		write(tc.file, files[tc.file])
	}
}

// Callers at the same time get one build: the same file, built once.
func TestBinaryIsSharedPerTree(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the ttx binary; skipped with -short")
	}
	const callers = 3
	var wg sync.WaitGroup
	bins := make([]string, callers)
	errs := make([]error, callers)
	for i := range callers {
		wg.Go(func() { bins[i], errs[i] = Binary(t.Context()) })
	}
	wg.Wait()
	for i := range callers {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if bins[i] != bins[0] {
			t.Fatalf("callers got different binaries: %q", bins)
		}
	}
	st, err := os.Stat(bins[0])
	if err != nil || st.Size() == 0 || st.Mode()&0o100 == 0 {
		t.Fatalf("binary %s: %v, %v", bins[0], st, err)
	}
	again, err := Binary(t.Context())
	if err != nil || again != bins[0] {
		t.Fatalf("a later call: %q, %v; want %q", again, err, bins[0])
	}
	st2, err := os.Stat(again)
	if err != nil || !st2.ModTime().Equal(st.ModTime()) {
		t.Fatalf("the binary was rebuilt: %v then %v (%v)", st.ModTime(), st2.ModTime(), err)
	}
}
