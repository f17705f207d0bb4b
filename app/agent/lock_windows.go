package agent

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/windows"
)

// ErrAlreadyRunning means another agent of this user holds the lock.
var ErrAlreadyRunning = errors.New("another tokentray agent is already running")

// lock takes the agent lock in dir (see lock_unix.go): LockFileEx, which
// Windows drops when the process dies.
func lock(dir, socket string) (*os.File, error) {
	path := filepath.Join(dir, "agent.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("agent lock: %w", err)
	}
	// The locked byte lies far past the pid written at the start, which a
	// second agent must still be able to read: Windows locks are mandatory.
	ol := &windows.Overlapped{OffsetHigh: 1}
	if err := windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol); err != nil {
		b := make([]byte, 32)
		n, _ := f.ReadAt(b, 0)
		f.Close()
		pid := string(bytes.TrimSpace(b[:n]))
		if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
			return nil, fmt.Errorf("%w (pid %s, socket %s)", ErrAlreadyRunning, pid, socket)
		}
		return nil, fmt.Errorf("agent lock: %w", err)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return f, nil
}
