package agent

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// ErrAlreadyRunning means another agent of this user holds the lock.
var ErrAlreadyRunning = errors.New("another tokentray agent is already running")

// lock takes the agent lock in dir: one agent per user session, the same
// scope as the session keyring. The system drops it when the process dies,
// so a crash never leaves a stale lock behind. The file holds the pid of
// the agent that holds it, for the message a second agent gives.
func lock(dir, socket string) (*os.File, error) {
	path := filepath.Join(dir, "agent.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("agent lock: %w", err)
	}
	if busy, err := tryLock(f); err != nil || busy {
		b := make([]byte, 32)
		n, _ := f.ReadAt(b, 0)
		f.Close()
		if busy {
			return nil, fmt.Errorf("%w (pid %s, socket %s)", ErrAlreadyRunning, bytes.TrimSpace(b[:n]), socket)
		}
		return nil, fmt.Errorf("agent lock: %w", err)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return f, nil
}
