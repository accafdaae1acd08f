package main

import (
	"fmt"
	"io"
)

// cmdValidate is being built; see docs/architecture.md.
func cmdValidate(_ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "ttx validate: not available in this build yet")
	return 2
}
