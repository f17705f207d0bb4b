package agent

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/tokentray/tokentray/app/api"
	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/config"
)

// ErrAlreadyRunning means another agent holds the lock of the same store.
var ErrAlreadyRunning = errors.New("another tokentray agent is already running")

// lockPath is where the one-agent lock lives. Its scope is the store's:
// two agents on one store would each refresh the same refresh tokens, and
// with rotation the second refresh kills the login. The OS keyring is the
// user's, whatever --runtime-dir says, so its lock is in a directory of the
// user's (userLockDir); a file store's lock sits beside the file. A store the
// caller hands in (Options.Store: tests) has the scope the caller gives it,
// the runtime directory.
func lockPath(cfg *config.Config, injected bool, runtimeDir string) (string, error) {
	switch {
	case injected:
		return filepath.Join(runtimeDir, "agent.lock"), nil
	case cfg.Store == "file":
		path, err := fileStorePath()
		if err != nil {
			return "", err
		}
		return path + ".lock", os.MkdirAll(filepath.Dir(path), 0o700)
	}
	dir, err := userLockDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "agent.lock"), api.EnsurePrivateDir(dir)
}

// userLockDir is a directory of the user's own for the keyring's lock:
// the default runtime directory under $XDG_RUNTIME_DIR; without one, the
// user's cache directory, never the shared temp directory, where another
// user could make the directory first and so keep the agent from starting
// whatever --runtime-dir says.
func userLockDir() (string, error) {
	if os.Getenv("XDG_RUNTIME_DIR") != "" {
		return apiclient.RuntimeDir(""), nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("agent lock: %w", err)
	}
	return filepath.Join(dir, "tokentray"), nil
}

// lock takes the agent lock at path. The system drops it when the process
// dies, so a crash never leaves a stale lock behind. The file holds the pid
// and the socket of the agent that holds it, for the message a second
// agent gives.
func lock(path, socket string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("agent lock: %w", err)
	}
	if busy, err := tryLock(f); err != nil || busy {
		b := make([]byte, 4096)
		n, _ := f.ReadAt(b, 0)
		f.Close()
		if busy {
			pid, sock, _ := bytes.Cut(bytes.TrimSpace(b[:n]), []byte("\n"))
			if len(sock) == 0 { // written by an older agent: the pid only
				sock = []byte(socket)
			}
			return nil, fmt.Errorf("%w (pid %s, socket %s)", ErrAlreadyRunning, pid, sock)
		}
		return nil, fmt.Errorf("agent lock: %w", err)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"+socket+"\n"), 0)
	return f, nil
}
