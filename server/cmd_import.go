package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ttxsim/ttx/server/config"
	"github.com/ttxsim/ttx/server/engine"
)

const importUsage = `Usage: ttx import [-db FILE] FILE

Loads an archive written by 'ttx export' as a new exercise, in one
transaction (creating the database if needed). It is checked first: the
scenario source must match its sha256 and still load, the log must run
1, 2, 3... and replay against the scenario to the same events and status.
Files over 64 MiB are refused. The exercise keeps its id; if that id (or one
of its participants) is already in the database the import is refused.
An ended exercise stays ended (read-only but for debrief notes); a running
one is imported paused where its log ends, to be resumed by the facilitator.
Participants rejoin (tokens are not exported). FILE '-' reads standard input.

Flags:
`

func cmdImport(args []string, stdout, stderr io.Writer) int {
	return runImport(args, os.Environ(), os.Stdin, time.Now, stdout, stderr)
}

func runImport(args, env []string, stdin io.Reader, now func() time.Time, stdout, stderr io.Writer) int {
	fs := newFlags("import", importUsage, stderr)
	db := fs.String("db", defaultDB(env), "SQLite database `file` or postgres:// URL (env "+config.EnvDB+")")
	pos, code := parseArgs(fs, args, 1, 1, "FILE")
	if code >= 0 {
		return code
	}
	in := stdin
	if name := pos[0]; name != "-" {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(stderr, "ttx import: %v\n", err)
			return 1
		}
		defer f.Close()
		in = f
	}
	a, err := engine.DecodeArchive(in)
	if err != nil {
		fmt.Fprintf(stderr, "ttx import: %s: %v\n", pos[0], err)
		return 1
	}
	ctx := context.Background()
	st, err := openDatabase(ctx, *db, dbOptions{readers: 2})
	if err != nil {
		fmt.Fprintf(stderr, "ttx import: %v\n", err)
		return 1
	}
	defer st.Close()
	res, err := engine.Import(ctx, st, a, now())
	if err != nil {
		fmt.Fprintf(stderr, "ttx import: %s: %v\n", pos[0], err)
		return 1
	}
	note := ""
	if res.Paused {
		note = " (it was running: imported paused)"
	}
	fmt.Fprintf(stdout, "imported exercise %s %q into %s: %s%s, %d events\n",
		res.Exercise.ID, res.Exercise.Title, shownDB(*db), res.Exercise.Status, note, res.Events)
	return 0
}
