//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package lockfile

import (
	"errors"
	"os"
)

func lockFile(*os.File, bool) error { return errors.ErrUnsupported }

func unlockFile(*os.File) error { return errors.ErrUnsupported }
