package clipboard

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// Runner runs a command with stdin and returns its standard output.
type Runner func(ctx context.Context, stdin string, name string, args ...string) (string, error)

// execRunner runs real commands.
func execRunner(ctx context.Context, stdin string, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		// stderr of these tools names options and the display, never the data.
		return "", fmt.Errorf("%s: %w: %s", name, err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// Wayland uses wl-clipboard's wl-copy and wl-paste: a Wayland client must
// own a surface with focus to set the clipboard itself, which a tray
// process has not; wl-copy does it and stays to serve the data.
type Wayland struct {
	// Run runs the tools; real commands when nil.
	Run Runner

	once      sync.Once
	sensitive bool // wl-copy knows --sensitive (wl-clipboard 2.3+)
}

func (w *Wayland) run(stdin, name string, args ...string) (string, error) {
	run := w.Run
	if run == nil {
		run = execRunner
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return run(ctx, stdin, name, args...)
}

// Write copies with wl-copy, --sensitive where it is known.
func (w *Wayland) Write(text string) error {
	w.once.Do(func() {
		help, _ := w.run("", "wl-copy", "--help")
		w.sensitive = strings.Contains(help, "--sensitive")
	})
	args := []string{"--type", "text/plain;charset=utf-8"}
	if w.sensitive {
		args = append([]string{"--sensitive"}, args...)
	}
	_, err := w.run(text, "wl-copy", args...)
	if err != nil {
		return fmt.Errorf("clipboard: %w", err)
	}
	return nil
}

// ClearIf clears with wl-copy --clear when wl-paste still reads text.
func (w *Wayland) ClearIf(text string) (bool, error) {
	cur, err := w.run("", "wl-paste", "--no-newline", "--type", "text/plain")
	if err != nil || cur != text {
		return false, nil // nothing, or something else, is on the clipboard
	}
	if _, err := w.run("", "wl-copy", "--clear"); err != nil {
		return false, fmt.Errorf("clipboard: %w", err)
	}
	return true, nil
}
