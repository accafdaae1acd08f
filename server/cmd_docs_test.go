package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ttxsim/ttx/server/scenario"
)

func TestCmdDocs(t *testing.T) {
	golden := func(name string) string {
		b, err := os.ReadFile(filepath.Join("documents", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout string // exact stdout, when set
		has    []string
		stderr string
	}{
		{"sitman md", []string{"sitman", "../scenarios/example.yaml"}, 0, golden("example-hijacked-account.sitman.md") + "\n", nil, ""},
		{"handbook html", []string{"handbook", "../scenarios/example.yaml", "-format", "html"}, 0, golden("example-hijacked-account.handbook.html"), nil, ""},
		{"msel", []string{"msel", "../scenarios/example.yaml"}, 0, golden("example-hijacked-account.msel.csv"), nil, ""},
		{"param", []string{"sitman", "-param", "company=Acme Bank", "../scenarios/example.yaml"}, 0, "", []string{"Attackers take over Acme Bank's social media account"}, ""},
		{"unknown param", []string{"sitman", "../scenarios/example.yaml", "-param", "nope=1"}, 2, "", nil, `unknown parameter "nope"`},
		{"unknown document", []string{"sitrep", "../scenarios/example.yaml"}, 2, "", nil, `unknown document "sitrep"`},
		{"unknown format", []string{"sitman", "../scenarios/example.yaml", "-format", "pdf"}, 2, "", nil, `unknown format "pdf"`},
		{"missing file", []string{"handbook", "nope.yaml"}, 1, "", nil, "nope.yaml"},
		{"no file", []string{"sitman"}, 2, "", nil, "give 2 to 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(append([]string{"docs"}, c.args...), &out, &errOut); code != c.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, c.code, errOut.String())
			}
			if c.stdout != "" && out.String() != c.stdout {
				t.Errorf("stdout differs from the golden file (%d bytes, want %d)", out.Len(), len(c.stdout))
			}
			for _, s := range c.has {
				if !strings.Contains(out.String(), s) {
					t.Errorf("stdout lacks %q", s)
				}
			}
			if c.stderr != "" && !strings.Contains(errOut.String(), c.stderr) {
				t.Errorf("stderr %q lacks %q", errOut.String(), c.stderr)
			}
		})
	}
}

// TestCmdMselImport: an exported events list comes back as a scenario
// that validates; a bad cell is reported at its row and column.
func TestCmdMselImport(t *testing.T) {
	dir := t.TempDir()
	var csv, errOut bytes.Buffer
	if code := run([]string{"docs", "msel", "../scenarios/outage-comms.yaml"}, &csv, &errOut); code != 0 {
		t.Fatalf("export: exit %d: %s", code, errOut.String())
	}
	good := filepath.Join(dir, "list.csv")
	if err := os.WriteFile(good, csv.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	var y bytes.Buffer
	if code := run([]string{"msel", "import", good}, &y, &errOut); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errOut.String())
	}
	if _, err := scenario.Parse("imported.yaml", y.Bytes()); err != nil {
		t.Fatalf("the skeleton does not validate: %v", err)
	}

	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("Time,Channel,Message\n5m,pigeon,Coo\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	errOut.Reset()
	if code := run([]string{"msel", "import", bad}, &out, &errOut); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if out.Len() != 0 || !strings.Contains(errOut.String(), `bad.csv: row 2, column 2 (Channel): unknown channel "pigeon"`) {
		t.Errorf("stdout %q stderr %q", out.String(), errOut.String())
	}
	errOut.Reset()
	if code := run([]string{"msel", "export", good}, &out, &errOut); code != 2 {
		t.Errorf("msel export: exit %d, want 2", code)
	}
}
