package main

import (
	"fmt"
	"io"
)

// cmdServe is being built; see docs/architecture.md.
func cmdServe(_ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "ttx serve: not available in this build yet")
	return 2
}
