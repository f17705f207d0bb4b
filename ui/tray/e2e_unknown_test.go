//go:build linux

package tray_test

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokentray/tokentray/ui/model"
)

// `tokentray ui details nosuchprofile` opened a window of placeholders
// with working buttons and exited 0. It must refuse as the CLI does: a
// clear error and exit status 1; started by the tray, in a window too.
func TestUIRefusesAnUnknownProfile(t *testing.T) {
	needDesktop(t)
	tokentray, _ := binaries(t)
	a := startAgent(t, nil, `listen = "127.0.0.1:0"
store = "file"

[[profile]]
name = "offline"
issuer = "https://idp.example.com"
client_id = "tokentray"
scopes = ["openid"]
`)
	for _, window := range []string{"details", "login"} {
		t.Run(window, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, tokentray, "ui", window, "nosuchprofile")
			cmd.Env = a.env
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 {
				t.Errorf("exit: got %v, want exit status 1", err)
			}
			if want := `no profile named "nosuchprofile" in the config; its profiles: offline`; !strings.Contains(stderr.String(), want) {
				t.Errorf("stderr: got %q, want %q", stderr.String(), want)
			}
			if w := windows(t, "nosuchprofile"); len(w) != 0 {
				t.Errorf("a window for the unknown profile is open: %v", w)
			}
		})
	}

	// Started by the tray: the refusal is a window (nobody reads the
	// agent's stderr), and closing it ends the process with status 1.
	cmd := exec.Command(tokentray, "ui", "details", "nosuchprofile")
	cmd.Env = append(append([]string(nil), a.env...), model.FromTrayEnv+"=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var g geometry
	waitFor(t, 20*time.Second, "the refusal window", func() bool {
		for _, w := range windows(t, "^tokentray: cannot open the window$") {
			g = w
			return true
		}
		return false
	})
	if t.Failed() {
		return
	}
	time.Sleep(500 * time.Millisecond) // the first frame
	// Its Close button, at the bottom right.
	run(t, "xdotool", "mousemove", strconv.Itoa(g.x+g.w-35), strconv.Itoa(g.y+g.h-22), "click", "1")
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Errorf("exit after the refusal window closed: got %v, want exit status 1", err)
		}
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the process did not end when its refusal window closed")
	}
}
