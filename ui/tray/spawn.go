package tray

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"

	"github.com/tokentray/tokentray/ui/model"
)

// Spawner starts the windows as child processes (`tokentray-ui WINDOW …`),
// one process per window: opening a window that is already open asks it to
// come to the front instead. The agent never links the GUI toolkit, and a
// window's 60 Hz render loop lives only as long as the window.
type Spawner struct {
	// Exe finds the tokentray-ui program (launch.Find): looked up at each
	// start, so installing it later needs no restart of the agent.
	Exe func() (string, error)
	// Flags go before the window (--config, --runtime-dir).
	Flags  []string
	Stderr io.Writer
	Log    *slog.Logger
	// OnExit, if set, learns each window process's exit status.
	OnExit func(args []string, code int)

	mu      sync.Mutex // guards running and closed
	running map[string]*exec.Cmd
	closed  bool
}

// Open starts a window, or raises it when it is open.
func (s *Spawner) Open(args ...string) error {
	if len(args) == 0 {
		return errors.New("tray: which window?")
	}
	key := strings.Join(args, " ")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("tray: shutting down")
	}
	if s.running == nil {
		s.running = map[string]*exec.Cmd{}
	}
	if cmd, ok := s.running[key]; ok {
		if err := raise(cmd.Process); err == nil {
			return nil
		}
	}
	exe, err := s.Exe()
	if err != nil {
		return fmt.Errorf("tray: opening the %s window: %w", args[0], err)
	}
	cmd := exec.Command(exe, append(append([]string{}, s.Flags...), args...)...)
	cmd.Stdout, cmd.Stderr = s.Stderr, s.Stderr
	cmd.Env = append(os.Environ(), model.FromTrayEnv+"=1")
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("tray: starting %s %s: %w", exe, key, err)
	}
	s.running[key] = cmd
	go func() {
		err := cmd.Wait()
		code := cmd.ProcessState.ExitCode()
		if err != nil && s.Log != nil && code != 0 {
			s.Log.Debug("tray: window process ended", "window", key, "status", code)
		}
		s.mu.Lock()
		if s.running[key] == cmd {
			delete(s.running, key)
		}
		s.mu.Unlock()
		if s.OnExit != nil {
			s.OnExit(args, code)
		}
	}()
	return nil
}

// Close ends every window process (the agent is quitting).
func (s *Spawner) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for _, cmd := range s.running {
		terminate(cmd.Process)
	}
}
