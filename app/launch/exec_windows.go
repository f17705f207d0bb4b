package launch

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
)

// execve runs the program as a child with this process's console and
// exits with its status: Windows cannot replace a running process.
func execve(path string, argv []string) error {
	cmd := exec.Command(path, argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// Ctrl-C reaches the child through the console; the front only waits.
	signal.Ignore(os.Interrupt)
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		os.Exit(exit.ExitCode())
	}
	if err != nil {
		return fmt.Errorf("starting %s: %w", path, err)
	}
	os.Exit(0)
	return nil
}
