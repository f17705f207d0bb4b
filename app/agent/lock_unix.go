//go:build unix

package agent

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// ErrAlreadyRunning means another agent of this user holds the lock.
var ErrAlreadyRunning = errors.New("another tokentray agent is already running")

// lock takes the agent lock in dir: one agent per user session, the same
// scope as the session keyring. The kernel drops it when the process dies,
// so a crash never leaves a stale lock behind.
func lock(dir, socket string) (*os.File, error) {
	path := filepath.Join(dir, "agent.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("agent lock: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		b := make([]byte, 32)
		n, _ := f.ReadAt(b, 0)
		f.Close()
		pid := string(bytes.TrimSpace(b[:n]))
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (pid %s, socket %s)", ErrAlreadyRunning, pid, socket)
		}
		return nil, fmt.Errorf("agent lock: %w", err)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return f, nil
}
