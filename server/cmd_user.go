package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ttxsim/ttx/server/config"
	"github.com/ttxsim/ttx/server/password"
	"github.com/ttxsim/ttx/server/store"
)

// cmdUser manages facilitator accounts: add, passwd, list.
func cmdUser(args []string, stdout, stderr io.Writer) int {
	return runUser(args, userIO{stdin: os.Stdin, stdinIsTerminal: isTerminal(os.Stdin), env: os.Environ(), stdout: stdout, stderr: stderr})
}

// userIO is everything the user command reads and writes, so tests can
// drive it without a terminal.
type userIO struct {
	stdin           io.Reader
	stdinIsTerminal bool
	env             []string
	stdout, stderr  io.Writer
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

const userUsage = `Usage: ttx user add NAME [flags]      create a facilitator account
       ttx user passwd NAME [flags]   set a new password (ends the account's sessions)
       ttx user list [flags]          list accounts

The password is read from -password-file, or from the first line of standard
input when it is not a terminal. Otherwise a one-time password is generated,
printed once, and must be changed at first login. Passwords need 12 to 72 bytes.

Flags:
`

func runUser(args []string, uio userIO) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		out := uio.stderr
		if len(args) > 0 {
			out = uio.stdout
		}
		fmt.Fprint(out, userUsage)
		userFlags(&userOpts{}, uio, out).PrintDefaults()
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	sub, rest := args[0], args[1:]
	var name string
	if sub != "list" {
		if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
			fmt.Fprintf(uio.stderr, "ttx user %s: NAME is required\n", sub)
			return 2
		}
		name, rest = rest[0], rest[1:]
	}
	var o userOpts
	fs := userFlags(&o, uio, uio.stderr)
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(uio.stderr, "ttx user: unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		return 2
	}
	ctx := context.Background()
	st, err := openDatabase(ctx, o.db, dbOptions{})
	if err != nil {
		fmt.Fprintf(uio.stderr, "ttx user: %v\n", err)
		return 1
	}
	defer st.Close()

	switch sub {
	case "list":
		accs, err := st.Accounts(ctx)
		if err != nil {
			fmt.Fprintf(uio.stderr, "ttx user: %v\n", err)
			return 1
		}
		for _, a := range accs {
			note := ""
			if a.MustChange {
				note = "  (must change password)"
			}
			fmt.Fprintf(uio.stdout, "%s%s\n", a.Name, note)
		}
		return 0
	case "add", "passwd":
	default:
		fmt.Fprintf(uio.stderr, "ttx user: unknown subcommand %q\n\n%s", sub, userUsage)
		return 2
	}

	if sub == "add" && !validAccountName(name) {
		fmt.Fprintln(uio.stderr, "ttx user add: NAME must be 1 to 40 letters, digits, '.', '_' or '-'")
		return 2
	}
	pw, generated, err := readPassword(o.passwordFile, uio)
	if err != nil {
		fmt.Fprintf(uio.stderr, "ttx user %s: %v\n", sub, err)
		return 2
	}
	hash, err := password.Hash(pw, password.DefaultCost)
	if err != nil {
		fmt.Fprintf(uio.stderr, "ttx user %s: %v\n", sub, err)
		return 1
	}
	now := time.Now()
	switch sub {
	case "add":
		if _, err := st.CreateAccount(ctx, name, hash, generated, now); err != nil {
			if errors.Is(err, store.ErrDuplicate) {
				fmt.Fprintf(uio.stderr, "ttx user add: an account named %q already exists\n", name)
				return 1
			}
			fmt.Fprintf(uio.stderr, "ttx user add: %v\n", err)
			return 1
		}
		fmt.Fprintf(uio.stdout, "created facilitator account %q\n", name)
	case "passwd":
		acc, err := st.AccountByName(ctx, name)
		if errors.Is(err, store.ErrNotFound) {
			fmt.Fprintf(uio.stderr, "ttx user passwd: no account named %q\n", name)
			return 1
		}
		if err != nil {
			fmt.Fprintf(uio.stderr, "ttx user passwd: %v\n", err)
			return 1
		}
		if err := st.SetPassword(ctx, acc.ID, hash, generated, now); err != nil {
			fmt.Fprintf(uio.stderr, "ttx user passwd: %v\n", err)
			return 1
		}
		fmt.Fprintf(uio.stdout, "set a new password for %q; its sessions have ended\n", acc.Name)
	}
	if generated {
		fmt.Fprintf(uio.stdout, "one-time password (shown only now; change it at first login):\n\n    %s\n\n", pw)
	}
	return 0
}

type userOpts struct {
	db           string
	passwordFile string
}

func userFlags(o *userOpts, uio userIO, out io.Writer) *flag.FlagSet {
	def := config.Default().DB
	for _, kv := range uio.env {
		if v, ok := strings.CutPrefix(kv, config.EnvDB+"="); ok && v != "" {
			def = v
		}
	}
	fs := flag.NewFlagSet("ttx user", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&o.db, "db", def, "SQLite database `file` or postgres:// URL (env "+config.EnvDB+")")
	fs.StringVar(&o.passwordFile, "password-file", "", "read the password from the first line of this `file`")
	return fs
}

func validAccountName(name string) bool {
	if name == "" || len(name) > 40 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// readPassword takes the first line of the password file or of piped
// standard input; on a terminal (where typing would echo) it generates one.
func readPassword(file string, uio userIO) (pw string, generated bool, err error) {
	var r io.Reader
	switch {
	case file != "":
		f, err := os.Open(file)
		if err != nil {
			return "", false, fmt.Errorf("password file: %w", err)
		}
		defer f.Close()
		r = f
	case !uio.stdinIsTerminal && uio.stdin != nil:
		r = uio.stdin
	default:
		return password.Generate(), true, nil
	}
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, fmt.Errorf("read password: %w", err)
	}
	pw = strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", false, errors.New("the password is empty")
	}
	if err := password.Check(pw); err != nil {
		return "", false, err
	}
	return pw, false, nil
}
