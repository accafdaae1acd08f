//go:build !unix

package loadtest

import "os/exec"

// openFileLimit: this system has no per-process limit on open files of
// the Unix kind (Windows sockets are bounded by memory), so none is checked.
func openFileLimit() (uint64, bool) { return 0, false }

// ownProcessGroup leaves cmd as it is: process groups are a Unix notion.
func ownProcessGroup(*exec.Cmd) {}
