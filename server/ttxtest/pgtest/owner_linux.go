package pgtest

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

type sysProcAttr = syscall.SysProcAttr

// clusterOwner gives dir, when run as root, to the unprivileged user the
// cluster runs as, and returns the attributes that run a process as that
// user; nil when not root.
func clusterOwner(dir string) (*syscall.SysProcAttr, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	var u *user.User
	var err error
	for _, name := range []string{"postgres", "nobody"} {
		if u, err = user.Lookup(name); err == nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("pgtest: running as root, and neither user postgres nor nobody exists to run PostgreSQL as: %w", err)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("pgtest: user %s has ids %s/%s", u.Username, u.Uid, u.Gid)
	}
	if err := os.Chown(dir, uid, gid); err != nil {
		return nil, fmt.Errorf("pgtest: give %s to %s: %w", dir, u.Username, err)
	}
	return &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}, nil
}

// withParentDeath makes the server die with the test process, even when
// that is killed: no cluster outlives its tests.
func withParentDeath(a *syscall.SysProcAttr) *syscall.SysProcAttr {
	out := &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if a != nil {
		out.Credential = a.Credential
	}
	return out
}

func interrupt(p *os.Process) error { return p.Signal(syscall.SIGINT) }

// tempBase is where the cluster's directory is made: the temporary
// directory, unless run as root and it is not open to other users along
// its path (the server runs as another user), then /tmp.
func tempBase() string {
	base := os.TempDir()
	if os.Geteuid() != 0 {
		return base
	}
	for dir := base; ; dir = filepath.Dir(dir) {
		st, err := os.Stat(dir)
		if err != nil || st.Mode().Perm()&0o001 == 0 {
			return "/tmp"
		}
		if dir == filepath.Dir(dir) {
			return base
		}
	}
}
