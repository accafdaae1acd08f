package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ttxsim/ttx/server/store"
	"golang.org/x/crypto/bcrypt"
)

func TestCmdUser(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ttx.db")
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte("from a file 1234\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(stdin string, terminal bool, args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := runUser(args, userIO{stdin: strings.NewReader(stdin), stdinIsTerminal: terminal,
			env: []string{"TTX_DB=" + db}, stdout: &out, stderr: &errOut})
		return code, out.String(), errOut.String()
	}
	check := func(name, pw string, mustChange bool) {
		t.Helper()
		st, err := store.Open(context.Background(), db, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		a, err := st.AccountByName(context.Background(), name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if bcrypt.CompareHashAndPassword([]byte(a.PasswordHash), []byte(pw)) != nil || a.MustChange != mustChange {
			t.Fatalf("%s: password or must-change flag wrong (%v)", name, a.MustChange)
		}
	}

	if code, out, _ := run("piped secret 123\n", false, "add", "bob"); code != 0 || !strings.Contains(out, `created facilitator account "bob"`) {
		t.Fatalf("add from stdin: %d %s", code, out)
	}
	check("bob", "piped secret 123", false)

	code, out, _ := run("", true, "add", "carol")
	if code != 0 {
		t.Fatalf("add on a terminal: %d", code)
	}
	fields := strings.Fields(out[strings.Index(out, "first login):"):])
	check("carol", fields[2], true)

	if code, _, _ := run("", true, "passwd", "bob", "-password-file", pwFile); code != 0 {
		t.Fatalf("passwd from file: %d", code)
	}
	check("bob", "from a file 1234", false)

	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		code  int
		err   string
	}{
		{"duplicate", "another secret 1\n", []string{"add", "BOB"}, 1, "already exists"},
		{"short password", "short\n", []string{"add", "dave"}, 2, "at least 12"},
		{"bad name", "", []string{"add", "bad name!"}, 2, "NAME must be"},
		{"no name", "", []string{"add"}, 2, "NAME is required"},
		{"unknown account", "some secret 1234\n", []string{"passwd", "zed"}, 1, "no account"},
		{"unknown subcommand", "", []string{"remove", "bob"}, 2, "unknown subcommand"},
		{"no subcommand", "", nil, 2, "Usage"},
	} {
		code, _, errOut := run(tc.stdin, false, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.err) {
			t.Errorf("%s: exit %d, stderr %q", tc.name, code, errOut)
		}
	}
	code, out, _ = run("", false, "list")
	if code != 0 || out != "bob\ncarol  (must change password)\n" {
		t.Fatalf("list: %d %q", code, out)
	}
}
