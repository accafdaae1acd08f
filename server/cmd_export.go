package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ttxsim/ttx/server/config"
	"github.com/ttxsim/ttx/server/engine"
	"github.com/ttxsim/ttx/server/store/postgres"
)

const exportUsage = `Usage: ttx export [-db FILE] EXERCISE_ID [-o FILE] [-force]

Writes one exercise to a JSON archive: the exercise, the exact scenario source
it runs (with its sha256), its teams, its participants (names and teams only:
no tokens) and its whole event log. 'ttx import' loads it into another
database. Safe while the server runs: it only reads, and the log it takes
ends at a commit. The archive holds participant names and answers: keep it as
private as the database. Without -o it goes to standard output.

Flags:
`

func cmdExport(args []string, stdout, stderr io.Writer) int {
	return runExport(args, os.Environ(), time.Now, stdout, stderr)
}

func runExport(args, env []string, now func() time.Time, stdout, stderr io.Writer) int {
	fs := newFlags("export", exportUsage, stderr)
	db := fs.String("db", defaultDB(env), "SQLite database `file` or postgres:// URL (env "+config.EnvDB+")")
	out := fs.String("o", "", "write the archive to this `file` instead of standard output (created with mode 0600)")
	force := fs.Bool("force", false, "overwrite the -o file if it exists")
	pos, code := parseArgs(fs, args, 1, 1, "EXERCISE_ID")
	if code >= 0 {
		return code
	}
	id := pos[0]
	if *out != "" && *out != "-" && !*force {
		if _, err := os.Lstat(*out); err == nil {
			fmt.Fprintf(stderr, "ttx export: %s exists; use -force to overwrite it\n", *out)
			return 1
		}
	}
	// Opening creates a missing database; an export must not leave an
	// empty file behind a mistyped path.
	if _, err := os.Stat(*db); err != nil && !postgres.IsURL(*db) {
		fmt.Fprintf(stderr, "ttx export: database %s: %v\n", *db, errors.Unwrap(err))
		return 1
	}
	ctx := context.Background()
	st, err := openDatabase(ctx, *db, dbOptions{readers: 2})
	if err != nil {
		fmt.Fprintf(stderr, "ttx export: %v\n", err)
		return 1
	}
	defer st.Close()

	b := currentBuild()
	a, err := engine.Export(ctx, st, id, now(), "ttx "+b.Version+" ("+b.Commit+")")
	if errors.Is(err, engine.ErrNotFound) {
		fmt.Fprintf(stderr, "ttx export: no exercise %q in %s\n", id, shownDB(*db))
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "ttx export: %v\n", err)
		return 1
	}
	dest := "standard output"
	if *out == "" || *out == "-" {
		if err := engine.EncodeArchive(stdout, a); err != nil {
			fmt.Fprintf(stderr, "ttx export: %v\n", err)
			return 1
		}
	} else {
		dest = *out
		if err := writeFileAtomic(*out, func(w io.Writer) error { return engine.EncodeArchive(w, a) }); err != nil {
			fmt.Fprintf(stderr, "ttx export: %v\n", err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "exported exercise %s (%s, %d events, %d participants) to %s\n",
		id, a.Exercise.Status, len(a.Events), len(a.Participants), dest)
	return 0
}

// writeFileAtomic writes a private file through a temporary file in the
// same directory, renamed into place once complete, so a failed export
// never leaves a truncated archive under the requested name.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".ttx-export-*")
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := write(f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	ok = true
	return nil
}

// defaultDB is the database file a command uses without -db: TTX_DB from
// env, else the server's default.
func defaultDB(env []string) string {
	db := config.Default().DB
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, config.EnvDB+"="); ok && v != "" {
			db = v
		}
	}
	return db
}
