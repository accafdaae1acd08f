//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/ttxtest"
)

// ownerProc is one `ttx serve` child of TestOneServerPerDatabase.
type ownerProc struct {
	cmd            *exec.Cmd
	stdout, stderr *ttxtest.Output
	exited         chan struct{}
}

func startOwnerProc(t *testing.T, bin, db string) *ownerProc {
	t.Helper()
	p := &ownerProc{stdout: &ttxtest.Output{}, stderr: &ttxtest.Output{}, exited: make(chan struct{})}
	p.cmd = exec.Command(bin, "serve", "-addr", "127.0.0.1:0", "-db", db)
	p.cmd.Dir = filepath.Dir(db)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TTX_") {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("pid %d stderr:\n%s", p.cmd.Process.Pid, p.stderr.String())
		}
	})
	return p
}

var ownerListeningRE = regexp.MustCompile(`msg="listening[^"]*" addr=(127\.0\.0\.1:[1-9][0-9]*)`)

func (p *ownerProc) waitListening(t *testing.T) {
	t.Helper()
	if _, err := p.stderr.WaitFor(ownerListeningRE, p.exited, 2*time.Minute); err != nil {
		t.Fatalf("pid %d did not start listening: %v\n%s", p.cmd.Process.Pid, err, p.stderr.String())
	}
}

// Issue 17 item 7: a second server on a database another serves refuses to
// start and names the holder; the commands safe beside a server still
// work; after the holder is killed with SIGKILL a new server starts.
func TestOneServerPerDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the ttx binary; skipped with -short")
	}
	bin, err := ttxtest.Binary(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "ttx.db")
	exID := seedExercise(t, db, true)

	first := startOwnerProc(t, bin, db)
	first.waitListening(t)

	second := startOwnerProc(t, bin, db)
	m, err := second.stderr.WaitFor(regexp.MustCompile(`msg="listening|msg="open database"`), second.exited, 2*time.Minute)
	switch {
	case err == nil && strings.Contains(m[0], "listening"):
		t.Fatalf("a second server started on the database pid %d serves:\n%s", first.cmd.Process.Pid, second.stderr.String())
	case err != nil && !errors.Is(err, ttxtest.ErrExited):
		t.Fatalf("second server: %v\n%s", err, second.stderr.String())
	}
	<-second.exited
	if code := second.cmd.ProcessState.ExitCode(); code != 1 {
		t.Errorf("second server exited with %d, want 1", code)
	}
	host, _ := os.Hostname()
	want := db + " is served by another ttx (pid " + strconv.Itoa(first.cmd.Process.Pid) + " on " + host + ", since "
	if got := second.stderr.String(); !strings.Contains(got, want) {
		t.Fatalf("second server's log does not say %q:\n%s", want, got)
	}
	if ownerListeningRE.MatchString(second.stderr.String()) {
		t.Fatal("the second server listened")
	}

	// Beside the running server: accounts and export.
	var out, errOut bytes.Buffer
	code := runUser([]string{"add", "carol", "-db", db}, userIO{stdin: strings.NewReader("a long enough password\n"), env: nil, stdout: &out, stderr: &errOut})
	if code != 0 {
		t.Fatalf("ttx user add beside the server: %d %s", code, errOut.String())
	}
	out.Reset()
	if code := runUser([]string{"list", "-db", db}, userIO{stdout: &out, stderr: &errOut}); code != 0 || !strings.Contains(out.String(), "carol") {
		t.Fatalf("ttx user list beside the server: %d %q %s", code, out.String(), errOut.String())
	}
	archive := filepath.Join(t.TempDir(), "ex.json")
	if code := runExport([]string{"-db", db, exID, "-o", archive}, nil, time.Now, &out, &errOut); code != 0 {
		t.Fatalf("ttx export beside the server: %d %s", code, errOut.String())
	}
	var a struct {
		Events []json.RawMessage `json:"events"`
	}
	if b, err := os.ReadFile(archive); err != nil || json.Unmarshal(b, &a) != nil || len(a.Events) == 0 {
		t.Fatalf("archive written beside the server: %d events, %v", len(a.Events), err)
	}

	// kill -9 leaves no stale lock.
	if err := syscall.Kill(first.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-first.exited
	third := startOwnerProc(t, bin, db)
	third.waitListening(t)
	if err := third.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-third.exited
	if code := third.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("third server exited with %d:\n%s", code, third.stderr.String())
	}
}
