// Package ttxtest builds the real ttx binary and watches a child process's
// output, for the tests that run ttx as users do: the smoke test, the
// crash test and the browser tests.
package ttxtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/ttxsim/ttx/server/lockfile"
)

// Package is the import path of the ttx command.
const Package = "github.com/ttxsim/ttx/server"

// Build compiles ttx into dir and returns the binary's path. It builds
// without cgo, like the shipped binary (and CI's build check, whose cache
// this reuses). Tests use Binary, which builds once per source tree.
func Build(ctx context.Context, dir string) (string, error) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("ttxtest: the go tool is needed to build ttx: %w", err)
	}
	bin := filepath.Join(dir, "ttx")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	cmd := exec.CommandContext(ctx, gobin, "build", "-o", bin, Package)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("ttxtest: go build %s: %w\n%s", Package, err, out)
	}
	return bin, nil
}

// Binary returns a ttx binary built from the source tree as it is now,
// building it only if no test built this tree before. Builds live in a
// cache directory (the user's cache, else the temporary directory) under
// a hash of every file the binary is made of; a lock file beside them
// makes the test packages that run at the same time wait for one build
// instead of each starting its own. There is no time cap of its own: on a
// busy machine a build takes what it takes, within the test run's
// -timeout (ctx may bound it further). Entries unused for a week are
// removed.
func Binary(ctx context.Context) (string, error) {
	key, err := treeHash(ctx, "", Package)
	if err != nil {
		return "", err
	}
	root, err := cacheRoot()
	if err != nil {
		return "", err
	}
	lock, err := lockfile.Lock(filepath.Join(root, "build.lock"))
	if err != nil {
		return "", fmt.Errorf("ttxtest: %w", err)
	}
	defer lock.Unlock() //nolint:errcheck // released on exit anyway

	dir := filepath.Join(root, key)
	bin := filepath.Join(dir, "ttx")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	now := time.Now()
	if st, err := os.Stat(bin); err == nil && st.Mode().IsRegular() {
		_ = os.Chtimes(dir, now, now) // in use: not pruned
		return bin, nil
	}
	// Build into a fresh directory and move it into place whole, so a
	// build killed halfway never leaves a binary that looks finished.
	tmp, err := os.MkdirTemp(root, "building-")
	if err != nil {
		return "", fmt.Errorf("ttxtest: %w", err)
	}
	defer os.RemoveAll(tmp)
	if _, err := Build(ctx, tmp); err != nil {
		return "", err
	}
	_ = os.RemoveAll(dir) // a partial leftover from an older layout
	if err := os.Rename(tmp, dir); err != nil {
		return "", fmt.Errorf("ttxtest: %w", err)
	}
	prune(root, key, now)
	return bin, nil
}

// cacheRoot is the directory that holds the builds.
func cacheRoot() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	root := filepath.Join(base, "ttx-test-binaries")
	if err := os.MkdirAll(root, 0o700); err != nil {
		return "", fmt.Errorf("ttxtest: cache: %w", err)
	}
	return root, nil
}

// prune removes builds of other trees not used for a week, and what a
// killed build left. The lock is held.
func prune(root, keep string, now time.Time) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || e.Name() == keep {
			continue
		}
		info, err := e.Info()
		if err == nil && now.Sub(info.ModTime()) > 7*24*time.Hour || strings.HasPrefix(e.Name(), "building-") {
			_ = os.RemoveAll(filepath.Join(root, e.Name()))
		}
	}
}

// treeHash hashes what the command pkg, built in dir ("": the current
// directory), is made of: the toolchain and target, every Go and embedded
// file of the main module's packages it imports, and the versions of the
// other modules.
func treeHash(ctx context.Context, dir, pkgPath string) (string, error) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("ttxtest: the go tool is needed to build ttx: %w", err)
	}
	cmd := exec.CommandContext(ctx, gobin, "list", "-deps", "-json", pkgPath)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("ttxtest: go list %s: %w\n%s", pkgPath, err, stderr.String())
	}
	h := sha256.New()
	envCmd := exec.CommandContext(ctx, gobin, "env", "GOVERSION", "GOOS", "GOARCH", "GOFLAGS")
	envCmd.Dir = dir
	env, err := envCmd.Output()
	if err != nil {
		return "", fmt.Errorf("ttxtest: go env: %w", err)
	}
	fmt.Fprintf(h, "env %s\n", env)
	type module struct {
		Path, Version, GoMod string
		Main                 bool
		Replace              *struct{ Path, Version string }
	}
	type listed struct {
		ImportPath, Dir               string
		Standard                      bool
		GoFiles, CgoFiles, EmbedFiles []string
		Module                        *module
	}
	root := ""
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var pkg listed // fresh each time: go list omits false and empty fields
		if err := dec.Decode(&pkg); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return "", fmt.Errorf("ttxtest: go list: %w", err)
		}
		switch m := pkg.Module; {
		case pkg.Standard || m == nil:
			// covered by GOVERSION
		case !m.Main:
			fmt.Fprintf(h, "module %s %s", m.Path, m.Version)
			if m.Replace != nil {
				fmt.Fprintf(h, " => %s %s", m.Replace.Path, m.Replace.Version)
			}
			fmt.Fprintln(h)
		default:
			if root == "" {
				root = filepath.Dir(m.GoMod)
				for _, f := range []string{"go.mod", "go.sum"} {
					if err := hashFile(h, root, f); err != nil && !(f == "go.sum" && errors.Is(err, fs.ErrNotExist)) {
						return "", err
					}
				}
			}
			files := append(append(append([]string(nil), pkg.GoFiles...), pkg.CgoFiles...), pkg.EmbedFiles...)
			for _, f := range files {
				if err := hashFile(h, root, filepath.Join(pkg.Dir, f)); err != nil {
					return "", err
				}
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}

// hashFile hashes a file's name relative to the module's root (so that
// copies of one tree share a build) and its content.
func hashFile(h io.Writer, root, path string) error {
	if !filepath.IsAbs(path) {
		path = filepath.Join(root, path)
	}
	rel, err := filepath.Rel(root, path)
	if err != nil {
		return fmt.Errorf("ttxtest: hash the source: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("ttxtest: hash the source: %w", err)
	}
	defer f.Close()
	fmt.Fprintf(h, "file %s\n", filepath.ToSlash(rel))
	n, err := io.Copy(h, f)
	if err != nil {
		return fmt.Errorf("ttxtest: hash the source: %w", err)
	}
	fmt.Fprintf(h, "\n%d\n", n)
	return nil
}

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
