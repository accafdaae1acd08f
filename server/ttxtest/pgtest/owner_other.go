//go:build !linux

package pgtest

import (
	"errors"
	"os"
	"syscall"
)

type sysProcAttr = syscall.SysProcAttr

// clusterOwner: PostgreSQL refuses to run as root; off Linux, pgtest
// runs it as the user running the tests.
func clusterOwner(string) (*syscall.SysProcAttr, error) {
	if os.Geteuid() == 0 {
		return nil, errors.New("pgtest: run the tests as an ordinary user: PostgreSQL refuses to run as root")
	}
	return nil, nil
}

func withParentDeath(a *syscall.SysProcAttr) *syscall.SysProcAttr { return a }

func interrupt(p *os.Process) error { return p.Signal(os.Interrupt) }

func tempBase() string { return os.TempDir() }
