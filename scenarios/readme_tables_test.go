package scenarios_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// tableDelimiter is the line under a Markdown table's header: |---|---|.
var tableDelimiter = regexp.MustCompile(`^\|(\s*:?-+:?\s*\|)+\s*$`)

// TestReadmeTablesAreWhole checks that every table of the format reference
// renders as a table: a run of "|" lines outside code blocks starts with a
// header and its delimiter line. A blank line inside a table cuts it in
// two, and the second half (the objectives' tasks and milestones rows once)
// then shows as a paragraph of pipes.
func TestReadmeTablesAreWhole(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	inCode := false
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if strings.HasPrefix(l, "```") {
			inCode = !inCode
			continue
		}
		if inCode || !strings.HasPrefix(lines[i], "|") {
			continue
		}
		if i > 0 && strings.HasPrefix(lines[i-1], "|") {
			continue // inside a table already checked
		}
		if i+1 >= len(lines) || !tableDelimiter.MatchString(strings.TrimSpace(lines[i+1])) {
			t.Errorf("README.md:%d: a table row with no header and |---| line above it (a blank line inside a table?): %.60s", i+1, lines[i])
		}
	}
}
