package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/ttxsim/ttx/server/scenario"
)

const validateUsage = `Usage: ttx validate [-q] FILE...
Checks scenario files: format, references, expressions and reachability.
Exit status: 0 all clean, 1 problems found, 2 usage error.
`

// cmdValidate checks scenario files and prints every problem as
// file:line:col: message, the form editors turn into links.
func cmdValidate(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("validate", validateUsage, stderr)
	quiet := fs.Bool("q", false, "print only problems, not the OK line for clean files")
	files, code := parseArgs(fs, args, 1, -1, "FILE")
	if code >= 0 {
		return code
	}
	status := 0
	for _, path := range files {
		sc, err := scenario.Load(path)
		if err != nil {
			status = 1
			var list scenario.ErrorList
			if errors.As(err, &list) {
				for _, e := range list {
					fmt.Fprintln(stdout, e.Error())
				}
				fmt.Fprintf(stderr, "%s: %d problem(s)\n", path, len(list))
			} else {
				fmt.Fprintf(stdout, "%s: %v\n", path, err)
			}
			continue
		}
		if !*quiet {
			decisions, injects := 0, 0
			for _, s := range sc.States {
				decisions += len(s.Decisions)
				injects += len(s.Injects)
			}
			fmt.Fprintf(stdout, "%s: OK (%q: %d teams, %d states, %d injects, %d decisions)\n",
				path, sc.ID, len(sc.Teams), len(sc.States), injects, decisions)
		}
	}
	return status
}
