package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/ttxsim/ttx/server/scenario"
)

// newFlags makes a subcommand's flag set: errors and -h go to stderr, and
// -h prints usage (the synopsis and description) before the flags.
func newFlags(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("ttx "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseArgs parses flags given before, between or after the positional
// arguments (ttx play FILE --choose ...; "--" ends the flags) and checks
// that there are between min and max positional arguments (max < 0: no
// limit), named what in the message. It returns them, and an exit code
// >= 0 when the command must stop: 0 after -h, 2 on a usage error (already
// reported on the flag set's output).
func parseArgs(fs *flag.FlagSet, args []string, min, max int, what string) ([]string, int) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, 0
			}
			return nil, 2
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			pos = append(pos, args[1:]...)
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if len(pos) >= min && (max < 0 || len(pos) <= max) {
		return pos, -1
	}
	out := fs.Output()
	switch {
	case max == 0:
		fmt.Fprintf(out, "%s: unexpected arguments: %s\n", fs.Name(), strings.Join(pos, " "))
		return nil, 2 // the synopsis would drown the one line that matters
	case min == max && min == 1:
		fmt.Fprintf(out, "%s: give exactly one %s\n", fs.Name(), what)
	case max < 0 && min == 1:
		fmt.Fprintf(out, "%s: give at least one %s\n", fs.Name(), what)
	case max < 0:
		fmt.Fprintf(out, "%s: give at least %d %s\n", fs.Name(), min, what)
	default:
		fmt.Fprintf(out, "%s: give %d to %d %s\n", fs.Name(), min, max, what)
	}
	fs.Usage()
	return nil, 2
}

// loadScenario reads a scenario, printing its problems the way validate does.
func loadScenario(path string, stderr io.Writer) (*scenario.Scenario, bool) {
	sc, err := scenario.Load(path)
	if err == nil {
		return sc, true
	}
	var list scenario.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			fmt.Fprintln(stderr, e.Error())
		}
		fmt.Fprintf(stderr, "%s: %d problem(s); run 'ttx validate %s'\n", path, len(list), path)
		return nil, false
	}
	fmt.Fprintf(stderr, "ttx: %v\n", err)
	return nil, false
}

// kvFlag is a repeatable NAME=VALUE flag.
type kvFlag struct {
	m    map[string]string
	keys []string
}

func (p *kvFlag) String() string {
	if p == nil {
		return ""
	}
	var out []string
	for _, k := range p.keys {
		out = append(out, k+"="+p.m[k])
	}
	return strings.Join(out, ",")
}

func (p *kvFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	k = strings.TrimSpace(k)
	if !ok || k == "" {
		return fmt.Errorf("want NAME=VALUE, got %q", s)
	}
	if p.m == nil {
		p.m = map[string]string{}
	}
	if _, dup := p.m[k]; dup {
		return fmt.Errorf("%s is given twice", k)
	}
	p.m[k] = strings.TrimSpace(v)
	p.keys = append(p.keys, k)
	return nil
}
