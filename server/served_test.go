//go:build unix

package main

import (
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// crashServed is the real ttx binary serving one database, stopped and
// started again by the test: its processes, the facilitator's client (with
// the session cookie) and the participants' (without: their answers must
// not be the facilitator's), and the exercise set up at the first start.
type crashServed struct {
	procs     *crashProcs
	srv       *crashProc // the current process
	transport *http.Transport
	fac, part *crashClient
	exID      string
	members   []crashMember
}

// serveCrashExercise starts bin on db with the crash scenarios (its output
// in dir), logs in with the one-time password of the first start and sets
// up the exercise (crashSetup). transport carries both clients' requests.
func serveCrashExercise(t *testing.T, bin, db, dir string, transport *http.Transport) *crashServed {
	t.Helper()
	scenarios, err := filepath.Abs(crashScenarioDir)
	if err != nil {
		t.Fatal(err)
	}
	s := &crashServed{procs: &crashProcs{t: t, bin: bin, db: db, scenarios: scenarios, dir: dir}, transport: transport}
	t.Cleanup(s.procs.cleanup)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	s.fac = &crashClient{hc: &http.Client{Transport: transport, Jar: jar, Timeout: crashStepTimeout}}
	s.part = &crashClient{hc: &http.Client{Transport: transport, Timeout: crashStepTimeout}}
	s.point(s.procs.start(t))
	// The password is printed just after the listener answers.
	passwordRE := regexp.MustCompile(`one-time password\s+(\S+)\s`)
	var m []string
	for deadline := time.Now().Add(crashStepTimeout); m == nil; time.Sleep(10 * time.Millisecond) {
		out := s.srv.stdout(t)
		if m = passwordRE.FindStringSubmatch(out); m == nil && time.Now().After(deadline) {
			t.Fatalf("no one-time password on the first start's stdout: %q", out)
		}
	}
	s.exID, s.members = crashSetup(t, s.fac, m[1])
	return s
}

// point makes srv the current process and points both clients at it.
func (s *crashServed) point(srv *crashProc) {
	s.srv = srv
	s.fac.base, s.part.base = srv.base, srv.base
}

// restart starts the server again on the same database once the previous
// one has stopped; a restart never prints a password. after says after
// what, for the failure message.
func (s *crashServed) restart(t *testing.T, after string) {
	t.Helper()
	s.point(s.procs.start(t))
	if strings.Contains(s.srv.stdout(t), "one-time password") {
		t.Fatalf("after %s: a restart printed a password again", after)
	}
}

// stop sends sig to the server and waits for it to exit, dropping the
// connections it held; after SIGTERM it must have exited cleanly.
func (s *crashServed) stop(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := s.srv.cmd.Process.Signal(sig); err != nil {
		t.Errorf("%v to %d: %v", sig, s.srv.cmd.Process.Pid, err)
		return
	}
	s.srv.wait(t)
	s.transport.CloseIdleConnections()
	if sig == syscall.SIGTERM && s.srv.cmd.ProcessState.ExitCode() != 0 {
		t.Fatalf("SIGTERM: exit %v\n%s", s.srv.cmd.ProcessState, s.procs.logTail())
	}
}
