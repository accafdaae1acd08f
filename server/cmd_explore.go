package main

import (
	"fmt"
	"io"
)

// cmdExplore is being built; see docs/architecture.md.
func cmdExplore(_ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "ttx explore: not available in this build yet")
	return 2
}
