package sim

import "testing"

// Every version up to the current one says what it changed, so that a
// refused log can be explained.
func TestSemanticsVersionsDescribed(t *testing.T) {
	for v := 1; v <= SemanticsVersion; v++ {
		if SemanticsChange(v) == "" {
			t.Errorf("semantics version %d has no description", v)
		}
	}
	if SemanticsChange(SemanticsVersion+1) != "" {
		t.Errorf("a version after the current one is described")
	}
	tests := []struct {
		from int
		want int
	}{{0, SemanticsVersion - 1}, {1, SemanticsVersion - 1}, {SemanticsVersion, 0}, {SemanticsVersion + 3, 0}}
	for _, tc := range tests {
		if got := SemanticsSince(tc.from); len(got) != tc.want {
			t.Errorf("SemanticsSince(%d) = %q, want %d lines", tc.from, got, tc.want)
		}
	}
}
