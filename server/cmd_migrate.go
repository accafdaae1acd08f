package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/ttxsim/ttx/server/store"
	"github.com/ttxsim/ttx/server/store/postgres"
)

const migrateUsage = `Usage: ttx migrate -from FILE -to postgres://USER:PASSWORD@HOST:5432/DB [-force]

Copies a SQLite database (every account, session, uploaded scenario, saved
inject, exercise, participant, observer and the whole event log, with ids,
token hashes and sequence numbers as they are) into a PostgreSQL database,
in one transaction, then checks that both hold the same number of rows and
that every exercise's log ends at the same seq. Participants, observers and
facilitators keep their links and sessions.

Stop the server first: the copy refuses a SQLite file a server is serving,
and a PostgreSQL database a server is serving. The target must be empty
(a new database; ttx creates the tables) unless -force, which replaces what
it holds.

`

func cmdMigrate(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("migrate", migrateUsage, stderr)
	from := fs.String("from", "", "the SQLite database `file` to copy")
	to := fs.String("to", "", "the PostgreSQL database `URL` to copy into")
	force := fs.Bool("force", false, "replace what the target database holds")
	if _, code := parseArgs(fs, args, 0, 0, ""); code >= 0 {
		return code
	}
	switch {
	case *from == "" || *to == "":
		fmt.Fprint(stderr, "ttx migrate: -from and -to are required\n\n")
		fs.Usage()
		return 2
	case postgres.IsURL(*from):
		fmt.Fprintln(stderr, "ttx migrate: -from is a SQLite file; copying from PostgreSQL is pg_dump's work")
		return 2
	case !postgres.IsURL(*to):
		fmt.Fprintf(stderr, "ttx migrate: -to must be a postgres:// URL, not %q\n", shownDB(*to))
		return 2
	}
	// Opening creates a missing file; a mistyped path must not copy an
	// empty database.
	if _, err := os.Stat(*from); err != nil {
		fmt.Fprintf(stderr, "ttx migrate: database %s: %v\n", *from, errors.Unwrap(err))
		return 1
	}
	sum, err := migrate(context.Background(), *from, *to, *force)
	if errors.Is(err, postgres.ErrNotEmpty) {
		fmt.Fprintf(stderr, "ttx migrate: %s: %v; give a new database, or -force to replace its contents\n", shownDB(*to), err)
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "ttx migrate: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "copied %s into %s: %s; every count and every exercise's last seq match\n",
		*from, shownDB(*to), sum)
	return 0
}

// migrate copies the SQLite database at from into the PostgreSQL one at
// to and verifies the copy. It owns both while it runs, so no server
// writes to either meanwhile. It returns a summary of what it copied.
func migrate(ctx context.Context, from, to string, force bool) (string, error) {
	src, err := store.Open(ctx, from, store.Options{Own: true, Readers: 2})
	if err != nil {
		return "", err
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, to, postgres.Options{Own: true})
	if err != nil {
		return "", err
	}
	defer dst.Close()
	// Nothing writes to the source while migrate owns it: counted before
	// or after the copy, it is the same.
	want, err := src.Census(ctx)
	if err != nil {
		return "", err
	}
	var got store.Census
	if err := dst.Load(ctx, force, func(sink store.Sink) error { return src.CopyOut(ctx, sink) },
		func(c store.Census) error {
			got = c
			if err := sameCensus(want, c); err != nil {
				return fmt.Errorf("the copy does not match its source, nothing was kept: %w", err)
			}
			return nil
		}); err != nil {
		return "", err
	}
	var parts []string
	for _, table := range store.CensusTables() {
		parts = append(parts, fmt.Sprintf("%d %s", got.Rows[table], strings.ReplaceAll(table, "_", " ")))
	}
	return strings.Join(parts, ", "), nil
}

// sameCensus says how two censuses differ, or nil.
func sameCensus(want, got store.Census) error {
	var diffs []string
	for _, table := range store.CensusTables() {
		if want.Rows[table] != got.Rows[table] {
			diffs = append(diffs, fmt.Sprintf("%s: %d rows, source %d", table, got.Rows[table], want.Rows[table]))
		}
	}
	ids := slices.Sorted(maps.Keys(want.LastSeq))
	for id := range got.LastSeq {
		if _, ok := want.LastSeq[id]; !ok {
			ids = append(ids, id)
		}
	}
	for _, id := range ids {
		if want.LastSeq[id] != got.LastSeq[id] {
			diffs = append(diffs, fmt.Sprintf("exercise %s: log ends at seq %d, source %d", id, got.LastSeq[id], want.LastSeq[id]))
		}
	}
	if len(diffs) > 0 {
		return errors.New(strings.Join(diffs, "; "))
	}
	return nil
}
