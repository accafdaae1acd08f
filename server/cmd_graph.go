package main

import (
	"fmt"
	"io"
)

// cmdGraph is being built; see docs/architecture.md.
func cmdGraph(_ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "ttx graph: not available in this build yet")
	return 2
}
