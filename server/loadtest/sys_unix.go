//go:build unix

package loadtest

import (
	"os/exec"
	"syscall"
)

// openFileLimit is this process's limit on open files (RLIMIT_NOFILE):
// every connection a run opens takes one.
func openFileLimit() (uint64, bool) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, false
	}
	return lim.Cur, true
}

// ownProcessGroup starts cmd in a process group of its own: a Ctrl-C at
// the terminal reaches the tool, which then stops its children in order.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
