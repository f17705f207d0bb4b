//go:build linux || freebsd || openbsd || netbsd

package clipboard

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// needX fails (never skips) under scripts/with-desktop.sh; elsewhere the
// X tests cannot run and say why.
func needX(t *testing.T) {
	t.Helper()
	if os.Getenv("DISPLAY") == "" {
		if os.Getenv("TOKENTRAY_IN_DESKTOP") != "" {
			t.Fatal("DISPLAY is not set inside scripts/with-desktop.sh")
		}
		t.Skip("no X server: run under scripts/with-desktop.sh (make test does)")
	}
	for _, tool := range []string{"xclip"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed (make deps installs it): %v", tool, err)
		}
	}
}

func xclipOut(t *testing.T, target string) string {
	t.Helper()
	args := []string{"-o", "-selection", "clipboard"}
	if target != "" {
		args = append(args, "-t", target)
	}
	out, err := exec.Command("xclip", args...).Output()
	if err != nil {
		return ""
	}
	return string(out)
}

func xclipIn(t *testing.T, text string) {
	t.Helper()
	cmd := exec.Command("xclip", "-i", "-selection", "clipboard")
	cmd.Stdin = strings.NewReader(text)
	if err := cmd.Run(); err != nil {
		t.Fatalf("xclip -i: %v", err)
	}
	// xclip forks a process that owns the selection; it exits when the
	// selection is taken from it.
}

func TestX11(t *testing.T) {
	needX(t)
	x := &X11{}
	const secret = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln"
	if err := x.Write(secret); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if got := xclipOut(t, ""); got != secret {
		t.Errorf("xclip reads %q, want the token", got)
	}
	targets := xclipOut(t, "TARGETS")
	for _, want := range []string{"UTF8_STRING", "STRING", "text/plain;charset=utf-8", "x-kde-passwordManagerHint"} {
		if !strings.Contains(targets, want) {
			t.Errorf("TARGETS %q lack %s", targets, want)
		}
	}
	if got := xclipOut(t, "x-kde-passwordManagerHint"); got != "secret" {
		t.Errorf("x-kde-passwordManagerHint: got %q, want secret", got)
	}
	if got, err := x.Read(); err != nil || got != secret {
		t.Errorf("Read: got %q, %v", got, err)
	}

	// Someone else's text is left alone.
	if cleared, err := x.ClearIf("another token"); err != nil || cleared {
		t.Errorf("ClearIf(other text): got %v, %v, want false", cleared, err)
	}
	if err := x.Write(secret); err != nil {
		t.Fatal(err)
	}
	if cleared, err := x.ClearIf(secret); err != nil || !cleared {
		t.Fatalf("ClearIf(ours): got %v, %v, want true", cleared, err)
	}
	if got := xclipOut(t, ""); got != "" {
		t.Errorf("after ClearIf xclip reads %q, want nothing", got)
	}
	if c := x.connection(); c != nil {
		t.Error("still connected to X after clearing: an idle agent should hold no connection")
	}

	// Another program copied something since: it stays.
	if err := x.Write(secret); err != nil {
		t.Fatal(err)
	}
	xclipIn(t, "the user's own text")
	time.Sleep(100 * time.Millisecond)
	if cleared, err := x.ClearIf(secret); err != nil || cleared {
		t.Errorf("ClearIf after another copy: got %v, %v, want false", cleared, err)
	}
	if got := xclipOut(t, ""); got != "the user's own text" {
		t.Errorf("the user's text is gone: xclip reads %q", got)
	}

	// A clipboard manager took our token over: it is cleared all the same.
	if err := x.Write(secret); err != nil {
		t.Fatal(err)
	}
	xclipIn(t, secret)
	time.Sleep(100 * time.Millisecond)
	if cleared, err := x.ClearIf(secret); err != nil || !cleared {
		t.Errorf("ClearIf of our token held by another client: got %v, %v, want true", cleared, err)
	}
	if got := xclipOut(t, ""); got != "" {
		t.Errorf("xclip reads %q, want nothing", got)
	}
}

func TestCopierClearsAfterDelay(t *testing.T) {
	needX(t)
	done := make(chan bool, 2)
	c := &Copier{Board: &X11{}, After: 300 * time.Millisecond, OnClear: func(cleared bool, err error) {
		if err != nil {
			t.Errorf("clear: %v", err)
		}
		done <- cleared
	}}
	if err := c.Copy("first-token"); err != nil {
		t.Fatal(err)
	}
	if err := c.Copy("second-token"); err != nil {
		t.Fatal(err)
	}
	if got := xclipOut(t, ""); got != "second-token" {
		t.Errorf("xclip reads %q, want second-token", got)
	}
	select {
	case cleared := <-done:
		if !cleared {
			t.Error("the copier did not clear its token")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no clear within 5 s of a 300 ms delay")
	}
	if got := xclipOut(t, ""); got != "" {
		t.Errorf("after the delay xclip reads %q, want nothing", got)
	}
	select {
	case <-done:
		t.Error("the replaced copy was cleared too")
	case <-time.After(500 * time.Millisecond):
	}
}
