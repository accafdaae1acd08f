// Package ttxtest builds the real ttx binary and watches a child process's
// output, for the tests that run ttx as users do: the smoke test, the
// crash test and the browser tests.
package ttxtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Package is the import path of the ttx command.
const Package = "github.com/ttxsim/ttx/server"

// Build compiles ttx into dir and returns the binary's path. It builds
// without cgo, like the shipped binary (and CI's build check, whose cache
// this reuses).
func Build(ctx context.Context, dir string) (string, error) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("ttxtest: the go tool is needed to build ttx: %w", err)
	}
	bin := filepath.Join(dir, "ttx")
	cmd := exec.CommandContext(ctx, gobin, "build", "-o", bin, Package)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("ttxtest: go build %s: %w\n%s", Package, err, out)
	}
	return bin, nil
}

// BuildTimeout bounds a build on a busy machine.
const BuildTimeout = 5 * time.Minute

// Output collects a child's output (use it as cmd.Stdout or cmd.Stderr)
// and lets a test wait for a line. The zero value is ready to use.
type Output struct {
	mu      sync.Mutex
	buf     strings.Builder
	changed chan struct{} // closed and replaced at every write
}

func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf.Write(p)
	if o.changed != nil {
		close(o.changed)
	}
	o.changed = make(chan struct{})
	return len(p), nil
}

// String is the output so far.
func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// ErrExited is returned by WaitFor when the process ended first.
var ErrExited = errors.New("ttxtest: the process exited")

// WaitFor returns the first match of re in the output so far or to come,
// waiting until timeout or until stop (the process's exit) is closed.
func (o *Output) WaitFor(re *regexp.Regexp, stop <-chan struct{}, timeout time.Duration) ([]string, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		o.mu.Lock()
		m := re.FindStringSubmatch(o.buf.String())
		if o.changed == nil {
			o.changed = make(chan struct{})
		}
		changed := o.changed
		o.mu.Unlock()
		if m != nil {
			return m, nil
		}
		select {
		case <-changed:
		case <-stop:
			return nil, ErrExited
		case <-deadline.C:
			return nil, fmt.Errorf("ttxtest: no %q within %v", re, timeout)
		}
	}
}
