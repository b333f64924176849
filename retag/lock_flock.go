//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package retag

import (
	"errors"
	"os"
	"syscall"
)

// lockOutput takes an exclusive advisory lock (flock) on an open output
// file without waiting. It is held until the file is closed, or the
// process dies, so a crashed run leaves no stale lock behind. It reports
// errOutputLocked when another process holds it.
func lockOutput(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return errOutputLocked
	}
	return err
}
