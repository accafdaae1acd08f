package main

import (
	"fmt"
	"io"
)

// cmdPlay is being built; see docs/architecture.md.
func cmdPlay(_ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "ttx play: not available in this build yet")
	return 2
}
