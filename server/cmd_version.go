package main

import (
	"fmt"
	"io"
)

// Set with -ldflags "-X main.version=... -X main.commit=...".
var (
	version = "dev"
	commit  = "none"
)

func cmdVersion(_ []string, stdout, _ io.Writer) int {
	fmt.Fprintf(stdout, "ttx %s (%s)\n", version, commit)
	return 0
}
